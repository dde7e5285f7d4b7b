//! Postmortems as a whole: the index, the form (new, edit, conflict) and deleting one. The
//! postmortem page itself is `postmortem.rs`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::admission::Db;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Path, Query};
use super::kept::CountOf;
use super::layout::Viewer;
use super::paths;
use super::postmortem::TimeView;
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{FieldErrors, IncidentForm};
use crate::domain::time as t;
use crate::domain::{FormGroup, Incident, IncidentId, PerSection, Section, Severity, Status};
use crate::markdown::SafeHtml;

/// Postmortems per index page.
pub const PAGE_SIZE: i64 = 25;

// ---- Index ------------------------------------------------------------------------------

struct IndexRow {
    id: IncidentId,
    title: String,
    severity: Severity,
    status: Status,
    started: TimeView,
    duration: String,
    open_action_items: i64,
    action_items: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/index.html")]
pub struct IndexPage {
    viewer: Viewer,
    rows: Vec<IndexRow>,
    page: i64,
    pages: i64,
    total: i64,
}

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    page: Option<i64>,
}

pub async fn index(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Query(query): Query<IndexQuery>,
) -> Result<IndexPage> {
    let page = query.page.unwrap_or(1);
    if page < 1 {
        return Err(AppError::BadRequest("Page numbers start at 1.".into()));
    }
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let (summaries, counter) = db::incidents::list_page(&mut *db, PAGE_SIZE, offset).await?;
    // The page's rows bring the counter; an empty page asks for it.
    let counter = match counter {
        Some(counter) => counter,
        None => db::counters::current(&mut *db).await?.incidents,
    };
    let total = state.counts.get(CountOf::Postmortems, counter, db::incidents::count(&mut *db)).await?;
    let rows = summaries
        .into_iter()
        .map(|s| IndexRow {
            duration: s
                .ended_at
                .map(|end| t::format_duration(end - s.started_at))
                .unwrap_or_else(|| "ongoing".to_owned()),
            started: TimeView::new(s.started_at, s.offset),
            id: s.id,
            title: s.title,
            severity: s.severity,
            status: s.status,
            open_action_items: s.open_action_items,
            action_items: s.action_items,
        })
        .collect();
    // No postmortems at all is one (empty) page, not an unknown number with an "Older" link.
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    Ok(IndexPage { viewer, rows, page, pages, total })
}

// ---- Form: new, edit, conflict ------------------------------------------------------------

/// What changed under an editor: the saved value of each field that differs from theirs.
pub struct Conflict {
    saved_at: String,
    fields: Vec<(&'static str, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/form.html")]
pub struct FormPage {
    viewer: Viewer,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    form: IncidentForm,
    errors: FieldErrors,
    conflict: Option<Conflict>,
    severities: &'static [Severity],
    groups: [FormGroup; 2],
    /// Each section rendered, when the form's Preview button sent it (without a script).
    previews: Option<PerSection<SafeHtml>>,
}

/// The postmortem form and which of its buttons sent it.
#[derive(Debug, Deserialize)]
pub struct Submitted {
    #[serde(flatten)]
    form: IncidentForm,
    /// `preview` for the Preview button, which shows the text rendered and saves nothing.
    #[serde(default)]
    action: String,
}

impl Submitted {
    fn wants_preview(&self) -> bool {
        self.action == "preview"
    }
}

/// Every section of `form` rendered as the page would show it.
async fn previews(form: &IncidentForm) -> PerSection<SafeHtml> {
    let texts: Vec<String> = form.texts.values().cloned().collect();
    let mut rendered = super::rendering::render_all(texts).await.into_iter();
    // `values` and `from_fn` both go in section order.
    PerSection::from_fn(|_| rendered.next().unwrap_or_default())
}

impl FormPage {
    /// A section's preview, when the Preview button asked for one.
    fn preview(&self, section: &Section) -> Option<&SafeHtml> {
        self.previews.as_ref().map(|previews| &previews[*section])
    }

    fn new_incident(viewer: Viewer, form: IncidentForm, errors: FieldErrors) -> FormPage {
        FormPage {
            viewer,
            heading: "New postmortem".into(),
            action: "/incidents".into(),
            submit: "Create postmortem",
            cancel: "/incidents".into(),
            form,
            errors,
            conflict: None,
            severities: Severity::ALL,
            groups: FormGroup::ALL,
            previews: None,
        }
    }

    fn edit(viewer: Viewer, id: IncidentId, title: &str, form: IncidentForm, errors: FieldErrors) -> FormPage {
        FormPage {
            viewer,
            heading: format!("Edit “{title}”"),
            action: paths::incident(id),
            submit: "Save changes",
            cancel: paths::incident(id),
            form,
            errors,
            conflict: None,
            severities: Severity::ALL,
            groups: FormGroup::ALL,
            previews: None,
        }
    }
}

pub async fn new(viewer: Viewer) -> FormPage {
    FormPage::new_incident(viewer, IncidentForm::blank(), FieldErrors::default())
}

pub async fn create(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Form(submitted): Form<Submitted>,
) -> Result<Response> {
    if submitted.wants_preview() {
        let mut page = FormPage::new_incident(viewer, submitted.form, FieldErrors::default());
        page.previews = Some(previews(&page.form).await);
        return Ok(page.into_response());
    }
    let form = submitted.form;
    match app::postmortems::create(&mut db, Actor::from(&user), &form).await {
        Ok(id) => Ok(Redirect::to(&paths::incident(id)).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, FormPage::new_incident(viewer, form, errors)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn edit(mut db: Db, viewer: Viewer, Path(id): Path<IncidentId>) -> Result<FormPage> {
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    Ok(FormPage::edit(viewer, id, &incident.title, IncidentForm::from_incident(&incident), FieldErrors::default()))
}

pub async fn update(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(submitted): Form<Submitted>,
) -> Result<Response> {
    if submitted.wants_preview() {
        let form = submitted.form;
        let title = if form.title.trim().is_empty() { "postmortem".to_owned() } else { form.title.trim().to_owned() };
        let mut page = FormPage::edit(viewer, id, &title, form, FieldErrors::default());
        page.previews = Some(previews(&page.form).await);
        return Ok(page.into_response());
    }
    let form = submitted.form;
    match app::postmortems::update(&mut db, Actor::from(&user), id, &form).await {
        Ok(()) => Ok(Redirect::to(&paths::incident(id)).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            let title = if form.title.trim().is_empty() { "postmortem" } else { form.title.trim() };
            let page = FormPage::edit(viewer, id, title, form.clone(), errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        // Someone saved since this form loaded: show theirs beside what was typed.
        Err(ChangeError::Stale) => {
            let current = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
            Ok((StatusCode::CONFLICT, conflict_page(viewer, &current, form)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// The form again with the user's text, the saved values that differ beside it, and the
/// version bumped so that saving again knowingly replaces them.
fn conflict_page(viewer: Viewer, current: &Incident, mut theirs: IncidentForm) -> FormPage {
    let saved = IncidentForm::from_incident(current);
    let mut pairs: Vec<(&'static str, &String, &String)> = vec![
        ("Title", &saved.title, &theirs.title),
        ("Severity", &saved.severity, &theirs.severity),
        ("Status", &saved.status, &theirs.status),
        ("Start of impact", &saved.started_at, &theirs.started_at),
        ("End of impact", &saved.ended_at, &theirs.ended_at),
        ("UTC offset", &saved.utc_offset, &theirs.utc_offset),
    ];
    pairs.extend(Section::ALL.map(|section| (section.label(), &saved.texts[section], &theirs.texts[section])));
    let fields = pairs
        .into_iter()
        .filter(|(_, saved, theirs)| saved.trim() != theirs.replace("\r\n", "\n").trim())
        .map(|(label, saved, _)| (label, saved.clone()))
        .collect();
    theirs.version = current.version.to_string();
    let mut page = FormPage::edit(viewer, current.id, &current.title, theirs, FieldErrors::default());
    page.conflict = Some(Conflict { saved_at: t::format_full(current.updated_at, current.offset), fields });
    page
}

// ---- Delete -------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "incidents/delete.html")]
pub struct DeletePage {
    viewer: Viewer,
    id: IncidentId,
    title: String,
    entries: usize,
    items: usize,
}

pub async fn confirm_delete(mut db: Db, viewer: Viewer, Path(id): Path<IncidentId>) -> Result<DeletePage> {
    let postmortem = db::postmortems::find(&mut db, id).await?.ok_or(AppError::NotFound)?;
    Ok(DeletePage {
        viewer,
        id,
        entries: postmortem.timeline.len(),
        items: postmortem.action_items.len(),
        title: postmortem.incident.title,
    })
}

pub async fn delete(mut db: Db, CurrentUser(user): CurrentUser, Path(id): Path<IncidentId>) -> Result<Redirect> {
    app::postmortems::delete(&mut db, Actor::from(&user), id).await?;
    Ok(Redirect::to("/incidents"))
}
