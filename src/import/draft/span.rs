//! What a document states about the span of impact: its metadata lines, the statements that
//! disagree, a zone that is not one, and the timeline rows that mark the start or the end.

use time::{Date, OffsetDateTime, Time};

use super::super::Sections;
use super::super::when::{self, Zone};
use super::{ImportedEntry, front, parse_severity, parse_status};
use crate::domain::{Section, Severity, Status};

/// Says so when the document states a zone that is not one, wherever it states zones: the
/// start and end lines, the duration, the timeline and its heading, the summary, and a
/// `timezone` front-matter field (which must name a zone Hindsight knows).
pub(super) fn bad_zone(metadata: &Metadata, sections: &Sections) -> Option<String> {
    let front_zone = front(sections, "timezone").or_else(|| front(sections, "time zone"));
    let unknown_front = front_zone.filter(|zone| !zone.trim().is_empty() && when::find_zone(zone).is_none());
    let stated = metadata
        .starts
        .iter()
        .chain(&metadata.ends)
        .chain(&sections.stated_starts)
        .chain(&sections.stated_ends)
        .chain(&sections.duration)
        .map(String::as_str)
        .chain(sections.timeline.heading.as_deref())
        .chain([sections.timeline.body.as_str(), sections.texts[Section::Summary].body.as_str()]);
    let written = unknown_front
        .map(|zone| zone.trim().to_owned())
        .or_else(|| stated.into_iter().find_map(when::find_bad_zone))?;
    let written: String = written.chars().take(80).collect();
    Some(format!(
        "The document gives the time zone “{written}”, which is not one: offsets run from UTC-12 to UTC+14, \
         and names are those of the tz database, such as Europe/Berlin. Choose the offset its times are in: until then no time is read (the \
         start and end are left empty, the timeline's times kept as written)."
    ))
}

/// Says so when the `statements` of the incident's `what` (start or end) give two different
/// times (ignoring those that give no full date and time).
pub(super) fn conflict<'a>(what: &str, statements: impl Iterator<Item = &'a String>) -> Option<String> {
    let mut first: Option<(&str, (Date, Time), Option<String>)> = None;
    for statement in statements {
        let Some(when) = date_and_time(statement) else { continue };
        let zone = when::find_zone(statement).map(|zone| zone.label());
        match &first {
            None => first = Some((statement.as_str(), when, zone)),
            Some((_, first_when, first_zone)) if *first_when == when && *first_zone == zone => {}
            Some((first_text, ..)) => {
                return Some(format!(
                    "The document states two different {what}s of impact, “{}” and “{}”: neither is taken. \
                     Enter the right one (or delete the wrong line from the Markdown).",
                    first_text.trim(),
                    statement.trim()
                ));
            }
        }
    }
    None
}

/// How a timeline row that marks the start of impact begins (or, for the longer phrases,
/// anything it says), lower-case, in the languages of `sections`.
pub(super) const START_MARKERS: &[&str] = &[
    "customer impact begins",
    "customer impact starts",
    "customer impact started",
    "impact begins",
    "impact starts",
    "impact started",
    "impact began",
    "outage starts",
    "outage begins",
    "outage started",
    "outage began",
    "start of impact",
    "start of outage",
    "incident begins",
    "incident starts",
    "inicia el impacto",
    "comienza el impacto",
    "empieza el impacto",
    "inicia o impacto",
    "começa o impacto",
    "beginn der störung",
    "störung beginnt",
    "beginn der auswirkung",
    "début de l'impact",
    "début de la panne",
    "début de l'incident",
    "inicio del impacto",
    "inicio del incidente",
    "início do impacto",
    "início do incidente",
    "inizio dell'impatto",
    "inizio del disservizio",
    "begin van de storing",
    "影響開始",
    "障害発生",
    "影响开始",
    "故障开始",
    "장애 시작",
];
/// How a timeline row that marks the end of impact begins, in words that say so outright.
pub(super) const END_MARKERS: &[&str] = &[
    "customer impact ends",
    "customer impact ended",
    "impact ends",
    "impact ended",
    "end of impact",
    "outage ends",
    "outage ended",
    "ende der störung",
    "ende der auswirkung",
    "fin de l'impact",
    "fin de la panne",
    "fin del impacto",
    "fim do impacto",
    "fine dell'impatto",
    "einde van de storing",
    "影響終了",
    "影响结束",
    "장애 종료",
];
/// How a row that says the impact was mitigated or resolved begins: the end when no row says
/// the impact ended outright (`OUTAGE MITIGATED` at 15:36, then `OUTAGE ENDS` at 16:00 once all
/// traffic is back: the latter), the first such row after the start (mitigation ends what
/// customers feel; a later "resolved" is clean-up).
pub(super) const SETTLED_MARKERS: &[&str] = &[
    "all clear",
    "mitigated",
    "outage mitigated",
    "impact mitigated",
    "incident mitigated",
    "outage resolved",
    "resolved",
    "recovered",
    "fully recovered",
    "service restored",
    "services restored",
    "incident resolved",
    "störung behoben",
    "entwarnung",
    "résolu",
    "rétabli",
    "resuelto",
    "resolvido",
    "risolto",
    "opgelost",
    "復旧完了",
    "復旧",
    "恢复正常",
    "已恢复",
    "복구 완료",
];

/// The first row with an instant (at or after `after`) whose text starts with one of `markers`
/// (emphasis aside), says one of its phrases of three words or more anywhere, or ends with one
/// as a sentence of its own (`First 5xx on the gateway. **OUTAGE BEGINS**`, `Queue leer –
/// Störung behoben`): not the end of a sentence about something else (`status page resolved`).
pub(super) fn marked_row<'a>(
    timeline: &'a [ImportedEntry],
    markers: &[&str],
    after: Option<OffsetDateTime>,
) -> Option<(OffsetDateTime, &'a str)> {
    timeline.iter().find_map(|entry| {
        let at = entry.occurred_at.filter(|at| after.is_none_or(|after| *at >= after))?;
        marks(&entry.text, markers).then(|| (at, entry.text.lines().next().unwrap_or_default().trim()))
    })
}

/// Whether a row's `text` is marked by one of `markers` (see [`marked_row`]).
pub(super) fn marks(text: &str, markers: &[&str]) -> bool {
    let text: String = text.chars().filter(|c| !matches!(c, '*' | '_')).collect::<String>().to_lowercase();
    let text = text.trim_start();
    // First thing in the row, anywhere for the longer phrases, in brackets (`… signed with
    // the 2025 key (impact starts)`), or last after a sentence's end or a dash.
    let last = text.trim_end().trim_end_matches(['.', '!', ' ']);
    // Searched for once per row, not once per marker: most rows have no brackets.
    let bracketed = text.contains(['(', '[']);
    markers.iter().any(|marker| {
        text.starts_with(marker)
            || (text.len() >= marker.len() && marker.split(' ').count() >= 3 && text.contains(marker))
            || (bracketed && in_brackets(text, marker))
            || last.strip_suffix(marker).is_some_and(|before| {
                before.trim_end().ends_with(['.', '!', ';', ':', '—', '–', '-', '|']) && before.ends_with(' ')
            })
    })
}

/// Whether `text` has `marker` alone in round or square brackets (`(impact starts)`), without
/// building the bracketed string for every marker and row.
fn in_brackets(text: &str, marker: &str) -> bool {
    text.match_indices(marker).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + marker.len()..].chars().next();
        matches!((before, after), (Some('('), Some(')')) | (Some('['), Some(']')))
    })
}

/// The bytes a paragraph's range of times may start within: after a few words that introduce
/// it (`Between`, `On Tuesday, from`, `Entre as`), not further in.
const OPENING_BYTES: usize = 24;

/// The span of the first paragraph of `body` that opens with a range of times (`Between 10:02
/// and 10:49 PDT on Tuesday 2025-03-11, customers saw …`): its first time within a few words,
/// and the range starting there.
pub(super) fn opening_span(body: &str) -> Option<when::Span> {
    body.split("\n\n").find_map(|paragraph| {
        let paragraph = paragraph.trim_start();
        let (first, range) = when::parse_time(paragraph)?;
        if range.start > OPENING_BYTES {
            return None;
        }
        // The range that starts at that time, not one further in (12-hour clocks aside).
        when::parse_span(paragraph)
            .filter(|span| span.start.minute() == first.minute() && span.start.hour() % 12 == first.hour() % 12)
    })
}

/// Metadata lines as a Hindsight export writes them (`- **Severity:** SEV2`, `- **Start:** …`).
#[derive(Debug, Default)]
pub(super) struct Metadata {
    pub(super) severity: Option<Severity>,
    pub(super) status: Option<Status>,
    pub(super) start: Option<(Date, Time)>,
    pub(super) end: Option<(Date, Time)>,
    pub(super) zone: Option<Zone>,
    /// Every `Start` and `End` line's value, as written.
    pub(super) starts: Vec<String>,
    pub(super) ends: Vec<String>,
}

/// Removes leading `- **Label:** value` metadata lines from the summary and reads them.
pub(super) fn take_metadata(summary: &mut String) -> Metadata {
    let mut metadata = Metadata::default();
    let mut consumed = 0;
    for line in summary.split_inclusive('\n') {
        let Some((label, value)) = line
            .trim()
            .strip_prefix("- **")
            .and_then(|rest| rest.split_once(":**"))
            .map(|(label, value)| (label.trim().to_ascii_lowercase(), value.trim()))
        else {
            break;
        };
        match label.as_str() {
            "severity" => metadata.severity = parse_severity(value),
            "status" => metadata.status = parse_status(value),
            "start" | "end" => {
                let when = date_and_time(value);
                if metadata.zone.is_none() {
                    metadata.zone = when::find_zone(value);
                }
                if label == "start" {
                    metadata.start = when;
                    metadata.starts.push(value.to_owned());
                } else {
                    metadata.end = when;
                    metadata.ends.push(value.to_owned());
                }
            }
            "duration" => {}
            _ => break,
        }
        consumed += line.len();
    }
    if consumed > 0 {
        *summary = summary[consumed..].trim_start_matches('\n').to_owned();
    }
    metadata
}

/// A full date and a time written in `value` (`2025-03-01 10:15 UTC+2`).
pub(super) fn date_and_time(value: &str) -> Option<(Date, Time)> {
    when::parse_date(value).zip(when::parse_time(value)).map(|((date, _), (time, _))| (date, time))
}

/// Verbs that say, in a sentence, when the impact began: English, German, French, Spanish,
/// Portuguese, Italian, Dutch, Chinese, Japanese, Korean (ASCII letters in any case).
const STARTED: &[&str] = &[
    "started",
    "began",
    "begun",
    "begann",
    "startete",
    "a commencé",
    "a débuté",
    "a démarré",
    "comenzó",
    "empezó",
    "inició",
    "começou",
    "iniciou",
    "è iniziato",
    "è iniziata",
    "è cominciato",
    "begon",
    "startte",
    "开始",
    "開始",
    "시작됐",
    "시작되었",
];
/// Verbs that say when it ended.
const ENDED: &[&str] = &[
    "ended",
    // `impacted for 3 h 01 min, ending at 07:31 LT`: a time must come first after it.
    "ending",
    "was resolved",
    "were resolved",
    "recovered",
    "endete",
    "war behoben",
    "s'est terminé",
    "s’est terminé",
    "a pris fin",
    "terminó",
    "terminado",
    "terminada",
    "finalizó",
    "finalizado",
    "beendet",
    "behoben",
    "terminé",
    "terminée",
    "concluído",
    "risolto",
    "opgelost",
    "hersteld",
    "terminou",
    "è terminato",
    "è terminata",
    "è finito",
    "eindigde",
    "结束",
    "終了",
    "恢复",
    "復旧",
    "종료됐",
    "종료되었",
    "복구됐",
    "복구되었",
];

/// A start and an end of impact written in a sentence (`The impact began at 19:12 and ended at
/// 20:58`, `O impacto começou às 19h12 e terminou às 20h58`): for each, what follows its verb
/// up to the next verb or the sentence's end, when a time comes first thing after the verb:
/// the verb and its time (`began at 19:12`), as the statements a labelled line would give.
///
/// A time relative to moment zero (`started at T-3`), when the document states one, is the
/// statement with the instant it means: `2025-06-04 14:02 UTC (started at T-3)`.
pub(super) fn stated_in_sentences(text: &str, zero: Option<&when::MomentZero>) -> (Option<String>, Option<String>) {
    // Prose only: not code, a quote or an indented block (pasted output says `Started:` too).
    let mut fences = super::super::outline::CodeFences::nested();
    let prose: Vec<&str> = text
        .split('\n')
        .filter(|line| !fences.in_code(line))
        .filter(|line| line.len() - line.trim_start().len() < 4 && !line.trim_start().starts_with('>'))
        .collect();
    let text = prose.join("\n");
    let text = text.as_str();
    let lower = text.to_ascii_lowercase();
    let verbs = |words: &[&str]| -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = words
            .iter()
            .flat_map(|word| lower.match_indices(word).map(|(at, w)| (at, at + w.len())))
            .filter(|&(at, end)| {
                let before = lower[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric() || !c.is_ascii());
                let after = lower[end..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric());
                before && after
            })
            .collect();
        found.sort_unstable();
        found
    };
    let (starts, ends) = (verbs(STARTED), verbs(ENDED));
    let all: Vec<usize> = starts.iter().chain(&ends).map(|&(at, _)| at).collect();
    let after = |&(at, end): &(usize, usize)| -> Option<String> {
        // Up to the next verb, the sentence's end, or 60 bytes.
        let mut stop = all.iter().copied().filter(|&at| at > end).min().unwrap_or(text.len()).min(end + 60);
        while !text.is_char_boundary(stop) {
            stop -= 1;
        }
        let window = &text[end..stop];
        let window = window.find(". ").or_else(|| window.find(['\n', '。', ';'])).map_or(window, |cut| &window[..cut]);
        if let Some(zero) = zero
            && let Some(meant) = relative_statement(window, zero)
        {
            // The instant first: it is what the statement is read for.
            return Some(format!("{meant} ({})", text[at..end + meant_end(window)].trim()));
        }
        // A date may come first (`began on 2 September 2024 at 14:20`).
        let lead = when::find_date(window).filter(|(_, date)| date.start <= 4).map_or(0, |(_, date)| date.end);
        let (_, range) = when::parse_time(&window[lead..])?;
        // First thing after the verb, or at the end of a clause saying what marked the moment
        // (`started when the second import committed, at 22:15`).
        let before_time = window[lead..lead + range.start].to_lowercase();
        let names_the_moment = WHEN_WORDS.iter().any(|when| before_time.trim_start().starts_with(when))
            && AT_WORDS.iter().any(|at| before_time.ends_with(at));
        if range.start > 16 && !names_the_moment {
            return None;
        }
        let range = lead + range.start..lead + range.end;
        // The time and its zone (`19:12 UTC`, `01:15 (CET)`), without what the sentence goes on to say.
        let rest = &window[range.end..];
        let zone = rest.trim_start();
        let zone_len = if zone.starts_with('(') {
            zone.find(')').filter(|&close| close <= 16).map_or(0, |close| close + 1)
        } else {
            let len = zone
                .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | ':' | '−')))
                .unwrap_or(zone.len());
            // A whole word only: `E` of `Eastern` is not a zone, but `Eastern` after a time is
            // (`8:51 AM Eastern`).
            if !zone[len..].starts_with(|c: char| c.is_alphanumeric()) {
                len
            } else {
                let word = zone.split(|c: char| !c.is_alphabetic()).next().unwrap_or_default();
                let time = &window[range.clone()];
                let named = word.starts_with(|c: char| c.is_uppercase())
                    && when::find_zone(&format!("{time} {word}")).is_some_and(|z| matches!(z, Zone::Named { .. }));
                if named { word.len() } else { 0 }
            }
        };
        let spaces = if zone_len == 0 { 0 } else { rest.len() - zone.len() };
        let mut value_end = end + range.end + spaces + zone_len;
        // And a date may follow (`ended at 19:20 UTC on 12 August 2025`).
        let after = &window[value_end - end..];
        if let Some(on) = after.strip_prefix(" on ").or_else(|| after.strip_prefix(", "))
            && let Some((_, date)) = when::find_date(on).filter(|(_, date)| date.start == 0)
        {
            value_end += after.len() - on.len() + date.end;
        }
        Some(text[at..value_end].trim().to_owned())
    };
    (starts.iter().find_map(after), ends.iter().find_map(after))
}

/// The words that open a clause naming what marked a moment: English, French, German, Italian,
/// Portuguese, Spanish, Dutch.
const WHEN_WORDS: &[&str] =
    &["when ", "once ", "as soon as ", "quand ", "lorsque ", "als ", "sobald ", "quando ", "cuando ", "toen "];

/// The words for "at" before a time: English, French, German, Italian, Portuguese, Spanish, Dutch.
const AT_WORDS: &[&str] = &[" at ", " à ", " um ", " alle ", " às ", " a las ", " om "];

/// `at T-3` first thing in `window`: the date, time and zone it means.
fn relative_statement(window: &str, zero: &when::MomentZero) -> Option<String> {
    let relative = relative_at_start(window)?;
    let (date, time) = zero.at(relative.minutes);
    let mut meant = String::new();
    if let Some(date) = date.and_then(|date| date.date()) {
        meant.push_str(&crate::domain::time::format_date(date));
        meant.push(' ');
    }
    meant.push_str(&crate::format::write_clock(time));
    if let Some(zone) = &zero.zone {
        meant.push(' ');
        meant.push_str(&zone.label());
    }
    Some(meant)
}

/// A relative time (`T-3`, `T+1:52`) first thing in `window`, after `at` if written.
fn relative_at_start(window: &str) -> Option<when::RelativeStamp> {
    let trimmed = window.trim_start();
    let trimmed = trimmed.strip_prefix("at ").unwrap_or(trimmed);
    // The stamp alone: the sentence may end or go on right after it (`at T+1:52.`).
    let token = trimmed.split([' ', ',', ';', ')']).next().unwrap_or_default().trim_end_matches('.');
    when::leading_relative(token).filter(|relative| relative.written.start == 0)
}

/// Where the relative time [`relative_at_start`] found in `window` ends.
fn meant_end(window: &str) -> usize {
    let trimmed = window.trim_start();
    let after_at = trimmed.strip_prefix("at ").unwrap_or(trimmed);
    relative_at_start(window).map_or(0, |relative| window.len() - after_at.len() + relative.written.end)
}

/// Words that put a duration beside a start or an end in one sentence: `began at 03:48 and
/// lasted 52 minutes`, `ended at 19:20 after 3 hours and 50 minutes`.
const DURATION_CUES: &[&str] = &["lasted", "lasting", "after", "for", "took", "over"];
/// "And" between a duration and the statement after it (`lasted 1 hour 47 minutes and ended
/// at 01:12`): English, German, French, Spanish, Portuguese/Italian, Dutch.
const JOINING_AND: &[&str] = &["and", "und", "et", "y", "e", "en"];
/// Words allowed between the cue and the number (`lasted about 50 minutes`).
const DURATION_HEDGES: &[&str] = &["about", "around", "roughly", "approximately", "nearly", "almost", "a total of"];

/// The duration stated in the sentence that states a start or an end (`statement`, as
/// [`stated_in_sentences`] gave it), after it: the duration and its words as written.
pub(super) fn duration_in_sentence(text: &str, statement: &str) -> Option<(time::Duration, String)> {
    let found = text.find(statement)?;
    let at = found + statement.len();
    let rest = &text[at..];
    let after = rest.find(". ").or_else(|| rest.find(['\n', '。', ';'])).map_or(rest.len(), |cut| cut);
    // Or before it, in the same sentence (`Customer impact lasted 1 hour 47 minutes and ended at
    // 01:12 UTC`).
    let head = &text[..found];
    let begins = [". ", "\n", "。", ";"].iter().filter_map(|stop| head.rfind(stop).map(|i| i + stop.len())).max();
    let sentence = &text[begins.unwrap_or(0)..at + after];
    let lower = sentence.to_ascii_lowercase();
    DURATION_CUES.iter().find_map(|cue| {
        let (cue_at, _) = lower.match_indices(cue).find(|&(i, _)| {
            let before = lower[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after = lower[i + cue.len()..].starts_with(' ');
            before && after
        })?;
        let mut start = cue_at + cue.len() + 1;
        for hedge in DURATION_HEDGES {
            if lower[start..].starts_with(hedge) && lower[start + hedge.len()..].starts_with(' ') {
                start += hedge.len() + 1;
            }
        }
        // The duration must come first thing after the cue (`for 5 pilot clinics` has none),
        // and ends at a comma, the statement it comes before (and the word joining them), or
        // the sentence's end.
        // `for **3 h 01 min**`: its emphasis is not its words.
        let words = sentence[start..].trim_start_matches(['*', '_']);
        let words = words.find([',', '(', ')']).map_or(words, |cut| &words[..cut]);
        let words = words.find(statement).map_or(words, |cut| &words[..cut]).trim();
        let words = JOINING_AND
            .iter()
            .find_map(|and| words.strip_suffix(and).filter(|rest| rest.ends_with(' ')))
            .map_or(words, str::trim_end)
            .trim_end_matches(['*', '_']);
        if !words.starts_with(|c: char| c.is_ascii_digit())
            && !["an ", "one ", "two ", "half "].iter().any(|w| words.starts_with(w))
        {
            return None;
        }
        let duration = when::parse_duration(words).filter(|d| d.is_positive())?;
        Some((duration, words.to_owned()))
    })
}

/// Verbs that say how long something lasted, past tense: English, French, Spanish,
/// Portuguese, Italian, German, Dutch.
const LASTED: &[&str] =
    &["lasted", "a duré", "ont duré", "duró", "durou", "durò", "è durato", "è durata", "dauerte", "duurde"];
/// Nouns for the impact itself, one of which must come before the verb in its sentence (`the
/// rollback lasted 5 minutes` is the length of something else): English, French, Spanish,
/// Portuguese, Italian, German, Dutch (prefixes, so `incidente`, `Störungen`, `indisponibilité` and
/// `indisponibilidade` are in).
const IMPACT_NOUNS: &[&str] = &[
    "impact",
    "outage",
    "incident",
    "disruption",
    "downtime",
    "interruption",
    "panne",
    "indisponib",
    "perturbation",
    "interrupción",
    "caída",
    "corte",
    "interrupção",
    "queda",
    "disservizio",
    "interruzione",
    "störung",
    "ausfall",
    "unterbrechung",
    "storing",
    "onderbreking",
    "uitval",
];
/// Words allowed between the verb and the number, in the same languages.
const LASTED_HEDGES: &[&str] = &[
    "about",
    "around",
    "roughly",
    "nearly",
    "almost",
    "just over",
    "environ",
    "près de",
    "unos",
    "unas",
    "cerca de",
    "aproximadamente",
    "cerca di",
    "circa",
    "etwa",
    "ungefähr",
    "rund",
    "knapp",
    "ongeveer",
    "bijna",
];

/// How long the impact lasted, said in a sentence of its own (`L'interruption a duré **3h35**.`,
/// `La caída duró 2 h 35 min.`, `Die Störung dauerte 1h52min.`): a noun for the impact before
/// the verb, and the duration first thing after it. The duration and its words as written.
pub(super) fn lasted_in_sentences(text: &str) -> Option<(time::Duration, String)> {
    let lower = text.to_lowercase();
    // Lower-casing keeps byte offsets in these languages' letters; if not, nothing is read.
    if lower.len() != text.len() {
        return None;
    }
    LASTED.iter().flat_map(|verb| lower.match_indices(verb)).find_map(|(at, verb)| {
        let before_ok = lower[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        if !before_ok || !lower[at + verb.len()..].starts_with([' ', '\u{a0}']) {
            return None;
        }
        let begins = [". ", "\n", "。", ";", "! ", "? "]
            .iter()
            .filter_map(|stop| lower[..at].rfind(stop).map(|i| i + stop.len()));
        let subject = &lower[begins.max().unwrap_or(0)..at];
        if !IMPACT_NOUNS.iter().any(|noun| subject.contains(noun)) {
            return None;
        }
        let mut start = at + verb.len();
        start += lower[start..].len() - lower[start..].trim_start().len();
        for hedge in LASTED_HEDGES {
            if lower[start..].starts_with(hedge) && lower[start + hedge.len()..].starts_with(' ') {
                start += hedge.len() + 1;
            }
        }
        // `a duré **3h35**.`: its emphasis is not its words.
        let words = text[start..].trim_start_matches(['*', '_']);
        let words = &words[..words.find(['\n', ',', ';', '(', '*', '_']).unwrap_or(words.len())];
        // The sentence's end: a full stop not inside the duration (`4 Std. 18 Min.`).
        let end = words
            .match_indices(". ")
            .map(|(i, _)| i)
            .find(|&i| !words[i + 2..].starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(words.len());
        let words = words[..end].trim().trim_end_matches('.');
        if !words.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let duration = when::parse_duration(words).filter(|d| d.is_positive())?;
        Some((duration, words.to_owned()))
    })
}

#[cfg(test)]
mod duration_tests {
    use super::duration_in_sentence;

    #[test]
    fn a_duration_beside_a_start_or_an_end() {
        let text = "The outage began 2025-05-21 03:48 UTC and lasted 52 minutes. Other text for 5 minutes.";
        let (duration, words) = duration_in_sentence(text, "began 2025-05-21 03:48 UTC").expect("stated");
        assert_eq!((duration.whole_minutes(), words.as_str()), (52, "52 minutes"));
        let text = "Impact ended at 19:20 UTC on 12 August 2025 after 3 hours and 50 minutes, once the sync was off.";
        let (duration, _) = duration_in_sentence(text, "ended at 19:20 UTC").expect("stated");
        assert_eq!(duration.whole_minutes(), 230);
        let (duration, _) =
            duration_in_sentence("It started at 10:00 and lasted about 2h 5m.", "started at 10:00").expect("stated");
        assert_eq!(duration.whole_minutes(), 125);
        // Or before it, in its sentence; not in the sentence before.
        let text =
            "Many databases stalled. Customer impact lasted 1 hour 47 minutes and ended at 01:12 UTC on 5 March.";
        let (duration, words) = duration_in_sentence(text, "ended at 01:12 UTC on 5 March").expect("stated");
        assert_eq!((duration.whole_minutes(), words.as_str()), (107, "1 hour 47 minutes"));
        let text = "Retries lasted 5 minutes. Impact ended at 01:12 UTC.";
        assert_eq!(duration_in_sentence(text, "ended at 01:12 UTC"), None);
    }

    #[test]
    fn a_statement_keeps_the_date_written_before_or_after_its_time() {
        use super::stated_in_sentences;
        let (start, end) = stated_in_sentences(
            "Impact began on 2 September 2024 at 14:20 PDT and ended at 08:10 on 3 September 2024.",
            None,
        );
        assert_eq!(start.as_deref(), Some("began on 2 September 2024 at 14:20 PDT"));
        assert_eq!(end.as_deref(), Some("ended at 08:10 on 3 September 2024"));
        let (start, _) = stated_in_sentences(
            "Impact started when the second import committed, at 22:15 on Monday 2 June, and ended later.",
            None,
        );
        assert_eq!(start.as_deref(), Some("started when the second import committed, at 22:15 on Monday 2 June"));
        let (start, _) = stated_in_sentences("It started when the deploy of build 20:15-rc went out.", None);
        assert_eq!(start, None);
        // A zone's letters are a whole word: not the `E` of `Eastern`.
        let (start, _) = stated_in_sentences("Customer impact started at 8:51 AM Eastern, seven minutes before.", None);
        assert_eq!(start.as_deref(), Some("started at 8:51 AM Eastern"));
        let (start, _) = stated_in_sentences("Customer impact started at 8:51 AM Every shop saw it.", None);
        assert_eq!(start.as_deref(), Some("started at 8:51 AM"));
        let (_, end) = stated_in_sentences("It ended at 19:20 UTC, 12 August 2025, after a while.", None);
        assert_eq!(end.as_deref(), Some("ended at 19:20 UTC, 12 August 2025"));
    }

    #[test]
    fn a_start_or_an_end_relative_to_moment_zero() {
        use super::stated_in_sentences;
        let zero = crate::import::when::moment_zero("T0 = 14:05 UTC, 4 June 2025").expect("T0");
        let text = "Customer impact started at T-3 and ended at T+1:52. The cause was a key.";
        let (start, end) = stated_in_sentences(text, Some(&zero));
        assert_eq!(start.as_deref(), Some("2025-06-04 14:02 UTC (started at T-3)"));
        assert_eq!(end.as_deref(), Some("2025-06-04 15:57 UTC (ended at T+1:52)"));
        // Without a moment zero nothing is read from them.
        assert_eq!(stated_in_sentences(text, None), (None, None));
    }

    #[test]
    fn how_long_the_impact_lasted_in_a_sentence_of_its_own() {
        use super::lasted_in_sentences;
        let cases: &[(&str, i64, &str)] = &[
            ("Les scanners affichaient une erreur. L'interruption a duré **3h35**. Ensuite…", 215, "3h35"),
            ("La caída del servicio duró 2 h 35 min.", 155, "2 h 35 min"),
            ("A indisponibilidade durou cerca de 1h52min, até a correção.", 112, "1h52min"),
            ("Il disservizio è durato 3 h 35 min in tutto.", 215, "3 h 35 min in tutto"),
            ("Die Störung dauerte 4 Std. 18 Min. Danach lief alles.", 258, "4 Std. 18 Min"),
            ("De storing duurde ongeveer 45 minuten.", 45, "45 minuten"),
            ("The outage lasted 47 minutes in total.", 47, "47 minutes in total"),
        ];
        for &(text, minutes, words) in cases {
            let (duration, said) = lasted_in_sentences(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(duration, time::Duration::minutes(minutes), "{text:?}");
            assert_eq!(said, words, "{text:?}");
        }
        // Something else's length, a verb without a duration after it, or no such verb.
        for text in [
            "Le rollback a duré 5 minutes.",
            "The deploy lasted 20 minutes. The outage began at 10:00.",
            "La réunion de crise a duré longtemps.",
            "The outage lasted until the cache was warm.",
            "Die Störung begann um 04:37 Uhr.",
        ] {
            assert_eq!(lasted_in_sentences(text), None, "{text:?}");
        }
    }

    #[test]
    fn no_duration_where_none_is_stated_beside_it() {
        // A duration in another sentence, or a number that is not one, is not the span's.
        assert_eq!(duration_in_sentence("It began at 10:00. It lasted 2 hours.", "began at 10:00"), None);
        assert_eq!(duration_in_sentence("It began at 10:00 for 5 pilot clinics.", "began at 10:00"), None);
        assert_eq!(duration_in_sentence("ended at 10:00 after", "ended at 10:00"), None);
        assert_eq!(duration_in_sentence("x", "not there"), None);
    }
}
