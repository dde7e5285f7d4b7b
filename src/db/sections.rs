//! The `incident_sections` table: extra sections, always addressed through their incident.

use sqlx::PgExecutor;

use crate::domain::input::SectionDraft;
use crate::domain::{ExtraSection, IncidentId, SectionId};

/// The incident's extra sections in the order they were added.
pub async fn list_for_incident(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Vec<ExtraSection>> {
    sqlx::query_as!(
        ExtraSection,
        r#"SELECT id AS "id: SectionId", incident_id AS "incident_id: IncidentId", heading, body
           FROM incident_sections WHERE incident_id = $1
           ORDER BY id"#,
        incident as IncidentId,
    )
    .fetch_all(db)
    .await
}

/// Every extra section of every incident, in the order they were added.
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<ExtraSection>> {
    sqlx::query_as!(
        ExtraSection,
        r#"SELECT id AS "id: SectionId", incident_id AS "incident_id: IncidentId", heading, body
           FROM incident_sections ORDER BY incident_id, id"#,
    )
    .fetch_all(db)
    .await
}

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

pub async fn insert(db: impl PgExecutor<'_>, incident: IncidentId, draft: &SectionDraft) -> sqlx::Result<SectionId> {
    sqlx::query_scalar!(
        r#"INSERT INTO incident_sections (incident_id, heading, body) VALUES ($1, $2, $3)
           RETURNING id AS "id: SectionId""#,
        incident as IncidentId,
        draft.heading,
        draft.body,
    )
    .fetch_one(db)
    .await
}

/// Returns whether the section existed.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: SectionId,
    draft: &SectionDraft,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE incident_sections SET heading = $3, body = $4 WHERE incident_id = $1 AND id = $2",
        incident as IncidentId,
        id as SectionId,
        draft.heading,
        draft.body,
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
