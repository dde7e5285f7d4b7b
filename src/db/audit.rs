//! The `audit_events` table: who changed what, and when.

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use crate::domain::{AuditAction, IncidentId, UserId};

/// Records a change. Call it on the transaction that makes the change, so a change is never
/// saved without its record. No actor means the command line (`hindsight import`).
pub async fn record(
    db: impl PgExecutor<'_>,
    actor: impl Into<Option<UserId>>,
    action: AuditAction,
    summary: &str,
    incident: Option<IncidentId>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO audit_events (actor_id, action, summary, incident_id) VALUES ($1, $2, $3, $4)",
        actor.into().map(|id| id.0),
        action.as_str(),
        summary,
        incident.map(|id| id.0),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// One line of the audit log.
pub struct AuditEvent {
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub summary: String,
    pub incident_id: Option<IncidentId>,
}

/// A page of the log, newest first, and how many events there are in all.
pub async fn page(db: &mut PgConnection, limit: i64, offset: i64) -> sqlx::Result<(Vec<AuditEvent>, i64)> {
    let events = sqlx::query_as!(
        AuditEvent,
        r#"SELECT e.at, coalesce(nullif(u.name, ''), u.email) AS actor, e.action, e.summary,
                  e.incident_id AS "incident_id: IncidentId"
           FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
           ORDER BY e.at DESC, e.id DESC LIMIT $1 OFFSET $2"#,
        limit,
        offset,
    )
    .fetch_all(&mut *db)
    .await?;
    let total = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM audit_events"#).fetch_one(&mut *db).await?;
    Ok((events, total))
}

/// Who last changed a postmortem, and when.
pub async fn last_change(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
) -> sqlx::Result<Option<(String, OffsetDateTime)>> {
    let row = sqlx::query!(
        r#"SELECT coalesce(nullif(u.name, ''), u.email, 'the command line') AS "actor!", e.at
           FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.incident_id = $1 ORDER BY e.at DESC, e.id DESC LIMIT 1"#,
        incident.0,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.actor, row.at)))
}
