//! The `action_items` table. Items are always addressed through their incident.

use sqlx::PgExecutor;

use crate::domain::input::ActionItemDraft;
use crate::domain::{ActionItem, ActionItemId, IncidentId, UserId};

/// The incident's action items in the order they were added.
pub async fn list_for_incident(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Vec<ActionItem>> {
    sqlx::query_as!(
        ActionItem,
        r#"SELECT a.id AS "id: ActionItemId", a.incident_id AS "incident_id: IncidentId", a.body, a.owner,
                  a.owner_id AS "owner_id: UserId", coalesce(nullif(u.name, ''), u.email) AS owner_person,
                  a.team, a.due_on, a.completed_at
           FROM action_items a LEFT JOIN users u ON u.id = a.owner_id WHERE a.incident_id = $1
           ORDER BY a.id"#,
        incident as IncidentId,
    )
    .fetch_all(db)
    .await
}

/// Every action item of every incident, in the order they were added.
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<ActionItem>> {
    sqlx::query_as!(
        ActionItem,
        r#"SELECT a.id AS "id: ActionItemId", a.incident_id AS "incident_id: IncidentId", a.body, a.owner,
                  a.owner_id AS "owner_id: UserId", coalesce(nullif(u.name, ''), u.email) AS owner_person,
                  a.team, a.due_on, a.completed_at
           FROM action_items a LEFT JOIN users u ON u.id = a.owner_id ORDER BY a.incident_id, a.id"#,
    )
    .fetch_all(db)
    .await
}

pub async fn find(db: impl PgExecutor<'_>, incident: IncidentId, id: ActionItemId) -> sqlx::Result<Option<ActionItem>> {
    sqlx::query_as!(
        ActionItem,
        r#"SELECT a.id AS "id: ActionItemId", a.incident_id AS "incident_id: IncidentId", a.body, a.owner,
                  a.owner_id AS "owner_id: UserId", coalesce(nullif(u.name, ''), u.email) AS owner_person,
                  a.team, a.due_on, a.completed_at
           FROM action_items a LEFT JOIN users u ON u.id = a.owner_id WHERE a.incident_id = $1 AND a.id = $2"#,
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
        r#"INSERT INTO action_items (incident_id, body, owner, team, due_on, completed_at, owner_id)
           VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END, $7)
           RETURNING id AS "id: ActionItemId""#,
        incident as IncidentId,
        draft.body,
        draft.owner,
        draft.team,
        draft.due_on,
        draft.done,
        draft.owner_id.map(|id| id.0),
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
               completed_at = CASE WHEN $7 THEN coalesce(completed_at, now()) END, owner_id = $8
           WHERE incident_id = $1 AND id = $2"#,
        incident as IncidentId,
        id as ActionItemId,
        draft.body,
        draft.owner,
        draft.team,
        draft.due_on,
        draft.done,
        draft.owner_id.map(|id| id.0),
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

/// Owners written as text on items linked to no one, with how many items each has: what an
/// admin can link to people (imports bring such owners).
pub async fn unlinked_owners(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT owner, count(*) AS "items!" FROM action_items
           WHERE owner_id IS NULL AND btrim(owner) <> ''
           GROUP BY owner ORDER BY lower(owner), owner"#,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.owner, row.items)).collect())
}

/// Links every item owned by `owner` as written, and linked to no one, to `user`. Returns
/// how many were linked.
pub async fn link_owner(db: impl PgExecutor<'_>, owner: &str, user: UserId) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        "UPDATE action_items SET owner_id = $2 WHERE owner_id IS NULL AND owner = $1",
        owner,
        user as UserId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}
