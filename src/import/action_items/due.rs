//! Due dates written as a week number (`KW 7`, `W07`, `week 51`, `第7週`), a quarter (`Q3
//! 2025`, `T1 2025`, `2분기`, `2025 年第三季`) or a month's end (`7月末`, `end of July`, `Ende
//! Juli`, `fin juillet`): a week is due on its Friday (ISO weeks), a quarter and a month on their
//! last day. Without a year of their own they need the incident's.

use time::{Date, Month, Weekday};

/// A week or a quarter, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week {
        week: u8,
        year: Option<i32>,
    },
    Quarter {
        quarter: u8,
        year: Option<i32>,
    },
    MonthEnd {
        month: Month,
        year: Option<i32>,
    },
    /// The first or second half of a year (`H2`, `2. Halbjahr`, `下半年`).
    Half {
        half: u8,
        year: Option<i32>,
    },
}

impl Period {
    /// The day it is due: the Friday of the ISO week, or the last day of the quarter, in its own
    /// year or else `year`.
    pub fn due_on(self, year: Option<i32>) -> Option<Date> {
        match self {
            Period::Week { week, year: own } => Date::from_iso_week_date(own.or(year)?, week, Weekday::Friday).ok(),
            Period::Quarter { quarter, year: own } => {
                let (month, day) = match quarter {
                    1 => (Month::March, 31),
                    2 => (Month::June, 30),
                    3 => (Month::September, 30),
                    _ => (Month::December, 31),
                };
                Date::from_calendar_date(own.or(year)?, month, day).ok()
            }
            Period::MonthEnd { month, year: own } => {
                let year = own.or(year)?;
                Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()
            }
            Period::Half { half, year: own } => {
                let (month, day) = if half == 1 { (Month::June, 30) } else { (Month::December, 31) };
                Date::from_calendar_date(own.or(year)?, month, day).ok()
            }
        }
    }

    /// The first day of the week (its Monday) or the quarter.
    pub fn starts_on(self, year: Option<i32>) -> Option<Date> {
        match self {
            Period::Week { week, year: own } => Date::from_iso_week_date(own.or(year)?, week, Weekday::Monday).ok(),
            Period::Quarter { quarter, year: own } => {
                let month = Month::try_from(quarter * 3 - 2).ok()?;
                Date::from_calendar_date(own.or(year)?, month, 1).ok()
            }
            Period::MonthEnd { month, year: own } => Date::from_calendar_date(own.or(year)?, month, 1).ok(),
            Period::Half { half, year: own } => {
                Date::from_calendar_date(own.or(year)?, if half == 1 { Month::January } else { Month::July }, 1).ok()
            }
        }
    }

    /// Whether the text gave its year.
    pub fn has_year(self) -> bool {
        matches!(
            self,
            Period::Week { year: Some(_), .. }
                | Period::Quarter { year: Some(_), .. }
                | Period::MonthEnd { year: Some(_), .. }
                | Period::Half { year: Some(_), .. }
        )
    }
}

/// Words before a week's number, lower case; the longest first.
const WEEK_WORDS: &[&str] =
    &["settimana", "semaine", "semana", "woche", "week", "wk", "kw", "cw", "w", "第", "sem", "週", "周"];
/// Words after a week's number.
const WEEK_ENDS: &[&str] = &["週目", "週", "周", "주차", "주"];
const QUARTER_WORDS: &[&str] = &["trimestre", "quartal", "kwartaal", "q", "t", "第"];
const QUARTER_ENDS: &[&str] = &[
    "四半期",
    "季度",
    "季",
    "분기",
    "q",
    "trimestre",
    "quartal",
    "er trimestre",
    "e trimestre",
    "quarter",
    "kwartaal",
];

/// The week or quarter `text` is, if it is one and nothing else.
pub fn week_or_quarter(text: &str) -> Option<Period> {
    let lower = text.trim().to_lowercase();
    if lower.chars().count() > 32 {
        return None;
    }
    let (rest, year) = take_year(&lower);
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || matches!(c, '/' | '-' | ',' | '\'' | '.'));
    // The word that joined the year on (`novembro de 2026`, `trimestre de 2027`, `end of
    // June of 2025`) and an article before a month (`le`, `el`).
    let rest = CONNECTORS.iter().find_map(|w| rest.strip_suffix(w)).unwrap_or(rest).trim_end();
    // `S28`, as French writes a week (`semaine 28`): two digits, so `S1` stays a severity.
    let french_week = rest
        .strip_prefix('s')
        .filter(|n| n.len() == 2 && n.bytes().all(|c| c.is_ascii_digit()))
        .and_then(|n| n.parse::<u8>().ok());
    if let Some(week) = numbered(rest, WEEK_WORDS, WEEK_ENDS).or(french_week).filter(|w| (1..=53).contains(w)) {
        return Some(Period::Week { week, year });
    }
    if let Some(quarter) = numbered(rest, QUARTER_WORDS, QUARTER_ENDS)
        .or_else(|| numbered(&ordinal(rest), QUARTER_WORDS, QUARTER_ENDS))
        .or_else(|| worded_quarter(rest))
        .filter(|q| (1..=4).contains(q))
    {
        return Some(Period::Quarter { quarter, year });
    }
    if let Some(half) = half_of_year(rest) {
        return Some(Period::Half { half, year });
    }
    month_end(rest).map(|month| Period::MonthEnd { month, year })
}

/// Ordinal words for the first to the fourth, in the importer's languages, lower case.
const ORDINAL_WORDS: [&[&str]; 4] = [
    &["first", "erstes", "erste", "premier", "primer", "primero", "primeiro", "primo", "eerste"],
    &["second", "zweites", "zweite", "deuxième", "second", "segundo", "secondo", "tweede"],
    &["third", "drittes", "dritte", "troisième", "tercer", "tercero", "terceiro", "terzo", "derde"],
    &["fourth", "viertes", "vierte", "quatrième", "cuarto", "quarto", "vierde"],
];

/// A quarter written with an ordinal word (`primer trimestre`, `third quarter`, `drittes
/// Quartal`).
fn worded_quarter(rest: &str) -> Option<u8> {
    let (word, unit) = rest.split_once(' ')?;
    if !["trimestre", "quarter", "quartal", "kwartaal"].contains(&unit.trim()) {
        return None;
    }
    ORDINAL_WORDS.iter().zip(1..).find(|(words, _)| words.contains(&word)).map(|(_, n)| n)
}

/// Words that join a year to what it dates, at the end once the year is taken away.
const CONNECTORS: &[&str] = &[" de", " del", " di", " of", " van", " du", " des"];

/// `rest` with an ordinal's marks after its leading number dropped (`1.º trimestre`, `3rd
/// quarter`, `2ª quinzena`), so `1 trimestre` reads as `1er trimestre` does.
fn ordinal(rest: &str) -> String {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) {
        return rest.to_owned();
    }
    let after = &rest[digits..];
    let marks = [
        "st ", "nd ", "rd ", "th ", "ste ", "de ", "ème ", "er ", "e ", ".º ", ".ª ", "º ", "ª ", "° ", ". ", "o ",
        "a ",
    ];
    match marks.iter().find(|m| after.starts_with(**m)) {
        Some(mark) => format!("{} {}", &rest[..digits], &after[mark.len()..]),
        None => rest.to_owned(),
    }
}

/// How the halves of a year are written, lower case: first, then second.
const HALVES: [&[&str]; 2] = [
    &[
        "h1",
        "1h",
        "first half",
        "1. halbjahr",
        "erstes halbjahr",
        "1er semestre",
        "premier semestre",
        "primer semestre",
        "1º semestre",
        "1o semestre",
        "primeiro semestre",
        "primo semestre",
        "eerste helft",
        "上半年",
        "上半期",
        "상반기",
    ],
    &[
        "h2",
        "2h",
        "second half",
        "2. halbjahr",
        "zweites halbjahr",
        "2e semestre",
        "second semestre",
        "deuxième semestre",
        "segundo semestre",
        "2º semestre",
        "2o semestre",
        "secondo semestre",
        "tweede helft",
        "下半年",
        "下半期",
        "하반기",
    ],
];

/// Which half of a year `text` is, if it is one and nothing else (`H2`, `2. Halbjahr`, `下半年`).
fn half_of_year(text: &str) -> Option<u8> {
    let text = text.trim();
    HALVES.iter().zip(1..).find(|(words, _)| words.contains(&text)).map(|(_, half)| half)
}

/// Words before a month's name that say its end, lower case, the longest first.
const MONTH_END_WORDS: &[&str] = &[
    "end of",
    "end",
    "ende",
    "fin de",
    "fin d'",
    "fin d’",
    "fin",
    "finales de",
    "fines de",
    "final de",
    "fim de",
    "fine di",
    "fine",
    "eind",
    "einde",
];
/// What follows a month's number to say its end: Japanese, Chinese, Korean.
const MONTH_END_ENDS: &[&str] = &[
    "月末まで",
    "月末までに",
    "月末",
    "月中",
    "月内",
    "月中まで",
    "月中に",
    "月まで",
    "月底",
    "月底前",
    "月內",
    "월 말",
    "월말",
    "월 말까지",
    "월말까지",
    "월 중",
    "월중",
    "월 내",
    "월까지",
];

/// The month whose end `text` names: `end of July`, `Ende Juli`, `fin juillet`, `7月末`, `7월 말`;
/// or a month alone (`septiembre 2025`, `1月中`, `2월 중`: in that month), due by its end.
fn month_end(text: &str) -> Option<Month> {
    let text = text.trim();
    if let Some(month) = crate::import::when::month_named(text) {
        return Some(month);
    }
    for word in MONTH_END_WORDS {
        if let Some(after) = text.strip_prefix(word)
            && (word.ends_with(['\'', '’']) || after.starts_with(' '))
            && let Some(month) = crate::import::when::month_named(after.trim())
        {
            return Some(month);
        }
    }
    let (number, rest) = leading_number(text)?;
    if !text.starts_with(|c: char| c.is_ascii_digit()) || !MONTH_END_ENDS.contains(&rest.trim()) {
        return None;
    }
    Month::try_from(number).ok()
}

/// A four-digit year (2000–2099) standing alone in `text`, with a `年`/`년` after it, and the
/// text without it.
fn take_year(text: &str) -> (String, Option<i32>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            i += 1;
            continue;
        }
        if digits == 4 && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) && text[i..].starts_with("20") {
            let year: i32 = text[i..i + 4].parse().unwrap_or_default();
            let mut end = i + 4;
            let after = text[end..].trim_start();
            for suffix in ["年", "년"] {
                if after.starts_with(suffix) {
                    end = text.len() - after.len() + suffix.len();
                }
            }
            return (format!("{} {}", &text[..i], &text[end..]), Some(year));
        }
        i += digits;
    }
    (text.to_owned(), None)
}

/// `word N` or `N end` (`kw 7`, `w07`, `第7週`, `2분기`, `1er trimestre`), with Chinese numerals
/// one to four.
fn numbered(text: &str, words: &[&str], ends: &[&str]) -> Option<u8> {
    let text = text.trim();
    for word in words {
        if let Some(after) = text.strip_prefix(word) {
            let after = after.trim_start_matches([' ', '.', '\u{a0}']);
            let (number, rest) = leading_number(after)?;
            let rest = rest.trim();
            if rest.is_empty() || ends.contains(&rest) {
                return Some(number);
            }
        }
    }
    let (number, rest) = leading_number(text)?;
    ends.contains(&rest.trim()).then_some(number)
}

fn leading_number(text: &str) -> Option<(u8, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        return Some((text[..digits].parse().ok()?, &text[digits..]));
    }
    let first = text.chars().next()?;
    let number = match first {
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        _ => return None,
    };
    Some((number, &text[first.len_utf8()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(text: &str, year: i32) -> Option<String> {
        week_or_quarter(text).and_then(|p| p.due_on(Some(year))).map(|d| d.to_string())
    }

    #[test]
    fn weeks_are_due_on_their_friday() {
        assert_eq!(due("KW 7", 2025).as_deref(), Some("2025-02-14"));
        assert_eq!(due("W05", 2025).as_deref(), Some("2025-01-31"));
        assert_eq!(due("week 51", 2024).as_deref(), Some("2024-12-20"));
        assert_eq!(due("KW 10/2025", 1999).as_deref(), Some("2025-03-07"));
        assert_eq!(due("2025-W09", 1999).as_deref(), Some("2025-02-28"));
        assert_eq!(due("第7週", 2025).as_deref(), Some("2025-02-14"));
    }

    #[test]
    fn halves_of_a_year_are_due_on_their_last_day() {
        for (text, due) in [
            ("H2", (2025, 12, 31)),
            ("2. Halbjahr 2025", (2025, 12, 31)),
            ("2025年下半年", (2025, 12, 31)),
            ("H1 2026", (2026, 6, 30)),
            ("상반기", (2025, 6, 30)),
        ] {
            let period = week_or_quarter(text).unwrap_or_else(|| panic!("{text}"));
            let (y, m, d) = due;
            assert_eq!(
                period.due_on(Some(2025)),
                Month::try_from(m).ok().and_then(|month| Date::from_calendar_date(y, month, d).ok()),
                "{text}"
            );
        }
        assert_eq!(week_or_quarter("H3"), None);
        assert_eq!(week_or_quarter("halbjahr"), None);
    }

    #[test]
    fn quarters_are_due_on_their_last_day() {
        assert_eq!(due("Q3 2025", 1999).as_deref(), Some("2025-09-30"));
        assert_eq!(due("Q2", 2025).as_deref(), Some("2025-06-30"));
        assert_eq!(due("T1 2025", 1999).as_deref(), Some("2025-03-31"));
        assert_eq!(due("2분기", 2025).as_deref(), Some("2025-06-30"));
        assert_eq!(due("2025 年第三季", 1999).as_deref(), Some("2025-09-30"));
        assert_eq!(due("Q4'24", 1999), None, "a two-digit year is not guessed");
        assert_eq!(due("S28", 2025).as_deref(), Some("2025-07-11"));
        assert_eq!(week_or_quarter("S1"), None, "a severity");
        // Ordinals and the word joining the year, as Portuguese, Spanish and English write them.
        assert_eq!(due("1.º trimestre de 2027", 1999).as_deref(), Some("2027-03-31"));
        assert_eq!(due("2º trimestre", 2025).as_deref(), Some("2025-06-30"));
        assert_eq!(due("3rd quarter of 2026", 1999).as_deref(), Some("2026-09-30"));
        assert_eq!(due("4e trimestre 2025", 1999).as_deref(), Some("2025-12-31"));
        assert_eq!(due("1e kwartaal 2026", 1999).as_deref(), Some("2026-03-31"));
        assert_eq!(due("primer trimestre de 2025", 1999).as_deref(), Some("2025-03-31"));
        assert_eq!(due("third quarter", 2025).as_deref(), Some("2025-09-30"));
        assert_eq!(due("drittes Quartal 2026", 1999).as_deref(), Some("2026-09-30"));
    }

    #[test]
    fn a_months_end_is_due_on_its_last_day() {
        assert_eq!(due("7月末", 2025).as_deref(), Some("2025-07-31"));
        assert_eq!(due("2024年2月末", 1999).as_deref(), Some("2024-02-29"));
        assert_eq!(due("11月底", 2025).as_deref(), Some("2025-11-30"));
        assert_eq!(due("9월 말", 2025).as_deref(), Some("2025-09-30"));
        assert_eq!(due("end of April", 2025).as_deref(), Some("2025-04-30"));
        assert_eq!(due("Ende Juni 2026", 1999).as_deref(), Some("2026-06-30"));
        assert_eq!(due("fin d'août", 2025).as_deref(), Some("2025-08-31"));
        assert_eq!(due("finales de marzo", 2025).as_deref(), Some("2025-03-31"));
        assert_eq!(due("final de novembro de 2026", 1999).as_deref(), Some("2026-11-30"));
        // A month alone, or "in" a month (`1月中`, `2월 중`): due by its end.
        assert_eq!(due("septiembre 2025", 1999).as_deref(), Some("2025-09-30"));
        assert_eq!(due("September", 2025).as_deref(), Some("2025-09-30"));
        assert_eq!(due("2025年1月中", 1999).as_deref(), Some("2025-01-31"));
        assert_eq!(due("2월 중", 2026).as_deref(), Some("2026-02-28"));
        assert_eq!(due("3月内", 2026).as_deref(), Some("2026-03-31"));
        for text in ["end of sprint", "Ende", "13月末", "fin", "7月", "end of the month"] {
            assert_eq!(week_or_quarter(text), None, "{text}");
        }
    }

    #[test]
    fn other_words_are_not_periods() {
        for text in [
            "next sprint",
            "Q5",
            "week 60",
            "W",
            "KW",
            "weekly",
            "Q3 is busy",
            "2025-03-07",
            "we 7",
            "t",
            "5th trimestre",
            "September deploy",
            "de 2025",
        ] {
            assert_eq!(week_or_quarter(text), None, "{text}");
        }
        assert_eq!(week_or_quarter("W07").map(Period::has_year), Some(false));
    }
}
