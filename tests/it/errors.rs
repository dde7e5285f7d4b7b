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
