//! The `review_comments` table, and moving a postmortem through its review.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{CommentKind, IncidentId, Status, UserId};

/// A step of the review: a comment, or a change of status with what was said about it.
#[derive(Debug, Clone)]
pub struct ReviewComment {
    pub author: String,
    pub kind: CommentKind,
    pub body: String,
    pub created_at: OffsetDateTime,
}

pub async fn list(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Vec<ReviewComment>> {
    sqlx::query_as!(
        ReviewComment,
        r#"SELECT coalesce(nullif(u.name, ''), u.email, 'someone') AS "author!", c.kind AS "kind: CommentKind", c.body, c.created_at
           FROM review_comments c LEFT JOIN users u ON u.id = c.author_id
           WHERE c.incident_id = $1 ORDER BY c.created_at, c.id"#,
        incident as IncidentId,
    )
    .fetch_all(db)
    .await
}

/// Adds a comment, or records a step of the review.
pub async fn add(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    author: UserId,
    kind: CommentKind,
    body: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO review_comments (incident_id, author_id, kind, body) VALUES ($1, $2, $3, $4)",
        incident as IncidentId,
        author as UserId,
        kind as CommentKind,
        body,
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
