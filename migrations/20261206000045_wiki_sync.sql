-- Wiki sync: git repositories (a GitHub or GitLab wiki, a MkDocs or Hugo site) that published
-- postmortems are committed to, as their Markdown export plus an index page.
--
-- Like webhooks, this is an outbox: a change to a published postmortem queues a job in the
-- transaction that makes it (the trigger on `revisions` below), and a background worker
-- (`crate::wiki`) commits and pushes the jobs of one destination at a time, in order.
CREATE TABLE wiki_destinations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    url             text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    branch          text NOT NULL CHECK (length(branch) BETWEEN 1 AND 200),
    -- Inside the repository, without slashes at either end; '' is the repository's root.
    folder          text NOT NULL DEFAULT '',
    file_pattern    text NOT NULL,
    index_name      text NOT NULL,
    -- How Hindsight signs in: a deploy key it made (ssh), a token (https), or nothing (a
    -- file:// repository on this machine, when the operator allows those).
    auth            text NOT NULL CHECK (auth IN ('ssh', 'token', 'none')),
    -- The deploy key's public half, to add to the repository (ssh only).
    public_key      text NOT NULL DEFAULT '',
    -- The private key or the token, sealed with the instance's secret key (see
    -- `crate::secrets`), and which key sealed it.
    sealed_secret   bytea,
    secret_key_id   text NOT NULL DEFAULT '',
    token_user      text NOT NULL DEFAULT '',
    -- The server's host key, as first seen (ssh's known_hosts lines), then required.
    known_hosts     text NOT NULL DEFAULT '',
    -- Which published postmortems go here: with action items of any of these teams, naming
    -- any of these services (empty: any).
    team_ids        bigint[] NOT NULL DEFAULT '{}',
    service_ids     bigint[] NOT NULL DEFAULT '{}',
    active          boolean NOT NULL DEFAULT true,
    version         integer NOT NULL DEFAULT 1,
    -- The queue's state. A worker holds a destination while it syncs (`leased_until`, renewed
    -- by nothing: longer than a sync may take), so its jobs are committed in order by one
    -- worker at a time, across instances. After a failure the jobs wait until
    -- `next_attempt_at`, backing off; they are never given up.
    leased_until    timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_error      text NOT NULL DEFAULT '',
    last_synced_at  timestamptz,
    last_commit     text NOT NULL DEFAULT '',
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wiki_jobs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destination_id bigint NOT NULL REFERENCES wiki_destinations (id) ON DELETE CASCADE,
    -- revision: write that revision of a postmortem (or remove it, if it no longer goes
    -- here); removal: the postmortem was deleted; rebuild: write the destination whole.
    kind           text NOT NULL CHECK (kind IN ('revision', 'removal', 'rebuild')),
    -- No foreign keys: a removal outlives its postmortem, and a job whose revision went with
    -- its postmortem is skipped.
    incident_id    bigint,
    revision_id    bigint,
    -- Who made the change: the commit's author.
    actor_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    -- A removal's title, for the commit's message.
    title          text NOT NULL DEFAULT '',
    state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    -- Raised when the revision changes again while the job waits: a sync that read it before
    -- leaves it pending, so the newer text is written by the next.
    touches        integer NOT NULL DEFAULT 0,
    -- What the sync did, for the destination's page ("Committed a1b2c3d: Update #4 …").
    outcome        text NOT NULL DEFAULT '',
    commit_id      text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    done_at        timestamptz
);
CREATE INDEX wiki_jobs_pending_idx ON wiki_jobs (destination_id, id) WHERE state = 'pending';
CREATE INDEX wiki_jobs_log_idx ON wiki_jobs (destination_id, id DESC);
-- A revision that is updated again (its author's edits within 15 minutes fold into it) is
-- written once: its pending job stands for every update.
CREATE UNIQUE INDEX wiki_jobs_one_pending_revision ON wiki_jobs (destination_id, revision_id)
    WHERE state = 'pending' AND kind = 'revision';

-- What each destination holds, as its last successful push left it: where each postmortem's
-- file is (so a rename moves it and a deletion removes it), and what the index lists.
CREATE TABLE wiki_files (
    destination_id bigint NOT NULL REFERENCES wiki_destinations (id) ON DELETE CASCADE,
    incident_id    bigint NOT NULL,
    path           text NOT NULL,
    title          text NOT NULL,
    started_on     text NOT NULL,
    severity       text NOT NULL,
    PRIMARY KEY (destination_id, incident_id),
    UNIQUE (destination_id, path)
);

-- Every revision of a published postmortem (the one approval marks published, and every one
-- after) is queued for every active destination, in the transaction that records it.
CREATE FUNCTION revision_wiki_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.markdown IS NOT DISTINCT FROM OLD.markdown
       AND NEW.published IS NOT DISTINCT FROM OLD.published THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM wiki_destinations WHERE active) THEN
        RETURN NULL;
    END IF;
    IF NEW.published OR EXISTS (SELECT 1 FROM incidents WHERE id = NEW.incident_id AND status = 'published') THEN
        INSERT INTO wiki_jobs (destination_id, kind, incident_id, revision_id, actor_id)
        SELECT d.id, 'revision', NEW.incident_id, NEW.id, NEW.author_id
        FROM wiki_destinations d WHERE d.active
        ON CONFLICT (destination_id, revision_id) WHERE state = 'pending' AND kind = 'revision'
        DO UPDATE SET actor_id = EXCLUDED.actor_id, touches = wiki_jobs.touches + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER revisions_wiki_jobs AFTER INSERT OR UPDATE ON revisions
    FOR EACH ROW EXECUTE FUNCTION revision_wiki_jobs();
