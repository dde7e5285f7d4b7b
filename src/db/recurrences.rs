//! Postmortems that repeat earlier ones: the earlier postmortems most like one (by title and
//! words, shared services and shared factors), and the recurrences authors confirmed, with the
//! done action items of the earlier one that were meant to prevent exactly this.

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use crate::domain::{ActionItemId, IncidentId, Severity, Status, UserId};

/// An earlier postmortem like this one, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Similar {
    pub id: IncidentId,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    /// `None`: a draft that does not say yet.
    pub started_at: Option<OffsetDateTime>,
    pub utc_offset_minutes: i32,
    /// The services and kinds of factor both name, by name.
    pub shared_services: Vec<String>,
    pub shared_factors: Vec<String>,
    /// Words of this postmortem's title and summary (as written here) that the other's title or
    /// summary also has, in any form English stems alike (`timeouts`, `timed out`).
    pub shared_words: Vec<String>,
    /// How alike the titles are, 0 to 1 (trigrams).
    pub title_similarity: f64,
    pub score: f64,
}

/// The candidates each way of being alike brings: the latest whose text has every word of the
/// title, and each shared service's latest postmortems. Bounded, so the query costs about the
/// same at any size; each candidate is then scored by shared services, shared factors, title
/// similarity (trigrams) and shared words.
const WITH_TITLE_WORDS: i64 = 40;
const LATEST_PER_SERVICE: i64 = 30;

/// The `limit` earlier postmortems (started before this one) most like postmortem `id`, most
/// alike first; only those that share something.
pub async fn similar(db: impl PgExecutor<'_>, id: IncidentId, limit: i64) -> sqlx::Result<Vec<Similar>> {
    sqlx::query_as!(
        Similar,
        r#"WITH me AS (
               SELECT i.id, i.started_at, i.title, i.title || ' ' || coalesce(t.body, '') AS text
               FROM incidents i LEFT JOIN incident_texts t ON t.incident_id = i.id AND t.section = 'summary'
               WHERE i.id = $1
           ), my_services AS (
               SELECT service_id FROM incident_services WHERE incident_id = $1
           ), my_factors AS (
               SELECT factor_id FROM incident_factors WHERE incident_id = $1
           ), my_words AS MATERIALIZED (
               -- Each significant word once, as first written: stop words have no lexeme.
               SELECT DISTINCT ON (lexeme) word, lexeme, position
               FROM me, regexp_split_to_table(me.text, '[^[:alnum:]]+') WITH ORDINALITY AS w (word, position),
                    unnest(tsvector_to_array(to_tsvector('english', w.word))) AS lexeme
               WHERE length(w.word) > 2
               ORDER BY lexeme, position
           ), candidates AS (
               -- The newest earlier ones whose text holds every word of the title, found in
               -- the search index (a title is a few words, so they are few beside the whole).
               -- Not the nearest titles by trigrams: among many alike titles a nearest-neighbour
               -- walk of the trigram index read a large part of it, and grew with the data.
               -- Only then are they kept to the earlier ones (`OFFSET 0` keeps the test out of
               -- the index scan): the plan, made before the start is known, otherwise also
               -- read every earlier postmortem's start from the index of starts, which for the
               -- newest of a hundred thousand was most of the page's time.
               (SELECT m.id FROM me,
                    (SELECT d.incident_id AS id, d.started_at FROM search_documents d, me
                     WHERE d.document @@ plainto_tsquery('english', me.title) OFFSET 0) m
                WHERE m.started_at < me.started_at
                ORDER BY m.started_at DESC, m.id DESC
                LIMIT $2)
               UNION
               SELECT recent.incident_id
               FROM me, my_services s
               CROSS JOIN LATERAL (SELECT l.incident_id FROM incident_services l
                                   WHERE l.service_id = s.service_id AND l.started_at < me.started_at
                                   ORDER BY l.started_at DESC, l.incident_id DESC LIMIT $3) recent
           ), alike AS MATERIALIZED (
               SELECT i.id, i.title, i.severity, i.status, i.started_at, i.start_stated, i.utc_offset_minutes,
                      ARRAY(SELECT s.name FROM incident_services l JOIN services s ON s.id = l.service_id
                            WHERE l.incident_id = i.id AND l.service_id IN (SELECT service_id FROM my_services)
                            ORDER BY lower(s.name)) AS shared_services,
                      ARRAY(SELECT f.name FROM incident_factors x JOIN factor_kinds f ON f.id = x.factor_id
                            WHERE x.incident_id = i.id AND x.factor_id IN (SELECT factor_id FROM my_factors)
                            ORDER BY f.position, f.id) AS shared_factors,
                      ARRAY(SELECT w.word FROM my_words w WHERE w.lexeme = ANY (words.lexemes)
                            ORDER BY w.position) AS shared_words,
                      similarity(i.title, me.title)::float8 AS title_similarity
               FROM candidates c JOIN incidents i ON i.id = c.id
               CROSS JOIN me
               -- The words of its title and summary, once per candidate: the summary's from
               -- the vector its row keeps for search, so no summary is parsed here.
               CROSS JOIN LATERAL (
                   SELECT tsvector_to_array(to_tsvector('english', i.title)
                              || coalesce((SELECT t.search_vector FROM incident_texts t
                                           WHERE t.incident_id = i.id AND t.section = 'summary'), '')) AS lexemes
               ) words
           )
           SELECT id AS "id!: IncidentId", title AS "title!", severity AS "severity!: Severity",
                  status AS "status!: Status", CASE WHEN start_stated THEN started_at END AS started_at,
                  utc_offset_minutes AS "utc_offset_minutes!",
                  shared_services AS "shared_services!", shared_factors AS "shared_factors!",
                  shared_words AS "shared_words!", title_similarity AS "title_similarity!",
                  (3.0 * cardinality(shared_services) + 1.5 * cardinality(shared_factors)
                   + 4.0 * title_similarity + 0.5 * least(cardinality(shared_words), 8))::float8 AS "score!"
           FROM alike
           WHERE cardinality(shared_services) > 0 OR cardinality(shared_factors) > 1 OR title_similarity > 0.4
              OR cardinality(shared_words) > 2
           ORDER BY 11 DESC, started_at DESC, id DESC
           LIMIT $4"#,
        id as IncidentId,
        WITH_TITLE_WORDS,
        LATEST_PER_SERVICE,
        limit,
    )
    .fetch_all(db)
    .await
}

/// A confirmed recurrence as a page shows it: the other postmortem, who confirmed, when.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    pub id: IncidentId,
    pub title: String,
    /// `None`: a draft that does not say yet.
    pub started_at: Option<OffsetDateTime>,
    pub utc_offset_minutes: i32,
    pub confirmed_by: Option<String>,
    pub confirmed_at: OffsetDateTime,
}

/// The earlier postmortems `id` repeats ("happened before") and the later ones that repeat it
/// ("happened again"), oldest first.
pub async fn of(db: &mut PgConnection, id: IncidentId) -> sqlx::Result<(Vec<Recurrence>, Vec<Recurrence>)> {
    let before = sqlx::query_as!(
        Recurrence,
        r#"SELECT i.id AS "id: IncidentId", i.title, CASE WHEN i.start_stated THEN i.started_at END AS started_at,
                  i.utc_offset_minutes,
                  u.name AS "confirmed_by?", r.confirmed_at
           FROM incident_recurrences r JOIN incidents i ON i.id = r.earlier_id
           LEFT JOIN users u ON u.id = r.confirmed_by
           WHERE r.incident_id = $1 ORDER BY i.started_at, i.id"#,
        id as IncidentId
    )
    .fetch_all(&mut *db)
    .await?;
    let again = sqlx::query_as!(
        Recurrence,
        r#"SELECT i.id AS "id: IncidentId", i.title, CASE WHEN i.start_stated THEN i.started_at END AS started_at,
                  i.utc_offset_minutes,
                  u.name AS "confirmed_by?", r.confirmed_at
           FROM incident_recurrences r JOIN incidents i ON i.id = r.incident_id
           LEFT JOIN users u ON u.id = r.confirmed_by
           WHERE r.earlier_id = $1 ORDER BY i.started_at, i.id"#,
        id as IncidentId
    )
    .fetch_all(&mut *db)
    .await?;
    Ok((before, again))
}

/// The action items of postmortem `id` that recurred, each with the later postmortem it
/// failed to prevent.
pub async fn recurred_items(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<Vec<(ActionItemId, IncidentId)>> {
    let rows = sqlx::query!(
        r#"SELECT r.action_item_id AS "item: ActionItemId", r.incident_id AS "later: IncidentId"
           FROM action_items a JOIN action_item_recurrences r ON r.action_item_id = a.id
           WHERE a.incident_id = $1 ORDER BY r.action_item_id, r.incident_id"#,
        id as IncidentId
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.item, row.later)).collect())
}

/// The done action items of postmortem `id`: those that can have recurred.
pub async fn done_items(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<Vec<(ActionItemId, String)>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: ActionItemId", body FROM action_items
           WHERE incident_id = $1 AND status = 'done' ORDER BY id"#,
        id as IncidentId
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.body)).collect())
}

/// Records that `later` repeats `earlier`; false if it was already recorded.
pub async fn insert(
    db: impl PgExecutor<'_>,
    later: IncidentId,
    earlier: IncidentId,
    by: Option<UserId>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO incident_recurrences (incident_id, earlier_id, confirmed_by) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        later as IncidentId,
        earlier as IncidentId,
        by.map(|user| user.0),
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Flags those of `items` that are done items of `earlier` as recurred in `later`. Returns how
/// many were newly flagged.
pub async fn insert_items(
    db: impl PgExecutor<'_>,
    later: IncidentId,
    earlier: IncidentId,
    items: &[ActionItemId],
) -> sqlx::Result<u64> {
    let ids: Vec<i64> = items.iter().map(|item| item.0).collect();
    let done = sqlx::query!(
        "INSERT INTO action_item_recurrences (action_item_id, incident_id)
         SELECT a.id, $1 FROM action_items a
         WHERE a.id = ANY($3) AND a.incident_id = $2 AND a.status = 'done'
         ON CONFLICT DO NOTHING",
        later as IncidentId,
        earlier as IncidentId,
        &ids,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Removes the recurrence and the items flagged with it; false if there was none.
pub async fn delete(db: &mut PgConnection, later: IncidentId, earlier: IncidentId) -> sqlx::Result<bool> {
    sqlx::query!(
        "DELETE FROM action_item_recurrences r USING action_items a
         WHERE r.incident_id = $1 AND a.id = r.action_item_id AND a.incident_id = $2",
        later as IncidentId,
        earlier as IncidentId,
    )
    .execute(&mut *db)
    .await?;
    let done = sqlx::query!(
        "DELETE FROM incident_recurrences WHERE incident_id = $1 AND earlier_id = $2",
        later as IncidentId,
        earlier as IncidentId,
    )
    .execute(&mut *db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps what an imported document said about recurrences of postmortem `id` and did not name a
/// postmortem of this instance, as written (the export writes it again).
pub async fn keep_as_written(
    db: impl PgExecutor<'_>,
    id: IncidentId,
    happened_before: &[String],
    happened_again: &[String],
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE incidents SET happened_before_as_written = $2, happened_again_as_written = $3 WHERE id = $1",
        id as IncidentId,
        happened_before,
        happened_again,
    )
    .execute(db)
    .await?;
    Ok(())
}
