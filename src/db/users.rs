//! The `users` and `team_members` tables: people, their roles and their teams.

use sqlx::PgExecutor;
use sqlx::types::Json;
use time::OffsetDateTime;

use crate::domain::input::normalize_email;
use crate::domain::{Role, TeamId, User, UserId};

pub async fn count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM users"#).fetch_one(db).await
}

pub async fn find(db: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<Option<User>> {
    let row = sqlx::query_as!(
        User,
        r#"SELECT id AS "id: UserId", email, name, role AS "role: Role",
                  deactivated_at IS NULL AS "active!", password_hash IS NOT NULL AS "has_password!"
           FROM users WHERE id = $1"#,
        id as UserId,
    )
    .fetch_optional(db)
    .await?;
    Ok(row)
}

/// The person with this email (compared in its normalised form, [`normalize_email`]), with
/// their password hash.
pub async fn find_by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<(User, Option<String>)>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id: UserId", email, name, role AS "role: Role",
                  deactivated_at IS NULL AS "active!", password_hash
           FROM users WHERE lower(email) = lower($1)"#,
        normalize_email(email),
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        let user = User {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role,
            active: row.active,
            has_password: row.password_hash.is_some(),
        };
        (user, row.password_hash)
    }))
}

/// Everyone, active people first, then by name (the owner pickers' list).
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<User>> {
    let people = sqlx::query_scalar!(r#"SELECT picker_people() AS "people!: Json<Vec<User>>""#).fetch_one(db).await?;
    Ok(people.0)
}

/// Adds a person. Fails with a unique violation (`users_email_key`) if the email is taken.
pub async fn insert(
    db: impl PgExecutor<'_>,
    email: &str,
    name: &str,
    role: Role,
    password_hash: Option<&str>,
) -> sqlx::Result<UserId> {
    sqlx::query_scalar!(
        r#"INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4)
           RETURNING id AS "id: UserId""#,
        normalize_email(email),
        name,
        role as Role,
        password_hash,
    )
    .fetch_one(db)
    .await
}

/// A person as the admin's edit form loads them: with their teams and the version they are
/// at, read in one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonForEdit {
    pub person: User,
    pub teams: Vec<TeamId>,
    pub version: i32,
}

pub async fn find_for_edit(db: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<Option<PersonForEdit>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id: UserId", email, name, role AS "role: Role",
                  deactivated_at IS NULL AS "active!", password_hash IS NOT NULL AS "has_password!", version,
                  array(SELECT m.team_id FROM team_members m WHERE m.user_id = u.id ORDER BY m.team_id)
                      AS "teams!: Vec<TeamId>"
           FROM users u WHERE id = $1"#,
        id as UserId,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| PersonForEdit {
        person: User {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role,
            active: row.active,
            has_password: row.has_password,
        },
        teams: row.teams,
        version: row.version,
    }))
}

/// The version the person is at, locking their row until the transaction ends (`None`: there is
/// no such person). `NO KEY UPDATE` for the reason given at [`lock_active_admins`].
pub async fn lock_version(db: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!("SELECT version FROM users WHERE id = $1 FOR NO KEY UPDATE", id as UserId)
        .fetch_optional(db)
        .await
}

/// Changes name, role and whether the account is active, if the person is still at
/// `base_version`, and raises their version (their teams are part of it: the caller sets them
/// in the same transaction). Returns whether it was saved.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: UserId,
    base_version: i32,
    name: &str,
    role: Role,
    active: bool,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE users SET name = $3, role = $4,
             deactivated_at = CASE WHEN $5 THEN NULL ELSE coalesce(deactivated_at, now()) END,
             version = version + 1
         WHERE id = $1 AND version = $2",
        id as UserId,
        base_version,
        name,
        role as Role,
        active,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// The person's password hash, if they have one (by id: their stored email may predate the
/// normalised form a lookup by email uses).
pub async fn password_hash(db: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", id as UserId)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

pub async fn set_password(db: impl PgExecutor<'_>, id: UserId, password_hash: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE users SET password_hash = $2 WHERE id = $1", id as UserId, password_hash).execute(db).await?;
    Ok(())
}

/// Locks the rows of the active admins until the transaction ends, so two admins demoting
/// each other at once cannot both see the other still there. `NO KEY UPDATE`, as an update
/// takes, not `UPDATE`: rows that refer to a person (a write's idempotency key, recorded
/// before the change) hold a key-share lock on them, which `FOR UPDATE` would wait for, and
/// two admins' changes at once would each wait for the other's key.
pub async fn lock_active_admins(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("SELECT id FROM users WHERE role = 'admin' AND deactivated_at IS NULL FOR NO KEY UPDATE")
        .fetch_all(db)
        .await?;
    Ok(())
}

/// Holds the first-run lock until the transaction ends, so two set-up forms sent at once
/// make one admin.
pub async fn lock_setup(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_advisory_xact_lock(7157)").fetch_one(db).await?;
    Ok(())
}

/// Active admins other than `except`: an admin may not remove the last one.
pub async fn other_active_admins(db: impl PgExecutor<'_>, except: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM users
           WHERE role = 'admin' AND deactivated_at IS NULL AND id <> $1"#,
        except as UserId,
    )
    .fetch_one(db)
    .await
}

/// The teams a person belongs to.
pub async fn team_ids(db: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<Vec<TeamId>> {
    sqlx::query_scalar!(r#"SELECT team_id AS "id: TeamId" FROM team_members WHERE user_id = $1"#, id as UserId)
        .fetch_all(db)
        .await
}

/// Replaces a person's teams with `teams`.
pub async fn set_teams(db: impl PgExecutor<'_>, id: UserId, teams: &[TeamId]) -> sqlx::Result<()> {
    let teams: Vec<i64> = teams.iter().map(|t| t.0).collect();
    sqlx::query!(
        "WITH removed AS (DELETE FROM team_members WHERE user_id = $1 AND NOT team_id = ANY($2))
         INSERT INTO team_members (team_id, user_id)
         SELECT team_id, $1 FROM unnest($2::bigint[]) AS chosen(team_id)
         WHERE EXISTS (SELECT 1 FROM teams WHERE teams.id = chosen.team_id)
         ON CONFLICT DO NOTHING",
        id as UserId,
        &teams,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A line of the admin's list of people.
pub struct UserListing {
    pub user: User,
    pub teams: Vec<String>,
    pub last_seen_at: Option<OffsetDateTime>,
}

/// Everyone, with their teams and when they were last seen, in one query.
pub async fn listing(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<UserListing>> {
    let rows = sqlx::query!(
        r#"SELECT u.id AS "id: UserId", u.email, u.name, u.role AS "role: Role",
                  u.deactivated_at IS NULL AS "active!", u.password_hash IS NOT NULL AS "has_password!",
                  coalesce((SELECT array_agg(t.name ORDER BY lower(t.name)) FROM team_members m
                            JOIN teams t ON t.id = m.team_id WHERE m.user_id = u.id), '{}') AS "teams!",
                  (SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at
           FROM users u
           ORDER BY u.deactivated_at IS NOT NULL, lower(coalesce(nullif(u.name, ''), u.email)), u.id"#,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| UserListing {
            user: User {
                id: row.id,
                email: row.email,
                name: row.name,
                role: row.role,
                active: row.active,
                has_password: row.has_password,
            },
            teams: row.teams,
            last_seen_at: row.last_seen_at,
        })
        .collect())
}
