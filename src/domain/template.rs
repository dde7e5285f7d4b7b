//! Postmortem templates: the outline a new postmortem starts from (its sections, each with the
//! questions that help an author start it), and what each severity asks for (a template and who
//! publishes). The Markdown a template is written in is read by `import::template`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::input::{FieldErrors, line, version_field};
use super::limits::{MAX_LINE_CHARS, MAX_TEMPLATE_BYTES, MAX_TEMPLATE_NAME_CHARS};
use super::{Section, Severity, UnknownVariant};

id_type!(
    /// Primary key of a postmortem template.
    TemplateId
);

text_enum!(
    /// Who publishes a postmortem of a severity: a manager approves it, or its author
    /// publishes it once complete.
    ReviewRule, "review rule", {
        Manager => ("manager", "A manager approves"),
        Author => ("author", "The author publishes"),
    }
);

/// What a template's section is: a standard section, the timeline, the action items, or an
/// extra section of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Text(Section),
    Timeline,
    ActionItems,
    Extra,
}

impl Part {
    /// Stored in the postmortem's outline: the section's key, `timeline`, `action_items` or
    /// `extra`.
    pub fn key(self) -> &'static str {
        match self {
            Part::Text(section) => section.key(),
            Part::Timeline => "timeline",
            Part::ActionItems => "action_items",
            Part::Extra => "extra",
        }
    }

    pub fn from_key(key: &str) -> Option<Part> {
        match key {
            "timeline" => Some(Part::Timeline),
            "action_items" => Some(Part::ActionItems),
            "extra" => Some(Part::Extra),
            key => Section::from_key(key).map(Part::Text),
        }
    }
}

impl Serialize for Part {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Part, D::Error> {
        let key = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Part::from_key(&key).ok_or_else(|| serde::de::Error::custom(format!("unknown template part {key:?}")))
    }
}

/// One section of a template: its heading as the admin wrote it, what it is, and its questions
/// (each paragraph or list item under the heading, as plain text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineSection {
    pub heading: String,
    pub part: Part,
    pub questions: Vec<String>,
}

impl OutlineSection {
    /// The questions as one line, for a form's hint.
    pub fn hint(&self) -> String {
        self.questions.join(" ")
    }
}

/// A template's sections, in order, as a postmortem keeps them: the name of the template it was
/// started from, and its outline then.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Outline {
    pub name: String,
    pub sections: Vec<OutlineSection>,
}

impl Outline {
    /// The template's section for `part` (the first, for extras: use [`Outline::extras`]).
    pub fn find(&self, part: Part) -> Option<&OutlineSection> {
        self.sections.iter().find(|s| s.part == part)
    }

    /// Whether the template has standard section `section`.
    pub fn has(&self, section: Section) -> bool {
        self.find(Part::Text(section)).is_some()
    }

    /// The hint for standard section `section`: the template's questions, or the section's own.
    pub fn hint(outline: Option<&Outline>, section: Section) -> String {
        outline
            .and_then(|outline| outline.find(Part::Text(section)))
            .map(OutlineSection::hint)
            .filter(|hint| !hint.is_empty())
            .unwrap_or_else(|| section.hint().to_owned())
    }

    /// Whether a postmortem following this outline has every section `required` has (its
    /// standard sections, and its extra sections by heading): a severity that asks for
    /// `required` is content with it. (The Security template covers the Full one.)
    pub fn covers(&self, required: &Outline) -> bool {
        required.sections.iter().filter(|needed| matches!(needed.part, Part::Text(_) | Part::Extra)).all(|needed| {
            self.sections.iter().any(|s| {
                s.part == needed.part && (needed.part != Part::Extra || same_heading(&s.heading, &needed.heading))
            })
        })
    }

    /// The extra sections every postmortem made from the template starts with.
    pub fn extras(&self) -> impl Iterator<Item = &OutlineSection> {
        self.sections.iter().filter(|s| s.part == Part::Extra)
    }

    /// The questions of the extra section headed `heading` (compared case-insensitively).
    pub fn extra_hint(&self, heading: &str) -> Option<String> {
        self.extras().find(|s| same_heading(&s.heading, heading)).map(OutlineSection::hint)
    }
}

/// Whether two headings name the same section: case and surrounding space aside.
pub fn same_heading(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// A template as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    pub description: String,
    pub body: String,
    pub position: i32,
    pub version: i32,
}

/// What one severity asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityRule {
    pub severity: Severity,
    pub template_id: TemplateId,
    pub review: ReviewRule,
    pub version: i32,
}

/// The template form, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TemplateForm {
    pub name: String,
    pub description: String,
    pub body: String,
    /// The version the edit form was loaded at (hidden field; empty when adding).
    pub version: String,
}

/// A template's own fields, checked (its body's outline is read by `import::template`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDraft {
    pub name: String,
    pub description: String,
    pub body: String,
}

impl TemplateForm {
    pub fn from_template(template: &Template) -> TemplateForm {
        TemplateForm {
            name: template.name.clone(),
            description: template.description.clone(),
            body: template.body.clone(),
            version: template.version.to_string(),
        }
    }

    pub fn base_version(&self) -> Option<i32> {
        version_field(&self.version)
    }

    /// The name, description and body, or what is wrong with each. The body's sections are
    /// checked by the caller, which adds its messages to these.
    pub fn validate(&self) -> (TemplateDraft, FieldErrors) {
        let mut errors = FieldErrors::default();
        let name = line(&mut errors, "name", &self.name, MAX_TEMPLATE_NAME_CHARS);
        if name.is_empty() && errors.get("name").is_none() {
            errors
                .add("name", format!("Name the template, on one line of up to {MAX_TEMPLATE_NAME_CHARS} characters."));
        }
        let description = line(&mut errors, "description", &self.description, MAX_LINE_CHARS);
        let mut body = String::new();
        if self.body.contains('\0') {
            errors.add("body", "This text contains a NUL character, which cannot be stored. Remove it and save again.");
        } else if self.body.len() > MAX_TEMPLATE_BYTES {
            errors.add(
                "body",
                format!(
                    "This template is {} KB; the limit is {} KB. Keep each section to a question or two.",
                    self.body.len() / 1000,
                    MAX_TEMPLATE_BYTES / 1000
                ),
            );
        } else {
            body = self.body.replace("\r\n", "\n").replace('\r', "\n").trim().to_owned();
        }
        (TemplateDraft { name, description, body }, errors)
    }
}

/// The severity rules form: for each severity, `SEV1_template`, `SEV1_review` and
/// `SEV1_version`, as typed.
#[derive(Debug, Clone, Default)]
pub struct RulesForm {
    pub rows: Vec<RuleRow>,
}

/// One severity's row of the rules form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleRow {
    pub severity: Option<Severity>,
    pub template: String,
    pub review: String,
    pub version: String,
}

impl RulesForm {
    /// Reads the form's pairs; unknown names are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> RulesForm {
        let mut rows: Vec<RuleRow> =
            Severity::ALL.iter().map(|s| RuleRow { severity: Some(*s), ..RuleRow::default() }).collect();
        for (name, value) in pairs {
            let Some((severity, field)) = name.split_once('_') else { continue };
            let Some(row) = rows.iter_mut().find(|row| row.severity.map(Severity::as_str) == Some(severity)) else {
                continue;
            };
            match field {
                "template" => row.template = value.to_owned(),
                "review" => row.review = value.to_owned(),
                "version" => row.version = value.to_owned(),
                _ => {}
            }
        }
        RulesForm { rows }
    }

    /// The form as the rules are now.
    pub fn of(rules: &[SeverityRule]) -> RulesForm {
        RulesForm {
            rows: rules
                .iter()
                .map(|rule| RuleRow {
                    severity: Some(rule.severity),
                    template: rule.template_id.to_string(),
                    review: rule.review.as_str().to_owned(),
                    version: rule.version.to_string(),
                })
                .collect(),
        }
    }

    /// The row of `severity`.
    pub fn row(&self, severity: Severity) -> RuleRow {
        self.rows.iter().find(|row| row.severity == Some(severity)).cloned().unwrap_or_default()
    }

    /// Each severity's rule, or what is wrong (the version is checked by the caller: `None`
    /// when a row does not say it).
    pub fn validate(&self, templates: &[Template]) -> Result<Vec<(SeverityRule, Option<i32>)>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut rules = Vec::new();
        for severity in Severity::ALL {
            let row = self.row(*severity);
            let template = row
                .template
                .trim()
                .parse::<i64>()
                .ok()
                .map(TemplateId)
                .filter(|id| templates.iter().any(|t| t.id == *id));
            let review = row.review.trim().parse::<ReviewRule>().ok();
            if template.is_none() {
                errors.add(template_field(*severity), format!("Choose the template {severity} postmortems use."));
            }
            if review.is_none() {
                errors.add(review_field(*severity), format!("Choose who publishes {severity} postmortems."));
            }
            if let (Some(template_id), Some(review)) = (template, review) {
                let rule = SeverityRule { severity: *severity, template_id, review, version: 0 };
                rules.push((rule, version_field(&row.version)));
            }
        }
        if errors.is_empty() { Ok(rules) } else { Err(errors) }
    }
}

/// The rules form's field names for a severity (`SEV1_template`, `SEV1_review`).
pub fn template_field(severity: Severity) -> &'static str {
    match severity {
        Severity::Sev1 => "SEV1_template",
        Severity::Sev2 => "SEV2_template",
        Severity::Sev3 => "SEV3_template",
        Severity::Sev4 => "SEV4_template",
        Severity::Sev5 => "SEV5_template",
    }
}

pub fn review_field(severity: Severity) -> &'static str {
    match severity {
        Severity::Sev1 => "SEV1_review",
        Severity::Sev2 => "SEV2_review",
        Severity::Sev3 => "SEV3_review",
        Severity::Sev4 => "SEV4_review",
        Severity::Sev5 => "SEV5_review",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_read_back_from_their_keys() {
        for part in Section::ALL.map(Part::Text).into_iter().chain([Part::Timeline, Part::ActionItems, Part::Extra]) {
            assert_eq!(Part::from_key(part.key()), Some(part));
        }
        let outline = Outline {
            name: "Light".into(),
            sections: vec![OutlineSection {
                heading: "Impact".into(),
                part: Part::Text(Section::Impact),
                questions: vec!["Who?".into(), "How many?".into()],
            }],
        };
        let json = serde_json::to_string(&outline).expect("serializes");
        assert_eq!(serde_json::from_str::<Outline>(&json).expect("reads"), outline);
        assert_eq!(Outline::hint(Some(&outline), Section::Impact), "Who? How many?");
        assert_eq!(Outline::hint(Some(&outline), Section::Summary), Section::Summary.hint());
    }

    #[test]
    fn the_rules_form_reads_each_severity_row() {
        let templates = vec![Template {
            id: TemplateId(7),
            name: "Full".into(),
            description: String::new(),
            body: "## Summary".into(),
            position: 1,
            version: 1,
        }];
        let mut pairs = Vec::new();
        for severity in Severity::ALL {
            pairs.push((template_field(*severity), "7"));
            pairs.push((review_field(*severity), "author"));
        }
        let form = RulesForm::from_pairs(pairs.iter().copied());
        let rules = form.validate(&templates).expect("valid");
        assert_eq!(rules.len(), 5);
        assert!(rules.iter().all(|(rule, version)| rule.review == ReviewRule::Author && version.is_none()));
        let bad = RulesForm::from_pairs([("SEV1_template", "8"), ("SEV1_review", "anyone")]);
        let errors = bad.validate(&templates).expect_err("refused");
        assert!(errors.get("SEV1_template").is_some() && errors.get("SEV1_review").is_some());
    }
}
