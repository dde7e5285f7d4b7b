//! Action items as people write them: task lists, ✅/☐ lines, plain or numbered lists, and
//! tables with owner, team, due, status and ticket columns. Owners, due dates and status words
//! are lifted out of the text; everything else stays in it, and text that is not an item is
//! kept as notes, so no word is lost.

use serde::Serialize;

use crate::import::sections::normalize;

pub mod due;
mod fields;
mod status;
mod tables;
mod words;

use crate::domain::input::ImportedVerification;
use crate::import::when;
use fields::{Convention, lift_fields};
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
    /// The fields as the document wrote them, in its order: what was lifted out of the text
    /// (`Verantwortlich: Tobias Lenz`, `fällig KW 7`, `【完了】`) or read from a table's cells
    /// (under `Fällig`), and the item's number. The saved item's details repeat what its
    /// fields do not show (see `draft`), so every word of the document is kept.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<Written>,
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

/// What a field written in the document is (the label that names the item's text included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WrittenField {
    Text,
    Owner,
    Team,
    Due,
    Status,
    Ticket,
    Priority,
    Kind,
    /// The item's number: a numbered list's marker or a table's `Nr.` column.
    Number,
}

impl WrittenField {
    /// What the field is called in the notes.
    pub fn name(self) -> &'static str {
        match self {
            WrittenField::Text => "the item",
            WrittenField::Owner => "owner",
            WrittenField::Team => "team",
            WrittenField::Due => "due date",
            WrittenField::Status => "status",
            WrittenField::Ticket => "ticket",
            WrittenField::Priority => "priority",
            WrittenField::Kind => "type",
            WrittenField::Number => "number",
        }
    }
}

/// One field as written: `Verantwortlich: Tobias Lenz` (label `Verantwortlich`, value `Tobias
/// Lenz`), `fällig 27.09.2024`, a table's cell under its column's header, or a value alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    pub field: WrittenField,
    /// The label as written, if it had one; for a table's cell, its column's header.
    pub label: Option<String>,
    pub value: String,
    /// Label and value as the document wrote them together (for a cell, `Header: value`).
    pub text: String,
    /// From a table, whose headers the table's own line in the notes repeats.
    pub in_table: bool,
}

impl Written {
    pub(crate) fn new(field: WrittenField, label: Option<&str>, value: &str, text: &str) -> Written {
        Written {
            field,
            label: label.map(str::to_owned),
            value: value.to_owned(),
            text: text.trim().to_owned(),
            in_table: false,
        }
    }
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
            written: Vec::new(),
            exact: false,
        }
    }
}

/// The items found in an action-items section, and the rest of its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionItems {
    pub items: Vec<ImportedItem>,
    pub notes: String,
    /// What the reading assumed (the year of a week written without one), for the notes shown
    /// to the user.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
}

/// Reads the body of an action-items section.
pub fn parse(body: &str) -> ActionItems {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut found = ActionItems::default();
    let mut notes: Vec<&str> = Vec::new();
    // Items under a heading such as "Immediate actions (completed)" are done.
    let mut group_done = false;
    let mut listed: Vec<(usize, String, bool)> = Vec::new();
    let mut constant_notes: Vec<String> = Vec::new();
    // A line for each table of items, naming its columns.
    let mut provenance: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(columns) = table_header(&lines, i) {
            let rows = lines[i + 2..].iter().take_while(|l| l.trim_start().starts_with('|')).count();
            let mut kept_any = false;
            let constant = constant_columns(&columns, &lines[i + 2..i + 2 + rows]);
            for &index in &constant {
                if let (Some((_, header)), Some(value)) =
                    (columns.get(index), lines.get(i + 2).and_then(|row| tables::cells(row).get(index).copied()))
                {
                    // Said once, not repeated in every item (a Notion view's `Incident` column).
                    constant_notes.push(format!("{header}: {value}"));
                }
            }
            for row in &lines[i + 2..i + 2 + rows] {
                if let Some(item) = table_item(&columns, row, &constant) {
                    found.items.push(item);
                    kept_any = true;
                }
            }
            if kept_any {
                provenance.push(tables::provenance(&columns));
            } else {
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
            let status = marker_status.unwrap_or(if group_done { ItemStatus::Done } else { ItemStatus::Open });
            listed.push((found.items.len(), item_lines.join("\n"), marker_status.is_some() || group_done));
            // A letter enumerating the item (`b) Ask the bank`, as a word processor writes
            // them) is its number, as `3.` is.
            let text = item_lines.join("\n");
            let (letter, text) = match leading_letter(&text) {
                Some((letter, rest)) => (Some(letter), rest),
                None => (None, text.as_str()),
            };
            let mut item = ImportedItem::new(text, status);
            if let Some(number) = list_number(line) {
                // The list's order says it, but the number is the authors' word.
                item.written.push(Written::new(WrittenField::Number, None, number, &format!("No. {number}")));
            }
            if let Some(letter) = letter {
                item.written.push(Written::new(WrittenField::Number, None, letter, &format!("No. {letter}")));
            }
            found.items.push(item);
            i = j;
            continue;
        }
        notes.push(line);
        i += 1;
    }
    notes.extend(constant_notes.iter().map(String::as_str));
    found.notes = notes.join("\n").trim_matches('\n').to_owned();
    // After what the authors wrote, a paragraph of its own.
    for line in provenance {
        if !found.notes.is_empty() {
            found.notes.push_str("\n\n");
        }
        found.notes.push_str(&line);
    }
    lift_listed(&mut found.items, &listed);
    found.assumptions.extend(resolve_periods(&mut found.items));
    found
}

/// Whether `body` holds a table of action items: a column of text beside two of owner, due
/// date and status (`| Action | Owner | Due | Status |`), whatever the heading above it says.
pub fn has_items_table(body: &str) -> bool {
    let lines: Vec<&str> = body.split('\n').collect();
    (0..lines.len()).filter(|&i| lines[i].trim_start().starts_with('|')).any(|i| {
        table_header(&lines, i).is_some_and(|columns| {
            let has = |role: tables::Column| columns.iter().any(|(r, _)| *r == role);
            let fields = [tables::Column::Owner, tables::Column::Due, tables::Column::Status];
            has(tables::Column::Text) && fields.iter().filter(|&&role| has(role)).count() >= 2
        })
    })
}

/// The columns of no known meaning that say the same in every row of three or more.
fn constant_columns(columns: &[(tables::Column, String)], rows: &[&str]) -> Vec<usize> {
    if rows.len() < 3 {
        return Vec::new();
    }
    let rows: Vec<Vec<&str>> = rows.iter().map(|row| tables::cells(row)).collect();
    (0..columns.len())
        .filter(|&index| columns[index].0 == tables::Column::Other)
        .filter(|&index| {
            let first = rows[0].get(index).copied().unwrap_or_default();
            !first.is_empty() && rows.iter().all(|row| row.get(index).copied() == Some(first))
        })
        .collect()
}

/// Lifts the owners, due dates and status words out of the list items (`listed`: each item's
/// index, its text as written, and whether its box or heading said its status). A name alone in
/// brackets or after a dash is an owner only where the list writes its owners so: in two other
/// items beside a date or a label.
fn lift_listed(items: &mut [ImportedItem], listed: &[(usize, String, bool)]) {
    let mut in_brackets = 0;
    let mut after_dash = 0;
    let mut names_in_brackets = 0;
    let mut lifted = Vec::with_capacity(listed.len());
    for (index, text, status_given) in listed {
        let mut item = items[*index].clone();
        let (found, status) = lift_fields(&mut item, Convention::default());
        in_brackets += usize::from(found.owner_in_brackets);
        after_dash += usize::from(found.owner_after_dash);
        names_in_brackets += usize::from(found.name_in_brackets);
        lifted.push((item, status, text, *status_given));
    }
    // Or where three or more of the list's items, and a third of them, end with a name alone
    // in brackets (the done ones may be written so and the open ones with dashes).
    let most = names_in_brackets >= 3 && names_in_brackets * 3 >= listed.len();
    let convention = Convention { names_in_brackets: in_brackets >= 2 || most, names_after_dashes: after_dash >= 2 };
    for ((mut item, mut status, text, status_given), (index, ..)) in lifted.into_iter().zip(listed) {
        if item.owner.is_none() && convention != Convention::default() {
            // Read again from the text as written; the item's number stays.
            let number: Vec<Written> =
                item.written.iter().filter(|w| w.field == WrittenField::Number).cloned().collect();
            item = ImportedItem { written: number, ..ImportedItem::new(text, item.status) };
            status = lift_fields(&mut item, convention).1;
        }
        if !status_given && let Some(status) = status.or_else(|| status_at_end(&item.text)) {
            item.status = status;
        } else if !status_given && is_struck_through(&item.text) {
            // `~~Move the printers~~`: struck through, as lists mark what is done.
            item.status = ItemStatus::Done;
        }
        items[*index] = item;
    }
}

/// Due dates written as a week, a quarter or a month's end are given the day they mean: their Friday, their
/// last day. Without a year of their own, the year is the one of the list's first full date
/// that puts the day nearest it (`KW 2` in a list dated December is January's). The due keeps
/// what was written after the date, so the reading can be checked; with no date to go by it
/// stays as written. Returns the note saying which year was taken, if one was.
fn resolve_periods(items: &mut [ImportedItem]) -> Option<String> {
    // The earliest day the list's dues name: a full date, or the first day of a week or
    // quarter given with its year.
    let anchor = items
        .iter()
        .filter_map(|item| {
            let due = item.due.as_deref()?;
            match due::week_or_quarter(due) {
                Some(period) if period.has_year() => period.starts_on(None),
                Some(_) => None,
                None => when::parse_date(due).map(|(date, _)| date),
            }
        })
        .min();
    // The weeks and quarters given a year, as written, by year.
    let mut assumed: Vec<(i32, Vec<String>)> = Vec::new();
    for item in items.iter_mut() {
        let Some(written) = item.due.clone() else { continue };
        let Some(period) = due::week_or_quarter(&written) else { continue };
        let day = if period.has_year() {
            period.due_on(None)
        } else {
            anchor.and_then(|anchor| {
                let year = anchor.year();
                [year - 1, year, year + 1]
                    .into_iter()
                    .filter_map(|y| period.due_on(Some(y)))
                    .min_by_key(|day| (*day - anchor).whole_days().abs())
            })
        };
        if let Some(day) = day {
            item.due = Some(format!("{day} ({written})"));
            if !period.has_year() {
                // A week's Friday and a quarter's last day are in the year they were read in.
                let year = day.year();
                let written = written.trim().to_owned();
                match assumed.iter_mut().find(|(y, _)| *y == year) {
                    Some((_, periods)) if periods.contains(&written) => {}
                    Some((_, periods)) => periods.push(written),
                    None => assumed.push((year, vec![written])),
                }
            }
        }
    }
    let anchor = anchor?;
    let read: Vec<String> = assumed.iter().map(|(year, periods)| format!("{year} for {}", and_list(periods))).collect();
    (!read.is_empty()).then(|| {
        format!(
            "Due weeks, quarters and month ends written without a year were read in the year nearest the earliest \
             day the action items' dues name ({anchor}): {}.",
            read.join("; ")
        )
    })
}

/// Whether all of `text` is struck through (`~~…~~`, with nothing but spaces outside).
fn is_struck_through(text: &str) -> bool {
    let text = text.trim();
    text.len() > 4 && text.starts_with("~~") && text.ends_with("~~") && !text[2..text.len() - 2].contains("~~")
}

/// `a, b and c`.
pub(crate) fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A letter enumerating an item's text (`b) ` or `(b) `): the letter and the text after it.
fn leading_letter(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_prefix('(').unwrap_or(text);
    let letter = inner.get(..1).filter(|l| l.bytes().all(|b| b.is_ascii_lowercase()))?;
    let rest = inner[1..].strip_prefix(") ")?;
    Some((letter, rest.trim_start()))
}

/// The number of a numbered list's item (`3.`, `3)`), as written.
fn list_number(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    if let Some((identifier, _)) = bold_identifier(trimmed) {
        return Some(identifier);
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && trimmed[digits..].starts_with(['.', ')'])).then(|| &trimmed[..digits])
}

/// `**A1.** text`: a short identifier with a digit, in bold, ending with `.`, `:` or `)`, before
/// the item's text; the identifier and the text.
fn bold_identifier(line: &str) -> Option<(&str, &str)> {
    let inner = line.strip_prefix("**")?;
    let (identifier, rest) = inner.split_once("**")?;
    let bare = identifier.trim_end_matches(['.', ':', ')']);
    let ok = bare.len() < identifier.len()
        && (1..=8).contains(&bare.len())
        && bare.chars().any(|c| c.is_ascii_digit())
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '#' | '.'));
    let rest = rest.trim_start();
    (ok && !rest.is_empty()).then_some((bare, rest))
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
    // `**A1.** Add a lease test`, `**AI-3:** …`: an item named by a bold identifier.
    if let Some((_, rest)) = bold_identifier(trimmed) {
        return Some((None, rest));
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
        // A status in brackets at the end is the status field; a trailing capitalised word stays.
        assert_eq!((items[3].text.as_str(), items[3].status), ("Rotate keys", Done));
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
        // The status column's word is the status, not repeated in the text.
        assert_eq!(item.text, "Add alerts");
        assert_eq!(item.ticket.as_deref(), Some("OPS-12"));
    }

    #[test]
    fn a_tables_columns_of_no_known_header_are_read_by_what_they_hold() {
        // Headers no list has (an invented house style): the dates make the due, the status
        // words the status, the names the owner, and the longest texts the item.
        let table = "| Nr | Wat | Wie | Wanneer | Hoe ver |\n|---|---|---|---|---|\n\
                     | 1 | Certificaat vooraf testen op acceptatie | R. de Vries | 14 juli 2025 | gereed |\n\
                     | 2 | Koppelingen inventariseren met contactpersonen | Applicatiebeheer | week 36 | open |\n\
                     | 3 | Draaiboek opstellen met alle afdelingen | Team Parkeren | z.s.m. | open |";
        let items = parse(table).items;
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].text, "Certificaat vooraf testen op acceptatie");
        assert_eq!((items[0].owner.as_deref(), items[0].status), (Some("R. de Vries"), Done));
        assert_eq!(items[1].due.as_deref(), Some("2025-09-05 (week 36)"));
        assert_eq!((items[2].owner.as_deref(), items[2].due.as_deref()), (Some("Team Parkeren"), Some("z.s.m.")));
        // `Complete` where the date would be: done, with no due.
        let table =
            "| Action | Owner | Target date |\n|---|---|---|\n| Add failover alerting | ICT Operations | Complete |";
        let item = &parse(table).items[0];
        assert_eq!((item.status, item.due.as_deref()), (Done, None));
        // Tickets by their keys; a column of sentences is not an owner.
        let table = "| Thing | Ref | Note |\n|---|---|---|\n| Add an alert on lag | OPS-12 | Was discussed at length in the review. |";
        let item = &parse(table).items[0];
        assert_eq!(
            (item.text.as_str(), item.ticket.as_deref(), item.owner.as_deref()),
            ("Add an alert on lag (Note: Was discussed at length in the review.)", Some("OPS-12"), None)
        );
    }

    #[test]
    fn labels_read_as_the_columns_named_with_the_same_words() {
        let list = "1. Agregar timeout a la consulta\n   - Responsable: Diego Ramírez\n   - Fecha compromiso: 29 de agosto de 2025\n   - Estatus: ✅ Hecho\n\
                    2. Pruebas de carga\n   - Responsable: Alejandra Torres\n   - Fecha compromiso: septiembre 2025\n   - Estatus: Pendiente";
        let items = parse(list).items;
        assert_eq!(
            (items[0].owner.as_deref(), items[0].due.as_deref(), items[0].status),
            (Some("Diego Ramírez"), Some("29 de agosto de 2025"), Done)
        );
        // A month alone is due by its end.
        assert_eq!((items[1].due.as_deref(), items[1].status), (Some("2025-09-30 (septiembre 2025)"), Open));
    }

    #[test]
    fn struck_through_items_are_done_and_owners_are_read_as_the_list_writes_them() {
        let list = "- ~~Move the printers to PRN-01~~ (Ahmed Bouzid)\n- ~~Post the workaround~~ (Communicatie)\n\
                    - ~~Watch the queues~~ (Ahmed Bouzid)\n- Move patching to weekdays — Linda de Graaf — 30-11-2025\n\
                    - Brief the wards — Marloes Janssen, Jeroen Smit — 15-11-2025\n- Keep logs 14 days — Ahmed Bouzid — z.s.m.\n\
                    - Replace the ~~old~~ server\n";
        let items = parse(list).items;
        let read: Vec<(ItemStatus, Option<&str>)> = items.iter().map(|i| (i.status, i.owner.as_deref())).collect();
        assert_eq!(
            read,
            [
                (Done, Some("Ahmed Bouzid")),
                (Done, Some("Communicatie")),
                (Done, Some("Ahmed Bouzid")),
                (Open, Some("Linda de Graaf")),
                (Open, Some("Marloes Janssen, Jeroen Smit")),
                (Open, Some("Ahmed Bouzid")),
                // Only a word struck through: still to do.
                (Open, None),
            ]
        );
    }

    #[test]
    fn abbreviated_labels_and_labels_on_the_next_line_are_fields() {
        let list = "- [ ] Ne plus lancer les migrations — resp. : Julien M. — échéance : S28\n\
                    1. **Require a dry run of every CRUSH change.**\n   Owner: Priya N. · Due: 2025-03-14 · Status: done\n";
        let items = parse(list).items;
        assert_eq!((items[0].owner.as_deref(), items[0].due.as_deref()), (Some("Julien M"), Some("2025-07-11 (S28)")));
        assert_eq!(items[1].text, "**Require a dry run of every CRUSH change.**");
        assert_eq!((items[1].owner.as_deref(), items[1].status), (Some("Priya N"), Done));
    }

    #[test]
    fn items_named_by_a_bold_identifier_or_with_owners_in_leading_brackets() {
        let list = "**A1.** Add a lease test after reboot.\nAction owner: J. Lindqvist (Network Engineering)\nDue: 05 SEP 2025\nStatus: DONE\n\n\
                    **A2.** Expire maintenance tags automatically.\nAction owner: M. Brandt\nDue: W38\nStatus: In progress\n";
        let items = parse(list).items;
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].text, "Add a lease test after reboot.");
        assert_eq!((items[0].owner.as_deref(), items[0].status), (Some("J. Lindqvist (Network Engineering)"), Done));
        assert_eq!((items[1].owner.as_deref(), items[1].status), (Some("M. Brandt"), InProgress));
        let list = "- [ana] Extend subkey expiry (done)\n- [ana, jonas] Find a third key holder\n\
                    - [priya] Document the flag, by\n  end of June 2024\n- [P1] Fix the pager\n- [OPS-12] Rotate keys\n";
        let items = parse(list).items;
        let owners: Vec<Option<&str>> = items.iter().map(|i| i.owner.as_deref()).collect();
        assert_eq!(owners, [Some("ana"), Some("ana, jonas"), Some("priya"), None, None]);
        assert_eq!(items[2].due.as_deref(), Some("2024-06-30 (end of June 2024)"));
        assert_eq!(items[3].text, "[P1] Fix the pager");
    }

    #[test]
    fn a_status_as_the_texts_label_and_a_sentence_in_brackets() {
        let list = "- **Done:** All poolers re-resolve the hostname.\n\
                    - Notifications go to on-call. (This one is nearly finished.)\n\
                    - Invalidar la caché — **Dueño:** Squad Promos (Lu Giménez) — **Fecha:** 06/06/2025 — Realizada\n";
        let items = parse(list).items;
        assert_eq!((items[0].text.as_str(), items[0].status), ("All poolers re-resolve the hostname.", Done));
        // "finished" ends a sentence in brackets: not a status.
        assert_eq!(items[1].status, Open);
        assert_eq!((items[2].owner.as_deref(), items[2].status), (Some("Squad Promos (Lu Giménez)"), Done));
        // A dash in a cell is no due.
        let table = "| Acción | Dono | Prazo |\n|---|---|---|\n| Documentar o runbook | Juliana Prado | — |";
        assert_eq!(parse(table).items[0].due, None);
    }

    #[test]
    fn a_handle_and_a_due_after_a_comma_end_an_item() {
        let list = "- [ ] Make sync exit non-zero (#213) @jonasb, aiming for end of November 2024\n\
                    - [ ] Document the recovery @mei-lin, next weekend\n- [ ] Ask @kim, she knows";
        let items = parse(list).items;
        assert_eq!(
            (items[0].owner.as_deref(), items[0].due.as_deref()),
            (Some("@jonasb"), Some("2024-11-30 (end of November 2024)"))
        );
        assert_eq!(items[0].text, "Make sync exit non-zero (#213)");
        assert_eq!((items[1].owner.as_deref(), items[1].due.as_deref()), (Some("@mei-lin"), Some("next weekend")));
        // Not a due after the comma: the handle stays in the sentence.
        assert_eq!((items[2].text.as_str(), items[2].due.as_deref()), ("Ask @kim, she knows", None));
    }

    #[test]
    fn tables_in_other_languages_map_their_columns_and_status_words() {
        let french = "| Action | Responsable | Échéance | Statut |\n|---|---|---|---|\n\
                      | Corriger la clause | Hugo Lefèvre | 8 octobre 2024 | Fait |\n| Écrire le test | Inès | T1 2025 | À faire |";
        let items = parse(french).items;
        assert_eq!((items[0].text.as_str(), items[0].owner.as_deref()), ("Corriger la clause", Some("Hugo Lefèvre")));
        assert_eq!((items[0].due.as_deref(), items[0].status), (Some("8 octobre 2024"), Done));
        // A quarter is due on its last day; what was written follows the date.
        assert_eq!((items[1].due.as_deref(), items[1].status), (Some("2025-03-31 (T1 2025)"), Open));
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
    fn numbers_and_cells_are_kept_as_written_and_a_table_names_its_columns() {
        let body = "Vorab.\n\n| # | Aufgabe | Zuständig | Frist | Stand |\n|---|---|---|---|---|\n| 3 | Logs prüfen | Ute | KW 7 | offen |";
        let found = parse(body);
        let written: Vec<&str> = found.items[0].written.iter().map(|w| w.text.as_str()).collect();
        // A header of no word is not the number's label.
        assert_eq!(written, ["No. 3", "Frist: KW 7", "Stand: offen"]);
        assert_eq!(
            found.notes,
            "Vorab.\n\nImported from a table with the columns #, Aufgabe, Zuständig, Frist, Stand."
        );
        let listed = parse("3. Logs prüfen\n4) Alarme (Ute, fällig 2025-02-14)");
        let written: Vec<Vec<&str>> =
            listed.items.iter().map(|i| i.written.iter().map(|w| w.text.as_str()).collect()).collect();
        assert_eq!(written, [vec!["No. 3"], vec!["No. 4", "Ute", "fällig 2025-02-14"]]);
        assert_eq!(listed.items[1].written[2].label.as_deref(), Some("fällig"));
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
