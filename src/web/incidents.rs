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
use super::pickers::Shared;
use super::postmortem::TimeView;
use super::search::SearchQuery;
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::db::form_drafts::FormDraft;
use crate::domain::User;
use crate::domain::input::{FieldErrors, IncidentForm};
use crate::domain::labels::{FactorKind, Labels};
use crate::domain::search::SearchOrder;
use crate::domain::time as t;
use crate::domain::{
    FactorKindId, FormGroup, Incident, IncidentId, Outline, PerSection, Section, ServiceId, Severity, Status, Team,
    TemplateId,
};
use crate::import;
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
    /// Every postmortem, or (filtered) how many match, counted up to `COUNT_LIMIT` + 1.
    total: i64,
    query: SearchQuery,
    teams: Shared<Team>,
    services: Vec<(ServiceId, String)>,
    factors: Vec<(FactorKindId, String)>,
    orders: [SearchOrder; 3],
    /// The next page, with these filters.
    next: Option<String>,
    /// Whether this is a further page (it links back to the first).
    further: bool,
}

impl IndexPage {
    fn filtered(&self) -> bool {
        self.query.filtered()
    }

    fn first_page(&self) -> String {
        paths::incidents(&self.query.query_string())
    }
}

/// `GET /incidents`: every postmortem, newest first, through the same filters and orders as
/// the search (`?severity=SEV1&status=published&order=duration…`), a page at a time after a
/// cursor (`after`), never by offset. Words go to the search page.
pub async fn index(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Query(query): Query<SearchQuery>,
) -> Result<Response> {
    if !query.q.trim().is_empty() {
        return Ok(Redirect::to(&paths::search(&query.query_string())).into_response());
    }
    let asked = query.asked()?;
    let mut hits = db::search::browse(&mut *db, &asked.filter, asked.order, asked.after, PAGE_SIZE + 1).await?;
    let next = if hits.len() as i64 > PAGE_SIZE {
        hits.truncate(PAGE_SIZE as usize);
        hits.last().map(|hit| paths::incidents_after(&query.query_string(), &hit.cursor().encode()))
    } else {
        None
    };
    let total = if asked.filter.is_empty() {
        let counter = db::counters::current(&mut *db).await?.incidents;
        state.counts.get(CountOf::Postmortems, counter, db::incidents::count(&mut *db)).await?
    } else {
        db::search::count(&mut *db, &asked.filter).await?
    };
    let ids: Vec<IncidentId> = hits.iter().map(|hit| hit.id).collect();
    let counts = db::incidents::action_item_counts(&mut *db, &ids).await?;
    let rows = hits
        .into_iter()
        .map(|hit| {
            let (action_items, open_action_items) = counts.get(&hit.id).copied().unwrap_or((0, 0));
            IndexRow {
                duration: super::postmortem::duration_text(hit.start(), hit.ended_at),
                started: TimeView::start(hit.start(), t::Offset::from_minutes(hit.utc_offset_minutes)),
                id: hit.id,
                title: hit.title,
                severity: hit.severity,
                status: hit.status,
                open_action_items,
                action_items,
            }
        })
        .collect();
    let teams = state.pickers.teams(&mut db, None).await?;
    let services = super::learning::service_choices(&mut db).await?;
    let factors = super::learning::factor_choices(&mut db).await?;
    let further = !query.after.is_empty();
    Ok(IndexPage {
        viewer,
        rows,
        total,
        query,
        teams,
        services,
        factors,
        orders: [SearchOrder::Date, SearchOrder::Severity, SearchOrder::Duration],
        next,
        further,
    }
    .into_response())
}

// ---- Form: new, edit, conflict ------------------------------------------------------------

/// What changed under an editor: the saved value of each field that differs from theirs.
pub struct Conflict {
    saved_at: String,
    /// Each field where their saved version differs from what was typed: its label, its form
    /// field's id, their value.
    fields: Vec<(&'static str, &'static str, String)>,
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
    /// Where the page's script keeps what is typed as a draft, and where the draft is dropped.
    draft_url: String,
    discard_url: String,
    /// A draft of this person's shown back in the form.
    restored: Option<Restored>,
    /// When the server last kept this person's draft (ms since 1970; 0: never), for the script
    /// to tell whether a copy kept in the browser is newer.
    draft_kept_ms: i128,
    /// Others who typed into this postmortem's form lately: "Alex, 2 minutes ago".
    others: Vec<String>,
    /// The times of the entries marked impact started and resolved, which the start and end
    /// follow unless kept by hand: the form then offers to keep them.
    marked: (Option<String>, Option<String>),
    /// The templates a new postmortem may start from (none when editing).
    choices: Vec<TemplateChoice>,
    /// The services in use, suggested as one types.
    service_names: Vec<String>,
    /// The kinds of contributing factor offered: those not retired, and any the form names.
    factor_kinds: Vec<FactorKind>,
    /// The template each severity starts from, for the script that follows the severity.
    rule_templates: Vec<(Severity, TemplateId)>,
    /// The outline the form follows: the chosen template's (new) or the postmortem's own.
    outline: Option<Outline>,
}

/// A template as the new-postmortem form offers it.
pub struct TemplateChoice {
    id: TemplateId,
    name: String,
    description: String,
    /// Its sections' headings, joined.
    sections: String,
    /// The severities that start from it ("SEV4, SEV5").
    severities: String,
    /// The severities it may be used for: those whose template it covers ("SEV1 SEV2"), for
    /// the script, which keeps a choice that fits a new severity.
    fits: String,
}

/// What differs between the new and the edit form: its heading, where it is sent and kept.
struct Targets {
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    draft_url: String,
    discard_url: String,
}

/// A kept draft, shown back.
pub struct Restored {
    ago: String,
    /// The postmortem was saved by someone since the draft's form was loaded.
    outdated: bool,
}

/// How long after their last keystroke someone counts as still editing.
const EDITING_LATELY: time::Duration = time::Duration::minutes(10);

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

/// The form page with every section rendered beside it, as the saved page would show it (the
/// Preview button, without a script). Saves nothing.
async fn with_previews(mut page: FormPage) -> Response {
    let texts: Vec<String> = page.form.texts.values().cloned().collect();
    let mut rendered = super::rendering::render_all(texts).await.into_iter();
    // `values` and `from_fn` both go in section order.
    page.previews = Some(PerSection::from_fn(|_| rendered.next().unwrap_or_default()));
    page.into_response()
}

impl FormPage {
    /// What the field of `section` says under its label: the template's questions, or the
    /// section's own help.
    fn hint(&self, section: &Section) -> String {
        Outline::hint(self.outline.as_ref(), *section)
    }

    /// Whether `section` is shown among the form's groups: always without a template; with one,
    /// when the template has it, or it holds text, or it was refused. The others wait under
    /// "More sections".
    fn shown(&self, section: &Section) -> bool {
        self.outline.as_ref().is_none_or(|outline| {
            outline.has(*section)
                || !self.form.texts[*section].trim().is_empty()
                || self.errors.get(section.key()).is_some()
        })
    }

    /// The sections not shown among the groups.
    fn more_sections(&self) -> Vec<Section> {
        Section::ALL.into_iter().filter(|section| !self.shown(section)).collect()
    }

    /// The template `severity` starts from, for its `<option>`'s `data-template`.
    fn rule_template(&self, severity: &Severity) -> String {
        self.rule_templates.iter().find(|(s, _)| s == severity).map(|(_, id)| id.to_string()).unwrap_or_default()
    }

    fn chosen(&self, choice: &TemplateChoice) -> bool {
        self.form.template.trim() == choice.id.to_string()
    }

    /// The templates to choose from, and the chosen one's outline for the fields. A form that
    /// names none gets its severity's.
    async fn offer_templates(&mut self, db: &mut sqlx::PgConnection) -> Result<()> {
        let templates = db::templates::all(&mut *db).await?;
        let rules = db::templates::rules(&mut *db).await?;
        if self.form.template.trim().is_empty()
            && let Some(rule) = rules.iter().find(|rule| rule.severity.as_str() == self.form.severity.trim())
        {
            self.form.template = rule.template_id.to_string();
        }
        let outlines: Vec<Option<Outline>> =
            templates.iter().map(|template| import::template::read(&template.name, &template.body).ok()).collect();
        let outline_of = |id: TemplateId| templates.iter().position(|t| t.id == id).and_then(|i| outlines[i].as_ref());
        self.outline = templates
            .iter()
            .zip(&outlines)
            .find(|(template, _)| template.id.to_string() == self.form.template.trim())
            .and_then(|(_, outline)| outline.clone());
        self.choices = templates
            .iter()
            .zip(&outlines)
            .map(|(template, outline)| {
                let severities = |fits: &dyn Fn(&crate::domain::template::SeverityRule) -> bool, by: &str| {
                    rules
                        .iter()
                        .filter(|rule| fits(rule))
                        .map(|rule| rule.severity.as_str())
                        .collect::<Vec<_>>()
                        .join(by)
                };
                let covers = |rule: &crate::domain::template::SeverityRule| {
                    rule.template_id == template.id
                        || outline
                            .as_ref()
                            .zip(outline_of(rule.template_id))
                            .is_some_and(|(o, needed)| o.covers(needed))
                };
                TemplateChoice {
                    id: template.id,
                    name: template.name.clone(),
                    description: template.description.clone(),
                    sections: outline
                        .as_ref()
                        .map(|o| o.sections.iter().map(|s| s.heading.as_str()).collect::<Vec<_>>().join(" · "))
                        .unwrap_or_default(),
                    severities: severities(&|rule| rule.template_id == template.id, ", "),
                    fits: severities(&covers, " "),
                }
            })
            .collect();
        self.rule_templates = rules.iter().map(|rule| (rule.severity, rule.template_id)).collect();
        Ok(())
    }

    /// A section's preview, when the Preview button asked for one.
    fn preview(&self, section: &Section) -> Option<&SafeHtml> {
        self.previews.as_ref().map(|previews| &previews[*section])
    }

    fn new_incident(viewer: Viewer, form: IncidentForm, errors: FieldErrors) -> FormPage {
        let targets = Targets {
            heading: "New postmortem".into(),
            action: "/incidents".into(),
            submit: "Create postmortem",
            cancel: "/incidents".into(),
            draft_url: paths::NEW_INCIDENT_DRAFT.to_owned(),
            discard_url: paths::NEW_INCIDENT_DRAFT_DISCARD.to_owned(),
        };
        FormPage::with(viewer, targets, form, errors)
    }

    fn edit(viewer: Viewer, id: IncidentId, title: &str, form: IncidentForm, errors: FieldErrors) -> FormPage {
        let targets = Targets {
            heading: format!("Edit “{title}”"),
            action: paths::incident(id),
            submit: "Save changes",
            cancel: paths::incident(id),
            draft_url: paths::incident_draft(id),
            discard_url: paths::incident_draft_discard(id),
        };
        FormPage::with(viewer, targets, form, errors)
    }

    /// The form with nothing yet but what it shows and where it goes.
    fn with(viewer: Viewer, targets: Targets, form: IncidentForm, errors: FieldErrors) -> FormPage {
        let Targets { heading, action, submit, cancel, draft_url, discard_url } = targets;
        FormPage {
            viewer,
            heading,
            action,
            submit,
            cancel,
            form,
            errors,
            conflict: None,
            severities: Severity::ALL,
            groups: FormGroup::ALL,
            previews: None,
            draft_url,
            discard_url,
            restored: None,
            draft_kept_ms: 0,
            others: Vec::new(),
            marked: (None, None),
            choices: Vec::new(),
            rule_templates: Vec::new(),
            outline: None,
            service_names: Vec::new(),
            factor_kinds: Vec::new(),
        }
    }

    /// The services to suggest and the kinds of factor to offer: every kind not retired, and a
    /// retired one only where the form names it (the postmortem had it before it was retired).
    async fn offer_labels(mut self, db: &mut sqlx::PgConnection) -> Result<FormPage> {
        self.service_names = db::services::names(&mut *db).await?;
        let named = &self.form.factors.0;
        self.factor_kinds = db::factors::kinds(&mut *db)
            .await?
            .into_iter()
            .filter(|kind| !kind.retired || named.contains_key(&kind.id))
            .collect();
        Ok(self)
    }

    /// Says which times timeline entries mark, so that the form offers to keep the start and
    /// end by hand instead (`flags`: whether they are kept so now, for a form just loaded).
    async fn with_marks(mut self, db: &mut sqlx::PgConnection, incident: &Incident, flags: bool) -> Result<FormPage> {
        let (start, end) = db::timeline::marked_span(&mut *db, incident.id).await?;
        let shown = |at: time::OffsetDateTime| crate::domain::time::format_full(at, incident.offset);
        self.marked = (start.map(shown), end.map(shown));
        if flags && let Some(span) = db::incidents::span(&mut *db, incident.id).await? {
            let on = |by_hand: bool| if by_hand { "on".to_owned() } else { String::new() };
            self.form.start_by_hand = on(span.start_set_by_hand);
            self.form.end_by_hand = on(span.end_set_by_hand);
        }
        Ok(self)
    }

    /// Shows `form`, a kept draft, in place of what the page would show; `saved_version` is
    /// the postmortem's version now (`None`: not created yet).
    fn restore(&mut self, form: IncidentForm, draft: &FormDraft, saved_version: Option<i32>) {
        self.restored = Some(Restored {
            ago: super::layout::ago(draft.updated_at),
            outdated: saved_version.is_some() && draft.base_version != saved_version,
        });
        self.draft_kept_ms = millis(draft.updated_at);
        self.form = form;
    }
}

/// An instant as the page's script reads time: milliseconds since 1970.
fn millis(at: time::OffsetDateTime) -> i128 {
    at.unix_timestamp_nanos() / 1_000_000
}

/// "Alex, 2 minutes ago" for each person who typed into the postmortem's form lately.
async fn others_editing(db: &mut sqlx::PgConnection, id: IncidentId, user: &User) -> Result<Vec<String>> {
    let since = time::OffsetDateTime::now_utc() - EDITING_LATELY;
    let editors = db::form_drafts::others_editing(&mut *db, id, user.id, since).await?;
    Ok(editors.into_iter().map(|editor| format!("{}, {}", editor.name, super::layout::ago(editor.typed_at))).collect())
}

pub async fn new(mut db: Db, viewer: Viewer, CurrentUser(user): CurrentUser) -> Result<FormPage> {
    let mut page = FormPage::new_incident(viewer, IncidentForm::blank(), FieldErrors::default());
    if let Some((form, draft)) = app::drafts::find(&mut db, user.id, None).await? {
        page.restore(form, &draft, None);
    }
    page.offer_templates(&mut db).await?;
    page.offer_labels(&mut db).await
}

/// The new-postmortem form again, with the templates offered.
async fn new_again(
    db: &mut sqlx::PgConnection,
    viewer: Viewer,
    form: IncidentForm,
    errors: FieldErrors,
) -> Result<FormPage> {
    let mut page = FormPage::new_incident(viewer, form, errors);
    page.offer_templates(db).await?;
    page.offer_labels(db).await
}

pub async fn create(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Form(submitted): Form<Submitted>,
) -> Result<Response> {
    if submitted.wants_preview() {
        return Ok(with_previews(new_again(&mut db, viewer, submitted.form, FieldErrors::default()).await?).await);
    }
    // "Show the chosen template" (or the script, on a change of template): the form again with
    // its sections and questions; nothing is saved.
    if submitted.action == "template" {
        return Ok(new_again(&mut db, viewer, submitted.form, FieldErrors::default()).await?.into_response());
    }
    let form = submitted.form;
    match app::postmortems::create(&mut db, Actor::from(&user), &form).await {
        Ok(id) => Ok(Redirect::to(&paths::incident(id)).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_again(&mut db, viewer, form, errors).await?).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn edit(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
) -> Result<FormPage> {
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let labels = db::postmortems::labels(&mut db, id).await?;
    let form = IncidentForm::from_incident(&incident).with_labels(&labels);
    let mut page = FormPage::edit(viewer, id, &incident.title, form, FieldErrors::default())
        .with_marks(&mut db, &incident, true)
        .await?;
    page.outline = incident.template.clone();
    if let Some((form, draft)) = app::drafts::find(&mut db, user.id, Some(id)).await? {
        page.restore(form, &draft, Some(incident.version));
    }
    page.others = others_editing(&mut db, id, &user).await?;
    page.offer_labels(&mut db).await
}

/// What the page's script is told after keeping a draft.
#[derive(Debug, serde::Serialize)]
pub struct DraftKept {
    /// When, in ms since 1970.
    kept_ms: i128,
    /// Others editing the same postmortem lately.
    others: Vec<String>,
}

/// `POST /incidents/new/draft`: keeps what is typed into the new-postmortem form.
pub async fn keep_new_draft(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Form(form): Form<IncidentForm>,
) -> Result<axum::Json<DraftKept>> {
    let kept = app::drafts::keep(&mut db, user.id, None, &form).await?;
    Ok(axum::Json(DraftKept { kept_ms: millis(kept), others: Vec::new() }))
}

/// `POST /incidents/{id}/draft`: keeps what is typed into a postmortem's form.
pub async fn keep_draft(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(form): Form<IncidentForm>,
) -> Result<axum::Json<DraftKept>> {
    // A postmortem that is not there is the draft's foreign key's to refuse (`NotFound`): no
    // read before each keep.
    let kept = app::drafts::keep(&mut db, user.id, Some(id), &form).await?;
    let others = others_editing(&mut db, id, &user).await?;
    Ok(axum::Json(DraftKept { kept_ms: millis(kept), others }))
}

/// `POST /incidents/new/draft/discard`: drops the kept draft of a new postmortem.
pub async fn discard_new_draft(mut db: Db, CurrentUser(user): CurrentUser) -> Result<Redirect> {
    app::drafts::discard(&mut db, user.id, None).await?;
    Ok(Redirect::to("/incidents/new"))
}

/// `POST /incidents/{id}/draft/discard`: drops the kept draft, back to the saved version.
pub async fn discard_draft(mut db: Db, CurrentUser(user): CurrentUser, Path(id): Path<IncidentId>) -> Result<Redirect> {
    app::drafts::discard(&mut db, user.id, Some(id)).await?;
    Ok(Redirect::to(&paths::incident_edit(id)))
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
        page.outline = outline_of(&mut db, id).await?;
        let page = match db::incidents::find(&mut *db, id).await? {
            Some(incident) => page.with_marks(&mut db, &incident, false).await?,
            None => page,
        };
        return Ok(with_previews(page.offer_labels(&mut db).await?).await);
    }
    let form = submitted.form;
    match app::postmortems::update(&mut db, Actor::from(&user), id, &form).await {
        Ok(()) => Ok(Redirect::to(&paths::incident(id)).into_response()),
        Err(ChangeError::Invalid(errors)) => {
            let title = if form.title.trim().is_empty() { "postmortem" } else { form.title.trim() };
            let mut page = FormPage::edit(viewer, id, title, form.clone(), errors);
            page.outline = outline_of(&mut db, id).await?;
            let page = match db::incidents::find(&mut *db, id).await? {
                Some(incident) => page.with_marks(&mut db, &incident, false).await?,
                None => page,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page.offer_labels(&mut db).await?).into_response())
        }
        // Someone saved since this form loaded: show theirs beside what was typed.
        Err(ChangeError::Stale) => {
            let current = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
            let labels = db::postmortems::labels(&mut db, id).await?;
            let page = conflict_page(viewer, &current, &labels, form)
                .with_marks(&mut db, &current, false)
                .await?
                .offer_labels(&mut db)
                .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// The outline postmortem `id`'s form follows (the template it was started from).
async fn outline_of(db: &mut sqlx::PgConnection, id: IncidentId) -> Result<Option<Outline>> {
    Ok(db::incidents::find(&mut *db, id).await?.and_then(|incident| incident.template))
}

/// The form again with the user's text, the saved values that differ beside it, and the
/// version bumped so that saving again knowingly replaces them.
fn conflict_page(viewer: Viewer, current: &Incident, labels: &Labels, mut theirs: IncidentForm) -> FormPage {
    let saved = IncidentForm::from_incident(current).with_labels(labels);
    let mut pairs: Vec<(&'static str, &'static str, &String, &String)> = vec![
        ("Title", "title", &saved.title, &theirs.title),
        ("Severity", "severity", &saved.severity, &theirs.severity),
        ("Status", "status", &saved.status, &theirs.status),
        ("Start of impact", "started_at", &saved.started_at, &theirs.started_at),
        ("End of impact", "ended_at", &saved.ended_at, &theirs.ended_at),
        ("UTC offset", "utc_offset", &saved.utc_offset, &theirs.utc_offset),
        ("Services", "services", &saved.services, &theirs.services),
        ("Tags", "tags", &saved.tags, &theirs.tags),
    ];
    pairs.extend(
        Section::ALL.map(|section| (section.label(), section.key(), &saved.texts[section], &theirs.texts[section])),
    );
    let fields = pairs
        .into_iter()
        .filter(|(_, _, saved, theirs)| saved.trim() != theirs.replace("\r\n", "\n").trim())
        .map(|(label, field, saved, _)| (label, field, saved.clone()))
        .collect();
    theirs.version = current.version.to_string();
    let mut page = FormPage::edit(viewer, current.id, &current.title, theirs, FieldErrors::default());
    page.outline = current.template.clone();
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
