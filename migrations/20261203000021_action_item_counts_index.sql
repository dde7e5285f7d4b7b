-- The index counts each listed postmortem's action items, open and in all: with the closing
-- time in the index, PostgreSQL counts from the index alone instead of visiting every item.
CREATE INDEX action_items_incident_open_idx ON action_items (incident_id) INCLUDE (completed_at);
