//! The first result of each write sent with an idempotency key (see `web::idempotency`).

use std::time::Duration;

use sqlx::PgExecutor;

use crate::domain::UserId;

/// What was answered to a write the first time.
#[derive(Debug, Clone)]
pub struct FirstResult {
    pub status: i16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<String>,
}

/// Claims `key` for this request: `true` if it is new. When another request holds the same
/// key in an unfinished transaction, this waits for it, then finds it taken (or free again,
/// if that one was rolled back).
pub async fn claim(db: impl PgExecutor<'_>, user: UserId, key: &str, fingerprint: &[u8]) -> sqlx::Result<bool> {
    let claimed = sqlx::query_scalar!(
        "INSERT INTO idempotent_requests (user_id, key, fingerprint) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING true",
        user as UserId,
        key,
        fingerprint,
    )
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

/// The first result recorded for `key`.
pub async fn first_result(
    db: impl PgExecutor<'_>,
    user: UserId,
    key: &str,
    fingerprint: &[u8],
) -> sqlx::Result<Option<FirstResult>> {
    sqlx::query_as!(
        FirstResult,
        "SELECT status, location, content_type, body FROM idempotent_requests
         WHERE user_id = $1 AND key = $2 AND fingerprint = $3",
        user as UserId,
        key,
        fingerprint,
    )
    .fetch_optional(db)
    .await
}

/// Records the result of the request that claimed `key`.
pub async fn record(
    db: impl PgExecutor<'_>,
    user: UserId,
    key: &str,
    fingerprint: &[u8],
    result: &FirstResult,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE idempotent_requests SET status = $4, location = $5, content_type = $6, body = $7
         WHERE user_id = $1 AND key = $2 AND fingerprint = $3",
        user as UserId,
        key,
        fingerprint,
        result.status,
        result.location,
        result.content_type,
        result.body,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets keys older than `age`.
pub async fn forget_old(db: impl PgExecutor<'_>, age: Duration) -> sqlx::Result<u64> {
    let seconds = age.as_secs_f64();
    let done =
        sqlx::query!("DELETE FROM idempotent_requests WHERE created_at < now() - make_interval(secs => $1)", seconds)
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}
