//! Action items: add, tick done, reopen, edit, delete.

use axum::http::StatusCode;

use crate::harness::{TestApp, form};

#[tokio::test]
async fn items_are_added_with_owner_team_and_due_date() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let response = app
        .post_form(
            &format!("{path}/actions"),
            &[("body", "Add pool **metrics**"), ("owner", "Priya"), ("team", "Platform"), ("due_on", "2025-04-01")],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.location(), format!("{path}#action-items"));
    let page = app.get(&path).await;
    assert_eq!(page.text(".action-items .item-body .prose strong"), "metrics");
    assert_eq!(page.texts(".action-items .item-meta span"), ["Owner: Priya", "Team: Platform", "Due 2025-04-01"]);
    assert_eq!(page.text("#action-items > .hint"), "1 of 1 open.");
}

#[tokio::test]
async fn an_item_is_ticked_done_from_the_postmortem_page_and_reopened() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Load test the pool")]).await;
    let page = app.get(&path).await;
    let tick = page.attr(".action-items form.tick", "action").expect("a tick form");
    assert_eq!(page.attr(".action-items form.tick input[name=done]", "value").as_deref(), Some("true"));

    assert_eq!(app.post_form(&tick, &[("done", "true")]).await.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await;
    assert_eq!(page.texts(".action-items li.done").len(), 1);
    assert_eq!(page.text("#action-items > .hint"), "All 1 done.");
    let completed: Option<time::OffsetDateTime> = sqlx::query_scalar("SELECT completed_at FROM action_items")
        .fetch_one(&app.pool)
        .await
        .expect("read completion");
    assert!(completed.is_some(), "the completion time is recorded");

    assert_eq!(app.post_form(&tick, &[("done", "false")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&path).await.texts(".action-items li.open").len(), 1);
    assert_eq!(app.post_form(&tick, &[("done", "maybe")]).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.post_empty(&tick).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_bad_item_comes_back_as_typed() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let response =
        app.post_form(&format!("{path}/actions"), &[("body", ""), ("owner", "Sam"), ("due_on", "next week")]).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.field_error("item-body").as_deref(), Some("Say what needs to be done."));
    assert!(response.field_error("item-due_on").is_some());
    assert_eq!(response.attr("#item-owner", "value").as_deref(), Some("Sam"));
    assert_eq!(response.attr("#item-due_on", "value").as_deref(), Some("next week"));
    assert_eq!(app.count("action_items").await, 0);
}

#[tokio::test]
async fn items_can_be_edited_and_deleted() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Draft item"), ("owner", "Sam")]).await;
    let page = app.get(&path).await;
    let edit = page.attr(".item-meta a", "href").expect("an edit link");
    let form = app.get(&edit).await;
    assert_eq!(form.field_value("body"), "Draft item");
    assert_eq!(form.field_value("owner"), "Sam");
    let action = form.attr("main form[method=post]", "action").expect("a form action");

    let bad = app.post_form(&action, &[("body", "x".repeat(600).as_str())]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("body").is_some());

    let saved = app
        .post_form(
            &action,
            &[("body", "Final item"), ("owner", "Ana"), ("team", "DB"), ("due_on", "2025-05-01"), ("done", "on")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await;
    assert_eq!(page.text(".action-items .prose"), "Final item");
    assert_eq!(page.texts(".action-items li.done").len(), 1);

    let delete = page.attr(".action-items form.row-delete", "action").expect("a delete form");
    assert_eq!(app.post_empty(&delete).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("action_items").await, 0);
    assert_eq!(app.get(&edit).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn missing_items_are_404s_on_every_route() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let missing = format!("{path}/actions/999");
    assert_eq!(app.get(&format!("{missing}/edit")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(&missing, &[("body", "x")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(&format!("{missing}/done"), &[("done", "true")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_empty(&format!("{missing}/delete")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form("/incidents/999/actions", &[("body", "x")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("action_items").await, 0);
}
