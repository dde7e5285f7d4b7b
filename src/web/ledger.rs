//! `/action-items`: one ledger of every postmortem's action items, filtered, sorted and paged,
//! and the same list as CSV or Markdown.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;

use super::AppState;
use super::action_items::Verification;
use super::admission::Db;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::Query;
use super::kept::CountOf;
use super::layout::Viewer;
use super::paths;
use super::pickers::{Person, Shared};
use crate::db;
use crate::db::ledger::{LedgerFilter, LedgerRow, LedgerSort, StatusFilter, VerificationFilter};
use crate::domain::time as t;
use crate::domain::{ActionItemId, ActionKind, ActionStatus, IncidentId, Priority, Severity, Team, UserId};
use crate::markdown::SafeHtml;

/// Items per page.
pub const PAGE_SIZE: i64 = 50;

/// Most items one CSV or Markdown download holds.
const MAX_EXPORT: i64 = 100_000;

/// The filter form as sent: every field optional text, so the form shows back what was chosen.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LedgerQuery {
    pub team: String,
    pub owner: String,
    /// Absent: items not yet closed. `any`: all.
    pub status: Option<String>,
    pub kind: String,
    pub priority: String,
    pub severity: String,
    pub overdue: String,
    /// `yes`, `no` (done, not yet verified) or `recurred`; empty: any.
    pub verified: String,
    pub due_from: String,
    pub due_to: String,
    pub sort: String,
    #[serde(skip_serializing)]
    pub page: Option<i64>,
}

impl LedgerQuery {
    fn filter(&self) -> Result<LedgerFilter> {
        let bad = |what: &str, value: &str| AppError::BadRequest(format!("There is no {what} {value:?} to filter by."));
        let id = |what: &str, value: &str| -> Result<Option<i64>> {
            if value.is_empty() { Ok(None) } else { value.parse().map(Some).map_err(|_| bad(what, value)) }
        };
        fn choice<T: std::str::FromStr>(value: &str) -> std::result::Result<Option<T>, ()> {
            if value.is_empty() { Ok(None) } else { value.parse().map(Some).map_err(|_| ()) }
        }
        let date = |what: &str, value: &str| -> Result<Option<time::Date>> {
            if value.is_empty() { Ok(None) } else { t::parse_date(value).map(Some).ok_or_else(|| bad(what, value)) }
        };
        let verification = if self.verified.is_empty() {
            None
        } else {
            Some(VerificationFilter::parse(&self.verified).ok_or_else(|| bad("verification", &self.verified))?)
        };
        let status = match self.status.as_deref() {
            // Verified or not is a question about done items: not-closed would match none.
            None | Some("") if verification.is_some() => None,
            None | Some("") | Some("unfinished") => Some(StatusFilter::Unfinished),
            Some("any") => None,
            Some(other) => Some(StatusFilter::Is(other.parse().map_err(|_| bad("status", other))?)),
        };
        Ok(LedgerFilter {
            team: id("team", &self.team)?.map(crate::domain::TeamId),
            owner: id("person", &self.owner)?.map(UserId),
            status,
            kind: choice(&self.kind).map_err(|()| bad("kind", &self.kind))?,
            priority: choice(&self.priority).map_err(|()| bad("priority", &self.priority))?,
            severity: choice(&self.severity).map_err(|()| bad("severity", &self.severity))?,
            overdue_only: !self.overdue.is_empty(),
            verification,
            due_from: date("date", &self.due_from)?,
            due_to: date("date", &self.due_to)?,
            sort: if self.sort.is_empty() {
                LedgerSort::default()
            } else {
                LedgerSort::parse(&self.sort).ok_or_else(|| bad("order", &self.sort))?
            },
        })
    }

    /// The query string that selects the same items (without the page).
    fn query_string(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    fn status_is(&self, value: &str) -> bool {
        let default = if self.verified.is_empty() { "unfinished" } else { "any" };
        self.status.as_deref().filter(|status| !status.is_empty()).unwrap_or(default) == value
    }
}

pub struct LedgerLine {
    item_id: ActionItemId,
    incident_id: IncidentId,
    incident_title: String,
    severity: Severity,
    html: SafeHtml,
    kind: Option<ActionKind>,
    priority: Option<Priority>,
    status: ActionStatus,
    owner: String,
    team: String,
    due: String,
    due_on: Option<time::Date>,
    overdue: bool,
    verification: Option<Verification>,
    recurred_in: Vec<IncidentId>,
}

/// The rows as lines. Stale HTML (made by another renderer) is rendered again, off the async
/// workers; `hindsight migrate` stores it again for everyone.
async fn lines(rows: Vec<LedgerRow>) -> Vec<LedgerLine> {
    let (html, _) = super::rendering::shown_all(rows.iter().map(|row| (row.item.body.as_str(), &row.html))).await;
    rows.into_iter().zip(html).map(|(row, html)| LedgerLine::new(row, html)).collect()
}

impl LedgerLine {
    fn new(row: LedgerRow, html: SafeHtml) -> LedgerLine {
        let item = row.item;
        LedgerLine {
            item_id: item.id,
            incident_id: item.incident_id,
            incident_title: row.incident_title,
            severity: row.severity,
            html,
            kind: item.kind,
            priority: item.priority,
            status: item.status,
            owner: item.owner_name().to_owned(),
            team: item.team_label().to_owned(),
            due: item.due_on.map(t::format_date).unwrap_or_default(),
            due_on: item.due_on,
            overdue: row.overdue,
            verification: Verification::of(&item),
            recurred_in: item.recurred_in,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/index.html")]
pub struct LedgerPage {
    viewer: Viewer,
    query: LedgerQuery,
    lines: Vec<LedgerLine>,
    total: i64,
    page: i64,
    pages: i64,
    /// The filters as a query string, for the pager and the downloads.
    query_string: String,
    teams: Shared<Team>,
    people: Shared<Person>,
    sorts: [LedgerSort; 5],
    verifications: [VerificationFilter; 3],
}

impl LedgerPage {
    /// The pager's links: these filters, then the page number.
    fn page_prefix(&self) -> String {
        paths::action_items_page(&self.query_string)
    }
}

pub async fn index(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Query(query): Query<LedgerQuery>,
) -> Result<LedgerPage> {
    let filter = query.filter()?;
    let page = query.page.unwrap_or(1).max(1);
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let now = OffsetDateTime::now_utc();
    let (rows, counters) = db::ledger::page(&mut *db, &filter, now, PAGE_SIZE, offset).await?;
    // The page's rows bring the counters; an empty page asks for them.
    let counters = match counters {
        Some(counters) => counters,
        None => db::counters::current(&mut *db).await?,
    };
    let count = db::ledger::count(&mut *db, &filter, now);
    // The order does not change the count.
    let counted = LedgerFilter { sort: LedgerSort::default(), ..filter.clone() };
    let total = state.counts.get(CountOf::Ledger(counted), counters.action_items, count).await?;
    let full_page = i64::try_from(rows.len()).unwrap_or(0) == PAGE_SIZE;
    Ok(LedgerPage {
        viewer,
        query_string: query.query_string(),
        lines: lines(rows).await,
        total,
        page,
        pages: if total > db::ledger::COUNT_LIMIT {
            // Not all counted: a full page may have another after it.
            if full_page { 0 } else { page }
        } else {
            ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
        },
        teams: state.pickers.teams(&mut db, Some(counters.teams)).await?,
        people: state.pickers.people(&mut db, Some(counters.users), None).await?,
        sorts: LedgerSort::ALL,
        verifications: VerificationFilter::ALL,
        query,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/mine.html")]
pub struct MinePage {
    viewer: Viewer,
    sections: Vec<MineSection>,
    owner_id: UserId,
}

/// One part of a person's list: overdue, due soon, or later.
pub struct MineSection {
    id: &'static str,
    heading: String,
    lines: Vec<LedgerLine>,
}

/// Days ahead that count as "due soon" on a person's own list.
const DUE_SOON_DAYS: i64 = 14;

/// The signed-in person's open action items: overdue, due within two weeks, and the rest.
pub async fn mine(mut db: Db, viewer: Viewer, CurrentUser(user): CurrentUser) -> Result<MinePage> {
    let filter =
        LedgerFilter { owner: Some(user.id), status: Some(StatusFilter::Unfinished), ..LedgerFilter::default() };
    let now = OffsetDateTime::now_utc();
    let (rows, _) = db::ledger::page(&mut *db, &filter, now, MAX_EXPORT, 0).await?;
    let soon = now.date() + time::Duration::days(DUE_SOON_DAYS);
    let (mut overdue, mut due_soon, mut later) = (Vec::new(), Vec::new(), Vec::new());
    for line in lines(rows).await {
        let list = match line.due_on {
            _ if line.overdue => &mut overdue,
            Some(due) if due <= soon => &mut due_soon,
            _ => &mut later,
        };
        list.push(line);
    }
    let sections = [
        ("overdue", "Overdue".to_owned(), overdue),
        ("due-soon", format!("Due within {DUE_SOON_DAYS} days"), due_soon),
        ("later", "Later, or no due date".to_owned(), later),
    ];
    let sections = sections
        .into_iter()
        .filter(|(_, _, lines)| !lines.is_empty())
        .map(|(id, heading, lines)| MineSection { id, heading, lines })
        .collect();
    Ok(MinePage { viewer, sections, owner_id: user.id })
}

async fn everything(db: &mut PgConnection, query: &LedgerQuery) -> Result<Vec<LedgerRow>> {
    let filter = query.filter()?;
    Ok(db::ledger::page(&mut *db, &filter, OffsetDateTime::now_utc(), MAX_EXPORT, 0).await?.0)
}

/// The filtered list as CSV (RFC 4180), every matching item.
pub async fn csv(mut db: Db, Query(query): Query<LedgerQuery>) -> Result<Response> {
    let rows = everything(&mut db, &query).await?;
    let mut out = String::from(
        "id,postmortem_id,postmortem,severity,action_item,kind,priority,status,owner,team,due_on,overdue,\
         ticket_url,completed_at,wont_do_reason,completion_note,verified_at,verified_by,verification_evidence,\
         recurred_in\r\n",
    );
    for row in &rows {
        let item = &row.item;
        let fields = [
            item.id.to_string(),
            item.incident_id.to_string(),
            row.incident_title.clone(),
            row.severity.as_str().to_owned(),
            item.body.clone(),
            item.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            item.priority.map(|p| p.as_str().to_owned()).unwrap_or_default(),
            item.status.as_str().to_owned(),
            item.owner_name().to_owned(),
            item.team_label().to_owned(),
            item.due_on.map(t::format_date).unwrap_or_default(),
            row.overdue.to_string(),
            item.ticket_url.clone(),
            item.completed_at.map(|at| t::format_rfc3339(at, t::Offset::UTC)).unwrap_or_default(),
            item.wont_do_reason.clone(),
            item.completion_note.clone(),
            item.verified_at.map(|at| t::format_rfc3339(at, t::Offset::UTC)).unwrap_or_default(),
            item.verifier.clone(),
            item.verification_evidence.clone(),
            recurred_in(&item.recurred_in),
        ];
        let line: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(download(out, "text/csv; charset=utf-8", "action-items.csv"))
}

/// A CSV field, quoted when it holds a comma, quote or line break. A field that a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe.
fn csv_field(value: &str) -> String {
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// The filtered list as a Markdown table, for a wiki page.
pub async fn markdown(mut db: Db, Query(query): Query<LedgerQuery>) -> Result<Response> {
    let rows = everything(&mut db, &query).await?;
    let mut out = format!("# Action items\n\n{} item{}.\n\n", rows.len(), if rows.len() == 1 { "" } else { "s" });
    out.push_str(
        "| Action item | Postmortem | Severity | Owner | Team | Priority | Status | Due | Verified | Recurred in |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
    for row in &rows {
        let item = &row.item;
        let due = item.due_on.map(t::format_date).unwrap_or_default();
        let due = if row.overdue { format!("{due} (overdue)") } else { due };
        let verified = match item.verified_at {
            Some(at) => format!(
                "{} by {}: {}",
                t::format_date(at.to_offset(time::UtcOffset::UTC).date()),
                item.verifier,
                item.verification_evidence
            ),
            None => String::new(),
        };
        let recurred = recurred_in(&item.recurred_in);
        let cells = [
            item.body.as_str(),
            row.incident_title.as_str(),
            row.severity.as_str(),
            item.owner_name(),
            item.team_label(),
            item.priority.map(Priority::as_str).unwrap_or_default(),
            item.status.label(),
            due.as_str(),
            verified.as_str(),
            recurred.as_str(),
        ];
        let cells: Vec<String> = cells.iter().map(|cell| table_cell(cell)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    Ok(download(out, "text/markdown; charset=utf-8", "action-items.md"))
}

/// The incidents an item recurred in, as ids separated by spaces.
fn recurred_in(incidents: &[IncidentId]) -> String {
    incidents.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
}

/// A table cell's text: one line, with its pipes escaped.
fn table_cell(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

fn download(body: String, content_type: &'static str, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_run_as_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }

    #[test]
    fn table_cells_stay_on_one_line_and_in_their_column() {
        assert_eq!(table_cell("a | b\nc"), "a \\| b c");
    }
}
