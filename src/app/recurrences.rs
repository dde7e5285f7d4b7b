//! "This happened before": an author confirms that a postmortem repeats an earlier one, and
//! which done action items of the earlier one were meant to prevent exactly this (they are then
//! flagged recurred). Both postmortems' pages show the link.

use sqlx::PgConnection;

use super::revisions::{self, Step};
use super::{Actor, ChangeError, PostmortemChange, Result};
use crate::db;
use crate::domain::{ActionItemId, AuditAction, IncidentId};

/// Records that `later` repeats `earlier`, flagging those of `items` that are done items of
/// `earlier` as recurred. Confirming what is already recorded changes nothing and is no error,
/// so two people confirming at once both see it confirmed.
pub async fn confirm(
    conn: &mut PgConnection,
    actor: Actor,
    later: IncidentId,
    earlier: IncidentId,
    items: &[ActionItemId],
) -> Result<()> {
    if later == earlier {
        return Err(ChangeError::field("earlier", "A postmortem cannot repeat itself: choose an earlier one."));
    }
    let (mut change, incident) = PostmortemChange::begin_reading(&mut *conn, later, actor).await?;
    let Some(before) = db::incidents::find(change.conn(), earlier).await? else {
        return Err(ChangeError::field("earlier", format!("There is no postmortem #{earlier}.")));
    };
    // While either start is not stated, which came first cannot be checked.
    if let (Some(before), Some(this)) = (before.started_at, incident.started_at)
        && before >= this
    {
        return Err(ChangeError::field(
            "earlier",
            format!("Postmortem #{earlier} did not start before this one, so this cannot have happened before it."),
        ));
    }
    let recorded = db::recurrences::insert(change.conn(), later, earlier, actor.user()).await?;
    let flagged = db::recurrences::insert_items(change.conn(), later, earlier, items).await?;
    if !recorded && flagged == 0 {
        // Already as asked (dropping the change rolls back).
        return Ok(());
    }
    // The earlier postmortem's page and export show the link too: every instance reads it
    // again, and its history keeps its document as it now reads (touching it locked its row).
    db::incidents::touch(change.conn(), earlier).await?;
    revisions::record(change.conn(), earlier, actor, Step::Edit).await?;
    let summary = format!("Confirmed that this happened before, in “{}” (#{earlier})", before.title);
    change.commit(AuditAction::RecurrenceConfirmed, &summary, Some(Step::Edit)).await
}

/// Removes the recurrence of `earlier` in `later` and the items flagged with it. Removing one
/// that is not (or no longer) recorded changes nothing.
pub async fn remove(conn: &mut PgConnection, actor: Actor, later: IncidentId, earlier: IncidentId) -> Result<()> {
    let mut change = PostmortemChange::begin(&mut *conn, later, actor).await?;
    if !db::recurrences::delete(change.conn(), later, earlier).await? {
        return Ok(());
    }
    db::incidents::touch(change.conn(), earlier).await?;
    revisions::record(change.conn(), earlier, actor, Step::Edit).await?;
    let summary = format!("Removed the recurrence of postmortem #{earlier}");
    change.commit(AuditAction::RecurrenceRemoved, &summary, Some(Step::Edit)).await
}
