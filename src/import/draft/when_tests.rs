//! Unit tests of [`super`]: when the impact began and ended, as documents state it in their
//! opening words, their timeline rows' markers, and their labelled lines.

use time::macros::datetime;

use super::*;

#[test]
fn a_row_that_ends_with_a_marker_of_its_own_marks_the_impact() {
    let doc = "# API errors\n\n## Timeline\n\n**2025-03-11**\n\n- 09:55 Config rollout starts.\n\
               - 10:02 First increase in 5xx on api-gateway. **OUTAGE BEGINS**\n- 10:20 Status page updated.\n\
               - 10:49 API error rate back under baseline. **OUTAGE MITIGATED**\n\
               - 12:15 Incident closed, status page resolved.\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-03-11 10:02 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-11 10:49 UTC)));
    // German and Spanish rows, the marker after a dash or first thing in the row.
    let german = "# Störung\n\n## Ablauf\n\n- 2026-01-17 08:12 Erste Abweisungen – Beginn der Störung\n\
                  - 2026-01-17 09:10 Sperre gefunden\n- 2026-01-17 10:47 Queue leer – Störung behoben\n";
    let draft = recognise(german, None);
    assert_eq!(draft.started_at, Some(datetime!(2026-01-17 08:12 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2026-01-17 10:47 UTC)));
    let spanish = "# SPEI\n\n## Línea de tiempo\n\n- 2025-08-15 13:45 Inicia el impacto: las transferencias se retienen.\n\
                   - 2025-08-15 16:20 Se liberan todas. Fin del impacto.\n";
    let draft = recognise(spanish, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-08-15 13:45 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-08-15 16:20 UTC)));
}

#[test]
fn a_row_that_says_the_impact_ended_outright_beats_an_earlier_mitigation() {
    let doc = "# Search down\n\n## Timeline\n\n2015-10-21 (all times UTC)\n\n- 14:54 **OUTAGE BEGINS** — backends melt\n\
               - 15:36 **OUTAGE MITIGATED**, index replicated\n- 16:00 **OUTAGE ENDS**, all traffic balanced\n\
               - 16:30 **INCIDENT ENDS**\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2015-10-21 14:54 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2015-10-21 16:00 UTC)));
    let mitigated_only = doc.replace("- 16:00 **OUTAGE ENDS**, all traffic balanced\n", "");
    assert_eq!(recognise(&mitigated_only, None).ended_at, Some(datetime!(2015-10-21 15:36 UTC)));
}

#[test]
fn a_row_whose_sentence_merely_ends_with_a_markers_word_marks_nothing() {
    let doc = "# X\n\n## Timeline\n\n- 2025-03-11 10:02 Support asks whether the outage begins\n\
               - 2025-03-11 10:30 The ticket was resolved\n- 2025-03-11 11:00 Status page resolved.\n";
    let draft = recognise(doc, None);
    assert_eq!((draft.started_at, draft.ended_at), (None, None));
}

#[test]
fn an_impact_that_opens_with_a_range_and_its_date_states_the_span() {
    let doc = "# API errors\n\n## Impact\n\nBetween 10:02 and 10:49 PDT on Tuesday 2025-03-11 (47 minutes), \
               customers saw errors. Error rate peaked at 18.4% at 10:41.\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-03-11 10:02 -07:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-11 10:49 -07:00)));
    let portuguese = "# Recusas\n\n## Sumário executivo\n\nEntre as 06h02 e as 09h48 de 15 de outubro de 2026 \
                      (quinta-feira), cerca de 41% das operações foram recusadas.\n";
    let draft = recognise(portuguese, None);
    assert_eq!(draft.started_at, Some(datetime!(2026-10-15 06:02 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2026-10-15 09:48 UTC)));
    // A range further into the impact is some figure's, not the span.
    let figure = "# X\n\n## Impact\n\nOn 2025-03-11 about 31% of saves failed; the error rate rose from 10:02 to \
                  10:41 and fell after.\n";
    assert_eq!(recognise(figure, None).started_at, None);
}

#[test]
fn a_range_whose_days_have_no_year_takes_the_documents() {
    let doc = "# Summary of the Volumes Event in the Region\n\nWe want to tell you about the disruption on the night \
               of July 22 and the early morning of July 23, 2026.\n\nBetween 10:52 PM PDT on July 22 and 3:14 AM \
               PDT on July 23, some volumes saw stuck I/O.\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2026-07-22 22:52 -07:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2026-07-23 03:14 -07:00)));
}

#[test]
fn a_sentence_under_a_metadata_table_states_the_zone_of_every_time() {
    let doc = "# Störung\n\n## Eckdaten\n\n| | |\n|---|---|\n| Datum | Samstag, 17. Jänner 2026 |\n\
               | Beginn der Störung | 08:12 Uhr |\n| Ende der Störung | 10:47 Uhr |\n\n\
               Alle Uhrzeiten in diesem Dokument sind MEZ.\n\n## Ablauf\n\n| Uhrzeit | Was |\n|---|---|\n\
               | 08:12 | Erste Abweisungen |\n| 10:47 | Queue leer |\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2026-01-17 08:12 +01:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2026-01-17 10:47 +01:00)));
}

#[test]
fn chinese_labels_of_an_event_and_its_time_state_the_span() {
    let doc = "# 事件檢討報告：下單失敗\n\n- 發生時間：2024/10/08（二）09:12\n- 恢復時間：2024/10/08（二）11:47\n\
               - 時區：本報告所有時間皆為台灣時間（UTC+8）\n- 報告日期：民國 113 年 10 月 15 日\n\n## 一、事件摘要\n\n內容。\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2024-10-08 09:12 +08:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2024-10-08 11:47 +08:00)));
    let simplified = "# 故障复盘\n\n- 事件发生时刻：2025-05-27 14:20\n- 恢复时间：2025-05-27 15:05\n- 时区：北京时间\n";
    let draft = recognise(simplified, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-05-27 14:20 +08:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-05-27 15:05 +08:00)));
}

#[test]
fn a_duration_line_and_the_time_of_resolution_give_the_start() {
    let doc = "# SPEI\n\n**Fecha del incidente:** 15 de agosto de 2025\n\n## Resumen\n\nTexto.\n\n\
               - **Duración del impacto:** 2 h 35 min\n- **Hora de resolución:** 16:20 hrs\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-08-15 13:45 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-08-15 16:20 UTC)));
    // A row that marks the end, and the duration, give the start likewise.
    let marked = "# X\n\n## Summary\n\n- **Impact duration:** 47 min\n\n## Timeline\n\n- 2025-03-11 10:02 Errors rise.\n\
                  - 2025-03-11 10:49 Error rate back to baseline. **Mitigated.**\n";
    let draft = recognise(marked, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-03-11 10:02 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-11 10:49 UTC)));
}

#[test]
fn a_duration_counts_back_from_an_end_on_the_day_of_its_row() {
    // The end's `5 March` has no year: a time alone, whose day is its row's, after midnight.
    let doc = "# Latency\n\n**Date:** 2025-03-04\n\n## Summary\n\nCustomer impact lasted 1 hour 47 minutes and ended at \
               01:12 UTC on 5 March, when the last group recovered.\n\n## Timeline (UTC)\n\n\
               - 23:25 — Rebalance starts.\n- 00:40 — Recovery.\n- 01:12 — Impact ends.\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-05 01:12 UTC)));
    assert_eq!(draft.started_at, Some(datetime!(2025-03-04 23:25 UTC)));
}

#[test]
fn a_marked_timeline_row_beats_a_range_in_the_summarys_prose_but_not_a_labelled_window() {
    let doc = "# PIR Black Friday\n\n**Datum:** vrijdag 28 november 2025\n**Review meeting:** woensdag 3 december, 14:00–15:00\n\n\
               Alle tijden zijn in CET.\n\n## Samenvatting\n\n- Conversie tussen 09:00 en 11:00 ongeveer 38% lager\n\n\
               ## Tijdlijn\n\n- 09:07 — **Start klantimpact**: timeouts\n- 10:41 — **Einde klantimpact**: normaal\n";
    let draft = recognise(doc, None);
    let utc = |at: Option<OffsetDateTime>| at.map(|at| at.to_offset(time::UtcOffset::UTC).time().to_string());
    assert_eq!(utc(draft.started_at).as_deref(), Some("8:07:00.0"));
    assert_eq!(utc(draft.ended_at).as_deref(), Some("9:41:00.0"));
    assert!(
        draft.notes.iter().any(|n| n.starts_with("The range in the summary (“Conversie tussen 09:00")),
        "{:?}",
        draft.notes
    );
    // A labelled window in the summary is as explicit as the rows: it stands.
    let labelled =
        doc.replace("- Conversie tussen 09:00 en 11:00 ongeveer 38% lager", "**Verstoring:** 09:00–11:00 CET");
    assert_eq!(utc(recognise(&labelled, None).started_at).as_deref(), Some("8:00:00.0"));
}

#[test]
fn a_time_alone_stated_with_its_own_zone_is_read_in_it() {
    let doc = "# Checkout errors\n\n**Incident date:** Friday, Nov 28, 2025\n\n## Summary\n\nCustomer impact started at \
               8:51 AM Eastern, seven minutes before our first post.\n\n## Status updates\n\n\
               | Time | Update |\n|---|---|\n| 13:58 UTC | Investigating |\n| 16:05 UTC | Resolved |\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-11-28 13:51 UTC)));
    // Without its own zone it is in the document's.
    let bare = doc.replace(" Eastern", "");
    assert_eq!(recognise(&bare, None).started_at, Some(datetime!(2025-11-28 08:51 UTC)));
}

#[test]
fn a_key_facts_table_says_from_when_the_service_was_hit_and_when_restored() {
    let doc = "# Major Incident Report\n\n## 1. Key facts\n\n| | |\n|---|---|\n| Date | Monday 2 June 2025 |\n\
               | Service impact from | 8.40am |\n| Service restored | 1.15pm |\n\n\
               All times in this report are local time (BST).\n\n## 2. Summary\n\nThe system was unusable.\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-06-02 08:40 +01:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-06-02 13:15 +01:00)));
}

#[test]
fn rows_in_other_zones_follow_each_other_on_the_documents_clock() {
    let doc = "# Ingest\n\n## Summary\n\nOn 2025-10-14, 08:55 to 10:52 Central time (CDT).\n\n## Timeline\n\n\
               - 08:55 — Ingest drops.\n- 09:10 CDT — Alert pages on-call.\n- 07:20 PDT — Vendor window closes.\n\
               - 10:31 EDT — NOC reports firmware.\n- 14:45 UTC — LB logs.\n- 10:02 — Ticket opened.\n";
    let draft = recognise(doc, None);
    let rows: Vec<_> = draft.timeline.iter().map(|row| row.occurred_at).collect();
    assert_eq!(
        rows,
        vec![
            Some(datetime!(2025-10-14 08:55 -05:00)),
            Some(datetime!(2025-10-14 09:10 -05:00)),
            Some(datetime!(2025-10-14 07:20 -07:00)),
            Some(datetime!(2025-10-14 10:31 -04:00)),
            Some(datetime!(2025-10-14 14:45 UTC)),
            Some(datetime!(2025-10-14 10:02 -05:00)),
        ]
    );
    // A row earlier on the document's clock still rolls over past midnight.
    let night = "# X\n\n## Timeline\n\n**2025-10-14**\n\n- 23:10 CDT — Alert.\n- 00:20 CDT — Fixed.\n";
    let rows: Vec<_> = recognise(night, None).timeline.iter().map(|row| row.occurred_at).collect();
    assert_eq!(rows, vec![Some(datetime!(2025-10-14 23:10 -05:00)), Some(datetime!(2025-10-15 00:20 -05:00))]);
}

#[test]
fn a_separate_teams_table_of_the_same_hours_stays_on_the_same_day() {
    let doc = "# Upload\n\n## Timeline\n\n**2025-06-10**\n\n- 08:15 – Erste Fehler\n- 13:00 – Kunden informiert\n\n\
               Das Team Lausanne hat seine Schritte separat festgehalten:\n\n| Heure | Événement |\n|---|---|\n\
               | 09h25 | Prise en charge |\n| 10h35 | Redémarrage |\n";
    let rows: Vec<_> = recognise(doc, None).timeline.iter().map(|row| row.occurred_at).collect();
    assert_eq!(
        rows,
        vec![
            Some(datetime!(2025-06-10 08:15 UTC)),
            Some(datetime!(2025-06-10 13:00 UTC)),
            Some(datetime!(2025-06-10 09:25 UTC)),
            Some(datetime!(2025-06-10 10:35 UTC)),
        ]
    );
}

#[test]
fn times_under_a_prose_heading_a_column_of_times_and_a_versions_date() {
    // `## What happened` over nothing but a table of times, with no timeline heading: the timeline.
    let doc = "# Quiz outage\n\n**Impact start:** June 12, 2025 8:47 AM (UTC)\n\n## What happened\n\n\
               | Time | What happened |\n|---|---|\n| 08:30 | Release starts |\n| 08:47 | Table locked |\n| 09:05 | Alert picked up |\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.timeline.len(), 3);
    assert!(
        draft.notes.iter().any(|n| n.starts_with("The section “What happened” was read as the timeline")),
        "{:?}",
        draft.notes
    );
    // A column whose cells are all times, under a header no list knows.
    let doc = "# Pix\n\n**Início do impacto:** 20/12/2024 14h05 (BRT)\n\n## Linha do tempo\n\n\
               | Quando | Evento |\n|---|---|\n| 13h45 | Janela aberta |\n| 14h05 | Primeiras falhas |\n";
    let rows = recognise(doc, None).timeline;
    assert_eq!(rows[1].occurred_at, Some(datetime!(2024-12-20 17:05 UTC)), "{rows:?}");
    // A table row labelled as the report's version dates nothing: the summary's own date does.
    let doc = "# Rapport\n\n| | |\n|---|---|\n| Version | 1.1 du 14 avril 2026 |\n\n## Résumé\n\n\
               Le lundi 30 mars 2026, le guichet a été indisponible.\n\n## Chronologie\n\n- 08h12 : premières erreurs\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.timeline[0].occurred_at.map(|at| at.date()), Some(time::macros::date!(2026 - 03 - 30)));
}
