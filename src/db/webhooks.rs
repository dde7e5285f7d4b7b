//! The `webhooks` and `webhook_deliveries` tables: receivers, and the outbox of events for
//! them. Events are queued by triggers (see the webhooks migration); this module manages the
//! receivers, shows the delivery log, and serves the delivery worker.

use std::time::Duration;

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{DeliveryId, UserId, WebhookId};

/// The events a receiver can ask for, with what they mean.
pub const EVENTS: &[(&str, &str)] = &[
    ("postmortem.published", "A postmortem is approved and published"),
    ("action_item.created", "An action item is added"),
    ("action_item.assigned", "An action item is given to someone"),
    ("action_item.done", "An action item is done"),
    ("action_item.verified", "A done action item is verified by someone other than its owner"),
    ("action_item.overdue", "An action item passes its due date unfinished"),
];

/// A receiver, with how its deliveries stand.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: WebhookId,
    pub url: String,
    pub secret: String,
    pub events: Vec<String>,
    pub active: bool,
    /// Raised by every change of its settings, to refuse a change made from a stale page.
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub pending: i64,
    pub failed: i64,
    pub delivered: i64,
}

/// Every receiver, oldest first.
pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Webhook>> {
    select(db, None).await
}

pub async fn find(db: impl PgExecutor<'_>, id: WebhookId) -> sqlx::Result<Option<Webhook>> {
    Ok(select(db, Some(id)).await?.pop())
}

/// All receivers, or the one with `id`, with their delivery counts.
async fn select(db: impl PgExecutor<'_>, id: Option<WebhookId>) -> sqlx::Result<Vec<Webhook>> {
    sqlx::query_as!(
        Webhook,
        r#"SELECT w.id AS "id: WebhookId", w.url, w.secret, w.events, w.active, w.version, w.created_at,
                  count(d.id) FILTER (WHERE d.state = 'pending') AS "pending!",
                  count(d.id) FILTER (WHERE d.state = 'failed') AS "failed!",
                  count(d.id) FILTER (WHERE d.state = 'delivered') AS "delivered!"
           FROM webhooks w LEFT JOIN webhook_deliveries d ON d.webhook_id = w.id
           WHERE $1::bigint IS NULL OR w.id = $1
           GROUP BY w.id ORDER BY w.id"#,
        id.map(|id| id.0),
    )
    .fetch_all(db)
    .await
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    url: &str,
    secret: &str,
    events: &[String],
    created_by: UserId,
) -> sqlx::Result<WebhookId> {
    sqlx::query_scalar!(
        r#"INSERT INTO webhooks (url, secret, events, created_by) VALUES ($1, $2, $3, $4) RETURNING id AS "id: WebhookId""#,
        url,
        secret,
        events,
        created_by as UserId,
    )
    .fetch_one(db)
    .await
}

/// Changes a receiver's settings if it is still at `base_version`, and raises its version.
/// Returns whether it was saved: `false` when it is gone or someone saved first.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: WebhookId,
    base_version: i32,
    url: &str,
    events: &[String],
    active: bool,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE webhooks SET url = $3, events = $4, active = $5, version = version + 1
         WHERE id = $1 AND version = $2",
        id as WebhookId,
        base_version,
        url,
        events,
        active,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// The version the receiver is at, if it exists.
pub async fn version(db: impl PgExecutor<'_>, id: WebhookId) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!("SELECT version FROM webhooks WHERE id = $1", id as WebhookId).fetch_optional(db).await
}

pub async fn delete(db: impl PgExecutor<'_>, id: WebhookId) -> sqlx::Result<bool> {
    let result = sqlx::query!("DELETE FROM webhooks WHERE id = $1", id as WebhookId).execute(db).await?;
    Ok(result.rows_affected() > 0)
}

/// One delivery, as the log shows it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: DeliveryId,
    pub event: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub last_attempt_at: Option<OffsetDateTime>,
    pub response_status: Option<i32>,
    pub last_error: String,
    pub created_at: OffsetDateTime,
    pub delivered_at: Option<OffsetDateTime>,
}

/// The newest deliveries of a receiver.
pub async fn deliveries(db: impl PgExecutor<'_>, hook: WebhookId, limit: i64) -> sqlx::Result<Vec<Delivery>> {
    sqlx::query_as!(
        Delivery,
        r#"SELECT id AS "id: DeliveryId", event, state, attempts, next_attempt_at, last_attempt_at,
                  response_status, last_error, created_at, delivered_at
           FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2"#,
        hook as WebhookId,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Queues a `ping` for one receiver, to check it is reachable and verifies signatures.
pub async fn enqueue_ping(db: impl PgExecutor<'_>, hook: WebhookId) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO webhook_deliveries (webhook_id, event, payload)
           VALUES ($1, 'ping', jsonb_build_object('event', 'ping', 'occurred_at', now(),
                   'data', jsonb_build_object('webhook_id', $1::bigint)))"#,
        hook as WebhookId,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Sends a failed delivery again, now. Returns false if there is no such failed delivery.
pub async fn retry(db: impl PgExecutor<'_>, hook: WebhookId, delivery: DeliveryId) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now()
         WHERE id = $1 AND webhook_id = $2 AND state = 'failed'",
        delivery as DeliveryId,
        hook as WebhookId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// A delivery taken by the worker.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
}

/// How many deliveries are waiting to be sent (due now or later), for `/metrics`.
pub async fn pending_count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM webhook_deliveries WHERE state = 'pending'"#)
        .fetch_one(db)
        .await
}

/// Takes up to `limit` deliveries that are due, oldest first, and leases them for `lease`:
/// until then no other worker takes them, and if this one dies they fall due again. Takes at
/// most `per_receiver` for any one receiver, less what `busy` says the caller is sending to it
/// already. Counts the attempt now, so a delivery that crashes its worker still runs out of
/// attempts.
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    limit: usize,
    per_receiver: usize,
    busy: &[(WebhookId, usize)],
    lease: Duration,
) -> sqlx::Result<Vec<Claimed>> {
    let lease_seconds = lease.as_secs_f64();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let busy_hooks: Vec<i64> = busy.iter().map(|(hook, _)| hook.0).collect();
    let busy_sending: Vec<i64> = busy.iter().map(|(_, sending)| count(*sending)).collect();
    // The ranking reads without locks; the rows are then locked, skipping those another worker
    // holds (a window function and FOR UPDATE cannot share one level of a query).
    sqlx::query_as!(
        Claimed,
        r#"WITH busy AS (
               SELECT * FROM unnest($3::bigint[], $4::bigint[]) AS b(webhook_id, sending)),
           ranked AS (
               SELECT d.id, coalesce(b.sending, 0)
                        + row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.next_attempt_at, d.id) AS place
               FROM webhook_deliveries d LEFT JOIN busy b ON b.webhook_id = d.webhook_id
               WHERE d.state = 'pending' AND d.next_attempt_at <= now()),
           due AS (
               SELECT d.id FROM webhook_deliveries d JOIN ranked r ON r.id = d.id
               WHERE r.place <= $5
               ORDER BY d.next_attempt_at, d.id LIMIT $1
               FOR UPDATE OF d SKIP LOCKED)
           UPDATE webhook_deliveries d
           SET next_attempt_at = now() + make_interval(secs => $2), attempts = d.attempts + 1,
               last_attempt_at = now()
           FROM due, webhooks w
           WHERE d.id = due.id AND w.id = d.webhook_id
           RETURNING d.id AS "id: DeliveryId", d.webhook_id AS "webhook_id: WebhookId", w.url, w.secret,
                     d.event, d.payload, d.attempts"#,
        count(limit),
        lease_seconds,
        &busy_hooks,
        &busy_sending,
        count(per_receiver),
    )
    .fetch_all(db)
    .await
}

/// Records a delivery the receiver accepted.
pub async fn mark_delivered(db: impl PgExecutor<'_>, id: DeliveryId, status: u16) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE webhook_deliveries SET state = 'delivered', delivered_at = now(), response_status = $2, last_error = ''
         WHERE id = $1",
        id as DeliveryId,
        i32::from(status),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt: tried again after `retry_in`, or given up on if `None`.
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    id: DeliveryId,
    status: Option<u16>,
    error: &str,
    retry_in: Option<Duration>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE webhook_deliveries
         SET state = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'pending' END,
             next_attempt_at = CASE WHEN $4::float8 IS NULL THEN next_attempt_at
                                    ELSE now() + make_interval(secs => $4::float8) END,
             response_status = $2, last_error = $3
         WHERE id = $1",
        id as DeliveryId,
        status.map(i32::from),
        error,
        retry_in.map(|delay| delay.as_secs_f64()),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Notes the items that have become overdue at `at` and queues their events; returns how many.
pub async fn enqueue_overdue(db: impl PgExecutor<'_>, at: OffsetDateTime) -> sqlx::Result<i32> {
    let noticed = sqlx::query_scalar!(r#"SELECT enqueue_overdue_events($1) AS "n!""#, at).fetch_one(db).await?;
    Ok(noticed)
}
