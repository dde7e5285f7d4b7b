//! A postmortem template's Markdown, read into its outline: one `## Heading` per section, the
//! text under it that section's questions. Headings are found by [`Outline`] (so nothing in a
//! code fence counts) and named with [`normalize`]; a heading naming a standard section (its
//! label, its export heading or one of a few plain synonyms) is that section, `Timeline` and
//! `Action items` carry their questions, and any other heading is an extra section.
//!
//! Matching is deliberately narrower than the importer's `classify`: an admin who writes
//! "Contributing factors" or "Detection" means a section of that name, not the root cause.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::outline::Outline as Document;
use super::sections::normalize;
use crate::domain::input::FieldErrors;
use crate::domain::limits::{MAX_HEADING_CHARS, MAX_TEMPLATE_SECTIONS};
use crate::domain::template::{Outline, OutlineSection, Part};
use crate::domain::{PerSection, Section};

/// Words besides a section's label and export heading that name it.
fn synonyms(section: Section) -> &'static [&'static str] {
    match section {
        Section::Summary => &["overview", "tldr", "what happened"],
        Section::Impact => &["customer impact", "user impact"],
        Section::RootCause => &["root causes", "cause", "causes"],
        Section::Resolution => &["resolution and recovery", "recovery"],
        Section::CorrectiveMeasures => &["corrective actions"],
        Section::PreventativeMeasures => &["preventive measures", "preventative actions", "preventive actions"],
        Section::LessonsLearned => &["lessons", "lessons learnt", "learnings"],
    }
}

/// What a heading names.
pub fn part_of(heading: &str) -> Part {
    let words = normalize(heading);
    let names = PerSection::from_fn(|section| {
        let mut names = vec![normalize(section.label()), normalize(section.export_heading())];
        names.extend(synonyms(section).iter().map(|s| (*s).to_owned()));
        names
    });
    if let Some((section, _)) = names.iter().find(|(_, names)| names.contains(&words)) {
        return Part::Text(section);
    }
    match words.as_str() {
        "timeline" | "chronology" => Part::Timeline,
        "action items" | "actions" | "follow ups" | "follow up actions" => Part::ActionItems,
        _ => Part::Extra,
    }
}

/// The template's outline, or what is wrong with it (as messages for its `body` field).
pub fn read(name: &str, body: &str) -> Result<Outline, FieldErrors> {
    let document = Document::parse(body);
    let headings: Vec<_> = document.headings.iter().filter(|h| h.level <= 2).collect();
    let mut errors = FieldErrors::default();
    let mut sections: Vec<OutlineSection> = Vec::new();
    for (i, heading) in headings.iter().enumerate() {
        if heading.level == 1 {
            continue;
        }
        let text = heading.text.trim().trim_end_matches('#').trim().to_owned();
        let end = headings.get(i + 1).map_or(document.lines.len(), |next| next.line);
        let questions = questions(&document.text(heading.line + heading.span..end));
        if text.is_empty() {
            errors.add("body", "A `##` heading has no words: name each section.");
            continue;
        }
        if text.chars().count() > MAX_HEADING_CHARS {
            errors.add("body", format!("Keep each heading under {MAX_HEADING_CHARS} characters."));
            continue;
        }
        let part = part_of(&text);
        let twin = sections.iter().find(|s| {
            if part == Part::Extra {
                s.part == Part::Extra && normalize(&s.heading) == normalize(&text)
            } else {
                s.part == part
            }
        });
        if let Some(twin) = twin {
            let message = if twin.heading == text {
                format!("The section “{text}” appears twice: keep one.")
            } else {
                format!("“{}” and “{text}” are the same section: keep one.", twin.heading)
            };
            errors.add("body", message);
            continue;
        }
        sections.push(OutlineSection { heading: text, part, questions });
    }
    if sections.is_empty() && errors.is_empty() {
        errors.add(
            "body",
            "Write each section as a `## Heading` line, with its questions under it: the template has none.",
        );
    }
    if sections.len() > MAX_TEMPLATE_SECTIONS {
        errors.add(
            "body",
            format!("A template has at most {MAX_TEMPLATE_SECTIONS} sections; this one has {}.", sections.len()),
        );
    }
    if errors.is_empty() { Ok(Outline { name: name.to_owned(), sections }) } else { Err(errors) }
}

/// Each paragraph and list item of `markdown` as one line of plain text.
fn questions(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        let line = current.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            found.push(line);
        }
        current.clear();
    };
    for event in Parser::new(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => current.push_str(&text),
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            Event::Start(Tag::List(_) | Tag::Item | Tag::Paragraph | Tag::Heading { .. }) => flush(&mut current),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::CodeBlock) => {
                flush(&mut current)
            }
            _ => {}
        }
    }
    flush(&mut current);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_name_sections_and_the_text_under_them_is_questions() {
        let body = "# Our template\n\nIntro, ignored.\n\n## Summary\n\nWhat *happened*?\nIn brief.\n\n\
                    ## Customer impact\n\n- Who?\n- How many?\n\n### A note\n\nKept too.\n\n\
                    ## Detection\n\n```\n## not a heading\n```\n\n## Timeline\n\n## ACTION ITEMS\n";
        let outline = read("Mine", body).expect("valid");
        let parts: Vec<Part> = outline.sections.iter().map(|s| s.part).collect();
        assert_eq!(
            parts,
            [Part::Text(Section::Summary), Part::Text(Section::Impact), Part::Extra, Part::Timeline, Part::ActionItems]
        );
        assert_eq!(outline.sections[0].questions, ["What happened? In brief."]);
        assert_eq!(outline.sections[1].questions, ["Who?", "How many?", "A note", "Kept too."]);
        assert_eq!(outline.sections[2].heading, "Detection");
        assert_eq!(outline.sections[2].questions, ["## not a heading"]);
        assert!(outline.sections[3].questions.is_empty());
    }

    #[test]
    fn labels_export_headings_and_synonyms_name_standard_sections() {
        for section in Section::ALL {
            assert_eq!(part_of(section.label()), Part::Text(section));
            assert_eq!(part_of(&section.export_heading().to_uppercase()), Part::Text(section));
        }
        assert_eq!(part_of("Preventive measures"), Part::Text(Section::PreventativeMeasures));
        for extra in ["Contributing factors", "Detection", "Data exposure", "Disclosure and notification"] {
            assert_eq!(part_of(extra), Part::Extra, "{extra}");
        }
    }

    #[test]
    fn bad_templates_say_why() {
        let why = |body: &str| read("x", body).expect_err("refused").get("body").map(str::to_owned);
        assert!(why("Just some text.").is_some_and(|m| m.contains("## Heading")));
        assert!(why("## Impact\n\n## Impact\n").is_some_and(|m| m.contains("appears twice")));
        assert!(why("## Impact\n\n## User impact\n").is_some_and(|m| m.contains("same section")));
        assert!(why("## Detection\n\n## detection\n").is_some());
        assert!(why(&format!("## {}\n", "x".repeat(300))).is_some());
        assert!(why(&(0..50).map(|i| format!("## Part {i}\n")).collect::<String>()).is_some());
    }
}
