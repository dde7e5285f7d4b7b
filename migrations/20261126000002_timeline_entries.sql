-- What happened when, during an incident. Shown in time order in the incident's offset.
CREATE TABLE timeline_entries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    occurred_at timestamptz NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT timeline_entries_body_present CHECK (length(btrim(body)) > 0)
);

CREATE INDEX timeline_entries_incident_idx ON timeline_entries (incident_id, occurred_at, id);
