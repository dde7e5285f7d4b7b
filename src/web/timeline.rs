//! Timeline entries: added from the postmortem page, edited on their own page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use super::AppState;
use super::admission::Db;
use super::auth::CurrentUser;
use super::conflict::{Conflict, DeleteForm};
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::paths;
use super::postmortem::{PendingForms, render_show};
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{FieldErrors, TimelineForm};
use crate::domain::time as t;
use crate::domain::{Incident, IncidentId, TimelineEntryId};

#[derive(Template, WebTemplate)]
#[template(path = "timeline/edit.html")]
pub struct EditPage {
    viewer: Viewer,
    incident_id: IncidentId,
    incident_title: String,
    entry_id: TimelineEntryId,
    time_label: String,
    form: TimelineForm,
    errors: FieldErrors,
    /// Set when someone saved the entry after this page was loaded.
    conflict: Option<Conflict>,
}

impl EditPage {
    fn new(viewer: Viewer, incident: &Incident, entry_id: TimelineEntryId, form: TimelineForm) -> EditPage {
        EditPage {
            viewer,
            incident_id: incident.id,
            incident_title: incident.title.clone(),
            entry_id,
            time_label: format!("Time ({})", incident.offset),
            form,
            errors: FieldErrors::default(),
            conflict: None,
        }
    }
}

/// The postmortem, and its entry as saved now with the form that edits it.
async fn saved(db: &mut PgConnection, id: IncidentId, entry_id: TimelineEntryId) -> Result<(Incident, TimelineForm)> {
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let entry = db::timeline::find(&mut *db, id, entry_id).await?.ok_or(AppError::NotFound)?;
    let form = TimelineForm::from_entry(&entry.row, entry.version, incident.offset);
    Ok((incident, form))
}

/// The name of the marker stored as `key` (empty for none), as the form lists it.
fn marker_label(key: &str) -> String {
    key.parse::<crate::domain::Marker>().map(|marker| marker.label().to_owned()).unwrap_or_default()
}

fn anchor(id: IncidentId) -> Redirect {
    Redirect::to(&paths::incident_timeline(id))
}

pub async fn create(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<TimelineForm>,
) -> Result<Response> {
    match app::timeline::add(&mut db, Actor::from(&user), id, &form).await {
        Ok(_) => Ok(anchor(id).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            render_show(
                &state,
                &mut db,
                viewer,
                id,
                PendingForms { entry: Some((form, errors)), ..PendingForms::default() },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn edit(
    mut db: Db,
    viewer: Viewer,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
) -> Result<EditPage> {
    let (incident, form) = saved(&mut db, id, entry_id).await?;
    Ok(EditPage::new(viewer, &incident, entry_id, form))
}

pub async fn update(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
    Form(form): Form<TimelineForm>,
) -> Result<Response> {
    let errors = match app::timeline::edit(&mut db, Actor::from(&user), id, entry_id, &form).await {
        Ok(()) => return Ok(anchor(id).into_response()),
        Err(ChangeError::Invalid(errors)) => errors,
        Err(ChangeError::Stale) => {
            // Someone saved it since this form loaded: keep what was typed, show theirs, and
            // move the form to their version so that saving again knowingly replaces it.
            let (incident, theirs) = saved(&mut db, id, entry_id).await?;
            let conflict = Conflict::save([
                ("Date", theirs.date.as_str(), form.date.as_str(), theirs.date.clone()),
                ("Time", theirs.time.as_str(), form.time.as_str(), theirs.time.clone()),
                ("What happened", theirs.body.as_str(), form.body.as_str(), theirs.body.clone()),
                ("Marks", theirs.marker.as_str(), form.marker.as_str(), marker_label(&theirs.marker)),
            ]);
            let mut page = EditPage::new(viewer, &incident, entry_id, TimelineForm { version: theirs.version, ..form });
            page.conflict = Some(conflict);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let mut page = EditPage::new(viewer, &incident, entry_id, form);
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn delete(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path((id, entry_id)): Path<(IncidentId, TimelineEntryId)>,
    Form(form): Form<DeleteForm>,
) -> Result<Response> {
    match app::timeline::delete(&mut db, Actor::from(&user), id, entry_id, form.version()).await {
        Ok(()) => Ok(anchor(id).into_response()),
        // Someone saved it since the page loaded: not deleted; their version is shown instead.
        Err(ChangeError::Stale) => {
            let (incident, theirs) = saved(&mut db, id, entry_id).await?;
            let mut page = EditPage::new(viewer, &incident, entry_id, theirs);
            page.conflict = Some(Conflict::deletion());
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

// ---- Pasting many entries at once -------------------------------------------------------------

/// One pasted line, as the page lists it.
pub struct PastedRow {
    index: usize,
    /// Its date and time in the postmortem's offset, when a time was found.
    when: Option<String>,
    author: Option<String>,
    text: String,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "timeline/paste.html")]
pub struct PastePage {
    viewer: Viewer,
    id: IncidentId,
    title: String,
    offset: String,
    text: String,
    /// A fingerprint of the text the rows were read from: a text edited since is read again
    /// before anything is added.
    read: String,
    rows: Vec<PastedRow>,
    /// How many rows have a time (and so can be added).
    timed: usize,
    error: Option<String>,
}

/// The hex SHA-256 of `text`.
fn fingerprint(text: &str) -> String {
    crate::auth::token::digest(text).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The paste form's fields: URL-encoded, or multipart when a file was chosen (its text then
/// stands for the pasted text, as a `text` field after the typed one).
async fn paste_fields(request: Request) -> Result<Vec<(String, String)>> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !multipart {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, &()).await?;
        return Ok(pairs);
    }
    let mut fields = super::import::with_clean_part_headers(request).await?;
    let mut pairs = Vec::new();
    while let Some(field) = fields.next_field().await.map_err(super::import::multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field.file_name().is_some();
        let bytes = field.bytes().await.map_err(super::import::multipart_error)?;
        if is_file && bytes.is_empty() {
            continue; // a file input with nothing chosen
        }
        if is_file {
            // Checked as an import's files are: a binary or UTF-16 file gets its own message.
            let text = crate::import::check_input(&bytes)
                .map_err(|error| AppError::Refused(format!("The file was not read: {error}")))?;
            pairs.push(("text".to_owned(), text.to_owned()));
        } else {
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::BadRequest("A field of the form is not UTF-8 text, so nothing was read.".into())
            })?;
            pairs.push((name, text));
        }
    }
    Ok(pairs)
}

/// `POST /incidents/{id}/timeline/paste`: reads pasted lines or a chosen file (`action=read`)
/// and shows each with the time read, or adds the ticked ones (`action=add`), all at once or
/// none.
pub async fn paste(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    request: Request,
) -> Result<Response> {
    let (mut text, mut action, mut read, mut keep) = (String::new(), String::new(), String::new(), Vec::new());
    for (name, value) in paste_fields(request).await? {
        match name.as_str() {
            // A chosen file comes after the text box, and wins unless it was empty.
            "text" if !value.trim().is_empty() || text.is_empty() => text = value,
            "text" => {}
            "action" => action = value,
            "read" => read = value,
            "keep" => keep.extend(value.parse::<usize>().ok()),
            _ => {}
        }
    }
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let offset = incident.offset;
    let first_day = incident.started_at.map(|start| crate::domain::time::local(start, offset).date());
    // The importer's reading is CPU work on up to 2 MB: off the async workers.
    let pasted = text.clone();
    let (lines, dated) = tokio::task::spawn_blocking(move || {
        let lines = crate::import::paste::read(&pasted, offset.to_utc_offset());
        let dated = crate::import::paste::dated(&lines, first_day);
        (lines, dated)
    })
    .await
    .map_err(|error| AppError::Internal(format!("reading a pasted timeline: {error}")))?;
    let same_text = read == fingerprint(&text);
    let mut page = PastePage {
        viewer,
        id,
        title: incident.title.clone(),
        offset: offset.to_string(),
        read: fingerprint(&text),
        rows: Vec::new(),
        timed: dated.iter().flatten().count(),
        error: None,
        text,
    };
    let rows = lines.iter().zip(&dated).enumerate().map(|(index, (line, when))| PastedRow {
        index,
        when: when.map(|(date, time)| format!("{} {}", t::format_date(date), t::format_hm(time))),
        author: line.author.clone(),
        text: line.text.clone(),
        checked: when.is_some() && (action != "add" || keep.contains(&index)),
    });
    page.rows = rows.collect();
    if action != "add" {
        return Ok(page.into_response());
    }
    if !same_text {
        page.error = Some("The text changed since it was read: check the lines below, then add them.".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let forms: Vec<TimelineForm> = lines
        .iter()
        .zip(&dated)
        .enumerate()
        .filter(|(index, _)| keep.contains(index))
        .filter_map(|(_, (line, when))| {
            let (date, time) = (*when)?;
            Some(TimelineForm {
                date: t::format_date(date),
                time: t::format_hm(time),
                body: line.body(),
                ..TimelineForm::default()
            })
        })
        .collect();
    if forms.is_empty() {
        page.error = Some("Tick at least one line that has a time.".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match app::timeline::add_many(&mut db, Actor::from(&user), id, &forms).await {
        Ok(_) => Ok(anchor(id).into_response()),
        Err(ChangeError::Refused(message)) => {
            page.error = Some(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ChangeError::Invalid(errors)) => {
            page.error = Some(errors.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" "));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
