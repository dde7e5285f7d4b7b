//! The public version of a postmortem: its address, the parts it shows, where its approval
//! stands, and the document the public gets (the JSON a status page reads).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{ActionStatus, IncidentId, Severity, UnknownVariant, UserId};

text_enum!(
    /// Where the public version's approval stands.
    PublicState, "public version state", {
        Draft => ("draft", "Draft"),
        AwaitingApproval => ("awaiting_approval", "Awaiting approval"),
        Approved => ("approved", "Approved"),
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
);

text_enum!(
    /// A step of the approval, as the public version's page lists them.
    PublicStep, "public version step", {
        Submitted => ("submitted", "submitted it for approval"),
        Approved => ("approved", "approved it"),
        SentBack => ("sent_back", "sent it back"),
        Withdrawn => ("withdrawn", "withdrew it"),
    }
);

/// The address of a public version, `/p/{slug}`: 3 to 80 lowercase letters, digits and hyphens,
/// starting and ending with a letter or digit. Made at random unless chosen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::Type, Serialize)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 80;

    /// A chosen address, lower-cased; `Err` says what is wrong with it.
    pub fn parse(typed: &str) -> Result<Slug, String> {
        let slug = typed.trim().to_ascii_lowercase();
        let length = slug.chars().count();
        if !(Slug::MIN_CHARS..=Slug::MAX_CHARS).contains(&length) {
            return Err(format!(
                "Choose an address of {} to {} characters (this one has {length}).",
                Slug::MIN_CHARS,
                Slug::MAX_CHARS
            ));
        }
        if let Some(bad) = slug.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
            return Err(format!(
                "Use only letters a to z, digits and hyphens (not “{bad}”), as in 2025-03-checkout-outage."
            ));
        }
        if slug.starts_with('-') || slug.ends_with('-') {
            return Err("Start and end the address with a letter or a digit.".to_owned());
        }
        Ok(Slug(slug))
    }

    /// A random address: 16 random bytes as 26 base32 characters (130 bits), which nobody
    /// guesses.
    pub fn random() -> Result<Slug, getrandom::Error> {
        const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
        let mut bytes = [0u8; 17];
        getrandom::fill(&mut bytes[..16])?;
        let mut slug = String::with_capacity(26);
        // Five bits at a time from the front; the seventeenth byte is zero padding.
        for index in 0..26 {
            let bit = index * 5;
            let (byte, shift) = (bit / 8, bit % 8);
            let pair = u16::from(bytes[byte]) << 8 | u16::from(bytes[byte + 1]);
            slug.push(char::from(ALPHABET[usize::from((pair >> (11 - shift)) & 0x1f)]));
        }
        Ok(Slug(slug))
    }

    /// An address read back from where it was stored (or a link), if it is one.
    pub fn from_stored(text: &str) -> Option<Slug> {
        Slug::parse(text).ok().filter(|slug| slug.0 == text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The parts of the postmortem the public version shows (all, unless the authors say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Its title (or the public title); without it, the public sees "Incident of" its date.
    pub title: bool,
    pub severity: bool,
    pub summary: bool,
    pub impact: bool,
    /// The timeline, without internal entries.
    pub timeline: bool,
    /// What changes now: the corrective and preventative measures and the action items.
    pub changes: bool,
}

impl Default for Parts {
    fn default() -> Parts {
        Parts { title: true, severity: true, summary: true, impact: true, timeline: true, changes: true }
    }
}

/// What the authors chose for the public version, besides its address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublicChoices {
    pub parts: Parts,
    /// The title the public sees instead of the postmortem's (empty: its own).
    pub public_title: String,
    /// A note of the authors' shown first (Markdown: an apology, what happens next).
    pub note: String,
    /// Whether it is in the public Atom feed.
    pub listed: bool,
}

impl PublicChoices {
    /// What a new public version shows: everything, listed.
    pub fn new() -> PublicChoices {
        PublicChoices { listed: true, ..PublicChoices::default() }
    }
}

/// A public version as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicVersion {
    pub incident_id: IncidentId,
    pub slug: Slug,
    pub slug_chosen: bool,
    pub choices: PublicChoices,
    pub state: PublicState,
    pub version: i32,
    /// Who saved the choices last, and when (none: nobody has yet, or the command line).
    pub edited_by: Option<UserId>,
    pub edited_by_name: Option<String>,
    pub edited_at: time::OffsetDateTime,
    /// Who asked for the approval pending now.
    pub submitted_by: Option<UserId>,
    /// What the public sees now, if anything.
    pub public: Option<Approved>,
}

/// What a manager approved, frozen: what the public sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    pub by: Option<String>,
    pub at: time::OffsetDateTime,
    pub markdown: String,
    pub document: PublicDocument,
    /// The renderer that made the document's HTML.
    pub rendered_with: i32,
}

/// One step of the approval, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub kind: PublicStep,
    pub actor: String,
    pub note: String,
    pub at: time::OffsetDateTime,
}

/// What the public gets: the JSON document a status page reads (see the README), without its
/// address and approval time, which are added when it is served. Instants are RFC 3339 in the
/// incident's offset; Markdown fields come with their HTML; a part not shown is `null` (or an
/// empty list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDocument {
    pub title: String,
    pub severity: Option<Severity>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub utc_offset: String,
    pub duration_minutes: Option<i64>,
    pub note: Option<String>,
    pub note_html: Option<String>,
    pub summary: Option<String>,
    pub summary_html: Option<String>,
    pub impact: Option<String>,
    pub impact_html: Option<String>,
    pub timeline: Vec<PublicEntry>,
    /// The corrective and preventative measures, as one text.
    pub measures: Option<String>,
    pub measures_html: Option<String>,
    /// The action items, text and status only.
    pub changes: Vec<PublicChange>,
}

/// A timeline entry as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicEntry {
    pub at: String,
    pub text: String,
    pub html: String,
}

/// An action item as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicChange {
    pub text: String,
    pub html: String,
    pub status: ActionStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_address_is_lower_case_letters_digits_and_hyphens() {
        assert_eq!(Slug::parse(" 2025-03-Checkout-Outage ").map(|s| s.0), Ok("2025-03-checkout-outage".to_owned()));
        assert_eq!(Slug::parse("abc").map(|s| s.0), Ok("abc".to_owned()));
        for bad in ["ab", "-abc", "abc-", "a b c", "café", "a/b", "a.md", &"x".repeat(81), "", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Slug::parse("über").is_err_and(|why| why.contains("“ü”")));
    }

    #[test]
    fn a_random_address_has_130_bits_and_is_a_valid_one() {
        let slugs: Vec<Slug> = (0..50).map(|_| Slug::random().expect("randomness")).collect();
        for slug in &slugs {
            assert_eq!(slug.as_str().len(), 26);
            assert_eq!(Slug::from_stored(slug.as_str()).as_ref(), Some(slug));
        }
        let mut unique = slugs.clone();
        unique.sort_by(|a, b| a.0.cmp(&b.0));
        unique.dedup();
        assert_eq!(unique.len(), slugs.len());
        // Every character position takes more than one value: the bits are spread, not stuck.
        for position in 0..26 {
            let mut seen: Vec<u8> = slugs.iter().map(|slug| slug.0.as_bytes()[position]).collect();
            seen.sort_unstable();
            seen.dedup();
            assert!(seen.len() > 4, "position {position}: {seen:?}");
        }
    }

    #[test]
    fn states_and_steps_read_back_from_their_stored_values() {
        for state in PublicState::ALL {
            assert_eq!(state.as_str().parse::<PublicState>(), Ok(*state));
        }
        for step in PublicStep::ALL {
            assert_eq!(step.as_str().parse::<PublicStep>(), Ok(*step));
        }
    }
}
