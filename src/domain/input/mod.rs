//! Form input as typed, and its validation into drafts the database layer can store.
//!
//! Forms deserialize into structs of plain strings, so a rejected form can be shown again with
//! exactly what the user typed; `validate` turns them into typed drafts or per-field messages.

use ::time::{Date, OffsetDateTime};
use serde::{Deserialize, Serialize};

use super::labels::{self, FactorChoice, FactorFields, FactorKind, Labels, LabelsDraft};
use super::time::{self as t, Offset};
use super::{
    ActionItem, ActionKind, ActionStatus, ExtraSection, FactorKindId, Incident, Marker, PerSection, Priority, Section,
    SectionHeadings, Severity, Status, TeamId, TimelineEntry, UserId,
};

mod public;
mod timeline;
pub use public::{PublicVersionDraft, PublicVersionForm};
pub use timeline::{TimelineDraft, TimelineForm};

// The limits are defined once, in `limits`, for every way in; the forms check them as they parse.
pub use super::limits::{MAX_LINE_CHARS, MAX_NAME_CHARS, MAX_PROSE_BYTES, MAX_TITLE_CHARS, MAX_URL_CHARS};

/// Loose on purpose: something@something, no spaces, at most 254 bytes, also once normalised
/// (NFKC can make one character eighteen). The only real check of an address is whether its
/// owner can sign in.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && normalize_email(email).len() <= 254
}

/// The one form an email is stored, looked up and throttled in: trimmed, compatibility-
/// normalised (NFKC: a full-width `ＡＮＮ` or a ligature `ﬁ` becomes plain letters) and lower-cased
/// (a Kelvin sign `K` becomes `k`), then normalised again, since lower-casing can undo it. Two
/// spellings that fold to one address are one account, for sign-in and for the throttle alike.
pub fn normalize_email(email: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    let lowered: String = email.trim().nfkc().flat_map(char::to_lowercase).collect();
    lowered.nfkc().collect()
}

/// Messages keyed by form field name, shown beside each field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// The message for `field`, if it was rejected.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }

    /// Adds `other`'s messages after these.
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value()) } else { Err(self) }
    }
}

/// Normalises a prose field: line endings to `\n` (browsers send `\r\n`), trailing blank space
/// trimmed. Rejects what PostgreSQL cannot store (NUL) and what is absurdly long.
fn prose(errors: &mut FieldErrors, field: &'static str, raw: &str) -> String {
    if raw.contains('\0') {
        errors.add(field, "This text contains a NUL character, which cannot be stored. Remove it and save again.");
        return String::new();
    }
    if raw.len() > MAX_PROSE_BYTES {
        errors.add(field, format!("This text is {} KB; the limit is {} KB.", raw.len() / 1000, MAX_PROSE_BYTES / 1000));
        return String::new();
    }
    raw.replace("\r\n", "\n").replace('\r', "\n").trim_end().to_owned()
}

/// A single-line field: trimmed, no line breaks, no NUL (PostgreSQL cannot store it).
pub fn line(errors: &mut FieldErrors, field: &'static str, raw: &str, max_chars: usize) -> String {
    let value = raw.trim();
    if value.contains('\0') {
        errors.add(field, "This contains a NUL character, which cannot be stored. Remove it and save again.");
    } else if value.contains(['\n', '\r']) {
        errors.add(field, "Keep this to a single line.");
    } else if value.chars().count() > max_chars {
        errors.add(field, format!("Keep this under {max_chars} characters."));
    } else {
        return value.to_owned();
    }
    String::new()
}

/// The version an edit form was loaded at, from its hidden `version` field: `None` when the
/// field is missing or not a number. A save without one is refused by the door (never taken as
/// "no check"), so that a form or script that leaves it out cannot overwrite blindly.
pub fn version_field(raw: &str) -> Option<i32> {
    raw.trim().parse().ok()
}

/// The postmortem form, as typed. (`Serialize` lets tests and tools post it.)
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IncidentForm {
    pub title: String,
    pub severity: String,
    pub status: String,
    pub started_at: String,
    pub ended_at: String,
    pub utc_offset: String,
    /// Each section's Markdown, as typed; the form fields are named by [`Section::key`].
    #[serde(flatten)]
    pub texts: PerSection<String>,
    /// Ticked (`on`): the start stays as typed even though a timeline entry marks impact
    /// starting; unticked, it follows that entry unless typed differently (see
    /// `app::postmortems::update`). Offered only while such an entry exists.
    pub start_by_hand: String,
    /// The same for the end and the entry marked resolved.
    pub end_by_hand: String,
    /// The template a new postmortem starts from (its id; empty: none, as before templates).
    /// The edit form does not send it: a postmortem keeps the template it was started from.
    pub template: String,
    /// The version the edit was based on (hidden field; empty when creating).
    pub version: String,
    /// The services it affected, comma-separated.
    pub services: String,
    /// Its tags, comma-separated.
    pub tags: String,
    /// Its contributing factors: a box and an explanation per kind shown.
    #[serde(flatten)]
    pub factors: FactorFields,
}

/// A validated postmortem, ready to insert or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDraft {
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    /// `None`: not stated, which only a draft may be (see [`Incident::started_at`]).
    pub started_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
    pub offset: Offset,
    /// Each section's Markdown.
    pub texts: PerSection<String>,
    /// The authors' headings (imports only): saved on insert, never changed by an edit.
    pub headings: SectionHeadings,
}

impl IncidentForm {
    /// A blank form with sensible defaults for a new postmortem.
    pub fn blank() -> IncidentForm {
        IncidentForm {
            severity: Severity::Sev3.as_str().to_owned(),
            status: Status::Draft.as_str().to_owned(),
            utc_offset: Offset::UTC.to_string(),
            ..IncidentForm::default()
        }
    }

    /// The form as it would be filled in for editing `incident`.
    pub fn from_incident(incident: &Incident) -> IncidentForm {
        IncidentForm {
            title: incident.title.clone(),
            severity: incident.severity.as_str().to_owned(),
            status: incident.status.as_str().to_owned(),
            started_at: incident
                .started_at
                .map(|start| t::datetime_local_value(start, incident.offset))
                .unwrap_or_default(),
            ended_at: incident.ended_at.map(|end| t::datetime_local_value(end, incident.offset)).unwrap_or_default(),
            utc_offset: incident.offset.to_string(),
            texts: incident.texts.clone(),
            template: String::new(),
            version: incident.version.to_string(),
            ..IncidentForm::default()
        }
    }

    /// The version this edit was based on, if the hidden field holds one.
    pub fn base_version(&self) -> Option<i32> {
        version_field(&self.version)
    }

    /// The form with the services, tags and factors of `labels` filled in.
    pub fn with_labels(mut self, labels: &Labels) -> IncidentForm {
        self.services = labels.service_list();
        self.tags = labels.tag_list();
        self.factors = FactorFields::of(&labels.factors);
        self
    }

    /// The services, tags and factors typed, given the taxonomy's `kinds` (to name them in the
    /// messages; a kind the form names that is not among them is refused).
    pub fn validate_labels(&self, kinds: &[FactorKind]) -> Result<LabelsDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let services = labels::services(&mut errors, "services", &self.services);
        let tags = labels::tags(&mut errors, "tags", &self.tags);
        let name_of = |id: FactorKindId| {
            kinds.iter().find(|kind| kind.id == id).map(|kind| kind.name.clone()).unwrap_or_else(|| "A factor".into())
        };
        let factors = self.factors.validate(&mut errors, "factors", name_of);
        for (choice, _) in &factors {
            if let FactorChoice::Kind(id) = choice
                && !kinds.iter().any(|kind| kind.id == *id)
            {
                errors.add("factors", "A contributing factor you ticked no longer exists; untick it and save again.");
            }
        }
        errors.into_result(|| LabelsDraft { services, tags, factors })
    }

    /// The form with `section` holding `text` (for building forms in code: tests, tools).
    pub fn with(mut self, section: Section, text: impl Into<String>) -> IncidentForm {
        self.texts[section] = text.into();
        self
    }

    pub fn validate(&self) -> Result<IncidentDraft, FieldErrors> {
        let mut errors = FieldErrors::default();

        let title = line(&mut errors, "title", &self.title, MAX_TITLE_CHARS);
        if title.is_empty() && errors.get("title").is_none() {
            errors.add("title", "Give the postmortem a title.");
        }
        let severity = self.severity.parse().unwrap_or_else(|_| {
            errors.add("severity", "Choose a severity from SEV1 to SEV5.");
            Severity::Sev3
        });
        // The review moves a postmortem between statuses; the form only says one when an
        // import does (blank is a draft).
        let status = if self.status.trim().is_empty() {
            Status::Draft
        } else {
            self.status.parse().unwrap_or_else(|_| {
                errors.add("status", "Choose draft, in review or published.");
                Status::Draft
            })
        };
        let offset = Offset::parse(&self.utc_offset).unwrap_or_else(|e| {
            errors.add("utc_offset", e.to_string());
            Offset::UTC
        });
        // A draft may leave the start blank (saving never depends on it); going to review
        // does (`Postmortem::missing_for_review`), and so does saving a postmortem that is
        // past its draft (`app::postmortems`).
        let started_at = if self.started_at.trim().is_empty() {
            if status != Status::Draft {
                errors.add("started_at", super::START_MISSING);
            }
            None
        } else {
            let parsed = t::parse_local_datetime(&self.started_at, offset);
            if parsed.is_none() {
                errors.add("started_at", "Enter a date and time such as 2025-03-01 10:15.");
            }
            parsed
        };
        let ended_at = if self.ended_at.trim().is_empty() {
            None
        } else {
            let parsed = t::parse_local_datetime(&self.ended_at, offset);
            if parsed.is_none() {
                errors.add(
                    "ended_at",
                    "Enter a date and time such as 2025-03-01 11:05, or leave it empty while the incident is ongoing.",
                );
            }
            parsed
        };
        if let (Some(start), Some(end)) = (started_at, ended_at)
            && end < start
        {
            errors.add("ended_at", "The end of impact is before its start.");
        }

        let draft = IncidentDraft {
            title,
            severity,
            status,
            started_at,
            ended_at,
            offset,
            texts: self.texts.map(|section, text| prose(&mut errors, section.key(), text)),
            headings: SectionHeadings::default(),
        };
        errors.into_result(|| draft)
    }
}

/// An action item form. Every field is the text the browser sent, so a refused form comes back
/// exactly as typed. `done` is the add form's checkbox ("on" when ticked); the edit form sends
/// a `status` instead.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActionItemForm {
    pub body: String,
    pub kind: String,
    pub priority: String,
    /// The id of the person chosen as owner, or empty.
    pub owner_id: String,
    pub owner: String,
    /// The id of the team chosen, or empty.
    pub team_id: String,
    pub team: String,
    pub due_on: String,
    pub status: String,
    pub wont_do_reason: String,
    pub ticket_url: String,
    pub completion_note: String,
    pub done: Option<String>,
    /// The version the form was loaded at (edit form only).
    pub version: String,
}

/// A validated action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemDraft {
    pub body: String,
    pub kind: Option<ActionKind>,
    pub priority: Option<Priority>,
    /// The owner as written; shown when no person is linked.
    pub owner: String,
    pub owner_id: Option<UserId>,
    /// The team as written; shown when no team is linked.
    pub team: String,
    pub team_id: Option<TeamId>,
    pub due_on: Option<Date>,
    pub status: ActionStatus,
    /// Empty unless the status is won't do.
    pub wont_do_reason: String,
    pub ticket_url: String,
    pub completion_note: String,
    /// A verification read from an imported export. The forms never set it: verifying is a
    /// step of its own ([`VerifyForm`]), taken by someone other than the owner.
    pub verified: Option<ImportedVerification>,
    /// The postmortems an imported export says it recurred in, as written; the forms never set
    /// it (a recurrence is confirmed on the later postmortem).
    pub recurred_in_as_written: String,
}

/// A done item's verification as an export writes it: on which day (UTC), by whom as written,
/// and the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedVerification {
    pub on: Date,
    pub by: String,
    pub evidence: String,
}

/// Verifying a done action item: the note or link that shows it works.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VerifyForm {
    pub evidence: String,
}

impl VerifyForm {
    /// The evidence, trimmed: one line of at most [`MAX_LINE_CHARS`] characters, without
    /// control characters (it is written on the item's line of the export).
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::default();
        let evidence = verification_evidence(&mut errors, "evidence", &self.evidence);
        errors.into_result(|| evidence)
    }
}

/// The evidence of a verification, checked as [`VerifyForm::validate`] says.
pub fn verification_evidence(errors: &mut FieldErrors, field: &'static str, raw: &str) -> String {
    let evidence = line(errors, field, raw, MAX_LINE_CHARS);
    if errors.get(field).is_some() {
        return String::new();
    }
    if evidence.chars().any(char::is_control) {
        errors.add(field, "This contains a control character (such as a tab), which cannot be kept. Remove it.");
        return String::new();
    }
    if evidence.is_empty() {
        errors.add(field, "Say how you checked that it works: a note, or a link to the evidence.");
    }
    evidence
}

impl ActionItemDraft {
    pub fn is_done(&self) -> bool {
        self.status == ActionStatus::Done
    }
}

impl ActionItemForm {
    pub fn from_item(item: &ActionItem) -> ActionItemForm {
        ActionItemForm {
            body: item.body.clone(),
            kind: item.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            priority: item.priority.map(|p| p.as_str().to_owned()).unwrap_or_default(),
            owner_id: item.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            owner: item.owner.clone(),
            team_id: item.team_id.map(|id| id.to_string()).unwrap_or_default(),
            team: item.team.clone(),
            due_on: item.due_on.map(t::format_date).unwrap_or_default(),
            status: item.status.as_str().to_owned(),
            wont_do_reason: item.wont_do_reason.clone(),
            ticket_url: item.ticket_url.clone(),
            completion_note: item.completion_note.clone(),
            done: None,
            version: item.version.to_string(),
        }
    }

    /// A blank add form, due on `due_on` (the severity's default) if there is one.
    pub fn blank(due_on: Option<Date>) -> ActionItemForm {
        ActionItemForm { due_on: due_on.map(t::format_date).unwrap_or_default(), ..ActionItemForm::default() }
    }

    pub fn is_done(&self) -> bool {
        self.done.is_some() || self.status == ActionStatus::Done.as_str()
    }

    /// The version the form was loaded at, if it says.
    pub fn base_version(&self) -> Option<i32> {
        version_field(&self.version)
    }

    pub fn validate(&self) -> Result<ActionItemDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let body = line(&mut errors, "body", &self.body, MAX_LINE_CHARS);
        if body.is_empty() && errors.get("body").is_none() {
            errors.add("body", "Say what needs to be done.");
        }
        let kind = choice(&mut errors, "kind", &self.kind, "Choose a kind from the list, or none.");
        let priority = choice(&mut errors, "priority", &self.priority, "Choose a priority from P1 to P4, or none.");
        let owner = line(&mut errors, "owner", &self.owner, MAX_NAME_CHARS);
        let owner_id =
            id(&mut errors, "owner_id", &self.owner_id, "Choose a person from the list, or no one.").map(UserId);
        let team = line(&mut errors, "team", &self.team, MAX_NAME_CHARS);
        let team_id = id(&mut errors, "team_id", &self.team_id, "Choose a team from the list, or none.").map(TeamId);
        let due_on = if self.due_on.trim().is_empty() {
            None
        } else {
            let date = t::parse_date(&self.due_on);
            if date.is_none() {
                errors.add("due_on", "Enter a date such as 2025-04-01, or leave it empty.");
            }
            date
        };
        let status = if self.status.trim().is_empty() {
            if self.done.is_some() { ActionStatus::Done } else { ActionStatus::Open }
        } else {
            choice(&mut errors, "status", &self.status, "Choose a status from the list.").unwrap_or(ActionStatus::Open)
        };
        let mut wont_do_reason = line(&mut errors, "wont_do_reason", &self.wont_do_reason, MAX_LINE_CHARS);
        if status == ActionStatus::WontDo && wont_do_reason.is_empty() && errors.get("wont_do_reason").is_none() {
            errors.add("wont_do_reason", "Say why it will not be done.");
        }
        if status != ActionStatus::WontDo {
            wont_do_reason.clear();
        }
        let ticket_url = line(&mut errors, "ticket_url", &self.ticket_url, MAX_URL_CHARS);
        if !ticket_url.is_empty() && !is_web_address(&ticket_url) {
            errors.add("ticket_url", "Enter the ticket's web address, starting with https://, or leave it empty.");
        }
        let completion_note = line(&mut errors, "completion_note", &self.completion_note, MAX_LINE_CHARS);
        errors.into_result(|| ActionItemDraft {
            body,
            kind,
            priority,
            owner,
            owner_id,
            team,
            team_id,
            due_on,
            status,
            wont_do_reason,
            ticket_url,
            completion_note,
            verified: None,
            recurred_in_as_written: String::new(),
        })
    }
}

/// An `http://` or `https://` address: the only links stored for people to follow (never
/// `javascript:` or `data:`), with no spaces or control characters (PostgreSQL refuses NUL).
pub fn is_web_address(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://"))
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// One of an enum's values, or none when the field is empty.
fn choice<T: std::str::FromStr>(errors: &mut FieldErrors, field: &'static str, raw: &str, message: &str) -> Option<T> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = raw.parse().ok();
    if parsed.is_none() {
        errors.add(field, message.to_owned());
    }
    parsed
}

/// A row id chosen from a list, or none when the field is empty.
fn id(errors: &mut FieldErrors, field: &'static str, raw: &str, message: &str) -> Option<i64> {
    choice(errors, field, raw, message)
}

/// An extra section: a heading of the author's choosing and Markdown under it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SectionForm {
    pub heading: String,
    pub body: String,
    /// The version the edit form was loaded at (hidden field; empty when adding).
    pub version: String,
}

/// A validated extra section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDraft {
    pub heading: String,
    pub body: String,
}

impl SectionForm {
    /// The edit form of `section`, which is at `version`.
    pub fn from_section(section: &ExtraSection, version: i32) -> SectionForm {
        SectionForm { heading: section.heading.clone(), body: section.body.clone(), version: version.to_string() }
    }

    /// The version the edit form was loaded at, if it says.
    pub fn base_version(&self) -> Option<i32> {
        version_field(&self.version)
    }

    pub fn validate(&self) -> Result<SectionDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let heading = line(&mut errors, "heading", self.heading.trim_start_matches(['#', ' ']), MAX_TITLE_CHARS);
        if heading.is_empty() && errors.get("heading").is_none() {
            errors.add("heading", "Give the section a heading.");
        }
        let body = prose(&mut errors, "body", &self.body);
        errors.into_result(|| SectionDraft { heading, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_after_the_last_entry_is_read_in_minutes_and_hours() {
        let minutes = |text: &str| timeline::relative(text).map(|gap| gap.whole_minutes());
        assert_eq!(minutes("5m"), Some(5));
        assert_eq!(minutes("5 min"), Some(5));
        assert_eq!(minutes("1h"), Some(60));
        assert_eq!(minutes("1h30m"), Some(90));
        assert_eq!(minutes("2 hours 15 minutes"), Some(135));
        assert_eq!(minutes("24h"), Some(1440));
        for refused in ["", "0m", "25h", "5", "5 parsecs", "m", "-5m", "99999999999999999999m"] {
            assert_eq!(minutes(refused), None, "{refused:?}");
        }
    }
    use time::macros::datetime;

    #[test]
    fn emails_that_fold_to_one_address_normalise_to_it() {
        for spelling in [
            "kim@example.com",
            " KIM@Example.COM ",
            "\u{212A}im@example.com",         // Kelvin sign
            "ｋｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ", // full width
        ] {
            assert_eq!(normalize_email(spelling), "kim@example.com", "{spelling:?}");
        }
        assert_eq!(normalize_email("ﬁona@example.com"), "fiona@example.com", "a ligature");
        // Short as typed, too long once normalised: refused before it reaches the database.
        let swelling = format!("{}@example.com", "\u{fdfa}".repeat(20));
        assert!(swelling.len() <= 254 && normalize_email(&swelling).len() > 254);
        assert!(!is_plausible_email(&swelling));
        assert_eq!(normalize_email("Ｅ\u{301}mile@example.com"), "\u{e9}mile@example.com", "composed");
        // Letters that merely look alike are other addresses: NFKC does not map scripts.
        assert_ne!(normalize_email("\u{43a}im@example.com"), "kim@example.com", "Cyrillic ka");
        // Normalising twice changes nothing.
        for email in ["ǅungla@example.com", "ΣΟΦΙΑ@example.com", "straße@example.com"] {
            assert_eq!(normalize_email(&normalize_email(email)), normalize_email(email), "{email}");
        }
    }

    fn seed_form() -> IncidentForm {
        IncidentForm {
            title: "  The Great Database Meltdown of 2025 ".into(),
            severity: "SEV2".into(),
            status: "published".into(),
            started_at: "2025-03-01T10:15".into(),
            ended_at: "2025-03-01T11:05".into(),
            utc_offset: "UTC+2".into(),
            ..IncidentForm::default()
        }
        .with(Section::Summary, "line one\r\nline two\r\n\r\n")
    }

    #[test]
    fn a_complete_form_becomes_a_draft() {
        let draft = seed_form().validate().expect("valid");
        assert_eq!(draft.title, "The Great Database Meltdown of 2025");
        assert_eq!(draft.started_at, Some(datetime!(2025-03-01 08:15 UTC)));
        assert_eq!(draft.ended_at, Some(datetime!(2025-03-01 09:05 UTC)));
        assert_eq!(draft.texts[Section::Summary], "line one\nline two");
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let form = IncidentForm {
            title: " ".into(),
            severity: "SEV9".into(),
            status: "gone".into(),
            started_at: "2025-03-01T12:00".into(),
            ended_at: "2025-03-01T11:00".into(),
            utc_offset: "UTC+2".into(),
            ..IncidentForm::default()
        }
        .with(Section::Impact, "nul\0byte");
        let errors = form.validate().expect_err("invalid");
        for field in ["title", "severity", "status", "ended_at", "impact"] {
            assert!(errors.get(field).is_some(), "{field} should be rejected: {errors:?}");
        }
        assert_eq!(errors.len(), 5);
    }

    #[test]
    fn unparsable_times_and_offsets_are_rejected() {
        let mut form = seed_form();
        form.started_at = "tomorrow".into();
        form.utc_offset = "Mars time".into();
        let errors = form.validate().expect_err("invalid");
        assert!(errors.get("started_at").is_some());
        assert!(errors.get("utc_offset").is_some());
    }

    #[test]
    fn times_at_the_end_of_the_calendar_are_refused_not_stored() {
        // 9999-12-31 23:59 at UTC-12 is in year 10000 in UTC: it could not be stored or shown.
        let mut form = seed_form();
        form.started_at = "9999-12-31T23:59".into();
        form.ended_at.clear();
        form.utc_offset = "UTC-12".into();
        assert!(form.validate().expect_err("refused").get("started_at").is_some());

        let incident = Incident {
            id: super::super::IncidentId(1),
            title: "t".into(),
            severity: Severity::Sev3,
            status: Status::Draft,
            started_at: Some(datetime!(9999-12-30 10:00 UTC)),
            ended_at: None,
            offset: Offset::from_minutes(-720),
            texts: PerSection::default(),
            headings: SectionHeadings::default(),
            template: None,
            version: 1,
            updated_at: datetime!(2025-01-01 0:00 UTC),
        };
        let entry =
            TimelineForm { date: "9999-12-31".into(), time: "23:59".into(), body: "late".into(), ..Default::default() };
        assert!(entry.validate(&incident).expect_err("refused").get("date").is_some());
        let entry =
            TimelineForm { date: "9999-12-30".into(), time: "10:00".into(), body: "late".into(), ..Default::default() };
        assert!(entry.validate(&incident).is_ok());
    }

    #[test]
    fn action_items_are_single_lines() {
        let form = ActionItemForm { body: "one\ntwo".into(), ..ActionItemForm::default() };
        assert!(form.validate().expect_err("invalid").get("body").is_some());
        let form = ActionItemForm { body: "Fix it".into(), due_on: "2025-13-01".into(), ..ActionItemForm::default() };
        assert!(form.validate().expect_err("invalid").get("due_on").is_some());
    }
}
