//! The labels that state the span of impact (`Start:`, `Ende der Störung:`, `復旧日時:`), the
//! zone of its times and how long it lasted, in the languages of `sections`, as `normalize`
//! leaves them.

/// Labels that state when the impact began, as `normalize` leaves them, in the languages of
/// `sections` (the detection of an incident is not its start, so `detected` is not one).
pub(super) const STARTS: &[&str] = &[
    "start",
    "started",
    "start time",
    "began",
    "begin",
    "impact start",
    "impact started",
    "impact began",
    "start of impact",
    "impact from",
    "service impact from",
    "customer impact from",
    "outage from",
    "disruption from",
    "incident start",
    "incident started",
    "outage start",
    "outage started",
    "started at",
    "beginn",
    "beginn der auswirkung",
    "beginn der störung",
    "störungsbeginn",
    "start der störung",
    "début",
    "début de l incident",
    "début de l impact",
    "début de la panne",
    "inicio",
    "inicio del incidente",
    "inicio del impacto",
    "início",
    "início do incidente",
    "início do impacto",
    "inizio",
    "inizio dell incidente",
    "inizio dell impatto",
    "begin van de verstoring",
    "begin impact",
    "begin van de impact",
    "aanvang",
    "start van de verstoring",
    "発生日時",
    "発生時刻",
    "開始",
    "開始日時",
    "影響開始",
    "障害発生",
    "发生时间",
    "开始时间",
    "開始時間",
    "影响开始",
    "시작",
    "발생 시각",
    "장애 시작",
    "시작 시각",
    "발생 일시",
    "발생일시",
    "장애 발생",
];
/// Labels that state when the impact ended (mitigated counts: the customers' impact ended).
pub(super) const ENDS: &[&str] = &[
    "end",
    "ended",
    "end time",
    "impact end",
    "impact ended",
    "end of impact",
    "impact until",
    "incident end",
    "incident ended",
    "outage end",
    "outage ended",
    "resolved at",
    "ended at",
    "resolution time",
    "service restored",
    "services restored",
    "service restored at",
    "restored at",
    "service impact until",
    "wiederhergestellt",
    "service rétabli",
    "servicio restablecido",
    "serviço restabelecido",
    "servizio ripristinato",
    "dienst hersteld",
    "time of resolution",
    "time resolved",
    "hora de resolución",
    "hora de resolucion",
    "hora de recuperación",
    "hora de restablecimiento",
    "heure de résolution",
    "heure de rétablissement",
    "hora de resolução",
    "ora di risoluzione",
    "zeitpunkt der behebung",
    "ende",
    "ende der auswirkung",
    "ende der störung",
    "störungsende",
    "fin",
    "fin de l incident",
    "fin de l impact",
    "fin de la panne",
    "fin del incidente",
    "fin del impacto",
    "fim",
    "fim do incidente",
    "fim do impacto",
    "fine",
    "fine dell incidente",
    "fine dell impatto",
    "einde",
    "einde van de verstoring",
    "einde impact",
    "einde van de impact",
    "復旧日時",
    "復旧時刻",
    "終了",
    "終了日時",
    "影響終了",
    "恢复时间",
    "结束时间",
    "結束時間",
    "影响结束",
    "종료",
    "복구 시각",
    "장애 종료",
    "종료 시각",
    "복구 일시",
    "복구일시",
    "장애 복구",
];
pub(super) const ZONES: &[&str] = &[
    "time zone",
    "timezone",
    "tz",
    "times in",
    "zeitzone",
    "fuseau horaire",
    "zona horaria",
    "fuso horário",
    "fuso orario",
    "tijdzone",
    "タイムゾーン",
    "时区",
    "時區",
    "시간대",
];
/// Labels that state the incident's day, as `normalize` leaves them (a document's own date,
/// `Stand` or `Erstellt`, is not one).
pub(super) const DATES: &[&str] = &[
    "date",
    "incident date",
    "date of incident",
    "date of the incident",
    "datum",
    "datum der störung",
    "störungsdatum",
    "date de l incident",
    "fecha",
    "fecha del incidente",
    "data",
    "data do incidente",
    "data dell incidente",
    "datum van het incident",
    "日付",
    "発生日",
    "事件日期",
    "發生日期",
    "发生日期",
    "日期",
    "날짜",
    "발생일",
    "장애 일자",
];
/// How long the impact lasted, in the other languages (`duration` itself is a heading too).
pub(super) const DURATIONS: &[&str] = &[
    // A window states the span itself: `**Impact window:** 13:47-07:00 to 23:58Z`.
    "impact window",
    "janela de impacto",
    "janela do incidente",
    "ventana de impacto",
    "ventana del incidente",
    "finestra di impatto",
    "fenêtre d impact",
    "période d impact",
    "auswirkungszeitraum",
    "störungszeitraum",
    "zeitraum",
    "impactvenster",
    "影响时间",
    "影響時間",
    "影响时段",
    "故障时间",
    "영향 시간",
    "outage window",
    "incident window",
    "duration of impact",
    "duration of the impact",
    "impact duration",
    "outage duration",
    "duration of outage",
    "dauer",
    "dauer der störung",
    "störungsdauer",
    "durée",
    "durée de l impact",
    "durée de l incident",
    "duración del impacto",
    "duración del incidente",
    "duração do impacto",
    "duração do incidente",
    "durata dell impatto",
    "durata del disservizio",
    "duur van de storing",
    "duración",
    "duração",
    "durata",
    "duur",
    "影響時間",
    "継続時間",
    "持续时间",
    "持續時間",
    // `时长` is "length of time": `影响时长：34分钟`, `故障时长`.
    "影响时长",
    "影響時長",
    "故障时长",
    "故障時長",
    "持续时长",
    "事故时长",
    "지속 시간",
];

/// Words that make a short label a statement of the start, of the end, or of the zone
/// (`Beginn der Kundenauswirkung`, `Customer impact end`, `Störungsende`, `Fuseau`): whole
/// words, or the end of a German compound. A label naming both a start and an end (`Start and
/// end`) is none of them, and so is one of more than five words (a sentence).
const START_WORDS: &[&str] = &[
    "start",
    "started",
    "begin",
    "began",
    "beginning",
    "beginn",
    "début",
    "inicio",
    "início",
    "inizio",
    "aanvang",
    "開始",
    "発生",
    "开始",
    "開始時間",
    "시작",
];
const END_WORDS: &[&str] =
    &["end", "ended", "ende", "fin", "fim", "fine", "einde", "終了", "復旧", "结束", "恢复", "結束", "종료", "복구"];
const ZONE_WORDS: &[&str] =
    &["zone", "timezone", "tz", "zeitzone", "zeitangaben", "ortszeit", "fuseau", "zona", "fuso", "tijdzone"];
/// In Chinese and Japanese, a label is one word: an event (`發生`, `恢復`) and a word for its
/// time (`時間`, `时间`, `時刻`, `日時`), `發生時間`, `恢复时间`, `復旧日時`. The events
/// that start the impact and end it, and the words for their time.
const CJK_START_EVENTS: &[&str] = &["發生", "发生", "発生", "開始", "开始", "起始"];
const CJK_END_EVENTS: &[&str] =
    &["恢復", "恢复", "復原", "复原", "復旧", "修復", "修复", "結束", "结束", "終了", "解除"];
const CJK_TIME_WORDS: &[&str] = &["時間", "时间", "時刻", "时刻", "日時", "時點", "时点"];
/// The longest such label, in characters (`影響發生時間`, `事件恢復時間`).
const CJK_LABEL_CHARS: usize = 8;

/// Words of labels that hold a start or end of something else (`Review start`).
const OTHER_WORDS: &[&str] = &["review", "meeting", "maintenance", "wartung", "sprint", "réunion", "besprechung"];

pub(super) fn by_words(words: &str) -> Option<super::Statement> {
    use super::Statement;
    if let Some(kind) = cjk_label(words) {
        return Some(kind);
    }
    let list: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
    // A number is not in a label: `ended at 09` is a wrapped sentence's `ended at 09:10`.
    let numbered = list.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()));
    if numbered || list.is_empty() || list.len() > 5 || list.iter().any(|w| OTHER_WORDS.contains(w)) {
        return None;
    }
    let has = |set: &[&str]| {
        list.iter()
            .any(|w| set.contains(w) || (w.chars().count() > 8 && set.iter().any(|s| s.len() >= 4 && w.ends_with(s))))
    };
    match (has(START_WORDS), has(END_WORDS), has(ZONE_WORDS)) {
        (true, false, false) => Some(Statement::Start),
        (false, true, false) => Some(Statement::End),
        (false, false, true) => Some(Statement::Zone),
        _ => None,
    }
}

/// A Chinese or Japanese label that is an event and its time (`發生時間`, `恢復時間`): the
/// start or the end it states.
fn cjk_label(words: &str) -> Option<super::Statement> {
    use super::Statement;
    let chars = words.chars().count();
    if chars > CJK_LABEL_CHARS || words.contains(' ') || !CJK_TIME_WORDS.iter().any(|w| words.ends_with(w)) {
        return None;
    }
    let head = CJK_TIME_WORDS.iter().find_map(|w| words.strip_suffix(w))?;
    match (CJK_START_EVENTS.iter().any(|e| head.contains(e)), CJK_END_EVENTS.iter().any(|e| head.contains(e))) {
        (true, false) => Some(Statement::Start),
        (false, true) => Some(Statement::End),
        _ => None,
    }
}

/// A table whose columns say where the impact began and ended (`| Outage | Begin | End |
/// Duration |`, `| Beginn | Ende |`, `| Début | Fin |`, `| 開始 | 終了 |`) over one row states
/// the span, as a key/value table does down its rows: that row's cells under those columns, as
/// `(label, value)` pairs. Several rows are a schedule (of changes, of shifts), not the span.
/// Read line by line, once: a header, its delimiter row, and the rows up to the table's end.
pub(super) fn single_row_table(text: &str) -> Vec<(&str, String)> {
    fn cells(line: &str) -> Option<Vec<&str>> {
        let inner = line.trim().strip_prefix('|')?;
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        Some(inner.split('|').map(|cell| cell.trim().trim_matches(['*', '_']).trim()).collect())
    }
    let is_delimiter = |line: &str| {
        let line = line.trim();
        line.starts_with('|') && line.contains('-') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
    };
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i + 2 < lines.len() {
        let (Some(header), true) = (cells(lines[i]), is_delimiter(lines[i + 1])) else {
            i += 1;
            continue;
        };
        let rows = lines[i + 2..].iter().take_while(|line| line.trim_start().starts_with('|')).count();
        let column = |kind: super::Statement| {
            let mut of_kind = header.iter().enumerate().filter(|(_, label)| super::statement_kind(label) == Some(kind));
            // One column of each: `Start | Start` says nothing certain.
            let first = of_kind.next().map(|(at, label)| (at, *label));
            if of_kind.next().is_some() { None } else { first }
        };
        if rows == 1
            && let (Some(start), Some(end)) = (column(super::Statement::Start), column(super::Statement::End))
            && let Some(row) = cells(lines[i + 2])
        {
            for (at, label) in [start, end] {
                // A value with a time or a date in it: `n/a` or a name is not one.
                if let Some(value) = row.get(at).filter(|value| value.chars().any(|c| c.is_ascii_digit())) {
                    found.push((label, (*value).to_owned()));
                }
            }
        }
        i += 2 + rows;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::{Statement, statement_kind};
    use super::single_row_table;

    #[test]
    fn a_table_with_start_and_end_columns_over_one_row_states_the_span() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "| Outage | Type | Configuration item | Begin | End | Duration |\n|---|---|---|---|---|---|\n\
                 | OUT0012 | Degradation | svc | 2024-11-12 06:12:00 EST | 2024-11-12 09:47:00 EST | 3h 35m |",
                "2024-11-12 06:12:00 EST",
                "2024-11-12 09:47:00 EST",
            ),
            (
                "| Beginn | Ende |\n| :-- | :-- |\n| 17.02.2026 04:37 | 17.02.2026 08:55 |\n",
                "17.02.2026 04:37",
                "17.02.2026 08:55",
            ),
            (
                "| Début | Fin | Durée |\n|--|--|--|\n| 12/02/2026 5h52 | 12/02/2026 9h27 | 3h35 |",
                "12/02/2026 5h52",
                "12/02/2026 9h27",
            ),
            ("Texto.\n\n| Inicio | Fin |\n|---|---|\n| 10:02 | 11:40 |\n\nMás texto.", "10:02", "11:40"),
            (
                "| 開始 | 終了 |\n|---|---|\n| 2025-06-01 10:00 | 2025-06-01 11:30 |",
                "2025-06-01 10:00",
                "2025-06-01 11:30",
            ),
        ];
        for &(text, start, end) in cases {
            let found = single_row_table(text);
            let values: Vec<&str> = found.iter().map(|(_, value)| value.as_str()).collect();
            assert_eq!(values, [start, end], "{text:?}");
            assert_eq!(statement_kind(found[0].0), Some(Statement::Start), "{text:?}");
            assert_eq!(statement_kind(found[1].0), Some(Statement::End), "{text:?}");
        }
    }

    #[test]
    fn a_schedule_or_a_table_without_both_columns_states_no_span() {
        let cases = [
            // Several rows: a schedule of changes or shifts.
            "| Change | Start | End |\n|---|---|---|\n| CHG1 | 23:30 | 01:30 |\n| CHG2 | 02:00 | 03:00 |",
            // A start column alone, or no delimiter row (not a table's header).
            "| Change | Start | Owner |\n|---|---|---|\n| CHG1 | 23:30 | Ana |",
            "| Begin | End |\n| 10:00 | 11:00 |",
            // Two start columns: which one is meant is not certain.
            "| Start | Start | End |\n|---|---|---|\n| 10:00 | 10:05 | 11:00 |",
            // Nothing that is a time or a date under them.
            "| Begin | End |\n|---|---|\n| n/a | tbd |",
            "The outage began at 10:00 and ended at 11:00.",
        ];
        for text in cases {
            assert_eq!(single_row_table(text), Vec::<(&str, String)>::new(), "{text:?}");
        }
    }

    #[test]
    fn labels_no_list_holds_are_read_by_their_words() {
        for (label, kind) in [
            ("Beginn der Kundenauswirkung", Some(Statement::Start)),
            ("Ende der Kundenauswirkung", Some(Statement::End)),
            ("Auswirkungsbeginn", Some(Statement::Start)),
            ("Customer impact start", Some(Statement::Start)),
            ("Début de l'indisponibilité", Some(Statement::Start)),
            ("Zeitangaben", Some(Statement::Zone)),
            ("fuseau", Some(Statement::Zone)),
            ("發生時間", Some(Statement::Start)),
            ("恢復時間", Some(Statement::End)),
            ("事件发生时刻", Some(Statement::Start)),
            ("影響結束時間", Some(Statement::End)),
            ("復旧日時", Some(Statement::End)),
            ("報告時間", None),
            ("影響時間", Some(Statement::Duration)),
            ("故障发生时间", Some(Statement::Start)),
            ("故障恢复时间", Some(Statement::End)),
            ("事故发生时间", Some(Statement::Start)),
            ("事件恢復時間", Some(Statement::End)),
            ("影响时长", Some(Statement::Duration)),
            ("故障时长", Some(Statement::Duration)),
            ("故障通报时间", None),
            ("發生與恢復時間", None),
            ("Service impact from", Some(Statement::Start)),
            ("Service restored", Some(Statement::End)),
            ("Servicio restablecido", Some(Statement::End)),
            ("Hora de resolución", Some(Statement::End)),
            ("Resolution time", Some(Statement::End)),
            ("Duración del impacto", Some(Statement::Duration)),
            ("Durée de l'impact", Some(Statement::Duration)),
            ("Resolution", None),
            ("Datum", Some(Statement::Date)),
            ("Fecha del incidente", Some(Statement::Date)),
            ("Incident date", Some(Statement::Date)),
            ("事件日期", Some(Statement::Date)),
            ("Stand", None),
            ("Erstellt am", None),
            ("Start and end", None),
            ("ended at 09", None),
            ("Review start", None),
            ("Frontend", None),
            ("Weekend", None),
            ("The deploy started a cascade of retries here", None),
        ] {
            assert_eq!(statement_kind(label), kind, "{label}");
        }
    }
}
