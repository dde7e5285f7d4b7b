//! Calendars of due dates and the Atom feed of published postmortems, read as a calendar app
//! or feed reader would: with a token in the address and no cookie.

use axum::http::StatusCode;
use hindsight::domain::Role;
use hindsight::domain::Section;
use hindsight::domain::input::IncidentForm;

use crate::harness::{TestApp, form};

async fn token_for(app: &TestApp, user: hindsight::domain::UserId) -> String {
    let secret = format!("hst_feed-test-{}", user.0);
    hindsight::db::api_tokens::insert(
        &app.pool,
        user,
        "calendar",
        hindsight::domain::TokenScope::Feeds,
        &hindsight::auth::token::digest(&secret),
    )
    .await
    .expect("a token");
    secret
}

#[tokio::test]
async fn a_persons_calendar_has_their_unfinished_items_on_their_due_dates() {
    let app = TestApp::new().await;
    let owner = app.create_user(Role::Engineer).await;
    let path = app.create_incident(&IncidentForm { title: "Cache, outage; part 2".into(), ..form() }).await;
    let yesterday = (time::OffsetDateTime::now_utc().date() - time::Duration::days(2)).to_string();
    let owner_id = owner.to_string();
    for (body, due) in
        [("Rotate the keys", "2031-05-01"), ("Cap the pool", yesterday.as_str()), ("Closed one", "2031-06-01")]
    {
        let added = app
            .post_form(&format!("{path}/actions"), &[("body", body), ("owner_id", &owner_id), ("due_on", due)])
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER);
    }
    sqlx::query("UPDATE action_items SET status = 'done', completed_at = now() WHERE body = 'Closed one'")
        .execute(&app.pool)
        .await
        .expect("close one");

    let calendar = app.get(&format!("/feeds/people/{owner}/due.ics")).await;
    assert_eq!(calendar.status, StatusCode::OK);
    assert_eq!(calendar.header("content-type"), "text/calendar; charset=utf-8");
    let text = calendar.body.replace("\r\n ", "");
    assert!(calendar.body.split("\r\n").all(|line| line.len() <= 75), "folded at 75 octets");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2, "closed items are left out");
    assert!(
        text.contains("SUMMARY:Due: Rotate the keys\r\nDESCRIPTION:From the postmortem “Cache\\, outage\\; part 2”.")
    );
    assert!(text.contains("DTSTART;VALUE=DATE:20310501\r\nDTEND;VALUE=DATE:20310502"));
    assert!(text.contains("SUMMARY:Overdue: Cap the pool"), "overdue by the same rule as every page");
    assert!(text.contains(&format!("URL:https://hindsight.example.com{path}/actions/")));

    // A calendar app: the token in the address, no cookie.
    let secret = token_for(&app, owner).await;
    app.set_cookie(None);
    let subscribed = app.get(&format!("/feeds/people/{owner}/due.ics?token={secret}")).await;
    assert_eq!(subscribed.status, StatusCode::OK);
    assert_eq!(subscribed.body.matches("BEGIN:VEVENT").count(), 2);
    assert_eq!(
        app.get(&format!("/feeds/people/{owner}/due.ics?token=hst_wrong")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let anonymous = app.get(&format!("/feeds/people/{owner}/due.ics")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "no token, no session: sign in first");
    // The token works for feeds only, not as a way into the pages.
    assert_eq!(app.get(&format!("/action-items?token={secret}")).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_teams_calendar_has_the_teams_items() {
    let app = TestApp::new().await;
    app.post_form("/admin/teams", &[("name", "Payments"), ("time_zone", "Europe/Berlin")]).await;
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams").fetch_one(&app.pool).await.expect("team");
    let path = app.create_incident(&form()).await;
    let team_id = team.to_string();
    app.post_form(
        &format!("{path}/actions"),
        &[("body", "Team work"), ("team_id", &team_id), ("due_on", "2031-02-03")],
    )
    .await;
    app.post_form(&format!("{path}/actions"), &[("body", "Someone else's"), ("due_on", "2031-02-03")]).await;
    let calendar = app.get(&format!("/feeds/teams/{team}/due.ics")).await;
    assert_eq!(calendar.status, StatusCode::OK);
    assert!(calendar.body.contains("X-WR-CALNAME:Action items of Payments"));
    assert_eq!(calendar.body.matches("BEGIN:VEVENT").count(), 1);
    assert!(calendar.body.contains("SUMMARY:Due: Team work"));
    assert_eq!(app.get("/feeds/teams/999/due.ics").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_atom_feed_has_postmortems_as_they_were_published() {
    let app = TestApp::new().await;
    let draft = app.create_incident(&IncidentForm { title: "Still a draft".into(), ..form() }).await;
    let path = app
        .create_incident(
            &IncidentForm { title: "DNS <outage>".into(), ..form() }.with(Section::Summary, "Resolvers **failed**."),
        )
        .await;
    sqlx::query("UPDATE incidents SET status = 'in_review' WHERE title = 'DNS <outage>'")
        .execute(&app.pool)
        .await
        .expect("in review");
    assert_eq!(app.post_empty(&format!("{path}/approve")).await.status, StatusCode::SEE_OTHER);
    // Edited after publishing: the feed keeps what was approved.
    let version = app.get(&format!("{path}/edit")).await.field_value("version");
    let edited =
        IncidentForm { title: "DNS <outage>".into(), version, ..form() }.with(Section::Summary, "Rewritten later.");
    assert_eq!(app.post_form(&path, &edited).await.status, StatusCode::SEE_OTHER);

    let feed = app.get("/feeds/postmortems.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(feed.header("content-type"), "application/atom+xml; charset=utf-8");
    let xml = &feed.body;
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert_eq!(xml.matches("<entry>").count(), 1, "drafts are not in the feed");
    assert!(!xml.contains("Still a draft"), "{draft} is a draft");
    assert!(
        xml.contains("<title>DNS &#60;outage&#62; (SEV2)</title>")
            || xml.contains("<title>DNS &lt;outage&gt; (SEV2)</title>"),
        "{xml}"
    );
    assert!(xml.contains(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"https://hindsight.example.com{path}\"/>"
    )));
    assert!(
        xml.contains("<strong>failed</strong>".replace('<', "&lt;").replace('>', "&gt;").as_str())
            || xml.contains("&#60;strong&#62;failed"),
        "{xml}"
    );
    assert!(!xml.contains("Rewritten later."), "the feed shows the published revision");
}
