//! `incident_tags`: a postmortem's free tags.

use sqlx::PgConnection;

use crate::domain::IncidentId;

/// Sets postmortem `incident`'s tags (held by its change); a tag kept keeps its spelling unless
/// retyped in another case.
pub async fn set_for_incident(db: &mut PgConnection, incident: IncidentId, tags: &[String]) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM incident_tags WHERE incident_id = $1 AND NOT (tag = ANY($2))",
        incident as IncidentId,
        tags
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_tags (incident_id, tag) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
        incident as IncidentId,
        tags,
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}
