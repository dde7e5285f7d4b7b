//! Creating, editing and deleting a postmortem's own fields.

use sqlx::{Connection, PgConnection};

use super::revisions::Step;
use super::{Actor, ChangeError, PostmortemChange, Result, expected_version, texts_html, within_limits};
use crate::db;
use crate::domain::input::{IncidentForm, SectionDraft};
use crate::domain::limits;
use crate::domain::{AuditAction, IncidentId, Status};
use crate::markdown::RENDERER_VERSION;

/// Creates a postmortem from the form. It starts as a draft whatever the form says: only its
/// review moves it on. Started from a template, it keeps the template's outline and has its
/// extra sections, empty.
pub async fn create(conn: &mut PgConnection, actor: Actor, form: &IncidentForm) -> Result<IncidentId> {
    let validated = form.validate();
    // The template's and the labels' refusals are shown with the fields' own, so every message
    // comes at once.
    let template = super::templates::chosen(&mut *conn, &form.template, form.severity.parse().ok()).await?;
    let labels = super::labels::checked(&mut *conn, form).await?;
    let (mut draft, template, labels) = match (validated, template, labels) {
        (Ok(draft), Ok(template), Ok(labels)) => (draft, template, labels),
        (validated, template, labels) => {
            let mut errors = validated.err().unwrap_or_default();
            errors.extend(template.err().unwrap_or_default());
            errors.extend(labels.err().unwrap_or_default());
            return Err(ChangeError::Invalid(errors));
        }
    };
    within_limits(|errors| limits::check_incident(errors, &draft))?;
    draft.status = Status::Draft;
    let html = texts_html(&draft.texts).await?;
    let mut tx = conn.begin().await?;
    let started_from = template.as_ref().map(|(id, outline)| (*id, outline));
    let id = db::incidents::insert(&mut *tx, &draft, &html, RENDERER_VERSION, started_from).await?;
    let mut change = PostmortemChange::created(tx, id, actor);
    for extra in template.iter().flat_map(|(_, outline)| outline.extras()) {
        let section = SectionDraft { heading: extra.heading.clone(), body: String::new() };
        db::sections::insert(change.conn(), id, &section, "", RENDERER_VERSION).await?;
    }
    super::labels::save(&mut change, &labels).await?;
    // The author's kept draft of the form is saved now: it goes with the same commit.
    if let Some(author) = actor.user() {
        db::form_drafts::discard(change.conn(), author, None).await?;
    }
    let summary = format!("Created the postmortem “{}”", draft.title);
    change.commit(AuditAction::IncidentCreated, &summary, Some(Step::Edit)).await?;
    tracing::info!(incident.id = %id, "Created a postmortem");
    Ok(id)
}

/// Saves the form over postmortem `id` if nobody saved it since the form was loaded (its
/// hidden version); otherwise [`ChangeError::Stale`]. The status stays as it is.
pub async fn update(conn: &mut PgConnection, actor: Actor, id: IncidentId, form: &IncidentForm) -> Result<()> {
    // Before the fields: a form without its version would come back without one again.
    let base_version = expected_version(form.base_version())?;
    let (mut draft, labels) = match (form.validate(), super::labels::checked(&mut *conn, form).await?) {
        (Ok(draft), Ok(labels)) => (draft, labels),
        (draft, labels) => {
            let mut errors = draft.err().unwrap_or_default();
            errors.extend(labels.err().unwrap_or_default());
            return Err(ChangeError::Invalid(errors));
        }
    };
    within_limits(|errors| limits::check_incident(errors, &draft))?;
    let html = texts_html(&draft.texts).await?;
    let (mut change, current) = PostmortemChange::begin_reading(&mut *conn, id, actor).await?;
    draft.status = current.status;
    // Only a draft may leave its start blank (the form cannot tell: it does not send the status).
    if draft.started_at.is_none() && current.status != Status::Draft {
        return Err(ChangeError::field("started_at", crate::domain::START_MISSING));
    }
    if db::incidents::update(change.conn(), id, base_version, &draft, &html, RENDERER_VERSION).await?.is_none() {
        tracing::info!(incident.id = %id, base_version, current_version = current.version, "Refused a stale edit");
        return Err(ChangeError::Stale);
    }
    // A time typed over its marked entry's (or kept so with the box ticked) is set by hand and
    // stays; one left as it was follows the entry again.
    let (marked_start, marked_end) = db::timeline::marked_span(change.conn(), id).await?;
    // A start left blank follows its marked entry, if there is one.
    let start_by_hand = marked_start.is_some()
        && draft.started_at.is_some()
        && (ticked(&form.start_by_hand) || !same_minute(draft.started_at, current.started_at));
    let end_by_hand =
        marked_end.is_some() && (ticked(&form.end_by_hand) || !same_minute(draft.ended_at, current.ended_at));
    db::incidents::set_by_hand(change.conn(), id, start_by_hand, end_by_hand).await?;
    super::labels::save(&mut change, &labels).await?;
    let field = if marked_end.is_some() && !end_by_hand { "started_at" } else { "ended_at" };
    super::timeline::follow_markers(change.conn(), id, field).await?;
    if let Some(author) = actor.user() {
        db::form_drafts::discard(change.conn(), author, Some(id)).await?;
    }
    change.commit(AuditAction::IncidentEdited, "Edited the postmortem", Some(Step::Edit)).await?;
    tracing::info!(incident.id = %id, "Updated a postmortem");
    Ok(())
}

/// Deletes postmortem `id` with everything in it.
pub async fn delete(conn: &mut PgConnection, actor: Actor, id: IncidentId) -> Result<()> {
    let (mut change, incident) = PostmortemChange::begin_reading(&mut *conn, id, actor).await?;
    db::incidents::delete(change.conn(), id).await?;
    // Its file leaves every wiki that has it (a destination that never had it skips the job).
    db::wiki::enqueue_removal(change.conn(), id, &incident.title, actor.user()).await?;
    let summary = format!("Deleted the postmortem “{}”", incident.title);
    change.commit(AuditAction::IncidentDeleted, &summary, None).await?;
    tracing::info!(incident.id = %id, "Deleted a postmortem");
    Ok(())
}

/// A ticked check box's value.
fn ticked(value: &str) -> bool {
    matches!(value.trim(), "on" | "true" | "1")
}

/// Whether two times are the same to the minute (what the form shows), or both absent.
fn same_minute(a: Option<time::OffsetDateTime>, b: Option<time::OffsetDateTime>) -> bool {
    let minute = |at: time::OffsetDateTime| at.unix_timestamp().div_euclid(60);
    a.map(minute) == b.map(minute)
}
