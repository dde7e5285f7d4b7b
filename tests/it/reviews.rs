//! The review: submit a complete draft, send back with changes, approve and publish, comment.

use axum::http::StatusCode;
use hindsight::domain::Role;
use hindsight::domain::Section;
use hindsight::domain::input::IncidentForm;

use crate::harness::{TestApp, form};

#[tokio::test]
async fn a_postmortem_goes_from_draft_through_review_to_published() {
    let app = TestApp::new().await;
    let manager = app.create_user(Role::Manager).await;
    let engineer = app.sign_in_as(Role::Engineer).await;
    let path =
        app.create_incident(&form().with(Section::Impact, String::new()).with(Section::RootCause, String::new())).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Cap pools"), ("due_on", "")]).await;

    // Not complete: the page says what is missing, and submitting is refused.
    let page = app.get(&path).await;
    let missing = page.texts(".review .missing li");
    assert_eq!(
        missing,
        [
            "Describe the impact.",
            "Write the root cause.",
            "Add at least one timeline entry.",
            "Give the action item “Cap pools” an owner and a due date."
        ]
    );
    let refused = app.post_empty(&format!("{path}/submit")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text(".review .error-summary").contains("Not ready for review"));

    // Completed, it goes to review.
    let edit = app.get(&format!("{path}/edit")).await;
    let complete = IncidentForm { version: edit.field_value("version"), ..form() }
        .with(Section::Impact, "EU users could not log in.")
        .with(Section::RootCause, "The pool was too small.");
    assert_eq!(app.post_form(&path, &complete).await.status, StatusCode::SEE_OTHER);
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    let item = app.get(&path).await.attr(".item-meta a", "href").expect("an edit link");
    let action = app.get(&item).await.attr("main form[method=post]", "action").expect("a form");
    let owned =
        [("body", "Cap pools"), ("owner_id", &engineer.to_string()), ("due_on", "2025-04-01"), ("version", "1")];
    assert_eq!(app.post_form(&action, &owned).await.status, StatusCode::SEE_OTHER);
    assert!(app.get(&path).await.texts(".review .missing li").is_empty());
    let submitted = app.post_form(&format!("{path}/submit"), &[("body", "Ready, I think.")]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&path).await.text(".meta .status"), "In review");

    // Only a manager approves or sends back.
    assert_eq!(app.post_empty(&format!("{path}/approve")).await.status, StatusCode::FORBIDDEN);
    app.new_session(manager).await;
    let unsaid = app.post_form(&format!("{path}/send-back"), &[("body", "  ")]).await;
    assert_eq!(unsaid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unsaid.body.contains("Say what should change"));
    let sent_back = app.post_form(&format!("{path}/send-back"), &[("body", "Add the **detection** time.")]).await;
    assert_eq!(sent_back.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&path).await.text(".meta .status"), "Draft");
    let approve_draft = app.post_empty(&format!("{path}/approve")).await;
    assert_eq!(approve_draft.status, StatusCode::UNPROCESSABLE_ENTITY, "only what is in review is approved");

    // Submitted again and approved: published.
    app.new_session(engineer).await;
    assert_eq!(app.post_empty(&format!("{path}/submit")).await.status, StatusCode::SEE_OTHER);
    let comment = app.post_form(&format!("{path}/comments"), &[("body", "Detection time added: `10:15`.")]).await;
    assert_eq!(comment.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.post_form(&format!("{path}/comments"), &[("body", " ")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.new_session(manager).await;
    assert_eq!(app.post_empty(&format!("{path}/approve")).await.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await;
    assert_eq!(page.text(".meta .status"), "Published");
    let steps: Vec<String> = page
        .texts(".comments .comment-meta")
        .iter()
        .map(|m| m.split(" · ").next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(steps.len(), 5, "{steps:?}");
    assert!(
        steps[0].ends_with("submitted it for review") && steps[1].ends_with("sent it back for changes"),
        "{steps:?}"
    );
    assert!(steps[4].ends_with("approved and published it"), "{steps:?}");
    assert_eq!(page.texts(".comments .prose strong"), ["detection"], "comments are Markdown");
    assert_eq!(page.texts(".comments .prose code"), ["10:15"]);
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action LIKE 'incident.%' AND action <> 'incident.created' AND action <> 'incident.edited'")
        .fetch_one(&app.pool)
        .await
        .expect("q");
    assert_eq!(logged, 5, "each step and the comment are in the audit log");
}

#[tokio::test]
async fn what_a_review_step_says_is_held_to_the_length_of_a_comment() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    sqlx::query("UPDATE incidents SET status = 'in_review'").execute(&app.pool).await.expect("in review");
    let essay = "word ".repeat(4_001);
    for step in ["send-back", "approve"] {
        let refused = app.post_form(&format!("{path}/{step}"), &[("body", essay.as_str())]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{step}");
        assert!(refused.text(".review .error-summary").contains("20000 characters"), "{step}");
        assert!(refused.body.contains("word word word"), "{step}: the text is kept");
    }
    assert_eq!(app.get(&path).await.text(".meta .status"), "In review");
    assert_eq!(app.count("review_comments").await, 0);
}

#[tokio::test]
async fn blame_and_hindsight_language_is_pointed_out_as_advice_until_published() {
    let app = TestApp::new().await;
    let fields = form()
        .with(Section::Impact, "Checkout failed for EU users.")
        .with(Section::RootCause, "The pool was too small. The on-call engineer should have caught the alert.")
        .with(Section::Resolution, "Human error: a <script>alert(1)</script> careless restart.");
    let path = app.create_incident(&fields).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "We failed to page the DB team.")]).await;
    let page = app.get(&path).await;
    let advice = page.texts("#writing-advice li .advice-words");
    assert_eq!(advice, ["should have caught", "Human error", "careless", "failed to"]);
    assert!(page.text("#writing-advice").contains("Root cause: “The on-call engineer should have caught the alert.”"));
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"), "excerpts are escaped");
    assert!(!page.body.contains("<script>alert(1)"));
    // Advice never blocks: the draft is ready for review all the same.
    assert!(page.text("#review").contains("everything a review needs"));

    // Rewritten, the advice goes; a system's failure is not blame.
    let version = app.get(&format!("{path}/edit")).await.field_value("version");
    let rewritten = IncidentForm { version, ..fields }
        .with(Section::RootCause, "The pool was too small, and the alert did not say which pool was full.")
        .with(Section::Resolution, "The pod failed to restart twice; a manual restart cleared it.");
    app.post_form(&path, &rewritten).await;
    let page = app.get(&path).await;
    assert_eq!(page.texts("#writing-advice li .advice-words"), ["failed to"], "only the timeline's is left");

    // Published, it is history: no more advice.
    app.post_form(&format!("{path}/submit"), &[("body", "")]).await;
    app.post_form(&format!("{path}/approve"), &[("body", "")]).await;
    let page = app.get(&path).await;
    assert!(page.text("#review").contains("Published"));
    assert!(page.texts("#writing-advice").is_empty());
}
