-- A timeline entry may mark a moment of the incident: impact starting, its detection, its
-- mitigation, its resolution. At most one entry of a postmortem marks each moment.
ALTER TABLE timeline_entries
    ADD COLUMN marker text
        CONSTRAINT timeline_entries_marker_known
        CHECK (marker IN ('impact_started', 'detected', 'mitigated', 'resolved'));
CREATE UNIQUE INDEX timeline_entries_one_of_each_marker ON timeline_entries (incident_id, marker)
    WHERE marker IS NOT NULL;

-- The postmortem's start follows its impact-started entry and its end its resolved entry, unless
-- someone set that time by hand over a marker (then it stays as they set it).
ALTER TABLE incidents
    ADD COLUMN start_set_by_hand boolean NOT NULL DEFAULT false,
    ADD COLUMN end_set_by_hand boolean NOT NULL DEFAULT false;
