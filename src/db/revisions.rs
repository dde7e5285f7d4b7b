//! The `revisions` table: the history of each postmortem as whole Markdown documents.

use sqlx::{PgConnection, PgExecutor, PgPool};
use time::OffsetDateTime;

use crate::domain::{IncidentId, UserId};
use crate::markdown::export::export;

/// Edits by the same person within this many minutes of their last one update that revision
/// rather than adding another, so fixing a typo does not bury the history.
const COALESCE_MINUTES: i32 = 15;

/// Why a revision is being recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An ordinary edit: may be folded into the author's own recent revision.
    Edit,
    /// A review step (submitted, sent back): always a revision of its own.
    Review,
    /// Approval: a revision of its own, marked published and frozen.
    Publish,
}

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
}

/// Records the postmortem as it now stands, on the transaction that changed it. Locks the
/// incident row first, so two changes saved at once are recorded one after the other and
/// each revision holds everything committed before it. Does nothing if the document did not
/// change (a comment, say) unless `step` is `Publish` and the latest revision is not
/// published yet. No author means the command line.
pub async fn record(
    conn: &mut PgConnection,
    incident: IncidentId,
    author: Option<UserId>,
    step: Step,
) -> sqlx::Result<()> {
    let locked = sqlx::query_scalar!("SELECT id FROM incidents WHERE id = $1 FOR UPDATE", incident as IncidentId)
        .fetch_optional(&mut *conn)
        .await?;
    if locked.is_none() {
        return Ok(());
    }
    let Some(postmortem) = super::load_postmortem_on(&mut *conn, incident).await? else {
        return Ok(());
    };
    let text = export(&postmortem);
    let latest = sqlx::query!(
        r#"SELECT id, number, markdown = $2 AS "same!", published, author_id,
                  updated_at > now() - make_interval(mins => $3) AS "recent!"
           FROM revisions WHERE incident_id = $1 ORDER BY number DESC LIMIT 1"#,
        incident as IncidentId,
        text,
        COALESCE_MINUTES,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let publish = step == Step::Publish;
    match latest {
        Some(latest) if latest.same && (!publish || latest.published) => Ok(()),
        Some(latest) if latest.same => {
            sqlx::query!("UPDATE revisions SET published = true WHERE id = $1", latest.id).execute(&mut *conn).await?;
            Ok(())
        }
        Some(latest)
            if step == Step::Edit
                && !latest.published
                && latest.recent
                && author.is_some_and(|author| latest.author_id == Some(author.0)) =>
        {
            sqlx::query!("UPDATE revisions SET markdown = $2, updated_at = now() WHERE id = $1", latest.id, text)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
        latest => {
            let number = latest.map_or(1, |latest| latest.number + 1);
            sqlx::query!(
                "INSERT INTO revisions (incident_id, number, markdown, author_id, published) VALUES ($1, $2, $3, $4, $5)",
                incident as IncidentId,
                number,
                text,
                author.map(|author| author.0),
                publish,
            )
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
    }
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
                  r.created_at, r.updated_at, r.markdown
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

/// Postmortems with no revision yet (saved before revisions were kept).
async fn incidents_without_history(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<IncidentId>> {
    sqlx::query_scalar!(
        r#"SELECT i.id AS "id: IncidentId" FROM incidents i
           WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.incident_id = i.id) ORDER BY i.id"#
    )
    .fetch_all(db)
    .await
}

/// Gives every postmortem saved before revisions were kept its first revision (published if
/// the postmortem is), each in its own short transaction. Returns how many it recorded.
pub async fn backfill(pool: &PgPool) -> sqlx::Result<usize> {
    let missing = incidents_without_history(pool).await?;
    for &incident in &missing {
        let mut tx = pool.begin().await?;
        let published = sqlx::query_scalar!(
            "SELECT status = 'published' AS \"p!\" FROM incidents WHERE id = $1",
            incident as IncidentId
        )
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or(false);
        record(&mut tx, incident, None, if published { Step::Publish } else { Step::Edit }).await?;
        tx.commit().await?;
    }
    Ok(missing.len())
}

/// A postmortem as last published, for the Atom feed.
#[derive(Debug, Clone)]
pub struct Published {
    pub incident_id: IncidentId,
    pub title: String,
    pub severity: String,
    pub number: i32,
    pub markdown: String,
    pub author: Option<String>,
    pub published_at: OffsetDateTime,
}

/// The latest published revision of the most recently published postmortems, newest first.
pub async fn published(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<Published>> {
    sqlx::query_as!(
        Published,
        r#"SELECT p.incident_id AS "incident_id!: IncidentId", p.title AS "title!", p.severity AS "severity!",
                  p.number AS "number!", p.markdown AS "markdown!", p.author, p.published_at AS "published_at!"
           FROM (SELECT DISTINCT ON (r.incident_id) r.incident_id, i.title, i.severity, r.number, r.markdown,
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
