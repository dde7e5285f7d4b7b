//! Action items as people write them: task lists, ✅/☐ lines, plain or numbered lists, and
//! tables with owner, team, due, status and ticket columns. Owners, due dates and status words
//! are lifted out of the text; everything else stays in it, and text that is not an item is
//! kept as notes, so no word is lost.

use serde::Serialize;

use super::sections::normalize;
use crate::domain::input::ImportedVerification;

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

/// What each column of an action-item table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Text,
    Owner,
    Team,
    Due,
    Status,
    Ticket,
    Priority,
    Kind,
    Other,
}

fn column_role(header: &str) -> Column {
    let words = normalize(header);
    let any = |names: &[&str]| names.iter().any(|n| words == *n || words.starts_with(&format!("{n} ")));
    // English first, then German, French, Spanish, Portuguese, Italian, Dutch, Japanese,
    // Chinese and Korean.
    if any(&[
        "owner",
        "owners",
        "who",
        "assignee",
        "assigned to",
        "responsible",
        "dri",
        "verantwortlich",
        "verantwortliche",
        "zuständig",
        "responsable",
        "porteur",
        "encargado",
        "responsável",
        "responsavel",
        "responsabile",
        "referente",
        "eigenaar",
        "verantwoordelijke",
        "担当",
        "担当者",
        "负责人",
        "負責人",
        "责任人",
        "담당",
        "담당자",
        "책임자",
    ]) {
        Column::Owner
    } else if any(&["team", "squad", "group", "équipe", "equipe", "equipo", "squadra"]) {
        Column::Team
    } else if any(&[
        "due",
        "due date",
        "deadline",
        "eta",
        "target date",
        "by when",
        "when",
        "fällig",
        "fälligkeit",
        "frist",
        "termin",
        "échéance",
        "echeance",
        "date limite",
        "fecha límite",
        "fecha limite",
        "plazo",
        "prazo",
        "data limite",
        "scadenza",
        "uiterlijk",
        "deadline datum",
        "期限",
        "期日",
        "截止",
        "截止日期",
        "完成时间",
        "마감",
        "기한",
        "완료 예정",
    ]) {
        Column::Due
    } else if any(&[
        "status",
        "state",
        "done",
        "progress",
        "stand",
        "zustand",
        "erledigt",
        "statut",
        "état",
        "etat",
        "estado",
        "situação",
        "situacao",
        "stato",
        "状態",
        "ステータス",
        "状态",
        "狀態",
        "상태",
        "진행 상황",
    ]) {
        Column::Status
    } else if any(&["ticket", "bug", "issue", "link", "jira", "tracking", "pr"]) {
        Column::Ticket
    } else if any(&["priority", "prio"]) {
        Column::Priority
    } else if any(&["type", "kind", "category"]) {
        Column::Kind
    } else if any(&[
        "action item",
        "action items",
        "action",
        "actions",
        "item",
        "task",
        "description",
        "what",
        "title",
        "follow up",
        "remediation",
        "maßnahme",
        "massnahme",
        "maßnahmen",
        "aufgabe",
        "mesure",
        "mesures",
        "tâche",
        "acción",
        "accion",
        "acciones",
        "tarea",
        "ação",
        "acao",
        "ações",
        "tarefa",
        "azione",
        "azioni",
        "attività",
        "actie",
        "acties",
        "maatregel",
        "taak",
        "対策",
        "内容",
        "对策",
        "措施",
        "改进项",
        "조치",
        "조치 사항",
        "항목",
    ]) {
        Column::Text
    } else {
        Column::Other
    }
}

fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(str::trim).collect()
}

/// A table starts at `i` when that line is a row and the next one its delimiter row.
fn table_header(lines: &[&str], i: usize) -> Option<Vec<(Column, String)>> {
    let header = lines.get(i)?.trim();
    let delimiter = lines.get(i + 1)?.trim();
    if !header.starts_with('|') || !delimiter.starts_with('|') {
        return None;
    }
    let is_delimiter =
        cells(delimiter).iter().all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
    if !is_delimiter {
        return None;
    }
    let mut columns: Vec<(Column, String)> =
        cells(header).into_iter().map(|h| (column_role(h), h.to_owned())).collect();
    // Without a recognised text column, the first column holds the item.
    if !columns.iter().any(|(role, _)| *role == Column::Text)
        && let Some(first) = columns.first_mut()
    {
        first.0 = Column::Text;
    }
    Some(columns)
}

fn table_item(columns: &[(Column, String)], row: &str) -> Option<ImportedItem> {
    let values = cells(row);
    if values.iter().all(|v| v.is_empty()) {
        return None;
    }
    let mut item = ImportedItem::new("", ItemStatus::Open);
    let mut others: Vec<String> = Vec::new();
    let mut status_written = false;
    for ((role, header), value) in columns.iter().zip(values.iter().chain(std::iter::repeat(&""))) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let value_owned = value.to_owned();
        match role {
            Column::Text => item.text = value_owned,
            Column::Owner => item.owner = Some(value_owned),
            Column::Team => item.team = Some(value_owned),
            Column::Due => item.due = Some(value_owned),
            Column::Priority => item.priority = Some(value_owned),
            Column::Kind => item.kind = Some(value_owned),
            Column::Status => {
                status_written = true;
                if let Some(status) = status_word(value) {
                    item.status = status;
                }
                // Kept as written too: the tick box says done, not how the authors said it.
                others.push(format!("{header}: {value}"));
            }
            Column::Ticket => {
                if let Some(status) = status_at_end(value) {
                    item.status = status;
                    status_written = true;
                }
                if value.eq_ignore_ascii_case("n/a") {
                    others.push(format!("{header}: {value}"));
                } else {
                    item.ticket = Some(value_owned);
                }
            }
            Column::Other => others.push(format!("{header}: {value}")),
        }
    }
    if !status_written && let Some(status) = status_at_end(&item.text) {
        item.status = status;
    }
    if !others.is_empty() {
        item.text = format!("{} ({})", item.text, others.join("; "));
    }
    Some(item)
}

/// Status words: `done`, `in progress`, `won't do` and their usual variants.
fn status_word(text: &str) -> Option<ItemStatus> {
    match normalize(text).as_str() {
        // English, then German, French, Spanish, Portuguese, Italian, Dutch, Japanese, Chinese,
        // Korean.
        "done" | "completed" | "complete" | "fixed" | "closed" | "resolved" | "finished" | "yes" | "erledigt"
        | "abgeschlossen" | "fertig" | "fait" | "terminé" | "réalisé" | "hecho" | "completado" | "terminado"
        | "listo" | "concluído" | "concluido" | "feito" | "fatto" | "completato" | "chiuso" | "gereed" | "klaar"
        | "afgerond" | "voltooid" | "完了" | "対応済み" | "対応済" | "済" | "済み" | "已完成" | "完成" | "已解决"
        | "已解決" | "완료" | "처리 완료" => Some(ItemStatus::Done),
        "in progress" | "wip" | "ongoing" | "started" | "in review" | "doing" | "in bearbeitung" | "in arbeit"
        | "en cours" | "en curso" | "en progreso" | "em andamento" | "em progresso" | "in corso" | "bezig"
        | "in uitvoering" | "対応中" | "進行中" | "进行中" | "處理中" | "处理中" | "진행 중" | "진행중" => {
            Some(ItemStatus::InProgress)
        }
        "won t do" | "wont do" | "wontfix" | "won t fix" | "wont fix" | "cancelled" | "canceled" | "dropped"
        | "rejected" | "verworfen" | "abgebrochen" | "abandonné" | "annulé" | "cancelado" | "descartado"
        | "annullato" | "geannuleerd" | "中止" | "取消" | "취소" => Some(ItemStatus::WontDo),
        "todo" | "to do" | "open" | "not started" | "pending" | "no" | "offen" | "à faire" | "a faire" | "ouvert"
        | "pendiente" | "abierto" | "pendente" | "aberto" | "da fare" | "aperto" | "te doen" | "未着手" | "未対応"
        | "未完了" | "未完成" | "待处理" | "待處理" | "未開始" | "未开始" | "미완료" | "예정" | "대기" => {
            Some(ItemStatus::Open)
        }
        _ => None,
    }
}

/// A status word written at the very end of `text` (`Bug #123 TODO`, `... (done)`). The word
/// stays in the text: it is the authors' own.
fn status_at_end(text: &str) -> Option<ItemStatus> {
    let trimmed = text.trim_end();
    let bracketed = trimmed.ends_with([')', ']']);
    let candidates = [
        trimmed.rsplit_once(['(', '[']).map(|(before, word)| (before, word.trim_end_matches([')', ']']))),
        trimmed.rsplit_once(' '),
    ];
    for (_, word) in candidates.into_iter().flatten() {
        // Only all-caps or bracketed words count: "done" inside a sentence is prose.
        let marked = bracketed || word.chars().all(|c| !c.is_lowercase());
        if marked && let Some(status) = status_word(word) {
            return Some(status);
        }
    }
    status_word(trimmed)
}

/// Lifts `Owner: X`, `(@handle)` and `Due: date` out of an item's text.
fn lift_fields(item: &mut ImportedItem) {
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
