//! The seed's meltdown, tried on Hindsight in-process: more requests than the pool can serve
//! are shed at once rather than queued, a request stuck on the database ends at its deadline
//! and says that its outcome is unknown, and a write sent twice with one idempotency key is
//! made once. (Frozen and crashing databases, with the real binary: `faults.rs`.)

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use hindsight::web::admission::Limits;
use sqlx::{Connection, PgConnection};
use tokio::task::JoinSet;

use crate::harness::{TestApp, form};

/// Holds postmortem `id`'s row lock from a connection of its own, so that any change to it
/// waits: a database that has stopped answering, as far as that request can tell.
async fn hold_lock(app: &TestApp, id: i64) -> PgConnection {
    let mut conn = PgConnection::connect(&app.database_url).await.expect("a connection of the test's own");
    sqlx::query("BEGIN").execute(&mut conn).await.expect("begin");
    sqlx::query("SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE").bind(id).execute(&mut conn).await.expect("lock");
    conn
}

async fn new_incident(app: &TestApp) -> (String, i64) {
    let path = app.create_incident(&form()).await;
    let id = path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id in the address");
    (path, id)
}

#[tokio::test]
async fn beyond_the_pool_requests_are_shed_at_once_not_queued() {
    let limits = Limits {
        concurrency: 1,
        queue_length: 2,
        queue_wait: Duration::from_millis(200),
        deadline: Duration::from_secs(30),
    };
    let app = std::sync::Arc::new(TestApp::with_limits(limits).await);
    let (path, id) = new_incident(&app).await;
    let lock = hold_lock(&app, id).await;
    // The one turn is taken by a write waiting for the lock.
    let stuck = {
        let (app, uri) = (app.clone(), format!("{path}/timeline"));
        tokio::spawn(async move { app.post_form(&uri, &[("time", "10:20"), ("body", "Paged the on-call")]).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut others = JoinSet::new();
    for _ in 0..20 {
        let (app, uri) = (app.clone(), path.clone());
        others.spawn(async move {
            let sent = Instant::now();
            let response = app.get(&uri).await;
            (response, sent.elapsed())
        });
    }
    let mut shed = 0;
    while let Some(joined) = others.join_next().await {
        let (response, took) = joined.expect("a request task");
        assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "nothing else can run while the turn is held");
        assert_eq!(response.header("retry-after"), "1");
        assert!(response.text("main").contains("did not start this one"), "{}", response.text("main"));
        assert!(took < Duration::from_millis(1500), "shed within the queue wait, not queued: {took:?}");
        shed += 1;
    }
    assert_eq!(shed, 20);
    assert!(started.elapsed() < Duration::from_secs(2), "all twenty answered together: {:?}", started.elapsed());
    drop(lock);
    let stuck = stuck.await.expect("the stuck write");
    assert_eq!(stuck.status, StatusCode::SEE_OTHER, "the admitted write finishes once the lock is gone");
    assert_eq!(app.get(&path).await.status, StatusCode::OK, "and the door opens again");
}

#[tokio::test]
async fn a_request_stuck_past_its_deadline_ends_and_says_the_outcome_is_unknown() {
    let limits = Limits {
        concurrency: 2,
        queue_length: 4,
        queue_wait: Duration::from_millis(200),
        deadline: Duration::from_millis(700),
    };
    let app = TestApp::with_limits(limits).await;
    let (path, id) = new_incident(&app).await;
    let lock = hold_lock(&app, id).await;
    let sent = Instant::now();
    let response = app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Stuck entry")]).await;
    let took = sent.elapsed();
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(took >= Duration::from_millis(700) && took < Duration::from_millis(1500), "ends at its deadline: {took:?}");
    assert!(response.text("main").contains("cannot tell whether it was"), "{}", response.text("main"));
    assert!(response.text("main").contains("does not save it twice"));
    // A read stuck the same way says nothing was changed.
    drop(lock);
    assert_eq!(app.count("timeline_entries").await, 0, "the abandoned write was rolled back");
    // Its connection was closed, not handed on mid-statement: the pool serves the next ones.
    for _ in 0..4 {
        assert_eq!(app.get(&path).await.status, StatusCode::OK);
    }
}

/// The key a page's forms carry, read from the postmortem page.
async fn form_key(app: &TestApp, path: &str) -> String {
    let page = app.get(path).await;
    page.attr("input[name=idempotency_key]", "value").expect("every form carries a key")
}

#[tokio::test]
async fn a_form_sent_twice_with_its_key_is_saved_once_and_answered_the_same() {
    let app = TestApp::new().await;
    let (path, _) = new_incident(&app).await;
    let key = form_key(&app, &path).await;
    let fields = [("time", "10:20"), ("body", "Rolled back the deploy"), ("idempotency_key", key.as_str())];
    let first = app.post_form(&format!("{path}/timeline"), &fields).await;
    let again = app.post_form(&format!("{path}/timeline"), &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), first.location());
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(app.count("timeline_entries").await, 1);
    // The same key with other text (the form sent again from the browser's history) is new.
    let other = [("time", "10:25"), ("body", "Scaled the pool back"), ("idempotency_key", key.as_str())];
    assert_eq!(app.post_form(&format!("{path}/timeline"), &other).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("timeline_entries").await, 2);
}

#[tokio::test]
async fn twenty_copies_of_one_write_at_once_make_one() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let (path, _) = new_incident(&app).await;
    let key = form_key(&app, &path).await;
    let mut copies = JoinSet::new();
    for _ in 0..20 {
        let (app, uri, key) = (app.clone(), format!("{path}/actions"), key.clone());
        copies.spawn(async move {
            app.post_form(&uri, &[("body", "Alert on pool saturation"), ("idempotency_key", key.as_str())]).await
        });
    }
    let mut locations = Vec::new();
    while let Some(joined) = copies.join_next().await {
        let response = joined.expect("a request task");
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.text("main"));
        locations.push(response.location().to_owned());
    }
    locations.dedup();
    assert_eq!(locations.len(), 1, "every copy is answered as the first was");
    assert_eq!(app.count("action_items").await, 1);
}

#[tokio::test]
async fn a_refused_form_keeps_nothing_so_its_correction_goes_through() {
    let app = TestApp::new().await;
    let (path, _) = new_incident(&app).await;
    let key = form_key(&app, &path).await;
    let empty = app
        .post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", ""), ("idempotency_key", key.as_str())])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fixed = [("time", "10:20"), ("body", "Now with text"), ("idempotency_key", key.as_str())];
    assert_eq!(app.post_form(&format!("{path}/timeline"), &fixed).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("timeline_entries").await, 1);
    assert_eq!(app.count("idempotent_requests").await, 1);
}

#[tokio::test]
async fn a_malformed_key_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let (path, _) = new_incident(&app).await;
    for key in ["short", "has spaces in it", "nul\0in-the-key"] {
        let response = app
            .post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Entry"), ("idempotency_key", key)])
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{key:?}");
        assert!(response.text("main").contains("idempotency key"));
    }
    assert_eq!(app.count("timeline_entries").await, 0);
}

#[tokio::test]
async fn an_api_import_retried_with_its_idempotency_key_makes_one_postmortem_and_the_same_answer() {
    let app = TestApp::new().await;
    let document =
        "# Queue backlog\n\n- **Severity:** SEV3\n- **Start:** 2025-05-02 09:00 UTC\n\n## Summary\n\nJobs waited.\n";
    let send = || {
        let request = axum::http::Request::post("/api/import?save=true")
            .header("content-type", "text/markdown")
            .header("idempotency-key", "import-0001-queue-backlog")
            .body(axum::body::Body::from(document))
            .expect("a request");
        app.request(request)
    };
    let first = send().await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = send().await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body, "the same JSON, naming the same postmortem");
    assert_eq!(again.location(), first.location());
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(app.count("incidents").await, 1);
}
