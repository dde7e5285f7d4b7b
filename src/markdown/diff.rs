//! A readable line diff of two revisions of a postmortem's Markdown: changed lines with a
//! little context, grouped into hunks named after the section they fall in, and the words
//! that changed within a line picked out.

use std::time::Duration;

use similar::{ChangeTag, TextDiff};

/// Lines of unchanged context shown around each change.
const CONTEXT_LINES: usize = 3;

/// A diff gives up looking for the smallest difference after this long and shows a coarser
/// one, so two huge revisions cannot tie up a worker.
const DIFF_DEADLINE: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Same,
    Removed,
    Added,
}

/// One line of a hunk. `parts` are its pieces, `true` for the words that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: LineKind,
    pub old_number: Option<usize>,
    pub new_number: Option<usize>,
    pub parts: Vec<(bool, String)>,
}

impl DiffLine {
    pub fn is_removed(&self) -> bool {
        self.kind == LineKind::Removed
    }

    pub fn is_added(&self) -> bool {
        self.kind == LineKind::Added
    }
}

/// Changes close together, with their context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// The heading of the section the change is in ("Root Cause"), or the title's.
    pub section: String,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diff {
    pub hunks: Vec<Hunk>,
    pub added: usize,
    pub removed: usize,
}

/// The difference between `old` and `new`, line by line.
pub fn diff(old: &str, new: &str) -> Diff {
    let text_diff = TextDiff::configure().timeout(DIFF_DEADLINE).diff_lines(old, new);
    let new_lines: Vec<&str> = new.lines().collect();
    let old_lines: Vec<&str> = old.lines().collect();
    let mut result = Diff::default();
    for group in text_diff.grouped_ops(CONTEXT_LINES) {
        let mut lines = Vec::new();
        for op in &group {
            for change in text_diff.iter_inline_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => LineKind::Same,
                    ChangeTag::Delete => {
                        result.removed += 1;
                        LineKind::Removed
                    }
                    ChangeTag::Insert => {
                        result.added += 1;
                        LineKind::Added
                    }
                };
                let parts = join_parts(
                    change
                        .iter_strings_lossy()
                        .map(|(emphasized, text)| (emphasized, text.trim_end_matches(['\n', '\r']).to_owned()))
                        .filter(|(_, text)| !text.is_empty())
                        .collect(),
                );
                lines.push(DiffLine {
                    kind,
                    old_number: change.old_index().map(|index| index + 1),
                    new_number: change.new_index().map(|index| index + 1),
                    parts,
                });
            }
        }
        // Name the hunk after the section its first new words are in (or, for a hunk that
        // only removes, its first removed words).
        let written = |line: &&DiffLine| line.parts.iter().any(|(_, text)| !text.trim().is_empty());
        let added = lines.iter().filter(|line| line.is_added()).find(written);
        let removed = lines.iter().filter(|line| line.is_removed()).find(written);
        let section = match (added, removed) {
            (Some(DiffLine { new_number: Some(n), .. }), _) => section_at(&new_lines, *n),
            (_, Some(DiffLine { old_number: Some(n), .. })) => section_at(&old_lines, *n),
            _ => String::new(),
        };
        result.hunks.push(Hunk { section, lines });
    }
    result
}

/// Joins neighbouring pieces that are both changed or both not, counting the spaces between
/// two changed words as changed, so "ran out of memory" is marked once rather than word by
/// word.
fn join_parts(parts: Vec<(bool, String)>) -> Vec<(bool, String)> {
    let mut joined: Vec<(bool, String)> = Vec::with_capacity(parts.len());
    for (index, (mut emphasized, text)) in parts.iter().cloned().enumerate() {
        let between_changes = index > 0
            && parts.get(index + 1).is_some_and(|next| next.0)
            && parts[index - 1].0
            && text.trim().is_empty();
        emphasized |= between_changes;
        match joined.last_mut() {
            Some(last) if last.0 == emphasized => last.1.push_str(&text),
            _ => joined.push((emphasized, text)),
        }
    }
    joined
}

/// The nearest heading at or above line `number` (1-based).
fn section_at(lines: &[&str], number: usize) -> String {
    lines[..number.min(lines.len())]
        .iter()
        .rev()
        .find_map(|line| line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")))
        .map(|heading| heading.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str =
        "# Outage\n\n## Summary\n\nThe cache fell over.\n\n## Root Cause\n\nA bad deploy.\nNobody noticed.\n";

    #[test]
    fn identical_texts_have_no_hunks() {
        assert_eq!(diff(OLD, OLD), Diff::default());
    }

    #[test]
    fn a_changed_line_is_one_removal_and_one_addition_with_the_changed_words_marked() {
        let new = OLD.replace("A bad deploy.", "A bad config deploy.");
        let result = diff(OLD, &new);
        assert_eq!((result.removed, result.added), (1, 1));
        assert_eq!(result.hunks.len(), 1);
        let hunk = &result.hunks[0];
        assert_eq!(hunk.section, "Root Cause");
        let added = hunk.lines.iter().find(|line| line.is_added()).expect("as set up");
        assert_eq!(added.new_number, Some(9));
        assert!(added.parts.iter().any(|(emphasized, text)| *emphasized && text.contains("config")));
        assert!(added.parts.iter().any(|(emphasized, text)| !emphasized && text.contains("deploy")));
        let removed = hunk.lines.iter().find(|line| line.is_removed()).expect("as set up");
        assert_eq!((removed.old_number, removed.new_number), (Some(9), None));
    }

    #[test]
    fn words_changed_together_are_marked_together() {
        let parts = vec![
            (false, "It ".into()),
            (true, "ran".into()),
            (false, " ".into()),
            (true, "out".into()),
            (false, ".".into()),
        ];
        assert_eq!(join_parts(parts), [(false, "It ".into()), (true, "ran out".into()), (false, ".".into())]);
    }

    #[test]
    fn far_apart_changes_make_separate_hunks_named_after_their_sections() {
        let mut new = OLD.replace("The cache fell over.", "The cache fell over twice.");
        new.push_str("\n## Lessons Learned\n\nOne.\nTwo.\nThree.\nFour.\n");
        let padded_old = OLD.replace("A bad deploy.\n", "A bad deploy.\n1\n2\n3\n4\n5\n6\n7\n");
        let padded_new = new.replace("A bad deploy.\n", "A bad deploy.\n1\n2\n3\n4\n5\n6\n7\n");
        let result = diff(&padded_old, &padded_new);
        let sections: Vec<&str> = result.hunks.iter().map(|hunk| hunk.section.as_str()).collect();
        assert_eq!(sections, ["Summary", "Lessons Learned"]);
        assert!(result.hunks.iter().all(|hunk| hunk.lines.len() <= 2 * CONTEXT_LINES + 7));
    }

    #[test]
    fn a_change_to_the_title_is_named_after_the_title() {
        let result = diff(OLD, &OLD.replace("# Outage", "# Cache outage"));
        assert_eq!(result.hunks[0].section, "Cache outage");
    }
}
