//! A postmortem's recurrences as its document names them (the export's "Happened before",
//! "Happened again" and an action item's "Recurred in"): the confirmed ones, by id and title,
//! and those an import kept as written because they named another instance's postmortems.

use serde::{Deserialize, Serialize};

use super::IncidentId;

/// Another postmortem, as a recurrence names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRef {
    pub id: IncidentId,
    pub title: String,
}

/// The postmortems one repeats and those that repeat it, each by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Recurrences {
    /// Earlier postmortems this one repeats, confirmed here.
    pub happened_before: Vec<IncidentRef>,
    /// Later postmortems that repeat this one, confirmed there.
    pub happened_again: Vec<IncidentRef>,
    /// "Happened before" lines of an imported document that name no postmortem here, as written.
    pub before_as_written: Vec<String>,
    /// "Happened again" lines of an imported document, as written (never linked: see
    /// `app::imports`).
    pub again_as_written: Vec<String>,
}

/// What an imported document says about recurrences, as written, to keep with the postmortem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecurrencesAsWritten {
    pub happened_before: Vec<String>,
    pub happened_again: Vec<String>,
}
