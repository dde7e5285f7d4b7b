//! Action items: added and ticked done from the postmortem page, edited on their own page.

use askama::Template;
use askama_web::WebTemplate;
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
use crate::domain::input::{ActionItemForm, FieldErrors};
use crate::domain::{ActionItemId, IncidentId};

#[derive(Template, WebTemplate)]
#[template(path = "action_items/edit.html")]
pub struct EditPage {
    incident_id: IncidentId,
    incident_title: String,
    item_id: ActionItemId,
    form: ActionItemForm,
    errors: FieldErrors,
}

fn anchor(id: IncidentId) -> Redirect {
    Redirect::to(&format!("/incidents/{id}#action-items"))
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<ActionItemForm>,
) -> Result<Response> {
    match form.validate() {
        Ok(draft) => {
            // The foreign key turns a vanished incident into an error; check first for a clean 404.
            if db::incidents::find(&state.pool, id).await?.is_none() {
                return Err(AppError::NotFound);
            }
            let mut tx = state.pool.begin().await?;
            db::action_items::insert(&mut *tx, id, &draft).await?;
            let summary = format!("Added the action item “{}”", draft.body);
            db::audit::record(&mut *tx, user.id, "action_item.added", &summary, Some(id)).await?;
            tx.commit().await?;
            Ok(anchor(id).into_response())
        }
        Err(errors) => {
            render_show(&state, id, PendingForms { item: Some((form, errors)), ..PendingForms::default() }).await
        }
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
) -> Result<EditPage> {
    let incident = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    let item = db::action_items::find(&state.pool, id, item_id).await?.ok_or(AppError::NotFound)?;
    Ok(EditPage {
        incident_id: id,
        incident_title: incident.title,
        item_id,
        form: ActionItemForm::from_item(&item),
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
    Form(form): Form<ActionItemForm>,
) -> Result<Response> {
    match form.validate() {
        Ok(draft) => {
            let mut tx = state.pool.begin().await?;
            if !db::action_items::update(&mut *tx, id, item_id, &draft).await? {
                return Err(AppError::NotFound);
            }
            let summary = format!("Edited the action item “{}”", draft.body);
            db::audit::record(&mut *tx, user.id, "action_item.edited", &summary, Some(id)).await?;
            tx.commit().await?;
            Ok(anchor(id).into_response())
        }
        Err(errors) => {
            let incident = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
            let page = EditPage { incident_id: id, incident_title: incident.title, item_id, form, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DoneForm {
    done: String,
}

/// Ticks an item done (or reopens it) from the postmortem page.
pub async fn set_done(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
    Form(form): Form<DoneForm>,
) -> Result<Redirect> {
    let done = match form.done.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("`done` must be true or false.".into())),
    };
    let mut tx = state.pool.begin().await?;
    if !db::action_items::set_done(&mut *tx, id, item_id, done).await? {
        return Err(AppError::NotFound);
    }
    let summary = if done { "Marked an action item done" } else { "Reopened an action item" };
    db::audit::record(&mut *tx, user.id, "action_item.done", summary, Some(id)).await?;
    tx.commit().await?;
    Ok(anchor(id))
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
) -> Result<Redirect> {
    let mut tx = state.pool.begin().await?;
    if !db::action_items::delete(&mut *tx, id, item_id).await? {
        return Err(AppError::NotFound);
    }
    db::audit::record(&mut *tx, user.id, "action_item.deleted", "Deleted an action item", Some(id)).await?;
    tx.commit().await?;
    Ok(anchor(id))
}
