-- The authors' own headings for the standard sections, kept when a postmortem is imported so
-- the export says "Contributing Factors" where they did, not only "Root Cause". Keys are the
-- section names (summary, impact, timeline, root_cause, resolution, measures (the
-- heading over corrective and preventative measures), lessons_learned, action_items); a missing key means the standard
-- heading. The form never edits them.
ALTER TABLE incidents ADD COLUMN section_headings jsonb NOT NULL DEFAULT '{}'::jsonb;
