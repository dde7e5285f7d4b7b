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
use super::conflict::{Conflict, DeleteForm};
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::paths;
use super::pickers::{Person, Shared};
use super::postmortem::{PendingForms, render_show};
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{ActionItemForm, FieldErrors, VerifyForm, is_web_address};
use crate::domain::time as t;
use crate::domain::{ActionItem, ActionItemId, ActionStatus, IncidentId, Team};

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
    /// Set when someone saved the item after this page was loaded.
    conflict: Option<Conflict>,
    /// Whether the saved item is done (only a done item can be verified).
    done: bool,
    verification: Option<Verification>,
    /// The verify form as typed, and what was wrong with it.
    verify: VerifyForm,
    verify_errors: FieldErrors,
    /// Set when someone else verified it while this page was open.
    verified_meanwhile: bool,
}

/// A verified item's verification as shown: by whom, on which day (UTC, as exported), and the
/// evidence, which is a link only when it is a web address.
pub struct Verification {
    pub by: String,
    pub on: String,
    pub evidence: String,
    pub evidence_is_link: bool,
}

impl Verification {
    pub fn of(item: &ActionItem) -> Option<Verification> {
        let at = item.verified_at?;
        Some(Verification {
            by: item.verifier.clone(),
            on: t::format_date(at.to_offset(time::UtcOffset::UTC).date()),
            evidence: item.verification_evidence.clone(),
            evidence_is_link: is_web_address(&item.verification_evidence),
        })
    }
}

impl EditPage {
    async fn new(
        state: &AppState,
        db: &mut PgConnection,
        viewer: Viewer,
        (incident_id, item_id): (IncidentId, ActionItemId),
        form: ActionItemForm,
        errors: FieldErrors,
        saved: &ActionItem,
    ) -> Result<EditPage> {
        let incident = db::incidents::find(&mut *db, incident_id).await?.ok_or(AppError::NotFound)?;
        let owner = saved.owner_id;
        Ok(EditPage {
            viewer,
            incident_id,
            incident_title: incident.title,
            item_id,
            form,
            errors,
            people: state.pickers.people(&mut *db, None, owner).await?,
            teams: state.pickers.teams(&mut *db, None).await?,
            conflict: None,
            done: saved.is_done(),
            verification: Verification::of(saved),
            verify: VerifyForm::default(),
            verify_errors: FieldErrors::default(),
            verified_meanwhile: false,
        })
    }
}

/// The saved item's fields that differ from what the form holds, as the conflict page lists them.
fn differences(saved: &ActionItem, typed: &ActionItemForm) -> Conflict {
    let theirs = ActionItemForm::from_item(saved);
    let label = |value: Option<&str>| value.unwrap_or_default().to_owned();
    Conflict::save([
        ("What needs doing", theirs.body.as_str(), typed.body.as_str(), saved.body.clone()),
        ("Kind", &theirs.kind, &typed.kind, label(saved.kind.map(|k| k.label()))),
        ("Priority", &theirs.priority, &typed.priority, label(saved.priority.map(|p| p.label()))),
        ("Owner", &theirs.owner_id, &typed.owner_id, saved.owner_person.clone().unwrap_or_default()),
        ("Owner's name", &theirs.owner, &typed.owner, saved.owner.clone()),
        ("Team", &theirs.team_id, &typed.team_id, saved.team_name.clone().unwrap_or_default()),
        ("Due", &theirs.due_on, &typed.due_on, theirs.due_on.clone()),
        ("Status", &theirs.status, &typed.status, saved.status.label().to_owned()),
        ("Why not", &theirs.wont_do_reason, &typed.wont_do_reason, saved.wont_do_reason.clone()),
        ("Ticket", &theirs.ticket_url, &typed.ticket_url, saved.ticket_url.clone()),
        ("How it was done", &theirs.completion_note, &typed.completion_note, saved.completion_note.clone()),
    ])
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
        &item,
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
                EditPage::new(&state, &mut db, viewer, (id, item_id), form, FieldErrors::default(), &saved).await?;
            page.conflict = Some(conflict);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let current = db::action_items::find(&mut *db, id, item_id).await?.ok_or(AppError::NotFound)?;
    let page = EditPage::new(&state, &mut db, viewer, (id, item_id), form, errors, &current).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// What a tick box sends: the state wanted (`true` done, `false` not) and the status the page
/// showed the item in (see `app::action_items::set_done`).
#[derive(Debug, Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    done: String,
    #[serde(default)]
    from: String,
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
    let Ok(from) = form.from.parse::<ActionStatus>() else {
        return Err(AppError::BadRequest(
            "The tick did not say which status it was ticked from, so nothing was changed. Reload the page and tick \
             it again."
                .into(),
        ));
    };
    app::action_items::set_done(&mut db, Actor::from(&user), id, item_id, done, from).await?;
    Ok(anchor(id))
}

pub async fn delete(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
    Form(form): Form<DeleteForm>,
) -> Result<Response> {
    match app::action_items::delete(&mut db, Actor::from(&user), id, item_id, form.version()).await {
        Ok(()) => Ok(anchor(id).into_response()),
        // Someone saved it since the page loaded: not deleted; their version is shown instead.
        Err(ChangeError::Stale) => {
            let saved = db::action_items::find(&mut *db, id, item_id).await?.ok_or(AppError::NotFound)?;
            let form = ActionItemForm::from_item(&saved);
            let mut page =
                EditPage::new(&state, &mut db, viewer, (id, item_id), form, FieldErrors::default(), &saved).await?;
            page.conflict = Some(Conflict::deletion());
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// Verifies a done item, from its page or the postmortem page. A refused form comes back on
/// the item's page with the evidence as typed.
pub async fn verify(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
    Form(form): Form<VerifyForm>,
) -> Result<Response> {
    let (status, errors, meanwhile) =
        match app::action_items::verify(&mut db, Actor::from(&user), id, item_id, &form).await {
            Ok(()) => return Ok(anchor(id).into_response()),
            Err(ChangeError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, false),
            // Someone else verified it first: theirs stands, and the page shows it.
            Err(ChangeError::Stale) => (StatusCode::CONFLICT, FieldErrors::default(), true),
            Err(error) => return Err(error.into()),
        };
    let saved = db::action_items::find(&mut *db, id, item_id).await?.ok_or(AppError::NotFound)?;
    let form_shown = ActionItemForm::from_item(&saved);
    let mut page =
        EditPage::new(&state, &mut db, viewer, (id, item_id), form_shown, FieldErrors::default(), &saved).await?;
    page.verify = form;
    page.verify_errors = errors;
    page.verified_meanwhile = meanwhile;
    Ok((status, page).into_response())
}

/// Withdraws an item's verification (see `app::action_items::unverify` for who may).
pub async fn unverify(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, item_id)): Path<(IncidentId, ActionItemId)>,
) -> Result<Redirect> {
    app::action_items::unverify(&mut db, Actor::from(&user), id, item_id).await?;
    Ok(anchor(id))
}
