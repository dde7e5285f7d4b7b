//! The `review_comments` table, and moving a postmortem through its review.

use sqlx::PgExecutor;

use crate::domain::{CommentKind, IncidentId, Status, UserId};

/// Adds a comment, or records a step of the review, with the HTML its text renders to.
pub async fn add(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    author: UserId,
    kind: CommentKind,
    body: &str,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO review_comments (incident_id, author_id, kind, body, html, rendered_with)
         VALUES ($1, $2, $3, $4, $5, $6)",
        incident as IncidentId,
        author as UserId,
        kind as CommentKind,
        body,
        html,
        rendered_with,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Moves the postmortem from `from` to `to`. Returns false if it is not at `from` (any more):
/// two reviewers acting at once cannot both move it.
pub async fn move_status(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    from: Status,
    to: Status,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE incidents SET status = $3, version = version + 1, updated_at = now() WHERE id = $1 AND status = $2",
        incident as IncidentId,
        from as Status,
        to as Status,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
