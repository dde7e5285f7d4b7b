//! Importing Markdown: saved whole as a draft, and a Hindsight export comes back unchanged.

use axum::http::StatusCode;
use hindsight::import::{check_input, draft};

use crate::harness::TestApp;

const GOLDEN: &str = include_str!("../golden/seed.md");

#[tokio::test]
async fn an_export_imports_back_to_the_same_bytes() {
    let app = TestApp::new().await;
    let text = check_input(GOLDEN.as_bytes()).expect("valid input");
    let drafts = draft::recognise(text, Some("seed.md")).to_drafts().expect("the export states its start");
    let id = hindsight::db::imports::save(&app.pool, &drafts).await.expect("saved");
    let export = app.get(&format!("/incidents/{id}/export.md")).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.body, GOLDEN, "export(import(export(p))) == export(p)");
}

#[tokio::test]
async fn the_users_seed_imports_with_everything_in_place() {
    let Ok(seed) = std::fs::read_to_string("../shared/fixtures/postmortems/seed.md") else {
        eprintln!("../shared is absent: skipping");
        return;
    };
    let app = TestApp::new().await;
    let drafts = draft::recognise(&seed, Some("seed.md")).to_drafts().expect("the seed states its start");
    let id = hindsight::db::imports::save(&app.pool, &drafts).await.expect("saved");
    let page = app.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.text("h1"), "Postmortem: The Great Database Meltdown of 2025");
    assert_eq!(page.text(".meta .status"), "Draft");
    assert_eq!(page.texts(".meta time")[0], "2025-03-01 10:15 UTC+2");
    assert_eq!(page.texts(".timeline time").len(), 8);
    assert_eq!(page.texts(".action-items li.done").len(), 4);
}
