//! The `timeline_entries` table. Entries are always addressed through their incident, so a
//! URL can never reach another incident's entry.

use crate::domain::input::TimelineDraft;
use crate::domain::{IncidentId, TimelineEntry, TimelineEntryId};
use sqlx::PgExecutor;

pub async fn find(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: TimelineEntryId,
) -> sqlx::Result<Option<TimelineEntry>> {
    sqlx::query_as!(
        TimelineEntry,
        r#"SELECT id AS "id: TimelineEntryId", incident_id AS "incident_id: IncidentId", occurred_at, body,
                  time_as_written
           FROM timeline_entries WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as TimelineEntryId,
    )
    .fetch_optional(db)
    .await
}

/// Adds an entry, with the HTML its body renders to (by renderer version `rendered_with`).
pub async fn insert(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    draft: &TimelineDraft,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<TimelineEntryId> {
    sqlx::query_scalar!(
        r#"INSERT INTO timeline_entries (incident_id, occurred_at, body, time_as_written, html, rendered_with)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id AS "id: TimelineEntryId""#,
        incident as IncidentId,
        draft.occurred_at,
        draft.body,
        draft.time_as_written,
        html,
        rendered_with,
    )
    .fetch_one(db)
    .await
}

/// Replaces an entry, with its new HTML. Returns whether the entry existed.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: TimelineEntryId,
    draft: &TimelineDraft,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        // The authors' spelling of the time stays only while the time does.
        r#"UPDATE timeline_entries
           SET body = $4,
               time_as_written = CASE WHEN occurred_at = $3 THEN time_as_written ELSE '' END,
               occurred_at = $3, html = $5, rendered_with = $6
           WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as TimelineEntryId,
        draft.occurred_at,
        draft.body,
        html,
        rendered_with,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Returns whether the entry existed.
pub async fn delete(db: impl PgExecutor<'_>, incident: IncidentId, id: TimelineEntryId) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "DELETE FROM timeline_entries WHERE incident_id = $1 AND id = $2",
        incident as IncidentId,
        id as TimelineEntryId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
