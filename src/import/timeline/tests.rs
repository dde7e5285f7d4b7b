//! Unit tests of [`super`]: reading a timeline's rows, tables and days.

use time::macros::time;

use super::*;

fn rows(timeline: &RawTimeline) -> Vec<(Option<Time>, &str)> {
    timeline.entries.iter().map(|e| (e.time, e.text.as_str())).collect()
}

#[test]
fn bold_times_in_a_list() {
    let found = parse("- **10:15 AM** – Alerts fired. 🚨\n- **10:18 AM** – Users wrote in.\n");
    assert_eq!(rows(&found), [(Some(time!(10:15)), "Alerts fired. 🚨"), (Some(time!(10:18)), "Users wrote in.")]);
    assert!(found.notes.is_empty());
}

#[test]
fn blocks_between_rows_stay_with_the_row_above() {
    let body = "- **16:58 UTC** - Load rises\n\n<img alt=\"graph\" src=\"x.png\" />\n\n- **17:05 UTC** - Pods fail\n\n```\n12:00 not an entry\n```\n\n- **17:12 UTC** - Retries";
    let found = parse(body);
    assert_eq!(found.entries.len(), 3);
    assert_eq!(found.entries[0].text, "Load rises\n\n<img alt=\"graph\" src=\"x.png\" />");
    assert_eq!(found.entries[1].text, "Pods fail\n\n```\n12:00 not an entry\n```");
    assert_eq!(found.entries[2].time, Some(time!(17:12)));
    assert!(found.entries[0].zone.is_some());
}

#[test]
fn a_table_with_a_time_column_and_the_zone_in_its_header() {
    let body =
        "| Date and Time in CET | Event |\n|:---|---|\n| 2019-11-29 12:00 | Scaled up |\n| 2019-12-03 --:-- | Surge |";
    let found = parse(body);
    assert_eq!(found.entries.len(), 2);
    assert_eq!(found.entries[0].text, "Scaled up");
    assert_eq!(found.entries[0].time, Some(time!(12:00)));
    assert_eq!(found.entries[1].time, None);
    assert!(found.entries[1].date.is_some());
    assert_eq!(found.zone.as_ref().map(Zone::label).as_deref(), Some("UTC+1"));
}

#[test]
fn date_and_time_columns_named_in_other_languages_are_read_together() {
    let found = parse(
        "| Fecha | Hora | Evento |\n|---|---|---|\n| 4 de marzo | 12:45 | Rotación |\n| 5 de marzo | 01:40 | Fin |",
    );
    assert_eq!(rows(&found), [(Some(time!(12:45)), "Rotación"), (Some(time!(01:40)), "Fin")]);
    assert_eq!(found.entries[1].date.map(|d| d.day), Some(5));
    let japanese = parse("| 時刻 | 事象 |\n|---|---|\n| 10:15 | 開始 |");
    assert_eq!(rows(&japanese), [(Some(time!(10:15)), "開始")]);
    // A column that only mentions a time in passing (`Downtime`) is not a stamp column.
    let other = parse("| Step | Downtime |\n|---|---|\n| 10:15 | none |");
    assert_eq!(rows(&other), [(Some(time!(10:15)), "none")]);
}

#[test]
fn the_zone_and_date_come_from_a_line_above_and_day_headings_date_rows() {
    let found = parse("All times in PST, on February 5th 2019\n\n* [08:47] Merged\n* [08:57] Noticed");
    assert_eq!(found.entries.len(), 2);
    assert_eq!(found.zone.as_ref().map(Zone::label).as_deref(), Some("UTC-8"));
    assert!(found.date.is_some());
    let days = parse("### May 12\n\n- 10:00 Started\n\n### May 13\n\n- 09:00 Fixed");
    assert_eq!(days.entries.len(), 2);
    assert_eq!(days.entries[1].day.map(|d| d.day), Some(13));
    assert_eq!(days.entries[1].date, None, "the row itself has no date");
    let stated =
        parse("Tuesday 5 August 2025, all times AEST (Sydney).\n\n| Time | Event |\n|---|---|\n| 13:40 | Pushed |");
    assert_eq!(stated.entries.len(), 1);
    assert_eq!(stated.entries[0].day.map(|d| d.day), Some(5));
    assert_eq!(stated.zone.as_ref().map(Zone::label).as_deref(), Some("UTC+10"));
}

#[test]
fn dated_log_lines_where_the_timeline_begins_are_rows() {
    let body = "From the logs:\n\n```\n2025-09-18 21:14:57,902 INFO deploy: rolled out\n2025-09-18 21:20:03,118 WARN queue slow\n```\n\n| epoch | event |\n|---|---|\n| 1758230712 | Page fired |";
    let found = parse(body);
    assert_eq!(
        rows(&found),
        [
            (Some(time!(21:14:57.902)), "INFO deploy: rolled out"),
            (Some(time!(21:20:03.118)), "WARN queue slow"),
            (Some(time!(21:25:12)), "Page fired")
        ]
    );
    assert_eq!(found.entries[0].date.and_then(|d| d.year), Some(2025));
    // After rows, a log excerpt is evidence for the row above, and a block of other lines
    // never becomes rows.
    let quoted = parse("- 10:15 Alert\n\n```\n2025-09-18 10:15:01 WARN x\n```");
    assert_eq!(quoted.entries.len(), 1);
    let mixed = parse("```\n2025-09-18 10:15:01 WARN x\nnot a log line\n```\n- 10:15 Alert");
    assert_eq!(mixed.entries.len(), 1);
    assert!(mixed.notes.contains("not a log line"));
}

#[test]
fn a_timeline_of_compact_times_reads_them_without_separators() {
    let found = parse("- 0558 Run completes.\n- 0612 Board stops.\n- 0631 hrs Ack.\n- 1420 Debrief.");
    assert_eq!(found.entries.len(), 4);
    assert_eq!(found.entries[3].time, Some(time!(14:20)));
    // Two such lines are not enough to read `1015 widgets` as a time.
    let few = parse("- 10:00 Start\n- 1015 widgets shipped\n- 2200 orders lost");
    assert_eq!(found.entries.len() - 3, few.entries.len());
}

#[test]
fn a_bold_date_line_or_a_date_in_the_introduction_is_the_rows_day() {
    let found = parse("**Sabato 29 marzo 2025**\n\n- 23:50 — Inizio\n\n**Domenica 30 marzo 2025**\n\n- 01:15 — Coda");
    assert_eq!(found.entries.len(), 2);
    assert_eq!(found.entries[1].day.map(|d| d.day), Some(30));
    assert_eq!(found.entries[1].text, "Coda");
    let introduced =
        parse("All times AEST. On the night of Thursday 21 August 2025.\n\n1. 22:30 — Call\n2. 00:03 — Failures");
    assert_eq!(introduced.entries[0].day.map(|d| d.day), Some(21));
    // A date in a row's own text is not the day of the rows.
    let later = parse("- 10:00 Deploy of the 2025-01-29 partition\n\nSee 2025-02-03 review.");
    assert_eq!(later.entries[0].day, None);
}

#[test]
fn a_day_headings_words_go_with_the_first_row_under_it_or_stay_in_the_notes() {
    let found = parse(
        "### Wednesday 4 June\n\n- 10:00 Letter sent\n- 11:00 Replies\n\n**Thu 5 June**\n\n\
         - 2025-06-05 09:00 Calls\n\n### 6 June: the review\n\n- ~10:00 Review\n\n### 7 June\n",
    );
    let written: Vec<Option<&str>> = found.entries.iter().map(|e| e.time_as_written.as_deref()).collect();
    assert_eq!(written, [Some("Wednesday 4 June, 10:00"), Some("11:00"), Some("2025-06-05 09:00"), Some("10:00")]);
    assert_eq!(found.entries[3].day.map(|d| d.day), Some(6));
    // A row with its own date, a heading with more than its date and one with no row
    // below keep their words in the notes.
    let notes: Vec<&str> = found.notes.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(notes, ["**Thu 5 June**", "### 6 June: the review", "### 7 June"]);
    // A row with a date alone keeps the date as written.
    let dated = parse("- 2024-08-13: Report acknowledged\n- 2024-08-16: Fix confirmed");
    assert_eq!(dated.entries[0].time_as_written.as_deref(), Some("2024-08-13"));
    assert_eq!(dated.entries[0].time, None);
}

#[test]
fn an_item_of_the_rows_list_without_a_time_is_a_row_without_one() {
    let body = "Times are BST.\n\n- Not a row: the introduction's list.\n- 14:16 Paged on-call\n  - no answer after 5 minutes\n- Someone posted in #status (time not recorded).\n- 14:31 Timeouts continue";
    let found = parse(body);
    assert_eq!(
        rows(&found),
        [
            (Some(time!(14:16)), "Paged on-call\n- no answer after 5 minutes"),
            (None, "Someone posted in #status (time not recorded)."),
            (Some(time!(14:31)), "Timeouts continue")
        ]
    );
    assert!(found.notes.contains("Not a row"));
    // Under a sub-heading of the timeline, items before the first time are rows too.
    let parts =
        parse("### The weeks before\n\n- Latency drifts up.\n\n### The day\n\n- 09:30 Graph posted\n- 10:15 Confirmed");
    assert_eq!(parts.entries.len(), 3);
    assert_eq!(parts.entries[0].time, None);
    // With one timed item only, other items stay with it.
    let one = parse("- 10:15 Alert\n- more detail");
    assert_eq!(one.entries.len(), 1);
}

#[test]
fn rows_relative_to_a_stated_moment_zero() {
    let found =
        parse("T0 = 23:55 UTC, 1 March 2025.\n\n- T-3 — Declines\n- T0 — Alert\n- +19m — Confirmed\n- T+1:05 — Paused");
    assert_eq!(
        rows(&found),
        [
            (Some(time!(23:52)), "Declines"),
            (Some(time!(23:55)), "Alert"),
            (Some(time!(00:14)), "Confirmed"),
            (Some(time!(01:00)), "Paused")
        ]
    );
    assert_eq!(found.entries[2].date.map(|d| d.day), Some(2));
    assert_eq!(found.entries[3].time_as_written.as_deref(), Some("T+1:05"));
    assert_eq!(found.entries[0].zone, Some(Zone::UTC));
    // No moment zero stated: rows without a time, nothing invented.
    let unstated = parse("- T-3 — Declines\n- T0 — Alert");
    assert_eq!(rows(&unstated), [(None, "Declines"), (None, "Alert")]);
}

#[test]
fn bare_lines_and_time_headings() {
    let found = parse("10:15 Alert\n10:20 Ack\nwrapped line");
    assert_eq!(rows(&found), [(Some(time!(10:15)), "Alert"), (Some(time!(10:20)), "Ack\nwrapped line")]);
    let headings = parse("### 10:15\nThe alert.\n\n### 10:30 Rollback\nDone.");
    assert_eq!(rows(&headings), [(Some(time!(10:15)), "The alert."), (Some(time!(10:30)), "Rollback\nDone.")]);
}

#[test]
fn a_table_row_whose_time_is_a_dash_is_a_row_without_a_time() {
    let body = "| Hora | Evento |\n|------|--------|\n| 15:25 | Operaciones libera lotes. |\n\
                | — | Soporte publica aviso en la app. |\n| 16:20 | Fin del impacto. |";
    let found = parse(body);
    assert_eq!(
        rows(&found),
        vec![
            (Some(time!(15:25)), "Operaciones libera lotes."),
            (None, "Soporte publica aviso en la app."),
            (Some(time!(16:20)), "Fin del impacto."),
        ]
    );
    for mark in ["–", "?", "n/a", "N/A"] {
        let body = format!("| Time | Event |\n|---|---|\n| 10:00 | Deploy |\n| {mark} | Banner posted |");
        assert_eq!(rows(&parse(&body))[1], (None, "Banner posted"), "{mark}");
    }
    // A cell with words, or a row with nothing but the mark, is not a row.
    let body = "| Time | Event |\n|---|---|\n| 10:00 | Deploy |\n| later | Banner posted |\n| — | |";
    assert_eq!(parse(body).entries.len(), 1);
}

#[test]
fn a_table_after_other_rows_is_a_separate_log() {
    let body = "- 08.15 Uhr – Erste Fehler\n- 13.00 Uhr – Kunden informiert\n\nDas Team Lausanne separat:\n\n\
                | Heure | Événement |\n|---|---|\n| 09h25 | Prise en charge |\n| 09h50 | Disque plein |";
    let found = parse(body);
    let separate: Vec<bool> = found.entries.iter().map(|entry| entry.separate).collect();
    assert_eq!(separate, vec![false, false, true, false]);
    // A table that is the whole timeline is not separate from anything.
    let alone = parse("| Time | Event |\n|---|---|\n| 10:00 | Deploy |\n| 10:05 | Errors |");
    assert!(alone.entries.iter().all(|entry| !entry.separate));
}
