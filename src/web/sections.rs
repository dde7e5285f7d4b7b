//! Extra sections: added from the postmortem page, edited on their own page.

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
use crate::domain::input::{FieldErrors, SectionForm};
use crate::domain::{IncidentId, SectionId};

#[derive(Template, WebTemplate)]
#[template(path = "sections/edit.html")]
pub struct EditPage {
    viewer: Viewer,
    incident_id: IncidentId,
    incident_title: String,
    section_id: SectionId,
    form: SectionForm,
    errors: FieldErrors,
    /// Set when someone saved the section after this page was loaded.
    conflict: Option<Conflict>,
}

impl EditPage {
    async fn new(
        db: &mut PgConnection,
        viewer: Viewer,
        (incident_id, section_id): (IncidentId, SectionId),
        form: SectionForm,
    ) -> Result<EditPage> {
        let incident = db::incidents::find(&mut *db, incident_id).await?.ok_or(AppError::NotFound)?;
        Ok(EditPage {
            viewer,
            incident_id,
            incident_title: incident.title,
            section_id,
            form,
            errors: FieldErrors::default(),
            conflict: None,
        })
    }
}

/// The section as saved now, as the form that edits it.
async fn saved(db: &mut PgConnection, id: IncidentId, section_id: SectionId) -> Result<SectionForm> {
    let section = db::sections::find(&mut *db, id, section_id).await?.ok_or(AppError::NotFound)?;
    Ok(SectionForm::from_section(&section.row, section.version))
}

fn anchor(id: IncidentId, section: SectionId) -> Redirect {
    Redirect::to(&paths::incident_section(id, section))
}

pub async fn create(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<SectionForm>,
) -> Result<Response> {
    match app::sections::add(&mut db, Actor::from(&user), id, &form).await {
        Ok(section) => Ok(anchor(id, section).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            render_show(
                &state,
                &mut db,
                viewer,
                id,
                PendingForms { section: Some((form, errors)), ..PendingForms::default() },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn edit(
    mut db: Db,
    viewer: Viewer,
    Path((id, section_id)): Path<(IncidentId, SectionId)>,
) -> Result<EditPage> {
    let form = saved(&mut db, id, section_id).await?;
    EditPage::new(&mut db, viewer, (id, section_id), form).await
}

pub async fn update(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, section_id)): Path<(IncidentId, SectionId)>,
    Form(form): Form<SectionForm>,
) -> Result<Response> {
    let errors = match app::sections::edit(&mut db, Actor::from(&user), id, section_id, &form).await {
        Ok(()) => return Ok(anchor(id, section_id).into_response()),
        Err(ChangeError::Invalid(errors)) => errors,
        Err(ChangeError::Stale) => {
            // Someone saved it since this form loaded: keep what was typed, show theirs, and
            // move the form to their version so that saving again knowingly replaces it.
            let theirs = saved(&mut db, id, section_id).await?;
            let conflict = Conflict::save([
                ("Heading", theirs.heading.as_str(), form.heading.as_str(), theirs.heading.clone()),
                ("Text", theirs.body.as_str(), form.body.as_str(), theirs.body.clone()),
            ]);
            let form = SectionForm { version: theirs.version, ..form };
            let mut page = EditPage::new(&mut db, viewer, (id, section_id), form).await?;
            page.conflict = Some(conflict);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let mut page = EditPage::new(&mut db, viewer, (id, section_id), form).await?;
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn delete(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, section_id)): Path<(IncidentId, SectionId)>,
    Form(form): Form<DeleteForm>,
) -> Result<Response> {
    match app::sections::delete(&mut db, Actor::from(&user), id, section_id, form.version()).await {
        Ok(()) => Ok(Redirect::to(&paths::incident_more_sections(id)).into_response()),
        // Someone saved it since the page loaded: not deleted; their version is shown instead.
        Err(ChangeError::Stale) => {
            let theirs = saved(&mut db, id, section_id).await?;
            let mut page = EditPage::new(&mut db, viewer, (id, section_id), theirs).await?;
            page.conflict = Some(Conflict::deletion());
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
