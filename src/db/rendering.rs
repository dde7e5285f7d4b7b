//! Stored HTML made by an older renderer: finding it and storing it again, in any of the tables
//! that keep HTML beside Markdown. The table is one of a fixed list, so these are the only
//! queries here built at run time.

use sqlx::{PgConnection, Row as _};

use crate::domain::IncidentId;

/// A table that stores HTML beside a Markdown column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderedTable {
    IncidentTexts,
    TimelineEntries,
    ActionItems,
    IncidentSections,
    ReviewComments,
    Revisions,
}

impl RenderedTable {
    pub const ALL: [RenderedTable; 6] = [
        RenderedTable::IncidentTexts,
        RenderedTable::TimelineEntries,
        RenderedTable::ActionItems,
        RenderedTable::IncidentSections,
        RenderedTable::ReviewComments,
        RenderedTable::Revisions,
    ];

    fn name(self) -> &'static str {
        match self {
            RenderedTable::IncidentTexts => "incident_texts",
            RenderedTable::TimelineEntries => "timeline_entries",
            RenderedTable::ActionItems => "action_items",
            RenderedTable::IncidentSections => "incident_sections",
            RenderedTable::ReviewComments => "review_comments",
            RenderedTable::Revisions => "revisions",
        }
    }

    /// The column holding the Markdown.
    fn markdown(self) -> &'static str {
        match self {
            RenderedTable::Revisions => "markdown",
            _ => "body",
        }
    }
}

/// A row whose HTML is stale: where it is (valid while the transaction holds its lock), and its
/// Markdown.
#[derive(Debug, Clone)]
pub struct Stale {
    pub ctid: String,
    pub incident: IncidentId,
    pub markdown: String,
}

/// Up to `limit` rows of `table` (of `incident` only, if given) whose HTML an older renderer
/// made, locked until the transaction ends. Rows someone else holds are skipped, not waited
/// for: they are being changed, and the change stores new HTML anyway.
pub async fn stale(
    conn: &mut PgConnection,
    table: RenderedTable,
    incident: Option<IncidentId>,
    current: i32,
    limit: i64,
) -> sqlx::Result<Vec<Stale>> {
    let sql = format!(
        "SELECT ctid::text AS ctid, incident_id, {markdown} AS markdown FROM {table}
         WHERE rendered_with < $1 AND ($2::bigint IS NULL OR incident_id = $2)
         LIMIT $3 FOR UPDATE SKIP LOCKED",
        markdown = table.markdown(),
        table = table.name(),
    );
    let rows = sqlx::query(&sql).bind(current).bind(incident.map(|id| id.0)).bind(limit).fetch_all(&mut *conn).await?;
    rows.into_iter()
        .map(|row| {
            Ok(Stale {
                ctid: row.try_get("ctid")?,
                incident: row.try_get("incident_id")?,
                markdown: row.try_get("markdown")?,
            })
        })
        .collect()
}

/// Stores the HTML made by renderer `version` for rows [`stale`] returned in this transaction,
/// in one statement.
pub async fn store(
    conn: &mut PgConnection,
    table: RenderedTable,
    rows: &[(Stale, String)],
    version: i32,
) -> sqlx::Result<()> {
    let sql = format!(
        "UPDATE {} t SET html = x.html, rendered_with = $3
         FROM unnest($1::tid[], $2::text[]) AS x (ctid, html) WHERE t.ctid = x.ctid",
        table.name()
    );
    let ctids: Vec<&str> = rows.iter().map(|(row, _)| row.ctid.as_str()).collect();
    let html: Vec<&str> = rows.iter().map(|(_, html)| html.as_str()).collect();
    sqlx::query(&sql).bind(&ctids).bind(&html).bind(version).execute(&mut *conn).await?;
    Ok(())
}
