-- Follow-up work from a postmortem. Owner and team are free text until accounts arrive.
CREATE TABLE action_items (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    body         text NOT NULL,
    owner        text NOT NULL DEFAULT '',
    team         text NOT NULL DEFAULT '',
    due_on       date,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT action_items_body_present CHECK (length(btrim(body)) > 0)
);

CREATE INDEX action_items_incident_idx ON action_items (incident_id, id);
