-- What an author has typed into a postmortem's form and not saved yet, one per person and form:
-- kept as they type (by the page's script), shown back on their next visit, deleted when they
-- save. `incident_id` is NULL for a postmortem not created yet. `base_version` is the version the
-- form was loaded at, so that saving a restored draft over a newer version is a conflict.
CREATE TABLE form_drafts (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    incident_id  bigint REFERENCES incidents (id) ON DELETE CASCADE,
    fields       jsonb NOT NULL,
    base_version integer,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX form_drafts_one_per_form ON form_drafts (user_id, coalesce(incident_id, 0));
-- Who else is editing a postmortem: its drafts typed into lately.
CREATE INDEX form_drafts_incident_idx ON form_drafts (incident_id, updated_at) WHERE incident_id IS NOT NULL;
