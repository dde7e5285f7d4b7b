-- A number that goes up with every change to a postmortem or anything on its page (its texts,
-- timeline, action items, sections, review and revisions). Every such change goes through
-- `app::PostmortemChange`, which raises it in the change's own transaction. An instance keeps
-- the postmortems it read lately and asks only for this number (with the people and teams
-- counters, whose names the page shows) to know whether what it kept is still current.
ALTER TABLE incidents ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
