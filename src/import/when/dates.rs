//! Dates: month names, weekdays and numeric dates, what may surround them, the gap between a date and its
//! time, and the methods of [`PartialDate`].

use time::{Date, Month};

use super::PartialDate;
use super::scan::{at, before, is_word, read_num, seq, skip_ws, space_len, word_eq};

impl PartialDate {
    /// The date, when a year was written and the day exists in it.
    pub fn date(&self) -> Option<Date> {
        Date::from_calendar_date(self.year?, self.month, self.day).ok()
    }

    /// The day after (without a year written, as in a year that is not a leap year, unless
    /// the date is 29 February).
    pub fn next_day(&self) -> Option<PartialDate> {
        let year = self.year.unwrap_or(if self.month == Month::February && self.day == 29 { 2000 } else { 2001 });
        let next = Date::from_calendar_date(year, self.month, self.day).ok()?.next_day()?;
        Some(PartialDate { year: self.year.map(|_| next.year()), month: next.month(), day: next.day() })
    }

    /// The date, using `year` when none was written.
    pub fn or_year(&self, year: i32) -> Option<Date> {
        Date::from_calendar_date(self.year.unwrap_or(year), self.month, self.day).ok()
    }
}

pub(super) struct DateTok {
    pub(super) date: PartialDate,
    pub(super) start: usize,
    pub(super) end: usize,
    /// A year-less numeric month-day (`03-26`), only read at the start of timeline rows.
    pub(super) numeric_md: bool,
}

/// Month names and their abbreviations: English, then German, French, Spanish, Portuguese,
/// Italian and Dutch (a name shared by several languages is listed once). Matched as whole words,
/// ASCII letters in any case; abbreviations that are common words in English text (`ago`,
/// `set`, `out`, `gen`, `mag`) are left out.
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
    // German
    ("januar", Month::January),
    // Austrian: Jänner, Jän., Feber.
    ("jänner", Month::January),
    ("jän", Month::January),
    ("feber", Month::February),
    ("februar", Month::February),
    ("märz", Month::March),
    ("mär", Month::March),
    ("mai", Month::May),
    ("juni", Month::June),
    ("juli", Month::July),
    ("oktober", Month::October),
    ("okt", Month::October),
    ("dezember", Month::December),
    ("dez", Month::December),
    // French
    ("janvier", Month::January),
    ("janv", Month::January),
    ("février", Month::February),
    ("fevrier", Month::February),
    ("févr", Month::February),
    ("mars", Month::March),
    ("avril", Month::April),
    ("avr", Month::April),
    ("juin", Month::June),
    ("juillet", Month::July),
    ("juil", Month::July),
    ("août", Month::August),
    ("aout", Month::August),
    ("septembre", Month::September),
    ("octobre", Month::October),
    ("novembre", Month::November),
    ("décembre", Month::December),
    ("decembre", Month::December),
    ("déc", Month::December),
    // Spanish
    ("enero", Month::January),
    ("ene", Month::January),
    ("febrero", Month::February),
    ("marzo", Month::March),
    ("abril", Month::April),
    ("abr", Month::April),
    ("mayo", Month::May),
    ("junio", Month::June),
    ("julio", Month::July),
    ("agosto", Month::August),
    ("septiembre", Month::September),
    ("setiembre", Month::September),
    ("octubre", Month::October),
    ("noviembre", Month::November),
    ("diciembre", Month::December),
    ("dic", Month::December),
    // Portuguese
    ("janeiro", Month::January),
    ("fevereiro", Month::February),
    ("março", Month::March),
    ("maio", Month::May),
    ("junho", Month::June),
    ("julho", Month::July),
    ("setembro", Month::September),
    ("outubro", Month::October),
    ("novembro", Month::November),
    ("dezembro", Month::December),
    // Italian
    ("gennaio", Month::January),
    ("febbraio", Month::February),
    ("aprile", Month::April),
    ("maggio", Month::May),
    ("giugno", Month::June),
    ("giu", Month::June),
    ("luglio", Month::July),
    ("lug", Month::July),
    ("settembre", Month::September),
    ("ottobre", Month::October),
    ("ott", Month::October),
    ("dicembre", Month::December),
    // Dutch
    ("januari", Month::January),
    ("februari", Month::February),
    ("maart", Month::March),
    ("mrt", Month::March),
    ("mei", Month::May),
    ("augustus", Month::August),
];

/// Weekdays, in the same languages, whole words only: short forms that are also month
/// abbreviations or common words (`mar`, `sam`) are left out, since a weekday must be followed
/// by a date.
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
    "sun", // German
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag", // French
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche", // Spanish
    "lunes",
    "martes",
    "miércoles",
    "miercoles",
    "jueves",
    "viernes",
    "sábado",
    "sabado",
    "domingo",
    // Portuguese (`segunda-feira`: the `-feira` is read past)
    "segunda",
    "terça",
    "terca",
    "quarta",
    "quinta",
    "sexta", // Italian
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica", // Dutch
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

/// Whether the byte at `i` continues a word: an ASCII letter or digit, or the first byte of a
/// Latin letter with a diacritic (U+00C0–U+024F).
fn word_goes_on(b: &[u8], i: usize) -> bool {
    is_word(at(b, i)) || matches!(at(b, i), 0xC3..=0xC9)
}

/// The longest of `names` written at `i` as a whole word (ASCII letters in any case), and its
/// length in bytes.
fn name_at<'n>(b: &[u8], i: usize, names: impl IntoIterator<Item = &'n str>) -> Option<usize> {
    names.into_iter().filter(|name| whole_word_at(b, i, name)).map(str::len).max()
}

fn whole_word_at(b: &[u8], i: usize, name: &str) -> bool {
    b.get(i..i + name.len()).is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()))
        && !word_goes_on(b, i + name.len())
}

/// The month named at `i` as a whole word (the longest name that fits), and the name's length
/// in bytes.
fn month_at(b: &[u8], i: usize) -> Option<(Month, usize)> {
    MONTHS
        .iter()
        .filter(|(name, _)| whole_word_at(b, i, name))
        .max_by_key(|(name, _)| name.len())
        .map(|&(name, month)| (month, name.len()))
}

/// The month `word` names, if it is a month's name and nothing else.
pub(super) fn month_named(word: &str) -> Option<Month> {
    month_at(word.as_bytes(), 0).filter(|&(_, len)| len == word.len()).map(|(month, _)| month)
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
    // `1er`, `1re` (French).
    let ok = ["st", "nd", "rd", "th", "er", "re"].iter().any(|s| word_eq(b, e, 2, s)) && !is_word(at(b, e + 2));
    ok.then_some(e + 2)
}

/// An optional year after a month-name date: `, 2025`, ` 2025`, `,2025`.
fn year_after(b: &[u8], e: usize) -> (Option<u32>, usize) {
    let j = if at(b, e) == b',' { e + 1 } else { e };
    let mut k = skip_ws(b, j, 3);
    if k == e {
        return (None, e);
    }
    // `8 de octubre de 2024`, `5 de junho de 2024`, `3 agosto del 2024`.
    for link in ["de", "del"] {
        if word_eq(b, k, link.len(), link) && space_len(b, k + link.len()) > 0 {
            let year = skip_ws(b, k + link.len(), 3);
            if at(b, year).is_ascii_digit() {
                k = year;
            }
        }
    }
    let (year, n) = read_num(b, k, 5);
    let c = at(b, k + 4);
    if n == 4 && !is_word(c) && !(matches!(c, b':' | b'-' | b'/' | b'.') && at(b, k + 5).is_ascii_digit()) {
        (Some(year), k + 4)
    } else {
        (None, e)
    }
}

pub(super) fn date_at(b: &[u8], i: usize, month_day: bool) -> Option<DateTok> {
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
    if let Some(n) = name_at(b, i, WEEKDAYS.iter().copied()) {
        let mut j = i + n;
        if seq(b, j, b"-feira") {
            j += 6;
        }
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
        // `Tuesday 2025-03-11`, `Samstag, 17. Jänner 2026`, `Friday, March 7`.
        let d = if at(b, k).is_ascii_digit() {
            numeric_date(b, k, false).filter(|d| d.date.year.is_some()).or_else(|| day_first(b, k))
        } else {
            month_first(b, k)
        };
        return d.map(|d| DateTok { start: i, ..d });
    }
    month_first(b, i)
}

/// A weekday name alone before a time (`Thu 11:48 PM`, `Fri. 00:10`, `Montag, 09:00`): the
/// position of the time after it. Rows that name only the weekday still roll over at midnight
/// by their times, so the name itself is read past.
pub(super) fn weekday_before_time(b: &[u8], i: usize) -> Option<usize> {
    if !at(b, i).is_ascii_alphabetic() || !date_left_ok(b, i) {
        return None;
    }
    let mut j = i + name_at(b, i, WEEKDAYS.iter().copied())?;
    if seq(b, j, b"-feira") {
        j += 6;
    }
    if matches!(at(b, j), b'.' | b',') {
        j += 1;
    }
    let k = skip_ws(b, j, 3);
    (k > j && at(b, k).is_ascii_digit()).then_some(k)
}

/// `March 1, 2025`, `Mar 1st 2025`, `Oct 30th`, `May 12 2025`.
fn month_first(b: &[u8], i: usize) -> Option<DateTok> {
    let (month, n) = month_at(b, i)?;
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
    let mut e = ordinal_end(b, i + nd)?;
    // `8. Oktober`: the day's ordinal point.
    if at(b, e) == b'.' && space_len(b, e + 1) > 0 {
        e += 1;
    }
    let mut k = skip_ws(b, e, 3);
    if k == e {
        return None;
    }
    // `5th of March`, `8 de octubre`, `5 de junho`.
    if (word_eq(b, k, 2, "of") || word_eq(b, k, 2, "de")) && space_len(b, k + 2) > 0 {
        k = skip_ws(b, k + 2, 3);
    }
    let (month, n) = month_at(b, k)?;
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
    if let Some(date) = unit_date(b, i) {
        return Some(date);
    }
    let (a, na) = read_num(b, i, 5);
    let sep = at(b, i + na);
    // `2026.01.16`, as Korean and Hungarian write a date: with dots, only a year of this era
    // and two-digit month and day, so a version (`2.10.3`) is not one.
    let dotted = sep == b'.' && (1970..2100).contains(&a) && !after_version_word(b, i);
    if na == 4 && (matches!(sep, b'-' | b'/') || dotted) {
        let (m, nm) = read_num(b, i + 5, 3);
        if !(1..=2).contains(&nm) || at(b, i + 5 + nm) != sep || dotted && nm != 2 {
            return None;
        }
        let (d, nd) = read_num(b, i + 6 + nm, 3);
        let end = i + 6 + nm + nd;
        if !(1..=2).contains(&nd) || dotted && nd != 2 || !numeric_right_ok(b, end) {
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
            // Either order reads it: the document's order, when it is being read in one.
            match super::date_order::current() {
                Some(super::DateOrder::DayFirst) => (x, a),
                Some(super::DateOrder::MonthFirst) => (a, x),
                None => return None,
            }
        };
        let date = partial(Some(year), month, day)?;
        return Some(DateTok { date, start: i, end, numeric_md: false });
    }
    // `14.03. 16:30`, a German day and month without the year: its month in two digits (so
    // `1.2.` in a version or a section number is not one), a dot after it, then no digit.
    if sep == b'.' && nx == 2 && at(b, p) == b'.' && !at(b, p + 1).is_ascii_digit() && !is_word(at(b, p + 1)) {
        let date = partial(None, x, a)?;
        return Some(DateTok { date, start: i, end: p + 1, numeric_md: false });
    }
    if month_day && sep != b'.' && space_len(b, p) > 0 {
        // `11/05 22:30`: in the document's order when either reads it (`11/05/2025` beside it
        // was read day first), else month first, as a row's short date mostly is.
        let (month, day) = match super::date_order::current() {
            Some(super::DateOrder::DayFirst) if a <= 12 && x <= 12 => (x, a),
            _ if a <= 12 => (a, x),
            _ => (x, a),
        };
        let date = partial(None, month, day)?;
        return Some(DateTok { date, start: i, end: p, numeric_md: true });
    }
    None
}

/// Whether the word before `i` names a version (`calver 2019.11.29`, `v2024.10.01`): then
/// dotted numbers are a version, not a date.
fn after_version_word(b: &[u8], i: usize) -> bool {
    // The word is short: a few dozen bytes back are enough, and keep a long line linear.
    let from = i.saturating_sub(40);
    let line_start = b[from..i].iter().rposition(|&c| c == b'\n').map_or(from, |p| from + p + 1);
    let before = String::from_utf8_lossy(&b[line_start..i]).to_lowercase();
    let word = before.trim_end().rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    ["calver", "version", "ver", "v", "release", "build", "versión", "versão", "versione", "버전", "バージョン", "版本"]
        .contains(&word)
}

/// The first of `units` written at `i`, and its length.
pub(super) fn unit_at(b: &[u8], i: usize, units: &[&str]) -> Option<usize> {
    units.iter().find(|unit| seq(b, i, unit.as_bytes())).map(|unit| unit.len())
}

/// `2024年9月2日`, `2024년 9월 2일`, and without the year `9月2日`, `9월 2일`: each number
/// followed by its unit (Japanese and Chinese, Korean), a space allowed around a unit
/// (`2024 年 10 月 15 日`, as formal Chinese writing often spaces it). A year of the Republic
/// of China's era (`民國 113 年`, Taiwan's official calendar) is 1911 years behind.
fn unit_date(b: &[u8], i: usize) -> Option<DateTok> {
    let number = |k: usize, max: usize, units: &[&str]| {
        let (value, n) = read_num(b, k, max + 1);
        if n == 0 || n > max {
            return None;
        }
        let unit = unit_at(b, skip_ws(b, k + n, 1), units)?;
        Some((value, skip_ws(b, k + n, 1) + unit))
    };
    let era = |k: usize| {
        let k = if before(b, k) == b' ' { k - 1 } else { k };
        b.get(..k).is_some_and(|head| ROC_ERA.iter().any(|era| head.ends_with(era.as_bytes())))
    };
    let (year, k) = match number(i, 4, &["年", "년"]) {
        Some((year, k)) if year >= 1000 => (Some(year), skip_ws(b, k, 1)),
        Some((year, k)) if (1..=200).contains(&year) && era(i) => (Some(year + 1911), skip_ws(b, k, 1)),
        Some(_) => return None,
        None => (None, i),
    };
    let (month, k) = number(k, 2, &["月", "월"])?;
    let (day, end) = number(skip_ws(b, k, 1), 2, &["日", "일"])?;
    let date = partial(year, month, day)?;
    Some(DateTok { date, start: i, end, numeric_md: false })
}

/// The Republic of China's era (`民國`, `民国`) before a year counted from 1912.
const ROC_ERA: &[&str] = &["民國", "民国"];

/// A weekday in brackets after a date (`（水）`, `(월)`, `(Mi.)`): its end, or `k`.
fn bracketed_weekday_end(b: &[u8], k: usize) -> usize {
    let Some(open) = unit_at(b, k, &["(", "（"]) else { return k };
    let inner = k + open;
    (inner..(inner + 16).min(b.len()))
        .find_map(|j| unit_at(b, j, &[")", "）"]).map(|close| j + close))
        .filter(|&end| !b[inner..end].iter().any(|c| c.is_ascii_digit() || matches!(c, b'\n' | b'(')))
        .unwrap_or(k)
}

/// A range of days written before one month (`19–20 Nov 2024`, `3-5 March`): the date of its
/// first day, spanning the whole range; any other date as it is.
fn range_start(b: &[u8], d: DateTok) -> DateTok {
    // The date must begin with its day (`20 Nov 2024`, not `Nov 20`).
    let (day, digits) = read_num(b, d.start, 2);
    if digits == 0 || day != u32::from(d.date.day) {
        return d;
    }
    let mut k = d.start;
    let step_back_space = |k: usize| if before(b, k) == b' ' { k - 1 } else { k };
    k = step_back_space(k);
    k = if before(b, k) == b'-' {
        k - 1
    } else if k >= 3 && &b[k - 3..k] == "–".as_bytes() {
        k - 3
    } else {
        return d;
    };
    k = step_back_space(k);
    let first_end = k;
    while k > 0 && before(b, k).is_ascii_digit() && first_end - k < 2 {
        k -= 1;
    }
    if k == first_end || is_word(before(b, k)) {
        return d;
    }
    let (first, _) = read_num(b, k, 2);
    match u8::try_from(first) {
        Ok(first) if first >= 1 && first < d.date.day => {
            DateTok { date: PartialDate { day: first, ..d.date }, start: k, ..d }
        }
        _ => d,
    }
}

/// All dates in `b`, left to right.
pub(super) fn dates(b: &[u8]) -> impl Iterator<Item = DateTok> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if is_word(at(b, i))
                && !is_word(before(b, i))
                && let Some(d) = date_at(b, i, false)
            {
                i = d.end.max(i + 1);
                return Some(range_start(b, d));
            }
            i += 1;
        }
        None
    })
}

/// The words for "at" between a date and its time, longest first where one starts another:
/// English, French, Spanish, Portuguese, German, Italian, Dutch.
const AT: &[&str] = &["at", "à", "a las", "a la", "às", "as", "um", "alle", "ore", "om"];

/// Between a date and its time: `T`, spaces, a comma, `at`, `@`. Returns `end` when there is nothing.
pub(super) fn date_time_gap(b: &[u8], end: usize) -> usize {
    if at(b, end) == b'T' && at(b, end + 1).is_ascii_digit() {
        return end + 1;
    }
    let mut k = skip_ws(b, end, 8);
    let weekday = bracketed_weekday_end(b, k);
    if weekday > k {
        k = skip_ws(b, weekday, 4);
    }
    if at(b, k) == b',' {
        k = skip_ws(b, k + 1, 4);
    }
    if k > end {
        if let Some(link) = AT.iter().find(|link| word_eq(b, k, link.len(), link) && space_len(b, k + link.len()) > 0) {
            k = skip_ws(b, k + link.len(), 4);
        } else if at(b, k) == b'@' && space_len(b, k + 1) > 0 {
            k = skip_ws(b, k + 1, 4);
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use crate::import::when::tests::{date, partial};
    use crate::import::when::{find_date, parse_date};

    #[test]
    fn dates_with_year() {
        // (text, expected date, expected matched text)
        let cases: &[(&str, (i32, u8, u8), &str)] = &[
            ("March 1, 2025", (2025, 3, 1), "March 1, 2025"),
            ("2026.01.16", (2026, 1, 16), "2026.01.16"),
            ("기한 2025.03.04 까지", (2025, 3, 4), "2025.03.04"),
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
            // Other languages' month and weekday names, ordinals and links.
            ("am Dienstag, 8. Oktober 2024 um", (2024, 10, 8), "Dienstag, 8. Oktober 2024"),
            ("vom 3. März 2025", (2025, 3, 3), "3. März 2025"),
            ("Le mardi 8 octobre 2024, à", (2024, 10, 8), "mardi 8 octobre 2024"),
            ("le 1er août 2024", (2024, 8, 1), "1er août 2024"),
            ("el martes 8 de octubre de 2024 a las", (2024, 10, 8), "martes 8 de octubre de 2024"),
            ("na quarta-feira, 5 de junho de 2024", (2024, 6, 5), "quarta-feira, 5 de junho de 2024"),
            ("giovedì 12 settembre 2024", (2024, 9, 12), "giovedì 12 settembre 2024"),
            ("op woensdag 4 december 2024", (2024, 12, 4), "woensdag 4 december 2024"),
            ("le 14 févr. 2025", (2025, 2, 14), "14 févr. 2025"),
            ("2024年9月2日（月）14時20分", (2024, 9, 2), "2024年9月2日"),
            ("작성일: 2024년 9월 2일 (월)", (2024, 9, 2), "2024년 9월 2일"),
            // A weekday before a numeric date with its year.
            ("10:49 PDT on Tuesday 2025-03-11 (47 minutes)", (2025, 3, 11), "Tuesday 2025-03-11"),
            ("Freitag, 14.03.2025", (2025, 3, 14), "Freitag, 14.03.2025"),
            // Austrian month names.
            ("Samstag, 17. Jänner 2026", (2026, 1, 17), "Samstag, 17. Jänner 2026"),
            ("am 3. Feber 2025", (2025, 2, 3), "3. Feber 2025"),
            ("12. Jän. 2026", (2026, 1, 12), "12. Jän. 2026"),
            // Spaced units, and the Republic of China's era (Taiwan): 113 + 1911.
            ("報告日期：民國 113 年 10 月 15 日", (2024, 10, 15), "113 年 10 月 15 日"),
            ("民国113年3月1日", (2024, 3, 1), "113年3月1日"),
            ("2024 年 10 月 15 日", (2024, 10, 15), "2024 年 10 月 15 日"),
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
            "version 2024.10.01",
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
            "sold out 5 times",
            "gen 2 hardware",
            "Mardigras 5 2024",
            "3年12月",
            "12年9月2日",
            // A short year is the ROC's only after its era's name.
            "第 113 年 10 月 15 日",
            "Tuesday 11/03",
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
            ("- 6月4日（火）23時30分　配送", None, 6, 4, "6月4日"),
            ("9월 2일 오후", None, 9, 2, "9월 2일"),
            ("le 3 mai", None, 5, 3, "3 mai"),
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
}
