//! The `api_tokens` table: per-person tokens for the JSON API, by the SHA-256 of the secret.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{ApiTokenId, Role, TokenScope, User, UserId};

/// A token as listed to its owner (never the secret, which is not kept).
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    user: UserId,
    name: &str,
    scope: TokenScope,
    token_hash: &[u8],
) -> sqlx::Result<ApiTokenId> {
    sqlx::query_scalar!(
        r#"INSERT INTO api_tokens (user_id, name, scope, token_hash) VALUES ($1, $2, $3, $4)
           RETURNING id AS "id: ApiTokenId""#,
        user as UserId,
        name,
        scope as TokenScope,
        token_hash,
    )
    .fetch_one(db)
    .await
}

pub async fn list_for_user(db: impl PgExecutor<'_>, user: UserId) -> sqlx::Result<Vec<ApiToken>> {
    sqlx::query_as!(
        ApiToken,
        r#"SELECT id AS "id: ApiTokenId", name, scope AS "scope: TokenScope", created_at, last_used_at, revoked_at
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

/// The active person a live token belongs to, if the token may be used for `scope`, noting
/// that it was used. (A token for the API may also read feeds; one for feeds, only feeds.)
pub async fn use_token(db: impl PgExecutor<'_>, token_hash: &[u8], scope: TokenScope) -> sqlx::Result<Option<User>> {
    let row = sqlx::query_as!(
        User,
        r#"WITH used AS (
               UPDATE api_tokens SET last_used_at = now()
               WHERE token_hash = $1 AND revoked_at IS NULL AND (scope = 'api' OR scope = $2)
               RETURNING user_id
           )
           SELECT u.id AS "id: UserId", u.email, u.name, u.role AS "role: Role", true AS "active!",
                  u.password_hash IS NOT NULL AS "has_password!"
           FROM used JOIN users u ON u.id = used.user_id WHERE u.deactivated_at IS NULL"#,
        token_hash,
        scope as TokenScope,
    )
    .fetch_optional(db)
    .await?;
    Ok(row)
}

/// What a live token may be used for, if it is one: to explain a refusal.
pub async fn scope_of(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<Option<TokenScope>> {
    sqlx::query_scalar!(
        r#"SELECT scope AS "scope: TokenScope" FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"#,
        token_hash,
    )
    .fetch_optional(db)
    .await
}
