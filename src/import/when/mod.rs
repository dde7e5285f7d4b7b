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

mod date_order;
mod dates;
mod durations;
mod relative;
mod rows;
mod scan;
mod spans;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
mod times;
mod zone;
mod zone_sentence;
mod zone_text;

use std::ops::Range;

pub use date_order::{DateOrder, FoundOrder, find as find_date_order, with_order as with_date_order};
pub use relative::{MomentZero, RelativeStamp, leading_relative, moment_zero};
pub use zone_sentence::zone_stated_for_all;

use jiff::tz::TimeZone;
use time::{Date, Duration, Month, Time, UtcOffset};

use dates::{date_at, date_time_gap, dates};
use durations::{duration_at, duration_left_ok};
use rows::{Openers, approx_marker, entry_sep, markdown_prefix, placeholder_at};
use scan::{at, before, is_word, seq, sign_at, skip_ws, space_len};
use spans::{range_times, span_at, tail_at};
use times::{Form, accept_alone, compact_cell_ok, compact_pair_ok, time_at, time_left_ok};
use zone_text::{Ctx, weak_context_before, zone_after, zone_at, zone_left_ok};

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
    /// Written as a compact military time (`0558`, `0631 hrs`, `0618Z`).
    pub compact: bool,
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
    /// The start's date as written at the range, with or without its year (`July 22`).
    pub start_day: Option<PartialDate>,
    /// The end's date as written at the range, with or without its year.
    pub end_day: Option<PartialDate>,
}

// ---------------------------------------------------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------------------------------------------------

/// The first time zone or offset mentioned anywhere in `text` (`16:58 UTC`, `(UTC+2)`, `All times in PDT`,
/// `Date and Time in CET`, `Europe/Berlin`).
pub fn find_zone(text: &str) -> Option<Zone> {
    let Some(first) = first_zone(text) else { return zone_phrase(text) };
    // `CET (UTC+1) until 02:00, then CEST (UTC+2)`, `Times in PST/PDT`: a text that names both
    // the standard and the daylight time of one region means the region's clock, whose
    // daylight saving the tz database knows.
    if let Zone::Fixed(offset) = first {
        let seconds = offset.whole_seconds();
        let both = zone_text::SEASONAL_PAIRS.iter().find(|(standard, daylight, _, offsets)| {
            (seconds == offsets.0 || seconds == offsets.1)
                && zone_text::names_word(text, standard)
                && zone_text::names_word(text, daylight)
        });
        if let Some(zone) = both.and_then(|(_, _, region, _)| Zone::named(region)) {
            return Some(zone);
        }
    }
    Some(first)
}

/// Zones named by a phrase rather than an abbreviation or offset: the local time of a country
/// as its documents write it (`北京时间`, `日本時間`, `한국 시간`).
const ZONE_PHRASES: &[(&str, &str)] = &[
    ("北京时间", "Asia/Shanghai"),
    ("北京時間", "Asia/Shanghai"),
    ("中国标准时间", "Asia/Shanghai"),
    ("台北時間", "Asia/Taipei"),
    ("台灣時間", "Asia/Taipei"),
    ("香港時間", "Asia/Hong_Kong"),
    ("日本時間", "Asia/Tokyo"),
    ("日本標準時", "Asia/Tokyo"),
    ("한국 시간", "Asia/Seoul"),
    ("한국시간", "Asia/Seoul"),
    ("Beijing time", "Asia/Shanghai"),
    ("horário de Brasília", "America/Sao_Paulo"),
    ("ora italiana", "Europe/Rome"),
    // North American zones named by their region's word, after a time (`8:51 AM Eastern`).
    ("Eastern Time", "America/New_York"),
    ("AM Eastern", "America/New_York"),
    ("PM Eastern", "America/New_York"),
    ("am Eastern", "America/New_York"),
    ("pm Eastern", "America/New_York"),
    ("Pacific Time", "America/Los_Angeles"),
    ("AM Pacific", "America/Los_Angeles"),
    ("PM Pacific", "America/Los_Angeles"),
    ("am Pacific", "America/Los_Angeles"),
    ("pm Pacific", "America/Los_Angeles"),
    ("Central Time", "America/Chicago"),
    ("Mountain Time", "America/Denver"),
    ("heure française", "Europe/Paris"),
    ("heure de Paris", "Europe/Paris"),
    ("hora peninsular", "Europe/Madrid"),
    ("deutscher Zeit", "Europe/Berlin"),
    ("hora de Brasília", "America/Sao_Paulo"),
    // A European country's local time, as its people name it.
    ("Nederlandse tijd", "Europe/Amsterdam"),
    ("Belgische tijd", "Europe/Brussels"),
    ("heure belge", "Europe/Brussels"),
    ("heure suisse", "Europe/Zurich"),
    ("Schweizer Zeit", "Europe/Zurich"),
    ("österreichischer Zeit", "Europe/Vienna"),
    ("hora de Portugal", "Europe/Lisbon"),
    ("hora de Lisboa", "Europe/Lisbon"),
    ("hora de España", "Europe/Madrid"),
    // Mexico's central time, as Mexicans name it (the country's own "tiempo del centro").
    ("hora del centro de México", "America/Mexico_City"),
    ("tiempo del centro de México", "America/Mexico_City"),
    ("hora del centro (CDMX)", "America/Mexico_City"),
    ("hora de la Ciudad de México", "America/Mexico_City"),
    ("hora de CDMX", "America/Mexico_City"),
];

fn zone_phrase(text: &str) -> Option<Zone> {
    // A phrase may be wrapped over two lines (`(ora\nitaliana)`).
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    ZONE_PHRASES.iter().find(|(phrase, _)| text.contains(phrase)).and_then(|(_, zone)| Zone::named(zone))
}

/// The standard and daylight abbreviations of `zone`'s region that `text` both names (`CET`
/// and `CEST` for `Europe/Berlin`): how [`find_zone`] came to read a region's clock, which the
/// importer tells the user, since the text named neither the region nor its zone.
pub fn seasons_named(text: &str, zone: &Zone) -> Option<(&'static str, &'static str)> {
    let Zone::Named { name, .. } = zone else { return None };
    zone_text::SEASONAL_PAIRS
        .iter()
        .find(|(standard, daylight, region, _)| {
            Zone::named(region).is_some_and(|region| region.label() == *name)
                && zone_text::names_word(text, standard)
                && zone_text::names_word(text, daylight)
        })
        .map(|(standard, daylight, _, _)| (*standard, *daylight))
}

fn first_zone(text: &str) -> Option<Zone> {
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

/// The first zone `text` states that is not one, as written: an offset out of range
/// (`UTC+24:00`, `GMT-15`, `10:15 +25:00`) or an IANA-style name the tz database does not
/// have (`Europe/Lodnon`). [`find_zone`] passes over these; the importer asks which zone was
/// meant rather than read the times in another.
pub fn find_bad_zone(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = at(b, i);
        let end = if c.is_ascii_digit() && time_left_ok(b, i) {
            // An offset after a time: `10:15 +25:00`.
            time_at(b, i).filter(|t| zone_after(text, t).is_none()).and_then(|t| {
                let k = skip_ws(b, t.end, 2);
                zone_text::bad_offset_end(b, k, false, true).map(|end| (k, end))
            })
        } else if c.is_ascii_alphabetic() && zone_left_ok(b, i) {
            zone_text::bad_zone_at(text, i).map(|end| (i, end))
        } else {
            None
        };
        if let Some((start, end)) = end {
            let start = if c.is_ascii_digit() { i } else { start };
            return text.get(start..end).map(str::to_owned);
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

/// The month a whole word names, in any of the importer's languages (`July`, `juillet`, `Juli`).
pub fn month_named(word: &str) -> Option<Month> {
    dates::month_named(word.trim())
}

/// A day of a month and nothing else, written `6/20` or `20/6` (a due date's short form): the
/// order is the one a number over 12 shows, else the document's, else none.
pub fn month_day_alone(text: &str) -> Option<PartialDate> {
    let (a, b) = text.trim().split_once('/')?;
    let number = |s: &str| (1..=2).contains(&s.len()).then(|| s.parse::<u8>().ok()).flatten();
    let (a, b) = (number(a)?, number(b)?);
    let (month, day) = if a == b || (b > 12 && a <= 12) {
        (a, b)
    } else if a > 12 && b <= 12 {
        (b, a)
    } else {
        match date_order::current()? {
            DateOrder::DayFirst => (b, a),
            DateOrder::MonthFirst => (a, b),
        }
    };
    let month = Month::try_from(month).ok()?;
    // It must exist in some year: checked against a leap year.
    Date::from_calendar_date(2000, month, day).ok()?;
    Some(PartialDate { year: None, month, day })
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
    stamp_of_row(line, false)
}

/// [`leading_stamp`] in a timeline whose rows are written with compact military times and no
/// separator (`- 0558 Route optimiser run completes`): a compact time followed by the text is
/// then a stamp too. Alone, `1015 widgets` is not read as a time; the caller decides, from the
/// other rows, that this timeline writes its times that way.
pub fn leading_stamp_compact_rows(line: &str) -> Option<Stamp> {
    stamp_of_row(line, true)
}

impl Stamp {
    /// A stamp read whole from `written` (a word for noon, `24:00`): no zone, range or compact form.
    pub fn written_as(
        date: Option<PartialDate>,
        time: Option<Time>,
        approximate: bool,
        written: Range<usize>,
    ) -> Stamp {
        let consumed = written.end;
        Stamp { date, time, end: None, zone: None, approximate, compact: false, written, consumed }
    }
}

fn stamp_of_row(line: &str, compact_rows: bool) -> Option<Stamp> {
    let b = line.as_bytes();
    let mut open = Openers::default();
    let mut i = markdown_prefix(b);
    i = open.open(b, i);
    i = skip_ws(b, i, 4);
    let (approximate, after_marker) = approx_marker(b, i);
    i = after_marker;
    // `from 10:50 to 11:05 — text`: a range written with its words.
    if let Some(word) = FROM_WORDS.iter().find(|w| scan::word_eq(b, i, w.len(), w) && space_len(b, i + w.len()) > 0) {
        let k = skip_ws(b, i + word.len(), 2);
        if at(b, k).is_ascii_digit() {
            i = k;
        }
    }
    // `ore 07.30 –`, `um 14:05:`: a word saying "at" before the row's time, where a separator
    // follows the time (`At 10:15 we restarted` is a sentence, not a row).
    if let Some(word) = AT_WORDS.iter().find(|w| scan::word_eq(b, i, w.len(), w) && space_len(b, i + w.len()) > 0) {
        let k = skip_ws(b, i + word.len(), 2);
        let separated = |end: usize| {
            let e = skip_ws(b, end, usize::MAX);
            e >= b.len() || at(b, e) == b'|' || open.closes(b, e) || entry_sep(b, e).is_some()
        };
        if at(b, k).is_ascii_digit()
            && time_at(b, k).or_else(|| times::dotted_time_at(b, k)).is_some_and(|t| separated(t.end))
        {
            i = k;
        }
    }
    // `翌午前0時20分`, `익일 00:40`, `le lendemain, 00:40`: "the next day", which the rows'
    // rollover at midnight already says.
    if let Some(word) = NEXT_DAY_WORDS.iter().find(|word| scan::word_eq(b, i, word.len(), word)) {
        let k = skip_ws(b, i + word.len(), 2);
        let k = if at(b, k) == b',' { skip_ws(b, k + 1, 2) } else { k };
        if at(b, k).is_ascii_digit() {
            i = k;
        }
    }
    if seq(b, i, NEXT_DAY.as_bytes()) {
        i += NEXT_DAY.len();
    }
    // `正午`, `정오`: noon, written as a word.
    if let Some(word) = NOON_WORDS.iter().find(|word| seq(b, i, word.as_bytes())) {
        let stamp = Stamp::written_as(None, Time::from_hms(12, 0, 0).ok(), approximate, after_marker..i + word.len());
        return close_stamp(b, stamp, open);
    }
    // `上午 10:00`, `오후 1시 50분`: the time reads its morning or afternoon word itself.
    let meridiem_word = times::meridiem_word_len(b, i);
    if meridiem_word > 0 && at(b, i + meridiem_word).is_ascii_digit() {
        i += meridiem_word;
    }

    if let Some((date, time, end)) = epoch_at(b, i) {
        let k = skip_ws(b, end, usize::MAX);
        let closes = k >= b.len() || at(b, k) == b'|' || open.closes(b, k) || entry_sep(b, k).is_some();
        if !closes {
            return None;
        }
        let stamp = Stamp {
            date: Some(date),
            time: Some(time),
            end: None,
            zone: Some(Zone::UTC),
            approximate,
            compact: false,
            written: after_marker..end,
            consumed: end,
        };
        return close_stamp(b, stamp, open);
    }

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
    } else if let Some(k) = dates::weekday_before_time(b, i) {
        time_pos = k;
    }

    // `14.03. 24:00`: the end of that day, which is the next day's midnight.
    if let Some(day) = date
        && time_pos > date_end
        && seq(b, time_pos, b"24:00")
        && !at(b, time_pos + 5).is_ascii_digit()
        && let Some(next) = day.next_day()
    {
        let stamp = Stamp::written_as(Some(next), Some(Time::MIDNIGHT), approximate, after_marker..time_pos + 5);
        return close_stamp(b, stamp, open);
    }
    let mut time = None;
    let mut end = None;
    let mut zone = None;
    let mut pos = None;
    let mut compact = false;
    let gap_ok = date.is_none() || time_pos > date_end;
    // `| 04.30 |`, `- 07.30 – text`: a dotted time where the row's separator or the cell's end
    // follows it (a dot alone would take `2.10 release` for a time).
    let dotted = || {
        let st = times::dotted_time_at(b, time_pos)?;
        let k = skip_ws(b, st.end, usize::MAX);
        let separated = k >= b.len() || at(b, k) == b'|' || open.closes(b, k) || entry_sep(b, k).is_some();
        separated.then_some(st)
    };
    if gap_ok
        && at(b, time_pos).is_ascii_digit()
        && let Some(st) = time_at(b, time_pos).or_else(dotted)
    {
        let start_zone = zone_after(line, &st);
        // `0631 hrs`: the word says it is a time, as a zone would.
        let hours_word = if st.form == Form::Compact { times::hours_word_end(b, st.end) } else { None };
        let after_start = start_zone.as_ref().map(|z| z.1).or(hours_word).unwrap_or(st.end);
        let tail = tail_at(line, after_start, &st, false);
        let ok = match st.form {
            Form::Colon => true,
            Form::Bare => st.meridiem.is_some() || tail.as_ref().is_some_and(|t| t.tok.meridiem.is_some()),
            Form::Compact => {
                start_zone.is_some()
                    || hours_word.is_some()
                    || tail.as_ref().is_some_and(|t| compact_pair_ok(&st, &t.tok, t.zone.is_some()))
                    || compact_cell_ok(b, after_start, &open, &st)
                    || (compact_rows && space_len(b, after_start) > 0)
            }
        };
        compact = st.form == Form::Compact;
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

    let pos = match pos {
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

    let compact = compact && time.is_some();
    let stamp = Stamp { date, time, end, zone, approximate, compact, written: after_marker..pos, consumed: pos };
    close_stamp(b, stamp, open)
}

/// Reads past what closes a stamp: closing emphasis and brackets, one separator, and the spaces
/// around them. A stamp followed by none of these (`10:15abc`) is not one.
fn close_stamp(b: &[u8], mut stamp: Stamp, mut open: Openers) -> Option<Stamp> {
    let core_end = stamp.consumed;
    let mut pos = core_end;
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
    stamp.consumed = pos;
    Some(stamp)
}

/// "From", before the first time of a range at the start of a row: English, German, French,
/// Spanish, Portuguese, Italian, Dutch.
const FROM_WORDS: &[&str] = &["from", "von", "de", "desde", "dalle", "dès", "van"];

/// "At" before a row's time: Italian, German, French, Spanish, Portuguese, Dutch, the
/// Scandinavian languages, English.
const AT_WORDS: &[&str] = &["ore", "alle", "um", "à", "a las", "às", "om", "kl.", "kl", "at"];

/// "The next day" before a time (Japanese, Chinese).
pub(super) const NEXT_DAY: &str = "翌";
/// "The next day" as a word before a row's time, longest first where one starts another:
/// Japanese, Chinese, Korean, English, French, German, Spanish, Portuguese, Italian, Dutch.
const NEXT_DAY_WORDS: &[&str] = &[
    "翌日",
    "次日",
    "隔天",
    "隔日",
    "第二天",
    "익일",
    "다음날",
    "다음 날",
    "the next day",
    "next day",
    "le lendemain",
    "lendemain",
    "am folgetag",
    "folgetag",
    "am nächsten tag",
    "al día siguiente",
    "día siguiente",
    "no dia seguinte",
    "dia seguinte",
    "il giorno dopo",
    "giorno dopo",
    "de volgende dag",
    "volgende dag",
];
/// Noon written as a word (Japanese and Chinese, Korean).
const NOON_WORDS: &[&str] = &["正午", "정오"];

/// Earliest and latest Unix time read as an epoch in a timeline row: 2001-09-09 (the first
/// ten-digit second) to 2100-01-01. Outside them a ten-digit number is an id, not a time.
const EPOCH_SECONDS: Range<i64> = 1_000_000_000..4_102_444_800;

/// A Unix time at `i`: ten digits of seconds, optionally with a fraction (`1758230712.5`), or
/// thirteen digits of milliseconds, always UTC. Returns the UTC date and time (to the second)
/// and where the number ends.
fn epoch_at(b: &[u8], i: usize) -> Option<(PartialDate, Time, usize)> {
    if !at(b, i).is_ascii_digit() || !time_left_ok(b, i) {
        return None;
    }
    let digits = b[i..].iter().take(14).take_while(|c| c.is_ascii_digit()).count();
    let mut end = i + digits;
    let text = std::str::from_utf8(b.get(i..end)?).ok()?;
    let seconds: i64 = match digits {
        10 => text.parse().ok()?,
        13 => text.parse::<i64>().ok()? / 1000,
        _ => return None,
    };
    if digits == 10 && at(b, end) == b'.' && at(b, end + 1).is_ascii_digit() {
        end += 1 + b[end + 1..].iter().take(9).take_while(|c| c.is_ascii_digit()).count();
    }
    if !EPOCH_SECONDS.contains(&seconds) || is_word(at(b, end)) || at(b, end) == b'.' {
        return None;
    }
    let instant = time::OffsetDateTime::from_unix_timestamp(seconds).ok()?;
    let date = PartialDate { year: Some(instant.year()), month: instant.month(), day: instant.day() };
    Some((date, instant.time(), end))
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
