//! Owners, teams and due dates written in an item's text, lifted out of it.

use super::ImportedItem;

/// Lifts `Owner: X`, `(@handle)` and `Due: date` out of an item's text.
pub(super) fn lift_fields(item: &mut ImportedItem) {
    let first_line_end = item.text.find('\n').unwrap_or(item.text.len());
    let (first, rest) = item.text.split_at(first_line_end);
    let mut first = first.to_owned();
    for (labels, slot) in [
        (&["owner", "owners", "assignee", "assigned to", "who"][..], 0),
        (&["team"][..], 1),
        (&["due", "due date", "deadline", "by"][..], 2),
    ] {
        if let Some((range, value)) = labelled_value(&first, labels) {
            match slot {
                0 => item.owner = Some(value),
                1 => item.team = Some(value),
                _ => item.due = Some(value),
            }
            first.replace_range(range, "");
            first = first.trim_end().trim_end_matches([',', ';', '—', '-', '–', '·']).trim_end().to_owned();
        }
    }
    if item.owner.is_none() {
        // `... (@alice)` or a trailing `@alice`.
        let trimmed = first.trim_end();
        let candidate = trimmed.strip_suffix(')').and_then(|t| t.rsplit_once('(')).or_else(|| trimmed.rsplit_once(' '));
        if let Some((before, handle)) = candidate
            && handle.starts_with('@')
            && handle.len() > 1
            && !handle[1..].contains([' ', '@'])
        {
            item.owner = Some(handle.to_owned());
            first = before.trim_end().to_owned();
        }
    }
    item.text = format!("{first}{rest}");
}

/// Finds `Label: value` (optionally bold) in `line` and returns the byte range the label and its
/// value take (with a separator before it) and the value, which runs to the next separator.
fn labelled_value(line: &str, labels: &[&str]) -> Option<(std::ops::Range<usize>, String)> {
    let lower = line.to_lowercase();
    for label in labels {
        for pattern in [format!("**{label}:**"), format!("**{label}**:"), format!("{label}:")] {
            let Some(at) = lower.find(&pattern) else { continue };
            // The label must start a word.
            if at > 0 && lower[..at].chars().next_back().is_some_and(char::is_alphanumeric) {
                continue;
            }
            let value_start = at + pattern.len();
            let value = line.get(value_start..)?;
            let end = value.find([',', ';', '·', '|', ')']).unwrap_or(value.len());
            let text = value[..end].trim().trim_matches('*').trim();
            if text.is_empty() {
                continue;
            }
            let mut range_end = value_start + end;
            if line[..at].ends_with('(') && line[range_end..].starts_with(')') {
                range_end += 1;
            }
            // Take the separator before the label with it (`, Owner: X`).
            let before = line[..at].trim_end_matches(['(', ' ']);
            let start = before.trim_end_matches([',', ';', '—', '–', '·', '-']).trim_end().len();
            return Some((start..range_end, text.to_owned()));
        }
    }
    None
}
