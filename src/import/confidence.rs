//! How sure the importer is of a document, in three lists a person can check before saving:
//! what it found, what it assumed, and what the document does not say (which the draft is
//! saved without, and the review will ask for). The Import page shows it on each document's
//! card; `hindsight import` prints the missing part at its end.

use super::model::{ImportedPostmortem, TitleSource};
use crate::domain::time::{self as t, Offset};
use crate::domain::{START_MISSING, Section};

/// The three lists, each a sentence a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confidence {
    pub found: Vec<String>,
    pub assumed: Vec<String>,
    pub missing: Vec<String>,
}

impl ImportedPostmortem {
    /// What was found, assumed and left unsaid, as of this reading (corrections applied).
    pub fn confidence(&self) -> Confidence {
        let offset = Offset::from_minutes(self.utc_offset_minutes);
        let mut found = Vec::new();
        let mut missing = Vec::new();
        let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };

        match self.title_source {
            Some(TitleSource::Untitled) | None => {
                missing.push("A title: it is saved as “Imported postmortem”.".to_owned())
            }
            Some(source) => {
                let from = match source {
                    TitleSource::FrontMatter => "the front matter",
                    TitleSource::Heading => "the first heading",
                    TitleSource::BoldLine => "the first bold line",
                    TitleSource::FileName => "the file name",
                    TitleSource::Untitled => "",
                };
                found.push(format!("The title, from {from}."));
            }
        }
        match (self.started_at, &self.start_conflict) {
            (Some(start), _) => found.push(format!("The start of impact: {}.", t::format_full(start, offset))),
            (None, Some(conflict)) => missing.push(format!("The start of impact: {conflict}")),
            (None, None) => missing.push(format!("The start of impact (saved without one). {START_MISSING}")),
        }
        match (self.ended_at, &self.end_conflict) {
            (Some(end), _) => found.push(format!("The end of impact: {}.", t::format_full(end, offset))),
            (None, Some(conflict)) => missing.push(format!("The end of impact: {conflict}")),
            (None, None) => {
                missing.push("The end of impact: the draft shows it as ongoing until you enter it.".to_owned())
            }
        }
        match self.severity {
            Some(severity) => found.push(format!("The severity: {severity}.")),
            None => missing.push("The severity: it is saved as SEV3 until you choose one.".to_owned()),
        }

        let written: Vec<&str> = self
            .texts
            .iter()
            .filter(|(_, field)| !field.body.trim().is_empty())
            .map(|(section, _)| section.label())
            .collect();
        if !written.is_empty() {
            found.push(format!("{}: {}.", plural(written.len(), "section", "sections"), written.join(", ")));
        }
        for section in [Section::Impact, Section::RootCause] {
            if self.texts[section].body.trim().is_empty() {
                missing.push(format!(
                    "The {}: no section of the document was read as it.",
                    section.label().to_lowercase()
                ));
            }
        }

        let timed = self.timeline.iter().filter(|entry| entry.occurred_at.is_some()).count();
        let untimed = self.timeline.len() - timed;
        if timed > 0 {
            found.push(format!("{} with a date and time.", plural(timed, "timeline row", "timeline rows")));
        }
        if untimed > 0 {
            missing.push(format!(
                "The date or time of {}: kept as written in a section of their own.",
                plural(untimed, "timeline row", "timeline rows")
            ));
        } else if timed == 0 {
            missing.push("A timeline: no timeline was found.".to_owned());
        }

        let items = &self.action_items;
        if items.is_empty() {
            missing.push("Action items: none were found.".to_owned());
        } else {
            let done = items.iter().filter(|item| item.is_done()).count();
            found.push(format!("{}, {done} done.", plural(items.len(), "action item", "action items")));
            let open = || items.iter().filter(|item| !item.is_done());
            let unowned = open().filter(|item| item.item.owner.is_none() && item.item.team.is_none()).count();
            let undated = open().filter(|item| item.due_on.is_none()).count();
            if unowned > 0 {
                missing.push(format!("An owner for {} still to do.", plural(unowned, "action item", "action items")));
            }
            if undated > 0 {
                missing.push(format!("A due date for {} still to do.", plural(undated, "action item", "action items")));
            }
        }
        if !self.extra_sections.is_empty() {
            found.push(format!(
                "{} kept as written.",
                plural(self.extra_sections.len(), "other section", "other sections")
            ));
        }
        Confidence { found, assumed: self.notes.clone(), missing }
    }
}

#[cfg(test)]
mod tests {
    use super::super::draft::recognise;

    #[test]
    fn a_complete_document_misses_nothing_a_review_asks_for() {
        let doc = "# Outage\n\n- **Severity:** SEV2\n- **Start:** 2025-03-01 10:15 UTC\n- **End:** 2025-03-01 11:00 UTC\n\n\
                   ## Impact\n\nSlow.\n\n## Root cause\n\nA pool.\n\n## Timeline\n\n- 10:15 Paged\n\n\
                   ## Action items\n\n| Action | Owner | Due |\n|---|---|---|\n| Raise the pool | Sam | 2025-03-10 |\n";
        let confidence = recognise(doc, None).confidence();
        assert!(confidence.missing.is_empty(), "{:?}", confidence.missing);
        assert!(
            confidence.found.iter().any(|line| line == "The start of impact: 2025-03-01 10:15 UTC."),
            "{confidence:?}"
        );
        assert!(confidence.found.iter().any(|line| line == "1 timeline row with a date and time."), "{confidence:?}");
    }

    #[test]
    fn what_a_document_does_not_say_is_listed_as_missing_and_the_guesses_as_assumed() {
        let doc = "# Outage\n\nIt broke.\n\n## Timeline\n\n- 10:15 Paged\n\n## Follow-ups\n\n- [ ] Fix it\n";
        let confidence = recognise(doc, None).confidence();
        let missing = confidence.missing.join("\n");
        for expected in [
            "start of impact",
            "end of impact",
            "severity",
            "impact:",
            "root cause",
            "time of 1 timeline row",
            "An owner for 1",
            "A due date for 1",
        ] {
            assert!(missing.contains(expected), "{expected}: {missing}");
        }
        assert!(confidence.assumed.iter().any(|note| note.contains("No start of impact was stated")), "{confidence:?}");
    }
}
