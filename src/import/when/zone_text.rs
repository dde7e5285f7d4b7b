//! Zones in text: offsets, `UTC`/`GMT` with an offset, `Z`, IANA names, phrases, abbreviations and generic
//! words, and the context a weak one needs.

use std::ops::Range;

use time::UtcOffset;

use super::Zone;
use super::scan::{any_eq, at, before, is_word, letters, read_num, seq, sign_at, skip_ws, word_before, word_eq};
use super::times::Tok;

#[derive(Debug, Clone, Copy)]
pub(super) enum Ctx {
    /// Right after a time; `glued` when no space came between, `seconds` when the time had seconds,
    /// `instant` when it is the time of an ISO 8601 instant (`2024-09-02T13:47`), whose glued
    /// `-07:00` is its offset, not a range's end.
    AfterTime { glued: bool, seconds: bool, instant: bool },
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
    // German: Mitteleuropäische (Sommer)Zeit, Osteuropäische (Sommer)Zeit.
    ("MEZ", Rule::Offset(H), false),
    ("MESZ", Rule::Offset(2 * H), false),
    ("OEZ", Rule::Offset(2 * H), false),
    ("OESZ", Rule::Offset(3 * H), false),
    // French Canadian: heure normale / avancée de l'Est, du Pacifique.
    ("HNE", Rule::Offset(-5 * H), false),
    ("HAE", Rule::Offset(-4 * H), false),
    ("HNP", Rule::Offset(-8 * H), false),
    ("HAP", Rule::Offset(-7 * H), false),
    ("EET", Rule::Offset(2 * H), false),
    ("EEST", Rule::Offset(3 * H), false),
    ("WET", Rule::Offset(0), true),
    ("WEST", Rule::Offset(H), true),
    ("BST", Rule::Offset(H), false),
    ("IST", Rule::Offset(5 * H + 1800), false),
    ("MSK", Rule::Offset(3 * H), false),
    // Brasília, Argentina, South Africa, western Indonesia, Pakistan, Indochina (ICT is also
    // "information and communication technology": only beside a time).
    ("BRT", Rule::Offset(-3 * H), false),
    ("ART", Rule::Offset(-3 * H), true),
    ("SAST", Rule::Offset(2 * H), false),
    ("WIB", Rule::Offset(7 * H), false),
    ("PKT", Rule::Offset(5 * H), false),
    ("ICT", Rule::Offset(7 * H), true),
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

/// Standard and daylight abbreviations of one region: (standard, daylight, the region's zone,
/// (standard offset, daylight offset) in seconds). Central and Eastern European time follow
/// the EU's rules, the same in every member state; one of their zones stands for all.
pub(super) const SEASONAL_PAIRS: &[(&str, &str, &str, (i32, i32))] = &[
    ("PST", "PDT", "America/Los_Angeles", (-8 * H, -7 * H)),
    ("MST", "MDT", "America/Denver", (-7 * H, -6 * H)),
    ("CST", "CDT", "America/Chicago", (-6 * H, -5 * H)),
    ("EST", "EDT", "America/New_York", (-5 * H, -4 * H)),
    ("AKST", "AKDT", "America/Anchorage", (-9 * H, -8 * H)),
    ("HNE", "HAE", "America/Toronto", (-5 * H, -4 * H)),
    ("CET", "CEST", "Europe/Berlin", (H, 2 * H)),
    ("MEZ", "MESZ", "Europe/Berlin", (H, 2 * H)),
    ("EET", "EEST", "Europe/Helsinki", (2 * H, 3 * H)),
    ("GMT", "BST", "Europe/London", (0, H)),
    ("AEST", "AEDT", "Australia/Sydney", (10 * H, 11 * H)),
    ("NZST", "NZDT", "Pacific/Auckland", (12 * H, 13 * H)),
];

/// Whether `text` has `name` as a whole word, upper case as written.
pub(super) fn names_word(text: &str, name: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices(name).any(|(i, _)| !is_word(before(b, i)) && !is_word(at(b, i + name.len())))
}

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

/// The offset `±hours:minutes`, if it is one in use: from UTC-12 to UTC+14, as the forms take.
fn fixed(negative: bool, hours: u32, minutes: u32) -> Option<Zone> {
    let total = i32::try_from(hours.checked_mul(60)?.checked_add(minutes)?).ok()?;
    let total = if negative { -total } else { total };
    if minutes > 59 || !(-12 * 60..=14 * 60).contains(&total) {
        return None;
    }
    UtcOffset::from_whole_seconds(total * 60).ok().map(Zone::Fixed)
}

/// Whether a zone word may start at `i`: not inside a word, path, identifier or hyphenated word.
pub(super) fn zone_left_ok(b: &[u8], i: usize) -> bool {
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
pub(super) fn weak_context_before(b: &[u8], i: usize) -> bool {
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
pub(super) fn glued_zone_word(b: &[u8], j: usize) -> bool {
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
pub(super) fn zone_after(text: &str, t: &Tok) -> Option<(Zone, usize)> {
    let b = text.as_bytes();
    let k = skip_ws(b, t.end, 2);
    let instant = t.start >= 2 && before(b, t.start) == b'T' && before(b, t.start - 1).is_ascii_digit();
    zone_at(text, k, Ctx::AfterTime { glued: k == t.end, seconds: t.seconds, instant })
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

/// The sign of an offset after `UTC`/`GMT` at `i`: [`sign_at`]'s, or an en dash (`UTC–5`).
/// Returns (negative, length, is ASCII hyphen).
fn utc_sign(b: &[u8], i: usize) -> Option<(bool, usize, bool)> {
    sign_at(b, i).or_else(|| seq(b, i, "\u{2013}".as_bytes()).then_some((true, 3, false)))
}

/// An offset glued to `UTC`/`GMT`: `+2`, `+02`, `+02:00`, `+5:30`, `+0530`, `−7`, `–5`.
fn utc_suffix(b: &[u8], i: usize) -> Option<(Zone, usize)> {
    let (negative, len, _) = utc_sign(b, i)?;
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

/// Where a would-be offset at `i` ends when it is not one: a sign and digits that no offset
/// has (`+24:00`, `+1530`, `+5:75`). Called where a valid offset was not found. After `UTC`
/// (`loose`) any digits count (`UTC+2.5`, `UTC+123`); after a time only an offset's shape
/// (`±HH:MM`, `±HHMM`), since `10:15 +5 hosts` is no zone. Where a time came just before
/// (`after_time`), a hyphen or an en dash before a clock time (`10:00 UTC-17:30`, `10:15 -1730`,
/// `10:15–10:40`) is taken for a range's dash, not a sign.
pub(super) fn bad_offset_end(b: &[u8], i: usize, loose: bool, after_time: bool) -> Option<usize> {
    let (_, len, hyphen) = utc_sign(b, i)?;
    let hyphen = hyphen || seq(b, i, "\u{2013}".as_bytes());
    let j = i + len;
    let (value, n) = read_num(b, j, 6);
    let mut end = j + n;
    // (hours, minutes, whether it has a clock's shape)
    let (hours, minutes, clock) = if matches!(at(b, end), b':' | b'.') && at(b, end + 1).is_ascii_digit() {
        let (minutes, digits) = read_num(b, end + 1, 3);
        let clock = at(b, end) == b':' && n <= 2 && digits == 2;
        end += 1 + digits;
        if !loose && !clock {
            return None;
        }
        (value, minutes, clock)
    } else if n == 4 {
        (value / 100, value % 100, true)
    } else if loose && n > 0 {
        (value, 0, false)
    } else {
        return None;
    };
    if is_word(at(b, end)) || (after_time && hyphen && clock && hours <= 23 && minutes <= 59) {
        return None;
    }
    Some(end)
}

/// Areas of the IANA tz database: a name that starts with one of them and a slash is meant as
/// a zone (`Europe/Lodnon` is a misspelt zone, `docs/runbook` is not one).
const IANA_AREAS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];

/// A zone stated at `i` that is not one: `UTC`/`GMT` with an offset out of range, or a name in
/// an IANA area that the tz database does not have. Returns its end.
pub(super) fn bad_zone_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let n = letters(b, i, 32);
    let word = b.get(i..i + n)?;
    if word.eq_ignore_ascii_case(b"utc") || word.eq_ignore_ascii_case(b"gmt") {
        // A time just before (`10:00 UTC-17:30`) may make the hyphen a range's dash.
        let mut k = i;
        while k > 0 && b[k - 1] == b' ' {
            k -= 1;
        }
        let after_time = k < i && (before(b, k).is_ascii_digit() || matches!(before(b, k), b'm' | b'M'));
        return if utc_suffix(b, i + n).is_none() { bad_offset_end(b, i + n, true, after_time) } else { None };
    }
    // Written as the tz database writes it (`Europe/Berlin`): `europe/west1` is a region's name.
    if at(b, i + n) == b'/'
        && at(b, i + n + 1).is_ascii_uppercase()
        && IANA_AREAS.iter().any(|area| word == area.as_bytes())
    {
        let mut end = i + n + 1;
        while end - i <= 64 && (is_word(at(b, end)) || matches!(at(b, end), b'_' | b'/' | b'-' | b'+')) {
            end += 1;
        }
        while end > i + n + 1 && matches!(at(b, end - 1), b'/' | b'-' | b'+' | b'_') {
            end -= 1;
        }
        return (end > i + n + 1 && iana_at(text, i).is_none_or(|(_, found)| found < end)).then_some(end);
    }
    None
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
pub(super) fn zone_at(text: &str, i: usize, ctx: Ctx) -> Option<(Zone, usize)> {
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
            Ctx::AfterTime { glued, seconds, instant } => (!hyphen || seconds || (instant && glued), glued),
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
        if let Some(found) = utc_suffix(b, i + n) {
            return Some(found);
        }
        // `UTC+24:00` is no zone at all, not UTC (`find_bad_zone` reports it).
        let after_time = matches!(ctx, Ctx::AfterTime { .. });
        return bad_offset_end(b, i + n, true, after_time).is_none().then_some((Zone::UTC, i + n));
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

#[cfg(test)]
mod tests {
    use crate::import::when::find_zone;

    #[test]
    fn zones_found() {
        let cases: &[(&str, &str)] = &[
            ("16:58 UTC", "UTC"),
            ("2024-09-02T13:47-07:00", "UTC-7"),
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
            // Both seasons of one region named: the region's clock.
            ("Times in PST/PDT", "America/Los_Angeles"),
            ("ora italiana: CET (UTC+1) fino alle 02:00 del 30 marzo, poi CEST (UTC+2)", "Europe/Berlin"),
            ("All times PST. The CESTA team", "UTC-8"),
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
            "2024-09-02 13:47-14:00",
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
    fn zones_that_are_not_zones_are_named_not_read_as_another() {
        use crate::import::when::find_bad_zone;
        let bad: &[(&str, &str)] = &[
            ("All times UTC+24:00", "UTC+24:00"),
            ("(GMT-15)", "GMT-15"),
            ("UTC+14:01", "UTC+14:01"),
            ("Times in UTC-12:30", "UTC-12:30"),
            ("UTC+5:75", "UTC+5:75"),
            ("utc+2.5", "utc+2.5"),
            ("UTC+123", "UTC+123"),
            ("UTC\u{2212}13", "UTC\u{2212}13"),
            ("10:15 +25:00 deploy", "10:15 +25:00"),
            ("10:15 +1460", "10:15 +1460"),
            ("Times in Europe/Lodnon", "Europe/Lodnon"),
            ("Etc/GMT+15", "Etc/GMT+15"),
            ("America/New_Yrok time", "America/New_Yrok"),
        ];
        for (text, written) in bad {
            assert_eq!(find_bad_zone(text).as_deref(), Some(*written), "{text:?}");
            assert!(find_zone(text).is_none_or(|zone| zone.label() != "UTC"), "{text:?} was read as UTC");
        }
        let fine = [
            "UTC+14:00",
            "UTC-12",
            "UTC+5:45",
            "16:58 UTC",
            "10:00 UTC-17:30 UTC",
            "from 10:00 UTC-11:30",
            "10:15 +5 hosts",
            "10:15 -1730",
            "- 10:15\u{2013}10:40 \u{2014} compared IDs",
            "Europe/Berlin",
            "Etc/GMT+5",
            "deployed to europe/west1",
            "see docs/Runbook",
            "score +25:00",
            "",
        ];
        for text in fine {
            assert_eq!(find_bad_zone(text), None, "{text:?}");
        }
        // At its limits an offset is read; beyond them it is not.
        assert_eq!(find_zone("UTC+14").map(|zone| zone.label()).as_deref(), Some("UTC+14"));
        assert_eq!(find_zone("UTC-12:00").map(|zone| zone.label()).as_deref(), Some("UTC-12"));
        assert_eq!(find_zone("Times in UTC+24:00"), None);
    }
}
