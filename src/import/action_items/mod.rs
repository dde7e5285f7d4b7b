//! Action items as people write them: task lists, ✅/☐ lines, plain or numbered lists, and
//! tables with owner, team, due, status and ticket columns. Owners, due dates and status words
//! are lifted out of the text; everything else stays in it, and text that is not an item is
//! kept as notes, so no word is lost.

use serde::Serialize;

use crate::import::sections::normalize;

mod fields;
mod status;
mod tables;

use crate::domain::input::ImportedVerification;
use fields::lift_fields;
use status::status_at_end;
use tables::{table_header, table_item};

/// Where an item stands, as its author said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    InProgress,
    Done,
    WontDo,
}

/// One recognised action item. Dates are kept as written; the caller resolves them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedItem {
    /// The item's Markdown, with continuation lines (sub-bullets, links) kept.
    pub text: String,
    pub status: ItemStatus,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
    pub kind: Option<String>,
    /// Why it will not be done, when the document says.
    pub reason: Option<String>,
    /// How it was done, or a link to the evidence.
    pub note: Option<String>,
    /// A done item's verification, read from a Hindsight export.
    #[serde(skip)]
    pub verified: Option<ImportedVerification>,
    /// The postmortems a Hindsight export says it recurred in, as written (`#15, #16`).
    #[serde(skip)]
    pub recurred_in: Option<String>,
    /// Read from a Hindsight export: ticket, priority and kind are Hindsight's own values and
    /// go back into their fields rather than into the text.
    #[serde(skip)]
    pub exact: bool,
}

impl ImportedItem {
    fn new(text: &str, status: ItemStatus) -> ImportedItem {
        ImportedItem {
            text: text.trim().to_owned(),
            status,
            owner: None,
            team: None,
            due: None,
            ticket: None,
            priority: None,
            kind: None,
            verified: None,
            recurred_in: None,
            reason: None,
            note: None,
            exact: false,
        }
    }
}

/// The items found in an action-items section, and the rest of its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionItems {
    pub items: Vec<ImportedItem>,
    pub notes: String,
}

/// Reads the body of an action-items section.
pub fn parse(body: &str) -> ActionItems {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut found = ActionItems::default();
    let mut notes: Vec<&str> = Vec::new();
    // Items under a heading such as "Immediate actions (completed)" are done.
    let mut group_done = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(columns) = table_header(&lines, i) {
            let rows = lines[i + 2..].iter().take_while(|l| l.trim_start().starts_with('|')).count();
            let mut kept_any = false;
            for row in &lines[i + 2..i + 2 + rows] {
                if let Some(item) = table_item(&columns, row) {
                    found.items.push(item);
                    kept_any = true;
                }
            }
            if !kept_any {
                // An empty template table: keep it as written.
                notes.extend(&lines[i..i + 2 + rows]);
            }
            i += 2 + rows;
            continue;
        }
        if line.trim_start().starts_with('#') {
            let heading = normalize(line.trim_start_matches(['#', ' ']));
            group_done = ["completed", "done", "finished"].iter().any(|w| heading.split(' ').any(|h| h == *w))
                || line.to_ascii_lowercase().contains("(completed)");
            notes.push(line);
            i += 1;
            continue;
        }
        if let Some((marker_status, text)) = item_start(line) {
            let mut item_lines = vec![text.to_owned()];
            let mut j = i + 1;
            // Continuation: indented lines, and blank lines followed by indented lines.
            while j < lines.len() {
                let next = lines[j];
                if next.starts_with("  ") || next.starts_with('\t') {
                    item_lines.push(next.trim_start().to_owned());
                    j += 1;
                } else if next.trim().is_empty()
                    && lines.get(j + 1).is_some_and(|after| after.starts_with("  ") || after.starts_with('\t'))
                {
                    item_lines.push(String::new());
                    j += 1;
                } else if !next.trim().is_empty()
                    && item_start(next).is_none()
                    && !next.starts_with(['|', '#'])
                    && is_lazy(&item_lines)
                {
                    // A wrapped line of the same paragraph.
                    item_lines.push(next.trim().to_owned());
                    j += 1;
                } else {
                    break;
                }
            }
            let mut status = marker_status.unwrap_or(if group_done { ItemStatus::Done } else { ItemStatus::Open });
            let mut item = ImportedItem::new(&item_lines.join("\n"), status);
            lift_fields(&mut item);
            if marker_status.is_none() && !group_done {
                if let Some(word) = status_at_end(&item.text) {
                    status = word;
                }
                item.status = status;
            }
            found.items.push(item);
            i = j;
            continue;
        }
        notes.push(line);
        i += 1;
    }
    found.notes = notes.join("\n").trim_matches('\n').to_owned();
    found
}

/// Whether the last collected line still continues a paragraph (not ended by a blank line).
fn is_lazy(lines: &[String]) -> bool {
    lines.last().is_some_and(|l| !l.is_empty())
}

/// The start of an item: a list marker (with an optional task box) or a ✅/☐-style mark.
/// Returns the status the marker states, if it states one, and the text after it.
fn item_start(line: &str) -> Option<(Option<ItemStatus>, &str)> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    for (mark, status) in [
        ("✅", ItemStatus::Done),
        ("☑️", ItemStatus::Done),
        ("☑", ItemStatus::Done),
        ("✔️", ItemStatus::Done),
        ("✔", ItemStatus::Done),
        ("☐", ItemStatus::Open),
        ("🔲", ItemStatus::Open),
        ("⬜", ItemStatus::Open),
        ("❌", ItemStatus::WontDo),
        ("🚧", ItemStatus::InProgress),
    ] {
        if let Some(rest) = trimmed.strip_prefix(mark) {
            return Some((Some(status), rest.trim_start()));
        }
    }
    let rest = if let Some(rest) = trimmed.strip_prefix(['-', '*', '+']) {
        rest
    } else {
        let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 3 {
            return None;
        }
        trimmed[digits..].strip_prefix(['.', ')'])?
    };
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    if rest.is_empty() {
        return None;
    }
    for (box_, status) in [("[ ]", ItemStatus::Open), ("[x]", ItemStatus::Done), ("[X]", ItemStatus::Done)] {
        if let Some(text) = rest.strip_prefix(box_) {
            return Some((Some(status), text.trim_start()));
        }
    }
    // An emoji mark after a list marker: `- ✅ text`.
    if let Some((Some(status), text)) = item_start(rest).filter(|_| !rest.starts_with(['-', '*', '+'])) {
        return Some((Some(status), text));
    }
    Some((None, rest))
}

#[cfg(test)]
mod tests {
    use super::ItemStatus::*;
    use super::*;

    fn summary(body: &str) -> Vec<(String, ItemStatus)> {
        parse(body).items.into_iter().map(|i| (i.text, i.status)).collect()
    }

    #[test]
    fn task_lists_and_check_marks() {
        let body = "- [x] Raise the limit\n- [ ] Add alerts\n✅ Load test\n☐ Failover\n☑ Docs  ";
        assert_eq!(
            summary(body),
            [
                ("Raise the limit".into(), Done),
                ("Add alerts".into(), Open),
                ("Load test".into(), Done),
                ("Failover".into(), Open),
                ("Docs".into(), Done),
            ]
        );
    }

    #[test]
    fn the_seeds_action_lines_are_four_done_items() {
        let body = "✅ Increase max database connections in production.  \n✅ Add monitoring for connection pool utilization.  \n✅ Conduct load testing.  \n✅ Implement automatic failover mechanisms.  ";
        let found = parse(body);
        assert_eq!(found.items.len(), 4);
        assert!(found.items.iter().all(|i| i.status == Done));
        assert_eq!(found.items[0].text, "Increase max database connections in production.");
        assert!(found.notes.is_empty());
    }

    #[test]
    fn plain_and_numbered_lists_with_continuations() {
        let body = "Intro note.\n\n1. First\n   with a wrapped line\n2. Second\n   - https://example.com/1\n\n- **Bold lead**: explained\n  over two lines\n\nClosing note.";
        let found = parse(body);
        assert_eq!(found.items.len(), 3);
        assert_eq!(found.items[0].text, "First\nwith a wrapped line");
        assert_eq!(found.items[1].text, "Second\n- https://example.com/1");
        assert_eq!(found.items[2].text, "**Bold lead**: explained\nover two lines");
        assert_eq!(found.notes, "Intro note.\n\n\n\nClosing note.");
    }

    #[test]
    fn owners_due_dates_and_status_words_are_lifted() {
        let body = "- Add jitter (@priya)\n- Fix the pool, Owner: Sam Lee, Due: 2025-04-01\n- Write docs @ana\n- Rotate keys (done)\n- Drop the cache WONTFIX";
        let items = parse(body).items;
        assert_eq!((items[0].text.as_str(), items[0].owner.as_deref()), ("Add jitter", Some("@priya")));
        assert_eq!(items[1].text, "Fix the pool");
        assert_eq!(items[1].owner.as_deref(), Some("Sam Lee"));
        assert_eq!(items[1].due.as_deref(), Some("2025-04-01"));
        assert_eq!(items[2].owner.as_deref(), Some("@ana"));
        // The status words stay in the text: they are the authors'.
        assert_eq!((items[3].text.as_str(), items[3].status), ("Rotate keys (done)", Done));
        assert_eq!((items[4].text.as_str(), items[4].status), ("Drop the cache WONTFIX", WontDo));
    }

    #[test]
    fn tables_map_columns_by_meaning() {
        let body = "| Action Item | Type | Owner | Bug |\n| --- | --- | --- | --- |\n| Update playbook | mitigate | jennifer | n/a DONE |\n| Balance load | prevent | martym | Bug #5554823 TODO |";
        let items = parse(body).items;
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].text, "Update playbook");
        assert_eq!(items[0].ticket.as_deref(), Some("n/a DONE"));
        assert_eq!(items[0].status, Done);
        assert_eq!(items[0].owner.as_deref(), Some("jennifer"));
        assert_eq!(items[0].kind.as_deref(), Some("mitigate"));
        assert_eq!(items[1].ticket.as_deref(), Some("Bug #5554823 TODO"));
        assert_eq!(items[1].status, Open);
        let with_columns = "| Task | Who | Team | Due date | Status | Ticket |\n|---|---|---|---|---|---|\n| Add alerts | Sam | SRE | 2025-05-01 | In progress | OPS-12 |";
        let item = &parse(with_columns).items[0];
        assert_eq!(item.team.as_deref(), Some("SRE"));
        assert_eq!(item.due.as_deref(), Some("2025-05-01"));
        assert_eq!(item.status, InProgress);
        assert_eq!(item.text, "Add alerts (Status: In progress)");
        assert_eq!(item.ticket.as_deref(), Some("OPS-12"));
    }

    #[test]
    fn tables_in_other_languages_map_their_columns_and_status_words() {
        let french = "| Action | Responsable | Échéance | Statut |\n|---|---|---|---|\n\
                      | Corriger la clause | Hugo Lefèvre | 8 octobre 2024 | Fait |\n| Écrire le test | Inès | T1 2025 | À faire |";
        let items = parse(french).items;
        assert_eq!(
            (items[0].text.as_str(), items[0].owner.as_deref()),
            ("Corriger la clause (Statut: Fait)", Some("Hugo Lefèvre"))
        );
        assert_eq!((items[0].due.as_deref(), items[0].status), (Some("8 octobre 2024"), Done));
        assert_eq!((items[1].due.as_deref(), items[1].status), (Some("T1 2025"), Open));
        let japanese = "| 対策 | 担当 | 期限 | 状態 |\n|---|---|---|---|\n| 監視を追加 | 森 | 2024年11月1日 | 対応中 |";
        let item = &parse(japanese).items[0];
        assert_eq!(
            (item.owner.as_deref(), item.due.as_deref(), item.status),
            (Some("森"), Some("2024年11月1日"), InProgress)
        );
        let german = "| Maßnahme | Verantwortlich | Fällig | Stand |\n|---|---|---|---|\n| Zertifikat tauschen | Sabine | KW 7 | Erledigt |";
        let item = &parse(german).items[0];
        assert_eq!((item.owner.as_deref(), item.due.as_deref(), item.status), (Some("Sabine"), Some("KW 7"), Done));
    }

    #[test]
    fn an_empty_template_table_is_kept_as_notes() {
        let body = "| Action Item | Who | Due Date |\n|---|---|---|\n| | | |\n| | | |";
        let found = parse(body);
        assert!(found.items.is_empty());
        assert_eq!(found.notes, body);
    }

    #[test]
    fn items_under_a_completed_heading_are_done() {
        let body =
            "### Immediate Actions (Completed)\n\n- Moved timeouts to config\n\n### Short-term\n\n- Circuit breakers";
        let found = parse(body);
        assert_eq!(found.items[0].status, Done);
        assert_eq!(found.items[1].status, Open);
        assert!(found.notes.contains("### Immediate Actions (Completed)"));
    }
}
