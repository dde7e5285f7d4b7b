//! Error pages, overload and outage behaviour, health probes, and the stylesheet.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use hindsight::database::pool_options;

use crate::harness::{TestApp, form};

#[tokio::test]
async fn unknown_pages_get_a_404_in_the_site_layout() {
    let app = TestApp::new().await;
    for path in ["/nope", "/incidents/999", "/incidents/abc", "/incidents/1/edit", "/incidents/99999999999999999999"] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(response.text("h1"), "Page not found", "{path}");
        assert_eq!(response.texts(".site-header .brand").len(), 1, "in the layout");
    }
}

#[tokio::test]
async fn a_wrong_method_gets_a_page_too() {
    let app = TestApp::new().await;
    let response = app.post_empty("/incidents/new").await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.text("h1"), "Not allowed here");
}

#[tokio::test]
async fn an_internal_error_shows_a_reference_but_no_internal_text() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    sqlx::query("DROP TABLE action_items CASCADE").execute(&app.pool).await.expect("break the schema");
    let response = app.get(&path).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.text("h1"), "Something went wrong");
    let request_id = response.header("x-request-id").to_owned();
    assert!(!request_id.is_empty());
    assert_eq!(response.text(".reference code"), request_id);
    for secret in ["action_items", "relation", "does not exist", "sqlx", "error returned from database"] {
        assert!(!response.body.contains(secret), "the page leaks {secret:?}");
    }
}

#[tokio::test]
async fn an_exhausted_pool_answers_503_with_retry_after_quickly() {
    let app = TestApp::with_pool_settings(1, Duration::from_millis(200)).await;
    let held = app.pool.acquire().await.expect("take the only connection");
    let started = Instant::now();
    let response = app.get("/incidents").await;
    let waited = started.elapsed();
    drop(held);
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.header("retry-after"), "5");
    assert_eq!(response.text("h1"), "Temporarily unavailable");
    assert!(!response.body.contains("pool"), "no internal detail");
    // Bounded by the acquire timeout, not sqlx's default of 30 s.
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    assert_eq!(app.get("/incidents").await.status, StatusCode::OK, "it recovers once a connection is free");
}

#[tokio::test]
async fn a_database_that_is_down_answers_503_and_readyz_says_not_ready() {
    // A port on this machine where nothing listens.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    let options =
        sqlx::postgres::PgConnectOptions::new().host("127.0.0.1").port(port).username("nobody").database("gone");
    let pool = pool_options(2, Duration::from_millis(300)).connect_lazy_with(options);
    let app = TestApp::from_pool(pool);

    let started = Instant::now();
    let page = app.get("/incidents").await;
    assert!(started.elapsed() < Duration::from_secs(5), "failed fast");
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.header("retry-after"), "5");
    assert!(!page.body.contains("Connection refused"));

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.header("retry-after"), "5");
    let live = app.get("/healthz").await;
    assert_eq!(live.status, StatusCode::OK, "liveness does not need the database");
}

#[tokio::test]
async fn readyz_is_ready_when_the_database_answers() {
    let app = TestApp::new().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "ready\n");
    assert_eq!(app.get("/healthz").await.body, "ok\n");
}

#[tokio::test]
async fn the_stylesheet_is_served_with_a_validator() {
    let app = TestApp::new().await;
    let css = app.get("/static/hindsight.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert!(css.body.contains("@media print"));
    let etag = css.header("etag").to_owned();
    let request = axum::http::Request::get("/static/hindsight.css")
        .header("if-none-match", &etag)
        .body(axum::body::Body::empty())
        .expect("request");
    assert_eq!(app.request(request).await.status, StatusCode::NOT_MODIFIED);
    assert_eq!(app.get("/static/other.css").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::new().await;
    for path in ["/incidents", "/nope", "/healthz"] {
        assert_eq!(app.get(path).await.header("x-request-id").len(), 36, "{path}");
    }
}

/// A NUL byte (which PostgreSQL cannot store) in any one field of any form: refused with a
/// message, never a 500, and nothing stored.
#[tokio::test]
async fn a_nul_byte_in_any_field_of_any_form_is_refused_not_a_500() {
    let app = TestApp::new().await;
    let admin = app.sign_in_as(hindsight::domain::Role::Admin).await;
    let path = app.create_incident(&form()).await;
    app.post_form("/admin/teams", &[("name", "Platform")]).await;
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams").fetch_one(&app.pool).await.expect("q");
    let hook =
        app.post_form("/admin/webhooks", &[("url", "https://example.com/x"), ("events", "action_item.done")]).await;
    let hook = hook.location().to_owned();
    // A password of their own, so that the current one is checked.
    let passphrase = [("current", ""), ("password", "a long passphrase"), ("password_confirm", "a long passphrase")];
    assert_eq!(app.post_form("/account/password", &passphrase).await.status, StatusCode::SEE_OTHER);
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("{path}/timeline"), vec![("time", "10:20"), ("body", "Paged")]),
        (
            format!("{path}/actions"),
            vec![("body", "Fix"), ("owner", "Sam"), ("team", "Ops"), ("ticket_url", "https://t.example/1")],
        ),
        (format!("{path}/sections"), vec![("heading", "Notes"), ("body", "Text")]),
        (format!("{path}/comments"), vec![("body", "Looks good")]),
        (format!("{path}/submit"), vec![("body", "Ready")]),
        ("/admin/teams".into(), vec![("name", "Ops"), ("time_zone", "UTC")]),
        (format!("/admin/teams/{team}"), vec![("name", "Ops"), ("time_zone", "UTC"), ("version", "1")]),
        ("/admin/users".into(), vec![("email", "lee@example.com"), ("name", "Lee"), ("role", "viewer")]),
        (
            format!("/admin/users/{}", admin.0),
            vec![("name", "Admin"), ("role", "admin"), ("active", "on"), ("version", "1")],
        ),
        ("/admin/webhooks".into(), vec![("url", "https://example.com/y"), ("events", "action_item.done")]),
        (hook, vec![("url", "https://example.com/x"), ("events", "action_item.done"), ("version", "1")]),
        ("/account/tokens".into(), vec![("name", "script")]),
        (
            "/account/password".into(),
            vec![
                ("current", "a long passphrase"),
                ("password", "another passphrase"),
                ("password_confirm", "another passphrase"),
            ],
        ),
        ("/login".into(), vec![("email", "lee@example.com"), ("password", "a long passphrase")]),
    ];
    let before = app.count("audit_events").await;
    for (target, fields) in &forms {
        // A checkbox's value is never read (it is on when sent), so it is not poisoned.
        for poisoned in (0..fields.len()).filter(|&i| fields[i].0 != "active") {
            let sent: Vec<(&str, String)> = fields
                .iter()
                .enumerate()
                .map(|(i, (name, value))| {
                    (*name, if i == poisoned { format!("a\0{value}") } else { (*value).to_owned() })
                })
                .collect();
            let response = app.post_form(target, &sent).await;
            let field = fields[poisoned].0;
            assert!(response.status.is_client_error(), "{target} {field}: {}\n{}", response.status, response.body);
        }
    }
    assert_eq!(app.count("audit_events").await, before, "nothing was changed");
}
