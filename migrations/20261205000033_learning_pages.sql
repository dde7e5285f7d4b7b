-- What the pages that learn across postmortems read: service pages, the themes page and the
-- similar incidents of a postmortem.

-- Similar titles, by trigram distance, nearest first from the index (bounded however many
-- postmortems there are). pg_trgm ships with PostgreSQL (Debian's package included).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX incidents_title_trgm_idx ON incidents USING gist (title gist_trgm_ops);

-- A service's postmortems newest first, a page at a time, and its postmortems per month,
-- straight from one index: each link carries its postmortem's start, kept in step by triggers
-- (whoever writes a link need not know about it).
ALTER TABLE incident_services ADD COLUMN started_at timestamptz;
UPDATE incident_services s SET started_at = i.started_at FROM incidents i WHERE i.id = s.incident_id;
ALTER TABLE incident_services ALTER COLUMN started_at SET NOT NULL;
CREATE INDEX incident_services_recent_idx ON incident_services (service_id, started_at DESC, incident_id DESC);

CREATE FUNCTION incident_services_started_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.started_at IS NULL OR TG_OP = 'UPDATE' AND NEW.incident_id IS DISTINCT FROM OLD.incident_id THEN
        NEW.started_at := (SELECT started_at FROM incidents WHERE id = NEW.incident_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incident_services_started_at BEFORE INSERT OR UPDATE ON incident_services
    FOR EACH ROW EXECUTE FUNCTION incident_services_started_at();

CREATE FUNCTION incidents_services_follow_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_services SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_services_follow_start AFTER UPDATE OF started_at ON incidents
    FOR EACH ROW WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at)
    EXECUTE FUNCTION incidents_services_follow_start();

-- The figures of service pages and of the themes page are kept by an instance while this
-- counter stays the same: it moves when a postmortem is added, deleted or re-dated or ends,
-- or its services or factors, or the services and factor kinds themselves, change.
INSERT INTO change_counters (name) VALUES ('learning') ON CONFLICT (name) DO NOTHING;
CREATE CONSTRAINT TRIGGER incidents_count_learning AFTER INSERT OR DELETE OR UPDATE OF started_at, ended_at ON incidents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('learning');
CREATE CONSTRAINT TRIGGER incident_services_count_learning AFTER INSERT OR UPDATE OR DELETE ON incident_services
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('learning');
CREATE CONSTRAINT TRIGGER incident_factors_count_learning AFTER INSERT OR UPDATE OR DELETE ON incident_factors
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('learning');
CREATE CONSTRAINT TRIGGER services_count_learning AFTER INSERT OR UPDATE OR DELETE ON services
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('learning');
CREATE CONSTRAINT TRIGGER factor_kinds_count_learning AFTER INSERT OR UPDATE OR DELETE ON factor_kinds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('learning');
