//! Unit tests of [`super`]: recognising a document, resolving its instants, and drafting it.

use time::macros::datetime;

use super::rows::words;
use super::*;

#[test]
fn the_seed_imports_as_the_issue_expects() {
    let Ok(seed) = std::fs::read_to_string("../shared/fixtures/postmortems/seed.md") else {
        eprintln!("../shared is absent: skipping");
        return;
    };
    let draft = recognise(&seed, Some("seed.md"));
    assert_eq!(draft.started_at, Some(datetime!(2025-03-01 10:15 +02:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-01 11:05 +02:00)));
    assert_eq!(draft.utc_offset_minutes, 120);
    assert_eq!(draft.timeline.len(), 8);
    assert_eq!(draft.timeline[0].occurred_at, Some(datetime!(2025-03-01 10:15 +02:00)));
    assert_eq!(draft.timeline[7].occurred_at, Some(datetime!(2025-03-01 11:05 +02:00)));
    assert_eq!(draft.action_items.len(), 4);
    assert!(draft.action_items.iter().all(ResolvedItem::is_done));
    assert!(draft.texts[Section::Impact].body.starts_with("Our beloved web app"));
    assert!(draft.texts[Section::RootCause].body.contains("connection pool"));
    assert!(draft.texts[Section::CorrectiveMeasures].body.contains("How We’ll Avoid Another Meltdown"));
    // The seed names no severity: the one assumption, said.
    assert_eq!(draft.notes, ["No severity was stated; it is saved as SEV3 until you choose one."]);
}

#[test]
fn a_hindsight_export_reads_back_its_metadata() {
    let export = include_str!("../../../tests/golden/seed.md");
    let draft = recognise(export, None);
    assert_eq!(draft.title, "The Great Database Meltdown of 2025");
    assert_eq!(draft.severity, Some(Severity::Sev2));
    assert_eq!(draft.status, Some(Status::Published));
    assert_eq!(draft.started_at, Some(datetime!(2025-03-01 10:15 +02:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-01 11:05 +02:00)));
    assert!(
        draft.texts[Section::Summary].body.starts_with("A database connection pool"),
        "{:?}",
        draft.texts[Section::Summary]
    );
    assert_eq!(draft.timeline.len(), 8);
    assert_eq!(draft.timeline[3].occurred_at, Some(datetime!(2025-03-01 10:30 +02:00)));
    assert_eq!(draft.action_items.len(), 4);
}

#[test]
fn timelines_roll_over_midnight_and_take_dates_from_rows_above() {
    let doc = "# Night\n\n**Duration:** 2025-03-01 from 23:40 to 00:30 UTC\n\n## Timeline\n\n- 23:40 Paged\n- 23:55 Rolled back\n- 00:10 Recovered\n- 2025-03-03 09:00 Review";
    let draft = recognise(doc, None);
    let instants: Vec<_> = draft.timeline.iter().map(|e| e.occurred_at).collect();
    assert_eq!(
        instants,
        [
            Some(datetime!(2025-03-01 23:40 UTC)),
            Some(datetime!(2025-03-01 23:55 UTC)),
            Some(datetime!(2025-03-02 00:10 UTC)),
            Some(datetime!(2025-03-03 09:00 UTC)),
        ]
    );
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-02 00:30 UTC)));
}

#[test]
fn named_zones_apply_daylight_saving() {
    let doc = "# Summer\n\nAll times America/New_York.\n\n**Duration:** July 4, 2025, from 10:00 to 11:00 (America/New_York)\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-07-04 10:00 -04:00)));
    assert_eq!(draft.zone, "America/New_York");
    let winter = recognise("# Winter\n\n**Duration:** January 4, 2025, from 10:00 to 11:00 (America/New_York)\n", None);
    assert_eq!(winter.started_at, Some(datetime!(2025-01-04 10:00 -05:00)));
}

/// The night clocks go forward, rows after the change are written in summer time while the
/// timeline is shown in the offset of the start: each keeps its clock as written, with its
/// offset named, and the export reads back as the same rows.
#[test]
fn a_row_written_in_another_offset_keeps_its_time_as_written() {
    let doc = "# Clocks\n\nAll times Europe/Berlin.\n\n**Start:** 2025-03-30 01:40\n\n## Timeline\n\n\
               - 01:40 Queue stalls\n- 03:10 Queue drains\n- 07:05–07:40 Two restarts fail\n";
    let drafts = recognise(doc, None).to_drafts();
    assert_eq!(drafts.incident.offset.minutes(), 60);
    let written: Vec<&str> = drafts.timeline.iter().map(|row| row.time_as_written.as_str()).collect();
    assert_eq!(written, ["", "03:10 UTC+2", "07:05–07:40 UTC+2"]);
    assert_eq!(drafts.timeline[1].occurred_at, datetime!(2025-03-30 03:10 +02:00));
    let exported = crate::markdown::export::export(&saved(drafts.clone()));
    assert!(exported.contains("- **03:10 UTC+2** – Queue drains\n"), "{exported}");
    let again = recognise(&exported, None).to_drafts();
    assert_eq!(again.timeline, drafts.timeline);
    assert_eq!(crate::markdown::export::export(&saved(again)), exported);
}

/// A day heading is kept with the first row under it, and a row with a date alone with its
/// date, whether the document states a start or not; the export reads back as itself.
#[test]
fn day_headings_and_dates_alone_are_exported_as_written() {
    let doc = "# Days\n\n## Timeline\n\n### Tuesday 3 June 2025\n\n- 23:50 Import runs\n\n\
               ### Wednesday 4 June\n\n- 00:20 Bills sent\n- 10:00 Apology\n- 2025-06-06 Review held\n";
    for start in ["", "**Start:** 2025-06-03 23:50 UTC\n\n"] {
        let doc = doc.replace("## Timeline", &format!("{start}## Timeline"));
        let drafts = recognise(&doc, None).to_drafts();
        let exported = crate::markdown::export::export(&saved(drafts.clone()));
        assert!(exported.contains("- **Wednesday 4 June, 00:20** – Bills sent\n"), "{exported}");
        // A row dated and not timed is a row at the start of its day, its date as written.
        assert!(exported.contains("- **2025-06-06** – Review held\n"), "{exported}");
        let again = recognise(&exported, None).to_drafts();
        assert_eq!(again.timeline, drafts.timeline);
        assert_eq!(crate::markdown::export::export(&saved(again)), exported);
    }
    // Without a start, the first row's day without its year is left to the export's date,
    // which the rows below take their year from; the weekday the date does not repeat stays
    // after the row's text.
    let yearless = doc.replace("# Days", "# Outage of 2025-06-03").replace("June 2025", "June");
    let drafts = recognise(&yearless, None).to_drafts();
    assert_eq!(drafts.timeline[0].time_as_written, "");
    let exported = crate::markdown::export::export(&saved(drafts.clone()));
    assert!(
        exported
            .contains("- **2025-06-03 23:50** – Import runs (Tuesday 3 June, 23:50)\n- **Wednesday 4 June, 00:20**"),
        "{exported}"
    );
    assert_eq!(recognise(&exported, None).to_drafts().timeline, drafts.timeline);
}

/// Both seasons of one region named (`CET`, then `CEST`): read as the region's zone, and said.
#[test]
fn a_zone_named_by_both_its_seasons_is_read_as_the_region_and_noted() {
    let doc = "# Night\n\nTimes are CET (UTC+1) until 02:00, then CEST (UTC+2).\n\n**Start:** 2025-03-30 01:40\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.zone, "Europe/Berlin");
    let said = draft.notes.iter().filter(|note| note.contains("CET and CEST") && note.contains("Europe/Berlin"));
    assert_eq!(said.count(), 1, "{:?}", draft.notes);
    // One season alone is a fixed offset: nothing to say.
    let winter = recognise("# Night\n\nTimes are CET.\n\n**Start:** 2025-03-30 01:40\n", None);
    assert_eq!(winter.zone, "UTC+1");
    assert!(!winter.notes.iter().any(|note| note.contains("daylight saving")), "{:?}", winter.notes);
}

#[test]
fn the_seed_becomes_rows_to_save() {
    let Ok(seed) = std::fs::read_to_string("../shared/fixtures/postmortems/seed.md") else {
        eprintln!("../shared is absent: skipping");
        return;
    };
    let drafts = recognise(&seed, Some("seed.md")).to_drafts();
    assert_eq!(drafts.incident.status, Status::Draft);
    assert_eq!(drafts.incident.offset.minutes(), 120);
    assert_eq!(drafts.timeline.len(), 8);
    assert_eq!(drafts.action_items.len(), 4);
    assert!(drafts.action_items.iter().all(|item| item.is_done()));
    assert!(drafts.sections.is_empty(), "{:?}", drafts.sections);
    // A document that states no start is saved without one: its rows without a date kept as
    // written, in a section of their own.
    let undated = recognise("# X\n\n## Timeline\n\n- 10:00 It broke\n", None).to_drafts();
    assert_eq!(undated.incident.started_at, None);
    assert!(undated.timeline.is_empty());
    assert_eq!(undated.sections.len(), 1);
    assert!(undated.sections[0].body.contains("10:00 It broke"), "{:?}", undated.sections);
}

/// Per fixture, the share of the source's distinct words found in the export of its import
/// (`cargo test word_retention -- --nocapture` prints them). Every word must be there (an
/// action-item table's column headers too, in the notes' line for the table).
#[test]
fn word_retention() {
    let Some(fixtures) = super::super::fixtures() else { return };
    let mut complete = 0;
    for (name, text) in &fixtures {
        let name = name.as_str();
        let mut draft = recognise(text, Some(name));
        // A document that states no start still exports once the user enters one: say the
        // first time in its timeline.
        let first_row = draft.timeline.iter().find_map(|entry| entry.occurred_at);
        draft.started_at = draft.started_at.or(first_row).or(Some(datetime!(2000-01-01 00:00 UTC)));
        let drafts = draft.to_drafts();
        let export = crate::markdown::export::export(&saved(drafts));
        let (source, exported) = (words(text), words(&export));
        let kept = source.intersection(&exported).count();
        let missing: Vec<&String> = source.difference(&exported).collect();
        println!(
            "{name}: {:.1}% of {} words kept; not repeated: {missing:?}",
            100.0 * kept as f64 / source.len().max(1) as f64,
            source.len()
        );
        assert!(missing.is_empty(), "{name}: words lost in the export: {missing:?}");
        complete += usize::from(missing.is_empty());
    }
    println!("{complete} of {} documents: every word repeated", fixtures.len());
}

#[test]
fn times_at_the_ends_of_the_calendar_are_no_times() {
    let doc = "# X\n\n**Duration:** 2025-03-01 from 10:15 to 11:00 UTC+14\n\n## Timeline\n\n- 9999-12-31 23:00 UTC-12 – the last hour\n- 2025-03-01 10:20 UTC+14 – next";
    let draft = recognise(doc, None);
    assert_eq!(draft.timeline[0].occurred_at, None);
    assert_eq!(draft.timeline[1].occurred_at, Some(datetime!(2025-03-01 10:20 +14:00)));
    // Exporting used to panic: the row's instant has no date in the incident's offset.
    let export = crate::markdown::export::export(&saved(draft.to_drafts()));
    assert!(export.contains("the last hour"), "{export}");
    let late = recognise("# X\n\n- **Start:** 9999-12-31 23:59 UTC-12\n- **End:** ongoing\n", None);
    assert_eq!(late.started_at, None);
}

#[test]
fn start_and_end_lines_state_the_span_and_stay_in_the_text() {
    let doc = "# Outage\n\n**Start:** 2025-03-01 10:15 UTC+2\n**End:** 2025-03-01 11:05 UTC+2\n\nIt broke.\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-03-01 10:15 +02:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-01 11:05 +02:00)));
    assert!(
        draft.texts[Section::Summary].body.starts_with("**Start:** 2025-03-01 10:15 UTC+2\n**End:**"),
        "{:?}",
        draft.texts[Section::Summary]
    );
}

#[test]
fn the_timeline_heading_can_say_the_zone() {
    let doc =
        "# Outage\n\n**Start:** 2025-02-13 23:00\n\n## Timeline (all times PST)\n\n02-13-2025 11:00 pm - Started\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.zone, "UTC-8");
    assert_eq!(draft.timeline[0].occurred_at, Some(datetime!(2025-02-13 23:00 -08:00)));
}

#[test]
fn missing_facts_are_noted_not_invented() {
    let draft = recognise("# Something broke\n\n## Timeline\n\n- 10:00 It broke\n", None);
    assert_eq!(draft.started_at, None);
    assert!(draft.notes.iter().any(|n| n.contains("No start")));
    assert!(draft.notes.iter().any(|n| n.contains("UTC")));
    assert_eq!(draft.timeline[0].occurred_at, None);
}

#[test]
fn an_exports_tracking_fields_come_back_and_only_web_links_become_tickets() {
    let doc = "# Outage\n\n- **Severity:** SEV2\n- **Status:** Draft\n- **Start:** 2025-03-01 10:15 UTC\n- **End:** ongoing\n\n## Action Items\n\n- [ ] Cap pools — **Kind:** mitigation · **Priority:** P1 · **Status:** won't do: replaced · **Ticket:** https://t.example/1\n- [ ] Rotate keys — **Priority:** urgent · **Ticket:** javascript:alert(1)\n";
    let drafts = recognise(doc, None).to_drafts();
    let [first, second] = &drafts.action_items[..] else { panic!("two items: {:?}", drafts.action_items) };
    assert_eq!(
        (first.kind, first.priority, first.status),
        (Some(ActionKind::Mitigation), Some(Priority::P1), ActionStatus::WontDo)
    );
    assert_eq!((first.wont_do_reason.as_str(), first.ticket_url.as_str()), ("replaced", "https://t.example/1"));
    assert_eq!(first.body, "Cap pools");
    assert_eq!((second.priority, second.ticket_url.as_str()), (None, ""));
    assert_eq!(
        second.body, "Rotate keys (ticket: javascript:alert(1); priority: urgent)",
        "kept as text, never a link"
    );
}

/// Every real fixture fits the limits every way in shares (`domain::limits`), once it has a
/// start: the limits refuse runaway documents, not real ones.
#[test]
fn every_real_fixture_fits_the_limits() {
    let Some(fixtures) = super::super::fixtures() else { return };
    for (name, text) in &fixtures {
        let mut draft = recognise(text, Some(name));
        let first_row = draft.timeline.iter().find_map(|entry| entry.occurred_at);
        draft.start_conflict = None;
        draft.started_at = draft.started_at.or(first_row).or(Some(datetime!(2000-01-01 00:00 UTC)));
        let d = draft.to_drafts();
        let checked = crate::domain::limits::check_postmortem(&d.incident, &d.timeline, &d.action_items, &d.sections);
        assert_eq!(checked, Ok(()), "{name}");
    }
}

#[test]
fn two_different_starts_are_a_question_for_the_user_not_a_refusal() {
    let doc = "# Outage\n\n**Start:** 2025-03-01 10:15 UTC\n\nIt broke.\n\n## Impact\n\n**Start:** 2025-03-02 09:00 UTC\n\nSlow.\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, None, "neither is picked");
    let conflict = draft.start_conflict.clone().expect("the conflict is kept");
    assert!(conflict.contains("2025-03-01 10:15 UTC") && conflict.contains("2025-03-02 09:00 UTC"), "{conflict}");
    assert!(draft.notes.contains(&conflict), "{:?}", draft.notes);
    // Saved all the same, without a start, the draft asking for it.
    assert_eq!(draft.to_drafts().incident.started_at, None);

    // Saying the same thing twice is no conflict; a start the user entered settles it.
    let twice = "# Outage\n\n- **Start:** 2025-03-01 10:15 UTC\n\n**Start:** 2025-03-01 10:15 UTC\n";
    assert_eq!(recognise(twice, None).started_at, Some(datetime!(2025-03-01 10:15 UTC)));
    let chosen = Corrections { start: Some(datetime!(2025-03-02 09:00 UTC)), offset: None };
    let corrected = recognise_with(doc, None, &chosen);
    assert_eq!((corrected.start_conflict, corrected.started_at), (None, Some(datetime!(2025-03-02 09:00 UTC))));
    let metadata = "# Outage\n\n- **Start:** 2025-03-01 10:15 UTC\n- **Start:** 2025-03-01 11:15 UTC\n";
    assert!(recognise(metadata, None).start_conflict.is_some(), "two metadata lines too");
}

#[test]
fn a_zone_that_is_not_one_is_a_question_for_the_user_not_utc() {
    for (doc, written) in [
        ("# Outage\n\n- **Start:** 2025-03-01 10:15 UTC+24:00\n", "UTC+24:00"),
        ("# Outage\n\n**Start:** 2025-03-01 10:15\n\n## Timeline (all times GMT-13)\n\n- 10:15 Paged\n", "GMT-13"),
        ("---\ntimezone: Mars/Olympus\n---\n# Outage\n\n**Start:** 2025-03-01 10:15\n", "Mars/Olympus"),
        ("# Outage\n\n**Start:** 2025-03-01 10:15 Europe/Lodnon\n", "Europe/Lodnon"),
        ("# Outage\n\n**Start:** 2025-03-01 10:15\n\n## Timeline\n\n- 10:15 +25:00 Paged\n", "10:15 +25:00"),
    ] {
        let draft = recognise(doc, None);
        let problem = draft.zone_problem.clone().unwrap_or_else(|| panic!("{written}: no problem found"));
        assert!(problem.contains(&format!("“{written}”")), "{problem}");
        assert!(problem.contains("UTC-12 to UTC+14"), "{problem}");
        assert!(draft.notes.contains(&problem), "{:?}", draft.notes);
        // Saved all the same, but no time is read as UTC: no start or end, and every row's
        // time kept as written.
        let drafts = draft.to_drafts();
        assert_eq!((drafts.incident.started_at, drafts.incident.ended_at), (None, None), "{written}");
        assert!(drafts.timeline.is_empty(), "{written}: {:?}", drafts.timeline);
        if doc.contains("Paged") {
            assert!(
                drafts.sections.iter().any(|s| s.body.contains("10:15") && s.body.contains("Paged")),
                "{written}: {:?}",
                drafts.sections
            );
        }

        // The offset the user chooses settles it.
        let chosen = Corrections { start: None, offset: Some(Offset::from_minutes(120)) };
        let corrected = recognise_with(doc, None, &chosen);
        assert_eq!(corrected.zone_problem, None);
        assert_eq!(corrected.utc_offset_minutes, 120, "{written}");
    }
    // Zones at their limits are read as written.
    let east = recognise("# Outage\n\n- **Start:** 2025-03-01 10:15 UTC+14:00\n", None);
    assert_eq!((east.zone_problem, east.utc_offset_minutes), (None, 14 * 60));
    let west = recognise("# Outage\n\n- **Start:** 2025-03-01 10:15 UTC-12:00\n", None);
    assert_eq!((west.zone_problem, west.utc_offset_minutes), (None, -12 * 60));
}

#[test]
fn a_published_document_is_imported_as_a_draft_and_told_so() {
    let doc = "# Outage\n\n- **Severity:** SEV2\n- **Status:** Published\n- **Start:** 2025-03-01 10:15 UTC\n";
    let draft = recognise(doc, None);
    assert!(draft.notes.iter().any(|note| note == "Imported as a draft; it was marked Published in the document."));
    let front = recognise("---\nstatus: in review\n---\n# Outage\n\n**Start:** 2025-03-01 10:15 UTC\n", None);
    assert!(front.notes.iter().any(|note| note.contains("marked In review")), "{:?}", front.notes);
}

#[test]
fn the_span_is_read_from_labelled_lines_in_any_language_list_or_not() {
    let german = "# Störung\n\nAlle Zeitangaben in MESZ.\n\n## Zusammenfassung\n\nText.\n\n\
                  - **Beginn der Auswirkung:** 10.09.2024, 14:20 Uhr\n- **Ende der Auswirkung:** 10.09.2024, 18:35 Uhr\n";
    let draft = recognise(german, None);
    assert_eq!(draft.started_at, Some(datetime!(2024-09-10 14:20 +02:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2024-09-10 18:35 +02:00)));

    let plain = "# Episodes missing\n\nStart: Thursday, 14 Nov 2024, 11:48 PM EST\nEnd: Friday, 15 Nov 2024, 1:05 AM EST\n\n## Summary\n\nText.\n";
    let draft = recognise(plain, None);
    assert_eq!(draft.started_at, Some(datetime!(2024-11-14 23:48 -05:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2024-11-15 01:05 -05:00)));

    // Pasted command output says `Started:` too; a quote or an indented block is not a label.
    let quoted = "# Jobs slow\n\n## Summary\n\nText.\n\n>      Started:      Mon, 01 Jan 0001 00:00:00 +0000\n\n        Started: 2020-01-01 10:00 UTC\n";
    let draft = recognise(quoted, None);
    assert_eq!(draft.started_at, None);
}

#[test]
fn the_span_is_read_from_front_matter_keys_and_metadata_tables() {
    let front = "---\ntitle: Pushes late\ndate: 2025-03-27\nimpact_start: \"10:05\"\nimpact_end: \"13:50\"\ntimezone: Asia/Tokyo\n---\n\n## Overview\n\nText.\n";
    let draft = recognise(front, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-03-27 10:05 +09:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-03-27 13:50 +09:00)));
    assert!(draft.notes.iter().any(|note| note.contains("time alone")), "{:?}", draft.notes);

    let table = "## Labels failing\n\n| Field | Value |\n|---|---|\n| Start time | 2025-04-08 09:12 |\n\
                 | End time | 2025-04-08 11:47 |\n| Time zone | Europe/Berlin |\n\n### Summary\n\nText.\n";
    let draft = recognise(table, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-04-08 09:12 +02:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-04-08 11:47 +02:00)));
}

#[test]
fn timeline_rows_that_mark_the_impact_give_the_span_when_nothing_else_does() {
    let doc = "# Sync down\n\n## Summary\n\nText.\n\n## Timeline\n\n- 2025-09-16 07:58 UTC — Change begins.\n\
               - 2025-09-16 08:14 UTC — **Outage starts.** Clients fail.\n- 2025-09-16 09:02 UTC — **Mitigated.** Back.\n\
               - 2025-09-16 11:40 UTC — **Resolved.** Clean-up done.\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-09-16 08:14 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2025-09-16 09:02 UTC)));
    assert!(draft.notes.iter().any(|note| note.contains("read from the timeline row")), "{:?}", draft.notes);
    // A stated start wins over a row.
    let stated = doc.replace("Text.", "**Start:** 2025-09-16 08:00 UTC");
    assert_eq!(recognise(&stated, None).started_at, Some(datetime!(2025-09-16 08:00 UTC)));
}

#[test]
fn a_sentence_that_says_when_the_impact_began_and_ended_gives_the_span() {
    let english = "# Checkout down\n\n## Summary\n\nOn 2024-08-20 the impact began at 19:12 UTC and ended at 20:58 UTC, \
                   when the last store recovered.\n";
    let draft = recognise(english, None);
    assert_eq!(draft.started_at, Some(datetime!(2024-08-20 19:12 UTC)));
    assert_eq!(draft.ended_at, Some(datetime!(2024-08-20 20:58 UTC)));
    assert!(draft.notes.iter().any(|note| note.contains("“began at 19:12 UTC”")), "{:?}", draft.notes);

    let portuguese = "# Pedidos\n\n- **Data:** terça-feira, 20/08/2024\n- **Fuso horário:** BRT, UTC−3\n\n## Resumo\n\n\
                      O impacto começou às 19h12 e terminou às 20h58, quando tudo voltou.\n";
    let draft = recognise(portuguese, None);
    assert_eq!(draft.started_at, Some(datetime!(2024-08-20 19:12 -03:00)));
    assert_eq!(draft.ended_at, Some(datetime!(2024-08-20 20:58 -03:00)));

    // A time far from the verb is not its time; a labelled line wins over any sentence.
    let far = "# X\n\n## Summary\n\nOn 2024-08-20 the rollout began, and some hours and a great many retries later, at 19:12, it broke.\n";
    assert_eq!(recognise(far, None).started_at, None);
    let labelled = english.replace("## Summary\n", "**Start:** 2024-08-20 19:00 UTC\n\n## Summary\n");
    assert_eq!(recognise(&labelled, None).started_at, Some(datetime!(2024-08-20 19:00 UTC)));
}

/// What the importer recognises in one real fixture, as figures only (the fixtures' text stays
/// in `../shared`): one line of `tests/golden/import-fixtures.txt`.
fn recognised_figures(name: &str, text: &str) -> String {
    let draft = recognise(text, Some(name));
    let instant = |at: Option<OffsetDateTime>| at.map_or_else(|| "-".to_owned(), |at| at.to_string());
    let timed = draft.timeline.iter().filter(|entry| entry.occurred_at.is_some()).count();
    let owned = draft.action_items.iter().filter(|item| item.item.owner.is_some()).count();
    let due = draft.action_items.iter().filter(|item| item.due_on.is_some() || item.item.due.is_some()).count();
    let done = draft.action_items.iter().filter(|item| item.item.status != ItemStatus::Open).count();
    format!(
        "{name}\tstart {}\tend {}\trows {}\ttimed {timed}\titems {}\towned {owned}\tdue {due}\tclosed {done}",
        instant(draft.started_at),
        instant(draft.ended_at),
        draft.timeline.len(),
        draft.action_items.len(),
    )
}

/// The real fixtures stay at their recognised results or better: the same start and end once
/// found, and never fewer rows with an instant, items, owners or due dates. `UPDATE_GOLDEN=1`
/// rewrites the file after an improvement (review the diff).
#[test]
fn real_fixtures_keep_what_they_were_recognised_with() {
    const GOLDEN: &str = "tests/golden/import-fixtures.txt";
    let Some(fixtures) = super::super::fixtures() else { return };
    let now: Vec<String> = fixtures.iter().map(|(name, text)| recognised_figures(name, text)).collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, now.join("\n") + "\n").expect("write the golden file");
    }
    let golden = std::fs::read_to_string(GOLDEN).expect("the golden file exists (UPDATE_GOLDEN=1 writes it)");
    let fields = |line: &str| -> Vec<(String, String)> {
        line.split('\t')
            .skip(1)
            .filter_map(|field| field.split_once(' ').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect()
    };
    for (before, after) in golden.lines().zip(&now) {
        let name = before.split('\t').next().unwrap_or_default();
        for ((key, was), (_, is)) in fields(before).into_iter().zip(fields(after)) {
            let kept = match (was.parse::<usize>(), is.parse::<usize>()) {
                (Ok(was), Ok(is)) => is >= was,
                _ => was == is || was == "-",
            };
            assert!(kept, "{name}: {key} was {was}, now {is}");
        }
    }
    assert_eq!(golden.lines().count(), now.len(), "one line a fixture");
}

/// A draft without a start exports without a `Start:` line (and with every timeline row
/// dated, since there is no first day to leave unsaid), and reads back the same, by the
/// export's grammar, whether it states an end, a timeline over several days, or neither.
#[test]
fn a_draft_without_a_start_round_trips_through_its_export() {
    let documents = [
        "# Undated\n\nIt broke.\n\n## Impact\n\nSlow.\n",
        "# Ended\n\n- **End:** 2025-03-02 01:10 UTC+2\n\n## Impact\n\nSlow.\n",
        "# Rows\n\n## Timeline\n\n- 2025-03-01 23:50 UTC+2 Alert fired\n- 2025-03-02 00:10 UTC+2 Rolled back\n- 10:00 Review\n",
    ];
    for document in documents {
        let found = recognise(document, None);
        assert_eq!(found.started_at, None, "{document}");
        let exported = crate::markdown::export::export(&saved(found.to_drafts()));
        assert!(!exported.contains("**Start:**") && !exported.contains("ongoing"), "{exported}");
        let again =
            super::super::exported::read(&exported).unwrap_or_else(|| panic!("read by the grammar:\n{exported}"));
        assert_eq!(again.started_at, None);
        let re_exported = crate::markdown::export::export(&saved(again.to_drafts()));
        assert_eq!(re_exported, exported);
    }
    // A time alone goes by the row above's date, with or without a start.
    let rows = recognise(documents[2], None).to_drafts();
    assert_eq!(rows.timeline.len(), 3, "{rows:?}");
    assert_eq!(rows.timeline[2].occurred_at, datetime!(2025-03-02 10:00 +02:00));
    assert_eq!(rows.incident.offset.minutes(), 120);
}

/// The export of `doc`'s import, and the source's words it does not repeat.
fn exported_and_lost(doc: &str) -> (String, Vec<String>) {
    let export = crate::markdown::export::export(&saved(recognise(doc, None).to_drafts()));
    let lost = words(doc).difference(&words(&export)).cloned().collect();
    (export, lost)
}

#[test]
fn labels_and_words_lifted_from_list_items_are_kept_as_written() {
    let doc = "# Caída del portal\n\n**Inicio:** 2025-03-03 10:00 UTC\n\n## Acciones\n\n\
               1. Añadir alertas (Responsable: Ana Ruiz, plazo: 2025-03-14)\n\
               2. Revisar el runbook (Responsable: Luis Gil, plazo: Q2 2025) — hecho, revisado el lunes\n";
    let (export, lost) = exported_and_lost(doc);
    assert!(lost.is_empty(), "{lost:?} lost from\n{export}");
    // What a field shows is not repeated; what it does not show stays, with its label.
    assert!(export.contains("- [ ] Añadir alertas (No. 1) — **Owner:** Ana Ruiz · **Due:** 2025-03-14\n"), "{export}");
    assert!(export.contains("Revisar el runbook (No. 2; plazo: Q2 2025) — **Owner:** Luis Gil"), "{export}");
    // The status word stays in the note it begins.
    assert!(export.contains("**Note:** hecho, revisado el lunes"), "{export}");
    // The labels whose values the fields show are named once, for the list.
    assert!(
        export.contains("The items' fields were read from their own labels: Responsable (owner), plazo (due date)."),
        "{export}"
    );
}

#[test]
fn a_tables_headers_number_and_cells_are_kept_as_written() {
    let doc = "# Storing kassa\n\n## Acties\n\n| Nr | Actie | Eigenaar | Uiterlijk | Status |\n|---|---|---|---|---|\n\
               | 7 | Back-ups testen | Daan | 2025-05-02 | Gereed |\n| 8 | Monitoring uitbreiden | Femke | week 20 | Open |\n";
    let (export, lost) = exported_and_lost(doc);
    assert!(lost.is_empty(), "{lost:?} lost from\n{export}");
    assert!(
        export.contains("- [x] Back-ups testen (Nr 7; Status: Gereed) — **Owner:** Daan · **Due:** 2025-05-02\n"),
        "{export}"
    );
    assert!(export.contains("- [ ] Monitoring uitbreiden (Nr 8; Uiterlijk: week 20; Status: Open) — **Owner:** Femke · **Due:** 2025-05-16\n"), "{export}");
    assert!(
        export.contains("Imported from a table with the columns Nr, Actie, Eigenaar, Uiterlijk, Status."),
        "{export}"
    );
}

#[test]
fn the_year_given_to_a_due_written_without_one_is_noted() {
    let doc = "# Outage\n\n**Start:** 2025-12-10 10:00 UTC\n\n## Action items\n\n\
               - Fix A (Ana, 2025-12-19)\n- Fix B (Ana, W02)\n- Fix C (Bo, 12 Jan)\n";
    let draft = recognise(doc, None);
    // The week nearest the list's dates is January's, of the next year.
    assert_eq!(draft.action_items[1].due_on, Some(time::macros::date!(2026 - 01 - 09)));
    let said = |start: &str| draft.notes.iter().any(|note| note.starts_with(start));
    assert!(
        said(
            "Due weeks, quarters and month ends written without a year were read in the year nearest the earliest day \
             the action items' dues name (2025-12-19): 2026 for W02."
        ),
        "{:?}",
        draft.notes
    );
    // 12 January of the incident's year would come before it: the next year's.
    assert_eq!(draft.action_items[2].due_on, Some(time::macros::date!(2026 - 01 - 12)));
    assert!(
        said(
            "Due dates written without a year (12 Jan) were read in 2026: in the incident's year (2025-12-10) they \
             would come before it."
        ),
        "{:?}",
        draft.notes
    );
}

#[test]
fn a_heading_that_cannot_head_the_items_is_named_in_their_notes() {
    // Read back, `4. Corrective actions` would be the corrective measures: the export heads the
    // items with its own heading, and the notes keep the authors'.
    let doc = "# Outage\n\n## 4. Corrective actions\n\n| Action | Owner | Due |\n|---|---|---|\n| Add alerts | Sam | 2025-05-02 |\n";
    let (export, lost) = exported_and_lost(doc);
    assert!(lost.is_empty(), "{lost:?} lost from\n{export}");
    assert!(export.contains("The action items were under the heading “4. Corrective actions”."), "{export}");
    // A heading the export keeps is not named again.
    let (export, _) = exported_and_lost("# Outage\n\n## Follow-ups\n\n- Add alerts\n");
    assert!(export.contains("## Follow-ups") && !export.contains("under the heading"), "{export}");
}

#[test]
fn rows_counted_from_a_t0_stated_above_the_summary_keep_their_relative_time() {
    let text = "# Declines\n\n**T0 = 14:05 UTC, 4 June 2025** (the first alert).\n\n## Summary\n\nImpact started at T-3 \
                and ended at T+1:52.\n\n## Timeline\n\n- T-3 First declines.\n- +19m Vendor called.\n- T+1:52 Cleared.\n";
    let imported = recognise(text, Some("declines.md"));
    assert_eq!(imported.started_at, Some(datetime!(2025-06-04 14:02 UTC)));
    assert_eq!(imported.ended_at, Some(datetime!(2025-06-04 15:57 UTC)), "{:?}", imported.notes);
    assert_eq!(imported.timeline[1].occurred_at, Some(datetime!(2025-06-04 14:24 UTC)));
    assert!(
        imported.notes.iter().any(|note| note.contains("counted from T0 = 2025-06-04 14:05 UTC")),
        "{:?}",
        imported.notes
    );
    // The export writes the clock; the authors' `+19m` stays after the row's text.
    let drafts = imported.to_drafts();
    assert_eq!(drafts.timeline[1].body, "Vendor called. (+19m)");
    assert_eq!(drafts.timeline[0].body, "First declines. (T-3)");
}

/// `11/04/2025` reads two ways: the document's other dates, else its zone, say which; the
/// notes say how it was read.
#[test]
fn ambiguous_numeric_dates_are_read_in_the_documents_order_and_said() {
    let doc = |zone: &str, other: &str| {
        format!("# Outage\n\n**Start:** 11/04/2025 14:20 {zone}\n\n## Action items\n\n- [ ] Fix it (Kim, {other})\n")
    };
    let european = recognise(&doc("CET", "30/04/2025"), None);
    assert_eq!(european.started_at, Some(datetime!(2025-04-11 14:20 +01:00)));
    assert!(
        european.notes.iter().any(|n| n.contains("11/04/2025 (2025-04-11) were read day first")),
        "{:?}",
        european.notes
    );
    let american = recognise(&doc("PDT", "next sprint"), None);
    assert_eq!(american.started_at, Some(datetime!(2025-11-04 14:20 -07:00)));
    assert!(
        american.notes.iter().any(|n| n.contains("month first, as it names a North American")),
        "{:?}",
        american.notes
    );
    // A later document is read in its own order, not the last one's.
    let plain = recognise("# Outage\n\n**Start:** 2025-04-11 14:20 UTC\n", None);
    assert!(!plain.notes.iter().any(|n| n.contains("were read")), "{:?}", plain.notes);
}

#[test]
fn a_severity_is_read_wherever_a_label_states_it() {
    for (doc, severity) in [
        ("# X\n\n| Feld | Wert |\n|---|---|\n| Schweregrad | SEV-2 |\n", Some(Severity::Sev2)),
        ("# X\n\nSévérité : SEV 1\n", Some(Severity::Sev1)),
        ("---\nsev: 2\n---\n# X\n", Some(Severity::Sev2)),
        ("# X\n\n**Severity:** P3 (customer facing)\n", Some(Severity::Sev3)),
        ("# X\n\nSeverity: 2025-01-01\n", None),
        ("# X\n\nThe severity of this was high.\n", None),
    ] {
        assert_eq!(recognise(doc, None).severity, severity, "{doc}");
    }
}

#[test]
fn a_plain_duration_line_in_another_language_gives_the_start_from_the_end() {
    // Labels without bold, units in the document's language.
    let cases = [
        (
            "# Störung\n\n## Eckdaten\n\n- Ende: 04.03.2025 11:20 MEZ\n- Dauer: 1 Std. 5 Min.\n",
            datetime!(2025-03-04 10:15 +01:00),
        ),
        ("# Panne\n\nFin : 2025-03-04 11:20 UTC+1\nDurée : 2 h 05\n", datetime!(2025-03-04 09:15 +01:00)),
        ("# 障害\n\n- 復旧日時：2025年3月4日 00:20 JST\n- 影響時間：2時間5分\n", datetime!(2025-03-03 22:15 +09:00)),
        ("# 故障\n\n- 恢复时间：2025-03-04 11:20 UTC+8\n- 持续时间：1小时5分钟\n", datetime!(2025-03-04 10:15 +08:00)),
    ];
    for (source, start) in cases {
        let draft = recognise(source, None);
        assert_eq!(draft.started_at, Some(start), "{source}\n{:?}", draft.notes);
    }
}

#[test]
fn a_date_in_the_timeline_heading_dates_its_rows_over_a_date_in_the_summary() {
    let source = "# Queue stall\n\nUpdated 20 May 2025.\n\n## Summary\n\nJobs waited.\n\n\
                  ## Timeline (UTC, 14 May 2025)\n\n10:05 Jobs stop\n10:40 Worker restarted\n";
    let draft = recognise(source, None);
    let times: Vec<_> = draft.timeline.iter().map(|row| row.occurred_at).collect();
    assert_eq!(times, [Some(datetime!(2025-05-14 10:05 UTC)), Some(datetime!(2025-05-14 10:40 UTC))]);
    // The same in plain text, its section names on lines of their own.
    let plain = source.replace("# ", "").replace("## ", "");
    let draft = recognise(&plain, None);
    assert_eq!(draft.timeline[1].occurred_at, Some(datetime!(2025-05-14 10:40 UTC)), "{:?}", draft.notes);
}

/// A row written with seconds the export would not write (`21:30:00`) reads back the same.
#[test]
fn a_time_written_with_zero_seconds_reads_back_from_the_export() {
    let doc = "# Login\n\n**Start:** 2025-06-21 21:40 UTC+9\n\n## Timeline\n\n- 21:30:00 Event opens\n- 21:40:15 Logins slow\n";
    let drafts = recognise(doc, None).to_drafts();
    let exported = crate::markdown::export::export(&saved(drafts.clone()));
    let again = recognise(&exported, None).to_drafts();
    assert_eq!(again.timeline, drafts.timeline, "{exported}");
    assert_eq!(crate::markdown::export::export(&saved(again)), exported);
}

/// A status page's updates pasted as posted, newest first: rows in time order, said.
#[test]
fn a_status_pages_updates_newest_first_are_read_in_time_order() {
    let doc = "# Checkout errors\n\n**Start:** 2025-11-28 13:50 UTC\n\n## Status page updates\n\n\
               Resolved - 16:05 UTC\nPayments work.\n\nUpdate - 14:51 UTC\nRolling out a fix.\n\n\
               Identified - 14:10 UTC\nFound it.\n\nInvestigating - 13:58 UTC\nLooking.\n";
    let draft = recognise(doc, None);
    let rows: Vec<_> =
        draft.timeline.iter().map(|row| (row.occurred_at, row.text.lines().next().unwrap_or(""))).collect();
    assert_eq!(
        rows,
        [
            (Some(datetime!(2025-11-28 13:58 UTC)), "Investigating — Looking."),
            (Some(datetime!(2025-11-28 14:10 UTC)), "Identified — Found it."),
            (Some(datetime!(2025-11-28 14:51 UTC)), "Update — Rolling out a fix."),
            (Some(datetime!(2025-11-28 16:05 UTC)), "Resolved — Payments work."),
        ]
    );
    assert!(draft.notes.iter().any(|note| note.contains("newest first")), "{:?}", draft.notes);
    // A timeline across midnight is not newest first.
    let night = "# N\n\n**Start:** 2025-11-28 22:00 UTC\n\n## Timeline\n\n- 22:00 a\n- 23:10 b\n- 00:20 c\n- 01:00 d\n";
    assert!(!recognise(night, None).notes.iter().any(|note| note.contains("newest first")));
}

/// A title naming the day without its year, a summary dated when it was written, and the start
/// marked in brackets at a row's end.
#[test]
fn the_titles_day_and_a_bracketed_marker_give_the_start() {
    let doc = "# Install failing on 3 March #2291\n\nPosted 2025-03-04 after the fix.\n\n### Timeline (all UTC)\n\n\
               - 08:52 — nightly job publishes the index (impact starts)\n- 13:26 — fixed index published\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.started_at, Some(datetime!(2025-03-03 08:52 UTC)), "{:?}", draft.notes);
    assert!(
        draft.notes.iter().any(|note| note.contains("2025-03-03, the first date its title gives")),
        "{:?}",
        draft.notes
    );
}

#[test]
fn a_heading_no_list_knows_over_a_table_of_owned_items_is_the_action_items() {
    let doc = "# 事件檢討報告\n\n- 發生時間：2024-10-08 09:12 UTC\n\n## 六、改善項目一覽\n\n\
               | # | 工作 | 負責人 | 預計完成日 | 狀態 |\n|---|---|---|---|---|\n\
               | 1 | 調整 DNS 快取 TTL | 林志明 | 2024/10/18 | 已完成 |\n| 2 | 新增唯讀錯誤告警 | 維運組 | 2024/10/31 | 進行中 |\n\n\
               ## Mesures correctives\n\n1. Ramener le délai à 5 s — responsable : Marc Gagnon — échéance : le 25 octobre\n   2024 — **Complété**\n\
               2. Ajouter un test de charge — responsable : Sophie Lavoie — échéance : T1 2025 — À faire\n\n\
               ## Participants\n\n- Ana (SRE)\n- Bo (DBA)\n";
    let draft = recognise(doc, None);
    let items: Vec<(&str, Option<&str>, Option<Date>)> =
        draft.action_items.iter().map(|i| (i.item.text.as_str(), i.item.owner.as_deref(), i.due_on)).collect();
    assert_eq!(
        items,
        [
            ("調整 DNS 快取 TTL", Some("林志明"), Some(time::macros::date!(2024 - 10 - 18))),
            ("新增唯讀錯誤告警", Some("維運組"), Some(time::macros::date!(2024 - 10 - 31))),
            ("Ramener le délai à 5 s", Some("Marc Gagnon"), Some(time::macros::date!(2024 - 10 - 25))),
            ("Ajouter un test de charge", Some("Sophie Lavoie"), Some(time::macros::date!(2025 - 03 - 31))),
        ]
    );
    assert_eq!(draft.action_items[2].item.status, ItemStatus::Done);
    assert!(
        draft.notes.iter().any(|n| n.starts_with("The section “六、改善項目一覽” was read as the action items")),
        "{:?}",
        draft.notes
    );
    // A list of people is not a plan.
    assert!(draft.extra_sections.iter().any(|s| s.heading == "Participants"), "{:?}", draft.extra_sections);
}

#[test]
fn short_dues_take_the_order_of_the_lists_other_dates_and_a_lone_quarter_the_incidents_year() {
    let doc = "# 障害報告\n\n**Start:** 2024-12-03 14:04 UTC\n\n## 再発防止策\n\n\
               | 対策 | 担当 | 期限 |\n|---|---|---|\n| タイムアウトを設定 | @kobayashi | 12/6 |\n\
               | レプリカに限定 | @yamada | 12/20 |\n| 演習 | @ito | Q1 |\n";
    let draft = recognise(doc, None);
    let dues: Vec<Option<Date>> = draft.action_items.iter().map(|i| i.due_on).collect();
    assert_eq!(
        dues,
        [
            Some(time::macros::date!(2024 - 12 - 06)),
            Some(time::macros::date!(2024 - 12 - 20)),
            // Q1 of the incident's year would be before it: the next.
            Some(time::macros::date!(2025 - 03 - 31)),
        ]
    );
    assert!(
        draft.notes.iter().any(|n| n.starts_with("Due dates that either order reads (12/6) were read month first")),
        "{:?}",
        draft.notes
    );
    // With nothing to tell the order, `6/7` stays as written.
    let doc = "# X\n\n**Start:** 2024-12-03 14:04 UTC\n\n## Action items\n\n| Action | Owner | Due |\n|---|---|---|\n| Fix | Ana | 6/7 |\n";
    assert_eq!(recognise(doc, None).action_items[0].due_on, None);
}

#[test]
fn dated_updates_newest_first_are_read_in_time_order_with_their_bold_kept() {
    let doc = "# Form submissions failing\n\n## Update history\n\n\
               - **Mar 5, 2026, 16:04 UTC — Resolved.** Submissions succeed again.\n\
               - **Mar 5, 2026, 15:21 UTC — Identified.** A pooler points at the wrong server.\n\
               - **Mar 5, 2026, 14:36 UTC — Investigating.** We see errors.\n";
    let draft = recognise(doc, None);
    let rows: Vec<(String, &str)> = draft
        .timeline
        .iter()
        .map(|row| (row.occurred_at.map(|at| at.to_string()).unwrap_or_default(), row.text.as_str()))
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0].1, "**Investigating.** We see errors.");
    assert_eq!(rows[2].1, "**Resolved.** Submissions succeed again.");
    assert!(rows[0].0 < rows[1].0 && rows[1].0 < rows[2].0, "{rows:?}");
}

#[test]
fn a_rows_short_date_is_read_in_the_documents_order() {
    let doc = "# Hot Sale\n\n**Fecha:** 11/05/2025 – 12/05/2025 (hora argentina, UTC-3)\n\n## Línea de tiempo\n\n\
               | Hora | Evento |\n|---|---|\n| 11/05 22:30 | Freeze de deploys |\n| 12/05 00:00 | Se activan las promos |\n";
    let draft = recognise(doc, None);
    let days: Vec<Option<Date>> =
        draft.timeline.iter().map(|row| row.occurred_at.map(|at| at.to_offset(time::UtcOffset::UTC).date())).collect();
    assert_eq!(days, [Some(time::macros::date!(2025 - 05 - 12)), Some(time::macros::date!(2025 - 05 - 12))]);
}

#[test]
fn a_work_log_under_any_heading_is_the_timeline_and_a_messages_subject_its_title() {
    let doc = "# INC0048213\n\n## Work notes (newest first, as exported)\n\n\
               - 2024-11-12 10:05:18 EST – Marcus: Resolving.\n- 2024-11-12 09:47:30 EST – Marcus: First good responses.\n\
               - 2024-11-12 08:16:27 EST – Marcus: Vendor confirms the move.\n\n## Participants\n\n- Marcus\n- Tomasz\n";
    let draft = recognise(doc, None);
    assert_eq!(draft.timeline.len(), 3, "{:?}", draft.timeline);
    assert!(
        draft
            .notes
            .iter()
            .any(|n| n.starts_with("The section “Work notes (newest first, as exported)” was read as the timeline")),
        "{:?}",
        draft.notes
    );
    assert!(draft.timeline[0].text.ends_with("Vendor confirms the move."), "{:?}", draft.timeline);
    let mail = "From: Ana <ana@example.org>\nTo: dev@lists.example.org\nSubject: Re: Incident report: key expired\nDate: Tue, 21 May 2024 19:02:11 +0200\n\n\
                Hi all,\n\nSummary\n\nThe key expired.\n\nTimeline (UTC):\n\n  May 18 00:00  Key expires.\n";
    assert_eq!(recognise(mail, None).title, "Incident report: key expired");
    // Headers without a subject say nothing of the title.
    assert_ne!(
        recognise(&mail.replace("Subject: Re: Incident report: key expired\n", ""), None).title,
        "Incident report: key expired"
    );
}

#[test]
fn a_timeline_table_with_local_and_zulu_columns_reads_its_local_time() {
    let doc = "# Outage\n\n> All times are LT (UTC+2).\n\n## Timeline\n\n| Date | LT | Z | Event |\n|---|---|---|---|\n\
               | 21 AUG 2025 | 23:30 | 2130Z | Change started |\n| 22 AUG 2025 | 04:30 | 0230Z | Check-in opens |\n";
    let draft = recognise(doc, None);
    let at: Vec<String> = draft
        .timeline
        .iter()
        .map(|row| row.occurred_at.map(|t| t.to_offset(time::UtcOffset::UTC).to_string()).unwrap_or_default())
        .collect();
    assert_eq!(at, ["2025-08-21 21:30:00.0 +00:00:00", "2025-08-22 2:30:00.0 +00:00:00"]);
}
