//! Action items: added, edited and deleted (each with a version check), ticked done or
//! reopened, and linked to the people who own them.

use sqlx::{Connection, PgConnection};
use time::Date;

use super::revisions::{self, Step};
use super::{Actor, ChangeError, PostmortemChange, Result, expected_version, has_room, html, within_limits};
use crate::db;
use crate::domain::input::{ActionItemDraft, ActionItemForm, VerifyForm};
use crate::domain::limits;
use crate::domain::time::local;
use crate::domain::{
    ActionItem, ActionItemId, ActionStatus, AuditAction, Incident, IncidentId, Role, TeamId, User, UserId,
};
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

/// That the chosen team exists (a form may name any id), unless it is the item's team already
/// (`current`).
async fn check_team(conn: &mut PgConnection, draft: &ActionItemDraft, current: Option<TeamId>) -> Result<()> {
    if let Some(team) = draft.team_id.filter(|team| Some(*team) != current)
        && db::teams::find(&mut *conn, team).await?.is_none()
    {
        return Err(ChangeError::field(
            "team_id",
            "That team does not exist (it may have been deleted). Choose another, or none.",
        ));
    }
    Ok(())
}

/// That the item fits `domain::limits`, read against its postmortem: it may not be due
/// before the incident started. A due date the item already had (`kept_due`) is not judged
/// again, so an item saved before the rule can still be ticked or reworded.
fn check_limits(draft: &ActionItemDraft, incident: &Incident, kept_due: Option<Date>) -> Result<()> {
    let start = incident.started_at.map(|start| local(start, incident.offset).date());
    let unchanged_due;
    let draft = if draft.due_on.is_some() && draft.due_on == kept_due {
        unchanged_due = ActionItemDraft { due_on: None, ..draft.clone() };
        &unchanged_due
    } else {
        draft
    };
    within_limits(|errors| limits::check_item(errors, draft, start, None))
}

/// Adds an action item to postmortem `id`.
pub async fn add(conn: &mut PgConnection, actor: Actor, id: IncidentId, form: &ActionItemForm) -> Result<ActionItemId> {
    let draft = form.validate().map_err(ChangeError::Invalid)?;
    let body_html = html(&draft.body);
    let (mut change, incident) = PostmortemChange::begin_reading(&mut *conn, id, actor).await?;
    check_limits(&draft, &incident, None)?;
    check_owner(change.conn(), &draft, None).await?;
    check_team(change.conn(), &draft, None).await?;
    has_room(&mut change, limits::Part::ActionItem).await?;
    let item = db::action_items::insert(change.conn(), id, &draft, &body_html, RENDERER_VERSION).await?;
    let summary = format!("Added the action item “{}”", draft.body);
    change.commit(AuditAction::ActionItemAdded, &summary, Some(Step::Edit)).await?;
    Ok(item)
}

/// Saves the form over item `item` if nobody saved it since the form was loaded (its hidden
/// version, which it must give); otherwise [`ChangeError::Stale`].
pub async fn edit(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    item: ActionItemId,
    form: &ActionItemForm,
) -> Result<()> {
    // Before the fields: a form without its version would come back without one again.
    let expected = expected_version(form.base_version())?;
    let draft = form.validate().map_err(ChangeError::Invalid)?;
    let body_html = html(&draft.body);
    let (mut change, incident) = PostmortemChange::begin_reading(&mut *conn, id, actor).await?;
    let current = db::action_items::find(change.conn(), id, item).await?.ok_or(ChangeError::NotFound)?;
    // Stale before anything else the form says: the person then sees what changed, rather
    // than a complaint about a field someone else changed under them.
    if current.version != expected {
        return Err(ChangeError::Stale);
    }
    check_limits(&draft, &incident, current.due_on)?;
    check_owner(change.conn(), &draft, current.owner_id).await?;
    check_team(change.conn(), &draft, current.team_id).await?;
    // The postmortem is locked, so the item cannot have changed since it was read; the update
    // checks the version all the same.
    let saved =
        db::action_items::update(change.conn(), id, item, expected, &draft, &body_html, RENDERER_VERSION).await?;
    if !saved {
        return Err(ChangeError::Stale);
    }
    let summary = format!("Edited the action item “{}”", draft.body);
    change.commit(AuditAction::ActionItemEdited, &summary, Some(Step::Edit)).await
}

/// Ticks item `item` done (`done`), or reopens it, from the status `from` the page showed.
///
/// The tick box says what the person wants, not "toggle", so sending it twice, or after
/// someone else did the same, changes nothing and is not an error: they see what they asked
/// for. Otherwise it applies only to the status they saw: ticking done an item someone has
/// meanwhile marked won't do, or reopening one someone has put in progress, would silently
/// undo their decision, so that is [`ChangeError::Stale`] and the page shows it as it is now.
/// It needs no version: an edit of another field (a ticket link, a due date) does not
/// conflict with ticking it, and refusing the tick for it would only make people tick twice.
pub async fn set_done(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    item: ActionItemId,
    done: bool,
    from: ActionStatus,
) -> Result<()> {
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    let current = db::action_items::find(change.conn(), id, item).await?.ok_or(ChangeError::NotFound)?;
    if current.is_done() == done {
        // Already as asked: nothing to write, record or notify (dropping rolls back).
        return Ok(());
    }
    if current.status != from || !db::action_items::set_done(change.conn(), id, item, done, from).await? {
        return Err(ChangeError::Stale);
    }
    let summary = if done { "Marked an action item done" } else { "Reopened an action item" };
    change.commit(AuditAction::ActionItemDone, summary, Some(Step::Edit)).await
}

/// Whether `person` owns `item`: linked to them, as "your items" in the ledger reads it, or,
/// for an item linked to no one, its owner written as their email or name (an import's owner
/// that no admin has linked yet is still them).
fn owns(item: &ActionItem, person: &User) -> bool {
    match item.owner_id {
        Some(owner) => owner == person.id,
        None => {
            let written = item.owner.trim();
            !written.is_empty()
                && (written.eq_ignore_ascii_case(person.email.trim())
                    || (!person.name.trim().is_empty() && written.to_lowercase() == person.name.trim().to_lowercase()))
        }
    }
}

/// Verifies done item `item`: `actor`, who must not be its owner, says it works, with the
/// evidence `form` gives. Someone else verifying it first (two people at once) is
/// [`ChangeError::Stale`]: theirs stands, and the page shows it.
pub async fn verify(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    item: ActionItemId,
    form: &VerifyForm,
) -> Result<()> {
    let evidence = form.validate().map_err(ChangeError::Invalid)?;
    let Actor::Person(person) = actor else {
        return Err(ChangeError::Refused("A verification needs a person: verify it signed in.".into()));
    };
    let person = db::users::find(&mut *conn, person).await?.ok_or(ChangeError::NotFound)?;
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    let current = db::action_items::find(change.conn(), id, item).await?.ok_or(ChangeError::NotFound)?;
    if current.is_verified() {
        return Err(ChangeError::Stale);
    }
    if !current.is_done() {
        return Err(ChangeError::field("evidence", "Only a done item can be verified. Mark it done first."));
    }
    if owns(&current, &person) {
        return Err(ChangeError::field(
            "evidence",
            "You own this item, so someone else must verify it: a second pair of eyes is the point of verifying.",
        ));
    }
    if !db::action_items::verify(change.conn(), id, item, person.id, person.display_name(), &evidence).await? {
        return Err(ChangeError::Stale);
    }
    let summary = format!("Verified the action item “{}”: {evidence}", current.body);
    change.commit(AuditAction::ActionItemVerified, &summary, Some(Step::Edit)).await
}

/// Takes back item `item`'s verification. Its verifier may, and so may a manager or admin
/// (who can overrule evidence that does not hold); another engineer who doubts it reopens the
/// item instead, which clears the verification in the open. Nothing to take back is no error.
pub async fn unverify(conn: &mut PgConnection, actor: Actor, id: IncidentId, item: ActionItemId) -> Result<()> {
    let person = match actor {
        Actor::Person(person) => Some(db::users::find(&mut *conn, person).await?.ok_or(ChangeError::NotFound)?),
        Actor::CommandLine => None,
    };
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    let current = db::action_items::find(change.conn(), id, item).await?.ok_or(ChangeError::NotFound)?;
    if !current.is_verified() {
        return Ok(());
    }
    let allowed = person
        .as_ref()
        .is_none_or(|person| current.verified_by == Some(person.id) || person.role.includes(Role::Manager));
    if !allowed {
        return Err(ChangeError::Refused(
            "Only whoever verified this item, or a manager, can withdraw its verification. If it does not work, \
             reopen the item."
                .into(),
        ));
    }
    if !db::action_items::unverify(change.conn(), id, item).await? {
        return Err(ChangeError::Stale);
    }
    let summary = format!("Withdrew the verification of the action item “{}”", current.body);
    change.commit(AuditAction::ActionItemUnverified, &summary, Some(Step::Edit)).await
}

/// Deletes item `item` of postmortem `id` if it is still at `version`, the version of the page
/// the deletion was asked from; otherwise [`ChangeError::Stale`]. Deleting is checked like
/// saving: whoever deletes decided on the item as they saw it, and someone who saved it since
/// may have made it into something worth keeping.
pub async fn delete(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    item: ActionItemId,
    version: Option<i32>,
) -> Result<()> {
    let expected = expected_version(version)?;
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    let current = db::action_items::find(change.conn(), id, item).await?.ok_or(ChangeError::NotFound)?;
    if current.version != expected || !db::action_items::delete(change.conn(), id, item, expected).await? {
        return Err(ChangeError::Stale);
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
    // No stored owner holds a NUL (PostgreSQL cannot), and one in the query would fail it.
    if owner.contains('\0') {
        return Err(ChangeError::field(
            "owner",
            "That owner's name contains a NUL character, so no item is owned by it.",
        ));
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
