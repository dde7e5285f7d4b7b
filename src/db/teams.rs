//! The `teams` table.

use sqlx::PgExecutor;
use sqlx::types::Json;

use crate::domain::{Team, TeamId, Versioned};

/// A team with how many people are in it, and the version its row on the admin's page edits.
pub struct TeamListing {
    pub team: Team,
    pub members: i64,
    pub version: i32,
}

/// Every team, by name, with its size.
pub async fn listing(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<TeamListing>> {
    let rows = sqlx::query!(
        r#"SELECT t.id AS "id: TeamId", t.name, t.time_zone, t.version,
                  (SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS "members!"
           FROM teams t ORDER BY lower(t.name), t.id"#,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| TeamListing {
            team: Team { id: row.id, name: row.name, time_zone: row.time_zone },
            members: row.members,
            version: row.version,
        })
        .collect())
}

/// Every team, by name (the team pickers' list).
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Team>> {
    let teams = sqlx::query_scalar!(r#"SELECT picker_teams() AS "teams!: Json<Vec<Team>>""#).fetch_one(db).await?;
    Ok(teams.0)
}

pub async fn find(db: impl PgExecutor<'_>, id: TeamId) -> sqlx::Result<Option<Team>> {
    sqlx::query_as!(Team, r#"SELECT id AS "id: TeamId", name, time_zone FROM teams WHERE id = $1"#, id as TeamId)
        .fetch_optional(db)
        .await
}

/// The team with the version it is at, for a form that changes it.
pub async fn find_versioned(db: impl PgExecutor<'_>, id: TeamId) -> sqlx::Result<Option<Versioned<Team>>> {
    let row =
        sqlx::query!(r#"SELECT id AS "id: TeamId", name, time_zone, version FROM teams WHERE id = $1"#, id as TeamId)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|row| Versioned {
        row: Team { id: row.id, name: row.name, time_zone: row.time_zone },
        version: row.version,
    }))
}

/// The version the team is at, if it exists.
pub async fn version(db: impl PgExecutor<'_>, id: TeamId) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!("SELECT version FROM teams WHERE id = $1", id as TeamId).fetch_optional(db).await
}

/// Adds a team. Fails with a unique violation (`teams_name_key`) if the name is taken.
pub async fn insert(db: impl PgExecutor<'_>, name: &str, time_zone: &str) -> sqlx::Result<TeamId> {
    sqlx::query_scalar!(
        r#"INSERT INTO teams (name, time_zone) VALUES ($1, $2) RETURNING id AS "id: TeamId""#,
        name,
        time_zone
    )
    .fetch_one(db)
    .await
}

/// Renames a team and sets its time zone, if it is still at `base_version`, and raises its
/// version. Returns whether it was saved: `false` when it is gone or someone saved first.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: TeamId,
    base_version: i32,
    name: &str,
    time_zone: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE teams SET name = $3, time_zone = $4, version = version + 1 WHERE id = $1 AND version = $2",
        id as TeamId,
        base_version,
        name,
        time_zone
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes a team; its people stay, without it.
pub async fn delete(db: impl PgExecutor<'_>, id: TeamId) -> sqlx::Result<bool> {
    let result = sqlx::query!("DELETE FROM teams WHERE id = $1", id as TeamId).execute(db).await?;
    Ok(result.rows_affected() > 0)
}

/// The names of a team's members, for the team list.
pub async fn member_names(db: impl PgExecutor<'_>, id: TeamId) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT coalesce(nullif(u.name, ''), u.email) AS "name!" FROM team_members m
           JOIN users u ON u.id = m.user_id WHERE m.team_id = $1
           ORDER BY lower(coalesce(nullif(u.name, ''), u.email))"#,
        id as TeamId,
    )
    .fetch_all(db)
    .await
}
