//! What a postmortem is about, beyond its text: the services it affected (a managed list),
//! free tags, and its contributing factors (kinds from a managed taxonomy, each with a sentence
//! saying how it contributed). The types, and the checks every way in shares (forms, the API,
//! imports, the admin pages).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::input::FieldErrors;
use super::{FactorKindId, ServiceId};

/// Longest service name, in characters.
pub const MAX_SERVICE_CHARS: usize = 100;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 60;
/// Longest name of a kind of contributing factor, in characters.
pub const MAX_FACTOR_NAME_CHARS: usize = 60;
/// Longest description of a kind of contributing factor, in characters.
pub const MAX_FACTOR_DESCRIPTION_CHARS: usize = 300;
/// Longest explanation of a factor: one sentence.
pub const MAX_EXPLANATION_CHARS: usize = 500;
/// Most services one postmortem names: an incident that touched more is better described by
/// the few that mattered.
pub const MAX_SERVICES: usize = 20;
/// Most tags on one postmortem.
pub const MAX_TAGS: usize = 30;
/// Most contributing factors on one postmortem.
pub const MAX_FACTORS: usize = 15;
/// Between the names of a list of services or tags, as forms take them and the export writes
/// them; so neither may contain a comma.
pub const LIST_SEPARATOR: &str = ", ";

/// A service as a postmortem names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRef {
    pub id: ServiceId,
    pub name: String,
}

/// A contributing factor of one postmortem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// The kind's id.
    pub id: FactorKindId,
    pub name: String,
    pub explanation: String,
}

/// A postmortem's services (by name), tags (by name) and factors (in the authors' order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    pub services: Vec<ServiceRef>,
    pub tags: Vec<String>,
    pub factors: Vec<Factor>,
}

impl Labels {
    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.tags.is_empty() && self.factors.is_empty()
    }

    /// The services' names as the form and the export list them.
    pub fn service_list(&self) -> String {
        self.services.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(LIST_SEPARATOR)
    }

    pub fn tag_list(&self) -> String {
        self.tags.join(LIST_SEPARATOR)
    }
}

/// A kind of contributing factor, as the taxonomy holds it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct FactorKind {
    pub id: FactorKindId,
    pub name: String,
    pub description: String,
    pub retired: bool,
    pub version: i32,
}

/// A factor to save: its kind, by id (the forms) or by name (imports, the API), and how it
/// contributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactorChoice {
    Kind(FactorKindId),
    Named(String),
}

/// Validated labels, ready to save: services and tags by name, deduplicated whatever their case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelsDraft {
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub factors: Vec<(FactorChoice, String)>,
}

impl LabelsDraft {
    /// The draft that saves `labels` as they are.
    pub fn of(labels: &Labels) -> LabelsDraft {
        LabelsDraft {
            services: labels.services.iter().map(|s| s.name.clone()).collect(),
            tags: labels.tags.clone(),
            factors: labels.factors.iter().map(|f| (FactorChoice::Kind(f.id), f.explanation.clone())).collect(),
        }
    }
}

/// What a name may not hold, if anything: the message to show.
fn refuse_name(name: &str, what: &str, max_chars: usize) -> Option<String> {
    if name.contains('\0') {
        Some(format!("“{}” contains a NUL character, which cannot be stored.", name.replace('\0', "")))
    } else if name.chars().any(char::is_control) {
        Some(format!("Keep each {what} to one line of plain text, without control characters."))
    } else if name.chars().count() > max_chars {
        Some(format!("Keep each {what} under {max_chars} characters."))
    } else {
        None
    }
}

/// A managed name (a service, a kind of factor) typed on its own: trimmed, one line, no comma
/// (lists are written with commas), 1 to `max_chars` characters.
pub fn name(errors: &mut FieldErrors, field: &'static str, raw: &str, what: &str, max_chars: usize) -> String {
    let name = raw.trim();
    let refusal = if name.is_empty() {
        Some(format!("Give the {what} a name."))
    } else if name.contains(',') {
        Some(format!("A {what} name cannot contain a comma: lists of them are written with commas."))
    } else {
        refuse_name(name, what, max_chars)
    };
    match refusal {
        Some(message) => {
            errors.add(field, message);
            String::new()
        }
        None => name.to_owned(),
    }
}

/// A kind of factor's name: a managed [`name`] without an em dash, which separates a factor's
/// kind from its explanation in the export.
pub fn factor_kind_name(errors: &mut FieldErrors, field: &'static str, raw: &str) -> String {
    let name = name(errors, field, raw, "contributing factor", MAX_FACTOR_NAME_CHARS);
    if name.contains('—') {
        errors.add(field, "A contributing factor's name cannot contain an em dash (—).");
        return String::new();
    }
    name
}

/// A comma-separated list of names (services or tags): trimmed, empty ones dropped, each once
/// whatever its case (the first spelling wins), at most `max`.
fn list(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    what: &str,
    max_chars: usize,
    max: usize,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|name| !name.is_empty()) {
        if let Some(message) = refuse_name(name, what, max_chars) {
            errors.add(field, message);
            return Vec::new();
        }
        if !names.iter().any(|kept| kept.to_lowercase() == name.to_lowercase()) {
            names.push(name.to_owned());
        }
    }
    if names.len() > max {
        errors.add(field, format!("Name at most {max} {what}s; this names {}.", names.len()));
        return Vec::new();
    }
    names
}

/// The services a form or the API names, comma-separated.
pub fn services(errors: &mut FieldErrors, field: &'static str, raw: &str) -> Vec<String> {
    list(errors, field, raw, "service", MAX_SERVICE_CHARS, MAX_SERVICES)
}

/// The tags a form or the API gives, comma-separated.
pub fn tags(errors: &mut FieldErrors, field: &'static str, raw: &str) -> Vec<String> {
    list(errors, field, raw, "tag", MAX_TAG_CHARS, MAX_TAGS)
}

/// A factor's explanation: one line, at most [`MAX_EXPLANATION_CHARS`]; `kind` names the factor
/// in the message, since all factors share one field for their errors.
pub fn explanation(errors: &mut FieldErrors, field: &'static str, kind: &str, raw: &str) -> String {
    let text = raw.trim();
    let refusal = if text.contains('\0') {
        Some("contains a NUL character, which cannot be stored. Remove it and save again.".to_owned())
    } else if text.chars().any(char::is_control) {
        Some("keep the explanation to one sentence on one line.".to_owned())
    } else if text.chars().count() > MAX_EXPLANATION_CHARS {
        Some(format!("keep the explanation to one sentence, under {MAX_EXPLANATION_CHARS} characters."))
    } else {
        None
    };
    match refusal {
        Some(message) => {
            errors.add(field, format!("{kind}: {message}"));
            String::new()
        }
        None => text.to_owned(),
    }
}

/// The contributing factors as a form sends them: for each kind shown, a box `factor_{id}`
/// (ticked: `on`) and an explanation `factor_{id}_explanation`. Flattened into a form's
/// struct, it reads those keys and ignores the others; written back (a kept draft), it gives the
/// same keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactorFields(pub BTreeMap<FactorKindId, FactorField>);

/// One kind's box and explanation, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactorField {
    pub ticked: bool,
    pub explanation: String,
}

impl FactorFields {
    /// The fields as they would be filled in for `factors`.
    pub fn of(factors: &[Factor]) -> FactorFields {
        FactorFields(
            factors.iter().map(|f| (f.id, FactorField { ticked: true, explanation: f.explanation.clone() })).collect(),
        )
    }

    pub fn ticked(&self, kind: FactorKindId) -> bool {
        self.0.get(&kind).is_some_and(|field| field.ticked)
    }

    pub fn explanation(&self, kind: FactorKindId) -> &str {
        self.0.get(&kind).map(|field| field.explanation.as_str()).unwrap_or_default()
    }

    /// The ticked factors with their explanations, in the order of `order` (the taxonomy's),
    /// then any others by id. `name_of` names a kind for the messages.
    pub fn validate(
        &self,
        errors: &mut FieldErrors,
        field: &'static str,
        name_of: impl Fn(FactorKindId) -> String,
    ) -> Vec<(FactorChoice, String)> {
        // Every factor's message in one, beside the one fieldset.
        let mut found = FieldErrors::default();
        let mut factors = Vec::new();
        for (&kind, typed) in &self.0 {
            if !typed.ticked {
                if !typed.explanation.trim().is_empty() {
                    found.add(
                        field,
                        format!("{}: tick it to keep its explanation, or clear the explanation.", name_of(kind)),
                    );
                }
                continue;
            }
            let text = explanation(&mut found, field, &name_of(kind), &typed.explanation);
            factors.push((FactorChoice::Kind(kind), text));
        }
        if factors.len() > MAX_FACTORS {
            found.add(
                field,
                format!("Choose at most {MAX_FACTORS} contributing factors; {} are ticked.", factors.len()),
            );
        }
        if !found.is_empty() {
            errors.add(field, found.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" "));
        }
        factors
    }
}

/// The key of a kind's box in a form.
pub fn factor_key(kind: FactorKindId) -> String {
    format!("factor_{kind}")
}

/// The key of a kind's explanation in a form.
pub fn explanation_key(kind: FactorKindId) -> String {
    format!("factor_{kind}_explanation")
}

impl Serialize for FactorFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        for (&kind, field) in &self.0 {
            if field.ticked {
                map.serialize_entry(&factor_key(kind), "on")?;
            }
            if !field.explanation.is_empty() {
                map.serialize_entry(&explanation_key(kind), &field.explanation)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FactorFields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<FactorFields, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = FactorFields;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a form's fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<FactorFields, A::Error> {
                let mut fields = FactorFields::default();
                while let Some(key) = map.next_key::<String>()? {
                    let Some(rest) = key.strip_prefix("factor_") else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    };
                    let (id, is_explanation) = match rest.strip_suffix("_explanation") {
                        Some(id) => (id, true),
                        None => (rest, false),
                    };
                    let Ok(id) = id.parse::<i64>() else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    };
                    let value: String = map.next_value()?;
                    let field = fields.0.entry(FactorKindId(id)).or_default();
                    if is_explanation {
                        field.explanation = value;
                    } else {
                        field.ticked = matches!(value.trim(), "on" | "true" | "1");
                    }
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_trimmed_deduplicated_whatever_the_case_and_empty_names_dropped() {
        let mut errors = FieldErrors::default();
        assert_eq!(services(&mut errors, "services", " API , db,,api, Payments "), ["API", "db", "Payments"]);
        assert!(errors.is_empty());
    }

    #[test]
    fn control_characters_nul_and_long_names_are_refused_with_a_message() {
        for raw in ["a\u{0}b", "tab\there", &"x".repeat(MAX_TAG_CHARS + 1)] {
            let mut errors = FieldErrors::default();
            assert!(tags(&mut errors, "tags", raw).is_empty());
            assert!(errors.get("tags").is_some(), "{raw:?}");
        }
        let mut errors = FieldErrors::default();
        services(&mut errors, "services", &(0..=MAX_SERVICES).map(|i| format!("s{i}")).collect::<Vec<_>>().join(","));
        assert!(errors.get("services").unwrap_or_default().contains("at most 20"));
    }

    #[test]
    fn a_managed_name_may_not_hold_a_comma() {
        let mut errors = FieldErrors::default();
        assert_eq!(name(&mut errors, "name", "api, gateway", "service", MAX_SERVICE_CHARS), "");
        assert!(errors.get("name").unwrap_or_default().contains("comma"));
    }

    #[test]
    fn an_explanation_without_its_box_is_a_question_not_lost() {
        let mut fields = FactorFields::default();
        fields.0.insert(FactorKindId(3), FactorField { ticked: false, explanation: "Why".into() });
        fields.0.insert(FactorKindId(4), FactorField { ticked: true, explanation: " It did. ".into() });
        let mut errors = FieldErrors::default();
        let chosen = fields.validate(&mut errors, "factors", |id| format!("kind {id}"));
        assert_eq!(chosen, [(FactorChoice::Kind(FactorKindId(4)), "It did.".to_owned())]);
        assert!(errors.get("factors").unwrap_or_default().starts_with("kind 3:"));
    }

    #[test]
    fn factor_fields_read_and_write_the_same_keys() {
        let form = "factor_2=on&factor_2_explanation=A+deploy&factor_5_explanation=x&title=t&factor_x=on";
        let fields: FactorFields = serde_urlencoded::from_str(form).expect("a form");
        assert!(fields.ticked(FactorKindId(2)) && !fields.ticked(FactorKindId(5)));
        assert_eq!(fields.explanation(FactorKindId(2)), "A deploy");
        let json = serde_json::to_string(&fields).expect("JSON");
        assert_eq!(serde_json::from_str::<FactorFields>(&json).expect("read back"), fields);
    }
}
