//! The Markdown export: one deterministic GFM document per postmortem, shaped like the
//! user's own postmortems (title, metadata, summary and impact, timeline, root cause,
//! resolution, measures, action items). Its vocabulary is `crate::format`'s, which the
//! importer reads back with.
//!
//! Determinism: the output depends only on the stored postmortem (never on the clock or the
//! reader's zone), sections come in a fixed order, and lines end in `\n` with one final newline.

use std::fmt::Write as _;

use time::{Date, OffsetDateTime};

use crate::domain::time::{self as t, Offset};
use crate::domain::{ActionItem, ActionStatus, IncidentId, Postmortem, Section, TimelineEntry};
use crate::format::{self, EXTRA_MARKER, PARTS, Part, item, label};

/// Whether the timeline needs dates: any entry on another day than the start, in the
/// incident's offset. Then every entry shows its date, so no line can be misread.
/// Without a stated start there is no first day to leave unsaid: every entry shows its date.
pub fn timeline_needs_dates(postmortem: &Postmortem) -> bool {
    let offset = postmortem.incident.offset;
    let Some(start) = postmortem.incident.started_at else { return !postmortem.timeline.is_empty() };
    let first_day = t::local(start, offset).date();
    postmortem.timeline.iter().any(|entry| t::local(entry.occurred_at, offset).date() != first_day)
}

/// The day the timeline's times without a date are on: the start's (or, with none stated,
/// the first entry's, though then every entry is written with its date).
fn first_day(postmortem: &Postmortem) -> Option<Date> {
    let offset = postmortem.incident.offset;
    let first = postmortem.incident.started_at.or_else(|| postmortem.timeline.first().map(|entry| entry.occurred_at));
    first.map(|at| t::local(at, offset).date())
}

/// The whole document.
pub fn export(postmortem: &Postmortem) -> String {
    let started = std::time::Instant::now();
    let document = export_untimed(postmortem);
    crate::metrics::global().exported(started.elapsed());
    document
}

fn export_untimed(postmortem: &Postmortem) -> String {
    let incident = &postmortem.incident;
    let mut doc = String::with_capacity(4096);
    // `writeln!` into a String cannot fail.
    let _ = writeln!(doc, "# {}\n", incident.title);
    let metadata = |doc: &mut String, name: &str, value: &str| {
        doc.push_str(&format::metadata_line(name, value));
        doc.push('\n');
    };
    metadata(&mut doc, label::SEVERITY, incident.severity.label());
    metadata(&mut doc, label::STATUS, incident.status.label());
    // A draft that does not say when the impact started has no start line (and, without a
    // start, "ongoing" would claim what nobody said): it imports back the same.
    if let Some(start) = incident.started_at {
        metadata(&mut doc, label::START, &format::write_full_time(start, incident.offset));
    }
    match (incident.ended_at, incident.duration()) {
        (Some(end), Some(duration)) => {
            metadata(&mut doc, label::END, &format::write_full_time(end, incident.offset));
            metadata(&mut doc, label::DURATION, &t::format_duration(duration));
        }
        (Some(end), None) => metadata(&mut doc, label::END, &format::write_full_time(end, incident.offset)),
        (None, _) if incident.started_at.is_some() => metadata(&mut doc, label::END, label::ONGOING),
        (None, _) => {}
    }
    let labels = &postmortem.labels;
    if !labels.services.is_empty() {
        metadata(&mut doc, label::SERVICES, &labels.service_list());
    }
    if !labels.tags.is_empty() {
        metadata(&mut doc, label::TAGS, &labels.tag_list());
    }
    for factor in &labels.factors {
        metadata(&mut doc, label::FACTOR, &format::write_factor(&factor.name, &factor.explanation));
    }
    // Both directions: a wiki page of either postmortem then says where the other is (the
    // page shows both too). Confirmed ones by id; then what an import kept as written.
    let recurrences = &postmortem.recurrences;
    let directions = [
        (label::HAPPENED_BEFORE, &recurrences.happened_before, &recurrences.before_as_written),
        (label::HAPPENED_AGAIN, &recurrences.happened_again, &recurrences.again_as_written),
    ];
    for (name, linked, as_written) in directions {
        let linked: Vec<String> =
            linked.iter().map(|other| format::write_incident_ref(other.id.0, &other.title)).collect();
        for line in &linked {
            metadata(&mut doc, name, line);
        }
        // One confirmed here since the import says the same: written once.
        for line in as_written.iter().filter(|line| !linked.contains(line)) {
            metadata(&mut doc, name, line);
        }
    }

    // The authors' own headings where an import kept them, else the standard ones.
    let headings = &incident.headings;
    for part in PARTS {
        match part {
            Part::Text(section) => {
                let heading = headings.sections[section].as_deref().unwrap_or(part.heading());
                write_section(&mut doc, heading, &incident.texts[section]);
            }
            Part::Timeline => timeline(&mut doc, postmortem, headings.timeline.as_deref().unwrap_or(part.heading())),
            Part::Measures => {
                let measures = [Section::CorrectiveMeasures, Section::PreventativeMeasures];
                if measures.iter().any(|&measure| !incident.texts[measure].is_empty()) {
                    let _ = writeln!(doc, "\n## {}", headings.measures.as_deref().unwrap_or(part.heading()));
                    for measure in measures {
                        subsection(&mut doc, &format::measure_heading(measure), &incident.texts[measure]);
                    }
                }
            }
            Part::ActionItems => action_items(
                &mut doc,
                &postmortem.action_items,
                headings.action_items.as_deref().unwrap_or(part.heading()),
            ),
        }
    }
    for extra in &postmortem.sections {
        // An extra section headed like a standard one ("Timeline notes", or a template's empty
        // "Impact") would read back as that section; the marker says it is not.
        let marker = if format::reads_as_standard(&extra.heading) { EXTRA_MARKER } else { "" };
        let _ = write!(doc, "\n## {}{marker}\n", extra.heading);
        if !extra.body.is_empty() {
            let _ = write!(doc, "\n{}\n", extra.body);
        }
    }
    doc
}

/// A `##` section, omitted when the body is empty.
fn write_section(doc: &mut String, heading: &str, body: &str) {
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
    let _ = write!(doc, "\n## {heading}\n\n{}\n\n", format::zone_line(offset));
    let with_dates = timeline_needs_dates(postmortem);
    let Some(first_day) = first_day(postmortem) else { return };
    for (index, entry) in postmortem.timeline.iter().enumerate() {
        // Without a start, every row is written with its date, and the first row's date is the
        // first day the others' times as written lean on (`Wednesday 4 June, 10:00` takes its
        // year from it): that row writes its date as the export does, unless its own names it
        // in full.
        let stamp = match postmortem.incident.started_at {
            None if index == 0 && format::leans_on_first_day(&entry.time_as_written) => {
                timeline_time(entry, offset, true)
            }
            None => timeline_stamp(entry, offset, first_day, true),
            Some(_) => timeline_stamp(entry, offset, first_day, with_dates),
        };
        let _ = write!(doc, "{}{stamp}{}", format::row::START, format::row::SEPARATOR);
        match entry.marker {
            Some(marker) => {
                let (first, rest) = entry.body.split_once('\n').unwrap_or((&entry.body, ""));
                let _ = writeln!(doc, "{first}{}{}", format::row::MARKS, marker.label());
                list_item_rest(doc, rest);
            }
            None => list_item_body(doc, &entry.body),
        }
    }
}

/// The row's time as its authors wrote it where that reads back as the same instant (`10:15
/// AM`; `2025-03-01 11:39AM` in a timeline that spans days, unless it names its own day), else
/// [`timeline_time`].
fn timeline_stamp(entry: &TimelineEntry, offset: Offset, first_day: Date, with_date: bool) -> String {
    let written = &entry.time_as_written;
    if !format::written_time_fits(written, entry.occurred_at, offset, first_day) {
        return timeline_time(entry, offset, with_date);
    }
    if with_date && !format::names_its_day(written) {
        format!("{} {written}", t::format_date(t::local(entry.occurred_at, offset).date()))
    } else {
        written.clone()
    }
}

/// `10:15`, or `2025-03-01 23:50` in a timeline that spans days (with seconds when it has them).
pub fn timeline_time(entry: &TimelineEntry, offset: Offset, with_date: bool) -> String {
    clock_at(entry.occurred_at, offset, with_date)
}

/// [`timeline_time`] of any instant.
pub fn clock_at(instant: OffsetDateTime, offset: Offset, with_date: bool) -> String {
    let local = t::local(instant, offset);
    let clock = format::write_clock(local.time());
    if with_date { format!("{} {clock}", t::format_date(local.date())) } else { clock }
}

/// Writes a list item's text: continuation lines are indented two spaces so they stay in the
/// item; blank lines stay empty (no trailing spaces).
pub(super) fn list_item_body(doc: &mut String, body: &str) {
    for (i, line) in body.lines().enumerate() {
        if i > 0 && !line.is_empty() {
            doc.push_str("  ");
        }
        doc.push_str(line);
        doc.push('\n');
    }
}

/// A list item's lines after its first, indented two spaces (blank lines stay empty).
fn list_item_rest(doc: &mut String, rest: &str) {
    for line in rest.lines() {
        if !line.is_empty() {
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
    for action in items {
        // Fields go on the item's first line; an imported item's further lines follow, indented.
        let (first, rest) = action.body.split_once('\n').unwrap_or((&action.body, ""));
        doc.push_str(if action.is_done() { item::DONE } else { item::OPEN });
        doc.push_str(first);
        let mut fields: Vec<String> = Vec::with_capacity(item::LABELS.len());
        let mut field = |label: &str, value: &str| fields.push(format!("{label}{value}"));
        if !action.owner_name().is_empty() {
            field(item::OWNER, action.owner_name());
        }
        if !action.team_label().is_empty() {
            field(item::TEAM, action.team_label());
        }
        if let Some(due) = action.due_on {
            field(item::DUE, &t::format_date(due));
        }
        if let Some(kind) = action.kind {
            field(item::KIND, kind.as_str());
        }
        if let Some(priority) = action.priority {
            field(item::PRIORITY, priority.as_str());
        }
        match action.status {
            ActionStatus::InProgress => field(item::STATUS, item::IN_PROGRESS),
            ActionStatus::WontDo => field(item::STATUS, &format!("{}{}", item::WONT_DO, action.wont_do_reason)),
            ActionStatus::Open | ActionStatus::Done => {}
        }
        if !action.ticket_url.is_empty() {
            field(item::TICKET, &action.ticket_url);
        }
        if !action.completion_note.is_empty() {
            field(item::NOTE, &action.completion_note);
        }
        if let Some(at) = action.verified_at {
            field(item::VERIFIED, &t::format_date(at.to_offset(time::UtcOffset::UTC).date()));
            if !action.verifier.is_empty() {
                field(item::VERIFIED_BY, &action.verifier);
            }
            field(item::EVIDENCE, &action.verification_evidence);
        }
        if !action.recurred_in.is_empty() || !action.recurred_in_as_written.is_empty() {
            let ids: Vec<i64> = action.recurred_in.iter().map(|id| id.0).collect();
            field(item::RECURRED_IN, &format::write_recurred_in(&ids, &action.recurred_in_as_written));
        }
        if !fields.is_empty() {
            doc.push_str(item::FIELDS);
            doc.push_str(&fields.join(item::BETWEEN));
        }
        doc.push('\n');
        list_item_rest(doc, rest);
    }
}

/// A file name for the download: the start date and a slug of the title,
/// `2025-03-01-the-great-database-meltdown-of-2025.md`. ASCII only, so every wiki and file
/// system takes it as is.
pub fn file_name(postmortem: &Postmortem) -> String {
    let incident = &postmortem.incident;
    let slug = title_slug(&incident.title);
    let date = incident_date(incident);
    if slug.is_empty() { format!("{date}-postmortem-{}.md", incident.id) } else { format!("{date}-{slug}.md") }
}

/// The title as a file name's part: lower-case ASCII letters and digits between single
/// hyphens, at most about 80 characters (`the-great-database-meltdown-of-2025`); empty when
/// the title has no Latin letter or digit.
pub fn title_slug(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in title.chars().flat_map(|c| c.to_lowercase()) {
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
    slug.truncate(slug.trim_end_matches('-').len());
    slug
}

/// The day the impact started, as file names and the index give it (`undated` while a draft
/// does not say).
pub fn incident_date(incident: &crate::domain::Incident) -> String {
    incident
        .started_at
        .map_or_else(|| "undated".to_owned(), |start| t::format_date(t::local(start, incident.offset).date()))
}

/// Name of the index file in a bundle of exports.
pub const INDEX_FILE: &str = "index.md";

/// Every postmortem as a file, plus an index linking them: what `hindsight export --all` writes
/// and the web archive holds. File names are unique (see [`unique_name`]) and the order is the
/// index's: newest first, as given.
pub fn bundle(postmortems: &[Postmortem]) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::with_capacity(postmortems.len() + 1);
    let mut taken = std::collections::HashSet::from([INDEX_FILE.to_owned()]);
    let mut index = String::from("# Postmortems\n\n");
    if !postmortems.is_empty() {
        index.push_str("| Date | Title | Severity | Status | Duration |\n|---|---|---|---|---|\n");
    }
    for postmortem in postmortems {
        let name = unique_name(file_name(postmortem), postmortem.incident.id, &taken);
        taken.insert(name.clone());
        let incident = &postmortem.incident;
        let date = incident_date(incident);
        let duration = match (incident.started_at, incident.duration()) {
            (_, Some(duration)) => t::format_duration(duration),
            (Some(_), None) => "ongoing".to_owned(),
            (None, None) => "unknown".to_owned(),
        };
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

/// `name`, or, when another file already has it, `name` with the postmortem's id, and then a
/// counter. Checking the name with the id too matters: a title can be chosen to collide with
/// it ("Outage 7" beside two postmortems called "Outage", the second with id 7), and two files
/// with one name made the zip fail for everyone and `export --all` overwrite one with the other.
fn unique_name(name: String, id: IncidentId, taken: &std::collections::HashSet<String>) -> String {
    if !taken.contains(&name) {
        return name;
    }
    let stem = name.strip_suffix(".md").unwrap_or(&name);
    let mut candidate = format!("{stem}-{id}.md");
    let mut counter = 1;
    while taken.contains(&candidate) {
        counter += 1;
        candidate = format!("{stem}-{id}-{counter}.md");
    }
    candidate
}

/// Text safe inside a table cell and a link label.
pub fn escape_table_text(text: &str) -> String {
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
    use crate::domain::recurrences::IncidentRef;
    use crate::domain::{
        ActionItemId, ExtraSection, Incident, IncidentId, PerSection, SectionId, Severity, Status, TimelineEntryId,
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
                started_at: Some(datetime!(2025-03-01 21:50 UTC)),
                ended_at: Some(datetime!(2025-03-01 22:40 UTC)),
                offset: Offset::from_minutes(120),
                texts: PerSection::from_fn(|section| match section {
                    Section::Summary => "Short.".into(),
                    Section::PreventativeMeasures => "- Alerts".into(),
                    _ => String::new(),
                }),
                headings: Default::default(),
                template: None,
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
                    marker: None,
                },
                TimelineEntry {
                    id: TimelineEntryId(2),
                    incident_id: id,
                    occurred_at: datetime!(2025-03-01 22:10 UTC),
                    body: "After midnight".into(),
                    time_as_written: String::new(),
                    marker: None,
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
            labels: Default::default(),
            recurrences: Default::default(),
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
    fn seconds_are_written_only_when_there_are_some() {
        let mut pm = postmortem();
        pm.incident.started_at = Some(datetime!(2025-03-01 21:50:30 UTC));
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
    fn recurrences_are_named_both_ways_and_on_the_items_that_recurred() {
        let mut pm = postmortem();
        let titled = |id: i64, title: &str| IncidentRef { id: IncidentId(id), title: title.into() };
        pm.recurrences.happened_before = vec![titled(3, "Pool **exhausted** — #2 again")];
        // An imported line that names the same postmortem is written once.
        pm.recurrences.before_as_written = vec!["#3 — Pool **exhausted** — #2 again".into(), "#40 — Elsewhere".into()];
        pm.recurrences.happened_again = vec![titled(12, "Stampede, twice")];
        pm.action_items[0].status = ActionStatus::Done;
        pm.action_items[0].recurred_in = vec![IncidentId(12), IncidentId(15)];
        pm.action_items[0].recurred_in_as_written = "#7".into();
        let doc = export(&pm);
        assert!(
            doc.contains(
                "- **Duration:** 50 min\n- **Happened before:** #3 — Pool **exhausted** — #2 again\n\
                 - **Happened before:** #40 — Elsewhere\n- **Happened again:** #12 — Stampede, twice\n\n## Summary"
            ),
            "{doc}"
        );
        assert!(
            doc.contains("- [x] Add jitter — **Owner:** Priya · **Due:** 2025-04-01 · **Recurred in:** #12, #15, #7\n")
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
    fn bundle_names_stay_unique_when_titles_are_chosen_to_collide_with_the_id_suffix() {
        let titled = |id: i64, title: &str| {
            let mut pm = postmortem();
            pm.incident.id = IncidentId(id);
            pm.incident.title = title.into();
            pm
        };
        let files = bundle(&[
            titled(3, "Outage 7"),
            titled(9, "Outage"),
            titled(7, "Outage"),
            titled(4, "Outage 7 2"),
            titled(5, "Outage 7"),
            titled(6, "OUTAGE-7"),
            titled(10, "index"),
        ]);
        let mut names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[..3], ["2025-03-01-outage-7.md", "2025-03-01-outage.md", "2025-03-01-outage-7-2.md"]);
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "every name once: {names:?}");
    }

    #[test]
    fn file_names_are_portable_for_any_title() {
        // Titles that break file systems or archives: separators, dots, reserved Windows
        // names, control and invisible characters, other scripts, very long ones.
        let titles = [
            "../../etc/passwd",
            "C:\\Windows\\System32",
            "CON",
            "nul.txt",
            "...",
            " trailing dot. ",
            "a\u{0}b\u{7}c\u{1b}[31m",
            "\u{202e}gpj.exe",
            "日本語のタイトル",
            "Ünïcödé ÅÉÎ ß",
            "emoji 🔥 only 🔥",
            "\u{200b}\u{feff}",
            &"x".repeat(5000),
            &"é".repeat(3000),
            "a/b\\c:d*e?f\"g<h>i|j",
        ];
        for title in titles {
            let mut pm = postmortem();
            pm.incident.title = title.into();
            let name = file_name(&pm);
            let stem = name.strip_suffix(".md").expect("a .md file");
            assert!(
                stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{title:?} gave {name:?}"
            );
            assert!(stem.starts_with("2025-03-01-") && !stem.ends_with('-'), "{title:?} gave {name:?}");
            assert!(name.len() <= 100, "{title:?} gave {} bytes", name.len());
        }
    }

    #[test]
    fn file_names_are_ascii_slugs_with_the_date() {
        let mut pm = postmortem();
        assert_eq!(file_name(&pm), "2025-03-01-cache-stampede-resume-service.md");
        pm.incident.title = "🔥🔥".into();
        assert_eq!(file_name(&pm), "2025-03-01-postmortem-7.md");
    }
}
