//! Durations: numbers in digits or words, unit words, and units that decrease within one duration.

use time::Duration;

use super::scan::{at, before, is_word, letters, read_num, skip_ws, space_len, word_eq};

const NS_SECOND: i128 = 1_000_000_000;

pub(super) fn duration_left_ok(b: &[u8], i: usize) -> bool {
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

pub(super) fn duration_at(b: &[u8], i: usize) -> Option<Duration> {
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
