//! Tests across the module: helpers shared by the tests of each subject, a span checked against the duration
//! written next to it, and the fuzz and linear-time tests of every public function.

use std::ops::Range;

use time::{Date, Month, Time};

use super::{PartialDate, find_date, find_zone, leading_stamp, parse_date, parse_duration, parse_span, parse_time};

pub(super) fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
}

pub(super) fn hm(h: u8, m: u8) -> Time {
    Time::from_hms(h, m, 0).unwrap()
}

pub(super) fn partial(year: Option<i32>, m: u8, d: u8) -> PartialDate {
    PartialDate { year, month: Month::try_from(m).unwrap(), day: d }
}

#[test]
fn written_duration_matches_span() {
    let line = "an outage lasting 1 hour and 48 minutes, from 16:58 to 18:46 UTC";
    let span = parse_span(line).unwrap();
    assert_eq!(parse_duration(line), Some(span.duration()));
    let line = "**Total impact duration:** 5 hours 26 minutes (10:45 - 16:11 UTC)";
    assert_eq!(parse_duration(line), Some(parse_span(line).unwrap().duration()));
}

/// A tiny deterministic generator (xorshift64*), so the fuzz test needs no extra crates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
}

fn check_all(text: &str) {
    let in_text = |r: &Range<usize>| text.get(r.clone()).is_some();
    if let Some((_, r)) = parse_date(text) {
        assert!(in_text(&r), "{text:?}");
    }
    if let Some((_, r)) = find_date(text) {
        assert!(in_text(&r), "{text:?}");
    }
    if let Some((_, r)) = parse_time(text) {
        assert!(in_text(&r), "{text:?}");
    }
    if let Some(s) = leading_stamp(text) {
        assert!(text.get(s.consumed..).is_some(), "{text:?}");
        assert!(s.date.is_some() || s.time.is_some() || s.consumed > 0, "{text:?}");
    }
    if let Some(span) = parse_span(text) {
        let _ = span.duration();
    }
    if let Some(zone) = find_zone(text) {
        let _ = zone.resolve(date(2025, 3, 9), hm(2, 30));
        let _ = zone.label();
    }
    let _ = parse_duration(text);
}

#[test]
fn never_panics_on_generated_text() {
    const PIECES: &[&str] = &[
        "0",
        "1",
        "2",
        "3",
        "5",
        "9",
        "12",
        "24",
        "2019",
        "0730",
        ":",
        "::",
        "/",
        "-",
        "+",
        ".",
        ",",
        " ",
        "  ",
        "\t",
        "\n",
        "|",
        "*",
        "**",
        "_",
        "`",
        "~",
        "[",
        "]",
        "(",
        ")",
        "?",
        "#",
        ">",
        "T",
        "Z",
        "am",
        "PM",
        "a.m.",
        "p.",
        "UTC",
        "GMT",
        "PST",
        "PT",
        "ET",
        "CEST",
        "IST",
        "March",
        "may",
        "Sept",
        "Friday",
        "1st",
        "th",
        "of",
        "to",
        "and",
        "between",
        "times in",
        "hour",
        "min",
        "s",
        "m",
        "h",
        "d",
        "half",
        "an",
        "Europe/",
        "Berlin",
        "America/New_York",
        "Etc/GMT+5",
        "\u{2212}",
        "\u{2013}",
        "\u{2014}",
        "\u{b1}",
        "\u{2248}",
        "\u{2192}",
        "\u{a0}",
        "\u{202f}",
        "é",
        "日本",
        "🚨",
        "\u{300}",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..4000 {
        let mut text = String::new();
        for _ in 0..rng.below(24) {
            text.push_str(PIECES[rng.below(PIECES.len())]);
        }
        check_all(&text);
        // Every suffix and prefix at a char boundary, so slicing lands next to multibyte characters.
        for (i, _) in text.char_indices() {
            check_all(&text[i..]);
            check_all(&text[..i]);
        }
    }
}

#[test]
fn runs_in_linear_time_on_adversarial_text() {
    const UNITS: &[&str] = &[
        "1 ",
        "1",
        "1:",
        "10:15-",
        "10:15 - ",
        "12:00 to ",
        "March ",
        "Friday ",
        "1 March ",
        "a/",
        "Ab/ ",
        "UTC+",
        "(",
        "((",
        "~~",
        "**",
        "| ",
        "- ",
        "\u{2212}",
        "times in ",
        "1h",
        "1 hour and ",
        "an ",
        "?",
        "2019-11-",
        "between ",
        "\u{a0}",
        "            ",
        "• ",
        "🔔",
        "⚠\u{fe0f} ",
    ];
    let start = std::time::Instant::now();
    for unit in UNITS {
        let text = unit.repeat(100_000 / unit.len());
        check_all(&text);
    }
    // Quadratic behaviour on 100 kB inputs would take minutes; linear takes well under a second.
    assert!(start.elapsed() < std::time::Duration::from_secs(60), "took {:?}", start.elapsed());
}

#[test]
fn icons_and_bullets_before_a_time_are_not_part_of_the_row() {
    for line in ["🔔 13:52 — Latency rises", "• 11:42 Deploy finishes", "▪ 12:06 — Joins", "⚠\u{fe0f} 14:20 Paged"]
    {
        let stamp = leading_stamp(line).unwrap_or_else(|| panic!("{line}"));
        assert!(stamp.time.is_some(), "{line}");
        let rest = line[stamp.consumed..].trim_start_matches([' ', '—']);
        assert!(rest.starts_with(char::is_alphabetic), "{line}: {rest}");
    }
    // A symbol run not followed by a space is text, not a bullet.
    assert!(leading_stamp("🔔13 things").is_none_or(|stamp| stamp.time.is_none()));
}

#[test]
fn a_range_of_days_is_read_as_its_first_day() {
    use time::macros::date;
    for (text, expected) in [
        ("Wrong SMS reminders (19–20 Nov 2024)", date!(2024 - 11 - 19)),
        ("from 10 – 12 May 2025", date!(2025 - 05 - 10)),
        // Not a range of days: as before.
        ("Nov 20, 2024", date!(2024 - 11 - 20)),
        ("2024-11-20", date!(2024 - 11 - 20)),
        ("Friday 20 Nov 2024", date!(2024 - 11 - 20)),
    ] {
        assert_eq!(parse_date(text).map(|(d, _)| d), Some(expected), "{text}");
    }
}

#[test]
fn a_zone_statement_may_name_its_city_alone() {
    use super::Zone;
    for (text, zone) in [
        ("Ortszeit Berlin", Some("Europe/Berlin")),
        ("heure de Paris", Some("Europe/Paris")),
        ("New York time", Some("America/New_York")),
        ("Tokyo", Some("Asia/Tokyo")),
        ("local time", None),
        ("Kundenservice", None),
    ] {
        assert_eq!(Zone::of_city_named_in(text).map(|z| z.label()).as_deref(), zone, "{text}");
    }
}

#[test]
fn a_day_of_a_month_written_short_and_a_months_name() {
    use super::{DateOrder, month_day_alone, month_named, with_date_order};
    use time::Month;
    let read = |text: &str| month_day_alone(text).map(|d| (d.month, d.day));
    assert_eq!(read("6/20"), Some((Month::June, 20)));
    assert_eq!(read(" 25/3 "), Some((Month::March, 25)));
    // Both could be the month: the document's order says which, else none.
    assert_eq!(read("4/5"), None);
    assert_eq!(with_date_order(Some(DateOrder::DayFirst), || read("4/5")), Some((Month::May, 4)));
    assert_eq!(with_date_order(Some(DateOrder::MonthFirst), || read("4/5")), Some((Month::April, 5)));
    for text in ["2/30", "13/13", "6/20/2025", "1/2 day", "/", "6/", "123/4"] {
        assert_eq!(read(text), None, "{text}");
    }
    assert_eq!(month_named("juillet"), Some(Month::July));
    assert_eq!(month_named("Juli"), Some(Month::July));
    assert_eq!(month_named("Julian"), None);
}

#[test]
fn a_german_day_and_month_and_the_end_of_a_day() {
    let stamp = |line: &str| leading_stamp(line).map(|s| (s.date.map(|d| (d.year, d.month as u8, d.day)), s.time));
    let t = |h, m| Some(Time::from_hms(h, m, 0).unwrap());
    assert_eq!(stamp("- **14.03. 16:30** – Text"), Some((Some((None, 3, 14)), t(16, 30))));
    // 24:00 is the next day's midnight, across a month and a year too.
    assert_eq!(stamp("- **14.03. 24:00** – Schluss"), Some((Some((None, 3, 15)), t(0, 0))));
    assert_eq!(stamp("- 31.12.2025 24:00 – Jahreswechsel"), Some((Some((Some(2026), 1, 1)), t(0, 0))));
    // A version or a section number is not a date.
    assert_eq!(leading_stamp("- 1.2. Einleitung").and_then(|s| s.date), None);
}

#[test]
fn a_countrys_local_time_named_as_a_phrase_is_its_zone() {
    for (text, zone) in [
        ("08:52 至 11:36（北京时间）", "Asia/Shanghai"),
        ("10時（日本時間）", "Asia/Tokyo"),
        ("오전 9시 (한국 시간)", "Asia/Seoul"),
        ("dalle 08:32 alle 11:47 (ora\nitaliana)", "Europe/Rome"),
        ("impact started at 8:51 AM Eastern", "America/New_York"),
        ("Onderstaande regels (tijden Nederlandse tijd).", "Europe/Amsterdam"),
        ("toutes les heures en heure belge", "Europe/Brussels"),
        ("Zeitangaben in Schweizer Zeit", "Europe/Zurich"),
        ("en hora del centro de México (CDMX)", "America/Mexico_City"),
    ] {
        assert_eq!(find_zone(text).map(|z| z.label()).as_deref(), Some(zone), "{text}");
    }
}

#[test]
fn a_british_time_with_a_dot_and_am_or_pm() {
    let time = |line: &str| leading_stamp(line).and_then(|s| s.time);
    assert_eq!(time("- 8.40am – Contact Centre reports"), Time::from_hms(8, 40, 0).ok());
    assert_eq!(time("- 1.15 pm – Restored"), Time::from_hms(13, 15, 0).ok());
    // Without morning or afternoon a dotted number is not a time here.
    assert_eq!(parse_time("version 8.40 shipped"), None);
}

#[test]
fn a_row_written_as_on_the_next_day_reads_its_time() {
    for row in [
        "| 익일 00:40 | 알림톡 발송 완료 |",
        "| 翌日 00:40 | 通知完了 |",
        "- 次日 00:40 全部退款完成",
        "- 隔天 00:40 全部退款完成",
        "- Next day 00:40: refunds done",
        "- Le lendemain, 00:40 : remboursements faits",
        "| Am Folgetag 00:40 | Erstattungen erledigt |",
        "- Al día siguiente 00:40 — reembolsos hechos",
    ] {
        let stamp = leading_stamp(row).unwrap_or_else(|| panic!("no stamp in {row:?}"));
        assert_eq!(stamp.time, Some(hm(0, 40)), "{row:?}");
    }
    // The words alone, or before no time, are no stamp.
    for row in ["- Next day we rolled back", "| 익일 | 알림톡 |", "- Folgetagsplanung 00:40"] {
        assert_eq!(leading_stamp(row).and_then(|stamp| stamp.time), None, "{row:?}");
    }
}
