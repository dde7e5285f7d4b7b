//! Dates, times, time zones and durations as people write them in postmortems.
//!
//! Everything here scans arbitrary text: nothing panics, and every function runs in time linear in its input
//! (each candidate position is examined with bounded look-ahead). Byte ranges and lengths returned always fall
//! on `char` boundaries of the input.
//!
//! # Rules
//!
//! **Dates.** `2025-03-01` and `2019/11/29` (year first) are always read. Month names, full or abbreviated
//! (`Sept` too), in any case: `March 1, 2025`, `Mar 1st 2025`, `1 March 2025`, `5th of March`,
//! `Friday 29 November 2019`, `Mon, 01 Jan 0001`; a leading weekday is optional and included in the range.
//! Lower-case `may` is only a month when a year follows (`it may 5` is not a date). Numeric day/month dates
//! with `/` or `-` (`29/11/2019`, `02-13-2025`, `5-26-21`) are read only when unambiguous: one part is above 12
//! (so it must be the day), or both parts are equal; `03/04/2025` is rejected. Dotted dates (`29.11.2019`) are
//! always day first. Two-digit years (`/`, `-` only) mean 2000–2069 or 1970–1999. Dates with no year
//! (`28th February`, `May 12`) come back as [`PartialDate`]; numeric month-day (`[03-26 02:50]`) is only
//! read at the start of a timeline row and only when a time follows (month first when valid). Dates
//! inside paths and file names (`/2019-05-30/`, `2019-02-05.md`) are not dates.
//!
//! **Times.** `10:15`, `10:15:30`, `10:15:30.25`, `9:05`; 12-hour `10:15 AM`, `10:15am`, `10 AM`, `5pm`,
//! `12:05 a.m.` (midnight is `12 AM`). An hour of 13–23 with AM/PM keeps its 24-hour meaning (`13:55 PM` is
//! 13:55). Minutes need two digits, so `3:1` is not a time, and neither are version numbers, IP addresses
//! and ports (`10.0.0.1:80`), `HTTP 504`, `/24`, percentages, `--:--` or a year. Compact `HHMM` (`0730`) is
//! a time only when a zone follows (`1015 UTC`, `0730Z`), in a range of two compact times (`0730 - 1230`,
//! unless both look like years 1900–2099 with no zone), or at the start of a timeline row when it fills a
//! table cell or is followed by a separator and does not look like a year.
//!
//! **Zones.** `UTC`/`GMT` (any case) with optional offset (`UTC+2`, `UTC+02:00`, `GMT-5`, `UTC+0530`,
//! `UTC−7` with a Unicode minus); ISO offsets `+02:00`, `-0500`, `Z` directly after a time (a `-` offset
//! after a time only counts when the time has seconds, so `10:15-11:05` stays a range), or in parentheses.
//! An abbreviation that names standard or daylight time (`PST`, `PDT`, `CEST`, `BST` = British Summer Time,
//! `IST` = India, `CST` = US Central) is that fixed offset all year. A generic name (`PT`, `ET`, `CT`, `MT`,
//! `Pacific Time`, `Eastern`, `UK time`) or an IANA name (`Europe/Berlin`) is a real zone whose offset on a
//! given date comes from the bundled tz database, so daylight saving is applied. Abbreviations must be upper
//! case (lower case `pst` is accepted right after a time). Ambiguous short names (`PT`, `ET`, `CT`, `MT`,
//! `WET`, `WEST`, single words such as `Eastern`) and bare offsets need context: right after a time, in
//! parentheses, or after words such as `times in` / `timezone:`.
//!
//! **Durations.** `1 hour and 48 minutes`, `47 minutes`, `50 min`, `2h 5m`, `1h30`, `3 d 4 h`, `1.5 hours`,
//! `a 47-minute outage`, `ten minutes`, `an hour`, `half an hour`, `300ms`, weeks. Units must decrease
//! within one duration. Months and years are not durations (their length varies).

use std::fmt;
use std::ops::Range;

use jiff::tz::{AmbiguousOffset, TimeZone};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

// ---------------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------------

/// A time zone as written in a postmortem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zone {
    /// A fixed offset: `UTC+2`, `-05:00`, or an abbreviation naming standard or daylight time (`PST`, `CEST`).
    Fixed(UtcOffset),
    /// A zone from the tz database: an IANA name, or a generic name such as `PT` or `Eastern Time`.
    Named {
        /// The canonical IANA name, such as `America/Los_Angeles`.
        name: String,
        /// The zone's rules.
        tz: TimeZone,
    },
}

/// A calendar date as written; the year may be missing (`28th February`, `May 12`, `[03-26 02:50]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    /// The year, when one was written.
    pub year: Option<i32>,
    /// The month.
    pub month: Month,
    /// The day of the month (1–31, valid for the month in a leap year).
    pub day: u8,
}

/// A time stamp at the start of a timeline row, such as `**10:15 AM** – `, `[17:02] `, `| 2019-11-29 12:00 | `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The date, when the row has one (before or after the time).
    pub date: Option<PartialDate>,
    /// The time of day. `None` when the row has only a date, or an unknown-time placeholder (`--:--`, `[???]`).
    pub time: Option<Time>,
    /// The end of a range written as the stamp (`17:15 - 23:00`).
    pub end: Option<Time>,
    /// A zone written right there (`16:58 UTC`).
    pub zone: Option<Zone>,
    /// Marked as approximate (`± 17:20`, `~10:00`, `≈`, `ca.`).
    pub approximate: bool,
    /// Where the date and time themselves are written in the line (no markers, emphasis or separator).
    pub written: Range<usize>,
    /// Bytes taken from the start of the line, including Markdown list/quote/table markers, emphasis, the
    /// separator after the stamp (` – `, ` - `, `: `, `—`, `|`) and the spaces after it. The entry text is
    /// `&line[consumed..]`.
    pub consumed: usize,
}

/// A range of time such as `March 1, 2025, from 10:15 AM to 11:05 AM (UTC+2)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The date of the start: the last complete date written before the start time, else one written right
    /// after the range (`from 9:00 to 17:00 on 2025-07-01`).
    pub start_date: Option<Date>,
    /// The start time.
    pub start: Time,
    /// The date of the end: as written, else the start date, or the day after it when the end is earlier than
    /// the start. `None` when no start date is known.
    pub end_date: Option<Date>,
    /// The end time.
    pub end: Time,
    /// The zone written at the range, else the first zone written anywhere in the text.
    pub zone: Option<Zone>,
}

// ---------------------------------------------------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------------------------------------------------

/// The first time zone or offset mentioned anywhere in `text` (`16:58 UTC`, `(UTC+2)`, `All times in PDT`,
/// `Date and Time in CET`, `Europe/Berlin`).
pub fn find_zone(text: &str) -> Option<Zone> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = at(b, i);
        if c.is_ascii_digit() && time_left_ok(b, i) {
            if let Some(t) = time_at(b, i)
                && (accept_alone(&t, false) || t.form == Form::Compact)
            {
                if let Some((z, _)) = zone_after(text, &t) {
                    return Some(z);
                }
                if t.form != Form::Compact {
                    i = t.end.max(i + 1);
                    continue;
                }
            }
        } else if (c.is_ascii_alphabetic() && zone_left_ok(b, i)) || c == b'(' {
            if let Some((z, _)) = zone_at(text, i, Ctx::Standalone { weak_ok: weak_context_before(b, i) }) {
                return Some(z);
            }
        } else if sign_at(b, i).is_some()
            && !is_word(before(b, i))
            && weak_context_before(b, i)
            && let Some((z, _)) = zone_at(text, i, Ctx::Standalone { weak_ok: true })
        {
            return Some(z);
        }
        i += 1;
    }
    None
}

/// The first complete date (with a year) in `text`, and its byte range.
pub fn parse_date(text: &str) -> Option<(Date, Range<usize>)> {
    dates(text.as_bytes()).find_map(|d| d.date.date().map(|date| (date, d.start..d.end)))
}

/// The first date in `text`, with or without a year, and its byte range.
pub fn find_date(text: &str) -> Option<(PartialDate, Range<usize>)> {
    dates(text.as_bytes()).next().map(|d| (d.date, d.start..d.end))
}

/// The first time of day in `text` (`at 5:30 pm`, `16:58 UTC`, `1015 UTC`), and its byte range (which includes
/// AM/PM but not the zone).
pub fn parse_time(text: &str) -> Option<(Time, Range<usize>)> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if at(b, i).is_ascii_digit()
            && time_left_ok(b, i)
            && let Some(t) = time_at(b, i)
        {
            let compact_ok = t.form == Form::Compact
                && (zone_after(text, &t).is_some()
                    || tail_at(text, t.end, &t, false)
                        .is_some_and(|tl| compact_pair_ok(&t, &tl.tok, tl.zone.is_some())));
            if accept_alone(&t, compact_ok)
                && let Some(time) = t.time()
            {
                return Some((time, t.start..t.end));
            }
        }
        i += 1;
    }
    None
}

/// The time stamp at the start of a timeline row: `**10:15 AM** – text`, `[17:02] text`, `16:58 UTC - text`,
/// `2019-11-29 12:00`, `10:15: text`, `| 0730 | text`, `- [03-26 23:04] text`, `| 2019-12-03 --:-- | text`.
///
/// Leading Markdown (`- `, `* `, `1. `, `> `, `#`, `|`), emphasis and brackets are skipped. Returns `None` when the
/// row does not start with a date, a time or an unknown-time placeholder.
pub fn leading_stamp(line: &str) -> Option<Stamp> {
    let b = line.as_bytes();
    let mut open = Openers::default();
    let mut i = markdown_prefix(b);
    i = open.open(b, i);
    i = skip_ws(b, i, 4);
    let (approximate, after_marker) = approx_marker(b, i);
    i = after_marker;

    let mut date = None;
    let mut numeric_md = false;
    let mut time_pos = i;
    let mut date_end = i;
    // A year-less numeric month-day (`03-26`) only counts when a time follows (`10-11 am` is a range).
    let dated = date_at(b, i, true).filter(|d| {
        let gap = date_time_gap(b, d.end);
        !d.numeric_md || (at(b, gap).is_ascii_digit() && time_at(b, gap).is_some())
    });
    if let Some(d) = dated {
        date = Some(d.date);
        numeric_md = d.numeric_md;
        date_end = d.end;
        time_pos = date_time_gap(b, d.end);
    }

    let mut time = None;
    let mut end = None;
    let mut zone = None;
    let mut pos = None;
    let gap_ok = date.is_none() || time_pos > date_end;
    if gap_ok
        && at(b, time_pos).is_ascii_digit()
        && let Some(st) = time_at(b, time_pos)
    {
        let start_zone = zone_after(line, &st);
        let after_start = start_zone.as_ref().map_or(st.end, |z| z.1);
        let tail = tail_at(line, after_start, &st, false);
        let ok = match st.form {
            Form::Colon => true,
            Form::Bare => st.meridiem.is_some() || tail.as_ref().is_some_and(|t| t.tok.meridiem.is_some()),
            Form::Compact => {
                start_zone.is_some()
                    || tail.as_ref().is_some_and(|t| compact_pair_ok(&st, &t.tok, t.zone.is_some()))
                    || compact_cell_ok(b, after_start, &open, &st)
            }
        };
        if ok {
            let ranged = tail.and_then(|t| range_times(&st, &t.tok).map(|times| (t, times)));
            let (start_time, p, tail_zone) = match ranged {
                Some((t, (s, e))) => {
                    end = Some(e);
                    (Some(s), t.end, t.zone)
                }
                None => (st.time(), after_start, None),
            };
            if let Some(s) = start_time {
                time = Some(s);
                zone = start_zone.map(|z| z.0).or(tail_zone);
                pos = Some(p);
            }
        }
    }

    let mut pos = match pos {
        Some(mut p) => {
            // A date may follow the time: `12:45 PM PST Saturday Oct 30th: ...`.
            if date.is_none() {
                let k = skip_ws(b, p, 3);
                let k = if at(b, k) == b',' { skip_ws(b, k + 1, 3) } else { k };
                if k > p
                    && let Some(d) = date_at(b, k, false)
                {
                    date = Some(d.date);
                    p = d.end;
                }
            }
            p
        }
        None => {
            let placeholder = if gap_ok { placeholder_at(b, time_pos) } else { None };
            match placeholder {
                Some(e) if date.is_some() || open.any() || at(b, skip_ws(b, e, 64)) == b'|' => e,
                _ if date.is_some() && !numeric_md => date_end,
                _ => return None,
            }
        }
    };

    // Closing emphasis/brackets, one separator, and the spaces around them.
    let core_end = pos;
    let mut separated = false;
    loop {
        let k = skip_ws(b, pos, usize::MAX);
        let closed = open.close(b, k);
        if closed > 0 {
            pos = k + closed;
            continue;
        }
        if !separated && let Some(end) = entry_sep(b, k) {
            pos = end;
            separated = true;
            continue;
        }
        pos = k;
        break;
    }
    if pos == core_end && pos < b.len() {
        return None;
    }
    Some(Stamp { date, time, end, zone, approximate, written: after_marker..core_end, consumed: pos })
}

/// The first range of times in `text`: `from 10:15 AM to 11:05 AM (UTC+2)`, `16:58 to 18:46 UTC`,
/// `2025-03-01 10:15 - 11:05 UTC`, `from 10:15 until 11:05`, `10am–2pm`, `between 9 and 11 pm`,
/// `2019-02-27 06:45 - 2019-02-28 13:00 (UTC)`, `0730 - 1230 (UTC)`.
///
/// A start with no AM/PM takes the end's, unless that would put it after the end (`11:30 - 1:15 PM`).
pub fn parse_span(text: &str) -> Option<Span> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if at(b, i).is_ascii_digit()
            && time_left_ok(b, i)
            && let Some(span) = span_at(text, i)
        {
            return Some(span);
        }
        i += 1;
    }
    None
}

/// The first duration written in `text`: `1 hour and 48 minutes`, `47 minutes`, `50 min`, `2h 5m`, `3 d 4 h`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if is_word(at(b, i))
            && !is_word(before(b, i))
            && duration_left_ok(b, i)
            && let Some(d) = duration_at(b, i)
        {
            return Some(d);
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------------------------------------
// Zone
// ---------------------------------------------------------------------------------------------------------------------

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone::Fixed(UtcOffset::UTC);

    /// The zone with this IANA name (any case, e.g. `europe/berlin`), from the bundled tz database.
    pub fn named(name: &str) -> Option<Zone> {
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        let tz = TimeZone::get(name).ok()?;
        let name = tz.iana_name().unwrap_or(name).to_owned();
        Some(Zone::Named { name, tz })
    }

    /// The offset in force at this local date and time. For a named zone it comes from the tz database; a local
    /// time that is skipped or repeated by a daylight-saving transition is resolved the way jiff's "compatible"
    /// strategy does, and this returns the offset that maps the written wall time to that instant: the offset
    /// before the transition (so `2025-03-09 02:30` in Los Angeles gives -08:00, i.e. 03:30 PDT, and the repeated
    /// `2025-11-02 01:30` gives the earlier -07:00).
    pub fn offset_at(&self, date: Date, time: Time) -> UtcOffset {
        match self {
            Zone::Fixed(offset) => *offset,
            Zone::Named { tz, .. } => {
                let Some(dt) = to_civil(date, time) else { return UtcOffset::UTC };
                let offset = match tz.to_ambiguous_timestamp(dt).offset() {
                    AmbiguousOffset::Unambiguous { offset } => offset,
                    AmbiguousOffset::Gap { before, .. } | AmbiguousOffset::Fold { before, .. } => before,
                };
                UtcOffset::from_whole_seconds(offset.seconds()).unwrap_or(UtcOffset::UTC)
            }
        }
    }

    /// The instant of this local date and time, expressed in the offset in force at that instant (so a skipped
    /// local time moves forward: `2025-03-09 02:30` in `America/Los_Angeles` is `03:30 -07:00`).
    pub fn resolve(&self, date: Date, time: Time) -> OffsetDateTime {
        let at = PrimitiveDateTime::new(date, time).assume_offset(self.offset_at(date, time));
        let Zone::Named { tz, .. } = self else { return at };
        let Ok(ts) = jiff::Timestamp::from_second(at.unix_timestamp()) else { return at };
        UtcOffset::from_whole_seconds(tz.to_offset(ts).seconds())
            .ok()
            .and_then(|offset| at.checked_to_offset(offset))
            .unwrap_or(at)
    }

    /// A normalised label: `UTC`, `UTC+2`, `UTC-5`, `UTC+5:30`, or the IANA name (`America/New_York`).
    pub fn label(&self) -> String {
        match self {
            Zone::Fixed(offset) => {
                let secs = offset.whole_seconds();
                if secs == 0 {
                    return "UTC".to_owned();
                }
                let sign = if secs < 0 { '-' } else { '+' };
                let abs = secs.unsigned_abs();
                let (h, m) = (abs / 3600, abs % 3600 / 60);
                if m == 0 { format!("UTC{sign}{h}") } else { format!("UTC{sign}{h}:{m:02}") }
            }
            Zone::Named { name, .. } => name.clone(),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

fn to_civil(date: Date, time: Time) -> Option<jiff::civil::DateTime> {
    jiff::civil::DateTime::new(
        i16::try_from(date.year()).ok()?,
        i8::try_from(u8::from(date.month())).ok()?,
        i8::try_from(date.day()).ok()?,
        i8::try_from(time.hour()).ok()?,
        i8::try_from(time.minute()).ok()?,
        i8::try_from(time.second()).ok()?,
        i32::try_from(time.nanosecond()).ok()?,
    )
    .ok()
}

impl PartialDate {
    /// The date, when a year was written and the day exists in it.
    pub fn date(&self) -> Option<Date> {
        Date::from_calendar_date(self.year?, self.month, self.day).ok()
    }

    /// The date, using `year` when none was written.
    pub fn or_year(&self, year: i32) -> Option<Date> {
        Date::from_calendar_date(self.year.unwrap_or(year), self.month, self.day).ok()
    }
}

impl Span {
    /// How long the span lasts. With both dates known and a zone, daylight-saving changes are accounted for;
    /// without dates, an end earlier than the start is taken to be on the next day.
    pub fn duration(&self) -> Duration {
        match (self.start_date, self.end_date) {
            (Some(sd), Some(ed)) => match &self.zone {
                Some(zone) => zone.resolve(ed, self.end) - zone.resolve(sd, self.start),
                None => PrimitiveDateTime::new(ed, self.end) - PrimitiveDateTime::new(sd, self.start),
            },
            _ => {
                let d = self.end - self.start;
                if d.is_negative() { d + Duration::DAY } else { d }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Byte helpers. All positions handed out are at ASCII bytes or after whole UTF-8 sequences, so they are char
// boundaries; `at` reads past the end as 0.
// ---------------------------------------------------------------------------------------------------------------------

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn before(b: &[u8], i: usize) -> u8 {
    i.checked_sub(1).map_or(0, |j| at(b, j))
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn seq(b: &[u8], i: usize, s: &[u8]) -> bool {
    b.get(i..).is_some_and(|rest| rest.starts_with(s))
}

fn word_eq(b: &[u8], i: usize, len: usize, lit: &str) -> bool {
    b.get(i..i + len).is_some_and(|w| w.eq_ignore_ascii_case(lit.as_bytes()))
}

/// Byte length of the whitespace character at `i` (space, tab, newline, no-break and narrow spaces), or 0.
fn space_len(b: &[u8], i: usize) -> usize {
    match at(b, i) {
        b' ' | b'\t' | b'\n' | b'\r' => 1,
        0xC2 if at(b, i + 1) == 0xA0 => 2,
        0xE2 if at(b, i + 1) == 0x80 && matches!(at(b, i + 2), 0x80..=0x8A | 0xAF) => 3,
        0xE3 if at(b, i + 1) == 0x80 && at(b, i + 2) == 0x80 => 3,
        _ => 0,
    }
}

fn skip_ws(b: &[u8], mut i: usize, max_chars: usize) -> usize {
    let mut n = 0;
    while n < max_chars {
        let len = space_len(b, i);
        if len == 0 {
            break;
        }
        i += len;
        n += 1;
    }
    i
}

/// Length of a dash at `i`: `-` or U+2010..U+2015 (‐ ‑ ‒ – — ―).
fn dash_len(b: &[u8], i: usize) -> usize {
    match at(b, i) {
        b'-' => 1,
        0xE2 if at(b, i + 1) == 0x80 && matches!(at(b, i + 2), 0x90..=0x95) => 3,
        _ => 0,
    }
}

const MINUS_SIGN: &[u8] = "\u{2212}".as_bytes();

/// An offset sign at `i`: `+`, `-` or `−` (U+2212). Returns (negative, length, is ASCII hyphen).
fn sign_at(b: &[u8], i: usize) -> Option<(bool, usize, bool)> {
    match at(b, i) {
        b'+' => Some((false, 1, false)),
        b'-' => Some((true, 1, true)),
        _ if seq(b, i, MINUS_SIGN) => Some((true, 3, false)),
        _ => None,
    }
}

/// Reads up to `max` ASCII digits; returns the value and how many were read.
fn read_num(b: &[u8], i: usize, max: usize) -> (u32, usize) {
    let mut value: u32 = 0;
    let mut n = 0;
    while n < max {
        let c = at(b, i + n);
        if !c.is_ascii_digit() {
            break;
        }
        value = value.saturating_mul(10).saturating_add(u32::from(c - b'0'));
        n += 1;
    }
    (value, n)
}

/// Number of ASCII letters at `i`, counting at most `max + 1` (so a longer run reads as too long).
fn letters(b: &[u8], i: usize, max: usize) -> usize {
    let mut n = 0;
    while n <= max && at(b, i + n).is_ascii_alphabetic() {
        n += 1;
    }
    n
}

/// The range of the letters-only word that ends just before `i`, skipping up to 4 spaces or `:`, `,`, `*`, `_`.
fn word_before(b: &[u8], i: usize) -> Option<Range<usize>> {
    let mut j = i;
    let mut n = 0;
    while j > 0 && n < 4 && matches!(before(b, j), b' ' | b'\t' | b'\n' | b'\r' | b':' | b',' | b'*' | b'_') {
        j -= 1;
        n += 1;
    }
    let end = j;
    let mut m = 0;
    while j > 0 && m < 12 && before(b, j).is_ascii_alphabetic() {
        j -= 1;
        m += 1;
    }
    if m == 0 || is_word(before(b, j)) { None } else { Some(j..end) }
}

fn any_eq(b: &[u8], r: &Range<usize>, words: &[&str]) -> bool {
    b.get(r.clone()).is_some_and(|w| words.iter().any(|lit| w.eq_ignore_ascii_case(lit.as_bytes())))
}

// ---------------------------------------------------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

impl Meridiem {
    fn other(self) -> Self {
        match self {
            Meridiem::Am => Meridiem::Pm,
            Meridiem::Pm => Meridiem::Am,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `10:15`, `10:15:30`
    Colon,
    /// `10` (only a time with AM/PM, or as the start of a range whose end has AM/PM)
    Bare,
    /// `0730`
    Compact,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    hour: u8,
    minute: u8,
    second: u8,
    nano: u32,
    meridiem: Option<Meridiem>,
    form: Form,
    seconds: bool,
    start: usize,
    end: usize,
}

fn to_24(hour: u8, meridiem: Option<Meridiem>) -> u8 {
    match (hour, meridiem) {
        (12, Some(Meridiem::Am)) => 0,
        (1..=11, Some(Meridiem::Pm)) => hour + 12,
        (0, Some(Meridiem::Pm)) => 12,
        _ => hour,
    }
}

impl Tok {
    fn time_as(&self, meridiem: Option<Meridiem>) -> Option<Time> {
        Time::from_hms_nano(to_24(self.hour, meridiem), self.minute, self.second, self.nano).ok()
    }

    fn time(&self) -> Option<Time> {
        self.time_as(self.meridiem)
    }

    /// A compact time that could as well be a year (1900–2099).
    fn year_like(&self) -> bool {
        self.form == Form::Compact && (19..=20).contains(&self.hour)
    }
}

/// Whether a time may start at `i`, judging by what precedes it (not part of a word, number, version, IP
/// address, path or offset). `T` is allowed after a digit (`2025-09-29T16:54`).
fn time_left_ok(b: &[u8], i: usize) -> bool {
    let p = before(b, i);
    if p == b'T' {
        return before(b, i - 1).is_ascii_digit();
    }
    if is_word(p) || matches!(p, b'.' | b':' | b',' | b'/' | b'\\' | b'_' | b'+' | b'#' | b'$' | b'@') {
        return false;
    }
    if p == b'-' && is_word(before(b, i - 1)) {
        return false;
    }
    !(i >= 3 && seq(b, i - 3, MINUS_SIGN))
}

fn meridiem_at(b: &[u8], i: usize) -> Option<(Meridiem, usize)> {
    let m = match at(b, i).to_ascii_lowercase() {
        b'a' => Meridiem::Am,
        b'p' => Meridiem::Pm,
        _ => return None,
    };
    if at(b, i + 1).eq_ignore_ascii_case(&b'm') && !is_word(at(b, i + 2)) {
        return Some((m, 2));
    }
    if at(b, i + 1) == b'.' && at(b, i + 2).eq_ignore_ascii_case(&b'm') {
        if at(b, i + 3) == b'.' {
            return Some((m, 4));
        }
        if !is_word(at(b, i + 3)) {
            return Some((m, 3));
        }
    }
    None
}

/// AM/PM directly at `j` or after one space.
fn meridiem_after(b: &[u8], j: usize) -> Option<(Meridiem, usize)> {
    if let Some((m, len)) = meridiem_at(b, j) {
        return Some((m, j + len));
    }
    let s = space_len(b, j);
    if s > 0 && !matches!(at(b, j), b'\n' | b'\r') {
        return meridiem_at(b, j + s).map(|(m, len)| (m, j + s + len));
    }
    None
}

/// A time token at `i` (the caller checks what precedes it). Letters glued to the digits must be AM/PM or a zone.
fn time_at(b: &[u8], i: usize) -> Option<Tok> {
    let (value, n) = read_num(b, i, 5);
    let mut tok = Tok {
        hour: 0,
        minute: 0,
        second: 0,
        nano: 0,
        meridiem: None,
        form: Form::Colon,
        seconds: false,
        start: i,
        end: i,
    };
    let mut j = i + n;
    let digit_after = |c: u8, k: usize| matches!(c, b':' | b'.' | b',') && at(b, k).is_ascii_digit();
    match n {
        1 | 2 if at(b, j) == b':' => {
            let (minute, nm) = read_num(b, j + 1, 3);
            if nm != 2 || value > 23 || minute > 59 {
                return None;
            }
            tok.hour = u8::try_from(value).ok()?;
            tok.minute = u8::try_from(minute).ok()?;
            j += 3;
            if at(b, j) == b':' && at(b, j + 1).is_ascii_digit() {
                let (second, ns) = read_num(b, j + 1, 3);
                if ns != 2 || second > 59 {
                    return None;
                }
                tok.second = u8::try_from(second).ok()?;
                tok.seconds = true;
                j += 3;
                if matches!(at(b, j), b'.' | b',') && at(b, j + 1).is_ascii_digit() {
                    let mut k = j + 1;
                    let mut scale = 1_000_000_000u32;
                    while at(b, k).is_ascii_digit() {
                        if k - j > 30 {
                            return None;
                        }
                        if scale > 1 {
                            scale /= 10;
                            tok.nano += u32::from(at(b, k) - b'0') * scale;
                        }
                        k += 1;
                    }
                    j = k;
                }
            }
            if at(b, j).is_ascii_digit() || digit_after(at(b, j), j + 1) {
                return None;
            }
        }
        1 | 2 => {
            if value == 0 || value > 12 || digit_after(at(b, j), j + 1) {
                return None;
            }
            tok.form = Form::Bare;
            tok.hour = u8::try_from(value).ok()?;
        }
        4 => {
            let (hour, minute) = (value / 100, value % 100);
            if hour > 23 || minute > 59 || digit_after(at(b, j), j + 1) {
                return None;
            }
            tok.form = Form::Compact;
            tok.hour = u8::try_from(hour).ok()?;
            tok.minute = u8::try_from(minute).ok()?;
        }
        _ => return None,
    }
    if tok.form != Form::Compact
        && let Some((m, e)) = meridiem_after(b, j)
    {
        tok.meridiem = Some(m);
        j = e;
    }
    if tok.meridiem.is_none() && is_word(at(b, j)) && (tok.form == Form::Bare || !glued_zone_word(b, j)) {
        return None;
    }
    tok.end = j;
    Some(tok)
}

/// A time found on its own in prose: `HH:MM` always, a bare hour only with AM/PM, `HHMM` only with a zone.
fn accept_alone(t: &Tok, zoned: bool) -> bool {
    match t.form {
        Form::Colon => true,
        Form::Bare => t.meridiem.is_some(),
        Form::Compact => zoned,
    }
}

/// Two compact times as a range: fine unless both could be years and no zone says otherwise.
fn compact_pair_ok(start: &Tok, end: &Tok, zoned: bool) -> bool {
    end.form == Form::Compact && (zoned || !(start.year_like() && end.year_like()))
}

/// A compact time in a timeline row: alone in a table cell or the line, closed by emphasis, or followed by a
/// separator when it cannot be a year.
fn compact_cell_ok(b: &[u8], i: usize, open: &Openers, t: &Tok) -> bool {
    let k = skip_ws(b, i, usize::MAX);
    k >= b.len() || at(b, k) == b'|' || open.closes(b, k) || (!t.year_like() && entry_sep(b, k).is_some())
}

/// Start and end of a range, the start taking the end's AM/PM when it has none (and that keeps it before the end).
fn range_times(start: &Tok, end: &Tok) -> Option<(Time, Time)> {
    let end_time = end.time()?;
    let start_time = match (start.meridiem, end.meridiem) {
        (None, Some(m)) if start.form != Form::Compact && (1..=12).contains(&start.hour) => {
            let same = start.time_as(Some(m))?;
            if same <= end_time { same } else { start.time_as(Some(m.other()))? }
        }
        _ => start.time()?,
    };
    Some((start_time, end_time))
}

struct Tail {
    date: Option<PartialDate>,
    tok: Tok,
    zone: Option<Zone>,
    end: usize,
}

/// The second half of a range after a start time: a separator (`-`, `–`, `—`, `to`, `until`, `till`, `through`,
/// `and` after `between`), an optional date, a time and an optional zone.
fn tail_at(text: &str, i: usize, start: &Tok, between: bool) -> Option<Tail> {
    let b = text.as_bytes();
    let j = skip_ws(b, i, 4);
    let k = range_sep(b, j, j > i, between)?;
    let k = skip_ws(b, k, 4);
    let (date, k) = match date_at(b, k, false) {
        Some(d) => {
            let gap = date_time_gap(b, d.end);
            if gap == d.end {
                return None;
            }
            (Some(d.date), gap)
        }
        None => (None, k),
    };
    if !at(b, k).is_ascii_digit() {
        return None;
    }
    let tok = time_at(b, k)?;
    let ok = match tok.form {
        Form::Colon => true,
        Form::Bare => tok.meridiem.is_some(),
        Form::Compact => start.form == Form::Compact,
    };
    if !ok {
        return None;
    }
    let (zone, end) = match zone_after(text, &tok) {
        Some((z, e)) => (Some(z), e),
        None => (None, tok.end),
    };
    Some(Tail { date, tok, zone, end })
}

fn range_sep(b: &[u8], j: usize, spaced: bool, between: bool) -> Option<usize> {
    if seq(b, j, b"--") || seq(b, j, b"->") {
        return Some(j + 2);
    }
    let dash = dash_len(b, j);
    if dash > 0 {
        return Some(j + dash);
    }
    if seq(b, j, "\u{2192}".as_bytes()) {
        return Some(j + 3);
    }
    if at(b, j) == b'~' {
        return Some(j + 1);
    }
    let n = letters(b, j, 8);
    if !spaced || n == 0 || space_len(b, j + n) == 0 {
        return None;
    }
    let words: &[&str] = if between { &["and"] } else { &["to", "until", "till", "til", "through", "thru"] };
    words.iter().any(|w| word_eq(b, j, n, w)).then_some(j + n)
}

/// Whether the word `between` comes shortly before `i` (`between 9 and 11`, `between 2019-02-25 23:04 and ...`).
fn between_before(b: &[u8], i: usize) -> bool {
    let from = i.saturating_sub(40);
    let window = b.get(from..i).unwrap_or_default();
    window.windows(7).enumerate().any(|(k, w)| {
        w.eq_ignore_ascii_case(b"between") && !is_word(before(b, from + k)) && !is_word(at(b, from + k + 7))
    })
}

fn span_at(text: &str, i: usize) -> Option<Span> {
    let b = text.as_bytes();
    let st = time_at(b, i)?;
    let start_zone = zone_after(text, &st);
    let after_start = start_zone.as_ref().map_or(st.end, |z| z.1);
    let between = between_before(b, i);
    let tail = tail_at(text, after_start, &st, between)?;
    let ok = match st.form {
        Form::Colon => true,
        Form::Bare => st.meridiem.is_some() || tail.tok.meridiem.is_some(),
        Form::Compact => compact_pair_ok(&st, &tail.tok, start_zone.is_some() || tail.zone.is_some()),
    };
    if !ok {
        return None;
    }
    let (start, end) = range_times(&st, &tail.tok)?;
    let start_date = dates(b.get(..st.start)?).filter_map(|d| d.date.date()).last().or_else(|| {
        // `from 9:00 to 17:00 on 2025-07-01`: a date right after the range.
        let mut k = skip_ws(b, tail.end, 3);
        if at(b, k) == b',' {
            k = skip_ws(b, k + 1, 3);
        }
        if word_eq(b, k, 2, "on") && space_len(b, k + 2) > 0 {
            k = skip_ws(b, k + 2, 3);
        }
        date_at(b, k, false).and_then(|d| d.date.date())
    });
    let end_date = match tail.date {
        Some(pd) => pd.date().or_else(|| start_date.and_then(|s| pd.or_year(s.year()))),
        None => start_date.and_then(|s| if end < start { s.next_day() } else { Some(s) }),
    };
    let zone = start_zone.map(|z| z.0).or(tail.zone).or_else(|| find_zone(text));
    Some(Span { start_date, start, end_date, end, zone })
}

// ---------------------------------------------------------------------------------------------------------------------
// Zones in text
// ---------------------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Ctx {
    /// Right after a time; `glued` when no space came between, `seconds` when the time had seconds.
    AfterTime { glued: bool, seconds: bool },
    /// Anywhere else; `weak_ok` when the surroundings say a zone is meant (`times in ...`, parentheses).
    Standalone { weak_ok: bool },
}

#[derive(Clone, Copy)]
enum Rule {
    Offset(i32),
    Iana(&'static str),
}

const H: i32 = 3600;

/// Abbreviations: (name, rule, needs context).
const ABBREVIATIONS: &[(&str, Rule, bool)] = &[
    ("PST", Rule::Offset(-8 * H), false),
    ("PDT", Rule::Offset(-7 * H), false),
    ("MST", Rule::Offset(-7 * H), false),
    ("MDT", Rule::Offset(-6 * H), false),
    ("CST", Rule::Offset(-6 * H), false),
    ("CDT", Rule::Offset(-5 * H), false),
    ("EST", Rule::Offset(-5 * H), false),
    ("EDT", Rule::Offset(-4 * H), false),
    ("AKST", Rule::Offset(-9 * H), false),
    ("AKDT", Rule::Offset(-8 * H), false),
    ("HST", Rule::Offset(-10 * H), false),
    ("CET", Rule::Offset(H), false),
    ("CEST", Rule::Offset(2 * H), false),
    ("EET", Rule::Offset(2 * H), false),
    ("EEST", Rule::Offset(3 * H), false),
    ("WET", Rule::Offset(0), true),
    ("WEST", Rule::Offset(H), true),
    ("BST", Rule::Offset(H), false),
    ("IST", Rule::Offset(5 * H + 1800), false),
    ("MSK", Rule::Offset(3 * H), false),
    ("SGT", Rule::Offset(8 * H), false),
    ("HKT", Rule::Offset(8 * H), false),
    ("AWST", Rule::Offset(8 * H), false),
    ("JST", Rule::Offset(9 * H), false),
    ("KST", Rule::Offset(9 * H), false),
    ("ACST", Rule::Offset(9 * H + 1800), false),
    ("ACDT", Rule::Offset(10 * H + 1800), false),
    ("AEST", Rule::Offset(10 * H), false),
    ("AEDT", Rule::Offset(11 * H), false),
    ("NZST", Rule::Offset(12 * H), false),
    ("NZDT", Rule::Offset(13 * H), false),
    ("PT", Rule::Iana("America/Los_Angeles"), true),
    ("MT", Rule::Iana("America/Denver"), true),
    ("CT", Rule::Iana("America/Chicago"), true),
    ("ET", Rule::Iana("America/New_York"), true),
];

/// Abbreviations that are also words, never read in lower case.
const WORDLIKE: &[&str] = &["IST", "WET", "WEST"];

/// Zones written out in words (matched case-insensitively, longest first).
const PHRASES: &[(&[&str], Rule)] = &[
    (&["coordinated", "universal", "time"], Rule::Offset(0)),
    (&["greenwich", "mean", "time"], Rule::Offset(0)),
    (&["pacific", "standard", "time"], Rule::Offset(-8 * H)),
    (&["pacific", "daylight", "time"], Rule::Offset(-7 * H)),
    (&["pacific", "time"], Rule::Iana("America/Los_Angeles")),
    (&["mountain", "standard", "time"], Rule::Offset(-7 * H)),
    (&["mountain", "daylight", "time"], Rule::Offset(-6 * H)),
    (&["mountain", "time"], Rule::Iana("America/Denver")),
    (&["central", "standard", "time"], Rule::Offset(-6 * H)),
    (&["central", "daylight", "time"], Rule::Offset(-5 * H)),
    (&["central", "time"], Rule::Iana("America/Chicago")),
    (&["central", "european", "time"], Rule::Offset(H)),
    (&["central", "european", "summer", "time"], Rule::Offset(2 * H)),
    (&["eastern", "standard", "time"], Rule::Offset(-5 * H)),
    (&["eastern", "daylight", "time"], Rule::Offset(-4 * H)),
    (&["eastern", "time"], Rule::Iana("America/New_York")),
    (&["eastern", "european", "time"], Rule::Offset(2 * H)),
    (&["eastern", "european", "summer", "time"], Rule::Offset(3 * H)),
    (&["western", "european", "time"], Rule::Offset(0)),
    (&["western", "european", "summer", "time"], Rule::Offset(H)),
    (&["alaska", "standard", "time"], Rule::Offset(-9 * H)),
    (&["alaska", "daylight", "time"], Rule::Offset(-8 * H)),
    (&["alaska", "time"], Rule::Iana("America/Anchorage")),
    (&["hawaii", "standard", "time"], Rule::Offset(-10 * H)),
    (&["hawaii", "time"], Rule::Iana("Pacific/Honolulu")),
    (&["british", "summer", "time"], Rule::Offset(H)),
    (&["british", "time"], Rule::Iana("Europe/London")),
    (&["uk", "time"], Rule::Iana("Europe/London")),
    (&["london", "time"], Rule::Iana("Europe/London")),
    (&["india", "standard", "time"], Rule::Offset(5 * H + 1800)),
    (&["indian", "standard", "time"], Rule::Offset(5 * H + 1800)),
    (&["japan", "standard", "time"], Rule::Offset(9 * H)),
    (&["korea", "standard", "time"], Rule::Offset(9 * H)),
    (&["singapore", "time"], Rule::Offset(8 * H)),
    (&["hong", "kong", "time"], Rule::Offset(8 * H)),
    (&["australian", "eastern", "standard", "time"], Rule::Offset(10 * H)),
    (&["australian", "eastern", "daylight", "time"], Rule::Offset(11 * H)),
    (&["new", "zealand", "standard", "time"], Rule::Offset(12 * H)),
    (&["new", "zealand", "daylight", "time"], Rule::Offset(13 * H)),
];

/// Single capitalised words that mean a US zone when the context says a zone is meant (`10am Eastern`).
const GENERIC_WORDS: &[(&str, &str)] = &[
    ("Pacific", "America/Los_Angeles"),
    ("Mountain", "America/Denver"),
    ("Central", "America/Chicago"),
    ("Eastern", "America/New_York"),
];

fn rule_zone(rule: Rule) -> Option<Zone> {
    match rule {
        Rule::Offset(secs) => UtcOffset::from_whole_seconds(secs).ok().map(Zone::Fixed),
        Rule::Iana(name) => Zone::named(name),
    }
}

fn fixed(negative: bool, hours: u32, minutes: u32) -> Option<Zone> {
    if hours > 14 || minutes > 59 {
        return None;
    }
    let secs = i32::try_from(hours * 3600 + minutes * 60).ok()?;
    UtcOffset::from_whole_seconds(if negative { -secs } else { secs }).ok().map(Zone::Fixed)
}

/// Whether a zone word may start at `i`: not inside a word, path, identifier or hyphenated word.
fn zone_left_ok(b: &[u8], i: usize) -> bool {
    let p = before(b, i);
    // `_EEST_` is emphasis; `tz_EEST` an identifier.
    if p == b'_' {
        let start = b[..i].iter().rev().take_while(|&&c| c == b'_').count();
        return !is_word(before(b, i - start));
    }
    if is_word(p) || matches!(p, b'/' | b'.' | b'\\' | b'@' | b'#' | b'$') {
        return false;
    }
    !(p == b'-' && before(b, i - 1).is_ascii_alphabetic())
}

/// Whether the words before `i` say a zone is meant: `All times PDT`, `Times in PT`, `times are in ET`,
/// `Timezone: ET`.
fn weak_context_before(b: &[u8], i: usize) -> bool {
    const TIME_WORDS: &[&str] = &["time", "times", "timezone", "zone", "tz"];
    const LINKS: &[&str] = &["in", "are", "is", "all"];
    let mut words: [Option<Range<usize>>; 3] = [None, None, None];
    let mut j = i;
    for slot in &mut words {
        let Some(r) = word_before(b, j) else { break };
        j = r.start;
        *slot = Some(r);
    }
    let is = |k: usize, set: &[&str]| words.get(k).and_then(Clone::clone).is_some_and(|r| any_eq(b, &r, set));
    is(0, TIME_WORDS) || (is(0, LINKS) && (is(1, TIME_WORDS) || (is(1, LINKS) && is(2, TIME_WORDS))))
}

/// An upper-case zone abbreviation glued to a time's digits (`12:00UTC`, `16:54:16Z`, `0730Z`).
fn glued_zone_word(b: &[u8], j: usize) -> bool {
    let n = letters(b, j, 5);
    let Some(word) = b.get(j..j + n) else { return false };
    n > 0
        && n <= 5
        && (word == b"Z"
            || word.eq_ignore_ascii_case(b"utc")
            || word.eq_ignore_ascii_case(b"gmt")
            || ABBREVIATIONS.iter().any(|(name, _, _)| name.as_bytes() == word))
}

/// The zone after a time token: glued or after up to two spaces.
fn zone_after(text: &str, t: &Tok) -> Option<(Zone, usize)> {
    let b = text.as_bytes();
    let k = skip_ws(b, t.end, 2);
    zone_at(text, k, Ctx::AfterTime { glued: k == t.end, seconds: t.seconds })
}

/// `±HH:MM`, `±HHMM`, or (when `short` is allowed) `±HH`, after the sign.
fn offset_digits(b: &[u8], i: usize, negative: bool, short: bool) -> Option<(Zone, usize)> {
    let (hours, nh) = read_num(b, i, 5);
    let (zone, end) = match nh {
        2 if at(b, i + 2) == b':' => {
            let (minutes, nm) = read_num(b, i + 3, 3);
            if nm != 2 {
                return None;
            }
            (fixed(negative, hours, minutes)?, i + 5)
        }
        2 if short => (fixed(negative, hours, 0)?, i + 2),
        4 => (fixed(negative, hours / 100, hours % 100)?, i + 4),
        _ => return None,
    };
    if is_word(at(b, end)) || (at(b, end) == b':' && at(b, end + 1).is_ascii_digit()) {
        return None;
    }
    Some((zone, end))
}

/// An offset glued to `UTC`/`GMT`: `+2`, `+02`, `+02:00`, `+5:30`, `+0530`, `−7`, `–5`.
fn utc_suffix(b: &[u8], i: usize) -> Option<(Zone, usize)> {
    let (negative, len) = match sign_at(b, i) {
        Some((negative, len, _)) => (negative, len),
        None if seq(b, i, "\u{2013}".as_bytes()) => (true, 3),
        None => return None,
    };
    let j = i + len;
    let (value, n) = read_num(b, j, 5);
    let (zone, end) = match n {
        1 | 2 if at(b, j + n) == b':' => {
            let (minutes, nm) = read_num(b, j + n + 1, 3);
            if nm != 2 {
                return None;
            }
            (fixed(negative, value, minutes)?, j + n + 3)
        }
        1 | 2 => (fixed(negative, value, 0)?, j + n),
        4 => (fixed(negative, value / 100, value % 100)?, j + 4),
        _ => return None,
    };
    if is_word(at(b, end)) || (matches!(at(b, end), b':' | b'.') && at(b, end + 1).is_ascii_digit()) {
        return None;
    }
    Some((zone, end))
}

/// An IANA name at `i` (`Europe/Berlin`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`).
fn iana_at(text: &str, i: usize) -> Option<(Zone, usize)> {
    let b = text.as_bytes();
    let mut n = 0;
    while n <= 50 && (is_word(at(b, i + n)) || matches!(at(b, i + n), b'_' | b'/' | b'-' | b'+')) {
        n += 1;
    }
    while n > 0 && matches!(at(b, i + n - 1), b'/' | b'-' | b'+' | b'_') {
        n -= 1;
    }
    if n > 50 {
        return None;
    }
    let name = text.get(i..i + n)?;
    Zone::named(name).map(|z| (z, i + n))
}

/// A zone written out in words at `i`, whose first word has `len` letters.
fn phrase_at(b: &[u8], i: usize, len: usize) -> Option<(Rule, usize)> {
    let first = b.get(i..i + len)?;
    if !PHRASES.iter().any(|(words, _)| words.first().is_some_and(|w| first.eq_ignore_ascii_case(w.as_bytes()))) {
        return None;
    }
    let mut spans: [(usize, usize); 4] = [(i, len), (0, 0), (0, 0), (0, 0)];
    let mut count = 1;
    let mut e = i + len;
    while count < 4 {
        let k = skip_ws(b, e, 2);
        let n = letters(b, k, 12);
        if k == e || n == 0 || n > 12 {
            break;
        }
        if let Some(slot) = spans.get_mut(count) {
            *slot = (k, n);
        }
        count += 1;
        e = k + n;
    }
    let mut best: Option<(Rule, usize, usize)> = None;
    for (words, rule) in PHRASES {
        if words.len() > count {
            continue;
        }
        let matched = words.iter().zip(spans.iter()).all(|(w, &(s, n))| word_eq(b, s, n, w));
        if matched && best.as_ref().is_none_or(|(_, wc, _)| words.len() > *wc) {
            let &(s, n) = spans.get(words.len() - 1)?;
            best = Some((*rule, words.len(), s + n));
        }
    }
    best.map(|(rule, _, end)| (rule, end))
}

/// A zone at `i`: a parenthesised zone, an offset, `UTC`/`GMT` with offset, `Z`, an IANA name, a phrase, an
/// abbreviation, or a generic word.
fn zone_at(text: &str, i: usize, ctx: Ctx) -> Option<(Zone, usize)> {
    let b = text.as_bytes();
    let weak_ok = match ctx {
        Ctx::AfterTime { .. } => true,
        Ctx::Standalone { weak_ok } => weak_ok,
    };
    let c = at(b, i);
    if c == b'(' {
        let k = skip_ws(b, i + 1, 2);
        if at(b, k) == b'(' {
            return None;
        }
        let (zone, e) = zone_at(text, k, Ctx::Standalone { weak_ok: true })?;
        let e = skip_ws(b, e, 2);
        return (at(b, e) == b')').then_some((zone, e + 1));
    }
    if let Some((negative, len, hyphen)) = sign_at(b, i) {
        let (allowed, short) = match ctx {
            Ctx::AfterTime { glued, seconds } => (!hyphen || seconds, glued),
            Ctx::Standalone { weak_ok } => (weak_ok, false),
        };
        return if allowed { offset_digits(b, i + len, negative, short) } else { None };
    }
    if !c.is_ascii_alphabetic() {
        return None;
    }
    let n = letters(b, i, 32);
    if n > 32 {
        return None;
    }
    if at(b, i + n) == b'/'
        && let Some(found) = iana_at(text, i)
    {
        return Some(found);
    }
    let next = at(b, i + n);
    // `PST_2` is an identifier; `_times in EEST_` is emphasis closing after the zone.
    let underscores = b.get(i + n..).unwrap_or_default().iter().take_while(|&&c| c == b'_').count();
    let identifier = next == b'_' && is_word(at(b, i + n + underscores));
    if next.is_ascii_digit() || identifier {
        return None;
    }
    let word = b.get(i..i + n)?;
    if word.eq_ignore_ascii_case(b"utc") || word.eq_ignore_ascii_case(b"gmt") {
        return Some(utc_suffix(b, i + n).unwrap_or((Zone::UTC, i + n)));
    }
    if word == b"Z" {
        return matches!(ctx, Ctx::AfterTime { glued: true, .. }).then_some((Zone::UTC, i + 1));
    }
    if let Some((rule, end)) = phrase_at(b, i, n) {
        return rule_zone(rule).map(|z| (z, end));
    }
    let after_time = matches!(ctx, Ctx::AfterTime { .. });
    for &(name, rule, weak) in ABBREVIATIONS {
        if weak && !weak_ok {
            continue;
        }
        let exact = word == name.as_bytes();
        let lower = after_time
            && name.len() >= 3
            && !WORDLIKE.contains(&name)
            && word.iter().all(u8::is_ascii_lowercase)
            && word.eq_ignore_ascii_case(name.as_bytes());
        if exact || lower {
            return rule_zone(rule).map(|z| (z, i + n));
        }
    }
    if weak_ok {
        for &(name, iana) in GENERIC_WORDS {
            if word == name.as_bytes() {
                return Zone::named(iana).map(|z| (z, i + n));
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------------------

struct DateTok {
    date: PartialDate,
    start: usize,
    end: usize,
    /// A year-less numeric month-day (`03-26`), only read at the start of timeline rows.
    numeric_md: bool,
}

const MONTHS: &[(&str, Month)] = &[
    ("january", Month::January),
    ("jan", Month::January),
    ("february", Month::February),
    ("feb", Month::February),
    ("march", Month::March),
    ("mar", Month::March),
    ("april", Month::April),
    ("apr", Month::April),
    ("may", Month::May),
    ("june", Month::June),
    ("jun", Month::June),
    ("july", Month::July),
    ("jul", Month::July),
    ("august", Month::August),
    ("aug", Month::August),
    ("september", Month::September),
    ("sept", Month::September),
    ("sep", Month::September),
    ("october", Month::October),
    ("oct", Month::October),
    ("november", Month::November),
    ("nov", Month::November),
    ("december", Month::December),
    ("dec", Month::December),
];

const WEEKDAYS: &[&str] = &[
    "monday",
    "mon",
    "tuesday",
    "tues",
    "tue",
    "wednesday",
    "wed",
    "thursday",
    "thurs",
    "thur",
    "thu",
    "friday",
    "fri",
    "saturday",
    "sat",
    "sunday",
    "sun",
];

fn month_word(b: &[u8], i: usize, n: usize) -> Option<Month> {
    MONTHS.iter().find(|(name, _)| word_eq(b, i, n, name)).map(|&(_, m)| m)
}

fn partial(year: Option<u32>, month: u32, day: u32) -> Option<PartialDate> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let day = u8::try_from(day).ok()?;
    let year = year.map(i32::try_from).transpose().ok()?;
    // A year-less date must exist in some year: check against a leap year.
    Date::from_calendar_date(year.unwrap_or(2000), month, day).ok()?;
    Some(PartialDate { year, month, day })
}

fn date_left_ok(b: &[u8], i: usize) -> bool {
    let p = before(b, i);
    !(is_word(p) || matches!(p, b'.' | b'/' | b'-' | b'_' | b':' | b'\\' | b'#' | b'$' | b'+' | b'@'))
}

/// What may follow a numeric date: not more digits, letters (except `T` and a time), or a path/file-name
/// continuation (`2019-02-05.md`, `/2019-05-30/`).
fn numeric_right_ok(b: &[u8], end: usize) -> bool {
    let c = at(b, end);
    if c.is_ascii_digit() {
        return false;
    }
    if c.is_ascii_alphabetic() {
        return c == b'T' && at(b, end + 1).is_ascii_digit();
    }
    !(matches!(c, b'/' | b'-' | b'_' | b'.' | b':') && is_word(at(b, end + 1)))
}

/// After a day: an optional ordinal suffix (`1st`, `22nd`), then not a letter.
fn ordinal_end(b: &[u8], e: usize) -> Option<usize> {
    if !at(b, e).is_ascii_alphabetic() {
        return Some(e);
    }
    let ok = ["st", "nd", "rd", "th"].iter().any(|s| word_eq(b, e, 2, s)) && !is_word(at(b, e + 2));
    ok.then_some(e + 2)
}

/// An optional year after a month-name date: `, 2025`, ` 2025`, `,2025`.
fn year_after(b: &[u8], e: usize) -> (Option<u32>, usize) {
    let j = if at(b, e) == b',' { e + 1 } else { e };
    let k = skip_ws(b, j, 3);
    if k == e {
        return (None, e);
    }
    let (year, n) = read_num(b, k, 5);
    let c = at(b, k + 4);
    if n == 4 && !is_word(c) && !(matches!(c, b':' | b'-' | b'/' | b'.') && at(b, k + 5).is_ascii_digit()) {
        (Some(year), k + 4)
    } else {
        (None, e)
    }
}

fn date_at(b: &[u8], i: usize, month_day: bool) -> Option<DateTok> {
    if !date_left_ok(b, i) {
        return None;
    }
    let c = at(b, i);
    if c.is_ascii_digit() {
        return numeric_date(b, i, month_day).or_else(|| day_first(b, i));
    }
    if !c.is_ascii_alphabetic() {
        return None;
    }
    let n = letters(b, i, 9);
    if n > 9 {
        return None;
    }
    if WEEKDAYS.iter().any(|w| word_eq(b, i, n, w)) {
        let mut j = i + n;
        if at(b, j) == b'.' {
            j += 1;
        }
        if at(b, j) == b',' {
            j += 1;
        }
        let k = skip_ws(b, j, 3);
        if k == j {
            return None;
        }
        let d = if at(b, k).is_ascii_digit() { day_first(b, k) } else { month_first(b, k) };
        return d.map(|d| DateTok { start: i, ..d });
    }
    month_first(b, i)
}

/// `March 1, 2025`, `Mar 1st 2025`, `Oct 30th`, `May 12 2025`.
fn month_first(b: &[u8], i: usize) -> Option<DateTok> {
    let n = letters(b, i, 9);
    let month = month_word(b, i, n)?;
    let modal_may = b.get(i..i + n) == Some(b"may".as_slice());
    let mut j = i + n;
    if at(b, j) == b'.' {
        j += 1;
    }
    let k = skip_ws(b, j, 3);
    if k == j {
        return None;
    }
    let (day, nd) = read_num(b, k, 3);
    if nd == 0 || nd > 2 {
        return None;
    }
    let e = ordinal_end(b, k + nd)?;
    let c = at(b, e);
    if matches!(c, b':' | b'.' | b'/') && at(b, e + 1).is_ascii_digit() {
        return None;
    }
    let (year, end) = year_after(b, e);
    if modal_may && year.is_none() {
        return None;
    }
    let date = partial(year, u8::from(month).into(), day)?;
    Some(DateTok { date, start: i, end, numeric_md: false })
}

/// `1 March 2025`, `29 November 2019`, `28th February`, `5th of March`, `01 Jan 0001`.
fn day_first(b: &[u8], i: usize) -> Option<DateTok> {
    let (day, nd) = read_num(b, i, 3);
    if nd == 0 || nd > 2 {
        return None;
    }
    let e = ordinal_end(b, i + nd)?;
    let mut k = skip_ws(b, e, 3);
    if k == e {
        return None;
    }
    if word_eq(b, k, 2, "of") && space_len(b, k + 2) > 0 {
        k = skip_ws(b, k + 2, 3);
    }
    let n = letters(b, k, 9);
    let month = month_word(b, k, n)?;
    let modal_may = b.get(k..k + n) == Some(b"may".as_slice());
    let mut j = k + n;
    if at(b, j) == b'.' {
        j += 1;
    }
    let (year, end) = year_after(b, j);
    if modal_may && year.is_none() {
        return None;
    }
    let date = partial(year, u8::from(month).into(), day)?;
    Some(DateTok { date, start: i, end, numeric_md: false })
}

/// `2025-03-01`, `2019/11/29`, `29/11/2019`, `02-13-2025`, `5-26-21`, `29.11.2019`, and (when `month_day`) `03-26`.
fn numeric_date(b: &[u8], i: usize, month_day: bool) -> Option<DateTok> {
    let (a, na) = read_num(b, i, 5);
    let sep = at(b, i + na);
    if na == 4 && matches!(sep, b'-' | b'/') {
        let (m, nm) = read_num(b, i + 5, 3);
        if !(1..=2).contains(&nm) || at(b, i + 5 + nm) != sep {
            return None;
        }
        let (d, nd) = read_num(b, i + 6 + nm, 3);
        let end = i + 6 + nm + nd;
        if !(1..=2).contains(&nd) || !numeric_right_ok(b, end) {
            return None;
        }
        let date = partial(Some(a), m, d)?;
        return Some(DateTok { date, start: i, end, numeric_md: false });
    }
    if !(1..=2).contains(&na) || !matches!(sep, b'/' | b'-' | b'.') {
        return None;
    }
    let (x, nx) = read_num(b, i + na + 1, 3);
    if !(1..=2).contains(&nx) {
        return None;
    }
    let p = i + na + 1 + nx;
    if at(b, p) == sep && at(b, p + 1).is_ascii_digit() {
        let (y, ny) = read_num(b, p + 1, 5);
        let year = match ny {
            4 => y,
            2 if sep != b'.' => {
                if y < 70 {
                    2000 + y
                } else {
                    1900 + y
                }
            }
            _ => return None,
        };
        let end = p + 1 + ny;
        if !numeric_right_ok(b, end) {
            return None;
        }
        let (month, day) = if sep == b'.' {
            (x, a)
        } else if a == x || (x > 12 && a <= 12) {
            (a, x)
        } else if a > 12 && x <= 12 {
            (x, a)
        } else {
            return None;
        };
        let date = partial(Some(year), month, day)?;
        return Some(DateTok { date, start: i, end, numeric_md: false });
    }
    if month_day && sep != b'.' && space_len(b, p) > 0 {
        let (month, day) = if a <= 12 { (a, x) } else { (x, a) };
        let date = partial(None, month, day)?;
        return Some(DateTok { date, start: i, end: p, numeric_md: true });
    }
    None
}

/// All dates in `b`, left to right.
fn dates(b: &[u8]) -> impl Iterator<Item = DateTok> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if is_word(at(b, i))
                && !is_word(before(b, i))
                && let Some(d) = date_at(b, i, false)
            {
                i = d.end.max(i + 1);
                return Some(d);
            }
            i += 1;
        }
        None
    })
}

/// Between a date and its time: `T`, spaces, a comma, `at`, `@`. Returns `end` when there is nothing.
fn date_time_gap(b: &[u8], end: usize) -> usize {
    if at(b, end) == b'T' && at(b, end + 1).is_ascii_digit() {
        return end + 1;
    }
    let mut k = skip_ws(b, end, 8);
    if at(b, k) == b',' {
        k = skip_ws(b, k + 1, 4);
    }
    if k > end {
        if word_eq(b, k, 2, "at") && space_len(b, k + 2) > 0 {
            k = skip_ws(b, k + 2, 4);
        } else if at(b, k) == b'@' && space_len(b, k + 1) > 0 {
            k = skip_ws(b, k + 1, 4);
        }
    }
    k
}

// ---------------------------------------------------------------------------------------------------------------------
// Timeline rows
// ---------------------------------------------------------------------------------------------------------------------

/// Emphasis and brackets opened before a stamp, to be closed after it.
#[derive(Default)]
struct Openers {
    star: u8,
    under: u8,
    tick: u8,
    tilde: u8,
    bracket: u8,
    paren: u8,
}

impl Openers {
    fn slot(&mut self, c: u8, opening: bool) -> Option<&mut u8> {
        match c {
            b'*' => Some(&mut self.star),
            b'_' => Some(&mut self.under),
            b'`' => Some(&mut self.tick),
            b'~' => Some(&mut self.tilde),
            b'[' if opening => Some(&mut self.bracket),
            b']' if !opening => Some(&mut self.bracket),
            b'(' if opening => Some(&mut self.paren),
            b')' if !opening => Some(&mut self.paren),
            _ => None,
        }
    }

    fn open(&mut self, b: &[u8], mut i: usize) -> usize {
        for _ in 0..8 {
            let c = at(b, i);
            // `~~` is strikethrough; a single `~` means "approximately".
            let len = if c == b'~' && at(b, i + 1) == b'~' { 2 } else { 1 };
            if c == b'~' && len == 1 {
                break;
            }
            let Some(slot) = self.slot(c, true) else { break };
            *slot = slot.saturating_add(len);
            i += usize::from(len);
        }
        i
    }

    fn any(&self) -> bool {
        [self.star, self.under, self.tick, self.tilde, self.bracket, self.paren].iter().any(|&n| n > 0)
    }

    fn closes(&self, b: &[u8], i: usize) -> bool {
        match at(b, i) {
            b'*' => self.star > 0,
            b'_' => self.under > 0,
            b'`' => self.tick > 0,
            b'~' => self.tilde > 0,
            b']' => self.bracket > 0,
            b')' => self.paren > 0,
            _ => false,
        }
    }

    /// Closes one opener at `i`; returns the bytes taken (0 or 1).
    fn close(&mut self, b: &[u8], i: usize) -> usize {
        match self.slot(at(b, i), false) {
            Some(slot) if *slot > 0 => {
                *slot -= 1;
                1
            }
            _ => 0,
        }
    }
}

/// Leading blockquote, heading, table and list markers.
fn markdown_prefix(b: &[u8]) -> usize {
    let mut i = 0;
    loop {
        let start = i;
        i = skip_ws(b, i, usize::MAX);
        match at(b, i) {
            b'>' | b'|' => i += 1,
            b'#' => {
                while at(b, i) == b'#' {
                    i += 1;
                }
            }
            b'-' | b'*' | b'+' if space_len(b, i + 1) > 0 => i += 1,
            c if c.is_ascii_digit() => {
                let (_, n) = read_num(b, i, 10);
                if n <= 9 && matches!(at(b, i + n), b'.' | b')') && space_len(b, i + n + 1) > 0 {
                    i += n + 1;
                }
            }
            _ => {}
        }
        if i == start {
            return i;
        }
    }
}

/// `±`, `~`, `≈`, `ca.`, `approx.` before a time.
fn approx_marker(b: &[u8], i: usize) -> (bool, usize) {
    let len = if seq(b, i, "\u{b1}".as_bytes()) {
        2
    } else if seq(b, i, "\u{2248}".as_bytes()) {
        3
    } else if at(b, i) == b'~' {
        1
    } else if word_eq(b, i, 3, "ca.") {
        3
    } else if word_eq(b, i, 7, "approx.") {
        7
    } else {
        0
    };
    if len == 0 { (false, i) } else { (true, skip_ws(b, i + len, 4)) }
}

/// An unknown-time placeholder: `--:--`, `??:??`, `xx:xx`, `?`, `???`.
fn placeholder_at(b: &[u8], i: usize) -> Option<usize> {
    for p in ["--:--", "??:??", "xx:xx", "XX:XX", "hh:mm", "HH:MM"] {
        if seq(b, i, p.as_bytes()) {
            return Some(i + p.len());
        }
    }
    let mut n = 0;
    while n < 6 && at(b, i + n) == b'?' {
        n += 1;
    }
    (1..=5).contains(&n).then_some(i + n)
}

/// A separator between a stamp and the entry text (`-`, `--`, `–`, `—`, `:`, `|`, `,`, `;`, `->`, `=>`, `→`);
/// returns the position after it.
fn entry_sep(b: &[u8], k: usize) -> Option<usize> {
    if seq(b, k, b"--") || seq(b, k, b"->") || seq(b, k, b"=>") {
        return Some(k + 2);
    }
    if matches!(at(b, k), b':' | b'|' | b',' | b';') {
        return Some(k + 1);
    }
    let dash = dash_len(b, k);
    if dash > 0 {
        return Some(k + dash);
    }
    seq(b, k, "\u{2192}".as_bytes()).then_some(k + 3)
}

// ---------------------------------------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------------------------------------

const NS_SECOND: i128 = 1_000_000_000;

fn duration_left_ok(b: &[u8], i: usize) -> bool {
    let p = before(b, i);
    if matches!(p, b'.' | b'/' | b'_' | b'$' | b'#' | b':' | b'\\' | b'@' | b'=') {
        return false;
    }
    !(p == b'-' && is_word(before(b, i - 1)))
}

/// Nanoseconds per unit for a unit word.
fn unit_ns(b: &[u8], i: usize, n: usize) -> Option<i128> {
    const UNITS: &[(&[&str], i128)] = &[
        (&["ms", "msec", "msecs", "millisecond", "milliseconds"], 1_000_000),
        (&["s", "sec", "secs", "second", "seconds"], NS_SECOND),
        (&["m", "min", "mins", "minute", "minutes"], 60 * NS_SECOND),
        (&["h", "hr", "hrs", "hour", "hours"], 3600 * NS_SECOND),
        (&["d", "day", "days"], 86_400 * NS_SECOND),
        (&["w", "wk", "wks", "week", "weeks"], 604_800 * NS_SECOND),
    ];
    // Single-letter units only in lower case (`3D`, `5M` are not durations).
    if n == 1 && !at(b, i).is_ascii_lowercase() {
        return None;
    }
    UNITS.iter().find(|(names, _)| names.iter().any(|w| word_eq(b, i, n, w))).map(|&(_, ns)| ns)
}

/// A number at `i`, in thousandths: `47`, `1.5`, `4+`, `ten`, `an`, `half an`. Returns (value, end, is a word).
fn duration_number(b: &[u8], i: usize) -> Option<(i128, usize, bool)> {
    const WORDS: &[(&str, i128)] = &[
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("nine", 9),
        ("ten", 10),
        ("eleven", 11),
        ("twelve", 12),
        ("thirteen", 13),
        ("fourteen", 14),
        ("fifteen", 15),
        ("sixteen", 16),
        ("seventeen", 17),
        ("eighteen", 18),
        ("nineteen", 19),
        ("twenty", 20),
        ("thirty", 30),
        ("forty", 40),
        ("fifty", 50),
        ("sixty", 60),
        ("ninety", 90),
        ("an", 1),
    ];
    let (value, n) = read_num(b, i, 10);
    if n > 0 {
        if n > 9 {
            return None;
        }
        let mut milli = i128::from(value) * 1000;
        let mut e = i + n;
        if at(b, e) == b'.' && at(b, e + 1).is_ascii_digit() {
            let (frac, nf) = read_num(b, e + 1, 4);
            if nf > 3 || (matches!(at(b, e + 1 + nf), b'.' | b',') && at(b, e + 2 + nf).is_ascii_digit()) {
                return None;
            }
            let scale = match nf {
                1 => 100,
                2 => 10,
                _ => 1,
            };
            milli += i128::from(frac) * scale;
            e += 1 + nf;
        }
        if at(b, e) == b'+' {
            e += 1;
        }
        return Some((milli, e, false));
    }
    let n = letters(b, i, 9);
    if word_eq(b, i, n, "half") {
        let k = skip_ws(b, i + n, 2);
        let m = letters(b, k, 3);
        if k > i + n && (word_eq(b, k, m, "an") || word_eq(b, k, m, "a")) {
            return Some((500, k + m, true));
        }
        return None;
    }
    WORDS.iter().find(|(w, _)| word_eq(b, i, n, w)).map(|&(_, v)| (v * 1000, i + n, true))
}

fn duration_at(b: &[u8], i: usize) -> Option<Duration> {
    let mut total: i128 = 0;
    let mut last_unit = i128::MAX;
    let mut parts = 0;
    let mut j = i;
    while let Some((milli, e, word)) = duration_number(b, j) {
        // Between number and unit: nothing, one space, or a hyphen (`47-minute`); words need a separator.
        let u = if space_len(b, e) > 0 && !matches!(at(b, e), b'\n' | b'\r') {
            e + space_len(b, e)
        } else if at(b, e) == b'-' {
            e + 1
        } else if word {
            break;
        } else {
            e
        };
        let n = letters(b, u, 12);
        if n == 0 || n > 12 {
            break;
        }
        let Some(unit) = unit_ns(b, u, n) else { break };
        let after = u + n;
        // A lone glued `s`/`m` after a large number is a plural or a unit of something else (`HTTP 500s`,
        // `220m` CPU), not seconds or minutes.
        let lone = parts == 0 && u == e && n == 1 && unit <= 60 * NS_SECOND && !at(b, after).is_ascii_digit();
        if lone && milli >= 100_000 {
            break;
        }
        if unit >= last_unit || (matches!(at(b, after), b'.' | b'/' | b'_') && is_word(at(b, after + 1))) {
            break;
        }
        total = total.checked_add(milli.checked_mul(unit)? / 1000)?;
        last_unit = unit;
        parts += 1;
        j = after;
        if at(b, j).is_ascii_digit() {
            // `1h30m`, `2m30s`, or `1h30`.
            if unit == 3600 * NS_SECOND {
                let (minutes, nm) = read_num(b, j, 3);
                if (1..=2).contains(&nm) && !is_word(at(b, j + nm)) && minutes < 60 {
                    total = total.checked_add(i128::from(minutes) * 60 * NS_SECOND)?;
                    break;
                }
            }
            continue;
        }
        let mut k = skip_ws(b, j, 3);
        if at(b, k) == b',' {
            k = skip_ws(b, k + 1, 3);
        }
        let m = letters(b, k, 4);
        if (word_eq(b, k, m, "and") || at(b, k) == b'&') && space_len(b, k + m.max(1)) > 0 {
            k = skip_ws(b, k + m.max(1), 3);
        }
        if k == j || !is_word(at(b, k)) {
            break;
        }
        j = k;
    }
    if parts == 0 {
        return None;
    }
    let secs = i64::try_from(total / NS_SECOND).ok()?;
    let nanos = i32::try_from(total % NS_SECOND).ok()?;
    Some(Duration::new(secs, nanos))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
    }

    fn hm(h: u8, m: u8) -> Time {
        Time::from_hms(h, m, 0).unwrap()
    }

    fn partial(year: Option<i32>, m: u8, d: u8) -> PartialDate {
        PartialDate { year, month: Month::try_from(m).unwrap(), day: d }
    }

    fn offset(secs: i32) -> UtcOffset {
        UtcOffset::from_whole_seconds(secs).unwrap()
    }

    #[test]
    fn dates_with_year() {
        // (text, expected date, expected matched text)
        let cases: &[(&str, (i32, u8, u8), &str)] = &[
            ("March 1, 2025", (2025, 3, 1), "March 1, 2025"),
            ("On March 1, 2025, from 10:15", (2025, 3, 1), "March 1, 2025"),
            ("on 1 March 2025 we", (2025, 3, 1), "1 March 2025"),
            ("On Friday 29 November 2019, we scaled", (2019, 11, 29), "Friday 29 November 2019"),
            ("Mar 1st 2025", (2025, 3, 1), "Mar 1st 2025"),
            ("Mar. 1, 2025", (2025, 3, 1), "Mar. 1, 2025"),
            ("MARCH 1 2025", (2025, 3, 1), "MARCH 1 2025"),
            ("march 1,2025", (2025, 3, 1), "march 1,2025"),
            ("Sept 3, 2024", (2024, 9, 3), "Sept 3, 2024"),
            ("the 5th of March 2025", (2025, 3, 5), "5th of March 2025"),
            ("February 5th, 2019 Partial Prow Outage", (2019, 2, 5), "February 5th, 2019"),
            ("Incident report May 12 2025 - Earthscope", (2025, 5, 12), "May 12 2025"),
            ("Saturday Oct 30th 2021 - Monday Nov 1st, 2021", (2021, 10, 30), "Saturday Oct 30th 2021"),
            ("Started: Mon, 01 Jan 0001 00:00:00 +0000", (1, 1, 1), "Mon, 01 Jan 0001"),
            ("2025-03-01", (2025, 3, 1), "2025-03-01"),
            ("| 2019-11-29 12:00 | x", (2019, 11, 29), "2019-11-29"),
            ("{\"ts\":\"2025-09-29T16:54:16.154136Z\"}", (2025, 9, 29), "2025-09-29"),
            ("2019/11/29", (2019, 11, 29), "2019/11/29"),
            ("29/11/2019", (2019, 11, 29), "29/11/2019"),
            ("11/29/2019", (2019, 11, 29), "11/29/2019"),
            ("05/05/2025", (2025, 5, 5), "05/05/2025"),
            ("02-13-2025 11:00 pm - x", (2025, 2, 13), "02-13-2025"),
            ("# Website Outage 5-26-21", (2021, 5, 26), "5-26-21"),
            ("29.11.2019", (2019, 11, 29), "29.11.2019"),
            ("01.02.2019", (2019, 2, 1), "01.02.2019"),
            ("On 28th February, then on 2025-03-01", (2025, 3, 1), "2025-03-01"),
            ("29 February 2024", (2024, 2, 29), "29 February 2024"),
            ("It may 12, 2025", (2025, 5, 12), "may 12, 2025"),
        ];
        for &(text, (y, m, d), matched) in cases {
            let (got, range) = parse_date(text).unwrap_or_else(|| panic!("no date in {text:?}"));
            assert_eq!(got, date(y, m, d), "{text:?}");
            assert_eq!(&text[range], matched, "{text:?}");
        }
    }

    #[test]
    fn not_dates() {
        let cases = [
            "03/04/2025",
            "1.2.3",
            "version 1.2.11",
            "10.63.250.132:80",
            "calver 2019.11.29",
            "see ./images/2019-05-30/read-iops.png",
            "12-k8s-prow-2019-02-05.md",
            "docs/2019-02-05.md",
            "March 2025",
            "it may 5 times",
            "February 30, 2025",
            "2025-13-01",
            "2025-02-29",
            "3:15",
            "5 pm",
            "the year 2019",
            "12-05 16:21",
            "1-3 hours",
            "3/4 of users",
            "1/2/34",
        ];
        for text in cases {
            assert_eq!(parse_date(text), None, "{text:?}");
        }
    }

    #[test]
    fn dates_without_year() {
        let cases: &[(&str, Option<i32>, u8, u8, &str)] = &[
            ("On 28th February, flags went down", None, 2, 28, "28th February"),
            ("## May 12", None, 5, 12, "May 12"),
            ("## 15 May", None, 5, 15, "15 May"),
            ("between January 31 at 17:20", None, 1, 31, "January 31"),
            ("on Sunday the 31st of October", None, 10, 31, "31st of October"),
            ("12:45 PM PST Saturday Oct 30th: First", None, 10, 30, "Saturday Oct 30th"),
            ("Feb 29", None, 2, 29, "Feb 29"),
            ("May 12 2025", Some(2025), 5, 12, "May 12 2025"),
        ];
        for &(text, year, m, d, matched) in cases {
            let (got, range) = find_date(text).unwrap_or_else(|| panic!("no date in {text:?}"));
            assert_eq!(got, partial(year, m, d), "{text:?}");
            assert_eq!(&text[range], matched, "{text:?}");
        }
        assert_eq!(find_date("we may 12 times"), None);
        assert_eq!(find_date("Feb 30"), None);
        assert_eq!(partial(None, 2, 29).or_year(2024), Some(date(2024, 2, 29)));
        assert_eq!(partial(None, 2, 29).or_year(2025), None);
        assert_eq!(partial(Some(2019), 3, 26).or_year(2025), Some(date(2019, 3, 26)));
        assert_eq!(partial(None, 3, 26).date(), None);
    }

    #[test]
    fn times() {
        // (text, (h, m, s, nanos), matched text)
        type Hmsn = (u8, u8, u8, u32);
        let cases: &[(&str, Hmsn, &str)] = &[
            ("at 5:30 pm the", (17, 30, 0, 0), "5:30 pm"),
            ("10:15", (10, 15, 0, 0), "10:15"),
            ("10:15:30", (10, 15, 30, 0), "10:15:30"),
            ("10:15 AM", (10, 15, 0, 0), "10:15 AM"),
            ("10:15am", (10, 15, 0, 0), "10:15am"),
            ("10:15\u{202f}PM", (22, 15, 0, 0), "10:15\u{202f}PM"),
            ("at 10 AM", (10, 0, 0, 0), "10 AM"),
            ("after 5pm when", (17, 0, 0, 0), "5pm"),
            ("12:05 a.m.", (0, 5, 0, 0), "12:05 a.m."),
            ("12:05 A.M. sharp", (0, 5, 0, 0), "12:05 A.M."),
            ("12 PM", (12, 0, 0, 0), "12 PM"),
            ("12:00 AM", (0, 0, 0, 0), "12:00 AM"),
            ("11:00 pm", (23, 0, 0, 0), "11:00 pm"),
            ("13:55 PM PST", (13, 55, 0, 0), "13:55 PM"),
            ("23:00 AM MST", (23, 0, 0, 0), "23:00 AM"),
            ("at 09:45 am UTC", (9, 45, 0, 0), "09:45 am"),
            ("at 4:32PM UTC", (16, 32, 0, 0), "4:32PM"),
            ("around 9am PST", (9, 0, 0, 0), "9am"),
            ("0730 - 1230 UTC", (7, 30, 0, 0), "0730"),
            ("| Time | 0730 - 1230 (UTC) |", (7, 30, 0, 0), "0730"),
            ("at 1015 UTC", (10, 15, 0, 0), "1015"),
            ("at 0730Z", (7, 30, 0, 0), "0730"),
            ("2025-09-29T16:54:16.154136Z", (16, 54, 16, 154_136_000), "16:54:16.154136"),
            ("12:00UTC", (12, 0, 0, 0), "12:00"),
            ("(15:25) to", (15, 25, 0, 0), "15:25"),
            ("**16:58 UTC**", (16, 58, 0, 0), "16:58"),
            ("2019-12-03 --:-- then 04:30", (4, 30, 0, 0), "04:30"),
            ("v1.2.3 at 3:1 ratio, then 10:20", (10, 20, 0, 0), "10:20"),
        ];
        for &(text, (h, m, s, n), matched) in cases {
            let (got, range) = parse_time(text).unwrap_or_else(|| panic!("no time in {text:?}"));
            assert_eq!(got, Time::from_hms_nano(h, m, s, n).unwrap(), "{text:?}");
            assert_eq!(&text[range], matched, "{text:?}");
        }
    }

    #[test]
    fn not_times() {
        let cases = [
            "3:1",
            "a 16:9 screen",
            "1.2.3",
            "10.63.250.132:80",
            "localhost:8080",
            "HTTP 504",
            "a /24 subnet",
            "50% of users",
            "in 2019",
            "from 2019 - 2020",
            "2019-2020",
            "1015 widgets",
            "--:--",
            "[???]",
            "UTC+02:00",
            "GMT-05:00",
            "UTC\u{2212}07:00",
            "12:60",
            "24:00",
            "00:11:22:33:44:55",
            "x10:15",
            "10:15abc",
            "5 people",
            "sha256:1234abcd",
            "1,10:15",
            "10 amazing things",
            "page 5.5 pm",
        ];
        for text in cases {
            assert_eq!(parse_time(text), None, "{text:?}");
        }
    }

    #[test]
    fn zones_found() {
        let cases: &[(&str, &str)] = &[
            ("16:58 UTC", "UTC"),
            ("10:00 utc", "UTC"),
            ("March 1, 2025, from 10:15 AM to 11:05 AM (UTC+2)", "UTC+2"),
            ("UTC+02:00", "UTC+2"),
            ("UTC+2", "UTC+2"),
            ("GMT-5", "UTC-5"),
            ("UTC+5:30", "UTC+5:30"),
            ("UTC+0530", "UTC+5:30"),
            ("All times in PDT (UTC\u{2212}7).", "UTC-7"),
            ("_All times in EEST_", "UTC+3"),
            ("*All times in EEST*", "UTC+3"),
            ("offset UTC\u{2212}7", "UTC-7"),
            ("offset UTC\u{2013}3", "UTC-3"),
            ("10:15 +02:00", "UTC+2"),
            ("10:15+0530", "UTC+5:30"),
            ("10:15 \u{2212}05:00", "UTC-5"),
            ("12:00:00 -0500", "UTC-5"),
            ("10:15:00-05:00", "UTC-5"),
            ("2025-09-29T16:54:16.154136Z", "UTC"),
            ("0730Z", "UTC"),
            ("(+02:00)", "UTC+2"),
            ("Times in -03:00", "UTC-3"),
            ("| Date and Time in CET | Event |", "UTC+1"),
            ("All times are in UTC", "UTC"),
            ("Times in PDT", "UTC-7"),
            ("## Timeline (all times PST ) Saturday", "UTC-8"),
            ("12:45 PM PST Saturday", "UTC-8"),
            ("10am pst", "UTC-8"),
            ("MST", "UTC-7"),
            ("MDT", "UTC-6"),
            ("CST", "UTC-6"),
            ("CDT", "UTC-5"),
            ("EST", "UTC-5"),
            ("EDT", "UTC-4"),
            ("AKST", "UTC-9"),
            ("AKDT", "UTC-8"),
            ("HST", "UTC-10"),
            ("CEST", "UTC+2"),
            ("EET", "UTC+2"),
            ("EEST", "UTC+3"),
            ("10:00 WET", "UTC"),
            ("10:00 WEST", "UTC+1"),
            ("## Timeline (times in BST)", "UTC+1"),
            ("All times in IST", "UTC+5:30"),
            ("JST", "UTC+9"),
            ("KST", "UTC+9"),
            ("AEST", "UTC+10"),
            ("AEDT", "UTC+11"),
            ("NZST", "UTC+12"),
            ("NZDT", "UTC+13"),
            ("SGT", "UTC+8"),
            ("HKT", "UTC+8"),
            ("Times in PST/PDT", "UTC-8"),
            ("Pacific Standard Time", "UTC-8"),
            ("central european summer time", "UTC+2"),
            ("Greenwich Mean Time", "UTC"),
            ("tz: Europe/Berlin", "Europe/Berlin"),
            ("(America/New_York)", "America/New_York"),
            ("america/new_york", "America/New_York"),
            ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
            ("in Etc/GMT+5", "Etc/GMT+5"),
            ("10:00 PT", "America/Los_Angeles"),
            ("All times ET", "America/New_York"),
            ("All times are in CT", "America/Chicago"),
            ("Timezone: MT", "America/Denver"),
            ("(ET)", "America/New_York"),
            ("Pacific Time", "America/Los_Angeles"),
            ("eastern time", "America/New_York"),
            ("10am Eastern", "America/New_York"),
            ("times in UK time", "Europe/London"),
            ("16:58 to 18:46 UTC", "UTC"),
            ("All times PDT. 10:00 UTC", "UTC-7"),
            ("17:20\nUTC and 00:00 UTC", "UTC"),
        ];
        for &(text, label) in cases {
            let zone = find_zone(text).unwrap_or_else(|| panic!("no zone in {text:?}"));
            assert_eq!(zone.label(), label, "{text:?}");
        }
    }

    #[test]
    fn zones_not_found() {
        let cases = [
            "Plan Z",
            "Smith ET al. 2019",
            "the WEST region",
            "a CT scan",
            "wet floor",
            "TEST ESTIMATE",
            "https://example.com/EST/page",
            "the PST_OFFSET setting",
            "tz_EEST",
            "a non-UTC clock",
            "10:15-11:05",
            "10:15 - 11:05",
            "Eastern Europe",
            "Central services",
            "UTC_OFFSET",
            "Europe/Nowhere",
            "+02:00",
            "10 ET",
            "version 1.2 PT",
            "score 3:1 ET",
            "",
        ];
        for text in cases {
            assert_eq!(find_zone(text), None, "{text:?}");
        }
    }

    #[test]
    fn daylight_saving() {
        let noon = hm(12, 0);
        // (zone as written, date, expected offset in seconds)
        let cases: &[(&str, Date, i32)] = &[
            ("America/New_York", date(2025, 7, 1), -4 * 3600),
            ("America/New_York", date(2025, 1, 15), -5 * 3600),
            ("Europe/Berlin", date(2025, 7, 1), 2 * 3600),
            ("Europe/Berlin", date(2025, 1, 15), 3600),
            ("America/Los_Angeles", date(2025, 7, 1), -7 * 3600),
            ("America/Los_Angeles", date(2025, 1, 15), -8 * 3600),
            ("10:00 PT", date(2025, 7, 1), -7 * 3600),
            ("10:00 PT", date(2025, 1, 15), -8 * 3600),
            ("10:00 PST", date(2025, 7, 1), -8 * 3600),
            ("10:00 PDT", date(2025, 1, 15), -7 * 3600),
            ("Eastern Time", date(2025, 7, 1), -4 * 3600),
            ("10:00 CET", date(2025, 7, 1), 3600),
            ("UK time", date(2025, 7, 1), 3600),
            ("UK time", date(2025, 1, 15), 0),
            ("Australia/Sydney", date(2025, 1, 15), 11 * 3600),
            ("Australia/Sydney", date(2025, 7, 1), 10 * 3600),
            ("Asia/Kolkata", date(2025, 7, 1), 5 * 3600 + 1800),
            ("UTC+2", date(2025, 1, 15), 2 * 3600),
        ];
        for &(text, day, secs) in cases {
            let zone = find_zone(text).unwrap_or_else(|| panic!("no zone in {text:?}"));
            assert_eq!(zone.offset_at(day, noon), offset(secs), "{text:?} on {day}");
            let resolved = zone.resolve(day, noon);
            assert_eq!(resolved.offset(), offset(secs), "{text:?} on {day}");
            assert_eq!((resolved.date(), resolved.time()), (day, noon), "{text:?} on {day}");
        }
    }

    #[test]
    fn daylight_saving_transitions() {
        let la = Zone::named("America/Los_Angeles").unwrap();
        // Skipped: 02:30 does not exist on 2025-03-09; "compatible" moves it to 03:30 PDT.
        let (day, t) = (date(2025, 3, 9), hm(2, 30));
        assert_eq!(la.offset_at(day, t), offset(-8 * 3600));
        let r = la.resolve(day, t);
        assert_eq!((r.date(), r.time(), r.offset()), (day, hm(3, 30), offset(-7 * 3600)));
        assert_eq!(r, PrimitiveDateTime::new(day, t).assume_offset(la.offset_at(day, t)));
        // Repeated: 01:30 happens twice on 2025-11-02; "compatible" takes the earlier (PDT).
        let (day, t) = (date(2025, 11, 2), hm(1, 30));
        assert_eq!(la.offset_at(day, t), offset(-7 * 3600));
        assert_eq!(la.resolve(day, t).offset(), offset(-7 * 3600));
        // Berlin skips 02:00-03:00 on 2025-03-30.
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let r = berlin.resolve(date(2025, 3, 30), hm(2, 15));
        assert_eq!((r.time(), r.offset()), (hm(3, 15), offset(2 * 3600)));
    }

    #[test]
    fn zone_values() {
        assert_eq!(find_zone("10:00 ET"), Zone::named("America/New_York"));
        assert_eq!(find_zone("Eastern Time"), Zone::named("america/new_york"));
        assert_eq!(find_zone("UTC+0"), Some(Zone::UTC));
        assert_eq!(find_zone("GMT"), Some(Zone::UTC));
        assert_eq!(Zone::named("Nowhere/Special"), None);
        assert_eq!(Zone::named(""), None);
        assert_eq!(Zone::Fixed(offset(-(3 * 3600 + 1800))).label(), "UTC-3:30");
        assert_eq!(Zone::Fixed(offset(5 * 3600 + 2700)).to_string(), "UTC+5:45");
        assert_eq!(Zone::UTC.to_string(), "UTC");
        assert_eq!(Zone::named("Europe/Berlin").unwrap().to_string(), "Europe/Berlin");
    }

    struct StampCase {
        line: &'static str,
        date: Option<(Option<i32>, u8, u8)>,
        time: Option<(u8, u8)>,
        end: Option<(u8, u8)>,
        zone: Option<&'static str>,
        approximate: bool,
        rest: &'static str,
    }

    const fn sc(
        line: &'static str,
        date: Option<(Option<i32>, u8, u8)>,
        time: Option<(u8, u8)>,
        zone: Option<&'static str>,
        rest: &'static str,
    ) -> StampCase {
        StampCase { line, date, time, end: None, zone, approximate: false, rest }
    }

    #[test]
    fn leading_stamps() {
        let cases = [
            sc("**10:15 AM** – Monitoring alerts", None, Some((10, 15)), None, "Monitoring alerts"),
            sc("- **10:15 AM** – Monitoring alerts", None, Some((10, 15)), None, "Monitoring alerts"),
            sc("[17:02] text", None, Some((17, 2)), None, "text"),
            sc("* [08:47] Prow's bump PR", None, Some((8, 47)), None, "Prow's bump PR"),
            sc("16:58 UTC - text", None, Some((16, 58)), Some("UTC"), "text"),
            sc("- **16:58 UTC** - Writer database", None, Some((16, 58)), Some("UTC"), "Writer database"),
            sc("2019-11-29 12:00", Some((Some(2019), 11, 29)), Some((12, 0)), None, ""),
            sc("10:15: text", None, Some((10, 15)), None, "text"),
            sc("10:15:00 text", None, Some((10, 15)), None, "text"),
            sc("14:51 News reports", None, Some((14, 51)), None, "News reports"),
            sc("`10:15` deploy", None, Some((10, 15)), None, "deploy"),
            sc("*10:15* deploy", None, Some((10, 15)), None, "deploy"),
            sc("~~10:15~~ deploy", None, Some((10, 15)), None, "deploy"),
            sc("_10:15_ — deploy", None, Some((10, 15)), None, "deploy"),
            sc("10:15—deploy", None, Some((10, 15)), None, "deploy"),
            sc("10:15 | deploy", None, Some((10, 15)), None, "deploy"),
            sc("1. 10:15 - Deploy", None, Some((10, 15)), None, "Deploy"),
            sc("> 5:00 PM — text", None, Some((17, 0)), None, "text"),
            sc("### 11:39AM", None, Some((11, 39)), None, ""),
            sc("### 5:00 PM", None, Some((17, 0)), None, ""),
            sc("## May 12", Some((None, 5, 12)), None, None, ""),
            sc("## 15 May", Some((None, 5, 15)), None, None, ""),
            sc(
                "| 2019-11-29 12:00     | Proactively scaling |",
                Some((Some(2019), 11, 29)),
                Some((12, 0)),
                None,
                "Proactively scaling |",
            ),
            sc(
                "| 2021-12-10   15:40 | We became aware |",
                Some((Some(2021), 12, 10)),
                Some((15, 40)),
                None,
                "We became aware |",
            ),
            sc("| 2021-12-10         | Published |", Some((Some(2021), 12, 10)), None, None, "Published |"),
            sc("| 2019-12-03 --:--     | Surge |", Some((Some(2019), 12, 3)), None, None, "Surge |"),
            sc("* [???] IOPS reached", None, None, None, "IOPS reached"),
            sc("| 0730 | `operator` | The operator |", None, Some((7, 30)), None, "`operator` | The operator |"),
            sc("| 1930 | `operator` |", None, Some((19, 30)), None, "`operator` |"),
            sc("0945 - operator", None, Some((9, 45)), None, "operator"),
            sc("0730", None, Some((7, 30)), None, ""),
            sc("1015 UTC: deploy", None, Some((10, 15)), Some("UTC"), "deploy"),
            sc("- [03-26 23:04] The node", Some((None, 3, 26)), Some((23, 4)), None, "The node"),
            sc("- [12-05 16:21] Crashloop", Some((None, 12, 5)), Some((16, 21)), None, "Crashloop"),
            sc(
                "12:45 PM PST Saturday Oct 30th: First wave",
                Some((None, 10, 30)),
                Some((12, 45)),
                Some("UTC-8"),
                "First wave",
            ),
            sc("14:00 PM PST Saturday Oct 30th : Devops", Some((None, 10, 30)), Some((14, 0)), Some("UTC-8"), "Devops"),
            sc("02-13-2025 11:00 pm - Mempool", Some((Some(2025), 2, 13)), Some((23, 0)), None, "Mempool"),
            sc("2025-09-29T16:54:00Z | log", Some((Some(2025), 9, 29)), Some((16, 54)), Some("UTC"), "log"),
            sc(
                "Aug 12, 2025 at 4:32PM UTC: violation",
                Some((Some(2025), 8, 12)),
                Some((16, 32)),
                Some("UTC"),
                "violation",
            ),
            sc("Friday 29 November 2019, we scaled", Some((Some(2019), 11, 29)), None, None, "we scaled"),
            sc("2015-10-21 (all times UTC)", Some((Some(2015), 10, 21)), None, None, "(all times UTC)"),
            sc("10:15 (UTC+2) deploy", None, Some((10, 15)), Some("UTC+2"), "deploy"),
            sc("10:00 Europe/Berlin: deploy", None, Some((10, 0)), Some("Europe/Berlin"), "deploy"),
            sc("10:00 ET - call", None, Some((10, 0)), Some("America/New_York"), "call"),
        ];
        let with_extra = [
            StampCase {
                end: Some((23, 0)),
                ..sc("| 17:15 - 23:00 | `operator` |", None, Some((17, 15)), None, "`operator` |")
            },
            StampCase { end: Some((11, 0)), ..sc("10-11am: standup", None, Some((10, 0)), None, "standup") },
            StampCase { end: Some((11, 0)), ..sc("10-11 am: standup", None, Some((10, 0)), None, "standup") },
            StampCase {
                end: Some((12, 30)),
                ..sc("0730 - 1230 (UTC): window", None, Some((7, 30)), Some("UTC"), "window")
            },
            StampCase {
                end: Some((17, 2)),
                ..sc("16:58 – 17:02 UTC: flapping", None, Some((16, 58)), Some("UTC"), "flapping")
            },
            StampCase {
                approximate: true,
                ..sc("**± 17:20 UTC:** prior to starting", None, Some((17, 20)), Some("UTC"), "prior to starting")
            },
            StampCase { approximate: true, ..sc("~10:00 - deploy", None, Some((10, 0)), None, "deploy") },
            StampCase { approximate: true, ..sc("[≈ 10:00] deploy", None, Some((10, 0)), None, "deploy") },
            StampCase {
                time: Some((20, 19)),
                ..sc("| 2019 | a table cell is read as a time |", None, None, None, "a table cell is read as a time |")
            },
        ];
        for case in cases.iter().chain(with_extra.iter()) {
            let line = case.line;
            let stamp = leading_stamp(line).unwrap_or_else(|| panic!("no stamp in {line:?}"));
            assert_eq!(stamp.date, case.date.map(|(y, m, d)| partial(y, m, d)), "{line:?}");
            assert_eq!(stamp.time, case.time.map(|(h, m)| hm(h, m)), "{line:?}");
            assert_eq!(stamp.end, case.end.map(|(h, m)| hm(h, m)), "{line:?}");
            assert_eq!(stamp.zone.map(|z| z.label()).as_deref(), case.zone, "{line:?}");
            assert_eq!(stamp.approximate, case.approximate, "{line:?}");
            assert_eq!(&line[stamp.consumed..], case.rest, "{line:?}");
        }
    }

    #[test]
    fn leading_stamp_exact_consumed() {
        // The en dash is three bytes: `**10:15 AM** – ` is 2 + 8 + 2 + 1 + 3 + 1.
        assert_eq!(leading_stamp("**10:15 AM** – Monitoring").map(|s| s.consumed), Some(17));
        assert_eq!(leading_stamp("[17:02] text").map(|s| s.consumed), Some(8));
        assert_eq!(leading_stamp("16:58 UTC - text").map(|s| s.consumed), Some(12));
        assert_eq!(leading_stamp("| 0730 | x").map(|s| s.consumed), Some(9));
        assert_eq!(leading_stamp("10:15: text").map(|s| s.consumed), Some(7));
        assert_eq!(leading_stamp("2019-11-29 12:00").map(|s| s.consumed), Some(16));
    }

    #[test]
    fn not_leading_stamps() {
        let cases = [
            "",
            "   ",
            ">Katharine [8:27 AM]",
            "3:1 ratio",
            "1.2.3 released",
            "HTTP 504 at 10:15",
            "At 10:15 we restarted",
            "5 minutes later",
            "| Date | February 4th, 2019 |",
            "| ---- | ---------- |",
            "10 engineers joined",
            "2019 - a year to forget",
            "2019 was a year",
            "10:15abc",
            "v10:15 released",
            "1-3 hours later",
            "12-05 deploy",
            "**Duration:** March 1, 2025",
            "- [ ] follow up",
            "??? what",
        ];
        for line in cases {
            assert_eq!(leading_stamp(line), None, "{line:?}");
        }
    }

    struct SpanCase {
        text: &'static str,
        start_date: Option<(i32, u8, u8)>,
        start: (u8, u8),
        end_date: Option<(i32, u8, u8)>,
        end: (u8, u8),
        zone: Option<&'static str>,
        minutes: i64,
    }

    #[test]
    fn spans() {
        let d = |y, m, d| Some((y, m, d));
        let cases = [
            SpanCase {
                text: "**Duration:** March 1, 2025, from 10:15 AM to 11:05 AM (UTC+2)",
                start_date: d(2025, 3, 1),
                start: (10, 15),
                end_date: d(2025, 3, 1),
                end: (11, 5),
                zone: Some("UTC+2"),
                minutes: 50,
            },
            SpanCase {
                text: "On September 29, 2025, an outage lasting 1 hour and 48 minutes, from 16:58 to 18:46 UTC.",
                start_date: d(2025, 9, 29),
                start: (16, 58),
                end_date: d(2025, 9, 29),
                end: (18, 46),
                zone: Some("UTC"),
                minutes: 108,
            },
            SpanCase {
                text: "2025-03-01 10:15 - 11:05 UTC",
                start_date: d(2025, 3, 1),
                start: (10, 15),
                end_date: d(2025, 3, 1),
                end: (11, 5),
                zone: Some("UTC"),
                minutes: 50,
            },
            SpanCase {
                text: "from 10:15 until 11:05",
                start_date: None,
                start: (10, 15),
                end_date: None,
                end: (11, 5),
                zone: None,
                minutes: 50,
            },
            SpanCase {
                text: "10:15–11:05",
                start_date: None,
                start: (10, 15),
                end_date: None,
                end: (11, 5),
                zone: None,
                minutes: 50,
            },
            SpanCase {
                text: "10:15 — 11:05 CEST",
                start_date: None,
                start: (10, 15),
                end_date: None,
                end: (11, 5),
                zone: Some("UTC+2"),
                minutes: 50,
            },
            SpanCase {
                text: "failed between 2019-02-25 23:04 and 2019-02-26 08:12.",
                start_date: d(2019, 2, 25),
                start: (23, 4),
                end_date: d(2019, 2, 26),
                end: (8, 12),
                zone: None,
                minutes: 548,
            },
            SpanCase {
                text: "| Time | 2019-02-27 06:45 - 2019-02-28 13:00 (UTC) |",
                start_date: d(2019, 2, 27),
                start: (6, 45),
                end_date: d(2019, 2, 28),
                end: (13, 0),
                zone: Some("UTC"),
                minutes: 30 * 60 + 15,
            },
            SpanCase {
                text: "| Time | 0730 - 1230 (UTC) |",
                start_date: None,
                start: (7, 30),
                end_date: None,
                end: (12, 30),
                zone: Some("UTC"),
                minutes: 300,
            },
            SpanCase {
                text: "On 2025-03-01 from 23:30 to 01:15 UTC",
                start_date: d(2025, 3, 1),
                start: (23, 30),
                end_date: d(2025, 3, 2),
                end: (1, 15),
                zone: Some("UTC"),
                minutes: 105,
            },
            SpanCase {
                text: "from 23:30 to 01:15",
                start_date: None,
                start: (23, 30),
                end_date: None,
                end: (1, 15),
                zone: None,
                minutes: 105,
            },
            SpanCase {
                text: "11:30 - 1:15 PM",
                start_date: None,
                start: (11, 30),
                end_date: None,
                end: (13, 15),
                zone: None,
                minutes: 105,
            },
            SpanCase {
                text: "10am–2pm ET",
                start_date: None,
                start: (10, 0),
                end_date: None,
                end: (14, 0),
                zone: Some("America/New_York"),
                minutes: 240,
            },
            SpanCase {
                text: "standup 10-11am",
                start_date: None,
                start: (10, 0),
                end_date: None,
                end: (11, 0),
                zone: None,
                minutes: 60,
            },
            SpanCase {
                text: "10 PM - 2 AM",
                start_date: None,
                start: (22, 0),
                end_date: None,
                end: (2, 0),
                zone: None,
                minutes: 240,
            },
            SpanCase {
                text: "between 9 and 11 pm",
                start_date: None,
                start: (21, 0),
                end_date: None,
                end: (23, 0),
                zone: None,
                minutes: 120,
            },
            SpanCase {
                text: "All times PT. On 2025-07-01 from 10:00 to 11:00.",
                start_date: d(2025, 7, 1),
                start: (10, 0),
                end_date: d(2025, 7, 1),
                end: (11, 0),
                zone: Some("America/Los_Angeles"),
                minutes: 60,
            },
            // Wall clock says two hours, but the clocks jumped forward at 02:00.
            SpanCase {
                text: "2025-03-09 01:30 - 03:30 America/Los_Angeles",
                start_date: d(2025, 3, 9),
                start: (1, 30),
                end_date: d(2025, 3, 9),
                end: (3, 30),
                zone: Some("America/Los_Angeles"),
                minutes: 60,
            },
            SpanCase {
                text: "from 9:00 to 17:00 Europe/Berlin on 2025-07-01",
                start_date: d(2025, 7, 1),
                start: (9, 0),
                end_date: d(2025, 7, 1),
                end: (17, 0),
                zone: Some("Europe/Berlin"),
                minutes: 480,
            },
            SpanCase {
                text: "Mar 1 2025 23:00 to Mar 2 01:00",
                start_date: d(2025, 3, 1),
                start: (23, 0),
                end_date: d(2025, 3, 2),
                end: (1, 0),
                zone: None,
                minutes: 120,
            },
        ];
        for case in &cases {
            let text = case.text;
            let span = parse_span(text).unwrap_or_else(|| panic!("no span in {text:?}"));
            let to_date = |d: Option<(i32, u8, u8)>| d.map(|(y, m, dd)| date(y, m, dd));
            assert_eq!(span.start_date, to_date(case.start_date), "{text:?}");
            assert_eq!(span.start, hm(case.start.0, case.start.1), "{text:?}");
            assert_eq!(span.end_date, to_date(case.end_date), "{text:?}");
            assert_eq!(span.end, hm(case.end.0, case.end.1), "{text:?}");
            assert_eq!(span.zone.as_ref().map(Zone::label).as_deref(), case.zone, "{text:?}");
            assert_eq!(span.duration(), Duration::minutes(case.minutes), "{text:?}");
        }
    }

    #[test]
    fn written_duration_matches_span() {
        let line = "an outage lasting 1 hour and 48 minutes, from 16:58 to 18:46 UTC";
        let span = parse_span(line).unwrap();
        assert_eq!(parse_duration(line), Some(span.duration()));
        let line = "**Total impact duration:** 5 hours 26 minutes (10:45 - 16:11 UTC)";
        assert_eq!(parse_duration(line), Some(parse_span(line).unwrap().duration()));
    }

    #[test]
    fn not_spans() {
        let cases = [
            "1-3 hours",
            "Scaling from 7 to 10 nodes",
            "May 12 2025 - Earthscope",
            "Saturday Oct 30th 2021 - Monday Nov 1st, 2021",
            "in 2019 - 2020",
            "10:15 - 11 engineers",
            "version 1.2 - 1.3",
            "3:1 to 4:1",
            "from 10 to 11",
            "at 10:15",
        ];
        for text in cases {
            assert_eq!(parse_span(text), None, "{text:?}");
        }
    }

    #[test]
    fn durations() {
        let cases: &[(&str, i64)] = &[
            ("lasting 1 hour and 48 minutes, from", 108 * 60),
            ("down for 47 minutes", 47 * 60),
            ("took 50 min", 50 * 60),
            ("2h 5m", 125 * 60),
            ("3 d 4 h", (3 * 24 + 4) * 3600),
            ("5 hours 26 minutes (10:45 - 16:11 UTC)", (5 * 60 + 26) * 60),
            ("1h30", 90 * 60),
            ("1h30m", 90 * 60),
            ("2m30s", 150),
            ("1.5 hours", 90 * 60),
            ("a 47-minute outage", 47 * 60),
            ("within ten minutes of rollout", 600),
            ("just over nine hours", 9 * 3600),
            ("about an hour ago", 3600),
            ("for half an hour", 1800),
            ("4+ hours from deployment", 4 * 3600),
            ("timeout from 1s to 300ms", 1),
            ("for 2 weeks", 14 * 86_400),
            ("for 2 days, 3 hours and 4 minutes", 2 * 86_400 + 3 * 3600 + 240),
            ("servers taking >15min to start", 900),
            ("Every 24 hours a backup", 86_400),
            ("90 seconds", 90),
            ("Time to detection: 371 minutes", 371 * 60),
            ("1 hr 2 mins", 3720),
            ("30s", 30),
            ("5 Minutes", 300),
        ];
        for &(text, secs) in cases {
            assert_eq!(parse_duration(text), Some(Duration::seconds(secs)), "{text:?}");
        }
        assert_eq!(parse_duration("300ms"), Some(Duration::milliseconds(300)));
    }

    #[test]
    fn not_durations() {
        let cases = [
            "HTTP 500s",
            "220m CPU",
            "1944m",
            "it takes 1-3 hours",
            "1.2.11 was released",
            "500 GB disks",
            "5 Whys",
            "10x traffic",
            "once a day",
            "an outage",
            "3D printing",
            "5M users",
            "read-iops-12h.png",
            "10:15",
            "99999999999 hours",
            "",
        ];
        for text in cases {
            assert_eq!(parse_duration(text), None, "{text:?}");
        }
    }

    /// A tiny deterministic generator (xorshift64*), so the fuzz test needs no extra crates.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
        }
    }

    fn check_all(text: &str) {
        let in_text = |r: &Range<usize>| text.get(r.clone()).is_some();
        if let Some((_, r)) = parse_date(text) {
            assert!(in_text(&r), "{text:?}");
        }
        if let Some((_, r)) = find_date(text) {
            assert!(in_text(&r), "{text:?}");
        }
        if let Some((_, r)) = parse_time(text) {
            assert!(in_text(&r), "{text:?}");
        }
        if let Some(s) = leading_stamp(text) {
            assert!(text.get(s.consumed..).is_some(), "{text:?}");
            assert!(s.date.is_some() || s.time.is_some() || s.consumed > 0, "{text:?}");
        }
        if let Some(span) = parse_span(text) {
            let _ = span.duration();
        }
        if let Some(zone) = find_zone(text) {
            let _ = zone.resolve(date(2025, 3, 9), hm(2, 30));
            let _ = zone.label();
        }
        let _ = parse_duration(text);
    }

    #[test]
    fn never_panics_on_generated_text() {
        const PIECES: &[&str] = &[
            "0",
            "1",
            "2",
            "3",
            "5",
            "9",
            "12",
            "24",
            "2019",
            "0730",
            ":",
            "::",
            "/",
            "-",
            "+",
            ".",
            ",",
            " ",
            "  ",
            "\t",
            "\n",
            "|",
            "*",
            "**",
            "_",
            "`",
            "~",
            "[",
            "]",
            "(",
            ")",
            "?",
            "#",
            ">",
            "T",
            "Z",
            "am",
            "PM",
            "a.m.",
            "p.",
            "UTC",
            "GMT",
            "PST",
            "PT",
            "ET",
            "CEST",
            "IST",
            "March",
            "may",
            "Sept",
            "Friday",
            "1st",
            "th",
            "of",
            "to",
            "and",
            "between",
            "times in",
            "hour",
            "min",
            "s",
            "m",
            "h",
            "d",
            "half",
            "an",
            "Europe/",
            "Berlin",
            "America/New_York",
            "Etc/GMT+5",
            "\u{2212}",
            "\u{2013}",
            "\u{2014}",
            "\u{b1}",
            "\u{2248}",
            "\u{2192}",
            "\u{a0}",
            "\u{202f}",
            "é",
            "日本",
            "🚨",
            "\u{300}",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..4000 {
            let mut text = String::new();
            for _ in 0..rng.below(24) {
                text.push_str(PIECES[rng.below(PIECES.len())]);
            }
            check_all(&text);
            // Every suffix and prefix at a char boundary, so slicing lands next to multibyte characters.
            for (i, _) in text.char_indices() {
                check_all(&text[i..]);
                check_all(&text[..i]);
            }
        }
    }

    #[test]
    fn runs_in_linear_time_on_adversarial_text() {
        const UNITS: &[&str] = &[
            "1 ",
            "1",
            "1:",
            "10:15-",
            "10:15 - ",
            "12:00 to ",
            "March ",
            "Friday ",
            "1 March ",
            "a/",
            "Ab/ ",
            "UTC+",
            "(",
            "((",
            "~~",
            "**",
            "| ",
            "- ",
            "\u{2212}",
            "times in ",
            "1h",
            "1 hour and ",
            "an ",
            "?",
            "2019-11-",
            "between ",
            "\u{a0}",
            "            ",
        ];
        let start = std::time::Instant::now();
        for unit in UNITS {
            let text = unit.repeat(100_000 / unit.len());
            check_all(&text);
        }
        // Quadratic behaviour on 100 kB inputs would take minutes; linear takes well under a second.
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "took {:?}", start.elapsed());
    }
}
