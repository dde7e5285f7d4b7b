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

pub(super) fn column_role(header: &str) -> Column {
    let words = normalize(header);
    // The header is the name, or starts or ends with it (`Due date`, `Action owner`).
    // (Compared without building strings: headers and labels are asked about often.)
    let any = |names: &[&str]| {
        names.iter().any(|n| {
            words == *n
                || words.strip_prefix(n).is_some_and(|rest| rest.starts_with(' '))
                || words.strip_suffix(n).is_some_and(|rest| rest.ends_with(' '))
        })
    };
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
        "dueño",
        "responsável",
        "dono",
        "responsavel",
        "responsabile",
        "referente",
        "eigenaar",
        "verantwoordelijke",
        "actiehouder",
        "houder",
        "trekker",
        "uitvoerder",
        "responsables",
        "responsabili",
        "verantwortlicher",
        "担当",
        "主担当",
        "执行人",
        "跟进人",
        "負責單位",
        "负责部门",
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
        "planning",
        "gepland",
        "streefdatum",
        "datum",
        "date",
        "fecha",
        "data",
        "data prevista",
        "prevista",
        "termine",
        "zieltermin",
        "预计完成",
        "預計完成",
        "預計完成日",
        "预计完成日期",
        "完成日",
        "目标日期",
        "目標日期",
        "期限日",
        "予定日",
        "完了予定",
        "완료일",
        "목표일",
        "일정",
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
        "estatus",
        "avance",
        "voortgang",
        "進捗",
        "進度",
        "进度",
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
        "maatregelen",
        "actiepunt",
        "actiepunten",
        "verbeterpunt",
        "medida",
        "medidas",
        "misura",
        "misure",
        "measure",
        "measures",
        "mitigation",
        "改善措施",
        "改善項目",
        "改善内容",
        "대책",
        "개선 사항",
        "개선사항",
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
    let rows: Vec<Vec<&str>> =
        lines[i + 2..].iter().take_while(|l| l.trim_start().starts_with('|')).map(|row| cells(row)).collect();
    infer_roles(&mut columns, &rows);
    Some(columns)
}

/// Gives the columns whose header says nothing known a role from what their cells hold, as a
/// reader does with a table in a language or a house style no list has: a column of status
/// words is the status, one of dates, weeks and quarters the due date, one of names the owner,
/// and the first column left the item.
fn infer_roles(columns: &mut [(Column, String)], rows: &[Vec<&str>]) {
    let values = |index: usize| -> Vec<&str> {
        rows.iter()
            .filter_map(|row| row.get(index).copied())
            .filter(|v| !v.is_empty() && !matches!(*v, "-" | "—" | "–" | "n/a" | "N/A" | "/"))
            .collect()
    };
    let has = |columns: &[(Column, String)], role: Column| columns.iter().any(|(r, _)| *r == role);
    for index in 0..columns.len() {
        if columns[index].0 != Column::Other {
            continue;
        }
        let cells = values(index);
        if cells.is_empty() {
            continue;
        }
        let role = if !has(columns, Column::Status) && cells.iter().all(|v| status_word(v).is_some()) {
            Column::Status
        } else if !has(columns, Column::Due)
            && cells.iter().filter(|v| !super::fields::is_due(v, true)).count() <= cells.len() / 4
            && cells.iter().filter(|v| super::fields::is_due(v, false)).count() * 2 >= cells.len()
        {
            Column::Due
        } else if !has(columns, Column::Ticket) && cells.iter().all(|v| is_ticket(v)) {
            Column::Ticket
        } else {
            continue;
        };
        columns[index].0 = role;
    }
    if !has(columns, Column::Text) {
        // The first column left: tables put the item before its fields.
        match (0..columns.len()).find(|&i| columns[i].0 == Column::Other) {
            Some(index) => columns[index].0 = Column::Text,
            None => {
                if let Some(first) = columns.first_mut() {
                    first.0 = Column::Text;
                }
            }
        }
    }
    if !has(columns, Column::Owner)
        && let Some(index) = (0..columns.len()).find(|&i| {
            let cells = values(i);
            columns[i].0 == Column::Other
                && !cells.is_empty()
                && cells.iter().all(|v| super::fields::looks_like_name(v))
        })
    {
        columns[index].0 = Column::Owner;
    }
}

/// A ticket's key or link: `OPS-1234`, `#212`, `[OPS-12](…)`, a URL.
fn is_ticket(value: &str) -> bool {
    let value = value.trim();
    let key = |v: &str| {
        let (project, number) = v.split_once('-').unwrap_or(("", ""));
        !project.is_empty()
            && project.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && project.starts_with(|c: char| c.is_ascii_uppercase())
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
    };
    key(value)
        || value.strip_prefix('#').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        || value.starts_with("http://")
        || value.starts_with("https://")
        || (value.starts_with('[') && value.contains("](") && value.ends_with(')'))
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
        // `—` in a cell says there is nothing: no due, no owner.
        let nothing = matches!(value, "-" | "—" | "–") && !matches!(role, Column::Text);
        if value.is_empty() || nothing || constant.contains(&index) {
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
            // `Complete` in the target date's column: the authors' way of saying it is done.
            Column::Due if !status_written && status_word(value).is_some() && !super::fields::is_due(value, false) => {
                status_written = true;
                item.status = status_word(value).unwrap_or(item.status);
                item.written.push(written(WrittenField::Status));
            }
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
