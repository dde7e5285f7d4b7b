-- Writes that pay little for the search index.
--
-- Until now, every commit that changed a postmortem parsed all of its text again to make its
-- document, in a SQL function that PostgreSQL plans anew on each call: about 1.5 ms a write,
-- whatever changed. Now each row that holds searchable text keeps its own vector (a stored
-- generated column, so it is parsed once, when that row is written), and the document a commit
-- makes is only those vectors joined, by a PL/pgSQL function whose plans are kept for the
-- session. The title, tags and factors' explanations are a few words each and are parsed at
-- commit, as before.
--
-- A row's text is cut to 262,143 characters for its vector: at most 4 bytes a character, that
-- keeps a row's vector under the 1 MB a tsvector may hold (the forms' limits are far below).

ALTER TABLE incident_texts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', translate(left(body, 262143), U&'\E000\E001', '')),
              CASE WHEN section = 'summary' THEN 'B' ELSE 'C' END::"char")) STORED;

ALTER TABLE incident_sections ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', translate(left(heading || E'\n' || body, 262143), U&'\E000\E001', '')), 'C'))
    STORED;

-- `concat_ws` is only stable, so the fields are joined with `||`.
ALTER TABLE action_items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', translate(left(
        body || coalesce(E'\n' || nullif(owner, ''), '') || coalesce(E'\n' || nullif(team, ''), '')
             || coalesce(E'\n' || nullif(completion_note, ''), '') || coalesce(E'\n' || nullif(wont_do_reason, ''), '')
             || coalesce(E'\n' || nullif(verification_evidence, ''), ''),
        262143), U&'\E000\E001', '')), 'C')) STORED;

ALTER TABLE timeline_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', translate(left(body, 262143), U&'\E000\E001', '')), 'D')) STORED;

ALTER TABLE review_comments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', translate(left(body, 262143), U&'\E000\E001', '')), 'D')) STORED;

-- The vectors of the postmortems `targets`, by weight and, within a weight, in writing order
-- (as `search_parts` orders the text). Inlined into the statements that call it.
CREATE FUNCTION search_vectors(targets bigint[])
RETURNS TABLE (incident_id bigint, weight "char", ord bigint, vector tsvector) LANGUAGE sql STABLE AS $$
    SELECT i.id, 'A'::"char", 0::bigint,
           setweight(to_tsvector('english', translate(i.title, U&'\E000\E001', '')), 'A')
    FROM incidents i WHERE i.id = ANY (targets)
    UNION ALL
    SELECT t.incident_id, CASE WHEN t.section = 'summary' THEN 'B'::"char" ELSE 'C' END,
           array_position(ARRAY['summary', 'impact', 'root_cause', 'resolution', 'corrective_measures',
                                'preventative_measures', 'lessons_learned'], t.section), t.search_vector
    FROM incident_texts t WHERE t.incident_id = ANY (targets)
    UNION ALL
    SELECT g.incident_id, 'B', 100,
           setweight(to_tsvector('english', translate(string_agg(g.tag, ' ' ORDER BY g.tag), U&'\E000\E001', '')), 'B')
    FROM incident_tags g WHERE g.incident_id = ANY (targets) GROUP BY g.incident_id
    UNION ALL
    SELECT s.incident_id, 'C', 100 + s.id, s.search_vector
    FROM incident_sections s WHERE s.incident_id = ANY (targets)
    UNION ALL
    SELECT f.incident_id, 'C', (1::bigint << 39) + f.position,
           setweight(to_tsvector('english', translate(f.explanation, U&'\E000\E001', '')), 'C')
    FROM incident_factors f WHERE f.incident_id = ANY (targets) AND f.explanation <> ''
    UNION ALL
    SELECT a.incident_id, 'C', (1::bigint << 40) + a.id, a.search_vector
    FROM action_items a WHERE a.incident_id = ANY (targets)
    UNION ALL
    SELECT e.incident_id, 'D', extract(epoch FROM e.occurred_at)::bigint, e.search_vector
    FROM timeline_entries e WHERE e.incident_id = ANY (targets)
    UNION ALL
    SELECT c.incident_id, 'D', 5000000000 + c.id, c.search_vector
    FROM review_comments c WHERE c.incident_id = ANY (targets) AND c.body <> '';
$$;

-- Makes the documents of the postmortems `targets` by joining their rows' vectors, in one
-- statement. Raises program_limit_exceeded when a document would pass 1 MB (`search_refresh`
-- then indexes that postmortem from the start of each weight's text, as before).
CREATE OR REPLACE FUNCTION search_refresh_joined(targets bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_documents (incident_id, document, started_at, severity, status)
    SELECT d.incident_id, d.document, i.started_at, i.severity, i.status
    FROM (SELECT v.incident_id, search_tsvector_agg(v.vector ORDER BY v.weight, v.ord) AS document
          FROM search_vectors(targets) v GROUP BY v.incident_id) d
    JOIN incidents i ON i.id = d.incident_id
    ON CONFLICT (incident_id) DO UPDATE
        SET document = excluded.document, started_at = excluded.started_at, severity = excluded.severity,
            status = excluded.status;
END $$;

-- The document of one postmortem, at commit: the common case, written so that its plans fit
-- one postmortem (an index lookup in each table) and are kept for the session.
CREATE FUNCTION search_refresh_one(target bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    joined tsvector;
BEGIN
    BEGIN
        SELECT search_tsvector_agg(v.vector ORDER BY v.weight, v.ord) INTO joined
        FROM search_vectors(ARRAY[target]) v;
    EXCEPTION WHEN program_limit_exceeded THEN
        PERFORM search_refresh(ARRAY[target]);
        RETURN;
    END;
    IF joined IS NULL THEN
        RETURN; -- the postmortem is gone, and its document with it
    END IF;
    UPDATE search_documents d SET document = joined, started_at = i.started_at, severity = i.severity,
                                  status = i.status
    FROM incidents i WHERE d.incident_id = target AND i.id = target;
    IF NOT FOUND THEN
        INSERT INTO search_documents (incident_id, document, started_at, severity, status)
        SELECT i.id, joined, i.started_at, i.severity, i.status FROM incidents i WHERE i.id = target
        ON CONFLICT (incident_id) DO UPDATE SET document = excluded.document;
    END IF;
END $$;

-- Many postmortems at once (the demo data, a large import, a migration): joined vectors in one
-- statement; only when one of them is too long, each on its own, from its text, shorter and
-- shorter until it fits.
CREATE OR REPLACE FUNCTION search_refresh(targets bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
    cap integer;
BEGIN
    BEGIN
        PERFORM search_refresh_joined(targets);
        RETURN;
    EXCEPTION WHEN program_limit_exceeded THEN
        NULL; -- one of them is too long: each on its own, below
    END;
    FOREACH target IN ARRAY targets LOOP
        BEGIN
            PERFORM search_refresh_joined(ARRAY[target]);
            CONTINUE;
        EXCEPTION WHEN program_limit_exceeded THEN
            NULL;
        END;
        FOREACH cap IN ARRAY ARRAY[100000, 20000, 2000]::integer[] LOOP
            BEGIN
                PERFORM search_refresh_capped(ARRAY[target], cap);
                EXIT;
            EXCEPTION WHEN program_limit_exceeded THEN
                NULL; -- shorter, then
            END;
        END LOOP;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION search_refresh_noted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_pending WHERE incident_id = NEW.incident_id;
    IF FOUND THEN
        PERFORM search_refresh_one(NEW.incident_id);
    END IF;
    RETURN NULL;
END $$;

-- An update counts when a row's vector changed, or its place in the document (a timeline
-- entry's time). Decided per row by the trigger's WHEN, so storing freshly rendered HTML or
-- ticking an item done with no new words calls nothing at all; a row-level trigger, because
-- comparing whole rows from transition tables turned every vector into text.
CREATE FUNCTION search_note_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_pending (incident_id) VALUES (NEW.incident_id) ON CONFLICT DO NOTHING;
    IF NEW.incident_id <> OLD.incident_id THEN
        INSERT INTO search_pending (incident_id) VALUES (OLD.incident_id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    source text;
    placed text;
BEGIN
    FOREACH source IN ARRAY ARRAY['incident_texts', 'incident_sections', 'action_items', 'timeline_entries',
                                  'review_comments'] LOOP
        placed := CASE source WHEN 'timeline_entries' THEN ' OR OLD.occurred_at IS DISTINCT FROM NEW.occurred_at'
                              ELSE '' END;
        EXECUTE format('DROP TRIGGER %I ON %I', source || '_search_update', source);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW
                        WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector
                              OR OLD.incident_id IS DISTINCT FROM NEW.incident_id%s)
                        EXECUTE FUNCTION search_note_row()', source || '_search_update', source, placed);
    END LOOP;
END $$;
