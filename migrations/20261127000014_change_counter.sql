-- A number that changes whenever action items or teams do. The team pages' figures are sums
-- over every action item; an instance keeps them for up to a minute, and only while this
-- number stays the same, so a change shows at once and an unchanged team costs one query.
CREATE TABLE change_counters (
    name text PRIMARY KEY,
    n    bigint NOT NULL DEFAULT 0
);
INSERT INTO change_counters (name) VALUES ('action_items');

CREATE FUNCTION bump_action_items_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counters SET n = n + 1 WHERE name = 'action_items';
    RETURN NULL;
END $$;

-- Once per statement: a bulk import bumps it once.
CREATE TRIGGER action_items_count_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON action_items
    FOR EACH STATEMENT EXECUTE FUNCTION bump_action_items_counter();
CREATE TRIGGER teams_count_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION bump_action_items_counter();
