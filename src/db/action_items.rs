//! The `action_items` table. Items are always addressed through their incident.

use sqlx::PgExecutor;

use crate::domain::input::ActionItemDraft;
use crate::domain::{ActionItem, ActionItemId, IncidentId};

/// The incident's action items in the order they were added.
pub async fn list_for_incident(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Vec<ActionItem>> {
    sqlx::query_as!(
        ActionItem,
        r#"SELECT id AS "id: ActionItemId", incident_id AS "incident_id: IncidentId", body, owner, team,
                  due_on, completed_at
           FROM action_items WHERE incident_id = $1
           ORDER BY id"#,
        incident as IncidentId,
    )
    .fetch_all(db)
    .await
}

/// Every action item of every incident, in the order they were added.
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<ActionItem>> {
    sqlx::query_as!(
        ActionItem,
        r#"SELECT id AS "id: ActionItemId", incident_id AS "incident_id: IncidentId", body, owner, team,
                  due_on, completed_at
           FROM action_items ORDER BY incident_id, id"#,
    )
    .fetch_all(db)
    .await
}

pub async fn find(db: impl PgExecutor<'_>, incident: IncidentId, id: ActionItemId) -> sqlx::Result<Option<ActionItem>> {
    sqlx::query_as!(
        ActionItem,
        r#"SELECT id AS "id: ActionItemId", incident_id AS "incident_id: IncidentId", body, owner, team,
                  due_on, completed_at
           FROM action_items WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as ActionItemId,
    )
    .fetch_optional(db)
    .await
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    draft: &ActionItemDraft,
) -> sqlx::Result<ActionItemId> {
    sqlx::query_scalar!(
        r#"INSERT INTO action_items (incident_id, body, owner, team, due_on, completed_at)
           VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)
           RETURNING id AS "id: ActionItemId""#,
        incident as IncidentId,
        draft.body,
        draft.owner,
        draft.team,
        draft.due_on,
        draft.done,
    )
    .fetch_one(db)
    .await
}

/// Saves the item. The completion time is kept if it stays done, set if it becomes done, and
/// cleared if it is reopened. Returns whether the item existed.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: ActionItemId,
    draft: &ActionItemDraft,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        r#"UPDATE action_items
           SET body = $3, owner = $4, team = $5, due_on = $6,
               completed_at = CASE WHEN $7 THEN coalesce(completed_at, now()) END
           WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as ActionItemId,
        draft.body,
        draft.owner,
        draft.team,
        draft.due_on,
        draft.done,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Ticks the item done (recording when) or reopens it. Returns whether the item existed.
pub async fn set_done(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: ActionItemId,
    done: bool,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        r#"UPDATE action_items SET completed_at = CASE WHEN $3 THEN coalesce(completed_at, now()) END
           WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as ActionItemId,
        done,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Returns whether the item existed.
pub async fn delete(db: impl PgExecutor<'_>, incident: IncidentId, id: ActionItemId) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "DELETE FROM action_items WHERE incident_id = $1 AND id = $2",
        incident as IncidentId,
        id as ActionItemId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
