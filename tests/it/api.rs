//! The JSON API: a postmortem as structured data, its export, and JSON errors.

use axum::http::StatusCode;
use serde_json::Value;

use crate::harness::{TestApp, form};

#[tokio::test]
async fn a_postmortem_is_served_as_structured_json() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    app.post_form(
        &format!("{path}/actions"),
        &[("body", "Fix it"), ("owner", "Sam"), ("due_on", "2025-04-01"), ("done", "on")],
    )
    .await;
    app.post_form(&format!("{path}/sections"), &[("heading", "Detection"), ("body", "Pager")]).await;

    let response = app.get(&format!("/api{path}")).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("content-type"), "application/json");
    let json: Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(json["title"], "Checkout latency spike");
    assert_eq!(json["severity"], "SEV2");
    assert_eq!(json["status"], "draft");
    assert_eq!(json["started_at"], "2025-03-01T10:15:00+02:00");
    assert_eq!(json["ended_at"], "2025-03-01T11:05:00+02:00");
    assert_eq!(json["utc_offset"], "UTC+2");
    assert_eq!(json["utc_offset_minutes"], 120);
    assert_eq!(json["duration_minutes"], 50);
    assert_eq!(json["timeline"][0]["occurred_at"], "2025-03-01T10:20:00+02:00");
    assert_eq!(json["timeline"][0]["body"], "Paged");
    assert_eq!(json["action_items"][0]["owner"], "Sam");
    assert_eq!(json["action_items"][0]["due_on"], "2025-04-01");
    assert_eq!(json["action_items"][0]["done"], true);
    assert!(json["action_items"][0]["completed_at"].is_string());
    assert_eq!(json["sections"][0]["heading"], "Detection");

    let export = app.get(&format!("/api{path}/export.md")).await;
    assert_eq!(export.header("content-type"), "text/markdown; charset=utf-8");
    assert_eq!(export.body, app.get(&format!("{path}/export.md")).await.body);
}

#[tokio::test]
async fn api_errors_are_json_with_a_clear_message() {
    let app = TestApp::new().await;
    for path in ["/api/incidents/999", "/api/incidents/abc", "/api/nothing-here"] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.header("content-type"), "application/json");
        let json: Value = serde_json::from_str(&response.body).expect("JSON");
        assert_eq!(json["error"]["status"], 404);
        assert_eq!(json["error"]["title"], "Page not found");
        assert_eq!(json["request_id"].as_str().map(str::len), Some(36));
    }
}

#[tokio::test]
async fn an_action_item_is_verified_and_unverified_through_the_api() {
    let app = TestApp::new().await;
    let owner = app.create_user(hindsight::domain::Role::Engineer).await;
    let path = app.create_incident(&form()).await;
    let owner_id = owner.to_string();
    app.post_form(&format!("{path}/actions"), &[("body", "Fix it"), ("owner_id", owner_id.as_str()), ("done", "on")])
        .await;
    let item: i64 = sqlx::query_scalar("SELECT id FROM action_items").fetch_one(&app.pool).await.expect("an item");
    let json = |body: &str| -> Value { serde_json::from_str(body).expect("JSON") };
    let fresh = json(&app.get(&format!("/api{path}")).await.body);
    assert_eq!(fresh["action_items"][0]["verified"], Value::Null);
    assert_eq!(fresh["action_items"][0]["recurred_in"], serde_json::json!([]));

    let verify = format!("/api{path}/action-items/{item}/verify");
    let empty = app.post_body(&verify, "application/json", r#"{"evidence": " "}"#).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(&empty.body)["error"]["message"].as_str().expect("a message").starts_with("Say how you checked"));
    assert_eq!(app.post_body(&verify, "application/json", "not json").await.status, StatusCode::BAD_REQUEST);

    let verified = app.post_body(&verify, "application/json", r#"{"evidence": "https://ci.example.com/run/7"}"#).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let answer = json(&verified.body);
    assert_eq!(answer["verified"]["evidence"], "https://ci.example.com/run/7");
    assert!(answer["verified"]["at"].as_str().expect("a time").ends_with("+02:00"), "in the incident's offset");
    assert!(answer["verified"]["by_id"].is_i64());
    let again = app.post_body(&verify, "application/json", r#"{"evidence": "Twice"}"#).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let later = app.create_incident(&form()).await;
    let later_id: i64 = later.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id");
    sqlx::query("INSERT INTO action_item_recurrences (action_item_id, incident_id) VALUES ($1, $2)")
        .bind(item)
        .bind(later_id)
        .execute(&app.pool)
        .await
        .expect("a recurrence");
    let read = json(&app.get(&format!("/api{path}")).await.body);
    assert_eq!(read["action_items"][0]["recurred_in"], serde_json::json!([later_id]));
    assert_eq!(read["action_items"][0]["verified"]["evidence"], "https://ci.example.com/run/7");

    // The owner may not verify, even through a script.
    app.post_empty(&format!("/api{path}/action-items/{item}/unverify")).await;
    app.new_session(owner).await;
    let own = app.post_body(&verify, "application/json", r#"{"evidence": "Mine"}"#).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(&own.body)["error"]["message"].as_str().expect("a message").starts_with("You own this item"));
}
