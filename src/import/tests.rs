//! Tests of reading a document's input and splitting it into the postmortem's fields.

use super::*;

const SEED: &str = include_str!("../../tests/golden/seed.md");

#[test]
fn bad_input_is_refused_with_a_reason() {
    assert_eq!(check_input(b""), Err(ImportError::Empty));
    assert_eq!(check_input(b" \n\t\n"), Err(ImportError::Empty));
    assert_eq!(check_input(b"\x89PNG\r\n\x1a\n\0\0\0"), Err(ImportError::Binary));
    assert_eq!(check_input(b"caf\xe9 au lait"), Err(ImportError::NotUtf8(3)));
    assert_eq!(check_input(b"\xff\xfe#\0 \0"), Err(ImportError::Utf16));
    assert_eq!(check_input(&vec![b'a'; MAX_IMPORT_BYTES + 1]), Err(ImportError::TooLarge(MAX_IMPORT_BYTES + 1)));
    assert_eq!(check_input("x\n".repeat(100_000).as_bytes()), Err(ImportError::TooManyLines(100_000)));
    assert_eq!(check_input("# T\r\nno final newline".as_bytes()), Ok("# T\r\nno final newline"));
    assert!(
        ImportError::TooLarge(3 * 1024 * 1024)
            .to_string()
            .starts_with("The document is 3072 KB; the limit is 2048 KB.")
    );
}

#[test]
fn a_hindsight_export_splits_into_its_fields() {
    let found = split_sections(SEED, None);
    assert_eq!(found.title, "The Great Database Meltdown of 2025");
    assert_eq!(found.title_source, Some(TitleSource::Heading));
    assert!(
        found.texts[Section::Summary].body.starts_with("- **Severity:** SEV2"),
        "{:?}",
        found.texts[Section::Summary]
    );
    assert!(found.texts[Section::Impact].body.starts_with("Our beloved web app"));
    assert!(found.timeline.body.contains("- **10:15** – Monitoring alerts"));
    assert!(found.texts[Section::RootCause].body.starts_with("Our database connection pool"));
    assert!(found.texts[Section::Resolution].body.starts_with("We upgraded our elevator!"));
    assert!(found.texts[Section::CorrectiveMeasures].body.contains("dynamic connection scaling"));
    assert!(found.texts[Section::LessonsLearned].body.contains("friendly reminder"));
    assert_eq!(found.action_items.body.lines().count(), 4);
    assert!(found.extra_sections.is_empty());
}

#[test]
fn the_seed_as_the_user_wrote_it_splits_by_meaning() {
    let Ok(seed) = std::fs::read_to_string("../shared/fixtures/postmortems/seed.md") else {
        eprintln!("../shared is absent: skipping");
        return;
    };
    let found = split_sections(&seed, Some("seed.md"));
    assert_eq!(found.title, "Postmortem: The Great Database Meltdown of 2025");
    assert_eq!(found.title_source, Some(TitleSource::BoldLine));
    assert_eq!(found.duration, ["March 1, 2025, from 10:15 AM to 11:05 AM (UTC+2)"]);
    assert!(found.texts[Section::Impact].body.starts_with("Our beloved web app"), "{:?}", found.texts[Section::Impact]);
    assert!(found.texts[Section::RootCause].body.contains("misconfiguration"));
    assert!(found.texts[Section::RootCause].body.contains("small elevator"));
    assert!(
        found.texts[Section::Resolution].body.starts_with("We upgraded our elevator!"),
        "{:?}",
        found.texts[Section::Resolution]
    );
    assert!(found.texts[Section::CorrectiveMeasures].body.contains("How We’ll Avoid Another Meltdown"));
    assert!(found.texts[Section::CorrectiveMeasures].body.contains("dynamic connection scaling"));
    assert!(!found.texts[Section::CorrectiveMeasures].body.contains("✅"), "action items are not measures");
    assert_eq!(found.action_items.body.lines().filter(|l| l.starts_with('✅')).count(), 4);
    assert_eq!(found.timeline.body.lines().filter(|l| l.starts_with("- **")).count(), 8);
}

#[test]
fn day_headings_after_the_timeline_belong_to_it() {
    let doc = "# Outage of 2025-05-12\n\n## Timeline\n\n## May 12\n\n### 23:00\nAlert\n\n### 00:40\nPaged\n\n## 14 May\n\n### 09:00\nFixed\n\n## Follow-ups\n\n- [ ] Tune alerts\n";
    let found = split_sections(doc, None);
    assert!(found.timeline.body.contains("## May 12") && found.timeline.body.contains("### 09:00"));
    assert!(found.extra_sections.is_empty(), "{:?}", found.extra_sections);
    assert_eq!(found.action_items.body, "- [ ] Tune alerts");
    let draft = draft::recognise(doc, None);
    let days: Vec<_> = draft.timeline.iter().map(|e| e.occurred_at.map(|at| at.date().day())).collect();
    // 00:40 after 23:00 under "May 12" is the next morning; "14 May" starts its own day.
    assert_eq!(days, [Some(12), Some(13), Some(14)]);
}

#[test]
fn a_title_heading_repeating_the_front_matter_title_is_the_title() {
    let doc = "---\ntitle: \"Scanners offline\"\n---\n\n# **Scanners Offline**\n\n> Zeitangaben in MEZ.\n\n## Kurzfassung\n\nBeginn der Störung: 18.02.2025, 05:48 Uhr.\n";
    let found = split_sections(doc, None);
    assert_eq!(found.title, "Scanners offline");
    assert!(found.texts[Section::Summary].body.contains("Zeitangaben in MEZ"), "{:?}", found.texts[Section::Summary]);
    assert!(found.extra_sections.iter().all(|x| x.heading != "**Scanners Offline**"));
    let draft = draft::recognise(doc, None);
    assert_eq!(draft.started_at.map(|at| at.offset().whole_hours()), Some(1), "the zone under the title counts");
    // Another first heading stays a section of its own.
    let other = split_sections("---\ntitle: Scanners\n---\n\n# Zebra crossing\n\nOld setup.\n", None);
    assert!(other.extra_sections.iter().any(|x| x.body.contains("Old setup")), "{:?}", other.extra_sections);
}

#[test]
fn two_statements_on_one_line_are_both_read() {
    let doc = "# Scanners\n\nBeginn der Störung: 18.02.2025, 05:48 Uhr. Ende der Störung: 18.02.2025, 11:20 Uhr.\n";
    let draft = draft::recognise(doc, None);
    assert_eq!(draft.started_at.map(|at| (at.hour(), at.minute())), Some((5, 48)));
    assert_eq!(draft.ended_at.map(|at| (at.hour(), at.minute())), Some((11, 20)));
    // A sentence that is no statement is part of the value before it.
    let found = statements("Start: 2025-03-01 10:00 UTC. Note: the pager was silent; End: 2025-03-01 11:00 UTC");
    let labels: Vec<&str> = found.iter().map(|(label, _)| *label).collect();
    assert_eq!(labels, ["Start", "End"]);
    assert_eq!(found[0].1, "2025-03-01 10:00 UTC. Note: the pager was silent;");
}

#[test]
fn headings_inside_code_fences_stay_in_their_section() {
    let doc = "# Outage\n\n## Timeline\n\n```\n## Impact\n```\n\n## Impact\nUsers saw errors.";
    let found = split_sections(doc, None);
    assert!(found.timeline.body.contains("## Impact"));
    assert_eq!(found.texts[Section::Impact].body, "Users saw errors.");
}

#[test]
fn unknown_sections_are_kept_and_untitled_documents_take_the_file_name() {
    let doc = "Some intro.\n\n## Detection\nA pager.\n\n### Details\nDeeper.\n\n## Impact\nNone.";
    let found = split_sections(doc, Some("2021-10-31-DustStorm.md"));
    assert_eq!(found.title, "2021 10 31 DustStorm");
    assert_eq!(found.texts[Section::Summary].body, "Some intro.");
    assert_eq!(found.extra_sections.len(), 1);
    assert_eq!(found.extra_sections[0].heading, "Detection");
    assert_eq!(found.extra_sections[0].body, "A pager.\n\n### Details\nDeeper.");
    assert_eq!(found.texts[Section::Impact].body, "None.");
}

/// Prints what each real fixture splits into (`cargo test fixture_report -- --nocapture`).
#[test]
fn fixture_report() {
    let Some(fixtures) = fixtures() else { return };
    for (name, text) in fixtures.iter().skip(1) {
        let name = name.as_str();
        let found = split_sections(text, Some(name));
        let filled: Vec<&str> = [
            ("summary", &found.texts[Section::Summary]),
            ("impact", &found.texts[Section::Impact]),
            ("timeline", &found.timeline),
            ("root_cause", &found.texts[Section::RootCause]),
            ("resolution", &found.texts[Section::Resolution]),
            ("corrective", &found.texts[Section::CorrectiveMeasures]),
            ("preventative", &found.texts[Section::PreventativeMeasures]),
            ("lessons", &found.texts[Section::LessonsLearned]),
            ("actions", &found.action_items),
        ]
        .iter()
        .filter(|(_, f)| !f.body.trim().is_empty())
        .map(|(n, _)| *n)
        .collect();
        let extras: Vec<&str> = found.extra_sections.iter().map(|s| s.heading.as_str()).collect();
        let draft = draft::recognise(text, Some(name));
        let timed_instants = draft.timeline.iter().filter(|e| e.occurred_at.is_some()).count();
        println!(
            "{name}: start {:?} end {:?} zone {}; {timed_instants}/{} timeline rows with an instant; notes {:?}",
            draft.started_at.map(|t| t.to_string()),
            draft.ended_at.map(|t| t.to_string()),
            draft.zone,
            draft.timeline.len(),
            draft.notes
        );
        let items = action_items::parse(&found.action_items.body).items;
        let rows = timeline::parse(&found.timeline.body);
        let timed = rows.entries.iter().filter(|e| e.time.is_some()).count();
        let done = items.iter().filter(|i| i.status == action_items::ItemStatus::Done).count();
        println!(
            "{name}: title {:?} ({:?}); fields {filled:?}; extra {extras:?}; timeline {} rows ({timed} timed, zone {:?}); action items {} ({done} done)",
            found.title,
            found.title_source,
            rows.entries.len(),
            rows.zone.as_ref().map(when::Zone::label),
            items.len()
        );
    }
}

#[test]
fn a_sub_heading_of_the_timeline_over_rows_stays_in_the_timeline() {
    let source = "# Outage\n\n## Timeline\n\n### Response (incident bot)\n\n| Time | Event |\n|---|---|\n| 10:15 | Paged |\n| 10:20 | Rolled back |\n\n## Root cause\n\nA bug.\n";
    let found = split_sections(source, None);
    assert!(found.timeline.body.contains("| 10:20 | Rolled back |"), "{:?}", found.timeline);
    assert!(found.texts[Section::Resolution].body.is_empty());
    // Under it no rows: a section of its own, as before.
    let prose = "# Outage\n\n## Timeline\n\n- 10:15 Paged\n\n### Response\n\nWe rolled back.\n";
    let found = split_sections(prose, None);
    assert!(found.texts[Section::Resolution].body.contains("We rolled back."), "{found:?}");
}

#[test]
fn an_impact_line_that_opens_with_a_range_states_the_span() {
    let source = "# Outage\n\n**Impact:** from 01:12 CST to 06:45 CST on Sunday 3 November 2024.\n**Duration of impact:** 14:02 – 15:26 PDT (1 h 24 min)\n\n## Summary\n\nText.\n";
    let found = split_sections(source, None);
    assert_eq!(
        found.duration,
        // The line that stays in place is read first, then the paragraph moved to the impact.
        ["14:02 – 15:26 PDT (1 h 24 min)", "from 01:12 CST to 06:45 CST on Sunday 3 November 2024."]
    );
    // An impact paragraph that only mentions times later on states nothing.
    let prose =
        "# Outage\n\n**Impact:** Customers in the EU region saw errors from 10:00 to 11:00.\n\n## Summary\n\nText.\n";
    assert!(split_sections(prose, None).duration.is_empty());
}

#[test]
fn a_list_of_agreed_actions_in_other_text_is_the_action_items() {
    let email = "# Outage\n\nHi all,\n\nThese are the actions we agreed:\n\n1. Add a check – Ravi Chandran – by 25 Oct 2024\n2. Ask the vendor – Ravi Chandran – by 8 Nov 2024\n3. Review the network – IT architecture\n\nThanks.\n";
    let found = split_sections(email, None);
    assert!(found.action_items.body.starts_with("These are the actions we agreed:\n\n1. Add a check"));
    assert!(!found.texts[Section::Summary].body.contains("Add a check"));
    assert!(found.texts[Section::Summary].body.contains("Thanks."));
    // What was done during the incident, without owners or due dates, stays where it is.
    let done = "# Outage\n\n## Resolution\n\nActions we took:\n\n- Restarted the pods\n- Drained the queue\n";
    let found = split_sections(done, None);
    assert!(found.action_items.body.is_empty());
    assert!(found.texts[Section::Resolution].body.contains("Restarted the pods"));
}

#[test]
fn corrective_actions_over_a_table_of_owned_actions_are_the_action_items() {
    let doc = "# Outage\n\n## Corrective actions\n\n| # | Action | Owner | Due |\n|---|---|---|---|\n| 1 | Fix it | Ann | 2025-02-14 |\n";
    assert!(split_sections(doc, None).action_items.body.contains("| 1 | Fix it |"));
    let prose = "# Outage\n\n## Corrective actions\n\nWe fixed it.\n";
    assert!(split_sections(prose, None).action_items.body.is_empty());
}

#[test]
fn a_long_first_heading_that_starts_with_a_sections_word_is_the_title() {
    let doc = "# Summary of the Cirrus Elastic Volumes Service Event in the US-NORTHWEST-2 Region\n\n\
               We want to tell you more.\n\n### What happened\n\nA rebalancing ran.\n";
    let found = split_sections(doc, Some("03-cloud-block-storage-event.md"));
    assert_eq!(found.title, "Summary of the Cirrus Elastic Volumes Service Event in the US-NORTHWEST-2 Region");
    assert_eq!(found.title_source, Some(TitleSource::Heading));
    assert!(found.texts[Section::Summary].body.contains("We want to tell you more."));
    let french = split_sections("# Résumé de la panne du portail client du 22 octobre\n\nTexte.\n", None);
    assert_eq!(french.title, "Résumé de la panne du portail client du 22 octobre");
    let chinese = split_sections("# 事件摘要：資料庫主從切換後訂單服務無法寫入\n\n內容。\n", None);
    assert_eq!(chinese.title, "事件摘要：資料庫主從切換後訂單服務無法寫入");
    // A section's heading alone, a second H1, or a timeline named at length stays a section.
    for doc in [
        "# Summary\n\nText.\n",
        "# Summary of the incident\n\nText.\n",
        "# Postmortem\n\nIntro.\n\n# Summary of the Cirrus Elastic Volumes Service Event in the Region\n\nText.\n",
        "# Timeline of the payments outage on Monday 3 March 2025\n\n- 10:00 Deploy.\n- 10:05 Errors.\n",
    ] {
        let found = split_sections(doc, Some("x.md"));
        assert!(["x", "Postmortem"].contains(&found.title.as_str()), "{doc:?}: {}", found.title);
    }
}
