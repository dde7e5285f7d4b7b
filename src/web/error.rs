//! The one application error type, and how each variant reaches the user.
//!
//! Handlers return `Result<_, AppError>`. An error becomes a status code plus an
//! [`ErrorPage`] marker; the `error_pages` middleware then renders it in the site's layout with
//! the request id. Internal causes go to the log only: postmortems hold sensitive detail, and a
//! database or template message must never reach a page.

use axum::extract::rejection::{BytesRejection, FormRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::ChangeError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Seconds a client should wait before retrying when the database is unavailable.
pub const RETRY_AFTER_SECONDS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("no such page")]
    NotFound,
    /// The request itself is malformed; the message is safe to show.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No one is signed in (or an API token is wrong) where someone must be.
    #[error("not signed in")]
    Unauthorized,
    /// Signed in, but not allowed; the message says why and is safe to show.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// A one-time link that has been used or has expired.
    #[error("gone: {0}")]
    Gone(&'static str),
    #[error("request body over the size limit")]
    PayloadTooLarge,
    /// The client took longer than the body read timeout to send its request.
    #[error("request body sent too slowly")]
    SlowRequest,
    /// The request is well formed but its content cannot be used (a document that cannot be
    /// imported); the message says why and is safe to show.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// A change that is not allowed now (a review step out of turn, a field refused where no
    /// form can show it); the message says why and is safe to show.
    #[error("refused: {0}")]
    Refused(String),
    /// Someone else saved what this request changes since it was read.
    #[error("conflict")]
    Conflict,
    /// This very request (its idempotency key and body) was made before and done then; its
    /// answer was a page that is not kept.
    #[error("already done")]
    AlreadyDone,
    /// The pool had no connection within its acquire timeout, the database is down or
    /// read-only, or a statement ran past its timeout. Nothing was changed.
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] sqlx::Error),
    /// The database failed while a change was being committed: it may or may not be saved.
    #[error("outcome unknown")]
    OutcomeUnknown(#[source] sqlx::Error),
    /// Too many requests are waiting for the database: shed at the door, nothing was done.
    #[error("busy: shed at the door")]
    Busy,
    /// The request ran past its deadline and was abandoned (`writes`: it was a form or API
    /// write, whose outcome is then unknown).
    #[error("request deadline exceeded")]
    DeadlineExceeded { writes: bool },
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("template error")]
    Template(#[from] askama::Error),
    /// Any other failure inside the server; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> AppError {
        match &error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            _ if crate::db::is_unavailable(&error) => AppError::DatabaseUnavailable(error),
            _ => AppError::Database(error),
        }
    }
}

/// The reason code of an unavailable database, for the log and `/metrics`.
fn unavailable_reason(error: &sqlx::Error) -> &'static str {
    let code = match error {
        sqlx::Error::PoolTimedOut => return "pool_timeout",
        sqlx::Error::Database(db) => db.code(),
        _ => None,
    };
    match code.as_deref() {
        Some("57014") => "statement_timeout",
        Some("25006") => "database_read_only",
        _ => "database_unavailable",
    }
}

impl From<ChangeError> for AppError {
    fn from(error: ChangeError) -> AppError {
        match error {
            ChangeError::NotFound => AppError::NotFound,
            ChangeError::Invalid(errors) => {
                AppError::Refused(errors.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" "))
            }
            ChangeError::Stale => AppError::Conflict,
            ChangeError::VersionMissing => AppError::BadRequest(VERSION_MISSING.to_owned()),
            ChangeError::Refused(message) => AppError::Refused(message),
            ChangeError::Database(error) => error.into(),
            ChangeError::OutcomeUnknown(error) => AppError::OutcomeUnknown(error),
            ChangeError::Internal(error) => AppError::Internal(error),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> AppError {
        // A path that does not parse (`/incidents/abc`) names no page.
        AppError::NotFound
    }
}

impl From<FormRejection> for AppError {
    fn from(rejection: FormRejection) -> AppError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest(rejection.body_text())
        }
    }
}

impl From<BytesRejection> for AppError {
    fn from(rejection: BytesRejection) -> AppError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest(rejection.body_text())
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> AppError {
        AppError::BadRequest(rejection.body_text())
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::SlowRequest => StatusCode::REQUEST_TIMEOUT,
            AppError::Unprocessable(_) | AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict | AppError::AlreadyDone => StatusCode::CONFLICT,
            AppError::DatabaseUnavailable(_)
            | AppError::OutcomeUnknown(_)
            | AppError::Busy
            | AppError::DeadlineExceeded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the page says. Never includes an internal cause.
    pub(super) fn page(&self) -> ErrorPage {
        match self {
            AppError::NotFound => ErrorPage::new(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is no page at this address. It may have been deleted, or the link may be mistyped.",
            ),
            AppError::BadRequest(message) => ErrorPage::new(StatusCode::BAD_REQUEST, "Bad request", message.clone()),
            AppError::Unauthorized => ErrorPage::new(
                StatusCode::UNAUTHORIZED,
                "Sign in first",
                "This needs a signed-in person: sign in, or send an API token as `Authorization: Bearer …` (the `/api/` routes take only a token, never the session cookie).",
            ),
            AppError::Forbidden(message) => ErrorPage::new(StatusCode::FORBIDDEN, "Not allowed", *message),
            AppError::Gone(message) => ErrorPage::new(StatusCode::GONE, "Link no longer valid", *message),
            AppError::PayloadTooLarge => ErrorPage::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too much text",
                "What you sent is over the size limit, so nothing was saved. Go back, shorten the longest \
                 section (or move large logs to a linked file), and save again.",
            ),
            AppError::SlowRequest => ErrorPage::new(
                StatusCode::REQUEST_TIMEOUT,
                "Sent too slowly",
                "Your browser took too long to send this, so Hindsight stopped waiting and saved nothing. Check \
                 your connection and send it again.",
            ),
            AppError::Unprocessable(message) => {
                ErrorPage::new(StatusCode::UNPROCESSABLE_ENTITY, "Cannot import this", message.clone())
            }
            AppError::Refused(message) => ErrorPage::new(StatusCode::UNPROCESSABLE_ENTITY, "Not done", message.clone()),
            AppError::Conflict => ErrorPage::new(
                StatusCode::CONFLICT,
                "Changed meanwhile",
                "Someone else saved this after you loaded it, so your change was not saved. Go back, reload \
                 the page to see their version, and make your change again.",
            ),
            AppError::AlreadyDone => ErrorPage::new(
                StatusCode::CONFLICT,
                "Already done",
                "This form was sent before, and what it asked for was done then; sending it again changed \
                 nothing. Open the page again to see the result.",
            ),
            AppError::DatabaseUnavailable(_) => ErrorPage::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "Hindsight cannot reach its database right now. Nothing was changed. Try again in a few seconds.",
            ),
            AppError::Busy => ErrorPage::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Too busy right now",
                "Hindsight has more requests than its database can serve right now, so it did not start this \
                 one. Nothing was changed. Try again in a few seconds.",
            ),
            AppError::OutcomeUnknown(_) | AppError::DeadlineExceeded { writes: true } => {
                ErrorPage::new(StatusCode::SERVICE_UNAVAILABLE, "Not sure it was saved", OUTCOME_UNKNOWN)
            }
            AppError::DeadlineExceeded { writes: false } => ErrorPage::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Took too long",
                "The database did not answer in time, so Hindsight gave up on this page. Nothing was changed. \
                 Try again in a few seconds.",
            ),
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => ErrorPage::internal(),
        }
    }
}

/// What the page says when a save or deletion did not say which version it was loaded at.
pub const VERSION_MISSING: &str = "This form did not say which version it was loaded at, so nothing was changed: \
     without it Hindsight cannot tell whether someone else saved in between. Reload the page and make your change again.";

/// What the page says when a change may or may not have been saved.
pub const OUTCOME_UNKNOWN: &str = "The database stopped answering while your change was being saved, so Hindsight \
     cannot tell whether it was. Open the page again in a few seconds to see. Sending the same form again is safe: \
     Hindsight recognises a repeat and does not save it twice.";

impl AppError {
    /// A short code for why the request was refused or failed, for the log line and the
    /// `hindsight_http_refusals_total` metric.
    pub fn reason(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Gone(_) => "gone",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::SlowRequest => "slow_request",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::Refused(_) => "refused",
            AppError::Conflict => "conflict",
            AppError::AlreadyDone => "duplicate",
            AppError::DatabaseUnavailable(error) => unavailable_reason(error),
            AppError::OutcomeUnknown(_) => "outcome_unknown",
            AppError::Busy => SHED_REASON,
            AppError::DeadlineExceeded { .. } => "deadline_exceeded",
            AppError::Database(_) => "database_error",
            AppError::Template(_) => "template_error",
            AppError::Internal(_) => "internal_error",
        }
    }
}

/// The reason code of a request shed at the door: its page and its log line are made apart
/// from other refusals' (`web::shed_page`, `web::observe`).
pub const SHED_REASON: &str = "shed";

/// Why a response is an error, attached to it for the access log (`web::observe`), which
/// writes it in the request's one log line and counts it.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub reason: &'static str,
    /// The internal cause, for the log only (never a page).
    pub cause: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let cause = match &self {
            AppError::Database(_)
            | AppError::Template(_)
            | AppError::Internal(_)
            | AppError::DatabaseUnavailable(_)
            | AppError::OutcomeUnknown(_) => Some(error_chain(&self)),
            _ => None,
        };
        let refusal = Refusal { reason: self.reason(), cause };
        // Shed under load: the door is likely open again within a second.
        let retry_after = if matches!(self, AppError::Busy) { 1 } else { RETRY_AFTER_SECONDS };
        let page = self.page();
        let mut response = (page.status, ()).into_response();
        if page.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        if page.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"Hindsight\""));
        }
        response.extensions_mut().insert(page);
        response.extensions_mut().insert(refusal);
        response
    }
}

/// The error and its sources on one line, for the log.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What an error page says; attached to error responses for the `error_pages` middleware.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub heading: &'static str,
    pub message: String,
}

impl ErrorPage {
    pub fn new(status: StatusCode, heading: &'static str, message: impl Into<String>) -> ErrorPage {
        ErrorPage { status, heading, message: message.into() }
    }

    /// The page for every 5xx whose cause must stay in the log.
    pub fn internal() -> ErrorPage {
        ErrorPage::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Hindsight could not finish this request. Nothing you typed was saved by the failed request. \
             If it keeps happening, give your administrator the reference below.",
        )
    }

    /// A page for an error response that carries no marker (a 405 from the router, a panic).
    pub fn for_status(status: StatusCode) -> ErrorPage {
        if status.is_server_error() {
            return ErrorPage { status, ..ErrorPage::internal() };
        }
        let heading = match status {
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::METHOD_NOT_ALLOWED => "Not allowed here",
            StatusCode::PAYLOAD_TOO_LARGE => "Too much text",
            _ => "Request not understood",
        };
        let reason = status.canonical_reason().unwrap_or("Error");
        ErrorPage::new(status, heading, format!("{reason}."))
    }
}
