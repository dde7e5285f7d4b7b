//! The `wiki_destinations`, `wiki_jobs` and `wiki_files` tables: where published postmortems
//! are synced to, the queue of what to commit there (filled by the trigger on `revisions`, by a
//! deletion, and by *Sync now*), and what each destination holds.

use std::time::Duration;

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::domain::{IncidentId, UserId, WikiDestinationId, WikiJobId};

/// A destination as stored, with how its queue stands.
#[derive(Debug, Clone)]
pub struct Destination {
    pub id: WikiDestinationId,
    pub name: String,
    pub url: String,
    pub branch: String,
    pub folder: String,
    pub file_pattern: String,
    pub index_name: String,
    pub auth: String,
    pub public_key: String,
    pub sealed_secret: Option<Vec<u8>>,
    pub secret_key_id: String,
    pub token_user: String,
    pub known_hosts: String,
    pub team_ids: Vec<i64>,
    pub service_ids: Vec<i64>,
    pub active: bool,
    pub version: i32,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub last_attempt_at: Option<OffsetDateTime>,
    pub last_error: String,
    pub last_synced_at: Option<OffsetDateTime>,
    pub last_commit: String,
    pub pending: i64,
    pub files: i64,
}

/// What is written for a destination's settings (the secret apart).
pub struct Written<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub branch: &'a str,
    pub folder: &'a str,
    pub file_pattern: &'a str,
    pub index_name: &'a str,
    pub auth: &'a str,
    pub token_user: &'a str,
    pub team_ids: &'a [i64],
    pub service_ids: &'a [i64],
    pub active: bool,
}

/// A sealed secret, with the key that sealed it and (SSH) the public half.
pub struct Sealed<'a> {
    pub secret: &'a [u8],
    pub key_id: &'a str,
    pub public_key: &'a str,
}

/// Every destination, or the one with `id`.
async fn select(db: impl PgExecutor<'_>, id: Option<WikiDestinationId>) -> sqlx::Result<Vec<Destination>> {
    sqlx::query_as!(
        Destination,
        r#"SELECT d.id AS "id: WikiDestinationId", d.name, d.url, d.branch, d.folder, d.file_pattern, d.index_name,
                  d.auth, d.public_key, d.sealed_secret, d.secret_key_id, d.token_user, d.known_hosts,
                  d.team_ids, d.service_ids, d.active, d.version, d.attempts, d.next_attempt_at,
                  d.last_attempt_at, d.last_error, d.last_synced_at, d.last_commit,
                  (SELECT count(*) FROM wiki_jobs j WHERE j.destination_id = d.id AND j.state = 'pending') AS "pending!",
                  (SELECT count(*) FROM wiki_files f WHERE f.destination_id = d.id) AS "files!"
           FROM wiki_destinations d
           WHERE $1::bigint IS NULL OR d.id = $1
           ORDER BY d.id"#,
        id.map(|id| id.0),
    )
    .fetch_all(db)
    .await
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Destination>> {
    select(db, None).await
}

pub async fn find(db: impl PgExecutor<'_>, id: WikiDestinationId) -> sqlx::Result<Option<Destination>> {
    Ok(select(db, Some(id)).await?.pop())
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    written: &Written<'_>,
    sealed: Option<&Sealed<'_>>,
    created_by: UserId,
) -> sqlx::Result<WikiDestinationId> {
    sqlx::query_scalar!(
        r#"INSERT INTO wiki_destinations (name, url, branch, folder, file_pattern, index_name, auth, token_user,
                                          team_ids, service_ids, active, sealed_secret, secret_key_id, public_key,
                                          created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           RETURNING id AS "id: WikiDestinationId""#,
        written.name,
        written.url,
        written.branch,
        written.folder,
        written.file_pattern,
        written.index_name,
        written.auth,
        written.token_user,
        written.team_ids,
        written.service_ids,
        written.active,
        sealed.map(|sealed| sealed.secret),
        sealed.map_or("", |sealed| sealed.key_id),
        sealed.map_or("", |sealed| sealed.public_key),
        created_by as UserId,
    )
    .fetch_one(db)
    .await
}

/// Changes the settings if the destination is still at `version`; a new `sealed` secret
/// replaces the old one (`None` keeps it). A new address forgets the host key. `false` if it
/// changed since (or is gone).
pub async fn update(
    db: impl PgExecutor<'_>,
    id: WikiDestinationId,
    version: i32,
    written: &Written<'_>,
    sealed: Option<&Sealed<'_>>,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        r#"UPDATE wiki_destinations
           SET name = $3, branch = $5, folder = $6, file_pattern = $7, index_name = $8, auth = $9,
               token_user = $10, team_ids = $11, service_ids = $12, active = $13,
               known_hosts = CASE WHEN url = $4 THEN known_hosts ELSE '' END, url = $4,
               sealed_secret = CASE WHEN $14::bytea IS NULL THEN sealed_secret ELSE $14 END,
               secret_key_id = CASE WHEN $14::bytea IS NULL THEN secret_key_id ELSE $15 END,
               public_key = CASE WHEN $14::bytea IS NULL THEN public_key ELSE $16 END,
               version = version + 1
           WHERE id = $1 AND version = $2"#,
        id as WikiDestinationId,
        version,
        written.name,
        written.url,
        written.branch,
        written.folder,
        written.file_pattern,
        written.index_name,
        written.auth,
        written.token_user,
        written.team_ids,
        written.service_ids,
        written.active,
        sealed.map(|sealed| sealed.secret),
        sealed.map_or("", |sealed| sealed.key_id),
        sealed.map_or("", |sealed| sealed.public_key),
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn delete(db: impl PgExecutor<'_>, id: WikiDestinationId) -> sqlx::Result<bool> {
    let result =
        sqlx::query!("DELETE FROM wiki_destinations WHERE id = $1", id as WikiDestinationId).execute(db).await?;
    Ok(result.rows_affected() == 1)
}

/// Replaces a destination's sealed secret (a new deploy key); `false` if it is gone.
pub async fn replace_secret(db: impl PgExecutor<'_>, id: WikiDestinationId, sealed: &Sealed<'_>) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE wiki_destinations SET sealed_secret = $2, secret_key_id = $3, public_key = $4, version = version + 1
         WHERE id = $1",
        id as WikiDestinationId,
        sealed.secret,
        sealed.key_id,
        sealed.public_key,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Forgets the host key (the server's key changed knowingly), so the next sync records it anew.
pub async fn forget_host_key(db: impl PgExecutor<'_>, id: WikiDestinationId) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE wiki_destinations SET known_hosts = '', version = version + 1 WHERE id = $1",
        id as WikiDestinationId
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Queues the whole destination to be written again (its first sync, *Sync now*, new settings).
pub async fn enqueue_rebuild(
    db: impl PgExecutor<'_>,
    id: WikiDestinationId,
    actor: Option<UserId>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO wiki_jobs (destination_id, kind, actor_id) VALUES ($1, 'rebuild', $2)",
        id as WikiDestinationId,
        actor.map(|actor| actor.0),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Queues the removal of a deleted postmortem's file from every active destination (a
/// destination that never had it skips the job).
pub async fn enqueue_removal(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    title: &str,
    actor: Option<UserId>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO wiki_jobs (destination_id, kind, incident_id, title, actor_id)
         SELECT id, 'removal', $1, $2, $3 FROM wiki_destinations WHERE active",
        incident as IncidentId,
        title,
        actor.map(|actor| actor.0),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Makes a destination that is backing off try again now.
pub async fn retry_now(db: impl PgExecutor<'_>, id: WikiDestinationId) -> sqlx::Result<bool> {
    let result =
        sqlx::query!("UPDATE wiki_destinations SET next_attempt_at = now() WHERE id = $1", id as WikiDestinationId)
            .execute(db)
            .await?;
    Ok(result.rows_affected() == 1)
}

/// Changes waiting in all, and active destinations whose last sync failed (for `/metrics`).
pub async fn queue_state(db: impl PgExecutor<'_>) -> sqlx::Result<(i64, i64)> {
    let row = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM wiki_jobs WHERE state = 'pending') AS "pending!",
                  (SELECT count(*) FROM wiki_destinations WHERE active AND attempts > 0) AS "failing!""#
    )
    .fetch_one(db)
    .await?;
    Ok((row.pending, row.failing))
}

/// Takes the active destination with due pending jobs that waited longest and no other
/// worker holds, holding it for `lease`.
pub async fn claim_due(db: impl PgExecutor<'_>, lease: Duration) -> sqlx::Result<Option<WikiDestinationId>> {
    sqlx::query_scalar!(
        r#"WITH due AS (
               SELECT d.id FROM wiki_destinations d
               WHERE d.active AND d.next_attempt_at <= now()
                 AND (d.leased_until IS NULL OR d.leased_until < now())
                 AND EXISTS (SELECT 1 FROM wiki_jobs j WHERE j.destination_id = d.id AND j.state = 'pending')
               ORDER BY d.next_attempt_at, d.id LIMIT 1
               FOR UPDATE SKIP LOCKED)
           UPDATE wiki_destinations d SET leased_until = now() + make_interval(secs => $1),
                                         last_attempt_at = now()
           FROM due WHERE d.id = due.id
           RETURNING d.id AS "id: WikiDestinationId""#,
        lease.as_secs_f64(),
    )
    .fetch_optional(db)
    .await
}

/// A queued job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: WikiJobId,
    pub kind: String,
    pub incident_id: Option<IncidentId>,
    pub revision_id: Option<i64>,
    pub title: String,
    pub touches: i32,
    pub created_at: OffsetDateTime,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
}

/// The destination's pending jobs, oldest first, at most `limit`.
pub async fn pending_jobs(db: impl PgExecutor<'_>, id: WikiDestinationId, limit: i64) -> sqlx::Result<Vec<Job>> {
    sqlx::query_as!(
        Job,
        r#"SELECT j.id AS "id: WikiJobId", j.kind, j.incident_id AS "incident_id: IncidentId", j.revision_id,
                  j.title, j.touches, j.created_at,
                  u.name AS "author_name?", u.email AS "author_email?"
           FROM wiki_jobs j LEFT JOIN users u ON u.id = j.actor_id
           WHERE j.destination_id = $1 AND j.state = 'pending'
           ORDER BY j.id LIMIT $2"#,
        id as WikiDestinationId,
        limit,
    )
    .fetch_all(db)
    .await
}

/// A revision to write, with its postmortem.
pub struct RevisionText {
    pub incident_id: IncidentId,
    pub number: i32,
    pub markdown: String,
}

pub async fn revision(db: impl PgExecutor<'_>, revision: i64) -> sqlx::Result<Option<RevisionText>> {
    sqlx::query_as!(
        RevisionText,
        r#"SELECT incident_id AS "incident_id: IncidentId", number, markdown FROM revisions WHERE id = $1"#,
        revision
    )
    .fetch_optional(db)
    .await
}

/// The number of the newest revision of `incident` whose text is `markdown` (what a wiki file
/// holds), if any is: a revision job older than it is already in the wiki.
pub async fn newest_revision_with(
    db: impl PgExecutor<'_>,
    incident: IncidentId,
    markdown: &str,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT max(number) FROM revisions WHERE incident_id = $1 AND markdown = $2",
        incident as IncidentId,
        markdown
    )
    .fetch_one(db)
    .await
}

/// The postmortems that go to a destination now: published, and with its teams' action items
/// and naming its services when it chose any. Newest first, or only `incident` if given.
pub async fn matching(
    db: impl PgExecutor<'_>,
    id: WikiDestinationId,
    incident: Option<IncidentId>,
) -> sqlx::Result<Vec<IncidentId>> {
    sqlx::query_scalar!(
        r#"SELECT i.id AS "id: IncidentId"
           FROM wiki_destinations d JOIN incidents i ON i.status = 'published'
           WHERE d.id = $1 AND ($2::bigint IS NULL OR i.id = $2)
             AND (cardinality(d.team_ids) = 0 OR EXISTS (
                    SELECT 1 FROM incident_teams t WHERE t.incident_id = i.id AND t.team_id = ANY (d.team_ids)))
             AND (cardinality(d.service_ids) = 0 OR EXISTS (
                    SELECT 1 FROM incident_services s WHERE s.incident_id = i.id AND s.service_id = ANY (d.service_ids)))
           ORDER BY i.started_at DESC NULLS LAST, i.id DESC"#,
        id as WikiDestinationId,
        incident.map(|incident| incident.0),
    )
    .fetch_all(db)
    .await
}

/// What a destination holds, by postmortem.
pub async fn files(
    db: impl PgExecutor<'_>,
    id: WikiDestinationId,
) -> sqlx::Result<Vec<(IncidentId, crate::wiki::layout::WikiFile)>> {
    let rows = sqlx::query!(
        r#"SELECT incident_id AS "incident_id: IncidentId", path, title, started_on, severity
           FROM wiki_files WHERE destination_id = $1"#,
        id as WikiDestinationId
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let file = crate::wiki::layout::WikiFile {
                path: row.path,
                title: row.title,
                started_on: row.started_on,
                severity: row.severity,
            };
            (row.incident_id, file)
        })
        .collect())
}

/// Replaces what a destination holds with `files` (after a push that succeeded).
pub async fn replace_files(
    conn: &mut sqlx::PgConnection,
    id: WikiDestinationId,
    files: &[(IncidentId, crate::wiki::layout::WikiFile)],
) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM wiki_files WHERE destination_id = $1", id as WikiDestinationId)
        .execute(&mut *conn)
        .await?;
    let incidents: Vec<i64> = files.iter().map(|(incident, _)| incident.0).collect();
    let paths: Vec<&str> = files.iter().map(|(_, file)| file.path.as_str()).collect();
    let titles: Vec<&str> = files.iter().map(|(_, file)| file.title.as_str()).collect();
    let days: Vec<&str> = files.iter().map(|(_, file)| file.started_on.as_str()).collect();
    let severities: Vec<&str> = files.iter().map(|(_, file)| file.severity.as_str()).collect();
    sqlx::query!(
        "INSERT INTO wiki_files (destination_id, incident_id, path, title, started_on, severity)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])",
        id as WikiDestinationId,
        &incidents,
        &paths as &[&str],
        &titles as &[&str],
        &days as &[&str],
        &severities as &[&str],
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a job done with what the sync did, unless its revision changed again since the sync
/// read it (`touches` then differs, and the job waits for the next sync).
pub async fn finish_job(db: impl PgExecutor<'_>, job: &Job, outcome: &str, commit: Option<&str>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE wiki_jobs SET state = 'done', outcome = $2, commit_id = coalesce($3, ''), done_at = now()
         WHERE id = $1 AND state = 'pending' AND touches = $4",
        job.id as WikiJobId,
        outcome,
        commit,
        job.touches,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a sync that pushed (or had nothing to push), and lets the destination go.
pub async fn synced(
    db: impl PgExecutor<'_>,
    id: WikiDestinationId,
    last_commit: Option<&str>,
    known_hosts: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE wiki_destinations
         SET attempts = 0, last_error = '', last_synced_at = now(), leased_until = NULL,
             next_attempt_at = now(), last_commit = coalesce($2, last_commit),
             known_hosts = CASE WHEN known_hosts = '' THEN coalesce($3, '') ELSE known_hosts END
         WHERE id = $1",
        id as WikiDestinationId,
        last_commit,
        known_hosts,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a sync that failed: its jobs stay queued, tried again after `retry_in`.
pub async fn failed(
    db: impl PgExecutor<'_>,
    id: WikiDestinationId,
    error: &str,
    retry_in: Duration,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE wiki_destinations
         SET attempts = attempts + 1, last_error = $2, leased_until = NULL,
             next_attempt_at = now() + make_interval(secs => $3)
         WHERE id = $1",
        id as WikiDestinationId,
        error,
        retry_in.as_secs_f64(),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A job as the destination's log shows it.
#[derive(Debug, Clone)]
pub struct LoggedJob {
    pub id: WikiJobId,
    pub kind: String,
    pub incident_id: Option<IncidentId>,
    pub state: String,
    pub outcome: String,
    pub commit_id: String,
    pub created_at: OffsetDateTime,
    pub done_at: Option<OffsetDateTime>,
    pub actor: Option<String>,
}

/// The latest `limit` jobs of a destination, newest first.
pub async fn log(db: impl PgExecutor<'_>, id: WikiDestinationId, limit: i64) -> sqlx::Result<Vec<LoggedJob>> {
    sqlx::query_as!(
        LoggedJob,
        r#"SELECT j.id AS "id: WikiJobId", j.kind, j.incident_id AS "incident_id: IncidentId", j.state, j.outcome,
                  j.commit_id, j.created_at, j.done_at, nullif(coalesce(nullif(u.name, ''), u.email), '') AS actor
           FROM wiki_jobs j LEFT JOIN users u ON u.id = j.actor_id
           WHERE j.destination_id = $1 ORDER BY j.id DESC LIMIT $2"#,
        id as WikiDestinationId,
        limit,
    )
    .fetch_all(db)
    .await
}
