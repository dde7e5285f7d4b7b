//! API tokens: made by a person for their scripts, shown once, revocable.

use sqlx::PgConnection;

use super::{Actor, Change, ChangeError, Result};
use crate::auth::token;
use crate::db;
use crate::domain::{ApiTokenId, AuditAction, TokenScope, UserId};

/// Longest token name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Makes a token named `name` for `person`, usable for `scope`, and returns its secret, which
/// is not stored.
pub async fn create(conn: &mut PgConnection, person: UserId, name: &str, scope: TokenScope) -> Result<String> {
    let name = name.trim();
    if name.chars().any(char::is_control) {
        return Err(ChangeError::field(
            "name",
            "The name contains a control character (such as NUL or a line break); type it again.",
        ));
    }
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ChangeError::field(
            "name",
            format!("Name the token (up to {MAX_NAME_CHARS} characters), e.g. after the script that uses it."),
        ));
    }
    let secret = format!("{}{}", token::API_TOKEN_PREFIX, token::random_hex()?);
    let mut change = Change::begin(&mut *conn, Actor::Person(person)).await?;
    db::api_tokens::insert(change.conn(), person, name, scope, &token::digest(&secret)).await?;
    let kind = match scope {
        TokenScope::Api => "API token",
        TokenScope::Feeds => "feeds-only token",
    };
    change.commit(AuditAction::TokenCreated, &format!("Created the {kind} “{name}”")).await?;
    Ok(secret)
}

/// Revokes one of `person`'s tokens. Another person's token is [`ChangeError::NotFound`], as
/// if it did not exist.
pub async fn revoke(conn: &mut PgConnection, person: UserId, id: ApiTokenId) -> Result<()> {
    let mut change = Change::begin(&mut *conn, Actor::Person(person)).await?;
    if !db::api_tokens::revoke(change.conn(), person, id).await? {
        return Err(ChangeError::NotFound);
    }
    change.commit(AuditAction::TokenRevoked, &format!("Revoked API token #{id}")).await
}
