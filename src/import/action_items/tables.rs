//! Action-item tables: each column's meaning read from its header, in the languages postmortems
//! are written in, and each row read as an item.

use super::status::{status_at_end, status_word};
use super::{ImportedItem, ItemStatus, Written, WrittenField};
use crate::import::sections::normalize;

/// What each column of an action-item table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    Text,
    Owner,
    Team,
    Due,
    Status,
    Ticket,
    Priority,
    Kind,
    /// The row's number (`#`, `Nr.`, `No.`): the list's order, as a numbered list's markers.
    Number,
    Other,
}

fn column_role(header: &str) -> Column {
    let words = normalize(header);
    let any = |names: &[&str]| names.iter().any(|n| words == *n || words.starts_with(&format!("{n} ")));
    if words.is_empty() && header.trim() == "#"
        || any(&["nr", "no", "nº", "n", "番号", "序号", "编号", "編號", "번호", "순번"])
    {
        return Column::Number;
    }
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
        "dono",
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
        "target",
        "by when",
        "when",
        "fällig",
        "fälligkeit",
        "bis",
        "bis wann",
        "erledigen bis",
        "until",
        "pour le",
        "entro",
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
        "截止时间",
        "完成时限",
        "时限",
        "完成期限",
        "计划完成时间",
        "完成時限",
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
        "対策内容",
        "内容",
        "对策内容",
        "措施内容",
        "整改措施",
        "改进措施",
        "改進措施",
        "行动项",
        "行動項目",
        "조치 내용",
        "조치내용",
        "name",
        "todo",
        "to do",
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

pub(super) fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(str::trim).collect()
}

/// The line the notes keep for a table of items: its headers, which its items' fields and
/// details say in Hindsight's words or under them, as the document wrote them.
pub(super) fn provenance(columns: &[(Column, String)]) -> String {
    let headers: Vec<&str> = columns.iter().map(|(_, header)| header.as_str()).filter(|h| !h.is_empty()).collect();
    format!("Imported from a table with the columns {}.", headers.join(", "))
}

/// A table starts at `i` when that line is a row and the next one its delimiter row.
pub(super) fn table_header(lines: &[&str], i: usize) -> Option<Vec<(Column, String)>> {
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

pub(super) fn table_item(columns: &[(Column, String)], row: &str, constant: &[usize]) -> Option<ImportedItem> {
    let values = cells(row);
    if values.iter().all(|v| v.is_empty()) {
        return None;
    }
    let mut item = ImportedItem::new("", ItemStatus::Open);
    let mut others: Vec<String> = Vec::new();
    let mut status_written = false;
    for (index, ((role, header), value)) in columns.iter().zip(values.iter().chain(std::iter::repeat(&""))).enumerate()
    {
        let value = value.trim();
        if value.is_empty() || constant.contains(&index) {
            continue;
        }
        let value_owned = value.to_owned();
        // The cell as written under its header, for the saved item's details.
        let written = |field: WrittenField| Written {
            in_table: true,
            ..Written::new(field, Some(header), value, &format!("{header}: {value}"))
        };
        match role {
            Column::Text => item.text = value_owned,
            Column::Owner => item.owner = Some(value_owned),
            Column::Team => item.team = Some(value_owned),
            Column::Due => {
                item.due = Some(value_owned);
                item.written.push(written(WrittenField::Due));
            }
            Column::Priority => {
                item.priority = Some(value_owned);
                item.written.push(written(WrittenField::Priority));
            }
            Column::Kind => {
                item.kind = Some(value_owned);
                item.written.push(written(WrittenField::Kind));
            }
            Column::Status => {
                status_written = true;
                match status_word(value) {
                    // The status field says it: a word that is only a status is kept apart,
                    // for the saved item's details (see `draft`), not in its text.
                    Some(status) => {
                        item.status = status;
                        item.written.push(written(WrittenField::Status));
                    }
                    None => others.push(format!("{header}: {value}")),
                }
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
                    item.written.push(written(WrittenField::Ticket));
                }
            }
            Column::Number => {
                // `Nr. 3`; a header of no word (`#`) is written `No. 3`, not `#3`, which reads
                // as a ticket's number.
                let label = if header.chars().any(char::is_alphanumeric) { header.as_str() } else { "No." };
                item.written.push(Written {
                    in_table: true,
                    ..Written::new(WrittenField::Number, Some(label), value, &format!("{label} {value}"))
                });
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
