//! First run: with no account yet, whoever opens Hindsight creates the first admin.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Visitor;
use super::cookie::start_session;
use crate::app;
use crate::auth::password;
use crate::db;
use crate::domain::input::{FieldErrors, MAX_NAME_CHARS, is_plausible_email, line};
use crate::web::AppState;
use crate::web::admission::Db;
use crate::web::error::{AppError, Result};
use crate::web::extract::Form;
use crate::web::layout::Viewer;

#[derive(Template, WebTemplate)]
#[template(path = "auth/setup.html")]
pub struct SetupPage {
    viewer: Viewer,
    form: SetupForm,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn setup_page(mut db: Db) -> Result<Response> {
    if db::users::count(&mut *db).await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(SetupPage { viewer: Viewer::nobody(), form: SetupForm::default(), errors: FieldErrors::default() }
        .into_response())
}

pub async fn setup(
    State(state): State<AppState>,
    mut db: Db,
    visitor: Visitor,
    Form(mut form): Form<SetupForm>,
) -> Result<Response> {
    if db::users::count(&mut *db).await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    let mut errors = FieldErrors::default();
    let email = form.email.trim().to_owned();
    if !is_plausible_email(&email) {
        errors.add("email", "Enter your email address, like ann@example.com.");
    }
    password::check_new_pair(&mut errors, &form.password, &form.password_confirm, &email, &form.name);
    line(&mut errors, "name", &form.name, MAX_NAME_CHARS);
    if !errors.is_empty() {
        form.password.clear();
        form.password_confirm.clear();
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, SetupPage { viewer: Viewer::nobody(), form, errors }).into_response()
        );
    }
    let hash = password::hash(form.password).await.map_err(|e| AppError::Internal(e.to_string()))?;
    match app::people::set_up_first_admin(&mut db, &email, &form.name, &hash).await? {
        Some(id) => start_session(&state, &mut db, &visitor, id, "/incidents").await,
        // Someone finished set-up meanwhile.
        None => Ok(Redirect::to("/login").into_response()),
    }
}
