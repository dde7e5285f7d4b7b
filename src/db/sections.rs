//! The `incident_sections` table: extra sections, always addressed through their incident.

use sqlx::PgExecutor;

use crate::domain::input::SectionDraft;
use crate::domain::{ExtraSection, IncidentId, SectionId};

pub async fn find(db: impl PgExecutor<'_>, incident: IncidentId, id: SectionId) -> sqlx::Result<Option<ExtraSection>> {
    sqlx::query_as!(
        ExtraSection,
        r#"SELECT id AS "id: SectionId", incident_id AS "incident_id: IncidentId", heading, body
           FROM incident_sections WHERE incident_id = $1 AND id = $2"#,
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

/// Replaces a section, with its new HTML. Returns whether the section existed.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: SectionId,
    draft: &SectionDraft,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE incident_sections SET heading = $3, body = $4, html = $5, rendered_with = $6
         WHERE incident_id = $1 AND id = $2",
        incident as IncidentId,
        id as SectionId,
        draft.heading,
        draft.body,
        html,
        rendered_with,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Returns whether the section existed.
pub async fn delete(db: impl PgExecutor<'_>, incident: IncidentId, id: SectionId) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "DELETE FROM incident_sections WHERE incident_id = $1 AND id = $2",
        incident as IncidentId,
        id as SectionId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
