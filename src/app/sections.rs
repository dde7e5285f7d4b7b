//! Extra sections: anything the standard sections do not cover, each with its own heading.

use sqlx::PgConnection;

use super::revisions::Step;
use super::{Actor, ChangeError, PostmortemChange, Result, has_room, html, within_limits};
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

/// Replaces section `section` of postmortem `id`.
pub async fn edit(
    conn: &mut PgConnection,
    actor: Actor,
    id: IncidentId,
    section: SectionId,
    form: &SectionForm,
) -> Result<()> {
    let draft = form.validate().map_err(ChangeError::Invalid)?;
    within_limits(|errors| limits::check_section(errors, &draft, None))?;
    let body_html = html(&draft.body);
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    if !db::sections::update(change.conn(), id, section, &draft, &body_html, RENDERER_VERSION).await? {
        return Err(ChangeError::NotFound);
    }
    let summary = format!("Edited the section “{}”", draft.heading);
    change.commit(AuditAction::SectionEdited, &summary, Some(Step::Edit)).await
}

/// Deletes section `section` of postmortem `id`.
pub async fn delete(conn: &mut PgConnection, actor: Actor, id: IncidentId, section: SectionId) -> Result<()> {
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    if !db::sections::delete(change.conn(), id, section).await? {
        return Err(ChangeError::NotFound);
    }
    change.commit(AuditAction::SectionDeleted, "Deleted a section", Some(Step::Edit)).await
}
