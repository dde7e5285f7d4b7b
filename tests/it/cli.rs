//! The command line: `hindsight user` (the first admin with no default password, and a new
//! one-time link for someone locked out) and `hindsight demo`.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use axum::http::StatusCode;

use crate::harness::TestApp;

fn hindsight(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("HINDSIGHT_PUBLIC_URL", "https://hindsight.example.com/")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hindsight");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("hindsight finished")
}

fn link_in(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let link = stdout.lines().find(|line| line.starts_with("https://")).unwrap_or_else(|| panic!("a link in {stdout}"));
    link.strip_prefix("https://hindsight.example.com").expect("the public URL").to_owned()
}

#[tokio::test]
async fn user_add_creates_the_first_admin_with_a_one_time_link_and_user_reset_makes_another() {
    let app = TestApp::anonymous().await;
    let added = hindsight(&app, &["user", "add", "--admin", "boss@example.com", "--name", "The Boss"], "");
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert!(String::from_utf8_lossy(&added.stdout).contains("Added boss@example.com as Admin."));
    let path = link_in(&added);
    assert!(path.starts_with("/reset/") && path.len() == "/reset/".len() + 64, "{path}");
    let hash: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(&app.pool).await.expect("q");
    assert_eq!(hash, None, "no password until they choose one");

    let set =
        app.post_form(&path, &[("password", "corner office view"), ("password_confirm", "corner office view")]).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    app.set_cookie(Some(set.header("set-cookie").split(';').next().expect("a cookie").to_owned()));
    assert_eq!(app.get("/admin/users").await.status, StatusCode::OK, "an admin, signed in");
    app.set_cookie(None);

    let again = hindsight(&app, &["user", "add", "--admin", "BOSS@example.com"], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an account"));

    let reset = hindsight(&app, &["user", "reset", "boss@example.com"], "");
    assert!(reset.status.success(), "{}", String::from_utf8_lossy(&reset.stderr));
    assert_eq!(app.get(&link_in(&reset)).await.status, StatusCode::OK);
    assert_eq!(app.get(&path).await.status, StatusCode::GONE, "the first link was used");
    let unknown = hindsight(&app, &["user", "reset", "nobody@example.com"], "");
    assert!(!unknown.status.success());

    // Automated set-ups pass a password on standard input, held to the same rules.
    let weak =
        hindsight(&app, &["user", "add", "ops@example.com", "--role", "viewer", "--password-stdin"], "password123\n");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12"), "{}", String::from_utf8_lossy(&weak.stderr));
    let ok = hindsight(
        &app,
        &["user", "add", "ops@example.com", "--role", "viewer", "--password-stdin"],
        "read only robot\n",
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(!String::from_utf8_lossy(&ok.stdout).contains("https://"), "no link when a password was given");
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE email = 'ops@example.com'")
        .fetch_one(&app.pool)
        .await
        .expect("q");
    assert_eq!(role, "viewer");
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE actor_id IS NULL")
        .fetch_one(&app.pool)
        .await
        .expect("q");
    assert_eq!(audit, 3, "two accounts and a link, by the command line");
}

#[tokio::test]
async fn demo_fills_an_empty_database_and_refuses_one_in_use() {
    let app = TestApp::new().await;
    let made = hindsight(&app, &["demo", "--incidents", "30"], "");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(
        String::from_utf8_lossy(&made.stdout).contains("Made 30 postmortems with 300 action items, 50 teams"),
        "{}",
        String::from_utf8_lossy(&made.stdout)
    );
    let revisions: i64 = sqlx::query_scalar("SELECT count(*) FROM revisions").fetch_one(&app.pool).await.expect("q");
    assert_eq!(revisions, 30, "each postmortem has its first revision");
    let misfiled: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM revisions r JOIN incidents i ON i.id = r.incident_id \
         WHERE r.number <> 1 OR r.published <> (i.status = 'published')",
    )
    .fetch_one(&app.pool)
    .await
    .expect("q");
    assert_eq!(misfiled, 0, "one first revision each, published where the postmortem is");
    // The pages read it: the ledger, the overview and a team's page.
    let ledger = app.get("/action-items?status=any").await;
    assert_eq!(ledger.status, StatusCode::OK);
    assert!(ledger.text(".page-head").contains("300 match"), "{}", ledger.text(".page-head"));
    assert_eq!(app.get("/teams").await.status, StatusCode::OK);
    let team: i64 = sqlx::query_scalar("SELECT min(id) FROM teams").fetch_one(&app.pool).await.expect("q");
    assert_eq!(app.get(&format!("/teams/{team}")).await.status, StatusCode::OK);

    let again = hindsight(&app, &["demo", "--incidents", "5"], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has postmortems"));
    assert_eq!(app.count("incidents").await, 30);
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    // `hindsight import --dry-run --json … | head -c 10`: the pipe closes long before the
    // report is written. The command stops without a panic and without calling it an error.
    let dir = std::env::temp_dir().join(format!("hindsight-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let seed = std::fs::read_to_string("../shared/fixtures/postmortems/seed.md").expect("the seed");
    let files: Vec<String> = (0..40)
        .map(|n| {
            let path = dir.join(format!("copy-{n}.md"));
            std::fs::write(&path, &seed).expect("write a copy");
            path.display().to_string()
        })
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["import", "--dry-run", "--json"])
        .args(&files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hindsight");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("hindsight finished");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
