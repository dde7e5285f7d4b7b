//! People: adding them (by an admin, at first-run set-up, from the command line, or on first
//! sign-in through the SSO proxy), changing their role and teams, their passwords, one-time
//! password links and sessions.

use sqlx::{Connection, PgConnection};

use super::{Actor, Change, ChangeError, Result, is_unique_violation};
use crate::auth::token;
use crate::db;
use crate::domain::input::{FieldErrors, MAX_NAME_CHARS, is_plausible_email, line};
use crate::domain::{AuditAction, Role, TeamId, User, UserId};

/// How long a one-time password link stays valid.
pub const RESET_LINK_VALID_FOR: time::Duration = time::Duration::days(7);

/// Why adding someone whose email already has an account is refused.
pub const EMAIL_TAKEN: &str = "Someone with this email already has an account.";

/// A person to add.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub teams: &'a [TeamId],
    /// Argon2 hash of a password chosen already; without one, the person gets a one-time link
    /// to choose it.
    pub password_hash: Option<&'a str>,
}

/// Someone just added, and the secret of the one-time link to choose their password when they
/// have none yet (the web layer makes it an address).
#[derive(Debug)]
pub struct Added {
    pub id: UserId,
    pub reset_secret: Option<String>,
}

fn check(person: &NewPerson<'_>) -> Result<()> {
    let mut errors = FieldErrors::default();
    if !is_plausible_email(person.email) {
        errors.add("email", "Enter their email address, like ann@example.com.");
    }
    line(&mut errors, "name", person.name, MAX_NAME_CHARS);
    if errors.is_empty() { Ok(()) } else { Err(ChangeError::Invalid(errors)) }
}

/// Inserts the person, their teams and, without a password, a one-time link.
async fn insert(conn: &mut PgConnection, person: &NewPerson<'_>, issued_by: Option<UserId>) -> Result<Added> {
    let id = match db::users::insert(&mut *conn, person.email, person.name, person.role, person.password_hash).await {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => {
            return Err(ChangeError::field("email", EMAIL_TAKEN));
        }
        Err(error) => return Err(error.into()),
    };
    if !person.teams.is_empty() {
        db::users::set_teams(&mut *conn, id, person.teams).await?;
    }
    let reset_secret = match person.password_hash {
        Some(_) => None,
        None => Some(new_reset_link(conn, id, issued_by).await?),
    };
    Ok(Added { id, reset_secret })
}

/// Adds a person (an admin's page, or the command line).
pub async fn add(conn: &mut PgConnection, actor: Actor, person: NewPerson<'_>) -> Result<Added> {
    let person = NewPerson { email: person.email.trim(), name: person.name.trim(), ..person };
    check(&person)?;
    let mut change = Change::begin(&mut *conn, actor).await?;
    let added = insert(change.conn(), &person, actor.user()).await?;
    let from = if actor == Actor::CommandLine { " from the command line" } else { "" };
    let summary = format!("Added {} as {}{from}", person.email, person.role.label());
    change.commit(AuditAction::UserCreated, &summary).await?;
    tracing::info!(user.id = %added.id, "Added a person");
    Ok(added)
}

/// Creates the first admin at first-run set-up, unless someone already has an account (two
/// set-up forms sent at once make one admin): then `None`.
pub async fn set_up_first_admin(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    password_hash: &str,
) -> Result<Option<UserId>> {
    let person = NewPerson {
        email: email.trim(),
        name: name.trim(),
        role: Role::Admin,
        teams: &[],
        password_hash: Some(password_hash),
    };
    check(&person)?;
    let mut tx = conn.begin().await?;
    db::users::lock_setup(&mut *tx).await?;
    if db::users::count(&mut *tx).await? > 0 {
        return Ok(None);
    }
    let added = insert(&mut tx, &person, None).await?;
    let summary = "Created the first admin account at set-up";
    db::audit::record(&mut *tx, added.id, AuditAction::UserCreated, summary, None).await?;
    super::commit(tx).await?;
    tracing::info!(user.id = %added.id, "Created the first admin account");
    Ok(Some(added.id))
}

/// The person the SSO proxy vouches for, created with `role` the first time they are seen
/// (whether their account is active is the caller's to check).
pub async fn sign_in_through_proxy(conn: &mut PgConnection, email: &str, role: Role) -> Result<User> {
    if let Some((user, _)) = db::users::find_by_email(&mut *conn, email).await? {
        return Ok(user);
    }
    let person = NewPerson { email, name: "", role, teams: &[], password_hash: None };
    check(&person)?;
    let mut tx = conn.begin().await?;
    let id = match db::users::insert(&mut *tx, email, "", role, None).await {
        Ok(id) => id,
        // Two first requests at once: the other one created them.
        Err(error) if is_unique_violation(&error) => {
            drop(tx);
            let found = db::users::find_by_email(&mut *conn, email).await?;
            return found.map(|(user, _)| user).ok_or(ChangeError::NotFound);
        }
        Err(error) => return Err(error.into()),
    };
    let summary = format!("Signed in through the SSO proxy for the first time, as {}", role.label());
    db::audit::record(&mut *tx, id, AuditAction::UserCreated, &summary, None).await?;
    super::commit(tx).await?;
    tracing::info!(user.id = %id, "Created an account on first sign-in through the SSO proxy");
    db::users::find(&mut *conn, id).await?.ok_or(ChangeError::NotFound)
}

/// What an admin changes about a person.
#[derive(Debug, Clone)]
pub struct PersonChange<'a> {
    pub name: &'a str,
    pub role: Role,
    pub active: bool,
    pub teams: &'a [TeamId],
}

/// Changes a person's name, role, teams and whether their account is active, if nobody changed
/// them since `version`, the version the form was loaded at; otherwise [`ChangeError::Stale`]
/// (a form loaded before another admin deactivated someone must not silently reactivate
/// them). The last active admin cannot be demoted or deactivated; a deactivated person is
/// signed out at once.
pub async fn update(
    conn: &mut PgConnection,
    actor: Actor,
    person: &User,
    version: i32,
    new: PersonChange<'_>,
) -> Result<()> {
    let mut errors = FieldErrors::default();
    let name = line(&mut errors, "name", new.name, MAX_NAME_CHARS);
    if !errors.is_empty() {
        return Err(ChangeError::Invalid(errors));
    }
    let name = name.as_str();
    let mut change = Change::begin(&mut *conn, actor).await?;
    // Two admins demoting each other at once: the lock makes the second see the first's change.
    db::users::lock_active_admins(change.conn()).await?;
    // Then the person (always after the admins, so that two changes never wait for each other
    // in opposite orders): at the form's version, they are still as `person` says.
    match db::users::lock_version(change.conn(), person.id).await? {
        None => return Err(ChangeError::NotFound),
        Some(current) if current != version => return Err(ChangeError::Stale),
        Some(_) => {}
    }
    let stays_admin = new.role == Role::Admin && new.active;
    if person.role == Role::Admin
        && !stays_admin
        && db::users::other_active_admins(change.conn(), person.id).await? == 0
    {
        // Said beside the field that would have removed the last admin.
        let field = if new.active { "role" } else { "active" };
        return Err(ChangeError::field(field, "This is the only active admin. Make someone else an admin first."));
    }
    if !db::users::update(change.conn(), person.id, version, name, new.role, new.active).await? {
        return Err(ChangeError::Stale);
    }
    db::users::set_teams(change.conn(), person.id, new.teams).await?;
    if !new.active {
        db::sessions::delete_all_for_user(change.conn(), person.id).await?;
    }
    let mut changes = Vec::new();
    if new.role != person.role {
        changes.push(format!("role {} → {}", person.role.label(), new.role.label()));
    }
    if new.active != person.active {
        changes.push(if new.active { "reactivated".to_owned() } else { "deactivated".to_owned() });
    }
    if name != person.name {
        changes.push("name".to_owned());
    }
    changes.push("teams".to_owned());
    let summary = format!("Updated {}: {}", person.email, changes.join(", "));
    change.commit(AuditAction::UserUpdated, &summary).await
}

/// Makes a one-time link for `person`, ending every earlier one, and returns its secret (the web
/// layer makes it an address). A link an admin replaced (sent to the wrong address, say) must
/// not stay usable for its week. Two admins issuing at once are taken in turn on the person's
/// row, so that exactly one link is left open, the later one.
async fn new_reset_link(conn: &mut PgConnection, person: UserId, issued_by: Option<UserId>) -> Result<String> {
    let secret = token::random_hex()?;
    db::users::lock_version(&mut *conn, person).await?;
    db::password_resets::revoke_all(&mut *conn, person).await?;
    db::password_resets::insert(conn, &token::digest(&secret), person, issued_by, RESET_LINK_VALID_FOR).await?;
    Ok(secret)
}

/// Issues a new one-time password link for an active person; returns its secret.
pub async fn issue_reset_link(conn: &mut PgConnection, actor: Actor, person: &User) -> Result<String> {
    if !person.active {
        return Err(ChangeError::Refused("This account is deactivated. Reactivate it before issuing a link.".into()));
    }
    let mut change = Change::begin(&mut *conn, actor).await?;
    let secret = new_reset_link(change.conn(), person.id, actor.user()).await?;
    let from = if actor == Actor::CommandLine { " from the command line" } else { "" };
    let summary = format!("Issued a password link for {}{from}", person.email);
    change.commit(AuditAction::UserResetLink, &summary).await?;
    Ok(secret)
}

/// Sets a password with one-time link `secret` (which then stops working) and signs the
/// person out everywhere. [`ChangeError::NotFound`] if the link was used or has expired.
pub async fn reset_password(conn: &mut PgConnection, secret: &str, password_hash: &str) -> Result<UserId> {
    let mut tx = conn.begin().await?;
    let person = db::password_resets::consume(&mut *tx, &token::digest(secret)).await?.ok_or(ChangeError::NotFound)?;
    db::users::set_password(&mut *tx, person, password_hash).await?;
    db::sessions::delete_all_for_user(&mut *tx, person).await?;
    let summary = "Set their password with a one-time link";
    db::audit::record(&mut *tx, person, AuditAction::UserPassword, summary, None).await?;
    super::commit(tx).await?;
    Ok(person)
}

/// Changes a person's own password, signing out every other session of theirs (`keep`, the
/// hash of the session making the change, stays).
pub async fn change_password(
    conn: &mut PgConnection,
    person: UserId,
    password_hash: &str,
    keep: Option<&[u8]>,
) -> Result<()> {
    let mut change = Change::begin(&mut *conn, Actor::Person(person)).await?;
    db::users::set_password(change.conn(), person, password_hash).await?;
    db::sessions::delete_all_for_user_except(change.conn(), person, keep).await?;
    change.commit(AuditAction::UserPassword, "Changed their password").await
}

/// Ends every session of `person`, the one asking included. Returns how many ended.
pub async fn sign_out_everywhere(conn: &mut PgConnection, person: UserId) -> Result<u64> {
    let mut change = Change::begin(&mut *conn, Actor::Person(person)).await?;
    let ended = db::sessions::delete_all_for_user(change.conn(), person).await?;
    change.commit(AuditAction::UserSessionsEnded, &format!("Signed out everywhere ({ended} sessions)")).await?;
    Ok(ended)
}

/// Starts a session for `person` and returns the secret for its cookie. `replacing`, the hash
/// of the browser's session before, ends: nothing from before sign-in carries over.
pub async fn start_session(conn: &mut PgConnection, person: UserId, replacing: Option<&[u8]>) -> Result<String> {
    let secret = token::random_hex()?;
    let mut tx = conn.begin().await?;
    if let Some(old) = replacing {
        db::sessions::delete(&mut *tx, old).await?;
    }
    db::sessions::insert(&mut *tx, &token::digest(&secret), person).await?;
    super::commit(tx).await?;
    Ok(secret)
}

/// Ends the session whose cookie hashes to `token_hash` (signing out).
pub async fn end_session(conn: &mut PgConnection, token_hash: &[u8]) -> Result<()> {
    db::sessions::delete(&mut *conn, token_hash).await?;
    Ok(())
}
