//! The HTTP layer: the router, its middleware, and one module of handlers per resource.
//! Handlers parse input, call `db` and `markdown`, and pick a template; they hold no SQL.

mod account;
pub mod action_items;
mod admin;
pub mod admission;
mod api;
mod assets;
pub mod auth;
mod body;
mod charts;
mod conflict;
pub mod error;
mod export;
mod extract;
mod feeds;
pub(crate) mod health;
mod help;
pub mod idempotency;
mod import;
mod incidents;
mod kept;
pub mod layout;
mod learning;
mod ledger;
mod observe;
pub mod paths;
mod pickers;
pub mod postmortem;
mod public;
mod public_versions;
mod recurrences;
mod rendering;
mod reviews;
mod revisions;
mod search;
mod sections;
mod taxonomy;
pub mod teams;
mod templates;
mod timeline;
mod webhooks;
mod wiki;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use sqlx::PgPool;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::{CsrfLayer, ProtectionError};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use admission::Admission;
use auth::AuthSettings;
use error::{AppError, ErrorPage};

use crate::domain::Role;

/// Largest request body accepted: far more than any postmortem form, small enough that a
/// runaway paste cannot exhaust memory.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler can reach. Cheap to clone; holds no state of its own beyond the pool,
/// so any number of instances can serve one database.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    /// How long `/readyz` waits for the database.
    pub readiness_timeout: Duration,
    /// How people are recognised: sessions, the SSO proxy, trusted proxies.
    pub auth: Arc<AuthSettings>,
    /// When new action items are due by default.
    pub due_policy: crate::domain::DuePolicy,
    /// The address people reach Hindsight at, without a trailing slash, for links in feeds.
    pub public_url: String,
    /// Team figures computed lately (see `teams::FigureCache`).
    pub figures: Arc<teams::FigureCache>,
    /// People and teams for the pickers (see `pickers`).
    pub pickers: Arc<pickers::Pickers>,
    /// Counts of postmortems and of ledger matches (see `kept::KeptCounts`).
    pub counts: Arc<kept::KeptCounts>,
    /// Postmortems read lately (see `postmortem::KeptPostmortems`).
    pub postmortems: Arc<postmortem::KeptPostmortems>,
    /// The door in front of the database (see `admission`).
    pub admission: Arc<Admission>,
    /// Where webhook receivers may be (checked as an admin saves one).
    pub receivers: Arc<crate::webhooks::ReceiverPolicy>,
    /// Wiki sync: the key that seals destinations' secrets, and whether `file://` is allowed.
    pub wiki: Arc<crate::wiki::WikiSettings>,
}

impl AppState {
    /// A state over `pool`, its door sized by `limits`, with default settings otherwise.
    pub fn new(pool: PgPool, limits: admission::Limits) -> AppState {
        AppState {
            admission: Arc::new(Admission::new(pool.clone(), limits)),
            pool,
            readiness_timeout: health::READINESS_TIMEOUT,
            auth: Arc::new(AuthSettings::default()),
            due_policy: crate::domain::DuePolicy::DEFAULT,
            public_url: "http://127.0.0.1:3000".to_owned(),
            figures: Default::default(),
            pickers: Default::default(),
            counts: Default::default(),
            postmortems: Default::default(),
            receivers: Default::default(),
            wiki: Default::default(),
        }
    }
}

/// The whole application, ready to serve or to drive in tests with `oneshot`.
pub fn router(state: AppState) -> Router {
    // Routes are grouped by the least role that may use them; `auth::require` guards each
    // group, and `tests/it/authorization.rs` checks every route for every role.
    let public = Router::new()
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/setup", get(auth::setup_page).post(auth::setup))
        .route("/reset/{secret}", get(auth::reset_page).post(auth::reset));

    // Probes, metrics and assets never ask who is calling and never wait at the door:
    // liveness and metrics must not depend on the database, and a stylesheet needs no
    // session lookup.
    let anonymous = Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(health::metrics))
        .route("/static/{file}", get(assets::serve));

    // Public versions, for anyone and the same for everyone: through the door like every
    // page that reads the database, but never asking who is calling (no session is looked up).
    let published = Router::new()
        .route("/p/feed.atom", get(public::feed))
        .route("/p/{file}", get(public::serve))
        .layer(middleware::from_fn_with_state(state.admission.clone(), admission::admit));

    let readers = Router::new()
        .route("/", get(|| async { Redirect::to("/incidents") }))
        .route("/incidents", get(incidents::index))
        .route("/search", get(search::page))
        .route("/api/search", get(search::api))
        .route("/incidents/export.zip", get(export::archive))
        .route("/incidents/{id}", get(postmortem::show))
        .route("/incidents/{id}/export.md", get(export::download))
        .route("/incidents/{id}/markdown", get(export::copy_view))
        .route("/incidents/{id}/revisions", get(revisions::index))
        .route("/incidents/{id}/revisions/{number}", get(revisions::show))
        .route("/incidents/{id}/public", get(public_versions::show))
        .route("/incidents/{id}/compare", get(revisions::compare))
        .route("/action-items", get(ledger::index))
        .route("/action-items.csv", get(ledger::csv))
        .route("/action-items.md", get(ledger::markdown))
        .route("/action-items/mine", get(ledger::mine))
        .route("/teams", get(teams::overview))
        .route("/teams/{team}", get(teams::show))
        .route("/services", get(learning::index))
        .route("/services/{service}", get(learning::show))
        .route("/themes", get(learning::themes))
        .route("/feeds/people/{user}/due.ics", get(feeds::person_calendar))
        .route("/feeds/teams/{team}/due.ics", get(feeds::team_calendar))
        .route("/feeds/postmortems.atom", get(feeds::postmortems))
        .route("/api/incidents/{id}", get(api::incident))
        .route("/api/incidents/{id}/export.md", get(api::export_markdown))
        .route("/api/services", get(api::services))
        .route("/api/factors", get(api::factors))
        .route("/account", get(account::show))
        .route("/help", get(help::shortcuts))
        .route("/account/password", post(account::change_password))
        .route("/account/sessions/revoke", post(account::sign_out_everywhere))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{token}/revoke", post(account::revoke_token));

    let writers = Router::new()
        .route("/incidents", post(incidents::create))
        .route("/incidents/new", get(incidents::new))
        .route("/incidents/new/draft", post(incidents::keep_new_draft))
        .route("/incidents/new/draft/discard", post(incidents::discard_new_draft))
        .route("/incidents/{id}/draft", post(incidents::keep_draft))
        .route("/incidents/{id}/draft/discard", post(incidents::discard_draft))
        .route("/preview", post(rendering::preview))
        .route("/incidents/{id}", post(incidents::update))
        .route("/incidents/{id}/edit", get(incidents::edit))
        .route("/incidents/{id}/timeline", post(timeline::create))
        .route("/incidents/{id}/timeline/paste", post(timeline::paste))
        .route("/incidents/{id}/timeline/{entry}", post(timeline::update))
        .route("/incidents/{id}/timeline/{entry}/edit", get(timeline::edit))
        .route("/incidents/{id}/timeline/{entry}/delete", post(timeline::delete))
        .route("/incidents/{id}/actions", post(action_items::create))
        .route("/incidents/{id}/actions/{item}", post(action_items::update))
        .route("/incidents/{id}/actions/{item}/edit", get(action_items::edit))
        .route("/incidents/{id}/actions/{item}/done", post(action_items::set_done))
        .route("/incidents/{id}/actions/{item}/delete", post(action_items::delete))
        .route("/incidents/{id}/actions/{item}/verify", post(action_items::verify))
        .route("/incidents/{id}/actions/{item}/unverify", post(action_items::unverify))
        .route("/incidents/{id}/sections", post(sections::create))
        .route("/incidents/{id}/sections/{section}", post(sections::update))
        .route("/incidents/{id}/sections/{section}/edit", get(sections::edit))
        .route("/incidents/{id}/sections/{section}/delete", post(sections::delete))
        .route("/incidents/{id}/recurrences", post(recurrences::confirm))
        .route("/incidents/{id}/recurrences/new", get(recurrences::new))
        .route("/incidents/{id}/recurrences/{earlier}/delete", post(recurrences::remove))
        .route("/api/incidents/{id}/recurrences", post(recurrences::api_confirm))
        .route("/api/incidents/{id}/recurrences/{earlier}", delete(recurrences::api_remove))
        .route("/import", get(import::start).post(import::preview_or_save).layer(import_limit()))
        .route("/import/preview", post(import::preview_upload).layer(import_limit()))
        .route("/import/saved", get(import::saved))
        .route("/incidents/{id}/submit", post(reviews::submit))
        .route("/incidents/{id}/publish", post(reviews::publish))
        .route("/incidents/{id}/comments", post(reviews::comment))
        .route("/incidents/{id}/public", post(public_versions::save))
        .route("/incidents/{id}/public/submit", post(public_versions::submit))
        .route("/api/incidents/{id}/labels", post(api::set_labels))
        .route("/api/import", post(api::import))
        .route("/api/incidents/{id}/action-items/{item}/verify", post(api::verify_action_item))
        .route("/api/incidents/{id}/action-items/{item}/unverify", post(api::unverify_action_item));

    let managers = Router::new()
        .route("/incidents/{id}/approve", post(reviews::approve))
        .route("/incidents/{id}/send-back", post(reviews::send_back))
        .route("/incidents/{id}/public/approve", post(public_versions::approve))
        .route("/incidents/{id}/public/send-back", post(public_versions::send_back))
        .route("/incidents/{id}/public/withdraw", post(public_versions::withdraw))
        .route("/incidents/{id}/delete", get(incidents::confirm_delete).post(incidents::delete));

    let admins = Router::new()
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{user}", get(admin::edit_user).post(admin::update_user))
        .route("/admin/users/{user}/reset", post(admin::reset_link))
        .route("/admin/users/{user}/owners", post(admin::link_owner))
        .route("/admin/teams", get(admin::teams).post(admin::create_team))
        .route("/admin/teams/{team}", post(admin::rename_team))
        .route("/admin/teams/{team}/delete", post(admin::delete_team))
        .route("/admin/templates", get(templates::index).post(templates::create).layer(template_limit()))
        .route("/admin/templates/new", get(templates::new))
        .route("/admin/templates/{template}", get(templates::edit).post(templates::update).layer(template_limit()))
        .route("/admin/templates/{template}/delete", post(templates::delete))
        .route("/admin/severity-rules", post(templates::save_rules))
        .route("/admin/services", get(taxonomy::services))
        .route("/admin/services/{service}", post(taxonomy::rename_service))
        .route("/admin/services/{service}/merge", post(taxonomy::merge_service))
        .route("/admin/factors", get(taxonomy::factors).post(taxonomy::add_factor))
        .route("/admin/factors/{factor}", post(taxonomy::change_factor))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/webhooks", get(webhooks::index).post(webhooks::create))
        .route("/admin/webhooks/{hook}", get(webhooks::show).post(webhooks::update))
        .route("/admin/webhooks/{hook}/ping", post(webhooks::ping))
        .route("/admin/webhooks/{hook}/deliveries/{delivery}/retry", post(webhooks::retry))
        .route("/admin/webhooks/{hook}/delete", post(webhooks::delete))
        .route("/admin/wiki", get(wiki::index).post(wiki::create))
        .route("/admin/wiki/{destination}", get(wiki::show).post(wiki::update))
        .route("/admin/wiki/{destination}/sync", post(wiki::sync))
        .route("/admin/wiki/{destination}/forget-host-key", post(wiki::forget_host_key))
        .route("/admin/wiki/{destination}/new-key", post(wiki::new_key))
        .route("/admin/wiki/{destination}/delete", post(wiki::delete));

    let pages = public
        .merge(only(Role::Viewer, readers))
        .merge(only(Role::Engineer, writers))
        .merge(only(Role::Manager, managers))
        .merge(only(Role::Admin, admins))
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(idempotency::at_most_once))
        .layer(middleware::from_fn_with_state(state.clone(), auth::identify))
        .layer(middleware::from_fn_with_state(state.admission.clone(), admission::admit))
        .layer(middleware::from_fn(body::read_whole));

    // Outermost first: every request gets an id, a span carrying it, and an error page; then
    // the security headers; a cross-site form post is refused before any handler runs; then
    // the visitor is identified.
    anonymous
        .merge(published)
        .merge(pages)
        .layer(middleware::from_fn(observe::note_route))
        .layer(CsrfLayer::new())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(middleware::from_fn(error_pages))
        .layer(always(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .layer(always(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(always(header::X_FRAME_OPTIONS, "DENY"))
        .layer(always(header::REFERRER_POLICY, "same-origin"))
        .layer(middleware::from_fn(strict_transport))
        // Pages are one person's, and some show a secret once (a new API token, a one-time
        // link, a webhook's secret): no cache, shared or the browser's, keeps them. The
        // stylesheet sets its own.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        // One line per request, with status, latency and any refusal's reason, and its metrics.
        .layer(middleware::from_fn(observe::record))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    let path = observe::loggable_path(request.uri().path());
                    tracing::info_span!("request", method = %request.method(), %path, request.id = %id)
                })
                // The span only: `observe::record` writes the request's one line.
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Routes that need at least `role`.
fn only(role: Role, routes: Router<AppState>) -> Router<AppState> {
    routes.route_layer(middleware::from_fn_with_state(role, auth::require))
}

/// The Content-Security-Policy of every response. Pages have no script and no inline style;
/// images in postmortems may come from any HTTPS host (screenshots, graphs).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' https: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Sets a header on every response. Together they are what a security review expects: the policy
/// above, no MIME sniffing, no framing, and no full URLs (which name postmortems) sent to other
/// sites.
fn always(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// The page of a request shed at the door, rendered once: under overload thousands are shed a
/// second, and each must cost as little as it can, or answering them takes the CPU the admitted
/// requests need. It carries no reference: a shed request has nothing in the log to look up.
fn shed_page(response: Response, wants_json: bool) -> Response {
    static PAGES: std::sync::LazyLock<(Bytes, Bytes)> = std::sync::LazyLock::new(|| {
        let page = AppError::Busy.page();
        (layout::render_error_page(&page, "").into(), layout::render_error_json(&page, "").into())
    });
    let (html, json) = &*PAGES;
    let (body, content_type) =
        if wants_json { (json.clone(), "application/json") } else { (html.clone(), "text/html; charset=utf-8") };
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body.into())
}

/// Imports carry whole documents, several at once: their routes take more than a form.
fn import_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(import::MAX_IMPORT_REQUEST_BYTES)
}

fn template_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(templates::MAX_TEMPLATE_REQUEST_BYTES)
}

/// Renders error responses in the site's layout, or as JSON under `/api/`. Responses carrying an
/// [`ErrorPage`] get that page; any other 5xx (a panic, a failed template) gets the opaque internal page, and a bare
/// 4xx from the router (405) gets a page for its status. The page shows the request id, which
/// is also in the log line that holds the cause.
/// Served over HTTPS (as the reverse proxy says, `X-Forwarded-Proto: https`), browsers are told
/// to use nothing else for a year. A browser ignores the header over plain HTTP, so a client
/// that claims HTTPS falsely gains nothing.
async fn strict_transport(request: Request, next: Next) -> Response {
    let https = request
        .headers()
        .get("x-forwarded-proto")
        .and_then(|proto| proto.to_str().ok())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    let mut response = next.run(request).await;
    if https {
        response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

async fn error_pages(request: Request, next: Next) -> Response {
    let request_id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let wants_json = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    if response.extensions().get::<error::Refusal>().is_some_and(|refusal| refusal.reason == error::SHED_REASON) {
        return shed_page(response, wants_json);
    }
    let page = match response.extensions().get::<ErrorPage>() {
        Some(page) => page.clone(),
        None if response.extensions().get::<ProtectionError>().is_some() => ErrorPage::new(
            StatusCode::FORBIDDEN,
            "Refused: sent from another site",
            "This request came from a page on another site, so Hindsight refused it and changed nothing. \
             If you sent it yourself, go back to Hindsight, reload the page and try again.",
        ),
        None if status.is_server_error() => ErrorPage::for_status(status),
        None if response.headers().contains_key(header::CONTENT_TYPE) => return response,
        None => ErrorPage::for_status(status),
    };
    let (mut parts, _) = response.into_parts();
    if parts.extensions.get::<ProtectionError>().is_some() {
        parts.extensions.insert(error::Refusal { reason: "cross_site", cause: None });
    }
    let (body, content_type) = if wants_json {
        (layout::render_error_json(&page, &request_id), "application/json")
    } else {
        (layout::render_error_page(&page, &request_id), "text/html; charset=utf-8")
    };
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body.into())
}
