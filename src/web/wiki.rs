//! Administration of wiki destinations: git repositories published postmortems are committed
//! to. Each destination's page shows the deploy key to add to the repository, the server's host
//! key as first seen, how the queue stands (the last sync, the last error, what is waiting), the
//! log of what each sync committed, and *Sync now*.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use super::AppState;
use super::admission::Db;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::{Viewer, ago, until};
use super::paths;
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::db::wiki::{Destination, LoggedJob};
use crate::domain::input::{FieldErrors, version_field};
use crate::domain::{Team, WikiDestinationId};
use crate::wiki::git::fingerprints;
use crate::wiki::settings::{Auth, DestinationForm};

/// Jobs shown in a destination's log.
const LOG_LENGTH: i64 = 50;

/// Reads the add and edit forms (teams and services repeat).
fn read_form(pairs: Vec<(String, String)>) -> DestinationForm {
    let mut form = DestinationForm { active: false, ..DestinationForm::default() };
    for (name, value) in pairs {
        match name.as_str() {
            "name" => form.name = value,
            "url" => form.url = value,
            "branch" => form.branch = value,
            "folder" => form.folder = value,
            "file_pattern" => form.file_pattern = value,
            "index_name" => form.index_name = value,
            "token_user" => form.token_user = value,
            // A token is pasted: surrounding space is never part of it.
            "token" => form.token = value.trim().to_owned(),
            "teams" => form.team_ids.extend(value.parse::<i64>().ok()),
            "services" => form.service_ids.extend(value.parse::<i64>().ok()),
            "active" => form.active = true,
            "version" => form.version = value,
            _ => {}
        }
    }
    form
}

/// The form of a destination as saved (never its secret).
fn form_of(destination: &Destination) -> DestinationForm {
    DestinationForm {
        name: destination.name.clone(),
        url: destination.url.clone(),
        branch: destination.branch.clone(),
        folder: destination.folder.clone(),
        file_pattern: destination.file_pattern.clone(),
        index_name: destination.index_name.clone(),
        token_user: if destination.token_user.is_empty() { "git".into() } else { destination.token_user.clone() },
        token: String::new(),
        team_ids: destination.team_ids.clone(),
        service_ids: destination.service_ids.clone(),
        active: destination.active,
        version: destination.version.to_string(),
    }
}

/// The repository field's hint, naming `file://` where the operator allows it.
pub fn url_hint(allow_file_urls: bool) -> &'static str {
    if allow_file_urls {
        "SSH (git@github.com:team/repo.wiki.git: Hindsight makes a deploy key to add to the repository), HTTPS with a token (https://gitlab.example.com/team/wiki.git), or a repository on this machine (file:///srv/git/wiki.git)."
    } else {
        "SSH (git@github.com:team/repo.wiki.git: Hindsight makes a deploy key to add to the repository) or HTTPS with a token (https://gitlab.example.com/team/wiki.git)."
    }
}

/// The teams and services a destination may be limited to.
pub struct Choices {
    teams: Vec<Team>,
    services: Vec<(i64, String)>,
}

impl Choices {
    async fn load(db: &mut PgConnection) -> Result<Choices> {
        let teams = db::teams::all(&mut *db).await?;
        let services = db::services::listing(&mut *db).await?.into_iter().map(|s| (s.id.0, s.name)).collect();
        Ok(Choices { teams, services })
    }
}

/// A destination in the list, with how it stands in words.
pub struct Row {
    destination: Destination,
    state: String,
}

/// How a destination stands: synced when, waiting, or failing and when it tries again.
fn state_of(destination: &Destination) -> String {
    if !destination.active {
        return "Paused".into();
    }
    if destination.attempts > 0 {
        return format!(
            "Failing ({} attempt{}); tries again {}",
            destination.attempts,
            if destination.attempts == 1 { "" } else { "s" },
            until(destination.next_attempt_at)
        );
    }
    match (destination.pending, destination.last_synced_at) {
        (0, Some(at)) => format!("Up to date, synced {}", ago(at)),
        (0, None) => "Nothing synced yet".into(),
        (n, _) => format!("{n} change{} waiting", if n == 1 { "" } else { "s" }),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/wiki.html")]
pub struct ListPage {
    viewer: Viewer,
    rows: Vec<Row>,
    form: DestinationForm,
    choices: Choices,
    errors: FieldErrors,
    allow_file_urls: bool,
}

async fn list_page(
    db: &mut PgConnection,
    viewer: Viewer,
    form: DestinationForm,
    errors: FieldErrors,
    allow_file_urls: bool,
) -> Result<ListPage> {
    let rows = db::wiki::list(&mut *db)
        .await?
        .into_iter()
        .map(|destination| Row { state: state_of(&destination), destination })
        .collect();
    let choices = Choices::load(db).await?;
    Ok(ListPage { viewer, rows, form, choices, errors, allow_file_urls })
}

/// `GET /admin/wiki`
pub async fn index(State(state): State<AppState>, mut db: Db, viewer: Viewer) -> Result<ListPage> {
    list_page(&mut db, viewer, DestinationForm::blank(), FieldErrors::default(), state.wiki.allow_file_urls).await
}

/// `POST /admin/wiki`: adds a destination (an SSH one with a new deploy key) and queues its
/// first sync, then shows it.
pub async fn create(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let form = read_form(pairs);
    let allow = state.wiki.allow_file_urls;
    let created = match form.checked(allow) {
        Ok(settings) => app::wiki::create(&mut db, Actor::from(&admin), &state.wiki, &settings, &form.token).await,
        Err(errors) => Err(ChangeError::Invalid(errors)),
    };
    match created {
        Ok(id) => Ok(Redirect::to(&paths::wiki_destination(id)).into_response()),
        // The token is not sent back into the page.
        Err(ChangeError::Invalid(errors)) => {
            let form = DestinationForm { token: String::new(), ..form };
            let page = list_page(&mut db, viewer, form, errors, allow).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// A log line as the page shows it.
pub struct LogRow {
    job: LoggedJob,
    what: String,
    when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/wiki_destination.html")]
pub struct ShowPage {
    viewer: Viewer,
    destination: Destination,
    state: String,
    form: DestinationForm,
    choices: Choices,
    errors: FieldErrors,
    /// Another admin saved it since the form was loaded.
    conflict: bool,
    host_keys: Vec<String>,
    log: Vec<LogRow>,
    allow_file_urls: bool,
}

impl ShowPage {
    fn is_ssh(&self) -> bool {
        Auth::parse(&self.destination.auth) == Auth::Ssh
    }

    fn is_token(&self) -> bool {
        Auth::parse(&self.destination.auth) == Auth::Token
    }
}

fn what(job: &LoggedJob) -> String {
    match (job.kind.as_str(), job.incident_id) {
        ("revision", Some(incident)) => format!("Postmortem #{incident} changed"),
        ("removal", Some(incident)) => format!("Postmortem #{incident} deleted"),
        ("rebuild", _) => "Write everything again".into(),
        _ => job.kind.clone(),
    }
}

async fn show_page(
    db: &mut PgConnection,
    viewer: Viewer,
    id: WikiDestinationId,
    form: Option<DestinationForm>,
    errors: FieldErrors,
    allow_file_urls: bool,
) -> Result<ShowPage> {
    let destination = db::wiki::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let log = db::wiki::log(&mut *db, id, LOG_LENGTH)
        .await?
        .into_iter()
        .map(|job| LogRow { what: what(&job), when: ago(job.created_at), job })
        .collect();
    let choices = Choices::load(db).await?;
    Ok(ShowPage {
        viewer,
        state: state_of(&destination),
        form: form.unwrap_or_else(|| form_of(&destination)),
        host_keys: fingerprints(&destination.known_hosts),
        destination,
        choices,
        errors,
        conflict: false,
        log,
        allow_file_urls,
    })
}

/// `GET /admin/wiki/{destination}`
pub async fn show(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Path(id): Path<WikiDestinationId>,
) -> Result<ShowPage> {
    show_page(&mut db, viewer, id, None, FieldErrors::default(), state.wiki.allow_file_urls).await
}

/// `POST /admin/wiki/{destination}`: changes the settings (or pauses it) and queues a sync
/// that writes it whole again.
pub async fn update(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<WikiDestinationId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let form = read_form(pairs);
    let version = app::expected_version(version_field(&form.version))?;
    let allow = state.wiki.allow_file_urls;
    let updated = match form.checked(allow) {
        Ok(settings) => {
            app::wiki::update(&mut db, Actor::from(&admin), &state.wiki, id, version, &settings, &form.token).await
        }
        Err(errors) => Err(ChangeError::Invalid(errors)),
    };
    match updated {
        Ok(()) => Ok(Redirect::to(&paths::wiki_destination(id)).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            let form = DestinationForm { token: String::new(), ..form };
            let page = show_page(&mut db, viewer, id, Some(form), errors, allow).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        // Another admin saved it since: keep what was typed (the token aside), show that it
        // changed, and move the form to their version so that saving again replaces it knowingly.
        Err(ChangeError::Stale) => {
            let typed = DestinationForm { token: String::new(), ..form };
            let mut page = show_page(&mut db, viewer, id, Some(typed), FieldErrors::default(), allow).await?;
            page.form.version = page.destination.version.to_string();
            page.conflict = true;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /admin/wiki/{destination}/sync`: *Sync now*.
pub async fn sync(mut db: Db, CurrentUser(admin): CurrentUser, Path(id): Path<WikiDestinationId>) -> Result<Redirect> {
    app::wiki::sync_now(&mut db, Actor::from(&admin), id).await?;
    Ok(Redirect::to(&paths::wiki_log(id)))
}

/// `POST /admin/wiki/{destination}/forget-host-key`
pub async fn forget_host_key(
    mut db: Db,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<WikiDestinationId>,
) -> Result<Redirect> {
    app::wiki::forget_host_key(&mut db, Actor::from(&admin), id).await?;
    Ok(Redirect::to(&paths::wiki_destination(id)))
}

/// `POST /admin/wiki/{destination}/new-key`
pub async fn new_key(
    State(state): State<AppState>,
    mut db: Db,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<WikiDestinationId>,
) -> Result<Redirect> {
    app::wiki::new_deploy_key(&mut db, Actor::from(&admin), &state.wiki, id).await?;
    Ok(Redirect::to(&paths::wiki_destination(id)))
}

/// `POST /admin/wiki/{destination}/delete`
pub async fn delete(
    mut db: Db,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<WikiDestinationId>,
) -> Result<Redirect> {
    app::wiki::delete(&mut db, Actor::from(&admin), id).await?;
    Ok(Redirect::to("/admin/wiki"))
}
