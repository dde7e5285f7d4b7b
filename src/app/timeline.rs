//! Timeline entries: added, edited and deleted one at a time, an edit or deletion only from
//! the version the person saw.

use sqlx::PgConnection;

use super::revisions::Step;
use super::{
    Actor, ChangeError, PostmortemChange, Result, check_version, expected_version, has_room, html, within_limits,
};
use crate::db;
use crate::domain::input::{TimelineDraft, TimelineForm};
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
    // `+5m` counts from the latest entry, read under the postmortem's lock.
    let previous =
        if form.time.trim_start().starts_with('+') { db::timeline::latest(change.conn(), id).await? } else { None };
    let draft = form.validate_after(&incident, previous).map_err(ChangeError::Invalid)?;
    within_limits(|errors| limits::check_entry(errors, &draft, incident.offset, None))?;
    has_room(&mut change, limits::Part::TimelineEntry).await?;
    if let Some(marker) = draft.marker {
        db::timeline::unmark(change.conn(), id, marker, None).await?;
    }
    let entry = db::timeline::insert(change.conn(), id, &draft, &html(&draft.body), RENDERER_VERSION).await?;
    follow_markers(change.conn(), id, marker_field(&draft)).await?;
    change.commit(AuditAction::TimelineAdded, "Added a timeline entry", Some(Step::Edit)).await?;
    Ok(entry)
}

/// Adds several entries to postmortem `id` at once (a pasted timeline): all of them, or, if
/// any is refused, none (the message says which, by its place in `forms`, from 1).
pub async fn add_many(conn: &mut PgConnection, actor: Actor, id: IncidentId, forms: &[TimelineForm]) -> Result<usize> {
    let (mut change, incident) = PostmortemChange::begin_reading(&mut *conn, id, actor).await?;
    let mut drafts = Vec::with_capacity(forms.len());
    for (n, form) in forms.iter().enumerate() {
        let refused = |errors: crate::domain::input::FieldErrors| {
            let why: Vec<&str> = errors.iter().map(|(_, message)| message).collect();
            ChangeError::Refused(format!("Entry {} was not added: {}", n + 1, why.join(" ")))
        };
        let draft = form.validate(&incident).map_err(refused)?;
        within_limits(|errors| limits::check_entry(errors, &draft, incident.offset, None)).map_err(
            |error| match error {
                ChangeError::Invalid(errors) => refused(errors),
                other => other,
            },
        )?;
        drafts.push(draft);
    }
    super::has_room_for(&mut change, limits::Part::TimelineEntry, drafts.len()).await?;
    for draft in &drafts {
        db::timeline::insert(change.conn(), id, draft, &html(&draft.body), RENDERER_VERSION).await?;
    }
    let summary = format!("Added {} timeline entries at once", drafts.len());
    change.commit(AuditAction::TimelineAdded, &summary, Some(Step::Edit)).await?;
    Ok(drafts.len())
}

/// Replaces entry `entry` of postmortem `id` if nobody saved it since the form was loaded (its
/// hidden version, which it must give); otherwise [`ChangeError::Stale`].
pub async fn edit(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    entry: TimelineEntryId,
    form: &TimelineForm,
) -> Result<()> {
    let expected = expected_version(form.base_version())?;
    let (mut change, incident) = PostmortemChange::begin_reading(&mut *conn, id, actor).await?;
    // Stale before the fields: the person then sees what changed, not a complaint about it.
    check_version(db::timeline::version(change.conn(), id, entry).await?, expected)?;
    let draft = form.validate(&incident).map_err(ChangeError::Invalid)?;
    within_limits(|errors| limits::check_entry(errors, &draft, incident.offset, None))?;
    if let Some(marker) = draft.marker {
        db::timeline::unmark(change.conn(), id, marker, Some(entry)).await?;
    }
    if !db::timeline::update(change.conn(), id, entry, expected, &draft, &html(&draft.body), RENDERER_VERSION).await? {
        return Err(ChangeError::Stale);
    }
    follow_markers(change.conn(), id, marker_field(&draft)).await?;
    change.commit(AuditAction::TimelineEdited, "Edited a timeline entry", Some(Step::Edit)).await
}

/// Deletes entry `entry` of postmortem `id` if it is still at `version`, the version of the
/// page the deletion was asked from; otherwise [`ChangeError::Stale`]. Deleting is checked like
/// saving: whoever deletes decided on the entry as they saw it, and someone who saved it since
/// may have made it into something worth keeping (two entries merged into one, say).
pub async fn delete(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    entry: TimelineEntryId,
    version: Option<i32>,
) -> Result<()> {
    let expected = expected_version(version)?;
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    check_version(db::timeline::version(change.conn(), id, entry).await?, expected)?;
    if !db::timeline::delete(change.conn(), id, entry, expected).await? {
        return Err(ChangeError::Stale);
    }
    change.commit(AuditAction::TimelineDeleted, "Deleted a timeline entry", Some(Step::Edit)).await
}

/// The form field a refusal by [`follow_markers`] is shown at: the marker when the entry has one
/// (marking it is what moved the times), else its time.
fn marker_field(draft: &TimelineDraft) -> &'static str {
    if draft.marker.is_some() { "marker" } else { "time" }
}

/// Moves the postmortem's start and end to the times of its entries marked impact started and
/// resolved, where they follow them (were not set by hand over them). Refused, as a message at
/// `field`, when the incident would then end before its impact started.
pub(super) async fn follow_markers(conn: &mut PgConnection, id: IncidentId, field: &'static str) -> Result<()> {
    let (marked_start, marked_end) = db::timeline::marked_span(&mut *conn, id).await?;
    if marked_start.is_none() && marked_end.is_none() {
        return Ok(());
    }
    let span = db::incidents::span(&mut *conn, id).await?.ok_or(ChangeError::NotFound)?;
    let start = marked_start.filter(|_| !span.start_set_by_hand).or(span.started_at);
    let end = marked_end.filter(|_| !span.end_set_by_hand).or(span.ended_at);
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        return Err(ChangeError::field(
            field,
            "The incident would then end before its impact started: the entry marked Resolved (or the end \
             set by hand) must not come before the entry marked Impact started (or the start set by hand).",
        ));
    }
    if (start, end) != (span.started_at, span.ended_at) {
        db::incidents::move_span(&mut *conn, id, start, end).await?;
    }
    Ok(())
}
