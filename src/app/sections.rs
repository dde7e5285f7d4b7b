//! Extra sections: anything the standard sections do not cover, each with its own heading.

use sqlx::PgConnection;

use super::revisions::Step;
use super::{
    Actor, ChangeError, PostmortemChange, Result, check_version, expected_version, has_room, html, within_limits,
};
use crate::db;
use crate::domain::input::SectionForm;
use crate::domain::limits;
use crate::domain::{AuditAction, IncidentId, SectionId};
use crate::markdown::RENDERER_VERSION;

/// Adds a section to postmortem `id`.
pub async fn add(conn: &mut PgConnection, actor: Actor, id: IncidentId, form: &SectionForm) -> Result<SectionId> {
    let draft = form.validate().map_err(ChangeError::Invalid)?;
    within_limits(|errors| limits::check_section(errors, &draft, None))?;
    let body_html = html(&draft.body);
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    has_room(&mut change, limits::Part::ExtraSection).await?;
    let section = db::sections::insert(change.conn(), id, &draft, &body_html, RENDERER_VERSION).await?;
    let summary = format!("Added the section “{}”", draft.heading);
    change.commit(AuditAction::SectionAdded, &summary, Some(Step::Edit)).await?;
    Ok(section)
}

/// Replaces section `section` of postmortem `id` if nobody saved it since the form was loaded
/// (its hidden version, which it must give); otherwise [`ChangeError::Stale`].
pub async fn edit(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    section: SectionId,
    form: &SectionForm,
) -> Result<()> {
    // Before the fields: a form without its version would come back without one again.
    let expected = expected_version(form.base_version())?;
    let draft = form.validate().map_err(ChangeError::Invalid)?;
    within_limits(|errors| limits::check_section(errors, &draft, None))?;
    let body_html = html(&draft.body);
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    check_version(db::sections::version(change.conn(), id, section).await?, expected)?;
    if !db::sections::update(change.conn(), id, section, expected, &draft, &body_html, RENDERER_VERSION).await? {
        return Err(ChangeError::Stale);
    }
    let summary = format!("Edited the section “{}”", draft.heading);
    change.commit(AuditAction::SectionEdited, &summary, Some(Step::Edit)).await
}

/// Deletes section `section` of postmortem `id` if it is still at `version`, the version of the
/// page the deletion was asked from; otherwise [`ChangeError::Stale`] (as for a timeline entry:
/// someone who saved it since may have made it worth keeping).
pub async fn delete(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    section: SectionId,
    version: Option<i32>,
) -> Result<()> {
    let expected = expected_version(version)?;
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    check_version(db::sections::version(change.conn(), id, section).await?, expected)?;
    if !db::sections::delete(change.conn(), id, section, expected).await? {
        return Err(ChangeError::Stale);
    }
    change.commit(AuditAction::SectionDeleted, "Deleted a section", Some(Step::Edit)).await
}
