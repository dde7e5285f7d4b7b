//! Action items written outside their section: a list introduced by a line that names them
//! (an e-mail's "These are the actions we agreed:"), a table of owned actions under "Corrective
//! actions".

use super::action_items;
use super::outline::CodeFences;
use super::sections::{SectionKind, classify, normalize};
use super::strip_list_marker;

/// Lists of action items introduced by a line that names them and ends with a colon, taken out
/// of `body` (the rest, and the lead-ins with their lists). A list counts when most of its
/// items (two or more) have an owner or a due date: "Actions we took:" over what was done
/// during the incident does not.
pub(super) fn take_action_lists(body: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut rest: Vec<&str> = Vec::with_capacity(lines.len());
    let mut moved: Vec<&str> = Vec::new();
    let mut fences = CodeFences::nested();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let in_code = fences.in_code(line);
        let lead_in = line.trim_end();
        if in_code
            || !(lead_in.ends_with(':') || lead_in.ends_with('：'))
            || lead_in.chars().count() > 200
            || strip_list_marker(lead_in) != lead_in.trim_start()
            || classify(lead_in) != Some(SectionKind::ActionItems)
        {
            rest.push(line);
            i += 1;
            continue;
        }
        let start = (i + 1..lines.len()).find(|&j| !lines[j].trim().is_empty()).unwrap_or(lines.len());
        let end = (start..lines.len())
            .find(|&j| {
                let l = lines[j];
                !(l.starts_with([' ', '\t']) && !l.trim().is_empty() || strip_list_marker(l) != l.trim_start())
            })
            .unwrap_or(lines.len());
        if is_owned_list(&lines[start..end].join("\n")) {
            moved.extend(&lines[i..end]);
            moved.push("");
            i = end;
        } else {
            rest.push(line);
            i += 1;
        }
    }
    if moved.is_empty() {
        return (body.to_owned(), None);
    }
    (rest.join("\n"), Some(moved.join("\n").trim_end().to_owned()))
}

/// Whether `list` reads as action items: two or more, most of them with an owner or a due date
/// (what was done during the incident has neither).
pub(super) fn is_owned_list(list: &str) -> bool {
    let items = action_items::parse(list).items;
    let with_fields = items.iter().filter(|item| item.owner.is_some() || item.due.is_some()).count();
    items.len() >= 2 && with_fields * 2 > items.len()
}

/// Whether `list` reads as action items under a heading that does not say so: two or more,
/// most of them with both an owner and a due date, as plans have and accounts of what was done
/// do not.
pub(super) fn is_planned_list(list: &str) -> bool {
    let items = action_items::parse(list).items;
    let planned = items.iter().filter(|item| item.owner.is_some() && item.due.is_some()).count();
    items.len() >= 2 && planned * 2 > items.len()
}

/// A heading that speaks of actions (`Corrective actions`, `Mesures correctives`).
pub(super) fn names_actions(heading: &str) -> bool {
    let words = normalize(heading);
    words.split(' ').any(|w| {
        matches!(
            w,
            "action" | "actions" | "maßnahmen" | "massnahmen" | "mesures" | "acciones" | "ações" | "azioni" | "acties"
        )
    })
}
