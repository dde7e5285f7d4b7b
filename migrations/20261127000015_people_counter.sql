-- Lists of people (the owner pickers on the ledger and the action-item forms) are kept by each
-- instance while this counter stays the same: people change far less often than pages show
-- them.
INSERT INTO change_counters (name) VALUES ('users');

CREATE FUNCTION bump_users_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counters SET n = n + 1 WHERE name = 'users';
    RETURN NULL;
END $$;

CREATE TRIGGER users_count_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION bump_users_counter();
