//! The postmortem page: the document with its stored HTML, the forms to add to it, and its
//! review. The handler reads everything in one query (`db::postmortems::load`); [`ShowPage::build`]
//! turns what was read into the page without touching the database, so it can be measured on
//! its own (`cargo bench --bench page`).

use sqlx::PgConnection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::action_items::Verification;
use super::admission::Db;
use super::error::{AppError, Result};
use super::extract::Path;
use super::layout::Viewer;
use super::pickers::{Person, Shared};
use crate::app;
use crate::db;
use crate::db::postmortems::{ForPage, Loaded, PageExtras, PageRead, Stamp};
use crate::domain::input::{ActionItemForm, FieldErrors, SectionForm, TimelineForm};
use crate::domain::template::Part;
use crate::domain::time::{self as t, Offset};
use crate::domain::{
    ActionItemId, ActionKind, ActionStatus, IncidentId, Marker, Priority, ReviewRule, Role, Section, SectionId,
    Severity, Status, Team, TimelineEntryId,
};
use crate::markdown::{self, SafeHtml, export};

/// An instant as shown: text in the incident's offset, and RFC 3339 for `<time datetime>`.
pub struct TimeView {
    pub text: String,
    pub iso: String,
}

impl TimeView {
    pub fn new(instant: time::OffsetDateTime, offset: Offset) -> TimeView {
        TimeView { text: t::format_full(instant, offset), iso: t::format_rfc3339(instant, offset) }
    }

    /// A start of impact in a list: `start not stated` (with no `iso`, which the templates
    /// test) for a draft that does not say yet.
    pub fn start(start: Option<time::OffsetDateTime>, offset: Offset) -> TimeView {
        start.map_or_else(
            || TimeView { text: "start not stated".to_owned(), iso: String::new() },
            |start| TimeView::new(start, offset),
        )
    }
}

/// How long the impact lasted, as a list shows it: `ongoing` without an end, `unknown`
/// without a start.
pub fn duration_text(start: Option<time::OffsetDateTime>, end: Option<time::OffsetDateTime>) -> String {
    match (start, end) {
        (Some(start), Some(end)) => t::format_duration(end - start),
        (None, _) => "unknown".to_owned(),
        (Some(_), None) => "ongoing".to_owned(),
    }
}

/// A standard section as shown.
pub struct SectionView {
    /// The anchor on this page and the field name on the edit form.
    key: &'static str,
    /// The authors' own heading when an import kept one, else the section's label.
    heading: String,
    html: SafeHtml,
    /// Whether any Markdown is stored (it may still render to nothing visible).
    written: bool,
    /// The template's questions for it (empty: none), shown while it is not written.
    hint: String,
}

pub struct TimelineRow {
    id: TimelineEntryId,
    time: String,
    iso: String,
    html: SafeHtml,
    marker: Option<Marker>,
}

pub struct ExtraSectionView {
    id: SectionId,
    heading: String,
    html: SafeHtml,
    written: bool,
    /// The template's questions for it (empty: none), shown while it is not written.
    hint: String,
}

pub struct ActionRow {
    id: ActionItemId,
    html: SafeHtml,
    done: bool,
    status: ActionStatus,
    kind: Option<ActionKind>,
    priority: Option<Priority>,
    owner: String,
    team: String,
    due: String,
    wont_do_reason: String,
    ticket_url: String,
    completion_note: String,
    verification: Option<Verification>,
    /// The later incidents in which what it was meant to prevent happened again: id and page.
    recurred_in: Vec<(IncidentId, String)>,
    /// Where an imported document said it recurred, as written (another instance's numbers).
    recurred_in_as_written: String,
}

/// A review comment as shown.
pub struct CommentView {
    author: String,
    /// What the step was, when it was more than a comment ("sent it back").
    step: &'static str,
    html: SafeHtml,
    when: String,
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

impl PendingForms {
    fn any(&self) -> bool {
        self.entry.is_some() || self.item.is_some() || self.section.is_some() || self.review.is_some()
    }
}

/// What the page needs to know about who is looking, and what they may be offered.
pub struct Viewing {
    pub viewer: Viewer,
    /// Who a new action item can be given to, and which teams (for people who may edit).
    pub people: Shared<Person>,
    pub teams: Shared<Team>,
    /// When a new action item is due by default (its severity's default from today).
    pub default_due: Option<time::Date>,
    pub now: time::OffsetDateTime,
    /// Whether its severity's rule lets the author publish it without approval.
    pub author_publishes: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/show.html")]
pub struct ShowPage {
    viewer: Viewer,
    id: IncidentId,
    title: String,
    severity: Severity,
    status: Status,
    offset: Offset,
    time_label: String,
    timeline_heading: String,
    action_items_heading: String,
    /// `None` while the draft does not say when the impact started.
    start: Option<TimeView>,
    end: Option<TimeView>,
    duration: Option<String>,
    /// Detection and mitigation, with how long after impact started each came, when marked.
    moments: Vec<(Marker, String)>,
    updated: String,
    before_timeline: Vec<SectionView>,
    after_timeline: Vec<SectionView>,
    timeline: Vec<TimelineRow>,
    timeline_shows_dates: bool,
    /// Whether any entry's time has seconds, which need a wider time column.
    timeline_shows_seconds: bool,
    action_items: Vec<ActionRow>,
    open_action_items: usize,
    entry_form: TimelineForm,
    entry_errors: FieldErrors,
    item_form: ActionItemForm,
    item_errors: FieldErrors,
    extra_sections: Vec<ExtraSectionView>,
    section_form: SectionForm,
    section_errors: FieldErrors,
    /// Whether the viewer may change it (engineers and up), delete it and review it (managers
    /// and up).
    can_edit: bool,
    can_delete: bool,
    can_review: bool,
    /// Who last changed it, and how long ago, from the audit log.
    last_edited: Option<(String, String)>,
    /// The latest revision's number and the latest published one's, for the history line.
    revisions: (Option<i32>, Option<i32>),
    people: Shared<Person>,
    teams: Shared<Team>,
    /// The review: what is still missing before it can be submitted, the discussion so far,
    /// and a refused step with its text.
    missing: Vec<String>,
    /// Blame and hindsight language found in the writing, as advice (never blocking).
    advice: Vec<crate::domain::advice::Advice>,
    /// Published by its author once complete (its severity's rule), or approved by a manager.
    author_publishes: bool,
    /// The template it was started from, and its questions for the timeline and action items.
    template_name: Option<String>,
    /// Its services, tags and contributing factors.
    labels: crate::domain::labels::Labels,
    /// What an imported document said happened before and again, as written: it names another
    /// instance's postmortems, so it links to none (the confirmed ones are in `learning`).
    recurrences_as_written: crate::domain::recurrences::RecurrencesAsWritten,
    timeline_hint: String,
    action_items_hint: String,
    comments: Vec<CommentView>,
    review_error: Option<String>,
    comment_text: String,
    /// Whether any stored HTML was made by another renderer (and was rendered again for this
    /// page): the handler then has it stored again.
    pub stale: bool,
    /// Similar earlier postmortems and confirmed recurrences (read apart from the postmortem
    /// itself, which is kept between requests: these change with other postmortems).
    pub learning: super::recurrences::Learning,
}

impl ShowPage {
    /// The page for a postmortem as loaded (with its extras), rejected forms shown as typed.
    pub fn build(loaded: &Loaded, pending: PendingForms, viewing: Viewing) -> ShowPage {
        let mut stale = false;
        let mut shown = |markdown: &str, stored: &crate::domain::StoredHtml| {
            let (html, was_stale) = markdown::shown(markdown, stored);
            stale |= was_stale;
            html
        };
        let with_dates = export::timeline_needs_dates(&loaded.postmortem);
        let Loaded { postmortem, html, extras } = loaded;
        let no_extras = PageExtras::default();
        let extras = extras.as_ref().unwrap_or(&no_extras);
        let missing = postmortem.missing_for_review();
        let incident = &postmortem.incident;
        // Advice on blame and hindsight language, while the postmortem is still being written
        // or reviewed (published, it is history).
        let advice = if incident.status == Status::Published {
            Vec::new()
        } else {
            let names: Vec<String> = viewing.people.iter().map(|person| person.name.clone()).collect();
            let timeline: String =
                postmortem.timeline.iter().map(|entry| entry.body.as_str()).collect::<Vec<_>>().join("\n");
            let parts = Section::ALL
                .iter()
                .map(|section| (section.label(), incident.texts[*section].as_str()))
                .chain([("Timeline", timeline.as_str())])
                .chain(postmortem.sections.iter().map(|extra| (extra.heading.as_str(), extra.body.as_str())));
            crate::domain::advice::read_all(parts, &names)
        };
        let offset = incident.offset;
        let headings = &incident.headings;
        let mut before_timeline = Vec::new();
        let mut after_timeline = Vec::new();
        let outline = incident.template.as_ref();
        let questions = |part: Part| outline.and_then(|o| o.find(part)).map(|s| s.hint()).unwrap_or_default();
        for section in Section::ALL {
            let written = !incident.texts[section].trim().is_empty();
            // A section its template leaves out shows only once written (the form keeps it
            // under "More sections").
            if !written && outline.is_some_and(|outline| !outline.has(section)) {
                continue;
            }
            let view = SectionView {
                key: section.key(),
                heading: headings.sections[section].clone().unwrap_or_else(|| section.label().to_owned()),
                html: shown(&incident.texts[section], &html.texts[section]),
                written,
                hint: questions(Part::Text(section)),
            };
            if section.before_timeline() { before_timeline.push(view) } else { after_timeline.push(view) }
        }
        let timeline = postmortem
            .timeline
            .iter()
            .zip(&html.timeline)
            .map(|(entry, stored)| TimelineRow {
                id: entry.id,
                // To the second at most: the export and `datetime` keep any fraction.
                time: if crate::format::is_date_alone(&entry.time_as_written)
                    && t::local(entry.occurred_at, offset).time() == time::Time::MIDNIGHT
                {
                    entry.time_as_written.clone()
                } else {
                    export::clock_at(t::whole_seconds(entry.occurred_at), offset, with_dates)
                },
                iso: t::format_rfc3339(entry.occurred_at, offset),
                html: shown(&entry.body, stored),
                marker: entry.marker,
            })
            .collect();
        // How long after impact started it was detected and mitigated, when entries mark it.
        let after_start = |marker: Marker| {
            let entry = postmortem.timeline.iter().find(|entry| entry.marker == Some(marker))?;
            let elapsed = entry.occurred_at - incident.started_at?;
            Some((marker, if elapsed.is_negative() { "before impact".to_owned() } else { t::format_duration(elapsed) }))
        };
        let moments = [Marker::Detected, Marker::Mitigated].into_iter().filter_map(after_start).collect();
        let open_action_items = postmortem.action_items.iter().filter(|item| !item.is_closed()).count();
        let action_items = postmortem
            .action_items
            .iter()
            .zip(&html.action_items)
            .map(|(item, stored)| ActionRow {
                id: item.id,
                html: shown(&item.body, stored),
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
                verification: Verification::of(item),
                recurred_in: item.recurred_in.iter().map(|&later| (later, super::paths::incident(later))).collect(),
                recurred_in_as_written: item.recurred_in_as_written.clone(),
            })
            .collect();
        let extra_sections = postmortem
            .sections
            .iter()
            .zip(&html.sections)
            .map(|(s, stored)| ExtraSectionView {
                id: s.id,
                heading: s.heading.clone(),
                html: shown(&s.body, stored),
                written: !s.body.trim().is_empty(),
                hint: outline.and_then(|outline| outline.extra_hint(&s.heading)).unwrap_or_default(),
            })
            .collect();
        let comments = extras
            .comments
            .iter()
            .map(|c| CommentView {
                step: c.kind.step(),
                html: shown(&c.body, &c.stored_html()),
                when: super::layout::ago_at(c.created_at, viewing.now),
                author: c.author.clone(),
            })
            .collect();
        let (entry_form, entry_errors) =
            pending.entry.unwrap_or_else(|| (TimelineForm::blank(incident), FieldErrors::default()));
        let (item_form, item_errors) =
            pending.item.unwrap_or_else(|| (ActionItemForm::blank(viewing.default_due), FieldErrors::default()));
        let (section_form, section_errors) = pending.section.unwrap_or_default();
        let (review_error, comment_text) =
            pending.review.map_or((None, String::new()), |(why, text)| (Some(why), text));
        let can = |needed: Role| viewing.viewer.can(needed);
        ShowPage {
            id: incident.id,
            before_timeline,
            after_timeline,
            start: incident.started_at.map(|start| TimeView::new(start, offset)),
            end: incident.ended_at.map(|end| TimeView::new(end, offset)),
            duration: incident.duration().map(t::format_duration),
            moments,
            updated: t::format_full(incident.updated_at, offset),
            severity: incident.severity,
            status: incident.status,
            offset,
            time_label: format!("Time ({offset})"),
            timeline_heading: headings.timeline.clone().unwrap_or_else(|| "Timeline".to_owned()),
            action_items_heading: headings.action_items.clone().unwrap_or_else(|| "Action items".to_owned()),
            title: incident.title.clone(),
            timeline,
            timeline_shows_dates: with_dates,
            timeline_shows_seconds: postmortem.timeline.iter().any(|entry| entry.occurred_at.second() != 0),
            action_items,
            open_action_items,
            entry_form,
            entry_errors,
            item_form,
            item_errors,
            extra_sections,
            section_form,
            section_errors,
            can_edit: can(Role::Engineer),
            can_delete: can(Role::Manager),
            can_review: can(Role::Manager),
            last_edited: extras
                .last_change
                .as_ref()
                .map(|c| (c.actor.clone(), super::layout::ago_at(c.at, viewing.now))),
            revisions: extras.revisions,
            people: viewing.people,
            teams: viewing.teams,
            missing,
            advice,
            author_publishes: viewing.author_publishes,
            template_name: outline.map(|outline| outline.name.clone()),
            labels: postmortem.labels.clone(),
            recurrences_as_written: crate::domain::recurrences::RecurrencesAsWritten {
                happened_before: postmortem.recurrences.before_as_written.clone(),
                happened_again: postmortem.recurrences.again_as_written.clone(),
            },
            timeline_hint: questions(Part::Timeline),
            action_items_hint: questions(Part::ActionItems),
            comments,
            review_error,
            comment_text,
            stale,
            learning: Default::default(),
            viewer: viewing.viewer,
        }
    }
}

/// The postmortem page, with any rejected sub-form shown again (422) as the user typed it.
pub async fn render_show(
    state: &AppState,
    db: &mut PgConnection,
    viewer: Viewer,
    id: IncidentId,
    pending: PendingForms,
) -> Result<Response> {
    let may_edit = viewer.can(Role::Engineer);
    let (people_kept, teams_kept) = state.pickers.kept_versions();
    let lists = ForPage { pickers: may_edit, people_kept, teams_kept };
    let kept = state.postmortems.get(id);
    let read = db::postmortems::load_page(&mut *db, id, kept.as_ref().map(|(stamp, _)| *stamp), lists).await?;
    let (loaded, lists) = match (read, kept) {
        (None, _) => {
            state.postmortems.forget(id);
            return Err(AppError::NotFound);
        }
        (Some(PageRead::Unchanged(lists)), Some((_, loaded))) => (loaded, lists),
        (Some(PageRead::Read(loaded, stamp, lists)), _) => {
            let loaded = Arc::new(*loaded);
            state.postmortems.put(id, stamp, loaded.clone());
            (loaded, lists)
        }
        (Some(PageRead::Unchanged(_)), None) => {
            return Err(AppError::Internal("the postmortem was unchanged, but none was kept".into()));
        }
    };
    let status = if pending.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let now = time::OffsetDateTime::now_utc();
    let mut viewing = Viewing {
        viewer,
        people: Shared::from([]),
        teams: Shared::from([]),
        default_due: state.due_policy.due(loaded.postmortem.incident.severity, now.date()),
        now,
        author_publishes: lists.review == Some(ReviewRule::Author),
    };
    if may_edit {
        let people = (lists.people_version, lists.people);
        let teams = (lists.teams_version, lists.teams);
        match state.pickers.at(people, teams) {
            Some((people, teams)) => (viewing.people, viewing.teams) = (people, teams),
            // Kept lists that aged out between the query and now: read them.
            None => {
                viewing.people = state.pickers.people(&mut *db, Some(lists.people_version), None).await?;
                viewing.teams = state.pickers.teams(&mut *db, Some(lists.teams_version)).await?;
            }
        }
    }
    // HTML an older renderer made is made again, off the async workers, before the page is
    // built (which then renders nothing).
    let fresh = super::rendering::freshened(&loaded).await;
    let mut page = ShowPage::build(fresh.as_ref().unwrap_or(&loaded), pending, viewing);
    page.stale |= fresh.is_some();
    page.learning = super::recurrences::Learning::read(&mut *db, id).await?;
    if page.stale {
        // Made by another renderer: shown fresh now, and stored again off this request.
        let pool = state.pool.clone();
        tokio::spawn(async move {
            let refreshed = match pool.acquire().await {
                Ok(mut conn) => app::rendering::refresh_postmortem(&mut conn, id).await,
                Err(error) => Err(error.into()),
            };
            if let Err(error) = refreshed {
                tracing::warn!(incident.id = %id, %error, "Could not store freshly rendered HTML");
            }
        });
    }
    Ok((status, page).into_response())
}

/// The postmortems this instance read lately, each with the [`Stamp`] it is current as of. A
/// page asks the database only whether the stamp is still the current one, and reads the
/// postmortem again when it is not (any change to it, or to the people and teams it names,
/// moves the stamp on, whichever instance made the change). Kept for at most a minute, so even
/// a change made outside Hindsight, by hand in the database, shows within one.
pub struct KeptPostmortems {
    entries: Mutex<HashMap<IncidentId, KeptPostmortem>>,
}

/// A postmortem as kept: what it is current as of, when it was read, and what was read.
type KeptPostmortem = (Stamp, Instant, Arc<Loaded>);

/// How many postmortems an instance keeps, and for how long.
const KEPT_POSTMORTEMS: usize = 256;
const POSTMORTEMS_KEPT_FOR: Duration = Duration::from_secs(60);

impl Default for KeptPostmortems {
    fn default() -> KeptPostmortems {
        KeptPostmortems { entries: Mutex::new(HashMap::new()) }
    }
}

impl KeptPostmortems {
    fn lock(&self) -> MutexGuard<'_, HashMap<IncidentId, KeptPostmortem>> {
        // Only copies of what was read: one left by a panicking thread is fine to use.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, id: IncidentId) -> Option<(Stamp, Arc<Loaded>)> {
        let entries = self.lock();
        let (stamp, at, loaded) = entries.get(&id)?;
        (at.elapsed() < POSTMORTEMS_KEPT_FOR).then(|| (*stamp, loaded.clone()))
    }

    fn put(&self, id: IncidentId, stamp: Stamp, loaded: Arc<Loaded>) {
        let mut entries = self.lock();
        if entries.len() >= KEPT_POSTMORTEMS && !entries.contains_key(&id) {
            // Make room: the one read longest ago goes.
            let oldest = entries.iter().min_by_key(|(_, (_, at, _))| *at).map(|(id, _)| *id);
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(id, (stamp, Instant::now(), loaded));
    }

    fn forget(&self, id: IncidentId) {
        self.lock().remove(&id);
    }
}

pub async fn show(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Path(id): Path<IncidentId>,
) -> Result<Response> {
    render_show(&state, &mut db, viewer, id, PendingForms::default()).await
}
