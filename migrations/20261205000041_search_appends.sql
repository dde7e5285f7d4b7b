-- A new timeline entry, action item or comment joins its postmortem's document at once, instead
-- of the document being made again from every row at commit.
--
-- Making a document joins every row's vector in order (`search_vectors`): its cost grows with
-- the postmortem, and a timeline of a hundred entries paid for all of them on every new one.
-- A document is its rows' vectors joined by weight and, within a weight, in writing order
-- (`search_vectors`' ord). When the new row comes after every row already there (an entry later
-- than the others while there is no comment, a new comment, an item while there is neither
-- entry nor comment), the document made again would be the old one with the new vector joined
-- at its end: that is what is written, now. Anything else (a row that goes before others,
-- several rows in one statement, a postmortem whose document is already to
-- be made at commit or has none yet, a document that would pass the 1 MB a tsvector may hold)
-- is noted as before and made at commit. Either way the document is the same, lexeme for
-- lexeme, position for position. (Two writers that insert into one postmortem without taking
-- its lock, which Hindsight's own changes always take, may join their rows in commit order
-- rather than writing order: every word is still there, only its position may differ.)

-- Joins `vector` to the end of postmortem `target`'s document if `last` (the row goes after
-- every other) and the document is there and not already to be made; else notes it.
CREATE FUNCTION search_append_or_note(target bigint, vector tsvector, last boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    appended boolean := false;
BEGIN
    IF last AND NOT EXISTS (SELECT 1 FROM search_pending p WHERE p.incident_id = target) THEN
        BEGIN
            UPDATE search_documents SET document = document || vector WHERE incident_id = target;
            appended := FOUND;
        EXCEPTION WHEN program_limit_exceeded THEN
            NULL; -- too long for one tsvector: made at commit, from the start of each weight's text
        END;
    END IF;
    IF NOT appended THEN
        INSERT INTO search_pending (incident_id) VALUES (target) ON CONFLICT DO NOTHING;
    END IF;
END $$;

-- After an insert into timeline_entries, review_comments or action_items. A statement of one
-- row (a form's) may be joined to its document's end; several rows (a pasted timeline, an
-- import) are noted, to be made once at commit. Rows are ordered as `search_vectors` orders
-- them: a timeline entry (D) by its time, with every comment (D) after the entries; a comment
-- by id; an item (C) by id, with every entry and comment after it. (The queries on `new_rows`
-- are planned on every call, so they are kept simple; the rest are planned once a session.)
CREATE FUNCTION search_note_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rows bigint;
    target bigint;
    row_id bigint;
    vector tsvector;
    at timestamptz;
BEGIN
    IF TG_TABLE_NAME = 'timeline_entries' THEN
        SELECT count(*) OVER (), n.incident_id, n.search_vector, n.occurred_at INTO rows, target, vector, at
        FROM new_rows n LIMIT 1;
        IF rows = 1 THEN
            PERFORM search_append_or_note(target, vector,
                NOT EXISTS (SELECT 1 FROM timeline_entries e WHERE e.incident_id = target AND e.occurred_at > at)
                AND NOT EXISTS (SELECT 1 FROM review_comments c WHERE c.incident_id = target AND c.body <> ''));
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'review_comments' THEN
        -- A comment without words (a review's verdict alone) is no part of the document.
        SELECT count(*) OVER (), n.incident_id, n.search_vector, n.id INTO rows, target, vector, row_id
        FROM new_rows n WHERE n.body <> '' LIMIT 1;
        IF rows IS NULL THEN
            RETURN NULL;
        ELSIF rows = 1 THEN
            PERFORM search_append_or_note(target, vector,
                NOT EXISTS (SELECT 1 FROM review_comments c WHERE c.incident_id = target AND c.id > row_id AND c.body <> ''));
            RETURN NULL;
        END IF;
    ELSE
        SELECT count(*) OVER (), n.incident_id, n.search_vector, n.id INTO rows, target, vector, row_id
        FROM new_rows n LIMIT 1;
        IF rows = 1 THEN
            PERFORM search_append_or_note(target, vector,
                NOT EXISTS (SELECT 1 FROM action_items a WHERE a.incident_id = target AND a.id > row_id)
                AND NOT EXISTS (SELECT 1 FROM timeline_entries e WHERE e.incident_id = target)
                AND NOT EXISTS (SELECT 1 FROM review_comments c WHERE c.incident_id = target AND c.body <> ''));
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO search_pending (incident_id)
    SELECT DISTINCT incident_id FROM new_rows ORDER BY 1 ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

DROP TRIGGER timeline_entries_search_insert ON timeline_entries;
CREATE TRIGGER timeline_entries_search_insert AFTER INSERT ON timeline_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_note_inserted();

DROP TRIGGER review_comments_search_insert ON review_comments;
CREATE TRIGGER review_comments_search_insert AFTER INSERT ON review_comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_note_inserted();

DROP TRIGGER action_items_search_insert ON action_items;
CREATE TRIGGER action_items_search_insert AFTER INSERT ON action_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_note_inserted();
