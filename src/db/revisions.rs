//! The `revisions` table: the history of each postmortem as whole Markdown documents. When a
//! revision is recorded, and when one is folded into another, is `app::revisions`' policy.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{IncidentId, UserId};

/// One revision, without its text (for lists).
#[derive(Debug, Clone)]
pub struct RevisionSummary {
    pub number: i32,
    pub author: Option<String>,
    pub published: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub lines: i32,
}

/// One revision with its Markdown.
#[derive(Debug, Clone)]
pub struct Revision {
    pub number: i32,
    pub author: Option<String>,
    pub published: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub markdown: String,
    /// Its HTML as stored, and the renderer version that made it.
    pub html: String,
    pub rendered_with: i32,
}

/// The latest revision of a postmortem, compared with the text about to be recorded.
#[derive(Debug, Clone)]
pub struct Latest {
    pub id: i64,
    pub number: i32,
    /// Whether its text is the one given.
    pub same: bool,
    pub published: bool,
    pub author_id: Option<i64>,
    /// Whether it was last written within the given number of minutes.
    pub recent: bool,
}

/// The latest revision of `incident`, compared with `text`, or `None` before the first.
pub async fn latest(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    text: &str,
    recent_minutes: i32,
) -> sqlx::Result<Option<Latest>> {
    sqlx::query_as!(
        Latest,
        r#"SELECT id, number, markdown = $2 AS "same!", published, author_id,
                  updated_at > now() - make_interval(mins => $3) AS "recent!"
           FROM revisions WHERE incident_id = $1 ORDER BY number DESC LIMIT 1"#,
        incident as IncidentId,
        text,
        recent_minutes,
    )
    .fetch_optional(db)
    .await
}

/// Marks revision `id` published (after which the database refuses to change it).
pub async fn mark_published(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query!("UPDATE revisions SET published = true WHERE id = $1", id).execute(db).await?;
    Ok(())
}

/// Replaces the text of revision `id` and its HTML (an edit folded into its author's open
/// revision).
pub async fn replace_text(
    db: impl PgExecutor<'_>,
    id: i64,
    text: &str,
    html: &str,
    rendered_with: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE revisions SET markdown = $2, html = $3, rendered_with = $4, updated_at = now() WHERE id = $1",
        id,
        text,
        html,
        rendered_with,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A revision to add.
#[derive(Debug, Clone)]
pub struct NewRevision<'a> {
    pub incident: IncidentId,
    pub number: i32,
    pub markdown: &'a str,
    pub html: &'a str,
    pub rendered_with: i32,
    pub author: Option<UserId>,
    pub published: bool,
}

pub async fn insert(db: impl PgExecutor<'_>, revision: &NewRevision<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO revisions (incident_id, number, markdown, html, rendered_with, author_id, published)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        revision.incident as IncidentId,
        revision.number,
        revision.markdown,
        revision.html,
        revision.rendered_with,
        revision.author.map(|author| author.0),
        revision.published,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Every revision of a postmortem, newest first.
pub async fn list(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Vec<RevisionSummary>> {
    sqlx::query_as!(
        RevisionSummary,
        r#"SELECT r.number, nullif(coalesce(nullif(u.name, ''), u.email), '') AS author, r.published,
                  r.created_at, r.updated_at,
                  (length(r.markdown) - length(replace(r.markdown, E'\n', '')))::int AS "lines!"
           FROM revisions r LEFT JOIN users u ON u.id = r.author_id
           WHERE r.incident_id = $1 ORDER BY r.number DESC"#,
        incident as IncidentId,
    )
    .fetch_all(db)
    .await
}

/// One revision with its text.
pub async fn find(db: impl PgExecutor<'_>, incident: IncidentId, number: i32) -> sqlx::Result<Option<Revision>> {
    sqlx::query_as!(
        Revision,
        r#"SELECT r.number, nullif(coalesce(nullif(u.name, ''), u.email), '') AS author, r.published,
                  r.created_at, r.updated_at, r.markdown, r.html, r.rendered_with
           FROM revisions r LEFT JOIN users u ON u.id = r.author_id
           WHERE r.incident_id = $1 AND r.number = $2"#,
        incident as IncidentId,
        number,
    )
    .fetch_optional(db)
    .await
}

/// The latest revision and the latest published one, by number: what the postmortem page says
/// about its history.
pub async fn latest_numbers(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<(Option<i32>, Option<i32>)> {
    let row = sqlx::query!(
        r#"SELECT max(number) AS latest, max(number) FILTER (WHERE published) AS published
           FROM revisions WHERE incident_id = $1"#,
        incident as IncidentId,
    )
    .fetch_one(db)
    .await?;
    Ok((row.latest, row.published))
}

/// Postmortems with no revision yet (saved before revisions were kept), with whether each is
/// published.
pub async fn without_history(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(IncidentId, bool)>> {
    let rows = sqlx::query!(
        r#"SELECT i.id AS "id: IncidentId", i.status = 'published' AS "published!" FROM incidents i
           WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.incident_id = i.id) ORDER BY i.id"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.published)).collect())
}

/// A postmortem as last published, for the Atom feed.
#[derive(Debug, Clone)]
pub struct Published {
    pub incident_id: IncidentId,
    pub title: String,
    pub severity: String,
    pub number: i32,
    pub markdown: String,
    pub html: String,
    pub rendered_with: i32,
    pub author: Option<String>,
    pub published_at: OffsetDateTime,
}

/// The latest published revision of the most recently published postmortems, newest first.
pub async fn published(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<Published>> {
    sqlx::query_as!(
        Published,
        r#"SELECT p.incident_id AS "incident_id!: IncidentId", p.title AS "title!", p.severity AS "severity!",
                  p.number AS "number!", p.markdown AS "markdown!", p.html AS "html!",
                  p.rendered_with AS "rendered_with!", p.author, p.published_at AS "published_at!"
           FROM (SELECT DISTINCT ON (r.incident_id) r.incident_id, i.title, i.severity, r.number, r.markdown,
                        r.html, r.rendered_with,
                        nullif(coalesce(nullif(u.name, ''), u.email), '') AS author, r.created_at AS published_at
                 FROM revisions r JOIN incidents i ON i.id = r.incident_id
                 LEFT JOIN users u ON u.id = r.author_id
                 WHERE r.published
                 ORDER BY r.incident_id, r.number DESC) p
           ORDER BY p.published_at DESC, p.incident_id DESC LIMIT $1"#,
        limit,
    )
    .fetch_all(db)
    .await
}
