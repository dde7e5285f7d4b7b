//! The postmortem's vocabulary: ids, enums and input validation, free of HTTP and SQL.

mod due;
pub mod input;
pub mod labels;
pub mod limits;
pub mod recurrences;
pub mod search;
mod section;
pub mod time;

pub use due::{DuePolicy, date_in_zone, is_overdue, is_time_zone};
pub use section::{FormGroup, PerSection, Section};

use std::fmt;
use std::str::FromStr;

/// Implements sqlx's `Type`/`Encode`/`Decode` for a newtype over `i64` id.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type, serde::Deserialize, serde::Serialize)]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Primary key of a postmortem.
    IncidentId
);
id_type!(
    /// Primary key of a timeline entry.
    TimelineEntryId
);
id_type!(
    /// Primary key of an action item.
    ActionItemId
);
id_type!(
    /// Primary key of an extra section.
    SectionId
);
id_type!(
    /// Primary key of a person's account.
    UserId
);
id_type!(
    /// Primary key of a team.
    TeamId
);
id_type!(
    /// Primary key of a service or component an incident affected.
    ServiceId
);
id_type!(
    /// Primary key of a kind of contributing factor (the managed taxonomy).
    FactorKindId
);
id_type!(
    /// Primary key of an API token.
    ApiTokenId
);
id_type!(
    /// Primary key of an outbound webhook.
    WebhookId
);
id_type!(
    /// Primary key of one delivery of a webhook event.
    DeliveryId
);
id_type!(
    /// Primary key of a wiki destination (a git repository postmortems are synced to).
    WikiDestinationId
);
id_type!(
    /// Primary key of a queued wiki sync job.
    WikiJobId
);

/// The value could not be parsed into one of the enum's variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownVariant {
    kind: &'static str,
    value: String,
}

/// An enum stored as a `text` column with a CHECK constraint listing the variants.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $kind:literal, { $($variant:ident => ($db:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value stored in the database and sent by forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $db),+ }
            }

            /// The human-readable name.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($db => Ok($name::$variant),)+
                    _ => Err(UnknownVariant { kind: $kind, value: s.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }

        /// Serialized as the stored value (`SEV2`, `in_review`).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        /// Read from the stored value, as rows come back from the database as JSON.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Ok(text.parse()?)
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.as_str(), buf)
            }
        }
    };
}

pub mod advice;
mod audit;
pub use audit::AuditAction;
pub mod public;
pub mod template;
pub use template::{Outline, ReviewRule, TemplateId};

text_enum!(
    /// How bad the incident was; SEV1 is the worst.
    Severity, "severity", {
        Sev1 => ("SEV1", "SEV1"),
        Sev2 => ("SEV2", "SEV2"),
        Sev3 => ("SEV3", "SEV3"),
        Sev4 => ("SEV4", "SEV4"),
        Sev5 => ("SEV5", "SEV5"),
    }
);

impl Severity {
    /// A short description shown next to the level in the form.
    pub fn description(self) -> &'static str {
        match self {
            Severity::Sev1 => "critical: most users affected",
            Severity::Sev2 => "major: many users or a key feature",
            Severity::Sev3 => "moderate: some users, workaround exists",
            Severity::Sev4 => "minor: little user impact",
            Severity::Sev5 => "no user impact",
        }
    }
}

text_enum!(
    /// Where the postmortem is in its life.
    Status, "status", {
        Draft => ("draft", "Draft"),
        InReview => ("in_review", "In review"),
        Published => ("published", "Published"),
    }
);

text_enum!(
    /// A moment of the incident that a timeline entry marks. The postmortem's start follows its
    /// `ImpactStarted` entry and its end its `Resolved` entry, unless set by hand.
    Marker, "marker", {
        ImpactStarted => ("impact_started", "Impact started"),
        Detected => ("detected", "Detected"),
        Mitigated => ("mitigated", "Mitigated"),
        Resolved => ("resolved", "Resolved"),
    }
);

text_enum!(
    /// What a review comment is: said on its own, or with a step of the review.
    CommentKind, "review comment kind", {
        Comment => ("comment", "Comment"),
        Submitted => ("submitted", "Submitted for review"),
        ChangesRequested => ("changes_requested", "Sent back for changes"),
        Approved => ("approved", "Approved and published"),
        Published => ("published", "Published by its author"),
    }
);

impl CommentKind {
    /// What the step did, as the discussion says it after the author's name; empty for a
    /// plain comment.
    pub fn step(self) -> &'static str {
        match self {
            CommentKind::Comment => "",
            CommentKind::Submitted => "submitted it for review",
            CommentKind::ChangesRequested => "sent it back for changes",
            CommentKind::Approved => "approved and published it",
            CommentKind::Published => "published it",
        }
    }
}

text_enum!(
    /// Where an action item stands. Done and won't do are closed.
    ActionStatus, "action item status", {
        Open => ("open", "Open"),
        InProgress => ("in_progress", "In progress"),
        Done => ("done", "Done"),
        WontDo => ("wont_do", "Won't do"),
    }
);

impl ActionStatus {
    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::WontDo)
    }
}

text_enum!(
    /// What an action item is for.
    ActionKind, "action item kind", {
        Corrective => ("corrective", "Corrective"),
        Preventative => ("preventative", "Preventative"),
        Detective => ("detective", "Detective"),
        Mitigation => ("mitigation", "Mitigation"),
    }
);

text_enum!(
    /// How urgent an action item is; P1 is the most.
    Priority, "priority", {
        P1 => ("P1", "P1"),
        P2 => ("P2", "P2"),
        P3 => ("P3", "P3"),
        P4 => ("P4", "P4"),
    }
);

text_enum!(
    /// What an API token may be used for. A feed's address carries its token, and calendar
    /// services keep that address on their servers: a token made for them only reads feeds.
    TokenScope, "token scope", {
        Api => ("api", "The API and feeds"),
        Feeds => ("feeds", "Calendars and feeds only"),
    }
);

text_enum!(
    /// What a person may do. Each role can do everything the ones before it can.
    Role, "role", {
        Viewer => ("viewer", "Viewer"),
        Engineer => ("engineer", "Engineer"),
        Manager => ("manager", "Manager"),
        Admin => ("admin", "Admin"),
    }
);

impl Role {
    /// Whether this role includes everything `needed` may do.
    pub fn includes(self, needed: Role) -> bool {
        self.rank() >= needed.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Role::Viewer => 0,
            Role::Engineer => 1,
            Role::Manager => 2,
            Role::Admin => 3,
        }
    }

    /// What the role may do, as shown where roles are chosen.
    pub fn description(self) -> &'static str {
        match self {
            Role::Viewer => "reads postmortems",
            Role::Engineer => "writes postmortems and updates action items",
            Role::Manager => "also approves postmortems or sends them back, and deletes them",
            Role::Admin => "also manages people, teams and the audit log",
        }
    }
}

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Whether they can sign in with a password (people who only use the SSO proxy cannot).
    pub has_password: bool,
}

impl User {
    /// The name to show: their name, or their email if they gave none.
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() { &self.email } else { &self.name }
    }
}

/// A group of people who own action items together.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    /// The IANA time zone the team's due dates are read in (`Europe/Berlin`).
    pub time_zone: String,
}

/// A postmortem's own fields (its timeline and action items are loaded separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: IncidentId,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    /// When the impact started: `None` only in a draft that does not say yet (an imported
    /// document that states none), which cannot go to review until it does.
    pub started_at: Option<::time::OffsetDateTime>,
    pub ended_at: Option<::time::OffsetDateTime>,
    pub offset: time::Offset,
    /// The Markdown of each standard section.
    pub texts: PerSection<String>,
    pub headings: SectionHeadings,
    /// The template it was started from, as that template was then (`None`: older and
    /// imported postmortems, which keep the rules from before templates).
    pub template: Option<Outline>,
    pub version: i32,
    pub updated_at: ::time::OffsetDateTime,
}

/// The authors' own headings, when a postmortem was imported with headings of its own
/// ("Contributing Factors" for the root cause). `None` means the standard heading. Stored as
/// JSON keyed by section key, `timeline`, `measures` and `action_items`; the forms never edit
/// them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SectionHeadings {
    /// Each standard section's heading; the measures' own are unused (see `measures`).
    #[serde(flatten)]
    pub sections: PerSection<Option<String>>,
    pub timeline: Option<String>,
    /// Heads the corrective and preventative measures together.
    pub measures: Option<String>,
    pub action_items: Option<String>,
}

impl Incident {
    /// Derived from start and end, never typed in: `None` while the incident is ongoing (or
    /// its start is not stated).
    pub fn duration(&self) -> Option<::time::Duration> {
        Some(self.ended_at? - self.started_at?)
    }
}

/// One line of the timeline: an instant and Markdown text.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TimelineEntry {
    pub id: TimelineEntryId,
    pub incident_id: IncidentId,
    pub occurred_at: ::time::OffsetDateTime,
    pub body: String,
    /// The time as an imported document wrote it (`10:15 AM`); empty for rows typed in here.
    pub time_as_written: String,
    /// The moment of the incident this entry marks, if any.
    pub marker: Option<Marker>,
}

/// Follow-up work. `completed_at` is when it was closed (done, or decided against). Read from
/// the `action_item_rows` view, which adds the linked person's and team's names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActionItem {
    pub id: ActionItemId,
    pub incident_id: IncidentId,
    pub body: String,
    pub kind: Option<ActionKind>,
    pub priority: Option<Priority>,
    pub status: ActionStatus,
    /// Why it will not be done; set exactly when the status is won't do.
    pub wont_do_reason: String,
    /// The team that owns it, when linked to one.
    pub team_id: Option<TeamId>,
    /// That team's name, read with the item.
    pub team_name: Option<String>,
    /// A link to the ticket tracking it.
    pub ticket_url: String,
    /// How it was done, or a link to the evidence.
    pub completion_note: String,
    /// Bumped on every save, to refuse a save made from a stale form.
    pub version: i32,
    /// The owner as written (typed, or from an imported document).
    pub owner: String,
    /// The person who owns it, when it is linked to an account.
    pub owner_id: Option<UserId>,
    /// That person's name (or email), read with the item.
    pub owner_person: Option<String>,
    pub team: String,
    pub due_on: Option<::time::Date>,
    pub completed_at: Option<::time::OffsetDateTime>,
    /// When someone other than its owner confirmed that it works; only a done item is.
    pub verified_at: Option<::time::OffsetDateTime>,
    /// The person who verified it, when it was verified here by someone with an account.
    pub verified_by: Option<UserId>,
    /// Who verified it, as shown: that person's name, else the name as written (imported).
    pub verifier: String,
    /// The note or link that shows it works; set exactly when it is verified.
    pub verification_evidence: String,
    /// The later incidents in which what it was meant to prevent happened again.
    pub recurred_in: Vec<IncidentId>,
    /// The incidents an imported document said it recurred in, as written (another instance's
    /// ids: see `app::imports`).
    pub recurred_in_as_written: String,
}

impl ActionItem {
    /// An open item with nothing but its text, for building postmortems in code (tests,
    /// benchmarks).
    pub fn new(id: ActionItemId, incident_id: IncidentId, body: impl Into<String>) -> ActionItem {
        ActionItem {
            id,
            incident_id,
            body: body.into(),
            kind: None,
            priority: None,
            status: ActionStatus::Open,
            wont_do_reason: String::new(),
            team_id: None,
            team_name: None,
            ticket_url: String::new(),
            completion_note: String::new(),
            version: 1,
            owner: String::new(),
            owner_id: None,
            owner_person: None,
            team: String::new(),
            due_on: None,
            completed_at: None,
            verified_at: None,
            verified_by: None,
            verifier: String::new(),
            verification_evidence: String::new(),
            recurred_in: Vec::new(),
            recurred_in_as_written: String::new(),
        }
    }

    /// Who owns it, as shown and exported: the linked person, else the owner as written.
    pub fn owner_name(&self) -> &str {
        self.owner_person.as_deref().unwrap_or(&self.owner)
    }

    /// The team, as shown and exported: the linked team, else the team as written.
    pub fn team_label(&self) -> &str {
        self.team_name.as_deref().unwrap_or(&self.team)
    }

    pub fn is_done(&self) -> bool {
        self.status == ActionStatus::Done
    }

    pub fn is_verified(&self) -> bool {
        self.verified_at.is_some()
    }

    pub fn has_recurred(&self) -> bool {
        !self.recurred_in.is_empty()
    }

    pub fn is_closed(&self) -> bool {
        self.status.is_closed()
    }
}

/// A section beyond the standard fields, with the author's own heading.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExtraSection {
    pub id: SectionId,
    pub incident_id: IncidentId,
    pub heading: String,
    pub body: String,
}

/// A row as its edit form loads it: what it holds, and the version it is at, read in one
/// statement. The form carries the version back, and the save applies only while the row is
/// still at it. (Postmortems and action items carry their version in their own struct; the
/// rows here need it only to be edited.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub row: T,
    pub version: i32,
}

/// HTML rendered from a Markdown field when it was saved, and the version of the renderer that
/// made it (0: never rendered). Pages show it through `markdown::shown`, which renders again
/// if another renderer made it.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredHtml {
    pub html: String,
    pub rendered_with: i32,
}

/// A row and the HTML stored with its Markdown, as read for a page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WithHtml<T> {
    #[sqlx(flatten)]
    pub value: T,
    #[sqlx(flatten)]
    pub html: StoredHtml,
}

/// What a postmortem without a start is asked for, on its page and in its review checklist.
pub const START_MISSING: &str = "Enter when the impact started.";

impl Postmortem {
    /// What must be written before the postmortem can go to review (or be published by its
    /// author), in words for the author: every section of its template (without one, the
    /// impact and the root cause), at least one timeline entry, and an owner and a due date
    /// for every action item still to do.
    pub fn missing_for_review(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if self.incident.started_at.is_none() {
            missing.push(START_MISSING.to_owned());
        }
        let texts = &self.incident.texts;
        match &self.incident.template {
            None => {
                if texts[Section::Impact].trim().is_empty() {
                    missing.push("Describe the impact.".to_owned());
                }
                if texts[Section::RootCause].trim().is_empty() {
                    missing.push("Write the root cause.".to_owned());
                }
            }
            Some(outline) => {
                for part in &outline.sections {
                    match part.part {
                        template::Part::Text(section) if texts[section].trim().is_empty() => {
                            missing.push(format!("Write the {}.", section.label().to_lowercase()));
                        }
                        template::Part::Extra => {
                            let written = self.sections.iter().any(|extra| {
                                template::same_heading(&extra.heading, &part.heading) && !extra.body.trim().is_empty()
                            });
                            if !written {
                                missing.push(format!("Write the section “{}”.", part.heading));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        if self.timeline.is_empty() {
            missing.push("Add at least one timeline entry.".to_owned());
        }
        for item in self.action_items.iter().filter(|item| item.status != ActionStatus::WontDo) {
            let what = match (item.owner_name().trim().is_empty(), item.due_on.is_none()) {
                (true, true) => "an owner and a due date",
                (true, false) => "an owner",
                (false, true) => "a due date",
                (false, false) => continue,
            };
            let text: String = item.body.chars().take(60).collect();
            missing.push(format!("Give the action item “{text}” {what}."));
        }
        missing
    }
}

/// A whole postmortem, as read, rendered and exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postmortem {
    pub incident: Incident,
    /// In time order.
    pub timeline: Vec<TimelineEntry>,
    /// In the order they were added.
    pub action_items: Vec<ActionItem>,
    /// In the order they were added; shown and exported after the action items.
    pub sections: Vec<ExtraSection>,
    /// Its services, tags and contributing factors.
    pub labels: labels::Labels,
    /// The postmortems it repeats and those that repeat it.
    pub recurrences: recurrences::Recurrences,
}
