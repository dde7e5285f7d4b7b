//! Times relative to a stated moment zero, as incident teams write them: `T0 = 14:05 UTC, 4 June
//! 2025` once, then rows `T-3`, `T0`, `T+0:12` (hours and minutes), `T+12` (minutes) or `+19m`.

use std::ops::Range;

use time::{Duration, PrimitiveDateTime, Time};

use super::rows::{Openers, markdown_prefix};
use super::scan::{at, before, is_word, read_num, seq, sign_at, skip_ws};
use super::{PartialDate, Stamp, Zone, find_date, find_zone, parse_time};

/// A row's time written relative to moment zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelativeStamp {
    /// Minutes after moment zero (negative before it).
    pub minutes: i64,
    /// Where the relative time is written in the line.
    pub written: Range<usize>,
    /// Bytes taken from the start of the line, as [`Stamp::consumed`].
    pub consumed: usize,
}

/// Moment zero as a document states it (`T0 = 14:05 UTC, 4 June 2025`, `T0: 09:30`,
/// `T0 is 22:10 CET`): its date when the same line gives one, its time and its zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MomentZero {
    pub date: Option<PartialDate>,
    pub time: Time,
    pub zone: Option<Zone>,
}

impl MomentZero {
    /// The date (when known) and time `minutes` after moment zero.
    pub fn at(&self, minutes: i64) -> (Option<PartialDate>, Time) {
        let offset = Duration::minutes(minutes);
        match self.date.and_then(|date| date.date()) {
            Some(date) => {
                let moved = PrimitiveDateTime::new(date, self.time).checked_add(offset);
                match moved {
                    Some(moved) => (
                        Some(PartialDate { year: Some(moved.year()), month: moved.month(), day: moved.day() }),
                        moved.time(),
                    ),
                    None => (None, self.time + offset),
                }
            }
            None => (None, self.time + offset),
        }
    }
}

/// The first statement of moment zero in `text`.
pub fn moment_zero(text: &str) -> Option<MomentZero> {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find("T0")) {
        let i = from + found;
        from = i + 2;
        if is_word(before(b, i)) || is_word(at(b, i + 2)) {
            continue;
        }
        let k = skip_ws(b, i + 2, 2);
        let k = if matches!(at(b, k), b'=' | b':') {
            k + 1
        } else if seq(b, k, b"is ") {
            k + 3
        } else {
            continue;
        };
        let line_end = text[k..].find('\n').map_or(text.len(), |end| k + end);
        let line = &text[k..line_end];
        // The time comes first thing after the sign (emphasis and spaces aside).
        let Some((time, range)) = parse_time(line).filter(|(_, range)| range.start <= 4) else { continue };
        let rest = &line[range.end..];
        return Some(MomentZero { date: find_date(rest).map(|(date, _)| date), time, zone: find_zone(line) });
    }
    None
}

/// A relative time at the start of a timeline row: `- T+0:12 — text`, `**T-3** text`,
/// `+19m — text`. A bare `+5` is no time (`+5 hosts`); after `T` a bare number is minutes.
pub fn leading_relative(line: &str) -> Option<RelativeStamp> {
    let b = line.as_bytes();
    let mut open = Openers::default();
    let start = skip_ws(b, open.open(b, markdown_prefix(b)), 4);
    let mut i = start;
    let after_t = at(b, i) == b'T';
    if after_t {
        i += 1;
        let glued_digit = at(b, i + 1).is_ascii_digit() || (at(b, i + 1) == b':' && at(b, i + 2).is_ascii_digit());
        if at(b, i) == b'0' && !glued_digit {
            // `T0 = 14:05 UTC` states moment zero; it is not a row.
            if defines_zero(line, i + 1) {
                return None;
            }
            return finish(b, start, 0, i + 1, open);
        }
    }
    let (negative, sign_len, _) = sign_at(b, i)?;
    if !after_t && negative {
        return None;
    }
    let (value, digits) = read_num(b, i + sign_len, 4);
    if digits == 0 || digits > 3 {
        return None;
    }
    let mut end = i + sign_len + digits;
    let minutes = if at(b, end) == b':' && at(b, end + 1).is_ascii_digit() {
        let (minutes, two) = read_num(b, end + 1, 3);
        if two != 2 || minutes > 59 {
            return None;
        }
        end += 3;
        i64::from(value) * 60 + i64::from(minutes)
    } else if let Some(unit) = ["min", "m", "h"].iter().find(|unit| seq(b, end, unit.as_bytes())) {
        let scale = if *unit == "h" { 60 } else { 1 };
        end += unit.len();
        i64::from(value) * scale
    } else if after_t {
        i64::from(value)
    } else {
        return None;
    };
    if is_word(at(b, end)) {
        return None;
    }
    finish(b, start, if negative { -minutes } else { minutes }, end, open)
}

/// Whether what follows `T0` at `end` states its time: `= 14:05`, `is 22:10`, `: 09:30`.
fn defines_zero(line: &str, end: usize) -> bool {
    let b = line.as_bytes();
    let k = skip_ws(b, end, 2);
    let value = match at(b, k) {
        b'=' => return true,
        b':' => k + 1,
        _ if seq(b, k, b"is ") => return true,
        _ => return false,
    };
    line.get(value..).and_then(parse_time).is_some_and(|(_, range)| range.start <= 4)
}

/// Closing emphasis, the separator and the spaces after a relative time that ends at `end`.
fn finish(b: &[u8], start: usize, minutes: i64, end: usize, open: Openers) -> Option<RelativeStamp> {
    if is_word(at(b, end)) {
        return None;
    }
    let stamp = Stamp {
        date: None,
        time: None,
        end: None,
        zone: None,
        approximate: false,
        compact: false,
        written: start..end,
        consumed: end,
    };
    let closed = super::close_stamp(b, stamp, open)?;
    Some(RelativeStamp { minutes, written: start..end, consumed: closed.consumed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::when::tests::{hm, partial};

    #[test]
    fn relative_rows() {
        let cases: &[(&str, i64, &str)] = &[
            ("- T-3 — First declines", -3, "First declines"),
            ("- T0 — Alert fires", 0, "Alert fires"),
            ("- T+0:04 — Ack", 4, "Ack"),
            ("- T+1:52 — Impact ends.", 112, "Impact ends."),
            ("- +19m — Processor confirms", 19, "Processor confirms"),
            ("**T+12** Paged", 12, "Paged"),
            ("- +2h: escalated", 120, "escalated"),
            ("- T−5 — before", -5, "before"),
        ];
        for &(line, minutes, rest) in cases {
            let stamp = leading_relative(line).unwrap_or_else(|| panic!("no relative time in {line:?}"));
            assert_eq!((stamp.minutes, &line[stamp.consumed..]), (minutes, rest), "{line:?}");
        }
    }

    #[test]
    fn not_relative_rows() {
        for line in [
            "- +5 hosts added",
            "- -3 degrees",
            "- T1000 series",
            "- Tuesday",
            "- T+ later",
            "+1 (555) 0100",
            "- T0day",
            "- 1.2.1420",
        ] {
            assert_eq!(leading_relative(line), None, "{line:?}");
        }
    }

    #[test]
    fn the_statement_of_moment_zero_is_not_a_row() {
        for line in ["T0 = 14:05 UTC", "- T0: 09:30, 1 May", "T0 is 22:10 CET"] {
            assert_eq!(leading_relative(line), None, "{line:?}");
        }
        assert!(leading_relative("- T0: alert fires").is_some());
    }

    #[test]
    fn moment_zero_as_stated() {
        let zero = moment_zero("**T0 = 14:05 UTC, 4 June 2025** (the first alert).").expect("T0");
        assert_eq!((zero.time, zero.date), (hm(14, 5), Some(partial(Some(2025), 6, 4))));
        assert_eq!(zero.zone.as_ref().map(Zone::label).as_deref(), Some("UTC"));
        assert_eq!(zero.at(-3), (Some(partial(Some(2025), 6, 4)), hm(14, 2)));
        let late = moment_zero("T0: 23:50, 1 March 2025").expect("T0");
        assert_eq!(late.at(20), (Some(partial(Some(2025), 3, 2)), hm(0, 10)));
        assert_eq!(moment_zero("We call T0 the first alert."), None);
        assert_eq!(moment_zero("T0 = the moment the alert fired, about 10:15"), None);
        assert_eq!(moment_zero("ST0 = 10:15"), None);
    }
}
