//! Teams: the groups that own action items, each with the time zone its due dates are read in.

use sqlx::PgConnection;

use super::{Actor, Change, ChangeError, Result, is_unique_violation};
use crate::db;
use crate::domain::{AuditAction, Team, TeamId};

fn name_taken(name: &str) -> ChangeError {
    ChangeError::field("name", format!("There is already a team called “{name}”."))
}

/// Adds a team.
pub async fn create(conn: &mut PgConnection, actor: Actor, name: &str, zone: &str) -> Result<TeamId> {
    let mut change = Change::begin(&mut *conn, actor).await?;
    let id = match db::teams::insert(change.conn(), name, zone).await {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => return Err(name_taken(name)),
        Err(error) => return Err(error.into()),
    };
    change.commit(AuditAction::TeamCreated, &format!("Created the team “{name}” ({zone})")).await?;
    Ok(id)
}

/// Renames a team or changes its time zone, if nobody changed it since `version`, the version
/// the form was loaded at; otherwise [`ChangeError::Stale`] (a rename must not silently undo
/// another admin's change of zone, nor the other way round).
pub async fn change(
    conn: &mut PgConnection,
    actor: Actor,
    team: &Team,
    version: i32,
    name: &str,
    zone: &str,
) -> Result<()> {
    let mut change = Change::begin(&mut *conn, actor).await?;
    // The update checks the version as it writes; one that waited for another admin's save of
    // the same team finds the new version and writes nothing.
    match db::teams::update(change.conn(), team.id, version, name, zone).await {
        Ok(true) => {}
        Ok(false) => {
            let gone = db::teams::version(change.conn(), team.id).await?.is_none();
            return Err(if gone { ChangeError::NotFound } else { ChangeError::Stale });
        }
        Err(error) if is_unique_violation(&error) => return Err(name_taken(name)),
        Err(error) => return Err(error.into()),
    }
    let summary = format!("Changed the team “{}” to “{name}” ({zone})", team.name);
    change.commit(AuditAction::TeamChanged, &summary).await
}

/// Deletes a team; its action items keep their text but no longer belong to it.
pub async fn delete(conn: &mut PgConnection, actor: Actor, team: &Team) -> Result<()> {
    let mut change = Change::begin(&mut *conn, actor).await?;
    if !db::teams::delete(change.conn(), team.id).await? {
        return Err(ChangeError::NotFound);
    }
    change.commit(AuditAction::TeamDeleted, &format!("Deleted the team “{}”", team.name)).await
}
