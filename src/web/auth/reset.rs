//! One-time password links: choosing a password with a link an admin (or the command line)
//! issued.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Visitor;
use super::cookie::start_session;
use crate::app::{self, ChangeError};
use crate::auth::{password, token};
use crate::db;
use crate::domain::input::FieldErrors;
use crate::web::AppState;
use crate::web::admission::Db;
use crate::web::error::{AppError, Result};
use crate::web::extract::{Form, Path};
use crate::web::layout::Viewer;

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
pub struct ResetPage {
    viewer: Viewer,
    email: String,
    errors: FieldErrors,
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

fn expired_link() -> AppError {
    AppError::Gone("This link has expired or has already been used. Ask an administrator for a new one.")
}

pub async fn reset_page(mut db: Db, Path(secret): Path<String>) -> Result<ResetPage> {
    let user = db::password_resets::find_valid(&mut *db, &token::digest(&secret)).await?.ok_or_else(expired_link)?;
    let user = db::users::find(&mut *db, user).await?.ok_or_else(expired_link)?;
    Ok(ResetPage { viewer: Viewer::nobody(), email: user.email, errors: FieldErrors::default() })
}

pub async fn reset(
    State(state): State<AppState>,
    mut db: Db,
    visitor: Visitor,
    Path(secret): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response> {
    let token_hash = token::digest(&secret);
    let user = db::password_resets::find_valid(&mut *db, &token_hash).await?.ok_or_else(expired_link)?;
    let user = db::users::find(&mut *db, user).await?.ok_or_else(expired_link)?;
    let mut errors = FieldErrors::default();
    password::check_new_pair(&mut errors, &form.password, &form.password_confirm, &user.email, &user.name);
    if !errors.is_empty() {
        let page = ResetPage { viewer: Viewer::nobody(), email: user.email, errors };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = password::hash(form.password).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let person = match app::people::reset_password(&mut db, &secret, &hash).await {
        Ok(person) => person,
        // Used (or expired) while the password was being hashed.
        Err(ChangeError::NotFound) => return Err(expired_link()),
        Err(error) => return Err(error.into()),
    };
    start_session(&state, &mut db, &visitor, person, "/incidents").await
}
