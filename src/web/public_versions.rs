//! A postmortem's public version, from the inside (`/incidents/{id}/public`): what it shows (the
//! form), a preview of exactly what the public will see, where its approval stands, and each
//! role's buttons. The rules are `app::public_versions`'; a refused step shows the page again
//! saying why, with what was typed.

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
use super::conflict::Conflict;
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::paths;
use super::public::PublicView;
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{FieldErrors, PublicVersionForm};
use crate::domain::public::{PublicChoices, PublicState, PublicStep, PublicVersion};
use crate::domain::{IncidentId, Role, Status};
use crate::markdown::{RENDERER_VERSION, public as doc};

/// A step of the approval, as listed.
pub struct StepView {
    who: String,
    kind: PublicStep,
    note: String,
    when: String,
}

/// What the public sees now.
pub struct LiveView {
    approved: String,
    by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "public_versions/show.html")]
pub struct ShowPage {
    viewer: Viewer,
    id: IncidentId,
    /// The postmortem's own title, as the app shows it.
    title: String,
    published: bool,
    /// Its public version, once saved.
    public: Option<PublicVersion>,
    state: PublicState,
    /// The public page's full address, once there is one.
    address: Option<String>,
    live: Option<LiveView>,
    /// What the public sees is older than what the preview shows.
    older: bool,
    /// Who saved the choices last, and how long ago.
    edited: Option<(String, String)>,
    /// The preview: what the public will see once approved.
    doc: PublicView,
    /// The preview's fingerprint, which an approval carries.
    digest: String,
    warnings: Vec<String>,
    form: PublicVersionForm,
    errors: FieldErrors,
    /// Why a step was refused.
    refusal: Option<String>,
    conflict: Option<Conflict>,
    /// What was typed with a refused step (sending back, withdrawing).
    step_note: String,
    steps: Vec<StepView>,
    can_edit: bool,
    can_review: bool,
    /// The viewer submitted it or edited it last, so may not approve it.
    own_request: bool,
}

/// What a refused request brings back to the page.
#[derive(Default)]
struct Pending {
    form: Option<(PublicVersionForm, FieldErrors)>,
    refusal: Option<String>,
    conflict: Option<Conflict>,
    step_note: String,
}

async fn page(
    state: &AppState,
    db: &mut PgConnection,
    viewer: Viewer,
    id: IncidentId,
    pending: Pending,
) -> Result<ShowPage> {
    let postmortem = db::postmortems::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let public = db::public_versions::find(&mut *db, id).await?;
    let steps = match &public {
        Some(_) => db::public_versions::steps(&mut *db, id).await?,
        None => Vec::new(),
    };
    let choices = public.as_ref().map_or_else(PublicChoices::new, |public| public.choices.clone());
    let warnings = doc::warnings(&postmortem, &choices);
    let (title, published) = (postmortem.incident.title.clone(), postmortem.incident.status == Status::Published);
    let composed = app::public_versions::composed(postmortem, choices).await?;
    let me = viewer.user().map(|user| user.id);
    let own_request = me.is_some() && public.as_ref().is_some_and(|p| p.submitted_by == me || p.edited_by == me);
    let (form, errors) = pending.form.unwrap_or_else(|| {
        let form = public.as_ref().map_or_else(PublicVersionForm::blank, PublicVersionForm::from_version);
        (form, FieldErrors::default())
    });
    let live = public.as_ref().and_then(|public| public.public.as_ref());
    Ok(ShowPage {
        id,
        title,
        published,
        state: public.as_ref().map_or(PublicState::Draft, |public| public.state),
        address: public.as_ref().map(|public| format!("{}{}", state.public_url, paths::public_page(&public.slug))),
        live: live.map(|live| LiveView {
            approved: super::layout::ago(live.at),
            by: live.by.clone().unwrap_or_else(|| "someone no longer here".to_owned()),
        }),
        older: live.is_some_and(|live| !doc::same_content(&live.document, &composed.document)),
        edited: public.as_ref().map(|public| {
            let who = public.edited_by_name.clone().unwrap_or_else(|| "the command line".to_owned());
            (who, super::layout::ago(public.edited_at))
        }),
        doc: PublicView::of(&composed.document, RENDERER_VERSION),
        digest: doc::digest(&composed.markdown),
        warnings,
        form,
        errors,
        refusal: pending.refusal,
        conflict: pending.conflict,
        step_note: pending.step_note,
        steps: steps
            .into_iter()
            .map(|step| StepView {
                who: step.actor,
                kind: step.kind,
                note: step.note,
                when: super::layout::ago(step.at),
            })
            .collect(),
        can_edit: viewer.can(Role::Engineer),
        can_review: viewer.can(Role::Manager),
        own_request,
        public,
        viewer,
    })
}

/// `GET /incidents/{id}/public`
pub async fn show(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Path(id): Path<IncidentId>,
) -> Result<ShowPage> {
    page(&state, &mut db, viewer, id, Pending::default()).await
}

/// The page again, with `status`, after a refused request.
async fn again(
    state: &AppState,
    db: &mut PgConnection,
    viewer: Viewer,
    id: IncidentId,
    status: StatusCode,
    pending: Pending,
) -> Result<Response> {
    Ok((status, page(state, db, viewer, id, pending).await?).into_response())
}

fn done(id: IncidentId) -> Response {
    Redirect::to(&paths::public_version(id)).into_response()
}

/// The form as `PublicVersionForm` has it, and which button sent it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveForm {
    #[serde(flatten)]
    form: PublicVersionForm,
    /// `submit`: save and ask for approval.
    action: String,
}

/// `POST /incidents/{id}/public`: saves the choices (and, with `action=submit`, asks for approval).
pub async fn save(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(SaveForm { form, action }): Form<SaveForm>,
) -> Result<Response> {
    let version = app::expected_version(form.base_version())?;
    let draft = match form.checked() {
        Ok(draft) => draft,
        Err(errors) => {
            let pending = Pending { form: Some((form, errors)), ..Pending::default() };
            return again(&state, &mut db, viewer, id, StatusCode::UNPROCESSABLE_ENTITY, pending).await;
        }
    };
    let outcome =
        app::public_versions::save(&mut db, Actor::from(&user), id, version, &draft, action == "submit").await;
    let (status, pending) = match outcome {
        Ok(()) => return Ok(done(id)),
        Err(ChangeError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Pending { form: Some((form, errors)), ..Pending::default() })
        }
        Err(ChangeError::Refused(why)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Pending { form: Some((form, FieldErrors::default())), refusal: Some(why), ..Pending::default() },
        ),
        // Someone saved it since this form was loaded: keep what was typed, show theirs, and
        // move the form to their version so that saving again knowingly replaces it.
        Err(ChangeError::Stale) => {
            let theirs = db::public_versions::find(&mut *db, id).await?;
            let theirs = theirs.as_ref().map_or_else(PublicVersionForm::blank, PublicVersionForm::from_version);
            let conflict = differences(&theirs, &form);
            let typed = PublicVersionForm { version: theirs.version.clone(), ..form };
            let pending =
                Pending { form: Some((typed, FieldErrors::default())), conflict: Some(conflict), ..Pending::default() };
            (StatusCode::CONFLICT, pending)
        }
        Err(error) => return Err(error.into()),
    };
    again(&state, &mut db, viewer, id, status, pending).await
}

/// What someone else saved that differs from the form, as the conflict box lists it.
fn differences(theirs: &PublicVersionForm, typed: &PublicVersionForm) -> Conflict {
    let parts = |form: &PublicVersionForm| {
        let ticked = [
            (&form.show_title, "title"),
            (&form.show_severity, "severity"),
            (&form.show_summary, "summary"),
            (&form.show_impact, "impact"),
            (&form.show_timeline, "timeline"),
            (&form.show_changes, "what changes"),
        ];
        ticked.iter().filter(|(on, _)| !on.is_empty()).map(|(_, name)| *name).collect::<Vec<_>>().join(", ")
    };
    let address = |form: &PublicVersionForm| {
        if form.chooses_address() { format!("/p/{}", form.slug.trim()) } else { "a random address".to_owned() }
    };
    let listed = |form: &PublicVersionForm| if form.listed.is_empty() { "Not listed" } else { "Listed" }.to_owned();
    let (their_parts, their_address, their_listed) = (parts(theirs), address(theirs), listed(theirs));
    Conflict::save([
        ("Parts shown", their_parts.as_str(), parts(typed).as_str(), their_parts.clone()),
        ("Public title", theirs.public_title.as_str(), typed.public_title.as_str(), theirs.public_title.clone()),
        ("Note", theirs.note.as_str(), typed.note.as_str(), theirs.note.clone()),
        ("Address", their_address.as_str(), address(typed).as_str(), their_address.clone()),
        ("In the public feed", their_listed.as_str(), listed(typed).as_str(), their_listed.clone()),
    ])
}

/// What a step of the approval sends: a note (sending back, withdrawing), and for an approval
/// the fingerprint of the preview approved.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    note: String,
    digest: String,
}

/// Where the page goes after a step: back to it, or (refused) to it again saying why.
async fn answer(
    state: &AppState,
    db: &mut PgConnection,
    viewer: Viewer,
    id: IncidentId,
    note: String,
    outcome: app::Result<()>,
) -> Result<Response> {
    let (status, why) = match outcome {
        Ok(()) => return Ok(done(id)),
        Err(ChangeError::Refused(why)) => (StatusCode::UNPROCESSABLE_ENTITY, why),
        Err(ChangeError::Stale) => (
            StatusCode::CONFLICT,
            "What the public would see changed after you loaded this page (the postmortem or its public version \
             was edited), so nothing was approved. Read the preview below again, and approve it if it is right."
                .to_owned(),
        ),
        Err(error) => return Err(error.into()),
    };
    again(state, db, viewer, id, status, Pending { refusal: Some(why), step_note: note, ..Pending::default() }).await
}

/// `POST /incidents/{id}/public/submit`
pub async fn submit(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
) -> Result<Response> {
    let outcome = app::public_versions::submit(&mut db, Actor::from(&user), id).await;
    answer(&state, &mut db, viewer, id, String::new(), outcome).await
}

/// `POST /incidents/{id}/public/approve` (managers)
pub async fn approve(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let outcome = app::public_versions::approve(&mut db, user.id, id, form.digest.trim()).await;
    answer(&state, &mut db, viewer, id, String::new(), outcome).await
}

/// `POST /incidents/{id}/public/send-back` (managers)
pub async fn send_back(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let outcome = app::public_versions::send_back(&mut db, user.id, id, &form.note).await;
    answer(&state, &mut db, viewer, id, form.note, outcome).await
}

/// `POST /incidents/{id}/public/withdraw` (managers)
pub async fn withdraw(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let outcome = app::public_versions::withdraw(&mut db, user.id, id, &form.note).await;
    answer(&state, &mut db, viewer, id, form.note, outcome).await
}
