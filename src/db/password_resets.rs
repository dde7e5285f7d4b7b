//! The `password_resets` table: one-time links to set a password.

use sqlx::PgExecutor;
use time::{Duration, OffsetDateTime};

use crate::domain::UserId;

pub async fn insert(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    user: UserId,
    created_by: Option<UserId>,
    valid_for: Duration,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO password_resets (token_hash, user_id, created_by, expires_at) VALUES ($1, $2, $3, $4)",
        token_hash,
        user as UserId,
        created_by.map(|id| id.0),
        OffsetDateTime::now_utc() + valid_for,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Ends every open link of `person` (marked used: it cannot be used again). Returns how many.
pub async fn revoke_all(db: impl PgExecutor<'_>, person: UserId) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        person as UserId
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// The person an unused, unexpired link is for.
pub async fn find_valid(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<Option<UserId>> {
    sqlx::query_scalar!(
        r#"SELECT r.user_id AS "id: UserId" FROM password_resets r JOIN users u ON u.id = r.user_id
           WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
             AND u.deactivated_at IS NULL"#,
        token_hash,
    )
    .fetch_optional(db)
    .await
}

/// Uses up a link, and every other open link for the same person. Returns the person, or
/// `None` if the link was already used or has expired (so two tabs cannot both use it).
pub async fn consume(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<Option<UserId>> {
    sqlx::query_scalar!(
        r#"WITH link AS (
               SELECT user_id FROM password_resets
               WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
               FOR UPDATE
           )
           UPDATE password_resets SET used_at = now()
           WHERE used_at IS NULL AND user_id = (SELECT user_id FROM link)
           RETURNING user_id AS "id: UserId""#,
        token_hash,
    )
    .fetch_all(db)
    .await
    .map(|ids| ids.into_iter().next())
}
