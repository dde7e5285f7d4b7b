//! The `incidents` table: one row per postmortem.

use std::collections::HashMap;

use sqlx::PgExecutor;
use sqlx::types::Json;
use time::OffsetDateTime;

use crate::domain::input::IncidentDraft;
use crate::domain::time::Offset;
use crate::domain::{Incident, IncidentId, Outline, PerSection, SectionHeadings, Severity, Status, TemplateId};

/// An incident's row; the sections' texts come as a JSON object keyed by section.
struct IncidentRow {
    id: IncidentId,
    title: String,
    severity: Severity,
    status: Status,
    started_at: Option<OffsetDateTime>,
    ended_at: Option<OffsetDateTime>,
    utc_offset_minutes: i32,
    texts: Option<Json<PerSection<String>>>,
    section_headings: Json<SectionHeadings>,
    template_outline: Option<Json<Outline>>,
    version: i32,
    updated_at: OffsetDateTime,
}

impl From<IncidentRow> for Incident {
    fn from(row: IncidentRow) -> Incident {
        Incident {
            id: row.id,
            title: row.title,
            severity: row.severity,
            status: row.status,
            started_at: row.started_at,
            ended_at: row.ended_at,
            offset: Offset::from_minutes(row.utc_offset_minutes),
            texts: row.texts.map(|texts| texts.0).unwrap_or_default(),
            headings: row.section_headings.0,
            template: row.template_outline.map(|outline| outline.0),
            version: row.version,
            updated_at: row.updated_at,
        }
    }
}

/// Incident `only`, or every incident newest first.
async fn select(db: impl PgExecutor<'_>, only: Option<IncidentId>) -> sqlx::Result<Vec<Incident>> {
    let rows = sqlx::query_as!(
        IncidentRow,
        r#"SELECT id AS "id: IncidentId", title, severity AS "severity: Severity",
                  status AS "status: Status",
                  CASE WHEN start_stated THEN started_at END AS started_at, ended_at, utc_offset_minutes,
                  (SELECT json_object_agg(t.section, t.body) FROM incident_texts t WHERE t.incident_id = i.id)
                      AS "texts: Json<PerSection<String>>",
                  section_headings AS "section_headings: Json<SectionHeadings>",
                  template_outline AS "template_outline: Json<Outline>", version, updated_at
           FROM incidents i WHERE $1::bigint IS NULL OR id = $1
           ORDER BY started_at DESC, id DESC"#,
        only.map(|id| id.0),
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

pub async fn find(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<Option<Incident>> {
    Ok(select(db, Some(id)).await?.pop())
}

/// Every incident, newest first.
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Incident>> {
    select(db, None).await
}

/// Locks incident `id`'s row until the transaction ends, so changes to one postmortem apply one
/// after another (see `app`). Returns whether it exists.
pub async fn lock(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<bool> {
    let row = sqlx::query_scalar!("SELECT id FROM incidents WHERE id = $1 FOR NO KEY UPDATE", id as IncidentId)
        .fetch_optional(db)
        .await?;
    Ok(row.is_some())
}

/// Raises postmortem `id`'s version if it is at `base_version` (a change to what its form
/// edits besides the row itself: its services, tags and factors). Returns whether it was.
pub async fn bump_version(db: impl PgExecutor<'_>, id: IncidentId, base_version: i32) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE incidents SET version = version + 1, updated_at = now() WHERE id = $1 AND version = $2",
        id as IncidentId,
        base_version,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks postmortems `ids`, in id order (the order every change that holds several takes them
/// in). Returns those that exist.
pub async fn lock_all(db: impl PgExecutor<'_>, ids: &[IncidentId]) -> sqlx::Result<Vec<IncidentId>> {
    let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    sqlx::query_scalar!(
        r#"SELECT id AS "id: IncidentId" FROM incidents WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE"#,
        &ids,
    )
    .fetch_all(db)
    .await
}

/// Moves on the change number of incident `id` (see `db::postmortems::Stamp`): anything kept
/// of it is read again.
pub async fn touch(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<()> {
    sqlx::query!("UPDATE incidents SET change_seq = change_seq + 1 WHERE id = $1", id as IncidentId)
        .execute(db)
        .await?;
    Ok(())
}

/// [`touch`] for several incidents at once.
pub async fn touch_all(db: impl PgExecutor<'_>, ids: &[IncidentId]) -> sqlx::Result<()> {
    let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    sqlx::query!("UPDATE incidents SET change_seq = change_seq + 1 WHERE id = ANY($1)", &ids).execute(db).await?;
    Ok(())
}

/// Locks, in id order, every postmortem with an action item owned by `owner` as written and
/// linked to no one. Returns their ids.
pub async fn lock_owning(db: impl PgExecutor<'_>, owner: &str) -> sqlx::Result<Vec<IncidentId>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id: IncidentId" FROM incidents
           WHERE id IN (SELECT incident_id FROM action_items WHERE owner_id IS NULL AND owner = $1)
           ORDER BY id FOR NO KEY UPDATE"#,
        owner,
    )
    .fetch_all(db)
    .await
}

/// The sections' texts and their HTML as arrays for `unnest`, in section order.
fn text_arrays<'a>(
    texts: &'a PerSection<String>,
    html: &'a PerSection<String>,
) -> (Vec<&'static str>, Vec<&'a str>, Vec<&'a str>) {
    let keys = texts.iter().map(|(section, _)| section.key()).collect();
    let bodies = texts.values().map(String::as_str).collect();
    let html = html.values().map(String::as_str).collect();
    (keys, bodies, html)
}

/// Inserts an incident with its sections' texts and their HTML (made by renderer version
/// `rendered_with`), and the template it was started from, if any, with its outline.
pub async fn insert(
    db: impl PgExecutor<'_>,
    draft: &IncidentDraft,
    html: &PerSection<String>,
    rendered_with: i32,
    template: Option<(TemplateId, &Outline)>,
) -> sqlx::Result<IncidentId> {
    let (keys, bodies, html) = text_arrays(&draft.texts, html);
    sqlx::query_scalar!(
        r#"WITH created AS (
               INSERT INTO incidents (title, severity, status, started_at, start_stated, ended_at,
                                      utc_offset_minutes, section_headings, template_id, template_outline)
               VALUES ($1, $2, $3, coalesce($4, least(now(), $5)), $4 IS NOT NULL, $5, $6, $7, $12, $13)
               RETURNING id
           ), texts AS (
               INSERT INTO incident_texts (incident_id, section, body, html, rendered_with)
               SELECT created.id, t.section, t.body, t.html, $11
               FROM created, unnest($8::text[], $9::text[], $10::text[]) AS t (section, body, html)
           )
           SELECT id AS "id!: IncidentId" FROM created"#,
        draft.title,
        draft.severity as Severity,
        draft.status as Status,
        draft.started_at,
        draft.ended_at,
        draft.offset.minutes(),
        Json(&draft.headings) as _,
        &keys as &[&str],
        &bodies as &[&str],
        &html as &[&str],
        rendered_with,
        template.map(|(id, _)| id.0),
        template.map(|(_, outline)| Json(outline)) as _,
    )
    .fetch_one(db)
    .await
}

/// Saves `draft` over the incident if it is still at `base_version`. Returns the new version,
/// or `None` when the incident is gone or someone else saved first (the caller tells which).
pub async fn update(
    db: impl PgExecutor<'_>,
    id: IncidentId,
    base_version: i32,
    draft: &IncidentDraft,
    html: &PerSection<String>,
    rendered_with: i32,
) -> sqlx::Result<Option<i32>> {
    let (keys, bodies, html) = text_arrays(&draft.texts, html);
    // A new offset also forgets how imported timeline rows spelled their times: a time written
    // for one offset would no longer read as the same instant in another (see the export). It
    // raises every entry's version too: an entry's edit form holds its time in the old offset,
    // and saved now it would move the entry by the difference, so it is refused as stale.
    sqlx::query_scalar!(
        r#"WITH previous AS (
               SELECT utc_offset_minutes FROM incidents WHERE id = $1 AND version = $2
           ), saved AS (
               UPDATE incidents
               SET title = $3, severity = $4, status = $5, started_at = coalesce($6, least(created_at, $7)),
                   start_stated = $6 IS NOT NULL, ended_at = $7,
                   utc_offset_minutes = $8, version = version + 1, updated_at = now()
               WHERE id = $1 AND version = $2
               RETURNING version
           ), texts AS (
               INSERT INTO incident_texts (incident_id, section, body, html, rendered_with)
               SELECT $1, t.section, t.body, t.html, $12
               FROM unnest($9::text[], $10::text[], $11::text[]) AS t (section, body, html)
               WHERE EXISTS (SELECT 1 FROM saved)
               ON CONFLICT (incident_id, section) DO UPDATE
               SET body = excluded.body, html = excluded.html, rendered_with = excluded.rendered_with
           ), forgotten AS (
               UPDATE timeline_entries SET time_as_written = '', version = version + 1
               WHERE incident_id = $1
                 AND EXISTS (SELECT 1 FROM saved)
                 AND EXISTS (SELECT 1 FROM previous WHERE utc_offset_minutes <> $8)
           )
           SELECT version AS "version!" FROM saved"#,
        id as IncidentId,
        base_version,
        draft.title,
        draft.severity as Severity,
        draft.status as Status,
        draft.started_at,
        draft.ended_at,
        draft.offset.minutes(),
        &keys as &[&str],
        &bodies as &[&str],
        &html as &[&str],
        rendered_with,
    )
    .fetch_optional(db)
    .await
}

/// Deletes the incident with its timeline and action items. Returns whether it existed.
pub async fn delete(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<bool> {
    let result = sqlx::query!("DELETE FROM incidents WHERE id = $1", id as IncidentId).execute(db).await?;
    Ok(result.rows_affected() > 0)
}

/// How many action items each of these postmortems has, and how many are still open: the
/// index's last column, for the page's rows only.
pub async fn action_item_counts(
    db: impl PgExecutor<'_>,
    ids: &[IncidentId],
) -> sqlx::Result<HashMap<IncidentId, (i64, i64)>> {
    let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    let rows = sqlx::query!(
        r#"SELECT a.incident_id AS "id: IncidentId", count(*) AS "total!",
                  count(*) FILTER (WHERE a.completed_at IS NULL) AS "open!"
           FROM action_items a WHERE a.incident_id = ANY ($1) GROUP BY a.incident_id"#,
        &ids,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, (r.total, r.open))).collect())
}

/// How many incidents there are.
pub async fn count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM incidents"#).fetch_one(db).await
}

/// How many timeline entries, action items and extra sections postmortem `id` holds, to keep
/// an addition within `domain::limits` (read under the postmortem's lock).
pub async fn part_counts(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<PartCounts> {
    let row = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM timeline_entries WHERE incident_id = $1) AS "timeline!",
                  (SELECT count(*) FROM action_items WHERE incident_id = $1) AS "action_items!",
                  (SELECT count(*) FROM incident_sections WHERE incident_id = $1) AS "sections!""#,
        id as IncidentId,
    )
    .fetch_one(db)
    .await?;
    let count = |n: i64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok(PartCounts {
        timeline: count(row.timeline),
        action_items: count(row.action_items),
        sections: count(row.sections),
    })
}

/// What [`part_counts`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartCounts {
    pub timeline: usize,
    pub action_items: usize,
    pub sections: usize,
}

/// The postmortem's start and end, and whether each was set by hand over its marked entry.
pub struct Span {
    /// `None` while a draft does not say.
    pub started_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
    pub start_set_by_hand: bool,
    pub end_set_by_hand: bool,
}

pub async fn span(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<Option<Span>> {
    sqlx::query_as!(
        Span,
        r#"SELECT CASE WHEN start_stated THEN started_at END AS started_at, ended_at, start_set_by_hand,
                  end_set_by_hand
           FROM incidents WHERE id = $1"#,
        id as IncidentId,
    )
    .fetch_optional(db)
    .await
}

/// Records whether the start and end were set by hand over their marked entries.
pub async fn set_by_hand(db: impl PgExecutor<'_>, id: IncidentId, start: bool, end: bool) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE incidents SET start_set_by_hand = $2, end_set_by_hand = $3 WHERE id = $1",
        id as IncidentId,
        start,
        end,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Moves the start and end (to the marked entries' times), raising the version: a form loaded
/// before holds the old times, and saved now would put them back.
pub async fn move_span(
    db: impl PgExecutor<'_>,
    id: IncidentId,
    started_at: Option<OffsetDateTime>,
    ended_at: Option<OffsetDateTime>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE incidents
         SET started_at = coalesce($2, least(created_at, $3)), start_stated = $2 IS NOT NULL, ended_at = $3,
             version = version + 1, updated_at = now()
         WHERE id = $1",
        id as IncidentId,
        started_at,
        ended_at,
    )
    .execute(db)
    .await?;
    Ok(())
}
