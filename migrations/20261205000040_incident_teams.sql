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

-- Once per statement, from its transition tables (an INSERT has only new rows, a DELETE only
-- old ones, hence the three queries).
CREATE FUNCTION incident_teams_follow_items() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object('incident_id', incident_id, 'team_id', team_id, 'delta', 1))
        INTO changes FROM new_rows WHERE team_id IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(jsonb_build_object('incident_id', incident_id, 'team_id', team_id, 'delta', -1))
        INTO changes FROM old_rows WHERE team_id IS NOT NULL;
    ELSE
        SELECT jsonb_agg(jsonb_build_object('incident_id', incident_id, 'team_id', team_id, 'delta', delta))
        INTO changes
        FROM (SELECT incident_id, team_id, 1 AS delta FROM new_rows WHERE team_id IS NOT NULL
              UNION ALL
              SELECT incident_id, team_id, -1 FROM old_rows WHERE team_id IS NOT NULL) c;
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
    UPDATE incident_factors SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    UPDATE incident_tags SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    UPDATE incident_teams SET started_at = NEW.started_at WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;
