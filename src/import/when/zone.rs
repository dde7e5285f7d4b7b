//! The [`Zone`] type: looking a zone up by IANA name, the offset in force at a local date and time (from the
//! bundled tz database for named zones), the instant it gives, and a normalised label.

use std::fmt;

use jiff::tz::{AmbiguousOffset, TimeZone};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::Zone;

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone::Fixed(UtcOffset::UTC);

    /// The zone with this IANA name (any case, e.g. `europe/berlin`), from the bundled tz database.
    /// The zone of a city a zone statement names (`Ortszeit Berlin`, `heure de Paris`, `New
    /// York time`): the tz database's zone of that name in any region. Only for a text that is
    /// known to state the zone: in prose a city is just a place.
    pub fn of_city_named_in(text: &str) -> Option<Zone> {
        const REGIONS: &[&str] = &["Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian"];
        let words: Vec<&str> =
            text.split(|c: char| !(c.is_alphabetic() || c == '-')).filter(|w| w.len() >= 3).take(12).collect();
        let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
        // Two words first (`New York`, `Los Angeles`), then one.
        let pairs = words.windows(2).filter(|pair| pair.iter().all(|w| capitalised(w))).map(|pair| pair.join("_"));
        let singles = words.iter().filter(|w| capitalised(w)).map(|w| (*w).to_owned());
        pairs.chain(singles).find_map(|city| REGIONS.iter().find_map(|region| Zone::named(&format!("{region}/{city}"))))
    }

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::{Date, PrimitiveDateTime, UtcOffset};

    use crate::import::when::tests::{date, hm};
    use crate::import::when::{Zone, find_zone};

    fn offset(secs: i32) -> UtcOffset {
        UtcOffset::from_whole_seconds(secs).unwrap()
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
}
