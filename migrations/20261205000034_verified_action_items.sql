-- Verified action items, as pages, the ledger, exports and webhooks see them.

-- Who verified an item, as written: the verifier's name when they verified it here (so the
-- name stays if the account goes), or the name an imported document gave, whose person may
-- have no account here (then `verified_by` is empty, as `owner_id` is for a written owner).
ALTER TABLE action_items
    ADD COLUMN verified_by_name text NOT NULL DEFAULT '';

-- The view gains the verification and the incidents the item recurred in (new columns go
-- last, as CREATE OR REPLACE VIEW requires). `recurred_in` is an index lookup per item, and
-- PostgreSQL leaves it out of queries that do not read it.
CREATE OR REPLACE VIEW action_item_rows AS
SELECT a.id, a.incident_id, a.body, a.kind, a.priority, a.status, a.wont_do_reason, a.owner, a.owner_id,
       coalesce(nullif(u.name, ''), u.email) AS owner_person,
       a.team, a.team_id, t.name AS team_name, t.time_zone AS team_time_zone,
       a.ticket_url, a.completion_note, a.due_on, a.completed_at, a.version, a.created_at,
       a.html, a.rendered_with,
       a.verified_at, a.verified_by, a.verification_evidence,
       coalesce(nullif(v.name, ''), v.email, a.verified_by_name) AS verifier,
       ARRAY(SELECT r.incident_id FROM action_item_recurrences r
             WHERE r.action_item_id = a.id ORDER BY r.incident_id) AS recurred_in
FROM action_items a
LEFT JOIN users u ON u.id = a.owner_id
LEFT JOIN teams t ON t.id = a.team_id
LEFT JOIN users v ON v.id = a.verified_by;

-- The ledger's "verified" and "not yet verified" filters read done items by this.
CREATE INDEX action_items_done_verified_idx ON action_items ((verified_at IS NOT NULL), due_on, id)
    WHERE status = 'done';

-- A receiver can hear of verifications too.
ALTER TABLE webhooks DROP CONSTRAINT webhooks_events_check;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_events_check CHECK (events <@ ARRAY['postmortem.published',
    'action_item.created', 'action_item.assigned', 'action_item.done', 'action_item.verified',
    'action_item.overdue', 'ping']::text[]);

CREATE OR REPLACE FUNCTION webhook_action_item(item_id bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id,
        'description', a.body,
        'status', a.status,
        'kind', a.kind,
        'priority', a.priority,
        'owner', CASE WHEN u.id IS NOT NULL
                      THEN jsonb_build_object('id', u.id, 'name', u.name, 'email', u.email)
                      WHEN a.owner <> '' THEN jsonb_build_object('name', a.owner) END,
        'team', coalesce(t.name, nullif(a.team, '')),
        'due_on', a.due_on,
        'overdue', action_item_overdue(a.status, a.due_on, t.time_zone, now()),
        'ticket_url', nullif(a.ticket_url, ''),
        'completed_at', a.completed_at,
        'verified', CASE WHEN a.verified_at IS NOT NULL THEN jsonb_build_object(
                        'at', a.verified_at,
                        'by', coalesce(nullif(v.name, ''), v.email, nullif(a.verified_by_name, '')),
                        'evidence', a.verification_evidence) END,
        'path', '/incidents/' || a.incident_id || '/actions/' || a.id || '/edit',
        'postmortem', jsonb_build_object('id', i.id, 'title', i.title, 'severity', i.severity,
                                         'status', i.status, 'path', '/incidents/' || i.id))
    FROM action_items a
    JOIN incidents i ON i.id = a.incident_id
    LEFT JOIN users u ON u.id = a.owner_id
    LEFT JOIN teams t ON t.id = a.team_id
    LEFT JOIN users v ON v.id = a.verified_by
    WHERE a.id = item_id
$$;

CREATE OR REPLACE FUNCTION action_item_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE active) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM enqueue_webhook_event('action_item.created', webhook_action_item(NEW.id));
    END IF;
    IF NEW.owner_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.owner_id IS DISTINCT FROM OLD.owner_id) THEN
        PERFORM enqueue_webhook_event('action_item.assigned', webhook_action_item(NEW.id));
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'done' AND OLD.status <> 'done' THEN
        PERFORM enqueue_webhook_event('action_item.done', webhook_action_item(NEW.id));
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.verified_at IS NOT NULL AND OLD.verified_at IS NULL THEN
        PERFORM enqueue_webhook_event('action_item.verified', webhook_action_item(NEW.id));
    END IF;
    RETURN NULL;
END $$;
