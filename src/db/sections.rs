//! The `incident_sections` table: extra sections, always addressed through their incident.

use sqlx::PgExecutor;

use crate::domain::input::SectionDraft;
use crate::domain::{ExtraSection, IncidentId, SectionId, Versioned};

/// The section with the version it is at, for its edit form.
pub async fn find(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: SectionId,
) -> sqlx::Result<Option<Versioned<ExtraSection>>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id: SectionId", incident_id AS "incident_id: IncidentId", heading, body, version
           FROM incident_sections WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as SectionId,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Versioned {
        row: ExtraSection { id: row.id, incident_id: row.incident_id, heading: row.heading, body: row.body },
        version: row.version,
    }))
}

/// The version the section is at, if it exists.
pub async fn version(db: impl PgExecutor<'_>, incident: IncidentId, id: SectionId) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT version FROM incident_sections WHERE incident_id = $1 AND id = $2",
        incident as IncidentId,
        id as SectionId,
    )
    .fetch_optional(db)
    .await
}

/// Adds a section, with the HTML its body renders to (by renderer version `rendered_with`).
pub async fn insert(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    draft: &SectionDraft,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<SectionId> {
    sqlx::query_scalar!(
        r#"INSERT INTO incident_sections (incident_id, heading, body, html, rendered_with) VALUES ($1, $2, $3, $4, $5)
           RETURNING id AS "id: SectionId""#,
        incident as IncidentId,
        draft.heading,
        draft.body,
        html,
        rendered_with,
    )
    .fetch_one(db)
    .await
}

/// Replaces a section that is still at `base_version`, with its new HTML, and raises its
/// version. Returns whether it was saved: `false` when it is gone or someone saved first.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: SectionId,
    base_version: i32,
    draft: &SectionDraft,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE incident_sections
         SET heading = $3, body = $4, html = $5, rendered_with = $6, version = version + 1
         WHERE incident_id = $1 AND id = $2 AND version = $7",
        incident as IncidentId,
        id as SectionId,
        draft.heading,
        draft.body,
        html,
        rendered_with,
        base_version,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes the section if it is still at `version`. Returns whether it was deleted: `false`
/// when it is gone or someone saved it since.
pub async fn delete(db: impl PgExecutor<'_>, incident: IncidentId, id: SectionId, version: i32) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "DELETE FROM incident_sections WHERE incident_id = $1 AND id = $2 AND version = $3",
        incident as IncidentId,
        id as SectionId,
        version,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
