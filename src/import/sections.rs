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
    let start = words.iter().take_while(|w| w.bytes().all(|b| b.is_ascii_digit())).count();
    words[start..].join(" ")
}

/// The field a heading or label stands for, if any.
pub fn classify(text: &str) -> Option<SectionKind> {
    use SectionKind::*;
    let words = normalize(text);
    let has = |needle: &str| contains_phrase(&words, needle);
    let root_cause = has("root cause") || has("root causes") || has("cause") || has("causes") || has("caused");
    let resolution = has("resolution") || has("recovery") || has("mitigation") || has("fix");
    if root_cause && resolution {
        return Some(RootCauseAndResolution);
    }
    let corrective = has("corrective") || has("correction");
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
        || (has("actions") && !corrective && !preventative)
    {
        ActionItems
    } else if has("timeline") || has("chronology") || has("sequence of events") || has("time line") {
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
    } else if resolution || has("how we fixed it") || has("response") {
        Resolution
    } else if has("impact") || has("customer impact") || has("user impact") || has("who was affected") {
        Impact
    } else if has("summary")
        || has("overview")
        || has("tldr")
        || has("tl dr")
        || has("description")
        || has("background")
        || has("what happened")
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

/// Whether `phrase` occurs in `words` on word boundaries.
fn contains_phrase(words: &str, phrase: &str) -> bool {
    words.match_indices(phrase).any(|(at, _)| {
        let before = at == 0 || words.as_bytes()[at - 1] == b' ';
        let end = at + phrase.len();
        let after = end == words.len() || words.as_bytes()[end] == b' ';
        before && after
    })
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
            ("Duration", Duration),
            ("Lesson Learned", LessonsLearned),
            ("What didn't go so well?", LessonsLearned),
            ("What caused the incident?", RootCause),
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
