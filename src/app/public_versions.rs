//! The public version of a postmortem. Its authors (engineers) choose what it shows and submit
//! it; a manager approves it, which freezes what the public sees (the Markdown and JSON
//! documents, made from the postmortem as it is then), or sends it back saying what to change;
//! a manager can withdraw it. Each step is one change to the postmortem (its row lock first,
//! as every change to it), with an audit action; none is a revision, since the document itself
//! does not change.
//!
//! A manager may not approve a public version they submitted or last edited: what goes public
//! is read by someone other than whoever wrote it, as a statement to customers should be. And
//! an approval applies only to what the approver was shown: it carries the digest of the
//! preview they read, and is refused (as stale) if the postmortem or the choices changed since.

use sqlx::PgConnection;

use super::{Actor, ChangeError, PostmortemChange, Result, is_unique_violation};
use crate::db;
use crate::domain::input::PublicVersionDraft;
use crate::domain::public::{PublicChoices, PublicState, PublicStep, PublicVersion, Slug};
use crate::domain::{AuditAction, IncidentId, Postmortem, Status, UserId};
use crate::markdown::RENDERER_VERSION;
use crate::markdown::public::{Composed, compose, digest, rendered_again};

/// Longest note said with a step (sending back, withdrawing), in characters.
pub const MAX_STEP_NOTE_CHARS: usize = 4000;

/// The public version of `postmortem` with `choices`, made off the async workers (it renders
/// every piece it shows).
pub async fn composed(postmortem: Postmortem, choices: PublicChoices) -> Result<Composed> {
    tokio::task::spawn_blocking(move || compose(&postmortem, &choices))
        .await
        .map_err(|error| ChangeError::Internal(format!("making the public version: {error}")))
}

fn slug_taken(slug: &Slug) -> ChangeError {
    ChangeError::field("slug", format!("The address /p/{slug} is taken by another public version. Choose another."))
}

/// Saves the choices of postmortem `id`'s public version (making it, when `base_version` is 0:
/// the form was loaded before there was one), if nobody saved them since; with `submit`, also
/// asks for its approval.
pub async fn save(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    base_version: i32,
    draft: &PublicVersionDraft,
    submit: bool,
) -> Result<()> {
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    let current = db::public_versions::find(change.conn(), id).await?;
    let (slug, chosen) = match (&draft.slug, &current) {
        (Some(slug), _) => (slug.clone(), true),
        (None, Some(current)) if !current.slug_chosen => (current.slug.clone(), false),
        (None, _) => (Slug::random()?, false),
    };
    let saved = match (&current, base_version) {
        // Made at version 0, which the form was loaded at.
        (None, 0) => db::public_versions::insert(change.conn(), id, &slug).await.map(|()| true),
        (Some(_), base) => Ok(base != 0),
        // Made by someone else since the form was loaded, or gone.
        (None, _) => Ok(false),
    };
    let saved = match saved {
        Ok(true) => {
            let (choices, by) = (&draft.choices, actor.user());
            db::public_versions::update(change.conn(), id, base_version, &slug, chosen, choices, by).await
        }
        other => other,
    };
    match saved {
        Ok(true) => {}
        Ok(false) => return Err(ChangeError::Stale),
        Err(error) if is_unique_violation(&error) => return Err(slug_taken(&slug)),
        Err(error) => return Err(error.into()),
    }
    if submit {
        let state = current.map_or(PublicState::Draft, |current| current.state);
        ask_approval(&mut change, actor, state).await?;
        change
            .commit(AuditAction::PublicVersionSubmitted, "Saved the public version and submitted it for approval", None)
            .await
    } else {
        change.commit(AuditAction::PublicVersionSaved, &format!("Saved the public version (/p/{slug})"), None).await
    }
}

/// Asks for the approval of the public version as it is now.
pub async fn submit(conn: &mut PgConnection, actor: Actor, id: IncidentId) -> Result<()> {
    let (mut change, public) = begin(&mut *conn, actor, id).await?;
    ask_approval(&mut change, actor, public.state).await?;
    change.commit(AuditAction::PublicVersionSubmitted, "Submitted the public version for approval", None).await
}

async fn ask_approval(change: &mut PostmortemChange<'_>, actor: Actor, state: PublicState) -> Result<()> {
    if state == PublicState::AwaitingApproval {
        return Err(ChangeError::Refused("The public version is already awaiting approval.".into()));
    }
    let id = change.id;
    if !db::public_versions::move_state(change.conn(), id, state, PublicState::AwaitingApproval, actor.user()).await? {
        return Err(ChangeError::Refused("The public version changed meanwhile: look at it again.".into()));
    }
    db::public_versions::add_step(change.conn(), id, PublicStep::Submitted, actor.user(), "").await?;
    Ok(())
}

/// The change, with the public version of postmortem `id` as it is under its lock.
async fn begin(conn: &mut PgConnection, actor: Actor, id: IncidentId) -> Result<(PostmortemChange<'_>, PublicVersion)> {
    let mut change = PostmortemChange::begin(conn, id, actor).await?;
    let Some(public) = db::public_versions::find(change.conn(), id).await? else {
        return Err(ChangeError::Refused("This postmortem has no public version yet: save one first.".into()));
    };
    Ok((change, public))
}

/// Approves the public version awaiting approval, if what it would show is still what the
/// manager was shown (`seen`: the digest of that preview): from now on the public sees it.
pub async fn approve(conn: &mut PgConnection, manager: UserId, id: IncidentId, seen: &str) -> Result<()> {
    let (mut change, public) = begin(&mut *conn, Actor::Person(manager), id).await?;
    if public.state != PublicState::AwaitingApproval {
        return Err(ChangeError::Refused("Only a public version awaiting approval can be approved.".into()));
    }
    if public.submitted_by == Some(manager) || public.edited_by == Some(manager) {
        return Err(ChangeError::Refused(
            "You submitted or last edited this public version: another manager approves it, so that someone \
             other than its author reads what goes public."
                .into(),
        ));
    }
    let postmortem = db::postmortems::find(change.conn(), id).await?.ok_or(ChangeError::NotFound)?;
    if postmortem.incident.status != Status::Published {
        return Err(ChangeError::Refused(
            "Only a published postmortem can have a public version: approve the postmortem first.".into(),
        ));
    }
    let made = composed(postmortem, public.choices.clone()).await?;
    if digest(&made.markdown) != seen {
        return Err(ChangeError::Stale);
    }
    db::public_versions::approve(change.conn(), id, manager, &made.markdown, &made.document, RENDERER_VERSION).await?;
    db::public_versions::add_step(change.conn(), id, PublicStep::Approved, Some(manager), "").await?;
    let summary = format!("Approved the public version (/p/{})", public.slug);
    change.commit(AuditAction::PublicVersionApproved, &summary, None).await
}

/// A note said with a step, checked: `required` for sending back.
fn step_note(note: &str, required: bool) -> Result<&str> {
    let note = note.trim();
    if required && note.is_empty() {
        return Err(ChangeError::Refused("Say what should change before sending it back.".into()));
    }
    if note.contains('\0') || note.chars().count() > MAX_STEP_NOTE_CHARS {
        return Err(ChangeError::Refused(format!(
            "Keep what you say to {MAX_STEP_NOTE_CHARS} characters, without NUL characters."
        )));
    }
    Ok(note)
}

/// Sends the public version awaiting approval back to its authors, saying what to change.
/// What the public saw before, if anything, stays public.
pub async fn send_back(conn: &mut PgConnection, manager: UserId, id: IncidentId, note: &str) -> Result<()> {
    let note = step_note(note, true)?;
    let (mut change, public) = begin(&mut *conn, Actor::Person(manager), id).await?;
    if public.state != PublicState::AwaitingApproval {
        return Err(ChangeError::Refused("Only a public version awaiting approval can be sent back.".into()));
    }
    let back_to = if public.public.is_some() { PublicState::Approved } else { PublicState::Draft };
    db::public_versions::move_state(change.conn(), id, PublicState::AwaitingApproval, back_to, None).await?;
    db::public_versions::add_step(change.conn(), id, PublicStep::SentBack, Some(manager), note).await?;
    change.commit(AuditAction::PublicVersionSentBack, &format!("Sent the public version back: {note}"), None).await
}

/// Takes the public version down: its address answers 404 and it leaves the public feed.
pub async fn withdraw(conn: &mut PgConnection, manager: UserId, id: IncidentId, note: &str) -> Result<()> {
    let note = step_note(note, false)?;
    let (mut change, public) = begin(&mut *conn, Actor::Person(manager), id).await?;
    if !db::public_versions::withdraw(change.conn(), id).await? {
        return Err(ChangeError::Refused("Nothing of this postmortem is public: there is nothing to withdraw.".into()));
    }
    db::public_versions::add_step(change.conn(), id, PublicStep::Withdrawn, Some(manager), note).await?;
    let summary = format!("Withdrew the public version (/p/{})", public.slug);
    change.commit(AuditAction::PublicVersionWithdrawn, &summary, None).await
}

/// Renders again the HTML of every approved snapshot an older renderer made, from its approved
/// Markdown (what it says does not change), a few at a time. Returns how many it stored.
pub async fn render_snapshots_again(conn: &mut PgConnection) -> Result<usize> {
    const BATCH: i64 = 50;
    let mut stored = 0;
    loop {
        let stale = db::public_versions::stale_snapshots(&mut *conn, RENDERER_VERSION, BATCH).await?;
        if stale.is_empty() {
            return Ok(stored);
        }
        let done = stale.len();
        let rendered = tokio::task::spawn_blocking(move || {
            stale.into_iter().map(|(id, document, was)| (id, rendered_again(document, was), was)).collect::<Vec<_>>()
        })
        .await
        .map_err(|error| ChangeError::Internal(format!("rendering public versions again: {error}")))?;
        for (id, document, was) in rendered {
            // One that changed meanwhile was made by the current renderer: it is not stale.
            if db::public_versions::store_snapshot_html(&mut *conn, id, &document, was, RENDERER_VERSION).await? {
                stored += 1;
            }
        }
        if done < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(stored);
        }
    }
}
