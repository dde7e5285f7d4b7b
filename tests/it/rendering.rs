//! Render on write: every Markdown field is stored with its HTML, and what a page shows is
//! exactly what rendering the Markdown now gives; HTML an older renderer made is made again.

use axum::http::StatusCode;
use hindsight::app::{self, Actor};
use hindsight::db::postmortems::{ForPage, PageRead};
use hindsight::domain::{IncidentId, Section, StoredHtml};
use hindsight::import::draft::recognise;
use hindsight::markdown::{RENDERER_VERSION, render};

use crate::harness::{TestApp, form};

/// The user's seed and the real postmortems in `../shared`, as (file name, text).
fn fixtures() -> Vec<(String, String)> {
    let root = std::path::Path::new("../shared/fixtures/postmortems");
    let mut paths: Vec<_> = std::fs::read_dir(root.join("real"))
        .map(|dir| dir.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "md") && !p.ends_with("SOURCES.md"));
    paths.sort();
    paths.insert(0, root.join("seed.md"));
    paths
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            Some((path.file_name()?.to_string_lossy().into_owned(), text))
        })
        .collect()
}

/// Every piece of postmortem `id` whose stored HTML is not what its Markdown renders to now.
async fn mismatches(app: &TestApp, id: IncidentId) -> Vec<String> {
    let mut conn = app.pool.acquire().await.expect("a connection");
    let read = hindsight::db::postmortems::load_page(&mut conn, id, None, ForPage::default())
        .await
        .expect("load")
        .expect("the postmortem");
    let PageRead::Read(loaded, _, _) = read else { panic!("read whole when nothing is known") };
    let mut wrong = Vec::new();
    let mut check = |what: String, markdown: &str, stored: &StoredHtml| {
        if stored.rendered_with != RENDERER_VERSION || stored.html != render(markdown).as_str() {
            wrong.push(what);
        }
    };
    let postmortem = &loaded.postmortem;
    for section in Section::ALL {
        check(format!("section {}", section.key()), &postmortem.incident.texts[section], &loaded.html.texts[section]);
    }
    for (entry, html) in postmortem.timeline.iter().zip(&loaded.html.timeline) {
        check(format!("timeline entry {}", entry.id), &entry.body, html);
    }
    for (item, html) in postmortem.action_items.iter().zip(&loaded.html.action_items) {
        check(format!("action item {}", item.id), &item.body, html);
    }
    for (section, html) in postmortem.sections.iter().zip(&loaded.html.sections) {
        check(format!("extra section {}", section.heading), &section.body, html);
    }
    for comment in loaded.extras.iter().flat_map(|extras| &extras.comments) {
        check(format!("comment {:?}", comment.body), &comment.body, &comment.stored_html());
    }
    let revisions: Vec<(i32, String, String, i32)> =
        sqlx::query_as("SELECT number, markdown, html, rendered_with FROM revisions WHERE incident_id = $1")
            .bind(id.0)
            .fetch_all(&mut *app.pool.acquire().await.expect("a connection"))
            .await
            .expect("revisions");
    for (number, markdown, html, rendered_with) in revisions {
        check(format!("revision {number}"), &markdown, &StoredHtml { html, rendered_with });
    }
    wrong
}

#[tokio::test]
async fn every_fixture_is_stored_with_exactly_the_html_its_markdown_renders_to() {
    let app = TestApp::new().await;
    let documents = fixtures();
    if documents.len() < 2 {
        // A clone without `../shared`: nothing to read. CI always has it.
        assert!(std::env::var("CI").is_err(), "../shared/fixtures must be there in CI");
        return;
    }
    let mut checked = 0;
    for (name, text) in &documents {
        let drafts = recognise(text, Some(name)).to_drafts();
        let id = app::imports::save(&mut app.pool.acquire().await.expect("a connection"), Actor::CommandLine, &drafts)
            .await
            .expect("saved");
        let wrong = mismatches(&app, id).await;
        assert!(wrong.is_empty(), "{name}: stored HTML differs from a fresh render for {wrong:?}");
        // And the page shows it.
        let page = app.get(&format!("/incidents/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        checked += 1;
    }
    assert_eq!(checked, documents.len());
}

#[tokio::test]
async fn every_kind_of_edit_stores_the_html_of_what_it_saved() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form().with(Section::Summary, "The **pool** ran dry.")).await;
    let id = IncidentId(path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id"));
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged _on-call_")]).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Cap `max_connections`"), ("owner", "Ann")]).await;
    app.post_form(
        &format!("{path}/sections"),
        &[("heading", "Detection"), ("body", "| a | b |\n|---|---|\n| 1 | 2 |")],
    )
    .await;
    app.post_form(&format!("{path}/comments"), &[("body", "Looks **good**")]).await;
    let edit = app.get(&format!("{path}/edit")).await;
    let edited = form()
        .with(Section::Summary, "Now with a [link](https://example.com)")
        .with(Section::LessonsLearned, "- one\n- two");
    let edited = hindsight::domain::input::IncidentForm { version: edit.field_value("version"), ..edited };
    assert_eq!(app.post_form(&path, &edited).await.status, StatusCode::SEE_OTHER);
    let (entry, item, section): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM timeline_entries), (SELECT id FROM action_items), (SELECT id FROM incident_sections)",
    )
    .fetch_one(&mut *app.pool.acquire().await.expect("a connection"))
    .await
    .expect("ids");
    let entry_form = [("time", "10:21"), ("body", "Paged **twice**"), ("version", "1")];
    assert_eq!(app.post_form(&format!("{path}/timeline/{entry}"), &entry_form).await.status, StatusCode::SEE_OTHER);
    let item_form = [("body", "Cap ~~all~~ pools"), ("owner", "Ann"), ("status", "open"), ("version", "1")];
    assert_eq!(app.post_form(&format!("{path}/actions/{item}"), &item_form).await.status, StatusCode::SEE_OTHER);
    let section_form = [("heading", "Detection"), ("body", "A *pager*."), ("version", "1")];
    assert_eq!(app.post_form(&format!("{path}/sections/{section}"), &section_form).await.status, StatusCode::SEE_OTHER);

    assert_eq!(mismatches(&app, id).await, Vec::<String>::new());
    let page = app.get(&path).await;
    assert_eq!(page.texts("#summary .prose a"), ["link"]);
    assert_eq!(page.texts(".timeline .prose strong"), ["twice"]);
    assert_eq!(page.texts(".action-items .prose del"), ["all"]);
}

#[tokio::test]
async fn html_an_older_renderer_made_is_shown_fresh_and_stored_again() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form().with(Section::Summary, "Fresh **summary**")).await;
    let id = IncidentId(path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id"));
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged _on-call_")]).await;
    // As if an older version had rendered everything: other HTML, an older version number.
    for table in ["incident_texts", "timeline_entries", "revisions"] {
        sqlx::query(&format!("UPDATE {table} SET html = '<p>made by an old renderer</p>', rendered_with = 0"))
            .execute(&mut *app.pool.acquire().await.expect("a connection"))
            .await
            .expect("age the HTML");
    }
    let page = app.get(&path).await;
    assert_eq!(page.text("#summary .prose strong"), "summary", "the page renders stale HTML afresh");
    assert!(!page.body.contains("made by an old renderer"));
    // The page stores it again off the request; wait for that.
    let mut stored = false;
    for _ in 0..100 {
        if mismatches(&app, id).await.is_empty() {
            stored = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(stored, "the page's refresh stored fresh HTML: {:?}", mismatches(&app, id).await);

    // What no page asked for, `hindsight migrate` renders: here a revision, as after an upgrade.
    sqlx::query("UPDATE revisions SET html = '', rendered_with = 0")
        .execute(&mut *app.pool.acquire().await.expect("a connection"))
        .await
        .expect("age");
    let refreshed =
        app::rendering::refresh_all(&mut app.pool.acquire().await.expect("a connection")).await.expect("refresh");
    assert!(refreshed >= 1, "the revision was stale");
    assert_eq!(mismatches(&app, id).await, Vec::<String>::new());
    assert_eq!(
        app::rendering::refresh_all(&mut app.pool.acquire().await.expect("a connection")).await.expect("refresh"),
        0,
        "nothing left to do"
    );
}
