-- Which teams own action items of which postmortem, for the index's team filter: walked newest
-- first like the links to services, factors and tags (migration 39), so a team with few items
-- is found without reading every postmortem.
--
-- A row per postmortem and team, with how many of its action items the team owns: counts,
-- not presence, so that two people adding and removing the team's items of one postmortem at
-- once both end right (increments commute; a row that reaches zero is removed, and an insert
-- racing that removal is retried by ON CONFLICT).
CREATE TABLE incident_teams (
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    team_id     bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    items       integer NOT NULL CHECK (items > 0),
    started_at  timestamptz NOT NULL,
    PRIMARY KEY (incident_id, team_id)
);
CREATE INDEX incident_teams_recent_idx ON incident_teams (team_id, started_at DESC, incident_id DESC);

INSERT INTO incident_teams (incident_id, team_id, items, started_at)
SELECT a.incident_id, a.team_id, count(*), i.started_at
FROM action_items a JOIN incidents i ON i.id = a.incident_id
WHERE a.team_id IS NOT NULL
GROUP BY a.incident_id, a.team_id, i.started_at;

-- How many action items of each postmortem are still open or in progress, on its search row, so
-- that a search through "with open action items" tests a column of the rows the index finds
-- instead of looking up each postmortem's items. Counted when the row is made (a new postmortem's
-- row is made at its first commit, after its items), then moved by the items' changes: changes,
-- not recounts, so that two people ticking items of one postmortem at once both count.
ALTER TABLE search_documents ADD COLUMN open_items integer NOT NULL DEFAULT 0;
UPDATE search_documents d SET open_items = c.n
FROM (SELECT incident_id, count(*) AS n FROM action_items WHERE status IN ('open', 'in_progress') GROUP BY 1) c
WHERE d.incident_id = c.incident_id;

CREATE FUNCTION search_documents_count_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.open_items := (SELECT count(*) FROM action_items
                       WHERE incident_id = NEW.incident_id AND status IN ('open', 'in_progress'));
    RETURN NEW;
END $$;
CREATE TRIGGER search_documents_count_open BEFORE INSERT ON search_documents
    FOR EACH ROW EXECUTE FUNCTION search_documents_count_open();

-- Applies changes in items of (postmortem, team) pairs, in one statement, rows taken in key
-- order (so two writers never wait on each other in a cycle). A pair's change is either up
-- (added, or counted up) or down (counted down, or removed at zero), so the three parts never
-- touch one row twice.
CREATE FUNCTION incident_teams_apply(changes jsonb) RETURNS void LANGUAGE sql AS $$
    WITH pairs AS MATERIALIZED (
        SELECT incident_id, team_id, sum(delta)::integer AS delta
        FROM jsonb_to_recordset(changes) AS c (incident_id bigint, team_id bigint, delta integer)
        GROUP BY incident_id, team_id HAVING sum(delta) <> 0
    ), added AS (
        INSERT INTO incident_teams AS t (incident_id, team_id, items, started_at)
        SELECT p.incident_id, p.team_id, p.delta, i.started_at
        FROM pairs p JOIN incidents i ON i.id = p.incident_id
        WHERE p.delta > 0
        ORDER BY p.incident_id, p.team_id
        ON CONFLICT (incident_id, team_id) DO UPDATE SET items = t.items + excluded.items
    ), lowered AS (
        UPDATE incident_teams t SET items = t.items + p.delta
        FROM pairs p
        WHERE p.delta < 0 AND t.incident_id = p.incident_id AND t.team_id = p.team_id AND t.items + p.delta > 0
    )
    DELETE FROM incident_teams t USING pairs p
    WHERE p.delta < 0 AND t.incident_id = p.incident_id AND t.team_id = p.team_id AND t.items + p.delta <= 0;
$$;

-- Once per statement, from its transition tables, both counts an item's change moves: its
-- team's items of its postmortem, and its postmortem's open items (one pass over the changed
-- rows; an INSERT has only new rows, a DELETE only old ones, hence the three branches).
CREATE FUNCTION incident_teams_follow_items() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object('incident_id', incident_id, 'team_id', team_id, 'delta', 1))
        INTO changes FROM new_rows WHERE team_id IS NOT NULL;
        UPDATE search_documents d SET open_items = d.open_items + c.delta
        FROM (SELECT incident_id, count(*)::integer AS delta FROM new_rows
              WHERE status IN ('open', 'in_progress') GROUP BY 1 ORDER BY 1) c
        WHERE d.incident_id = c.incident_id;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(jsonb_build_object('incident_id', incident_id, 'team_id', team_id, 'delta', -1))
        INTO changes FROM old_rows WHERE team_id IS NOT NULL;
        UPDATE search_documents d SET open_items = d.open_items - c.delta
        FROM (SELECT incident_id, count(*)::integer AS delta FROM old_rows
              WHERE status IN ('open', 'in_progress') GROUP BY 1 ORDER BY 1) c
        WHERE d.incident_id = c.incident_id;
    ELSE
        SELECT jsonb_agg(jsonb_build_object('incident_id', incident_id, 'team_id', team_id, 'delta', delta))
        INTO changes
        FROM (SELECT incident_id, team_id, 1 AS delta FROM new_rows WHERE team_id IS NOT NULL
              UNION ALL
              SELECT incident_id, team_id, -1 FROM old_rows WHERE team_id IS NOT NULL) c;
        UPDATE search_documents d SET open_items = d.open_items + c.delta
        FROM (SELECT incident_id, sum(delta)::integer AS delta
              FROM (SELECT incident_id, 1 AS delta FROM new_rows WHERE status IN ('open', 'in_progress')
                    UNION ALL
                    SELECT incident_id, -1 FROM old_rows WHERE status IN ('open', 'in_progress')) m
              GROUP BY 1 HAVING sum(delta) <> 0 ORDER BY 1) c
        WHERE d.incident_id = c.incident_id;
    END IF;
    IF changes IS NOT NULL THEN
        PERFORM incident_teams_apply(changes);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER action_items_teams_insert AFTER INSERT ON action_items REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_teams_follow_items();
CREATE TRIGGER action_items_teams_update AFTER UPDATE ON action_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_teams_follow_items();
CREATE TRIGGER action_items_teams_delete AFTER DELETE ON action_items REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_teams_follow_items();

-- A re-dated postmortem moves its links with it (the function of migration 39, one table more).
CREATE OR REPLACE FUNCTION incidents_services_follow_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_services SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    UPDATE incident_tags SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    UPDATE incident_teams SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;
