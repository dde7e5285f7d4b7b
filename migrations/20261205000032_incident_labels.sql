-- A postmortem's services, tags and contributing factors as one JSON value, in the order every
-- reader shows them (services and tags by name, factors as the authors ordered them): the page,
-- the export, the API and the revisions read them through this one function.
CREATE FUNCTION incident_labels(incident bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'services', (SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name)
                                              ORDER BY lower(s.name), s.id), '[]')
                     FROM incident_services l JOIN services s ON s.id = l.service_id
                     WHERE l.incident_id = incident),
        'tags', (SELECT coalesce(json_agg(t.tag ORDER BY lower(t.tag), t.tag), '[]')
                 FROM incident_tags t WHERE t.incident_id = incident),
        'factors', (SELECT coalesce(json_agg(json_build_object('id', k.id, 'name', k.name,
                                                               'explanation', f.explanation)
                                             ORDER BY f.position, k.id), '[]')
                    FROM incident_factors f JOIN factor_kinds k ON k.id = f.factor_id
                    WHERE f.incident_id = incident))
$$;
