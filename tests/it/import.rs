//! Importing Markdown: saved whole as a draft, and a Hindsight export comes back unchanged
//! (but for its status: every import is a draft).

use axum::http::StatusCode;
use hindsight::import::{check_input, draft};
use serde_json::Value;

use crate::harness::TestApp;

const GOLDEN: &str = include_str!("../golden/seed.md");

#[tokio::test]
async fn an_export_imports_back_to_the_same_bytes() {
    let app = TestApp::new().await;
    let text = check_input(GOLDEN.as_bytes()).expect("valid input");
    let drafts = draft::recognise(text, Some("seed.md")).to_drafts();
    let id = hindsight::app::imports::save(
        &mut app.pool.acquire().await.expect("a connection"),
        hindsight::app::Actor::CommandLine,
        &drafts,
    )
    .await
    .expect("saved");
    let export = app.get(&format!("/incidents/{id}/export.md")).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.body, as_draft(GOLDEN), "export(import(export(p))) == export(p), as a draft");
}

/// An export as its import saves it: the same bytes, except that every import is a draft
/// (only a review publishes).
fn as_draft(export: &str) -> String {
    assert!(export.contains("- **Status:** Published\n"), "the golden export is of a published postmortem");
    export.replacen("- **Status:** Published\n", "- **Status:** Draft\n", 1)
}

#[tokio::test]
async fn the_users_seed_imports_with_everything_in_place() {
    let Ok(seed) = std::fs::read_to_string("../shared/fixtures/postmortems/seed.md") else {
        eprintln!("../shared is absent: skipping");
        return;
    };
    let app = TestApp::new().await;
    let drafts = draft::recognise(&seed, Some("seed.md")).to_drafts();
    let id = hindsight::app::imports::save(
        &mut app.pool.acquire().await.expect("a connection"),
        hindsight::app::Actor::CommandLine,
        &drafts,
    )
    .await
    .expect("saved");
    let page = app.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.text("h1"), "Postmortem: The Great Database Meltdown of 2025");
    assert_eq!(page.text(".meta .status"), "Draft");
    assert_eq!(page.texts(".meta time")[0], "2025-03-01 10:15 UTC+2");
    assert_eq!(page.texts(".timeline time").len(), 8);
    assert_eq!(page.texts(".action-items li.done").len(), 4);
    assert!(page.texts("h2").contains(&"⏳ Timeline (a.k.a. How We Panicked in Real-Time)".to_owned()));

    // The export keeps the authors' headings and their own duration statement, and reads back
    // to the same bytes.
    let export = app.get(&format!("/incidents/{id}/export.md")).await.body;
    assert!(export.contains("\n## 🚨 Issue Summary\n\n**Duration:** March 1, 2025, from 10:15 AM"), "{export}");
    assert!(export.contains("\n## 🕵️ Root Cause and Resolution\n"), "{export}");
    let again = draft::recognise(&export, None).to_drafts();
    let id = hindsight::app::imports::save(
        &mut app.pool.acquire().await.expect("a connection"),
        hindsight::app::Actor::CommandLine,
        &again,
    )
    .await
    .expect("saved");
    assert_eq!(app.get(&format!("/incidents/{id}/export.md")).await.body, export);
}

// ---- The Import page ------------------------------------------------------------------------

/// A small postmortem in another style than Hindsight's own.
const WIKI_STYLE: &str = "\
**Postmortem: Search outage**

**Duration:** 2025-06-02 from 14:00 to 14:40 (UTC-5)

## TL;DR
Search returned errors for forty minutes.

## Timeline
- **14:00** Errors start
- **14:25** Index rebuilt

## Action items
- [x] Alert on index size @dana
- [ ] Add a canary (Owner: Lee, Team: Search)
";

#[tokio::test]
async fn uploaded_files_are_previewed_with_what_was_recognised() {
    let app = TestApp::new().await;
    let page = app
        .post_multipart(
            "/import/preview",
            &[
                ("markdown", None, b""),
                ("files", Some("search.md"), WIKI_STYLE.as_bytes()),
                ("files", Some("seed-export.md"), GOLDEN.as_bytes()),
                ("files", Some("photo.md"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts(".import-doc h2"), ["Postmortem: Search outage", "The Great Database Meltdown of 2025"]);
    let rejected = page.text(".error-summary li");
    assert!(rejected.contains("photo.md") && rejected.contains("binary"), "{rejected}");

    // The corrections show what the document said, in its own offset.
    assert_eq!(page.field_value("doc0-started_at"), "2025-06-02T14:00");
    assert_eq!(page.field_value("doc0-ended_at"), "2025-06-02T14:40");
    assert_eq!(page.field_value("doc0-utc_offset"), "UTC-5");
    let first = page.html();
    let doc = |i: usize, selector: &str| -> Vec<String> {
        let sel = scraper::Selector::parse(&format!("#doc{i}-card {selector}")).expect("selector");
        first.select(&sel).map(|e| e.text().collect::<String>().trim().to_owned()).collect()
    };
    assert_eq!(doc(0, ".recognised-fields dt"), ["Summary from “TL;DR”"]);
    assert_eq!(doc(0, ".recognised-timeline time"), ["2025-06-02 14:00 UTC-5", "2025-06-02 14:25 UTC-5"]);
    assert_eq!(doc(0, ".recognised-items td:first-child"), ["Done", "Open"]);
    assert_eq!(doc(0, ".recognised-items td:nth-child(3)"), ["@dana", "Lee"]);
    assert_eq!(doc(0, ".recognised-items td:nth-child(4)"), ["", "Search"]);
    assert_eq!(doc(1, ".recognised-timeline time").len(), 8);
    assert_eq!(doc(1, ".recognised-items td:first-child"), ["Done", "Done", "Done", "Done"]);
    assert_eq!(app.count("incidents").await, 0, "a preview saves nothing");
}

#[tokio::test]
async fn pasted_markdown_is_previewed_and_nothing_at_all_is_refused() {
    let app = TestApp::new().await;
    let page = app.post_multipart("/import/preview", &[("markdown", None, WIKI_STYLE.as_bytes())]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts(".import-doc h2"), ["Postmortem: Search outage"]);

    let empty = app.post_multipart("/import/preview", &[("markdown", None, b"  \n"), ("files", Some(""), b"")]).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.text(".error-summary").contains("Paste a Markdown postmortem"), "{}", empty.body);
}

#[tokio::test]
async fn saving_the_preview_creates_every_draft_at_once() {
    let app = TestApp::new().await;
    let response = app
        .post_form(
            "/import",
            &[
                ("doc0-file_name", "search.md"),
                ("doc0-source", WIKI_STYLE),
                ("doc1-source", GOLDEN),
                ("doc1-title", "Meltdown, corrected title"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert!(response.location().starts_with("/import/saved?ids="), "{}", response.location());
    let saved = app.get(response.location()).await;
    assert_eq!(saved.texts("td.title"), ["Postmortem: Search outage", "Meltdown, corrected title"]);

    let search = app.get(&saved.attr("td.title a", "href").expect("a link")).await;
    assert_eq!(search.text(".meta .status"), "Draft");
    assert_eq!(search.texts(".timeline time").len(), 2);
    assert_eq!(search.texts(".action-items li.done").len(), 1);
    assert_eq!(app.count("incidents").await, 2);
}

#[tokio::test]
async fn a_document_that_needs_correcting_saves_nothing_until_it_is_corrected() {
    let app = TestApp::new().await;
    // A start typed in the preview that cannot be one needs correcting (what the document
    // itself says or leaves out never does).
    let undated = "# Cache stampede\n\n## Impact\nSlow pages.\n";
    let form = [
        ("doc0-source", WIKI_STYLE),
        ("doc1-source", undated),
        ("doc1-started_at", "last tuesday"),
        ("action", "save"),
    ];
    let refused = app.post_form("/import", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#save-refused").contains("Nothing was saved"), "{}", refused.body);
    let why = refused.field_error("doc1-started_at").unwrap_or_default();
    assert!(why.contains("Enter a date and time"), "{why}");
    assert_eq!(refused.field_value("doc1-source"), undated, "the Markdown is carried along unchanged");
    assert_eq!(app.count("incidents").await, 0, "nothing is saved while one document needs attention");

    // Leaving the document out saves the other one.
    let left_out = app.post_form("/import", &[form[0], form[1], form[2], ("doc1-leave_out", "on"), form[3]]).await;
    assert_eq!(left_out.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("incidents").await, 1);

    // Giving it a start saves it, in the offset chosen.
    let corrected = app
        .post_form(
            "/import",
            &[
                ("doc0-source", undated),
                ("doc0-started_at", "2025-07-01T09:00"),
                ("doc0-utc_offset", "UTC+1"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER, "{}", corrected.body);
    let page = app.get(corrected.location()).await;
    assert_eq!(page.texts(".meta time")[0], "2025-07-01 09:00 UTC+1");
}

#[tokio::test]
async fn the_import_page_offers_paste_and_upload() {
    let app = TestApp::new().await;
    let page = app.get("/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.attr("main form", "enctype").as_deref(), Some("multipart/form-data"));
    assert_eq!(page.attr("input[type=file]", "name").as_deref(), Some("files"));
    assert!(page.attr("input[type=file]", "multiple").is_some());
    assert_eq!(page.attr("textarea", "name").as_deref(), Some("markdown"));
}

// ---- The API ---------------------------------------------------------------------------------

#[tokio::test]
async fn the_api_returns_the_recognised_structure_without_saving() {
    let app = TestApp::new().await;
    let response = app.post_body("/api/import?file_name=search.md", "text/markdown", WIKI_STYLE).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let json: Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(json["title"], "Postmortem: Search outage");
    assert_eq!(json["started_at"], "2025-06-02T14:00:00-05:00");
    assert_eq!(json["ended_at"], "2025-06-02T14:40:00-05:00");
    assert_eq!(json["summary"]["heading"], "TL;DR");
    assert_eq!(json["timeline"][1]["occurred_at"], "2025-06-02T14:25:00-05:00");
    assert_eq!(json["action_items"][1]["owner"], "Lee");
    assert_eq!(app.count("incidents").await, 0);
}

#[tokio::test]
async fn the_api_saves_a_draft_and_answers_with_its_id() {
    let app = TestApp::new().await;
    let response = app.post_body("/api/import?save=true", "text/markdown", GOLDEN).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let json: Value = serde_json::from_str(&response.body).expect("JSON");
    let url = json["url"].as_str().expect("a url");
    assert_eq!(response.location(), url);
    assert_eq!(format!("/incidents/{}", json["id"]), url);
    let export = app.get(&format!("/api{url}/export.md")).await;
    assert_eq!(export.body, as_draft(GOLDEN));
    let notes: Vec<&str> = json["notes"].as_array().expect("notes").iter().filter_map(Value::as_str).collect();
    assert_eq!(notes, ["Imported as a draft; it was marked Published in the document."]);
}

#[tokio::test]
async fn the_api_explains_a_document_it_cannot_import_in_json() {
    let app = TestApp::new().await;
    for (body, status, words) in [
        (b"\xff\xfeb\0a\0d\0".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "UTF-16"),
        (b"caf\xe9".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "not UTF-8"),
        (Vec::new(), StatusCode::UNPROCESSABLE_ENTITY, "empty"),
        (vec![b'a'; 3 * 1024 * 1024], StatusCode::PAYLOAD_TOO_LARGE, "size limit"),
        (b"\n".repeat(100_000), StatusCode::UNPROCESSABLE_ENTITY, "empty"),
        ("x\n".repeat(100_000).into_bytes(), StatusCode::UNPROCESSABLE_ENTITY, "100000 lines"),
    ] {
        let response = app.post_body("/api/import?save=true", "text/markdown", body).await;
        assert_eq!(response.status, status, "{}", response.body);
        assert_eq!(response.header("content-type"), "application/json");
        let json: Value = serde_json::from_str(&response.body).expect("JSON");
        let message = json["error"]["message"].as_str().expect("a message");
        assert!(message.contains(words), "{message}");
    }
    assert_eq!(app.count("incidents").await, 0);
    // What a document does not say is no reason: saved, the notes saying what is missing.
    let undated = app.post_body("/api/import?save=true", "text/markdown", "# Outage\n\nIt broke.\n").await;
    assert_eq!(undated.status, StatusCode::CREATED, "{}", undated.body);
    assert!(undated.body.contains("No start of impact was stated"), "{}", undated.body);
    assert_eq!(app.count("incidents").await, 1);
}

#[tokio::test]
async fn the_authors_spelling_of_a_time_lasts_while_the_time_does() {
    let app = TestApp::new().await;
    let doc = "# Outage\n\n**Start:** 2025-03-01 10:15 UTC+2\n\n## Timeline\n\n- **10:15 AM** – Paged\n- **10:20 AM** – Rolled back\n";
    let saved = app.post_body("/api/import?save=true", "text/markdown", doc).await;
    let url = serde_json::from_str::<Value>(&saved.body).expect("JSON")["url"].as_str().expect("url").to_owned();
    let export = || async { app.get(&format!("{url}/export.md")).await.body };
    assert!(export().await.contains("- **10:15 AM** – Paged\n- **10:20 AM** – Rolled back\n"));

    // Editing the text keeps it; editing the time writes Hindsight's own.
    let json: Value = serde_json::from_str(&app.get(&format!("/api{url}")).await.body).expect("JSON");
    let (first, second) = (&json["timeline"][0]["id"], &json["timeline"][1]["id"]);
    assert_eq!(json["timeline"][0]["time_as_written"], "10:15 AM");
    app.post_form(
        &format!("{url}/timeline/{first}"),
        &[("date", "2025-03-01"), ("time", "10:15"), ("body", "Paged on-call"), ("version", "1")],
    )
    .await;
    app.post_form(
        &format!("{url}/timeline/{second}"),
        &[("date", "2025-03-01"), ("time", "10:25"), ("body", "Rolled back"), ("version", "1")],
    )
    .await;
    assert!(
        export().await.contains("- **10:15 AM** – Paged on-call\n- **10:25** – Rolled back\n"),
        "{}",
        export().await
    );

    // A new offset forgets it: "10:15 AM" would read as another instant.
    let page = app.get(&format!("{url}/edit")).await;
    let mut form: Vec<(String, String)> = ["title", "severity", "started_at", "ended_at", "summary", "version"]
        .iter()
        .map(|name| ((*name).to_owned(), page.field_value(name)))
        .collect();
    form.push(("utc_offset".to_owned(), "UTC+1".to_owned()));
    assert_eq!(app.post_form(&url, &form).await.status, StatusCode::SEE_OTHER);
    assert!(export().await.contains("- **09:15** – Paged on-call\n"), "{}", export().await);
}

/// An offset out of range or an unknown zone name is never read as UTC, nor is the document
/// refused for it: the Import page, the API and the command line each say which zone is not
/// one and save the draft without its times (the timeline's kept as written) until an offset is
/// chosen, which the preview offers.
#[tokio::test]
async fn a_zone_that_is_not_one_is_never_read_as_utc_and_never_refuses_the_document() {
    let app = TestApp::new().await;
    let doc =
        "# Outage\n\n- **Start:** 2025-03-01 10:15 UTC+24:00\n\n## Impact\n\nSlow.\n\n## Timeline\n\n- 10:20 Paged\n";
    let preview = app.post_form("/import", &[("doc0-source", doc), ("action", "preview")]).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.text(".confidence-assumed").contains("“UTC+24:00”, which is not one"), "{}", preview.body);
    assert_eq!(preview.field_value("doc0-utc_offset"), "", "not filled in as UTC");
    assert_eq!(preview.field_value("doc0-started_at"), "", "no time read in a zone that is not one");
    let saved = app.post_form("/import", &[("doc0-source", doc), ("action", "save")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get(saved.location()).await;
    assert!(page.text("#pm-meta").contains("Not stated yet"), "{}", page.text("#pm-meta"));
    assert!(page.body.contains("10:20 Paged"), "the row's time kept as written: {}", page.body);

    // Choosing an offset, even UTC itself, is the answer.
    let chosen =
        app.post_form("/import", &[("doc0-source", doc), ("doc0-utc_offset", "UTC"), ("action", "save")]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    let saved = app.get(chosen.location()).await; // one document: its page
    assert_eq!(saved.texts(".meta time")[0], "2025-03-01 10:15 UTC");

    let api = app.post_body("/api/import?save=true", "text/markdown", doc).await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    assert!(api.body.contains("UTC+24:00"), "the notes say why: {}", api.body);

    let file = std::env::temp_dir().join(format!("hindsight-bad-zone-{}.md", std::process::id()));
    std::fs::write(&file, doc.replace("UTC+24:00", "Europe/Lodnon")).expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["import", file.to_str().expect("a path")])
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run hindsight");
    std::fs::remove_file(&file).ok();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("“Europe/Lodnon”, which is not one"), "{stdout}");
    let starts: Vec<bool> =
        sqlx::query_scalar("SELECT start_stated FROM incidents ORDER BY id").fetch_all(&app.pool).await.expect("q");
    assert_eq!(starts, [false, true, false, false], "only the one given an offset has its start");
}

/// Where a zone is typed (a postmortem's offset, a team's zone) the limits are those of the
/// importer: UTC-12 to UTC+14, and names the tz database has.
#[tokio::test]
async fn offsets_and_zones_typed_in_forms_are_held_to_their_limits() {
    use crate::harness::form;
    let app = TestApp::new().await;
    for (offset, accepted) in [
        ("UTC+14", true),
        ("UTC-12:00", true),
        ("+05:45", true),
        ("UTC+14:01", false),
        ("UTC-12:30", false),
        ("UTC+24:00", false),
        ("-1300", false),
        ("UTC+5:75", false),
        ("UTC+2.5", false),
        ("Mars", false),
    ] {
        let fields = hindsight::domain::input::IncidentForm { utc_offset: offset.into(), ..form() };
        let response = app.post_form("/incidents", &fields).await;
        let status = if accepted { StatusCode::SEE_OTHER } else { StatusCode::UNPROCESSABLE_ENTITY };
        assert_eq!(response.status, status, "{offset}: {}", response.body);
        if !accepted {
            let error = response.field_error("utc_offset").unwrap_or_default();
            assert!(error.contains("UTC-12 to UTC+14") || error.contains("Write the offset as"), "{offset}: {error}");
        }
    }
    for (zone, accepted) in [
        ("Pacific/Kiritimati", true),
        ("Etc/GMT+12", true),
        ("Etc/GMT+15", false),
        ("UTC+24:00", false),
        ("Europe/Lodnon", false),
    ] {
        let response =
            app.post_form("/admin/teams", &[("name", format!("Team {zone}")), ("time_zone", zone.to_owned())]).await;
        let status = if accepted { StatusCode::SEE_OTHER } else { StatusCode::UNPROCESSABLE_ENTITY };
        assert_eq!(response.status, status, "{zone}");
        if !accepted {
            assert!(response.body.contains(&format!("“{zone}” is not a time zone Hindsight knows")), "{zone}");
        }
    }
}

#[tokio::test]
async fn a_verified_item_exports_its_verification_and_imports_back_with_it() {
    let app = TestApp::new().await;
    let path = app.create_incident(&crate::harness::form()).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Cap the pool"), ("owner", "Priya"), ("done", "on")]).await;
    let item: i64 = sqlx::query_scalar("SELECT id FROM action_items").fetch_one(&app.pool).await.expect("an item");
    let verify = format!("{path}/actions/{item}/verify");
    assert_eq!(
        app.post_form(&verify, &[("evidence", "https://ci.example.com/load/7")]).await.status,
        StatusCode::SEE_OTHER
    );
    let name: String =
        sqlx::query_scalar("SELECT verified_by_name FROM action_items").fetch_one(&app.pool).await.expect("q");
    let today = hindsight::domain::time::format_date(time::OffsetDateTime::now_utc().date());
    let export = app.get(&format!("{path}/export.md")).await.body;
    let line = format!(
        "- [x] Cap the pool — **Owner:** Priya · **Verified:** {today} · **Verified by:** {name} · **Evidence:** https://ci.example.com/load/7\n"
    );
    assert!(export.contains(&line), "{export}");

    let saved = app.post_body("/api/import?save=true", "text/markdown", export.clone()).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let url = serde_json::from_str::<Value>(&saved.body).expect("JSON")["url"].as_str().expect("a url").to_owned();
    assert_eq!(app.get(&format!("{url}/export.md")).await.body, export, "the same bytes again");
    let (by, by_name): (Option<i64>, String) =
        sqlx::query_as("SELECT verified_by, verified_by_name FROM action_items ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("the imported item");
    assert_eq!((by, by_name), (None, name), "the verifier as written: the document cannot say who they are here");
}

/// A document that does not say when the impact started is saved all the same, as a draft
/// without a start: its page and review checklist ask for one, it cannot go to review until
/// it has one, it can be edited meanwhile, and its export leaves the start out and reads back.
#[tokio::test]
async fn a_document_without_a_start_is_saved_as_a_draft_that_asks_for_it() {
    let app = TestApp::new().await;
    let doc = "# Cache stampede\n\nThe cache expired at once one night.\n\n## Impact\n\nSlow pages.\n\n## Root cause\n\nOne TTL for every key.\n\n## Timeline\n\n- 23:50 Alert fired\n- 00:10 Rolled back\n";
    let preview = app.post_form("/import", &[("doc0-source", doc), ("action", "preview")]).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.text(".confidence-assumed").contains("No start of impact was stated"), "{}", preview.body);
    assert!(preview.text(".confidence-missing").contains("The start of impact"), "{}", preview.body);
    assert!(preview.text(".confidence-missing").contains("date or time of 2 timeline rows"), "{}", preview.body);
    let saved = app.post_form("/import", &[("doc0-source", doc), ("action", "save")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let url = saved.location().to_owned();

    let page = app.get(&url).await;
    assert_eq!(page.text(".meta .status"), "Draft");
    assert!(page.text("#pm-meta").contains("Not stated yet"), "{}", page.text("#pm-meta"));
    assert!(page.texts(".review .missing li").contains(&"Enter when the impact started.".to_owned()));
    // The times without a date are kept, as written, until the start dates them.
    assert!(page.body.contains("23:50 Alert fired"), "{}", page.body);
    let refused = app.post_empty(&format!("{url}/submit")).await;
    assert!(refused.text(".review .error-summary").contains("Not ready for review"), "{}", refused.body);

    // Two different starts do not refuse a document either: neither is taken, and the notes
    // say both.
    let two_starts =
        "# Outage\n\n**Start:** 2025-03-01 10:15 UTC\n\nIt broke.\n\n## Impact\n\n**Start:** 2025-03-02 09:00 UTC\n";
    let api = app.post_body("/api/import?save=true", "text/markdown", two_starts).await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    assert!(api.body.contains("two different starts of impact"), "{}", api.body);

    // It is listed with the others, its start said to be missing.
    let list = app.get("/incidents").await;
    assert!(list.body.contains("start not stated"), "{}", list.body);
    // The API and the export say no start rather than a made-up one.
    let id = url.rsplit('/').next().unwrap_or_default();
    let json: Value = serde_json::from_str(&app.get(&format!("/api/incidents/{id}")).await.body).expect("JSON");
    assert_eq!(json["started_at"], Value::Null);
    let export = app.get(&format!("{url}/export.md")).await.body;
    assert!(!export.contains("**Start:**") && !export.contains("ongoing"), "{export}");
    let again = draft::recognise(check_input(export.as_bytes()).expect("readable"), None);
    assert_eq!(again.started_at, None);
    assert_eq!(export, hindsight::markdown::export::export(&draft::saved(again.to_drafts())));

    // Edited without a start, it saves; given one, it can go to review.
    let edit = app.get(&format!("{url}/edit")).await;
    assert_eq!(edit.field_value("started_at"), "");
    let mut form: Vec<(String, String)> = ["title", "severity", "ended_at", "utc_offset", "summary", "version"]
        .iter()
        .map(|name| ((*name).to_owned(), edit.field_value(name)))
        .collect();
    form.push(("started_at".to_owned(), String::new()));
    form.push(("impact".to_owned(), "Slow pages for everyone.".to_owned()));
    form.push(("root_cause".to_owned(), "One TTL for every key.".to_owned()));
    let edited = app.post_form(&url, &form).await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    let page = app.get(&url).await;
    assert!(page.text("#pm-meta").contains("Not stated yet"));
    let edit = app.get(&format!("{url}/edit")).await;
    for field in form.iter_mut() {
        match field.0.as_str() {
            "started_at" => field.1 = "2025-03-01T23:45".to_owned(),
            "version" => field.1 = edit.field_value("version"),
            _ => {}
        }
    }
    let dated = app.post_form(&url, &form).await;
    assert_eq!(dated.status, StatusCode::SEE_OTHER, "{}", dated.body);
    let page = app.get(&url).await;
    assert_eq!(page.texts(".meta time")[0], "2025-03-01 23:45 UTC");
    assert!(!page.texts(".review .missing li").contains(&"Enter when the impact started.".to_owned()));
}
