//! What an edit page says when its save or deletion was refused because someone saved the
//! row after the page was loaded (`ChangeError::Stale`, answered with 409). The page keeps
//! what this person typed, lists what the other person saved, and carries the version they
//! saved, so that saving again knowingly replaces it. `templates/macros.html` shows it.

use serde::Deserialize;

/// What someone else saved since this person loaded the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The refused request was a deletion: the form then shows their version, and there is
    /// nothing typed to compare it with.
    pub deleting: bool,
    /// Their value of each field where it differs from what this person typed: (label, value).
    pub fields: Vec<(&'static str, String)>,
}

impl Conflict {
    /// A refused save, from (label, their value as the form holds it, what was typed, their
    /// value as shown) for each field. Line endings and trailing space do not count as a
    /// difference (browsers send `\r\n`, the door trims).
    pub fn save<'a>(fields: impl IntoIterator<Item = (&'static str, &'a str, &'a str, String)>) -> Conflict {
        let fields = fields
            .into_iter()
            .filter(|(_, saved, typed, _)| saved.replace("\r\n", "\n").trim() != typed.replace("\r\n", "\n").trim())
            .map(|(label, _, _, shown)| (label, if shown.trim().is_empty() { "(empty)".to_owned() } else { shown }))
            .collect();
        Conflict { deleting: false, fields }
    }

    /// A refused deletion.
    pub fn deletion() -> Conflict {
        Conflict { deleting: true, fields: Vec::new() }
    }
}

/// What a deletion from an edit page sends: the version the page was loaded at.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    pub version: String,
}

impl DeleteForm {
    pub fn version(&self) -> Option<i32> {
        crate::domain::input::version_field(&self.version)
    }
}
