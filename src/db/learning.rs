//! What the pages that learn across postmortems read: the services in use, one service's
//! postmortems (by month, their durations, a page of them, the open action items against it),
//! and the themes of a period (how often each factor and service appears).

use sqlx::{PgConnection, PgExecutor};
use time::{Date, OffsetDateTime};

use crate::domain::{ActionItemId, ActionStatus, FactorKindId, IncidentId, ServiceId, Severity, Status};

/// A service or a kind of factor as listed: its id, name, and how many postmortems name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<Id> {
    pub id: Id,
    pub name: String,
    pub postmortems: i64,
}

/// A service, found by an id that may have been merged into another: `id` is the one it
/// leads to (the same when it was never merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
}

/// The service `id` is now: itself, or the one it was merged into, following the chain.
/// `None`: there never was such a service.
pub async fn current_service(db: impl PgExecutor<'_>, id: ServiceId) -> sqlx::Result<Option<Service>> {
    // A chain longer than the number of services would be a cycle; the depth stops it.
    let row = sqlx::query!(
        r#"WITH RECURSIVE chain (id, name, merged_into, depth) AS (
               SELECT id, name, merged_into, 0 FROM services WHERE id = $1
               UNION ALL
               SELECT s.id, s.name, s.merged_into, c.depth + 1
               FROM services s JOIN chain c ON s.id = c.merged_into
               WHERE c.depth < 1000
           )
           SELECT id AS "id!: ServiceId", name AS "name!" FROM chain
           WHERE merged_into IS NULL ORDER BY depth DESC LIMIT 1"#,
        id as ServiceId
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Service { id: row.id, name: row.name }))
}

/// Every service not merged away, with how many postmortems name it, most named first.
pub async fn services(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Counted<ServiceId>>> {
    let rows = sqlx::query!(
        r#"SELECT s.id AS "id: ServiceId", s.name,
                  (SELECT count(*) FROM incident_services l WHERE l.service_id = s.id) AS "postmortems!"
           FROM services s WHERE s.merged_into IS NULL
           ORDER BY 3 DESC, lower(s.name), s.id"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| Counted { id: row.id, name: row.name, postmortems: row.postmortems }).collect())
}

/// Every kind of contributing factor, by its place in the taxonomy (retired ones too: old
/// postmortems still name them).
pub async fn factor_kinds(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(FactorKindId, String, bool)>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: FactorKindId", name, retired FROM factor_kinds ORDER BY retired, position, lower(name), id"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name, row.retired)).collect())
}

/// One service's figures: its postmortems per month over the last 12 months, and the
/// distribution of their durations.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFigures {
    pub postmortems: i64,
    /// Oldest first: the month's first day (UTC) and how many postmortems started in it.
    pub months: Vec<(Date, i64)>,
    /// Of postmortems that ended: how many, and their durations' first quartile, median and
    /// third quartile in seconds (a distribution, never a bare mean).
    pub ended: i64,
    pub duration_quartiles: Option<[f64; 3]>,
}

pub async fn service_figures(
    db: impl PgExecutor<'_>,
    service: ServiceId,
    now: OffsetDateTime,
) -> sqlx::Result<ServiceFigures> {
    let row = sqlx::query!(
        r#"WITH linked AS (
               SELECT l.started_at, i.ended_at
               FROM incident_services l JOIN incidents i ON i.id = l.incident_id
               WHERE l.service_id = $1
           ), months AS (
               SELECT generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC') - interval '11 months',
                                      date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC'),
                                      interval '1 month') AS start
           )
           SELECT (SELECT count(*) FROM linked) AS "postmortems!",
                  (SELECT count(*) FROM linked WHERE ended_at IS NOT NULL) AS "ended!",
                  (SELECT percentile_cont(ARRAY[0.25, 0.5, 0.75]::float8[])
                              WITHIN GROUP (ORDER BY extract(epoch FROM ended_at - started_at)::float8)
                   FROM linked WHERE ended_at IS NOT NULL) AS quartiles,
                  (SELECT array_agg(m.start::date ORDER BY m.start) FROM months m) AS "month_starts!",
                  (SELECT array_agg((SELECT count(*) FROM linked
                                     WHERE started_at >= m.start AT TIME ZONE 'UTC'
                                       AND started_at < (m.start + interval '1 month') AT TIME ZONE 'UTC')
                                    ORDER BY m.start)
                   FROM months m) AS "month_counts!""#,
        service as ServiceId,
        now,
    )
    .fetch_one(db)
    .await?;
    Ok(ServiceFigures {
        postmortems: row.postmortems,
        months: row.month_starts.into_iter().zip(row.month_counts).collect(),
        ended: row.ended,
        duration_quartiles: row.quartiles.and_then(|q| <[f64; 3]>::try_from(q.as_slice()).ok()),
    })
}

/// A postmortem in a list: enough for one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub id: IncidentId,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub started_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub utc_offset_minutes: i32,
}

/// A page of the service's postmortems, newest first, after `after` (its start and id).
pub async fn service_postmortems(
    db: impl PgExecutor<'_>,
    service: ServiceId,
    after: Option<(OffsetDateTime, IncidentId)>,
    limit: i64,
) -> sqlx::Result<Vec<Listed>> {
    let (at, id) = after.map_or((None, None), |(at, id)| (Some(at), Some(id.0)));
    sqlx::query_as!(
        Listed,
        r#"SELECT i.id AS "id: IncidentId", i.title, i.severity AS "severity: Severity", i.status AS "status: Status",
                  i.started_at, i.ended_at, i.utc_offset_minutes
           FROM incident_services l JOIN incidents i ON i.id = l.incident_id
           WHERE l.service_id = $1
             AND ($2::timestamptz IS NULL OR (l.started_at, l.incident_id) < ($2, $3))
           ORDER BY l.started_at DESC, l.incident_id DESC
           LIMIT $4"#,
        service as ServiceId,
        at,
        id,
        limit,
    )
    .fetch_all(db)
    .await
}

/// An open action item against a service: one of its postmortems' items still open or in
/// progress.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenItem {
    pub id: ActionItemId,
    pub incident_id: IncidentId,
    pub incident_title: String,
    pub body: String,
    pub status: ActionStatus,
    pub due_on: Option<Date>,
    pub owner: String,
}

/// The open action items against a service, the longest-due first, at most `limit`, and how
/// many there are in all.
pub async fn service_open_items(
    db: &mut PgConnection,
    service: ServiceId,
    limit: i64,
) -> sqlx::Result<(Vec<OpenItem>, i64)> {
    let items = sqlx::query_as!(
        OpenItem,
        r#"SELECT a.id AS "id: ActionItemId", a.incident_id AS "incident_id: IncidentId",
                  i.title AS incident_title, a.body, a.status AS "status: ActionStatus", a.due_on,
                  coalesce(u.name, a.owner) AS "owner!"
           FROM incident_services l
           JOIN action_items a ON a.incident_id = l.incident_id AND a.status IN ('open', 'in_progress')
           JOIN incidents i ON i.id = l.incident_id
           LEFT JOIN users u ON u.id = a.owner_id
           WHERE l.service_id = $1
           ORDER BY a.due_on NULLS LAST, a.id
           LIMIT $2"#,
        service as ServiceId,
        limit,
    )
    .fetch_all(&mut *db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM incident_services l
           JOIN action_items a ON a.incident_id = l.incident_id AND a.status IN ('open', 'in_progress')
           WHERE l.service_id = $1"#,
        service as ServiceId,
    )
    .fetch_one(&mut *db)
    .await?;
    Ok((items, total))
}

/// What the postmortems that started in a period have in common: each kind of factor and each
/// service with how many of them name it, most first (kinds and services named by none left
/// out), and how many postmortems the period holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Themes {
    pub postmortems: i64,
    pub factors: Vec<Counted<FactorKindId>>,
    pub services: Vec<Counted<ServiceId>>,
}

/// The themes of postmortems that started from `from` (inclusive) until `until` (exclusive).
pub async fn themes(db: &mut PgConnection, from: OffsetDateTime, until: OffsetDateTime) -> sqlx::Result<Themes> {
    let postmortems = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM incidents WHERE started_at >= $1 AND started_at < $2"#,
        from,
        until
    )
    .fetch_one(&mut *db)
    .await?;
    let factors = sqlx::query!(
        r#"SELECT f.id AS "id: FactorKindId", f.name, count(*) AS "n!"
           FROM incidents i JOIN incident_factors x ON x.incident_id = i.id JOIN factor_kinds f ON f.id = x.factor_id
           WHERE i.started_at >= $1 AND i.started_at < $2
           GROUP BY f.id ORDER BY 3 DESC, f.position, f.id"#,
        from,
        until
    )
    .fetch_all(&mut *db)
    .await?;
    let services = sqlx::query!(
        r#"SELECT s.id AS "id: ServiceId", s.name, count(*) AS "n!"
           FROM incident_services l JOIN services s ON s.id = l.service_id
           WHERE l.started_at >= $1 AND l.started_at < $2
           GROUP BY s.id ORDER BY 3 DESC, lower(s.name), s.id"#,
        from,
        until
    )
    .fetch_all(&mut *db)
    .await?;
    Ok(Themes {
        postmortems,
        factors: factors.into_iter().map(|r| Counted { id: r.id, name: r.name, postmortems: r.n }).collect(),
        services: services.into_iter().map(|r| Counted { id: r.id, name: r.name, postmortems: r.n }).collect(),
    })
}
