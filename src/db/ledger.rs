//! The action-item ledger: every postmortem's action items, filtered, sorted and paged in one
//! query.

use sqlx::PgExecutor;
use time::{Date, OffsetDateTime};

use crate::domain::{
    ActionItem, ActionItemId, ActionKind, ActionStatus, IncidentId, Priority, Severity, TeamId, UserId,
};

/// Which action items to list. `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerFilter {
    pub team: Option<TeamId>,
    pub owner: Option<UserId>,
    pub status: Option<StatusFilter>,
    pub kind: Option<ActionKind>,
    pub priority: Option<Priority>,
    pub severity: Option<Severity>,
    pub overdue_only: bool,
    pub due_from: Option<Date>,
    pub due_to: Option<Date>,
    pub sort: LedgerSort,
}

/// A status, or all that are not closed (open and in progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Unfinished,
    Is(ActionStatus),
}

impl StatusFilter {
    fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Unfinished => "unfinished",
            StatusFilter::Is(status) => status.as_str(),
        }
    }
}

/// The order of the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
    pub incident_title: String,
    pub severity: Severity,
    pub overdue: bool,
}

struct Row {
    id: ActionItemId,
    incident_id: IncidentId,
    body: String,
    kind: Option<ActionKind>,
    priority: Option<Priority>,
    status: ActionStatus,
    wont_do_reason: String,
    owner: String,
    owner_id: Option<UserId>,
    owner_person: Option<String>,
    team: String,
    team_id: Option<TeamId>,
    team_name: Option<String>,
    ticket_url: String,
    completion_note: String,
    due_on: Option<Date>,
    completed_at: Option<OffsetDateTime>,
    version: i32,
    incident_title: String,
    severity: Severity,
    overdue: bool,
    total: i64,
}

/// A page of the ledger, and how many items match in all.
pub async fn page(
    db: impl PgExecutor<'_>,
    filter: &LedgerFilter,
    now: OffsetDateTime,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<LedgerRow>, i64)> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT a.id AS "id: ActionItemId", a.incident_id AS "incident_id: IncidentId", a.body,
                  a.kind AS "kind: ActionKind", a.priority AS "priority: Priority",
                  a.status AS "status: ActionStatus", a.wont_do_reason, a.owner,
                  a.owner_id AS "owner_id: UserId", coalesce(nullif(u.name, ''), u.email) AS owner_person,
                  a.team, a.team_id AS "team_id: TeamId", t.name AS "team_name?", a.ticket_url,
                  a.completion_note, a.due_on, a.completed_at, a.version,
                  i.title AS incident_title, i.severity AS "severity: Severity",
                  action_item_overdue(a.status, a.due_on, t.time_zone, $13) AS "overdue!",
                  count(*) OVER () AS "total!"
           FROM action_items a
           JOIN incidents i ON i.id = a.incident_id
           LEFT JOIN users u ON u.id = a.owner_id
           LEFT JOIN teams t ON t.id = a.team_id
           WHERE ($1::bigint IS NULL OR a.team_id = $1)
             AND ($2::bigint IS NULL OR a.owner_id = $2)
             AND ($3::text IS NULL OR a.status = $3
                  OR ($3 = 'unfinished' AND a.status IN ('open', 'in_progress')))
             AND ($4::text IS NULL OR a.kind = $4)
             AND ($5::text IS NULL OR a.priority = $5)
             AND ($6::text IS NULL OR i.severity = $6)
             AND (NOT $7 OR action_item_overdue(a.status, a.due_on, t.time_zone, $13))
             AND ($8::date IS NULL OR a.due_on >= $8)
             AND ($9::date IS NULL OR a.due_on <= $9)
           ORDER BY
             CASE WHEN $10 = 'due' THEN a.due_on END ASC NULLS LAST,
             CASE WHEN $10 = 'priority' THEN a.priority END ASC NULLS LAST,
             CASE WHEN $10 = 'severity' THEN i.severity END ASC,
             CASE WHEN $10 = 'newest' THEN a.created_at END DESC,
             CASE WHEN $10 = 'team' THEN lower(t.name) END ASC NULLS LAST,
             a.due_on ASC NULLS LAST, a.id
           LIMIT $11 OFFSET $12"#,
        filter.team.map(|id| id.0),
        filter.owner.map(|id| id.0),
        filter.status.map(StatusFilter::as_str),
        filter.kind.map(ActionKind::as_str),
        filter.priority.map(Priority::as_str),
        filter.severity.map(Severity::as_str),
        filter.overdue_only,
        filter.due_from,
        filter.due_to,
        filter.sort.as_str(),
        limit,
        offset,
        now,
    )
    .fetch_all(db)
    .await?;
    let total = rows.first().map_or(0, |row| row.total);
    let rows = rows
        .into_iter()
        .map(|row| LedgerRow {
            item: ActionItem {
                id: row.id,
                incident_id: row.incident_id,
                body: row.body,
                kind: row.kind,
                priority: row.priority,
                status: row.status,
                wont_do_reason: row.wont_do_reason,
                owner: row.owner,
                owner_id: row.owner_id,
                owner_person: row.owner_person,
                team: row.team,
                team_id: row.team_id,
                team_name: row.team_name,
                ticket_url: row.ticket_url,
                completion_note: row.completion_note,
                due_on: row.due_on,
                completed_at: row.completed_at,
                version: row.version,
            },
            incident_title: row.incident_title,
            severity: row.severity,
            overdue: row.overdue,
        })
        .collect();
    Ok((rows, total))
}
