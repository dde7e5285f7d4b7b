//! Recognising what a section is about from its heading or an inline label, by meaning rather
//! than one exact wording: emoji, numbering, punctuation, case and asides are ignored, and
//! synonyms map to the same field.

use crate::domain::Section;

/// Where a section's text belongs in a postmortem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Summary,
    Impact,
    Timeline,
    RootCause,
    Resolution,
    /// Both measures under one heading ("Corrective and preventative measures").
    Measures,
    CorrectiveMeasures,
    PreventativeMeasures,
    LessonsLearned,
    ActionItems,
    /// A combined "Root cause and resolution" section, split by its inline labels.
    RootCauseAndResolution,
    /// Start, end or duration of impact, written as a field (`**Duration:** ...`).
    Duration,
}

impl SectionKind {
    /// The standard section text of this meaning goes to: a combined "Root cause and resolution"
    /// starts in the root cause (its labelled paragraphs are split off), and both measures under
    /// one heading start in the corrective measures. `None` for the timeline, the action items
    /// and a duration.
    pub fn section(self) -> Option<Section> {
        Some(match self {
            SectionKind::Summary => Section::Summary,
            SectionKind::Impact => Section::Impact,
            SectionKind::RootCause | SectionKind::RootCauseAndResolution => Section::RootCause,
            SectionKind::Resolution => Section::Resolution,
            SectionKind::Measures | SectionKind::CorrectiveMeasures => Section::CorrectiveMeasures,
            SectionKind::PreventativeMeasures => Section::PreventativeMeasures,
            SectionKind::LessonsLearned => Section::LessonsLearned,
            SectionKind::Timeline | SectionKind::ActionItems | SectionKind::Duration => return None,
        })
    }
}

/// Lower-case words of a heading or label, without emoji, numbering, punctuation or asides in
/// parentheses: `"🕵️ 3. Root Cause(s) & Resolution (a.k.a. ...)"` → `"root causes and resolution"`.
pub fn normalize(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '&' | '+' => out.push_str(" and "),
            ';' => {} // "TL;DR" → "tldr"
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    // Leading numbering such as "1", "1 2", "iv" is not part of the meaning.
    // Full-width digits (`１．概要`) count too.
    let start = words.iter().take_while(|w| w.chars().all(|c| c.is_numeric())).count();
    words[start..].join(" ")
}

/// The field a heading or label stands for, if any.
pub fn classify(text: &str) -> Option<SectionKind> {
    // Pure, and asked again and again of a document's repeated headings and labels (a long
    // one repeats `Timeline` and `Action items` thousands of times): remembered per thread,
    // a bounded number of texts at a time.
    const REMEMBERED: usize = 4096;
    thread_local! {
        static KNOWN: std::cell::RefCell<std::collections::HashMap<String, Option<SectionKind>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(kind) = KNOWN.with(|known| known.borrow().get(text).copied()) {
        return kind;
    }
    let kind = classify_text(text);
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if known.len() >= REMEMBERED {
            known.clear();
        }
        known.insert(text.to_owned(), kind);
    });
    kind
}

fn classify_text(text: &str) -> Option<SectionKind> {
    use SectionKind::*;
    let words = normalize(text);
    // Where its words start, found once for the hundreds of phrases looked for.
    let starts: Vec<usize> =
        std::iter::once(0).chain(words.bytes().enumerate().filter(|&(_, b)| b == b' ').map(|(i, _)| i + 1)).collect();
    let cjk = words.chars().any(is_cjk);
    let has = |needle: &str| contains_phrase(&words, &starts, cjk, needle);
    let any = |needles: &[&str]| needles.iter().any(|needle| contains_phrase(&words, &starts, cjk, needle));
    let root_cause =
        has("root cause") || has("root causes") || has("cause") || has("causes") || has("caused") || any(ROOT_CAUSE);
    let resolution = has("resolution") || has("recovery") || has("mitigation") || has("fix");
    if root_cause && resolution {
        return Some(RootCauseAndResolution);
    }
    let corrective = has("corrective")
        || has("correction")
        || has("correctives")
        || has("correctivas")
        || has("correctivos")
        || has("corretivas")
        || has("corretivos")
        || has("correttive")
        || has("correttivi")
        || has("correctieve")
        || has("korrekturmaßnahmen");
    let preventative = has("preventative") || has("preventive") || has("prevention");
    if corrective && preventative {
        return Some(Measures);
    }
    let kind = if words.is_empty() {
        return None;
    } else if has("action items")
        || has("action item")
        || has("follow ups")
        || has("follow up")
        || has("followups")
        || has("next steps")
        || has("remediation")
        || has("remediations")
        || has("todo")
        || has("to do")
        || has("tasks")
        || has("action plan")
        || any(FUTURE_WORK)
        || (has("actions") && !corrective && !preventative)
        || any(ACTION_ITEMS)
    {
        ActionItems
    } else if has("timeline") || has("chronology") || has("sequence of events") || has("time line") || any(TIMELINE) {
        Timeline
    } else if has("lessons learned")
        || has("lesson learned")
        || has("what didn t go so well")
        || has("what didn t go well")
        || has("what went badly")
        || has("lessons learnt")
        || has("lessons")
        || has("what went well")
        || has("where we got lucky")
        || has("learnings")
        || has("takeaways")
        || any(LESSONS)
    {
        LessonsLearned
    } else if corrective {
        CorrectiveMeasures
    } else if preventative {
        PreventativeMeasures
    } else if root_cause
        || has("contributing factors")
        || has("what went wrong")
        || has("trigger")
        || has("why it happened")
        || has("analysis")
    {
        RootCause
    } else if resolution || has("how we fixed it") || has("response") || any(RESOLUTION) {
        Resolution
    } else if has("impact") || has("customer impact") || has("user impact") || has("who was affected") || any(IMPACT) {
        Impact
    } else if has("summary")
        || has("overview")
        || has("tldr")
        || has("tl dr")
        || has("description")
        || has("background")
        || has("what happened")
        || any(SUMMARY)
    {
        Summary
    } else if has("duration") {
        Duration
    } else {
        return None;
    };
    Some(kind)
}

/// Whether a label or heading is just the standard name of a field (`Impact`, `Root cause`), so
/// the field's own heading says it again.
pub fn is_standard_name(label: &str) -> bool {
    const NAMES: [&str; 10] = [
        "summary",
        "impact",
        "timeline",
        "root cause",
        "resolution",
        "corrective measures",
        "preventative measures",
        "lessons learned",
        "action items",
        "duration",
    ];
    NAMES.contains(&normalize(label).as_str())
}

/// `heading`, if it is the authors' own heading for a section of meaning `kind` that an export
/// can write in place of the standard `standard` and read back as the same section: it means
/// that section (a combined "Root cause and resolution" heading heads the root cause) and is
/// not the standard heading itself.
pub fn own_heading<'a>(heading: Option<&'a str>, kind: SectionKind, standard: &str) -> Option<&'a str> {
    let heading = heading?;
    let means = classify(heading)?;
    let fits = means == kind || (kind == SectionKind::RootCause && means == SectionKind::RootCauseAndResolution);
    let writable = !heading.contains(['\n', '\r']) && heading.trim() == heading && !heading.is_empty();
    (fits && writable && heading != standard).then_some(heading)
}

// The same meanings in the languages postmortems are most often written in besides English:
// German, French, Spanish, Portuguese, Italian, Dutch, Japanese, Chinese (both scripts) and
// Korean, lower-case as `normalize` leaves them. Checked in the order of `classify`, so a
// heading that names two meanings ("対応事項", items to respond with) goes to the first.
const ACTION_ITEMS: &[&str] = &[
    "maßnahmen",
    "massnahmen",
    "maßnahmenplan",
    "massnahmenplan",
    "aufgaben",
    "nächste schritte",
    "folgeaufgaben",
    "mesures de suivi",
    "plan d action",
    "prochaines étapes",
    "actions à mener",
    "acciones",
    "próximos pasos",
    "tareas",
    "plan de acción",
    "itens de ação",
    "ações",
    "acoes",
    "próximos passos",
    "azioni",
    "prossimi passi",
    "actiepunten",
    "acties",
    "vervolgstappen",
    "vervolgacties",
    "対策",
    "再発防止",
    "対応事項",
    "アクションアイテム",
    "今後の対応",
    "改善策",
    "改进措施",
    "改進措施",
    "行动项",
    "行動項目",
    "后续行动",
    "後續行動",
    "待办",
    "整改",
    "조치 사항",
    "조치사항",
    "후속 조치",
    "액션 아이템",
    "재발 방지",
];
/// Headings that say what the authors will do, in English: the items' section too.
const FUTURE_WORK: &[&str] = &[
    "what we ll do",
    "what we will do",
    "what we are going to do",
    "what we re changing",
    "what we are changing",
    "what we will change",
    "what we ll change",
    "what we re doing about it",
    "what we are doing about it",
    "things to do",
    "stop this happening again",
    "stop it happening again",
    "stop this from happening again",
    "prevent this from happening again",
    "prevent it from happening again",
    "was wir ändern",
    "ce que nous allons faire",
    "lo que vamos a hacer",
    "o que vamos fazer",
    "cosa faremo",
    "wat we gaan doen",
];
const TIMELINE: &[&str] = &[
    "zeitverlauf",
    "ablauf",
    "chronologie",
    "zeitleiste",
    "zeitlinie",
    "déroulement",
    "cronología",
    "cronologia",
    "línea de tiempo",
    "linea de tiempo",
    "linha do tempo",
    "sequenza degli eventi",
    "tijdlijn",
    "status page updates",
    "status updates",
    "incident updates",
    "update history",
    "update log",
    "updates",
    "incident history",
    "event log",
    "sequence of updates",
    "verloop",
    "タイムライン",
    "経緯",
    "時系列",
    "時間軸",
    "时间线",
    "时间轴",
    "处置过程",
    "事件经过",
    "处置经过",
    "時間線",
    "處置過程",
    "事件經過",
    "対応経過",
    "対応の経緯",
    "타임라인",
    "경과",
    "시간순",
];
const LESSONS: &[&str] = &[
    "erkenntnisse",
    "was wir gelernt haben",
    "was gut lief",
    "was nicht gut lief",
    "lehren",
    "gelernt",
    "leçons apprises",
    "leçons",
    "ce qui a bien fonctionné",
    "ce qui doit être amélioré",
    "enseignements",
    "lecciones aprendidas",
    "lecciones",
    "lo que salió bien",
    "lo que salió mal",
    "o que aprendemos",
    "lições aprendidas",
    "o que correu bem",
    "o que deu errado",
    "cosa ha funzionato",
    "cosa non ha funzionato",
    "lezioni apprese",
    "wat ging goed",
    "wat kan beter",
    "wat ging mis",
    "lessen",
    "geleerde lessen",
    "教訓",
    "学び",
    "良かった点",
    "所感",
    "反省",
    "经验教训",
    "教训",
    "做得好的地方",
    "需要改進的地方",
    "需要改进的地方",
    "处理过程中的问题",
    "교훈",
    "잘한 점",
    "아쉬운 점",
    "배운 점",
];
const ROOT_CAUSE: &[&str] = &[
    "ursache",
    "ursachen",
    "ursachenanalyse",
    "grundursache",
    "cause fondamentale",
    "analyse des causes",
    "causa",
    "causa raíz",
    "causa raiz",
    "causas",
    "causa principale",
    "oorzaak",
    "oorzaken",
    "原因",
    "根本原因",
    "원인",
    "근본 원인",
];
const RESOLUTION: &[&str] = &[
    "behebung",
    "lösung",
    "wiederherstellung",
    "rétablissement",
    "résolution",
    "resolución",
    "solución",
    "resolução",
    "solução",
    "risoluzione",
    "ripristino",
    "oplossing",
    "herstel",
    "復旧",
    "対応",
    "解决",
    "恢复",
    "解決",
    "해결",
    "복구",
];
const IMPACT: &[&str] =
    &["auswirkungen", "auswirkung", "portée", "impacto", "impatto", "gevolgen", "影響", "影响", "영향"];
const SUMMARY: &[&str] = &[
    "zusammenfassung",
    "kurzfassung",
    "überblick",
    "übersicht",
    "résumé",
    "sommaire",
    "synthèse",
    // "In short", as the first section's heading.
    "en bref",
    "in short",
    "in brief",
    "auf einen blick",
    "en resumen",
    "em resumo",
    "in breve",
    "in het kort",
    "resumen",
    "resumo",
    "sumário",
    "sintesi",
    "riepilogo",
    "sommario",
    "samenvatting",
    "overzicht",
    "概要",
    "サマリー",
    "要約",
    "概述",
    "摘要",
    "总结",
    "總結",
    "背景",
    "요약",
    "개요",
];

/// Whether `phrase` occurs in `words` on word boundaries (anywhere, for a phrase in a script
/// written without spaces between words: Japanese, Chinese, Korean with its particles).
fn contains_phrase(words: &str, starts: &[usize], has_cjk: bool, phrase: &str) -> bool {
    let (bytes, wanted) = (words.as_bytes(), phrase.as_bytes());
    let Some(&first) = wanted.first() else { return true };
    // A phrase in a script written without spaces is found anywhere (and not in text
    // without such characters).
    if !phrase.is_ascii() && phrase.chars().any(is_cjk) {
        return has_cjk && words.contains(phrase);
    }
    // `words` is normalized (words between single spaces): the phrase is looked for at each
    // word's start only (`starts`, found once per text), its first byte tested before the
    // rest: most of a 1 MB import's time is spent here.
    starts.iter().any(|&at| {
        bytes.get(at) == Some(&first)
            && bytes[at..].starts_with(wanted)
            && bytes.get(at + wanted.len()).is_none_or(|&b| b == b' ')
    })
}

/// A character of a script written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}')
}

#[cfg(test)]
mod tests {
    use super::SectionKind::*;
    use super::*;

    #[test]
    fn noise_is_ignored() {
        assert_eq!(normalize("🚨 Issue Summary"), "issue summary");
        assert_eq!(normalize("⏳ Timeline (a.k.a. How We Panicked in Real-Time)"), "timeline");
        assert_eq!(normalize("3. Root Cause(s)"), "root cause");
        assert_eq!(normalize("TL;DR"), "tldr");
        assert_eq!(normalize("Corrective & Preventative Measures:"), "corrective and preventative measures");
    }

    #[test]
    fn headings_map_by_meaning() {
        let cases = [
            ("🚨 Issue Summary", Summary),
            ("Overview", Summary),
            ("En bref", Summary),
            ("In short", Summary),
            ("Auf einen Blick", Summary),
            ("TL;DR", Summary),
            ("Executive summary", Summary),
            ("Impact", Impact),
            ("Customer Impact", Impact),
            ("⏳ Timeline (a.k.a. How We Panicked in Real-Time)", Timeline),
            ("Chronology", Timeline),
            ("Timeline of events", Timeline),
            ("Root Cause", RootCause),
            ("Root Causes", RootCause),
            ("Contributing Factors", RootCause),
            ("What went wrong", RootCause),
            ("Root Cause Analysis", RootCause),
            ("Trigger", RootCause),
            ("🕵️ Root Cause and Resolution", RootCauseAndResolution),
            ("Resolution", Resolution),
            ("Recovery", Resolution),
            ("Mitigation", Resolution),
            ("🔧 Corrective and Preventative Measures", Measures),
            ("Corrective actions", CorrectiveMeasures),
            ("Preventive measures", PreventativeMeasures),
            ("Lessons Learned", LessonsLearned),
            ("What went well", LessonsLearned),
            ("Where we got lucky", LessonsLearned),
            ("Action Items", ActionItems),
            ("Follow-ups", ActionItems),
            ("Remediation", ActionItems),
            ("Next steps", ActionItems),
            ("What we'll do", ActionItems),
            ("What we're changing", ActionItems),
            ("How we'll stop this happening again", ActionItems),
            ("Duration", Duration),
            ("Lesson Learned", LessonsLearned),
            ("What didn't go so well?", LessonsLearned),
            ("What caused the incident?", RootCause),
            ("Zusammenfassung", Summary),
            ("Zeitverlauf", Timeline),
            ("Maßnahmen", ActionItems),
            ("Was wir gelernt haben", LessonsLearned),
            ("Ursache", RootCause),
            ("Déroulement", Timeline),
            ("Mesures de suivi", ActionItems),
            ("Cause fondamentale", RootCause),
            ("Causa raíz", RootCause),
            ("Itens de ação", ActionItems),
            ("Linha do tempo", Timeline),
            ("Cosa non ha funzionato", LessonsLearned),
            ("Tijdlijn", Timeline),
            ("Actiepunten", ActionItems),
            ("１．概要", Summary),
            ("■　タイムライン", Timeline),
            ("５．対策", ActionItems),
            ("■　再発防止策", ActionItems),
            ("対応事項", ActionItems),
            ("四、根本原因", RootCause),
            ("六、改进措施", ActionItems),
            ("事故经过摘要", Summary),
            ("三、时间线", Timeline),
            ("5. 조치 사항", ActionItems),
            ("3. 타임라인", Timeline),
            ("잘한 점", LessonsLearned),
        ];
        for (heading, kind) in cases {
            assert_eq!(classify(heading), Some(kind), "{heading}");
        }
    }

    #[test]
    fn unknown_headings_are_not_forced_into_a_field() {
        for heading in ["Detection", "Supporting information", "Glossary", "", "🔥", "2019-11-29"] {
            assert_eq!(classify(heading), None, "{heading}");
        }
    }
}
