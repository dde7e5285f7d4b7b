//! Signing in with an email and a password (throttled), and signing out.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::cookie::{safe_next, session_cookie, start_session};
use super::{Via, Visitor};
use crate::app;
use crate::auth::{password, throttle};
use crate::db;
use crate::web::AppState;
use crate::web::admission::Db;
use crate::web::error::{AppError, Result};
use crate::web::extract::{Form, Query};
use crate::web::layout::Viewer;

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    viewer: Viewer,
    email: String,
    next: String,
    error: Option<String>,
    proxy_mode: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The same words whether the account exists or the password is wrong.
const WRONG_CREDENTIALS: &str = "That email and password do not match an account. Check both and try again.";

pub async fn login_page(
    State(state): State<AppState>,
    db: Result<Db, AppError>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Result<Response> {
    if visitor.user.is_some() {
        return Ok(Redirect::to(safe_next(&query.next)).into_response());
    }
    // The form is shown even when the database cannot be asked whether anyone has an account
    // yet: signing in then says what is wrong.
    let no_accounts = match db {
        Ok(mut db) => db::users::count(&mut *db).await.is_ok_and(|count| count == 0),
        Err(_) => false,
    };
    if no_accounts {
        return Ok(Redirect::to("/setup").into_response());
    }
    let proxy_mode = state.auth.proxy_header.is_some();
    Ok(LoginPage { viewer: Viewer::nobody(), email: String::new(), next: query.next, error: None, proxy_mode }
        .into_response())
}

pub async fn login(
    State(state): State<AppState>,
    mut db: Db,
    visitor: Visitor,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let proxy_mode = state.auth.proxy_header.is_some();
    let email = form.email.trim().to_owned();
    // No address holds a control character, and NUL cannot be stored; none is longer than 254
    // bytes, and a huge one cannot be indexed (the throttle keeps the address). Said outright,
    // before any lookup: it reveals nothing about who has an account.
    let impossible = if email.chars().any(char::is_control) {
        Some("That email address contains a control character (such as NUL), which no address has. Type it again.")
    } else if email.len() > 254 {
        Some("That is longer than any email address (at most 254 characters). Type it again.")
    } else {
        None
    };
    if let Some(error) = impossible {
        let email: String = email.chars().take(254).map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect();
        let page =
            LoginPage { viewer: Viewer::nobody(), email, next: form.next, error: Some(error.to_owned()), proxy_mode };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let keys = throttle::LoginKeys::new(&email, visitor.client);
    let attempt = match throttle::begin(&mut db, &keys).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            let minutes = wait.as_secs().div_ceil(60);
            let error = format!(
                "Too many failed sign-ins. For your account's safety, try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            );
            let page = LoginPage { viewer: Viewer::nobody(), email, next: form.next, error: Some(error), proxy_mode };
            let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
            return Ok(response);
        }
    };
    let found = db::users::find_by_email(&mut *db, &email).await?;
    let stored = found.as_ref().filter(|(user, _)| user.active).and_then(|(_, hash)| hash.clone());
    let user = found.map(|(user, _)| user);
    if !password::verify(form.password, stored).await {
        // The attempt was counted as a failure when it was let through.
        let page = LoginPage {
            viewer: Viewer::nobody(),
            email,
            next: form.next,
            error: Some(WRONG_CREDENTIALS.to_owned()),
            proxy_mode,
        };
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    let Some(user) = user else { return Err(AppError::Internal("verified without an account".into())) };
    throttle::succeeded(&mut db, &keys, attempt).await?;
    tracing::info!(user.id = %user.id, "Signed in");
    start_session(&state, &mut db, &visitor, user.id, &form.next).await
}

pub async fn logout(mut db: Db, visitor: Visitor) -> Result<Response> {
    if let Via::Session { token_hash } = &visitor.via {
        app::people::end_session(&mut db, token_hash).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(visitor.secure_cookie, "", time::Duration::ZERO));
    Ok(response)
}
