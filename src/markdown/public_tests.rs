//! The public document: the parts chosen, without internal text, the same bytes for the same
//! postmortem.

use time::macros::datetime;

use super::*;
use crate::domain::public::Parts;
use crate::domain::{
    ActionItem, ActionItemId, ExtraSection, IncidentId, PerSection, SectionId, Severity, Status, TimelineEntry,
    TimelineEntryId,
};

fn entry(id: i64, at: OffsetDateTime, body: &str) -> TimelineEntry {
    TimelineEntry {
        id: TimelineEntryId(id),
        incident_id: IncidentId(7),
        occurred_at: at,
        body: body.into(),
        time_as_written: String::new(),
        marker: None,
    }
}

fn postmortem() -> Postmortem {
    let id = IncidentId(7);
    Postmortem {
        incident: Incident {
            id,
            title: "Checkout outage <!-- internal -->caused by the Friday deploy<!-- /internal -->".into(),
            severity: Severity::Sev2,
            status: Status::Published,
            started_at: Some(datetime!(2025-03-01 08:15 UTC)),
            ended_at: Some(datetime!(2025-03-01 09:05 UTC)),
            offset: Offset::from_minutes(120),
            texts: PerSection::from_fn(|section| match section {
                Section::Summary => "Checkout failed. <!-- internal -->Bob's script.<!-- /internal -->".into(),
                Section::Impact => "Orders failed for 50 minutes.".into(),
                Section::RootCause => "Never public.".into(),
                Section::CorrectiveMeasures => "- Pool limits\n\n```internal\nAsk legal first.\n```".into(),
                Section::PreventativeMeasures => "<!-- internal -->All internal.<!-- /internal -->".into(),
                _ => String::new(),
            }),
            headings: Default::default(),
            template: None,
            version: 1,
            updated_at: datetime!(2025-03-02 00:00 UTC),
        },
        timeline: vec![
            entry(1, datetime!(2025-03-01 08:15 UTC), "Errors rise"),
            entry(2, datetime!(2025-03-01 08:20 UTC), "<!-- internal -->Paged Bob at home<!-- /internal -->"),
            entry(3, datetime!(2025-03-01 09:05 UTC), "Fixed <!-- internal -->by reverting 4f2a<!-- /internal -->"),
        ],
        sections: vec![ExtraSection {
            id: SectionId(1),
            incident_id: id,
            heading: "Notes".into(),
            body: "Extra.".into(),
        }],
        action_items: vec![
            ActionItem {
                owner: "Priya".into(),
                status: ActionStatus::Done,
                ..ActionItem::new(ActionItemId(1), id, "Add a pool limit")
            },
            ActionItem::new(ActionItemId(2), id, "<!-- internal -->Fire the vendor<!-- /internal -->"),
            ActionItem { status: ActionStatus::InProgress, ..ActionItem::new(ActionItemId(3), id, "Alert on errors") },
        ],
        labels: Default::default(),
        recurrences: Default::default(),
    }
}

#[test]
fn the_public_document_holds_the_chosen_parts_without_internal_text() {
    let composed = compose(&postmortem(), &PublicChoices::new());
    let want = "\
# Checkout outage

- **Severity:** SEV2
- **Start:** 2025-03-01 10:15 UTC+2
- **End:** 2025-03-01 11:05 UTC+2
- **Duration:** 50 min

## Summary

Checkout failed.

## Impact

Orders failed for 50 minutes.

## Timeline

All times are UTC+2.

- **10:15** – Errors rise
- **11:05** – Fixed

## What we are changing

- Pool limits

### Follow-up actions

- Add a pool limit — *Done*
- Alert on errors — *In progress*
";
    assert_eq!(composed.markdown, want);
    let document = &composed.document;
    assert_eq!(document.title, "Checkout outage");
    assert_eq!(document.started_at.as_deref(), Some("2025-03-01T10:15:00+02:00"));
    assert_eq!(document.duration_minutes, Some(50));
    assert_eq!(document.summary_html.as_deref(), Some("<p>Checkout failed.</p>\n"));
    assert_eq!(document.timeline.len(), 2, "the wholly internal entry is left out");
    assert_eq!(
        document.changes.iter().map(|c| c.status).collect::<Vec<_>>(),
        [ActionStatus::Done, ActionStatus::InProgress]
    );
    let json = serde_json::to_string(document).expect("JSON");
    for secret in ["Bob", "Friday", "legal", "vendor", "4f2a", "Never public", "Extra.", "Priya", "internal"] {
        assert!(!json.contains(secret) && !composed.markdown.contains(secret), "{secret} is public:\n{json}");
    }
}

#[test]
fn parts_left_out_are_not_in_either_document() {
    let choices = PublicChoices {
        parts: Parts { title: false, severity: false, summary: true, impact: false, timeline: false, changes: false },
        note: "We are sorry. <!-- internal -->Legal approved this.<!-- /internal -->".into(),
        ..PublicChoices::new()
    };
    let composed = compose(&postmortem(), &choices);
    assert!(composed.markdown.starts_with("# Incident of 2025-03-01\n\n- **Start:**"), "{}", composed.markdown);
    assert!(composed.markdown.contains("\nWe are sorry.\n\n## Summary\n"), "{}", composed.markdown);
    for gone in ["Severity", "Impact", "Timeline", "changing", "Legal", "Orders"] {
        assert!(!composed.markdown.contains(gone), "{gone}:\n{}", composed.markdown);
    }
    let document = &composed.document;
    assert_eq!((document.severity, document.impact.as_ref(), document.timeline.len()), (None, None, 0));
    assert_eq!(document.note.as_deref(), Some("We are sorry."));
}

#[test]
fn a_public_title_replaces_the_postmortems() {
    let choices = PublicChoices { public_title: "  Checkout   disruption ".into(), ..PublicChoices::new() };
    assert_eq!(compose(&postmortem(), &choices).document.title, "Checkout disruption");
}

#[test]
fn a_timeline_crossing_midnight_shows_dates() {
    let mut postmortem = postmortem();
    postmortem.timeline.push(entry(4, datetime!(2025-03-01 22:30 UTC), "Watched overnight"));
    let composed = compose(&postmortem, &PublicChoices::new());
    assert!(composed.markdown.contains("- **2025-03-01 10:15** – Errors rise\n"), "{}", composed.markdown);
    assert!(composed.markdown.contains("- **2025-03-02 00:30** – Watched overnight\n"), "{}", composed.markdown);
}

#[test]
fn the_same_postmortem_gives_the_same_bytes_and_digest() {
    let (one, two) = (compose(&postmortem(), &PublicChoices::new()), compose(&postmortem(), &PublicChoices::new()));
    assert_eq!(one, two);
    assert_eq!(digest(&one.markdown), digest(&two.markdown));
    assert_eq!(digest(&one.markdown).len(), 64);
}

#[test]
fn unclosed_markers_in_shown_parts_are_warned_about() {
    let mut postmortem = postmortem();
    postmortem.incident.texts[Section::Impact] = "Orders <!-- internal --> failed".into();
    postmortem.incident.texts[Section::RootCause] = "<!-- internal --> never public anyway".into();
    let warnings = warnings(&postmortem, &PublicChoices::new());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("The impact: An <!-- internal --> marker"), "{warnings:?}");
    let without_impact = PublicChoices { parts: Parts { impact: false, ..Parts::default() }, ..PublicChoices::new() };
    assert!(super::warnings(&postmortem, &without_impact).is_empty());
}

#[test]
fn documents_say_the_same_whatever_html_they_were_rendered_to() {
    let composed = compose(&postmortem(), &PublicChoices::new());
    let mut rendered_otherwise = composed.document.clone();
    rendered_otherwise.summary_html = Some("<p>Made by another renderer.</p>".into());
    rendered_otherwise.timeline[0].html = String::new();
    assert!(same_content(&composed.document, &rendered_otherwise));
    let mut edited = composed.document.clone();
    edited.timeline[0].text = "Errors rose".into();
    assert!(!same_content(&composed.document, &edited));
}
