//! Durations: numbers in digits or words, unit words, and units that decrease within one duration.

use time::Duration;

use super::scan::{at, before, is_word, letters, read_num, skip_ws, space_len, word_eq};

const NS_SECOND: i128 = 1_000_000_000;

pub(super) fn duration_left_ok(b: &[u8], i: usize) -> bool {
    let p = before(b, i);
    if matches!(p, b'.' | b'/' | b'_' | b'$' | b'#' | b':' | b'\\' | b'@' | b'=') {
        return false;
    }
    // `10時40分`, `10点40分`, `10시 40분`: minutes of a clock time, not a duration (nor the
    // `12日` of `6月12日`, which is a day of the month).
    let mut j = i;
    if p == b' ' {
        j -= 1;
    }
    if CLOCK_BEFORE.iter().any(|word| j >= word.len() && b[..j].ends_with(word.as_bytes())) {
        return false;
    }
    !(p == b'-' && is_word(before(b, i - 1)))
}

/// What ends a clock's hour or a date's month in Chinese, Japanese and Korean: a number after
/// it is a clock's minutes or a day of the month.
const CLOCK_BEFORE: &[&str] = &["時", "时", "点", "點", "시", "月", "월"];

const SECOND: i128 = NS_SECOND;
const MINUTE: i128 = 60 * NS_SECOND;
const HOUR: i128 = 3600 * NS_SECOND;
const DAY: i128 = 86_400 * NS_SECOND;
const WEEK: i128 = 604_800 * NS_SECOND;

/// Nanoseconds per unit for a unit word of ASCII letters, in the importer's languages:
/// English, German, French, Spanish, Portuguese, Italian and Dutch.
fn unit_ns(b: &[u8], i: usize, n: usize) -> Option<i128> {
    const UNITS: &[(&[&str], i128)] = &[
        (&["ms", "msec", "msecs", "millisecond", "milliseconds"], 1_000_000),
        (
            &[
                "s", "sec", "secs", "second", "seconds", "sek", "sekunde", "sekunden", "seconde", "secondes",
                "segundo", "segundos", "secondi", "seconden",
            ],
            SECOND,
        ),
        (&["m", "min", "mins", "minute", "minutes", "minuten", "minuto", "minutos", "minuti", "minuut"], MINUTE),
        (
            &[
                "h", "hr", "hrs", "hour", "hours", "std", "stunde", "stunden", "heure", "heures", "hora", "horas",
                "ora", "ore", "uur", "uren",
            ],
            HOUR,
        ),
        (
            &[
                "d", "day", "days", "tag", "tage", "tagen", "jour", "jours", "dia", "dias", "giorno", "giorni", "dag",
                "dagen",
            ],
            DAY,
        ),
        (
            &[
                "w",
                "wk",
                "wks",
                "week",
                "weeks",
                "woche",
                "wochen",
                "semaine",
                "semaines",
                "semana",
                "semanas",
                "settimana",
                "settimane",
                "weken",
            ],
            WEEK,
        ),
    ];
    // Single-letter units only in lower case (`3D`, `5M` are not durations).
    if n == 1 && !at(b, i).is_ascii_lowercase() {
        return None;
    }
    UNITS.iter().find(|(names, _)| names.iter().any(|w| word_eq(b, i, n, w))).map(|&(_, ns)| ns)
}

/// Units written with letters beyond ASCII: Spanish `día`, and the Chinese, Japanese and
/// Korean units, which need no space around them (`1時間42分`, `1小时42分钟`, `1시간 42분`).
/// Longer first, so `分钟` is not read as `分`. Not `日` or `일` alone: `12日` is a date.
const OTHER_UNITS: &[(&str, i128, bool)] = &[
    ("días", DAY, true),
    ("día", DAY, true),
    ("時間", HOUR, false),
    ("小时", HOUR, false),
    ("小時", HOUR, false),
    ("个小时", HOUR, false),
    ("個小時", HOUR, false),
    ("시간", HOUR, false),
    ("分钟", MINUTE, false),
    ("分鐘", MINUTE, false),
    ("分間", MINUTE, false),
    ("分", MINUTE, false),
    ("분", MINUTE, false),
    ("秒钟", SECOND, false),
    ("秒鐘", SECOND, false),
    ("秒間", SECOND, false),
    ("秒", SECOND, false),
    ("초", SECOND, false),
    ("日間", DAY, false),
    ("天", DAY, false),
    ("週間", WEEK, false),
];

/// The char at `i` (a char boundary), if any.
fn char_at(b: &[u8], i: usize) -> Option<char> {
    let rest = b.get(i..)?;
    let len = match rest.first()? {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    };
    std::str::from_utf8(rest.get(..len)?).ok()?.chars().next()
}

/// The unit at `i`: nanoseconds per unit and the unit's length in bytes. A unit of letters
/// ends where its word does (`5 minutes`, not `5 mínimo`).
fn unit_at(b: &[u8], i: usize) -> Option<(i128, usize)> {
    let n = letters(b, i, 12);
    let ends_word = |end: usize| !char_at(b, end).is_some_and(|c| c.is_alphanumeric() && !c.is_ascii());
    if (1..=12).contains(&n)
        && ends_word(i + n)
        && let Some(ns) = unit_ns(b, i, n)
    {
        return Some((ns, n));
    }
    OTHER_UNITS.iter().find_map(|&(word, ns, latin)| {
        let end = i + word.len();
        let whole = b.get(i..end).is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()));
        (whole && (!latin || !char_at(b, end).is_some_and(char::is_alphanumeric))).then_some((ns, word.len()))
    })
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

pub(super) fn duration_at(b: &[u8], i: usize) -> Option<Duration> {
    let mut total: i128 = 0;
    let mut last_unit = i128::MAX;
    let mut parts = 0;
    let mut j = i;
    // Where the last unit ended, and whether a number glued to it follows (`1h30`).
    let mut glued = false;
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
        let found = unit_at(b, u).filter(|&(unit, _)| unit < last_unit);
        let Some((unit, n)) = found else {
            // `1h30`, `1 h 42`, `1 Std. 42`: minutes after hours, their unit left out.
            if last_unit == HOUR
                && !word
                && (1..=2).contains(&(e - j))
                && milli % 1000 == 0
                && milli < 60_000
                && bare_minutes_end(b, e, glued)
            {
                total = total.checked_add(milli / 1000 * MINUTE)?;
            }
            break;
        };
        let after = u + n;
        // A lone glued `s`/`m` after a large number is a plural or a unit of something else (`HTTP 500s`,
        // `220m` CPU), not seconds or minutes.
        let lone = parts == 0 && u == e && n == 1 && unit <= MINUTE && !at(b, after).is_ascii_digit();
        if lone && milli >= 100_000 {
            break;
        }
        if matches!(at(b, after), b'.' | b'/' | b'_') && is_word(at(b, after + 1)) {
            break;
        }
        total = total.checked_add(milli.checked_mul(unit)? / 1000)?;
        last_unit = unit;
        parts += 1;
        j = after;
        // `1 Std. 42 Min.`: an abbreviated unit's full stop.
        if at(b, j) == b'.' && n <= 4 && (space_len(b, j + 1) > 0 || at(b, j + 1) == 0) {
            j += 1;
        }
        if at(b, j).is_ascii_digit() {
            // `1h30m`, `2m30s`, `1h30`, `1時間42分`.
            glued = true;
            continue;
        }
        glued = false;
        let mut k = skip_ws(b, j, 3);
        if at(b, k) == b',' {
            k = skip_ws(b, k + 1, 3);
        }
        let m = letters(b, k, 4);
        if (AND.iter().any(|and| word_eq(b, k, m, and)) || at(b, k) == b'&') && space_len(b, k + m.max(1)) > 0 {
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

/// `and` between the parts of a duration, in the importer's languages with Latin letters.
const AND: &[&str] = &["and", "und", "et", "y", "e", "en"];

/// Whether minutes written without their unit end at `e`: glued to the hours (`1h30`), nothing
/// of a word follows; spaced (`1 h 42`), nothing but punctuation or the line's end.
fn bare_minutes_end(b: &[u8], e: usize, glued: bool) -> bool {
    if glued {
        return !is_word(at(b, e));
    }
    let k = skip_ws(b, e, 3);
    !char_at(b, k).is_some_and(|c| c.is_alphanumeric() || c == ':')
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use crate::import::when::parse_duration;

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
    fn durations_in_other_languages() {
        let cases: &[(&str, i64)] = &[
            ("Dauer: 2 Std. 15 Min.", 135),
            ("3 Stunden und 5 Minuten", 185),
            ("45 Min. Ausfall", 45),
            ("Durée : 2 h 07", 127),
            ("2h07 d'interruption", 127),
            ("1 heure et 20 minutes", 80),
            ("3 heures", 180),
            ("2 horas y 10 minutos", 130),
            ("1 día", 24 * 60),
            ("2 ore e 30 minuti", 150),
            ("1 uur en 5 minuten", 65),
            ("影響時間：2時間5分", 125),
            ("約45分間", 45),
            ("持续时间：3小时12分钟", 192),
            ("持續時間：1小時8分鐘", 68),
            ("지속 시간: 2시간 9분", 129),
            ("90초", 1),
        ];
        for &(text, minutes) in cases {
            let expected = if text.ends_with('초') { Duration::seconds(90) } else { Duration::minutes(minutes) };
            assert_eq!(parse_duration(text), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn clock_times_and_dates_are_not_durations() {
        for text in ["10時40分に復旧", "10点40分恢复", "오전 10시 40분", "6月12日", "2 hours 30 users", "5 mínimo"]
        {
            let found = parse_duration(text);
            assert!(found.is_none() || found == Some(Duration::hours(2)), "{text:?}: {found:?}");
        }
        assert_eq!(parse_duration("2 hours 30 users"), Some(Duration::hours(2)));
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
}
