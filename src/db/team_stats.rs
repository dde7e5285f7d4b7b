//! Figures about teams' action items: counts, ages, keeping to due dates, time to close, and
//! the last 12 months. Each is one grouped query, however many items there are.

use sqlx::PgExecutor;
use time::{Date, OffsetDateTime};

use crate::domain::{Team, TeamId};

/// A team's figures at one moment.
#[derive(Debug, Clone)]
pub struct TeamStats {
    pub team: Team,
    /// Open or in progress.
    pub open: i64,
    pub overdue: i64,
    pub done: i64,
    /// Done items someone other than their owner verified.
    pub verified: i64,
    /// Items (done, usually) whose incident happened again (see `action_item_recurrences`).
    pub recurred: i64,
    pub wont_do: i64,
    /// Open items by age in days: 0–7, 8–30, 31–90, over 90.
    pub aging: [i64; 4],
    /// Done items that had a due date, and how many of those were done by it (in the team's
    /// time zone).
    pub done_with_due: i64,
    pub done_on_time: i64,
    /// Time from creation to done, in days: the first quartile, the median and the third
    /// quartile (a distribution, never a bare mean: a few items left open for a year would drag a
    /// mean far from what is usual). Of `done` items.
    pub days_to_close: Option<[f64; 3]>,
}

impl TeamStats {
    /// Verified, as a share of done items.
    pub fn verified_percent(&self) -> Option<i64> {
        (self.done > 0).then(|| (self.verified * 100 + self.done / 2) / self.done)
    }

    /// Done by the due date, as a share of done items that had one.
    pub fn on_time_percent(&self) -> Option<i64> {
        (self.done_with_due > 0).then(|| (self.done_on_time * 100 + self.done_with_due / 2) / self.done_with_due)
    }
}

/// Figures for every team, or for `only` one, by name.
pub async fn teams(db: impl PgExecutor<'_>, now: OffsetDateTime, only: Option<TeamId>) -> sqlx::Result<Vec<TeamStats>> {
    let rows = sqlx::query!(
        r#"SELECT t.id AS "id: TeamId", t.name, t.time_zone,
                  count(a.id) FILTER (WHERE a.status IN ('open', 'in_progress')) AS "open!",
                  count(a.id) FILTER (WHERE action_item_overdue(a.status, a.due_on, t.time_zone, $1)) AS "overdue!",
                  count(a.id) FILTER (WHERE a.status = 'done') AS "done!",
                  count(a.id) FILTER (WHERE a.status = 'done' AND a.verified_at IS NOT NULL) AS "verified!",
                  count(a.id) FILTER (WHERE a.id IN (SELECT action_item_id FROM action_item_recurrences)) AS "recurred!",
                  count(a.id) FILTER (WHERE a.status = 'wont_do') AS "wont_do!",
                  count(a.id) FILTER (WHERE a.status IN ('open', 'in_progress')
                                        AND a.created_at > $1 - interval '8 days') AS "age_0_7!",
                  count(a.id) FILTER (WHERE a.status IN ('open', 'in_progress')
                                        AND a.created_at <= $1 - interval '8 days'
                                        AND a.created_at > $1 - interval '31 days') AS "age_8_30!",
                  count(a.id) FILTER (WHERE a.status IN ('open', 'in_progress')
                                        AND a.created_at <= $1 - interval '31 days'
                                        AND a.created_at > $1 - interval '91 days') AS "age_31_90!",
                  count(a.id) FILTER (WHERE a.status IN ('open', 'in_progress')
                                        AND a.created_at <= $1 - interval '91 days') AS "age_over_90!",
                  count(a.id) FILTER (WHERE a.status = 'done' AND a.due_on IS NOT NULL) AS "done_with_due!",
                  count(a.id) FILTER (WHERE a.status = 'done' AND a.due_on IS NOT NULL
                                        AND (a.completed_at AT TIME ZONE t.time_zone)::date <= a.due_on) AS "done_on_time!",
                  percentile_cont(ARRAY[0.25, 0.5, 0.75]::float8[])
                      WITHIN GROUP (ORDER BY extract(epoch FROM a.completed_at - a.created_at)::float8)
                      FILTER (WHERE a.status = 'done') AS quartile_seconds
           FROM teams t LEFT JOIN action_items a ON a.team_id = t.id
           WHERE ($2::bigint IS NULL OR t.id = $2)
           GROUP BY t.id ORDER BY lower(t.name), t.id"#,
        now,
        only.map(|id| id.0),
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| TeamStats {
            team: Team { id: row.id, name: row.name, time_zone: row.time_zone },
            open: row.open,
            overdue: row.overdue,
            done: row.done,
            verified: row.verified,
            recurred: row.recurred,
            wont_do: row.wont_do,
            aging: [row.age_0_7, row.age_8_30, row.age_31_90, row.age_over_90],
            done_with_due: row.done_with_due,
            done_on_time: row.done_on_time,
            days_to_close: row.quartile_seconds.and_then(|seconds| match seconds.as_slice() {
                [q1, median, q3] => Some([q1 / 86_400.0, median / 86_400.0, q3 / 86_400.0]),
                _ => None,
            }),
        })
        .collect())
}

/// One month of a team's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// Its first day.
    pub start: Date,
    /// Items open at the month's end (or now, for this month).
    pub open: i64,
    /// Items closed during the month.
    pub closed: i64,
}

/// The team's last 12 months, oldest first, months in UTC.
pub async fn months(db: impl PgExecutor<'_>, team: TeamId, now: OffsetDateTime) -> sqlx::Result<Vec<Month>> {
    let rows = sqlx::query!(
        r#"WITH months AS (
               SELECT generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC') - interval '11 months',
                                      date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC'),
                                      interval '1 month') AS start
           ), bounds AS (
               SELECT start, (start AT TIME ZONE 'UTC') AS since,
                      least((start + interval '1 month') AT TIME ZONE 'UTC', $2) AS until
               FROM months
           )
           SELECT b.start::date AS "start!",
                  count(a.id) FILTER (WHERE a.created_at < b.until
                                        AND (a.completed_at IS NULL OR a.completed_at >= b.until)) AS "open!",
                  count(a.id) FILTER (WHERE a.completed_at >= b.since AND a.completed_at < b.until) AS "closed!"
           FROM bounds b LEFT JOIN action_items a ON a.team_id = $1 AND a.created_at < b.until
           GROUP BY b.start ORDER BY b.start"#,
        team as TeamId,
        now,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| Month { start: row.start, open: row.open, closed: row.closed }).collect())
}
