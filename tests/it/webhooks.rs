//! Outbound webhooks against a real HTTP receiver: events queued in the same transaction as
//! the change, signed deliveries, retries with backoff, deliveries that outlive a restart, a
//! slow receiver, and "overdue" reported once per due date by the one definition of overdue.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use hindsight::domain::Role;
use hindsight::webhooks::{Deliverer, MAX_ATTEMPTS, sign};
use serde_json::Value;

use crate::harness::{TestApp, form};

/// A receiver on a local port: records what it is sent and answers with the statuses queued
/// (200 once they run out), after `delay`.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    delay: Duration,
}

impl Receiver {
    async fn start(self) -> (Receiver, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("its address");
        let state = self.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    tokio::time::sleep(state.delay).await;
                    state.received.lock().expect("lock").push((headers, body));
                    let status = state.answers.lock().expect("lock").pop_front().unwrap_or(200);
                    StatusCode::from_u16(status).expect("a status")
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        (self, format!("http://{address}/hook"))
    }

    fn received(&self) -> Vec<(HeaderMap, String)> {
        self.received.lock().expect("lock").clone()
    }
}

fn worker(app: &TestApp, timeout: Duration) -> Deliverer {
    Deliverer::new(app.pool.clone(), "https://hindsight.example.com", timeout).expect("a client")
}

async fn add_webhook(app: &TestApp, url: &str, events: &[&str]) -> (i64, String) {
    let mut fields = vec![("url", url), ("active", "1")];
    fields.extend(events.iter().map(|event| ("events", *event)));
    let added = app.post_form("/admin/webhooks", &fields).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    sqlx::query_as("SELECT id, secret FROM webhooks ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .expect("the webhook")
}

async fn states(app: &TestApp) -> Vec<(String, String, i32)> {
    sqlx::query_as("SELECT event, state, attempts FROM webhook_deliveries ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .expect("deliveries")
}

const ALL: &[&str] =
    &["postmortem.published", "action_item.created", "action_item.assigned", "action_item.done", "action_item.overdue"];

#[tokio::test]
async fn changes_are_delivered_signed_after_the_page_has_answered() {
    let app = TestApp::new().await;
    let (receiver, url) = Receiver::default().start().await;
    let (_, secret) = add_webhook(&app, &url, ALL).await;
    let owner = app.create_user(Role::Engineer).await;
    let path = app.create_incident(&form()).await;
    let owner_id = owner.to_string();
    let added = app
        .post_form(
            &format!("{path}/actions"),
            &[("body", "Cap the pool"), ("owner_id", &owner_id), ("due_on", "2031-01-01")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);

    // The page has answered and nothing has been sent: the events wait in the database.
    assert!(receiver.received().is_empty());
    let queued = states(&app).await;
    assert_eq!(
        queued,
        [("action_item.created".into(), "pending".into(), 0), ("action_item.assigned".into(), "pending".into(), 0)]
    );

    assert_eq!(worker(&app, Duration::from_secs(5)).deliver_due().await.expect("deliver"), 2);
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    for (headers, body) in &received {
        let signature = headers["x-hindsight-signature-256"].to_str().expect("ASCII");
        assert_eq!(signature, sign(&secret, body.as_bytes()), "signed with the receiver's secret");
        assert_ne!(signature, sign("another secret", body.as_bytes()));
        assert_eq!(headers["content-type"], "application/json");
    }
    let (headers, body) =
        received.iter().find(|(h, _)| h["x-hindsight-event"] == "action_item.assigned").expect("assigned");
    let payload: Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(payload["event"], "action_item.assigned");
    assert_eq!(payload["data"]["description"], "Cap the pool");
    assert_eq!(payload["data"]["owner"]["id"], owner.0);
    assert_eq!(payload["data"]["due_on"], "2031-01-01");
    assert_eq!(payload["data"]["overdue"], false);
    assert_eq!(payload["data"]["postmortem"]["url"], format!("https://hindsight.example.com{path}"));
    let delivery: i64 = headers["x-hindsight-delivery"].to_str().expect("ASCII").parse().expect("an id");
    assert!(delivery > 0);

    // Done, and published: one event each.
    let item: i64 = sqlx::query_scalar("SELECT id FROM action_items").fetch_one(&app.pool).await.expect("item");
    app.post_form(&format!("{path}/actions/{item}/done"), &[("done", "true"), ("from", "open")]).await;
    app.post_form(&format!("{path}/actions/{item}/done"), &[("done", "false"), ("from", "done")]).await;
    sqlx::query("UPDATE incidents SET status = 'in_review'").execute(&app.pool).await.expect("in review");
    assert_eq!(app.post_empty(&format!("{path}/approve")).await.status, StatusCode::SEE_OTHER);
    worker(&app, Duration::from_secs(5)).deliver_due().await.expect("deliver");
    let events: Vec<String> = receiver.received()[2..]
        .iter()
        .map(|(headers, _)| headers["x-hindsight-event"].to_str().expect("ASCII").to_owned())
        .collect();
    assert_eq!(events, ["action_item.done", "postmortem.published"]);

    // The log shows them delivered.
    let hook: i64 = sqlx::query_scalar("SELECT id FROM webhooks").fetch_one(&app.pool).await.expect("hook");
    let page = app.get(&format!("/admin/webhooks/{hook}")).await;
    assert_eq!(page.texts("tr.delivery-delivered").len(), 4);
    assert_eq!(page.text("pre.secret"), secret);
}

#[tokio::test]
async fn failures_are_retried_with_backoff_and_pending_deliveries_outlive_a_restart() {
    let app = TestApp::new().await;
    let answers = VecDeque::from([500, 503]);
    let (receiver, url) = Receiver { answers: Arc::new(Mutex::new(answers)), ..Receiver::default() }.start().await;
    let (hook, _) = add_webhook(&app, &url, &["postmortem.published"]).await;
    assert_eq!(app.post_empty(&format!("/admin/webhooks/{hook}/ping")).await.status, StatusCode::SEE_OTHER);

    // First attempt: a 500. Tried again in 30 seconds, not before.
    let first = worker(&app, Duration::from_secs(5));
    assert_eq!(first.deliver_due().await.expect("deliver"), 1);
    let (state, status, error, wait): (String, Option<i32>, String, f64) = sqlx::query_as(
        "SELECT state, response_status, last_error, extract(epoch FROM next_attempt_at - now())::float8 FROM webhook_deliveries",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the delivery");
    assert_eq!((state.as_str(), status), ("pending", Some(500)));
    assert!(error.contains("500"), "{error}");
    assert!((25.0..=31.0).contains(&wait), "the first retry waits 30 s, not {wait}");
    assert_eq!(first.deliver_due().await.expect("deliver"), 0, "not due yet");

    // A worker that took a delivery and died: the lease keeps others off it until it expires.
    let taken = hindsight::db::webhooks::claim_due(&app.pool, 10, Duration::from_secs(60)).await.expect("claim");
    assert!(taken.is_empty(), "nothing due while the retry waits");
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = now()").execute(&app.pool).await.expect("time passes");
    let taken = hindsight::db::webhooks::claim_due(&app.pool, 10, Duration::from_secs(60)).await.expect("claim");
    assert_eq!(taken.len(), 1);
    drop(taken); // ...and the process stops here, mid-send.

    // "Restarted": a new pool and worker. The lease runs out and the delivery goes (the
    // receiver answers 503 to this one, then 200).
    let restarted_pool = sqlx::PgPool::connect(&app.database_url).await.expect("a new pool");
    let restarted = Deliverer::new(restarted_pool, "https://h.example", Duration::from_secs(5)).expect("a client");
    assert_eq!(restarted.deliver_due().await.expect("deliver"), 0, "leased to the dead worker");
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = now()").execute(&app.pool).await.expect("lease ends");
    assert_eq!(restarted.deliver_due().await.expect("deliver"), 1);
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = now()").execute(&app.pool).await.expect("time passes");
    assert_eq!(restarted.deliver_due().await.expect("deliver"), 1);
    assert_eq!(states(&app).await, [("ping".into(), "delivered".into(), 4)]);
    assert_eq!(receiver.received().len(), 3, "the dead worker's attempt never reached it");

    // A receiver that keeps failing is given up on after the last attempt, and can be retried.
    receiver.answers.lock().expect("lock").extend(std::iter::repeat_n(500, 20));
    app.post_empty(&format!("/admin/webhooks/{hook}/ping")).await;
    for _ in 0..MAX_ATTEMPTS {
        sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = now() WHERE state = 'pending'")
            .execute(&app.pool)
            .await
            .expect("time passes");
        restarted.deliver_due().await.expect("deliver");
    }
    let (id, state): (i64, String) =
        sqlx::query_as("SELECT id, state FROM webhook_deliveries ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("the delivery");
    assert_eq!(state, "failed");
    let page = app.get(&format!("/admin/webhooks/{hook}")).await;
    assert!(page.text("tr.delivery-failed").contains("gave up"), "{}", page.text("tr.delivery-failed"));
    let retried = app.post_empty(&format!("/admin/webhooks/{hook}/deliveries/{id}/retry")).await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    assert_eq!(states(&app).await[1].1, "pending");
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_is_tried_again_later() {
    let app = TestApp::new().await;
    let (receiver, url) = Receiver { delay: Duration::from_secs(3), ..Receiver::default() }.start().await;
    let (hook, _) = add_webhook(&app, &url, ALL).await;
    app.post_empty(&format!("/admin/webhooks/{hook}/ping")).await;
    let impatient = worker(&app, Duration::from_millis(200));
    assert_eq!(impatient.deliver_due().await.expect("deliver"), 1);
    let (state, error): (String, String) =
        sqlx::query_as("SELECT state, last_error FROM webhook_deliveries").fetch_one(&app.pool).await.expect("it");
    assert_eq!(state, "pending");
    assert_eq!(error, "The receiver did not answer in time");
    drop(receiver);
}

#[tokio::test]
async fn overdue_is_reported_once_per_due_date_from_midnight_in_the_teams_time_zone() {
    let app = TestApp::new().await;
    let (receiver, url) = Receiver::default().start().await;
    add_webhook(&app, &url, &["action_item.overdue"]).await;
    let team = app.post_form("/admin/teams", &[("name", "Payments"), ("time_zone", "Pacific/Auckland")]).await;
    assert_eq!(team.status, StatusCode::SEE_OTHER);
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams").fetch_one(&app.pool).await.expect("team");
    let path = app.create_incident(&form()).await;
    let team_id = team.to_string();
    app.post_form(
        &format!("{path}/actions"),
        &[("body", "Rotate keys"), ("team_id", &team_id), ("due_on", "2026-03-10")],
    )
    .await;

    // Auckland is UTC+13 on 10 March 2026: the item is overdue from 11:00 UTC on the 10th.
    let at =
        |text: &str| time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).expect("time");
    let overdue = |text: &'static str| {
        let pool = app.pool.clone();
        async move { hindsight::db::webhooks::enqueue_overdue(&pool, at(text)).await.expect("check") }
    };
    assert_eq!(overdue("2026-03-10T10:59:59Z").await, 0, "still the 10th in Auckland");
    assert_eq!(overdue("2026-03-10T11:00:00Z").await, 1, "midnight in Auckland");
    assert_eq!(overdue("2026-03-11T11:00:00Z").await, 0, "reported once");

    // A new due date that passes in turn is a new report.
    sqlx::query("UPDATE action_items SET due_on = '2026-03-20'").execute(&app.pool).await.expect("moved");
    assert_eq!(overdue("2026-03-19T12:00:00Z").await, 0);
    assert_eq!(overdue("2026-03-21T12:00:00Z").await, 1);

    worker(&app, Duration::from_secs(5)).deliver_due().await.expect("deliver");
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    let payload: Value = serde_json::from_str(&received[1].1).expect("JSON");
    assert_eq!(payload["data"]["team"], "Payments");
    assert_eq!(payload["data"]["due_on"], "2026-03-20");
}

#[tokio::test]
async fn a_webhook_needs_a_web_address_and_an_event() {
    let app = TestApp::new().await;
    let refused =
        app.post_form("/admin/webhooks", &[("url", "ftp://example.com/x"), ("events", "action_item.done")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_errors(1)[0].contains("starting with https://"));
    assert_eq!(refused.field_value("url"), "ftp://example.com/x", "what was typed is kept");
    let no_events = app.post_form("/admin/webhooks", &[("url", "https://example.com/x")]).await;
    assert_eq!(no_events.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_events.field_errors(1)[0].contains("at least one"));
    let unknown =
        app.post_form("/admin/webhooks", &[("url", "https://example.com/x"), ("events", "incident.deleted")]).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nul =
        app.post_form("/admin/webhooks", &[("url", "https://x\0y.example"), ("events", "action_item.done")]).await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.body);
    assert_eq!(app.count("webhooks").await, 0);

    // Paused, a receiver gets nothing queued.
    let (hook, _) = add_webhook(&app, "https://example.com/x", ALL).await;
    let paused = app
        .post_form(
            &format!("/admin/webhooks/{hook}"),
            &[("url", "https://example.com/x"), ("events", "action_item.created"), ("version", "1")],
        )
        .await;
    assert_eq!(paused.status, StatusCode::SEE_OTHER);
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Something")]).await;
    assert_eq!(app.count("webhook_deliveries").await, 0);
}
