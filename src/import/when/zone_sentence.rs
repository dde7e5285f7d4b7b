//! A sentence that states the zone of every time in the document (`All times in this document
//! are MEZ.`, `Todas las horas de este documento están en hora del centro de México.`,
//! `本報告所有時間皆為台灣時間（UTC+8）`), wherever it is written: under a metadata table, in a
//! quote above the summary, in a section of its own.

use super::{Zone, find_zone};

/// Words that open such a statement, lower case: English, German, French, Spanish, Portuguese,
/// Italian, Dutch, Chinese, Japanese, Korean.
const ALL_TIMES: &[&str] = &[
    "all times",
    "all timestamps",
    "times are in",
    "times are given in",
    "times in this document",
    "times in this report",
    "alle uhrzeiten",
    "alle zeitangaben",
    "alle zeiten",
    "uhrzeiten in diesem",
    "toutes les heures",
    "tous les horaires",
    "heures sont indiquées",
    "todas las horas",
    "todos los horarios",
    "todas as horas",
    "todos os horários",
    "tutti gli orari",
    "tutte le ore",
    "alle tijden",
    "alle tijdstippen",
    "所有時間",
    "所有时间",
    "時刻はすべて",
    "すべての時刻",
    "時間はすべて",
    "모든 시각",
    "모든 시간",
];

/// How far past its opening words a statement may name its zone.
const STATEMENT_BYTES: usize = 160;

/// The zone a line of `text` states for all its times (outside code blocks), the first such.
pub fn zone_stated_for_all(text: &str) -> Option<Zone> {
    // Most documents say it nowhere: the phrases are looked for once in the whole text, and
    // only the lines that hold one are read (a line at a time, every phrase in every line, was
    // a fifth of reading a megabyte).
    let lower = text.to_lowercase();
    if lower.len() == text.len() {
        let mut starts: Vec<usize> = ALL_TIMES
            .iter()
            .flat_map(|phrase| lower.match_indices(phrase).map(|(at, _)| text[..at].rfind('\n').map_or(0, |n| n + 1)))
            .collect();
        if starts.is_empty() {
            return None;
        }
        starts.sort_unstable();
        starts.dedup();
        // Only those lines are read, each knowing whether a code block is open above it.
        let fence = |line: &str| line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
        let (mut in_code, mut counted) = (false, 0);
        return starts.into_iter().find_map(|start| {
            in_code ^= text[counted..start].lines().filter(|line| fence(line)).count() % 2 == 1;
            counted = start;
            let line = text[start..].lines().next().unwrap_or_default();
            if in_code || fence(line) { None } else { statement_in_line(line) }
        });
    }
    let mut in_code = false;
    text.lines().find_map(|line| {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            in_code = !in_code;
            return None;
        }
        if in_code { None } else { statement_in_line(line) }
    })
}

/// The zone `line` states for all times, if it is such a statement.
fn statement_in_line(line: &str) -> Option<Zone> {
    {
        let lower = line.to_lowercase();
        let at = ALL_TIMES.iter().filter_map(|phrase| lower.find(phrase)).min()?;
        let rest = &lower[at..];
        let mut end = rest.len().min(STATEMENT_BYTES);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let rest = &rest[..end];
        // The statement's own sentence: a later one may name another zone in passing.
        let sentence = rest.find(". ").map_or(rest, |cut| &rest[..cut]);
        // Zone abbreviations are upper case: read them from the line as written, where lower
        // case kept its byte positions (it does unless a letter changed its length).
        let original = line.get(at..).filter(|_| line.len() == lower.len());
        let written = original.map_or(sentence, |original| &original[..sentence.len().min(original.len())]);
        find_zone(written)
    }
}

#[cfg(test)]
mod tests {
    use super::zone_stated_for_all;
    use crate::import::when::Zone;

    fn label(text: &str) -> Option<String> {
        zone_stated_for_all(text).as_ref().map(Zone::label)
    }

    #[test]
    fn a_sentence_stating_the_zone_of_all_times_names_it() {
        let german = "| Datum | Samstag, 17. Jänner 2026 |\n\nAlle Uhrzeiten in diesem Dokument sind MEZ.\n";
        assert_eq!(label(german).as_deref(), Some("UTC+1"));
        assert_eq!(label("> All times in this document are Pacific Time.").as_deref(), Some("America/Los_Angeles"));
        assert_eq!(label("All times are in UTC.").as_deref(), Some("UTC"));
        assert_eq!(
            label("> Todas las horas de este documento están en hora del centro de México (CDMX).").as_deref(),
            Some("America/Mexico_City")
        );
        assert_eq!(label("Toutes les heures sont en HNE (UTC−5).").as_deref(), Some("UTC-5"));
        assert_eq!(label("- 時區：本報告所有時間皆為台灣時間（UTC+8）").as_deref(), Some("UTC+8"));
        assert_eq!(label("Todas as horas estão em hora de Lisboa (WEST, UTC+1).").as_deref(), Some("UTC+1"));
    }

    #[test]
    fn a_zone_named_in_passing_is_not_stated_for_all_times() {
        assert_eq!(label("The deploy ran at 10:00 UTC. Nothing else."), None);
        assert_eq!(label("All times were bad. The server in UTC+2 was fine."), None);
        assert_eq!(label("```\nall times UTC\n```\n"), None);
        assert_eq!(label("All times below are local."), None);
    }
}
