//! Extra sections: added from the postmortem page, edited on their own page.

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
use crate::domain::input::{FieldErrors, SectionForm};
use crate::domain::{IncidentId, SectionId};

#[derive(Template, WebTemplate)]
#[template(path = "sections/edit.html")]
pub struct EditPage {
    incident_id: IncidentId,
    incident_title: String,
    section_id: SectionId,
    form: SectionForm,
    errors: FieldErrors,
}

fn anchor(id: IncidentId, section: SectionId) -> Redirect {
    Redirect::to(&format!("/incidents/{id}#section-{section}"))
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<SectionForm>,
) -> Result<Response> {
    match form.validate() {
        Ok(draft) => {
            if db::incidents::find(&state.pool, id).await?.is_none() {
                return Err(AppError::NotFound);
            }
            let mut tx = state.pool.begin().await?;
            let section = db::sections::insert(&mut *tx, id, &draft).await?;
            let summary = format!("Added the section “{}”", draft.heading);
            db::audit::record(&mut *tx, user.id, "section.added", &summary, Some(id)).await?;
            db::revisions::record(&mut tx, id, Some(user.id), Step::Edit).await?;
            tx.commit().await?;
            Ok(anchor(id, section).into_response())
        }
        Err(errors) => {
            render_show(&state, id, PendingForms { section: Some((form, errors)), ..PendingForms::default() }).await
        }
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Path((id, section_id)): Path<(IncidentId, SectionId)>,
) -> Result<EditPage> {
    let incident = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    let section = db::sections::find(&state.pool, id, section_id).await?.ok_or(AppError::NotFound)?;
    Ok(EditPage {
        incident_id: id,
        incident_title: incident.title,
        section_id,
        form: SectionForm::from_section(&section),
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, section_id)): Path<(IncidentId, SectionId)>,
    Form(form): Form<SectionForm>,
) -> Result<Response> {
    match form.validate() {
        Ok(draft) => {
            let mut tx = state.pool.begin().await?;
            if !db::sections::update(&mut *tx, id, section_id, &draft).await? {
                return Err(AppError::NotFound);
            }
            let summary = format!("Edited the section “{}”", draft.heading);
            db::audit::record(&mut *tx, user.id, "section.edited", &summary, Some(id)).await?;
            db::revisions::record(&mut tx, id, Some(user.id), Step::Edit).await?;
            tx.commit().await?;
            Ok(anchor(id, section_id).into_response())
        }
        Err(errors) => {
            let incident = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
            let page = EditPage { incident_id: id, incident_title: incident.title, section_id, form, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, section_id)): Path<(IncidentId, SectionId)>,
) -> Result<Redirect> {
    let mut tx = state.pool.begin().await?;
    if !db::sections::delete(&mut *tx, id, section_id).await? {
        return Err(AppError::NotFound);
    }
    db::audit::record(&mut *tx, user.id, "section.deleted", "Deleted a section", Some(id)).await?;
    db::revisions::record(&mut tx, id, Some(user.id), Step::Edit).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/incidents/{id}#more-sections")))
}
