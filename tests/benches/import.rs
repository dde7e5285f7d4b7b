//! Import and export speed on large postmortems: `cargo bench --bench import`.
//!
//! Import is `check_input` + `recognise` + `to_drafts`, what the command line and the upload form
//! run per document. It is measured on Hindsight exports (read by the export's grammar) and on
//! the same content written the way teams write postmortems elsewhere (read by the heuristics),
//! each at 250 kB, 500 kB and 1 MB so the figures show whether time grows linearly with size;
//! and on a 300-entry timeline, the size `markdown`'s export benchmark uses. Last, on 1 MB of
//! the importer's corpus (`tests/import_corpus`: every house style and language) run together,
//! the mixed document the importer must still read in well under 100 ms.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hindsight::domain::time::Offset;
use hindsight::domain::{
    ActionItem, ActionItemId, ActionStatus, ExtraSection, Incident, IncidentId, PerSection, Postmortem, Section,
    SectionId, Severity, Status, TimelineEntry, TimelineEntryId,
};
use hindsight::import::check_input;
use hindsight::import::draft::{Drafts, recognise, saved};
use hindsight::markdown::export::export;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

const PARAGRAPH: &str = "The connection pool hit `max_connections` (500) under the evening peak; \
     new requests queued behind the **exhausted** pool and timed out after 30 s. \
     See https://example.com/runbooks/db-pool and the [dashboard](https://example.com/d/pg).";

/// A timeline entry's text: a sentence, sometimes with a log excerpt or a sub-list under it.
fn entry_text(n: i64) -> String {
    match n % 5 {
        0 => format!(
            "Alert #{n} fired: p99 latency above 2 s. 🚨\n\n```\n2025-03-01T10:15:0{}Z ERROR too many clients already\n```",
            n % 10
        ),
        1 => format!("Rolled back deploy v1.{n}.0.\n- canary first\n- then the rest of the fleet"),
        _ => format!("Step {n}: {PARAGRAPH}"),
    }
}

/// A postmortem with `entries` timeline entries over several days, with a section and an action
/// item for every 25 entries, and every standard field filled.
fn postmortem(entries: i64) -> Postmortem {
    let id = IncidentId(1);
    let start = datetime!(2025-03-01 08:15 UTC);
    let step = |n: i64| start + Duration::minutes(n * 7);
    let long = |n: usize| vec![PARAGRAPH; n].join("\n\n");
    Postmortem {
        incident: Incident {
            id,
            title: "Database connection pool exhaustion".into(),
            severity: Severity::Sev2,
            status: Status::Published,
            started_at: Some(start),
            ended_at: Some(step(entries)),
            offset: Offset::from_minutes(120),
            texts: PerSection::from_fn(|section| match section {
                Section::Summary => long(3),
                Section::Impact => format!("{}\n\n- 80% of logins failed\n- dashboards empty", long(2)),
                Section::RootCause => long(4),
                Section::Resolution | Section::LessonsLearned => long(2),
                Section::CorrectiveMeasures => "- Dynamic pool sizing\n- Alerts on pool saturation".into(),
                Section::PreventativeMeasures => "- Load tests before each release".into(),
            }),
            headings: Default::default(),
            template: None,
            version: 1,
            updated_at: start,
        },
        timeline: (0..entries)
            .map(|n| TimelineEntry {
                id: TimelineEntryId(n),
                incident_id: id,
                occurred_at: step(n),
                body: entry_text(n),
                time_as_written: String::new(),
                marker: None,
            })
            .collect(),
        action_items: (0..entries / 25 + 1)
            .map(|n| ActionItem {
                owner: "Priya".into(),
                team: "Platform".into(),
                due_on: Some(date!(2025 - 04 - 01)),
                status: if n % 2 == 0 { ActionStatus::Done } else { ActionStatus::Open },
                completed_at: (n % 2 == 0).then_some(start),
                ..ActionItem::new(ActionItemId(n), id, format!("Follow-up {n}: cap connections per service"))
            })
            .collect(),
        sections: (0..entries / 25)
            .map(|n| ExtraSection {
                id: SectionId(n),
                incident_id: id,
                heading: format!("Detection, part {n}"),
                body: long(3),
            })
            .collect(),
        labels: Default::default(),
        recurrences: Default::default(),
    }
}

/// The postmortem as a team would write it by hand: a bold title, a prose duration, sections
/// named in their own words, a timeline of `10:15 AM` rows under day headings, ✅ action items.
fn hand_written(postmortem: &Postmortem) -> String {
    let incident = &postmortem.incident;
    let offset = incident.offset.to_utc_offset();
    let local = |at: OffsetDateTime| at.to_offset(offset);
    let mut doc = format!(
        "**Postmortem: {}**\n\n---\n\n### 🚨 Issue Summary\n\n**Duration:** March 1, 2025, from 10:15 AM to 11:05 AM (UTC+2)\n\n{}\n\n**Impact:** {}\n\n### ⏳ Timeline (all times UTC+2)\n",
        incident.title,
        incident.texts[Section::Summary],
        incident.texts[Section::Impact]
    );
    let mut day = None;
    for entry in &postmortem.timeline {
        let at = local(entry.occurred_at);
        if day != Some(at.date()) {
            day = Some(at.date());
            doc.push_str(&format!("\n#### {} {}, {}\n\n", at.month(), at.day(), at.year()));
        }
        let (hour, minute) = (at.hour(), at.minute());
        let (h12, meridiem) = (if hour % 12 == 0 { 12 } else { hour % 12 }, if hour < 12 { "AM" } else { "PM" });
        doc.push_str(&format!("- **{h12}:{minute:02} {meridiem}** – {}\n", entry.body.replace('\n', "\n  ")));
    }
    doc.push_str(&format!("\n### 🕵️ Root Cause and Resolution\n\n{}\n\n", incident.texts[Section::RootCause]));
    doc.push_str(&format!(
        "### Lessons learned\n\n{}\n\n### Action items\n\n",
        incident.texts[Section::LessonsLearned]
    ));
    for item in &postmortem.action_items {
        doc.push_str(&format!("✅ {} (Owner: {}, Due: 2025-04-01)  \n", item.body, item.owner));
    }
    for section in &postmortem.sections {
        doc.push_str(&format!("\n### {}\n\n{}\n", section.heading, section.body));
    }
    doc
}

/// The smallest timeline whose export reaches `bytes`.
fn postmortem_of_size(bytes: usize) -> Postmortem {
    let per_entry = export(&postmortem(100)).len() / 100;
    let mut entries = (bytes / per_entry) as i64;
    while export(&postmortem(entries)).len() < bytes {
        entries += 10;
    }
    postmortem(entries)
}

fn import(text: &str) -> Drafts {
    let text = check_input(text.as_bytes()).expect("within the import limits");
    recognise(text, Some("postmortem.md")).to_drafts()
}

fn large(c: &mut Criterion) {
    let mut group = c.benchmark_group("large postmortem");
    // A 1 MB import takes milliseconds; fewer samples keep the run to a couple of minutes.
    group.sample_size(20);
    for size in [250_000, 500_000, 1_000_000] {
        let postmortem = postmortem_of_size(size);
        let exported = export(&postmortem);
        let written = hand_written(&postmortem);
        let label = format!("{} kB", size / 1000);
        assert_eq!(export(&saved(import(&exported))), exported, "the export reads back exactly");
        assert!(import(&written).timeline.len() == postmortem.timeline.len(), "every hand-written row has a time");

        group.throughput(Throughput::Bytes(exported.len() as u64));
        group.bench_function(BenchmarkId::new("export", &label), |b| b.iter(|| export(black_box(&postmortem))));
        group.bench_function(BenchmarkId::new("import an export", &label), |b| b.iter(|| import(black_box(&exported))));
        group.throughput(Throughput::Bytes(written.len() as u64));
        group.bench_function(BenchmarkId::new("import hand-written", &label), |b| {
            b.iter(|| import(black_box(&written)))
        });
    }
    group.finish();
}

fn timeline_300(c: &mut Criterion) {
    let postmortem = postmortem(300);
    let exported = export(&postmortem);
    let written = hand_written(&postmortem);
    c.bench_function("export a 300-entry timeline postmortem", |b| b.iter(|| export(black_box(&postmortem))));
    c.bench_function("import a 300-entry timeline export", |b| b.iter(|| import(black_box(&exported))));
    c.bench_function("import a 300-entry hand-written timeline", |b| b.iter(|| import(black_box(&written))));
}

/// The corpus's documents one after another, repeated to 1 MB: every shape the heuristics
/// read, in one document.
fn corpus_mix() -> String {
    let mut documents = Vec::new();
    for class in ["when", "timeline", "languages", "pasted", "holdout", "blind2"] {
        let dir = std::fs::read_dir(format!("tests/import_corpus/{class}")).expect("the corpus");
        let mut paths: Vec<_> =
            dir.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "md")).collect();
        paths.sort();
        documents.extend(paths.iter().map(|path| std::fs::read_to_string(path).expect("readable")));
    }
    to_1mb(&documents)
}

/// The corpus's plain-text documents (no Markdown: section names on lines of their own) one
/// after another to 1 MB, as one document: thousands of lines to tell headings from text.
fn plain_mix() -> String {
    let plain = [
        "pasted/17-google-doc-plain-text.md",
        "pasted/18-de-plain-text-no-bullets.md",
        "pasted/19-numbered-plain-headings.md",
        "holdout/06-plain-text-bike-unlocks.md",
    ];
    let documents: Vec<String> = plain
        .iter()
        .map(|path| std::fs::read_to_string(format!("tests/import_corpus/{path}")).expect("readable"))
        .collect();
    to_1mb(&documents)
}

fn to_1mb(documents: &[String]) -> String {
    let mut mix = String::new();
    for document in documents.iter().cycle() {
        if mix.len() + document.len() > 1_000_000 {
            break;
        }
        mix.push_str(document);
        mix.push('\n');
    }
    mix
}

fn mixed_1mb(c: &mut Criterion) {
    let mix = corpus_mix();
    let mut group = c.benchmark_group("mixed corpus");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(mix.len() as u64));
    group.bench_function("recognise 1 MB of the corpus run together", |b| {
        b.iter(|| recognise(check_input(black_box(mix.as_bytes())).expect("within the limits"), Some("mix.md")))
    });
    let plain = plain_mix();
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.bench_function("recognise 1 MB of plain-text documents run together", |b| {
        b.iter(|| recognise(check_input(black_box(plain.as_bytes())).expect("within the limits"), Some("plain.txt")))
    });
    group.finish();
}

criterion_group!(benches, large, timeline_300, mixed_1mb);
criterion_main!(benches);
