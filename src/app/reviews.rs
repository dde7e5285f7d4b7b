//! The review of a postmortem: an author submits a complete draft, a manager approves it
//! (publishing it) or sends it back saying what to change, and anyone who writes can comment.
//! Each step is a comment of its own kind, an audit record and, when the status moves, a
//! revision.

use sqlx::PgConnection;

use super::revisions::Step;
use super::{Actor, ChangeError, PostmortemChange, Result, html};
use crate::db;
use crate::domain::{AuditAction, CommentKind, IncidentId, ReviewRule, Status, UserId};
use crate::markdown::RENDERER_VERSION;

/// Longest comment, and longest text said with a review step, in characters.
pub const MAX_COMMENT_CHARS: usize = 20_000;

/// Why a comment cannot be kept, if it cannot: a NUL (PostgreSQL refuses it) or too much text.
fn unstorable(text: &str) -> Option<ChangeError> {
    if text.contains('\0') {
        return Some(ChangeError::Refused("What you wrote contains a NUL character, which cannot be stored.".into()));
    }
    (text.trim().chars().count() > MAX_COMMENT_CHARS)
        .then(|| ChangeError::Refused(format!("Keep what you say to {MAX_COMMENT_CHARS} characters.")))
}

/// A step of the review: from one status to another, said by `author` with `text`.
struct Move {
    from: Status,
    to: Status,
    kind: CommentKind,
    action: AuditAction,
    /// Why the step is refused when the postmortem is not at `from`.
    out_of_turn: &'static str,
    /// The review rule its severity must have for the step (`None`: any).
    needs: Option<ReviewRule>,
}

async fn take(conn: &mut PgConnection, author: UserId, id: IncidentId, step: Move, text: &str) -> Result<()> {
    if let Some(refused) = unstorable(text) {
        return Err(refused);
    }
    let mut change = PostmortemChange::begin(&mut *conn, id, Actor::Person(author)).await?;
    let postmortem = db::postmortems::find(change.conn(), id).await?.ok_or(ChangeError::NotFound)?;
    if postmortem.incident.status != step.from {
        return Err(ChangeError::Refused(step.out_of_turn.to_owned()));
    }
    let severity = postmortem.incident.severity;
    // Read under the postmortem's lock and held until the commit: an admin changing the rule
    // now waits for this step, or this step for them.
    let rule = db::templates::rule(change.conn(), severity).await?.map_or(ReviewRule::Manager, |rule| rule.review);
    match step.needs {
        Some(ReviewRule::Author) if rule != ReviewRule::Author => {
            return Err(ChangeError::Refused(format!(
                "{severity} postmortems are approved by a manager: submit it for review instead."
            )));
        }
        Some(ReviewRule::Manager) if rule != ReviewRule::Manager => {
            return Err(ChangeError::Refused(format!(
                "{severity} postmortems need no approval: publish it yourself once it is complete."
            )));
        }
        _ => {}
    }
    if step.from == Status::Draft && step.to != Status::Draft && !postmortem.missing_for_review().is_empty() {
        let what = if step.to == Status::Published { "to publish" } else { "for review" };
        return Err(ChangeError::Refused(format!("Not ready {what} yet: complete the list below first.")));
    }
    db::reviews::move_status(change.conn(), id, step.from, step.to).await?;
    db::reviews::add(change.conn(), id, author, step.kind, text.trim(), &html(text.trim()), RENDERER_VERSION).await?;
    let summary = format!("Moved the postmortem from {} to {}", step.from.label(), step.to.label());
    let revision = if step.to == Status::Published { Step::Publish } else { Step::Review };
    change.commit(step.action, &summary, Some(revision)).await
}

/// Submits a complete draft for review.
pub async fn submit(conn: &mut PgConnection, author: UserId, id: IncidentId, text: &str) -> Result<()> {
    let step = Move {
        from: Status::Draft,
        to: Status::InReview,
        kind: CommentKind::Submitted,
        action: AuditAction::IncidentSubmitted,
        out_of_turn: "Only a draft can be submitted for review.",
        needs: Some(ReviewRule::Manager),
    };
    take(&mut *conn, author, id, step, text).await
}

/// Publishes a complete draft whose severity needs no approval (its rule is `author`).
pub async fn publish(conn: &mut PgConnection, author: UserId, id: IncidentId, text: &str) -> Result<()> {
    let step = Move {
        from: Status::Draft,
        to: Status::Published,
        kind: CommentKind::Published,
        action: AuditAction::IncidentPublished,
        out_of_turn: "Only a draft can be published.",
        needs: Some(ReviewRule::Author),
    };
    take(&mut *conn, author, id, step, text).await
}

/// Approves a postmortem in review, which publishes it.
pub async fn approve(conn: &mut PgConnection, author: UserId, id: IncidentId, text: &str) -> Result<()> {
    let step = Move {
        from: Status::InReview,
        to: Status::Published,
        kind: CommentKind::Approved,
        action: AuditAction::IncidentApproved,
        out_of_turn: "Only a postmortem in review can be approved.",
        needs: None,
    };
    take(&mut *conn, author, id, step, text).await
}

/// Sends a postmortem in review back to its authors, saying what to change.
pub async fn send_back(conn: &mut PgConnection, author: UserId, id: IncidentId, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(ChangeError::Refused("Say what should change before sending it back.".to_owned()));
    }
    let step = Move {
        from: Status::InReview,
        to: Status::Draft,
        kind: CommentKind::ChangesRequested,
        action: AuditAction::IncidentSentBack,
        out_of_turn: "Only a postmortem in review can be sent back.",
        needs: None,
    };
    take(&mut *conn, author, id, step, text).await
}

/// Adds a comment to the review discussion.
pub async fn comment(conn: &mut PgConnection, author: UserId, id: IncidentId, text: &str) -> Result<()> {
    if let Some(refused) = unstorable(text) {
        return Err(refused);
    }
    let body = text.trim();
    if body.is_empty() {
        return Err(ChangeError::Refused(format!("Write a comment (up to {MAX_COMMENT_CHARS} characters).")));
    }
    let body_html = html(body);
    let mut change = PostmortemChange::begin(&mut *conn, id, Actor::Person(author)).await?;
    db::reviews::add(change.conn(), id, author, CommentKind::Comment, body, &body_html, RENDERER_VERSION).await?;
    // A comment is not part of the document: no revision.
    change.commit(AuditAction::IncidentCommented, "Commented on the review", None).await
}
