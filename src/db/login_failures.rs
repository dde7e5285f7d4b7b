//! The `login_failures` table: failed sign-ins, counted by `auth::throttle`.

use sqlx::PgExecutor;
use time::{Duration, OffsetDateTime};

/// Records a failure under each key (the account and the client address); returns its time.
pub async fn record(db: impl PgExecutor<'_>, keys: &[String]) -> sqlx::Result<OffsetDateTime> {
    sqlx::query_scalar!(
        r#"WITH now AS (SELECT clock_timestamp() AS at)
           INSERT INTO login_failures (key, failed_at) SELECT unnest($1::text[]), (SELECT at FROM now)
           RETURNING failed_at AS "failed_at!""#,
        keys
    )
    .fetch_all(db)
    .await
    .map(|times| times.into_iter().next().unwrap_or_else(OffsetDateTime::now_utc))
}

/// Takes the attempts under `key` in turn until the transaction ends.
pub async fn lock_key(db: impl PgExecutor<'_>, key: &str) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key).fetch_one(db).await?;
    Ok(())
}

/// Forgets one failure under `key` recorded at `at` (an attempt that turned out right).
pub async fn forget_one(db: impl PgExecutor<'_>, key: &str, at: OffsetDateTime) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE ctid = (SELECT ctid FROM login_failures WHERE key = $1 AND failed_at = $2 LIMIT 1)",
        key,
        at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// For the most recent `limit` failures under `key` within `window`: how many there are, and
/// when the oldest of them happened (the throttle lifts `window` after it).
pub async fn recent(
    db: impl PgExecutor<'_>,
    key: &str,
    window: Duration,
    limit: i64,
) -> sqlx::Result<(i64, Option<OffsetDateTime>)> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "count!", min(failed_at) AS oldest FROM (
               SELECT failed_at FROM login_failures
               WHERE key = $1 AND failed_at > $2
               ORDER BY failed_at DESC LIMIT $3
           ) recent"#,
        key,
        OffsetDateTime::now_utc() - window,
        limit,
    )
    .fetch_one(db)
    .await?;
    Ok((row.count, row.oldest))
}

/// Forgets an account's failures after it signs in, and everyone's failures that are older
/// than `window`.
pub async fn clear(db: impl PgExecutor<'_>, key: &str, window: Duration) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE key = $1 OR failed_at <= $2",
        key,
        OffsetDateTime::now_utc() - window
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Removes failures older than `window`, which no longer count.
pub async fn forget_old(db: impl PgExecutor<'_>, window: Duration) -> sqlx::Result<u64> {
    let result = sqlx::query!("DELETE FROM login_failures WHERE failed_at <= $1", OffsetDateTime::now_utc() - window)
        .execute(db)
        .await?;
    Ok(result.rows_affected())
}
