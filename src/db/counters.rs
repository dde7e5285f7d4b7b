//! The change counters (`change_counters`), bumped by statement triggers: what an instance keeps
//! between requests is reused only while the counter it was computed at stays the same.

use sqlx::PgExecutor;

/// Every counter, read at once. A query that lists rows can bring them as columns too (see
/// [`COLUMNS`]), saving a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct Counters {
    /// Action items and teams (whose names and zones the ledger and the team figures use).
    #[sqlx(rename = "counter_action_items")]
    pub action_items: i64,
    #[sqlx(rename = "counter_users")]
    pub users: i64,
    #[sqlx(rename = "counter_teams")]
    pub teams: i64,
    /// Postmortems added or deleted.
    #[sqlx(rename = "counter_incidents")]
    pub incidents: i64,
}

/// The counters as columns of another query, named as [`Counters`] reads them.
pub const COLUMNS: &str = "(SELECT n FROM change_counters WHERE name = 'action_items') AS counter_action_items, \
     (SELECT n FROM change_counters WHERE name = 'users') AS counter_users, \
     (SELECT n FROM change_counters WHERE name = 'teams') AS counter_teams, \
     (SELECT n FROM change_counters WHERE name = 'incidents') AS counter_incidents";

pub async fn current(db: impl PgExecutor<'_>) -> sqlx::Result<Counters> {
    let row = sqlx::query!(
        r#"SELECT coalesce(max(n) FILTER (WHERE name = 'action_items'), 0) AS "action_items!",
                  coalesce(max(n) FILTER (WHERE name = 'users'), 0) AS "users!",
                  coalesce(max(n) FILTER (WHERE name = 'teams'), 0) AS "teams!",
                  coalesce(max(n) FILTER (WHERE name = 'incidents'), 0) AS "incidents!"
           FROM change_counters"#
    )
    .fetch_one(db)
    .await?;
    Ok(Counters { action_items: row.action_items, users: row.users, teams: row.teams, incidents: row.incidents })
}
