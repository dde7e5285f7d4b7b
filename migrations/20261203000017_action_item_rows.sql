-- An action item as every page shows it: its own columns, and the name of the person and the
-- name and time zone of the team it is linked to. One definition instead of a column list in
-- every query; PostgreSQL leaves out the joins a query does not read.
CREATE VIEW action_item_rows AS
SELECT a.id, a.incident_id, a.body, a.kind, a.priority, a.status, a.wont_do_reason, a.owner, a.owner_id,
       coalesce(nullif(u.name, ''), u.email) AS owner_person,
       a.team, a.team_id, t.name AS team_name, t.time_zone AS team_time_zone,
       a.ticket_url, a.completion_note, a.due_on, a.completed_at, a.version, a.created_at,
       a.html, a.rendered_with
FROM action_items a
LEFT JOIN users u ON u.id = a.owner_id
LEFT JOIN teams t ON t.id = a.team_id;
