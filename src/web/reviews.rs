//! The review of a postmortem, from its page: submit, approve, send back, comment. The rules
//! are `app::reviews`'; a refused step shows the page again with why, keeping the text.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::AppState;
use super::admission::Db;
use super::auth::CurrentUser;
use super::error::Result;
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::paths;
use super::postmortem::{PendingForms, render_show};
use crate::app::{self, ChangeError};
use crate::domain::IncidentId;

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

/// Where the page goes after a step: its review section, or (refused) the page again, 422,
/// saying why and keeping the text.
async fn answer(
    state: &AppState,
    db: &mut PgConnection,
    viewer: Viewer,
    id: IncidentId,
    form: CommentForm,
    outcome: app::Result<()>,
) -> Result<Response> {
    match outcome {
        Ok(()) => Ok((StatusCode::SEE_OTHER, Redirect::to(&paths::incident_review(id))).into_response()),
        Err(ChangeError::Refused(why)) => {
            render_show(
                state,
                &mut *db,
                viewer,
                id,
                PendingForms { review: Some((why, form.body)), ..PendingForms::default() },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

/// Submits a complete draft for review.
pub async fn submit(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let outcome = app::reviews::submit(&mut db, user.id, id, &form.body).await;
    answer(&state, &mut db, viewer, id, form, outcome).await
}

/// Publishes a complete draft whose severity needs no approval.
pub async fn publish(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let outcome = app::reviews::publish(&mut db, user.id, id, &form.body).await;
    answer(&state, &mut db, viewer, id, form, outcome).await
}

/// Approves a postmortem in review, which publishes it (managers).
pub async fn approve(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let outcome = app::reviews::approve(&mut db, user.id, id, &form.body).await;
    answer(&state, &mut db, viewer, id, form, outcome).await
}

/// Sends a postmortem in review back to its authors, saying what to change (managers).
pub async fn send_back(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let outcome = app::reviews::send_back(&mut db, user.id, id, &form.body).await;
    answer(&state, &mut db, viewer, id, form, outcome).await
}

/// Adds a comment to the review discussion.
pub async fn comment(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let outcome = app::reviews::comment(&mut db, user.id, id, &form.body).await;
    answer(&state, &mut db, viewer, id, form, outcome).await
}
