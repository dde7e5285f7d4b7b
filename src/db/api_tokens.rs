//! The `api_tokens` table: per-person tokens for the JSON API, by the SHA-256 of the secret.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{ApiTokenId, Role, User, UserId};

/// A token as listed to its owner (never the secret, which is not kept).
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn insert(db: impl PgExecutor<'_>, user: UserId, name: &str, token_hash: &[u8]) -> sqlx::Result<ApiTokenId> {
    sqlx::query_scalar!(
        r#"INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING id AS "id: ApiTokenId""#,
        user as UserId,
        name,
        token_hash,
    )
    .fetch_one(db)
    .await
}

pub async fn list_for_user(db: impl PgExecutor<'_>, user: UserId) -> sqlx::Result<Vec<ApiToken>> {
    sqlx::query_as!(
        ApiToken,
        r#"SELECT id AS "id: ApiTokenId", name, created_at, last_used_at, revoked_at
           FROM api_tokens WHERE user_id = $1 ORDER BY revoked_at IS NOT NULL, id DESC"#,
        user as UserId,
    )
    .fetch_all(db)
    .await
}

/// Revokes one of `user`'s tokens. Returns false if they have no such live token, so another
/// person's token id looks exactly like one that does not exist.
pub async fn revoke(db: impl PgExecutor<'_>, user: UserId, id: ApiTokenId) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        id as ApiTokenId,
        user as UserId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// The active person a live token belongs to, noting that it was used.
pub async fn use_token(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<Option<User>> {
    let row = sqlx::query_as!(
        User,
        r#"WITH used AS (
               UPDATE api_tokens SET last_used_at = now()
               WHERE token_hash = $1 AND revoked_at IS NULL
               RETURNING user_id
           )
           SELECT u.id AS "id: UserId", u.email, u.name, u.role AS "role: Role", true AS "active!",
                  u.password_hash IS NOT NULL AS "has_password!"
           FROM used JOIN users u ON u.id = used.user_id WHERE u.deactivated_at IS NULL"#,
        token_hash,
    )
    .fetch_optional(db)
    .await?;
    Ok(row)
}
