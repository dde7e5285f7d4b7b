//! Extra sections: added from the postmortem page, edited on their own page.

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
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let section = db::sections::find(&mut *db, id, section_id).await?.ok_or(AppError::NotFound)?;
    Ok(EditPage {
        viewer,
        incident_id: id,
        incident_title: incident.title,
        section_id,
        form: SectionForm::from_section(&section),
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, section_id)): Path<(IncidentId, SectionId)>,
    Form(form): Form<SectionForm>,
) -> Result<Response> {
    match app::sections::edit(&mut db, Actor::from(&user), id, section_id, &form).await {
        Ok(()) => Ok(anchor(id, section_id).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
            let page = EditPage { viewer, incident_id: id, incident_title: incident.title, section_id, form, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn delete(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, section_id)): Path<(IncidentId, SectionId)>,
) -> Result<Redirect> {
    app::sections::delete(&mut db, Actor::from(&user), id, section_id).await?;
    Ok(Redirect::to(&paths::incident_more_sections(id)))
}
