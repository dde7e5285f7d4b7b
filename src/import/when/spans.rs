//! Ranges of times (`from 10:15 AM to 11:05 AM`, `16:58 to 18:46 UTC`): the separator and end of a range, the
//! dates and zone of a [`Span`], and how long it lasts.

use time::{Duration, PrimitiveDateTime, Time};

use super::dates::{date_at, date_time_gap, dates};
use super::scan::{at, before, dash_len, is_word, seq, skip_ws, space_len, word_eq};
use super::times::{Form, Tok, compact_pair_ok, time_at};
use super::zone_text::zone_after;
use super::{PartialDate, Span, Zone, find_zone};

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

/// Start and end of a range, the start taking the end's AM/PM when it has none (and that keeps it before the end).
pub(super) fn range_times(start: &Tok, end: &Tok) -> Option<(Time, Time)> {
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

pub(super) struct Tail {
    date: Option<PartialDate>,
    /// Written as on the next day (`翌15日午前0時20分`, `翌午前0時`).
    next_day: bool,
    pub(super) tok: Tok,
    pub(super) zone: Option<Zone>,
    pub(super) end: usize,
}

/// The second half of a range after a start time: a separator (`-`, `–`, `—`, `to`, `until`, `till`, `through`,
/// `and` after `between`), an optional date, a time and an optional zone.
pub(super) fn tail_at(text: &str, i: usize, start: &Tok, between: bool) -> Option<Tail> {
    let b = text.as_bytes();
    let j = skip_ws(b, i, 4);
    let k = range_sep(b, j, j > i, between)?;
    // `to **10:20 CET on 20 November**`: the end's own emphasis.
    let mut k = skip_ws(b, emphasis_end(b, k), 4);
    // `y el 5 de marzo`, `et le 13`, `bis zum 5.`: an article before the end's date.
    if let Some(article) = ARTICLES.iter().find(|w| word_eq(b, k, w.len(), w) && space_len(b, k + w.len()) > 0) {
        let date = skip_ws(b, k + article.len(), 2);
        if date_at(b, date, false).is_some() {
            k = date;
        }
    }
    if let Some(article) = TIME_ARTICLES.iter().find(|w| word_eq(b, k, w.len(), w) && space_len(b, k + w.len()) > 0) {
        let time = skip_ws(b, k + article.len(), 2);
        if at(b, time).is_ascii_digit() {
            k = time;
        }
    }
    // `翌15日午前0時20分`, `翌午前0時`: the next day, with or without its day of the month.
    let next_day = seq(b, k, super::NEXT_DAY.as_bytes());
    let k = if next_day {
        let day = k + super::NEXT_DAY.len();
        let (_, digits) = super::scan::read_num(b, day, 3);
        match super::dates::unit_at(b, day + digits, &["日"]) {
            Some(unit) if digits > 0 => day + digits + unit,
            _ => day,
        }
    } else {
        k
    };
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
    // `上午 11:30 至 下午 2:10`: the end's own morning or afternoon word.
    let k = k + super::times::meridiem_word_len(b, k);
    if !at(b, k).is_ascii_digit() {
        return None;
    }
    let tok = with_hours_word(b, time_at(b, k)?);
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
    Some(Tail { date, next_day, tok, zone, end })
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
    // Wave dashes and the words for "from ... to" in Japanese, Chinese and Korean, which need
    // no space: `14:20から17:05`, `19：02 至 20：16`, `09:00부터 09:47까지`.
    if let Some(n) = super::dates::unit_at(b, j, &["～", "〜", "から", "至", "到", "부터", "~"]) {
        return Some(j + n);
    }
    if !spaced {
        return None;
    }
    let words: &[&str] = if between { BETWEEN_AND } else { UNTIL };
    words.iter().find(|w| word_eq(b, j, w.len(), w) && space_len(b, j + w.len()) > 0).map(|w| j + w.len())
}

/// The words between the two ends of a range (`from 9:00 to 11:00`), in English, German,
/// French, Spanish, Portuguese, Italian and Dutch; longest first where one starts another.
const UNTIL: &[&str] = &[
    "to",
    "until",
    "till",
    "til",
    "through",
    "thru",
    "bis",
    "jusqu'à",
    "jusqu’à",
    "à",
    "au",
    "hasta",
    "a",
    "até",
    "alle",
    "al",
    "tot",
];
/// The word for "and" after "between" in the same languages.
const BETWEEN_AND: &[&str] = &["and", "und", "et", "y", "e", "en"];
/// Articles that may come before the date at a range's end, in the same languages.
const ARTICLES: &[&str] = &["el", "le", "la", "il", "lo", "o", "den", "dem", "zum", "am"];
/// The words for "on" before a date written after a time or a range, in the same languages.
const DATE_LINKS: &[&str] = &["on", "de", "del", "du", "el", "le", "il", "am", "op", "em", "no dia"];
/// Articles before the end's time (`entre as 06h02 e as 09h48`, `entre las 6:02 y las 9:48`,
/// `tra le 6:02 e le 9:48`).
const TIME_ARTICLES: &[&str] = &["las", "la", "as", "os", "le", "les"];
/// The word "between" in the same languages.
const BETWEEN: &[&str] = &["between", "zwischen", "entre", "tra", "fra", "tussen"];

/// Whether the word `between` comes shortly before `i` (`between 9 and 11`, `between 2019-02-25 23:04 and ...`).
fn between_before(b: &[u8], i: usize) -> bool {
    let from = i.saturating_sub(40);
    let window = b.get(from..i).unwrap_or_default();
    (0..window.len()).any(|k| {
        BETWEEN.iter().any(|w| {
            word_eq(b, from + k, w.len(), w) && !is_word(before(b, from + k)) && !is_word(at(b, from + k + w.len()))
        })
    })
}

/// A time with the word after it that says it is one (`18:47 hrs to 20:05 hrs IST`, as
/// Indian and military English write it): the range's separator and the zone come after the
/// word, so the time is taken to end there.
fn with_hours_word(b: &[u8], mut tok: Tok) -> Tok {
    if let Some(end) = super::times::hours_word_end(b, tok.end) {
        tok.end = end;
    }
    tok
}

/// Emphasis marks and spaces at `i`: their end.
fn emphasis_end(b: &[u8], mut i: usize) -> usize {
    for _ in 0..4 {
        let k = skip_ws(b, i, 2);
        if !matches!(at(b, k), b'*' | b'_') {
            return i;
        }
        i = k + 1;
    }
    i
}

/// What may sit between a range's start and the word that ends it: closing emphasis and a
/// short remark in brackets (`from **23:40 CET on 19 November** (first wrong SMS) to …`).
fn aside_end(b: &[u8], i: usize) -> usize {
    let k = skip_ws(b, emphasis_end(b, i), 2);
    if at(b, k) != b'(' {
        return emphasis_end(b, i);
    }
    let remark = b.get(k + 1..b.len().min(k + ASIDE_BYTES)).unwrap_or_default();
    match remark.iter().position(|&c| matches!(c, b')' | b'\n' | b'(')) {
        Some(n) if n > 0 && at(b, k + 1 + n) == b')' => k + n + 2,
        _ => i,
    }
}

/// The longest remark in brackets read past between a range's start and end.
const ASIDE_BYTES: usize = 48;

/// A date written right after a time or a range, as `on <date>` or `, <date>`, and its end.
fn date_after(b: &[u8], i: usize) -> Option<(PartialDate, usize)> {
    let mut k = skip_ws(b, i, 3);
    if at(b, k) == b',' {
        k = skip_ws(b, k + 1, 3);
    }
    // `on`, and the words for it in the other languages (`de 15 de outubro`, `am 15. Oktober`,
    // `le 15 octobre`, `del 15 de octubre`, `op 15 oktober`).
    if let Some(link) = DATE_LINKS.iter().find(|w| word_eq(b, k, w.len(), w) && space_len(b, k + w.len()) > 0) {
        k = skip_ws(b, k + link.len(), 3);
    }
    if k == i {
        return None;
    }
    date_at(b, k, false).map(|d| (d.date, d.end))
}

pub(super) fn span_at(text: &str, i: usize) -> Option<Span> {
    let b = text.as_bytes();
    let st = with_hours_word(b, time_at(b, i)?);
    let start_zone = zone_after(text, &st);
    let after_start = start_zone.as_ref().map_or(st.end, |z| z.1);
    // `from 10:41 AM PDT on Thursday, July 17 until 12:40 AM PDT on Friday, July 18`: the
    // start's own date between it and the word that ends it.
    let (start_written, after_start) = match date_after(b, after_start) {
        Some((date, end)) => (Some(date), end),
        None => (None, after_start),
    };
    let after_start = aside_end(b, after_start);
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
    // The last full date written before the range; a date written at the range itself (`from
    // 9:00 to 17:00 on 2025-07-01`, `between 13:52 and 16:41 UTC on Tuesday 11 March 2025`) is
    // closer to it and wins. A date without a year takes the earlier one's year.
    // Read up to the time's end, so `2024-09-02T13:47` is seen with the digit after its `T`.
    let before = dates(b.get(..st.end)?).filter(|d| d.end <= st.start).filter_map(|d| d.date.date()).last();
    let full = |date: PartialDate, year: Option<i32>| date.date().or_else(|| date.or_year(year?));
    let after = date_after(b, tail.end).map(|(date, _)| date);
    let start_date = match start_written {
        Some(date) => full(date, before.map(|d| d.year())),
        None => after.and_then(|date| full(date, before.map(|d| d.year()))).or(before),
    };
    let end_date = match (tail.date, start_written.and(after)) {
        (Some(pd), _) | (None, Some(pd)) => full(pd, start_date.map(|s| s.year())),
        (None, None) => start_date.and_then(|s| if end < start || tail.next_day { s.next_day() } else { Some(s) }),
    };
    // Ends written in another zone than the start (`2024-09-02T13:47-07:00 to
    // 2024-09-02T23:58Z`) are told in the start's zone, so the span has one zone.
    let (end_date, end) = match (&start_zone, &tail.zone, end_date) {
        (Some((start_zone, _)), Some(end_zone), Some(date)) if start_zone != end_zone => {
            // Checked: an instant at the ends of the calendar has no date in another offset.
            match end_zone.resolve(date, end).checked_to_offset(start_zone.offset_at(date, end)) {
                Some(local) => (Some(local.date()), local.time()),
                None => (Some(date), end),
            }
        }
        _ => (end_date, end),
    };
    let zone = start_zone.map(|z| z.0).or(tail.zone).or_else(|| find_zone(text));
    // The days as written, with or without their year (`from 10:52 PM on July 22 to 3:14 AM on
    // July 23`): the reader may know the year from elsewhere.
    let start_day = start_written.or(after);
    let end_day = tail.date.or(start_written.and(after));
    Some(Span { start_date, start, end_date, end, zone, start_day, end_day })
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use crate::import::when::tests::{date, hm, partial};
    use crate::import::when::{Zone, parse_span};

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
            // Other languages: their words for "between ... and", "from ... to", and the
            // Japanese, Chinese and Korean range marks.
            SpanCase {
                text: "Entre el 4 de marzo de 2025 a las 13:10 y el 5 de marzo de 2025 a las 01:40, las",
                start_date: d(2025, 3, 4),
                start: (13, 10),
                end_date: d(2025, 3, 5),
                end: (1, 40),
                zone: None,
                minutes: 750,
            },
            SpanCase {
                text: "Le 12 novembre 2024, entre 6 h 55 et 10 h 05 (HNE), la majorité",
                start_date: d(2024, 11, 12),
                start: (6, 55),
                end_date: d(2024, 11, 12),
                end: (10, 5),
                zone: Some("UTC-5"),
                minutes: 190,
            },
            SpanCase {
                text: "2024年10月23日（水）14:20から17:05（日本時間）まで",
                start_date: d(2024, 10, 23),
                start: (14, 20),
                end_date: d(2024, 10, 23),
                end: (17, 5),
                // Japan's local time, named as a phrase.
                zone: Some("Asia/Tokyo"),
                minutes: 165,
            },
            SpanCase {
                text: "影响时段：2024年11月26日 14：20 ～ 11月27日 02：15",
                start_date: d(2024, 11, 26),
                start: (14, 20),
                end_date: d(2024, 11, 27),
                end: (2, 15),
                zone: None,
                minutes: 715,
            },
            SpanCase {
                text: "- 事件日期：2025年5月27日（星期二）\n- 影響期間：上午 11:30 至 下午 2:10",
                start_date: d(2025, 5, 27),
                start: (11, 30),
                end_date: d(2025, 5, 27),
                end: (14, 10),
                zone: None,
                minutes: 160,
            },
            SpanCase {
                text: "am 18.02.2025 von 05:48 bis 11:20 Uhr",
                start_date: d(2025, 2, 18),
                start: (5, 48),
                end_date: d(2025, 2, 18),
                end: (11, 20),
                zone: None,
                minutes: 332,
            },
            // A date written at the range beats one written earlier; one without a year takes
            // the earlier one's.
            SpanCase {
                text: "Reviewed 14 March 2025. Between 13:52 and 16:41 UTC on Tuesday 11 March 2025, webhooks",
                start_date: d(2025, 3, 11),
                start: (13, 52),
                end_date: d(2025, 3, 11),
                end: (16, 41),
                zone: Some("UTC"),
                minutes: 169,
            },
            SpanCase {
                text: "Incident date: July 17, 2025.\n\nFrom 10:41 AM PDT on Thursday, July 17 until 12:40 AM PDT on Friday, July 18, visits dropped",
                start_date: d(2025, 7, 17),
                start: (10, 41),
                end_date: d(2025, 7, 18),
                end: (0, 40),
                zone: Some("UTC-7"),
                minutes: 839,
            },
            // Emphasis and a remark in brackets around the start.
            SpanCase {
                text: "Reminders (19–20 Nov 2024)\n\nImpact ran from **23:40 CET on 19 November** (first wrong SMS) to **10:20 CET on 20 November**",
                start_date: d(2024, 11, 19),
                start: (23, 40),
                end_date: d(2024, 11, 20),
                end: (10, 20),
                zone: Some("UTC+1"),
                minutes: 640,
            },
            // ISO instants, each with its own offset: the end is told in the start's.
            SpanCase {
                text: "**Impact window:** 2024-09-02T13:47-07:00 to 2024-09-02T23:58Z",
                start_date: d(2024, 9, 2),
                start: (13, 47),
                end_date: d(2024, 9, 2),
                end: (16, 58),
                zone: Some("UTC-7"),
                minutes: 191,
            },
            SpanCase {
                text: "2025年2月14日（金）午前10時12分から翌15日午前0時20分まで",
                start_date: d(2025, 2, 14),
                start: (10, 12),
                end_date: d(2025, 2, 15),
                end: (0, 20),
                zone: None,
                minutes: 848,
            },
            // The range first, its date after it: `on` a weekday and an ISO date, or the
            // other languages' words for it, and articles before the times.
            SpanCase {
                text: "Between 10:02 and 10:49 PDT on Tuesday 2025-03-11 (47 minutes), customers saw",
                start_date: d(2025, 3, 11),
                start: (10, 2),
                end_date: d(2025, 3, 11),
                end: (10, 49),
                zone: Some("UTC-7"),
                minutes: 47,
            },
            SpanCase {
                text: "Entre as 06h02 e as 09h48 de 15 de outubro de 2026 (quinta-feira), cerca de 41%",
                start_date: d(2026, 10, 15),
                start: (6, 2),
                end_date: d(2026, 10, 15),
                end: (9, 48),
                zone: None,
                minutes: 226,
            },
            SpanCase {
                text: "entre las 14:10 y las 15:05 del 3 de marzo de 2025, los pagos",
                start_date: d(2025, 3, 3),
                start: (14, 10),
                end_date: d(2025, 3, 3),
                end: (15, 5),
                zone: None,
                minutes: 55,
            },
            SpanCase {
                text: "zwischen 08:12 und 10:47 Uhr am 17. Jänner 2026",
                start_date: d(2026, 1, 17),
                start: (8, 12),
                end_date: d(2026, 1, 17),
                end: (10, 47),
                zone: None,
                minutes: 155,
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
            "at 10:15 (a very long remark in brackets that goes on and on and on) to 11:00",
            "at 10:15 ** to",
            "entre as 06h02 e as pessoas",
        ];
        for text in cases {
            assert_eq!(parse_span(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_range_of_times_each_followed_by_hrs() {
        // The zone as Hindsight labels it: India's by its name or its offset.
        // The text, the start and end as (hour, minute), and the zone's labels allowed.
        type Case = (&'static str, (u8, u8), (u8, u8), &'static [&'static str]);
        let cases: &[Case] = &[
            ("18:47 hrs to 20:05 hrs IST (1 hr 18 mins)", (18, 47), (20, 5), &["Asia/Kolkata", "UTC+5:30"]),
            ("from 0631 hrs to 0915 hrs", (6, 31), (9, 15), &[]),
            ("09:10 hrs – 11:00 hrs UTC", (9, 10), (11, 0), &["UTC"]),
        ];
        for &(text, start, end, zone) in cases {
            let span = parse_span(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!((span.start, span.end), (hm(start.0, start.1), hm(end.0, end.1)), "{text:?}");
            if !zone.is_empty() {
                let label = span.zone.as_ref().map(Zone::label).unwrap_or_default();
                assert!(zone.contains(&label.as_str()), "{text:?}: {label}");
            }
        }
        // `hrs` is a word of its own: not the start of another word, and not a quantity's.
        for text in ["18:47 hrsx to 20:05", "18 hrs to 20 hrs", "at 18:47 hrs"] {
            assert_eq!(parse_span(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_days_written_at_a_range_are_kept_without_their_year() {
        let span = parse_span("Between 10:52 PM PDT on July 22 and 3:14 AM PDT on July 23, a subset").expect("a span");
        assert_eq!((span.start_date, span.end_date), (None, None));
        assert_eq!(span.start_day, Some(partial(None, 7, 22)));
        assert_eq!(span.end_day, Some(partial(None, 7, 23)));
        assert_eq!((span.start, span.end), (hm(22, 52), hm(3, 14)));
        // A date after the whole range is both ends' day.
        let span = parse_span("from 9:00 to 11:00 on 3 May").expect("a span");
        assert_eq!((span.start_day, span.end_day), (Some(partial(None, 5, 3)), None));
        assert_eq!(parse_span("from 9:00 to 11:00").expect("a span").start_day, None);
    }
}
