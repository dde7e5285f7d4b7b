//! The Import page: paste Markdown or upload `.md` files, see what was recognised, correct it,
//! and save every document as a draft postmortem, all in one transaction.
//!
//! Works without JavaScript. The first form posts to `/import/preview` (multipart, so files can
//! come along). The preview is one form that carries each document's Markdown and the
//! corrections (title, severity, start, end, offset); it posts to `/import` either to
//! preview again (after editing the Markdown or a correction) or to save.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::admission::Db;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Query};
use super::layout::Viewer;
use super::paths;
use crate::app::{self, Actor};
use crate::db;
use crate::domain::input::{FieldErrors, IncidentDraft, IncidentForm};
use crate::domain::limits;
use crate::domain::time::{self as t, Offset};
use crate::domain::{IncidentId, Severity};
use crate::import::draft::{self, Corrections, Drafts, ImportedPostmortem};
use crate::import::{self, Field};
use crate::markdown::SafeHtml;

/// Most documents in one import.
pub const MAX_DOCUMENTS: usize = 20;

/// Largest import request: twenty documents at the importer's limit, with room for the
/// preview form's URL encoding.
pub const MAX_IMPORT_REQUEST_BYTES: usize = 48 * 1024 * 1024;

// ---- The first page: paste or upload ----------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "import/start.html")]
pub struct StartPage {
    viewer: Viewer,
    markdown: String,
    error: Option<String>,
    max_documents: usize,
    max_kb: usize,
}

impl StartPage {
    fn new(viewer: Viewer, markdown: String, error: Option<String>) -> StartPage {
        StartPage { viewer, markdown, error, max_documents: MAX_DOCUMENTS, max_kb: import::MAX_IMPORT_BYTES / 1024 }
    }
}

pub async fn start(viewer: Viewer) -> StartPage {
    StartPage::new(viewer, String::new(), None)
}

/// Reads the pasted text and the uploaded files, and shows what was recognised in each.
pub async fn preview_upload(viewer: Viewer, request: Request) -> Result<Response> {
    let mut multipart = with_clean_part_headers(request).await?;
    let mut pasted = String::new();
    let mut uploads: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(shown_file_name);
        let bytes = field.bytes().await.map_err(multipart_error)?;
        match (name.as_str(), file_name) {
            ("markdown", _) => {
                pasted = String::from_utf8(bytes.to_vec()).map_err(|error| {
                    AppError::BadRequest(format!(
                        "The pasted text is not UTF-8 text (the first bad byte is at offset {}), so nothing was read. \
                         Paste it again from the original, or upload it as a file.",
                        error.utf8_error().valid_up_to()
                    ))
                })?;
            }
            // A file input with nothing chosen still sends an empty, unnamed part.
            ("files", Some(file_name)) if !(file_name.is_empty() && bytes.is_empty()) => {
                uploads.push((file_name, bytes.to_vec()));
            }
            _ => {}
        }
    }

    let mut documents = Vec::new();
    let mut rejected = Vec::new();
    if !pasted.trim().is_empty() {
        documents.push(DocumentForm::new(String::new(), pasted.clone()));
    }
    for (file_name, bytes) in uploads {
        // Bytes are checked here, before they become text, so a binary or UTF-16 file gets
        // its own message rather than a lossy conversion.
        match import::check_input(&bytes) {
            Ok(text) => documents.push(DocumentForm::new(file_name, text.to_owned())),
            Err(error) => rejected.push(Rejected { file_name, message: error.to_string() }),
        }
    }
    if documents.len() > MAX_DOCUMENTS {
        let message = format!("That is {} documents; import at most {MAX_DOCUMENTS} at a time.", documents.len());
        return Ok(StartPage::new(viewer, pasted, Some(message)).into_response());
    }
    if documents.is_empty() && rejected.is_empty() {
        let message = "Paste a Markdown postmortem or choose one or more .md files.".to_owned();
        return Ok(StartPage::new(viewer, pasted, Some(message)).into_response());
    }
    // Nothing readable at all is a refusal, with each file's reason on the page.
    let status = if documents.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let documents = recognise_all(documents).await?;
    Ok((status, PreviewPage::build(viewer, documents, rejected).await).into_response())
}

/// Recognises each document (CPU work on up to twenty large texts: off the async workers).
async fn recognise_all(forms: Vec<DocumentForm>) -> Result<Vec<Document>> {
    tokio::task::spawn_blocking(move || forms.into_iter().map(Document::recognise).collect())
        .await
        .map_err(|error| AppError::Internal(format!("recognising imported documents: {error}")))
}

/// The upload as multipart fields, its part headers cleaned first: the parser refuses a whole
/// upload whose part headers hold a control character (a file name sent as the client had
/// it), so each such character becomes a space. The body is already read whole
/// (`web::body`), so this costs one pass over it.
pub(super) async fn with_clean_part_headers(request: Request) -> Result<Multipart> {
    let (parts, body) = request.into_parts();
    let boundary = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').find_map(|param| param.trim().strip_prefix("boundary=")))
        .map(|boundary| boundary.trim_matches('"').to_owned());
    let body = match boundary {
        Some(boundary) => {
            let bytes =
                axum::body::to_bytes(body, MAX_IMPORT_REQUEST_BYTES).await.map_err(|_| AppError::PayloadTooLarge)?;
            Body::from(clean_part_headers(bytes.to_vec(), &boundary))
        }
        // Not multipart: the parser says so.
        None => body,
    };
    Multipart::from_request(Request::from_parts(parts, body), &())
        .await
        .map_err(|rejection| AppError::BadRequest(format!("The upload could not be read: {}", rejection.body_text())))
}

/// Replaces control characters in every part's headers (between a boundary line and the
/// blank line after it) with spaces; the parts' contents are left as they are.
fn clean_part_headers(mut body: Vec<u8>, boundary: &str) -> Vec<u8> {
    let find = |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).position(|window| window == needle);
    // A boundary line is the delimiter after a line break (or first in the body).
    let delimiter = format!("\r\n--{boundary}");
    let first = body.starts_with(&delimiter.as_bytes()[2..]).then_some(delimiter.len() - 2);
    let mut at = 0;
    let mut next_line = first;
    loop {
        let line = match next_line.take() {
            Some(line) => line,
            None => match find(&body[at..], delimiter.as_bytes()) {
                Some(found) => at + found + delimiter.len(),
                None => break,
            },
        };
        let Some(line_end) = find(&body[line..], b"\r\n") else { break };
        let headers = line + line_end + 2;
        let Some(headers_end) = find(&body[headers..], b"\r\n\r\n") else { break };
        for byte in &mut body[headers..headers + headers_end] {
            if (*byte < 0x20 && !matches!(*byte, b'\r' | b'\n' | b'\t')) || *byte == 0x7f {
                *byte = b' ';
            }
        }
        at = headers + headers_end + 4;
    }
    body
}

/// An uploaded file's name as the page shows it (and titles a document with none of its
/// own): without control characters, which no one types but a client may send, and which would
/// otherwise refuse the whole upload as a title that cannot be stored.
fn shown_file_name(name: &str) -> String {
    name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

pub(super) fn multipart_error(error: axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(format!("The upload could not be read: {}", error.body_text()))
    }
}

// ---- The preview form ------------------------------------------------------------------------

/// One document as the preview form carries it: its Markdown and the user's corrections. Empty
/// corrections take what the document says.
#[derive(Debug, Clone, Default)]
pub struct DocumentForm {
    pub file_name: String,
    pub source: String,
    pub leave_out: bool,
    /// Only the metadata fields are used; the prose comes from the document.
    pub corrections: IncidentForm,
}

impl DocumentForm {
    fn new(file_name: String, source: String) -> DocumentForm {
        DocumentForm { file_name, source, ..DocumentForm::default() }
    }

    fn set(&mut self, field: &str, value: String) {
        let corrections = &mut self.corrections;
        match field {
            "file_name" => self.file_name = value,
            "source" => self.source = value,
            "leave_out" => self.leave_out = !value.is_empty(),
            "title" => corrections.title = value,
            "severity" => corrections.severity = value,
            "started_at" => corrections.started_at = value,
            "ended_at" => corrections.ended_at = value,
            "utc_offset" => corrections.utc_offset = value,
            _ => {}
        }
    }
}

/// What the preview form's buttons ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Preview,
    Save,
}

/// Reads the preview form: fields are named `doc{N}-{field}`, one group per document.
fn read_preview_form(pairs: Vec<(String, String)>) -> Result<(Vec<DocumentForm>, Action)> {
    let mut documents: Vec<DocumentForm> = Vec::new();
    let mut action = Action::Preview;
    for (name, value) in pairs {
        if name == "action" {
            action = if value == "save" { Action::Save } else { Action::Preview };
            continue;
        }
        let Some((index, field)) = name.strip_prefix("doc").and_then(|rest| rest.split_once('-')) else {
            continue;
        };
        let index: usize = index.parse().map_err(|_| AppError::BadRequest(format!("Unknown form field {name}.")))?;
        if index >= MAX_DOCUMENTS {
            return Err(AppError::BadRequest(format!("Import at most {MAX_DOCUMENTS} documents at a time.")));
        }
        if documents.len() <= index {
            documents.resize_with(index + 1, DocumentForm::default);
        }
        documents[index].set(field, value);
    }
    Ok((documents, action))
}

/// The preview form, posted to preview again or to save.
pub async fn preview_or_save(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let (forms, action) = read_preview_form(pairs)?;
    let documents = recognise_all(forms).await?;
    let included: Vec<&Document> = documents.iter().filter(|d| !d.form.leave_out).collect();
    let ready: Option<Vec<&Drafts>> = included.iter().map(|d| d.drafts.as_ref()).collect();
    match ready {
        Some(drafts) if action == Action::Save && !drafts.is_empty() => {
            let owned: Vec<Drafts> = drafts.into_iter().cloned().collect();
            let ids = app::imports::save_all(&mut db, Actor::from(&user), &owned).await?;
            tracing::info!(drafts = ids.len(), "Imported Markdown postmortems");
            Ok(saved_redirect(&ids).into_response())
        }
        _ => {
            let mut page = PreviewPage::build(viewer, documents, Vec::new()).await;
            page.save_refused = action == Action::Save;
            // A refused save is a refusal (nothing was saved); a preview is a page like any.
            let status = if page.save_refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            Ok((status, page).into_response())
        }
    }
}

fn saved_redirect(ids: &[IncidentId]) -> Redirect {
    match ids {
        [id] => Redirect::to(&paths::incident(*id)),
        _ => Redirect::to(&paths::imported(ids)),
    }
}

/// A document recognised with the user's corrections applied.
pub struct Document {
    form: DocumentForm,
    /// Why the text cannot be imported at all (binary, empty, too long).
    rejected: Option<String>,
    imported: Option<ImportedPostmortem>,
    errors: FieldErrors,
    /// What would be saved, when nothing needs correcting.
    drafts: Option<Drafts>,
}

impl Document {
    fn recognise(mut form: DocumentForm) -> Document {
        let text = match import::check_input(form.source.as_bytes()) {
            Ok(text) => text,
            Err(error) => {
                let rejected = Some(error.to_string());
                return Document { form, rejected, imported: None, errors: FieldErrors::default(), drafts: None };
            }
        };
        let file_name = Some(form.file_name.as_str()).filter(|name| !name.is_empty());
        let mut imported = draft::recognise(text, file_name);
        // A start or offset the user changed is read as if the document had said it, so the
        // timeline's rows are dated and zoned by it.
        let corrections = changed_times(&form.corrections, &imported);
        if corrections != Corrections::default() {
            imported = draft::recognise_with(text, file_name, &corrections);
        }
        let (errors, drafts) = match correct(&mut imported, &mut form.corrections) {
            Ok(drafts) => (FieldErrors::default(), Some(drafts)),
            Err(errors) => (errors, None),
        };
        Document { form, rejected: None, imported: Some(imported), errors, drafts }
    }
}

/// Applies the user's corrections to a recognised document (blank ones are filled with what
/// the document says), validates the result exactly as the postmortem form would, checks it
/// against the limits the door will (so the preview shows what it would refuse), and gives
/// the rows to save. The API and the Import page both go through here.
pub(super) fn correct(
    imported: &mut ImportedPostmortem,
    corrections: &mut IncidentForm,
) -> Result<Drafts, FieldErrors> {
    // The offset typed where the document's zone is not one is the user's answer to that.
    if !corrections.utc_offset.trim().is_empty() {
        imported.zone_problem = None;
    }
    fill_blank_corrections(corrections, imported);
    let mut incident_form = corrections.clone();
    // Every import is saved as a draft (see `app::imports`); the document's status is a note.
    incident_form.status = String::new();
    incident_form.texts = imported.texts.map(|_, field| field.body.clone());
    // Where the document's zone is not one and no offset was chosen, no time was read (see
    // `ImportedPostmortem::to_drafts`): the record keeps the offset it was read in meanwhile.
    if imported.zone_problem.is_some() {
        incident_form.utc_offset = Offset::from_minutes(imported.utc_offset_minutes).to_string();
    }
    let incident = incident_form.validate()?;
    if !corrections.ended_at.trim().is_empty() {
        // The user said which end is right.
        imported.end_conflict = None;
    }
    apply_corrections(imported, &incident);
    let drafts = imported.to_drafts();
    // The authors' headings come from the document; the form has no place for them.
    let headings = drafts.incident.headings.clone();
    let drafts = Drafts { incident: IncidentDraft { headings, ..incident }, ..drafts };
    limits::check_postmortem(&drafts.incident, &drafts.timeline, &drafts.action_items, &drafts.sections)?;
    Ok(drafts)
}

/// Fills each empty correction with what the document says, so the form shows it.
fn fill_blank_corrections(corrections: &mut IncidentForm, imported: &ImportedPostmortem) {
    let offset = Offset::from_minutes(imported.utc_offset_minutes);
    let fill = |field: &mut String, value: String| {
        if field.trim().is_empty() {
            *field = value;
        }
    };
    fill(&mut corrections.title, imported.title.clone());
    fill(&mut corrections.severity, imported.severity.unwrap_or(Severity::Sev3).as_str().to_owned());
    // Not where the document's zone is not one: the user chooses it.
    if imported.zone_problem.is_none() {
        fill(&mut corrections.utc_offset, offset.to_string());
    }
    // Nor the times, which were not read in a zone the document did not state.
    if imported.zone_problem.is_none() {
        fill(
            &mut corrections.started_at,
            imported.started_at.map(|s| t::datetime_local_value(s, offset)).unwrap_or_default(),
        );
        fill(
            &mut corrections.ended_at,
            imported.ended_at.map(|e| t::datetime_local_value(e, offset)).unwrap_or_default(),
        );
    }
}

/// The start and offset the user typed, where they differ from what the document says.
fn changed_times(corrections: &IncidentForm, imported: &ImportedPostmortem) -> Corrections {
    let read_in = Offset::from_minutes(imported.utc_offset_minutes);
    let offset = Offset::parse(&corrections.utc_offset).ok().filter(|offset| *offset != read_in);
    let start = t::parse_local_datetime(&corrections.started_at, offset.unwrap_or(read_in))
        .filter(|start| Some(*start) != imported.started_at || offset.is_some());
    Corrections { start, offset }
}

/// Puts the validated corrections in place.
fn apply_corrections(imported: &mut ImportedPostmortem, incident: &IncidentDraft) {
    imported.title.clone_from(&incident.title);
    // The default the form was filled with is not the document's word (see `confidence`).
    if imported.severity.is_some() || incident.severity != Severity::Sev3 {
        imported.severity = Some(incident.severity);
    }
    imported.started_at = incident.started_at;
    imported.ended_at = incident.ended_at;
    imported.utc_offset_minutes = incident.offset.minutes();
}

/// A file that could not be read as a Markdown document.
pub struct Rejected {
    file_name: String,
    message: String,
}

// ---- What the preview shows -------------------------------------------------------------------

struct FieldView {
    label: &'static str,
    /// The author's heading, when it differs from the field's name.
    heading: Option<String>,
    html: SafeHtml,
    words: usize,
}

struct EntryView {
    time: Option<String>,
    iso: String,
    approximate: bool,
    html: SafeHtml,
}

struct ItemView {
    done: bool,
    html: SafeHtml,
    owner: String,
    team: String,
    due: String,
}

struct SectionView {
    heading: String,
    html: SafeHtml,
}

/// One document's card on the preview page.
struct DocumentView {
    index: usize,
    file_name: String,
    title: String,
    source: String,
    leave_out: bool,
    corrections: IncidentForm,
    rejected: Option<String>,
    errors: FieldErrors,
    /// Errors on fields the corrections do not show (a prose field over the size limit).
    other_errors: Vec<String>,
    zone: String,
    /// What was found, assumed and not said (`None`: the text could not be read at all).
    confidence: Option<import::confidence::Confidence>,
    fields: Vec<FieldView>,
    timeline: Vec<EntryView>,
    action_items: Vec<ItemView>,
    sections: Vec<SectionView>,
}

impl DocumentView {
    /// The Markdown the card shows, in the order [`DocumentView::new`] takes its HTML.
    fn markdown_of(document: &Document) -> Vec<String> {
        let Some(imported) = &document.imported else { return Vec::new() };
        let fields = imported.texts.iter().filter(|(_, field)| !field.body.trim().is_empty());
        let timeline = imported.timeline.iter().map(|entry| entry.text.clone());
        let items = imported.action_items.iter().map(|item| item.item.text.clone());
        let sections: Vec<String> = match &document.drafts {
            Some(drafts) => drafts.sections.iter().map(|s| s.body.clone()).collect(),
            None => imported.extra_sections.iter().map(|s| s.body.clone()).collect(),
        };
        fields.map(|(_, field)| field.body.clone()).chain(timeline).chain(items).chain(sections).collect()
    }

    /// The card of `document`, showing `html`: its Markdown rendered, as [`DocumentView::markdown_of`]
    /// lists it.
    fn new(index: usize, document: Document, html: &mut impl Iterator<Item = SafeHtml>) -> DocumentView {
        let Document { form, rejected, imported, errors, drafts } = document;
        let other_errors = errors
            .iter()
            .filter(|(field, _)| !CORRECTION_FIELDS.contains(field))
            .map(|(field, message)| format!("{}: {message}", field.replace('_', " ")))
            .collect();
        let mut view = DocumentView {
            index,
            title: if form.corrections.title.trim().is_empty() {
                form.file_name.clone()
            } else {
                form.corrections.title.clone()
            },
            file_name: form.file_name,
            source: form.source,
            leave_out: form.leave_out,
            corrections: form.corrections,
            rejected,
            errors,
            other_errors,
            zone: String::new(),
            confidence: None,
            fields: Vec::new(),
            timeline: Vec::new(),
            action_items: Vec::new(),
            sections: Vec::new(),
        };
        let Some(imported) = imported else { return view };
        let offset = Offset::from_minutes(imported.utc_offset_minutes);
        view.zone = imported.zone.clone();
        view.confidence = Some(imported.confidence());
        view.fields = imported
            .texts
            .iter()
            .filter(|(_, field)| !field.body.trim().is_empty())
            .map(|(section, field)| field_view(section.label(), field, html.next().unwrap_or_default()))
            .collect();
        view.timeline = imported
            .timeline
            .iter()
            .map(|entry| EntryView {
                time: entry.occurred_at.map(|at| t::format_full(at, offset)),
                iso: entry.occurred_at.map(|at| t::format_rfc3339(at, offset)).unwrap_or_default(),
                approximate: entry.approximate,
                html: html.next().unwrap_or_default(),
            })
            .collect();
        view.action_items = imported
            .action_items
            .iter()
            .map(|item| ItemView {
                done: item.is_done(),
                html: html.next().unwrap_or_default(),
                owner: item.item.owner.clone().unwrap_or_default(),
                team: item.item.team.clone().unwrap_or_default(),
                due: item.due_on.map(t::format_date).or_else(|| item.item.due.clone()).unwrap_or_default(),
            })
            .collect();
        // The extra sections as they will be saved (including timeline rows without a time),
        // or as found when the draft cannot be built yet.
        view.sections = match &drafts {
            Some(drafts) => drafts
                .sections
                .iter()
                .map(|s| SectionView { heading: s.heading.clone(), html: html.next().unwrap_or_default() })
                .collect(),
            None => imported
                .extra_sections
                .iter()
                .map(|s| SectionView { heading: s.heading.clone(), html: html.next().unwrap_or_default() })
                .collect(),
        };
        view
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    fn has_problems(&self) -> bool {
        self.rejected.is_some() || !self.errors.is_empty()
    }
}

/// The form fields the preview shows for each document.
const CORRECTION_FIELDS: &[&str] = &["title", "severity", "started_at", "ended_at", "utc_offset"];

fn field_view(label: &'static str, field: &Field, html: SafeHtml) -> FieldView {
    let heading = field
        .heading
        .as_ref()
        .filter(|heading| !heading.trim().eq_ignore_ascii_case(label))
        .map(|heading| heading.trim().to_owned());
    FieldView { label, heading, html, words: field.body.split_whitespace().count() }
}

#[derive(Template, WebTemplate)]
#[template(path = "import/preview.html")]
pub struct PreviewPage {
    viewer: Viewer,
    documents: Vec<DocumentView>,
    rejected: Vec<Rejected>,
    /// The user asked to save, and something needs correcting first.
    save_refused: bool,
    severities: &'static [Severity],
}

impl PreviewPage {
    /// The preview of `documents`. Nothing is stored yet, so their Markdown is rendered now
    /// (off the async workers, within a time budget: see `web::rendering`).
    async fn build(viewer: Viewer, documents: Vec<Document>, rejected: Vec<Rejected>) -> PreviewPage {
        let markdown = documents.iter().flat_map(DocumentView::markdown_of).collect();
        let mut html = super::rendering::render_all(markdown).await.into_iter();
        PreviewPage {
            viewer,
            documents: documents.into_iter().enumerate().map(|(i, d)| DocumentView::new(i, d, &mut html)).collect(),
            rejected,
            save_refused: false,
            severities: Severity::ALL,
        }
    }

    fn to_save(&self) -> usize {
        self.documents.iter().filter(|d| !d.leave_out).count()
    }

    fn needing_attention(&self) -> usize {
        self.documents.iter().filter(|d| !d.leave_out && d.has_problems()).count()
    }
}

// ---- After saving ---------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    ids: String,
}

struct SavedRow {
    id: IncidentId,
    title: String,
    started: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "import/saved.html")]
pub struct SavedPage {
    viewer: Viewer,
    rows: Vec<SavedRow>,
}

/// The drafts an import just saved, with links to each.
pub async fn saved(mut db: Db, viewer: Viewer, Query(query): Query<SavedQuery>) -> Result<SavedPage> {
    let ids: Vec<IncidentId> = query
        .ids
        .split(',')
        .filter(|id| !id.is_empty())
        .take(MAX_DOCUMENTS)
        .map(|id| id.trim().parse().map(IncidentId))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| AppError::BadRequest("The list of saved postmortems is malformed.".into()))?;
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        // A postmortem deleted since is simply not listed.
        if let Some(incident) = db::incidents::find(&mut *db, id).await? {
            rows.push(SavedRow {
                id,
                started: incident
                    .started_at
                    .map_or_else(|| "start not stated".to_owned(), |start| t::format_full(start, incident.offset)),
                title: incident.title,
            });
        }
    }
    Ok(SavedPage { viewer, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn the_preview_form_groups_fields_by_document() {
        let (documents, action) = read_preview_form(vec![
            pair("doc0-source", "# A"),
            pair("doc1-source", "# B"),
            pair("doc1-leave_out", "on"),
            pair("doc0-title", "Corrected"),
            pair("action", "save"),
        ])
        .expect("well formed");
        assert_eq!(action, Action::Save);
        assert_eq!(documents.len(), 2);
        assert_eq!(documents[0].corrections.title, "Corrected");
        assert!(!documents[0].leave_out);
        assert!(documents[1].leave_out);
        assert_eq!(documents[1].source, "# B");
    }

    #[test]
    fn control_characters_in_part_headers_become_spaces_and_contents_stay() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a\x01b.md\"\r\n\r\nx --b \x01\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\x7fc.md\"\r\n\r\n\x02\r\n--b--\r\n";
        let clean = clean_part_headers(body.to_vec(), "b");
        let expected = b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a b.md\"\r\n\r\nx --b \x01\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\" c.md\"\r\n\r\n\x02\r\n--b--\r\n";
        assert_eq!(String::from_utf8_lossy(&clean), String::from_utf8_lossy(expected));
    }

    #[test]
    fn the_preview_form_refuses_too_many_documents() {
        let name = format!("doc{MAX_DOCUMENTS}-source");
        assert!(read_preview_form(vec![pair(&name, "# A")]).is_err());
        assert!(read_preview_form(vec![pair("docx-source", "# A")]).is_err());
    }

    #[test]
    fn a_start_entered_in_the_preview_dates_the_timeline() {
        let source = "# Outage\n\n## Timeline\n\n- 23:50 Alert fired\n- 00:10 Rolled back\n";
        // No start: saved all the same, its rows kept undated in a section of their own.
        let undated = Document::recognise(DocumentForm::new(String::new(), source.to_owned()));
        let undated = undated.drafts.expect("saved without a start");
        assert_eq!(undated.incident.started_at, None);
        assert!(undated.timeline.is_empty());
        assert!(undated.sections.iter().any(|section| section.body.contains("23:50 Alert fired")), "{undated:?}");
        let mut form = DocumentForm::new(String::new(), source.to_owned());
        form.corrections.started_at = "2025-07-01T23:45".to_owned();
        form.corrections.utc_offset = "UTC-4".to_owned();
        let drafts = Document::recognise(form).drafts.expect("dated by the start");
        assert_eq!(drafts.incident.started_at, Some(time::macros::datetime!(2025-07-01 23:45 -04:00)));
        assert_eq!(drafts.timeline.len(), 2);
        assert_eq!(drafts.timeline[0].occurred_at, time::macros::datetime!(2025-07-01 23:50 -04:00));
        assert_eq!(drafts.timeline[1].occurred_at, time::macros::datetime!(2025-07-02 00:10 -04:00));
        assert!(drafts.sections.is_empty(), "{:?}", drafts.sections);
    }

    #[test]
    fn a_corrected_offset_rereads_the_timeline_wall_clock() {
        let source = "# Outage\n\n**Start:** 2025-03-01 10:15 UTC\n\n## Timeline\n\n- 10:15 Alert fired\n";
        let mut form = DocumentForm::new(String::new(), source.to_owned());
        form.corrections.utc_offset = "UTC+2".to_owned();
        form.corrections.started_at = "2025-03-01T10:15".to_owned();
        let document = Document::recognise(form);
        let drafts = document.drafts.expect("nothing to correct");
        assert_eq!(drafts.incident.started_at, Some(time::macros::datetime!(2025-03-01 10:15 +02:00)));
        assert_eq!(drafts.timeline[0].occurred_at, time::macros::datetime!(2025-03-01 10:15 +02:00));
    }
}
