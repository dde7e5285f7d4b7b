//! Markdown import: turning a postmortem written elsewhere (a wiki page, a repository file, a
//! Hindsight export) into a structured draft, losing nothing the author wrote.
//!
//! `outline` finds the document's structure line by line; `sections` says what a heading means;
//! this module assigns every line to a field, a timeline, action items or an extra section.

pub mod action_items;
pub mod confidence;
#[cfg(test)]
mod corpus_tests;
pub mod draft;
pub mod exported;
mod found_elsewhere;
#[cfg(test)]
mod fuzz_tests;
pub mod html;
pub mod jira;
pub mod model;
pub mod outline;
pub mod paste;
pub mod plain;
#[cfg(test)]
mod retention_tests;
#[cfg(test)]
mod round_trip_tests;
pub mod rst;
pub mod sections;
mod span_labels;
pub mod template;
pub mod timeline;
pub mod when;

/// The real postmortems in `../shared/fixtures` (file name and text, seed first), for tests.
/// `None`, after saying so, where `../shared` is absent (a user's own clone).
#[cfg(test)]
pub(crate) fn fixtures() -> Option<Vec<(String, String)>> {
    let root = std::path::Path::new("../shared/fixtures/postmortems");
    let Ok(dir) = std::fs::read_dir(root.join("real")) else {
        eprintln!("../shared is absent: skipping the fixture test");
        return None;
    };
    let mut paths: Vec<_> = dir
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && !p.ends_with("SOURCES.md"))
        .collect();
    paths.sort();
    paths.insert(0, root.join("seed.md"));
    let read = |path: &std::path::Path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        (name, std::fs::read_to_string(path).unwrap_or_default())
    };
    Some(paths.iter().map(|p| read(p)).collect())
}

use serde::Serialize;

pub use model::{ExtraSection, Field, TitleSource};
use outline::{CodeFences, Heading, Outline};
use sections::{SectionKind, classify, is_standard_name, normalize};
use span_labels::{DATES, DURATIONS, ENDS, STARTS, ZONES};

use crate::domain::{PerSection, Section};

/// Largest document accepted, in bytes: far beyond any real postmortem.
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// Most lines accepted in one document.
pub const MAX_IMPORT_LINES: usize = 50_000;

/// Why a document cannot be imported. Each message says what to do; nothing is saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The document is empty. Paste or upload a Markdown postmortem.")]
    Empty,
    #[error("The document is {size} KB; the limit is {limit} KB. Split it, or move large logs to linked files.", size = .0 / 1024, limit = MAX_IMPORT_BYTES / 1024)]
    TooLarge(usize),
    #[error(
        "The document has {0} lines; the limit is {MAX_IMPORT_LINES}. Split it, or move large logs to linked files."
    )]
    TooManyLines(usize),
    #[error("This looks like a binary file, not Markdown text.")]
    Binary,
    #[error("The document is UTF-16 text. Save it as UTF-8 and try again.")]
    Utf16,
    #[error("The document is not UTF-8 text (the first bad byte is at offset {0}). Save it as UTF-8 and try again.")]
    NotUtf8(usize),
}

/// Checks raw bytes before anything is parsed: size, text encoding, binary content, lines.
pub fn check_input(bytes: &[u8]) -> Result<&str, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge(bytes.len()));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::Utf16);
    }
    if bytes.contains(&0) {
        return Err(ImportError::Binary);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotUtf8(e.valid_up_to()))?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let lines = bytecount_lines(bytes);
    if lines > MAX_IMPORT_LINES {
        return Err(ImportError::TooManyLines(lines));
    }
    Ok(text)
}

fn bytecount_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + usize::from(!bytes.ends_with(b"\n"))
}

/// Everything recognised in one document, before times are resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sections {
    pub title: String,
    pub title_source: Option<TitleSource>,
    pub front_matter: Vec<(String, String)>,
    /// Each standard section's text as found.
    pub texts: PerSection<Field>,
    /// The timeline section as written; `timeline` parsing turns it into entries.
    pub timeline: Field,
    /// The action items as written; parsed into items separately.
    pub action_items: Field,
    /// Inline duration statements (`**Duration:** ...`), verbatim.
    pub duration: Vec<String>,
    /// What each `**Start:** ...` line says, verbatim, in order (the lines themselves stay in
    /// their sections). More than one that disagree make the start a question for the user.
    pub stated_starts: Vec<String>,
    /// What each `**End:** ...` line says.
    pub stated_ends: Vec<String>,
    /// What each `Time zone: …` line or metadata row says.
    pub stated_zones: Vec<String>,
    /// What each `Incident date: …` line or `| Datum | … |` metadata row says.
    pub stated_dates: Vec<String>,
    /// The column labels of one-row tables that stated the span (`Begin`, `End`), for the notes.
    pub span_columns: Vec<String>,
    /// Sections read by what they hold rather than by their heading (`Work notes` as the
    /// timeline), said in the notes.
    pub read_by_content: Vec<String>,
    pub extra_sections: Vec<ExtraSection>,
}

impl Sections {
    /// A section the authors left empty (a template's "Follow-ups") has no content for its
    /// field, so the export would leave it out; its heading is kept as an empty extra section.
    /// The heading over both measures stays while either has content.
    fn keep_empty_sections(&mut self) {
        let has_measures =
            Section::ALL.into_iter().any(|section| section.is_measure() && !self.texts[section].body.is_empty());
        let texts = self.texts.iter_mut().map(|(_, field)| field);
        for field in texts.chain([&mut self.timeline, &mut self.action_items]) {
            if !field.body.trim().is_empty() {
                continue;
            }
            let Some(heading) = field.heading.take() else { continue };
            if has_measures && classify(&heading) == Some(SectionKind::Measures) {
                field.heading = Some(heading);
                continue;
            }
            self.extra_sections.push(ExtraSection { heading, body: std::mem::take(&mut field.body) });
        }
    }

    fn field(&mut self, kind: SectionKind) -> Option<&mut Field> {
        match kind {
            SectionKind::Timeline => Some(&mut self.timeline),
            SectionKind::ActionItems => Some(&mut self.action_items),
            kind => Some(&mut self.texts[kind.section()?]),
        }
    }
}

/// Splits `source` into the postmortem's fields and extra sections. `file_name` names the
/// document when it has no title of its own.
pub fn split_sections(source: &str, file_name: Option<&str>) -> Sections {
    // A wiki export's HTML tables are read as the Markdown tables they mean.
    let converted = html::tables_to_markdown(source);
    let outline = Outline::parse(converted.as_deref().unwrap_or(source));
    let mut found = Sections { front_matter: outline.front_matter.clone(), ..Sections::default() };

    let first_content =
        (outline.front_matter_lines..outline.lines.len()).find(|&i| !outline.lines[i].trim().is_empty());
    let only_h1 = outline.headings.iter().filter(|o| o.level == 1).count() == 1;
    let title_heading = outline
        .headings
        .iter()
        .find(|h| {
            h.level == 1
                && (classify(&h.text).is_none()
                    // `# Summary of the Volumes Event in the US-NORTHWEST-2 Region`: the one H1,
                    // first thing in the document and longer than any section's heading, is
                    // the title, though it starts with a section's word (`# Summary` alone is
                    // the section).
                    || (only_h1 && Some(h.line) == first_content && titles_a_document(&h.text)))
        })
        .filter(|h| Some(h.line) == first_content || only_h1)
        .or_else(|| {
            // No `#` title: the document's first line, a heading above every other (`## Title`
            // over `### Summary`), is its title.
            let first = outline.headings.iter().find(|h| Some(h.line) == first_content)?;
            let above_all = outline.headings.iter().all(|o| o.line == first.line || o.level > first.level);
            (classify(&first.text).is_none() && above_all).then_some(first)
        });
    let mut body_start = outline.front_matter_lines;
    if let Some(title) = outline.front("title").filter(|t| !t.is_empty()) {
        found.title = title.to_owned();
        found.title_source = Some(TitleSource::FrontMatter);
    } else if let Some(heading) = title_heading {
        found.title = strip_emphasis(&heading.text).to_owned();
        found.title_source = Some(TitleSource::Heading);
    } else if let Some(line) = first_content.and_then(|i| bold_line(outline.lines[i]).map(|t| (i, t))) {
        found.title = line.1.to_owned();
        found.title_source = Some(TitleSource::BoldLine);
        body_start = line.0 + 1;
    } else if let Some(name) = file_name.and_then(title_from_file_name) {
        found.title = name;
        found.title_source = Some(TitleSource::FileName);
    } else {
        found.title_source = Some(TitleSource::Untitled);
    }
    // The title heading, when it is the title: read as such, or repeating the front matter's
    // title (its text is then under the title, not a section of its own named like it).
    let title_heading = title_heading.filter(|heading| match found.title_source {
        Some(TitleSource::Heading) => true,
        Some(TitleSource::FrontMatter) => {
            strip_emphasis(&heading.text).trim().to_lowercase() == found.title.trim().to_lowercase()
        }
        _ => false,
    });
    if let Some(heading) = title_heading {
        body_start = heading.line + heading.span;
    }

    // Headings that start a section: every heading with a known meaning, and unknown ones no
    // deeper than the shallowest known one (deeper unknown headings belong to their section).
    let candidates: Vec<&Heading> = outline.headings.iter().filter(|h| h.line >= body_start).collect();
    let base_level = candidates
        .iter()
        .filter(|h| classify(&h.text).is_some())
        .map(|h| h.level)
        .min()
        .or_else(|| candidates.iter().map(|h| h.level).min())
        .unwrap_or(2);
    // A day heading ("May 12") right after the timeline, or after another day heading, is part
    // of the timeline: its rows are under it.
    // So is a sub-heading of the timeline whose lines are timeline rows (`### Response (incident
    // bot)` over a table of times): it names a part of the timeline, not a section of its own.
    let mut in_timeline: Option<u8> = None;
    let heading_lines: Vec<usize> = outline.headings.iter().map(|h| h.line).collect();
    let starts: Vec<&Heading> = candidates
        .into_iter()
        .filter(|h| classify(&h.text).is_some() || h.level <= base_level)
        .filter(|h| {
            let kind = classify(&h.text);
            if kind.is_none() && in_timeline.is_some() && is_day_heading(&h.text) {
                return false;
            }
            if kind != Some(SectionKind::Timeline)
                && in_timeline.is_some_and(|level| h.level > level)
                && has_timeline_rows(&outline, h, &heading_lines)
            {
                return false;
            }
            in_timeline = (kind == Some(SectionKind::Timeline)).then_some(h.level);
            true
        })
        .collect();

    // Text before the first section introduces the postmortem: it belongs to the summary, and
    // so does anything written above the title heading (a "Template from ..." quote).
    let preamble_end = starts.first().map_or(outline.lines.len(), |h| h.line);
    let above_title = title_heading
        .map(|heading| outline.text(outline.front_matter_lines..heading.line))
        .filter(|text| !text.trim().is_empty());
    let preamble = match above_title {
        Some(above) => format!("{}\n\n{}", above.trim_matches('\n'), outline.text(body_start..preamble_end)),
        None => outline.text(body_start..preamble_end),
    };
    assign(&mut found, Some(SectionKind::Summary), None, &preamble);

    // With no heading for the timeline, a section that is nothing but rows beginning with a
    // time is it, whatever its heading (`## What happened` over a table of times).
    let timeline_heading = starts.iter().any(|h| classify(&h.text) == Some(SectionKind::Timeline));
    for (i, heading) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(outline.lines.len(), |next| next.line);
        let body = outline.text(heading.line + heading.span..end);
        let kind = match classify(&heading.text) {
            Some(SectionKind::Summary | SectionKind::Impact | SectionKind::Resolution)
                if !timeline_heading && found.timeline.body.is_empty() && is_only_timestamped_rows(&body) =>
            {
                found.read_by_content.push(format!(
                    "The section “{}” was read as the timeline: it is nothing but rows that begin with a time, and no \
                     other section is named the timeline.",
                    heading.text
                ));
                Some(SectionKind::Timeline)
            }
            kind => kind,
        };
        assign(&mut found, kind, Some(&heading.text), &body);
    }
    found.keep_empty_sections();
    if outline.front_matter_lines > 0 {
        // Kept whole, so keys Hindsight has no field for (authors, tags) are not lost.
        let yaml = outline.text(1..outline.front_matter_lines.saturating_sub(1));
        let body = format!("```yaml\n{}\n```", yaml.trim_matches('\n'));
        found.extra_sections.push(ExtraSection { heading: "Front matter".to_owned(), body });
    }
    found
}

/// Whether `body` is a list or table of three or more rows, nearly all of which begin with a
/// time of day (a work log, an activity journal): what a reader takes for a timeline whatever
/// its heading says.
fn is_timestamped_list(body: &str) -> bool {
    let lines: Vec<&str> = body.lines().map(str::trim_start).take(400).collect();
    let delimiter = |line: &str| line.starts_with('|') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
    // A table's header (the line above its delimiter) and its delimiter are not rows.
    let rows: Vec<&str> = (0..lines.len())
        .filter(|&i| {
            let line = lines[i];
            let header = lines.get(i + 1).is_some_and(|next| delimiter(next));
            strip_list_marker(line) != line || (line.starts_with('|') && !delimiter(line) && !header)
        })
        .map(|i| lines[i])
        .collect();
    let timed = rows.iter().filter(|row| when::leading_stamp(row).is_some_and(|stamp| stamp.time.is_some())).count();
    timed >= 3 && timed * 10 >= rows.len() * 8
}

/// Whether `body` is a timestamped list or table (see [`is_timestamped_list`]) and little else:
/// an introducing line or two beside its rows, no paragraphs of prose.
fn is_only_timestamped_rows(body: &str) -> bool {
    let lines: Vec<&str> = body.lines().map(str::trim).filter(|line| !line.is_empty()).take(400).collect();
    let rows = lines.iter().filter(|line| strip_list_marker(line) != **line || line.starts_with('|')).count();
    is_timestamped_list(body) && rows * 10 >= lines.len() * 8
}

/// Puts a section's body where it belongs, first pulling out inline labelled paragraphs
/// (`**Impact:** ...`) that name another field.
fn assign(found: &mut Sections, kind: Option<SectionKind>, heading: Option<&str>, body: &str) {
    // "Corrective actions" over a table or a list of actions with owners and due dates: action
    // items.
    let kind = match kind {
        Some(SectionKind::CorrectiveMeasures | SectionKind::PreventativeMeasures | SectionKind::Measures)
            if heading.is_some_and(found_elsewhere::names_actions)
                && (action_items::has_items_table(body) || found_elsewhere::is_owned_list(body)) =>
        {
            Some(SectionKind::ActionItems)
        }
        // A heading no list knows (`六、改善措施`) over a table of items with owners, dues or
        // statuses, or a list of items most of which have an owner and a due date: what a
        // reader takes for the action items whatever the heading's words.
        None if heading.is_some()
            && (action_items::has_items_table(body) || found_elsewhere::is_planned_list(body)) =>
        {
            found.read_by_content.push(format!(
                "The section “{}” was read as the action items: it lists work with owners and due dates.",
                heading.unwrap_or_default()
            ));
            Some(SectionKind::ActionItems)
        }
        // `## Work notes (newest first, as exported)` over rows that each begin with a time:
        // the timeline, when the document has none so far.
        None if heading.is_some() && found.timeline.body.is_empty() && is_timestamped_list(body) => {
            found.read_by_content.push(format!(
                "The section “{}” was read as the timeline: nearly all its rows begin with a time.",
                heading.unwrap_or_default()
            ));
            Some(SectionKind::Timeline)
        }
        kind => kind,
    };
    // A list of actions with owners or due dates after a line that introduces them ("These
    // are the actions we agreed:"), in any other section: the action items, with their
    // lead-in kept in the items' notes.
    let (body, moved) = match kind {
        Some(SectionKind::ActionItems | SectionKind::Timeline) => (body.to_owned(), None),
        _ => found_elsewhere::take_action_lists(body),
    };
    let body = body.as_str();
    if let Some(moved) = moved {
        found.action_items.append(None, &moved);
    }
    let (rest, labelled) = split_labelled(body, kind);
    match kind.and_then(|k| found.field(k).map(|_| k)) {
        Some(kind) => {
            if let Some(field) = found.field(kind) {
                field.append(heading, trim_rules(&rest));
            }
        }
        None if kind == Some(SectionKind::Duration) => {
            // Read for the start and end, and kept as written.
            found.duration.push(rest.trim().to_owned());
            let heading = heading.unwrap_or("Duration").to_owned();
            found.extra_sections.push(ExtraSection { heading, body: trim_rules(&rest).to_owned() });
        }
        None => {
            let trimmed = trim_rules(&rest);
            match heading {
                Some(heading) => {
                    found.extra_sections.push(ExtraSection { heading: heading.to_owned(), body: trimmed.to_owned() })
                }
                None if !trimmed.is_empty() => found.texts[Section::Summary].append(None, trimmed),
                None => {}
            }
        }
    }
    // `**Duration:** ...`, `**Start:** ...` and `**End:** ...` lines stay where they were
    // written; what they state is read too, and so is a labelled paragraph's own statement
    // (`**Impact ended:** 11 February 2025, 09:40 CET` goes to the impact, and states the end).
    let mut stated = statements(&rest);
    // `| Outage | Begin | End |` over one row, outside the timeline and the action items (whose
    // rows are events and work, each with times of its own).
    if !matches!(kind, Some(SectionKind::Timeline | SectionKind::ActionItems)) {
        let table = span_labels::single_row_table(&rest);
        found.span_columns.extend(table.iter().map(|(label, _)| (*label).to_owned()));
        stated.extend(table);
    }
    for (label_kind, paragraph) in &labelled {
        let own = statements(paragraph).into_iter().next();
        // `**Impact:** from 01:12 CST to 06:45 CST on Sunday 3 November 2024.`: an impact
        // paragraph that opens with a range of times states the span.
        let window = (own.is_none() && *label_kind == SectionKind::Impact)
            .then(|| opening_range(paragraph))
            .flatten()
            .map(|line| ("impact window", line.to_owned()));
        stated.extend(own.or(window));
    }
    for (label_kind, paragraph) in &labelled {
        if let Some(field) = found.field(*label_kind) {
            field.append(None, paragraph);
        }
    }
    for (label, value) in stated {
        match statement_kind(label) {
            Some(Statement::Start) => found.stated_starts.push(value),
            Some(Statement::End) => found.stated_ends.push(value),
            Some(Statement::Duration) => found.duration.push(value),
            Some(Statement::Zone) => found.stated_zones.push(value),
            Some(Statement::Date) => found.stated_dates.push(value),
            None => {}
        }
    }
}

/// Separates paragraphs that start with a bold label naming another field from the rest of a
/// section. The label is dropped when it only repeats the field's name (`**Impact:**` inside
/// the impact), and kept otherwise, so no word is lost.
fn split_labelled(body: &str, section: Option<SectionKind>) -> (String, Vec<(SectionKind, String)>) {
    let mut rest: Vec<&str> = Vec::new();
    let mut labelled: Vec<(SectionKind, String)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut fences = CodeFences::nested();
    for line in body.split('\n') {
        let in_code = fences.in_code(line);
        if !in_code && let Some((label, value)) = bold_label(line) {
            let label_kind = classify(label);
            if label_kind == Some(SectionKind::Duration) || statement_kind(label) == Some(Statement::Duration) {
                // Stays where it was written (and is read for the span by the caller).
                rest.push(line);
                current = None;
                continue;
            }
            // A label that is just the field's name (`**Impact:**`) is said again by the
            // field's heading; any other (`**Customer impact:**`) is kept with its text.
            let kept = if is_standard_name(label) { value.trim_start() } else { line.trim_start() };
            let section_root = matches!(section, Some(SectionKind::RootCauseAndResolution));
            if let Some(kind) = label_kind.filter(|k| Some(*k) != section || section_root) {
                let kind = if section_root && kind == SectionKind::RootCauseAndResolution {
                    SectionKind::RootCause
                } else {
                    kind
                };
                labelled.push((kind, kept.trim_end().to_owned()));
                current = Some(labelled.len() - 1);
                continue;
            }
            if label_kind.is_some() && label_kind == section {
                rest.push(kept);
                current = None;
                continue;
            }
        }
        match current {
            Some(index) if !line.trim().is_empty() || in_code => {
                let paragraph = &mut labelled[index].1;
                paragraph.push('\n');
                paragraph.push_str(line);
            }
            _ => {
                current = None;
                rest.push(line);
            }
        }
    }
    (rest.join("\n"), labelled)
}

/// The first line of `paragraph`, without its label, when it opens with a range of times
/// (`from 01:12 CST to 06:45 CST …`, `14:02 – 15:26 PDT`): its first time within a few words.
fn opening_range(paragraph: &str) -> Option<&str> {
    let line = paragraph.lines().next()?;
    let value = bold_label(line).map_or(line, |(_, value)| value).trim();
    let (_, range) = when::parse_time(value)?;
    (range.start <= 16 && when::parse_span(value).is_some()).then_some(value)
}

/// Whether the lines under `heading` (up to the next heading) hold timeline rows: at least two
/// lines or table rows that start with a time.
fn has_timeline_rows(outline: &Outline, heading: &Heading, heading_lines: &[usize]) -> bool {
    let from = heading.line + heading.span;
    let to = heading_lines.iter().copied().find(|&line| line >= from).unwrap_or(outline.lines.len());
    let parsed = timeline::parse(&outline.text(from..to));
    parsed.entries.iter().filter(|entry| entry.time.is_some()).take(2).count() == 2
}

/// A heading that is only a date (`May 12`, `15 May`, `2019-02-05`).
fn is_day_heading(text: &str) -> bool {
    let text = text.trim();
    when::leading_stamp(text).is_some_and(|stamp| {
        stamp.date.is_some()
            && stamp.time.is_none()
            && text.get(stamp.consumed..).is_some_and(|rest| rest.trim().is_empty())
    })
}

/// The labelled lines outside code blocks, as (label, value): `**Label:** value`, in a list
/// item or not, and plain `Label: value` lines whose label states the span (`Start:`,
/// `Beginn der Auswirkung:`), which are all the caller keeps of a plain line.
fn statements(text: &str) -> Vec<(&str, String)> {
    let mut fences = CodeFences::nested();
    let mut found = Vec::new();
    for line in text.split('\n') {
        if fences.in_code(line) {
            continue;
        }
        let item = strip_list_marker(line);
        // A plain label only at the start of a line of prose: not in a quote or an indented
        // block (pasted `kubectl describe` output says `Started:` too).
        let prose = line.len() - line.trim_start().len() < 4 && !line.trim_start().starts_with('>');
        let plain = |label: &str| {
            label.chars().count() <= 40
                && !label.contains(['*', '_', '`', '[', '|', '#'])
                && statement_kind(label).is_some()
        };
        let labelled = bold_label(item)
            .or_else(|| bold_label_full_width(item))
            .or_else(|| {
                let (label, value) = item.split_once([':', '：']).filter(|_| prose)?;
                plain(label).then_some((label.trim(), value))
            })
            .or_else(|| {
                // A metadata table's row: `| Start time | 2025-04-08 09:12 |`.
                let (label, value) = table_pair(line)?;
                plain(label).then_some((label, value))
            });
        if let Some((label, value)) = labelled {
            // `Beginn: 18.02.2025, 05:48 Uhr. Ende: 18.02.2025, 11:20 Uhr.`: a second
            // statement in the same line starts after a sentence's end.
            let (value, more) = next_statement(value, &plain);
            found.push((label, value.trim().to_owned()));
            let mut more = more;
            while let Some((label, rest)) = more {
                let (value, next) = next_statement(rest, &plain);
                found.push((label, value.trim().to_owned()));
                more = next;
            }
        }
    }
    found
}

/// Splits `value` where another statement starts after the end of a sentence (`. `, `; `,
/// `。`): the value before it, and that statement's label and the rest.
fn next_statement<'t>(value: &'t str, is_label: &dyn Fn(&str) -> bool) -> (&'t str, Option<(&'t str, &'t str)>) {
    let ends = value
        .match_indices([';', '.', '。'])
        .map(|(i, mark)| i + mark.len())
        .filter(|&end| value[..end].ends_with('。') || value[end..].starts_with(' '));
    for end in ends {
        let rest = &value[end..];
        // A label is short: the colon is looked for in the next 48 characters only, so a long
        // line of full stops stays linear.
        let colon = rest.char_indices().take(48).find(|&(_, c)| matches!(c, ':' | '：'));
        if let Some((at, colon)) = colon
            && is_label(rest[..at].trim())
        {
            return (&value[..end], Some((rest[..at].trim(), &rest[at + colon.len_utf8()..])));
        }
    }
    (value, None)
}

/// The two cells of a table row that has two (`| Label | Value |`).
fn table_pair(line: &str) -> Option<(&str, &str)> {
    let inner = line.trim().strip_prefix('|')?.trim_end();
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = inner.split('|').map(str::trim);
    let (label, value) = (cells.next()?, cells.next()?);
    let label = label.trim_matches(['*', '_']).trim();
    (cells.next().is_none() && !label.is_empty() && !value.is_empty()).then_some((label, value))
}

/// Labels that state a postmortem's severity, in the importer's languages.
const SEVERITY_LABELS: &[&str] = &[
    "severity",
    "sev",
    "severity level",
    "schweregrad",
    "schwere",
    "sévérité",
    "severite",
    "gravité",
    "gravite",
    "severidad",
    "gravedad",
    "gravidade",
    "severidade",
    "gravità",
    "gravita",
    "ernst",
    "ernstigheid",
    "重大度",
    "深刻度",
    "严重程度",
    "严重级别",
    "嚴重程度",
    "심각도",
    "등급",
];

/// The value of the first line (within the document's first 200) that states its severity:
/// `| Schweregrad | SEV-2 |`, `Severity: S1`, `**Sévérité :** SEV 2`, `severite: P1` in front matter.
pub(crate) fn stated_severity(text: &str) -> Option<&str> {
    text.lines().take(200).find_map(|line| {
        let item = strip_list_marker(line);
        let (label, value) = bold_label(item).or_else(|| table_pair(line)).or_else(|| item.split_once([':', '：']))?;
        let label = normalize(label.trim().trim_end_matches([':', '：']));
        SEVERITY_LABELS.contains(&label.as_str()).then(|| value.trim())
    })
}

/// A line without its list marker (`- `, `* `, `+ `, `• `, `1. `).
fn strip_list_marker(line: &str) -> &str {
    let trimmed = line.trim_start();
    for marker in ["- ", "* ", "+ ", "• "] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    match trimmed[digits..].strip_prefix(". ").or_else(|| trimmed[digits..].strip_prefix(") ")) {
        Some(rest) if digits > 0 => rest.trim_start(),
        _ => trimmed,
    }
}

/// What a labelled line states about the incident's span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Statement {
    Start,
    End,
    Duration,
    /// The zone the document's times are in.
    Zone,
    /// The incident's day (`Incident date`, `Datum`, `Fecha del incidente`).
    Date,
}

/// What a label (or a front matter key: `started_at`, `impact_end`, `timezone`) states about
/// the span.
pub(crate) fn statement_kind(label: &str) -> Option<Statement> {
    let words = normalize(label);
    if STARTS.contains(&words.as_str()) {
        return Some(Statement::Start);
    }
    if ENDS.contains(&words.as_str()) {
        return Some(Statement::End);
    }
    if ZONES.contains(&words.as_str()) {
        return Some(Statement::Zone);
    }
    if DATES.contains(&words.as_str()) {
        return Some(Statement::Date);
    }
    // Labels no list holds word for word (`Beginn der Kundenauswirkung`, `Customer impact
    // start`, `Zeitangaben`): by their words, when they are few and say only one of these.
    if let Some(kind) = span_labels::by_words(&words) {
        return Some(kind);
    }
    // `classify` says Duration only of a label with the word `duration` that names no other
    // field: every other label (most lines with a colon) is turned away before classifying it.
    let names_duration = words.split(' ').any(|word| word == "duration");
    ((names_duration && classify(label) == Some(SectionKind::Duration)) || DURATIONS.contains(&words.as_str()))
        .then_some(Statement::Duration)
}

/// `**Label:** value` or `**Label**: value` → (label, value).
fn bold_label(line: &str) -> Option<(&str, &str)> {
    let inner = line.trim_start().strip_prefix("**").or_else(|| line.trim_start().strip_prefix("__"))?;
    let close = inner.find("**").or_else(|| inner.find("__"))?;
    let (label, after) = (&inner[..close], &inner[close + 2..]);
    if let Some(label) = label.strip_suffix(':') {
        return Some((label.trim(), after));
    }
    after.strip_prefix(':').map(|value| (label.trim(), value))
}

/// `**故障发生时间**：2025年8月21日 18:07`: a bold label and the full-width colon Chinese and
/// Japanese write after it. Read only for what it states about the span: the sections keep
/// splitting on ASCII colons as before.
fn bold_label_full_width(line: &str) -> Option<(&str, &str)> {
    let inner = line.trim_start().strip_prefix("**")?;
    let (label, after) = inner.split_once("**")?;
    if let Some(label) = label.strip_suffix('：') {
        return Some((label.trim(), after));
    }
    after.strip_prefix('：').map(|value| (label.trim(), value))
}

/// A line that is wholly bold, `**like this**`: a title in documents without a heading.
fn bold_line(line: &str) -> Option<&str> {
    let text = line.trim().strip_prefix("**")?.strip_suffix("**")?.trim();
    (!text.is_empty() && !text.contains("**")).then_some(text)
}

fn strip_emphasis(text: &str) -> &str {
    let trimmed = text.trim();
    bold_line(trimmed).unwrap_or(trimmed)
}

/// Blank lines and thematic breaks (`---`) around a section separate, they do not belong.
fn trim_rules(text: &str) -> &str {
    let is_rule = |line: &str| {
        let t = line.trim();
        t.is_empty() || (t.len() >= 3 && (t.bytes().all(|b| b == b'-') || t.bytes().all(|b| b == b'*')))
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let start = lines.iter().position(|l| !is_rule(l)).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !is_rule(l)).map_or(start, |e| e + 1);
    if start >= end {
        return "";
    }
    let begin: usize = lines[..start].iter().map(|l| l.len() + 1).sum();
    let finish: usize = lines[..end].iter().map(|l| l.len() + 1).sum::<usize>() - 1;
    &text[begin..finish]
}

/// Words from which a heading is longer than any section's (`Summary of the incident`,
/// `Lessons learned and next steps`), and CJK characters likewise (`事件摘要`, `再発防止策`).
const TITLE_WORDS: usize = 6;
const TITLE_CJK_CHARS: usize = 12;

/// Whether a heading that names a section is long enough to be a document's title instead:
/// a section of prose named in passing (`Summary of …`, `Impact of …`), not a timeline or the
/// action items, whose rows the title would otherwise take from their section.
fn titles_a_document(heading: &str) -> bool {
    let words = normalize(heading);
    let long = words.split(' ').count() >= TITLE_WORDS
        || words.chars().filter(|&c| c >= '\u{2E80}' && c.is_alphabetic()).count() >= TITLE_CJK_CHARS;
    long && !matches!(classify(heading), Some(SectionKind::Timeline | SectionKind::ActionItems))
}

/// `2021-10-31-DustStorm.md` → `2021-10-31 DustStorm`.
fn title_from_file_name(name: &str) -> Option<String> {
    let stem = std::path::Path::new(name).file_stem()?.to_str()?;
    let title = stem.replace(['_', '-'], " ");
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests;
