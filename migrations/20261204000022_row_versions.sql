-- A version on every row someone edits through a form, as incidents and action items have:
-- the edit form carries the version it was loaded at, and a save (or a deletion from that
-- form) applies only while the row is still at it; every save raises it by one. A second
-- editor working from an older version is shown a conflict instead of silently overwriting
-- the first.
ALTER TABLE timeline_entries ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE incident_sections ADD COLUMN version integer NOT NULL DEFAULT 1;
-- Administration: a team's name and zone; a person's name, role, teams and whether they can
-- sign in (a stale form must not silently reactivate someone just deactivated); a webhook's
-- address, events and whether it is paused.
ALTER TABLE teams ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN version integer NOT NULL DEFAULT 1;
