//! Outbound webhooks against a real HTTP receiver: events queued in the same transaction as
//! the change, signed deliveries, retries with backoff, deliveries that outlive a restart, a
//! slow receiver, and "overdue" reported once per due date by the one definition of overdue.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use hindsight::domain::Role;
use hindsight::webhooks::{Deliverer, MAX_ATTEMPTS, MOST_PER_RECEIVER, ReceiverPolicy, sign};
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

/// The networks the tests' receivers are on: loopback, which receivers may not be on unless
/// the operator allows it.
const LOOPBACK: &[&str] = &["127.0.0.1"];

/// An admin's app whose receivers may be on loopback.
async fn app() -> TestApp {
    TestApp::allowing_webhooks_to(LOOPBACK).await
}

fn policy(networks: &[&str]) -> Arc<ReceiverPolicy> {
    Arc::new(ReceiverPolicy::allowing(networks.iter().map(|network| network.parse().expect("a network")).collect()))
}

/// A worker that may send to loopback.
fn worker(app: &TestApp, timeout: Duration) -> Deliverer {
    worker_allowing(app, timeout, LOOPBACK)
}

fn worker_allowing(app: &TestApp, timeout: Duration, networks: &[&str]) -> Deliverer {
    Deliverer::new(app.pool.clone(), "https://hindsight.example.com", timeout, policy(networks)).expect("a client")
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

const ALL: &[&str] = &[
    "postmortem.published",
    "action_item.created",
    "action_item.assigned",
    "action_item.done",
    "action_item.verified",
    "action_item.overdue",
];

#[tokio::test]
async fn changes_are_delivered_signed_after_the_page_has_answered() {
    let app = app().await;
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
    let verified = app.post_form(&format!("{path}/actions/{item}/verify"), &[("evidence", "Drill passed")]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER);
    app.post_form(&format!("{path}/actions/{item}/done"), &[("done", "false"), ("from", "done")]).await;
    sqlx::query("UPDATE incidents SET status = 'in_review'").execute(&app.pool).await.expect("in review");
    assert_eq!(app.post_empty(&format!("{path}/approve")).await.status, StatusCode::SEE_OTHER);
    worker(&app, Duration::from_secs(5)).deliver_due().await.expect("deliver");
    let events: Vec<String> = receiver.received()[2..]
        .iter()
        .map(|(headers, _)| headers["x-hindsight-event"].to_str().expect("ASCII").to_owned())
        .collect();
    assert_eq!(events, ["action_item.done", "action_item.verified", "postmortem.published"]);
    let (_, body) = &receiver.received()[3];
    let payload: Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(payload["data"]["verified"]["evidence"], "Drill passed");

    // The log shows them delivered.
    let hook: i64 = sqlx::query_scalar("SELECT id FROM webhooks").fetch_one(&app.pool).await.expect("hook");
    let page = app.get(&format!("/admin/webhooks/{hook}")).await;
    assert_eq!(page.texts("tr.delivery-delivered").len(), 5);
    assert_eq!(page.text("pre.secret"), secret);
}

#[tokio::test]
async fn failures_are_retried_with_backoff_and_pending_deliveries_outlive_a_restart() {
    let app = app().await;
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
    let taken =
        hindsight::db::webhooks::claim_due(&app.pool, 10, 10, &[], Duration::from_secs(60)).await.expect("claim");
    assert!(taken.is_empty(), "nothing due while the retry waits");
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = now()").execute(&app.pool).await.expect("time passes");
    let taken =
        hindsight::db::webhooks::claim_due(&app.pool, 10, 10, &[], Duration::from_secs(60)).await.expect("claim");
    assert_eq!(taken.len(), 1);
    drop(taken); // ...and the process stops here, mid-send.

    // "Restarted": a new pool and worker. The lease runs out and the delivery goes (the
    // receiver answers 503 to this one, then 200).
    let restarted_pool = sqlx::PgPool::connect(&app.database_url).await.expect("a new pool");
    let restarted = Deliverer::new(restarted_pool, "https://h.example", Duration::from_secs(5), policy(LOOPBACK))
        .expect("a client");
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
    let app = app().await;
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
    let app = app().await;
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

/// What an admin sees when saving `url` as a receiver.
async fn saved(app: &TestApp, url: &str) -> crate::harness::TestResponse {
    app.post_form("/admin/webhooks", &[("url", url), ("events", "action_item.done"), ("active", "1")]).await
}

#[tokio::test]
async fn receivers_off_the_public_internet_are_refused_when_saved_unless_allowed() {
    let app = TestApp::new().await;
    for (url, says) in [
        ("http://127.0.0.1:9000/hook", "127.0.0.1 is loopback"),
        ("http://127.1/hook", "127.0.0.1 is loopback"),
        ("http://0x7f000001/hook", "127.0.0.1 is loopback"),
        ("http://localhost:9000/hook", "localhost resolves to "),
        ("http://[::1]/hook", "::1 is loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "is loopback"),
        ("http://169.254.169.254/latest/meta-data/", "where cloud metadata services answer"),
        ("http://[fd00:ec2::254]/", "a private network (fc00::/7)"),
        ("http://10.0.0.8/hook", "a private network (10.0.0.0/8)"),
        ("http://192.168.1.20:8080/hook", "a private network (192.168.0.0/16)"),
        ("http://0.0.0.0:3000/hook", "this network"),
        ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),
        ("https://user:secret@hooks.example.com/x", "Leave the user name and password out"),
    ] {
        let refused = saved(&app, url).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url} was accepted");
        let error = &refused.field_errors(1)[0];
        assert!(error.contains(says), "{url}: {error}");
        assert_eq!(refused.field_value("url"), url, "what was typed is kept");
    }
    assert!(
        saved(&app, "http://10.0.0.8/hook").await.field_errors(1)[0].contains("HINDSIGHT_WEBHOOK_ALLOWED_NETWORKS")
    );
    assert_eq!(app.count("webhooks").await, 0);

    // Changing a saved receiver's address is held to the same rule.
    let (hook, _) = add_webhook(&app, "https://hooks.example.com/x", ALL).await;
    let moved = app
        .post_form(
            &format!("/admin/webhooks/{hook}"),
            &[("url", "http://169.254.169.254/"), ("events", "action_item.done"), ("version", "1"), ("active", "1")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY);
    let url: String = sqlx::query_scalar("SELECT url FROM webhooks").fetch_one(&app.pool).await.expect("url");
    assert_eq!(url, "https://hooks.example.com/x");

    // An operator who allows a network allows that network, and nothing beside it.
    let internal = TestApp::allowing_webhooks_to(&["10.20.0.0/16"]).await;
    assert_eq!(saved(&internal, "http://10.20.1.2:8080/hook").await.status, StatusCode::SEE_OTHER);
    assert_eq!(saved(&internal, "http://10.21.0.1/hook").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(saved(&internal, "http://127.0.0.1/hook").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The delivery's state and error, for a receiver with one delivery.
async fn only_delivery(app: &TestApp) -> (String, i32, Option<i32>, String) {
    sqlx::query_as("SELECT state, attempts, response_status, last_error FROM webhook_deliveries")
        .fetch_one(&app.pool)
        .await
        .expect("the delivery")
}

#[tokio::test]
async fn a_delivery_is_checked_again_as_it_is_sent_through_the_name_it_resolves() {
    // Saved while the operator allowed loopback; the worker runs with the default policy, as
    // after the operator takes the network away.
    let app = app().await;
    let (receiver, url) = Receiver::default().start().await;
    let (hook, _) = add_webhook(&app, &url, ALL).await;
    app.post_empty(&format!("/admin/webhooks/{hook}/ping")).await;
    assert_eq!(worker_allowing(&app, Duration::from_secs(5), &[]).deliver_due().await.expect("deliver"), 1);
    let (state, attempts, status, error) = only_delivery(&app).await;
    assert_eq!((state.as_str(), attempts, status), ("failed", 1, None), "refused at once, not retried for hours");
    assert!(error.starts_with("Not sent: 127.0.0.1 is loopback"), "{error}");
    assert!(receiver.received().is_empty());

    // A name is checked as the delivery resolves it: what is connected to is what was checked.
    let by_name = url.replace("127.0.0.1", "localhost");
    sqlx::query("UPDATE webhooks SET url = $1").bind(&by_name).execute(&app.pool).await.expect("renamed");
    sqlx::query("DELETE FROM webhook_deliveries").execute(&app.pool).await.expect("cleared");
    app.post_empty(&format!("/admin/webhooks/{hook}/ping")).await;
    worker_allowing(&app, Duration::from_secs(5), &[]).deliver_due().await.expect("deliver");
    let (state, _, _, error) = only_delivery(&app).await;
    assert_eq!(state, "failed");
    assert!(error.starts_with("Not sent: localhost resolves to "), "{error}");
    assert!(error.contains("which is loopback"), "{error}");
    assert!(receiver.received().is_empty());
    let page = app.get(&format!("/admin/webhooks/{hook}")).await;
    assert!(page.text("tr.delivery-failed").contains("HINDSIGHT_WEBHOOK_ALLOWED_NETWORKS"));

    // The same address, allowed, is delivered to.
    sqlx::query("DELETE FROM webhook_deliveries").execute(&app.pool).await.expect("cleared");
    app.post_empty(&format!("/admin/webhooks/{hook}/ping")).await;
    worker_allowing(&app, Duration::from_secs(5), &["127.0.0.1", "::1"]).deliver_due().await.expect("deliver");
    assert_eq!(only_delivery(&app).await.0, "delivered");
    assert_eq!(receiver.received().len(), 1);
}

/// A receiver on 127.0.0.1 that redirects: `/moved` (307) and `/moved-for-good` (308) to
/// `/hook`, `/found` (302) to `/hook`, `/loop` (307) to itself, and `/elsewhere` (307) to
/// `target`.
async fn redirecting_receiver(target: String) -> (Receiver, String) {
    let (receiver, hook_url) = Receiver::default().start().await;
    let redirect = |status: u16, to: String| {
        move || {
            let to = to.clone();
            async move { (StatusCode::from_u16(status).expect("a status"), [(axum::http::header::LOCATION, to)]) }
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let app = axum::Router::new()
        .route("/moved", axum::routing::post(redirect(307, hook_url.clone())))
        .route("/moved-for-good", axum::routing::post(redirect(308, hook_url.clone())))
        .route("/found", axum::routing::post(redirect(302, hook_url.clone())))
        .route("/loop", axum::routing::post(redirect(307, format!("{base}/loop"))))
        .route("/elsewhere", axum::routing::post(redirect(307, target)));
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (receiver, base)
}

#[tokio::test]
async fn redirects_are_followed_only_as_sent_only_a_few_times_and_only_where_allowed() {
    let app = app().await;
    // Loopback is allowed as 127.0.0.1 alone: 127.0.0.2, where this one listens, is not.
    let other = tokio::net::TcpListener::bind("127.0.0.2:0").await.expect("a port on 127.0.0.2");
    let other_url = format!("http://{}/hook", other.local_addr().expect("address"));
    let reached_other = Arc::new(Mutex::new(0));
    let count = reached_other.clone();
    tokio::spawn(async move {
        while let Ok((_stream, _)) = other.accept().await {
            *count.lock().expect("lock") += 1;
        }
    });
    let (receiver, base) = redirecting_receiver(other_url).await;

    let mut outcomes = Vec::new();
    for path in ["/moved", "/moved-for-good", "/found", "/loop", "/elsewhere"] {
        sqlx::query("DELETE FROM webhooks").execute(&app.pool).await.expect("cleared");
        let (hook, secret) = add_webhook(&app, &format!("{base}{path}"), ALL).await;
        app.post_empty(&format!("/admin/webhooks/{hook}/ping")).await;
        worker(&app, Duration::from_secs(5)).deliver_due().await.expect("deliver");
        let (state, _, status, error) = only_delivery(&app).await;
        outcomes.push((path, state, status, error, secret));
    }
    let [moved, for_good, found, looped, elsewhere] = &outcomes[..] else { unreachable!() };

    // 307 and 308 repeat the POST, body and signature, at the new address.
    assert_eq!((moved.1.as_str(), moved.2), ("delivered", Some(200)));
    assert_eq!((for_good.1.as_str(), for_good.2), ("delivered", Some(200)));
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    for ((headers, body), secret) in received.iter().zip([&moved.4, &for_good.4]) {
        assert_eq!(headers["x-hindsight-signature-256"].to_str().expect("ASCII"), sign(secret, body.as_bytes()));
        assert_eq!(serde_json::from_str::<Value>(body).expect("JSON")["event"], "ping");
    }
    // 302 would turn the delivery into a GET without its body: not followed, and said why.
    assert_eq!((found.1.as_str(), found.2), ("pending", Some(302)));
    assert!(found.3.contains("only 307 and 308"), "{}", found.3);
    // A loop ends after a few hops.
    assert_eq!(looped.1, "pending");
    assert!(looped.3.contains("redirected more than 3 times"), "{}", looped.3);
    // A redirect to a refused address is not followed: nothing connects to it.
    assert_eq!(elsewhere.1, "failed");
    assert!(elsewhere.3.starts_with("Not sent: 127.0.0.2 is loopback"), "{}", elsewhere.3);
    assert_eq!(*reached_other.lock().expect("lock"), 0);
    assert_eq!(receiver.received().len(), 2, "nothing more arrived");
}

/// A receiver that reads each request's head and then does `answer` with the connection;
/// records how many bytes it got out before Hindsight hung up.
async fn raw_receiver<F, Fut>(answer: F) -> (String, Arc<Mutex<Vec<usize>>>)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = usize> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let written = Arc::new(Mutex::new(Vec::new()));
    let record = written.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (answer, record) = (answer.clone(), record.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tokio::io::AsyncReadExt::read(&mut stream, &mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                let sent = answer(stream).await;
                record.lock().expect("lock").push(sent);
            });
        }
    });
    (url, written)
}

/// Writes `head`, then `chunk` again and again, `pause` apart, until the peer hangs up;
/// returns the bytes written.
async fn endless(
    mut stream: tokio::net::TcpStream,
    head: &'static [u8],
    chunk: &'static [u8],
    pause: Duration,
) -> usize {
    use tokio::io::AsyncWriteExt as _;
    let mut written = 0;
    if stream.write_all(head).await.is_err() {
        return 0;
    }
    written += head.len();
    // Long past any limit of the worker's: a test fails rather than hangs if the worker waits.
    let give_up = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < give_up {
        if stream.write_all(chunk).await.is_err() || stream.flush().await.is_err() {
            break;
        }
        written += chunk.len();
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    written
}

#[tokio::test]
async fn a_hostile_receiver_holds_neither_the_worker_nor_its_memory() {
    const MB: usize = 1 << 20;
    let app = app().await;
    let limit = Duration::from_secs(2);
    let chunk: &'static [u8] = Box::leak(vec![b'x'; 64 * 1024].into_boxed_slice());
    let endless_error = raw_receiver(move |stream| {
        endless(
            stream,
            b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\n\r\nstack overflow ",
            chunk,
            Duration::ZERO,
        )
    })
    .await;
    let endless_success = raw_receiver(move |stream| {
        endless(stream, b"HTTP/1.1 200 OK\r\ncontent-length: 999999999999\r\n\r\n", chunk, Duration::ZERO)
    })
    .await;
    let endless_headers = raw_receiver(|stream| {
        endless(stream, b"HTTP/1.1 200 OK\r\n", b"x-padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", Duration::ZERO)
    })
    .await;
    let trickle = raw_receiver(|stream| endless(stream, b"", b"H", Duration::from_millis(100))).await;
    let silent = raw_receiver(|stream| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
        0
    })
    .await;
    let garbage =
        raw_receiver(|stream| endless(stream, b"\0\0\xff\xfe not HTTP at all\r\n\r\n", b"", Duration::from_secs(60)))
            .await;

    let mut hooks = Vec::new();
    for (url, _) in [&endless_error, &endless_success, &endless_headers, &trickle, &silent, &garbage] {
        let (hook, _) = add_webhook(&app, url, ALL).await;
        app.post_empty(&format!("/admin/webhooks/{hook}/ping")).await;
        hooks.push(hook);
    }
    let started = std::time::Instant::now();
    assert_eq!(worker(&app, limit).deliver_due().await.expect("deliver"), hooks.len());
    let took = started.elapsed();
    println!("six hostile receivers, a {limit:?} limit each, all answered in {took:?}");
    // All six at once, each within its limit: the worker is free again after one limit, not six.
    assert!(took < limit * 3, "took {took:?}");

    let outcome = |hook: i64| {
        let pool = app.pool.clone();
        async move {
            let row: (String, Option<i32>, String) = sqlx::query_as(
                "SELECT state, response_status, last_error FROM webhook_deliveries WHERE webhook_id = $1",
            )
            .bind(hook)
            .fetch_one(&pool)
            .await
            .expect("the delivery");
            row
        }
    };
    let (state, status, error) = outcome(hooks[0]).await;
    assert_eq!((state.as_str(), status), ("pending", Some(500)));
    assert!(error.starts_with("The receiver answered 500 Internal Server Error: stack overflow xxx"), "{error}");
    assert!(error.chars().count() < 300, "the log shows the start of an answer, not all of it");
    assert_eq!(outcome(hooks[1]).await.0, "delivered", "a success's body is not needed");
    let (state, _, error) = outcome(hooks[2]).await;
    assert_eq!(
        (state.as_str(), error.as_str()),
        ("pending", "The receiver's answer could not be read (not valid HTTP)")
    );
    assert_eq!(outcome(hooks[3]).await.2, "The receiver did not answer in time", "a trickle gets one limit in all");
    assert_eq!(outcome(hooks[4]).await.2, "The receiver did not answer in time");
    assert_eq!(outcome(hooks[5]).await.2, "The receiver's answer could not be read (not valid HTTP)");

    // Each endless answer was cut off early: what its sender got out before the worker hung
    // up is bounded by socket buffers, not by how much it had to send.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (name, (_, written)) in [("body", &endless_error), ("success", &endless_success), ("headers", &endless_headers)]
    {
        let written = written.lock().expect("lock").clone();
        assert_eq!(written.len(), 1, "{name}: the sender saw the hang-up");
        println!("endless {name}: {} bytes sent before the worker hung up", written[0]);
        assert!(written[0] < 64 * MB, "{name}: {} bytes were taken", written[0]);
    }
}

#[tokio::test]
async fn one_receiver_that_hangs_does_not_hold_up_the_others() {
    let app = app().await;
    let open = Arc::new(Mutex::new((0usize, 0usize))); // (open now, most open at once)
    let counter = open.clone();
    let (hanging, _) = raw_receiver(move |stream| {
        let counter = counter.clone();
        async move {
            {
                let mut open = counter.lock().expect("lock");
                open.0 += 1;
                open.1 = open.1.max(open.0);
            }
            // Holds the connection until the worker's limit cuts it.
            let mut stream = stream;
            let mut buffer = [0u8; 1024];
            while tokio::io::AsyncReadExt::read(&mut stream, &mut buffer).await.is_ok_and(|n| n > 0) {}
            counter.lock().expect("lock").0 -= 1;
            0
        }
    })
    .await;
    let (dead, _) = add_webhook(&app, &hanging, ALL).await;
    for _ in 0..40 {
        app.post_empty(&format!("/admin/webhooks/{dead}/ping")).await;
    }
    // The live receiver's delivery is queued last, behind all forty.
    let (live, live_url) = Receiver::default().start().await;
    let (alive, _) = add_webhook(&app, &live_url, ALL).await;
    app.post_empty(&format!("/admin/webhooks/{alive}/ping")).await;

    let limit = Duration::from_secs(8);
    let running = tokio::spawn(worker(&app, limit).run());
    let started = std::time::Instant::now();
    while live.received().is_empty() && started.elapsed() < limit * 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waited = started.elapsed();
    println!("the live receiver's delivery arrived after {waited:?}, behind 40 to a hanging receiver");
    let most_open = open.lock().expect("lock").1;
    running.abort();
    assert_eq!(live.received().len(), 1);
    // Sent on the worker's first round, not after the hanging receiver's sends gave up.
    assert!(waited < limit, "the live receiver waited {waited:?}, the hanging one's limit is {limit:?}");
    assert!(most_open <= MOST_PER_RECEIVER, "{most_open} sends to one receiver at once");
    assert!(most_open > 0);
}
