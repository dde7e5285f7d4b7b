-- Two writers lowering one (postmortem, team) count at once lost one of the decrements.
--
-- Migration 40 applied a pair's change in one statement whose parts chose by the count as the
-- statement's snapshot saw it: lower it, if it stays above zero, or remove the row. When two
-- transactions removed the team's last two items of a postmortem at once, the second saw 2,
-- chose "lower", waited for the first, then found 1 - 1 not above zero and lowered nothing, and
-- its "remove" part had already judged 2 - 1 not zero: the row kept 1, with no item left.
-- Now each pair is locked first, in key order, and judged after the lock is held, by statements
-- that see the count as the last writer left it.
CREATE OR REPLACE FUNCTION incident_teams_apply(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pair record;
BEGIN
    FOR pair IN
        SELECT c.incident_id, c.team_id, sum(c.delta)::integer AS delta
        FROM jsonb_to_recordset(changes) AS c (incident_id bigint, team_id bigint, delta integer)
        GROUP BY c.incident_id, c.team_id HAVING sum(c.delta) <> 0
        ORDER BY c.incident_id, c.team_id
    LOOP
        IF pair.delta > 0 THEN
            -- Increments commute; an insert racing a removal is retried by ON CONFLICT.
            INSERT INTO incident_teams AS t (incident_id, team_id, items, started_at)
            SELECT pair.incident_id, pair.team_id, pair.delta, i.started_at FROM incidents i WHERE i.id = pair.incident_id
            ON CONFLICT (incident_id, team_id) DO UPDATE SET items = t.items + excluded.items;
        ELSE
            PERFORM 1 FROM incident_teams t
            WHERE t.incident_id = pair.incident_id AND t.team_id = pair.team_id FOR UPDATE;
            UPDATE incident_teams t SET items = t.items + pair.delta
            WHERE t.incident_id = pair.incident_id AND t.team_id = pair.team_id AND t.items + pair.delta > 0;
            IF NOT FOUND THEN
                DELETE FROM incident_teams t WHERE t.incident_id = pair.incident_id AND t.team_id = pair.team_id;
            END IF;
        END IF;
    END LOOP;
END $$;
