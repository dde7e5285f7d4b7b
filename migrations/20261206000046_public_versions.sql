-- The public version of a postmortem: what people outside see of it, without signing in, at an
-- address of its own, once a manager has approved it. One per postmortem.
--
-- The row holds what its authors chose (which parts, a public title, a note, the address) and
-- where its approval stands. What the public sees is the snapshot a manager approved: the
-- public Markdown and the JSON document, made from the postmortem at that moment. A later edit
-- of the postmortem, or of these choices, reaches the public only through a new approval.
CREATE TABLE public_versions (
    incident_id   bigint PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    -- The address, /p/{slug}: random (26 base32 characters, 130 bits) unless chosen. Changing it
    -- takes effect at once: the old address stops answering.
    slug          text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$'),
    slug_chosen   boolean NOT NULL DEFAULT false,
    -- The parts shown (all, by default), the title the public sees instead of the postmortem's
    -- (empty: its own), and a note of the authors' (Markdown) shown first.
    show_title    boolean NOT NULL DEFAULT true,
    public_title  text NOT NULL DEFAULT '' CHECK (length(public_title) <= 200),
    show_severity boolean NOT NULL DEFAULT true,
    show_summary  boolean NOT NULL DEFAULT true,
    show_impact   boolean NOT NULL DEFAULT true,
    show_timeline boolean NOT NULL DEFAULT true,
    show_changes  boolean NOT NULL DEFAULT true,
    note          text NOT NULL DEFAULT '',
    -- In the public Atom feed (takes effect at once); unlisted, only those given the address
    -- find it.
    listed        boolean NOT NULL DEFAULT true,
    state         text NOT NULL DEFAULT 'draft'
                  CHECK (state IN ('draft', 'awaiting_approval', 'approved', 'withdrawn')),
    -- Raised by every save of the choices, to refuse a save made from a stale form.
    version       integer NOT NULL DEFAULT 1,
    edited_by     bigint REFERENCES users (id),
    edited_at     timestamptz NOT NULL DEFAULT now(),
    -- Who asked for the approval pending now (a manager may not approve their own request).
    submitted_by  bigint REFERENCES users (id),
    -- What the public sees, frozen at approval: the Markdown, the JSON document (HTML made by
    -- renderer `rendered_with`), who approved it and when.
    approved_by   bigint REFERENCES users (id),
    approved_at   timestamptz,
    public_markdown text,
    public_document jsonb,
    rendered_with integer,
    CONSTRAINT public_versions_slug_unique UNIQUE (slug),
    CONSTRAINT public_versions_snapshot_whole CHECK (
        (public_markdown IS NULL) = (public_document IS NULL)
        AND (public_markdown IS NULL) = (approved_at IS NULL)
        AND (public_markdown IS NULL) = (rendered_with IS NULL)),
    -- Approved, something is public; a draft or a withdrawn one shows nothing. Awaiting a new
    -- approval, the last approved snapshot stays public meanwhile.
    CONSTRAINT public_versions_state_snapshot CHECK (
        CASE state WHEN 'approved' THEN public_markdown IS NOT NULL
                   WHEN 'awaiting_approval' THEN true
                   ELSE public_markdown IS NULL END)
);

-- The public feed: what is public and listed, the latest approval first.
CREATE INDEX public_versions_feed_idx ON public_versions (approved_at DESC)
    WHERE public_markdown IS NOT NULL AND listed;

-- The steps of its approval, as its page lists them: submitted, approved, sent back (saying
-- what to change), withdrawn.
CREATE TABLE public_version_steps (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES public_versions (incident_id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('submitted', 'approved', 'sent_back', 'withdrawn')),
    actor_id    bigint REFERENCES users (id),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT public_version_steps_sent_back_says_why CHECK (kind <> 'sent_back' OR length(btrim(note)) > 0)
);
CREATE INDEX public_version_steps_incident_idx ON public_version_steps (incident_id, at, id);
