//! What a search asks for: the words as typed, the filters, the order and where a page starts.
//! Parsed here once, so the database layer receives only well-formed values.

use time::{Date, OffsetDateTime};

use super::{FactorKindId, ServiceId, Severity, Status, TeamId};

/// The longest search accepted, in characters: far more than anyone types, small enough that a
/// pasted page cannot make a costly query.
pub const MAX_QUERY_CHARS: usize = 500;

/// The words of a search, as PostgreSQL's `websearch_to_tsquery` reads them (`"exact phrase"`,
/// `-word`, `or`), and, when the last word is a plain word, the rest and that word as a prefix:
/// it may still be being typed (`data` also finds `database`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchText {
    pub text: String,
    /// The words before the last, and the last followed by `:*` (only letters and digits, so
    /// safe for `to_tsquery`).
    pub prefix: Option<(String, String)>,
}

/// Why a search cannot be run as typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchTextError {
    #[error("A search is at most {MAX_QUERY_CHARS} characters; this one has {0}. Try a few distinctive words.")]
    TooLong(usize),
}

impl SearchText {
    /// The search typed, or `None` for blank. NUL and other control characters are spaces.
    pub fn parse(input: &str) -> Result<Option<SearchText>, SearchTextError> {
        let text: String = input.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(SearchTextError::TooLong(chars));
        }
        Ok(Some(SearchText { prefix: prefix_of(text), text: text.to_owned() }))
    }
}

/// The rest and the last word as a prefix query, when the last is a plain word: not in quotes,
/// not excluded, not `or` nor after one, at least two characters.
fn prefix_of(text: &str) -> Option<(String, String)> {
    if text.chars().filter(|&c| c == '"').count() % 2 == 1 {
        return None;
    }
    let last = text.split_whitespace().next_back()?;
    let words: Vec<&str> = text.split_whitespace().collect();
    let before = words.len().checked_sub(2).map(|i| words[i]);
    if before.is_some_and(|w| w.eq_ignore_ascii_case("or")) || last.eq_ignore_ascii_case("or") {
        return None;
    }
    if !last.chars().all(char::is_alphanumeric) || last.chars().count() < 2 {
        return None;
    }
    let rest = words[..words.len() - 1].join(" ");
    // Documents hold English stems, which can be much shorter than the word (`availability` is
    // `avail`): a word typed part-way past its stem (`availabil`) must still find
    // `availability`, so only its first half (at least four letters) is matched as a prefix.
    // The words as typed still rank what matches them whole first.
    let lower = last.to_lowercase();
    let letters = lower.chars().count();
    let keep = if letters <= 4 { letters } else { letters.div_ceil(2).max(4) };
    let prefix: String = lower.chars().take(keep).collect();
    Some((rest, format!("{prefix}:*")))
}

/// Which postmortems to list. `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchFilter {
    pub severity: Option<Severity>,
    pub status: Option<Status>,
    /// Postmortems with an action item of this team.
    pub team: Option<TeamId>,
    /// Started on or after this day (UTC).
    pub from: Option<Date>,
    /// Started on or before this day (UTC).
    pub to: Option<Date>,
    /// Only postmortems with an action item still open or in progress.
    pub open_items: bool,
    /// Postmortems that affected this service.
    pub service: Option<ServiceId>,
    /// Postmortems with a contributing factor of this kind.
    pub factor: Option<FactorKindId>,
    /// Postmortems with this tag, whatever its case.
    pub tag: Option<String>,
}

impl SearchFilter {
    pub fn is_empty(&self) -> bool {
        *self == SearchFilter::default()
    }
}

/// The order of the results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SearchOrder {
    /// Best match first (only with words to match).
    #[default]
    Relevance,
    /// Newest first.
    Date,
    /// SEV1 first, then newest.
    Severity,
    /// Longest first (ongoing ones last), then newest.
    Duration,
}

impl SearchOrder {
    pub const ALL: [SearchOrder; 4] =
        [SearchOrder::Relevance, SearchOrder::Date, SearchOrder::Severity, SearchOrder::Duration];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchOrder::Relevance => "relevance",
            SearchOrder::Date => "date",
            SearchOrder::Severity => "severity",
            SearchOrder::Duration => "duration",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SearchOrder::Relevance => "Best match",
            SearchOrder::Date => "Newest first",
            SearchOrder::Severity => "Severity, SEV1 first",
            SearchOrder::Duration => "Longest first",
        }
    }

    pub fn parse(text: &str) -> Option<SearchOrder> {
        SearchOrder::ALL.into_iter().find(|order| order.as_str() == text)
    }
}

/// Where the next page starts: just after the row with this sort key, start and id. Sent in
/// links as `key~micros~id` (see [`Cursor::encode`]); any other text is refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    /// The order's own key (the rank, the severity's place, the duration in seconds); 0 for
    /// the date order, which has none.
    pub key: f64,
    pub started_at: OffsetDateTime,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let micros = self.started_at.unix_timestamp_nanos() / 1000;
        format!("{}~{}~{}", self.key, micros, self.id)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let mut parts = text.split('~');
        let key: f64 = parts.next()?.parse().ok()?;
        let micros: i128 = parts.next()?.parse().ok()?;
        let id: i64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !key.is_finite() {
            return None;
        }
        let started_at = OffsetDateTime::from_unix_timestamp_nanos(micros.checked_mul(1000)?).ok()?;
        Some(Cursor { key, started_at, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_plain_word_is_also_a_prefix() {
        let parse = |s: &str| SearchText::parse(s).expect("short").and_then(|t| t.prefix).map(|(_, p)| p);
        assert_eq!(parse("pool datab"), Some("data:*".to_owned()));
        assert_eq!(parse("pool availabil"), Some("avail:*".to_owned()));
        assert_eq!(parse("pool red"), Some("red:*".to_owned()));
        assert_eq!(parse("\"pool datab\""), None);
        assert_eq!(parse("pool -datab"), None);
        assert_eq!(parse("redis or mem"), None);
        assert_eq!(parse("a"), None);
        assert_eq!(SearchText::parse(" \0 ").expect("short"), None);
        assert!(SearchText::parse(&"x".repeat(10_000)).is_err());
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = Cursor { key: f64::from(0.123_456_7_f32), started_at: OffsetDateTime::UNIX_EPOCH, id: 7 };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("x~1~2"), None);
        assert_eq!(Cursor::decode("NaN~1~2"), None);
    }
}
