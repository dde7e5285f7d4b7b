//! Administration of outbound webhooks: receivers, the events they get, their signing secret,
//! a test event, and the log of deliveries with a retry for those that failed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use super::AppState;
use super::admission::Db;
use super::auth::CurrentUser;
use super::conflict::Conflict;
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::{Viewer, until};
use super::paths;
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::db::webhooks::{Delivery, EVENTS, Webhook};
use crate::domain::input::{FieldErrors, is_web_address, version_field};
use crate::domain::{DeliveryId, WebhookId};
use crate::webhooks::ReceiverPolicy;

/// Deliveries shown in a receiver's log.
const LOG_LENGTH: i64 = 50;
const MAX_URL_CHARS: usize = 2000;

/// What the add and edit forms send: `url`, `events` once per ticked event, `active`, and the
/// edit form's `version`. Read as pairs because a form repeats `events`.
struct WebhookForm {
    url: String,
    events: Vec<String>,
    active: bool,
    version: String,
}

impl WebhookForm {
    fn read(pairs: Vec<(String, String)>) -> WebhookForm {
        let mut form = WebhookForm { url: String::new(), events: Vec::new(), active: false, version: String::new() };
        for (name, value) in pairs {
            match name.as_str() {
                "url" => form.url = value.trim().to_owned(),
                "events" => form.events.push(value),
                "active" => form.active = true,
                "version" => form.version = value,
                _ => {}
            }
        }
        form
    }

    /// The form of a receiver as saved.
    fn of(hook: &Webhook) -> WebhookForm {
        WebhookForm {
            url: hook.url.clone(),
            events: hook.events.clone(),
            active: hook.active,
            version: hook.version.to_string(),
        }
    }

    /// The URL and events to save, or what is wrong.
    fn checked(&self) -> std::result::Result<(String, Vec<String>), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            errors.add(
                "url",
                "This address contains a space or a control character (such as NUL), which no web address has.",
            );
        } else if !is_web_address(&self.url)
            || self.url.len() < "http://x".len()
            || self.url.chars().count() > MAX_URL_CHARS
        {
            errors.add("url", "Give the receiver's address, starting with https:// (or http://).");
        }
        let known: Vec<String> =
            EVENTS.iter().map(|(event, _)| (*event).to_owned()).filter(|event| self.events.contains(event)).collect();
        if known.is_empty() || known.len() != self.events.len() {
            errors.add("events", "Choose at least one of the events listed.");
        }
        if errors.is_empty() { Ok((self.url.clone(), known)) } else { Err(errors) }
    }

    /// As [`checked`](Self::checked), and the address where `receivers` allows a receiver to be.
    async fn allowed(&self, receivers: &ReceiverPolicy) -> std::result::Result<(String, Vec<String>), FieldErrors> {
        let (url, events) = self.checked()?;
        if let Err(refusal) = receivers.check_typed(&url).await {
            let mut errors = FieldErrors::default();
            errors.add("url", refusal.to_string());
            return Err(errors);
        }
        Ok((url, events))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhooks.html")]
pub struct ListPage {
    viewer: Viewer,
    hooks: Vec<Webhook>,
    events: &'static [(&'static str, &'static str)],
    url: String,
    chosen: Vec<String>,
    errors: FieldErrors,
}

impl ListPage {
    fn chosen(&self, event: &str) -> bool {
        self.chosen.iter().any(|chosen| chosen == event)
    }
}

async fn list_page(
    db: &mut PgConnection,
    viewer: Viewer,
    url: String,
    chosen: Vec<String>,
    errors: FieldErrors,
) -> Result<ListPage> {
    Ok(ListPage { viewer, hooks: db::webhooks::list(&mut *db).await?, events: EVENTS, url, chosen, errors })
}

/// `GET /admin/webhooks`
pub async fn index(mut db: Db, viewer: Viewer) -> Result<ListPage> {
    let every_event = EVENTS.iter().map(|(event, _)| (*event).to_owned()).collect();
    list_page(&mut db, viewer, String::new(), every_event, FieldErrors::default()).await
}

/// `POST /admin/webhooks`: adds a receiver with a new secret, then shows it.
pub async fn create(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let form = WebhookForm::read(pairs);
    let (url, events) = match form.allowed(&state.receivers).await {
        Ok(checked) => checked,
        Err(errors) => {
            let page = list_page(&mut db, viewer, form.url, form.events, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let id = app::webhooks::create(&mut db, Actor::from(&admin), &url, &events).await?;
    Ok(Redirect::to(&paths::webhook(id)).into_response())
}

/// A delivery as the log shows it.
pub struct DeliveryRow {
    pub delivery: Delivery,
    pub when: String,
    pub outcome: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhook.html")]
pub struct ShowPage {
    viewer: Viewer,
    hook: Webhook,
    events: &'static [(&'static str, &'static str)],
    /// The settings form: as saved, or as typed when refused.
    url: String,
    chosen: Vec<String>,
    active: bool,
    version: String,
    errors: FieldErrors,
    /// Set when another admin changed the receiver after the page was loaded.
    conflict: Option<Conflict>,
    log: Vec<DeliveryRow>,
    max_attempts: i32,
}

impl ShowPage {
    fn chosen(&self, event: &str) -> bool {
        self.chosen.iter().any(|chosen| chosen == event)
    }
}

fn outcome(delivery: &Delivery) -> String {
    let status = delivery.response_status.map(|code| format!("HTTP {code}"));
    match delivery.state.as_str() {
        "delivered" => status.unwrap_or_else(|| "Delivered".to_owned()),
        _ if delivery.attempts == 0 => "Waiting to be sent".to_owned(),
        "pending" => format!("{}; trying again {}", delivery.last_error, until(delivery.next_attempt_at)),
        _ => format!("{}; gave up", delivery.last_error),
    }
}

async fn show_page(
    db: &mut PgConnection,
    viewer: Viewer,
    id: WebhookId,
    form: Option<WebhookForm>,
    errors: FieldErrors,
) -> Result<ShowPage> {
    let hook = db::webhooks::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let log = db::webhooks::deliveries(&mut *db, id, LOG_LENGTH)
        .await?
        .into_iter()
        .map(|delivery| DeliveryRow {
            when: super::layout::ago(delivery.created_at),
            outcome: outcome(&delivery),
            delivery,
        })
        .collect();
    let form = form.unwrap_or_else(|| WebhookForm::of(&hook));
    Ok(ShowPage {
        viewer,
        hook,
        events: EVENTS,
        url: form.url,
        chosen: form.events,
        active: form.active,
        version: form.version,
        errors,
        conflict: None,
        log,
        max_attempts: crate::webhooks::MAX_ATTEMPTS,
    })
}

/// `GET /admin/webhooks/{hook}`
pub async fn show(mut db: Db, viewer: Viewer, Path(id): Path<WebhookId>) -> Result<ShowPage> {
    show_page(&mut db, viewer, id, None, FieldErrors::default()).await
}

/// `POST /admin/webhooks/{hook}`: changes the address, the events, or pauses it.
pub async fn update(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<WebhookId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let form = WebhookForm::read(pairs);
    // Before the fields: a form without its version would come back without one again.
    let version = app::expected_version(version_field(&form.version))?;
    let (url, events) = match form.allowed(&state.receivers).await {
        Ok(checked) => checked,
        Err(errors) => {
            let page = show_page(&mut db, viewer, id, Some(form), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match app::webhooks::update(&mut db, Actor::from(&admin), id, version, &url, &events, form.active).await {
        Ok(()) => Ok(Redirect::to(&paths::webhook(id)).into_response()),
        // Another admin changed it since this page loaded: keep what was typed, show theirs,
        // and move the form to their version so that saving again knowingly replaces it.
        Err(ChangeError::Stale) => {
            let mut page = show_page(&mut db, viewer, id, Some(form), FieldErrors::default()).await?;
            let theirs = WebhookForm::of(&page.hook);
            let typed = WebhookForm {
                url: page.url.clone(),
                events: page.chosen.clone(),
                active: page.active,
                version: String::new(),
            };
            page.conflict = Some(webhook_differences(&theirs, &typed));
            page.version = theirs.version;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// What another admin saved that differs from the form, as the conflict page lists it.
fn webhook_differences(theirs: &WebhookForm, typed: &WebhookForm) -> Conflict {
    let events = |form: &WebhookForm| {
        let chosen: Vec<&str> = EVENTS
            .iter()
            .filter(|(event, _)| form.events.iter().any(|chosen| chosen == event))
            .map(|(event, _)| *event)
            .collect();
        chosen.join(", ")
    };
    let active = |form: &WebhookForm| if form.active { "Active" } else { "Paused" }.to_owned();
    let (their_events, their_active) = (events(theirs), active(theirs));
    Conflict::save([
        ("Receiver's address", theirs.url.as_str(), typed.url.as_str(), theirs.url.clone()),
        ("Events", &their_events, &events(typed), their_events.clone()),
        ("Active", &their_active, &active(typed), their_active.clone()),
    ])
}

/// `POST /admin/webhooks/{hook}/delete`: removes the receiver and its log.
pub async fn delete(mut db: Db, CurrentUser(admin): CurrentUser, Path(id): Path<WebhookId>) -> Result<Redirect> {
    app::webhooks::delete(&mut db, Actor::from(&admin), id).await?;
    Ok(Redirect::to("/admin/webhooks"))
}

/// `POST /admin/webhooks/{hook}/ping`: queues a test event.
pub async fn ping(mut db: Db, Path(id): Path<WebhookId>) -> Result<Redirect> {
    app::webhooks::ping(&mut db, id).await?;
    Ok(Redirect::to(&paths::webhook_deliveries(id)))
}

/// `POST /admin/webhooks/{hook}/deliveries/{delivery}/retry`: sends a failed delivery again.
pub async fn retry(mut db: Db, Path((id, delivery)): Path<(WebhookId, DeliveryId)>) -> Result<Redirect> {
    app::webhooks::retry(&mut db, id, delivery).await?;
    Ok(Redirect::to(&paths::webhook_deliveries(id)))
}
