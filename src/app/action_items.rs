//! Action items: added, edited (with a version check), ticked done or reopened, deleted, and
//! linked to the people who own them.

use sqlx::{Connection, PgConnection};

use super::revisions::{self, Step};
use super::{Actor, ChangeError, PostmortemChange, Result, html};
use crate::db;
use crate::domain::input::{ActionItemDraft, ActionItemForm};
use crate::domain::{ActionItemId, AuditAction, IncidentId, UserId};
use crate::markdown::RENDERER_VERSION;

/// That the chosen owner may own the item: someone with an active account, or whoever owns
/// it already (`current`).
async fn check_owner(conn: &mut PgConnection, draft: &ActionItemDraft, current: Option<UserId>) -> Result<()> {
    if let Some(owner) = draft.owner_id.filter(|owner| Some(*owner) != current) {
        let active = db::users::find(&mut *conn, owner).await?.is_some_and(|user| user.active);
        if !active {
            return Err(ChangeError::field(
                "owner_id",
                "That person has no active account. Choose someone else, or no one.",
            ));
        }
    }
    Ok(())
}

/// Adds an action item to postmortem `id`.
pub async fn add(conn: &mut PgConnection, actor: Actor, id: IncidentId, form: &ActionItemForm) -> Result<ActionItemId> {
    let draft = form.validate().map_err(ChangeError::Invalid)?;
    let body_html = html(&draft.body);
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    check_owner(change.conn(), &draft, None).await?;
    let item = db::action_items::insert(change.conn(), id, &draft, &body_html, RENDERER_VERSION).await?;
    let summary = format!("Added the action item “{}”", draft.body);
    change.commit(AuditAction::ActionItemAdded, &summary, Some(Step::Edit)).await?;
    Ok(item)
}

/// Saves the form over item `item` if nobody saved it since the form was loaded (its hidden
/// version); otherwise [`ChangeError::Stale`].
pub async fn edit(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    item: ActionItemId,
    form: &ActionItemForm,
) -> Result<()> {
    let draft = form.validate().map_err(ChangeError::Invalid)?;
    let body_html = html(&draft.body);
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    let current = db::action_items::find(change.conn(), id, item).await?.ok_or(ChangeError::NotFound)?;
    check_owner(change.conn(), &draft, current.owner_id).await?;
    // The postmortem is locked, so the item cannot have gone since it was read: a refused
    // save means another version.
    let saved =
        db::action_items::update(change.conn(), id, item, form.base_version(), &draft, &body_html, RENDERER_VERSION)
            .await?;
    if !saved {
        return Err(ChangeError::Stale);
    }
    let summary = format!("Edited the action item “{}”", draft.body);
    change.commit(AuditAction::ActionItemEdited, &summary, Some(Step::Edit)).await
}

/// Ticks item `item` done, or reopens it.
pub async fn set_done(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    item: ActionItemId,
    done: bool,
) -> Result<()> {
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    if !db::action_items::set_done(change.conn(), id, item, done).await? {
        return Err(ChangeError::NotFound);
    }
    let summary = if done { "Marked an action item done" } else { "Reopened an action item" };
    change.commit(AuditAction::ActionItemDone, summary, Some(Step::Edit)).await
}

/// Deletes item `item` of postmortem `id`.
pub async fn delete(conn: &mut PgConnection, actor: Actor, id: IncidentId, item: ActionItemId) -> Result<()> {
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    if !db::action_items::delete(change.conn(), id, item).await? {
        return Err(ChangeError::NotFound);
    }
    change.commit(AuditAction::ActionItemDeleted, "Deleted an action item", Some(Step::Edit)).await
}

/// Links every item whose owner is written as `owner` (and linked to no one) to `person`, in
/// every postmortem, each of which gets a revision (its export now names the person). Returns
/// how many items were linked.
pub async fn link_owner(conn: &mut PgConnection, actor: Actor, owner: &str, person: UserId) -> Result<u64> {
    if owner.trim().is_empty() {
        return Err(ChangeError::field("owner", "Choose the owner's name as written on the action items."));
    }
    let email = db::users::find(&mut *conn, person).await?.ok_or(ChangeError::NotFound)?.email;
    let mut tx = conn.begin().await?;
    // The postmortems first, in id order, as every change takes them.
    let incidents = db::incidents::lock_owning(&mut *tx, owner).await?;
    let linked = db::action_items::link_owner(&mut *tx, owner, person).await?;
    db::incidents::touch_all(&mut *tx, &incidents).await?;
    for incident in incidents {
        revisions::record(&mut tx, incident, actor, Step::Edit).await?;
    }
    let summary = format!("Linked {linked} action items owned by “{owner}” to {email}");
    db::audit::record(&mut *tx, actor.user(), AuditAction::ActionItemOwnersLinked, &summary, None).await?;
    super::commit(tx).await?;
    Ok(linked)
}
