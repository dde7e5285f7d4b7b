-- One postmortem per incident. Prose fields hold Markdown; instants are timestamptz and the
-- offset the authors wrote in is kept beside them, so every time can be shown as they wrote it.
CREATE TABLE incidents (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title                 text NOT NULL,
    severity              text NOT NULL,
    status                text NOT NULL DEFAULT 'draft',
    started_at            timestamptz NOT NULL,
    ended_at              timestamptz,
    utc_offset_minutes    integer NOT NULL DEFAULT 0,
    summary               text NOT NULL DEFAULT '',
    impact                text NOT NULL DEFAULT '',
    root_cause            text NOT NULL DEFAULT '',
    resolution            text NOT NULL DEFAULT '',
    corrective_measures   text NOT NULL DEFAULT '',
    preventative_measures text NOT NULL DEFAULT '',
    lessons_learned       text NOT NULL DEFAULT '',
    -- Optimistic concurrency: every update must name the version it was based on.
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT incidents_title_present CHECK (length(btrim(title)) > 0),
    CONSTRAINT incidents_severity_known CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5')),
    CONSTRAINT incidents_status_known CHECK (status IN ('draft', 'in_review', 'published')),
    CONSTRAINT incidents_end_after_start CHECK (ended_at IS NULL OR ended_at >= started_at),
    CONSTRAINT incidents_offset_range CHECK (utc_offset_minutes BETWEEN -720 AND 840)
);

-- The index lists newest first.
CREATE INDEX incidents_started_at_idx ON incidents (started_at DESC, id DESC);
