//! The review of a postmortem: an author submits it once it is complete, a manager approves
//! it (publishing it) or sends it back with the changes wanted, and anyone who writes can
//! comment in Markdown along the way.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::incidents::{PendingForms, render_show};
use crate::db;
use crate::db::revisions::Step;
use crate::domain::{IncidentId, Status};

/// Longest comment, in characters.
const MAX_COMMENT_CHARS: usize = 20_000;

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

impl CommentForm {
    /// What a review step says is a comment too, held to the same length.
    fn too_long(&self) -> Option<String> {
        (self.body.trim().chars().count() > MAX_COMMENT_CHARS)
            .then(|| format!("Keep what you say to {MAX_COMMENT_CHARS} characters."))
    }
}

fn anchor(id: IncidentId) -> Redirect {
    Redirect::to(&format!("/incidents/{id}#review"))
}

/// The postmortem page again, 422, saying why the step was refused and keeping the text.
async fn refuse(state: &AppState, id: IncidentId, why: impl Into<String>, text: &str) -> Result<Response> {
    let pending = PendingForms { review: Some((why.into(), text.to_owned())), ..PendingForms::default() };
    render_show(state, id, pending).await
}

/// Moves the postmortem and records the step with its text, in one transaction. Returns
/// false if it was no longer at `from`.
async fn step(
    state: &AppState,
    id: IncidentId,
    user: &crate::domain::User,
    (from, to): (Status, Status),
    kind: &str,
    text: &str,
) -> Result<bool> {
    let mut tx = state.pool.begin().await?;
    if !db::reviews::move_status(&mut *tx, id, from, to).await? {
        return Ok(false);
    }
    db::reviews::add(&mut *tx, id, user.id, kind, text.trim()).await?;
    let summary = format!("Moved the postmortem from {} to {}", from.label(), to.label());
    db::audit::record(&mut *tx, user.id, &format!("incident.{kind}"), &summary, Some(id)).await?;
    let revision = if to == Status::Published { Step::Publish } else { Step::Review };
    db::revisions::record(&mut tx, id, Some(user.id), revision).await?;
    tx.commit().await?;
    Ok(true)
}

/// Submits a complete draft for review.
pub async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let postmortem = db::load_postmortem(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    if let Some(why) = form.too_long() {
        return refuse(&state, id, why, &form.body).await;
    }
    if postmortem.incident.status != Status::Draft {
        return refuse(&state, id, "Only a draft can be submitted for review.", &form.body).await;
    }
    if !postmortem.missing_for_review().is_empty() {
        return refuse(&state, id, "Not ready for review yet: complete the list below first.", &form.body).await;
    }
    if !step(&state, id, &user, (Status::Draft, Status::InReview), "submitted", &form.body).await? {
        return refuse(&state, id, "Someone changed its status meanwhile. Check it and try again.", &form.body).await;
    }
    Ok(anchor(id).into_response())
}

/// Approves a postmortem in review, which publishes it (managers).
pub async fn approve(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let refused = "Only a postmortem in review can be approved.";
    decide(&state, id, &user, &form, (Status::Published, "approved"), refused).await
}

/// Sends a postmortem in review back to its authors, saying what to change (managers).
pub async fn send_back(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    if form.body.trim().is_empty() {
        return refuse(&state, id, "Say what should change before sending it back.", &form.body).await;
    }
    let refused = "Only a postmortem in review can be sent back.";
    decide(&state, id, &user, &form, (Status::Draft, "changes_requested"), refused).await
}

/// A manager's decision on a postmortem in review: moves it to `to`, recording the step as
/// `kind` with what they said, or shows the page again with `refused` if it is not in review.
async fn decide(
    state: &AppState,
    id: IncidentId,
    user: &crate::domain::User,
    form: &CommentForm,
    (to, kind): (Status, &str),
    refused: &str,
) -> Result<Response> {
    db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    if let Some(why) = form.too_long() {
        return refuse(state, id, why, &form.body).await;
    }
    if !step(state, id, user, (Status::InReview, to), kind, &form.body).await? {
        return refuse(state, id, refused, &form.body).await;
    }
    Ok(anchor(id).into_response())
}

/// Adds a comment to the review discussion.
pub async fn comment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > MAX_COMMENT_CHARS {
        let why = format!("Write a comment (up to {MAX_COMMENT_CHARS} characters).");
        return refuse(&state, id, why, &form.body).await;
    }
    let mut tx = state.pool.begin().await?;
    db::reviews::add(&mut *tx, id, user.id, "comment", body).await?;
    db::audit::record(&mut *tx, user.id, "incident.commented", "Commented on the review", Some(id)).await?;
    tx.commit().await?;
    Ok((StatusCode::SEE_OTHER, anchor(id)).into_response())
}
