-- Render on write. Every Markdown field is stored with the sanitized HTML made from it when it
-- was saved, and the version of the renderer that made it; pages show the stored HTML and never
-- render. When the renderer changes its version goes up, and HTML made by an older one is made
-- again (by `hindsight migrate`, and on read for anything missed). 0 means never rendered.
--
-- The standard sections move from seven columns of `incidents` to one row per section, so a
-- new section is a new key here (and in `domain::Section`), not a new column in every query.

CREATE TABLE incident_texts (
    incident_id   bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    section       text NOT NULL,
    body          text NOT NULL DEFAULT '',
    html          text NOT NULL DEFAULT '',
    rendered_with integer NOT NULL DEFAULT 0,
    PRIMARY KEY (incident_id, section),
    CONSTRAINT incident_texts_section_known CHECK (section IN (
        'summary', 'impact', 'root_cause', 'resolution', 'corrective_measures', 'preventative_measures',
        'lessons_learned'))
);

INSERT INTO incident_texts (incident_id, section, body)
SELECT i.id, t.section, t.body
FROM incidents i
CROSS JOIN LATERAL (VALUES
    ('summary', i.summary),
    ('impact', i.impact),
    ('root_cause', i.root_cause),
    ('resolution', i.resolution),
    ('corrective_measures', i.corrective_measures),
    ('preventative_measures', i.preventative_measures),
    ('lessons_learned', i.lessons_learned)
) AS t (section, body);

ALTER TABLE incidents
    DROP COLUMN summary,
    DROP COLUMN impact,
    DROP COLUMN root_cause,
    DROP COLUMN resolution,
    DROP COLUMN corrective_measures,
    DROP COLUMN preventative_measures,
    DROP COLUMN lessons_learned;

ALTER TABLE timeline_entries
    ADD COLUMN html text NOT NULL DEFAULT '',
    ADD COLUMN rendered_with integer NOT NULL DEFAULT 0;
ALTER TABLE action_items
    ADD COLUMN html text NOT NULL DEFAULT '',
    ADD COLUMN rendered_with integer NOT NULL DEFAULT 0;
ALTER TABLE incident_sections
    ADD COLUMN html text NOT NULL DEFAULT '',
    ADD COLUMN rendered_with integer NOT NULL DEFAULT 0;
ALTER TABLE review_comments
    ADD COLUMN html text NOT NULL DEFAULT '',
    ADD COLUMN rendered_with integer NOT NULL DEFAULT 0;
-- A revision's whole document. The trigger that freezes published revisions checks the
-- document and its dates, not these: re-rendering a published revision changes no word of it.
ALTER TABLE revisions
    ADD COLUMN html text NOT NULL DEFAULT '',
    ADD COLUMN rendered_with integer NOT NULL DEFAULT 0;

-- Finding what an older renderer made, table by table.
CREATE INDEX incident_texts_stale_idx ON incident_texts (rendered_with);
CREATE INDEX timeline_entries_stale_idx ON timeline_entries (rendered_with);
CREATE INDEX action_items_stale_idx ON action_items (rendered_with);
CREATE INDEX incident_sections_stale_idx ON incident_sections (rendered_with);
CREATE INDEX review_comments_stale_idx ON review_comments (rendered_with);
CREATE INDEX revisions_stale_idx ON revisions (rendered_with);
