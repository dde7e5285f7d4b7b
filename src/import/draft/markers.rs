//! Timeline rows that mark the start or the end of impact in words no list of phrases holds:
//! a word for the start or the end beside a word for the impact, in the row's first words or
//! in a phrase it sets apart (`**Inicio de la afectación**: …`, `— **Einde klantimpact**: …`,
//! `(Störungsbeginn)`). The lists of whole phrases (`span::START_MARKERS`) are tried first.

use time::OffsetDateTime;

use super::ImportedEntry;

/// Which end of the impact a row marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Edge {
    Start,
    End,
}

/// Words that say something starts, lower case: English, German, French, Spanish,
/// Portuguese, Italian, Dutch.
const START_WORDS: &[&str] = &[
    "start", "starts", "started", "begin", "begins", "began", "beginn", "beginnt", "début", "debut", "inicio",
    "início", "inicia", "comienza", "comienzo", "começa", "inizio", "inizia", "aanvang",
];
/// Words that say something ends.
const END_WORDS: &[&str] = &[
    "end", "ends", "ended", "einde", "ende", "endet", "fin", "fim", "fine", "término", "termina", "finaliza",
    "termine", "eind",
];
/// Words for what customers felt; a word containing one counts too (`klantimpact`,
/// `Kundenauswirkung`, `Störungsbeginn`).
const IMPACT_WORDS: &[&str] = &[
    "impact",
    "outage",
    "disruption",
    "downtime",
    "störung",
    "auswirkung",
    "ausfall",
    "panne",
    "interruption",
    "indisponibilité",
    "afectación",
    "afectacion",
    "impacto",
    "caída",
    "interrupción",
    "indisponibilidad",
    "incidencia",
    "interrupção",
    "indisponibilidade",
    "impatto",
    "disservizio",
    "interruzione",
    "storing",
    "verstoring",
    "uitval",
    "impacts",
];

/// The first row with an instant (at or after `after`) that marks `edge` in words.
pub(super) fn marked_in_words(
    timeline: &[ImportedEntry],
    edge: Edge,
    after: Option<OffsetDateTime>,
) -> Option<(OffsetDateTime, &str)> {
    timeline.iter().find_map(|entry| {
        let at = entry.occurred_at.filter(|at| after.is_none_or(|after| *at >= after))?;
        let text = entry.text.lines().next().unwrap_or_default();
        phrases(text).any(|phrase| marks(phrase, edge)).then(|| (at, text.trim()))
    })
}

/// Whether a row's `text` marks `edge` in words.
pub(super) fn marks_in_words(text: &str, edge: Edge) -> bool {
    phrases(text.lines().next().unwrap_or_default()).any(|phrase| marks(phrase, edge))
}

/// The parts of a row a marker may be: its first few words, and what it sets apart in bold,
/// in brackets or after a dash.
fn phrases(text: &str) -> impl Iterator<Item = &str> {
    let first: &str = {
        let end = text.char_indices().filter(|(_, c)| c.is_whitespace()).nth(4).map_or(text.len(), |(i, _)| i);
        &text[..end]
    };
    let bold = text.split("**").skip(1).step_by(2);
    let bracketed = text.split(['(', '[']).skip(1).filter_map(|part| part.split([')', ']']).next());
    std::iter::once(first).chain(bold).chain(bracketed)
}

/// Whether `phrase` (a few words) says the impact starts or ends.
fn marks(phrase: &str, edge: Edge) -> bool {
    let lower = phrase.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).take(5).collect();
    if words.is_empty() || words.len() > 5 {
        return false;
    }
    let edge_words = match edge {
        Edge::Start => START_WORDS,
        Edge::End => END_WORDS,
    };
    // The word for the edge first: it is rare, so most rows stop here (a timeline of 30,000
    // rows asks this of every one).
    let has_edge = words.iter().any(|w| edge_words.contains(w))
        || words.iter().any(|w| {
            w.len() > 8 && IMPACT_WORDS.iter().any(|i| w.starts_with(i) && edge_words.iter().any(|e| w.ends_with(e)))
        });
    has_edge && words.iter().any(|w| IMPACT_WORDS.iter().any(|i| w.contains(i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_for_the_start_or_end_beside_one_for_the_impact() {
        for text in [
            "**Inicio de la afectación**: las peticiones fallan",
            "**Start klantimpact**: p95 latency boven 4 s",
            "Checkout times out (Störungsbeginn)",
            "Impact start — first errors",
            "Début de l'impact pour les clients",
        ] {
            assert!(phrases(text).any(|p| marks(p, Edge::Start)), "{text}");
            assert!(!phrases(text).any(|p| marks(p, Edge::End)), "{text}");
        }
        for text in ["**Einde klantimpact**: weer normaal", "Fin de la afectación", "Outage end, all green"] {
            assert!(phrases(text).any(|p| marks(p, Edge::End)), "{text}");
        }
        // A start or an impact alone, or both far apart in a sentence, is no marker.
        for text in [
            "Start of the deploy",
            "Impact assessed by support",
            "We started the failover because the impact on customers was growing",
            "Backfill begins",
        ] {
            assert!(!phrases(text).any(|p| marks(p, Edge::Start)), "{text}");
        }
    }
}
