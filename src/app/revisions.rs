//! When a change becomes a revision. A revision is the whole postmortem as its Markdown export,
//! recorded in the transaction that changed it:
//!
//! - edits by one person within [`FOLD_MINUTES`] of their last one update that revision
//!   instead of adding another, so fixing typos does not bury the history;
//! - every review step starts a revision of its own, and approval marks it published;
//! - a published revision is never changed again (a trigger in the database refuses it).

use sqlx::PgConnection;

use super::{Actor, PostmortemChange, html};
use crate::db;
use crate::domain::IncidentId;
use crate::markdown::RENDERER_VERSION;
use crate::markdown::export::export;

/// Edits by the same person within this many minutes of their last one fold into that revision.
pub const FOLD_MINUTES: i32 = 15;

/// Why a revision is being recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An ordinary edit: may be folded into the author's own recent revision.
    Edit,
    /// A review step (submitted, sent back): always a revision of its own.
    Review,
    /// Approval: a revision of its own, marked published and frozen.
    Publish,
}

/// Records postmortem `incident` as it now stands, on the transaction that changed it, which
/// holds the postmortem's row lock (so each revision holds everything committed before it).
/// Does nothing if the document did not change, unless `step` publishes it and the latest
/// revision is not published yet.
pub(super) async fn record(
    conn: &mut PgConnection,
    incident: IncidentId,
    actor: Actor,
    step: Step,
) -> sqlx::Result<()> {
    let Some(postmortem) = db::postmortems::find(&mut *conn, incident).await? else {
        return Ok(());
    };
    let text = export(&postmortem);
    let latest = db::revisions::latest(&mut *conn, incident, &text, FOLD_MINUTES).await?;
    let publish = step == Step::Publish;
    match latest {
        Some(latest) if latest.same && (!publish || latest.published) => Ok(()),
        Some(latest) if latest.same => db::revisions::mark_published(&mut *conn, latest.id).await,
        Some(latest)
            if step == Step::Edit
                && !latest.published
                && latest.recent
                && actor.user().is_some_and(|author| latest.author_id == Some(author.0)) =>
        {
            db::revisions::replace_text(&mut *conn, latest.id, &text, &html(&text), RENDERER_VERSION).await
        }
        latest => {
            let number = latest.map_or(1, |latest| latest.number + 1);
            let revision = db::revisions::NewRevision {
                incident,
                number,
                markdown: &text,
                html: &html(&text),
                rendered_with: RENDERER_VERSION,
                author: actor.user(),
                published: publish,
            };
            db::revisions::insert(&mut *conn, &revision).await
        }
    }
}

/// Gives every postmortem saved before revisions were kept its first revision (published if
/// the postmortem is), each in its own short transaction. Returns how many it recorded.
pub async fn backfill(conn: &mut PgConnection) -> super::Result<usize> {
    let missing = db::revisions::without_history(&mut *conn).await?;
    record_first(conn, &missing).await?;
    Ok(missing.len())
}

/// The postmortems without a revision, with whether each is published: for [`record_first`].
pub async fn without_history(conn: &mut PgConnection) -> super::Result<Vec<(IncidentId, bool)>> {
    Ok(db::revisions::without_history(conn).await?)
}

/// Records the first revision of each of `missing` (from [`without_history`]), each in its
/// own short transaction. Several connections may each take a share of the list: each
/// postmortem's change holds its row lock.
pub async fn record_first(conn: &mut PgConnection, missing: &[(IncidentId, bool)]) -> super::Result<()> {
    for &(incident, published) in missing {
        let mut change = match PostmortemChange::begin(&mut *conn, incident, Actor::CommandLine).await {
            Ok(change) => change,
            // Deleted meanwhile: nothing to record.
            Err(super::ChangeError::NotFound) => continue,
            Err(error) => return Err(error),
        };
        record(change.conn(), incident, Actor::CommandLine, if published { Step::Publish } else { Step::Edit }).await?;
        db::incidents::touch(change.conn(), incident).await?;
        super::commit(change.tx).await?;
    }
    Ok(())
}
