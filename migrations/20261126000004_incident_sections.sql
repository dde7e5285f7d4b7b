-- Sections beyond the standard fields ("Detection", "Supporting information", an appendix):
-- written by authors or kept by the importer so nothing a postmortem said is dropped.
CREATE TABLE incident_sections (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    heading     text NOT NULL,
    body        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT incident_sections_heading_present CHECK (length(btrim(heading)) > 0)
);

CREATE INDEX incident_sections_incident_idx ON incident_sections (incident_id, id);
