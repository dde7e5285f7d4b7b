-- Full-text search over everything written in a postmortem: one document per postmortem, kept
-- in step with its sources in the same transaction.
--
-- The document holds each text twice: stemmed for English (`failing` finds `failed`) and as
-- plain words (`simple`), so text in another language is found by its exact words. Weights: the
-- title A, the summary B, the other sections, extra sections and action items C, timeline
-- entries and review comments D. `body` is the plain text the snippets are cut from.
CREATE TABLE search_documents (
    incident_id bigint PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    document    tsvector NOT NULL,
    body        text NOT NULL
);
CREATE INDEX search_documents_document_idx ON search_documents USING gin (document);

-- The postmortems written in the running transaction whose document is still to be made. Each
-- is made once, when the transaction commits (a deferred trigger), however many rows of it the
-- transaction wrote: a 40-entry paste makes the document once, not 40 times. The row also
-- orders writers of one postmortem: a second transaction writing it waits at its first write
-- until the first commits, so the last to commit makes its document from the final text.
-- Rows never outlive their transaction, so the table need not be logged.
CREATE UNLOGGED TABLE search_pending (
    incident_id bigint PRIMARY KEY
);

-- There is no built-in aggregate joining tsvectors; this one keeps each part's positions apart,
-- so a phrase never spans two parts.
CREATE AGGREGATE search_tsvector_agg(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');

-- Makes the documents of the postmortems `targets` from their sources, in one statement
-- (a postmortem that is gone has lost its document with it, by the foreign key). The snippet
-- markers (U+E000, U+E001) are taken out of the text, so no text can fake one. With `cap`, only
-- the first `cap` characters of each weight's text are indexed (see `search_refresh_safely`).
CREATE FUNCTION search_refresh_capped(targets bigint[], cap integer) RETURNS void LANGUAGE sql AS $$
    WITH parts (incident_id, weight, ord, body) AS (
        SELECT i.id, 'A'::"char", 0::bigint, i.title FROM incidents i WHERE i.id = ANY (targets)
        UNION ALL
        SELECT t.incident_id, CASE WHEN t.section = 'summary' THEN 'B'::"char" ELSE 'C' END,
               array_position(ARRAY['summary', 'impact', 'root_cause', 'resolution', 'corrective_measures',
                                    'preventative_measures', 'lessons_learned'], t.section), t.body
        FROM incident_texts t WHERE t.incident_id = ANY (targets) AND t.body <> ''
        UNION ALL
        SELECT s.incident_id, 'C', 100 + s.id, s.heading || E'\n' || s.body
        FROM incident_sections s WHERE s.incident_id = ANY (targets)
        UNION ALL
        SELECT a.incident_id, 'C', (1::bigint << 40) + a.id, concat_ws(E'\n', a.body, nullif(a.owner, ''), nullif(a.team, ''),
                                             nullif(a.completion_note, ''), nullif(a.wont_do_reason, ''))
        FROM action_items a WHERE a.incident_id = ANY (targets)
        UNION ALL
        SELECT e.incident_id, 'D', extract(epoch FROM e.occurred_at)::bigint, e.body FROM timeline_entries e WHERE e.incident_id = ANY (targets)
        UNION ALL
        SELECT c.incident_id, 'D', 5000000000 + c.id, c.body FROM review_comments c WHERE c.incident_id = ANY (targets) AND c.body <> ''
    ), grouped AS (
        SELECT incident_id, weight, string_agg(translate(body, U&'\E000\E001', ''), E'\n' ORDER BY ord) AS body
        FROM parts GROUP BY incident_id, weight
    )
    INSERT INTO search_documents (incident_id, document, body)
    SELECT incident_id,
           search_tsvector_agg(setweight(to_tsvector('english', left(body, coalesce(cap, 2147483647))), weight)
                               ORDER BY weight)
           || search_tsvector_agg(setweight(to_tsvector('simple', left(body, coalesce(cap, 2147483647))), weight)
                                  ORDER BY weight),
           coalesce(string_agg(body, E'\n' ORDER BY weight) FILTER (WHERE weight <> 'A'), '')
    FROM grouped GROUP BY incident_id
    ON CONFLICT (incident_id) DO UPDATE SET document = excluded.document, body = excluded.body;
$$;

-- A tsvector holds at most 1 MB. Text that would need more (a postmortem of a thousand pasted
-- log lines full of hashes) must not make its commit fail: each postmortem whose whole text does
-- not fit is indexed from the start of each weight's text, shorter and shorter until it fits.
CREATE FUNCTION search_refresh(targets bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
    cap integer;
BEGIN
    BEGIN
        PERFORM search_refresh_capped(targets, NULL);
        RETURN;
    EXCEPTION WHEN program_limit_exceeded THEN
        NULL; -- one of them is too long: each on its own, below
    END;
    FOREACH target IN ARRAY targets LOOP
        FOREACH cap IN ARRAY ARRAY[NULL, 100000, 20000, 2000]::integer[] LOOP
            BEGIN
                PERFORM search_refresh_capped(ARRAY[target], cap);
                EXIT;
            EXCEPTION WHEN program_limit_exceeded THEN
                NULL; -- shorter, then
            END;
        END LOOP;
    END LOOP;
END $$;

-- At commit: make the document of a postmortem written in this transaction, unless a bulk
-- writer (`search_refresh_pending`) has made it already.
CREATE FUNCTION search_refresh_noted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_pending WHERE incident_id = NEW.incident_id;
    IF FOUND THEN
        PERFORM search_refresh(ARRAY[NEW.incident_id]);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER search_pending_refresh AFTER INSERT ON search_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION search_refresh_noted();

-- For a bulk writer (the demo data, a large import): every document this transaction has
-- noted, made in one statement.
CREATE FUNCTION search_refresh_pending() RETURNS void LANGUAGE sql AS $$
    WITH taken AS (DELETE FROM search_pending RETURNING incident_id)
    SELECT search_refresh(array(SELECT incident_id FROM taken));
$$;

-- Notes the postmortems whose rows a statement changed. Once per statement, from its
-- transition tables. An update counts only if a searchable column changed: storing freshly
-- rendered HTML or raising a version does not.
CREATE FUNCTION search_note_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO search_pending (incident_id)
        SELECT DISTINCT incident_id FROM new_rows ORDER BY 1 ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO search_pending (incident_id)
        SELECT DISTINCT incident_id FROM old_rows ORDER BY 1 ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO search_pending (incident_id)
        SELECT DISTINCT incident_id FROM (
            SELECT n.incident_id, to_jsonb(n) - '{html,rendered_with,version,updated_at,created_at}'::text[]
            FROM new_rows n
            EXCEPT
            SELECT o.incident_id, to_jsonb(o) - '{html,rendered_with,version,updated_at,created_at}'::text[]
            FROM old_rows o
        ) changed (incident_id, fields)
        ORDER BY 1 ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    source text;
BEGIN
    FOREACH source IN ARRAY ARRAY['incident_texts', 'incident_sections', 'action_items', 'timeline_entries',
                                  'review_comments'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION search_note_changes()', source || '_search_insert', source);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION search_note_changes()', source || '_search_update', source);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION search_note_changes()', source || '_search_delete', source);
    END LOOP;
END $$;

-- A new postmortem, or a new title.
CREATE FUNCTION search_note_incident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_pending (incident_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_search_insert AFTER INSERT ON incidents
    FOR EACH ROW EXECUTE FUNCTION search_note_incident();
CREATE TRIGGER incidents_search_title AFTER UPDATE OF title ON incidents
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION search_note_incident();

-- The filters' orders: severity first, then newest.
CREATE INDEX incidents_severity_started_idx ON incidents (severity, started_at DESC, id DESC);

-- Every postmortem written so far.
SELECT search_refresh(array(SELECT id FROM incidents));
