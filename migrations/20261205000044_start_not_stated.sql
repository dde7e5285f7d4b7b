-- A draft may not say yet when the impact started: an imported document that states no start
-- is saved all the same (nothing refused for what it does not say), and the start is asked for
-- before review. `started_at` stays NOT NULL because every list, index and keyset page orders
-- by it; for such a draft it holds only a place in those lists (no later than the end, nor
-- than when the row was written), and `start_stated` says it is not a start. The code never
-- shows it: `db::incidents` reads it as `None`.
ALTER TABLE incidents ADD COLUMN start_stated boolean NOT NULL DEFAULT true;
ALTER TABLE incidents ADD CONSTRAINT incidents_start_stated_unless_draft CHECK (start_stated OR status = 'draft');

-- A service's durations (from its links' copy of the end) leave out a postmortem whose start
-- is not stated: its "duration" would be a placeholder's.
CREATE OR REPLACE FUNCTION incident_services_ended_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.incident_id IS DISTINCT FROM OLD.incident_id THEN
        NEW.ended_at := (SELECT ended_at FROM incidents WHERE id = NEW.incident_id AND start_stated);
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION incidents_services_follow_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_services SET ended_at = CASE WHEN NEW.start_stated THEN NEW.ended_at END
    WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER incidents_services_follow_end ON incidents;
CREATE TRIGGER incidents_services_follow_end AFTER UPDATE OF ended_at, start_stated ON incidents
    FOR EACH ROW WHEN ((OLD.ended_at, OLD.start_stated) IS DISTINCT FROM (NEW.ended_at, NEW.start_stated))
    EXECUTE FUNCTION incidents_services_follow_end();
