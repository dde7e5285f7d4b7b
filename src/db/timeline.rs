//! The `timeline_entries` table. Entries are always addressed through their incident, so a
//! URL can never reach another incident's entry.

use crate::domain::input::TimelineDraft;
use crate::domain::{IncidentId, TimelineEntry, TimelineEntryId};
use sqlx::PgExecutor;

/// The incident's entries in time order (ties in the order they were added).
pub async fn list_for_incident(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Vec<TimelineEntry>> {
    sqlx::query_as!(
        TimelineEntry,
        r#"SELECT id AS "id: TimelineEntryId", incident_id AS "incident_id: IncidentId", occurred_at, body,
                  time_as_written
           FROM timeline_entries WHERE incident_id = $1
           ORDER BY occurred_at, id"#,
        incident as IncidentId,
    )
    .fetch_all(db)
    .await
}

/// Every entry of every incident, in time order within each.
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<TimelineEntry>> {
    sqlx::query_as!(
        TimelineEntry,
        r#"SELECT id AS "id: TimelineEntryId", incident_id AS "incident_id: IncidentId", occurred_at, body,
                  time_as_written
           FROM timeline_entries ORDER BY incident_id, occurred_at, id"#,
    )
    .fetch_all(db)
    .await
}

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

pub async fn insert(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    draft: &TimelineDraft,
) -> sqlx::Result<TimelineEntryId> {
    sqlx::query_scalar!(
        r#"INSERT INTO timeline_entries (incident_id, occurred_at, body, time_as_written)
           VALUES ($1, $2, $3, $4)
           RETURNING id AS "id: TimelineEntryId""#,
        incident as IncidentId,
        draft.occurred_at,
        draft.body,
        draft.time_as_written,
    )
    .fetch_one(db)
    .await
}

/// Returns whether the entry existed.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: TimelineEntryId,
    draft: &TimelineDraft,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        // The authors' spelling of the time stays only while the time does.
        r#"UPDATE timeline_entries
           SET body = $4,
               time_as_written = CASE WHEN occurred_at = $3 THEN time_as_written ELSE '' END,
               occurred_at = $3
           WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as TimelineEntryId,
        draft.occurred_at,
        draft.body,
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
