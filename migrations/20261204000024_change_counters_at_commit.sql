-- The change counters were bumped by statement triggers, so a transaction that wrote an action
-- item (or a team, a person, a new postmortem) held its counter's row lock until it committed,
-- and every other such write waited for it: one row serialised all writes. Under the mixed load
-- of tests/load, about half the busy backends were waiting on it (2.4 of 4.4 with a pool of 8,
-- 25 of 27 with a pool of 32), and throughput fell as clients were added.
--
-- Now each counter is bumped once per transaction, when it commits (a deferred constraint
-- trigger), so its lock is held for the commit alone. Readers see the new number with the new
-- rows, as before: both become visible at the commit.

CREATE FUNCTION bump_change_counter_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- Set for the rest of this transaction once its counter has been bumped.
    bumped text := 'hindsight.bumped_' || TG_ARGV[0];
BEGIN
    IF current_setting(bumped, true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config(bumped, 'on', true);
        UPDATE change_counters SET n = n + 1 WHERE name = TG_ARGV[0];
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER action_items_count_changes ON action_items;
DROP TRIGGER teams_count_changes ON teams;
DROP TRIGGER teams_count_team_changes ON teams;
DROP TRIGGER incidents_count_changes ON incidents;
DROP TRIGGER users_count_changes ON users;

-- Constraint triggers are row triggers only; the flag above makes a bulk import bump each once.
CREATE CONSTRAINT TRIGGER action_items_count_changes AFTER INSERT OR UPDATE OR DELETE ON action_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('action_items');
-- A team's name and zone are part of its items' figures, so a change to teams bumps both.
CREATE CONSTRAINT TRIGGER teams_count_changes AFTER INSERT OR UPDATE OR DELETE ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('action_items');
CREATE CONSTRAINT TRIGGER teams_count_team_changes AFTER INSERT OR UPDATE OR DELETE ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('teams');
-- Postmortems added or deleted: the index's count of them.
CREATE CONSTRAINT TRIGGER incidents_count_changes AFTER INSERT OR DELETE ON incidents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('incidents');
CREATE CONSTRAINT TRIGGER users_count_changes AFTER INSERT OR UPDATE OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_change_counter_once('users');

-- TRUNCATE has no row triggers: it still bumps at once (nothing in Hindsight truncates).
CREATE TRIGGER action_items_count_truncates AFTER TRUNCATE ON action_items
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('action_items');
CREATE TRIGGER teams_count_truncates AFTER TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('action_items');
CREATE TRIGGER teams_count_team_truncates AFTER TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('teams');
CREATE TRIGGER incidents_count_truncates AFTER TRUNCATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('incidents');
CREATE TRIGGER users_count_truncates AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('users');
