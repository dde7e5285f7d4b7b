//! What a document's lines say about which of its statements count: a line labelled as
//! another event's (a review meeting, the report's version) states neither the incident's span
//! nor its day, a labelled window is as explicit as a timeline's marker, and a list's short due
//! dates share one order.

use crate::import::when;

/// Whether `line` begins with a label of a few words (`**Outage:** …`, `- Window: …`).
pub(super) fn is_labelled(line: &str) -> bool {
    let bare = line.trim_start().trim_start_matches(['-', '*', '+', '>', ' ']);
    bare.split_once([':', '：']).is_some_and(|(label, value)| {
        let label = label.trim_end_matches(['*', ' ']);
        (1..=40).contains(&label.chars().count())
            && label.starts_with(|c: char| c.is_alphabetic())
            && !label.chars().any(|c| c.is_ascii_digit())
            && label.split_whitespace().count() <= 4
            && !value.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// `paragraph` without its lines labelled as another event's (`**Review meeting:** 3
/// December, 14:00–15:00`, `Published: …`): their times are not the incident's.
pub(super) fn without_labelled_lines(paragraph: &str) -> String {
    /// Words of such labels: English, German, French, Spanish, Portuguese, Italian, Dutch,
    /// Japanese, Chinese, Korean.
    const OTHER_EVENTS: &[&str] = &[
        "meeting",
        "review",
        "call",
        "sync",
        "retro",
        "retrospective",
        "published",
        "created",
        "updated",
        "edited",
        "written",
        "drafted",
        "postmortem",
        "maintenance",
        "besprechung",
        "nachbesprechung",
        "erstellt",
        "aktualisiert",
        "réunion",
        "publié",
        "créé",
        "reunión",
        "publicado",
        "creado",
        "reunião",
        "riunione",
        "pubblicato",
        "vergadering",
        "overleg",
        "gepubliceerd",
        "会議",
        "振り返り",
        "会议",
        "复盘会",
        "회의",
        "version",
        "revision",
        "révision",
        "revisión",
        "revisão",
        "stand",
        "rédaction",
        "redaction",
        "versión",
        "versão",
        "versione",
        "versie",
        "版本",
        "改訂",
    ];
    paragraph
        .lines()
        .filter(|line| {
            let bare = line.trim_start().trim_start_matches(['-', '*', '+', '>', ' ']);
            // `| Version | 1.1 du 14 avril 2026 |`: a table row's first cell is its label.
            let cell = line
                .trim_start()
                .strip_prefix('|')
                .and_then(|row| row.split('|').map(str::trim).find(|cell| !cell.is_empty()));
            let Some((label, _)) = cell.map(|cell| (cell, "")).or_else(|| bare.split_once([':', '：'])) else {
                return true;
            };
            let label = label.trim_end_matches(['*', ' ']).to_lowercase();
            let other = label.chars().count() <= 40
                && label.split(|c: char| !c.is_alphanumeric() && c != '-').any(|word| {
                    OTHER_EVENTS.contains(&word) || OTHER_EVENTS.iter().any(|e| !e.is_ascii() && word.contains(e))
                });
            !other
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The order a list's short numeric dates are written in, when one of them shows it: `12/20`
/// or `2025/1/17` (year, month, day, as East Asia writes) month first, `20/12` day first; none
/// when they disagree or none shows it.
pub(super) fn short_date_order<'d>(dues: impl Iterator<Item = &'d str>) -> Option<when::DateOrder> {
    let (mut day_first, mut month_first) = (false, false);
    for due in dues {
        let numbers: Vec<&str> = due.trim().split(['/', '.']).collect();
        let short = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit());
        match numbers.as_slice() {
            [a, b] if short(a) && short(b) => {
                let (a, b) = (a.parse::<u8>().unwrap_or(0), b.parse::<u8>().unwrap_or(0));
                day_first |= a > 12 && b <= 12;
                month_first |= b > 12 && a <= 12;
            }
            [year, m, d] if year.len() == 4 && year.bytes().all(|c| c.is_ascii_digit()) && short(m) && short(d) => {
                month_first = true;
            }
            _ => {}
        }
    }
    match (day_first, month_first) {
        (true, false) => Some(when::DateOrder::DayFirst),
        (false, true) => Some(when::DateOrder::MonthFirst),
        _ => None,
    }
}
