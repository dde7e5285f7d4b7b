-- People, teams, sessions and the audit log.
--
-- Users are never deleted, only deactivated: the audit log and "last edited by" keep naming them.

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email          text NOT NULL,
    name           text NOT NULL DEFAULT '',
    role           text NOT NULL CHECK (role IN ('viewer', 'engineer', 'manager', 'admin')),
    -- Argon2id PHC string; NULL for people who only sign in through the SSO proxy (or whose
    -- account was created by an admin and who have not yet used their set-password link).
    password_hash  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz,
    CONSTRAINT users_email_shape CHECK (email LIKE '%_@_%' AND length(email) <= 254)
);
-- Email addresses are compared without regard to case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE teams (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (length(btrim(name)) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name));

CREATE TABLE team_members (
    team_id bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

-- A browser session. Only the SHA-256 of the cookie's token is stored, so a read of this
-- table (a backup, say) cannot be replayed as a login.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Failed sign-ins, by account (the email as typed, lower-cased, whether or not it exists) and
-- by client address; throttling counts them over a sliding window.
CREATE TABLE login_failures (
    key       text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);

-- One-time links an admin gives a person to set their password.
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- Tokens for the JSON API. Shown once at creation; only their SHA-256 is kept.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(btrim(name)) > 0),
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, id);

-- Who changed what, and when. Written in the same transaction as the change it records.
-- `incident_id` has no foreign key: the record of a deleted postmortem's deletion stays.
CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint REFERENCES users (id),
    action      text NOT NULL,
    summary     text NOT NULL,
    incident_id bigint
);
CREATE INDEX audit_events_at_idx ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_incident_idx ON audit_events (incident_id, at DESC) WHERE incident_id IS NOT NULL;

-- Action-item owners can be people. The free-text owner stays for imports and for people
-- without an account; linking sets owner_id.
ALTER TABLE action_items ADD COLUMN owner_id bigint REFERENCES users (id);
CREATE INDEX action_items_owner_idx ON action_items (owner_id) WHERE owner_id IS NOT NULL;
