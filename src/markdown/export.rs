//! The Markdown export: one deterministic GFM document per postmortem, shaped like the
//! user's own postmortems (title, metadata, summary and impact, timeline, root cause,
//! resolution, measures, action items). The README's "Export format" section documents it;
//! the importer reads it back.
//!
//! Determinism: the output depends only on the stored postmortem (never on the clock or the
//! reader's zone), sections come in a fixed order, and lines end in `\n` with one final newline.

use std::fmt::Write as _;

use time::{Date, OffsetDateTime, Time};

use crate::domain::time::{self as t, Offset};
use crate::domain::{ActionItem, ActionStatus, Postmortem, TimelineEntry};
use crate::import::{exported, when};

/// The standard sections' headings, written when the authors had none of their own.
pub mod heading {
    pub const SUMMARY: &str = "Summary";
    pub const IMPACT: &str = "Impact";
    pub const TIMELINE: &str = "Timeline";
    pub const ROOT_CAUSE: &str = "Root Cause";
    pub const RESOLUTION: &str = "Resolution";
    pub const MEASURES: &str = "Corrective and Preventative Measures";
    pub const LESSONS_LEARNED: &str = "Lessons Learned";
    pub const ACTION_ITEMS: &str = "Action Items";
}

/// Whether the timeline needs dates: any entry on another day than the start, in the
/// incident's offset. Then every entry shows its date, so no line can be misread.
pub fn timeline_needs_dates(postmortem: &Postmortem) -> bool {
    let offset = postmortem.incident.offset;
    let first_day = t::local(postmortem.incident.started_at, offset).date();
    postmortem.timeline.iter().any(|entry| t::local(entry.occurred_at, offset).date() != first_day)
}

/// The whole document.
pub fn export(postmortem: &Postmortem) -> String {
    let incident = &postmortem.incident;
    let mut doc = String::with_capacity(4096);
    // `writeln!` into a String cannot fail.
    let _ = writeln!(doc, "# {}\n", incident.title);

    let _ = writeln!(doc, "- **Severity:** {}", incident.severity.label());
    let _ = writeln!(doc, "- **Status:** {}", incident.status.label());
    let _ = writeln!(doc, "- **Start:** {}", full_time(incident.started_at, incident.offset));
    match (incident.ended_at, incident.duration()) {
        (Some(end), Some(duration)) => {
            let _ = writeln!(doc, "- **End:** {}", full_time(end, incident.offset));
            let _ = writeln!(doc, "- **Duration:** {}", t::format_duration(duration));
        }
        _ => doc.push_str("- **End:** ongoing\n"),
    }

    // The authors' own headings where an import kept them, else the standard ones.
    let headings = &incident.headings;
    section(&mut doc, own(&headings.summary, heading::SUMMARY), &incident.summary);
    section(&mut doc, own(&headings.impact, heading::IMPACT), &incident.impact);
    timeline(&mut doc, postmortem, own(&headings.timeline, heading::TIMELINE));
    section(&mut doc, own(&headings.root_cause, heading::ROOT_CAUSE), &incident.root_cause);
    section(&mut doc, own(&headings.resolution, heading::RESOLUTION), &incident.resolution);
    if !incident.corrective_measures.is_empty() || !incident.preventative_measures.is_empty() {
        let _ = writeln!(doc, "\n## {}", own(&headings.measures, heading::MEASURES));
        subsection(&mut doc, "### Corrective Measures", &incident.corrective_measures);
        subsection(&mut doc, "### Preventative Measures", &incident.preventative_measures);
    }
    section(&mut doc, own(&headings.lessons_learned, heading::LESSONS_LEARNED), &incident.lessons_learned);
    action_items(&mut doc, &postmortem.action_items, own(&headings.action_items, heading::ACTION_ITEMS));
    for extra in &postmortem.sections {
        // An extra section headed like a standard one ("Timeline notes", or a template's empty
        // "Impact") would read back as that section; a comment, invisible once rendered, says
        // it is not.
        let marker = if exported::reads_as_standard(&extra.heading) { EXTRA_MARKER } else { "" };
        let _ = write!(doc, "\n## {}{marker}\n", extra.heading);
        if !extra.body.is_empty() {
            let _ = write!(doc, "\n{}\n", extra.body);
        }
    }
    doc
}

/// The authors' heading where an import kept one, else the standard heading.
fn own<'a>(own: &'a Option<String>, standard: &'a str) -> &'a str {
    own.as_deref().unwrap_or(standard)
}

/// Follows the heading of an extra section that would otherwise read as a standard one.
pub const EXTRA_MARKER: &str = " <!-- extra section -->";

/// A `##` section, omitted when the body is empty.
fn section(doc: &mut String, heading: &str, body: &str) {
    if !body.is_empty() {
        let _ = write!(doc, "\n## {heading}\n\n{body}\n");
    }
}

/// A heading and its Markdown body, omitted when the body is empty.
fn subsection(doc: &mut String, heading: &str, body: &str) {
    if body.is_empty() {
        return;
    }
    let _ = write!(doc, "\n{heading}\n\n{body}\n");
}

fn timeline(doc: &mut String, postmortem: &Postmortem, heading: &str) {
    if postmortem.timeline.is_empty() {
        return;
    }
    let offset = postmortem.incident.offset;
    let _ = write!(doc, "\n## {heading}\n\nAll times are {offset}.\n\n");
    let with_dates = timeline_needs_dates(postmortem);
    let first_day = t::local(postmortem.incident.started_at, offset).date();
    for entry in &postmortem.timeline {
        let _ = write!(doc, "- **{}** – ", timeline_stamp(entry, offset, first_day, with_dates));
        list_item_body(doc, &entry.body);
    }
}

/// The row's time as its authors wrote it where that reads back as the same instant (`10:15
/// AM`; `2025-03-01 11:39AM` in a timeline that spans days, unless it names its own day), else
/// [`timeline_time`].
fn timeline_stamp(entry: &TimelineEntry, offset: Offset, first_day: Date, with_date: bool) -> String {
    let written = &entry.time_as_written;
    if !written_time_fits(written, entry.occurred_at, offset, first_day) {
        return timeline_time(entry, offset, with_date);
    }
    let names_its_day = when::leading_stamp(written).is_some_and(|stamp| stamp.date.is_some());
    if with_date && !names_its_day {
        format!("{} {written}", t::format_date(t::local(entry.occurred_at, offset).date()))
    } else {
        written.clone()
    }
}

/// Whether `written`, a time as authors wrote it (`10:15 PM`, `0740`, `2:05 PM PST`, `12:45 PM
/// PST Saturday Oct 30th`), can stand for `instant` in a timeline shown in `offset` that starts
/// on `first_day`: read back as the importer will, it is that very instant. Otherwise the export
/// writes `HH:MM`.
pub fn written_time_fits(written: &str, instant: OffsetDateTime, offset: Offset, first_day: Date) -> bool {
    let writable = !written.is_empty() && written.trim() == written && !written.contains(['*', '\n', '\r', '–']);
    // One starting `2025-03-01` is the export's own date prefix already.
    let iso_dated = written.split_once(' ').is_some_and(|(date, _)| t::parse_date(date).is_some());
    let local = t::local(instant, offset);
    writable
        && !iso_dated
        && written != clock(local.time())
        && read_written_time(written, local.date(), first_day, offset) == Some(instant)
}

/// The instant `written` (a time as its authors wrote it) states for a row the export puts on
/// `row_date`, in a timeline shown in `offset` that starts on `first_day`: how the importer
/// reads it back. A day it names is used (the year from `first_day` if it has none), a zone it
/// names too, else `row_date` and `offset`.
pub fn read_written_time(written: &str, row_date: Date, first_day: Date, offset: Offset) -> Option<OffsetDateTime> {
    let stamp = when::leading_stamp(written)?;
    if stamp.consumed != written.len() || stamp.approximate {
        return None;
    }
    let time = stamp.time?;
    let date = match stamp.date {
        Some(own) => own.date().or_else(|| own.or_year(first_day.year()))?,
        None => row_date,
    };
    let zone = stamp.zone.unwrap_or(when::Zone::Fixed(offset.to_utc_offset()));
    Some(zone.resolve(date, time))
}

/// `10:15`, or `2025-03-01 23:50` in a timeline that spans days (with seconds when it has them).
pub fn timeline_time(entry: &TimelineEntry, offset: Offset, with_date: bool) -> String {
    let local = t::local(entry.occurred_at, offset);
    if with_date { format!("{} {}", t::format_date(local.date()), clock(local.time())) } else { clock(local.time()) }
}

/// `2025-03-01 10:15 UTC+2`, with seconds when the instant has them.
fn full_time(instant: OffsetDateTime, offset: Offset) -> String {
    let local = t::local(instant, offset);
    format!("{} {} {offset}", t::format_date(local.date()), clock(local.time()))
}

/// `10:15`; `10:15:30` or `10:15:30.25` when there are seconds. Forms accept seconds and imports
/// keep them, so writing only hours and minutes would lose what the import reads back.
fn clock(time: Time) -> String {
    let (hour, minute, second, nanos) = time.as_hms_nano();
    match (second, nanos) {
        (0, 0) => format!("{hour:02}:{minute:02}"),
        (_, 0) => format!("{hour:02}:{minute:02}:{second:02}"),
        _ => {
            let fraction = format!("{nanos:09}");
            format!("{hour:02}:{minute:02}:{second:02}.{}", fraction.trim_end_matches('0'))
        }
    }
}

/// Writes a list item's text: continuation lines are indented two spaces so they stay in the
/// item; blank lines stay empty (no trailing spaces).
fn list_item_body(doc: &mut String, body: &str) {
    for (i, line) in body.lines().enumerate() {
        if i > 0 && !line.is_empty() {
            doc.push_str("  ");
        }
        doc.push_str(line);
        doc.push('\n');
    }
}

fn action_items(doc: &mut String, items: &[ActionItem], heading: &str) {
    if items.is_empty() {
        return;
    }
    let _ = write!(doc, "\n## {heading}\n\n");
    for item in items {
        let mark = if item.is_done() { 'x' } else { ' ' };
        // Fields go on the item's first line; an imported item's further lines follow, indented.
        let (first, rest) = item.body.split_once('\n').unwrap_or((&item.body, ""));
        let _ = write!(doc, "- [{mark}] {first}");
        let mut fields = Vec::with_capacity(8);
        if !item.owner_name().is_empty() {
            fields.push(format!("**Owner:** {}", item.owner_name()));
        }
        if !item.team_label().is_empty() {
            fields.push(format!("**Team:** {}", item.team_label()));
        }
        if let Some(due) = item.due_on {
            fields.push(format!("**Due:** {}", t::format_date(due)));
        }
        if let Some(kind) = item.kind {
            fields.push(format!("**Kind:** {}", kind.as_str()));
        }
        if let Some(priority) = item.priority {
            fields.push(format!("**Priority:** {}", priority.as_str()));
        }
        match item.status {
            ActionStatus::InProgress => fields.push("**Status:** in progress".to_owned()),
            ActionStatus::WontDo => fields.push(format!("**Status:** won't do: {}", item.wont_do_reason)),
            ActionStatus::Open | ActionStatus::Done => {}
        }
        if !item.ticket_url.is_empty() {
            fields.push(format!("**Ticket:** {}", item.ticket_url));
        }
        if !item.completion_note.is_empty() {
            fields.push(format!("**Note:** {}", item.completion_note));
        }
        if !fields.is_empty() {
            let _ = write!(doc, " — {}", fields.join(" · "));
        }
        doc.push('\n');
        if !rest.is_empty() {
            for line in rest.lines() {
                if !line.is_empty() {
                    doc.push_str("  ");
                }
                doc.push_str(line);
                doc.push('\n');
            }
        }
    }
}

/// A file name for the download: the start date and a slug of the title,
/// `2025-03-01-the-great-database-meltdown-of-2025.md`. ASCII only, so every wiki and file
/// system takes it as is.
pub fn file_name(postmortem: &Postmortem) -> String {
    let incident = &postmortem.incident;
    let mut slug = String::with_capacity(incident.title.len());
    for c in incident.title.chars().flat_map(|c| c.to_lowercase()) {
        if let Some(ascii) = fold_latin(c) {
            slug.push_str(ascii);
        } else if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if c.is_alphanumeric() {
            // Other scripts have no obvious ASCII spelling; leave them out rather than guess.
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 80 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let date = t::format_date(t::local(incident.started_at, incident.offset).date());
    if slug.is_empty() { format!("{date}-postmortem-{}.md", incident.id) } else { format!("{date}-{slug}.md") }
}

/// Name of the index file in a bundle of exports.
pub const INDEX_FILE: &str = "index.md";

/// Every postmortem as a file, plus an index linking them: what `hindsight export --all` writes
/// and the web archive holds. File names are unique (a clash gets the id appended) and the
/// order is the index's: newest first, as given.
pub fn bundle(postmortems: &[Postmortem]) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::with_capacity(postmortems.len() + 1);
    let mut index = String::from("# Postmortems\n\n");
    if !postmortems.is_empty() {
        index.push_str("| Date | Title | Severity | Status | Duration |\n|---|---|---|---|---|\n");
    }
    for postmortem in postmortems {
        let mut name = file_name(postmortem);
        if files.iter().any(|(existing, _)| *existing == name) {
            name = format!("{}-{}.md", name.trim_end_matches(".md"), postmortem.incident.id);
        }
        let incident = &postmortem.incident;
        let date = t::format_date(t::local(incident.started_at, incident.offset).date());
        let duration = incident.duration().map_or_else(|| "ongoing".to_owned(), t::format_duration);
        let title = escape_table_text(&incident.title);
        let _ = writeln!(
            index,
            "| {date} | [{title}]({name}) | {} | {} | {duration} |",
            incident.severity.label(),
            incident.status.label()
        );
        files.push((name, export(postmortem)));
    }
    files.push((INDEX_FILE.to_owned(), index));
    files
}

/// Text safe inside a table cell and a link label.
fn escape_table_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '|' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The ASCII letters for common accented Latin letters, so `Résumé` slugs as `resume`.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ł' => "l",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ß' => "ss",
        'š' | 'ś' => "s",
        'ù' | 'ú' | 'û' | 'ü' | 'ű' | 'ů' => "u",
        'ý' | 'ÿ' => "y",
        'ž' | 'ź' | 'ż' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        ActionItemId, ExtraSection, Incident, IncidentId, SectionId, Severity, Status, TimelineEntryId,
    };
    use time::macros::{date, datetime};

    fn postmortem() -> Postmortem {
        let id = IncidentId(7);
        Postmortem {
            incident: Incident {
                id,
                title: "Cache stampede: résumé service".into(),
                severity: Severity::Sev2,
                status: Status::Draft,
                started_at: datetime!(2025-03-01 21:50 UTC),
                ended_at: Some(datetime!(2025-03-01 22:40 UTC)),
                offset: Offset::from_minutes(120),
                summary: "Short.".into(),
                impact: String::new(),
                root_cause: String::new(),
                resolution: String::new(),
                corrective_measures: String::new(),
                preventative_measures: "- Alerts".into(),
                lessons_learned: String::new(),
                headings: Default::default(),
                version: 1,
                updated_at: datetime!(2025-03-02 00:00 UTC),
            },
            timeline: vec![
                TimelineEntry {
                    id: TimelineEntryId(1),
                    incident_id: id,
                    occurred_at: datetime!(2025-03-01 21:50 UTC),
                    body: "Alert fired\n\n```\nlog line\n```".into(),
                    time_as_written: String::new(),
                },
                TimelineEntry {
                    id: TimelineEntryId(2),
                    incident_id: id,
                    occurred_at: datetime!(2025-03-01 22:10 UTC),
                    body: "After midnight".into(),
                    time_as_written: String::new(),
                },
            ],
            sections: vec![ExtraSection {
                id: SectionId(1),
                incident_id: id,
                heading: "Detection".into(),
                body: "A pager.".into(),
            }],
            action_items: vec![ActionItem {
                owner: "Priya".into(),
                due_on: Some(date!(2025 - 04 - 01)),
                ..ActionItem::new(ActionItemId(1), id, "Add jitter")
            }],
        }
    }

    #[test]
    fn a_timeline_crossing_midnight_shows_dates_and_keeps_blocks_in_their_entry() {
        let doc = export(&postmortem());
        assert!(doc.contains("- **2025-03-01 23:50** – Alert fired\n\n  ```\n  log line\n  ```\n"), "{doc}");
        assert!(doc.contains("- **2025-03-02 00:10** – After midnight\n"), "{doc}");
        assert!(doc.contains("All times are UTC+2."));
    }

    #[test]
    fn a_time_is_written_as_the_authors_did_only_where_it_reads_back_the_same() {
        let plus2 = Offset::from_minutes(120);
        let pst = Offset::from_minutes(-480);
        for (written, instant, offset, fits) in [
            ("10:15 AM", datetime!(2025-03-01 10:15 +02:00), plus2, true),
            ("0740", datetime!(2025-03-01 07:40 +02:00), plus2, true),
            ("[10:15]", datetime!(2025-03-01 10:15 +02:00), plus2, true),
            ("10:15", datetime!(2025-03-01 10:15 +02:00), plus2, false),
            ("10:15 PM", datetime!(2025-03-01 10:15 +02:00), plus2, false),
            ("2:05 PM PST", datetime!(2021-10-30 14:05 -08:00), pst, true),
            ("11:00 PM MST", datetime!(2021-10-30 22:00 -08:00), pst, true),
            ("12:45 PM PST Saturday Oct 30th", datetime!(2021-10-30 12:45 -08:00), pst, true),
            ("12:45 PM PST Sunday Oct 31st", datetime!(2021-10-30 12:45 -08:00), pst, false),
            ("2021-10-30 12:45 PM", datetime!(2021-10-30 12:45 -08:00), pst, false),
            ("10:15 AM **bold**", datetime!(2025-03-01 10:15 +02:00), plus2, false),
            (" 10:15 AM", datetime!(2025-03-01 10:15 +02:00), plus2, false),
            ("~10:15 AM", datetime!(2025-03-01 10:15 +02:00), plus2, false),
            ("", datetime!(2025-03-01 10:15 +02:00), plus2, false),
        ] {
            let first_day = t::local(instant, offset).date();
            assert_eq!(written_time_fits(written, instant, offset, first_day), fits, "{written}");
        }
    }

    #[test]
    fn seconds_are_written_only_when_there_are_some() {
        let mut pm = postmortem();
        pm.incident.started_at = datetime!(2025-03-01 21:50:30 UTC);
        pm.incident.ended_at = Some(datetime!(2025-03-01 22:40:00.25 UTC));
        pm.timeline[1].occurred_at = datetime!(2025-03-01 22:10:05 UTC);
        let doc = export(&pm);
        assert!(doc.contains("- **Start:** 2025-03-01 23:50:30 UTC+2\n"), "{doc}");
        assert!(doc.contains("- **End:** 2025-03-02 00:40:00.25 UTC+2\n- **Duration:** 49 min\n"), "{doc}");
        assert!(doc.contains("- **2025-03-01 23:50** – Alert fired"), "{doc}");
        assert!(doc.contains("- **2025-03-02 00:10:05** – After midnight"), "{doc}");
    }

    #[test]
    fn empty_sections_are_left_out_and_measures_nest() {
        let doc = export(&postmortem());
        assert!(!doc.contains("## Impact"));
        assert!(doc.contains("## Corrective and Preventative Measures\n\n### Preventative Measures\n\n- Alerts\n"));
        assert!(!doc.contains("### Corrective Measures"));
        assert!(
            doc.ends_with("- [ ] Add jitter — **Owner:** Priya · **Due:** 2025-04-01\n\n## Detection\n\nA pager.\n")
        );
    }

    #[test]
    fn a_bundle_has_unique_names_and_an_index() {
        let mut twin = postmortem();
        twin.incident.id = IncidentId(8);
        twin.incident.title = "Cache stampede: résumé service | part [2]".into();
        let first = postmortem();
        let files = bundle(&[first.clone(), first, twin]);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "2025-03-01-cache-stampede-resume-service.md",
                "2025-03-01-cache-stampede-resume-service-7.md",
                "2025-03-01-cache-stampede-resume-service-part-2.md",
                "index.md"
            ]
        );
        let index = &files[3].1;
        assert!(index.contains(
            "| 2025-03-01 | [Cache stampede: résumé service \\| part \\[2\\]](2025-03-01-cache-stampede-resume-service-part-2.md) | SEV2 | Draft | 50 min |"
        ), "{index}");
        assert_eq!(bundle(&[]), [("index.md".to_owned(), "# Postmortems\n\n".to_owned())]);
    }

    #[test]
    fn file_names_are_ascii_slugs_with_the_date() {
        let mut pm = postmortem();
        assert_eq!(file_name(&pm), "2025-03-01-cache-stampede-resume-service.md");
        pm.incident.title = "🔥🔥".into();
        assert_eq!(file_name(&pm), "2025-03-01-postmortem-7.md");
    }
}
