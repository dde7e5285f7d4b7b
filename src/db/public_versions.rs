//! The `public_versions` and `public_version_steps` tables: a postmortem's public version, its
//! approval, and what the public sees (by address, and in the public feed).

use sqlx::PgExecutor;
use sqlx::types::Json;
use time::OffsetDateTime;

use crate::domain::public::{
    Approved, Parts, PublicChoices, PublicDocument, PublicState, PublicStep, PublicVersion, Slug, StepRecord,
};
use crate::domain::{IncidentId, UserId};

/// Postmortem `incident`'s public version, if it has one.
pub async fn find(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Option<PublicVersion>> {
    let row = sqlx::query!(
        r#"SELECT p.incident_id AS "incident_id: IncidentId", p.slug AS "slug: Slug", p.slug_chosen,
                  p.show_title, p.public_title, p.show_severity, p.show_summary, p.show_impact, p.show_timeline,
                  p.show_changes, p.note, p.listed, p.state AS "state: PublicState", p.version,
                  p.edited_by AS "edited_by: UserId", coalesce(nullif(e.name, ''), e.email) AS edited_by_name,
                  p.edited_at, p.submitted_by AS "submitted_by: UserId",
                  coalesce(nullif(a.name, ''), a.email) AS approved_by_name, p.approved_at,
                  p.public_markdown, p.public_document AS "public_document: Json<PublicDocument>", p.rendered_with
           FROM public_versions p
           LEFT JOIN users e ON e.id = p.edited_by
           LEFT JOIN users a ON a.id = p.approved_by
           WHERE p.incident_id = $1"#,
        incident as IncidentId,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        let public = match (row.approved_at, row.public_markdown, row.public_document, row.rendered_with) {
            (Some(at), Some(markdown), Some(document), Some(rendered_with)) => {
                Some(Approved { by: row.approved_by_name, at, markdown, document: document.0, rendered_with })
            }
            _ => None,
        };
        PublicVersion {
            incident_id: row.incident_id,
            slug: row.slug,
            slug_chosen: row.slug_chosen,
            choices: PublicChoices {
                parts: Parts {
                    title: row.show_title,
                    severity: row.show_severity,
                    summary: row.show_summary,
                    impact: row.show_impact,
                    timeline: row.show_timeline,
                    changes: row.show_changes,
                },
                public_title: row.public_title,
                note: row.note,
                listed: row.listed,
            },
            state: row.state,
            version: row.version,
            edited_by: row.edited_by,
            edited_by_name: row.edited_by_name,
            edited_at: row.edited_at,
            submitted_by: row.submitted_by,
            public,
        }
    }))
}

/// The steps of its approval, oldest first.
pub async fn steps(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<Vec<StepRecord>> {
    sqlx::query_as!(
        StepRecord,
        r#"SELECT s.kind AS "kind: PublicStep",
                  coalesce(nullif(u.name, ''), u.email, 'the command line') AS "actor!", s.note, s.at
           FROM public_version_steps s LEFT JOIN users u ON u.id = s.actor_id
           WHERE s.incident_id = $1 ORDER BY s.at, s.id"#,
        incident as IncidentId,
    )
    .fetch_all(db)
    .await
}

/// Makes postmortem `incident`'s public version, as a draft at version 0 with the default
/// choices; [`update`] from version 0 then saves what its authors chose.
pub async fn insert(db: impl PgExecutor<'_>, incident: IncidentId, slug: &Slug) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO public_versions (incident_id, slug, version) VALUES ($1, $2, 0)",
        incident as IncidentId,
        slug as &Slug,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Saves the choices and the address if the public version is still at `base_version`, and
/// raises its version. Returns whether it was saved.
pub async fn update(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    base_version: i32,
    slug: &Slug,
    slug_chosen: bool,
    choices: &PublicChoices,
    edited_by: Option<UserId>,
) -> sqlx::Result<bool> {
    let parts = choices.parts;
    let result = sqlx::query!(
        "UPDATE public_versions
         SET slug = $3, slug_chosen = $4, show_title = $5, public_title = $6, show_severity = $7,
             show_summary = $8, show_impact = $9, show_timeline = $10, show_changes = $11, note = $12,
             listed = $13, edited_by = $14, edited_at = now(), version = version + 1
         WHERE incident_id = $1 AND version = $2",
        incident as IncidentId,
        base_version,
        slug as &Slug,
        slug_chosen,
        parts.title,
        choices.public_title,
        parts.severity,
        parts.summary,
        parts.impact,
        parts.timeline,
        parts.changes,
        choices.note,
        choices.listed,
        edited_by as Option<UserId>,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Moves the public version from state `from` to `to`, noting who asked for the approval now
/// pending (none: no request pending). Returns false if it is not at `from`.
pub async fn move_state(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    from: PublicState,
    to: PublicState,
    submitted_by: Option<UserId>,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE public_versions SET state = $3, submitted_by = $4 WHERE incident_id = $1 AND state = $2",
        incident as IncidentId,
        from as PublicState,
        to as PublicState,
        submitted_by as Option<UserId>,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Approves the public version awaiting approval: what the public sees from now on. Returns
/// false if none is awaiting approval.
pub async fn approve(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    approver: UserId,
    markdown: &str,
    document: &PublicDocument,
    rendered_with: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE public_versions
         SET state = 'approved', submitted_by = NULL, approved_by = $2, approved_at = now(),
             public_markdown = $3, public_document = $4, rendered_with = $5
         WHERE incident_id = $1 AND state = 'awaiting_approval'",
        incident as IncidentId,
        approver as UserId,
        markdown,
        Json(document) as _,
        rendered_with,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Takes the public version down: nothing is public any more. Returns false if nothing was.
pub async fn withdraw(db: impl PgExecutor<'_>, incident: IncidentId) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE public_versions
         SET state = 'withdrawn', submitted_by = NULL, approved_by = NULL, approved_at = NULL,
             public_markdown = NULL, public_document = NULL, rendered_with = NULL
         WHERE incident_id = $1 AND public_markdown IS NOT NULL",
        incident as IncidentId,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Records a step of the approval.
pub async fn add_step(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    kind: PublicStep,
    actor: Option<UserId>,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO public_version_steps (incident_id, kind, actor_id, note) VALUES ($1, $2, $3, $4)",
        incident as IncidentId,
        kind as PublicStep,
        actor as Option<UserId>,
        note,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A public version as the public sees it: its address, and what a manager approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub slug: Slug,
    pub listed: bool,
    pub approved_at: OffsetDateTime,
    pub markdown: String,
    pub document: PublicDocument,
    pub rendered_with: i32,
}

/// [`Live`] as its queries read it.
struct LiveRow {
    slug: Slug,
    listed: bool,
    approved_at: OffsetDateTime,
    markdown: String,
    document: Json<PublicDocument>,
    rendered_with: i32,
}

impl From<LiveRow> for Live {
    fn from(row: LiveRow) -> Live {
        let LiveRow { slug, listed, approved_at, markdown, document, rendered_with } = row;
        Live { slug, listed, approved_at, markdown, document: document.0, rendered_with }
    }
}

/// What the public sees at `/p/{slug}`, if anything.
pub async fn live(db: impl PgExecutor<'_>, slug: &Slug) -> sqlx::Result<Option<Live>> {
    let row = sqlx::query_as!(
        LiveRow,
        r#"SELECT slug AS "slug: Slug", listed, approved_at AS "approved_at!", public_markdown AS "markdown!",
                  public_document AS "document!: Json<PublicDocument>", rendered_with AS "rendered_with!"
           FROM public_versions WHERE slug = $1 AND public_markdown IS NOT NULL"#,
        slug as &Slug,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(Live::from))
}

/// The public feed: the `limit` latest approvals of listed public versions.
pub async fn feed(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<Live>> {
    let rows = sqlx::query_as!(
        LiveRow,
        r#"SELECT slug AS "slug: Slug", listed, approved_at AS "approved_at!", public_markdown AS "markdown!",
                  public_document AS "document!: Json<PublicDocument>", rendered_with AS "rendered_with!"
           FROM public_versions WHERE public_markdown IS NOT NULL AND listed
           ORDER BY approved_at DESC, incident_id DESC LIMIT $1"#,
        limit,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Live::from).collect())
}

/// Up to `limit` approved snapshots whose HTML another renderer than `current` made: the
/// postmortem, the document, and the renderer that made it.
pub async fn stale_snapshots(
    db: impl PgExecutor<'_>,
    current: i32,
    limit: i64,
) -> sqlx::Result<Vec<(IncidentId, PublicDocument, i32)>> {
    let rows = sqlx::query!(
        r#"SELECT incident_id AS "incident_id: IncidentId", public_document AS "document!: Json<PublicDocument>",
                  rendered_with AS "rendered_with!"
           FROM public_versions
           WHERE public_markdown IS NOT NULL AND rendered_with <> $1 ORDER BY incident_id LIMIT $2"#,
        current,
        limit,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.incident_id, row.document.0, row.rendered_with)).collect())
}

/// Stores a snapshot's HTML made again by renderer `current`, if the snapshot is still the one
/// renderer `was` made (not approved again or withdrawn meanwhile). Returns whether it was.
pub async fn store_snapshot_html(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    document: &PublicDocument,
    was: i32,
    current: i32,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE public_versions SET public_document = $2, rendered_with = $4
         WHERE incident_id = $1 AND public_markdown IS NOT NULL AND rendered_with = $3",
        incident as IncidentId,
        Json(document) as _,
        was,
        current,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
