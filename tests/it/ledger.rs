//! The action-item ledger: filters, order, pages, the CSV and Markdown downloads, and the one
//! definition of overdue.

use axum::http::StatusCode;
use hindsight::domain::input::IncidentForm;
use hindsight::domain::{ActionStatus, is_overdue};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::harness::{TestApp, form};

/// Adds an item through the form; returns nothing, the ledger is what is checked.
async fn item(app: &TestApp, path: &str, fields: &[(&str, &str)]) {
    let response = app.post_form(&format!("{path}/actions"), &fields).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
}

fn date(days_from_today: i64) -> String {
    hindsight::domain::time::format_date(OffsetDateTime::now_utc().date() + Duration::days(days_from_today))
}

#[tokio::test]
async fn the_ledger_filters_sorts_pages_and_downloads_every_postmortems_items() {
    let app = TestApp::new().await;
    app.post_form("/admin/teams", &[("name", "Platform")]).await;
    app.post_form("/admin/teams", &[("name", "Payments")]).await;
    let teams: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM teams ORDER BY name DESC").fetch_all(&app.pool).await.expect("q");
    let (platform, payments) = (teams[0].to_string(), teams[1].to_string());
    let sev1 = app
        .create_incident(&IncidentForm { title: "Database meltdown".into(), severity: "SEV1".into(), ..form() })
        .await;
    let sev3 =
        app.create_incident(&IncidentForm { title: "Slow search".into(), severity: "SEV3".into(), ..form() }).await;
    let (late, soon, later) = (date(-3), date(5), date(30));
    item(
        &app,
        &sev1,
        &[("body", "Cap pools"), ("team_id", &platform), ("due_on", &late), ("kind", "corrective"), ("priority", "P1")],
    )
    .await;
    item(
        &app,
        &sev1,
        &[("body", "Add alerts"), ("team_id", &platform), ("due_on", &soon), ("kind", "detective"), ("priority", "P2")],
    )
    .await;
    item(&app, &sev1, &[("body", "Old fix, \"quoted\""), ("team_id", &payments), ("due_on", &late), ("done", "on")])
        .await;
    item(
        &app,
        &sev3,
        &[("body", "Tune index | shards"), ("team_id", &payments), ("due_on", &later), ("priority", "P3")],
    )
    .await;

    let titles = |page: &crate::harness::TestResponse| page.texts("table.ledger tbody td:first-child .prose");
    let default = app.get("/action-items").await;
    assert_eq!(default.status, StatusCode::OK);
    assert_eq!(titles(&default), ["Cap pools", "Add alerts", "Tune index | shards"], "not closed, soonest due first");
    assert_eq!(default.texts("tr.overdue td:first-child .prose"), ["Cap pools"], "past due and open is overdue");
    assert_eq!(titles(&app.get("/action-items?status=any").await).len(), 4);
    assert_eq!(titles(&app.get("/action-items?status=done").await), ["Old fix, \"quoted\""]);
    assert_eq!(titles(&app.get(&format!("/action-items?team={payments}")).await), ["Tune index | shards"]);
    assert_eq!(titles(&app.get("/action-items?severity=SEV3").await), ["Tune index | shards"]);
    assert_eq!(titles(&app.get("/action-items?kind=detective").await), ["Add alerts"]);
    assert_eq!(titles(&app.get("/action-items?priority=P1").await), ["Cap pools"]);
    assert_eq!(
        titles(&app.get("/action-items?overdue=1&status=any").await),
        ["Cap pools"],
        "a closed item is never overdue"
    );
    assert_eq!(
        titles(&app.get(&format!("/action-items?due_from={}&due_to={}", date(0), date(10))).await),
        ["Add alerts"]
    );
    assert_eq!(
        titles(&app.get("/action-items?sort=priority").await),
        ["Cap pools", "Add alerts", "Tune index | shards"]
    );
    assert_eq!(titles(&app.get("/action-items?sort=severity").await)[2], "Tune index | shards");
    let chosen = app.get(&format!("/action-items?team={platform}&sort=priority")).await;
    assert_eq!(chosen.attr("#team option[selected]", "value"), Some(platform.clone()), "the form shows the filter");
    assert_eq!(chosen.attr("#sort option[selected]", "value").as_deref(), Some("priority"));

    let bad = app.get("/action-items?status=someday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("someday"));

    // The downloads hold every matching item, with the same filters.
    let csv = app.get("/action-items.csv?status=any&sort=priority").await;
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 5, "{}", csv.body);
    assert!(lines[0].starts_with(
        "id,postmortem_id,postmortem,severity,action_item,kind,priority,status,owner,team,due_on,overdue"
    ));
    assert!(
        lines[1].contains(",Database meltdown,SEV1,Cap pools,corrective,P1,open,,Platform,")
            && lines[1].contains(",true,"),
        "{}",
        lines[1]
    );
    assert!(csv.body.contains("\"Old fix, \"\"quoted\"\"\""), "{}", csv.body);
    let md = app.get(&format!("/action-items.md?team={payments}&status=any")).await;
    assert_eq!(md.header("content-type"), "text/markdown; charset=utf-8");
    assert!(md.body.starts_with("# Action items\n\n2 items.\n"), "{}", md.body);
    assert!(
        md.body.contains("| Tune index \\| shards | Slow search | SEV3 |  | Payments | P3 | Open |"),
        "{}",
        md.body
    );
}

#[tokio::test]
async fn the_ledger_pages_through_many_items_keeping_its_filters() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let id: i64 = path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id");
    sqlx::query("INSERT INTO action_items (incident_id, body, priority) SELECT $1, 'Item ' || n, 'P2' FROM generate_series(1, 60) n")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("insert items");
    let first = app.get("/action-items?priority=P2").await;
    assert_eq!(first.texts("table.ledger tbody tr").len(), 50);
    assert_eq!(first.text(".pager-position"), "Page 1 of 2");
    let next = first.attr("a[rel=next]", "href").expect("a next link");
    assert!(next.contains("priority=P2") && next.ends_with("page=2"), "{next}");
    let second = app.get(&next).await;
    assert_eq!(second.texts("table.ledger tbody tr").len(), 10);
}

#[tokio::test]
async fn overdue_means_the_same_in_sql_and_in_rust_around_midnight_in_the_teams_zone() {
    let app = TestApp::new().await;
    let due = time::macros::date!(2025 - 03 - 10);
    // Instants either side of midnight after the due date, in zones west and east of UTC.
    let cases = [
        (datetime!(2025-03-11 06:59 UTC), "America/Los_Angeles", false), // 23:59 on the 10th there (PDT)
        (datetime!(2025-03-11 07:00 UTC), "America/Los_Angeles", true),  // 00:00 on the 11th
        (datetime!(2025-03-10 10:59 UTC), "Pacific/Auckland", false),    // 23:59 on the 10th there
        (datetime!(2025-03-10 11:00 UTC), "Pacific/Auckland", true),     // 00:00 on the 11th (NZDT)
        (datetime!(2025-03-10 23:59 UTC), "UTC", false),
        (datetime!(2025-03-11 00:00 UTC), "UTC", true),
    ];
    for (at, zone, expected) in cases {
        for status in ActionStatus::ALL {
            let in_rust = is_overdue(*status, Some(due), Some(zone), at);
            let in_sql: bool = sqlx::query_scalar("SELECT action_item_overdue($1, $2, $3, $4)")
                .bind(status.as_str())
                .bind(due)
                .bind(zone)
                .bind(at)
                .fetch_one(&app.pool)
                .await
                .expect("ask PostgreSQL");
            assert_eq!(in_rust, in_sql, "{status:?} at {at} in {zone}");
            assert_eq!(in_rust, expected && !status.is_closed(), "{status:?} at {at} in {zone}");
        }
    }
    assert!(!is_overdue(ActionStatus::Open, None, None, datetime!(2030-01-01 00:00 UTC)), "no due date, never overdue");
}

#[tokio::test]
async fn a_team_has_a_time_zone_that_must_be_a_real_one() {
    let app = TestApp::new().await;
    let refused = app.post_form("/admin/teams", &[("name", "Ops"), ("time_zone", "Mars/Olympus_Mons")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_errors(1)[0].contains("not a time zone"), "{}", refused.body);
    assert_eq!(refused.field_value("name"), "Ops", "the typed name is kept");
    assert_eq!(
        app.post_form("/admin/teams", &[("name", "Ops"), ("time_zone", "Pacific/Auckland")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.post_form("/admin/teams", &[("name", "Web")]).await.status, StatusCode::SEE_OTHER);
    let zones: Vec<String> =
        sqlx::query_scalar("SELECT time_zone FROM teams ORDER BY name").fetch_all(&app.pool).await.expect("q");
    assert_eq!(zones, ["Pacific/Auckland", "UTC"], "no zone given is UTC");
}

#[tokio::test]
async fn a_person_sees_their_own_open_items_by_urgency() {
    let app = TestApp::new().await;
    let me = app.sign_in_as(hindsight::domain::Role::Engineer).await;
    let someone = app.create_user(hindsight::domain::Role::Engineer).await;
    let path = app.create_incident(&form()).await;
    let (mine, theirs) = (me.to_string(), someone.to_string());
    item(&app, &path, &[("body", "Late one"), ("owner_id", &mine), ("due_on", &date(-1))]).await;
    item(&app, &path, &[("body", "Soon one"), ("owner_id", &mine), ("due_on", &date(3))]).await;
    item(&app, &path, &[("body", "Undated one"), ("owner_id", &mine)]).await;
    item(&app, &path, &[("body", "Done one"), ("owner_id", &mine), ("done", "on")]).await;
    item(&app, &path, &[("body", "Not mine"), ("owner_id", &theirs), ("due_on", &date(-1))]).await;
    let page = app.get("/action-items/mine").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("section.mine h2"), ["Overdue (1)", "Due within 14 days (1)", "Later, or no due date (1)"]);
    assert_eq!(page.texts("section.mine td:first-child .prose"), ["Late one", "Soon one", "Undated one"]);
}

#[tokio::test]
async fn team_pages_count_age_and_chart_the_teams_items() {
    let app = TestApp::new().await;
    app.post_form("/admin/teams", &[("name", "Platform")]).await;
    app.post_form("/admin/teams", &[("name", "Payments <&>")]).await;
    let platform: i64 =
        sqlx::query_scalar("SELECT id FROM teams WHERE name = 'Platform'").fetch_one(&app.pool).await.expect("q");
    let path = app.create_incident(&form()).await;
    let incident: i64 = path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id");
    // Open: 2 days old and overdue; 20 days old; 100 days old. Done: in 4 days by its due date,
    // in 10 days after it. Won't do: one.
    sqlx::query(
        "INSERT INTO action_items (incident_id, team_id, body, status, created_at, due_on, completed_at, wont_do_reason) VALUES
         ($1, $2, 'a', 'open', now() - interval '2 days', current_date - 1, NULL, ''),
         ($1, $2, 'b', 'in_progress', now() - interval '20 days', current_date + 5, NULL, ''),
         ($1, $2, 'c', 'open', now() - interval '100 days', NULL, NULL, ''),
         ($1, $2, 'd', 'done', now() - interval '40 days', current_date - 30, now() - interval '36 days', ''),
         ($1, $2, 'e', 'done', now() - interval '30 days', current_date - 25, now() - interval '20 days', ''),
         ($1, $2, 'f', 'wont_do', now() - interval '5 days', NULL, now(), 'obsolete')",
    )
    .bind(incident)
    .bind(platform)
    .execute(&app.pool)
    .await
    .expect("items");

    let overview = app.get("/teams").await;
    assert_eq!(overview.status, StatusCode::OK);
    let rows = overview.texts("tbody tr");
    assert!(rows.iter().any(|r| r.starts_with("Payments <&>")), "{rows:?}");
    let platform_row = rows.iter().find(|r| r.starts_with("Platform")).expect("a row");
    let cells: Vec<&str> = platform_row.split_whitespace().collect();
    // Open, overdue, done, verified (and its share of done), recurred, won't do, done on time.
    assert_eq!(&cells[1..11], ["3", "1", "2", "0", "(0%", "of", "done)", "0", "1", "50%"], "{platform_row}");
    // A distribution, never a bare mean: the median of 4 and 10 days, the middle half, the count.
    assert!(platform_row.contains("7 days"), "the median of 4 and 10 days: {platform_row}");
    assert!(platform_row.ends_with("middle half 6–9 days, of 2 items"), "{platform_row}");
    assert!(overview.body.contains("<title id=\"teams-chart-title\">Action items by team</title>"));
    assert!(overview.body.contains("Payments &lt;&amp;&gt;"), "names are escaped in the chart");

    let page = app.get(&format!("/teams/{platform}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts(".figures dd"),
        ["3", "1", "2", "0 (0% of done)", "0", "1", "50%", "7 days (middle half 6–9 days, of 2 items)"]
    );
    assert_eq!(page.texts("#ages ~ table tbody td"), ["1", "1", "0", "1"], "0–7, 8–30, 31–90, over 90 days");
    assert_eq!(page.texts(".chart-with-table tbody tr").len(), 12);
    let cells: Vec<i64> =
        page.texts(".chart-with-table tbody td").iter().map(|c| c.parse().expect("a number")).collect();
    let (open, closed): (Vec<i64>, Vec<i64>) = cells.chunks(2).map(|pair| (pair[0], pair[1])).unzip();
    assert_eq!(open[11], 3, "open now: {cells:?}");
    assert_eq!(closed.iter().sum::<i64>(), 3, "the two done and the won't do, all within the year: {cells:?}");
    assert_eq!(closed[11], 1 + i64::from(OffsetDateTime::now_utc().day() > 20), "closed this month: {cells:?}");
    assert!(page.body.contains("role=\"img\"") && page.body.contains("<desc id=\"months-chart-desc\">"));
    assert_eq!(app.get("/teams/999999").await.status, StatusCode::NOT_FOUND);
    // Figures are kept between views, but a change shows on the very next one.
    sqlx::query("UPDATE action_items SET status = 'done', completed_at = now() WHERE body = 'c'")
        .execute(&app.pool)
        .await
        .expect("close one");
    assert_eq!(app.get(&format!("/teams/{platform}")).await.texts(".figures dd")[..3], ["2", "1", "3"]);
    let overview = app.get("/teams").await;
    assert!(
        overview.texts("tbody tr").iter().any(|r| r.starts_with("Platform 2 1 3")),
        "{:?}",
        overview.texts("tbody tr")
    );
}

#[tokio::test]
async fn the_ledger_and_team_pages_report_done_verified_and_recurred_apart() {
    let app = TestApp::new().await;
    app.post_form("/admin/teams", &[("name", "Platform")]).await;
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams").fetch_one(&app.pool).await.expect("a team");
    let team = team.to_string();
    let path = app.create_incident(&form()).await;
    let later = app.create_incident(&IncidentForm { title: "It happened again".into(), ..form() }).await;
    for (body, done) in [("Verified fix", true), ("Unchecked fix", true), ("Recurred fix", true), ("Open work", false)]
    {
        let mut fields = vec![("body", body), ("team_id", team.as_str())];
        if done {
            fields.push(("done", "on"));
        }
        item(&app, &path, &fields).await;
    }
    let id_of = |body: &'static str| {
        let pool = app.pool.clone();
        async move {
            let id: i64 = sqlx::query_scalar("SELECT id FROM action_items WHERE body = $1")
                .bind(body)
                .fetch_one(&pool)
                .await
                .expect("an item");
            id
        }
    };
    let verified = id_of("Verified fix").await;
    let recurred = id_of("Recurred fix").await;
    app.sign_in_as(hindsight::domain::Role::Engineer).await;
    let response =
        app.post_form(&format!("{path}/actions/{verified}/verify"), &[("evidence", "Load test, 3x peak")]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let later_id: i64 = later.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id");
    sqlx::query("INSERT INTO action_item_recurrences (action_item_id, incident_id) VALUES ($1, $2)")
        .bind(recurred)
        .bind(later_id)
        .execute(&app.pool)
        .await
        .expect("record a recurrence");

    let titles = |page: &crate::harness::TestResponse| page.texts("table.ledger tbody td:first-child .prose");
    let yes = app.get("/action-items?verified=yes").await;
    assert_eq!(titles(&yes), ["Verified fix"], "any status, once verification is asked about");
    assert_eq!(yes.text("table.ledger .verified-badge"), "Verified");
    assert_eq!(yes.attr("#status option[selected]", "value").as_deref(), Some("any"));
    assert_eq!(titles(&app.get("/action-items?verified=no").await), ["Unchecked fix", "Recurred fix"]);
    let again = app.get("/action-items?verified=recurred").await;
    assert_eq!(titles(&again), ["Recurred fix"]);
    assert_eq!(again.text("table.ledger .recurred-badge"), "Recurred");
    assert!(titles(&app.get("/action-items?verified=yes&status=open").await).is_empty());
    assert_eq!(app.get("/action-items?verified=maybe").await.status, StatusCode::BAD_REQUEST);
    assert!(app.get("/action-items?verified=no").await.text(".page-head .muted").contains("2 match"));

    let csv = app.get("/action-items.csv?status=any&verified=yes").await.body;
    let lines: Vec<&str> = csv.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert!(lines[0].ends_with(",verified_at,verified_by,verification_evidence,recurred_in"), "{}", lines[0]);
    assert!(lines[1].contains(",Test Engineer") && lines[1].ends_with(",\"Load test, 3x peak\","), "{}", lines[1]);
    let csv = app.get("/action-items.csv?verified=recurred").await.body;
    assert!(csv.trim_end().ends_with(&format!(",,,,{later_id}")), "{csv}");
    let md = app.get("/action-items.md?status=any").await.body;
    assert!(md.contains("| Verified | Recurred in |"), "{md}");
    assert!(md.contains(" by Test Engineer ") && md.contains(": Load test, 3x peak |  |\n"), "{md}");
    assert!(
        md.contains(&format!(
            "| Recurred fix | Checkout latency spike | SEV2 |  | Platform |  | Done |  |  | {later_id} |"
        )),
        "{md}"
    );

    let page = app.get(&path).await;
    assert_eq!(page.text(".action-items .recurred-badge"), "Recurred");
    assert_eq!(page.attr(".action-items .recurrence-note a", "href"), Some(later.clone()));

    let team_page = app.get(&format!("/teams/{team}")).await;
    let figures = team_page.texts(".figures dd");
    assert_eq!(figures[..5], ["1", "0", "3", "1 (33% of done)", "1"], "open, overdue, done, verified, recurred");
    let overview = app.get("/teams").await;
    let row = overview.texts("tbody tr").into_iter().find(|r| r.starts_with("Platform")).expect("a row");
    assert!(row.starts_with("Platform 1 0 3 1 (33% of done) 1 0"), "{row}");
}
