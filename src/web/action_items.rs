//! Action items: added and ticked done from the postmortem page, edited on their own page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::AppState;
use super::admission::Db;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::paths;
use super::pickers::{Person, Shared};
use super::postmortem::{PendingForms, render_show};
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{ActionItemForm, FieldErrors};
use crate::domain::{ActionItem, ActionItemId, IncidentId, Team, UserId};

#[derive(Template, WebTemplate)]
#[template(path = "action_items/edit.html")]
pub struct EditPage {
    viewer: Viewer,
    incident_id: IncidentId,
    incident_title: String,
    item_id: ActionItemId,
    form: ActionItemForm,
    errors: FieldErrors,
    people: Shared<Person>,
    teams: Shared<Team>,
    /// When someone saved the item after this form was loaded: what they saved, field by field
    /// where it differs from the form. The form keeps what this person typed.
    conflict: Vec<(&'static str, String)>,
}

impl EditPage {
    async fn new(
        state: &AppState,
        db: &mut PgConnection,
        viewer: Viewer,
        (incident_id, item_id): (IncidentId, ActionItemId),
        form: ActionItemForm,
        errors: FieldErrors,
        owner: Option<UserId>,
    ) -> Result<EditPage> {
        let incident = db::incidents::find(&mut *db, incident_id).await?.ok_or(AppError::NotFound)?;
        Ok(EditPage {
            viewer,
            incident_id,
            incident_title: incident.title,
            item_id,
            form,
            errors,
            people: state.pickers.people(&mut *db, None, owner).await?,
            teams: state.pickers.teams(&mut *db, None).await?,
            conflict: Vec::new(),
        })
    }
}

/// The saved item's fields that differ from what the form holds, as the conflict page lists them.
fn differences(saved: &ActionItem, theirs: &ActionItemForm) -> Vec<(&'static str, String)> {
    let ours = ActionItemForm::from_item(saved);
    let fields: [(&'static str, &String, &String, String); 11] = [
        ("What needs doing", &ours.body, &theirs.body, saved.body.clone()),
        ("Kind", &ours.kind, &theirs.kind, saved.kind.map(|k| k.label().to_owned()).unwrap_or_default()),
        (
            "Priority",
            &ours.priority,
            &theirs.priority,
            saved.priority.map(|p| p.label().to_owned()).unwrap_or_default(),
        ),
        ("Owner", &ours.owner_id, &theirs.owner_id, saved.owner_person.clone().unwrap_or_default()),
        ("Owner's name", &ours.owner, &theirs.owner, saved.owner.clone()),
        ("Team", &ours.team_id, &theirs.team_id, saved.team_name.clone().unwrap_or_default()),
        ("Due", &ours.due_on, &theirs.due_on, ours.due_on.clone()),
        ("Status", &ours.status, &theirs.status, saved.status.label().to_owned()),
        ("Why not", &ours.wont_do_reason, &theirs.wont_do_reason, saved.wont_do_reason.clone()),
        ("Ticket", &ours.ticket_url, &theirs.ticket_url, saved.ticket_url.clone()),
        ("How it was done", &ours.completion_note, &theirs.completion_note, saved.completion_note.clone()),
    ];
    fields
        .into_iter()
        .filter(|(_, saved, typed, _)| saved.trim() != typed.trim())
        .map(|(label, _, _, shown)| (label, if shown.is_empty() { "(empty)".to_owned() } else { shown }))
        .collect()
}

fn anchor(id: IncidentId) -> Redirect {
    Redirect::to(&paths::incident_action_items(id))
}

pub async fn create(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<ActionItemForm>,
) -> Result<Response> {
    match app::action_items::add(&mut db, Actor::from(&user), id, &form).await {
        Ok(_) => Ok(anchor(id).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            render_show(
                &state,
                &mut db,
                viewer,
                id,
                PendingForms { item: Some((form, errors)), ..PendingForms::default() },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
) -> Result<EditPage> {
    let item = db::action_items::find(&mut *db, id, item_id).await?.ok_or(AppError::NotFound)?;
    EditPage::new(
        &state,
        &mut db,
        viewer,
        (id, item_id),
        ActionItemForm::from_item(&item),
        FieldErrors::default(),
        item.owner_id,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
    Form(form): Form<ActionItemForm>,
) -> Result<Response> {
    let errors = match app::action_items::edit(&mut db, Actor::from(&user), id, item_id, &form).await {
        Ok(()) => return Ok(anchor(id).into_response()),
        Err(ChangeError::Invalid(errors)) => errors,
        Err(ChangeError::Stale) => {
            // Someone saved it since this form loaded: keep what was typed, show theirs, and
            // move the form to their version so that saving again knowingly replaces it.
            let saved = db::action_items::find(&mut *db, id, item_id).await?.ok_or(AppError::NotFound)?;
            let conflict = differences(&saved, &form);
            let mut form = form;
            form.version = saved.version.to_string();
            let mut page =
                EditPage::new(&state, &mut db, viewer, (id, item_id), form, FieldErrors::default(), saved.owner_id)
                    .await?;
            page.conflict = conflict;
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let current = db::action_items::find(&mut *db, id, item_id).await?.ok_or(AppError::NotFound)?.owner_id;
    let page = EditPage::new(&state, &mut db, viewer, (id, item_id), form, errors, current).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DoneForm {
    done: String,
}

/// Ticks an item done (or reopens it) from the postmortem page.
pub async fn set_done(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
    Form(form): Form<DoneForm>,
) -> Result<Redirect> {
    let done = match form.done.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("`done` must be true or false.".into())),
    };
    app::action_items::set_done(&mut db, Actor::from(&user), id, item_id, done).await?;
    Ok(anchor(id))
}

pub async fn delete(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
) -> Result<Redirect> {
    app::action_items::delete(&mut db, Actor::from(&user), id, item_id).await?;
    Ok(anchor(id))
}
