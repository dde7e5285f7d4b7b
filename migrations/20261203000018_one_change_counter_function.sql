-- One trigger function for every change counter: the counter's name is the trigger's argument.
-- Teams get a counter of their own, so the team pickers can be kept like the people pickers,
-- and so do postmortems, so the index can keep its count of them.
INSERT INTO change_counters (name) VALUES ('teams'), ('incidents') ON CONFLICT (name) DO NOTHING;

CREATE FUNCTION bump_change_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counters SET n = n + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END $$;

DROP TRIGGER action_items_count_changes ON action_items;
DROP TRIGGER teams_count_changes ON teams;
DROP TRIGGER users_count_changes ON users;
DROP FUNCTION bump_action_items_counter();
DROP FUNCTION bump_users_counter();

-- Once per statement: a bulk import bumps each once. A team's name and zone are part of its
-- items' figures, so a change to teams bumps both counters.
CREATE TRIGGER action_items_count_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON action_items
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('action_items');
CREATE TRIGGER teams_count_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('action_items');
CREATE TRIGGER teams_count_team_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('teams');
-- Postmortems added or deleted: the index's count of them.
CREATE TRIGGER incidents_count_changes AFTER INSERT OR DELETE OR TRUNCATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('incidents');
CREATE TRIGGER users_count_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('users');
