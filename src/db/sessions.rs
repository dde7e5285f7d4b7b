//! The `sessions` table: signed-in browsers, by the SHA-256 of their cookie's token.

use sqlx::PgExecutor;
use time::{Duration, OffsetDateTime};

use crate::domain::{Role, User, UserId};

pub async fn insert(db: impl PgExecutor<'_>, token_hash: &[u8], user: UserId) -> sqlx::Result<()> {
    sqlx::query!("INSERT INTO sessions (token_hash, user_id) VALUES ($1, $2)", token_hash, user as UserId)
        .execute(db)
        .await?;
    Ok(())
}

/// The active person a live session belongs to, and whether the session's last use should be
/// written (it was written more than `touch_every` ago). A session is live if it was used
/// within `idle` and is younger than `lifetime`.
pub async fn find_live(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    idle: Duration,
    lifetime: Duration,
    touch_every: Duration,
) -> sqlx::Result<Option<(User, bool)>> {
    let now = OffsetDateTime::now_utc();
    let row = sqlx::query!(
        r#"SELECT u.id AS "id: UserId", u.email, u.name, u.role AS "role: Role",
                  u.password_hash IS NOT NULL AS "has_password!", s.last_seen_at < $4 AS "stale!"
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = $1 AND s.last_seen_at > $2 AND s.created_at > $3 AND u.deactivated_at IS NULL"#,
        token_hash,
        now - idle,
        now - lifetime,
        now - touch_every,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        let user = User {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role,
            active: true,
            has_password: row.has_password,
        };
        (user, row.stale)
    }))
}

/// Writes that the session was used now.
pub async fn touch(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!("UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1", token_hash).execute(db).await?;
    Ok(())
}

pub async fn delete(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE token_hash = $1", token_hash).execute(db).await?;
    Ok(())
}

/// Ends every session of a person ("log out everywhere", a new password, deactivation).
/// Returns how many there were.
pub async fn delete_all_for_user(db: impl PgExecutor<'_>, user: UserId) -> sqlx::Result<u64> {
    let result = sqlx::query!("DELETE FROM sessions WHERE user_id = $1", user as UserId).execute(db).await?;
    Ok(result.rows_affected())
}

/// How many live sessions a person has (shown on their account page).
pub async fn count_for_user(db: impl PgExecutor<'_>, user: UserId, idle: Duration) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM sessions WHERE user_id = $1 AND last_seen_at > $2"#,
        user as UserId,
        OffsetDateTime::now_utc() - idle,
    )
    .fetch_one(db)
    .await
}

/// Removes sessions that can no longer be used. Run now and then; a dead session is already
/// refused by `find_live`, so this only keeps the table small.
pub async fn delete_expired(db: impl PgExecutor<'_>, idle: Duration, lifetime: Duration) -> sqlx::Result<u64> {
    let now = OffsetDateTime::now_utc();
    let result =
        sqlx::query!("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2", now - idle, now - lifetime)
            .execute(db)
            .await?;
    Ok(result.rows_affected())
}

/// Ends every session of a person but `keep` (the browser that changed the password).
pub async fn delete_all_for_user_except(
    db: impl PgExecutor<'_>,
    user: UserId,
    keep: Option<&[u8]>,
) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        "DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)",
        user as UserId,
        keep,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}
