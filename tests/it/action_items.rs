//! Action items: add, tick done, reopen, edit, delete.

use axum::http::StatusCode;

use std::sync::Arc;

use hindsight::domain::{Role, UserId};
use tokio::task::JoinSet;

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
    assert_eq!(page.attr(".action-items form.tick input[name=from]", "value").as_deref(), Some("open"));

    assert_eq!(app.post_form(&tick, &[("done", "true"), ("from", "open")]).await.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await;
    assert_eq!(page.texts(".action-items li.done").len(), 1);
    assert_eq!(page.text("#action-items > .hint"), "All 1 done.");
    let completed: Option<time::OffsetDateTime> = sqlx::query_scalar("SELECT completed_at FROM action_items")
        .fetch_one(&app.pool)
        .await
        .expect("read completion");
    assert!(completed.is_some(), "the completion time is recorded");

    let page = app.get(&path).await;
    assert_eq!(page.attr(".action-items form.tick input[name=from]", "value").as_deref(), Some("done"));
    assert_eq!(app.post_form(&tick, &[("done", "false"), ("from", "done")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&path).await.texts(".action-items li.open").len(), 1);
    assert_eq!(app.post_form(&tick, &[("done", "maybe"), ("from", "open")]).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.post_form(&tick, &[("done", "true")]).await.status, StatusCode::BAD_REQUEST, "no status seen");
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

    let bad = app.post_form(&action, &[("body", "x".repeat(600).as_str()), ("version", "1")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("body").is_some());

    let fields = [
        ("body", "Final item"),
        ("owner", "Ana"),
        ("team", "DB"),
        ("due_on", "2025-05-01"),
        ("done", "on"),
        ("version", "1"),
    ];
    let saved = app.post_form(&action, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await;
    assert_eq!(page.text(".action-items .prose"), "Final item");
    assert_eq!(page.texts(".action-items li.done").len(), 1);

    // Deleting is done from the item's own page, not one click away on the postmortem.
    assert!(
        page.html()
            .select(&scraper::Selector::parse(".action-items form[action$='/delete']").expect("selector"))
            .next()
            .is_none()
    );
    let edit_page = app.get(&edit).await;
    let delete = edit_page.attr("form.delete-form", "action").expect("a delete form");
    let version = edit_page.attr("form.delete-form input[name=version]", "value").expect("the version");
    assert_eq!(app.post_form(&delete, &[("version", &version)]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("action_items").await, 0);
    assert_eq!(app.get(&edit).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn missing_items_are_404s_on_every_route() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let missing = format!("{path}/actions/999");
    assert_eq!(app.get(&format!("{missing}/edit")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(&missing, &[("body", "x"), ("version", "1")]).await.status, StatusCode::NOT_FOUND);
    let tick = [("done", "true"), ("from", "open")];
    assert_eq!(app.post_form(&format!("{missing}/done"), &tick).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(&format!("{missing}/delete"), &[("version", "1")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form("/incidents/999/actions", &[("body", "x")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("action_items").await, 0);
}

/// The edit form's fields, as a browser sends them.
fn tracked(version: &str, status: &str, reason: &str) -> Vec<(&'static str, String)> {
    vec![
        ("version", version.to_owned()),
        ("body", "Cap connections per service".to_owned()),
        ("kind", "preventative".to_owned()),
        ("priority", "P2".to_owned()),
        ("status", status.to_owned()),
        ("wont_do_reason", reason.to_owned()),
        ("owner", "Priya".to_owned()),
        ("due_on", "2025-04-01".to_owned()),
        ("ticket_url", "https://tickets.example.com/OPS-12".to_owned()),
        ("completion_note", "Limits live since 2025-03-20".to_owned()),
    ]
}

#[tokio::test]
async fn items_carry_kind_priority_status_team_ticket_and_note_through_page_api_and_export() {
    let app = TestApp::new().await;
    app.post_form("/admin/teams", &[("name", "Platform")]).await;
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams").fetch_one(&app.pool).await.expect("a team");
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Draft"), ("team_id", &team.to_string())]).await;
    let edit = app.get(&path).await.attr(".item-meta a", "href").expect("an edit link");
    let action = app.get(&edit).await.attr("main form[method=post]", "action").expect("a form");

    let mut fields = tracked("1", "in_progress", "");
    fields.push(("team_id", team.to_string()));
    let saved = app.post_form(&action, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let meta = app.get(&path).await.text(".item-meta");
    for shown in ["In progress", "P2", "Preventative", "Owner: Priya", "Team: Platform", "Due 2025-04-01", "Ticket"] {
        assert!(meta.contains(shown), "{shown} in {meta}");
    }
    let json: serde_json::Value = serde_json::from_str(&app.get(&format!("/api{path}")).await.body).expect("JSON");
    let item = &json["action_items"][0];
    assert_eq!(
        (item["status"].as_str(), item["kind"].as_str(), item["priority"].as_str()),
        (Some("in_progress"), Some("preventative"), Some("P2"))
    );
    assert_eq!((item["team"].as_str(), item["team_id"].as_i64()), (Some("Platform"), Some(team)));
    assert!(item["completed_at"].is_null(), "in progress is not closed");

    let export = app.get(&format!("{path}/export.md")).await.body;
    let line = "- [ ] Cap connections per service — **Owner:** Priya · **Team:** Platform · **Due:** 2025-04-01 · **Kind:** preventative · **Priority:** P2 · **Status:** in progress · **Ticket:** https://tickets.example.com/OPS-12 · **Note:** Limits live since 2025-03-20";
    assert!(export.contains(line), "{export}");
    // The export imports back with every field.
    let again = app.post_body("/api/import?save=true", "text/markdown", export.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let reimported = app.get(&format!("{}/export.md", again.location())).await.body;
    assert!(reimported.contains(line), "{reimported}");

    // Won't do needs a reason, and closes the item.
    let refused = app.post_form(&action, &tracked("2", "wont_do", " ")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("wont_do_reason").is_some());
    assert_eq!(refused.field_value("ticket_url"), "https://tickets.example.com/OPS-12", "kept as typed");
    let closed = app.post_form(&action, &tracked("2", "wont_do", "Replaced by the new proxy")).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await;
    assert_eq!(page.texts(".item-note"), ["Won't do: Replaced by the new proxy", "Note: Limits live since 2025-03-20"]);
    let closed_at: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT completed_at FROM action_items ORDER BY id LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("q");
    assert!(closed_at.is_some(), "won't do is closed, with a time");
    let export = app.get(&format!("{path}/export.md")).await.body;
    assert!(export.contains("**Status:** won't do: Replaced by the new proxy"), "{export}");

    // A ticket must be a web address.
    let mut bad = tracked("3", "open", "");
    bad[8].1 = "javascript:alert(1)".to_owned();
    let refused = app.post_form(&action, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("ticket_url").is_some());
}

#[tokio::test]
async fn a_second_save_from_a_stale_form_sees_both_versions_and_keeps_its_text() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Draft")]).await;
    let edit = app.get(&path).await.attr(".item-meta a", "href").expect("an edit link");
    let page = app.get(&edit).await;
    let action = page.attr("main form[method=post]", "action").expect("a form");
    let version = page.field_value("version");

    // Two people opened the form at the same version; the first saves.
    let first = app.post_form(&action, &tracked(&version, "done", "")).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let mut mine = tracked(&version, "open", "");
    mine[1].1 = "Cap connections per service and per region".to_owned();
    let second = app.post_form(&action, &mine).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    let listed = second.text(".error-summary ul");
    assert!(
        listed.contains("Status: Done") && listed.contains("What needs doing: Cap connections per service"),
        "{listed}"
    );
    assert_eq!(second.field_value("body"), "Cap connections per service and per region", "what they typed is kept");
    let body: String = sqlx::query_scalar("SELECT body FROM action_items").fetch_one(&app.pool).await.expect("q");
    assert_eq!(body, "Cap connections per service", "nothing was overwritten");

    // Saving the conflict page again replaces theirs, knowingly.
    let mut again: Vec<(&'static str, String)> = mine.clone();
    again[0].1 = second.field_value("version");
    let replaced = app.post_form(&action, &again).await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER);
    let body: String = sqlx::query_scalar("SELECT body FROM action_items").fetch_one(&app.pool).await.expect("q");
    assert_eq!(body, "Cap connections per service and per region");
}

#[tokio::test]
async fn a_new_items_due_date_defaults_from_the_severity() {
    let app = TestApp::new().await;
    let today = time::OffsetDateTime::now_utc().date();
    for (severity, weeks) in [("SEV1", Some(4)), ("SEV2", Some(8)), ("SEV3", Some(12)), ("SEV4", None)] {
        let path =
            app.create_incident(&hindsight::domain::input::IncidentForm { severity: severity.into(), ..form() }).await;
        let page = app.get(&path).await;
        let expected = weeks.map(|w| hindsight::domain::time::format_date(today + time::Duration::weeks(w)));
        assert_eq!(page.attr("#item-due_on", "value"), Some(expected.unwrap_or_default()), "{severity}");
    }
}

// ---- Verification: beyond done, someone other than the owner says it works ----------------

/// A postmortem with one done item owned by `owner`; returns its page and the item's path.
async fn done_item_owned_by(app: &TestApp, owner: UserId) -> (String, String) {
    let path = app.create_incident(&form()).await;
    let owner = owner.to_string();
    let added = app
        .post_form(
            &format!("{path}/actions"),
            &[("body", "Cap the pool"), ("owner_id", owner.as_str()), ("done", "on")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let item: i64 = sqlx::query_scalar("SELECT max(id) FROM action_items").fetch_one(&app.pool).await.expect("an item");
    (path.clone(), format!("{path}/actions/{item}"))
}

async fn verification(app: &TestApp, item: &str) -> (Option<i64>, String, String) {
    let id: i64 = item.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an item id");
    sqlx::query_as("SELECT verified_by, verified_by_name, verification_evidence FROM action_items WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("read the verification")
}

#[tokio::test]
async fn a_done_item_is_verified_by_someone_other_than_its_owner_with_evidence() {
    let app = TestApp::new().await;
    let owner = app.create_user(Role::Engineer).await;
    let (path, item) = done_item_owned_by(&app, owner).await;
    let page = app.get(&path).await;
    assert_eq!(page.attr(".action-items .verify-form form", "action"), Some(format!("{item}/verify")));
    let verify = format!("{item}/verify");

    // The owner cannot vouch for their own work; what they typed comes back.
    app.new_session(owner).await;
    let refused = app.post_form(&verify, &[("evidence", "Trust me")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("verify-evidence").expect("an error").starts_with("You own this item"));
    assert_eq!(refused.attr("#verify-evidence", "value").as_deref(), Some("Trust me"));

    // Viewers read; they do not verify.
    app.sign_in_as(Role::Viewer).await;
    assert_eq!(app.post_form(&verify, &[("evidence", "Looks fine")]).await.status, StatusCode::FORBIDDEN);

    let engineer = app.sign_in_as(Role::Engineer).await;
    for (evidence, message) in [
        ("   ", "Say how you checked that it works: a note, or a link to the evidence."),
        ("a\tb", "This contains a control character (such as a tab), which cannot be kept. Remove it."),
        ("a\0b", "This contains a NUL character, which cannot be stored. Remove it and save again."),
        ("two\nlines", "Keep this to a single line."),
    ] {
        let bad = app.post_form(&verify, &[("evidence", evidence)]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{evidence:?}");
        assert_eq!(bad.field_error("verify-evidence").as_deref(), Some(message), "{evidence:?}");
    }
    let long = "x".repeat(501);
    assert_eq!(app.post_form(&verify, &[("evidence", long.as_str())]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(verification(&app, &item).await, (None, String::new(), String::new()), "nothing saved");

    let link = "https://grafana.example.com/d/pool?from=now-7d";
    let verified = app.post_form(&verify, &[("evidence", &format!("  {link} "))]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);
    let (by, name, evidence) = verification(&app, &item).await;
    assert_eq!((by, evidence.as_str()), (Some(engineer.0), link));
    assert!(name.starts_with("Test Engineer"), "{name}");
    let page = app.get(&path).await;
    assert_eq!(page.text(".action-items .verified-badge"), "Verified");
    assert_eq!(page.attr(".action-items .verification-note a", "href").as_deref(), Some(link));
    assert!(page.text(".action-items .verification-note").contains(&format!("by {name} on ")));
    assert!(page.texts(".action-items .verify-form").is_empty(), "verified once");
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'action_item.verified'")
        .fetch_one(&app.pool)
        .await
        .expect("read the audit log");
    assert_eq!(audited, 1);
    let export = app.get(&format!("{path}/export.md")).await.body;
    assert!(export.contains(&format!("· **Evidence:** {link}\n")), "a change to the document: {export}");

    // Verifying again is refused as a conflict, showing the verification that stands.
    let again = app.post_form(&verify, &[("evidence", "Me too")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text(".verification .error-summary h2").starts_with("Someone verified this item"));
    assert_eq!(again.attr("#verify-evidence", "value").as_deref(), Some("Me too"), "kept as typed");

    // Reopening clears it: the reopened item must be verified again once done.
    let tick = format!("{item}/done");
    assert_eq!(app.post_form(&tick, &[("done", "false"), ("from", "done")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(verification(&app, &item).await, (None, String::new(), String::new()));
    let open = app.post_form(&verify, &[("evidence", "Works")]).await;
    assert_eq!(open.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        open.field_error("verify-evidence").as_deref(),
        Some("Only a done item can be verified. Mark it done first.")
    );
}

#[tokio::test]
async fn an_owner_written_as_their_email_is_still_the_owner() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let engineer = app.create_user(Role::Engineer).await;
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(engineer.0)
        .fetch_one(&app.pool)
        .await
        .expect("q");
    let owner = email.to_uppercase();
    app.post_form(&format!("{path}/actions"), &[("body", "Imported"), ("owner", owner.as_str()), ("done", "on")]).await;
    let item: i64 = sqlx::query_scalar("SELECT max(id) FROM action_items").fetch_one(&app.pool).await.expect("q");
    app.new_session(engineer).await;
    let refused = app.post_form(&format!("{path}/actions/{item}/verify"), &[("evidence", "Mine works")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_verification_is_withdrawn_by_its_verifier_or_a_manager_and_cleared_by_reopening_in_the_form() {
    let app = TestApp::new().await;
    let owner = app.create_user(Role::Engineer).await;
    let (path, item) = done_item_owned_by(&app, owner).await;
    let (verify, unverify) = (format!("{item}/verify"), format!("{item}/unverify"));
    let verifier = app.sign_in_as(Role::Engineer).await;
    assert_eq!(app.post_form(&verify, &[("evidence", "Drill passed")]).await.status, StatusCode::SEE_OTHER);
    let edit = app.get(&format!("{item}/edit")).await;
    assert_eq!(edit.text(".verification .verified-badge"), "Verified");
    assert_eq!(edit.attr(".verification form", "action"), Some(unverify.clone()));

    // Another engineer who doubts it reopens it instead; withdrawing is the verifier's or a manager's.
    app.sign_in_as(Role::Engineer).await;
    let refused = app.post_empty(&unverify).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Only whoever verified this item, or a manager"));
    app.new_session(verifier).await;
    assert_eq!(app.post_empty(&unverify).await.status, StatusCode::SEE_OTHER);
    assert_eq!(verification(&app, &item).await.0, None);
    assert_eq!(app.post_empty(&unverify).await.status, StatusCode::SEE_OTHER, "nothing to withdraw is no error");

    assert_eq!(app.post_form(&verify, &[("evidence", "Drill passed again")]).await.status, StatusCode::SEE_OTHER);
    app.sign_in_as(Role::Manager).await;
    assert_eq!(app.post_empty(&unverify).await.status, StatusCode::SEE_OTHER);
    assert_eq!(verification(&app, &item).await.0, None);

    // Saving the form with another status clears it in the same save.
    app.new_session(verifier).await;
    assert_eq!(app.post_form(&verify, &[("evidence", "Checked")]).await.status, StatusCode::SEE_OTHER);
    let edit = app.get(&format!("{item}/edit")).await;
    let version = edit.field_value("version");
    let saved = app
        .post_form(&item, &[("body", "Cap the pool"), ("status", "in_progress"), ("version", version.as_str())])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(verification(&app, &item).await, (None, String::new(), String::new()));
    assert!(app.get(&path).await.texts(".verified-badge").is_empty());
}

#[tokio::test]
async fn two_people_verifying_one_item_at_once_get_one_verification_and_no_error() {
    let app = TestApp::new().await;
    let owner = app.create_user(Role::Engineer).await;
    let (_, item) = done_item_owned_by(&app, owner).await;
    let verify = format!("{item}/verify");
    let mut people = Vec::new();
    for _ in 0..4 {
        let other = app.second_instance();
        other.sign_in_as(Role::Engineer).await;
        people.push(Arc::new(other));
    }
    for round in 0..5 {
        let mut requests = JoinSet::new();
        for (n, person) in people.iter().enumerate() {
            let (person, verify) = (Arc::clone(person), verify.clone());
            requests.spawn(async move {
                let evidence = format!("Round {round}, person {n}");
                person.post_form(&verify, &[("evidence", evidence.as_str())]).await.status
            });
        }
        let answers = requests.join_all().await;
        let verified = answers.iter().filter(|status| **status == StatusCode::SEE_OTHER).count();
        let conflicts = answers.iter().filter(|status| **status == StatusCode::CONFLICT).count();
        assert_eq!((verified, conflicts), (1, people.len() - 1), "round {round}: {answers:?}");
        let (by, _, evidence) = verification(&app, &item).await;
        assert!(by.is_some() && evidence.starts_with(&format!("Round {round}, ")), "{evidence}");
        assert_eq!(app.post_empty(&format!("{item}/unverify")).await.status, StatusCode::SEE_OTHER);
    }
}
