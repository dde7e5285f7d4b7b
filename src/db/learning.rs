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

/// Every service not merged away, with how many postmortems name it, most named first. Reads
/// one kept count a service (see migration 37), however many postmortems there are.
pub async fn services(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Counted<ServiceId>>> {
    let rows = sqlx::query!(
        r#"SELECT s.id AS "id: ServiceId", s.name, (coalesce(c.n, 0) + coalesce(d.n, 0))::bigint AS "postmortems!"
           FROM services s
           LEFT JOIN learning_counts c ON c.grain = 'all' AND c.start = '-infinity' AND c.kind = 'service' AND c.key = s.id
           LEFT JOIN (SELECT key, sum(n) AS n FROM learning_count_deltas WHERE kind = 'service' GROUP BY key) d
                  ON d.key = s.id
           WHERE s.merged_into IS NULL
           ORDER BY 3 DESC, lower(s.name), s.id"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| Counted { id: row.id, name: row.name, postmortems: row.postmortems }).collect())
}

/// Vacuums the count deltas' table: every fold deletes what writes inserted, so it would
/// otherwise fill with dead rows wherever autovacuum is late or off, and readers would step
/// over them.
pub async fn vacuum_deltas(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::raw_sql("VACUUM (ANALYZE) learning_count_deltas").execute(db).await?;
    Ok(())
}

/// Moves the count deltas written since the last fold into the kept counts, and says how many
/// counts changed. Readers add the deltas not yet folded, so folding changes no figure; it only
/// keeps what they read small. One fold runs at a time; another caller meanwhile gets 0.
pub async fn fold_counts(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    let changed = sqlx::query_scalar!(r#"SELECT fold_learning_counts() AS "changed!""#).fetch_one(db).await?;
    Ok(changed)
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

/// How many of a service's newest ended postmortems its duration distribution is taken over:
/// enough for steady quartiles, and a bound on the work whatever the service's history.
pub const DURATIONS_OF_NEWEST: i64 = 500;

/// One service's figures: how many postmortems name it, its postmortems per month over the
/// last 12 months, the distribution of durations of its newest ended postmortems, and how many
/// action items are open against it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFigures {
    pub postmortems: i64,
    /// Oldest first: the month's first day (UTC) and how many postmortems started in it.
    pub months: Vec<(Date, i64)>,
    /// How many ended postmortems the durations are of: the newest that ended, at most
    /// [`DURATIONS_OF_NEWEST`].
    pub ended: i64,
    /// Their durations' first quartile, median and third quartile in seconds (a
    /// distribution, never a bare mean).
    pub duration_quartiles: Option<[f64; 3]>,
    /// Open or in-progress action items of the postmortems that name the service.
    pub open_items: i64,
}

impl ServiceFigures {
    /// Whether the durations are of a bounded sample rather than every ended postmortem (when
    /// exactly the bound ended, the sample says so too: it cannot know there are no more).
    pub fn durations_sampled(&self) -> bool {
        self.ended >= DURATIONS_OF_NEWEST
    }
}

pub async fn service_figures(
    db: &mut PgConnection,
    service: ServiceId,
    now: OffsetDateTime,
) -> sqlx::Result<ServiceFigures> {
    // The kept counts and the deltas not yet folded are read in one statement, so a fold
    // committing meanwhile cannot make a delta count twice or not at all.
    let counts = sqlx::query!(
        r#"WITH months AS (
               SELECT generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC') - interval '11 months',
                                      date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC'),
                                      interval '1 month')::date AS start
           ), kept AS (
               SELECT kind, grain, start, n FROM learning_counts
               WHERE kind IN ('service', 'open_items') AND key = $1 AND grain IN ('all', 'month')
               UNION ALL
               SELECT kind, 'delta', day, n FROM learning_count_deltas
               WHERE kind IN ('service', 'open_items') AND key = $1
           )
           SELECT (SELECT coalesce(sum(n), 0) FROM kept
                   WHERE kind = 'service' AND grain IN ('all', 'delta'))::bigint AS "postmortems!",
                  (SELECT coalesce(sum(n), 0) FROM kept
                   WHERE kind = 'open_items' AND grain IN ('all', 'delta'))::bigint AS "open_items!",
                  (SELECT array_agg(m.start ORDER BY m.start) FROM months m) AS "month_starts!",
                  (SELECT array_agg((SELECT coalesce(sum(k.n), 0)::bigint FROM kept k
                                     WHERE k.kind = 'service'
                                       AND (k.grain = 'month' AND k.start = m.start
                                            OR k.grain = 'delta' AND k.start >= m.start
                                               AND k.start < (m.start + interval '1 month')::date))
                                    ORDER BY m.start)
                   FROM months m) AS "month_counts!""#,
        service as ServiceId,
        now,
    )
    .fetch_one(&mut *db)
    .await?;
    // The newest ended postmortems, newest first from the links' index (which carries their
    // start and end).
    let durations = sqlx::query!(
        r#"SELECT count(*) AS "ended!",
                  percentile_cont(ARRAY[0.25, 0.5, 0.75]::float8[]) WITHIN GROUP (ORDER BY seconds) AS quartiles
           FROM (SELECT extract(epoch FROM l.ended_at - l.started_at)::float8 AS seconds
                 FROM incident_services l
                 WHERE l.service_id = $1 AND l.ended_at IS NOT NULL
                 ORDER BY l.started_at DESC, l.incident_id DESC
                 LIMIT $2) newest"#,
        service as ServiceId,
        DURATIONS_OF_NEWEST,
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(ServiceFigures {
        postmortems: counts.postmortems,
        months: counts.month_starts.into_iter().zip(counts.month_counts).collect(),
        ended: durations.ended,
        duration_quartiles: durations.quartiles.and_then(|q| <[f64; 3]>::try_from(q.as_slice()).ok()),
        open_items: counts.open_items,
    })
}

/// A postmortem in a list: enough for one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub id: IncidentId,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    /// The start, or only the draft's place in the order while `start_stated` is false.
    pub started_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub start_stated: bool,
    pub utc_offset_minutes: i32,
}

impl Listed {
    /// The start of impact, when stated.
    pub fn start(&self) -> Option<OffsetDateTime> {
        self.start_stated.then_some(self.started_at)
    }
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
                  i.started_at, i.ended_at, i.start_stated, i.utc_offset_minutes
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

/// The open action items against a service, at most `limit`: those of its newest postmortems
/// first (the soonest due first within one). Walks its postmortems newest first from the
/// links' index and stops at `limit` items, so the work is bounded while recent postmortems
/// have open items; how many there are in all is in [`ServiceFigures::open_items`].
pub async fn service_open_items(
    db: impl PgExecutor<'_>,
    service: ServiceId,
    limit: i64,
) -> sqlx::Result<Vec<OpenItem>> {
    sqlx::query_as!(
        OpenItem,
        r#"SELECT a.id AS "id: ActionItemId", a.incident_id AS "incident_id: IncidentId",
                  i.title AS incident_title, a.body, a.status AS "status: ActionStatus", a.due_on,
                  coalesce(u.name, a.owner) AS "owner!"
           FROM incident_services l
           JOIN action_items a ON a.incident_id = l.incident_id AND a.status IN ('open', 'in_progress')
           JOIN incidents i ON i.id = l.incident_id
           LEFT JOIN users u ON u.id = a.owner_id
           WHERE l.service_id = $1
           ORDER BY l.started_at DESC, l.incident_id DESC, a.due_on NULLS LAST, a.id
           LIMIT $2"#,
        service as ServiceId,
        limit,
    )
    .fetch_all(db)
    .await
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

/// The themes of postmortems that started on the days `from` to `to`, both included (UTC).
/// Reads the kept counts of the period's whole months and of the days at its ends, plus the
/// deltas not yet folded, all in one statement: the work grows with the number of services and
/// kinds of factor, not with the number of postmortems.
pub async fn themes(db: impl PgExecutor<'_>, from: Date, to: Date) -> sqlx::Result<Themes> {
    let parts = PeriodParts::of(from, to);
    let rows = sqlx::query!(
        r#"WITH kept AS (
               SELECT kind, key, n FROM learning_counts
               WHERE grain = 'month' AND start >= $3 AND start < $4
               UNION ALL
               SELECT kind, key, n FROM learning_counts WHERE grain = 'day' AND start >= $1 AND start < $3
               UNION ALL
               SELECT kind, key, n FROM learning_counts WHERE grain = 'day' AND start >= $4 AND start < $2
               UNION ALL
               SELECT kind, key, n FROM learning_count_deltas WHERE day >= $1 AND day < $2
           ), summed AS (
               SELECT kind, key, sum(n)::bigint AS n FROM kept
               WHERE kind IN ('postmortems', 'factor', 'service')
               GROUP BY kind, key HAVING sum(n) <> 0
           )
           SELECT c.kind AS "kind!", c.key AS "key!", coalesce(f.name, s.name, '') AS "name!", c.n AS "n!"
           FROM summed c
           LEFT JOIN factor_kinds f ON c.kind = 'factor' AND f.id = c.key
           LEFT JOIN services s ON c.kind = 'service' AND s.id = c.key
           ORDER BY c.kind, c.n DESC, f.position, lower(s.name), c.key"#,
        parts.from,
        parts.until,
        parts.months_from,
        parts.months_until,
    )
    .fetch_all(db)
    .await?;
    let mut themes = Themes::default();
    for row in rows {
        match row.kind.as_str() {
            "postmortems" => themes.postmortems = row.n,
            "factor" => themes.factors.push(Counted { id: FactorKindId(row.key), name: row.name, postmortems: row.n }),
            _ => themes.services.push(Counted { id: ServiceId(row.key), name: row.name, postmortems: row.n }),
        }
    }
    Ok(themes)
}

/// A period of days cut for the kept counts: the days `from` until `until` (exclusive), and in
/// them the whole months `months_from` until `months_until` (both first days of a month; equal
/// when there is no whole month). The days outside the months are read one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PeriodParts {
    from: Date,
    until: Date,
    months_from: Date,
    months_until: Date,
}

impl PeriodParts {
    fn of(from: Date, to: Date) -> PeriodParts {
        let until = to.next_day().unwrap_or(to);
        let first_of = |day: Date| day.replace_day(1).unwrap_or(day);
        let months_from = if from.day() == 1 { from } else { first_of(first_of(from) + time::Duration::days(31)) };
        let months_until = first_of(until);
        if months_from < months_until {
            PeriodParts { from, until, months_from, months_until }
        } else {
            // No whole month: every day is read, and the months' range is empty.
            PeriodParts { from, until, months_from: until, months_until: until }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_period_reads_whole_months_and_the_days_at_its_ends() {
        let parts = PeriodParts::of(date!(2026 - 09 - 07), date!(2026 - 12 - 05));
        assert_eq!((parts.months_from, parts.months_until), (date!(2026 - 10 - 01), date!(2026 - 12 - 01)));
        assert_eq!((parts.from, parts.until), (date!(2026 - 09 - 07), date!(2026 - 12 - 06)));
        let exact = PeriodParts::of(date!(2026 - 01 - 01), date!(2026 - 12 - 31));
        assert_eq!((exact.months_from, exact.months_until), (date!(2026 - 01 - 01), date!(2027 - 01 - 01)));
        let within = PeriodParts::of(date!(2026 - 03 - 02), date!(2026 - 03 - 30));
        assert_eq!((within.months_from, within.months_until), (within.until, within.until));
        let across = PeriodParts::of(date!(2026 - 01 - 31), date!(2026 - 02 - 27));
        assert_eq!(across.months_from, across.months_until);
    }
}
