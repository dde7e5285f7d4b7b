//! Timeline entries: added from the postmortem page, edited on their own page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use super::AppState;
use super::admission::Db;
use super::auth::CurrentUser;
use super::conflict::{Conflict, DeleteForm};
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::paths;
use super::postmortem::{PendingForms, render_show};
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{FieldErrors, TimelineForm};
use crate::domain::{Incident, IncidentId, TimelineEntryId};

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
    /// Set when someone saved the entry after this page was loaded.
    conflict: Option<Conflict>,
}

impl EditPage {
    fn new(viewer: Viewer, incident: &Incident, entry_id: TimelineEntryId, form: TimelineForm) -> EditPage {
        EditPage {
            viewer,
            incident_id: incident.id,
            incident_title: incident.title.clone(),
            entry_id,
            time_label: format!("Time ({})", incident.offset),
            form,
            errors: FieldErrors::default(),
            conflict: None,
        }
    }
}

/// The postmortem, and its entry as saved now with the form that edits it.
async fn saved(db: &mut PgConnection, id: IncidentId, entry_id: TimelineEntryId) -> Result<(Incident, TimelineForm)> {
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let entry = db::timeline::find(&mut *db, id, entry_id).await?.ok_or(AppError::NotFound)?;
    let form = TimelineForm::from_entry(&entry.row, entry.version, incident.offset);
    Ok((incident, form))
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
    let (incident, form) = saved(&mut db, id, entry_id).await?;
    Ok(EditPage::new(viewer, &incident, entry_id, form))
}

pub async fn update(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
    Form(form): Form<TimelineForm>,
) -> Result<Response> {
    let errors = match app::timeline::edit(&mut db, Actor::from(&user), id, entry_id, &form).await {
        Ok(()) => return Ok(anchor(id).into_response()),
        Err(ChangeError::Invalid(errors)) => errors,
        Err(ChangeError::Stale) => {
            // Someone saved it since this form loaded: keep what was typed, show theirs, and
            // move the form to their version so that saving again knowingly replaces it.
            let (incident, theirs) = saved(&mut db, id, entry_id).await?;
            let conflict = Conflict::save([
                ("Date", theirs.date.as_str(), form.date.as_str(), theirs.date.clone()),
                ("Time", theirs.time.as_str(), form.time.as_str(), theirs.time.clone()),
                ("What happened", theirs.body.as_str(), form.body.as_str(), theirs.body.clone()),
            ]);
            let mut page = EditPage::new(viewer, &incident, entry_id, TimelineForm { version: theirs.version, ..form });
            page.conflict = Some(conflict);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let mut page = EditPage::new(viewer, &incident, entry_id, form);
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn delete(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
    Form(form): Form<DeleteForm>,
) -> Result<Response> {
    match app::timeline::delete(&mut db, Actor::from(&user), id, entry_id, form.version()).await {
        Ok(()) => Ok(anchor(id).into_response()),
        // Someone saved it since the page loaded: not deleted; their version is shown instead.
        Err(ChangeError::Stale) => {
            let (incident, theirs) = saved(&mut db, id, entry_id).await?;
            let mut page = EditPage::new(viewer, &incident, entry_id, theirs);
            page.conflict = Some(Conflict::deletion());
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
