//! Reading a Hindsight export back exactly. The export's shape is a contract (README, "Export
//! format"), so a document in that shape is read by its grammar, not by the heuristics meant for
//! postmortems written elsewhere: every field comes back as stored, whatever Markdown it holds
//! (headings with a section's meaning, `**Impact:**` labels, times at the start of a line, rules).
//! A document that departs from the shape in any way is left to the heuristics.

use std::borrow::Cow;

use time::{Date, PrimitiveDateTime};

use super::action_items::{ImportedItem, ItemStatus};
use super::model::{
    ExtraSection, Field, ImportedEntry, ImportedFactor, ImportedLabels, ImportedPostmortem, ResolvedItem, TitleSource,
};
use super::outline::CodeFences;
use crate::domain::input::{FieldErrors, ImportedVerification, MAX_NAME_CHARS, verification_evidence};
use crate::domain::recurrences::RecurrencesAsWritten;
use crate::domain::time::{self as t, Offset, showable};
use crate::domain::{Marker, PerSection, Section, Severity, Status};
use crate::format::{self, EXTRA_MARKER, PARTS, Part, item, label};

/// The postmortem `source` is the export of, or `None` when it is not in the export's shape.
pub fn read(source: &str) -> Option<ImportedPostmortem> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    // An editor may have saved the file with CRLF line endings; fields never hold a CR.
    let normalized =
        if source.contains('\r') { Cow::Owned(source.replace("\r\n", "\n")) } else { Cow::Borrowed(source) };
    if normalized.contains('\r') {
        return None;
    }
    let lines: Vec<&str> = normalized.trim_end_matches('\n').split('\n').collect();
    let mut reader = Reader { lines: &lines, pos: 0 };
    let mut found = reader.header()?;
    // A draft's export without a start or an end says its offset only above its timeline.
    let stated = found.started_at.is_some() || found.ended_at.is_some();
    let mut offset = stated.then(|| Offset::from_minutes(found.utc_offset_minutes));
    let first_day =
        found.started_at.map(|start| t::local(start, Offset::from_minutes(found.utc_offset_minutes)).date());

    let mut next_standard = 0;
    while reader.pos < lines.len() {
        reader.expect("")?;
        let line = reader.next()?.strip_prefix("## ").filter(|heading| !heading.trim().is_empty())?;
        let (heading, marked_extra) = match line.strip_suffix(EXTRA_MARKER) {
            Some(heading) => (heading, true),
            None => (line, false),
        };
        // A standard heading, or the authors' own heading for a standard section; after the
        // first extra section only the standard headings themselves are ambiguous.
        let standard = if marked_extra {
            None
        } else if let Some(index) = PARTS.iter().position(|part| part.heading() == heading) {
            Some(index)
        } else if found.extra_sections.is_empty() {
            Part::of_heading(heading).filter(|&index| index >= next_standard)
        } else {
            None
        };
        match standard {
            // Each standard section at most once, in order, and before any extra section.
            Some(index) if index >= next_standard && found.extra_sections.is_empty() => {
                next_standard = index + 1;
                match PARTS[index] {
                    Part::Timeline => {
                        found.timeline_heading = Some(heading.to_owned());
                        let (timeline, read_in) = reader.timeline(offset, first_day)?;
                        found.timeline = timeline;
                        offset = Some(read_in);
                        found.zone = read_in.to_string();
                        found.utc_offset_minutes = read_in.minutes();
                    }
                    Part::ActionItems => {
                        found.action_items_heading = Some(heading.to_owned());
                        found.action_items = reader.action_items()?;
                    }
                    Part::Measures => {
                        let corrective = format::measure_heading(Section::CorrectiveMeasures);
                        let preventative = format::measure_heading(Section::PreventativeMeasures);
                        let corrective_body = reader.subsection(&corrective, Some(&preventative))?;
                        let preventative_body = reader.subsection(&preventative, None)?;
                        // The one heading over both belongs with the first that has content.
                        let (corrective_heading, preventative_heading) = if corrective_body.is_some() {
                            (heading, Section::PreventativeMeasures.export_heading())
                        } else {
                            (Section::CorrectiveMeasures.export_heading(), heading)
                        };
                        match (corrective_body, preventative_body) {
                            (None, None) => return None,
                            (corrective, preventative) => {
                                if let Some(body) = corrective {
                                    found.texts[Section::CorrectiveMeasures] =
                                        Field { heading: Some(corrective_heading.to_owned()), body };
                                }
                                if let Some(body) = preventative {
                                    found.texts[Section::PreventativeMeasures] =
                                        Field { heading: Some(preventative_heading.to_owned()), body };
                                }
                            }
                        }
                    }
                    Part::Text(section) => {
                        reader.expect("")?;
                        found.texts[section] = Field { heading: Some(heading.to_owned()), body: reader.body(None) };
                    }
                }
            }
            Some(_) => return None,
            None => {
                // An extra section; its body may be empty, and then nothing follows the heading.
                let body = if reader.at_section_end() {
                    String::new()
                } else {
                    reader.expect("")?;
                    reader.body(None)
                };
                found.extra_sections.push(ExtraSection { heading: heading.to_owned(), body });
            }
        }
    }
    Some(found)
}

/// A cursor over the export's lines.
struct Reader<'a> {
    lines: &'a [&'a str],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let line = self.lines.get(self.pos)?;
        self.pos += 1;
        Some(line)
    }

    fn expect(&mut self, line: &str) -> Option<()> {
        (self.next()? == line).then_some(())
    }

    /// `- **Label:** value` → value.
    fn labelled(&mut self, label: &str) -> Option<&'a str> {
        format::read_metadata(self.next()?, label)
    }

    /// `- **Label:** value` → value, if the next line is one; otherwise nothing is read.
    fn optional(&mut self, label: &str) -> Option<&'a str> {
        let value = format::read_metadata(self.lines.get(self.pos)?, label)?;
        self.pos += 1;
        Some(value)
    }

    /// At the end of the document, or at the blank line before the next `## ` heading.
    fn at_section_end(&self) -> bool {
        self.pos >= self.lines.len()
            || (self.lines[self.pos].is_empty()
                && self.lines.get(self.pos + 1).is_some_and(|next| next.starts_with("## ")))
    }

    /// The title and metadata lines.
    fn header(&mut self) -> Option<ImportedPostmortem> {
        let title = self.next()?.strip_prefix("# ").filter(|title| !title.trim().is_empty())?;
        self.expect("")?;
        let severity = self.labelled(label::SEVERITY)?;
        let severity = Severity::ALL.iter().copied().find(|s| s.label() == severity)?;
        let status = self.labelled(label::STATUS)?;
        let status = Status::ALL.iter().copied().find(|s| s.label() == status)?;
        // A draft that does not say when the impact started has no start line, and an end
        // line only if it says when the impact ended (with no duration: there is none).
        let started = match self.optional(label::START) {
            Some(start) => Some(format::read_full_time(start)?),
            None => None,
        };
        let (ended_at, end_offset) = match self.optional(label::END) {
            Some(label::ONGOING) if started.is_some() => (None, None),
            Some(end) => {
                let (end, end_offset) = format::read_full_time(end)?;
                // The duration is derived from start and end, so its line says nothing new.
                if started.is_some() {
                    self.labelled(label::DURATION)?;
                }
                (Some(end), Some(end_offset))
            }
            None if started.is_none() => (None, None),
            None => return None,
        };
        let offset = match (started.map(|(_, offset)| offset), end_offset) {
            (Some(start), Some(end)) if start != end => return None,
            (start, end) => start.or(end).unwrap_or(Offset::UTC),
        };
        let started_at = started.map(|(start, _)| start);
        let mut labels = ImportedLabels::default();
        if let Some(services) = self.optional(label::SERVICES) {
            labels.services = format::read_list(services);
        }
        if let Some(tags) = self.optional(label::TAGS) {
            labels.tags = format::read_list(tags);
        }
        while let Some(factor) = self.optional(label::FACTOR) {
            let (name, explanation) = format::read_factor(factor);
            labels.factors.push(ImportedFactor { name: name.to_owned(), explanation: explanation.to_owned() });
        }
        // Kept as written: whether `#12` is a postmortem of this instance is the door's to
        // decide when saving (`app::imports`), not the reader's.
        let mut recurrences = RecurrencesAsWritten::default();
        while let Some(earlier) = self.optional(label::HAPPENED_BEFORE) {
            recurrences.happened_before.push(earlier.to_owned());
        }
        while let Some(later) = self.optional(label::HAPPENED_AGAIN) {
            recurrences.happened_again.push(later.to_owned());
        }
        Some(ImportedPostmortem {
            title: title.to_owned(),
            title_source: Some(TitleSource::Heading),
            severity: Some(severity),
            status: Some(status),
            started_at,
            ended_at,
            zone: offset.to_string(),
            utc_offset_minutes: offset.minutes(),
            texts: PerSection::default(),
            timeline_heading: None,
            timeline: Vec::new(),
            timeline_notes: String::new(),
            action_items_heading: None,
            action_items: Vec::new(),
            action_item_notes: String::new(),
            extra_sections: Vec::new(),
            labels,
            recurrences,
            notes: Vec::new(),
            start_conflict: None,
            end_conflict: None,
            zone_problem: None,
        })
    }

    /// A field's Markdown: every line up to the blank line before the next `## ` heading (or
    /// `stop`), skipping what looks like one inside a code block.
    fn body(&mut self, stop: Option<&str>) -> String {
        let start = self.pos;
        let mut fences = CodeFences::top_level();
        while self.pos < self.lines.len() {
            let line = self.lines[self.pos];
            if !fences.in_code(line) && line.is_empty() {
                let next = self.lines.get(self.pos + 1).copied().unwrap_or_default();
                if next.starts_with("## ") || stop.is_some_and(|stop| next == stop) {
                    break;
                }
            }
            self.pos += 1;
        }
        self.lines[start..self.pos].join("\n")
    }

    /// `\n### Heading\n\nbody` if it comes next.
    fn subsection(&mut self, heading: &str, stop: Option<&str>) -> Option<Option<String>> {
        if self.lines.get(self.pos) != Some(&"") || self.lines.get(self.pos + 1) != Some(&heading) {
            return Some(None);
        }
        self.pos += 2;
        self.expect("")?;
        Some(Some(self.body(stop)))
    }

    /// An item's further lines: indented two spaces, blank lines between them kept.
    fn continuation(&mut self, text: &mut String) {
        while let Some(line) = self.lines.get(self.pos) {
            let indented = |line: &str| line.starts_with("  ");
            let blank_run = self.lines[self.pos..].iter().take_while(|l| l.is_empty()).count();
            if indented(line) {
                text.push('\n');
                text.push_str(&line[2..]);
                self.pos += 1;
            } else if line.is_empty() && self.lines.get(self.pos + blank_run).is_some_and(|l| indented(l)) {
                for _ in 0..blank_run {
                    text.push('\n');
                }
                self.pos += blank_run;
            } else {
                return;
            }
        }
    }

    /// The timeline's rows, and the offset they are in: `offset`, or (where the header says
    /// none) the one its zone line names. Without a `first_day` every row must give its date.
    fn timeline(&mut self, offset: Option<Offset>, first_day: Option<Date>) -> Option<(Vec<ImportedEntry>, Offset)> {
        self.expect("")?;
        let offset = match offset {
            Some(offset) => offset,
            None => {
                let line = self.lines.get(self.pos)?;
                let named = line.strip_prefix("All times are ")?.strip_suffix('.')?;
                Offset::parse(named).ok().filter(|offset| format::zone_line(*offset) == *line)?
            }
        };
        self.expect(&format::zone_line(offset))?;
        self.expect("")?;
        let mut entries = Vec::new();
        // Without a start, the first row's date (which it always writes) is the first day.
        let mut first_day = first_day;
        while !self.at_section_end() {
            let line = self.next()?.strip_prefix(format::row::START)?;
            let (stamp, first) = line.split_once(format::row::SEPARATOR)?;
            // `2025-03-01 ` first in a timeline that spans days; then the export's `10:15`, or
            // the time as the authors wrote it (`10:15 AM`, or one naming its own day).
            let (date, clock) = match stamp.split_once(' ').and_then(|(date, rest)| Some((t::parse_date(date)?, rest)))
            {
                Some((date, rest)) => (date, rest),
                None => (first_day.or_else(|| format::names_its_date(stamp))?, stamp),
            };
            let first_day = *first_day.get_or_insert(date);
            let (at, time_as_written) = match format::read_clock(clock) {
                // The export's own clock; one with seconds it would not write (`21:30:00`) is
                // the authors' spelling kept.
                Some(time) => (
                    PrimitiveDateTime::new(date, time).assume_offset(offset.to_utc_offset()),
                    (clock != format::write_clock(time)).then(|| clock.to_owned()),
                ),
                None => (format::read_written_time(clock, date, first_day, offset)?, Some(clock.to_owned())),
            };
            let (first, marker) = match first.rsplit_once(format::row::MARKS) {
                Some((text, label)) => match Marker::ALL.iter().find(|marker| marker.label() == label) {
                    Some(marker) => (text, Some(*marker)),
                    None => (first, None),
                },
                None => (first, None),
            };
            let mut text = first.to_owned();
            self.continuation(&mut text);
            let occurred_at = Some(showable(at)?);
            entries.push(ImportedEntry { occurred_at, approximate: false, time_as_written, text, marker });
        }
        (!entries.is_empty()).then_some((entries, offset))
    }

    fn action_items(&mut self) -> Option<Vec<ResolvedItem>> {
        self.expect("")?;
        let mut items = Vec::new();
        while !self.at_section_end() {
            let line = self.next()?;
            let (status, rest) = if let Some(rest) = line.strip_prefix(item::DONE) {
                (ItemStatus::Done, rest)
            } else {
                (ItemStatus::Open, line.strip_prefix(item::OPEN)?)
            };
            let mut item = item_line(rest, status)?;
            self.continuation(&mut item.item.text);
            items.push(item);
        }
        (!items.is_empty()).then_some(items)
    }
}

/// `text — **Owner:** Priya · **Team:** Platform · **Due:** 2025-04-01 · **Kind:** corrective ·
/// **Priority:** P2 · **Status:** in progress · **Ticket:** https://… · **Note:** …`, every field
/// optional and in that order, as the item's first line. The status is written only when the
/// tick box cannot say it: in progress, or `won't do: {reason}`.
fn item_line(line: &str, status: ItemStatus) -> Option<ResolvedItem> {
    const LABELS: [&str; item::LABELS.len()] = item::LABELS;
    let start =
        LABELS.iter().filter_map(|label| line.find(&format!("{}{label}", item::FIELDS))).min().unwrap_or(line.len());
    let (text, mut fields) = (&line[..start], line[start..].strip_prefix(item::FIELDS).unwrap_or_default());
    let mut values: [Option<&str>; LABELS.len()] = [None; LABELS.len()];
    for (slot, label) in LABELS.iter().enumerate() {
        let Some(rest) = fields.strip_prefix(label) else { continue };
        // A value runs to the next field's label.
        let end = LABELS[slot + 1..].iter().filter_map(|next| rest.find(&format!("{}{next}", item::BETWEEN))).min();
        let end = end.unwrap_or(rest.len());
        values[slot] = Some(&rest[..end]);
        fields = rest[end..].strip_prefix(item::BETWEEN).unwrap_or_default();
    }
    if !fields.is_empty() {
        return None;
    }
    let [
        owner,
        team,
        due,
        kind,
        priority,
        written_status,
        ticket,
        note,
        verified_on,
        verified_by,
        evidence,
        recurred_in,
    ] = values;
    let due_on = match due {
        Some(due) => Some(t::parse_date(due)?),
        None => None,
    };
    // Only a done item is verified, and a verification has its day and evidence.
    let verified = match (verified_on, evidence) {
        (None, None) if verified_by.is_none() => None,
        (Some(on), Some(evidence)) if status == ItemStatus::Done && written_status.is_none() => {
            let mut errors = FieldErrors::default();
            let evidence = verification_evidence(&mut errors, "evidence", evidence);
            let by = crate::domain::input::line(&mut errors, "by", verified_by.unwrap_or_default(), MAX_NAME_CHARS);
            if !errors.is_empty() {
                return None;
            }
            Some(ImportedVerification { on: t::parse_date(on)?, by, evidence })
        }
        _ => return None,
    };
    let (status, reason) = match written_status {
        None => (status, None),
        Some(item::IN_PROGRESS) if status == ItemStatus::Open => (ItemStatus::InProgress, None),
        Some(other) => match other.strip_prefix(item::WONT_DO) {
            Some(reason) if status == ItemStatus::Open => (ItemStatus::WontDo, Some(reason.to_owned())),
            _ => return None,
        },
    };
    let item = ImportedItem {
        text: text.to_owned(),
        status,
        owner: owner.map(str::to_owned),
        team: team.map(str::to_owned),
        due: due.map(str::to_owned),
        ticket: ticket.map(str::to_owned),
        priority: priority.map(str::to_owned),
        kind: kind.map(str::to_owned),
        reason,
        note: note.map(str::to_owned),
        written: Vec::new(),
        verified,
        recurred_in: recurred_in.map(str::to_owned),
        exact: true,
    };
    Some(ResolvedItem { item, due_on })
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    const SEED: &str = include_str!("../../tests/golden/seed.md");

    #[test]
    fn the_golden_export_reads_back_exactly() {
        let found = read(SEED).expect("an export");
        assert_eq!(found.title, "The Great Database Meltdown of 2025");
        assert_eq!(found.started_at, Some(datetime!(2025-03-01 10:15 +02:00)));
        assert_eq!(found.utc_offset_minutes, 120);
        assert_eq!(found.timeline.len(), 8);
        assert_eq!(
            found.timeline[7].text,
            "Permanent solution applied: smarter connection pool settings, a fresh database restart, and a collective sigh of relief. 😌"
        );
        assert!(
            found.texts[Section::CorrectiveMeasures]
                .body
                .starts_with("**How We’ll Avoid Another Meltdown:**\n- Implemented")
        );
        assert!(found.texts[Section::PreventativeMeasures].body.is_empty());
        assert_eq!(found.action_items.len(), 4);
        assert_eq!(read(&SEED.replace('\n', "\r\n")), Some(found));
    }

    #[test]
    fn markdown_that_means_something_elsewhere_stays_in_its_field() {
        let doc = "# Fix the timeline #\n\n- **Severity:** SEV3\n- **Status:** Draft\n- **Start:** 2025-03-01 10:15:30 UTC-3:30\n- **End:** ongoing\n\n## Summary\n\n\n**Impact:** none\n\n### Root cause\n\n---\n\n## Timeline\n\nAll times are UTC-3:30.\n\n- **10:20** – 10:30 a time first\n\n      code\n  - nested\n\n## Action Items\n\n- [x] Fix — it — **Owner:** Sam · Lee · **Due:** 2025-04-01\n\n## Notes\n\n## Detection\n\nA pager.";
        let found = read(doc).expect("an export");
        assert_eq!(found.title, "Fix the timeline #");
        assert_eq!(found.started_at, Some(datetime!(2025-03-01 10:15:30 -03:30)));
        assert_eq!(found.texts[Section::Summary].body, "\n**Impact:** none\n\n### Root cause\n\n---");
        assert!(found.texts[Section::Impact].body.is_empty());
        assert_eq!(found.timeline[0].text, "10:30 a time first\n\n    code\n- nested");
        let item = &found.action_items[0];
        assert_eq!((item.item.text.as_str(), item.item.owner.as_deref()), ("Fix — it", Some("Sam · Lee")));
        assert_eq!((item.item.team.as_deref(), item.due_on), (None, Some(date!(2025 - 04 - 01))));
        let extras: Vec<_> = found.extra_sections.iter().map(|s| (s.heading.as_str(), s.body.as_str())).collect();
        assert_eq!(extras, [("Notes", ""), ("Detection", "A pager.")]);
    }

    #[test]
    fn headings_in_code_blocks_do_not_end_a_field() {
        let doc = "# T\n\n- **Severity:** SEV1\n- **Status:** Published\n- **Start:** 2025-03-01 10:15 UTC\n- **End:** ongoing\n\n## Summary\n\n```md\n\n## Impact\n```\n\n## Impact\n\nReal.";
        let found = read(doc).expect("an export");
        assert_eq!(found.texts[Section::Summary].body, "```md\n\n## Impact\n```");
        assert_eq!(found.texts[Section::Impact].body, "Real.");
    }

    #[test]
    fn anything_off_the_export_shape_is_left_to_the_heuristics() {
        let head =
            "# T\n\n- **Severity:** SEV1\n- **Status:** Draft\n- **Start:** 2025-03-01 10:15 UTC\n- **End:** ongoing\n";
        assert!(read(head).is_some());
        for doc in [
            "# T\n\nSome intro.\n".to_owned(),
            head.replace("SEV1", "critical"),
            head.replace("10:15", "10:15 AM"),
            format!("{head}\n## Impact\n\nx\n\n## Summary\n\ny\n"),
            format!("{head}\n## Detection\n\nx\n\n## Impact\n\ny\n"),
            format!("{head}\n## Timeline\n\nAll times are UTC+2.\n\n- **10:15** – x\n"),
            format!("{head}\n## Timeline\n\nAll times are UTC.\n\n- 10:15 x\n"),
            format!("{head}\n## Action Items\n\n- Fix it\n"),
            format!("{head}\n## Summary\n"),
            format!("{head}\n## Corrective and Preventative Measures\n\nx\n"),
            head.replace('\n', "\r"),
        ] {
            assert_eq!(read(&doc), None, "{doc}");
        }
    }
}
