-- The services list, a service's page and the themes page counted every postmortem of a
-- service or of a period, so they cost 100 times more at 100,000 postmortems than at 1,000.
-- Now they read counts kept as the postmortems change: how many postmortems started on each
-- day and in each month (UTC), overall and per service and per kind of factor, how many in all
-- per service, and how many open action items each service has. A period reads its whole
-- months plus the days at its ends, so its cost depends on the number of services and kinds,
-- never on the number of postmortems.
--
-- Writers never update a count: statement triggers insert signed deltas into
-- learning_count_deltas, and fold_learning_counts() (run by the server every few seconds and
-- by the demo; one folder at a time) moves them into learning_counts. So concurrent writers
-- take no lock on any count and cannot deadlock on them, and readers add the deltas not yet
-- folded to the counts in the same statement: the figures are exact at every moment.

-- The links' deferred triggers (the learning counter's, dropped below) fire now instead, so
-- that incident_factors can be altered after its rows are filled in on a database with data.
SET CONSTRAINTS ALL IMMEDIATE;

CREATE TABLE learning_counts (
    grain text NOT NULL CHECK (grain IN ('day', 'month', 'all')),
    -- The day, the month's first day, or -infinity for all time.
    start date NOT NULL,
    kind  text NOT NULL CHECK (kind IN ('postmortems', 'service', 'factor', 'open_items')),
    -- The service or factor kind; 0 for the postmortems themselves.
    key   bigint NOT NULL,
    n     bigint NOT NULL,
    PRIMARY KEY (grain, start, kind, key)
);
-- One service's months and totals.
CREATE INDEX learning_counts_key_idx ON learning_counts (kind, key, grain, start);

CREATE TABLE learning_count_deltas (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The UTC day its postmortem started.
    day  date NOT NULL,
    kind text NOT NULL,
    key  bigint NOT NULL,
    n    bigint NOT NULL
);
CREATE INDEX learning_count_deltas_day_idx ON learning_count_deltas (day);
CREATE INDEX learning_count_deltas_key_idx ON learning_count_deltas (kind, key, day);

-- The day the counts file a postmortem under: the UTC date it started.
CREATE FUNCTION learning_day(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (at AT TIME ZONE 'UTC')::date
$$;

-- An action item counts as open against its postmortem's services while open or in progress.
CREATE FUNCTION action_item_is_open(status text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT status IN ('open', 'in_progress')
$$;
-- A service's open items, newest postmortems first, are found by index from its links.
CREATE INDEX action_items_open_by_incident_idx ON action_items (incident_id, due_on, id)
    WHERE status IN ('open', 'in_progress');

-- Folds the deltas committed so far into learning_counts, in key order, and returns how many
-- counts it changed. A second caller while one folds returns 0 at once (the advisory lock), so
-- counts are only ever updated by one transaction at a time.
CREATE FUNCTION fold_learning_counts() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended('fold_learning_counts', 0)) THEN
        RETURN 0;
    END IF;
    WITH taken AS (
        DELETE FROM learning_count_deltas RETURNING day, kind, key, n
    ), by_day AS (
        SELECT day, kind, key, sum(n) AS n FROM taken GROUP BY day, kind, key
    ), grains AS (
        SELECT 'day' AS grain, day AS start, kind, key, n FROM by_day
        UNION ALL
        SELECT 'month', date_trunc('month', day)::date, kind, key, n FROM by_day
        UNION ALL
        SELECT 'all', '-infinity'::date, kind, key, n FROM by_day
    )
    INSERT INTO learning_counts AS c (grain, start, kind, key, n)
    SELECT grain, start, kind, key, sum(n)::bigint FROM grains
    GROUP BY grain, start, kind, key HAVING sum(n) <> 0
    ORDER BY grain, start, kind, key
    ON CONFLICT (grain, start, kind, key) DO UPDATE SET n = c.n + excluded.n;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END $$;

-- Contributing factors carry their postmortem's start as services' links do (migration 33),
-- so a link deleted with its postmortem still says which day's count it leaves.
ALTER TABLE incident_factors ADD COLUMN started_at timestamptz;
UPDATE incident_factors f SET started_at = i.started_at FROM incidents i WHERE i.id = f.incident_id;
ALTER TABLE incident_factors ALTER COLUMN started_at SET NOT NULL;
CREATE TRIGGER incident_factors_started_at BEFORE INSERT OR UPDATE ON incident_factors
    FOR EACH ROW EXECUTE FUNCTION incident_services_started_at();
CREATE FUNCTION incidents_factors_follow_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_factors SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_factors_follow_start AFTER UPDATE OF started_at ON incidents
    FOR EACH ROW WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at)
    EXECUTE FUNCTION incidents_factors_follow_start();

-- A service's links carry their postmortem's end too, so the durations of its newest ended
-- postmortems are read from one index, without visiting each postmortem.
ALTER TABLE incident_services ADD COLUMN ended_at timestamptz;
UPDATE incident_services l SET ended_at = i.ended_at FROM incidents i WHERE i.id = l.incident_id AND i.ended_at IS NOT NULL;
CREATE INDEX incident_services_recent_ended_idx ON incident_services (service_id, started_at DESC, incident_id DESC)
    INCLUDE (ended_at);
DROP INDEX incident_services_recent_idx;
CREATE FUNCTION incident_services_ended_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.incident_id IS DISTINCT FROM OLD.incident_id THEN
        NEW.ended_at := (SELECT ended_at FROM incidents WHERE id = NEW.incident_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incident_services_ended_at BEFORE INSERT OR UPDATE ON incident_services
    FOR EACH ROW EXECUTE FUNCTION incident_services_ended_at();
CREATE FUNCTION incidents_services_follow_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_services SET ended_at = NEW.ended_at WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_services_follow_end AFTER UPDATE OF ended_at ON incidents
    FOR EACH ROW WHEN (OLD.ended_at IS DISTINCT FROM NEW.ended_at)
    EXECUTE FUNCTION incidents_services_follow_end();

-- Postmortems: added, deleted (statement triggers, so a bulk write inserts a delta a day), and
-- re-dated (a row trigger on the column, which statement triggers with transition tables
-- cannot name).
CREATE FUNCTION incidents_count_learning() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(started_at), 'postmortems', 0, count(*) FROM new_rows GROUP BY 1;
    ELSE
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(started_at), 'postmortems', 0, -count(*) FROM old_rows GROUP BY 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_count_learning_insert AFTER INSERT ON incidents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_count_learning();
CREATE TRIGGER incidents_count_learning_delete AFTER DELETE ON incidents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_count_learning();

CREATE FUNCTION incidents_move_learning() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF learning_day(OLD.started_at) <> learning_day(NEW.started_at) THEN
        INSERT INTO learning_count_deltas (day, kind, key, n)
        VALUES (learning_day(OLD.started_at), 'postmortems', 0, -1), (learning_day(NEW.started_at), 'postmortems', 0, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_move_learning AFTER UPDATE OF started_at ON incidents
    FOR EACH ROW WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at)
    EXECUTE FUNCTION incidents_move_learning();

-- A service's links: each counts once for the service on its day, and brings its postmortem's
-- open action items to the service. An update (a postmortem re-dated, or ended: links carry
-- both) takes the old rows off and puts the new ones on, keeping only what does not cancel.
CREATE FUNCTION incident_services_count_learning() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT day, kind, key, sum(n) FROM (
            SELECT learning_day(started_at) AS day, 'service' AS kind, service_id AS key, 1 AS n FROM new_rows
            UNION ALL
            SELECT learning_day(started_at), 'service', service_id, -1 FROM old_rows
            UNION ALL
            SELECT learning_day(l.started_at), 'open_items', l.service_id, 1
            FROM new_rows l JOIN action_items a ON a.incident_id = l.incident_id AND action_item_is_open(a.status)
            UNION ALL
            SELECT learning_day(l.started_at), 'open_items', l.service_id, -1
            FROM old_rows l JOIN action_items a ON a.incident_id = l.incident_id AND action_item_is_open(a.status)
        ) changed
        GROUP BY day, kind, key HAVING sum(n) <> 0;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(started_at), 'service', service_id, count(*) FROM new_rows GROUP BY 1, 3
        UNION ALL
        SELECT learning_day(l.started_at), 'open_items', l.service_id, count(*)
        FROM new_rows l JOIN action_items a ON a.incident_id = l.incident_id AND action_item_is_open(a.status)
        GROUP BY 1, 3;
    ELSE
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(started_at), 'service', service_id, -count(*) FROM old_rows GROUP BY 1, 3
        UNION ALL
        SELECT learning_day(l.started_at), 'open_items', l.service_id, -count(*)
        FROM old_rows l JOIN action_items a ON a.incident_id = l.incident_id AND action_item_is_open(a.status)
        WHERE EXISTS (SELECT 1 FROM incidents i WHERE i.id = l.incident_id)
        GROUP BY 1, 3;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER incident_services_count_learning_insert AFTER INSERT ON incident_services
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_services_count_learning();
CREATE TRIGGER incident_services_count_learning_update AFTER UPDATE ON incident_services
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_services_count_learning();
CREATE TRIGGER incident_services_count_learning_delete AFTER DELETE ON incident_services
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_services_count_learning();

CREATE FUNCTION incident_factors_count_learning() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(started_at), 'factor', factor_id, count(*) FROM new_rows GROUP BY 1, 3;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(started_at), 'factor', factor_id, -count(*) FROM old_rows GROUP BY 1, 3;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER incident_factors_count_learning_insert AFTER INSERT ON incident_factors
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_factors_count_learning();
CREATE TRIGGER incident_factors_count_learning_update AFTER UPDATE ON incident_factors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_factors_count_learning();
CREATE TRIGGER incident_factors_count_learning_delete AFTER DELETE ON incident_factors
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_factors_count_learning();

-- Action items: one opened, closed, deleted or moved counts for (or against) each service its
-- postmortem names. Only the rows whose openness or postmortem changed are looked at, so a
-- bulk update of other columns (re-rendering) adds nothing.
-- Each (item, link) pair is counted by whichever of the two is written: the app locks a
-- postmortem before writing its items or its labels, so the two never race. A postmortem's
-- deletion is the exception: the cascades delete both sides before either's trigger runs, so
-- incidents_drop_open_items takes its pairs off before the cascades, and the triggers skip
-- rows whose postmortem is gone.
CREATE FUNCTION action_items_count_learning() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(l.started_at), 'open_items', l.service_id, count(*)
        FROM new_rows a JOIN incident_services l ON l.incident_id = a.incident_id
        WHERE action_item_is_open(a.status) GROUP BY 1, 3;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(l.started_at), 'open_items', l.service_id, -count(*)
        FROM old_rows a JOIN incident_services l ON l.incident_id = a.incident_id
        WHERE action_item_is_open(a.status) AND EXISTS (SELECT 1 FROM incidents i WHERE i.id = a.incident_id)
        GROUP BY 1, 3;
    ELSE
        INSERT INTO learning_count_deltas (day, kind, key, n)
        SELECT learning_day(l.started_at), 'open_items', l.service_id, sum(changed.n)
        FROM (SELECT o.incident_id, -1 AS n FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE action_item_is_open(o.status)
                AND NOT (action_item_is_open(w.status) AND w.incident_id = o.incident_id)
              UNION ALL
              SELECT w.incident_id, 1 FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE action_item_is_open(w.status)
                AND NOT (action_item_is_open(o.status) AND w.incident_id = o.incident_id)) changed
        JOIN incident_services l ON l.incident_id = changed.incident_id
        GROUP BY 1, 3 HAVING sum(changed.n) <> 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER action_items_count_learning_insert AFTER INSERT ON action_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION action_items_count_learning();
CREATE TRIGGER action_items_count_learning_update AFTER UPDATE ON action_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION action_items_count_learning();
CREATE TRIGGER action_items_count_learning_delete AFTER DELETE ON action_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION action_items_count_learning();

CREATE FUNCTION incidents_drop_open_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO learning_count_deltas (day, kind, key, n)
    SELECT learning_day(l.started_at), 'open_items', l.service_id, -count(*)
    FROM incident_services l JOIN action_items a ON a.incident_id = l.incident_id AND action_item_is_open(a.status)
    WHERE l.incident_id = OLD.id GROUP BY 1, 3;
    RETURN OLD;
END $$;
CREATE TRIGGER incidents_drop_open_items BEFORE DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION incidents_drop_open_items();

-- The counts of what is there already.
INSERT INTO learning_count_deltas (day, kind, key, n)
SELECT learning_day(started_at), 'postmortems', 0, count(*) FROM incidents GROUP BY 1
UNION ALL
SELECT learning_day(started_at), 'service', service_id, count(*) FROM incident_services GROUP BY 1, 3
UNION ALL
SELECT learning_day(started_at), 'factor', factor_id, count(*) FROM incident_factors GROUP BY 1, 3
UNION ALL
SELECT learning_day(l.started_at), 'open_items', l.service_id, count(*)
FROM incident_services l JOIN action_items a ON a.incident_id = l.incident_id AND action_item_is_open(a.status)
GROUP BY 1, 3;
SELECT fold_learning_counts();

-- No instance keeps learning figures any more (they are cheap to read), so nothing reads the
-- `learning` change counter: its triggers go, and with them a row every such write updated.
DROP TRIGGER incidents_count_learning ON incidents;
DROP TRIGGER incident_services_count_learning ON incident_services;
DROP TRIGGER incident_factors_count_learning ON incident_factors;
DROP TRIGGER services_count_learning ON services;
DROP TRIGGER factor_kinds_count_learning ON factor_kinds;
DELETE FROM change_counters WHERE name = 'learning';
