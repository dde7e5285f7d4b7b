//! Extra sections: added, shown, exported, edited and deleted.

use axum::http::StatusCode;

use crate::harness::{TestApp, form};

#[tokio::test]
async fn an_extra_section_is_shown_and_exported_after_the_action_items() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Fix it")]).await;
    let response = app
        .post_form(&format!("{path}/sections"), &[("heading", "Detection"), ("body", "A **pager** went off.")])
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert!(response.location().starts_with(&format!("{path}#section-")));

    let page = app.get(&path).await;
    assert_eq!(page.texts(".pm-section[id^=section-] h2"), ["Detection"]);
    assert_eq!(page.text(".pm-section[id^=section-] strong"), "pager");
    let export = app.get(&format!("{path}/export.md")).await.body;
    assert!(export.ends_with("- [ ] Fix it\n\n## Detection\n\nA **pager** went off.\n"), "{export}");
}

#[tokio::test]
async fn a_section_needs_a_heading_and_comes_back_as_typed() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let response = app.post_form(&format!("{path}/sections"), &[("heading", " "), ("body", "Keep this text")]).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.field_error("section-heading").as_deref(), Some("Give the section a heading."));
    assert_eq!(response.text("#section-body"), "Keep this text");
    assert!(response.attr("#more-sections details", "open").is_some());
    assert_eq!(app.count("incident_sections").await, 0);
}

#[tokio::test]
async fn sections_can_be_edited_and_deleted_and_missing_ones_are_404s() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/sections"), &[("heading", "Appendx"), ("body", "Logs")]).await;
    let page = app.get(&path).await;
    let edit = page.attr(".section-actions a", "href").expect("an edit link");
    let form_page = app.get(&edit).await;
    assert_eq!(form_page.field_value("heading"), "Appendx");
    let action = form_page.attr("main form[method=post]", "action").expect("a form action");

    assert_eq!(form_page.field_value("version"), "1");

    let bad = app.post_form(&action, &[("heading", ""), ("body", "Logs, fixed"), ("version", "1")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.text("#body"), "Logs, fixed");
    assert_eq!(
        app.post_form(&action, &[("heading", "Appendix"), ("body", "Logs, fixed"), ("version", "1")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.get(&path).await.texts(".pm-section[id^=section-] h2"), ["Appendix"]);

    // Deleting is done from the section's own page.
    let delete = app.get(&edit).await.attr("form.delete-form", "action").expect("a delete form");
    assert_eq!(app.post_form(&delete, &[("version", "2")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("incident_sections").await, 0);
    assert_eq!(app.post_form(&delete, &[("version", "2")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&edit).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(&action, &[("heading", "x"), ("version", "1")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form("/incidents/999/sections", &[("heading", "x")]).await.status, StatusCode::NOT_FOUND);
}
