//! The standard sections of a postmortem: one enum that says everything about each (its key,
//! its label, its heading in the export, the help its form field gives, where it goes), and
//! [`PerSection`], a value for each. Adding a section is a variant here and a migration (the
//! `incident_texts.section` check).

use std::fmt;
use std::ops::{Index, IndexMut};

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A standard prose section, in the order the page, the form and the export give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    Summary,
    Impact,
    RootCause,
    Resolution,
    CorrectiveMeasures,
    PreventativeMeasures,
    LessonsLearned,
}

/// The form's groups of sections: "What happened" and "What changes now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormGroup {
    WhatHappened,
    WhatChanges,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Summary,
        Section::Impact,
        Section::RootCause,
        Section::Resolution,
        Section::CorrectiveMeasures,
        Section::PreventativeMeasures,
        Section::LessonsLearned,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The form field's name, the page's anchor, the JSON key and the stored value.
    pub fn key(self) -> &'static str {
        match self {
            Section::Summary => "summary",
            Section::Impact => "impact",
            Section::RootCause => "root_cause",
            Section::Resolution => "resolution",
            Section::CorrectiveMeasures => "corrective_measures",
            Section::PreventativeMeasures => "preventative_measures",
            Section::LessonsLearned => "lessons_learned",
        }
    }

    /// The section's name on the page and in the form.
    pub fn label(self) -> &'static str {
        match self {
            Section::Summary => "Summary",
            Section::Impact => "Impact",
            Section::RootCause => "Root cause",
            Section::Resolution => "Resolution",
            Section::CorrectiveMeasures => "Corrective measures",
            Section::PreventativeMeasures => "Preventative measures",
            Section::LessonsLearned => "Lessons learned",
        }
    }

    /// Its heading in the Markdown export, where the authors had none of their own. The two
    /// measures are `###` headings under one `##` heading (see `crate::format`).
    pub fn export_heading(self) -> &'static str {
        match self {
            Section::Summary => "Summary",
            Section::Impact => "Impact",
            Section::RootCause => "Root Cause",
            Section::Resolution => "Resolution",
            Section::CorrectiveMeasures => "Corrective Measures",
            Section::PreventativeMeasures => "Preventative Measures",
            Section::LessonsLearned => "Lessons Learned",
        }
    }

    /// What the form says under the field's label, to help an author start.
    pub fn hint(self) -> &'static str {
        match self {
            Section::Summary => "What happened, in a paragraph a busy reader will finish.",
            Section::Impact => "Who was affected, how, and how many.",
            Section::RootCause => "Why it happened, including what let it happen.",
            Section::Resolution => "How it was stopped and fixed.",
            Section::CorrectiveMeasures => "What was or will be changed to fix this cause.",
            Section::PreventativeMeasures => "What will stop this class of incident happening again.",
            Section::LessonsLearned => "What went well, what went badly, where we got lucky.",
        }
    }

    /// Rows of the form's text box.
    pub fn rows(self) -> u8 {
        match self {
            Section::Summary | Section::RootCause => 5,
            _ => 4,
        }
    }

    /// Before the timeline (summary, impact) or after it.
    pub fn before_timeline(self) -> bool {
        matches!(self, Section::Summary | Section::Impact)
    }

    /// The form's group.
    pub fn group(self) -> FormGroup {
        match self {
            Section::Summary | Section::Impact | Section::RootCause | Section::Resolution => FormGroup::WhatHappened,
            Section::CorrectiveMeasures | Section::PreventativeMeasures | Section::LessonsLearned => {
                FormGroup::WhatChanges
            }
        }
    }

    /// One of the two measures, which the export writes together under one heading.
    pub fn is_measure(self) -> bool {
        matches!(self, Section::CorrectiveMeasures | Section::PreventativeMeasures)
    }

    /// The section whose key is `key`.
    pub fn from_key(key: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|section| section.key() == key)
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FormGroup {
    pub const ALL: [FormGroup; 2] = [FormGroup::WhatHappened, FormGroup::WhatChanges];

    /// The form's legend for the group.
    pub fn legend(self) -> &'static str {
        match self {
            FormGroup::WhatHappened => "What happened",
            FormGroup::WhatChanges => "What changes now",
        }
    }

    pub fn sections(self) -> impl Iterator<Item = Section> {
        Section::ALL.into_iter().filter(move |section| section.group() == self)
    }
}

/// One value for each standard section, indexed by [`Section`]. Serialized as a map keyed by
/// [`Section::key`], so a struct that flattens it reads as if each section were a field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PerSection<T>([T; 7]);

impl<T> PerSection<T> {
    /// Each section's value from `value`.
    pub fn from_fn(mut value: impl FnMut(Section) -> T) -> PerSection<T> {
        PerSection(Section::ALL.map(&mut value))
    }

    /// Each section with its value, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Section, &T)> {
        Section::ALL.into_iter().zip(self.0.iter())
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (Section, &mut T)> {
        Section::ALL.into_iter().zip(self.0.iter_mut())
    }

    /// The values, in section order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }

    pub fn map<U>(&self, mut f: impl FnMut(Section, &T) -> U) -> PerSection<U> {
        PerSection::from_fn(|section| f(section, &self[section]))
    }
}

impl<T> Index<Section> for PerSection<T> {
    type Output = T;
    fn index(&self, section: Section) -> &T {
        &self.0[section.index()]
    }
}

impl<T> IndexMut<Section> for PerSection<T> {
    fn index_mut(&mut self, section: Section) -> &mut T {
        &mut self.0[section.index()]
    }
}

impl<T: Serialize> Serialize for PerSection<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Section::ALL.len()))?;
        for (section, value) in self.iter() {
            map.serialize_entry(section.key(), value)?;
        }
        map.end()
    }
}

/// Reads a map keyed by section keys; other keys are ignored (a flattened struct's own fields
/// never reach it) and missing sections get their default.
impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for PerSection<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PerSection<T>, D::Error> {
        struct Sections<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for Sections<T> {
            type Value = PerSection<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map keyed by section")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PerSection<T>, A::Error> {
                let mut values = PerSection::<T>::default();
                while let Some(key) = map.next_key::<String>()? {
                    match Section::from_key(&key) {
                        Some(section) => values[section] = map.next_value()?,
                        None => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(values)
            }
        }

        deserializer.deserialize_map(Sections(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_read_back() {
        for section in Section::ALL {
            assert_eq!(Section::from_key(section.key()), Some(section));
            assert_eq!(Section::ALL[section.index()], section);
        }
        let mut keys: Vec<&str> = Section::ALL.iter().map(|s| s.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Section::ALL.len());
    }

    #[test]
    fn a_value_per_section_reads_and_writes_as_a_map() {
        let mut texts = PerSection::<String>::default();
        texts[Section::Impact] = "EU users".into();
        let json = serde_json::to_string(&texts).expect("serializes");
        assert!(json.starts_with(r#"{"summary":"","impact":"EU users","root_cause":"""#), "{json}");
        let back: PerSection<String> =
            serde_json::from_str(r#"{"impact": "EU users", "timeline": "ignored"}"#).expect("reads");
        assert_eq!(back, texts);
    }
}
