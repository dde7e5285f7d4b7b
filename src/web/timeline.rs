//! Timeline entries: added from the postmortem page, edited on their own page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::admission::Db;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::paths;
use super::postmortem::{PendingForms, render_show};
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{FieldErrors, TimelineForm};
use crate::domain::{IncidentId, TimelineEntryId};

#[derive(Template, WebTemplate)]
#[template(path = "timeline/edit.html")]
pub struct EditPage {
    viewer: Viewer,
    incident_id: IncidentId,
    incident_title: String,
    entry_id: TimelineEntryId,
    time_label: String,
    form: TimelineForm,
    errors: FieldErrors,
}

fn anchor(id: IncidentId) -> Redirect {
    Redirect::to(&paths::incident_timeline(id))
}

pub async fn create(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<TimelineForm>,
) -> Result<Response> {
    match app::timeline::add(&mut db, Actor::from(&user), id, &form).await {
        Ok(_) => Ok(anchor(id).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            render_show(
                &state,
                &mut db,
                viewer,
                id,
                PendingForms { entry: Some((form, errors)), ..PendingForms::default() },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn edit(
    mut db: Db,
    viewer: Viewer,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
) -> Result<EditPage> {
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let entry = db::timeline::find(&mut *db, id, entry_id).await?.ok_or(AppError::NotFound)?;
    Ok(EditPage {
        viewer,
        form: TimelineForm::from_entry(&entry, incident.offset),
        time_label: format!("Time ({})", incident.offset),
        incident_id: id,
        incident_title: incident.title,
        entry_id,
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
    Form(form): Form<TimelineForm>,
) -> Result<Response> {
    match app::timeline::edit(&mut db, Actor::from(&user), id, entry_id, &form).await {
        Ok(()) => Ok(anchor(id).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
            let page = EditPage {
                viewer,
                time_label: format!("Time ({})", incident.offset),
                incident_id: id,
                incident_title: incident.title,
                entry_id,
                form,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn delete(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
) -> Result<Redirect> {
    app::timeline::delete(&mut db, Actor::from(&user), id, entry_id).await?;
    Ok(anchor(id))
}
