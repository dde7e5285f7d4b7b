//! Reading the writing: blame and hindsight language in a postmortem, pointed out as advice with
//! a suggested rewording. It never blocks anything: a blameless postmortem is a habit, not a
//! rule a form can enforce, and a phrase that reads as blame in one sentence can be fair in
//! another. So the checks lean towards saying nothing: "failed to" is advice only when a person
//! is the subject ("the pod failed to start" is a fact), and "should have" only before a past
//! participle ("should have caught it", not "should have 50 connections").

/// One piece of advice: where, the sentence, the words that drew it, and a way to say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// The part of the postmortem it is in ("Root cause", "Timeline").
    pub place: String,
    /// The sentence, at most [`EXCERPT_CHARS`] characters of it around the words.
    pub excerpt: String,
    /// The words as written.
    pub words: String,
    /// Why it reads as blame or hindsight, and how it could be put.
    pub suggestion: &'static str,
}

/// Longest excerpt shown, in characters.
pub const EXCERPT_CHARS: usize = 160;

/// Most advice given for one postmortem: beyond this, the list would bury the review.
pub const MOST_ADVICE: usize = 12;

const HINDSIGHT: &str = "Hindsight: say what was known at the time and what made the other path hard to see \
     (“the alert did not say which pool was full, so …”).";
const FAILED_TO: &str = "Say what happened instead, and what made it likely (“the deploy went out without the \
     check, because the checklist did not include it”).";
const HUMAN_ERROR: &str = "“Human error” ends the inquiry where it should start: name the conditions that made \
     the slip easy (a confusing step, a missing guard, tiredness at 3 a.m.).";
const CHARACTER: &str = "Describe the action and its context, not the person's character: what they did, what \
     they saw, and why it made sense then.";
const FORGOT: &str = "Say what would have reminded anyone (a checklist, an alert, automation) and that it was \
     missing.";
const PERSON: &str = "A person is named as the cause: name the role and the system instead (“the on-call \
     engineer's restart, which the runbook prescribed, dropped the queue”).";

/// Words that make the subject of "failed to" a person.
const PEOPLE_WORDS: &[&str] = &[
    "i",
    "we",
    "he",
    "she",
    "they",
    "you",
    "someone",
    "somebody",
    "nobody",
    "engineer",
    "engineers",
    "developer",
    "developers",
    "operator",
    "operators",
    "admin",
    "sre",
    "on-call",
    "oncall",
    "team",
    "reviewer",
    "author",
    "staff",
    "employee",
    "intern",
    "manager",
    "person",
];

/// Irregular past participles after "should have" (regular ones end in -ed).
const PARTICIPLES: &[&str] = &[
    "been",
    "done",
    "known",
    "seen",
    "caught",
    "made",
    "run",
    "taken",
    "gone",
    "written",
    "thought",
    "found",
    "told",
    "built",
    "set",
    "put",
    "kept",
    "held",
    "read",
    "sent",
    "spent",
    "understood",
    "begun",
    "chosen",
    "given",
    "shown",
    "spoken",
    "woken",
    "brought",
    "bought",
    "taught",
    "fought",
    "led",
    "left",
    "felt",
    "meant",
    "met",
];

/// The advice for `text` (Markdown of one part of the postmortem, named `place`), given the
/// names of the people who might be named in it.
pub fn read(place: &str, text: &str, people: &[String]) -> Vec<Advice> {
    read_with(place, text, &first_names(people))
}

/// [`read`] with the people's first names worked out already.
fn read_with(place: &str, text: &str, names: &[String]) -> Vec<Advice> {
    let mut advice = Vec::new();
    for sentence in sentences(text) {
        let words: Vec<&str> = sentence.split_whitespace().collect();
        let lower: Vec<String> = words.iter().map(|word| normalized(word)).collect();
        let mut found = |start: usize, len: usize, suggestion: &'static str| {
            let end = (start + len).min(words.len());
            advice.push(Advice {
                place: place.to_owned(),
                excerpt: excerpt(sentence),
                words: words[start..end].join(" ").trim_end_matches(['.', ',', ';', ':', '!', '?']).to_owned(),
                suggestion,
            });
        };
        for (i, word) in lower.iter().enumerate() {
            let next = |k: usize| lower.get(i + k).map(String::as_str).unwrap_or_default();
            match word.as_str() {
                "should" | "could" | "ought" if next(1) == "have" || next(1) == "to" && next(2) == "have" => {
                    let participle = if next(1) == "have" { next(2) } else { next(3) };
                    if is_participle(participle) {
                        found(i, if next(1) == "have" { 3 } else { 4 }, HINDSIGHT);
                    }
                }
                "should've" | "shouldve" | "could've" if is_participle(next(1)) => found(i, 2, HINDSIGHT),
                // Its subject: a person word just before it ("we failed", "the engineer then failed").
                "failed" | "neglected"
                    if next(1) == "to" && lower[i.saturating_sub(2)..i].iter().any(|w| is_person(w, names)) =>
                {
                    found(i, 2, FAILED_TO)
                }
                "human" if next(1) == "error" || next(1) == "errors" => found(i, 2, HUMAN_ERROR),
                "careless" | "carelessly" | "carelessness" | "negligent" | "negligence" | "negligently" | "lazy"
                | "incompetent" | "incompetence" | "sloppy" | "reckless" | "recklessly" => found(i, 1, CHARACTER),
                "forgot" | "forgotten" if next(1) == "to" || next(1) == "about" => found(i, 2, FORGOT),
                _ => {}
            }
        }
        if let Some((start, len)) = person_as_cause(&words, &lower, names) {
            found(start, len, PERSON);
        }
    }
    advice
}

/// Advice for every part of a postmortem, in the order given, at most [`MOST_ADVICE`].
pub fn read_all<'a>(parts: impl IntoIterator<Item = (&'a str, &'a str)>, people: &[String]) -> Vec<Advice> {
    let names = first_names(people);
    let mut advice = Vec::new();
    for (place, text) in parts {
        advice.extend(read_with(place, text, &names));
        if advice.len() >= MOST_ADVICE {
            break;
        }
    }
    advice.truncate(MOST_ADVICE);
    advice
}

/// A word lower-cased without the punctuation around it (`“Alice's` → `alice's`).
fn normalized(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’' && c != '-')
        .replace('’', "'")
        .trim_matches('\'')
        .to_lowercase()
}

fn is_participle(word: &str) -> bool {
    (word.len() > 3 && word.ends_with("ed")) || PARTICIPLES.contains(&word)
}

/// Whether `word` names a person: a pronoun or role, or one of `names`.
fn is_person(word: &str, names: &[String]) -> bool {
    PEOPLE_WORDS.contains(&word) || names.binary_search_by(|name| name.as_str().cmp(word)).is_ok()
}

/// The first names (lower case, 2 letters or more, each once) of `people`.
fn first_names(people: &[String]) -> Vec<String> {
    let mut names: Vec<String> = people
        .iter()
        .filter_map(|name| name.split_whitespace().next())
        .map(normalized)
        .filter(|name| name.chars().count() >= 2 && !PEOPLE_WORDS.contains(&name.as_str()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A known person's name right before "caused", "broke", "'s mistake/fault/error", or after
/// "caused by", "because of", "due to": where it is, in words.
fn person_as_cause(words: &[&str], lower: &[String], names: &[String]) -> Option<(usize, usize)> {
    if names.is_empty() {
        return None;
    }
    let name_at = |i: usize| lower.get(i).is_some_and(|word| names.binary_search(word).is_ok());
    let possessive = |i: usize| {
        lower.get(i).and_then(|word| word.strip_suffix("'s")).is_some_and(|name| names.iter().any(|n| n == name))
    };
    for i in 0..words.len() {
        let next = lower.get(i + 1).map(String::as_str).unwrap_or_default();
        let took_down = next == "took" && lower.get(i + 2).is_some_and(|w| w == "down");
        if name_at(i) && (matches!(next, "caused" | "broke" | "crashed") || took_down) {
            return Some((i, 2));
        }
        if possessive(i) && matches!(next, "mistake" | "fault" | "error" | "blunder") {
            return Some((i, 2));
        }
        let by = matches!(
            (lower[i].as_str(), next),
            ("caused", "by") | ("because", "of") | ("due", "to") | ("blame", "on") | ("fault", "of")
        );
        if by && (name_at(i + 2) || possessive(i + 2)) {
            return Some((i, 3));
        }
    }
    None
}

/// The sentences of `text`: split at `.`, `!`, `?` before a space or a line end, and at line
/// breaks (list items and timeline lines are sentences of their own).
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut start = 0;
        let bytes = line.as_bytes();
        for (i, &byte) in bytes.iter().enumerate() {
            let ends = matches!(byte, b'.' | b'!' | b'?') && bytes.get(i + 1).is_none_or(|next| *next == b' ');
            if ends {
                out.push(line[start..=i].trim());
                start = i + 1;
            }
        }
        out.push(line[start..].trim());
    }
    out.retain(|sentence| !sentence.is_empty());
    out
}

/// `sentence` as plain words (no list marker, quote, heading or emphasis marks), cut to
/// [`EXCERPT_CHARS`] characters with an ellipsis.
fn excerpt(sentence: &str) -> String {
    let text = sentence.trim_start_matches(['#', '>', ' ']);
    let text = text.strip_prefix("- ").or_else(|| text.strip_prefix("* ")).unwrap_or(text);
    let text = text.replace("**", "").replace("__", "").replace('`', "");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, people: &[&str]) -> Vec<String> {
        let people: Vec<String> = people.iter().map(|name| (*name).to_owned()).collect();
        read("Root cause", text, &people).into_iter().map(|advice| advice.words).collect()
    }

    #[test]
    fn hindsight_and_blame_are_pointed_out() {
        assert_eq!(words("The on-call engineer should have caught the alert.", &[]), ["should have caught"]);
        assert_eq!(words("We ought to have known better.", &[]), ["ought to have known"]);
        assert_eq!(words("It could've been spotted in review.", &[]), ["could've been"]);
        assert_eq!(words("The engineer failed to run the migration.", &[]), ["failed to"]);
        assert_eq!(words("Root cause: human error during the deploy.", &[]), ["human error"]);
        assert_eq!(words("A careless change to the config.", &[]), ["careless"]);
        assert_eq!(words("Someone forgot to renew the certificate.", &[]), ["forgot to"]);
        assert_eq!(words("Alice caused the outage by restarting the primary.", &["Alice Martin"]), ["Alice caused"]);
        assert_eq!(words("It was Bob's mistake.", &["Bob Stone"]), ["Bob's mistake"]);
        assert_eq!(words("The outage was caused by Carol.", &["Carol King"]), ["caused by Carol"]);
    }

    #[test]
    fn facts_about_systems_are_left_alone() {
        for text in [
            "The pod failed to start after the upgrade.",
            "Requests failed to reach the database.",
            "I am still looking into why the checker failed to drop the statuses.",
            "The pool should have 50 connections.",
            "We should have a runbook for this.",
            "The error rate rose to 40%.",
            "The deploy caused a spike in latency.",
            "Alice restarted the primary, which was the runbook's advice.",
            "An error in the human-readable config format.",
        ] {
            assert!(words(text, &["Alice Martin"]).is_empty(), "{text}");
        }
    }

    #[test]
    fn each_piece_names_its_place_and_sentence() {
        let text =
            "- **10:15** – Alerts fired.\n- **10:20** – Dana should have paged the database team. Then it was quiet.";
        let advice = read("Timeline", text, &[]);
        assert_eq!(advice.len(), 1);
        assert_eq!(advice[0].place, "Timeline");
        assert_eq!(advice[0].excerpt, "10:20 – Dana should have paged the database team.");
        assert!(advice[0].suggestion.starts_with("Hindsight"));
    }

    #[test]
    fn long_text_and_odd_input_stay_bounded() {
        let long = format!("{} should have seen it.", "word ".repeat(10_000));
        let advice = read("Summary", &long, &[]);
        assert_eq!(advice.len(), 1);
        assert!(advice[0].excerpt.chars().count() <= EXCERPT_CHARS);
        assert!(read("Summary", "\0 \u{202e} .. ?! 's", &["'s".to_owned(), String::new()]).is_empty());
        let many = "We should have known. ".repeat(100);
        assert_eq!(read_all([("Summary", many.as_str())], &[]).len(), MOST_ADVICE);
    }
}
