//! From recognised sections to a draft postmortem: metadata read, start and end resolved from
//! what the authors stated, every timeline row given an instant, action items parsed.

use time::{Date, OffsetDateTime, Time};

mod clues;
mod markers;
mod rows;
mod span;

use std::collections::BTreeSet;

use super::action_items::{self, ImportedItem, ItemStatus, WrittenField};
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
use clues::{is_labelled, short_date_order, without_labelled_lines};
pub use rows::{Drafts, saved};
use span::{END_MARKERS, SETTLED_MARKERS, START_MARKERS, bad_zone, conflict, date_and_time, marked_row, take_metadata};

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
    // `11/04/2025` reads two ways: the document says which (its other dates, its zone), and
    // the notes say how it was read.
    let order = when::find_date_order(source);
    let mut imported = when::with_date_order(order.as_ref().map(|found| found.order), || {
        recognise_in_order(source, file_name, corrections)
    });
    if let Some(found) = order {
        let read = when::with_date_order(Some(found.order), || when::parse_date(&found.example));
        let how = match found.order {
            when::DateOrder::DayFirst => "day first",
            when::DateOrder::MonthFirst => "month first",
        };
        let example = match read {
            Some((date, _)) => format!("{} ({})", found.example, crate::domain::time::format_date(date)),
            None => found.example.clone(),
        };
        imported.notes.push(format!("Dates written like {example} were read {how}, as {}.", found.reason));
    }
    imported
}

fn recognise_in_order(source: &str, file_name: Option<&str>, corrections: &Corrections) -> ImportedPostmortem {
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
    if converted.is_none() {
        // Plain text (a Google Doc saved as `.txt`): lines naming sections are its headings.
        converted = super::plain::to_markdown(source);
        if converted.is_some() {
            notes.push(
                "The document has no Markdown headings; short lines naming sections (Summary, Timeline, …) \
                 were read as its headings."
                    .to_owned(),
            );
        }
    }
    // An e-mail thread pasted in keeps the postmortem in a quote (`> Summary`, `> Timeline`).
    if let Some(unquoted) = super::plain::unquote_outlines(converted.as_deref().unwrap_or(source)) {
        notes.push(
            "Sections written inside a quoted e-mail (Summary, Timeline, …) were read as the document's sections."
                .to_owned(),
        );
        converted = Some(unquoted);
    }
    let source = converted.as_deref().unwrap_or(source);
    let mut sections = split_sections(source, file_name);
    notes.append(&mut sections.read_by_content);
    // `T0 = 14:05 UTC, 4 June 2025`, wherever the document states it: rows and sentences
    // written `T+0:12` count from it.
    let moment_zero = when::moment_zero(source);
    let mut metadata = take_metadata(&mut sections.texts[Section::Summary].body);
    // Front matter keys that state the span (`started_at`, `impact_end`, `timezone`) count as
    // the first statements of the document.
    for (key, value) in &sections.front_matter {
        let value = value.trim_matches(['"', '\'']).to_owned();
        match statement_kind(key) {
            Some(Statement::Start) => sections.stated_starts.insert(0, value),
            Some(Statement::End) => sections.stated_ends.insert(0, value),
            Some(Statement::Zone) => sections.stated_zones.insert(0, value),
            // `outage_window: 2025-08-19 13:05–15:40 CEST`, `impact_duration: 47 min`.
            Some(Statement::Duration) => sections.duration.insert(0, value),
            // Read as `front(sections, "date")` below.
            Some(Statement::Date) | None => {}
        }
    }
    // A sentence of the summary or the impact that says when it began and ended, when no line
    // or field states it (`The impact began at 19:12 and ended at 20:58.`).
    // A duration stated beside one of them (`began at 03:48 and lasted 52 minutes`) gives the other.
    let mut stated_duration = None;
    if metadata.starts.is_empty() && sections.stated_starts.is_empty() {
        let written = format!("{}\n{}", sections.texts[Section::Summary].body, sections.texts[Section::Impact].body);
        let (start, end) = span::stated_in_sentences(&written, moment_zero.as_ref());
        stated_duration = start.iter().chain(&end).find_map(|said| span::duration_in_sentence(&written, said));
        let end = end.filter(|_| metadata.ends.is_empty() && sections.stated_ends.is_empty());
        if let Some(start) = start {
            notes.push(format!("The start of impact was read from the words “{start}”."));
            sections.stated_starts.push(start);
            if let Some(end) = end {
                sections.stated_ends.push(end);
            }
        } else if let Some(end) = end {
            notes.push(format!("The end of impact was read from the words “{end}”."));
            sections.stated_ends.push(end);
        }
    }
    if !sections.span_columns.is_empty() {
        let columns: Vec<String> = sections.span_columns.iter().map(|label| format!("“{label}”")).collect();
        notes.push(format!(
            "The span of impact was read from the {} columns of a table with a single row.",
            columns.join(" and ")
        ));
    }
    // Or a duration line that is not a span (`**Duration:** 3 h 50 min`).
    let stated_duration = stated_duration.or_else(|| {
        sections.duration.iter().filter(|line| when::parse_span(line).is_none()).find_map(|line| {
            when::parse_duration(line).filter(|d| d.is_positive()).map(|d| (d, line.trim().to_owned()))
        })
    });
    // Or a sentence of the summary or the impact that says how long the impact lasted
    // (`L'interruption a duré 3h35.`); the note that completes the span with it quotes it.
    let stated_duration = stated_duration.or_else(|| {
        let written = format!("{}\n{}", sections.texts[Section::Summary].body, sections.texts[Section::Impact].body);
        span::lasted_in_sentences(&written)
    });
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
        // `Zeitangaben: Ortszeit Berlin`: a zone statement may name its city alone.
        if metadata.zone.is_none()
            && let Some((value, zone)) =
                sections.stated_zones.iter().find_map(|value| Some((value, Zone::of_city_named_in(value)?)))
        {
            notes.push(format!(
                "The times were read in {}, the zone of the city “{}” names.",
                zone.label(),
                value.trim()
            ));
            metadata.zone = Some(zone);
        }
    }
    // A start or end stated as a time alone (`impact_start: "10:05"`) is on the incident's day.
    let time_only = |stated: &[String]| {
        stated.iter().find(|value| when::parse_date(value).is_none()).and_then(|value| when::parse_time(value))
    };
    let (start_time_only, end_time_only) =
        (time_only(&sections.stated_starts).map(|(t, _)| t), time_only(&sections.stated_ends).map(|(t, _)| t));
    // A time alone written with its own zone (`started at 8:51 AM Eastern` in a document whose
    // status updates are in UTC) is read in that zone.
    let own_zone = |stated: &[String]| {
        stated.iter().find(|value| when::parse_date(value).is_none()).and_then(|value| when::find_zone(value))
    };
    let (start_zone, end_zone) = (own_zone(&sections.stated_starts), own_zone(&sections.stated_ends));

    // A zone stated that is not one is not read as another (UTC): the user says which.
    let zone_problem = if corrections.offset.is_some() { None } else { bad_zone(&metadata, &sections) };

    let severity = metadata
        .severity
        .or_else(|| front(&sections, "severity").and_then(parse_severity))
        .or_else(|| front(&sections, "sev").and_then(parse_severity))
        .or_else(|| super::stated_severity(source).and_then(parse_severity));
    let status = metadata.status.or_else(|| front(&sections, "status").and_then(parse_status));

    let raw_timeline = timeline::parse_from(&sections.timeline.body, moment_zero.as_ref());
    if let Some(zero) = &moment_zero
        && raw_timeline.entries.iter().any(|entry| {
            entry.time.is_some()
                && entry.time_as_written.as_deref().is_some_and(|written| when::leading_relative(written).is_some())
        })
    {
        let date = zero.date.and_then(|date| date.date()).map(crate::domain::time::format_date);
        let zone = zero.zone.as_ref().map(Zone::label);
        let stated: Vec<String> = [date, Some(format::write_clock(zero.time)), zone].into_iter().flatten().collect();
        notes.push(format!("Rows written relative to T0 (T+0:12, +12m) were counted from T0 = {}.", stated.join(" ")));
    }
    // The span the authors stated: a Start/End pair, a duration line, front matter, or a
    // "from 16:58 to 18:46 UTC" sentence in the summary.
    let span_text: Vec<&str> = sections.duration.iter().map(String::as_str).collect();
    // A timeline row that says outright where the impact starts (`**Start klantimpact**`) is
    // more explicit than a range in the summary's prose (`Conversie tussen 09:00 en 11:00 …`).
    let timeline_marks_start = || {
        raw_timeline.entries.iter().any(|entry| {
            span::marks(&entry.text, START_MARKERS) || markers::marks_in_words(&entry.text, markers::Edge::Start)
        })
    };
    let span = span_text
        .iter()
        .find_map(|text| when::parse_span(text))
        // A paragraph of the summary: a date it takes for the span's is one the same paragraph
        // gives (not the revision date in a line above it).
        // Its labelled lines (`**Review meeting:** 3 December, 14:00–15:00`) are read by their
        // labels, if at all, not as the summary's words.
        .or_else(|| {
            let (paragraph, span) = sections.texts[Section::Summary]
                .body
                .split("\n\n")
                .map(without_labelled_lines)
                .find_map(|p| when::parse_span(&p).map(|span| (p, span)))?;
            let range = paragraph.lines().find(|line| when::parse_span(line).is_some()).unwrap_or(&paragraph);
            // A labelled window (`Outage: 09:14–10:02 CET`, `장애 시간: …`) is explicit too.
            if !is_labelled(range) && timeline_marks_start() {
                notes.push(format!(
                    "The range in the summary (“{}”) was not taken for the impact: a timeline row marks its start.",
                    range.trim().trim_start_matches(['-', '*', ' '])
                ));
                return None;
            }
            Some(span)
        })
        // The impact says when customers felt it in its opening words (`Between 10:02 and 10:49
        // PDT on Tuesday 2025-03-11, customers saw …`); a range further in is some figure's.
        .or_else(|| span::opening_span(&sections.texts[Section::Impact].body));
    let zone = corrections
        .offset
        .map(|offset| Zone::Fixed(offset.to_utc_offset()))
        .or_else(|| metadata.zone.clone())
        .or_else(|| span.as_ref().and_then(|s| s.zone.clone()))
        .or_else(|| raw_timeline.zone.clone())
        // `## Timeline (all times PST)`
        .or_else(|| sections.timeline.heading.as_deref().and_then(when::find_zone))
        // `Alle Uhrzeiten in diesem Dokument sind MEZ.` anywhere (under a metadata table, in
        // a quote above the summary).
        .or_else(|| when::zone_stated_for_all(source))
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
    let mut day = corrections
        .start
        // Typed in the offset the user chose, so its date is the local one.
        .map(|start| start.date())
        .or_else(|| metadata.start.map(|(date, _)| date))
        .or_else(|| span.as_ref().and_then(|s| s.start_date))
        .or_else(|| front(&sections, "date").and_then(|d| when::parse_date(d).map(|(date, _)| date)))
        // `| **Datum der Störung** | 17.02.2026 |`, `**Incident date:** …`: the day stated
        // outright, over the first date the timeline gives (a timeline may open the evening
        // before, with the cause: `**Montag, 16.02.2026**` over the change that led to it).
        .or_else(|| stated_date(&sections))
        .or_else(|| raw_timeline.date.and_then(|d| d.date()))
        // `Timeline (all times CEST, 9 September 2025)`: the heading dates its rows.
        .or_else(|| sections.timeline.heading.as_deref().and_then(when::find_date).and_then(|(d, _)| d.date()))
        // The first row's date, or a day heading's: a date a later row gives dates the rows
        // from it on, not the times above it (`31.03.2026, 17h00: incident closed` last).
        .or_else(|| {
            let first = raw_timeline.entries.iter().position(|e| e.time.is_some() || e.date.is_some())?;
            raw_timeline.entries[..=first].iter().find_map(|e| e.date.or(e.day).and_then(|d| d.date()))
        });
    // Else the first date its title, summary or file name gives: a guess the notes name.
    let mut day_guessed_from = None;
    if day.is_none() {
        // Not from a line labelled as another event (`| Version | 1.1 du 14 avril 2026 |`).
        let summary = without_labelled_lines(&sections.texts[Section::Summary].body);
        let guesses =
            [("title", Some(sections.title.as_str())), ("summary", Some(summary.as_str())), ("file name", file_name)];
        if let Some((from, date)) =
            guesses.into_iter().find_map(|(from, text)| Some((from, when::parse_date(text?)?.0)))
        {
            day = Some(date);
            day_guessed_from = Some(from);
        }
        // A title that names the day without its year (`… on 3 March #2291`) says which day
        // better than a date the summary gives (when it was written, or posted): the year is
        // that date's.
        if let Some(guess) = day
            && let Some((named, _)) = when::find_date(&sections.title).filter(|(named, _)| named.year.is_none())
            && let Some(date) = named.or_year(guess.year())
        {
            day = Some(date);
            day_guessed_from = Some("title");
        }
    }

    let started_at = corrections
        .start
        .or_else(|| metadata.start.map(|(date, time)| zone.resolve(date, time)))
        .or_else(|| Some(start_zone.as_ref().unwrap_or(&zone).resolve(day?, start_time_only?)))
        .or_else(|| {
            let span = span.as_ref()?;
            Some(zone.resolve(span_start_date(span, day)?, span.start))
        });
    let ended_at = metadata
        .end
        .map(|(date, time)| zone.resolve(date, time))
        .or_else(|| {
            // A time alone earlier than the start's is on the next day.
            let end = end_time_only?;
            let date = if start_time_only.is_some_and(|start| end < start) { day?.next_day()? } else { day? };
            Some(end_zone.as_ref().unwrap_or(&zone).resolve(date, end))
        })
        .or_else(|| {
            let span = span.as_ref()?;
            let start_date = span_start_date(span, day);
            let end_date = span.end_date.or_else(|| span.end_day?.or_year(start_date?.year())).or_else(|| {
                let start_date = start_date?;
                Some(if span.end < span.start { start_date.next_day()? } else { start_date })
            })?;
            Some(zone.resolve(end_date, span.end))
        });
    // Stated as a time alone: its day is settled once the timeline is read (below).
    let start_time_alone =
        start_time_only.filter(|_| metadata.start.is_none() && corrections.start.is_none() && started_at.is_some());
    let end_time_alone = end_time_only.filter(|_| metadata.end.is_none() && ended_at.is_some());
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
    // One end and the duration give the other (the duration is as explicit as the end), once
    // that end's day is known: one stated as a time alone waits for the timeline's rows below.
    let conflicts = (start_conflict.is_some(), end_conflict.is_some());
    let day_pending =
        (started_at.is_none() && end_time_alone.is_some()) || (ended_at.is_none() && start_time_alone.is_some());
    if !day_pending
        && let Some(start) =
            complete_by_duration(&mut started_at, &mut ended_at, &stated_duration, conflicts, &mut notes)
    {
        // The start's day is the incident's, rather than any date the text gave first.
        day = Some(start.date());
        day_guessed_from = None;
    }
    // Rows dated without a year (`Mon 10 Feb, 16:20`) and no first day to take it from: the
    // year of the stated end, else of the first full date the document writes.
    let year_hint = day.is_none().then(|| {
        metadata.end.map(|(date, _)| date.year()).or_else(|| when::parse_date(source).map(|(date, _)| date.year()))
    });
    let year_hint = year_hint.flatten().filter(|_| {
        raw_timeline.entries.iter().any(|entry| entry.date.or(entry.day).is_some_and(|date| date.year.is_none()))
    });
    if let Some(year) = year_hint {
        notes.push(format!(
            "Timeline rows dated without a year were read in {year}, the year of the {}.",
            if metadata.end.is_some() { "stated end" } else { "first full date in the document" }
        ));
    }
    let entries = in_time_order(&raw_timeline.entries, &mut notes);
    let timeline = resolve_timeline(&entries, &zone, day, year_hint, &mut notes);
    let leaned_on_day =
        raw_timeline.entries.iter().any(|entry| entry.time.is_some() && entry.date.or(entry.day).is_none())
            || start_time_only.is_some()
            || end_time_only.is_some();
    if let (Some(from), Some(day), true) = (day_guessed_from, day, leaned_on_day) {
        notes.push(format!(
            "The incident's day was taken to be {}, the first date its {from} gives: times written without a date were read on it.",
            crate::domain::time::format_date(day)
        ));
    }
    // A start or end stated as a time alone is on the day of the timeline's row at that time
    // (a night's incident, its rows across midnight), else on the incident's first day (the
    // end on the next if earlier than the start).
    let on_row = |time: Time| timeline.iter().filter_map(|entry| entry.occurred_at).find(|at| at.time() == time);
    for (alone, instant, what) in [(start_time_alone, &mut started_at, "start"), (end_time_alone, &mut ended_at, "end")]
    {
        let Some(time) = alone.filter(|_| instant.is_some()) else { continue };
        match on_row(time) {
            Some(row) => {
                *instant = Some(row);
                notes.push(format!(
                    "The {what} was stated as a time alone; it was read on the day of the timeline's row at {}.",
                    format::write_clock(time)
                ));
            }
            None if what == "start" => notes.push("The start was stated as a time alone; it was read on the incident's first day.".to_owned()),
            None => notes.push("The end was stated as a time alone; it was read on the incident's first day, or the next if earlier than the start.".to_owned()),
        }
    }
    // Nothing else stated them: a timeline row that marks the start or the end of impact
    // (`Customer impact begins`, `**Mitigated.**`, `All clear`) does.
    if started_at.is_none()
        && start_conflict.is_none()
        && let Some((at, text)) = marked_row(&timeline, START_MARKERS, None)
            .or_else(|| markers::marked_in_words(&timeline, markers::Edge::Start, None))
    {
        started_at = Some(at);
        notes.push(format!("The start of impact was read from the timeline row “{}”.", text.trim_end_matches('.')));
    }
    if ended_at.is_none()
        && end_conflict.is_none()
        && let Some((at, text)) = marked_row(&timeline, END_MARKERS, started_at)
            .or_else(|| markers::marked_in_words(&timeline, markers::Edge::End, started_at))
            .or_else(|| marked_row(&timeline, SETTLED_MARKERS, started_at))
    {
        ended_at = Some(at);
        notes.push(format!("The end of impact was read from the timeline row “{}”.", text.trim_end_matches('.')));
    }
    // A row that marks one of them, or a time alone now on its row's day, and the duration
    // stated (`Duración del impacto: 2 h 35 min`), give the other.
    complete_by_duration(&mut started_at, &mut ended_at, &stated_duration, conflicts, &mut notes);
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

    let mut parsed_items = action_items::parse(&sections.action_items.body);
    notes.append(&mut parsed_items.assumptions);
    let year = day.map(|d| d.year());
    // Dues written without a year (`10月24日`, `8 Nov`) are read in the incident's, or the next
    // year where that day would come before the incident (`Jan 31` after a November outage): a
    // due is never before what it follows from.
    let mut in_incident_year: Vec<String> = Vec::new();
    let mut in_next_year: Vec<String> = Vec::new();
    // `12/6` beside `12/20` and `2025/1/17`: a list writes its short dates in one order.
    let list_order = short_date_order(parsed_items.items.iter().filter_map(|item| item.due.as_deref()));
    let mut read_in_list_order: Vec<String> = Vec::new();
    let action_items = parsed_items
        .items
        .into_iter()
        .map(|item| {
            let due_on = item.due.as_deref().and_then(|due| {
                when::parse_date(due)
                    .map(|(date, _)| date)
                    .or_else(|| {
                        // `6/20`: a day of a month, written short.
                        let partial = when::find_date(due)
                            .map(|(partial, _)| partial)
                            .or_else(|| when::month_day_alone(due))
                            .or_else(|| {
                                let partial = when::with_date_order(list_order, || when::month_day_alone(due))?;
                                read_in_list_order.push(due.trim().to_owned());
                                Some(partial)
                            });
                        let date = partial.and_then(|partial| partial.or_year(year?));
                        let next_year = date
                            .filter(|date| day.is_some_and(|day| *date < day))
                            .and_then(|_| partial.and_then(|partial| partial.or_year(year? + 1)));
                        let read = if next_year.is_some() { &mut in_next_year } else { &mut in_incident_year };
                        if date.is_some() && !read.iter().any(|seen| seen == due.trim()) {
                            read.push(due.trim().to_owned());
                        }
                        next_year.or(date)
                    })
                    .or_else(|| {
                        // A week, a quarter or a month's end without a year, and no other due to
                        // date it by (`Q1` beside `Jan 16`): the first one not before the incident.
                        let period = action_items::due::week_or_quarter(due).filter(|period| !period.has_year())?;
                        let day = day?;
                        let on = [day.year(), day.year() + 1]
                            .into_iter()
                            .filter_map(|year| period.due_on(Some(year)))
                            .find(|on| *on >= day)?;
                        let read = if on.year() == day.year() { &mut in_incident_year } else { &mut in_next_year };
                        if !read.iter().any(|seen| seen == due.trim()) {
                            read.push(due.trim().to_owned());
                        }
                        Some(on)
                    })
            });
            ResolvedItem { item, due_on }
        })
        .collect();
    if let (Some(order), false) = (list_order, read_in_list_order.is_empty()) {
        let how = match order {
            when::DateOrder::DayFirst => "day first",
            when::DateOrder::MonthFirst => "month first",
        };
        notes.push(format!(
            "Due dates that either order reads ({}) were read {how}, as the list's other dates are written.",
            action_items::and_list(&read_in_list_order)
        ));
    }
    if let (Some(day), false) = (day, in_incident_year.is_empty()) {
        notes.push(format!(
            "Due dates written without a year ({}) were read in {}, the year of the incident ({day}).",
            action_items::and_list(&in_incident_year),
            day.year()
        ));
    }
    if let (Some(day), false) = (day, in_next_year.is_empty()) {
        notes.push(format!(
            "Due dates written without a year ({}) were read in {}: in the incident's year ({day}) they would come before it.",
            action_items::and_list(&in_next_year),
            day.year() + 1
        ));
    }

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

/// The rows in time order: a timeline written newest first (a status page's updates, pasted
/// as posted) is turned round, and the notes say so. Newest first means its times mostly go
/// down from row to row (a timeline across midnight goes down once).
fn in_time_order<'a>(entries: &'a [RawEntry], notes: &mut Vec<String>) -> std::borrow::Cow<'a, [RawEntry]> {
    // Rows compared by their date when both have one (`Mar 5, 16:04`, a status page's
    // updates), else by their time alone.
    type RowKey = (Option<(i32, u8, u8)>, Time);
    let keys: Vec<RowKey> = entries
        .iter()
        .filter_map(|entry| Some((entry.date.map(|d| (d.year.unwrap_or(0), d.month as u8, d.day)), entry.time?)))
        .collect();
    let comparable = |pair: &&[RowKey]| pair[0].0.is_some() == pair[1].0.is_some();
    let down = keys.windows(2).filter(comparable).filter(|pair| pair[1] < pair[0]).count();
    let up = keys.windows(2).filter(comparable).filter(|pair| pair[1] > pair[0]).count();
    if down < 2 || down <= 3 * up {
        return std::borrow::Cow::Borrowed(entries);
    }
    notes.push("The timeline is written newest first; its rows were read, and are saved, in time order.".to_owned());
    std::borrow::Cow::Owned(entries.iter().rev().cloned().collect())
}

/// Gives each row an instant: its own date, else the date of the row above, else the
/// incident's first day; a time earlier than the row above's, with no date of its own,
/// rolls over to the next day.
fn resolve_timeline(
    entries: &[RawEntry],
    zone: &Zone,
    day: Option<Date>,
    year_hint: Option<i32>,
    notes: &mut Vec<String>,
) -> Vec<ImportedEntry> {
    let mut current_day = day;
    // The previous row's day as written, and its date and time on the document's clock.
    let mut previous: Option<(Date, (Date, Time))> = None;
    let mut heading_day: Option<Date> = None;
    let mut undated = 0;
    let mut dated_only = 0;
    let resolved = entries
        .iter()
        .map(|entry| {
            let year = current_day.or(day).map(|d| d.year()).or(year_hint);
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
            // A separate log of the same hours starts again from the incident's day.
            if entry.separate {
                previous = None;
                current_day = heading_day.or(day);
            }
            let mut date = own_date.or(current_day);
            // Rows written in another zone than the document's (`09:10 CDT`, then `07:20 PDT`)
            // follow each other on the document's clock, not on their own.
            let on_clock = |date: Date, time: Time| match &entry.zone {
                Some(own) if own != zone => own
                    .resolve(date, time)
                    .checked_to_offset(zone.offset_at(date, time))
                    .map_or((date, time), |at| (at.date(), at.time())),
                _ => (date, time),
            };
            if let (None, Some(time), Some((prev_date, prev_clock))) = (own_date, entry.time, previous)
                && Some(prev_date) == date
                && on_clock(prev_date, time) < prev_clock
            {
                date = prev_date.next_day();
            }
            let occurred_at = match (date, entry.time) {
                (Some(date), Some(time)) => {
                    previous = Some((date, on_clock(date, time)));
                    current_day = Some(date);
                    showable(entry.zone.as_ref().unwrap_or(zone).resolve(date, time))
                }
                // A row with a date of its own and no time (`2024-08-12: CVE assigned`) is
                // placed at the start of its day, its date kept as written.
                (Some(date), None) if own_date.is_some() && entry.time_as_written.is_some() => {
                    current_day = Some(date);
                    dated_only += 1;
                    showable(entry.zone.as_ref().unwrap_or(zone).resolve(date, Time::MIDNIGHT))
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
    if dated_only > 0 {
        notes.push(format!(
            "{dated_only} timeline rows give a date and no time: they are placed at the start of their day, \
             their date shown as written."
        ));
    }
    if undated > 0 {
        notes.push(format!(
            "{undated} timeline rows have no date to go by: they are kept, with their times as written, in a \
             section of their own (entering the start dates them)."
        ));
    }
    resolved
}

/// With a duration stated, the end from the start, or the start from the end, whichever is
/// missing (and not in question: two statements that disagree are the user's to settle), with
/// a note. Returns the start when it was the one computed.
fn complete_by_duration(
    started_at: &mut Option<OffsetDateTime>,
    ended_at: &mut Option<OffsetDateTime>,
    stated: &Option<(time::Duration, String)>,
    (start_conflict, end_conflict): (bool, bool),
    notes: &mut Vec<String>,
) -> Option<OffsetDateTime> {
    let (duration, words) = stated.as_ref()?;
    match (*started_at, *ended_at) {
        (Some(start), None) if !end_conflict => {
            *ended_at = start.checked_add(*duration).and_then(showable);
            if ended_at.is_some() {
                notes.push(format!("The end of impact was computed from the start and the duration “{words}”."));
            }
            None
        }
        (None, Some(end)) if !start_conflict => {
            *started_at = end.checked_sub(*duration).and_then(showable);
            if started_at.is_some() {
                notes.push(format!("The start of impact was computed from the end and the duration “{words}”."));
            }
            *started_at
        }
        _ => None,
    }
}

/// The day a span starts on: its date, else the day written at it without a year, in the
/// incident's year (`Between 10:52 PM PDT on July 22 and …`), else the incident's day.
fn span_start_date(span: &when::Span, day: Option<Date>) -> Option<Date> {
    span.start_date.or_else(|| span.start_day?.or_year(day?.year())).or(day)
}

/// The day a `| Datum | Samstag, 17. Jänner 2026 |` metadata row or an `**Incident date:** …`
/// line states: over the first date the summary happens to give (its revision's, `Stand:
/// 21.01.2026`), and over the timeline's first.
fn stated_date(sections: &Sections) -> Option<Date> {
    sections.stated_dates.iter().find_map(|value| when::parse_date(value)).map(|(date, _)| date)
}

fn front<'a>(sections: &'a Sections, key: &str) -> Option<&'a str> {
    sections.front_matter.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
}

fn parse_severity(text: &str) -> Option<Severity> {
    // `SEV\-1`: a dash escaped, as Google Docs' Markdown writes it.
    let upper = text.trim().to_ascii_uppercase().replace([' ', '-', '\\'], "");
    // `SEV-2`, `S2`, `P1`, or a level alone (`sev: 2`).
    let digit = upper
        .strip_prefix("SEV")
        .or_else(|| upper.strip_prefix('S'))
        .or_else(|| upper.strip_prefix('P'))
        .or_else(|| upper.starts_with(|c: char| c.is_ascii_digit()).then_some(upper.as_str()))?;
    let level = digit.chars().next()?;
    // One digit, not the start of a number (`2025-…` is a date).
    if digit[level.len_utf8()..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    format!("SEV{level}").parse().ok()
}

fn parse_status(text: &str) -> Option<Status> {
    match text.trim().to_ascii_lowercase().as_str() {
        "draft" => Some(Status::Draft),
        "in review" | "in_review" | "review" => Some(Status::InReview),
        "published" | "final" | "complete" | "completed" => Some(Status::Published),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod when_tests;
