//! Timeline entries: added from the postmortem page, edited on their own page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::incidents::{PendingForms, render_show};
use crate::db;
use crate::db::revisions::Step;
use crate::domain::input::{FieldErrors, TimelineForm};
use crate::domain::{IncidentId, TimelineEntryId};

#[derive(Template, WebTemplate)]
#[template(path = "timeline/edit.html")]
pub struct EditPage {
    incident_id: IncidentId,
    incident_title: String,
    entry_id: TimelineEntryId,
    time_label: String,
    form: TimelineForm,
    errors: FieldErrors,
}

fn anchor(id: IncidentId) -> Redirect {
    Redirect::to(&format!("/incidents/{id}#timeline"))
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<TimelineForm>,
) -> Result<Response> {
    let incident = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    match form.validate(&incident) {
        Ok(draft) => {
            let mut tx = state.pool.begin().await?;
            db::timeline::insert(&mut *tx, id, &draft).await?;
            db::audit::record(&mut *tx, user.id, "timeline.added", "Added a timeline entry", Some(id)).await?;
            db::revisions::record(&mut tx, id, Some(user.id), Step::Edit).await?;
            tx.commit().await?;
            Ok(anchor(id).into_response())
        }
        Err(errors) => {
            render_show(&state, id, PendingForms { entry: Some((form, errors)), ..PendingForms::default() }).await
        }
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
) -> Result<EditPage> {
    let incident = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    let entry = db::timeline::find(&state.pool, id, entry_id).await?.ok_or(AppError::NotFound)?;
    Ok(EditPage {
        form: TimelineForm::from_entry(&entry, incident.offset),
        time_label: format!("Time ({})", incident.offset),
        incident_id: id,
        incident_title: incident.title,
        entry_id,
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
    Form(form): Form<TimelineForm>,
) -> Result<Response> {
    let incident = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    match form.validate(&incident) {
        Ok(draft) => {
            let mut tx = state.pool.begin().await?;
            if !db::timeline::update(&mut *tx, id, entry_id, &draft).await? {
                return Err(AppError::NotFound);
            }
            db::audit::record(&mut *tx, user.id, "timeline.edited", "Edited a timeline entry", Some(id)).await?;
            db::revisions::record(&mut tx, id, Some(user.id), Step::Edit).await?;
            tx.commit().await?;
            Ok(anchor(id).into_response())
        }
        Err(errors) => {
            let page = EditPage {
                time_label: format!("Time ({})", incident.offset),
                incident_id: id,
                incident_title: incident.title,
                entry_id,
                form,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
) -> Result<Redirect> {
    let mut tx = state.pool.begin().await?;
    if !db::timeline::delete(&mut *tx, id, entry_id).await? {
        return Err(AppError::NotFound);
    }
    db::audit::record(&mut *tx, user.id, "timeline.deleted", "Deleted a timeline entry", Some(id)).await?;
    db::revisions::record(&mut tx, id, Some(user.id), Step::Edit).await?;
    tx.commit().await?;
    Ok(anchor(id))
}
