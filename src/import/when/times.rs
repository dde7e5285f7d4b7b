//! Times of day: time tokens (`10:15`, `10 AM`, `0730`), AM/PM, what may precede a time, and when one counts.

use time::Time;

use super::rows::{Openers, entry_sep};
use super::scan::{MINUS_SIGN, at, before, is_word, read_num, seq, skip_ws, space_len};
use super::zone_text::glued_zone_word;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meridiem {
    Am,
    Pm,
}

impl Meridiem {
    pub(super) fn other(self) -> Self {
        match self {
            Meridiem::Am => Meridiem::Pm,
            Meridiem::Pm => Meridiem::Am,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// `10:15`, `10:15:30`
    Colon,
    /// `10` (only a time with AM/PM, or as the start of a range whose end has AM/PM)
    Bare,
    /// `0730`
    Compact,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) hour: u8,
    minute: u8,
    second: u8,
    nano: u32,
    pub(super) meridiem: Option<Meridiem>,
    pub(super) form: Form,
    pub(super) seconds: bool,
    pub(super) start: usize,
    pub(super) end: usize,
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
    /// An hour and minutes written from `start` to `end`, as a clock writes them.
    fn clock(hour: u8, minute: u8, start: usize, end: usize) -> Tok {
        Tok { hour, minute, second: 0, nano: 0, meridiem: None, form: Form::Colon, seconds: false, start, end }
    }

    pub(super) fn time_as(&self, meridiem: Option<Meridiem>) -> Option<Time> {
        Time::from_hms_nano(to_24(self.hour, meridiem), self.minute, self.second, self.nano).ok()
    }

    pub(super) fn time(&self) -> Option<Time> {
        self.time_as(self.meridiem)
    }

    /// A compact time that could as well be a year (1900–2099).
    fn year_like(&self) -> bool {
        self.form == Form::Compact && (19..=20).contains(&self.hour)
    }
}

/// Whether a time may start at `i`, judging by what precedes it (not part of a word, number, version, IP
/// address, path or offset). `T` is allowed after a digit (`2025-09-29T16:54`).
pub(super) fn time_left_ok(b: &[u8], i: usize) -> bool {
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
pub(super) fn time_at(b: &[u8], i: usize) -> Option<Tok> {
    let (value, n) = read_num(b, i, 5);
    let mut tok = Tok::clock(0, 0, i, i);
    let mut j = i + n;
    if (1..=2).contains(&n)
        && let Some(worded) = worded_time(b, i, j, value)
    {
        return Some(Tok {
            hour: worded.hour,
            minute: worded.minute,
            meridiem: worded.meridiem,
            end: worded.end,
            ..tok
        });
    }
    let digit_after = |c: u8, k: usize| matches!(c, b':' | b'.' | b',') && at(b, k).is_ascii_digit();
    // A full-width colon (`19：02`) as Chinese and Japanese text writes it.
    let colon = if at(b, j) == b':' {
        1
    } else if seq(b, j, "：".as_bytes()) {
        3
    } else {
        0
    };
    match n {
        1 | 2 if colon > 0 => {
            let (minute, nm) = read_num(b, j + colon, 3);
            if nm != 2 || value > 23 || minute > 59 {
                return None;
            }
            tok.hour = u8::try_from(value).ok()?;
            tok.minute = u8::try_from(minute).ok()?;
            j += colon + 2;
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
    // `上午 10:00`, `下午 4:30`, `오후 2:20`: morning or afternoon written before the time.
    if tok.meridiem.is_none() && tok.form == Form::Colon && tok.hour <= 12 {
        tok.meridiem = meridiem_word_before(b, i);
    }
    tok.end = j;
    Some(tok)
}

/// `04.30`, `9.05`: an hour and two digits of minutes after a dot, as German, Italian, Danish
/// and Finnish write a time. Alone it may be a number or a version (`2.10`), so only a row's
/// start reads it, where a separator or a cell's end follows (see `stamp_of_row`).
pub(super) fn dotted_time_at(b: &[u8], i: usize) -> Option<Tok> {
    let (hour, n) = read_num(b, i, 3);
    if !(1..=2).contains(&n) || hour > 23 || at(b, i + n) != b'.' {
        return None;
    }
    let minute = minutes_at(b, i + n + 1)?;
    let end = i + n + 3;
    if at(b, end).is_ascii_digit() || (matches!(at(b, end), b'.' | b',' | b':') && at(b, end + 1).is_ascii_digit()) {
        return None;
    }
    Some(Tok::clock(u8::try_from(hour).ok()?, minute, i, end))
}

/// A time written with words or units rather than a colon (see [`worded_time`]).
struct Worded {
    hour: u8,
    minute: u8,
    meridiem: Option<Meridiem>,
    end: usize,
}

/// Units after an hour (Japanese, Chinese, Korean) and after its minutes.
const HOUR_UNITS: &[&str] = &["時", "时", "点", "點", "시"];
const MINUTE_UNITS: &[&str] = &["分", "분"];
/// Words before an hour that say morning or afternoon (Japanese, Chinese, Korean).
const AM_WORDS: &[&str] = &["午前", "上午", "早上", "凌晨", "오전"];
const PM_WORDS: &[&str] = &["午後", "下午", "中午", "晚上", "오후"];

/// The length of a morning or afternoon word at `i` and the space after it (`下午 `, `오후 `),
/// or 0: a row or a range's end may start with one before its time.
pub(super) fn meridiem_word_len(b: &[u8], i: usize) -> usize {
    AM_WORDS
        .iter()
        .chain(PM_WORDS)
        .find(|word| seq(b, i, word.as_bytes()))
        .map_or(0, |word| skip_ws(b, i + word.len(), 1) - i)
}
/// Words after a time that say it is one (German, Dutch): `14.20 Uhr`, `14 Uhr`, `14.20 uur`.
const CLOCK_WORDS: &[&str] = &["uhr", "uur"];

/// Two digits of minutes at `k`, not followed by another digit.
fn minutes_at(b: &[u8], k: usize) -> Option<u8> {
    let (minute, n) = read_num(b, k, 3);
    (n == 2 && minute <= 59).then(|| u8::try_from(minute).ok()).flatten()
}

/// Morning or afternoon written just before `i` (one space allowed): `午後2時`, `오후 2시`.
fn meridiem_word_before(b: &[u8], i: usize) -> Option<Meridiem> {
    let ends_at = |word: &str, end: usize| end >= word.len() && seq(b, end - word.len(), word.as_bytes());
    let ends = |end: usize| {
        if PM_WORDS.iter().any(|w| ends_at(w, end)) {
            Some(Meridiem::Pm)
        } else if AM_WORDS.iter().any(|w| ends_at(w, end)) {
            Some(Meridiem::Am)
        } else {
            None
        }
    };
    ends(i).or_else(|| (before(b, i) == b' ').then(|| ends(i - 1)).flatten())
}

/// The hour `value` (its digits from `i` to `j`) as a time written without a colon:
/// `10時15分`, `午後2時20分`, `14点半`, `오후 2시 20분` (units); `19h02`, `19h` (French);
/// `14.20 Uhr`, `14 Uhr`, `14.20 uur` (German, Dutch).
fn worded_time(b: &[u8], i: usize, j: usize, value: u32) -> Option<Worded> {
    let hour = u8::try_from(value).ok().filter(|&h| h <= 24)?;
    if let Some(unit) = super::dates::unit_at(b, j, HOUR_UNITS) {
        let meridiem = meridiem_word_before(b, i);
        let k = skip_ws(b, j + unit, 1);
        let (m, nm) = read_num(b, k, 3);
        let (minute, end) = if (1..=2).contains(&nm) && m <= 59 {
            let minute_unit = super::dates::unit_at(b, k + nm, MINUTE_UNITS)?;
            (u8::try_from(m).ok()?, k + nm + minute_unit)
        } else if seq(b, j + unit, "半".as_bytes()) {
            (30, j + unit + "半".len())
        } else {
            (0, j + unit)
        };
        let hour = if hour == 24 { 0 } else { hour };
        if meridiem.is_some() && hour > 12 {
            return None;
        }
        return Some(Worded { hour, minute, meridiem, end });
    }
    if hour == 24 {
        return None;
    }
    // `19h02`, and `6 h 55` as Quebec writes it: `h` then two digits.
    // French typography puts no-break spaces around the `h`.
    let inline_space = |k: usize| if matches!(at(b, k), b'\n' | b'\r') { 0 } else { space_len(b, k) };
    let (h, k) = match inline_space(j) {
        0 => (j, j + 1),
        before => (j + before, j + before + 1 + inline_space(j + before + 1)),
    };
    if at(b, h) == b'h' && (h == j || k > h + 1) {
        let minute = minutes_at(b, k)?;
        return (!is_word(at(b, k + 2))).then_some(Worded { hour, minute, meridiem: None, end: k + 2 });
    }
    // `14.20 Uhr`, `14 Uhr`.
    let (minute, k) = match at(b, j) {
        b'.' | b':' => (minutes_at(b, j + 1)?, j + 3),
        _ => (0, j),
    };
    // `8.40am`, `1.15 pm`, as British English writes a time: the dot is a time's only with
    // morning or afternoon after it (`8.40` alone is a number).
    if at(b, j) == b'.'
        && hour <= 12
        && let Some((meridiem, end)) = meridiem_after(b, k)
    {
        return Some(Worded { hour, minute, meridiem: Some(meridiem), end });
    }
    let word = skip_ws(b, k, 1);
    let said =
        CLOCK_WORDS.iter().find(|w| super::scan::word_eq(b, word, w.len(), w) && !is_word(at(b, word + w.len())))?;
    Some(Worded { hour, minute, meridiem: None, end: word + said.len() })
}

/// After a compact time, the word that says it is one (`0631 hrs`): the position after the
/// word. `hours` is not taken: `1200 hours of work` is a quantity.
pub(super) fn hours_word_end(b: &[u8], j: usize) -> Option<usize> {
    let k = skip_ws(b, j, 1);
    (k > j && !matches!(at(b, j), b'\n' | b'\r'))
        .then(|| ["hrs"].iter().find(|w| super::scan::word_eq(b, k, w.len(), w) && !is_word(at(b, k + w.len()))))
        .flatten()
        .map(|w| k + w.len())
}

/// A time found on its own in prose: `HH:MM` always, a bare hour only with AM/PM, `HHMM` only with a zone.
pub(super) fn accept_alone(t: &Tok, zoned: bool) -> bool {
    match t.form {
        Form::Colon => true,
        Form::Bare => t.meridiem.is_some(),
        Form::Compact => zoned,
    }
}

/// Two compact times as a range: fine unless both could be years and no zone says otherwise.
pub(super) fn compact_pair_ok(start: &Tok, end: &Tok, zoned: bool) -> bool {
    end.form == Form::Compact && (zoned || !(start.year_like() && end.year_like()))
}

/// A compact time in a timeline row: alone in a table cell or the line, closed by emphasis, or followed by a
/// separator when it cannot be a year.
pub(super) fn compact_cell_ok(b: &[u8], i: usize, open: &Openers, t: &Tok) -> bool {
    let k = skip_ws(b, i, usize::MAX);
    k >= b.len() || at(b, k) == b'|' || open.closes(b, k) || (!t.year_like() && entry_sep(b, k).is_some())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::Time;

    use crate::import::when::parse_time;

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
            // Times written with units or words.
            ("2024年6月5日（水）10時15分", (10, 15, 0, 0), "10時15分"),
            ("午後2時20分に", (14, 20, 0, 0), "2時20分"),
            ("午前0時5分", (0, 5, 0, 0), "0時5分"),
            ("下午2点半", (14, 30, 0, 0), "2点半"),
            ("14时20分", (14, 20, 0, 0), "14时20分"),
            ("오후 2시 20분에", (14, 20, 0, 0), "2시 20분"),
            ("오전 9시", (9, 0, 0, 0), "9시"),
            ("à 19h02, la file", (19, 2, 0, 0), "19h02"),
            ("um 14.20 Uhr", (14, 20, 0, 0), "14.20 Uhr"),
            ("10.09.2024, 14:20 Uhr – x", (14, 20, 0, 0), "14:20 Uhr"),
            ("gegen 14 Uhr", (14, 0, 0, 0), "14 Uhr"),
            ("om 9.05 uur", (9, 5, 0, 0), "9.05 uur"),
            ("entre 6 h 55 et 10 h 05", (6, 55, 0, 0), "6 h 55"),
            ("entre 6\u{a0}h\u{a0}55 et", (6, 55, 0, 0), "6\u{a0}h\u{a0}55"),
            ("- 19：00　开学", (19, 0, 0, 0), "19：00"),
            ("- 下午 4:30　開始", (16, 30, 0, 0), "4:30"),
            ("- 上午 10:00　活動", (10, 0, 0, 0), "10:00"),
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
            "19h",
            "3 hours",
            "v14.20",
            "14.20 Uhrwerk",
            "25時",
            "午後13時",
            "1.5 uur",
            "3 h later",
            "5 h 5",
        ];
        for text in cases {
            assert_eq!(parse_time(text), None, "{text:?}");
        }
    }
}
