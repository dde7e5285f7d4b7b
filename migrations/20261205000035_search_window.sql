-- Search that costs the same at any size, and writes that pay less for it.
--
-- 1. A search ranks only a window of candidates: the newest postmortems (up to a limit) whose
--    documents hold every word, found in the GIN index alone. For that the rows of
--    `search_documents` must be small (the document goes to TOAST, `toast_tuple_target`), and
--    carry what the filters and the window's order read (`started_at`, `severity`, `status`),
--    so that choosing the window reads no document and joins nothing.
-- 2. The document is stemmed for English only. The `simple` copy doubled every document and
--    every write; text in another language is still found by its words, because the query is
--    stemmed by the same English rules as the text.
-- 3. The plain text is no longer stored twice: snippets are cut, for a page's rows only, from
--    the text `search_text` puts together from the sources.
-- 4. Tags and the explanations of contributing factors are searched too.

-- Made anew rather than altered: rewriting every row of the old, wide table in place would
-- leave it ten times its size, and the window reads its pages.
DROP TABLE search_documents;
CREATE TABLE search_documents (
    incident_id bigint PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    started_at  timestamptz NOT NULL,
    severity    text NOT NULL,
    status      text NOT NULL,
    document    tsvector NOT NULL
) WITH (toast_tuple_target = 128);

-- The parts of a postmortem's text, by weight: the title A; the summary and tags B; the other
-- sections, extra sections, action items and factors' explanations C; timeline entries and
-- review comments D. In writing order within a weight. The snippet markers (U+E000, U+E001)
-- are taken out, so no text can fake one.
CREATE FUNCTION search_parts(targets bigint[])
RETURNS TABLE (incident_id bigint, weight "char", body text) LANGUAGE sql STABLE AS $$
    SELECT incident_id, weight, string_agg(translate(body, U&'\E000\E001', ''), E'\n' ORDER BY ord)
    FROM (
        SELECT i.id AS incident_id, 'A'::"char" AS weight, 0::bigint AS ord, i.title AS body
        FROM incidents i WHERE i.id = ANY (targets)
        UNION ALL
        SELECT t.incident_id, CASE WHEN t.section = 'summary' THEN 'B'::"char" ELSE 'C' END,
               array_position(ARRAY['summary', 'impact', 'root_cause', 'resolution', 'corrective_measures',
                                    'preventative_measures', 'lessons_learned'], t.section), t.body
        FROM incident_texts t WHERE t.incident_id = ANY (targets) AND t.body <> ''
        UNION ALL
        SELECT g.incident_id, 'B', 100, string_agg(g.tag, ' ' ORDER BY g.tag)
        FROM incident_tags g WHERE g.incident_id = ANY (targets) GROUP BY g.incident_id
        UNION ALL
        SELECT s.incident_id, 'C', 100 + s.id, s.heading || E'\n' || s.body
        FROM incident_sections s WHERE s.incident_id = ANY (targets)
        UNION ALL
        SELECT f.incident_id, 'C', (1::bigint << 39) + f.position, f.explanation
        FROM incident_factors f WHERE f.incident_id = ANY (targets) AND f.explanation <> ''
        UNION ALL
        SELECT a.incident_id, 'C', (1::bigint << 40) + a.id,
               concat_ws(E'\n', a.body, nullif(a.owner, ''), nullif(a.team, ''), nullif(a.completion_note, ''),
                         nullif(a.wont_do_reason, ''))
        FROM action_items a WHERE a.incident_id = ANY (targets)
        UNION ALL
        SELECT e.incident_id, 'D', extract(epoch FROM e.occurred_at)::bigint, e.body
        FROM timeline_entries e WHERE e.incident_id = ANY (targets)
        UNION ALL
        SELECT c.incident_id, 'D', 5000000000 + c.id, c.body
        FROM review_comments c WHERE c.incident_id = ANY (targets) AND c.body <> ''
    ) parts
    GROUP BY incident_id, weight;
$$;

-- The text a postmortem's snippets are cut from: everything but the title.
CREATE FUNCTION search_text(target bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(body, E'\n' ORDER BY weight), '') FROM search_parts(ARRAY[target]) WHERE weight <> 'A';
$$;

CREATE OR REPLACE FUNCTION search_refresh_capped(targets bigint[], cap integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_documents (incident_id, document, started_at, severity, status)
    SELECT p.incident_id,
           search_tsvector_agg(setweight(to_tsvector('english', left(p.body, coalesce(cap, 2147483647))), p.weight)
                               ORDER BY p.weight),
           i.started_at, i.severity, i.status
    FROM search_parts(targets) p JOIN incidents i ON i.id = p.incident_id
    GROUP BY p.incident_id, i.started_at, i.severity, i.status
    ON CONFLICT (incident_id) DO UPDATE
        SET document = excluded.document, started_at = excluded.started_at, severity = excluded.severity,
            status = excluded.status;
$$;

-- What the filters and the window read, kept in step without remaking the document.
CREATE FUNCTION search_note_incident_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_documents SET started_at = NEW.started_at, severity = NEW.severity, status = NEW.status
    WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_search_fields AFTER UPDATE OF started_at, severity, status ON incidents
    FOR EACH ROW WHEN ((OLD.started_at, OLD.severity, OLD.status) IS DISTINCT FROM (NEW.started_at, NEW.severity, NEW.status))
    EXECUTE FUNCTION search_note_incident_fields();

-- Tags and factors' explanations are part of the document.
DO $$
DECLARE
    source text;
BEGIN
    FOREACH source IN ARRAY ARRAY['incident_tags', 'incident_factors'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION search_note_changes()', source || '_search_insert', source);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION search_note_changes()', source || '_search_update', source);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION search_note_changes()', source || '_search_delete', source);
    END LOOP;
END $$;

-- No index on `started_at`: walking it newest first would test each document against the
-- words, reading every document from TOAST; the GIN index answers without reading any.

-- Every document made again, English only, with its new columns; then the index, built once.
SELECT search_refresh(array(SELECT id FROM incidents));
CREATE INDEX search_documents_document_idx ON search_documents USING gin (document);
