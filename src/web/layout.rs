//! Pieces shared by every page: the error page and view helpers for the templates.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::auth::{Via, Visitor};
use super::error::ErrorPage;
use crate::domain::{Role, User};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    viewer: Viewer,
    status: u16,
    heading: &'a str,
    message: &'a str,
    request_id: &'a str,
}

/// The error page in the site's layout. Falls back to a bare page if the template itself fails,
/// so an error page can never turn into another error.
pub fn render_error_page(page: &ErrorPage, request_id: &str) -> String {
    let template = ErrorTemplate {
        viewer: Viewer::nobody(),
        status: page.status.as_u16(),
        heading: page.heading,
        message: &page.message,
        request_id,
    };
    template.render().unwrap_or_else(|error| {
        tracing::error!(%error, "The error page template failed to render");
        format!("<!doctype html><title>Error</title><h1>Error {}</h1>", page.status.as_u16())
    })
}

/// The API's error body: `{"error": {"status": 404, "title": ..., "message": ...}, "request_id": ...}`.
pub fn render_error_json(page: &ErrorPage, request_id: &str) -> String {
    let body = serde_json::json!({
        "error": { "status": page.status.as_u16(), "title": page.heading, "message": page.message },
        "request_id": request_id,
    });
    body.to_string()
}

/// How long ago an instant was, in words: "just now", "5 minutes ago", "3 days ago", or the
/// date (UTC) for anything older than a month.
pub fn ago(instant: time::OffsetDateTime) -> String {
    ago_at(instant, time::OffsetDateTime::now_utc())
}

/// When a retry comes, as a person says it: "within a minute", "in 4 minutes", "in 2 hours".
pub fn until(instant: time::OffsetDateTime) -> String {
    let seconds = (instant - time::OffsetDateTime::now_utc()).whole_seconds();
    match seconds {
        ..60 => "within a minute".to_owned(),
        60..3600 => format!("in {} minutes", seconds / 60),
        _ => format!("in {} hours", seconds / 3600),
    }
}

/// [`ago`], as of `now`.
pub fn ago_at(instant: time::OffsetDateTime, now: time::OffsetDateTime) -> String {
    let elapsed = now - instant;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match elapsed.whole_seconds() {
        ..60 => "just now".to_owned(),
        60..3600 => plural(elapsed.whole_minutes(), "minute"),
        3600..86_400 => plural(elapsed.whole_hours(), "hour"),
        86_400..2_592_000 => plural(elapsed.whole_days(), "day"),
        _ => {
            let date = instant.to_offset(time::UtcOffset::UTC).date();
            format!("on {} {} {}", date.day(), date.month(), date.year())
        }
    }
}

/// An instant for a `datetime` attribute (RFC 3339, UTC).
pub fn iso(instant: time::OffsetDateTime) -> String {
    instant.to_offset(time::UtcOffset::UTC).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Who is looking at a page: the site header's name and links, and which links and buttons a
/// page offers. Every page carries one (a handler takes it as an extractor); error pages, made
/// outside any handler, show nobody.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    user: Option<User>,
    through_proxy: bool,
    /// The idempotency key of this page's forms (see `web::idempotency`), made when first asked.
    form_key: std::sync::OnceLock<String>,
}

impl Viewer {
    pub fn nobody() -> Viewer {
        Viewer::default()
    }

    /// Someone signed in with a password or a token (for building pages in code: benchmarks).
    pub fn person(user: User) -> Viewer {
        Viewer { user: Some(user), ..Viewer::default() }
    }

    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|user| user.role)
    }

    /// Whether they have at least `role`, to offer only what they may do.
    pub fn can(&self, role: Role) -> bool {
        self.role().is_some_and(|own| own.includes(role))
    }

    /// The key every form on this page carries, so that sending one twice (a double click, a
    /// retry after a lost reply) does it once. One random key per page: a form's address and
    /// fields tell its requests apart.
    pub fn form_key(&self) -> &str {
        self.form_key.get_or_init(|| crate::auth::token::random_hex_of::<16>().unwrap_or_default())
    }

    /// Whether to offer signing out: not when the SSO proxy signed them in (that is the proxy's
    /// business).
    pub fn signs_out(&self) -> bool {
        !self.through_proxy
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Viewer, Self::Rejection> {
        let visitor = parts.extensions.get::<Visitor>();
        Ok(Viewer {
            user: visitor.and_then(|visitor| visitor.user.clone()),
            through_proxy: visitor.is_some_and(|visitor| visitor.via == Via::Proxy),
            form_key: std::sync::OnceLock::new(),
        })
    }
}
