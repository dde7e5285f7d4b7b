//! From recognised sections to a draft postmortem: metadata read, start and end resolved from
//! what the authors stated, every timeline row given an instant, action items parsed.

use time::{Date, OffsetDateTime, Time};

mod span;

use super::action_items::{self, ImportedItem, ItemStatus};
pub use super::model::{ImportedEntry, ImportedPostmortem, ResolvedItem};
use super::sections::{SectionKind, own_heading};
use super::timeline::{self, RawEntry};
use super::when::{self, PartialDate, Zone};
use super::{Sections, Statement, split_sections, statement_kind};
use crate::domain::input::is_web_address;
use crate::domain::input::{ActionItemDraft, IncidentDraft, SectionDraft, TimelineDraft};
use crate::domain::labels::{self, LabelsDraft};
use crate::domain::recurrences::RecurrencesAsWritten;
use crate::domain::time::{Offset, showable};
use crate::domain::{ActionKind, ActionStatus, PerSection, Priority, Section, SectionHeadings, Severity, Status};
use crate::format::{self, Part};
use span::{END_MARKERS, START_MARKERS, bad_zone, conflict, date_and_time, marked_row, take_metadata};

/// Recognises `source` (a Markdown postmortem; `file_name` titles it when nothing else does).
/// A Hindsight export is read by its grammar, so it comes back exactly as it was saved.
pub fn recognise(source: &str, file_name: Option<&str>) -> ImportedPostmortem {
    recognise_with(source, file_name, &Corrections::default())
}

/// What a user corrected in the import preview, read as if the document had said it: the
/// start dates the timeline rows that have no date of their own, and the offset is the zone
/// the document's times are in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Corrections {
    pub start: Option<OffsetDateTime>,
    pub offset: Option<Offset>,
}

/// [`recognise`], with the user's corrections taking precedence over the document.
pub fn recognise_with(source: &str, file_name: Option<&str>, corrections: &Corrections) -> ImportedPostmortem {
    let export = if corrections == &Corrections::default() { super::exported::read(source) } else { None };
    let mut imported = export.unwrap_or_else(|| recognise_document(source, file_name, corrections));
    // Saved as a draft whatever it says (see `app::imports`): the user is told so.
    if let Some(status) = imported.status.filter(|status| *status != Status::Draft) {
        imported.notes.push(format!("Imported as a draft; it was marked {} in the document.", status.label()));
    }
    if imported.severity.is_none() {
        imported.notes.push("No severity was stated; it is saved as SEV3 until you choose one.".to_owned());
    }
    imported
}

fn recognise_document(source: &str, file_name: Option<&str>, corrections: &Corrections) -> ImportedPostmortem {
    let mut notes = Vec::new();
    // Jira's wiki markup (`h2. Summary`, `||Time||Event||`) is read as the Markdown it means.
    let mut converted = super::jira::to_markdown(source);
    if converted.is_some() {
        notes.push("The document is in Jira wiki markup; it was read as Markdown.".to_owned());
    } else {
        // reStructuredText (underlined titles, `:Field:` lines, simple tables) likewise.
        converted = super::rst::to_markdown(source);
        if converted.is_some() && super::rst::is_restructured_text(source) {
            notes.push("The document is in reStructuredText; it was read as Markdown.".to_owned());
        }
    }
    let source = converted.as_deref().unwrap_or(source);
    let mut sections = split_sections(source, file_name);
    let mut metadata = take_metadata(&mut sections.texts[Section::Summary].body);
    // Front matter keys that state the span (`started_at`, `impact_end`, `timezone`) count as
    // the first statements of the document.
    for (key, value) in &sections.front_matter {
        let value = value.trim_matches(['"', '\'']).to_owned();
        match statement_kind(key) {
            Some(Statement::Start) => sections.stated_starts.insert(0, value),
            Some(Statement::End) => sections.stated_ends.insert(0, value),
            Some(Statement::Zone) => sections.stated_zones.insert(0, value),
            _ => {}
        }
    }
    // A sentence of the summary or the impact that says when it began and ended, when no line
    // or field states it (`The impact began at 19:12 and ended at 20:58.`).
    if metadata.starts.is_empty() && sections.stated_starts.is_empty() {
        let written = format!("{}\n{}", sections.texts[Section::Summary].body, sections.texts[Section::Impact].body);
        let (start, end) = span::stated_in_sentences(&written);
        if let Some(start) = start {
            notes.push(format!("The start of impact was read from the words “{start}”."));
            sections.stated_starts.push(start);
            if let Some(end) = end.filter(|_| metadata.ends.is_empty() && sections.stated_ends.is_empty()) {
                sections.stated_ends.push(end);
            }
        }
    }
    // Every statement of the start (and of the end): a metadata line or a `**Start:**` line.
    // Two that disagree are not settled by picking one: the user says which is right.
    let start_conflict = conflict("start", metadata.starts.iter().chain(&sections.stated_starts))
        .filter(|_| corrections.start.is_none());
    let end_conflict = conflict("end", metadata.ends.iter().chain(&sections.stated_ends));
    // `**Start:** 2025-03-01 10:15 UTC` lines anywhere, when no metadata list said it.
    for (stated, slot) in
        [(sections.stated_starts.first(), &mut metadata.start), (sections.stated_ends.first(), &mut metadata.end)]
    {
        if slot.is_none()
            && let Some(value) = stated
        {
            *slot = date_and_time(value);
            if slot.is_some() && metadata.zone.is_none() {
                metadata.zone = when::find_zone(value);
            }
        }
    }
    if metadata.zone.is_none() {
        metadata.zone = sections.stated_zones.iter().find_map(|value| when::find_zone(value));
    }
    // A start or end stated as a time alone (`impact_start: "10:05"`) is on the incident's day.
    let time_only = |stated: &[String]| {
        stated.iter().find(|value| when::parse_date(value).is_none()).and_then(|value| when::parse_time(value))
    };
    let (start_time_only, end_time_only) =
        (time_only(&sections.stated_starts).map(|(t, _)| t), time_only(&sections.stated_ends).map(|(t, _)| t));

    // A zone stated that is not one is not read as another (UTC): the user says which.
    let zone_problem = if corrections.offset.is_some() { None } else { bad_zone(&metadata, &sections) };

    let severity = metadata
        .severity
        .or_else(|| front(&sections, "severity").and_then(parse_severity))
        .or_else(|| front(&sections, "sev").and_then(parse_severity));
    let status = metadata.status.or_else(|| front(&sections, "status").and_then(parse_status));

    let raw_timeline = timeline::parse(&sections.timeline.body);
    // The span the authors stated: a Start/End pair, a duration line, front matter, or a
    // "from 16:58 to 18:46 UTC" sentence in the summary.
    let span_text: Vec<&str> = sections.duration.iter().map(String::as_str).collect();
    let span = span_text
        .iter()
        .find_map(|text| when::parse_span(text))
        .or_else(|| when::parse_span(&sections.texts[Section::Summary].body));
    let zone = corrections
        .offset
        .map(|offset| Zone::Fixed(offset.to_utc_offset()))
        .or_else(|| metadata.zone.clone())
        .or_else(|| span.as_ref().and_then(|s| s.zone.clone()))
        .or_else(|| raw_timeline.zone.clone())
        // `## Timeline (all times PST)`
        .or_else(|| sections.timeline.heading.as_deref().and_then(when::find_zone))
        .or_else(|| raw_timeline.entries.iter().find_map(|e| e.zone.clone()))
        .or_else(|| front(&sections, "timezone").and_then(when::find_zone))
        .or_else(|| span_text.iter().find_map(|t| when::find_zone(t)))
        // `All times in CEST.` anywhere in the summary.
        .or_else(|| when::find_zone(&sections.texts[Section::Summary].body))
        .unwrap_or_else(|| {
            notes.push("No time zone was stated; times were read as UTC.".to_owned());
            Zone::UTC
        });
    // `CET (UTC+1) until 02:00, then CEST (UTC+2)`: the region's clock, an assumption to say.
    if corrections.offset.is_none()
        && let Some((standard, daylight)) = when::seasons_named(source, &zone)
    {
        notes.push(format!(
            "The document names both {standard} and {daylight}: its times were read in the {zone} time zone, \
             {standard} or {daylight} as daylight saving there has it on each date."
        ));
    }

    // The incident's first day: from the stated start, else any full date the document gives.
    let day = corrections
        .start
        // Typed in the offset the user chose, so its date is the local one.
        .map(|start| start.date())
        .or_else(|| metadata.start.map(|(date, _)| date))
        .or_else(|| span.as_ref().and_then(|s| s.start_date))
        .or_else(|| front(&sections, "date").and_then(|d| when::parse_date(d).map(|(date, _)| date)))
        .or_else(|| raw_timeline.date.and_then(|d| d.date()))
        .or_else(|| raw_timeline.entries.iter().find_map(|e| e.date.or(e.day).and_then(|d| d.date())))
        .or_else(|| when::parse_date(&sections.title).map(|(date, _)| date))
        .or_else(|| when::parse_date(&sections.texts[Section::Summary].body).map(|(date, _)| date))
        .or_else(|| file_name.and_then(|name| when::parse_date(name).map(|(date, _)| date)));

    let started_at = corrections
        .start
        .or_else(|| metadata.start.map(|(date, time)| zone.resolve(date, time)))
        .or_else(|| Some(zone.resolve(day?, start_time_only?)))
        .or_else(|| {
            let span = span.as_ref()?;
            Some(zone.resolve(span.start_date.or(day)?, span.start))
        });
    let ended_at = metadata
        .end
        .map(|(date, time)| zone.resolve(date, time))
        .or_else(|| {
            // A time alone earlier than the start's is on the next day.
            let end = end_time_only?;
            let date = if start_time_only.is_some_and(|start| end < start) { day?.next_day()? } else { day? };
            Some(zone.resolve(date, end))
        })
        .or_else(|| {
            let span = span.as_ref()?;
            let end_date = span.end_date.or_else(|| {
                let start_date = span.start_date.or(day)?;
                Some(if span.end < span.start { start_date.next_day()? } else { start_date })
            })?;
            Some(zone.resolve(end_date, span.end))
        });
    if metadata.start.is_none() && corrections.start.is_none() && start_time_only.is_some() && started_at.is_some() {
        notes.push("The start was stated as a time alone; it was read on the incident's first day.".to_owned());
    }
    if metadata.end.is_none() && end_time_only.is_some() && ended_at.is_some() {
        notes.push("The end was stated as a time alone; it was read on the incident's first day, or the next if earlier than the start.".to_owned());
    }
    let (mut started_at, mut ended_at) = (started_at.and_then(showable), ended_at.and_then(showable));
    for (conflict, instant) in [(&start_conflict, &mut started_at), (&end_conflict, &mut ended_at)] {
        if let Some(message) = conflict {
            *instant = None;
            notes.push(message.clone());
        }
    }
    if let Some(problem) = &zone_problem {
        notes.push(problem.clone());
    }
    let timeline = resolve_timeline(&raw_timeline.entries, &zone, day, &mut notes);
    // Nothing else stated them: a timeline row that marks the start or the end of impact
    // (`Customer impact begins`, `**Mitigated.**`, `All clear`) does.
    if started_at.is_none()
        && start_conflict.is_none()
        && let Some((at, text)) = marked_row(&timeline, START_MARKERS, None)
    {
        started_at = Some(at);
        notes.push(format!("The start of impact was read from the timeline row “{}”.", text.trim_end_matches('.')));
    }
    if ended_at.is_none()
        && end_conflict.is_none()
        && let Some((at, text)) = marked_row(&timeline, END_MARKERS, started_at)
    {
        ended_at = Some(at);
        notes.push(format!("The end of impact was read from the timeline row “{}”.", text.trim_end_matches('.')));
    }
    if started_at.is_none() && start_conflict.is_none() {
        notes.push(
            "No start of impact was stated: it is saved as a draft without one, to be entered before review."
                .to_owned(),
        );
    }
    let offset_minutes = match (started_at, day) {
        (Some(start), _) => start.offset().whole_minutes().into(),
        (None, Some(day)) => zone.offset_at(day, Time::MIDNIGHT).whole_minutes().into(),
        (None, None) => 0,
    };

    let parsed_items = action_items::parse(&sections.action_items.body);
    let year = day.map(|d| d.year());
    let action_items = parsed_items
        .items
        .into_iter()
        .map(|item| {
            let due_on = item.due.as_deref().and_then(|due| {
                when::parse_date(due)
                    .map(|(date, _)| date)
                    .or_else(|| when::find_date(due).and_then(|(partial, _)| partial.or_year(year?)))
            });
            ResolvedItem { item, due_on }
        })
        .collect();

    let Sections {
        title,
        title_source,
        texts,
        timeline: timeline_field,
        action_items: items_field,
        extra_sections,
        ..
    } = sections;
    ImportedPostmortem {
        title,
        title_source,
        severity,
        status,
        started_at,
        ended_at,
        zone: zone.label(),
        utc_offset_minutes: Offset::from_minutes(offset_minutes).minutes(),
        texts,
        timeline_heading: timeline_field.heading,
        timeline,
        timeline_notes: raw_timeline.notes,
        action_items_heading: items_field.heading,
        action_items,
        action_item_notes: parsed_items.notes,
        extra_sections,
        labels: Default::default(),
        recurrences: Default::default(),
        notes,
        start_conflict,
        end_conflict,
        zone_problem,
    }
}

/// Gives each row an instant: its own date, else the date of the row above, else the
/// incident's first day; a time earlier than the row above's, with no date of its own,
/// rolls over to the next day.
fn resolve_timeline(
    entries: &[RawEntry],
    zone: &Zone,
    day: Option<Date>,
    notes: &mut Vec<String>,
) -> Vec<ImportedEntry> {
    let mut current_day = day;
    let mut previous: Option<(Date, Time)> = None;
    let mut heading_day: Option<Date> = None;
    let mut undated = 0;
    let resolved = entries
        .iter()
        .map(|entry| {
            let year = current_day.or(day).map(|d| d.year());
            let full = |d: PartialDate| d.date().or_else(|| d.or_year(year?));
            let own_date = entry.date.and_then(full);
            // Under a new day heading, rows start on that day; a time earlier than the row
            // above still rolls over past midnight ("23:00", then "00:40", under "May 12").
            if let Some(new_day) = entry.day.and_then(full)
                && Some(new_day) != heading_day
            {
                heading_day = Some(new_day);
                current_day = Some(new_day);
                previous = None;
            }
            let mut date = own_date.or(current_day);
            if let (None, Some(time), Some((prev_date, prev_time))) = (own_date, entry.time, previous)
                && Some(prev_date) == date
                && time < prev_time
            {
                date = prev_date.next_day();
            }
            let occurred_at = match (date, entry.time) {
                (Some(date), Some(time)) => {
                    previous = Some((date, time));
                    current_day = Some(date);
                    showable(entry.zone.as_ref().unwrap_or(zone).resolve(date, time))
                }
                (Some(date), None) => {
                    current_day = Some(date);
                    None
                }
                (None, _) => {
                    undated += 1;
                    None
                }
            };
            ImportedEntry {
                occurred_at,
                approximate: entry.approximate,
                time_as_written: entry.time_as_written.clone(),
                text: entry.text.clone(),
                marker: None,
            }
        })
        .collect();
    if undated > 0 {
        notes.push(format!(
            "{undated} timeline rows have no date to go by: they are kept, with their times as written, in a \
             section of their own (entering the start dates them)."
        ));
    }
    resolved
}

fn front<'a>(sections: &'a Sections, key: &str) -> Option<&'a str> {
    sections.front_matter.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
}

fn parse_severity(text: &str) -> Option<Severity> {
    let upper = text.trim().to_ascii_uppercase().replace([' ', '-'], "");
    let digit = upper.strip_prefix("SEV").or_else(|| upper.strip_prefix('S')).or_else(|| upper.strip_prefix('P'))?;
    format!("SEV{}", digit.chars().next()?).parse().ok()
}

fn parse_status(text: &str) -> Option<Status> {
    match text.trim().to_ascii_lowercase().as_str() {
        "draft" => Some(Status::Draft),
        "in review" | "in_review" | "review" => Some(Status::InReview),
        "published" | "final" | "complete" | "completed" => Some(Status::Published),
        _ => None,
    }
}

/// A field's value when the item came from a Hindsight export, where it is known to be
/// Hindsight's own; elsewhere such values stay in the item's text.
fn exact<T: std::str::FromStr>(item: &ImportedItem, value: &Option<String>) -> Option<T> {
    if item.exact { value.as_deref().and_then(|v| v.parse().ok()) } else { None }
}

impl ResolvedItem {
    pub fn is_done(&self) -> bool {
        self.item.status == ItemStatus::Done
    }

    /// An export's ticket link, if it is a web address (anything else stays in the text).
    fn exact_ticket(&self) -> Option<String> {
        self.item.ticket.clone().filter(|ticket| self.item.exact && is_web_address(ticket))
    }

    fn to_draft(&self) -> ActionItemDraft {
        let item = &self.item;
        let status = match item.status {
            ItemStatus::Open => ActionStatus::Open,
            ItemStatus::InProgress => ActionStatus::InProgress,
            ItemStatus::Done => ActionStatus::Done,
            ItemStatus::WontDo => ActionStatus::WontDo,
        };
        let wont_do_reason = match status {
            ActionStatus::WontDo => {
                item.reason.clone().unwrap_or_else(|| "Marked won't do in the imported document.".to_owned())
            }
            _ => String::new(),
        };
        ActionItemDraft {
            body: self.text_with_details(),
            kind: exact(item, &item.kind),
            priority: exact(item, &item.priority),
            owner: item.owner.clone().unwrap_or_default(),
            owner_id: None,
            team: item.team.clone().unwrap_or_default(),
            team_id: None,
            due_on: self.due_on,
            status,
            wont_do_reason,
            ticket_url: self.exact_ticket().unwrap_or_default(),
            completion_note: item.note.clone().unwrap_or_default(),
            verified: item.verified.clone().filter(|_| status == ActionStatus::Done),
            recurred_in_as_written: item.recurred_in.clone().unwrap_or_default(),
        }
    }

    /// The item's text with what has no field of its own yet (ticket, priority, type)
    /// kept at its end, so no word is lost.
    fn text_with_details(&self) -> String {
        let item = &self.item;
        // A status written as a word stays in the text (or the table's status column in the
        // details); the tick box carries done or not.
        let mut details: Vec<String> = Vec::new();
        let ticket = if self.exact_ticket().is_some() { &None } else { &item.ticket };
        let priority = if exact::<Priority>(item, &item.priority).is_some() { &None } else { &item.priority };
        let kind = if exact::<ActionKind>(item, &item.kind).is_some() { &None } else { &item.kind };
        for (label, value) in [("ticket", ticket), ("priority", priority), ("type", kind)] {
            if let Some(value) = value {
                details.push(format!("{label}: {value}"));
            }
        }
        if let Some(status) = &item.status_as_written {
            details.push(format!("status: {status}"));
        }
        // A due written otherwise than the date it resolved to (`KW 7`, `Q2`, `6月14日`) is
        // kept as written too: the date is the field's, the words are the authors'.
        if let Some(due) = item
            .due
            .as_deref()
            .filter(|due| self.due_on.is_none_or(|on| due.trim() != crate::domain::time::format_date(on)))
        {
            details.push(format!("due: {due}"));
        }
        if details.is_empty() { item.text.clone() } else { format!("{} ({})", item.text, details.join("; ")) }
    }
}

/// A recognised postmortem as rows to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drafts {
    pub incident: IncidentDraft,
    pub timeline: Vec<TimelineDraft>,
    pub action_items: Vec<ActionItemDraft>,
    pub sections: Vec<SectionDraft>,
    pub labels: LabelsDraft,
    /// What a Hindsight export said about recurrences, as written (`app::imports` links what
    /// names a postmortem of this instance).
    pub recurrences: RecurrencesAsWritten,
}

impl ImportedPostmortem {
    /// The rows to save, with the status the document states (a Hindsight export does, so an
    /// export reads back as the same postmortem; `app::imports` saves every import as a draft
    /// all the same). Text that has no place in a field
    /// (timeline rows without a time, notes between items) is kept in extra sections.
    ///
    /// Nothing stops a document from being saved (only what cannot be a postmortem at all is
    /// refused, by [`super::check_input`] and the limits): what it does not say, or says two
    /// ways, is saved empty, and the notes and the draft's review checklist ask for it.
    pub fn to_drafts(&self) -> Drafts {
        // A zone that is not one: no time is read in a zone the document did not state. The
        // start and end are left unsaid, and every row is kept, its time as written, in a
        // section of its own. (Two different starts were already left unsaid by `recognise`.)
        let unread_zone = self.zone_problem.is_some();
        let read_offset = Offset::from_minutes(self.utc_offset_minutes);
        let entries: std::borrow::Cow<'_, [ImportedEntry]> = if unread_zone {
            let as_written = |entry: &ImportedEntry| {
                entry.time_as_written.clone().or_else(|| {
                    let local = entry.occurred_at.map(|at| crate::domain::time::local(at, read_offset))?;
                    Some(format!(
                        "{} {}",
                        crate::domain::time::format_date(local.date()),
                        format::write_clock(local.time())
                    ))
                })
            };
            self.timeline
                .iter()
                .map(|entry| ImportedEntry { occurred_at: None, time_as_written: as_written(entry), ..entry.clone() })
                .collect()
        } else {
            std::borrow::Cow::Borrowed(&self.timeline)
        };
        // Not stated is saved as not stated: the draft asks for it before review.
        let started_at = self.started_at.filter(|_| !unread_zone);
        let ended_at = self.ended_at.filter(|end| !unread_zone && started_at.is_none_or(|start| *end >= start));
        let title = if self.title.trim().is_empty() { "Imported postmortem".to_owned() } else { self.title.clone() };
        let incident = IncidentDraft {
            title,
            severity: self.severity.unwrap_or(Severity::Sev3),
            status: self.status.unwrap_or(Status::Draft),
            started_at,
            ended_at,
            offset: Offset::from_minutes(self.utc_offset_minutes),
            texts: self.texts.map(|_, field| field.body.clone()),
            headings: SectionHeadings::default(),
        };
        // The day a time written without a date is on: the start's, else the first saved row's
        // (as the export reads it back).
        let first_day = started_at
            .or_else(|| {
                entries.iter().filter(|entry| !entry.text.trim().is_empty()).find_map(|entry| entry.occurred_at)
            })
            .map(|at| crate::domain::time::local(at, incident.offset).date());
        let timeline: Vec<TimelineDraft> = entries
            .iter()
            .filter_map(|entry| {
                let occurred_at = entry.occurred_at?;
                // Kept only where the export can write it and read it back as the same instant.
                let time_as_written = first_day
                    .zip(entry.time_as_written.as_deref())
                    .and_then(|(day, written)| writable_time(written, occurred_at, incident.offset, day))
                    .unwrap_or_default();
                Some(TimelineDraft { occurred_at, body: entry.text.clone(), time_as_written, marker: entry.marker })
            })
            .filter(|entry| !entry.body.trim().is_empty())
            .collect();
        // A hand-edited export may mark one moment twice.
        let mut timeline = timeline;
        // Without a start, the first row gives the others their first day: a day it names
        // without the year is left to the date the export writes for it.
        if started_at.is_none()
            && let Some(first) = timeline.first_mut()
            && format::leans_on_first_day(&first.time_as_written)
        {
            first.time_as_written.clear();
        }
        TimelineDraft::one_mark_each(&mut timeline);
        let action_items: Vec<ActionItemDraft> = self
            .action_items
            .iter()
            .filter(|item| !item.item.text.trim().is_empty())
            .map(ResolvedItem::to_draft)
            .collect();

        let mut sections = Vec::new();
        let untimed: Vec<String> = entries
            .iter()
            .filter(|entry| entry.occurred_at.is_none() || entry.text.trim().is_empty())
            // A time that could not be dated (no start to go by) is kept as written.
            .map(|entry| match entry.time_as_written.as_deref().filter(|_| entry.occurred_at.is_none()) {
                Some(time) => format!("- {time} {}", entry.text),
                None => format!("- {}", entry.text),
            })
            .collect();
        // The line a Hindsight export writes above its timeline is restated by every export.
        let own_zone_line = format!("All times are {}.", self.zone);
        let timeline_notes: Vec<&str> =
            self.timeline_notes.lines().filter(|line| line.trim() != own_zone_line).collect();
        // With no timed entry (or no item) to head, the authors' heading goes to the first of
        // these sections instead, so it is still exported.
        let mut timeline_heading = self.timeline_heading.as_deref().filter(|_| timeline.is_empty());
        let mut items_heading = self.action_items_heading.as_deref().filter(|_| action_items.is_empty());
        for (from_timeline, heading, body) in [
            (true, "Timeline notes", timeline_notes.join("\n").trim().to_owned()),
            (true, "Timeline rows without a time", untimed.join("\n")),
            (false, "Action item notes", self.action_item_notes.clone()),
        ] {
            if !body.trim().is_empty() {
                let own = if from_timeline { timeline_heading.take() } else { items_heading.take() };
                sections.push(SectionDraft { heading: own.unwrap_or(heading).to_owned(), body });
            }
        }
        sections.extend(
            self.extra_sections.iter().map(|s| SectionDraft { heading: s.heading.clone(), body: s.body.clone() }),
        );
        let headings = self.own_headings(!timeline.is_empty(), !action_items.is_empty());
        let labels = self.labels.to_draft();
        Drafts {
            incident: IncidentDraft { headings, ..incident },
            timeline,
            action_items,
            sections,
            labels,
            recurrences: self.recurrences.clone(),
        }
    }
}

/// The time a row was written with, as the export may write it for `instant` in a timeline
/// shown in `offset` from `first_day` (see [`format::written_time_fits`]). A time written in
/// another offset than the timeline's (`09:30` the morning after clocks went forward, in a
/// timeline shown in the offset of its start) is kept with that offset named after it
/// (`09:30 UTC+2`): the clock is the authors', and it reads back as the same instant.
fn writable_time(written: &str, instant: OffsetDateTime, offset: Offset, first_day: Date) -> Option<String> {
    if format::written_time_fits(written, instant, offset, first_day) {
        return Some(written.to_owned());
    }
    let own = Offset::from_minutes(i32::from(instant.offset().whole_minutes()));
    let named = format!("{written} {own}");
    (own != offset && format::written_time_fits(&named, instant, offset, first_day)).then_some(named)
}

impl ImportedPostmortem {
    /// The authors' headings worth keeping: those of sections the export will write (a
    /// section without content is left out, and its heading with it) that read back as the
    /// same section. The corrective and preventative measures share one heading.
    fn own_headings(&self, has_timeline: bool, has_action_items: bool) -> SectionHeadings {
        let has_measures = Section::ALL.into_iter().any(|s| s.is_measure() && !self.texts[s].body.is_empty());
        let measures = Section::ALL
            .into_iter()
            .filter(|section| section.is_measure())
            .find_map(|section| {
                own_heading(self.texts[section].heading.as_deref(), SectionKind::Measures, Part::Measures.heading())
            })
            .filter(|_| has_measures);
        let list_heading = |heading: &Option<String>, present: bool, kind: SectionKind, part: Part| {
            own_heading(heading.as_deref().filter(|_| present), kind, part.heading()).map(str::to_owned)
        };
        SectionHeadings {
            sections: PerSection::from_fn(|section| {
                let field = &self.texts[section];
                let heading = field.heading.as_deref().filter(|_| !field.body.is_empty() && !section.is_measure());
                own_heading(heading, kind_of(section), section.export_heading()).map(str::to_owned)
            }),
            timeline: list_heading(&self.timeline_heading, has_timeline, SectionKind::Timeline, Part::Timeline),
            measures: measures.map(str::to_owned),
            action_items: list_heading(
                &self.action_items_heading,
                has_action_items,
                SectionKind::ActionItems,
                Part::ActionItems,
            ),
        }
    }
}

/// What a heading must mean to be kept as `section`'s own.
fn kind_of(section: Section) -> SectionKind {
    match section {
        Section::Summary => SectionKind::Summary,
        Section::Impact => SectionKind::Impact,
        Section::RootCause => SectionKind::RootCause,
        Section::Resolution => SectionKind::Resolution,
        Section::CorrectiveMeasures => SectionKind::CorrectiveMeasures,
        Section::PreventativeMeasures => SectionKind::PreventativeMeasures,
        Section::LessonsLearned => SectionKind::LessonsLearned,
    }
}

/// The postmortem `drafts` would become once saved, with made-up ids: for exporting a
/// recognised document without a database (tests, benchmarks).
pub fn saved(drafts: Drafts) -> crate::domain::Postmortem {
    use crate::domain::*;
    let id = IncidentId(1);
    let d = drafts.incident;
    // Any instant will do for when it was saved and its items closed.
    let saved_at = d.started_at.or(d.ended_at).unwrap_or(::time::OffsetDateTime::UNIX_EPOCH);
    Postmortem {
        incident: Incident {
            id,
            title: d.title,
            severity: d.severity,
            status: d.status,
            started_at: d.started_at,
            ended_at: d.ended_at,
            offset: d.offset,
            texts: d.texts,
            headings: d.headings,
            template: None,
            version: 1,
            updated_at: saved_at,
        },
        timeline: drafts
            .timeline
            .into_iter()
            .enumerate()
            .map(|(n, e)| TimelineEntry {
                id: TimelineEntryId(n as i64),
                incident_id: id,
                occurred_at: e.occurred_at,
                body: e.body,
                time_as_written: e.time_as_written,
                marker: e.marker,
            })
            .collect(),
        action_items: drafts
            .action_items
            .into_iter()
            .enumerate()
            .map(|(n, i)| ActionItem {
                id: ActionItemId(n as i64),
                incident_id: id,
                completed_at: i.status.is_closed().then_some(saved_at),
                body: i.body,
                kind: i.kind,
                priority: i.priority,
                status: i.status,
                wont_do_reason: i.wont_do_reason,
                owner: i.owner,
                owner_id: None,
                owner_person: None,
                team: i.team,
                team_id: None,
                team_name: None,
                ticket_url: i.ticket_url,
                completion_note: i.completion_note,
                version: 1,
                due_on: i.due_on,
                verified_at: i.verified.as_ref().map(|v| v.on.midnight().assume_utc()),
                verified_by: None,
                verifier: i.verified.as_ref().map(|v| v.by.clone()).unwrap_or_default(),
                verification_evidence: i.verified.map(|v| v.evidence).unwrap_or_default(),
                recurred_in: Vec::new(),
                recurred_in_as_written: i.recurred_in_as_written,
            })
            .collect(),
        sections: drafts
            .sections
            .into_iter()
            .enumerate()
            .map(|(n, s)| ExtraSection { id: SectionId(n as i64), incident_id: id, heading: s.heading, body: s.body })
            .collect(),
        labels: labels::Labels {
            services: (drafts.labels.services.into_iter().enumerate())
                .map(|(n, name)| labels::ServiceRef { id: ServiceId(n as i64), name })
                .collect(),
            tags: drafts.labels.tags,
            factors: (drafts.labels.factors.into_iter().enumerate())
                .map(|(n, (choice, explanation))| {
                    let (id, name) = match choice {
                        labels::FactorChoice::Kind(id) => (id, id.to_string()),
                        labels::FactorChoice::Named(name) => (FactorKindId(n as i64), name),
                    };
                    labels::Factor { id, name, explanation }
                })
                .collect(),
        },
        recurrences: recurrences::Recurrences {
            before_as_written: drafts.recurrences.happened_before,
            again_as_written: drafts.recurrences.happened_again,
            ..Default::default()
        },
    }
}

impl super::model::ImportedLabels {
    /// The labels to save: each name and explanation the forms would take (others are left
    /// out: only a hand-edited document has them), each at most once, and no more than a form
    /// may name.
    pub fn to_draft(&self) -> LabelsDraft {
        use crate::domain::input::FieldErrors;
        let each = |names: &[String], read: fn(&mut FieldErrors, &'static str, &str) -> Vec<String>, max: usize| {
            let mut kept: Vec<String> = Vec::new();
            for name in names {
                let mut errors = FieldErrors::default();
                for name in read(&mut errors, "", name) {
                    if !kept.iter().any(|k| k.to_lowercase() == name.to_lowercase()) {
                        kept.push(name);
                    }
                }
            }
            kept.truncate(max);
            kept
        };
        let mut factors: Vec<(labels::FactorChoice, String)> = Vec::new();
        for factor in &self.factors {
            let mut errors = FieldErrors::default();
            let name = labels::factor_kind_name(&mut errors, "", &factor.name);
            let explanation = labels::explanation(&mut errors, "", &name, &factor.explanation);
            let named = |(choice, _): &(labels::FactorChoice, String)| matches!(choice, labels::FactorChoice::Named(n) if n.to_lowercase() == name.to_lowercase());
            if errors.is_empty() && !factors.iter().any(named) {
                factors.push((labels::FactorChoice::Named(name), explanation));
            }
        }
        factors.truncate(labels::MAX_FACTORS);
        LabelsDraft {
            services: each(&self.services, labels::services, labels::MAX_SERVICES),
            tags: each(&self.tags, labels::tags, labels::MAX_TAGS),
            factors,
        }
    }
}

#[cfg(test)]
mod tests;
