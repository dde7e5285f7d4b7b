-- Writes sent with an idempotency key (every form carries one; API clients send the
-- Idempotency-Key header): the first result of each, recorded in the same transaction as the
-- write itself, so that a retry after an ambiguous failure (the reply lost, the connection
-- cut while committing) returns that result instead of writing twice. A key is one person's,
-- and one request's: the same key with a different body (a form reused from the browser's
-- history with new text) is a new request.
CREATE TABLE idempotent_requests (
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key         text        NOT NULL CHECK (length(key) BETWEEN 8 AND 128),
    fingerprint bytea       NOT NULL,
    status      smallint    NOT NULL DEFAULT 0,
    location    text,
    content_type text,
    body        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key, fingerprint)
);

-- Keys are kept a day; the hourly clean-up deletes older ones.
CREATE INDEX idempotent_requests_created_at ON idempotent_requests (created_at);
