//! The postmortem page from stored data, without a database: `cargo bench --bench page`.
//!
//! The postmortem has the shape `../shared/bench/compare.sh` serves (every section written, 40
//! timeline entries, 15 action items), as its first query gives it to the page: Markdown with
//! the HTML stored beside it. What is measured is what the handler does after reading it:
//! building the page (no Markdown is rendered: the HTML is stored) and rendering the template.

use std::hint::black_box;

use askama::Template;
use criterion::{Criterion, criterion_group, criterion_main};
use hindsight::db::postmortems::{Loaded, PageExtras, PostmortemHtml};
use hindsight::domain::{Postmortem, Role, Section, StoredHtml, User, UserId};
use hindsight::import::draft::{recognise, saved};
use hindsight::markdown::{RENDERER_VERSION, render};
use hindsight::web::layout::Viewer;
use hindsight::web::postmortem::{PendingForms, ShowPage, Viewing};

/// The document `compare.sh` imports, written the same way.
fn document() -> String {
    let para = "The primary database's connection pool was **exhausted** when the reporting job opened a connection \
                per row; see [the runbook](https://example.com/runbook) and `max_connections`. Requests queued, then \
                timed out.";
    let mut doc = String::from(
        "# Pool exhaustion on orders-db\n\n- **Severity:** SEV2\n- **Status:** Draft\n- **Start:** 2025-03-01 10:15 UTC+2\n- **End:** 2025-03-01 11:05 UTC+2\n\n",
    );
    for heading in ["Summary", "Impact", "Root Cause", "Resolution"] {
        doc.push_str(&format!("## {heading}\n\n{para}\n\n"));
    }
    doc.push_str("## Timeline\n\nAll times are UTC+2.\n\n");
    for i in 0..40 {
        doc.push_str(&format!(
            "- **{:02}:{:02}** – Engineer {i} checked `pg_stat_activity`: {} connections idle in transaction; paged the on-call.\n",
            10 + (15 + i) / 60,
            (15 + i) % 60,
            i * 7
        ));
    }
    doc.push_str(&format!("\n## Lessons Learned\n\n{para}\n\n## Action Items\n\n"));
    for i in 0..15 {
        let mark = if i % 3 == 0 { 'x' } else { ' ' };
        doc.push_str(&format!(
            "- [{mark}] Add pool saturation alert number {i} — **Owner:** Priya · **Team:** Platform · **Due:** 2025-04-01\n"
        ));
    }
    doc
}

fn stored(markdown: &str) -> StoredHtml {
    StoredHtml { html: render(markdown).into_string(), rendered_with: RENDERER_VERSION }
}

/// The postmortem as the page's query gives it: each piece with its stored HTML.
fn loaded() -> Loaded {
    let drafts = recognise(&document(), None).to_drafts();
    let postmortem: Postmortem = saved(drafts);
    let html = PostmortemHtml {
        texts: postmortem.incident.texts.map(|_, text| stored(text)),
        timeline: postmortem.timeline.iter().map(|entry| stored(&entry.body)).collect(),
        action_items: postmortem.action_items.iter().map(|item| stored(&item.body)).collect(),
        sections: postmortem.sections.iter().map(|section| stored(&section.body)).collect(),
    };
    assert!(Section::ALL.iter().filter(|s| !postmortem.incident.texts[**s].is_empty()).count() >= 5);
    Loaded { postmortem, html, extras: Some(PageExtras::default()) }
}

fn viewing() -> Viewing {
    let admin = User {
        id: UserId(1),
        email: "bench@example.com".into(),
        name: "Bench".into(),
        role: Role::Admin,
        active: true,
        has_password: true,
    };
    Viewing {
        viewer: Viewer::person(admin),
        people: Vec::new().into(),
        teams: Vec::new().into(),
        default_due: None,
        now: time::OffsetDateTime::now_utc(),
        author_publishes: false,
    }
}

fn page(c: &mut Criterion) {
    let loaded = loaded();
    let html = ShowPage::build(&loaded, PendingForms::default(), viewing()).render().expect("renders");
    assert!(html.contains("Engineer 39 checked") && html.contains("alert number 14"));
    c.bench_function("postmortem page from stored data (build and render)", |b| {
        b.iter(|| {
            let page = ShowPage::build(black_box(&loaded), PendingForms::default(), viewing());
            black_box(page.render().expect("renders"))
        })
    });
    c.bench_function("postmortem page, building only", |b| {
        b.iter(|| black_box(ShowPage::build(black_box(&loaded), PendingForms::default(), viewing())))
    });
}

criterion_group!(benches, page);
criterion_main!(benches);
