//! A person's own account: their password, their sessions, and their API tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::AppState;
use super::admission::Db;
use super::auth::{CurrentUser, Visitor};
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::layout::ago;
use super::paths;
use crate::app::{self, ChangeError};
use crate::auth::password;
use crate::db;
use crate::domain::input::FieldErrors;
use crate::domain::{ApiTokenId, TokenScope, User};

/// A token as listed: never its secret.
pub struct TokenRow {
    id: ApiTokenId,
    name: String,
    scope: TokenScope,
    created: String,
    last_used: String,
    revoked: bool,
}

/// A token just made, with its secret, shown once.
pub struct NewToken {
    name: String,
    secret: String,
    scope: TokenScope,
}

impl NewToken {
    fn for_api(&self) -> bool {
        self.scope == TokenScope::Api
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account/show.html")]
pub struct AccountPage {
    viewer: Viewer,
    user: User,
    teams: Vec<String>,
    sessions: i64,
    tokens: Vec<TokenRow>,
    /// Shown once, right after it is made.
    new_token: Option<NewToken>,
    password_errors: FieldErrors,
    /// A refused token name, as typed, and why.
    token_name: String,
    /// The use chosen in the new-token form (feeds first).
    token_scope: TokenScope,
    token_errors: FieldErrors,
    notice: Option<&'static str>,
    /// For the feed links: calendar apps need the whole address.
    public_url: String,
}

async fn page(state: &AppState, db: &mut PgConnection, viewer: Viewer, user: User) -> Result<AccountPage> {
    let teams = db::users::team_ids(&mut *db, user.id).await?;
    let all_teams = db::teams::all(&mut *db).await?;
    let teams = all_teams.into_iter().filter(|t| teams.contains(&t.id)).map(|t| t.name).collect();
    let sessions = db::sessions::count_for_user(&mut *db, user.id, state.auth.idle_timeout).await?;
    let tokens = db::api_tokens::list_for_user(&mut *db, user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            scope: t.scope,
            created: ago(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "never".to_owned(), ago),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    Ok(AccountPage {
        viewer,
        user,
        teams,
        sessions,
        tokens,
        new_token: None,
        password_errors: FieldErrors::default(),
        token_name: String::new(),
        token_scope: TokenScope::Feeds,
        token_errors: FieldErrors::default(),
        notice: None,
        public_url: state.public_url.clone(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    super::extract::Query(query): super::extract::Query<NoticeQuery>,
) -> Result<AccountPage> {
    let mut page = page(&state, &mut db, viewer, user).await?;
    page.notice = match query.saved.as_deref() {
        Some("password") => Some("Your password was changed. Your other sessions were signed out."),
        Some("revoked") => Some("The token was revoked. Requests that use it are now refused."),
        _ => None,
    };
    Ok(page)
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    visitor: Visitor,
    CurrentUser(user): CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let stored = db::users::password_hash(&mut *db, user.id).await?;
    let had_password = stored.is_some();
    let mut errors = FieldErrors::default();
    if had_password && !password::verify(form.current, stored).await {
        errors.add("current", "Your current password is not right.");
    }
    password::check_new_pair(&mut errors, &form.password, &form.password_confirm, &user.email, &user.name);
    if !errors.is_empty() {
        let mut page = page(&state, &mut db, viewer, user).await?;
        page.password_errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = password::hash(form.password).await.map_err(|e| AppError::Internal(e.to_string()))?;
    // Everyone else holding a session for this account is signed out; this browser stays in.
    let keep = match &visitor.via {
        super::auth::Via::Session { token_hash } => Some(token_hash.as_slice()),
        _ => None,
    };
    app::people::change_password(&mut db, user.id, &hash, keep).await?;
    Ok(Redirect::to(paths::ACCOUNT_PASSWORD_SAVED).into_response())
}

/// Signs this person out of every browser, this one included.
pub async fn sign_out_everywhere(mut db: Db, CurrentUser(user): CurrentUser) -> Result<Redirect> {
    app::people::sign_out_everywhere(&mut db, user.id).await?;
    Ok(Redirect::to("/login"))
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    /// `api` or `feeds`; a script that sends none gets an API token, as before there was a
    /// choice (the form offers feeds first).
    #[serde(default)]
    scope: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response> {
    let name = form.name.trim().to_owned();
    let scope = match form.scope.trim() {
        "" => TokenScope::Api,
        typed => typed.parse().map_err(|_| AppError::BadRequest("Choose what the token is for.".into()))?,
    };
    match app::tokens::create(&mut db, user.id, &name, scope).await {
        Ok(secret) => {
            // Shown in this response only: it is not stored, so it cannot be shown again.
            let mut page = page(&state, &mut db, viewer, user).await?;
            page.new_token = Some(NewToken { name, secret, scope });
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(ChangeError::Invalid(errors)) => {
            let mut page = page(&state, &mut db, viewer, user).await?;
            page.token_name = name;
            page.token_scope = scope;
            page.token_errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn revoke_token(mut db: Db, CurrentUser(user): CurrentUser, Path(id): Path<ApiTokenId>) -> Result<Redirect> {
    app::tokens::revoke(&mut db, user.id, id).await?;
    Ok(Redirect::to(paths::ACCOUNT_TOKEN_REVOKED))
}
