//! Postmortem pages: the index, the form (new, edit, conflict), the postmortem itself, delete.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Path, Query};
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{ActionItemForm, FieldErrors, IncidentForm, SectionForm, TimelineForm};
use crate::domain::time::{self as t, Offset};
use crate::domain::{Incident, IncidentId, Postmortem, Role, Severity, Status};
use crate::markdown::{self, SafeHtml, export};

/// Postmortems per index page.
pub const PAGE_SIZE: i64 = 25;

/// An instant as shown: text in the incident's offset, and RFC 3339 for `<time datetime>`.
pub struct TimeView {
    pub text: String,
    pub iso: String,
}

impl TimeView {
    fn new(instant: time::OffsetDateTime, offset: Offset) -> TimeView {
        TimeView { text: t::format_full(instant, offset), iso: t::format_rfc3339(instant, offset) }
    }
}

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
    rows: Vec<IndexRow>,
    page: i64,
    pages: i64,
    total: i64,
}

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    page: Option<i64>,
}

pub async fn index(State(state): State<AppState>, Query(query): Query<IndexQuery>) -> Result<IndexPage> {
    let page = query.page.unwrap_or(1);
    if page < 1 {
        return Err(AppError::BadRequest("Page numbers start at 1.".into()));
    }
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let (summaries, total) = db::incidents::list_page(&state.pool, PAGE_SIZE, offset).await?;
    // A page past the end has no rows to carry the total; count separately only then.
    let total = if summaries.is_empty() && page > 1 { db::incidents::count(&state.pool).await? } else { total };
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
    Ok(IndexPage { rows, page, pages: (total + PAGE_SIZE - 1) / PAGE_SIZE, total })
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
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    form: IncidentForm,
    errors: FieldErrors,
    conflict: Option<Conflict>,
    severities: &'static [Severity],
}

impl FormPage {
    fn new_incident(form: IncidentForm, errors: FieldErrors) -> FormPage {
        FormPage {
            heading: "New postmortem".into(),
            action: "/incidents".into(),
            submit: "Create postmortem",
            cancel: "/incidents".into(),
            form,
            errors,
            conflict: None,
            severities: Severity::ALL,
        }
    }

    fn edit(id: IncidentId, title: &str, form: IncidentForm, errors: FieldErrors) -> FormPage {
        FormPage {
            heading: format!("Edit “{title}”"),
            action: format!("/incidents/{id}"),
            submit: "Save changes",
            cancel: format!("/incidents/{id}"),
            form,
            errors,
            conflict: None,
            severities: Severity::ALL,
        }
    }
}

pub async fn new() -> FormPage {
    FormPage::new_incident(IncidentForm::blank(), FieldErrors::default())
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<IncidentForm>,
) -> Result<Response> {
    match app::postmortems::create(&state.pool, Actor::from(&user), &form).await {
        Ok(id) => Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, FormPage::new_incident(form, errors)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn edit(State(state): State<AppState>, Path(id): Path<IncidentId>) -> Result<FormPage> {
    let incident = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    Ok(FormPage::edit(id, &incident.title, IncidentForm::from_incident(&incident), FieldErrors::default()))
}

pub async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<IncidentForm>,
) -> Result<Response> {
    match app::postmortems::update(&state.pool, Actor::from(&user), id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            let title = if form.title.trim().is_empty() { "postmortem" } else { form.title.trim() };
            let page = FormPage::edit(id, title, form.clone(), errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ChangeError::Refused(message)) => Err(AppError::BadRequest(message)),
        // Someone saved since this form loaded: show theirs beside what was typed.
        Err(ChangeError::Stale) => {
            let current = db::incidents::find(&state.pool, id).await?.ok_or(AppError::NotFound)?;
            Ok((StatusCode::CONFLICT, conflict_page(&current, form)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// The form again with the user's text, the saved values that differ beside it, and the
/// version bumped so that saving again knowingly replaces them.
fn conflict_page(current: &Incident, mut theirs: IncidentForm) -> FormPage {
    let saved = IncidentForm::from_incident(current);
    let pairs: [(&'static str, &String, &String); 13] = [
        ("Title", &saved.title, &theirs.title),
        ("Severity", &saved.severity, &theirs.severity),
        ("Status", &saved.status, &theirs.status),
        ("Start of impact", &saved.started_at, &theirs.started_at),
        ("End of impact", &saved.ended_at, &theirs.ended_at),
        ("UTC offset", &saved.utc_offset, &theirs.utc_offset),
        ("Summary", &saved.summary, &theirs.summary),
        ("Impact", &saved.impact, &theirs.impact),
        ("Root cause", &saved.root_cause, &theirs.root_cause),
        ("Resolution", &saved.resolution, &theirs.resolution),
        ("Corrective measures", &saved.corrective_measures, &theirs.corrective_measures),
        ("Preventative measures", &saved.preventative_measures, &theirs.preventative_measures),
        ("Lessons learned", &saved.lessons_learned, &theirs.lessons_learned),
    ];
    let fields = pairs
        .into_iter()
        .filter(|(_, saved, theirs)| saved.trim() != theirs.replace("\r\n", "\n").trim())
        .map(|(label, saved, _)| (label, saved.clone()))
        .collect();
    theirs.version = current.version.to_string();
    let mut page = FormPage::edit(current.id, &current.title, theirs, FieldErrors::default());
    page.conflict = Some(Conflict { saved_at: t::format_full(current.updated_at, current.offset), fields });
    page
}

// ---- The postmortem page ------------------------------------------------------------------

pub struct Section {
    /// The anchor on this page and the field name on the edit form.
    key: &'static str,
    /// The authors' own heading when an import kept one, else the field's name.
    heading: String,
    html: SafeHtml,
}

pub struct TimelineRow {
    id: crate::domain::TimelineEntryId,
    time: String,
    iso: String,
    html: SafeHtml,
}

pub struct ExtraSectionView {
    id: crate::domain::SectionId,
    heading: String,
    html: SafeHtml,
}

pub struct ActionRow {
    id: crate::domain::ActionItemId,
    html: SafeHtml,
    done: bool,
    status: crate::domain::ActionStatus,
    kind: Option<crate::domain::ActionKind>,
    priority: Option<crate::domain::Priority>,
    owner: String,
    team: String,
    due: String,
    wont_do_reason: String,
    ticket_url: String,
    completion_note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/show.html")]
pub struct ShowPage {
    id: IncidentId,
    title: String,
    severity: Severity,
    status: Status,
    offset: Offset,
    time_label: String,
    timeline_heading: String,
    action_items_heading: String,
    start: TimeView,
    end: Option<TimeView>,
    duration: Option<String>,
    updated: String,
    before_timeline: Vec<Section>,
    after_timeline: Vec<Section>,
    timeline: Vec<TimelineRow>,
    timeline_shows_dates: bool,
    action_items: Vec<ActionRow>,
    open_action_items: usize,
    entry_form: TimelineForm,
    entry_errors: FieldErrors,
    item_form: ActionItemForm,
    item_errors: FieldErrors,
    extra_sections: Vec<ExtraSectionView>,
    section_form: SectionForm,
    section_errors: FieldErrors,
    /// Whether the viewer may change it (engineers and up) and delete it (managers and up).
    can_edit: bool,
    can_delete: bool,
    /// Who last changed it, and how long ago, from the audit log.
    last_edited: Option<(String, String)>,
    /// The latest revision's number and the latest published one's, for the history line.
    revisions: (Option<i32>, Option<i32>),
    /// Who a new action item can be given to, and which teams.
    people: Vec<super::action_items::Person>,
    teams: Vec<crate::domain::Team>,
    /// The review: what is still missing before it can be submitted, the discussion so far,
    /// whether the viewer may approve or send it back, and a refused step with its text.
    missing: Vec<String>,
    comments: Vec<CommentView>,
    can_review: bool,
    review_error: Option<String>,
    comment_text: String,
}

/// Forms on the postmortem page that came back with errors, to show again as typed.
#[derive(Default)]
pub struct PendingForms {
    pub entry: Option<(TimelineForm, FieldErrors)>,
    pub item: Option<(ActionItemForm, FieldErrors)>,
    pub section: Option<(SectionForm, FieldErrors)>,
    /// A review step that was refused, with why, and the comment as typed.
    pub review: Option<(String, String)>,
}

/// A review comment as shown.
pub struct CommentView {
    author: String,
    /// What the step was, when it was more than a comment ("sent it back").
    step: &'static str,
    html: SafeHtml,
    when: String,
}

impl ShowPage {
    /// The page for `postmortem`, with rejected forms as typed; a new action item's form is
    /// due on `default_due` (the severity's default).
    pub fn build(postmortem: Postmortem, pending: PendingForms, default_due: Option<time::Date>) -> ShowPage {
        let with_dates = export::timeline_needs_dates(&postmortem);
        let Postmortem { incident, timeline, action_items, sections } = postmortem;
        let offset = incident.offset;
        let headings = &incident.headings;
        let section = |key, own: &Option<String>, heading: &str, body: &str| Section {
            key,
            heading: own.clone().unwrap_or_else(|| heading.to_owned()),
            html: markdown::render(body),
        };
        let timeline = timeline
            .iter()
            .map(|entry| TimelineRow {
                id: entry.id,
                time: export::timeline_time(entry, offset, with_dates),
                iso: t::format_rfc3339(entry.occurred_at, offset),
                html: markdown::render(&entry.body),
            })
            .collect();
        let open_action_items = action_items.iter().filter(|item| !item.is_closed()).count();
        let action_items = action_items
            .iter()
            .map(|item| ActionRow {
                id: item.id,
                html: markdown::render(&item.body),
                done: item.is_done(),
                status: item.status,
                kind: item.kind,
                priority: item.priority,
                owner: item.owner_name().to_owned(),
                team: item.team_label().to_owned(),
                due: item.due_on.map(t::format_date).unwrap_or_default(),
                wont_do_reason: item.wont_do_reason.clone(),
                ticket_url: item.ticket_url.clone(),
                completion_note: item.completion_note.clone(),
            })
            .collect();
        let (entry_form, entry_errors) =
            pending.entry.unwrap_or_else(|| (TimelineForm::blank(&incident), FieldErrors::default()));
        let (item_form, item_errors) =
            pending.item.unwrap_or_else(|| (ActionItemForm::blank(default_due), FieldErrors::default()));
        let (section_form, section_errors) = pending.section.unwrap_or_default();
        let extra_sections = sections
            .iter()
            .map(|s| ExtraSectionView { id: s.id, heading: s.heading.clone(), html: markdown::render(&s.body) })
            .collect();
        ShowPage {
            id: incident.id,
            before_timeline: vec![
                section("summary", &headings.summary, "Summary", &incident.summary),
                section("impact", &headings.impact, "Impact", &incident.impact),
            ],
            after_timeline: vec![
                section("root_cause", &headings.root_cause, "Root cause", &incident.root_cause),
                section("resolution", &headings.resolution, "Resolution", &incident.resolution),
                section("corrective_measures", &None, "Corrective measures", &incident.corrective_measures),
                section("preventative_measures", &None, "Preventative measures", &incident.preventative_measures),
                section("lessons_learned", &headings.lessons_learned, "Lessons learned", &incident.lessons_learned),
            ],
            start: TimeView::new(incident.started_at, offset),
            end: incident.ended_at.map(|end| TimeView::new(end, offset)),
            duration: incident.duration().map(t::format_duration),
            updated: t::format_full(incident.updated_at, offset),
            title: incident.title,
            severity: incident.severity,
            status: incident.status,
            offset,
            time_label: format!("Time ({offset})"),
            timeline_heading: headings.timeline.clone().unwrap_or_else(|| "Timeline".to_owned()),
            action_items_heading: headings.action_items.clone().unwrap_or_else(|| "Action items".to_owned()),
            timeline,
            timeline_shows_dates: with_dates,
            action_items,
            open_action_items,
            entry_form,
            entry_errors,
            item_form,
            item_errors,
            extra_sections,
            section_form,
            section_errors,
            can_edit: false,
            can_delete: false,
            last_edited: None,
            revisions: (None, None),
            people: Vec::new(),
            teams: Vec::new(),
            missing: Vec::new(),
            comments: Vec::new(),
            can_review: false,
            review_error: None,
            comment_text: String::new(),
        }
    }
}

/// The postmortem page, with any rejected sub-form shown again (422) as the user typed it.
pub async fn render_show(state: &AppState, id: IncidentId, pending: PendingForms) -> Result<Response> {
    let postmortem = db::load_postmortem(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    let missing = postmortem.missing_for_review();
    let review = pending.review.clone();
    let status = if pending.entry.is_some() || pending.item.is_some() || pending.section.is_some() || review.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let today = time::OffsetDateTime::now_utc().date();
    let due = state.due_policy.due(postmortem.incident.severity, today);
    let mut page = ShowPage::build(postmortem, pending, due);
    let role = super::auth::signed_in().map(|user| user.role);
    page.can_edit = role.is_some_and(|role| role.includes(Role::Engineer));
    page.can_delete = role.is_some_and(|role| role.includes(Role::Manager));
    page.can_review = role.is_some_and(|role| role.includes(Role::Manager));
    page.missing = missing;
    if let Some((error, text)) = review {
        page.review_error = Some(error);
        page.comment_text = text;
    }
    page.comments = db::reviews::list(&state.pool, id)
        .await?
        .into_iter()
        .map(|c| CommentView {
            step: c.kind.step(),
            html: markdown::render(&c.body),
            when: super::layout::ago(c.created_at),
            author: c.author,
        })
        .collect();
    if page.can_edit {
        page.people = super::action_items::people(state, None).await?;
        page.teams = db::teams::all(&state.pool).await?;
    }
    page.last_edited = db::audit::last_change(&state.pool, id).await?.map(|(who, at)| (who, super::layout::ago(at)));
    page.revisions = db::revisions::latest_numbers(&state.pool, id).await?;
    Ok((status, page).into_response())
}

pub async fn show(State(state): State<AppState>, Path(id): Path<IncidentId>) -> Result<Response> {
    render_show(&state, id, PendingForms::default()).await
}

// ---- Delete -------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "incidents/delete.html")]
pub struct DeletePage {
    id: IncidentId,
    title: String,
    entries: usize,
    items: usize,
}

pub async fn confirm_delete(State(state): State<AppState>, Path(id): Path<IncidentId>) -> Result<DeletePage> {
    let postmortem = db::load_postmortem(&state.pool, id).await?.ok_or(AppError::NotFound)?;
    Ok(DeletePage {
        id,
        entries: postmortem.timeline.len(),
        items: postmortem.action_items.len(),
        title: postmortem.incident.title,
    })
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
) -> Result<Redirect> {
    app::postmortems::delete(&state.pool, Actor::from(&user), id).await?;
    Ok(Redirect::to("/incidents"))
}
