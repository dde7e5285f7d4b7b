//! Instants as people write them: UTC offsets, wall-clock input, and derived durations.
//!
//! Every incident keeps the offset its authors wrote in. Instants are stored in UTC and always
//! shown in that offset, with the offset named, so a reader elsewhere is never misled.

use std::fmt;

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The widest offsets in use on Earth: UTC-12:00 to UTC+14:00.
const MIN_OFFSET_MINUTES: i32 = -12 * 60;
const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// A UTC offset in whole minutes, as written by the incident's authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Offset(i32);

impl Offset {
    pub const UTC: Offset = Offset(0);

    /// Accepts minutes from the database; out-of-range values are clamped (the CHECK
    /// constraint keeps them in range, so this never happens in practice).
    pub fn from_minutes(minutes: i32) -> Offset {
        Offset(minutes.clamp(MIN_OFFSET_MINUTES, MAX_OFFSET_MINUTES))
    }

    pub fn minutes(self) -> i32 {
        self.0
    }

    pub fn to_utc_offset(self) -> UtcOffset {
        // In range by construction, and whole minutes always make a valid offset.
        UtcOffset::from_whole_seconds(self.0 * 60).unwrap_or(UtcOffset::UTC)
    }

    /// Parses `UTC`, `Z`, `GMT`, `UTC+2`, `UTC+02:00`, `+0530`, `-5`, `UTC−3` (Unicode minus).
    pub fn parse(input: &str) -> Result<Offset, OffsetError> {
        let trimmed = input.trim();
        let upper = trimmed.to_ascii_uppercase();
        let rest = upper.strip_prefix("UTC").or_else(|| upper.strip_prefix("GMT")).unwrap_or(&upper).trim();
        if rest.is_empty() || rest == "Z" {
            return if trimmed.is_empty() { Err(OffsetError::Empty) } else { Ok(Offset::UTC) };
        }
        let rest = rest.replace('\u{2212}', "-");
        let (sign, digits) = match rest.as_bytes().first() {
            Some(b'+') => (1, &rest[1..]),
            Some(b'-') => (-1, &rest[1..]),
            _ => return Err(OffsetError::Invalid),
        };
        let digits = digits.trim();
        let (hours, minutes) = if let Some((h, m)) = digits.split_once(':') {
            (h, m)
        } else if digits.len() == 4 {
            digits.split_at(2)
        } else {
            (digits, "0")
        };
        let all_digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(hours) || !all_digits(minutes) {
            return Err(OffsetError::Invalid);
        }
        let hours: i32 = hours.parse().map_err(|_| OffsetError::Invalid)?;
        let minutes: i32 = minutes.parse().map_err(|_| OffsetError::Invalid)?;
        if minutes >= 60 {
            return Err(OffsetError::Invalid);
        }
        let total = sign * (hours * 60 + minutes);
        if !(MIN_OFFSET_MINUTES..=MAX_OFFSET_MINUTES).contains(&total) {
            return Err(OffsetError::OutOfRange);
        }
        Ok(Offset(total))
    }
}

/// Written the way people write it: `UTC`, `UTC+2`, `UTC-3:30`.
impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("UTC");
        }
        let sign = if self.0 < 0 { '-' } else { '+' };
        let (hours, minutes) = (self.0.abs() / 60, self.0.abs() % 60);
        if minutes == 0 { write!(f, "UTC{sign}{hours}") } else { write!(f, "UTC{sign}{hours}:{minutes:02}") }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OffsetError {
    #[error("Enter the UTC offset the times are in, such as UTC+2 or UTC-05:00.")]
    Empty,
    #[error("Write the offset as UTC, UTC+2, UTC+05:30 or -03:00.")]
    Invalid,
    #[error("Offsets run from UTC-12 to UTC+14.")]
    OutOfRange,
}

const DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

const HM: &[BorrowedFormatItem<'_>] = format_description!("[hour]:[minute]");
const HMS: &[BorrowedFormatItem<'_>] = format_description!("[hour]:[minute]:[second]");

/// Parses a calendar date as sent by `<input type="date">`: `2025-03-01`.
pub fn parse_date(input: &str) -> Option<Date> {
    Date::parse(input.trim(), DATE).ok()
}

/// Parses a wall-clock time: `10:15`, `10:15:30`, `10:15 AM`, `10:15pm`.
pub fn parse_time(input: &str) -> Option<Time> {
    let lower = input.trim().to_ascii_lowercase();
    let (clock, meridiem) = if let Some(c) = lower.strip_suffix("am") {
        (c.trim_end(), Some(false))
    } else if let Some(c) = lower.strip_suffix("pm") {
        (c.trim_end(), Some(true))
    } else {
        (lower.as_str(), None)
    };
    // Accept single-digit hours ("9:05") by padding before handing to the strict parser.
    let padded;
    let clock = if clock.find(':') == Some(1) {
        padded = format!("0{clock}");
        padded.as_str()
    } else {
        clock
    };
    let time = Time::parse(clock, HMS).or_else(|_| Time::parse(clock, HM)).ok()?;
    match meridiem {
        None => Some(time),
        Some(pm) => {
            let hour = time.hour();
            if hour == 0 || hour > 12 {
                return None;
            }
            let hour = match (hour, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            };
            time.replace_hour(hour).ok()
        }
    }
}

/// `at`, if Hindsight can store it and show it in every offset a postmortem may be shown in
/// (UTC-12 to UTC+14). A time at the very ends of the calendar (`9999-12-31 23:00 UTC-12`) has
/// no date in some of them: forms refuse it and the importer reads it as no time, rather than
/// failing later on every page.
pub fn showable(at: OffsetDateTime) -> Option<OffsetDateTime> {
    let (west, east) = (Offset::from_minutes(i32::MIN), Offset::from_minutes(i32::MAX));
    at.checked_to_offset(west.to_utc_offset())?;
    at.checked_to_offset(east.to_utc_offset())?;
    Some(at)
}

/// Parses `<input type="datetime-local">` output (`2025-03-01T10:15`, with optional
/// seconds; a space may stand for the `T`) as a wall-clock time in `offset`.
pub fn parse_local_datetime(input: &str, offset: Offset) -> Option<OffsetDateTime> {
    let input = input.trim();
    let (date, time) = input.split_once(['T', 't', ' '])?;
    let local = PrimitiveDateTime::new(parse_date(date)?, parse_time(time)?);
    showable(local.assume_offset(offset.to_utc_offset()))
}

/// Wall-clock date and time in `offset`, formatted for `<input type="datetime-local">`.
pub fn datetime_local_value(instant: OffsetDateTime, offset: Offset) -> String {
    let local = instant.to_offset(offset.to_utc_offset());
    format!("{}T{}", format_date(local.date()), format_hm(local.time()))
}

/// `2025-03-01`.
pub fn format_date(date: Date) -> String {
    date.format(DATE).unwrap_or_default()
}

/// `10:15`.
pub fn format_hm(time: Time) -> String {
    time.format(HM).unwrap_or_default()
}

/// `instant` without its fraction of a second.
pub fn whole_seconds(instant: OffsetDateTime) -> OffsetDateTime {
    instant.replace_nanosecond(0).unwrap_or(instant)
}

/// The local date and time of `instant` in `offset`.
pub fn local(instant: OffsetDateTime, offset: Offset) -> OffsetDateTime {
    instant.to_offset(offset.to_utc_offset())
}

/// `2025-03-01 10:15 UTC+2`: a complete, unambiguous time for metadata lines.
pub fn format_full(instant: OffsetDateTime, offset: Offset) -> String {
    let local = local(instant, offset);
    format!("{} {} {offset}", format_date(local.date()), format_hm(local.time()))
}

/// RFC 3339 in the incident's offset, for `<time datetime>` attributes.
pub fn format_rfc3339(instant: OffsetDateTime, offset: Offset) -> String {
    local(instant, offset).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A derived duration, rounded down to the minute: `50 min`, `2 h 5 min`, `3 d 4 h`.
pub fn format_duration(duration: Duration) -> String {
    let total_minutes = duration.whole_minutes().max(0);
    if total_minutes == 0 {
        return "under 1 min".to_owned();
    }
    let (days, hours, minutes) = (total_minutes / 1440, total_minutes / 60 % 24, total_minutes % 60);
    let mut parts = Vec::with_capacity(3);
    if days > 0 {
        parts.push(format!("{days} d"));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if minutes > 0 {
        parts.push(format!("{minutes} min"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    #[test]
    fn offsets_parse_in_the_forms_people_write() {
        let cases = [
            ("UTC", 0),
            ("Z", 0),
            ("gmt", 0),
            ("UTC+2", 120),
            ("utc+02:00", 120),
            ("+02:00", 120),
            ("+0530", 330),
            ("UTC-5", -300),
            ("UTC\u{2212}3", -180),
            ("-03:30", -210),
            ("UTC+14", 840),
            ("UTC-12:00", -720),
            (" UTC + 1 ", 60),
        ];
        for (input, minutes) in cases {
            assert_eq!(Offset::parse(input), Ok(Offset(minutes)), "{input}");
        }
    }

    #[test]
    fn bad_offsets_say_what_is_wrong() {
        assert_eq!(Offset::parse(""), Err(OffsetError::Empty));
        assert_eq!(Offset::parse("UTC+15"), Err(OffsetError::OutOfRange));
        assert_eq!(Offset::parse("UTC-13"), Err(OffsetError::OutOfRange));
        for bad in ["CEST", "2", "UTC+2:75", "+123", "UTC++2", "UTC+a"] {
            assert_eq!(Offset::parse(bad), Err(OffsetError::Invalid), "{bad}");
        }
    }

    #[test]
    fn offsets_display_like_the_seed() {
        assert_eq!(Offset(120).to_string(), "UTC+2");
        assert_eq!(Offset(0).to_string(), "UTC");
        assert_eq!(Offset(-210).to_string(), "UTC-3:30");
        assert_eq!(Offset(345).to_string(), "UTC+5:45");
    }

    #[test]
    fn offset_display_parses_back() {
        for minutes in (MIN_OFFSET_MINUTES..=MAX_OFFSET_MINUTES).step_by(15) {
            let offset = Offset(minutes);
            assert_eq!(Offset::parse(&offset.to_string()), Ok(offset));
        }
    }

    #[test]
    fn times_parse_in_12_and_24_hour_clocks() {
        assert_eq!(parse_time("10:15"), Some(time!(10:15)));
        assert_eq!(parse_time("9:05"), Some(time!(09:05)));
        assert_eq!(parse_time("10:15:30"), Some(time!(10:15:30)));
        assert_eq!(parse_time("10:15 AM"), Some(time!(10:15)));
        assert_eq!(parse_time("12:05 am"), Some(time!(00:05)));
        assert_eq!(parse_time("12:05 PM"), Some(time!(12:05)));
        assert_eq!(parse_time("1:30pm"), Some(time!(13:30)));
        for bad in ["", "25:00", "10", "13:00 PM", "0:30 AM", "ten past"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn local_datetimes_are_read_in_the_incident_offset() {
        let offset = Offset(120);
        let parsed = parse_local_datetime("2025-03-01T10:15", offset);
        assert_eq!(parsed, Some(datetime!(2025-03-01 08:15 UTC)));
        assert_eq!(parse_local_datetime("2025-03-01 10:15:00", offset), parsed);
        assert_eq!(parse_local_datetime("2025-02-30T10:15", offset), None);
        assert_eq!(parse_local_datetime("yesterday", offset), None);
        let instant = datetime!(2025-03-01 08:15 UTC);
        assert_eq!(datetime_local_value(instant, offset), "2025-03-01T10:15");
        assert_eq!(format_full(instant, offset), "2025-03-01 10:15 UTC+2");
        assert_eq!(format_rfc3339(instant, offset), "2025-03-01T10:15:00+02:00");
        assert_eq!(parse_date("2025-03-01"), Some(date!(2025 - 03 - 01)));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::minutes(50)), "50 min");
        assert_eq!(format_duration(Duration::minutes(60)), "1 h");
        assert_eq!(format_duration(Duration::minutes(125)), "2 h 5 min");
        assert_eq!(format_duration(Duration::minutes(3 * 1440 + 240)), "3 d 4 h");
        assert_eq!(format_duration(Duration::seconds(59)), "under 1 min");
        assert_eq!(format_duration(Duration::minutes(-5)), "under 1 min");
    }
}
