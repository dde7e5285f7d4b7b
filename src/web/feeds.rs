//! Feeds for other programs: calendars (iCalendar) of the due dates of a person's or a team's
//! unfinished action items, and an Atom feed of published postmortems. Calendar apps and feed
//! readers send no cookie, so these also take an API token as `?token=` (see `auth`).

use sqlx::PgConnection;
use std::fmt::Write as _;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::AppState;
use super::admission::Db;
use super::error::{AppError, Result};
use super::extract::Path;
use super::paths;
use crate::db;
use crate::db::ledger::{LedgerFilter, LedgerRow, StatusFilter};
use crate::domain::{StoredHtml, TeamId, UserId};
use crate::markdown::SafeHtml;

/// Most items in one calendar; a person or team with more has bigger problems.
const CALENDAR_LIMIT: i64 = 2000;
/// Entries in the Atom feed.
const FEED_ENTRIES: i64 = 50;

/// `GET /feeds/people/{user}/due.ics`
pub async fn person_calendar(State(state): State<AppState>, mut db: Db, Path(user): Path<UserId>) -> Result<Response> {
    let person = db::users::find(&mut *db, user).await?.ok_or(AppError::NotFound)?;
    let name = if person.name.is_empty() { person.email.clone() } else { person.name.clone() };
    let filter = LedgerFilter { owner: Some(user), ..unfinished() };
    calendar(&state, &mut db, &format!("Action items of {name}"), &filter).await
}

/// `GET /feeds/teams/{team}/due.ics`
pub async fn team_calendar(State(state): State<AppState>, mut db: Db, Path(team): Path<TeamId>) -> Result<Response> {
    let team = db::teams::find(&mut *db, team).await?.ok_or(AppError::NotFound)?;
    let filter = LedgerFilter { team: Some(team.id), ..unfinished() };
    calendar(&state, &mut db, &format!("Action items of {}", team.name), &filter).await
}

fn unfinished() -> LedgerFilter {
    LedgerFilter { status: Some(StatusFilter::Unfinished), ..LedgerFilter::default() }
}

async fn calendar(state: &AppState, db: &mut PgConnection, name: &str, filter: &LedgerFilter) -> Result<Response> {
    let now = OffsetDateTime::now_utc();
    let (rows, _) = db::ledger::page(&mut *db, filter, now, CALENDAR_LIMIT, 0).await?;
    let body = ics(name, &rows, &state.public_url, now);
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    Ok(response)
}

/// An iCalendar document with an all-day event on the due date of each item that has one.
/// Overdue items say so, by the same definition as every page.
pub fn ics(name: &str, rows: &[LedgerRow], public_url: &str, now: OffsetDateTime) -> String {
    let stamp = ics_time(now);
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Hindsight//Action items//EN", "CALSCALE:GREGORIAN"] {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", ics_text(name)));
    for row in rows {
        let item = &row.item;
        let Some(due) = item.due_on else { continue };
        let url = format!("{public_url}{}", paths::action_item_edit(item.incident_id, item.id));
        let summary = format!("{}{}", if row.overdue { "Overdue: " } else { "Due: " }, item.body);
        let mut description = format!("From the postmortem “{}”.", row.incident_title);
        if !item.owner_name().is_empty() {
            let _ = write!(description, "\nOwner: {}", item.owner_name());
        }
        if !item.team_label().is_empty() {
            let _ = write!(description, "\nTeam: {}", item.team_label());
        }
        let _ = write!(description, "\nStatus: {}\n{url}", item.status.label());
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:action-item-{}@hindsight", item.id));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(&mut out, &format!("DTSTART;VALUE=DATE:{}", ics_date(due)));
        push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", ics_date(due.next_day().unwrap_or(due))));
        push_line(&mut out, &format!("SUMMARY:{}", ics_text(&summary)));
        push_line(&mut out, &format!("DESCRIPTION:{}", ics_text(&description)));
        push_line(&mut out, &format!("URL:{url}"));
        push_line(&mut out, "TRANSP:TRANSPARENT");
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

fn ics_date(date: time::Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), u8::from(date.month()), date.day())
}

fn ics_time(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{}T{:02}{:02}{:02}Z", ics_date(at.date()), at.hour(), at.minute(), at.second())
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn ics_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded so no line is longer than 75 octets (RFC 5545 §3.1),
/// never inside a character.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// One published postmortem in the feed.
pub struct Entry {
    pub id: String,
    pub title: String,
    pub url: String,
    pub updated: String,
    pub author: String,
    pub content: SafeHtml,
}

#[derive(Template)]
#[template(path = "feeds/postmortems.atom", escape = "html")]
pub struct AtomFeed {
    id: String,
    url: String,
    updated: String,
    entries: Vec<Entry>,
}

/// `GET /feeds/postmortems.atom`: the newest published postmortems, each as it was published.
pub async fn postmortems(State(state): State<AppState>, mut db: Db) -> Result<Response> {
    let published = db::revisions::published(&mut *db, FEED_ENTRIES).await?;
    let base = &state.public_url;
    let rfc3339 = |at: OffsetDateTime| super::layout::iso(at);
    let updated = published.first().map_or_else(|| rfc3339(OffsetDateTime::UNIX_EPOCH), |p| rfc3339(p.published_at));
    let stored: Vec<StoredHtml> =
        published.iter().map(|p| StoredHtml { html: p.html.clone(), rendered_with: p.rendered_with }).collect();
    let documents = published.iter().zip(&stored).map(|(p, stored)| (p.markdown.as_str(), stored));
    let (contents, _) = super::rendering::shown_all(documents).await;
    let entries = published
        .into_iter()
        .zip(contents)
        .map(|(p, content)| Entry {
            id: format!("{base}{}", paths::revision(p.incident_id, p.number)),
            title: format!("{} ({})", p.title, p.severity),
            url: format!("{base}{}", paths::incident(p.incident_id)),
            updated: rfc3339(p.published_at),
            author: p.author.unwrap_or_else(|| "Hindsight".to_owned()),
            content,
        })
        .collect();
    let feed = AtomFeed { id: format!("{base}{}", paths::ATOM_FEED), url: base.clone(), updated, entries };
    let body = without_xml_forbidden(feed.render()?);
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    Ok(response)
}

/// The feed without the characters XML 1.0 forbids (control characters other than tab and
/// line breaks, U+FFFE and U+FFFF): a single one, in any title or text, would make the whole
/// feed unreadable to every reader. HTML tolerates them, so pages keep them as written.
pub(super) fn without_xml_forbidden(text: String) -> String {
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    if text.chars().all(allowed) { text } else { text.chars().filter(|&c| allowed(c)).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_holds_only_characters_xml_allows() {
        assert_eq!(without_xml_forbidden("a\u{1}b\u{0}c\u{1b}\u{fffe}\td\n".into()), "abc\td\n");
        assert_eq!(without_xml_forbidden("é 🚨 \u{202e}".into()), "é 🚨 \u{202e}");
    }

    #[test]
    fn text_is_escaped_and_long_lines_folded_between_characters() {
        assert_eq!(ics_text("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(60));
        push_line(&mut out, &long);
        for line in out.split("\r\n").filter(|line| !line.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), long, "unfolding gives the line back");
    }

    #[test]
    fn dates_and_times_are_in_the_basic_format() {
        let at = time::macros::datetime!(2026-03-09 23:05:07 -2);
        assert_eq!(ics_time(at), "20260310T010507Z");
        assert_eq!(ics_date(time::macros::date!(2026 - 01 - 05)), "20260105");
    }
}
