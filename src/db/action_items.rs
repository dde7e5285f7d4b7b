//! The `action_items` table. Items are always addressed through their incident.

use sqlx::PgExecutor;

use crate::domain::input::ActionItemDraft;
use crate::domain::{ActionItem, ActionItemId, ActionKind, ActionStatus, IncidentId, Priority, UserId};

/// Item `id` of `incident`, as `action_item_rows` shows it.
pub async fn find(db: impl PgExecutor<'_>, incident: IncidentId, id: ActionItemId) -> sqlx::Result<Option<ActionItem>> {
    sqlx::query_as("SELECT a.* FROM action_item_rows a WHERE a.incident_id = $1 AND a.id = $2")
        .bind(incident)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Adds an item, with the HTML its text renders to (by renderer version `rendered_with`).
pub async fn insert(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    draft: &ActionItemDraft,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<ActionItemId> {
    sqlx::query_scalar!(
        r#"INSERT INTO action_items (incident_id, body, owner, team, due_on, completed_at, owner_id, kind,
                                     priority, status, wont_do_reason, team_id, ticket_url, completion_note,
                                     html, rendered_with, verified_at, verified_by_name, verification_evidence,
                                     recurred_in_as_written)
           VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 IN ('done', 'wont_do') THEN now() END, $7, $8, $9, $6,
                   $10, $11, $12, $13, $14, $15, $16::date::timestamp AT TIME ZONE 'UTC', $17, $18, $19)
           RETURNING id AS "id: ActionItemId""#,
        incident as IncidentId,
        draft.body,
        draft.owner,
        draft.team,
        draft.due_on,
        draft.status as ActionStatus,
        draft.owner_id.map(|id| id.0),
        draft.kind as Option<ActionKind>,
        draft.priority as Option<Priority>,
        draft.wont_do_reason,
        draft.team_id.map(|id| id.0),
        draft.ticket_url,
        draft.completion_note,
        html,
        rendered_with,
        draft.verified.as_ref().map(|verified| verified.on),
        draft.verified.as_ref().map(|verified| verified.by.as_str()).unwrap_or_default(),
        draft.verified.as_ref().map(|verified| verified.evidence.as_str()).unwrap_or_default(),
        draft.recurred_in_as_written,
    )
    .fetch_one(db)
    .await
}

/// Saves the item if it is still at `base_version`. The closing time is kept while it stays
/// closed, set when it closes, and cleared when it reopens; its verification is kept while it
/// stays done and cleared otherwise (a reopened item must be verified again once done). Returns whether a row was saved:
/// `false` when the item is gone or someone saved first.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: ActionItemId,
    base_version: i32,
    draft: &ActionItemDraft,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        r#"UPDATE action_items
           SET body = $3, owner = $4, team = $5, due_on = $6, status = $7,
               completed_at = CASE WHEN $7 IN ('done', 'wont_do') THEN coalesce(completed_at, now()) END,
               owner_id = $8, kind = $9, priority = $10, wont_do_reason = $11, team_id = $12,
               ticket_url = $13, completion_note = $14, version = version + 1, updated_at = now(),
               html = $16, rendered_with = $17,
               verified_at = CASE WHEN $7 = 'done' THEN verified_at END,
               verified_by = CASE WHEN $7 = 'done' THEN verified_by END,
               verified_by_name = CASE WHEN $7 = 'done' THEN verified_by_name ELSE '' END,
               verification_evidence = CASE WHEN $7 = 'done' THEN verification_evidence ELSE '' END
           WHERE incident_id = $1 AND id = $2 AND version = $15"#,
        incident as IncidentId,
        id as ActionItemId,
        draft.body,
        draft.owner,
        draft.team,
        draft.due_on,
        draft.status as ActionStatus,
        draft.owner_id.map(|id| id.0),
        draft.kind as Option<ActionKind>,
        draft.priority as Option<Priority>,
        draft.wont_do_reason,
        draft.team_id.map(|id| id.0),
        draft.ticket_url,
        draft.completion_note,
        base_version,
        html,
        rendered_with,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Ticks the item done (recording when) or reopens it (clearing its verification), if its
/// status is still `from`. Returns
/// whether it was changed: `false` when the item is gone or its status is another.
pub async fn set_done(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: ActionItemId,
    done: bool,
    from: ActionStatus,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        r#"UPDATE action_items
           SET status = CASE WHEN $3 THEN 'done' ELSE 'open' END, wont_do_reason = '',
               completed_at = CASE WHEN $3 THEN coalesce(completed_at, now()) END,
               verified_at = CASE WHEN $3 THEN verified_at END, verified_by = CASE WHEN $3 THEN verified_by END,
               verified_by_name = CASE WHEN $3 THEN verified_by_name ELSE '' END,
               verification_evidence = CASE WHEN $3 THEN verification_evidence ELSE '' END,
               version = version + 1, updated_at = now()
           WHERE incident_id = $1 AND id = $2 AND status = $4"#,
        incident as IncidentId,
        id as ActionItemId,
        done,
        from as ActionStatus,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Marks a done, unverified item verified by `by` (named `name`, kept should the account go)
/// with `evidence`. Returns whether it was changed: `false` when it is gone, not done, or
/// verified already.
pub async fn verify(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: ActionItemId,
    by: UserId,
    name: &str,
    evidence: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE action_items
         SET verified_at = now(), verified_by = $3, verified_by_name = $4, verification_evidence = $5,
             version = version + 1, updated_at = now()
         WHERE incident_id = $1 AND id = $2 AND status = 'done' AND verified_at IS NULL",
        incident as IncidentId,
        id as ActionItemId,
        by as UserId,
        name,
        evidence,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Takes back the item's verification. Returns whether it was verified.
pub async fn unverify(db: impl PgExecutor<'_>, incident: IncidentId, id: ActionItemId) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE action_items
         SET verified_at = NULL, verified_by = NULL, verified_by_name = '', verification_evidence = '',
             version = version + 1, updated_at = now()
         WHERE incident_id = $1 AND id = $2 AND verified_at IS NOT NULL",
        incident as IncidentId,
        id as ActionItemId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes the item if it is still at `version`. Returns whether it was deleted: `false` when
/// it is gone or someone saved it since.
pub async fn delete(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    id: ActionItemId,
    version: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "DELETE FROM action_items WHERE incident_id = $1 AND id = $2 AND version = $3",
        incident as IncidentId,
        id as ActionItemId,
        version,
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

/// Links every item owned by `owner` as written, and linked to no one, to `user`, raising
/// their versions (an item's form loaded before would otherwise unlink it again). Returns how
/// many were linked.
pub async fn link_owner(db: impl PgExecutor<'_>, owner: &str, user: UserId) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        "UPDATE action_items SET owner_id = $2, version = version + 1, updated_at = now()
         WHERE owner_id IS NULL AND owner = $1",
        owner,
        user as UserId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}
