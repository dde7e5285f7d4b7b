-- The time of an imported timeline row as its authors wrote it ("10:15 AM", "0740",
-- "2:05 PM PST"), so the export can repeat their words. Empty for rows typed into Hindsight;
-- cleared when the row's time is edited.
ALTER TABLE timeline_entries ADD COLUMN time_as_written text NOT NULL DEFAULT '';
