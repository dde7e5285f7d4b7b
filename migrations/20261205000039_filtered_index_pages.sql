-- The postmortem index through one filter costs about the same at any size.
--
-- A filter by service, contributing factor or tag used to walk the postmortems newest first
-- and test each against the filter: a rarely named service made that walk read every
-- postmortem. Now such a page walks the filter's own links newest first instead, so each link
-- carries its postmortem's start (as `incident_services` and, since migration 37,
-- `incident_factors` do), kept in step when the postmortem is re-dated. And the two orders that
-- had no index (longest first, and a status with the newest first) get one.

-- The links' own triggers (the learning counter's) are deferred: fired now instead, so that the
-- tables can be altered after their rows are filled in.
SET CONSTRAINTS ALL IMMEDIATE;

-- A link's start is not searched: re-dating a postmortem does not make its document again.
CREATE OR REPLACE FUNCTION search_note_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO search_pending (incident_id)
        SELECT DISTINCT incident_id FROM new_rows ORDER BY 1 ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO search_pending (incident_id)
        SELECT DISTINCT incident_id FROM old_rows ORDER BY 1 ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO search_pending (incident_id)
        SELECT DISTINCT incident_id FROM (
            SELECT n.incident_id, to_jsonb(n) - '{html,rendered_with,version,updated_at,created_at,started_at}'::text[]
            FROM new_rows n
            EXCEPT
            SELECT o.incident_id, to_jsonb(o) - '{html,rendered_with,version,updated_at,created_at,started_at}'::text[]
            FROM old_rows o
        ) changed (incident_id, fields)
        ORDER BY 1 ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

ALTER TABLE incident_tags ADD COLUMN started_at timestamptz;
UPDATE incident_tags g SET started_at = i.started_at FROM incidents i WHERE i.id = g.incident_id;
ALTER TABLE incident_tags ALTER COLUMN started_at SET NOT NULL;

-- A new tag takes its postmortem's start (the function of migration 33, for any link table).
CREATE TRIGGER incident_tags_started_at BEFORE INSERT OR UPDATE ON incident_tags
    FOR EACH ROW EXECUTE FUNCTION incident_services_started_at();

-- A re-dated postmortem moves its services and tags with it (its factors: migration 37).
CREATE OR REPLACE FUNCTION incidents_services_follow_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_services SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    UPDATE incident_tags SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;

CREATE INDEX incident_factors_recent_idx ON incident_factors (factor_id, started_at DESC, incident_id DESC);
CREATE INDEX incident_tags_recent_idx ON incident_tags (lower(tag), started_at DESC, incident_id DESC);

-- Longest first: the same expression as the index's order key (`db::search::order_key`).
CREATE INDEX incidents_duration_idx ON incidents
    ((extract(epoch FROM coalesce(ended_at, started_at) - started_at)::float8) DESC, started_at DESC, id DESC);
CREATE INDEX incidents_status_started_idx ON incidents (status, started_at DESC, id DESC);

-- Similar incidents no longer walk the titles by trigram distance (it grew with the data; see
-- `db::recurrences::similar`); `similarity()` scores a few candidates and needs no index.
DROP INDEX incidents_title_trgm_idx;
