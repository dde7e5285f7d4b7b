//! The Markdown export: the golden seed postmortem, determinism, headers, the copy view.

use axum::http::StatusCode;

use hindsight::domain::Section;
use hindsight::domain::input::IncidentForm;

use crate::harness::{TestApp, titled};

const GOLDEN: &str = "tests/golden/seed.md";

/// The user's own example postmortem (`shared/fixtures/postmortems/seed.md`), entered through
/// the same forms a person would use.
async fn enter_the_seed(app: &TestApp) -> String {
    let fields = IncidentForm {
        title: "The Great Database Meltdown of 2025".into(),
        severity: "SEV2".into(),
        status: "published".into(),
        started_at: "2025-03-01T10:15".into(),
        ended_at: "2025-03-01T11:05".into(),
        utc_offset: "UTC+2".into(),
        ..IncidentForm::default()
    }
    .with(Section::Summary, "A database connection pool misconfiguration—too many connections fighting for too few slots, leading to mass query casualties.")
    .with(Section::Impact, "Our beloved web app turned into a virtual ghost town. 80% of users couldn’t log in, dashboards vanished into the abyss, and 500 Internal Server Errors haunted the screens. 😱")
    .with(Section::RootCause, "Our database connection pool was like a small elevator in a skyscraper—too many people trying to get in at once, causing chaos. Under heavy load, connections maxed out, leaving new requests stranded.")
    .with(Section::Resolution, "We upgraded our elevator! Increased max connections, fine-tuned the pool settings, and gave our database a well-earned restart. Problem solved! 🎉")
    .with(Section::CorrectiveMeasures, "**How We’ll Avoid Another Meltdown:**\r\n- Implemented dynamic connection scaling (so our elevator gets bigger when needed). 🏗️\r\n- Enhanced logging to spot connection traffic jams before they happen. 🚦\r\n- Adjusted alert thresholds to avoid last-minute fire drills. 🔥\r\n")
    .with(Section::PreventativeMeasures, String::new())
    .with(Section::LessonsLearned, "And finally, a friendly reminder: **Never underestimate the power of proper database settings.** Your future self will thank you! 😉");
    let path = app.create_incident(&fields).await;
    let timeline = [
        ("10:15 AM", "Monitoring alerts screamed, API response times skyrocketed. 🚨"),
        (
            "10:18 AM",
            "Users flooded support with messages like “Is your app down, or is it just me?” (Spoiler: It wasn’t just them.)",
        ),
        ("10:22 AM", "Engineers launched an investigation. Initial suspect: rogue API performance gremlins. 🕵️♂️"),
        ("10:30 AM", "Restarted API services. Outcome? No change. Mood? Nervous. 😬"),
        ("10:40 AM", "Logs revealed a growing army of failed database connections."),
        ("10:45 AM", "Emergency call to the database wizards. 🧙♂️"),
        ("10:55 AM", "Connection limits increased as a band-aid fix. Signs of life returned."),
        (
            "11:05 AM",
            "Permanent solution applied: smarter connection pool settings, a fresh database restart, and a collective sigh of relief. 😌",
        ),
    ];
    // Entered out of order: the export sorts by time.
    for (time, body) in timeline.iter().rev() {
        let response = app.post_form(&format!("{path}/timeline"), &[("time", time), ("body", body)]).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    }
    for body in [
        "Increase max database connections in production.",
        "Add monitoring for connection pool utilization.",
        "Conduct load testing to determine safe connection limits.",
        "Implement automatic failover mechanisms.",
    ] {
        let response = app.post_form(&format!("{path}/actions"), &[("body", body), ("done", "on")]).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    }
    // The seed is a published postmortem. Its review (which its owner-less action items would
    // not pass) is not what these tests are about, so it is published directly.
    sqlx::query("UPDATE incidents SET status = 'published'").execute(&app.pool).await.expect("publish the seed");
    path
}

#[tokio::test]
async fn the_seed_exports_to_the_golden_file_byte_for_byte_every_time() {
    let app = TestApp::new().await;
    let path = enter_the_seed(&app).await;
    let first = app.get(&format!("{path}/export.md")).await;
    assert_eq!(first.status, StatusCode::OK);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &first.body).expect("write the golden file");
    }
    let golden = std::fs::read_to_string(GOLDEN).expect("the golden file exists (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(first.body, golden, "the export differs from {GOLDEN}");
    let second = app.get(&format!("{path}/export.md")).await;
    assert_eq!(second.body.as_bytes(), first.body.as_bytes());
}

#[tokio::test]
async fn the_export_downloads_as_markdown_with_a_name_from_the_title() {
    let app = TestApp::new().await;
    let path = enter_the_seed(&app).await;
    let response = app.get(&format!("{path}/export.md")).await;
    assert_eq!(response.header("content-type"), "text/markdown; charset=utf-8");
    assert_eq!(
        response.header("content-disposition"),
        "attachment; filename=\"2025-03-01-the-great-database-meltdown-of-2025.md\""
    );
}

#[tokio::test]
async fn the_copy_view_shows_the_same_text() {
    let app = TestApp::new().await;
    let path = enter_the_seed(&app).await;
    let export = app.get(&format!("{path}/export.md")).await;
    let view = app.get(&format!("{path}/markdown")).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.attr("textarea#markdown", "readonly").as_deref(), Some(""));
    // The HTML parser drops one leading newline in a textarea; the export starts with `#`.
    let html = view.html();
    let selector = scraper::Selector::parse("textarea#markdown").expect("selector");
    let text: String = html.select(&selector).next().expect("the textarea").text().collect();
    assert_eq!(text, export.body);
    assert_eq!(view.attr(".form-actions a", "href"), Some(format!("{path}/export.md")));
}

#[tokio::test]
async fn editing_changes_the_export_and_ongoing_incidents_say_so() {
    let app = TestApp::new().await;
    let path = app.create_incident(&IncidentForm { ended_at: String::new(), ..titled("Still burning") }).await;
    let export = app.get(&format!("{path}/export.md")).await.body;
    assert!(export.starts_with("# Still burning\n\n- **Severity:** SEV2\n"));
    assert!(export.contains("- **End:** ongoing\n"));
    assert!(!export.contains("Duration"));
}

#[tokio::test]
async fn a_missing_postmortem_has_no_export() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/incidents/12345/export.md").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/incidents/12345/markdown").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_postmortem_downloads_as_one_zip_with_an_index() {
    use std::io::Read as _;
    let app = TestApp::new().await;
    let seed = enter_the_seed(&app).await;
    app.create_incident(&titled("Older outage")).await;
    let (response, queries) = TestApp::count_queries(app.get("/incidents/export.zip")).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(queries, 6, "the session, then one query per table and one for the labels, however many postmortems");
    assert_eq!(response.header("content-type"), "application/zip");
    assert_eq!(response.header("content-disposition"), "attachment; filename=\"hindsight-postmortems.zip\"");

    let request = axum::http::Request::get("/incidents/export.zip").body(axum::body::Body::empty()).expect("request");
    let bytes = app.request_bytes(request).await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("a zip");
    let mut names: Vec<String> = archive.file_names().map(|name| name.expect("a name").into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "hindsight-postmortems/2025-03-01-older-outage.md",
            "hindsight-postmortems/2025-03-01-the-great-database-meltdown-of-2025.md",
            "hindsight-postmortems/index.md",
        ]
    );
    let mut seed_file = String::new();
    archive
        .by_name("hindsight-postmortems/2025-03-01-the-great-database-meltdown-of-2025.md")
        .expect("the seed's file")
        .read_to_string(&mut seed_file)
        .expect("UTF-8");
    assert_eq!(seed_file, app.get(&format!("{seed}/export.md")).await.body);

    let again = app
        .request_bytes(
            axum::http::Request::get("/incidents/export.zip").body(axum::body::Body::empty()).expect("request"),
        )
        .await;
    assert_eq!(again, bytes, "the same postmortems make the same archive");
}

/// Titles chosen to collide with the names that tell clashing titles apart ("Outage 2" beside
/// a second "Outage" whose id is 2), and titles that break file systems: the zip still
/// downloads for everyone, and `hindsight export --all` writes every postmortem to a file of
/// its own, each name portable.
#[tokio::test]
async fn every_download_name_is_unique_and_portable_whatever_the_titles() {
    use std::io::Read as _;
    let app = TestApp::new().await;
    let titles = [
        "Outage",
        "Outage",
        "Outage",
        "Outage 1",
        "Outage 2",
        "Outage 3",
        "../../etc/passwd",
        "CON",
        "a\\b:c*d?e",
        "🔥",
    ];
    for title in titles {
        app.create_incident(&titled(title)).await;
    }
    let request = axum::http::Request::get("/incidents/export.zip").body(axum::body::Body::empty()).expect("request");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(app.request_bytes(request).await)).expect("a zip");
    let names: Vec<String> = archive.file_names().map(|name| name.expect("a name").into_owned()).collect();
    assert_eq!(names.len(), titles.len() + 1, "one file each and the index: {names:?}");
    let portable = |name: &str| {
        name.strip_suffix(".md")
            .is_some_and(|stem| stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    };
    for name in &names {
        let file = name.strip_prefix("hindsight-postmortems/").expect("inside the folder");
        assert!(portable(file), "{name}");
    }
    // Each file is the postmortem the index links it to.
    let mut index = String::new();
    archive.by_name("hindsight-postmortems/index.md").expect("the index").read_to_string(&mut index).expect("UTF-8");
    for name in &names {
        let file = name.strip_prefix("hindsight-postmortems/").expect("inside the folder");
        if file != "index.md" {
            assert!(index.contains(&format!("]({file})")), "{file} is linked from the index");
        }
    }

    let dir = std::env::temp_dir().join(format!("hindsight-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["export", "--all"])
        .arg(&dir)
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run hindsight export");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .expect("the export folder")
        .map(|entry| entry.expect("an entry").file_name().into_string().expect("a UTF-8 name"))
        .collect();
    written.sort();
    let mut in_zip: Vec<String> =
        names.iter().map(|name| name.trim_start_matches("hindsight-postmortems/").to_owned()).collect();
    in_zip.sort();
    assert_eq!(written, in_zip, "the command line writes the same files, none over another");
    std::fs::remove_dir_all(&dir).expect("clean up");
}
