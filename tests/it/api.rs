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
