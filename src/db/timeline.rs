//! The `timeline_entries` table. Entries are always addressed through their incident, so a
//! URL can never reach another incident's entry.

use crate::domain::input::TimelineDraft;
use crate::domain::{IncidentId, Marker, TimelineEntry, TimelineEntryId, Versioned};
use sqlx::PgExecutor;

/// The entry with the version it is at, for its edit form.
pub async fn find(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: TimelineEntryId,
) -> sqlx::Result<Option<Versioned<TimelineEntry>>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id: TimelineEntryId", incident_id AS "incident_id: IncidentId", occurred_at, body,
                  time_as_written, marker AS "marker: Marker", version
           FROM timeline_entries WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as TimelineEntryId,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Versioned {
        row: TimelineEntry {
            id: row.id,
            incident_id: row.incident_id,
            occurred_at: row.occurred_at,
            body: row.body,
            time_as_written: row.time_as_written,
            marker: row.marker,
        },
        version: row.version,
    }))
}

/// The version the entry is at, if it exists.
/// When the postmortem's latest entry happened, if it has any (for a time typed as `+5m`).
pub async fn latest(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Option<time::OffsetDateTime>> {
    sqlx::query_scalar!("SELECT max(occurred_at) FROM timeline_entries WHERE incident_id = $1", incident as IncidentId,)
        .fetch_one(db)
        .await
}

pub async fn version(db: impl PgExecutor<'_>, incident: IncidentId, id: TimelineEntryId) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT version FROM timeline_entries WHERE incident_id = $1 AND id = $2",
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
        r#"INSERT INTO timeline_entries (incident_id, occurred_at, body, time_as_written, html, rendered_with, marker)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING id AS "id: TimelineEntryId""#,
        incident as IncidentId,
        draft.occurred_at,
        draft.body,
        draft.time_as_written,
        html,
        rendered_with,
        draft.marker as Option<Marker>,
    )
    .fetch_one(db)
    .await
}

/// Replaces an entry that is still at `base_version`, with its new HTML, and raises its
/// version. Returns whether it was saved: `false` when it is gone or someone saved first.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: TimelineEntryId,
    base_version: i32,
    draft: &TimelineDraft,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        // The authors' spelling of the time stays only while the time does.
        r#"UPDATE timeline_entries
           SET body = $4,
               time_as_written = CASE WHEN occurred_at = $3 THEN time_as_written ELSE '' END,
               occurred_at = $3, html = $5, rendered_with = $6, marker = $8, version = version + 1
           WHERE incident_id = $1 AND id = $2 AND version = $7"#,
        incident as IncidentId,
        id as TimelineEntryId,
        draft.occurred_at,
        draft.body,
        html,
        rendered_with,
        base_version,
        draft.marker as Option<Marker>,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes the entry if it is still at `version`. Returns whether it was deleted: `false` when
/// it is gone or someone saved it since.
pub async fn delete(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: TimelineEntryId,
    version: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "DELETE FROM timeline_entries WHERE incident_id = $1 AND id = $2 AND version = $3",
        incident as IncidentId,
        id as TimelineEntryId,
        version,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Takes `marker` off whichever entry of the postmortem has it (but `keep`), so that another
/// can take it: one entry marks each moment. The entry that loses it is a new version (its form
/// would otherwise give the marker back).
pub async fn unmark(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    marker: Marker,
    keep: Option<TimelineEntryId>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE timeline_entries SET marker = NULL, version = version + 1
         WHERE incident_id = $1 AND marker = $2 AND id IS DISTINCT FROM $3",
        incident as IncidentId,
        marker as Marker,
        keep as Option<TimelineEntryId>,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// When the postmortem's entries marked impact started and resolved happened, if marked.
pub async fn marked_span(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
) -> sqlx::Result<(Option<time::OffsetDateTime>, Option<time::OffsetDateTime>)> {
    let row = sqlx::query!(
        r#"SELECT max(occurred_at) FILTER (WHERE marker = 'impact_started') AS started,
                  max(occurred_at) FILTER (WHERE marker = 'resolved') AS resolved
           FROM timeline_entries WHERE incident_id = $1"#,
        incident as IncidentId,
    )
    .fetch_one(db)
    .await?;
    Ok((row.started, row.resolved))
}
