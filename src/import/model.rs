//! What the importer recognises in a document, as the import preview shows it, `--dry-run
//! --json` prints it and the exports' reader (`exported`) fills it in. Nothing here reads
//! Markdown; the readers do.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::action_items::ImportedItem;
use super::sections::{SectionKind, classify};
use crate::domain::recurrences::RecurrencesAsWritten;
use crate::domain::{PerSection, Severity, Status};

/// Where the title came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleSource {
    FrontMatter,
    Heading,
    BoldLine,
    FileName,
    Untitled,
}

/// A prose field as found: the author's own heading (kept so their wording survives the
/// export) and the Markdown under it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Field {
    pub heading: Option<String>,
    pub body: String,
}

impl Field {
    pub(super) fn append(&mut self, heading: Option<&str>, body: &str) {
        let body = body.trim_matches('\n');
        // Nothing yet, or only a heading that merely contained sub-sections. Over both
        // measures ("Corrective and preventative measures" above "Corrective measures") it
        // gives way to the sub-section's heading (the export writes both measures under one
        // heading again); any other ("Lessons learned" above "What went well") stays, and the
        // sub-section's heading is kept in the text.
        if self.body.is_empty() {
            let container = self.heading.as_deref().filter(|h| classify(h) != Some(SectionKind::Measures));
            match (container, heading) {
                (Some(_), Some(sub)) if !body.is_empty() => self.body = format!("### {sub}\n\n{body}"),
                (Some(_), Some(sub)) => self.body = format!("### {sub}"),
                _ => {
                    if heading.is_some() || self.heading.is_none() {
                        self.heading = heading.map(str::to_owned);
                    }
                    self.body = body.to_owned();
                }
            }
            return;
        }
        // Untitled text (a preamble) followed by the section proper: the section's heading
        // becomes the field's, and the text stays first.
        if self.heading.is_none() && heading.is_some() {
            self.heading = heading.map(str::to_owned);
            if !body.is_empty() {
                self.body.push_str("\n\n");
                self.body.push_str(body);
            }
            return;
        }
        // A second section of the same meaning keeps its heading inside the first one's body.
        let mut part = String::new();
        if let Some(heading) = heading {
            part.push_str("### ");
            part.push_str(heading);
            if !body.is_empty() {
                part.push_str("\n\n");
            }
        }
        part.push_str(body);
        if part.is_empty() {
            return;
        }
        if !self.body.is_empty() {
            self.body.push_str("\n\n");
        }
        self.body.push_str(&part);
    }
}

/// A section whose meaning is not one of the postmortem's fields, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtraSection {
    pub heading: String,
    pub body: String,
}

/// A timeline entry with its instant resolved (if the row had a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedEntry {
    #[serde(with = "time::serde::rfc3339::option")]
    pub occurred_at: Option<OffsetDateTime>,
    pub approximate: bool,
    /// The time as the row wrote it (`10:15 AM`, with its date if it had one).
    pub time_as_written: Option<String>,
    pub text: String,
    /// The moment of the incident the row marks (Hindsight's own export says so).
    pub marker: Option<crate::domain::Marker>,
}

/// An action item with its due date resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedItem {
    #[serde(flatten)]
    pub item: ImportedItem,
    #[serde(serialize_with = "iso_date")]
    pub due_on: Option<Date>,
}

/// `2025-04-01`, as every other date Hindsight writes in JSON (serde's own form for a `Date` is
/// `[2025, 91]`, its year and day of the year).
fn iso_date<S: serde::Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.serialize_some(&crate::domain::time::format_date(*date)),
        None => serializer.serialize_none(),
    }
}

/// The services, tags and contributing factors a document names (a Hindsight export's
/// `**Services:**`, `**Tags:**` and `**Contributing factor:**` lines).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportedLabels {
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub factors: Vec<ImportedFactor>,
}

/// A contributing factor, by its kind's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedFactor {
    pub name: String,
    pub explanation: String,
}

/// Everything recognised in one document: what the import preview shows, what `--dry-run
/// --json` prints, and what is saved as a draft after the user's corrections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedPostmortem {
    pub title: String,
    pub title_source: Option<TitleSource>,
    pub severity: Option<Severity>,
    pub status: Option<Status>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    /// The zone or offset the times were read in, as a label (`UTC+2`, `America/New_York`).
    pub zone: String,
    /// The offset in force at the start: the offset the postmortem will be shown in.
    pub utc_offset_minutes: i32,
    /// Each standard section's text, with the authors' heading for it (in JSON, each section
    /// is a key of its own: `"summary": {"heading": …, "body": …}`).
    #[serde(flatten)]
    pub texts: PerSection<Field>,
    /// The timeline section's heading as written, if any.
    pub timeline_heading: Option<String>,
    pub timeline: Vec<ImportedEntry>,
    /// Text in the timeline section that is not an entry.
    pub timeline_notes: String,
    pub action_items_heading: Option<String>,
    pub action_items: Vec<ResolvedItem>,
    /// Text in the action-items section that is not an item.
    pub action_item_notes: String,
    pub extra_sections: Vec<ExtraSection>,
    /// Its services, tags and factors (in JSON, `services`, `tags` and `factors` keys).
    #[serde(flatten)]
    pub labels: ImportedLabels,
    /// A Hindsight export's `**Happened before:**` and `**Happened again:**` lines' values, as
    /// written (in JSON, `{"happened_before": [...], "happened_again": [...]}`).
    pub recurrences: RecurrencesAsWritten,
    /// What the importer assumed, for the user to check.
    pub notes: Vec<String>,
    /// Why the start (or the end) cannot be read: the document states two different ones. The
    /// user must say which (in `notes` too); until then nothing is saved.
    #[serde(skip)]
    pub start_conflict: Option<String>,
    #[serde(skip)]
    pub end_conflict: Option<String>,
    /// Why the zone cannot be read: the document states one that is not a zone (an offset out
    /// of range, an unknown name). The user must choose the offset; until then nothing is saved.
    #[serde(skip)]
    pub zone_problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_date_is_written_in_json_as_an_iso_date() {
        let item = crate::import::action_items::parse("- [ ] Add an alert (Kim, 2025-04-01)").items.remove(0);
        let resolved = ResolvedItem { item, due_on: Some(time::macros::date!(2025 - 04 - 01)) };
        let json = serde_json::to_value(&resolved).expect("serialises");
        assert_eq!(json["due_on"], "2025-04-01");
        let none = ResolvedItem { due_on: None, ..resolved };
        assert!(serde_json::to_value(&none).expect("serialises")["due_on"].is_null());
    }
}
