//! The history of a postmortem: revisions recorded on every change, a published revision that
//! never changes, and the diff between any two.

use axum::http::StatusCode;
use hindsight::domain::Role;
use hindsight::domain::Section;
use hindsight::domain::input::IncidentForm;

use crate::harness::{TestApp, form};

/// The number, publication and text of every revision of postmortem `id`, oldest first.
async fn revisions(app: &TestApp, id: i64) -> Vec<(i32, bool, String)> {
    sqlx::query_as("SELECT number, published, markdown FROM revisions WHERE incident_id = $1 ORDER BY number")
        .bind(id)
        .fetch_all(&mut *app.pool.acquire().await.expect("a connection"))
        .await
        .expect("read revisions")
}

async fn edit_summary(app: &TestApp, path: &str, summary: &str) {
    let version = app.get(&format!("{path}/edit")).await.field_value("version");
    let edited = IncidentForm { version, ..form() }.with(Section::Summary, summary);
    assert_eq!(app.post_form(path, &edited).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_change_is_kept_and_a_published_revision_never_changes() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form().with(Section::Summary, "The cache fell over.")).await;
    let id: i64 = path.trim_start_matches("/incidents/").parse().expect("as set up");
    assert_eq!(revisions(&app, id).await.len(), 1, "creating makes revision 1");

    // The same person editing again straight away updates their revision...
    edit_summary(&app, &path, "The session cache fell over.").await;
    let history = revisions(&app, id).await;
    assert_eq!(history.len(), 1);
    assert!(history[0].2.contains("The session cache fell over."));

    // ...and someone else's change is a revision of its own.
    let admin = sqlx::query_scalar::<_, i64>("SELECT id FROM users")
        .fetch_one(&mut *app.pool.acquire().await.expect("a connection"))
        .await
        .expect("as set up");
    app.sign_in_as(Role::Engineer).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged the on-call")]).await;
    assert_eq!(revisions(&app, id).await.len(), 2);

    // Approval publishes a revision of its own.
    sqlx::query("UPDATE incidents SET status = 'in_review' WHERE id = $1")
        .bind(id)
        .execute(&mut *app.pool.acquire().await.expect("a connection"))
        .await
        .expect("as set up");
    app.new_session(hindsight::domain::UserId(admin)).await;
    assert_eq!(app.post_empty(&format!("{path}/approve")).await.status, StatusCode::SEE_OTHER);
    let history = revisions(&app, id).await;
    assert_eq!(history.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(), [(1, false), (2, false), (3, true)]);
    let published = history[2].2.clone();
    assert!(published.contains("**Status:** Published"));

    // A later edit, even by the approver a moment later, makes a new revision; the published
    // one stays as approved, and the database refuses to change it.
    edit_summary(&app, &path, "The session cache ran out of memory.").await;
    let history = revisions(&app, id).await;
    assert_eq!(history.len(), 4);
    assert_eq!(history[2].2, published);
    assert!(history[3].2.contains("ran out of memory"));
    let tampered = sqlx::query("UPDATE revisions SET markdown = 'rewritten' WHERE incident_id = $1 AND number = 3")
        .bind(id)
        .execute(&mut *app.pool.acquire().await.expect("a connection"))
        .await;
    assert!(tampered.is_err(), "a published revision cannot be rewritten");
    assert_eq!(app.get(&path).await.text(".meta .status"), "Published", "tracking goes on after publishing");

    // The postmortem page says so and links to the changes.
    let page = app.get(&path).await;
    assert!(
        page.text(".pm-foot").contains("Revision 4; changed since revision 3 was published"),
        "{}",
        page.text(".pm-foot")
    );
    assert_eq!(
        page.attr(".pm-foot a[href*=compare]", "href").as_deref(),
        Some(&*format!("{path}/compare?from=3&to=4"))
    );

    // The history lists every revision, newest first.
    let list = app.get(&format!("{path}/revisions")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.texts("table.revisions tbody th a"), ["Revision 4", "Revision 3", "Revision 2", "Revision 1"]);
    assert_eq!(list.texts("table.revisions .status-published").len(), 1);

    // The diff between the published revision and now: the old line removed, the new added,
    // under the section's heading; the words that changed are marked.
    let diff = app.get(&format!("{path}/compare")).await;
    assert_eq!(diff.status, StatusCode::OK);
    assert_eq!(diff.text("h1"), "Changes from revision 3 to 4");
    assert_eq!(diff.texts(".diff-removed .diff-text"), ["Removed: The session cache fell over."]);
    assert_eq!(diff.texts(".diff-added .diff-text"), ["Added: The session cache ran out of memory."]);
    assert_eq!(diff.texts(".diff-added mark"), ["ran out of memory."]);
    assert_eq!(diff.texts(".diff-section"), ["Summary"]);

    // Any two, either way round.
    let whole = app.get(&format!("{path}/compare?from=1&to=4")).await;
    assert!(whole.texts(".diff-added .diff-text").iter().any(|line| line.contains("Paged the on-call")));
    assert!(whole.texts(".diff-removed .diff-text").iter().any(|line| line.contains("Draft")));
    let same = app.get(&format!("{path}/compare?from=2&to=2")).await;
    assert!(same.text(".page-head").contains("The two revisions read the same."));

    // A revision reads as it was.
    let old = app.get(&format!("{path}/revisions/3")).await;
    assert_eq!(old.status, StatusCode::OK);
    assert!(old.text(".revision").contains("The session cache fell over."));
    assert!(old.text(".page-head").contains("This is not the latest revision"));
}

#[tokio::test]
async fn a_wrong_revision_gets_a_clear_answer() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let bad = app.get(&format!("{path}/compare?from=first&to=1")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“first” is not a revision number."));
    let missing = app.get(&format!("{path}/compare?from=1&to=9")).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.body.contains("has no revision 9"));
    assert_eq!(app.get(&format!("{path}/revisions/9")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/incidents/999/revisions").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/incidents/999/compare").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn postmortems_saved_before_revisions_get_their_first_one() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let id: i64 = path.trim_start_matches("/incidents/").parse().expect("as set up");
    // As if saved by an older Hindsight: published, with no history.
    sqlx::query("DELETE FROM revisions")
        .execute(&mut *app.pool.acquire().await.expect("a connection"))
        .await
        .expect("as set up");
    sqlx::query("UPDATE incidents SET status = 'published'")
        .execute(&mut *app.pool.acquire().await.expect("a connection"))
        .await
        .expect("as set up");
    assert_eq!(
        hindsight::app::revisions::backfill(&mut app.pool.acquire().await.expect("a connection"))
            .await
            .expect("as set up"),
        1
    );
    assert_eq!(
        hindsight::app::revisions::backfill(&mut app.pool.acquire().await.expect("a connection"))
            .await
            .expect("as set up"),
        0,
        "only once"
    );
    let history = revisions(&app, id).await;
    assert_eq!(history.len(), 1);
    assert!(history[0].1, "a published postmortem's first revision is the published one");
}
