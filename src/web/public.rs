//! What the public sees, without signing in: an approved public version at `/p/{slug}` (a clean
//! page of its own), as Markdown (`.md`) and JSON (`.json`), and the public Atom feed. Only the
//! snapshot a manager approved is served; an unknown or withdrawn address is a plain 404 that
//! says nothing more. Public answers may be kept by caches for a minute (so a withdrawal takes
//! up to a minute to leave them); unlisted ones ask search engines not to index them.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::AppState;
use super::admission::Db;
use super::error::Result;
use super::extract::Path;
use super::paths;
use crate::db;
use crate::db::public_versions::Live;
use crate::domain::public::{PublicDocument, Slug};
use crate::domain::{ActionStatus, Severity, StoredHtml};
use crate::markdown::{self, SafeHtml, public as doc};

/// Entries in the public feed.
const FEED_ENTRIES: i64 = 50;
/// How long a cache may keep a public answer.
const CACHE_CONTROL: &str = "public, max-age=60";

/// An instant of the document, as shown.
pub struct Moment {
    pub text: String,
    pub iso: String,
}

impl Moment {
    fn of(at: Option<&String>, offset: &str) -> Option<Moment> {
        let at = at?;
        Some(Moment { text: doc::full_time(at, offset), iso: at.clone() })
    }
}

pub struct EntryView {
    pub time: String,
    pub iso: String,
    pub html: SafeHtml,
}

pub struct ChangeView {
    pub html: SafeHtml,
    pub status: ActionStatus,
    pub label: &'static str,
}

/// A public document as its page shows it (and the author's preview, and the feed).
pub struct PublicView {
    pub title: String,
    pub severity: Option<Severity>,
    pub started: Option<Moment>,
    pub ended: Option<Moment>,
    pub duration: Option<String>,
    pub offset: String,
    pub note: Option<SafeHtml>,
    pub summary: Option<SafeHtml>,
    pub impact: Option<SafeHtml>,
    pub timeline: Vec<EntryView>,
    pub timeline_with_dates: bool,
    pub measures: Option<SafeHtml>,
    pub changes: Vec<ChangeView>,
    /// The headings of its parts.
    pub headings: [&'static str; 5],
    /// The title's element: `h1` on its own page, `h2` inside another (a preview, a feed entry).
    pub title_tag: &'static str,
}

/// The HTML of a piece of the document: as stored when the current renderer made it, else
/// rendered again from its Markdown (the snapshot's Markdown is what was approved).
fn shown(markdown: &str, html: &str, rendered_with: i32) -> SafeHtml {
    markdown::shown(markdown, &StoredHtml { html: html.to_owned(), rendered_with }).0
}

fn shown_part(markdown: Option<&String>, html: Option<&String>, rendered_with: i32) -> Option<SafeHtml> {
    Some(shown(markdown?, html.map_or("", String::as_str), rendered_with))
}

impl PublicView {
    /// The view of `document`, whose HTML renderer `rendered_with` made.
    pub fn of(document: &PublicDocument, rendered_with: i32) -> PublicView {
        let offset = &document.utc_offset;
        let clocks = doc::clocks(document);
        let timeline_with_dates = clocks.iter().any(|clock| clock.contains(' '));
        PublicView {
            title: document.title.clone(),
            severity: document.severity,
            started: Moment::of(document.started_at.as_ref(), offset),
            ended: Moment::of(document.ended_at.as_ref(), offset),
            duration: document
                .duration_minutes
                .map(|minutes| crate::domain::time::format_duration(time::Duration::minutes(minutes))),
            offset: offset.clone(),
            note: shown_part(document.note.as_ref(), document.note_html.as_ref(), rendered_with),
            summary: shown_part(document.summary.as_ref(), document.summary_html.as_ref(), rendered_with),
            impact: shown_part(document.impact.as_ref(), document.impact_html.as_ref(), rendered_with),
            timeline: document
                .timeline
                .iter()
                .zip(clocks)
                .map(|(entry, time)| EntryView {
                    time,
                    iso: entry.at.clone(),
                    html: shown(&entry.text, &entry.html, rendered_with),
                })
                .collect(),
            timeline_with_dates,
            measures: shown_part(document.measures.as_ref(), document.measures_html.as_ref(), rendered_with),
            changes: document
                .changes
                .iter()
                .map(|change| ChangeView {
                    html: shown(&change.text, &change.html, rendered_with),
                    status: change.status,
                    label: doc::status_label(change.status),
                })
                .collect(),
            headings: [doc::SUMMARY, doc::IMPACT, doc::TIMELINE, doc::CHANGES, doc::FOLLOW_UPS],
            title_tag: "h2",
        }
    }

    /// Whether it shows anything beyond its title and times.
    pub fn is_bare(&self) -> bool {
        self.note.is_none()
            && self.summary.is_none()
            && self.impact.is_none()
            && self.timeline.is_empty()
            && self.measures.is_none()
            && self.changes.is_empty()
    }
}

/// The document's body alone: the feed's entries, and the author's preview.
#[derive(Template)]
#[template(path = "public/body.html")]
pub struct Body<'a> {
    pub doc: &'a PublicView,
}

#[derive(Template)]
#[template(path = "public/page.html")]
struct Page {
    doc: PublicView,
    listed: bool,
    approved: String,
    markdown_url: String,
    json_url: String,
    feed_url: &'static str,
}

#[derive(Template)]
#[template(path = "public/not_found.html")]
struct NotFound;

/// A public answer: cacheable for a minute, and kept out of search engines when unlisted.
fn public_response(body: impl IntoResponse, content_type: &'static str, listed: bool) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    if !listed {
        headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    response
}

/// The same plain 404 for every address that shows nothing (unknown, withdrawn, never
/// approved, malformed), in the public pages' own layout.
fn not_found() -> Result<Response> {
    let mut response = (StatusCode::NOT_FOUND, NotFound.render()?).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    Ok(response)
}

/// The date of an approval, as the public page gives it.
fn day(at: OffsetDateTime) -> String {
    crate::domain::time::format_date(at.to_offset(time::UtcOffset::UTC).date())
}

/// `GET /p/{slug}`, `/p/{slug}.md` and `/p/{slug}.json`.
pub async fn serve(State(state): State<AppState>, mut db: Db, Path(file): Path<String>) -> Result<Response> {
    let (name, format) = match file.rsplit_once('.') {
        Some((name, "md")) => (name, Format::Markdown),
        Some((name, "json")) => (name, Format::Json),
        Some(_) => return not_found(),
        None => (file.as_str(), Format::Page),
    };
    let Some(slug) = Slug::from_stored(name) else { return not_found() };
    let Some(live) = db::public_versions::live(&mut *db, &slug).await? else { return not_found() };
    match format {
        Format::Page => {
            let page = Page {
                doc: PublicView { title_tag: "h1", ..PublicView::of(&live.document, live.rendered_with) },
                listed: live.listed,
                approved: day(live.approved_at),
                markdown_url: paths::public_markdown(&slug),
                json_url: paths::public_json(&slug),
                feed_url: paths::PUBLIC_FEED,
            };
            Ok(public_response(page.render()?, "text/html; charset=utf-8", live.listed))
        }
        Format::Markdown => Ok(public_response(live.markdown.clone(), "text/markdown; charset=utf-8", live.listed)),
        Format::Json => {
            let body = json(&state.public_url, &live).to_string();
            Ok(public_response(body, "application/json", live.listed))
        }
    }
}

enum Format {
    Page,
    Markdown,
    Json,
}

/// The JSON document a status page reads: the approved document with its address and approval
/// time (see the README's "Public versions").
pub fn json(public_url: &str, live: &Live) -> serde_json::Value {
    let document = doc::rendered_again(live.document.clone(), live.rendered_with);
    let mut value = serde_json::to_value(&document).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        let url = format!("{public_url}{}", paths::public_page(&live.slug));
        fields.insert("schema_version".to_owned(), serde_json::json!(doc::JSON_SCHEMA_VERSION));
        fields.insert("slug".to_owned(), serde_json::json!(live.slug));
        fields.insert("url".to_owned(), serde_json::json!(url));
        fields.insert("approved_at".to_owned(), serde_json::json!(crate::web::layout::iso(live.approved_at)));
    }
    value
}

/// One entry of the public feed.
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub url: String,
    pub updated: String,
    pub content: String,
}

#[derive(Template)]
#[template(path = "public/feed.atom", escape = "html")]
struct Feed {
    id: String,
    url: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

/// `GET /p/feed.atom`: the latest approved public versions that are listed, newest approval
/// first.
pub async fn feed(State(state): State<AppState>, mut db: Db) -> Result<Response> {
    let base = &state.public_url;
    let live = db::public_versions::feed(&mut *db, FEED_ENTRIES).await?;
    let updated = crate::web::layout::iso(live.first().map_or(OffsetDateTime::UNIX_EPOCH, |live| live.approved_at));
    let mut entries = Vec::with_capacity(live.len());
    for public in &live {
        let view = PublicView::of(&public.document, public.rendered_with);
        let url = format!("{base}{}", paths::public_page(&public.slug));
        entries.push(FeedEntry {
            id: url.clone(),
            title: view.title.clone(),
            url,
            updated: crate::web::layout::iso(public.approved_at),
            content: Body { doc: &view }.render()?,
        });
    }
    let feed = Feed { id: format!("{base}{}", paths::PUBLIC_FEED), url: base.clone(), updated, entries };
    let body = super::feeds::without_xml_forbidden(feed.render()?);
    Ok(public_response(body, "application/atom+xml; charset=utf-8", true))
}
