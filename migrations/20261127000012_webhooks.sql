-- Outbound webhooks. An admin registers a receiver's URL and the events it wants; Hindsight
-- signs each delivery with the receiver's secret (HMAC-SHA256).
--
-- Events are written here, in the transaction that makes the change (an outbox): the triggers
-- below turn changes to action items and postmortems into pending deliveries, whichever path
-- made the change (browser, API, import). A background worker sends them, so a slow receiver
-- never delays a page, and pending deliveries survive a restart. "Overdue" has no write to
-- hang on: the worker asks `enqueue_overdue_events()` every minute.
CREATE TABLE webhooks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url        text NOT NULL CHECK (url ~ '^https?://[^/?#\s]+' AND length(url) <= 2000),
    secret     text NOT NULL CHECK (length(secret) >= 16),
    events     text[] NOT NULL CHECK (events <@ ARRAY['postmortem.published', 'action_item.created',
                   'action_item.assigned', 'action_item.done', 'action_item.overdue', 'ping']::text[]),
    active     boolean NOT NULL DEFAULT true,
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id      bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           text NOT NULL,
    payload         jsonb NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    -- When the worker may next try. A worker that takes a delivery moves this a minute ahead
    -- first (a lease), so a crash mid-send means a retry, never a lost event.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    response_status integer,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, id DESC);

-- Items already reported overdue, per due date: an item is reported once per due date, and
-- again only if its due date moves and passes again.
CREATE TABLE overdue_notices (
    action_item_id bigint NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    due_on         date NOT NULL,
    noticed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (action_item_id, due_on)
);

-- What a receiver learns about an action item (paths are made absolute when sent).
CREATE FUNCTION webhook_action_item(item_id bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
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
        'path', '/incidents/' || a.incident_id || '/actions/' || a.id || '/edit',
        'postmortem', jsonb_build_object('id', i.id, 'title', i.title, 'severity', i.severity,
                                         'status', i.status, 'path', '/incidents/' || i.id))
    FROM action_items a
    JOIN incidents i ON i.id = a.incident_id
    LEFT JOIN users u ON u.id = a.owner_id
    LEFT JOIN teams t ON t.id = a.team_id
    WHERE a.id = item_id
$$;

-- Queues `event` for every active webhook that wants it.
CREATE FUNCTION enqueue_webhook_event(event text, data jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO webhook_deliveries (webhook_id, event, payload)
    SELECT w.id, event, jsonb_build_object('event', event, 'occurred_at', now(), 'data', data)
    FROM webhooks w WHERE w.active AND event = ANY (w.events)
$$;

CREATE FUNCTION action_item_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
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
    RETURN NULL;
END $$;

CREATE TRIGGER action_items_webhooks AFTER INSERT OR UPDATE ON action_items
    FOR EACH ROW EXECUTE FUNCTION action_item_webhook_events();

CREATE FUNCTION incident_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'published' AND OLD.status <> 'published' THEN
        PERFORM enqueue_webhook_event('postmortem.published', jsonb_build_object(
            'id', NEW.id, 'title', NEW.title, 'severity', NEW.severity, 'status', NEW.status,
            'started_at', NEW.started_at, 'ended_at', NEW.ended_at,
            'path', '/incidents/' || NEW.id,
            'action_items', (SELECT count(*) FROM action_items WHERE incident_id = NEW.id)));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_webhooks AFTER UPDATE OF status ON incidents
    FOR EACH ROW EXECUTE FUNCTION incident_webhook_events();

-- Notes every item that has become overdue since the last call and queues its event. Returns
-- how many became overdue. Items are noted even with no webhook, so a receiver added later
-- hears of items that become overdue after it, not of the whole backlog.
CREATE FUNCTION enqueue_overdue_events(at timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    hooked boolean := EXISTS (SELECT 1 FROM webhooks WHERE active AND 'action_item.overdue' = ANY (events));
    noticed integer := 0;
    item bigint;
BEGIN
    FOR item IN
        INSERT INTO overdue_notices (action_item_id, due_on)
        SELECT a.id, a.due_on
        FROM action_items a LEFT JOIN teams t ON t.id = a.team_id
        -- Due before tomorrow anywhere on Earth: lets the status/due-date index narrow the
        -- scan before the exact test in each item's own time zone.
        WHERE a.status IN ('open', 'in_progress') AND a.due_on < (at AT TIME ZONE 'Etc/GMT-14')::date
          AND action_item_overdue(a.status, a.due_on, t.time_zone, at)
        ON CONFLICT DO NOTHING
        RETURNING action_item_id
    LOOP
        noticed := noticed + 1;
        IF hooked THEN
            PERFORM enqueue_webhook_event('action_item.overdue', webhook_action_item(item));
        END IF;
    END LOOP;
    RETURN noticed;
END $$;
