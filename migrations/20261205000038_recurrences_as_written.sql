-- What an imported document said about recurrences ("Happened before", "Happened again", an
-- action item's "Recurred in") that this instance could not link to a postmortem of its own:
-- ids are another instance's, so it is kept as written, and the export says it again.
ALTER TABLE incidents
    ADD COLUMN happened_before_as_written text[] NOT NULL DEFAULT '{}',
    ADD COLUMN happened_again_as_written text[] NOT NULL DEFAULT '{}';
ALTER TABLE action_items
    ADD COLUMN recurred_in_as_written text NOT NULL DEFAULT '';

-- The view gains it (new columns go last, as CREATE OR REPLACE VIEW requires).
CREATE OR REPLACE VIEW action_item_rows AS
SELECT a.id, a.incident_id, a.body, a.kind, a.priority, a.status, a.wont_do_reason, a.owner, a.owner_id,
       coalesce(nullif(u.name, ''), u.email) AS owner_person,
       a.team, a.team_id, t.name AS team_name, t.time_zone AS team_time_zone,
       a.ticket_url, a.completion_note, a.due_on, a.completed_at, a.version, a.created_at,
       a.html, a.rendered_with,
       a.verified_at, a.verified_by, a.verification_evidence,
       coalesce(nullif(v.name, ''), v.email, a.verified_by_name) AS verifier,
       ARRAY(SELECT r.incident_id FROM action_item_recurrences r
             WHERE r.action_item_id = a.id ORDER BY r.incident_id) AS recurred_in,
       a.recurred_in_as_written
FROM action_items a
LEFT JOIN users u ON u.id = a.owner_id
LEFT JOIN teams t ON t.id = a.team_id
LEFT JOIN users v ON v.id = a.verified_by;

-- A postmortem's recurrences as its export names them: the postmortems it repeats and those
-- that repeat it, by id (the order the export writes them), and what an import kept as written.
-- The page, the export and the revisions read them through this one function.
CREATE FUNCTION incident_recurrence_refs(incident bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'happened_before', (SELECT coalesce(json_agg(json_build_object('id', e.id, 'title', e.title)
                                                     ORDER BY e.id), '[]')
                            FROM incident_recurrences r JOIN incidents e ON e.id = r.earlier_id
                            WHERE r.incident_id = incident),
        'happened_again', (SELECT coalesce(json_agg(json_build_object('id', e.id, 'title', e.title)
                                                    ORDER BY e.id), '[]')
                           FROM incident_recurrences r JOIN incidents e ON e.id = r.incident_id
                           WHERE r.earlier_id = incident),
        'before_as_written', (SELECT i.happened_before_as_written FROM incidents i WHERE i.id = incident),
        'again_as_written', (SELECT i.happened_again_as_written FROM incidents i WHERE i.id = incident))
$$;
