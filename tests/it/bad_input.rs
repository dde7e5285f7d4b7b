//! Bad input, every way in: the forms, the Import page, `POST /api/import`, the JSON API, the
//! command line, headers and encodings. Each case is sent to one postmortem's app and must get
//! its 4xx, a response that says what is wrong, and change nothing in the database. Cases a
//! router cannot show (header limits, slow clients) go through the real listener over TCP.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::harness::{TestApp, form};
use crate::routes::snapshot;

/// How a case is sent. Paths may name the fixture with `{pm}` (the postmortem's path), `{entry}`,
/// `{item}`, `{section}`, `{user}` and `{team}`; `{version}` in a value is the postmortem's.
enum Send {
    /// A URL-encoded form, as a browser posts it.
    Form(&'static str, Vec<(&'static str, String)>),
    /// A body as it is, with its content type.
    Body(&'static str, &'static str, Vec<u8>),
    /// A `multipart/form-data` post: (field, file name, content) per part.
    Multipart(&'static str, Vec<(&'static str, Option<&'static str>, Vec<u8>)>),
    /// A GET under `/api/` carrying the session cookie and no token.
    CookieOnly(&'static str),
    /// A GET under `/api/` with this `Authorization` header.
    Authorized(&'static str, &'static str),
    /// A POST declaring this `Content-Length`, with no body.
    Declared(&'static str, &'static str),
}

struct Case {
    name: &'static str,
    send: Send,
    status: StatusCode,
    /// A fragment of the response that says what is wrong.
    says: &'static str,
}

fn case(name: &'static str, send: Send, status: StatusCode, says: &'static str) -> Case {
    Case { name, send, status, says }
}

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const BAD_REQUEST: StatusCode = StatusCode::BAD_REQUEST;

/// The ids the cases' paths name.
struct Fixture {
    pm: String,
    entry: String,
    item: String,
    section: String,
    user: String,
    team: String,
    version: String,
    /// A postmortem already holding the most action items, and one the most timeline entries.
    full_items: String,
    full_timeline: String,
}

impl Fixture {
    fn fill(&self, text: &str) -> String {
        text.replace("{pm}", &self.pm)
            .replace("{entry}", &self.entry)
            .replace("{item}", &self.item)
            .replace("{section}", &self.section)
            .replace("{user}", &self.user)
            .replace("{team}", &self.team)
            .replace("{version}", &self.version)
            .replace("{full_items}", &self.full_items)
            .replace("{full_timeline}", &self.full_timeline)
    }
}

/// A Markdown postmortem with `timeline` entries, `items` action items and `sections` extra
/// sections, starting 2025-03-01 10:00 UTC.
fn document(timeline: usize, items: usize, sections: usize) -> String {
    let mut doc =
        String::from("# Load test\n\n**Start:** 2025-03-01 10:00 UTC\n\n## Impact\n\nSlow.\n\n## Timeline\n\n");
    for n in 0..timeline {
        let _ = writeln!(doc, "- **10:{:02}** – step {n}", n % 60);
    }
    doc.push_str("\n## Action items\n\n");
    for n in 0..items {
        let _ = writeln!(doc, "- [ ] Fix thing {n}");
    }
    for n in 0..sections {
        let _ = write!(doc, "\n## Extra part {n}\n\nText {n}.\n");
    }
    doc
}

/// The fixture's document with `text` in place of its impact.
fn with_impact(text: &str) -> String {
    format!("# Outage\n\n**Start:** 2025-03-01 10:00 UTC\n\n## Impact\n\n{text}\n")
}

/// Row counts of the main tables, beside the full snapshot.
const TABLES: [&str; 14] = [
    "incidents",
    "incident_texts",
    "timeline_entries",
    "action_items",
    "incident_sections",
    "users",
    "teams",
    "api_tokens",
    "sessions",
    "login_failures",
    "audit_events",
    "review_comments",
    "revisions",
    "webhooks",
];

async fn counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push((table, app.count(table).await));
    }
    counts
}

/// An import that saves: a postmortem to fill up to a limit.
async fn imported(app: &TestApp, doc: &str) -> String {
    let saved = app.post_body("/api/import?save=true", "text/markdown", doc.to_owned()).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    saved.location().to_owned()
}

async fn fixture(app: &TestApp) -> Fixture {
    let pm = app.create_incident(&form()).await;
    app.post_form(&format!("{pm}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    app.post_form(&format!("{pm}/actions"), &[("body", "Fix it"), ("due_on", "2025-04-01")]).await;
    app.post_form(&format!("{pm}/sections"), &[("heading", "Detection"), ("body", "Pager")]).await;
    assert_eq!(app.post_form("/admin/teams", &[("name", "Platform")]).await.status, StatusCode::SEE_OTHER);
    let json: Value = serde_json::from_str(&app.get(&format!("/api{pm}")).await.body).expect("JSON");
    let id = |value: &Value| value.as_i64().expect("an id").to_string();
    let user: i64 = sqlx::query_scalar("SELECT max(id) FROM users").fetch_one(&app.pool).await.expect("a user");
    let team: i64 = sqlx::query_scalar("SELECT max(id) FROM teams").fetch_one(&app.pool).await.expect("a team");
    Fixture {
        entry: id(&json["timeline"][0]["id"]),
        item: id(&json["action_items"][0]["id"]),
        section: id(&json["sections"][0]["id"]),
        version: id(&json["version"]),
        user: user.to_string(),
        team: team.to_string(),
        full_items: imported(app, &document(0, 500, 0)).await,
        full_timeline: imported(app, &document(1_000, 0, 0)).await,
        pm,
    }
}

/// The postmortem form's fields, with `field` set to `value`.
fn incident(field: &'static str, value: impl Into<String>) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = vec![
        ("title", "Checkout latency spike".into()),
        ("severity", "SEV2".into()),
        ("started_at", "2025-03-01T10:15".into()),
        ("ended_at", "2025-03-01T11:05".into()),
        ("utc_offset", "UTC+2".into()),
        ("version", "{version}".into()),
    ];
    set(&mut fields, field, value.into());
    fields
}

/// An action item's fields, with `field` set to `value`.
fn item(field: &'static str, value: impl Into<String>) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = vec![("body", "Add jitter".into()), ("due_on", "2025-04-01".into())];
    set(&mut fields, field, value.into());
    fields
}

fn without_end(mut fields: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    set(&mut fields, "ended_at", String::new());
    fields
}

fn set(fields: &mut Vec<(&'static str, String)>, field: &'static str, value: String) {
    match fields.iter_mut().find(|(name, _)| *name == field) {
        Some((_, old)) => *old = value,
        None => fields.push((field, value)),
    }
}

fn pairs(fields: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    fields.iter().map(|(name, value)| (*name, (*value).to_owned())).collect()
}

/// An Import page form saving one document.
fn import_page(source: &str, extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut fields = vec![("doc0-source", source.to_owned()), ("action", "save".to_owned())];
    fields.extend(pairs(extra));
    fields
}

fn cases() -> Vec<Case> {
    use Send::*;
    let long = |n: usize| "x".repeat(n);
    vec![
        // ---- A NUL byte in each kind of field ----
        case(
            "NUL in a new postmortem's title",
            Form("/incidents", incident("title", "Out\0age")),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in a new postmortem's summary",
            Form("/incidents", incident("summary", "a\0b")),
            UNPROCESSABLE,
            "NUL character",
        ),
        case("NUL in the offset", Form("/incidents", incident("utc_offset", "UTC+2\0")), UNPROCESSABLE, "UTC"),
        case("NUL in an edited title", Form("{pm}", incident("title", "a\0")), UNPROCESSABLE, "NUL character"),
        case("NUL in an edited impact", Form("{pm}", incident("impact", "\0")), UNPROCESSABLE, "NUL character"),
        case(
            "NUL in a new timeline entry",
            Form("{pm}/timeline", pairs(&[("time", "10:30"), ("body", "a\0")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in an edited timeline entry",
            Form("{pm}/timeline/{entry}", pairs(&[("time", "10:30"), ("body", "\0")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case("NUL in a new item's owner", Form("{pm}/actions", item("owner", "Sam\0")), UNPROCESSABLE, "NUL character"),
        case("NUL in a new item's team", Form("{pm}/actions", item("team", "\0Ops")), UNPROCESSABLE, "NUL character"),
        case(
            "NUL in an edited item's note",
            Form("{pm}/actions/{item}", item("completion_note", "do\0ne")),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in why an item will not be done",
            Form(
                "{pm}/actions/{item}",
                item("status", "wont_do").into_iter().chain([("wont_do_reason", "no\0".to_owned())]).collect(),
            ),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in a new section's heading",
            Form("{pm}/sections", pairs(&[("heading", "Det\0ection"), ("body", "x")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in an edited section's body",
            Form("{pm}/sections/{section}", pairs(&[("heading", "Detection"), ("body", "\0")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in a comment",
            Form("{pm}/comments", pairs(&[("body", "looks\0good")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in the sign-in email",
            Form("/login", pairs(&[("email", "a\0@example.com"), ("password", "whatever it is")])),
            UNPROCESSABLE,
            "control character",
        ),
        case(
            "a sign-in email longer than any address",
            Form(
                "/login",
                pairs(&[("email", &format!("{}@example.com", "a".repeat(100_000))), ("password", "whatever")]),
            ),
            UNPROCESSABLE,
            "longer than any email address",
        ),
        case("NUL in a token's name", Form("/account/tokens", pairs(&[("name", "scr\0ipt")])), UNPROCESSABLE, "NUL"),
        case(
            "NUL in a person's name",
            Form("/admin/users", pairs(&[("email", "lee@example.com"), ("name", "Lee\0"), ("role", "viewer")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in a person's email",
            Form("/admin/users", pairs(&[("email", "lee\0@example.com"), ("name", "Lee"), ("role", "viewer")])),
            UNPROCESSABLE,
            "email",
        ),
        case(
            "NUL in a team's name",
            Form("/admin/teams", pairs(&[("name", "Ops\0"), ("time_zone", "UTC")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in a renamed team",
            Form("/admin/teams/{team}", pairs(&[("name", "\0"), ("time_zone", "UTC")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in an owner's name to link",
            Form("/admin/users/{user}/owners", pairs(&[("owner", "Sam\0")])),
            BAD_REQUEST,
            "NUL character",
        ),
        case(
            "NUL in a webhook's address",
            Form("/admin/webhooks", pairs(&[("url", "https://example.com/\0"), ("events", "action_item.done")])),
            UNPROCESSABLE,
            "web address",
        ),
        case(
            "NUL in the Import page's title",
            Form("/import", import_page(&with_impact("Slow."), &[("doc0-title", "Out\0age")])),
            UNPROCESSABLE,
            "NUL character",
        ),
        case(
            "NUL in the Import page's Markdown",
            Form("/import", import_page("# Outage\0", &[])),
            UNPROCESSABLE,
            "binary file",
        ),
        case(
            "NUL in the Import page's offset",
            Form("/import", import_page(&with_impact("Slow."), &[("doc0-utc_offset", "\0")])),
            UNPROCESSABLE,
            "UTC",
        ),
        case(
            "NUL in an imported document",
            Body("/api/import?save=true", "text/markdown", b"# Outage\0\n".to_vec()),
            UNPROCESSABLE,
            "binary file",
        ),
        case(
            "NUL in the API's file name",
            Body(
                "/api/import?save=true&file_name=a%00b.md",
                "text/markdown",
                b"**Start:** 2025-03-01 10:00 UTC\n\nIt broke.\n".to_vec(),
            ),
            UNPROCESSABLE,
            "NUL character",
        ),
        // ---- Text that is not UTF-8 ----
        case(
            "Latin-1 in a title",
            Body(
                "/incidents",
                "application/x-www-form-urlencoded",
                b"title=Caf%E9&severity=SEV2&started_at=2025-03-01T10%3A15&utc_offset=UTC".to_vec(),
            ),
            BAD_REQUEST,
            "not UTF-8",
        ),
        case(
            "a raw invalid byte in a timeline entry",
            Body("{pm}/timeline", "application/x-www-form-urlencoded", b"time=10%3A30&body=a\xffb".to_vec()),
            BAD_REQUEST,
            "not UTF-8",
        ),
        case(
            "a broken sequence in a comment",
            Body("{pm}/comments", "application/x-www-form-urlencoded", b"body=%C3%28".to_vec()),
            BAD_REQUEST,
            "not UTF-8",
        ),
        case(
            "invalid UTF-8 in the sign-in email",
            Body("/login", "application/x-www-form-urlencoded", b"email=%FF%40example.com&password=x".to_vec()),
            BAD_REQUEST,
            "not UTF-8",
        ),
        case(
            "invalid UTF-8 in a new person",
            Body(
                "/admin/users",
                "application/x-www-form-urlencoded",
                b"email=lee%40example.com&name=L%FFe&role=viewer".to_vec(),
            ),
            BAD_REQUEST,
            "not UTF-8",
        ),
        case(
            "invalid UTF-8 in the Import page's Markdown",
            Body("/import", "application/x-www-form-urlencoded", b"doc0-source=%23+Caf%E9&action=save".to_vec()),
            BAD_REQUEST,
            "not UTF-8",
        ),
        case(
            "invalid UTF-8 in pasted Markdown",
            Multipart("/import/preview", vec![("markdown", None, b"# Caf\xe9 outage".to_vec())]),
            BAD_REQUEST,
            "not UTF-8",
        ),
        case(
            "an uploaded file that is not UTF-8",
            Multipart("/import/preview", vec![("files", Some("latin1.md"), b"# Caf\xe9 outage".to_vec())]),
            UNPROCESSABLE,
            "not UTF-8",
        ),
        case(
            "an imported document that is not UTF-8",
            Body("/api/import?save=true", "text/markdown", b"# Caf\xe9\n".to_vec()),
            UNPROCESSABLE,
            "not UTF-8",
        ),
        case(
            "an imported document in UTF-16",
            Body("/api/import", "text/markdown", b"\xff\xfe#\0 \0O\0".to_vec()),
            UNPROCESSABLE,
            "UTF-16",
        ),
        // ---- Over a limit, on every way in ----
        case("a 201-character title", Form("/incidents", incident("title", long(201))), UNPROCESSABLE, "under 200"),
        case(
            "a 200 KB section",
            Form("/incidents", incident("impact", long(200_001))),
            UNPROCESSABLE,
            "the limit is 200 KB",
        ),
        case(
            "a 1 MB timeline entry from the form",
            Form("{pm}/timeline", pairs(&[("time", "10:30"), ("body", &long(1_000_000))])),
            UNPROCESSABLE,
            "the limit is 200 KB",
        ),
        case("a 501-character action item", Form("{pm}/actions", item("body", long(501))), UNPROCESSABLE, "under 500"),
        case(
            "a 201-character section heading",
            Form("{pm}/sections", pairs(&[("heading", &long(201)), ("body", "x")])),
            UNPROCESSABLE,
            "under 200",
        ),
        case(
            "a 2,001-character ticket link",
            Form("{pm}/actions/{item}", item("ticket_url", format!("https://t.example/{}", long(2_000)))),
            UNPROCESSABLE,
            "under 2000",
        ),
        case(
            "a form over 2 MB",
            Form("/incidents", incident("impact", long(2_200_000))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "over the size limit",
        ),
        case(
            "an import with a 1 MB timeline entry",
            Body(
                "/api/import?save=true",
                "text/markdown",
                format!("{}\n## Timeline\n\n- **10:05** – {}\n", with_impact("Slow."), long(1_000_000)).into_bytes(),
            ),
            UNPROCESSABLE,
            "Timeline entry 1 is 1000 KB; the limit is 200 KB",
        ),
        case(
            "an import with a 1.5 MB extra section",
            Body(
                "/api/import?save=true",
                "text/markdown",
                format!("{}\n## Logs\n\n{}\n", with_impact("Slow."), long(1_500_000)).into_bytes(),
            ),
            UNPROCESSABLE,
            "the limit is 200 KB",
        ),
        case(
            "an Import page document with a 1.5 MB section",
            Form("/import", import_page(&with_impact(&long(1_500_000)), &[])),
            UNPROCESSABLE,
            "the limit is 200 KB",
        ),
        case(
            "an import over 2 MB",
            Body("/api/import?save=true", "text/markdown", with_impact(&long(2_200_000)).into_bytes()),
            StatusCode::PAYLOAD_TOO_LARGE,
            "over the size limit",
        ),
        case(
            "an import with 1,001 timeline entries",
            Body("/api/import?save=true", "text/markdown", document(1_001, 0, 0).into_bytes()),
            UNPROCESSABLE,
            "1001 timeline entries; a postmortem holds at most 1000",
        ),
        case(
            "an import with 45,000 timeline entries",
            Body("/api/import?save=true", "text/markdown", document(45_000, 0, 0).into_bytes()),
            UNPROCESSABLE,
            "at most 1000",
        ),
        case(
            "an import with 501 action items",
            Body("/api/import?save=true", "text/markdown", document(0, 501, 0).into_bytes()),
            UNPROCESSABLE,
            "501 action items; a postmortem holds at most 500",
        ),
        case(
            "an import with 10,000 action items",
            Body("/api/import?save=true", "text/markdown", document(0, 10_000, 0).into_bytes()),
            UNPROCESSABLE,
            "at most 500",
        ),
        case(
            "an import with 101 extra sections",
            Body("/api/import?save=true", "text/markdown", document(0, 0, 101).into_bytes()),
            UNPROCESSABLE,
            "at most 100",
        ),
        case(
            "an Import page document with 1,001 timeline entries",
            Form("/import", import_page(&document(1_001, 0, 0), &[])),
            UNPROCESSABLE,
            "at most 1000",
        ),
        case(
            "an imported 300-character title",
            Body(
                "/api/import?save=true",
                "text/markdown",
                format!("# {}\n\n**Start:** 2025-03-01 10:00 UTC\n", long(300)).into_bytes(),
            ),
            UNPROCESSABLE,
            "under 200",
        ),
        case(
            "the 501st action item",
            Form("{full_items}/actions", item("body", "One more")),
            UNPROCESSABLE,
            "already has 500 action items",
        ),
        case(
            "the 1,001st timeline entry",
            Form("{full_timeline}/timeline", pairs(&[("time", "11:00"), ("body", "One more")])),
            UNPROCESSABLE,
            "already has 1000 timeline entries",
        ),
        // ---- Dates outside 1970–2200, and due before the start ----
        case(
            "a postmortem starting in 1969",
            Form("/incidents", without_end(incident("started_at", "1969-12-31T10:00"))),
            UNPROCESSABLE,
            "between 1970 and 2200",
        ),
        case(
            "a postmortem starting in year 0",
            Form("/incidents", incident("started_at", "0000-01-01T10:00")),
            UNPROCESSABLE,
            "year",
        ),
        case(
            "a postmortem ending in 2201",
            Form("{pm}", incident("ended_at", "2201-01-01T10:00")),
            UNPROCESSABLE,
            "between 1970 and 2200",
        ),
        case(
            "a timeline entry in 1900",
            Form("{pm}/timeline", pairs(&[("date", "1900-01-01"), ("time", "10:30"), ("body", "Paged")])),
            UNPROCESSABLE,
            "between 1970 and 2200",
        ),
        case(
            "an item due in 9999",
            Form("{pm}/actions", item("due_on", "9999-01-01")),
            UNPROCESSABLE,
            "between 1970 and 2200",
        ),
        case(
            "an item due before the incident started",
            Form("{pm}/actions", item("due_on", "2025-02-28")),
            UNPROCESSABLE,
            "before the incident started (2025-03-01)",
        ),
        case(
            "an edited item due before the start",
            Form("{pm}/actions/{item}", item("due_on", "2024-12-31")),
            UNPROCESSABLE,
            "before the incident started",
        ),
        case(
            "an imported item due before the start",
            Body(
                "/api/import?save=true",
                "text/markdown",
                format!("{}\n## Action items\n\n- [ ] Fix it **Due:** 2025-01-15\n", with_impact("Slow.")).into_bytes(),
            ),
            UNPROCESSABLE,
            "before the incident started",
        ),
        case(
            "an import starting in 1960",
            Body("/api/import?save=true", "text/markdown", b"# Old\n\n**Start:** 1960-03-01 10:00 UTC\n".to_vec()),
            UNPROCESSABLE,
            "1960",
        ),
        case(
            "an Import page start in 2300",
            Form("/import", import_page(&with_impact("Slow."), &[("doc0-started_at", "2300-01-01T10:00")])),
            UNPROCESSABLE,
            "between 1970 and 2200",
        ),
        // ---- What a form names must exist ----
        case(
            "a team id that does not exist",
            Form("{pm}/actions", item("team_id", "999999")),
            UNPROCESSABLE,
            "team does not exist",
        ),
        case(
            "an edited item's team that does not exist",
            Form("{pm}/actions/{item}", item("team_id", "999999")),
            UNPROCESSABLE,
            "team does not exist",
        ),
        case(
            "an owner id that does not exist",
            Form("{pm}/actions", item("owner_id", "999999")),
            UNPROCESSABLE,
            "no active account",
        ),
        case(
            "a team id that is not a number",
            Form("{pm}/actions", item("team_id", "Ops")),
            UNPROCESSABLE,
            "Choose a team",
        ),
        // ---- Bodies that are not what the route reads ----
        case(
            "JSON sent to a form",
            Body("/incidents", "application/json", br#"{"title":"Outage"}"#.to_vec()),
            BAD_REQUEST,
            "Content-Type",
        ),
        case(
            "a form naming a field twice",
            Body("/incidents", "application/x-www-form-urlencoded", b"title=a&title=b".to_vec()),
            BAD_REQUEST,
            "duplicate field",
        ),
        case(
            "a multipart body that is not multipart",
            Body("/import/preview", "multipart/form-data; boundary=xyz", b"this is not multipart".to_vec()),
            BAD_REQUEST,
            "could not be read",
        ),
        case(
            "a multipart body with no boundary",
            Body("/import/preview", "multipart/form-data", b"--x\r\n".to_vec()),
            BAD_REQUEST,
            "boundary",
        ),
        case(
            "a Content-Length over the limit",
            Declared("/incidents", "10000000000"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "over the size limit",
        ),
        case(
            "an import's Content-Length over the limit",
            Declared("/api/import", "60000000"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "over the size limit",
        ),
        case(
            "a query that does not parse",
            Body("/api/import?save=maybe", "text/markdown", with_impact("Slow.").into_bytes()),
            BAD_REQUEST,
            "save",
        ),
        // ---- The API takes tokens, not the cookie ----
        case("the API with only the session cookie", CookieOnly("/api{pm}"), StatusCode::UNAUTHORIZED, "API token"),
        case(
            "the API's export with only the session cookie",
            CookieOnly("/api{pm}/export.md"),
            StatusCode::UNAUTHORIZED,
            "never the session cookie",
        ),
        case(
            "the API with a password instead of a token",
            Authorized("/api{pm}", "Basic YTpi"),
            StatusCode::UNAUTHORIZED,
            "API token",
        ),
        case(
            "the API with a made-up token",
            Authorized("/api{pm}", "Bearer hst_0000"),
            StatusCode::UNAUTHORIZED,
            "API token",
        ),
    ]
}

async fn send(app: &TestApp, fixture: &Fixture, send: &Send) -> crate::harness::TestResponse {
    match send {
        Send::Form(path, fields) => {
            let mut fields: Vec<(&str, String)> =
                fields.iter().map(|(name, value)| (*name, fixture.fill(value))).collect();
            // An edit form carries the version it was loaded at, so that the case is refused for
            // its bad input, not for a missing version: the fixture's rows are all at version 1.
            let edits_a_row = ["/timeline/{entry}", "/actions/{item}", "/sections/{section}", "/admin/teams/{team}"]
                .iter()
                .any(|row| path.ends_with(row));
            if edits_a_row && !fields.iter().any(|(name, _)| *name == "version") {
                fields.push(("version", "1".to_owned()));
            }
            app.post_form(&fixture.fill(path), &fields).await
        }
        Send::Body(path, content_type, body) => app.post_body(&fixture.fill(path), content_type, body.clone()).await,
        Send::Multipart(path, parts) => {
            let parts: Vec<(&str, Option<&str>, &[u8])> =
                parts.iter().map(|(name, file, content)| (*name, *file, content.as_slice())).collect();
            app.post_multipart(path, &parts).await
        }
        Send::CookieOnly(path) => {
            let request = Request::get(fixture.fill(path)).body(Body::empty()).expect("a request");
            app.request_without_token(request).await
        }
        Send::Authorized(path, authorization) => {
            let request = Request::get(fixture.fill(path))
                .header(header::AUTHORIZATION, *authorization)
                .body(Body::empty())
                .expect("a request");
            app.request(request).await
        }
        Send::Declared(path, length) => {
            let request = Request::post(*path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::CONTENT_LENGTH, *length)
                .body(Body::empty())
                .expect("a request");
            app.request(request).await
        }
    }
}

#[tokio::test]
async fn every_bad_input_is_refused_with_a_reason_and_changes_nothing() {
    let app = TestApp::new().await;
    let fixture = fixture(&app).await;
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (counted, before) = (counts(&app).await, snapshot(&app).await);
        let started = Instant::now();
        let response = send(&app, &fixture, &case.send).await;
        let took = started.elapsed();
        let mut wrong = Vec::new();
        if response.status != case.status {
            wrong.push(format!("status {} (expected {})", response.status, case.status));
        }
        if !response.body.contains(case.says) {
            wrong.push(format!("no “{}” in the response", case.says));
        }
        if counts(&app).await != counted || snapshot(&app).await != before {
            wrong.push("the database changed".to_owned());
        }
        if took > Duration::from_secs(20) {
            wrong.push(format!("took {took:?}"));
        }
        if !wrong.is_empty() {
            // The page's own part, past the layout's header.
            let main = response.body.find("<main").map_or(&response.body[..], |at| &response.body[at..]);
            let excerpt: String = main.chars().take(1200).collect();
            failures.push(format!("{}: {}\n    {excerpt}", case.name, wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    println!("{} bad inputs refused", cases.len());
}

/// First-run set-up (an empty instance) refuses a NUL in the admin's name, on its form.
#[tokio::test]
async fn set_up_refuses_a_nul_in_the_first_admins_name() {
    let app = TestApp::anonymous().await;
    let fields = [
        ("email", "boss@example.com"),
        ("name", "The\0Boss"),
        ("password", "corner office view"),
        ("password_confirm", "corner office view"),
    ];
    let response = app.post_form("/setup", &fields).await;
    assert_eq!(response.status, UNPROCESSABLE, "{}", response.body);
    assert!(response.field_error("name").is_some_and(|m| m.contains("NUL character")), "{}", response.body);
    assert_eq!(app.count("users").await, 0);
}

/// `hindsight import` refuses what the forms and the API refuse, file by file, and goes on.
#[tokio::test]
async fn the_command_line_import_keeps_the_same_limits() {
    let app = TestApp::anonymous().await;
    let dir = std::env::temp_dir().join(format!("hindsight-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let (many, fine) = (dir.join("many-items.md"), dir.join("fine.md"));
    std::fs::write(&many, document(0, 501, 0)).expect("write");
    std::fs::write(&fine, "# Fine\n\n- **Status:** Published\n- **Start:** 2025-03-01 10:00 UTC\n").expect("write");
    let undated = dir.join("undated.md");
    std::fs::write(&undated, "# Undated\n\nIt broke one night.\n\n## Timeline\n\n- 23:50 Alert fired\n")
        .expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args([
            "import",
            many.to_str().expect("a path"),
            fine.to_str().expect("a path"),
            undated.to_str().expect("a path"),
        ])
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run hindsight");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "one file was refused");
    assert!(stderr.contains("many-items.md: not imported") && stderr.contains("at most 500"), "{stderr}");
    assert_eq!(app.count("incidents").await, 2, "the other files are saved: {stderr}");
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM incidents").fetch_all(&app.pool).await.expect("q");
    assert_eq!(statuses, ["draft", "draft"], "an import is a draft whatever it says");
    // What a document does not say is no reason to refuse it: it is listed at the end instead.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let listed = stdout.split("What the saved drafts do not say yet").nth(1).unwrap_or_default();
    assert!(listed.contains("undated.md") && listed.contains("start of impact"), "{stdout}");
    assert!(stdout.contains("note: No start of impact was stated"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Nothing an engineer imports is published: the document's status, or the Import page's
/// hand-made correction, is noted and ignored; no revision is marked published.
#[tokio::test]
async fn imports_always_land_as_drafts() {
    let app = TestApp::new().await;
    app.sign_in_as(hindsight::domain::Role::Engineer).await;
    let published = "---\nstatus: published\n---\n# Outage\n\n**Start:** 2025-03-01 10:00 UTC\n\n## Impact\n\nSlow.\n";
    let preview = app.post_form("/import", &[("doc0-source", published), ("action", "preview")]).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("Imported as a draft; it was marked Published in the document"), "{}", preview.body);
    let page =
        app.post_form("/import", &[("doc0-source", published), ("doc0-status", "published"), ("action", "save")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let api = app.post_body("/api/import?save=true", "text/markdown", published).await;
    assert_eq!(api.status, StatusCode::CREATED);
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM incidents ORDER BY id").fetch_all(&app.pool).await.expect("q");
    assert_eq!(statuses, ["draft", "draft"]);
    let published_revisions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM revisions WHERE published").fetch_one(&app.pool).await.expect("q");
    assert_eq!(published_revisions, 0);
}

/// A control character in an uploaded file's name is left out of the name shown; the upload
/// goes on.
#[tokio::test]
async fn a_control_character_in_a_file_name_does_not_fail_the_upload() {
    let app = TestApp::new().await;
    let (slow, fast) = (with_impact("Slow."), with_impact("Fast."));
    let parts: &[(&str, Option<&str>, &[u8])] =
        &[("files", Some("out\u{1}age.md"), slow.as_bytes()), ("files", Some("other.md"), fast.as_bytes())];
    let page = app.post_multipart("/import/preview", parts).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts(".import-doc .file-name"), ["out age.md", "other.md"]);
    assert!(!page.body.contains('\u{1}'));
}

/// One control character in a published postmortem's title must not make the whole Atom feed
/// unreadable.
#[tokio::test]
async fn the_feed_stays_xml_whatever_a_title_holds() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    // Stored by hand: the forms refuse no control character but NUL.
    sqlx::query("UPDATE incidents SET title = 'Bell \u{7} and escape \u{1b} here', status = 'in_review'")
        .execute(&app.pool)
        .await
        .expect("q");
    assert_eq!(app.post_empty(&format!("{path}/approve")).await.status, StatusCode::SEE_OTHER);
    let feed = app.get("/feeds/postmortems.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.contains("<title>Bell  and escape  here (SEV2)</title>"), "{}", feed.body);
    let forbidden = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    assert!(!feed.body.chars().any(forbidden), "only characters XML 1.0 allows");
}

/// A section that is all markup the sanitizer removes says so, rather than "Not written yet".
#[tokio::test]
async fn text_with_nothing_visible_says_so() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form().with(hindsight::domain::Section::Impact, "<script>alert(1)</script>")).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "<style>p{}</style>")]).await;
    let page = app.get(&path).await;
    let notes = page.texts(".nothing-visible");
    assert_eq!(notes.len(), 2, "the impact and the timeline entry: {}", page.body);
    assert!(notes.iter().all(|note| note.contains("no visible content once rendered")), "{notes:?}");
    assert!(page.texts(".placeholder").iter().any(|text| text.starts_with("Not written yet")), "the root cause");
}

// ---- The real listener, over TCP ------------------------------------------------------------

/// The app served by the real listener on a port of its own, until the returned sender is
/// dropped.
async fn listening(app: &TestApp) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("its address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        stopped.await.ok();
    };
    tokio::spawn(hindsight::server::listen::serve(listener, app.router(), signal, Duration::from_secs(1)));
    (address, stop)
}

/// Sends `head` (and then nothing more), and reads what comes back until the server closes the
/// connection or a whole response has arrived, for at most `wait`.
async fn exchange(address: std::net::SocketAddr, head: &[u8], wait: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).await.expect("connect");
    // A large head may be refused before it is all sent: a failed write is then expected.
    let _ = stream.write_all(head).await;
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let left = wait.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
        if whole_response(&received) {
            break;
        }
    }
    (String::from_utf8_lossy(&received).into_owned(), started.elapsed())
}

/// Whether `bytes` hold a response's head and as much body as its `Content-Length` says.
fn whole_response(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some(end) = text.find("\r\n\r\n") else { return false };
    let length = text[..end]
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    bytes.len() >= end + 4 + length
}

#[tokio::test]
async fn the_listener_refuses_oversized_and_slow_requests() {
    let app = TestApp::new().await;
    let (address, _stop) = listening(&app).await;
    let (counted, before) = (counts(&app).await, snapshot(&app).await);

    // A declared body over the limit: 413 at once, before any of it is sent.
    let huge = b"POST /incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000000\r\n\r\n";
    let (response, took) = exchange(address, huge, Duration::from_secs(5)).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("over the size limit"), "{response}");
    assert!(took < Duration::from_secs(2), "answered at once, not after reading: {took:?}");

    // A 100 KB cookie: 431, whatever the route.
    let cookie = format!("GET /incidents HTTP/1.1\r\nHost: x\r\nCookie: a={}\r\n\r\n", "c".repeat(100_000));
    let (response, _) = exchange(address, cookie.as_bytes(), Duration::from_secs(5)).await;
    assert!(response.starts_with("HTTP/1.1 431 Request Header Fields Too Large"), "{response}");

    // Headers sent slowly, and a body sent slowly, at once: each is cut off at its limit.
    let slow_head = exchange(address, b"POST /login HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(20));
    let slow_body = exchange(
        address,
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a",
        Duration::from_secs(45),
    );
    let ((head, head_took), (body, body_took)) = tokio::join!(slow_head, slow_body);
    let header_limit = hindsight::server::listen::HEADER_READ_TIMEOUT;
    assert!(head.is_empty() || head.starts_with("HTTP/1.1 408"), "no request was read: {head}");
    assert!(head_took >= header_limit && head_took < header_limit + Duration::from_secs(5), "{head_took:?}");
    assert!(body.starts_with("HTTP/1.1 408"), "{body}");
    assert!(body.contains("took too long to send"), "{body}");
    assert!(body_took < Duration::from_secs(40), "{body_took:?}");

    assert_eq!(counts(&app).await, counted);
    assert_eq!(snapshot(&app).await, before, "nothing changed");
}
