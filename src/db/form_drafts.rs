//! The `form_drafts` table: what a person typed into a postmortem's form and has not saved.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{IncidentId, UserId};

/// A kept draft.
#[derive(Debug, Clone)]
pub struct FormDraft {
    /// The form's fields as typed, by name.
    pub fields: serde_json::Value,
    pub base_version: Option<i32>,
    pub updated_at: OffsetDateTime,
}

/// Keeps `fields` as `user`'s draft of `incident`'s form (`None`: a new postmortem), replacing
/// the one before. Returns when it was kept.
pub async fn keep(
    db: impl PgExecutor<'_>,
    user: UserId,
    incident: Option<IncidentId>,
    fields: &serde_json::Value,
    base_version: Option<i32>,
) -> sqlx::Result<OffsetDateTime> {
    sqlx::query_scalar!(
        r#"INSERT INTO form_drafts (user_id, incident_id, fields, base_version) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id, coalesce(incident_id, 0))
           DO UPDATE SET fields = excluded.fields, base_version = excluded.base_version, updated_at = now()
           RETURNING updated_at"#,
        user as UserId,
        incident.map(|id| id.0),
        fields,
        base_version,
    )
    .fetch_one(db)
    .await
}

/// `user`'s draft of `incident`'s form (`None`: a new postmortem), if they have one.
pub async fn find(
    db: impl PgExecutor<'_>,
    user: UserId,
    incident: Option<IncidentId>,
) -> sqlx::Result<Option<FormDraft>> {
    sqlx::query_as!(
        FormDraft,
        r#"SELECT fields, base_version, updated_at FROM form_drafts
           WHERE user_id = $1 AND coalesce(incident_id, 0) = coalesce($2::bigint, 0)"#,
        user as UserId,
        incident.map(|id| id.0),
    )
    .fetch_optional(db)
    .await
}

/// Drops `user`'s draft of `incident`'s form: saved, or discarded.
pub async fn discard(db: impl PgExecutor<'_>, user: UserId, incident: Option<IncidentId>) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM form_drafts WHERE user_id = $1 AND coalesce(incident_id, 0) = coalesce($2::bigint, 0)",
        user as UserId,
        incident.map(|id| id.0),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Someone else editing a postmortem: their name and when they last typed.
#[derive(Debug, Clone)]
pub struct Editor {
    pub name: String,
    pub typed_at: OffsetDateTime,
}

/// The people other than `user` who typed into `incident`'s form since `since`, latest first.
pub async fn others_editing(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    user: UserId,
    since: OffsetDateTime,
) -> sqlx::Result<Vec<Editor>> {
    sqlx::query_as!(
        Editor,
        r#"SELECT coalesce(nullif(u.name, ''), u.email) AS "name!", d.updated_at AS typed_at
           FROM form_drafts d JOIN users u ON u.id = d.user_id
           WHERE d.incident_id = $1 AND d.user_id <> $2 AND d.updated_at > $3
           ORDER BY d.updated_at DESC LIMIT 10"#,
        incident as IncidentId,
        user as UserId,
        since,
    )
    .fetch_all(db)
    .await
}
