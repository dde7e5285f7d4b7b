-- The history of a postmortem: the whole document, as its Markdown export, after each change.
-- Consecutive edits by one person within a few minutes update their open revision instead of
-- piling up; a review step always starts a new one. The revision a manager approved is
-- marked published and the database refuses to change it afterwards: later edits make new
-- revisions, and what was approved stays readable exactly as approved.
CREATE TABLE revisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    number      integer NOT NULL CHECK (number > 0),
    markdown    text NOT NULL,
    author_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    published   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (incident_id, number)
);

CREATE FUNCTION revisions_keep_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the author link may change (it is cleared when an account is deleted).
    IF OLD.published AND (NEW.markdown IS DISTINCT FROM OLD.markdown
                          OR NEW.number IS DISTINCT FROM OLD.number
                          OR NEW.incident_id IS DISTINCT FROM OLD.incident_id
                          OR NOT NEW.published
                          OR NEW.created_at IS DISTINCT FROM OLD.created_at
                          OR NEW.updated_at IS DISTINCT FROM OLD.updated_at) THEN
        RAISE EXCEPTION 'revision % of postmortem % is published and cannot change', OLD.number, OLD.incident_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER revisions_published_frozen BEFORE UPDATE ON revisions
    FOR EACH ROW EXECUTE FUNCTION revisions_keep_published();
