//! The `login_failures` table: failed sign-ins, counted by `auth::throttle`.

use sqlx::PgExecutor;
use time::{Duration, OffsetDateTime};

/// Records a failure under each key (the account and the client address).
pub async fn record(db: impl PgExecutor<'_>, keys: &[String]) -> sqlx::Result<()> {
    sqlx::query!("INSERT INTO login_failures (key) SELECT unnest($1::text[])", keys).execute(db).await?;
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
