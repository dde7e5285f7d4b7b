//! The Markdown export's format (README, "Export format"): one deterministic GFM document per
//! postmortem. This module owns its vocabulary, so that what `markdown::export` writes and what
//! `import::exported` reads cannot drift apart: the order and headings of its sections, the
//! labels of its metadata and of an action item's fields, how times are written and read back,
//! the line above the timeline and the marker on an extra section.
//!
//! It also answers the two questions the exporter must ask of the importer's reading of
//! postmortems written elsewhere (`import::sections`, `import::when`): would a heading be read
//! as a standard section, and does an author's own spelling of a time read back as the same
//! instant.

use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::domain::Section;
use crate::domain::time::{self as t, Offset, showable};
use crate::import::sections::{SectionKind, classify};
use crate::import::when;

/// A `##` section of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A standard section, except the two measures, which go under [`Part::Measures`].
    Text(Section),
    Timeline,
    /// The corrective and preventative measures, each under a `###` heading of its own.
    Measures,
    ActionItems,
}

/// The export's `##` sections, in the order it writes them.
pub const PARTS: [Part; 8] = [
    Part::Text(Section::Summary),
    Part::Text(Section::Impact),
    Part::Timeline,
    Part::Text(Section::RootCause),
    Part::Text(Section::Resolution),
    Part::Measures,
    Part::Text(Section::LessonsLearned),
    Part::ActionItems,
];

impl Part {
    /// Its heading, where the authors had none of their own.
    pub fn heading(self) -> &'static str {
        match self {
            Part::Text(section) => section.export_heading(),
            Part::Timeline => "Timeline",
            Part::Measures => "Corrective and Preventative Measures",
            Part::ActionItems => "Action Items",
        }
    }

    /// What the importer takes a heading of this part to mean.
    fn kind(self) -> Option<SectionKind> {
        classify(self.heading())
    }

    /// The part a `##` heading stands for: its standard heading, or one that means the same
    /// (the authors' own heading, kept by an import; "Root cause and resolution" heads the root
    /// cause). Returns its place in [`PARTS`].
    pub fn of_heading(heading: &str) -> Option<usize> {
        if let Some(index) = PARTS.iter().position(|part| part.heading() == heading) {
            return Some(index);
        }
        let kind = match classify(heading)? {
            SectionKind::RootCauseAndResolution => SectionKind::RootCause,
            kind => kind,
        };
        PARTS.iter().position(|part| part.kind() == Some(kind))
    }
}

/// Whether an extra section headed `heading` would be read back as a standard one (so the
/// export marks it with [`EXTRA_MARKER`]).
pub fn reads_as_standard(heading: &str) -> bool {
    Part::of_heading(heading).is_some()
}

/// Follows the heading of an extra section that would otherwise read as a standard one; a
/// comment, invisible once rendered.
pub const EXTRA_MARKER: &str = " <!-- extra section -->";

/// The `###` heading of a measure under [`Part::Measures`].
pub fn measure_heading(section: Section) -> String {
    format!("### {}", section.export_heading())
}

/// The metadata under the title: `- **Severity:** SEV2`.
pub mod label {
    pub const SEVERITY: &str = "Severity";
    pub const STATUS: &str = "Status";
    pub const START: &str = "Start";
    pub const END: &str = "End";
    pub const DURATION: &str = "Duration";
    /// The end of an incident still going on.
    pub const ONGOING: &str = "ongoing";
    /// The services it affected, comma-separated (`domain::labels::LIST_SEPARATOR`).
    pub const SERVICES: &str = "Services";
    /// Its tags, comma-separated.
    pub const TAGS: &str = "Tags";
    /// One line per contributing factor: its kind, then [`super::FACTOR_SEPARATOR`] and its
    /// explanation when it has one.
    pub const FACTOR: &str = "Contributing factor";
    /// One line per earlier postmortem this one repeats: [`super::write_incident_ref`].
    pub const HAPPENED_BEFORE: &str = "Happened before";
    /// One line per later postmortem that repeats this one.
    pub const HAPPENED_AGAIN: &str = "Happened again";
}

/// Between a postmortem's number and its title in a recurrence's line: `#12 — Disk full`.
pub const REF_SEPARATOR: &str = " — ";

/// `#12 — Disk full`: another postmortem, as a recurrence's line names it. The number is this
/// instance's id; the title says which postmortem it is anywhere else.
pub fn write_incident_ref(id: i64, title: &str) -> String {
    format!("#{id}{REF_SEPARATOR}{title}")
}

/// The number and title of a line [`write_incident_ref`] wrote (a title may hold the
/// separator too: only the first one separates).
pub fn read_incident_ref(value: &str) -> Option<(i64, &str)> {
    let (number, title) = value.strip_prefix('#')?.split_once(REF_SEPARATOR)?;
    let id = Some(number).filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))?.parse().ok()?;
    Some((id, title))
}

/// `#15, #16`: the postmortems an action item recurred in, then what an import kept as written.
pub fn write_recurred_in(ids: &[i64], as_written: &str) -> String {
    let mut parts: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
    if !as_written.is_empty() {
        parts.push(as_written.to_owned());
    }
    parts.join(", ")
}

/// The names of a `Services` or `Tags` line (neither may contain a comma).
pub fn read_list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned).collect()
}

/// Between a contributing factor's kind and its explanation: `Change — A deploy doubled the
/// load.` A kind's name never contains it; an explanation may (only the first one separates).
pub const FACTOR_SEPARATOR: &str = " — ";

/// The value of a factor's metadata line.
pub fn write_factor(kind: &str, explanation: &str) -> String {
    if explanation.is_empty() { kind.to_owned() } else { format!("{kind}{FACTOR_SEPARATOR}{explanation}") }
}

/// A factor's kind and explanation, from its metadata line's value.
pub fn read_factor(value: &str) -> (&str, &str) {
    value.split_once(FACTOR_SEPARATOR).unwrap_or((value, ""))
}

/// `- **{label}:** {value}`.
pub fn metadata_line(label: &str, value: &str) -> String {
    format!("- **{label}:** {value}")
}

/// The value of a metadata line with `label`.
pub fn read_metadata<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    line.strip_prefix("- **")?.strip_prefix(label)?.strip_prefix(":** ")
}

/// The line under the timeline's heading.
pub fn zone_line(offset: Offset) -> String {
    format!("All times are {offset}.")
}

/// A timeline row: `- **10:15** – what happened`.
pub mod row {
    pub const START: &str = "- **";
    pub const SEPARATOR: &str = "** – ";
    /// After the first line of an entry that marks a moment of the incident:
    /// `- **10:15** – Alerts fired — **Marks:** Impact started`.
    pub const MARKS: &str = " — **Marks:** ";
}

/// An action item: `- [x] text — **Owner:** Priya · **Due:** 2025-04-01`, every field optional
/// and in the order of [`item::LABELS`], on the item's first line.
pub mod item {
    pub const DONE: &str = "- [x] ";
    pub const OPEN: &str = "- [ ] ";
    /// Between the item's text and its first field.
    pub const FIELDS: &str = " — ";
    /// Between two fields.
    pub const BETWEEN: &str = " · ";
    pub const OWNER: &str = "**Owner:** ";
    pub const TEAM: &str = "**Team:** ";
    pub const DUE: &str = "**Due:** ";
    pub const KIND: &str = "**Kind:** ";
    pub const PRIORITY: &str = "**Priority:** ";
    /// Written only when the tick box cannot say it: in progress, or won't do with a reason.
    pub const STATUS: &str = "**Status:** ";
    pub const TICKET: &str = "**Ticket:** ";
    pub const NOTE: &str = "**Note:** ";
    /// A verified item's day of verification (UTC), then who verified it and the evidence:
    /// `**Verified:** 2025-04-02 · **Verified by:** Sam · **Evidence:** https://…`.
    pub const VERIFIED: &str = "**Verified:** ";
    pub const VERIFIED_BY: &str = "**Verified by:** ";
    pub const EVIDENCE: &str = "**Evidence:** ";
    /// The later postmortems in which what the item was meant to prevent happened again:
    /// [`super::write_recurred_in`].
    pub const RECURRED_IN: &str = "**Recurred in:** ";
    pub const LABELS: [&str; 12] =
        [OWNER, TEAM, DUE, KIND, PRIORITY, STATUS, TICKET, NOTE, VERIFIED, VERIFIED_BY, EVIDENCE, RECURRED_IN];
    pub const IN_PROGRESS: &str = "in progress";
    pub const WONT_DO: &str = "won't do: ";
}

/// `10:15`; `10:15:30` or `10:15:30.25` when there are seconds. Forms accept seconds and imports
/// keep them, so writing only hours and minutes would lose what the import reads back.
pub fn write_clock(time: Time) -> String {
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

/// A clock as [`write_clock`] writes it, and nothing else (`9:05` and `10:15 AM` are not).
pub fn read_clock(text: &str) -> Option<Time> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let two_digits = |part: &&str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
    let mut parts = whole.split(':');
    let hour = parts.next().filter(two_digits)?.parse().ok()?;
    let minute = parts.next().filter(two_digits)?.parse().ok()?;
    let second = match parts.next() {
        Some(second) => Some(second).filter(two_digits)?.parse().ok()?,
        None if fraction.is_none() => 0,
        None => return None,
    };
    let nanos = match fraction {
        Some(f) if (1..=9).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{f:0<9}").parse().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

/// `2025-03-01 10:15 UTC+2`, with seconds when the instant has them.
pub fn write_full_time(instant: OffsetDateTime, offset: Offset) -> String {
    let local = t::local(instant, offset);
    format!("{} {} {offset}", t::format_date(local.date()), write_clock(local.time()))
}

/// `2025-03-01 10:15 UTC+2` → the instant and the offset.
pub fn read_full_time(text: &str) -> Option<(OffsetDateTime, Offset)> {
    let mut parts = text.splitn(3, ' ');
    let (date, clock, offset) = (parts.next()?, parts.next()?, parts.next()?);
    let offset = Offset::parse(offset).ok()?;
    let local = PrimitiveDateTime::new(t::parse_date(date)?, read_clock(clock)?);
    Some((showable(local.assume_offset(offset.to_utc_offset()))?, offset))
}

/// Whether `written`, a time as authors wrote it (`10:15 PM`, `0740`, `2:05 PM PST`, `12:45 PM
/// PST Saturday Oct 30th`), can stand for `instant` in a timeline shown in `offset` that starts
/// on `first_day`: read back as the importer will, it is that very instant. Otherwise the export
/// writes its own clock.
pub fn written_time_fits(written: &str, instant: OffsetDateTime, offset: Offset, first_day: Date) -> bool {
    let writable = !written.is_empty() && written.trim() == written && !written.contains(['*', '\n', '\r']);
    // One starting `2025-03-01` is the export's own date prefix already.
    let iso_dated = written.split_once(' ').is_some_and(|(date, _)| t::parse_date(date).is_some());
    let local = t::local(instant, offset);
    writable
        && !iso_dated
        && written != write_clock(local.time())
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
    // A row dated but not timed (`2024-08-12`, a disclosure timeline's) is at the start of its day.
    let time = match (stamp.time, stamp.date) {
        (Some(time), _) => time,
        (None, Some(_)) => Time::MIDNIGHT,
        (None, None) => return None,
    };
    let date = match stamp.date {
        Some(own) => own.date().or_else(|| own.or_year(first_day.year()))?,
        None => row_date,
    };
    let zone = stamp.zone.unwrap_or(when::Zone::Fixed(offset.to_utc_offset()));
    Some(zone.resolve(date, time))
}

/// Whether `written` is a date alone (`2024-08-12`, `Aug 12`): a row dated and not timed, at
/// the start of its day, which the page shows as written rather than as `00:00`.
pub fn is_date_alone(written: &str) -> bool {
    when::leading_stamp(written)
        .is_some_and(|stamp| stamp.time.is_none() && stamp.date.is_some() && stamp.consumed == written.len())
}

/// Whether `written` names its own day (then a timeline that spans days writes no date before it).
pub fn names_its_day(written: &str) -> bool {
    when::leading_stamp(written).is_some_and(|stamp| stamp.date.is_some())
}

/// The date `written` names in full, year included (`Tuesday 3 June 2025, 23:50`).
pub fn names_its_date(written: &str) -> Option<Date> {
    when::leading_stamp(written)?.date?.date()
}

/// Whether `written` names its day but not the year (`Wednesday 4 June, 10:00`): it leans on
/// the timeline's first day for the year, so it cannot be the first row of a timeline without a
/// start, whose first row gives that day.
pub fn leans_on_first_day(written: &str) -> bool {
    names_its_day(written) && names_its_date(written).is_none()
}

#[cfg(test)]
mod tests {
    use time::macros::{datetime, time};

    use super::*;

    #[test]
    fn a_date_alone_is_told_from_a_time() {
        for (written, alone) in
            [("2024-08-12", true), ("Aug 12", true), ("2024-08-12 10:15", false), ("10:15", false), ("", false)]
        {
            assert_eq!(is_date_alone(written), alone, "{written}");
        }
    }

    #[test]
    fn clocks_read_back_exactly_as_written() {
        for clock in [time!(10:15), time!(10:15:30), time!(10:15:30.25), time!(00:00:00.000_000_001)] {
            assert_eq!(read_clock(&write_clock(clock)), Some(clock));
        }
        assert_eq!(read_clock("10:15"), Some(time!(10:15)));
        assert_eq!(read_clock("10:15:30.25"), Some(time!(10:15:30.25)));
        for bad in ["10:15.", "10:15.5", "10:15:30.1234567890", "10:15 AM", "9:05", "24:00", "10:15:30:00"] {
            assert_eq!(read_clock(bad), None, "{bad}");
        }
    }

    #[test]
    fn full_times_read_back_with_their_offset() {
        let offset = Offset::from_minutes(-210);
        let instant = datetime!(2025-03-01 10:15:30 -03:30);
        assert_eq!(write_full_time(instant, offset), "2025-03-01 10:15:30 UTC-3:30");
        assert_eq!(read_full_time(&write_full_time(instant, offset)), Some((instant, offset)));
    }

    #[test]
    fn every_part_reads_back_as_itself() {
        for (index, part) in PARTS.iter().enumerate() {
            assert_eq!(Part::of_heading(part.heading()), Some(index), "{part:?}");
        }
        assert_eq!(Part::of_heading("Contributing Factors"), Part::of_heading("Root Cause"));
        assert!(reads_as_standard("Timeline notes"), "an extra section the importer would take for the timeline");
        assert!(!reads_as_standard("Detection"));
        assert_eq!(read_metadata(&metadata_line(label::SEVERITY, "SEV2"), label::SEVERITY), Some("SEV2"));
    }

    #[test]
    fn incident_refs_read_back_whatever_the_title_holds() {
        for title in ["Disk full", "#3 — the **same** — again", " — ", "12"] {
            assert_eq!(read_incident_ref(&write_incident_ref(12, title)), Some((12, title)));
        }
        for bad in ["12 — Disk full", "# — Disk full", "#12—Disk full", "#1x — Disk full", "#12"] {
            assert_eq!(read_incident_ref(bad), None, "{bad}");
        }
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
            // A range reads back as its start; its end stays written.
            ("07:05–07:40", datetime!(2025-03-01 07:05 +02:00), plus2, true),
            ("07:05 – 07:40 UTC+2", datetime!(2025-03-01 07:05 +02:00), plus2, true),
            ("07:05–07:40", datetime!(2025-03-01 07:40 +02:00), plus2, false),
            // Another offset than the timeline's, named.
            ("09:30 UTC+2", datetime!(2025-03-30 09:30 +02:00), Offset::from_minutes(60), true),
            ("10:15 AM **bold**", datetime!(2025-03-01 10:15 +02:00), plus2, false),
            (" 10:15 AM", datetime!(2025-03-01 10:15 +02:00), plus2, false),
            ("~10:15 AM", datetime!(2025-03-01 10:15 +02:00), plus2, false),
            ("", datetime!(2025-03-01 10:15 +02:00), plus2, false),
        ] {
            let first_day = t::local(instant, offset).date();
            assert_eq!(written_time_fits(written, instant, offset, first_day), fits, "{written}");
        }
    }
}
