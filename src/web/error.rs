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
    /// The pool had no connection within its acquire timeout, or the database is down.
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] sqlx::Error),
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
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                AppError::DatabaseUnavailable(error)
            }
            sqlx::Error::Database(db) if db.code().is_some_and(|code| is_unavailable_sqlstate(&code)) => {
                AppError::DatabaseUnavailable(error)
            }
            _ => AppError::Database(error),
        }
    }
}

/// SQLSTATEs that mean "try again later" rather than "this query is wrong": the server is
/// shutting down, starting up, or out of connection slots.
fn is_unavailable_sqlstate(code: &str) -> bool {
    matches!(code, "57P01" | "57P02" | "57P03" | "53300" | "08000" | "08003" | "08006")
}

impl From<ChangeError> for AppError {
    fn from(error: ChangeError) -> AppError {
        match error {
            ChangeError::NotFound => AppError::NotFound,
            ChangeError::Invalid(errors) => {
                AppError::Refused(errors.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" "))
            }
            ChangeError::Stale => AppError::Conflict,
            ChangeError::Refused(message) => AppError::Refused(message),
            ChangeError::Database(error) => error.into(),
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
            AppError::Unprocessable(_) | AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the page says. Never includes an internal cause.
    fn page(&self) -> ErrorPage {
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
                "This needs a signed-in person: sign in, or send an API token as `Authorization: Bearer …`.",
            ),
            AppError::Forbidden(message) => ErrorPage::new(StatusCode::FORBIDDEN, "Not allowed", *message),
            AppError::Gone(message) => ErrorPage::new(StatusCode::GONE, "Link no longer valid", *message),
            AppError::PayloadTooLarge => ErrorPage::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too much text",
                "What you sent is over the size limit, so nothing was saved. Go back, shorten the longest \
                 section (or move large logs to a linked file), and save again.",
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
            AppError::DatabaseUnavailable(_) => ErrorPage::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "Hindsight cannot reach its database right now. Nothing was changed. Try again in a few seconds.",
            ),
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => ErrorPage::internal(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // Logged inside the request's span, which carries the request id the page shows.
        match &self {
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => {
                tracing::error!(error = %error_chain(&self), "Request failed with an internal error");
            }
            AppError::DatabaseUnavailable(_) => {
                tracing::warn!(error = %error_chain(&self), "Request refused: the database is unavailable");
            }
            AppError::NotFound
            | AppError::BadRequest(_)
            | AppError::Unauthorized
            | AppError::Forbidden(_)
            | AppError::Gone(_)
            | AppError::PayloadTooLarge
            | AppError::Unprocessable(_)
            | AppError::Refused(_)
            | AppError::Conflict => {}
        }
        let page = self.page();
        let mut response = (page.status, ()).into_response();
        if page.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        if page.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"Hindsight\""));
        }
        response.extensions_mut().insert(page);
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
