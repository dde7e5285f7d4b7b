//! Rendering and export speed: `cargo bench --bench markdown`.
//!
//! Rendering runs on every page view, so it is measured on a real postmortem (the golden seed
//! export) and on hostile nesting that would be quadratic without the renderer's limits.
//! Export is measured on a postmortem with a 300-entry timeline.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hindsight::domain::time::Offset;
use hindsight::domain::{
    ActionItem, ActionItemId, Incident, IncidentId, PerSection, Postmortem, Severity, Status, TimelineEntry,
    TimelineEntryId,
};
use hindsight::markdown::{export, render};
use time::Duration;
use time::macros::datetime;

fn rendering(c: &mut Criterion) {
    let seed = include_str!("../golden/seed.md");
    c.bench_function("render the seed postmortem", |b| b.iter(|| render(black_box(seed))));
    let hostile = [
        ("10,000 nested blockquotes", ">".repeat(10_000) + " deep"),
        ("10,000 nested divs", "<div>".repeat(10_000) + "deep"),
        ("10,000 open brackets", "[".repeat(10_000) + "deep"),
    ];
    for (name, input) in &hostile {
        c.bench_function(&format!("render {name}"), |b| b.iter(|| render(black_box(input))));
    }
}

fn long_postmortem(entries: i64) -> Postmortem {
    let id = IncidentId(1);
    let start = datetime!(2025-03-01 08:15 UTC);
    let text = "Connection pool **exhausted**; see https://example.com/runbook and `max_connections`.";
    Postmortem {
        incident: Incident {
            id,
            title: "Database connection pool exhaustion".into(),
            severity: Severity::Sev2,
            status: Status::Published,
            started_at: Some(start),
            ended_at: Some(start + Duration::minutes(entries * 7)),
            offset: Offset::from_minutes(120),
            texts: PerSection::from_fn(|_| text.into()),
            headings: Default::default(),
            template: None,
            version: 1,
            updated_at: start,
        },
        timeline: (0..entries)
            .map(|n| TimelineEntry {
                id: TimelineEntryId(n),
                incident_id: id,
                occurred_at: start + Duration::minutes(n * 7),
                body: text.into(),
                time_as_written: String::new(),
                marker: None,
            })
            .collect(),
        action_items: (0..20)
            .map(|n| ActionItem {
                owner: "Priya".into(),
                team: "Platform".into(),
                due_on: Some(datetime!(2025-04-01 00:00 UTC).date()),
                ..ActionItem::new(ActionItemId(n), id, format!("Follow-up {n}"))
            })
            .collect(),
        sections: Vec::new(),
        labels: Default::default(),
        recurrences: Default::default(),
    }
}

fn exporting(c: &mut Criterion) {
    let postmortem = long_postmortem(300);
    c.bench_function("export a 300-entry timeline", |b| b.iter(|| export::export(black_box(&postmortem))));
}

criterion_group!(benches, rendering, exporting);
criterion_main!(benches);
