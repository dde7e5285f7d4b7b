//! Pieces shared by every page: the error page and view helpers for the templates.

use askama::Template;

use super::error::ErrorPage;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    status: u16,
    heading: &'a str,
    message: &'a str,
    request_id: &'a str,
}

/// The error page in the site's layout. Falls back to a bare page if the template itself fails,
/// so an error page can never turn into another error.
pub fn render_error_page(page: &ErrorPage, request_id: &str) -> String {
    let template =
        ErrorTemplate { status: page.status.as_u16(), heading: page.heading, message: &page.message, request_id };
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

/// The person signed in, for the site header (see `auth::signed_in`).
pub fn signed_in() -> Option<crate::domain::User> {
    super::auth::signed_in()
}

/// Whether the person signed in has at least `role`, to show only the links they may follow.
pub fn signed_in_can(role: crate::domain::Role) -> bool {
    signed_in().is_some_and(|user| user.role.includes(role))
}
