//! Timeline entries: added, edited and deleted one at a time, an edit or deletion only from
//! the version the person saw.

use sqlx::PgConnection;

use super::revisions::Step;
use super::{
    Actor, ChangeError, PostmortemChange, Result, check_version, expected_version, has_room, html, within_limits,
};
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
    // `+5m` counts from the latest entry, read under the postmortem's lock.
    let previous =
        if form.time.trim_start().starts_with('+') { db::timeline::latest(change.conn(), id).await? } else { None };
    let draft = form.validate_after(&incident, previous).map_err(ChangeError::Invalid)?;
    within_limits(|errors| limits::check_entry(errors, &draft, incident.offset, None))?;
    has_room(&mut change, limits::Part::TimelineEntry).await?;
    let entry = db::timeline::insert(change.conn(), id, &draft, &html(&draft.body), RENDERER_VERSION).await?;
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
    if !db::timeline::update(change.conn(), id, entry, expected, &draft, &html(&draft.body), RENDERER_VERSION).await? {
        return Err(ChangeError::Stale);
    }
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
