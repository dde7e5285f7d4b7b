-- The lists the owner and team pickers offer, as JSON, defined once: the postmortem page's own
-- query brings them when an instance's kept lists are out of date, and other pages read them
-- on their own.
CREATE FUNCTION picker_people() RETURNS json LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(json_build_object(
               'id', id, 'email', email, 'name', name, 'role', role,
               'active', deactivated_at IS NULL, 'has_password', password_hash IS NOT NULL)
           ORDER BY deactivated_at IS NOT NULL, lower(coalesce(nullif(name, ''), email)), id), '[]')
    FROM users
$$;

CREATE FUNCTION picker_teams() RETURNS json LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'time_zone', time_zone)
                    ORDER BY lower(name), id), '[]')
    FROM teams
$$;
