//! Timeline entries: added, edited and deleted one at a time.

use sqlx::PgConnection;

use super::revisions::Step;
use super::{Actor, ChangeError, PostmortemChange, Result, has_room, html, within_limits};
use crate::db;
use crate::domain::input::TimelineForm;
use crate::domain::limits;
use crate::domain::{AuditAction, IncidentId, TimelineEntryId};
use crate::markdown::RENDERER_VERSION;

/// Adds an entry to postmortem `id`. The form is read against the postmortem as it is now (its
/// offset and first day).
pub async fn add(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    form: &TimelineForm,
) -> Result<TimelineEntryId> {
    let (mut change, incident) = PostmortemChange::begin_reading(&mut *conn, id, actor).await?;
    let draft = form.validate(&incident).map_err(ChangeError::Invalid)?;
    within_limits(|errors| limits::check_entry(errors, &draft, incident.offset, None))?;
    has_room(&mut change, limits::Part::TimelineEntry).await?;
    let entry = db::timeline::insert(change.conn(), id, &draft, &html(&draft.body), RENDERER_VERSION).await?;
    change.commit(AuditAction::TimelineAdded, "Added a timeline entry", Some(Step::Edit)).await?;
    Ok(entry)
}

/// Replaces entry `entry` of postmortem `id`.
pub async fn edit(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    entry: TimelineEntryId,
    form: &TimelineForm,
) -> Result<()> {
    let (mut change, incident) = PostmortemChange::begin_reading(&mut *conn, id, actor).await?;
    let draft = form.validate(&incident).map_err(ChangeError::Invalid)?;
    within_limits(|errors| limits::check_entry(errors, &draft, incident.offset, None))?;
    if !db::timeline::update(change.conn(), id, entry, &draft, &html(&draft.body), RENDERER_VERSION).await? {
        return Err(ChangeError::NotFound);
    }
    change.commit(AuditAction::TimelineEdited, "Edited a timeline entry", Some(Step::Edit)).await
}

/// Deletes entry `entry` of postmortem `id`.
pub async fn delete(conn: &mut PgConnection, actor: Actor, id: IncidentId, entry: TimelineEntryId) -> Result<()> {
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    if !db::timeline::delete(change.conn(), id, entry).await? {
        return Err(ChangeError::NotFound);
    }
    change.commit(AuditAction::TimelineDeleted, "Deleted a timeline entry", Some(Step::Edit)).await
}
