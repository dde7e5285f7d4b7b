//! Learning across postmortems: service pages (and merged services' addresses), the themes of
//! a period, similar earlier incidents, confirmed recurrences with recurred action items, and
//! the search filters by service, factor and tag. Services, tags and factors are written with
//! SQL here: their forms are another part's.

use std::sync::Arc;

use axum::http::StatusCode;
use hindsight::domain::Section;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::harness::{TestApp, titled};

fn id_of(path: &str) -> i64 {
    path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id")
}

/// Creates a postmortem titled `title` that started on `day` (2025-MM-DD) at 10:15 and lasted
/// `minutes`, with a summary; returns its id.
async fn postmortem(app: &TestApp, title: &str, day: &str, minutes: i64, summary: &str) -> i64 {
    // Within the day: 10:15 plus the minutes.
    let end = 10 * 60 + 15 + minutes;
    let ended = format!("{day}T{:02}:{:02}", end / 60, end % 60);
    let form = hindsight::domain::input::IncidentForm {
        started_at: format!("{day}T10:15"),
        ended_at: ended,
        utc_offset: "UTC".into(),
        ..titled(title)
    }
    .with(Section::Summary, summary);
    id_of(&app.create_incident(&form).await)
}

async fn service(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO services (name) VALUES ($1) RETURNING id")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .expect("a service")
}

async fn link(app: &TestApp, incident: i64, service: i64) {
    sqlx::query("INSERT INTO incident_services (incident_id, service_id) VALUES ($1, $2)")
        .bind(incident)
        .bind(service)
        .execute(&app.pool)
        .await
        .expect("a link");
}

async fn factor(app: &TestApp, incident: i64, kind: &str, explanation: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO incident_factors (incident_id, factor_id, explanation)
         SELECT $1, id, $3 FROM factor_kinds WHERE name = $2 RETURNING factor_id",
    )
    .bind(incident)
    .bind(kind)
    .bind(explanation)
    .fetch_one(&app.pool)
    .await
    .expect("a factor")
}

async fn tag(app: &TestApp, incident: i64, tag: &str) {
    sqlx::query("INSERT INTO incident_tags (incident_id, tag) VALUES ($1, $2)")
        .bind(incident)
        .bind(tag)
        .execute(&app.pool)
        .await
        .expect("a tag");
}

async fn item(app: &TestApp, incident: i64, body: &str, done: bool) -> i64 {
    let path = format!("/incidents/{incident}/actions");
    let mut fields = vec![("body", body)];
    if done {
        fields.push(("done", "on"));
    }
    assert_eq!(app.post_form(&path, &fields).await.status, StatusCode::SEE_OTHER);
    sqlx::query_scalar("SELECT max(id) FROM action_items WHERE incident_id = $1")
        .bind(incident)
        .fetch_one(&app.pool)
        .await
        .expect("the item")
}

/// The ids of the postmortems `/api/search` returns for `query`.
async fn found(app: &TestApp, query: &str) -> Vec<i64> {
    let response = app.get(&format!("/api/search?{query}")).await;
    assert_eq!(response.status, StatusCode::OK, "{query}: {}", response.body);
    let json: Value = serde_json::from_str(&response.body).expect("JSON");
    let mut ids: Vec<i64> =
        json["results"].as_array().expect("results").iter().map(|h| h["id"].as_i64().expect("id")).collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_service_page_shows_its_postmortems_durations_and_open_items_and_merged_ids_lead_to_it() {
    let app = TestApp::new().await;
    let dns = service(&app, "DNS resolvers").await;
    let other = service(&app, "CDN").await;
    let first = postmortem(&app, "Resolvers timed out", "2025-03-01", 30, "DNS failed.").await;
    let second = postmortem(&app, "Resolvers flapped", "2025-04-02", 90, "DNS again.").await;
    let third = postmortem(&app, "Resolvers overloaded", "2025-05-03", 150, "DNS once more.").await;
    let unrelated = postmortem(&app, "CDN purge stuck", "2025-05-04", 20, "Cache.").await;
    for id in [first, second, third] {
        link(&app, id, dns).await;
    }
    link(&app, unrelated, other).await;
    item(&app, second, "Add a second resolver pool", false).await;
    item(&app, third, "Alert on resolver latency", true).await;
    item(&app, unrelated, "Purge in batches", false).await;

    let page = app.get(&format!("/services/{dns}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("h1"), "DNS resolvers");
    // Newest first, and only its own.
    let titles = page.texts("table.incidents td.title a");
    assert_eq!(titles, ["Resolvers overloaded", "Resolvers flapped", "Resolvers timed out"]);
    // Durations as a distribution: 30, 90, 150 minutes.
    let figures = page.text("dl.figures");
    assert!(
        figures.contains("1 h 30 min")
            && figures.contains("middle half 1 h–2 h")
            && figures.contains("of 3 postmortems"),
        "{figures}"
    );
    let open = page.texts("#open-items ~ * td bdi, section[aria-labelledby=open-items] td bdi");
    assert!(open.iter().any(|t| t == "Add a second resolver pool"), "{open:?}");
    assert!(!open.iter().any(|t| t == "Alert on resolver latency" || t == "Purge in batches"), "{open:?}");
    assert!(page.html().select(&scraper::Selector::parse("svg.chart title").expect("selector")).next().is_some());

    // The list of services links to it, with its count.
    let list = app.get("/services").await;
    assert_eq!(
        list.attr("table.services tbody tr:first-child th a", "href").as_deref(),
        Some(format!("/services/{dns}").as_str())
    );
    assert_eq!(list.text("table.services tbody tr:first-child td"), "3");

    // A merged service's address leads, permanently, to the one it was merged into, along the chain.
    let old = service(&app, "dns").await;
    let older = service(&app, "Domain resolvers").await;
    sqlx::query("UPDATE services SET merged_into = $1 WHERE id = $2")
        .bind(dns)
        .bind(old)
        .execute(&app.pool)
        .await
        .expect("merge");
    sqlx::query("UPDATE services SET merged_into = $1 WHERE id = $2")
        .bind(old)
        .bind(older)
        .execute(&app.pool)
        .await
        .expect("merge");
    let moved = app.get(&format!("/services/{older}")).await;
    assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(moved.location(), format!("/services/{dns}"));
    assert_eq!(found(&app, &format!("service={older}")).await, vec![first, second, third], "an old search link");
    assert_eq!(app.get("/services/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/services/{dns}?after=garbage")).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_service_page_pages_its_postmortems_by_keyset() {
    let app = TestApp::new().await;
    let db = service(&app, "Postgres primary").await;
    let mut ids = Vec::new();
    for day in 1..=25 {
        let id = postmortem(&app, &format!("Primary failover {day}"), &format!("2025-01-{day:02}"), 10, "x").await;
        link(&app, id, db).await;
        ids.push(id);
    }
    let first = app.get(&format!("/services/{db}")).await;
    assert_eq!(first.texts("table.incidents td.title a").len(), 20, "{}", first.text("#postmortems"));
    let next = first.attr("a[rel=next]", "href").expect("a next page");
    let second = app.get(&next).await;
    let titles = second.texts("table.incidents td.title a");
    assert_eq!(
        titles,
        ["Primary failover 5", "Primary failover 4", "Primary failover 3", "Primary failover 2", "Primary failover 1"]
    );
    assert!(second.texts("a[rel=next]").is_empty(), "the last page");
}

#[tokio::test]
async fn themes_count_factors_and_services_of_the_period_only() {
    let app = TestApp::new().await;
    let api = service(&app, "API gateway").await;
    let queue = service(&app, "Job queue").await;
    let march = postmortem(&app, "Gateway 502s", "2025-03-10", 30, "x").await;
    let april = postmortem(&app, "Gateway and queue", "2025-04-10", 30, "x").await;
    let later = postmortem(&app, "Queue backlog", "2025-06-10", 30, "x").await;
    link(&app, march, api).await;
    link(&app, april, api).await;
    link(&app, april, queue).await;
    link(&app, later, queue).await;
    let change = factor(&app, march, "Change", "A deploy").await;
    factor(&app, april, "Change", "Another deploy").await;
    factor(&app, april, "Capacity", "Too few workers").await;
    factor(&app, later, "Capacity", "Still too few").await;

    let page = app.get("/themes?from=2025-03-01&to=2025-04-30").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("section[aria-labelledby=factors] tbody th"), ["Change", "Capacity"]);
    assert_eq!(page.texts("section[aria-labelledby=factors] tbody td"), ["2", "1"]);
    assert_eq!(page.texts("section[aria-labelledby=services] tbody th"), ["API gateway", "Job queue"]);
    assert_eq!(page.texts("section[aria-labelledby=services] tbody td"), ["2", "1"]);
    // Each bar and each count leads to the search for it in the period.
    let href = page.attr("section[aria-labelledby=factors] tbody tr:first-child a", "href").expect("a link");
    assert_eq!(href, format!("/search?factor={change}&from=2025-03-01&to=2025-04-30"));
    assert!(
        page.body.contains(&format!(r#"<a href="/search?factor={change}&amp;from=2025-03-01&amp;to=2025-04-30">"#)),
        "the SVG bar links too"
    );
    assert_eq!(found(&app, &href["/search?".len()..]).await, vec![march, april]);
    // The default period is the last 90 days (none of these); bad dates are said, not a 500.
    assert!(app.get("/themes").await.body.contains("No postmortems in this period"));
    let bad = app.get("/themes?from=someday").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.text(".error-summary").contains("“someday” is not a date"));
}

#[tokio::test]
async fn filters_by_service_factor_and_tag_combine() {
    let app = TestApp::new().await;
    let cache = service(&app, "Session cache").await;
    let a = postmortem(&app, "Cache evictions", "2025-03-01", 30, "x").await;
    let b = postmortem(&app, "Cache restart", "2025-03-02", 30, "x").await;
    let c = postmortem(&app, "Login errors", "2025-03-03", 30, "x").await;
    link(&app, a, cache).await;
    link(&app, b, cache).await;
    let capacity = factor(&app, a, "Capacity", "Memory").await;
    factor(&app, c, "Capacity", "Threads").await;
    tag(&app, a, "Customer-Facing").await;
    tag(&app, c, "customer-facing").await;

    assert_eq!(found(&app, &format!("service={cache}")).await, vec![a, b]);
    assert_eq!(found(&app, &format!("factor={capacity}")).await, vec![a, c]);
    assert_eq!(found(&app, "tag=CUSTOMER-FACING").await, vec![a, c], "tags match whatever their case");
    assert_eq!(found(&app, &format!("service={cache}&factor={capacity}")).await, vec![a]);
    assert_eq!(found(&app, &format!("factor={capacity}&tag=customer-facing&q=login")).await, vec![c]);
    assert!(found(&app, &format!("service={cache}&tag=nothing")).await.is_empty());
    assert_eq!(app.get("/api/search?service=abc").await.status, StatusCode::BAD_REQUEST);
    // The form shows what was chosen.
    let page = app.get(&format!("/search?service={cache}&factor={capacity}&tag=customer-facing")).await;
    assert_eq!(page.attr("#service option[selected]", "value"), Some(cache.to_string()));
    assert_eq!(page.attr("#factor option[selected]", "value"), Some(capacity.to_string()));
    assert_eq!(page.field_value("tag"), "customer-facing");
    assert_eq!(page.texts("ol.search-results h2").len(), 1);
}

#[tokio::test]
async fn similar_incidents_are_earlier_ones_sharing_services_factors_and_words_best_first() {
    let app = TestApp::new().await;
    let kafka = service(&app, "Kafka cluster").await;
    let summary = "Consumers lagged behind the Kafka cluster after a broker ran out of disk.";
    let alike = postmortem(&app, "Kafka consumers lagging", "2025-02-01", 30, summary).await;
    let words_only =
        postmortem(&app, "Consumers lagging on one broker", "2025-02-02", 30, "The Kafka broker ran out of disk.")
            .await;
    let unrelated = postmortem(&app, "Billing export late", "2025-02-03", 30, "The invoice job was slow.").await;
    let now = postmortem(&app, "Kafka consumers lagging again", "2025-03-01", 30, summary).await;
    let newer = postmortem(&app, "Kafka consumers lagging once more", "2025-04-01", 30, summary).await;
    for id in [alike, now, newer] {
        link(&app, id, kafka).await;
    }
    factor(&app, alike, "Capacity", "Disk").await;
    factor(&app, now, "Capacity", "Disk").await;

    let page = app.get(&format!("/incidents/{now}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let hrefs: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("ol.similar-list .similar-title a").expect("selector"))
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(hrefs.first().map(String::as_str), Some(format!("/incidents/{alike}").as_str()), "{hrefs:?}");
    assert!(hrefs.contains(&format!("/incidents/{words_only}")), "shares words: {hrefs:?}");
    assert!(!hrefs.contains(&format!("/incidents/{unrelated}")), "shares nothing: {hrefs:?}");
    assert!(!hrefs.contains(&format!("/incidents/{newer}")), "only earlier ones: {hrefs:?}");
    let why = page.texts("ol.similar-list .similar-why");
    assert!(why[0].contains("shares service Kafka cluster") && why[0].contains("same factor: Capacity"), "{why:?}");
    assert!(why[0].contains("similar words: Kafka, consumers"), "{why:?}");
    // The first postmortem has nothing earlier.
    assert!(app.get(&format!("/incidents/{alike}")).await.text("#recurrences").contains("No earlier postmortem"));
}

#[tokio::test]
async fn a_confirmed_recurrence_shows_on_both_pages_flags_items_and_can_be_removed() {
    let app = TestApp::new().await;
    let earlier = postmortem(&app, "Certificate expired", "2025-01-10", 60, "TLS broke.").await;
    let later = postmortem(&app, "Certificate expired again", "2025-06-10", 60, "TLS broke again.").await;
    let meant = item(&app, earlier, "Alert 30 days before certificates expire", true).await;
    let other = item(&app, earlier, "Write the incident review", true).await;
    let open = item(&app, earlier, "Automate renewal", false).await;

    let form = app.get(&format!("/incidents/{later}/recurrences/new?earlier={earlier}")).await;
    assert_eq!(form.status, StatusCode::OK);
    let offered: Vec<String> = form
        .html()
        .select(&scraper::Selector::parse("input[name=item]").expect("s"))
        .filter_map(|i| i.value().attr("value").map(str::to_owned))
        .collect();
    assert_eq!(offered, [meant.to_string(), other.to_string()], "only done items are offered");

    let fields = [("earlier", earlier.to_string()), ("item", meant.to_string()), ("item", open.to_string())];
    let confirmed = app.post_form(&format!("/incidents/{later}/recurrences"), &fields).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);
    let shown = app.get(&format!("/incidents/{later}")).await;
    assert!(
        shown.text(".pm-recurrences").contains("Happened before: Certificate expired"),
        "{}",
        shown.text(".pm-recurrences")
    );
    let before = app.get(&format!("/incidents/{earlier}")).await;
    assert!(before.text(".pm-recurrences").contains("Happened again: Certificate expired again"));
    assert_eq!(before.texts(&format!("#item-{meant} .recurred")), [format!("Recurred in #{later}")]);
    assert!(before.texts(&format!("#item-{other} .recurred")).is_empty());
    assert_eq!(app.count("action_item_recurrences").await, 1, "an open item cannot have recurred");
    let audit: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'incident.recurrence_confirmed'")
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!(audit, 1);

    // In the JSON API, both ways.
    let json: Value = serde_json::from_str(&app.get(&format!("/api/incidents/{earlier}")).await.body).expect("json");
    assert_eq!(json["recurrences"]["happened_again"][0]["id"], later);
    assert_eq!(json["recurrences"]["recurred_items"][0], serde_json::json!([meant, [later]]));

    // Confirming again changes nothing; later-than-itself and unknown ones are refused by field.
    assert_eq!(app.post_form(&format!("/incidents/{later}/recurrences"), &fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("incident_recurrences").await, 1);
    let backwards =
        app.post_form(&format!("/incidents/{earlier}/recurrences"), &[("earlier", later.to_string())]).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(backwards.field_error("recurrence-earlier").expect("an error").contains("did not start before"));
    let unknown = app.post_form(&format!("/incidents/{later}/recurrences"), &[("earlier", "#999999")]).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.field_value("earlier"), "#999999", "what was typed is kept");

    // Removed: gone from both pages, and the item no longer recurred.
    let removed = app.post_empty(&format!("/incidents/{later}/recurrences/{earlier}/delete")).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("incident_recurrences").await, 0);
    assert_eq!(app.count("action_item_recurrences").await, 0);
    assert!(app.get(&format!("/incidents/{earlier}")).await.texts(".recurred").is_empty());
    assert_eq!(
        app.post_empty(&format!("/incidents/{later}/recurrences/{earlier}/delete")).await.status,
        StatusCode::SEE_OTHER
    );

    // The API writes too.
    let body = serde_json::json!({ "earlier_id": earlier, "recurred_items": [other] }).to_string();
    let api = app.post_body(&format!("/api/incidents/{later}/recurrences"), "application/json", body).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json: Value = serde_json::from_str(&api.body).expect("json");
    assert_eq!(json["happened_before"][0]["id"], earlier);
}

#[tokio::test]
async fn two_people_confirming_one_recurrence_at_once_both_succeed_and_it_is_recorded_once() {
    let app = Arc::new(TestApp::new().await);
    let earlier = postmortem(&app, "Queue stalled", "2025-01-10", 60, "x").await;
    let later = postmortem(&app, "Queue stalled again", "2025-02-10", 60, "x").await;
    let done = item(&app, earlier, "Alert on queue age", true).await;
    let mut writes = JoinSet::new();
    for _ in 0..8 {
        let app = app.clone();
        writes.spawn(async move {
            let fields = [("earlier", earlier.to_string()), ("item", done.to_string())];
            app.post_form(&format!("/incidents/{later}/recurrences"), &fields).await.status
        });
    }
    while let Some(status) = writes.join_next().await {
        assert_eq!(status.expect("a request"), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.count("incident_recurrences").await, 1);
    assert_eq!(app.count("action_item_recurrences").await, 1);
}

#[tokio::test]
async fn a_recurrence_is_exported_both_ways_and_an_import_links_it_only_where_id_and_title_match() {
    let app = TestApp::new().await;
    let earlier = postmortem(&app, "Certificate **expired** — #1", "2025-01-10", 60, "TLS broke.").await;
    let later = postmortem(&app, "Certificate expired again", "2025-06-10", 60, "TLS broke again.").await;
    let meant = item(&app, earlier, "Alert 30 days before certificates expire", true).await;
    let fields = [("earlier", earlier.to_string()), ("item", meant.to_string())];
    let confirmed = app.post_form(&format!("/incidents/{later}/recurrences"), &fields).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);

    let export = |id: i64| {
        let app = &app;
        async move { app.get(&format!("/incidents/{id}/export.md")).await.body }
    };
    let later_doc = export(later).await;
    assert!(later_doc.contains(&format!("\n- **Happened before:** #{earlier} — Certificate **expired** — #1\n\n")));
    let earlier_doc = export(earlier).await;
    assert!(earlier_doc.contains(&format!("\n- **Happened again:** #{later} — Certificate expired again\n\n")));
    assert!(earlier_doc.contains(&format!(" — **Recurred in:** #{later}\n")), "{earlier_doc}");
    // The earlier one's history holds its document as it now reads.
    let latest: String =
        sqlx::query_scalar("SELECT markdown FROM revisions WHERE incident_id = $1 ORDER BY number DESC LIMIT 1")
            .bind(earlier)
            .fetch_one(&app.pool)
            .await
            .expect("a revision");
    assert_eq!(latest, earlier_doc);

    // Imported here again: `#earlier` is that very postmortem, so the copy repeats it too.
    let import = |doc: String| {
        let app = &app;
        async move {
            let saved = app.post_body("/api/import?save=true", "text/markdown", doc).await;
            assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
            id_of(saved.location())
        }
    };
    let copy = import(later_doc.clone()).await;
    assert_eq!(export(copy).await, later_doc);
    assert_eq!(app.count("incident_recurrences").await, 2);

    // From another instance, where the number names some other postmortem (or none): the line
    // is kept as written, linked to nothing, and exported again word for word.
    for elsewhere in [
        later_doc.replace("Certificate **expired** — #1", "Certificate expired on the edge"),
        later_doc.replace(&format!("#{earlier} — "), "#999999 — "),
    ] {
        let kept = import(elsewhere.clone()).await;
        assert_eq!(export(kept).await, elsewhere);
        let shown = app.get(&format!("/incidents/{kept}")).await.text(".pm-recurrences");
        assert!(shown.contains("Happened before: #") && shown.contains("(as the imported document says)"), "{shown}");
        assert_eq!(app.count("incident_recurrences").await, 2);
    }
    // The earlier one's export, imported: what happened again and where its item recurred stay
    // as written (the later postmortem already names the original).
    let copy_of_earlier = import(earlier_doc.clone()).await;
    assert_eq!(export(copy_of_earlier).await, earlier_doc);
    assert_eq!(app.count("incident_recurrences").await, 2);
    assert_eq!(app.count("action_item_recurrences").await, 1);
}

/// Where the learning counts (kept and not yet folded, as readers add them) differ from
/// counting the rows themselves, per day: one line each, so none when all agree.
async fn miscounted(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "WITH truth AS (
             SELECT 'postmortems' AS kind, 0::bigint AS key, learning_day(started_at) AS day, count(*) AS n
             FROM incidents GROUP BY 3
             UNION ALL
             SELECT 'service', service_id, learning_day(started_at), count(*) FROM incident_services GROUP BY 2, 3
             UNION ALL
             SELECT 'factor', factor_id, learning_day(started_at), count(*) FROM incident_factors GROUP BY 2, 3
             UNION ALL
             SELECT 'open_items', l.service_id, learning_day(l.started_at), count(*)
             FROM incident_services l JOIN action_items a ON a.incident_id = l.incident_id
             WHERE a.status IN ('open', 'in_progress') GROUP BY 2, 3
         ), kept AS (
             SELECT kind, key, day, sum(n) AS n FROM (
                 SELECT kind, key, start AS day, n FROM learning_counts WHERE grain = 'day'
                 UNION ALL
                 SELECT kind, key, day, n FROM learning_count_deltas) k
             GROUP BY 1, 2, 3 HAVING sum(n) <> 0
         )
         SELECT format('%s %s on %s: %s counted, %s kept', kind, key, day, t.n, k.n)
         FROM truth t FULL JOIN kept k USING (kind, key, day)
         WHERE t.n IS DISTINCT FROM k.n
         UNION ALL
         -- A month's and all time's counts are the sums of their days'.
         SELECT format('%s %s %s %s: %s, its days %s', grain, start, kind, key, n, days)
         FROM (SELECT c.grain, c.start, c.kind, c.key, c.n,
                      (SELECT coalesce(sum(d.n), 0) FROM learning_counts d
                       WHERE d.grain = 'day' AND d.kind = c.kind AND d.key = c.key
                         AND (c.grain = 'all' OR date_trunc('month', d.start)::date = c.start)) AS days
               FROM learning_counts c WHERE c.grain <> 'day') sums
         WHERE n <> days",
    )
    .fetch_all(&app.pool)
    .await
    .expect("the counts compared")
}

/// The services list as shown: each service's name and count.
async fn services_listed(app: &TestApp) -> Vec<(String, String)> {
    let page = app.get("/services").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.texts("table.services tbody th").into_iter().zip(page.texts("table.services tbody td")).collect()
}

/// The services list as the links have it, most named first.
async fn services_linked(app: &TestApp) -> Vec<(String, String)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT s.name, count(l.incident_id) FROM services s LEFT JOIN incident_services l ON l.service_id = s.id
         WHERE s.merged_into IS NULL GROUP BY s.id ORDER BY 2 DESC, lower(s.name), s.id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("the services");
    rows.into_iter().map(|(name, n)| (name, n.to_string())).collect()
}

/// The themes page's services and factors for `from`..`to`, and the same counted from the rows.
async fn themes_agree(app: &TestApp, from: &str, to: &str, when: &str) {
    let page = app.get(&format!("/themes?from={from}&to={to}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for (section, sql) in [
        (
            "services",
            "SELECT s.name, count(*) FROM incident_services l JOIN services s ON s.id = l.service_id
             WHERE learning_day(l.started_at) BETWEEN $1::date AND $2::date
             GROUP BY s.id ORDER BY 2 DESC, lower(s.name), s.id",
        ),
        (
            "factors",
            "SELECT f.name, count(*) FROM incident_factors x JOIN factor_kinds f ON f.id = x.factor_id
             WHERE learning_day(x.started_at) BETWEEN $1::date AND $2::date
             GROUP BY f.id ORDER BY 2 DESC, f.position, f.id",
        ),
    ] {
        let counted: Vec<(String, i64)> =
            sqlx::query_as(sql).bind(from).bind(to).fetch_all(&app.pool).await.expect("counted");
        let counted: Vec<(String, String)> = counted.into_iter().map(|(name, n)| (name, n.to_string())).collect();
        let shown: Vec<(String, String)> = page
            .texts(&format!("section[aria-labelledby={section}] tbody th"))
            .into_iter()
            .zip(page.texts(&format!("section[aria-labelledby={section}] tbody td")))
            .collect();
        assert_eq!(shown, counted, "{when}: the themes' {section} from {from} to {to}");
    }
}

/// The counts agree with the rows, before and after a fold, and so do the pages that show them.
async fn counts_exact(app: &TestApp, when: &str) {
    assert_eq!(miscounted(app).await, Vec::<String>::new(), "{when}");
    assert_eq!(services_listed(app).await, services_linked(app).await, "{when}: the services list");
    themes_agree(app, "2025-03-01", "2025-03-31", when).await;
    themes_agree(app, "2025-02-15", "2025-06-10", when).await;
    hindsight::db::learning::fold_counts(&app.pool).await.expect("a fold");
    assert_eq!(miscounted(app).await, Vec::<String>::new(), "{when}, folded");
    assert_eq!(services_listed(app).await, services_linked(app).await, "{when}, folded: the services list");
    themes_agree(app, "2025-02-15", "2025-06-10", when).await;
    themes_agree(app, "2025-01-01", "2025-12-31", when).await;
}

/// The postmortem form's fields, as a browser sends them: `day` at 10:15 for an hour, the
/// `services` named, the factor kinds `factors` ticked, and `version` when editing.
async fn postmortem_fields(
    app: &TestApp,
    day: &str,
    services: &str,
    factors: &[&str],
    version: Option<i32>,
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![
        ("title".into(), format!("Trouble on {day}")),
        ("severity".into(), "SEV2".into()),
        ("started_at".into(), format!("{day}T10:15")),
        ("ended_at".into(), format!("{day}T11:15")),
        ("utc_offset".into(), "UTC".into()),
        ("services".into(), services.into()),
        ("version".into(), version.map(|v| v.to_string()).unwrap_or_default()),
    ];
    for kind in factors {
        let id: i64 = sqlx::query_scalar("SELECT id FROM factor_kinds WHERE name = $1")
            .bind(kind)
            .fetch_one(&app.pool)
            .await
            .expect("a factor kind");
        fields.push((format!("factor_{id}"), "on".into()));
    }
    fields
}

async fn version(app: &TestApp, table: &str, id: i64) -> i32 {
    sqlx::query_scalar(&format!("SELECT version FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("a version")
}

async fn service_named(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM services WHERE lower(name) = lower($1) AND merged_into IS NULL")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .expect("a service")
}

#[tokio::test]
async fn learning_counts_stay_exact_across_creates_edits_re_dating_items_renames_merges_and_deletes() {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for (day, services, factors) in [
        ("2025-03-01", "api, db", &["Change", "Capacity"][..]),
        ("2025-03-20", "db, cache", &["Capacity"][..]),
        ("2025-04-02", "cache", &[][..]),
        ("2025-05-31", "api, cache, db", &["Change"][..]),
    ] {
        let created = app.post_form("/incidents", &postmortem_fields(&app, day, services, factors, None).await).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        ids.push(id_of(created.location()));
    }
    counts_exact(&app, "created").await;

    let open = item(&app, ids[0], "Add a replica", false).await;
    item(&app, ids[0], "Write the runbook", true).await;
    item(&app, ids[1], "Shard the cache", false).await;
    counts_exact(&app, "items added").await;
    let api = service_named(&app, "api").await;
    assert!(app.get(&format!("/services/{api}")).await.text("dl.figures").contains("Open action items1"));

    // Labels edited: a service and a factor dropped, others added.
    let edit = postmortem_fields(
        &app,
        "2025-03-01",
        "api, queue",
        &["Monitoring gap"],
        Some(version(&app, "incidents", ids[0]).await),
    )
    .await;
    assert_eq!(app.post_form(&format!("/incidents/{}", ids[0]), &edit).await.status, StatusCode::SEE_OTHER);
    counts_exact(&app, "labels edited").await;

    // Re-dated into another month, its labels kept.
    let moved = postmortem_fields(
        &app,
        "2025-05-10",
        "db, cache",
        &["Capacity"],
        Some(version(&app, "incidents", ids[1]).await),
    )
    .await;
    assert_eq!(app.post_form(&format!("/incidents/{}", ids[1]), &moved).await.status, StatusCode::SEE_OTHER);
    counts_exact(&app, "re-dated").await;

    // An item closed and one reopened.
    sqlx::query("UPDATE action_items SET status = 'done', completed_at = now() WHERE id = $1")
        .bind(open)
        .execute(&app.pool)
        .await
        .expect("closed");
    counts_exact(&app, "an item closed").await;

    // Renamed, then merged: the merge moves the links to the service it goes into.
    let renamed = app
        .post_form(
            &format!("/admin/services/{api}"),
            &[("name", "edge".to_owned()), ("version", version(&app, "services", api).await.to_string())],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    counts_exact(&app, "renamed").await;
    let cache = service_named(&app, "cache").await;
    let merged = app
        .post_form(
            &format!("/admin/services/{cache}/merge"),
            &[("into", "db".to_owned()), ("version", version(&app, "services", cache).await.to_string())],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    counts_exact(&app, "merged").await;

    // Deleted, with its links, factors and items.
    assert_eq!(app.post_empty(&format!("/incidents/{}/delete", ids[1])).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_empty(&format!("/incidents/{}/delete", ids[3])).await.status, StatusCode::SEE_OTHER);
    counts_exact(&app, "deleted").await;
    let db = service_named(&app, "db").await;
    let page = app.get(&format!("/services/{db}")).await;
    assert!(page.text("dl.figures").starts_with("Postmortems1"), "{}", page.text("dl.figures"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_label_edits_of_postmortems_sharing_services_keep_the_counts_exact() {
    let app = Arc::new(TestApp::with_pool_settings(16, std::time::Duration::from_secs(10)).await);
    let mut ids = Vec::new();
    for n in 0..12 {
        let day = format!("2025-03-{:02}", 1 + n * 2);
        let created =
            app.post_form("/incidents", &postmortem_fields(&app, &day, "api, db", &["Change"], None).await).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        ids.push(id_of(created.location()));
    }
    for round in 0..3 {
        let mut jobs = JoinSet::new();
        for (n, &id) in ids.iter().enumerate() {
            let app = app.clone();
            // Each save drops some shared services and adds others, in a different order, and
            // some move to another month: every count is touched from several sides at once.
            let services = ["db, api, cache", "cache, queue", "queue, db", "api"][(n + round) % 4];
            let factors: &[&str] = [&["Capacity", "Change"][..], &["Change"][..], &[][..]][(n + round) % 3];
            let day = if (n + round) % 5 == 0 {
                format!("2025-04-{:02}", 1 + n)
            } else {
                format!("2025-03-{:02}", 1 + n * 2)
            };
            let fields =
                postmortem_fields(&app, &day, services, factors, Some(version(&app, "incidents", id).await)).await;
            let saver = app.clone();
            jobs.spawn(async move { ("save", saver.post_form(&format!("/incidents/{id}"), &fields).await.status) });
            jobs.spawn(async move {
                let fields = [("body", format!("Follow-up {round}"))];
                ("item", app.post_form(&format!("/incidents/{id}/actions"), &fields).await.status)
            });
        }
        for _ in 0..4 {
            let app = app.clone();
            jobs.spawn(async move {
                hindsight::db::learning::fold_counts(&app.pool).await.expect("a fold");
                ("themes", app.get("/themes?from=2025-03-01&to=2025-04-30").await.status)
            });
        }
        while let Some(done) = jobs.join_next().await {
            let (what, status) = done.expect("a request");
            let expected = if what == "themes" { StatusCode::OK } else { StatusCode::SEE_OTHER };
            assert_eq!(status, expected, "{what} in round {round}");
        }
        counts_exact(&app, &format!("round {round}")).await;
    }
}
