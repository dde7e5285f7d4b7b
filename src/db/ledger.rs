//! The action-item ledger: every postmortem's action items, filtered, sorted and paged.

use sqlx::{PgExecutor, Postgres, QueryBuilder};
use time::{Date, OffsetDateTime};

use super::counters::{self, Counters};
use crate::domain::{ActionItem, ActionKind, ActionStatus, Priority, Severity, StoredHtml, TeamId, UserId, WithHtml};

/// Which action items to list. `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LedgerFilter {
    pub team: Option<TeamId>,
    pub owner: Option<UserId>,
    pub status: Option<StatusFilter>,
    pub kind: Option<ActionKind>,
    pub priority: Option<Priority>,
    pub severity: Option<Severity>,
    pub overdue_only: bool,
    pub verification: Option<VerificationFilter>,
    pub due_from: Option<Date>,
    pub due_to: Option<Date>,
    pub sort: LedgerSort,
}

/// A status, or all that are not closed (open and in progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    Unfinished,
    Is(ActionStatus),
}

/// Done items by whether someone verified them, or items whose incident happened again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationFilter {
    /// Done and verified.
    Verified,
    /// Done, not verified yet.
    NotVerified,
    /// Flagged recurred: what the item was meant to prevent happened again.
    Recurred,
}

impl VerificationFilter {
    pub const ALL: [VerificationFilter; 3] =
        [VerificationFilter::Verified, VerificationFilter::NotVerified, VerificationFilter::Recurred];

    pub fn as_str(self) -> &'static str {
        match self {
            VerificationFilter::Verified => "yes",
            VerificationFilter::NotVerified => "no",
            VerificationFilter::Recurred => "recurred",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            VerificationFilter::Verified => "Done and verified",
            VerificationFilter::NotVerified => "Done, not yet verified",
            VerificationFilter::Recurred => "Recurred",
        }
    }

    pub fn parse(text: &str) -> Option<VerificationFilter> {
        VerificationFilter::ALL.into_iter().find(|filter| filter.as_str() == text)
    }
}

/// The order of the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum LedgerSort {
    /// Soonest due first; items without a due date last.
    #[default]
    Due,
    /// P1 first.
    Priority,
    /// SEV1 first.
    Severity,
    /// Newest first.
    Newest,
    /// By team name.
    Team,
}

impl LedgerSort {
    pub const ALL: [LedgerSort; 5] =
        [LedgerSort::Due, LedgerSort::Priority, LedgerSort::Severity, LedgerSort::Newest, LedgerSort::Team];

    pub fn as_str(self) -> &'static str {
        match self {
            LedgerSort::Due => "due",
            LedgerSort::Priority => "priority",
            LedgerSort::Severity => "severity",
            LedgerSort::Newest => "newest",
            LedgerSort::Team => "team",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LedgerSort::Due => "Due date, soonest first",
            LedgerSort::Priority => "Priority, P1 first",
            LedgerSort::Severity => "Severity, SEV1 first",
            LedgerSort::Newest => "Newest first",
            LedgerSort::Team => "Team",
        }
    }

    pub fn parse(text: &str) -> Option<LedgerSort> {
        LedgerSort::ALL.into_iter().find(|sort| sort.as_str() == text)
    }
}

/// One line of the ledger: the item, its postmortem, and whether it is overdue.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub item: ActionItem,
    /// The item's text as stored HTML.
    pub html: StoredHtml,
    pub incident_title: String,
    pub severity: Severity,
    pub overdue: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    item: WithHtml<ActionItem>,
    #[sqlx(flatten)]
    counters: Counters,
    incident_title: String,
    severity: Severity,
    overdue: bool,
}

/// The most matches counted: beyond it the ledger says "more than". Counting stops there so
/// that the page costs the same however many items there are.
pub const COUNT_LIMIT: i64 = 1000;

const FROM: &str = " FROM action_item_rows a JOIN incidents i ON i.id = a.incident_id";

/// Adds the filter's conditions. The query is built for the filters in use, rather than one
/// query with every filter optional, so that PostgreSQL sees plain conditions and an order it
/// can read from an index (see the ledger indexes migration): a page of the ledger reads about
/// one page of rows, however many items there are.
fn push_filters(sql: &mut QueryBuilder<'_, Postgres>, filter: &LedgerFilter, now: OffsetDateTime) {
    sql.push(" WHERE true");
    if let Some(team) = filter.team {
        sql.push(" AND a.team_id = ").push_bind(team.0);
    }
    if let Some(owner) = filter.owner {
        sql.push(" AND a.owner_id = ").push_bind(owner.0);
    }
    match filter.status {
        // Written out, not bound, so that it matches the partial indexes' condition.
        Some(StatusFilter::Unfinished) => {
            sql.push(" AND a.status IN ('open', 'in_progress')");
        }
        Some(StatusFilter::Is(status)) => {
            sql.push(" AND a.status = ").push_bind(status.as_str());
        }
        None => {}
    }
    if let Some(kind) = filter.kind {
        sql.push(" AND a.kind = ").push_bind(kind.as_str());
    }
    if let Some(priority) = filter.priority {
        sql.push(" AND a.priority = ").push_bind(priority.as_str());
    }
    if let Some(severity) = filter.severity {
        sql.push(" AND i.severity = ").push_bind(severity.as_str());
    }
    match filter.verification {
        // Written out so that the done-and-verified partial index matches.
        Some(VerificationFilter::Verified) => {
            sql.push(" AND a.status = 'done' AND (a.verified_at IS NOT NULL)");
        }
        Some(VerificationFilter::NotVerified) => {
            sql.push(" AND a.status = 'done' AND NOT (a.verified_at IS NOT NULL)");
        }
        Some(VerificationFilter::Recurred) => {
            sql.push(" AND a.id IN (SELECT r.action_item_id FROM action_item_recurrences r)");
        }
        None => {}
    }
    if filter.overdue_only {
        sql.push(" AND action_item_overdue(a.status, a.due_on, a.team_time_zone, ").push_bind(now).push(")");
    }
    if let Some(from) = filter.due_from {
        sql.push(" AND a.due_on >= ").push_bind(from);
    }
    if let Some(to) = filter.due_to {
        sql.push(" AND a.due_on <= ").push_bind(to);
    }
}

/// How many items match, counted up to [`COUNT_LIMIT`] + 1. PostgreSQL joins only what the
/// filters read, so the common counts are read from an index alone.
pub async fn count(db: impl PgExecutor<'_>, filter: &LedgerFilter, now: OffsetDateTime) -> sqlx::Result<i64> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM (SELECT 1 FROM action_item_rows a");
    if filter.severity.is_some() {
        count.push(" JOIN incidents i ON i.id = a.incident_id");
    }
    push_filters(&mut count, filter, now);
    count.push(format!(" LIMIT {} ) matching", COUNT_LIMIT + 1));
    count.build_query_scalar().fetch_one(db).await
}

/// A page of the ledger, and the change counters as of it (`None` when the page is empty).
pub async fn page(
    db: impl PgExecutor<'_>,
    filter: &LedgerFilter,
    now: OffsetDateTime,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<LedgerRow>, Option<Counters>)> {
    let mut sql = QueryBuilder::new("SELECT a.*, i.title AS incident_title, i.severity, ");
    sql.push(counters::COLUMNS).push(", action_item_overdue(a.status, a.due_on, a.team_time_zone, ");
    sql.push_bind(now).push(") AS overdue").push(FROM);
    push_filters(&mut sql, filter, now);
    sql.push(match filter.sort {
        LedgerSort::Due => " ORDER BY a.due_on ASC NULLS LAST, a.id",
        LedgerSort::Priority => " ORDER BY a.priority ASC NULLS LAST, a.due_on ASC NULLS LAST, a.id",
        LedgerSort::Severity => " ORDER BY i.severity, a.due_on ASC NULLS LAST, a.id",
        LedgerSort::Newest => " ORDER BY a.created_at DESC, a.id DESC",
        LedgerSort::Team => " ORDER BY lower(a.team_name) ASC NULLS LAST, a.due_on ASC NULLS LAST, a.id",
    });
    // Written out rather than bound, so that each plan is made for the page asked for and can
    // stop reading the index after it (numbers cannot carry SQL).
    sql.push(format!(" LIMIT {limit} OFFSET {offset}"));
    let rows: Vec<Row> = sql.build_query_as().fetch_all(db).await?;
    let counters = rows.first().map(|row| row.counters);
    let rows = rows
        .into_iter()
        .map(|row| LedgerRow {
            item: row.item.value,
            html: row.item.html,
            incident_title: row.incident_title,
            severity: row.severity,
            overdue: row.overdue,
        })
        .collect();
    Ok((rows, counters))
}
