//! Drafts of the postmortem form: what a person typed and has not saved, kept as they type (by
//! the page's script) so that a closed tab, an expired session or a restarted server loses
//! nothing. A draft is not a change to the postmortem (no audit entry, no revision): the save
//! that follows is, and it discards the draft in its own transaction (see `postmortems`).

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::{ChangeError, Result};
use crate::db;
use crate::db::form_drafts::FormDraft;
use crate::domain::input::IncidentForm;
use crate::domain::{IncidentId, UserId};

/// Keeps `form` as `person`'s draft of `incident`'s form (`None`: a new postmortem). Returns
/// when it was kept.
pub async fn keep(
    conn: &mut PgConnection,
    person: UserId,
    incident: Option<IncidentId>,
    form: &IncidentForm,
) -> Result<OffsetDateTime> {
    // PostgreSQL's JSON cannot hold NUL, and no save would take it either.
    let fields = serde_json::to_value(form).map_err(|error| ChangeError::Internal(error.to_string()))?;
    if fields.as_object().into_iter().flatten().any(|(_, value)| value.as_str().is_some_and(|text| text.contains('\0')))
    {
        return Err(ChangeError::field("form", "The text contains a NUL character, which cannot be kept."));
    }
    match db::form_drafts::keep(&mut *conn, person, incident, &fields, form.base_version()).await {
        Ok(kept) => Ok(kept),
        // The postmortem is not there (or was just deleted): its foreign key says so.
        Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => Err(ChangeError::NotFound),
        Err(error) => Err(error.into()),
    }
}

/// `person`'s kept draft of `incident`'s form, as the form to show again.
pub async fn find(
    conn: &mut PgConnection,
    person: UserId,
    incident: Option<IncidentId>,
) -> Result<Option<(IncidentForm, FormDraft)>> {
    let Some(draft) = db::form_drafts::find(&mut *conn, person, incident).await? else { return Ok(None) };
    // A draft kept by an older Hindsight whose form had other fields still reads: missing
    // fields are empty, unknown ones are ignored.
    let form = serde_json::from_value(draft.fields.clone()).unwrap_or_default();
    Ok(Some((form, draft)))
}

/// Drops `person`'s draft of `incident`'s form.
pub async fn discard(conn: &mut PgConnection, person: UserId, incident: Option<IncidentId>) -> Result<()> {
    Ok(db::form_drafts::discard(&mut *conn, person, incident).await?)
}
