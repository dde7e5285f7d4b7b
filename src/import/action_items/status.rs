//! Status words, as authors write them in the languages postmortems are written in.

use super::ItemStatus;
use crate::import::sections::normalize;

/// Status words: `done`, `in progress`, `won't do` and their usual variants.
pub(super) fn status_word(text: &str) -> Option<ItemStatus> {
    match normalize(text).as_str() {
        // English, then German, French, Spanish, Portuguese, Italian, Dutch, Japanese, Chinese,
        // Korean.
        "done"
        | "completed"
        | "complete"
        | "fixed"
        | "closed"
        | "resolved"
        | "finished"
        | "yes"
        | "erledigt"
        | "abgeschlossen"
        | "fertig"
        | "fait"
        | "terminé"
        | "réalisé"
        | "complété"
        | "complétée"
        | "terminée"
        | "réalisée"
        | "faite"
        | "clos"
        | "clôturé"
        | "hecho"
        | "completado"
        | "terminado"
        | "listo"
        | "concluído"
        | "concluido"
        | "feito"
        | "fatto"
        | "completato"
        | "completata"
        | "completati"
        | "concluso"
        | "conclusa"
        | "chiuso"
        | "chiusa"
        | "feita"
        | "concluída"
        | "concluida"
        | "terminada"
        | "completada"
        | "gereed"
        | "klaar"
        | "afgerond"
        | "voltooid"
        | "完了"
        | "対応済み"
        | "対応済"
        | "済"
        | "済み"
        | "已完成"
        | "完成"
        | "已解决"
        | "已解決"
        | "완료"
        | "처리 완료"
        | "closed complete"
        | "realizada"
        | "realizado"
        | "finalizado"
        | "finalizada"
        | "resuelto"
        | "cerrado"
        | "concluído com sucesso" => Some(ItemStatus::Done),
        "in progress" | "work in progress" | "wip" | "ongoing" | "started" | "in review" | "doing"
        | "in bearbeitung" | "in arbeit" | "en cours" | "en curso" | "en progreso" | "em andamento"
        | "em progresso" | "in corso" | "bezig" | "in uitvoering" | "対応中" | "進行中" | "进行中" | "處理中"
        | "处理中" | "진행 중" | "진행중" | "검토중" | "검토 중" | "em curso" | "lopend" | "in behandeling" => {
            Some(ItemStatus::InProgress)
        }
        "won t do" | "closed incomplete" | "closed skipped" | "wont do" | "wontfix" | "won t fix" | "wont fix"
        | "cancelled" | "canceled" | "dropped" | "rejected" | "verworfen" | "abgebrochen" | "abandonné" | "annulé"
        | "cancelado" | "descartado" | "annullato" | "geannuleerd" | "中止" | "取消" | "취소" => {
            Some(ItemStatus::WontDo)
        }
        "todo" | "to do" | "open" | "not started" | "pending" | "no" | "offen" | "à faire" | "a faire" | "ouvert"
        | "pendiente" | "abierto" | "pendente" | "aberto" | "da fare" | "da avviare" | "aperto" | "aperta"
        | "non iniziato" | "a iniciar" | "não iniciado" | "nao iniciado" | "por hacer" | "sin empezar"
        | "nicht begonnen" | "te doen" | "未着手" | "未対応" | "未完了" | "未完成" | "待处理" | "待處理" | "未開始"
        | "未开始" | "미완료" | "예정" | "대기" | "por iniciar" | "planned" | "geplant" | "gepland" | "backlog" => {
            Some(ItemStatus::Open)
        }
        _ => None,
    }
}

/// A status word written at the very end of `text` (`Bug #123 TODO`, `... (done)`). The word
/// stays in the text: it is the authors' own.
pub(super) fn status_at_end(text: &str) -> Option<ItemStatus> {
    let trimmed = text.trim_end();
    let bracketed = trimmed.ends_with([')', ']']);
    let candidates = [
        trimmed.rsplit_once(['(', '[']).map(|(before, word)| (before, word.trim_end_matches([')', ']']))),
        trimmed.rsplit_once(' '),
    ];
    for (index, (_, word)) in candidates.into_iter().enumerate().filter_map(|(i, c)| Some((i, c?))) {
        // Only all-caps or bracketed words count: "done" inside a sentence is prose, and so is
        // the last word of a sentence in brackets (`(This one is nearly finished.)`).
        let marked = (bracketed && index == 0) || word.chars().all(|c| !c.is_lowercase());
        if marked && let Some(status) = status_word(word) {
            return Some(status);
        }
    }
    status_word(trimmed)
}
