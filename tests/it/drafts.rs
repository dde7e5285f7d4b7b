//! Drafts of the postmortem form: kept as one types, shown back on the next visit, dropped by
//! the save (in its transaction), telling others who is editing, and holding under concurrent
//! typing. (The script that sends them is exercised in a real browser in `journeys.rs`.)

use std::sync::Arc;

use axum::http::StatusCode;
use hindsight::domain::Role;
use hindsight::domain::input::IncidentForm;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::harness::{TestApp, form};

/// The form as typed into postmortem `path`'s edit page (at `version`), with `title` and `summary`.
fn typed(title: &str, summary: &str, version: &str) -> IncidentForm {
    IncidentForm { title: title.into(), version: version.into(), ..form() }
        .with(hindsight::domain::Section::Summary, summary)
}

#[tokio::test]
async fn a_draft_is_kept_shown_back_and_dropped_by_the_save() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;

    let kept = app.post_form(&format!("{path}/draft"), &typed("Checkout, not search", "Typed, not saved", "1")).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    let answer: Value = serde_json::from_str(&kept.body).expect("JSON");
    assert!(answer["kept_ms"].as_i64().is_some_and(|ms| ms > 1_700_000_000_000), "{answer}");
    assert_eq!(answer["others"], serde_json::json!([]));

    // Only the draft changed: the postmortem is as saved, and the form shows the draft.
    assert_eq!(app.get(&path).await.text("h1"), "Checkout latency spike");
    let edit = app.get(&format!("{path}/edit")).await;
    assert_eq!(edit.field_value("title"), "Checkout, not search");
    assert_eq!(edit.field_value("summary"), "Typed, not saved");
    assert!(edit.text(".notice-draft").contains("Restored what you typed"), "{}", edit.text(".notice-draft"));
    assert!(!edit.text(".notice-draft").contains("Someone has saved"));

    // Saving it makes it the postmortem and drops the draft.
    let saved = app.post_form(&path, &typed("Checkout, not search", "Typed, then saved", "1")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.count("form_drafts").await, 0);
    let edit = app.get(&format!("{path}/edit")).await;
    assert_eq!(edit.field_value("summary"), "Typed, then saved");
    assert!(edit.texts(".notice-draft").is_empty());

    // A new postmortem's form has its own draft, which can be discarded.
    let new = app.post_form("/incidents/new/draft", &typed("Half a postmortem", "", "")).await;
    assert_eq!(new.status, StatusCode::OK);
    assert_eq!(app.get("/incidents/new").await.field_value("title"), "Half a postmortem");
    let discarded = app.post_empty("/incidents/new/draft/discard").await;
    assert_eq!((discarded.status, discarded.location()), (StatusCode::SEE_OTHER, "/incidents/new"));
    assert_eq!(app.get("/incidents/new").await.field_value("title"), "");
    // ...and creating from it drops it too.
    app.post_form("/incidents/new/draft", &typed("Half a postmortem", "", "")).await;
    app.create_incident(&typed("Half a postmortem", "Now whole", "")).await;
    assert_eq!(app.count("form_drafts").await, 0);

    // Text no save would take is not kept either, and says why.
    let nul = app.post_form(&format!("{path}/draft"), &typed("Bad\0title", "", "2")).await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.body);
    assert_eq!(app.count("form_drafts").await, 0);
    let missing = app.post_form("/incidents/999999/draft", &typed("x", "", "1")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Two people on one postmortem: each sees the other is editing; a draft typed over a version
/// someone has since saved says so, and saving it shows both versions rather than losing one.
#[tokio::test]
async fn two_editors_see_each_other_and_a_stale_draft_is_a_conflict_not_a_loss() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let alex = app.sign_in_as(Role::Engineer).await;
    sqlx::query("UPDATE users SET name = 'Alex' WHERE id = $1").bind(alex.0).execute(&app.pool).await.expect("q");
    app.post_form(&format!("{path}/draft"), &typed("Alex's title", "Alex's words", "1")).await;

    let sam = app.sign_in_as(Role::Engineer).await;
    sqlx::query("UPDATE users SET name = 'Sam' WHERE id = $1").bind(sam.0).execute(&app.pool).await.expect("q");
    let edit = app.get(&format!("{path}/edit")).await;
    assert!(edit.text(".presence").contains("Alex, "), "{}", edit.text(".presence"));
    let kept = app.post_form(&format!("{path}/draft"), &typed("Sam's title", "Sam's words", "1")).await;
    let answer: Value = serde_json::from_str(&kept.body).expect("JSON");
    assert!(answer["others"][0].as_str().is_some_and(|other| other.starts_with("Alex, ")), "{answer}");
    // Sam saves first.
    assert_eq!(app.post_form(&path, &typed("Sam's title", "Sam's words", "1")).await.status, StatusCode::SEE_OTHER);

    app.new_session(alex).await;
    let edit = app.get(&format!("{path}/edit")).await;
    assert_eq!(edit.field_value("summary"), "Alex's words", "Alex's draft is still Alex's");
    assert!(edit.text(".notice-draft").contains("Someone has saved this postmortem since"));
    let conflict = app.post_form(&path, &typed("Alex's title", "Alex's words", "1")).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "Sam's save is not overwritten unseen");
    assert_eq!(conflict.field_value("summary"), "Alex's words", "nor are Alex's words lost");
    assert!(conflict.text(".conflict").contains("Sam's words"), "and Sam's are shown beside them");
}

/// Drafts are written on every pause in typing, by everyone at once: no request fails and each
/// person keeps exactly one draft.
#[tokio::test]
async fn drafts_hold_under_concurrent_typing() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.sign_in_as(Role::Engineer).await;
    let other = app.second_instance();
    other.new_session(app.create_user(Role::Engineer).await).await;
    let (app, other) = (Arc::new(app), Arc::new(other));
    let mut running = JoinSet::new();
    for round in 0..20 {
        for person in [&app, &other] {
            let (person, path) = (person.clone(), path.clone());
            running.spawn(async move {
                let typed = typed(&format!("Round {round}"), &"words ".repeat(round * 50), "1");
                person.post_form(&format!("{path}/draft"), &typed).await.status
            });
        }
    }
    while let Some(status) = running.join_next().await {
        assert_eq!(status.expect("a request task"), StatusCode::OK);
    }
    let drafts: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, fields->>'title' FROM form_drafts ORDER BY user_id")
            .fetch_all(&app.pool)
            .await
            .expect("q");
    assert_eq!(drafts.len(), 2, "one draft each: {drafts:?}");
    assert!(drafts.iter().all(|(_, title)| title.starts_with("Round ")));
}
