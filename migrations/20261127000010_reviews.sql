-- The review of a postmortem: submitted, sent back with requested changes, approved, and the
-- comments in between, in Markdown.
CREATE TABLE review_comments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    author_id   bigint REFERENCES users (id),
    kind        text NOT NULL DEFAULT 'comment'
                CHECK (kind IN ('comment', 'submitted', 'changes_requested', 'approved')),
    body        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT review_comments_say_something CHECK (kind <> 'comment' OR length(btrim(body)) > 0),
    CONSTRAINT review_changes_say_which CHECK (kind <> 'changes_requested' OR length(btrim(body)) > 0)
);
CREATE INDEX review_comments_incident_idx ON review_comments (incident_id, created_at, id);
