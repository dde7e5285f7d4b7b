//! The public version's form: the parts it shows, a public title, a note, its address.

use serde::{Deserialize, Serialize};

use super::{FieldErrors, MAX_TITLE_CHARS, line, prose, version_field};
use crate::domain::public::{Parts, PublicChoices, PublicVersion, Slug};

/// The form as typed. Ticked boxes are sent as `on`; an unticked one is not sent at all.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PublicVersionForm {
    pub show_title: String,
    pub public_title: String,
    pub show_severity: String,
    pub show_summary: String,
    pub show_impact: String,
    pub show_timeline: String,
    pub show_changes: String,
    pub note: String,
    /// `random` (keep or make a random address) or `chosen` (the one in `slug`).
    pub address: String,
    pub slug: String,
    pub listed: String,
    /// The version the form was loaded at: `0` when there was no public version yet.
    pub version: String,
}

/// The form, checked: what to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicVersionDraft {
    pub choices: PublicChoices,
    /// The chosen address, or `None` for a random one.
    pub slug: Option<Slug>,
}

fn ticked(value: &str) -> bool {
    !value.is_empty()
}

fn tick(on: bool) -> String {
    if on { "on".to_owned() } else { String::new() }
}

impl PublicVersionForm {
    /// The form of a public version not made yet: everything shown, listed, a random address.
    pub fn blank() -> PublicVersionForm {
        PublicVersionForm::of_choices(&PublicChoices::new(), None, 0)
    }

    /// The form of `public` as saved.
    pub fn from_version(public: &PublicVersion) -> PublicVersionForm {
        let chosen = public.slug_chosen.then_some(&public.slug);
        PublicVersionForm::of_choices(&public.choices, chosen, public.version)
    }

    fn of_choices(choices: &PublicChoices, chosen: Option<&Slug>, version: i32) -> PublicVersionForm {
        let parts = choices.parts;
        PublicVersionForm {
            show_title: tick(parts.title),
            public_title: choices.public_title.clone(),
            show_severity: tick(parts.severity),
            show_summary: tick(parts.summary),
            show_impact: tick(parts.impact),
            show_timeline: tick(parts.timeline),
            show_changes: tick(parts.changes),
            note: choices.note.clone(),
            address: if chosen.is_some() { "chosen" } else { "random" }.to_owned(),
            slug: chosen.map(ToString::to_string).unwrap_or_default(),
            listed: tick(choices.listed),
            version: version.to_string(),
        }
    }

    /// The version the form was loaded at (`Some(0)`: none existed), if it says.
    pub fn base_version(&self) -> Option<i32> {
        version_field(&self.version)
    }

    /// Whether the address is a chosen one.
    pub fn chooses_address(&self) -> bool {
        self.address == "chosen"
    }

    pub fn checked(&self) -> Result<PublicVersionDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let public_title = line(&mut errors, "public_title", &self.public_title, MAX_TITLE_CHARS);
        let note = prose(&mut errors, "note", &self.note);
        let slug = match self.address.as_str() {
            "chosen" => match Slug::parse(&self.slug) {
                Ok(slug) => Some(slug),
                Err(why) => {
                    errors.add("slug", why);
                    None
                }
            },
            "random" | "" => None,
            _ => {
                errors.add("address", "Choose a random address or one of your own.");
                None
            }
        };
        let parts = Parts {
            title: ticked(&self.show_title),
            severity: ticked(&self.show_severity),
            summary: ticked(&self.show_summary),
            impact: ticked(&self.show_impact),
            timeline: ticked(&self.show_timeline),
            changes: ticked(&self.show_changes),
        };
        let choices = PublicChoices { parts, public_title, note, listed: ticked(&self.listed) };
        errors.into_result(|| PublicVersionDraft { choices, slug })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_form_shows_everything_and_checks_as_the_defaults() {
        let draft = PublicVersionForm::blank().checked().expect("valid");
        assert_eq!(draft, PublicVersionDraft { choices: PublicChoices::new(), slug: None });
        assert_eq!(PublicVersionForm::blank().base_version(), Some(0));
    }

    #[test]
    fn a_bad_address_or_title_is_refused_beside_its_field() {
        let form = PublicVersionForm {
            address: "chosen".into(),
            slug: "Not OK!".into(),
            public_title: "two\nlines".into(),
            ..PublicVersionForm::blank()
        };
        let errors = form.checked().expect_err("refused");
        assert!(errors.get("slug").is_some_and(|why| why.contains("“ ”")), "{errors:?}");
        assert!(errors.get("public_title").is_some());
        let chosen = PublicVersionForm { address: "chosen".into(), slug: "Checkout-2025".into(), ..form };
        let errors = chosen.checked().expect_err("the title is still two lines");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn unticked_parts_are_left_out() {
        let form =
            PublicVersionForm { show_timeline: String::new(), listed: String::new(), ..PublicVersionForm::blank() };
        let draft = form.checked().expect("valid");
        assert!(!draft.choices.parts.timeline && draft.choices.parts.summary && !draft.choices.listed);
    }
}
