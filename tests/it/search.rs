//! Search: the index kept in step with every source in the same transaction, ranking, the
//! query syntax, snippets, filters, keyset pages, bad input, and the API.

use axum::http::StatusCode;
use hindsight::domain::Section;
use hindsight::domain::input::IncidentForm;
use serde_json::Value;

use crate::harness::{TestApp, titled};

/// The ids of the postmortems `/api/search` returns for `query` (a query string), in order.
async fn found(app: &TestApp, query: &str) -> Vec<i64> {
    let response = app.get(&format!("/api/search?{query}")).await;
    assert_eq!(response.status, StatusCode::OK, "{query}: {}", response.body);
    let json: Value = serde_json::from_str(&response.body).expect("JSON");
    json["results"].as_array().expect("results").iter().map(|hit| hit["id"].as_i64().expect("an id")).collect()
}

async fn words(app: &TestApp, q: &str) -> Vec<i64> {
    found(app, &serde_urlencoded::to_string([("q", q)]).expect("a query")).await
}

fn id_of(path: &str) -> i64 {
    path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id")
}

#[tokio::test]
async fn every_source_is_searchable_and_stays_in_step() {
    let app = TestApp::new().await;
    let path = app.create_incident(&titled("Quokka outage").with(Section::RootCause, "A wombat config")).await;
    let id = id_of(&path);
    assert_eq!(words(&app, "quokka").await, vec![id], "the title");
    assert_eq!(words(&app, "wombat").await, vec![id], "a section");

    // The postmortem's own form: the title and a section replaced.
    let edited = IncidentForm { version: "1".into(), ..titled("Platypus outage") }.with(Section::RootCause, "A numbat");
    assert_eq!(app.post_form(&path, &edited).await.status, StatusCode::SEE_OTHER);
    assert!(words(&app, "quokka").await.is_empty(), "the old title is gone");
    assert!(words(&app, "wombat").await.is_empty(), "the old section is gone");
    assert_eq!(words(&app, "platypus numbat").await, vec![id]);

    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged the echidna rota")]).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Feed the bilby"), ("owner", "Dingo Jones")]).await;
    app.post_form(&format!("{path}/sections"), &[("heading", "Kookaburra notes"), ("body", "Galah")]).await;
    app.post_form(&format!("{path}/comments"), &[("body", "What about the cassowary?")]).await;
    for word in ["echidna", "bilby", "dingo", "kookaburra", "galah", "cassowary"] {
        assert_eq!(words(&app, word).await, vec![id], "{word}");
    }

    // Edits and deletions of each (as any writer makes them; the triggers are what is tested).
    for (sql, old, new) in [
        ("UPDATE timeline_entries SET body = 'Paged the koala rota'", "echidna", "koala"),
        ("UPDATE action_items SET body = 'Feed the possum', owner = 'Emu'", "bilby", "possum"),
        ("UPDATE action_items SET completion_note = 'Wallaby fed'", "nothing-here", "wallaby"),
        ("UPDATE action_items SET verification_evidence = 'Bandicoot report'", "nothing-here", "bandicoot"),
        ("UPDATE incident_sections SET body = 'Lorikeet'", "galah", "lorikeet"),
        ("UPDATE review_comments SET body = 'What about the goanna?' WHERE kind = 'comment'", "cassowary", "goanna"),
    ] {
        sqlx::query(sql).execute(&app.pool).await.expect(sql);
        assert!(words(&app, old).await.is_empty(), "{sql}: {old} is gone");
        assert_eq!(words(&app, new).await, vec![id], "{sql}: {new} is found");
    }
    for table in ["timeline_entries", "action_items", "incident_sections"] {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&app.pool).await.expect("delete");
    }
    for word in ["koala", "possum", "wallaby", "bandicoot", "lorikeet"] {
        assert!(words(&app, word).await.is_empty(), "{word} deleted");
    }
    // Re-rendering HTML, or a change that adds no words, does not make the document again (its
    // row version stays); moving a timeline entry does (the document follows writing order).
    let row_version = || async {
        sqlx::query_scalar::<_, String>("SELECT xmin::text FROM search_documents")
            .fetch_one(&app.pool)
            .await
            .expect("a document")
    };
    let before = row_version().await;
    for sql in ["UPDATE incident_texts SET rendered_with = 0", "UPDATE action_items SET version = version + 1"] {
        sqlx::query(sql).execute(&app.pool).await.expect(sql);
        assert_eq!(row_version().await, before, "{sql}");
    }
    app.post_form(&format!("{path}/timeline"), &[("time", "10:25"), ("body", "Woke the wombat")]).await;
    let before = row_version().await;
    sqlx::query("UPDATE timeline_entries SET occurred_at = occurred_at - interval '1 hour'")
        .execute(&app.pool)
        .await
        .expect("move");
    assert_ne!(row_version().await, before, "a moved entry");

    assert_eq!(app.post_empty(&format!("{path}/delete")).await.status, StatusCode::SEE_OTHER);
    assert!(words(&app, "platypus").await.is_empty(), "a deleted postmortem");
    assert_eq!(app.count("search_documents").await, 0);
    assert_eq!(app.count("search_pending").await, 0, "nothing is left noted after commit");
}

#[tokio::test]
async fn a_title_match_outranks_a_body_match_and_the_syntax_works() {
    let app = TestApp::new().await;
    let body =
        id_of(&app.create_incident(&titled("Checkout slow").with(Section::Impact, "The database failed over")).await);
    let title =
        id_of(&app.create_incident(&titled("Database failing").with(Section::Impact, "Slow checkout page")).await);
    let other =
        id_of(&app.create_incident(&titled("Cache miss storm").with(Section::Summary, "Redis evicted keys")).await);
    let german = id_of(
        &app.create_incident(&titled("Ausfall").with(Section::Summary, "Die Datenbankverbindung wurde abgebrochen"))
            .await,
    );

    assert_eq!(words(&app, "database").await, vec![title, body], "the title weighs more");
    assert_eq!(words(&app, "failing").await, vec![title, body], "stemming: failing finds failed");
    assert_eq!(words(&app, "\"checkout slow\"").await, vec![body], "a phrase");
    assert_eq!(words(&app, "checkout slow").await.len(), 2, "the words in any order");
    assert_eq!(words(&app, "database -page").await, vec![body], "exclusion");
    assert_eq!(words(&app, "redis or failing").await.len(), 3, "or");
    assert_eq!(words(&app, "datab").await, vec![title, body], "the last word is a prefix");
    assert_eq!(words(&app, "evic").await, vec![other]);
    assert_eq!(words(&app, "Datenbankverbindung").await, vec![german], "other languages by their words");
    assert_eq!(words(&app, "wurde abgebrochen").await, vec![german]);

    let page = app.get("/search?q=failing").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts(".search-title mark"), vec!["failing"], "the title's match is marked");
    assert_eq!(page.texts(".search-snippet mark"), vec!["failed"], "the snippet shows why it matched");
    assert!(page.text("main .muted").contains("2 postmortems match"));
}

#[tokio::test]
async fn snippets_escape_their_text() {
    let app = TestApp::new().await;
    app.create_incident(
        &titled("<b>bold</b> title \u{E000}fake\u{E001}")
            .with(Section::Summary, "<script>alert(1)</script> payload & <img src=x onerror=alert(2)>"),
    )
    .await;
    let page = app.get("/search?q=payload+alert").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html()
            .select(
                &scraper::Selector::parse(".search-results script, .search-results img, .search-results b")
                    .expect("as set up")
            )
            .next()
            .is_none()
    );
    assert!(page.text(".search-snippet").contains("<img src=x"), "shown as text: {}", page.text(".search-snippet"));
    let title = app.get("/search?q=bold").await;
    assert_eq!(title.texts(".search-title mark"), vec!["bold"], "a typed marker is not a mark");
}

#[tokio::test]
async fn filters_combine_and_apply_without_words() {
    let app = TestApp::new().await;
    app.post_form("/admin/teams", &[("name", "Storage")]).await;
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams").fetch_one(&app.pool).await.expect("a team");
    let make = |title: &'static str, severity: &'static str, start: &'static str| IncidentForm {
        severity: severity.into(),
        started_at: start.into(),
        ended_at: String::new(),
        ..titled(title)
    };
    let a = app.create_incident(&make("Disk full on db1", "SEV1", "2025-01-10T10:00")).await;
    let b = app.create_incident(&make("Disk full on db2", "SEV3", "2025-02-10T10:00")).await;
    let c = app.create_incident(&make("Disk full on db3", "SEV1", "2025-03-10T10:00")).await;
    app.post_form(&format!("{a}/actions"), &[("body", "Alert on disk"), ("team_id", &team.to_string())]).await;
    app.post_form(&format!("{c}/actions"), &[("body", "Grow disk"), ("team_id", &team.to_string())]).await;
    sqlx::query("UPDATE action_items SET status = 'done', completed_at = now() WHERE body = 'Grow disk'")
        .execute(&app.pool)
        .await
        .expect("done");
    let [a, b, c] = [id_of(&a), id_of(&b), id_of(&c)];

    assert_eq!(found(&app, "q=disk&severity=SEV1&order=date").await, vec![c, a]);
    assert_eq!(found(&app, &format!("q=disk&severity=SEV1&team={team}&order=date")).await, vec![c, a]);
    assert_eq!(found(&app, &format!("q=disk&team={team}&open=1")).await, vec![a]);
    assert_eq!(found(&app, "q=disk&from=2025-02-01&to=2025-02-28").await, vec![b]);
    assert_eq!(found(&app, "severity=SEV1&from=2025-03-10").await, vec![c], "filters without words");
    assert_eq!(found(&app, "order=severity").await, vec![c, a, b]);
    // Counted without words: through the team's links alone, and through them to the
    // postmortems' severity.
    for (filter, count) in [("", 2), ("&severity=SEV1", 2), ("&severity=SEV3", 0), ("&status=published", 0)] {
        let json = searched(&app, &format!("team={team}{filter}")).await;
        assert_eq!(json["count"], count, "team={team}{filter}: {json}");
    }
    assert_eq!(found(&app, "q=disk&order=date").await, vec![c, b, a]);
    let page = app.get("/search?q=disk&severity=SEV2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text(".empty h2").contains("No postmortem mentions"), "{}", page.text(".empty"));
    assert!(page.text(".empty").contains("Try fewer words"));
    assert_eq!(app.get("/search?severity=SEV9").await.status, StatusCode::OK, "said above the form");
    assert_eq!(app.get("/api/search?severity=SEV9").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn keyset_pages_neither_skip_nor_repeat() {
    let app = TestApp::new().await;
    // 45 postmortems with ties in every key (same start, same severity, same rank).
    sqlx::query(
        "INSERT INTO incidents (title, severity, started_at, ended_at)
         SELECT 'Gremlin ' || g, 'SEV' || (1 + g % 3), timestamptz '2025-01-01' + (g % 4) * interval '1 day',
                timestamptz '2025-01-01' + (g % 4) * interval '1 day' + (g % 5) * interval '1 hour'
         FROM generate_series(1, 45) g",
    )
    .execute(&app.pool)
    .await
    .expect("postmortems");
    // Every id of every page of /api/search with one parameter, in one order.
    let pages = |filter: (&'static str, String), order: &'static str| {
        let app = &app;
        async move {
            let mut seen = Vec::new();
            let mut after = String::new();
            loop {
                let query =
                    serde_urlencoded::to_string([(filter.0, filter.1.as_str()), ("order", order), ("after", &after)])
                        .expect("as set up");
                let json: Value =
                    serde_json::from_str(&app.get(&format!("/api/search?{query}")).await.body).expect("as set up");
                seen.extend(
                    json["results"].as_array().expect("as set up").iter().map(|hit| hit["id"].as_i64().expect("id")),
                );
                match json["next"].as_str() {
                    Some(next) => after = next.to_owned(),
                    None => break seen,
                }
            }
        }
    };
    for order in ["relevance", "date", "severity", "duration"] {
        let seen = pages(("q", "gremlin".to_owned()), order).await;
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (45, 45), "{order}");
        // The pages come in the order asked for, read from the postmortems themselves.
        let key = match order {
            "severity" => "severity, started_at DESC, id DESC",
            "duration" => "ended_at - started_at DESC, started_at DESC, id DESC",
            _ => "started_at DESC, id DESC",
        };
        let expected: Vec<i64> = sqlx::query_scalar(&format!("SELECT id FROM incidents ORDER BY {key}"))
            .fetch_all(&app.pool)
            .await
            .expect("ids");
        if order != "relevance" {
            assert_eq!(seen, expected, "{order}");
        }
    }
    // Without words, through a filter that walks its links: the same pages, and a re-dated
    // postmortem moves in the order with its links.
    for sql in [
        "INSERT INTO services (name) VALUES ('Gremlin pool')",
        "INSERT INTO incident_services (incident_id, service_id) SELECT i.id, s.id FROM incidents i, services s",
        "INSERT INTO incident_tags (incident_id, tag) SELECT id, 'Mischief' FROM incidents",
        "INSERT INTO incident_factors (incident_id, factor_id, explanation, position)
         SELECT i.id, (SELECT min(id) FROM factor_kinds), '', 0 FROM incidents i",
        "INSERT INTO teams (name) VALUES ('Gremlin wranglers')",
        "INSERT INTO action_items (incident_id, body, team_id) SELECT i.id, 'Catch it', t.id FROM incidents i, teams t",
    ] {
        sqlx::query(sql).execute(&app.pool).await.expect(sql);
    }
    let service: i64 = sqlx::query_scalar("SELECT id FROM services").fetch_one(&app.pool).await.expect("service");
    let factor: i64 = sqlx::query_scalar("SELECT min(id) FROM factor_kinds").fetch_one(&app.pool).await.expect("kind");
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams").fetch_one(&app.pool).await.expect("team");
    let filters = [
        ("service", service.to_string()),
        ("factor", factor.to_string()),
        ("tag", "mischief".to_owned()),
        ("team", team.to_string()),
    ];
    for filter in &filters {
        for order in ["date", "severity", "duration"] {
            let seen = pages(filter.clone(), order).await;
            let mut unique = seen.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!((seen.len(), unique.len()), (45, 45), "{filter:?} {order}");
        }
    }
    let moved: i64 = sqlx::query_scalar(
        "UPDATE incidents SET started_at = '2025-02-01', ended_at = '2025-02-01 01:00' WHERE title = 'Gremlin 4' RETURNING id",
    )
        .fetch_one(&app.pool)
        .await
        .expect("re-dated");
    for filter in filters {
        assert_eq!(pages(filter.clone(), "date").await.first(), Some(&moved), "{filter:?}");
    }

    let page = app.get("/search?q=gremlin").await;
    let next = page.attr("a[rel=next]", "href").expect("a next page");
    assert!(next.contains("after="), "{next}");
    assert_eq!(app.get(&next).await.texts(".search-results li").len(), 20);
    assert_eq!(app.get("/search?q=gremlin&after=nonsense").await.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_never_a_500() {
    let app = TestApp::new().await;
    app.create_incident(&titled("The pool ran dry")).await;
    let long = "pool ".repeat(2_100);
    for q in ["pool\0dry", long.as_str(), "\"pool dry", "the and of", "-", "!!!", "pool:* & dry", "'", "\\", "or"] {
        let query = serde_urlencoded::to_string([("q", q)]).expect("as set up");
        let page = app.get(&format!("/search?{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{q:?}: {}", page.body);
        let api = app.get(&format!("/api/search?{query}")).await;
        assert!(api.status.is_success() || api.status == StatusCode::BAD_REQUEST, "{q:?}: {}", api.status);
    }
    assert_eq!(words(&app, "pool\0dry").await.len(), 1, "a NUL is a space");
    assert_eq!(words(&app, "\"pool dry").await.len(), 0, "an unclosed quote is a phrase to the end");
    let stop = app.get("/search?q=the+and+of").await;
    assert!(stop.text(".empty").contains("only very common words"), "{}", stop.text(".empty"));
    let long =
        app.get(&format!("/search?{}", serde_urlencoded::to_string([("q", long.as_str())]).expect("as set up"))).await;
    assert!(long.text(".error-summary").contains("at most 500 characters"));
}

#[tokio::test]
async fn two_saves_at_once_leave_the_document_matching_the_final_text() {
    let app = TestApp::new().await;
    let path = app.create_incident(&titled("Race")).await;
    let id = id_of(&path);
    for round in 0..5 {
        let (alpha, beta) = (format!("alpha{round}"), format!("beta{round}"));
        let (timeline, comments) = (format!("{path}/timeline"), format!("{path}/comments"));
        let (entry, comment) = ([("time", "10:20"), ("body", alpha.as_str())], [("body", beta.as_str())]);
        let (one, two) = tokio::join!(app.post_form(&timeline, &entry), app.post_form(&comments, &comment));
        assert!(one.status.is_redirection() && two.status.is_redirection());
        assert_eq!(words(&app, &format!("alpha{round} beta{round}")).await, vec![id], "round {round}");
    }
    // Two transactions writing at once, straight to the tables.
    let (mut a, mut b) = (app.pool.begin().await.expect("as set up"), app.pool.begin().await.expect("as set up"));
    sqlx::query("UPDATE incidents SET title = 'Gamma race' WHERE id = $1")
        .bind(id)
        .execute(&mut *a)
        .await
        .expect("as set up");
    let second = tokio::spawn(async move {
        sqlx::query("INSERT INTO review_comments (incident_id, body) VALUES ($1, 'delta')")
            .bind(id)
            .execute(&mut *b)
            .await
            .expect("as set up");
        b.commit().await.expect("as set up");
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    a.commit().await.expect("as set up");
    second.await.expect("as set up");
    assert_eq!(words(&app, "gamma delta").await, vec![id], "both writes are in the document");
}

/// A postmortem whose text would need more than a tsvector's 1 MB (a thousand pasted log lines
/// full of hashes) still saves: it is indexed from the start of each part's text.
#[tokio::test]
async fn a_postmortem_too_long_for_one_index_entry_still_saves_and_is_found() {
    let app = TestApp::new().await;
    let path = app.create_incident(&titled("Hash storm")).await;
    let id = id_of(&path);
    let mut tx = app.pool.begin().await.expect("a transaction");
    sqlx::query(
        "INSERT INTO timeline_entries (incident_id, occurred_at, body, html, rendered_with)
         SELECT $1, now(), 'needle ' || (SELECT string_agg(md5(g::text || '-' || n::text), ' ')
                                         FROM generate_series(1, 900) g), '', 1
         FROM generate_series(1, 200) n",
    )
    .bind(id)
    .execute(&mut *tx)
    .await
    .expect("5.9 MB of unique words");
    tx.commit().await.expect("the commit makes the document, whatever its size");
    assert_eq!(words(&app, "needle").await, vec![id]);
    assert_eq!(words(&app, "hash storm").await, vec![id]);
}

/// The JSON of `/api/search` for `query`.
async fn searched(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/search?{query}")).await;
    assert_eq!(response.status, StatusCode::OK, "{query}: {}", response.body);
    serde_json::from_str(&response.body).expect("JSON")
}

#[tokio::test]
async fn a_common_word_is_searched_among_the_newest_and_the_page_says_so() {
    let app = TestApp::new().await;
    let window = hindsight::db::search::WINDOW;
    // WINDOW + 5 postmortems with the word, one a day back from today; the oldest five also
    // hold a phrase that only they have in order.
    sqlx::query(
        "WITH made AS (INSERT INTO incidents (title, severity, status, started_at)
                       SELECT 'Gecko outage ' || g, 'SEV3', 'draft', now() - make_interval(days => g)
                       FROM generate_series(1, $1::int) g RETURNING id, title)
         INSERT INTO incident_texts (incident_id, section, body)
         SELECT id, 'summary', CASE WHEN split_part(title, ' ', 3)::int > $2 THEN 'pool connection lost' ELSE 'connection to the pool' END
         FROM made",
    )
    .bind((window + 5) as i32)
    .bind(window as i32)
    .execute(&app.pool)
    .await
    .expect("many postmortems");

    let json = searched(&app, "q=gecko").await;
    assert_eq!(json["beyond_window"], true, "{json}");
    assert_eq!(json["count"], window, "every one of the window matches");
    let page = app.get("/search?q=gecko").await;
    assert!(page.text("[role=status]").contains("newest"), "{}", page.text("[role=status]"));

    // A phrase is tested on the window's documents: the five that have it are older than the
    // window, so a date filter that reaches back to them finds them, and nothing else.
    let phrase = searched(&app, "q=%22pool+connection%22").await;
    assert_eq!(phrase["count"], 0, "{phrase}");
    let from = (time::OffsetDateTime::now_utc() - time::Duration::days(window + 10)).date();
    let to = (time::OffsetDateTime::now_utc() - time::Duration::days(window)).date();
    let older = searched(&app, &format!("q=%22pool+connection%22&from={from}&to={to}")).await;
    assert_eq!(older["count"], 5, "{older}");
    assert_eq!(older["beyond_window"], false);

    // Without the phrase's order, both kinds match; `-word` is tested on the window too.
    assert_eq!(searched(&app, "q=pool+connection").await["count"], window);
    let range = format!("from={from}&to={to}");
    let in_range = searched(&app, &format!("q=gecko&{range}")).await["count"].as_i64().expect("a count");
    assert_eq!(searched(&app, &format!("q=gecko+-lost&{range}")).await["count"], in_range - 5);
}

#[tokio::test]
async fn a_word_typed_past_its_stem_is_still_a_prefix() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_incident(&titled("Replication of the connection availability")).await);
    for typed in ["connecti", "availabil", "replicat", "conn"] {
        assert_eq!(words(&app, typed).await, vec![id], "{typed}");
    }
}

#[tokio::test]
async fn tags_and_factors_and_the_fields_filters_read_stay_in_step() {
    let app = TestApp::new().await;
    let path = app.create_incident(&titled("Ocelot outage")).await;
    let id = id_of(&path);
    sqlx::query("INSERT INTO incident_tags (incident_id, tag) VALUES ($1, 'margay')")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("a tag");
    sqlx::query(
        "INSERT INTO incident_factors (incident_id, factor_id, explanation)
         SELECT $1, id, 'The serval deploy skipped the canary' FROM factor_kinds WHERE name = 'Change'",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .expect("a factor");
    assert_eq!(words(&app, "margay").await, vec![id], "a tag");
    assert_eq!(words(&app, "serval canary").await, vec![id], "a factor's explanation");
    sqlx::query("DELETE FROM incident_tags").execute(&app.pool).await.expect("untagged");
    assert!(words(&app, "margay").await.is_empty());

    // Severity, status and start are read from the document's row: a change to them shows at once.
    assert_eq!(found(&app, "q=ocelot&severity=SEV1").await, Vec::<i64>::new());
    sqlx::query("UPDATE incidents SET severity = 'SEV1', started_at = '2020-02-02T10:00:00Z' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("changed");
    assert_eq!(found(&app, "q=ocelot&severity=SEV1&from=2020-02-01&to=2020-02-03").await, vec![id]);
}

/// The team filter reads which teams own items of which postmortem, and the open-items filter of
/// a search how many are open, from counts kept by triggers: items added, moved between teams,
/// ticked done and deleted at once, over real concurrent requests and transactions, leave the
/// counts exactly what a recount finds, with no error.
#[tokio::test]
async fn the_team_and_open_item_counts_stay_exact_under_concurrent_item_writes() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let path = app.create_incident(&titled("Many hands")).await;
    let id = id_of(&path);
    let teams: Vec<i64> = sqlx::query_scalar("INSERT INTO teams (name) VALUES ('Red'), ('Blue') RETURNING id")
        .fetch_all(&app.pool)
        .await
        .expect("teams");
    for n in 0..6 {
        let form = [("body", format!("Seed item {n}")), ("team_id", teams[n % 2].to_string())];
        assert_eq!(app.post_form(&format!("{path}/actions"), &form).await.status, StatusCode::SEE_OTHER);
    }
    let seeded: Vec<i64> = sqlx::query_scalar("SELECT id FROM action_items WHERE incident_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .expect("items");
    let mut writes = tokio::task::JoinSet::new();
    for n in 0..16 {
        let (app, path, teams, seeded) = (app.clone(), path.clone(), teams.clone(), seeded.clone());
        writes.spawn(async move {
            match n % 4 {
                3 => {
                    sqlx::query("UPDATE action_items SET status = 'done', completed_at = now() WHERE id = $1")
                        .bind(seeded[n % seeded.len()])
                        .execute(&app.pool)
                        .await
                        .expect("tick an item done");
                }
                0 => {
                    let form = [("body", format!("Added item {n}")), ("team_id", teams[n / 4 % 2].to_string())];
                    let status = app.post_form(&format!("{path}/actions"), &form).await.status;
                    assert_eq!(status, StatusCode::SEE_OTHER, "add {n}");
                }
                1 => {
                    sqlx::query("UPDATE action_items SET team_id = $1 WHERE id = $2")
                        .bind(teams[(n + 1) % 2])
                        .bind(seeded[n % seeded.len()])
                        .execute(&app.pool)
                        .await
                        .expect("move an item");
                }
                _ => {
                    sqlx::query("DELETE FROM action_items WHERE id = $1")
                        .bind(seeded[n % seeded.len()])
                        .execute(&app.pool)
                        .await
                        .expect("delete an item");
                }
            }
        });
    }
    while let Some(done) = writes.join_next().await {
        done.expect("no write failed");
    }
    let differences: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (
           (SELECT incident_id, team_id, items::bigint FROM incident_teams
            EXCEPT SELECT incident_id, team_id, count(*) FROM action_items WHERE team_id IS NOT NULL GROUP BY 1, 2)
           UNION ALL
           (SELECT incident_id, team_id, count(*) FROM action_items WHERE team_id IS NOT NULL GROUP BY 1, 2
            EXCEPT SELECT incident_id, team_id, items::bigint FROM incident_teams)) d",
    )
    .fetch_one(&app.pool)
    .await
    .expect("recount");
    assert_eq!(differences, 0);
    let (kept, counted): (i32, i64) = sqlx::query_as(
        "SELECT d.open_items, (SELECT count(*) FROM action_items a
                               WHERE a.incident_id = d.incident_id AND a.status IN ('open', 'in_progress'))
         FROM search_documents d WHERE d.incident_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("open items");
    assert_eq!(kept, i32::try_from(counted).expect("small"), "open items");
    assert_eq!(found(&app, "q=many+hands&open=1").await, vec![id], "a search through open items");
    sqlx::query("UPDATE action_items SET status = 'done', completed_at = now() WHERE incident_id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("all done");
    assert!(found(&app, "q=many+hands&open=1").await.is_empty(), "nothing open any more");
    for team in teams {
        let owns: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM action_items WHERE team_id = $1)")
            .bind(team)
            .fetch_one(&app.pool)
            .await
            .expect("owns items");
        let expected = if owns { vec![id] } else { Vec::new() };
        assert_eq!(found(&app, &format!("team={team}")).await, expected, "team {team}");
    }
}

/// Whether postmortem `id`'s stored document is the one made from all its rows now.
async fn document_is_the_one_made(pool: &sqlx::PgPool, id: i64) -> bool {
    sqlx::query_scalar(
        "SELECT d.document = (SELECT search_tsvector_agg(v.vector ORDER BY v.weight, v.ord)
                              FROM search_vectors(ARRAY[d.incident_id]) v)
         FROM search_documents d WHERE d.incident_id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .expect("a document")
}

/// A new entry, comment or item joins the end of its postmortem's document when it goes after
/// every other row (migration 41), and the document made again at commit otherwise: either way
/// it is the one made from every row, position for position, and finds the new words.
#[tokio::test]
async fn a_document_grown_row_by_row_is_the_one_made_from_every_row() {
    let app = TestApp::new().await;
    let path = app.create_incident(&titled("Append order")).await;
    let id = id_of(&path);
    let entry =
        |time: &'static str, body: &'static str| (format!("{path}/timeline"), vec![("time", time), ("body", body)]);
    let item = |body: &'static str| (format!("{path}/actions"), vec![("body", body), ("owner", "Dingo")]);
    let comment = |body: &'static str| (format!("{path}/comments"), vec![("body", body)]);
    // Each step: an item while there is no entry, entries later than the others, one earlier,
    // an item after the entries, comments, and an entry after a comment.
    for (step, ((uri, form), word)) in [
        (item("Feed the bilby"), "bilby"),
        (entry("10:20", "Paged the echidna rota"), "echidna"),
        (entry("10:40", "Woke the wombat"), "wombat"),
        (entry("10:30", "Called the koala"), "koala"),
        (item("Brush the possum"), "possum"),
        (comment("What about the cassowary?"), "cassowary"),
        (comment("And the galah?"), "galah"),
        (entry("10:50", "Fed the quokka"), "quokka"),
        (comment("Lorikeet sighted"), "lorikeet"),
    ]
    .into_iter()
    .enumerate()
    {
        let response = app.post_form(&uri, &form).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "step {step}: {}", response.body);
        assert!(document_is_the_one_made(&app.pool, id).await, "step {step}: {form:?}");
        assert_eq!(words(&app, word).await, vec![id], "step {step}: {word}");
    }
    assert_eq!(app.count("search_pending").await, 0);

    // Writers at once: entries, each later than the last, and comments.
    let app = std::sync::Arc::new(app);
    let mut writers = tokio::task::JoinSet::new();
    for n in 0..8 {
        let (app, path) = (app.clone(), path.clone());
        writers.spawn(async move {
            let response = if n % 3 == 2 {
                app.post_form(&format!("{path}/comments"), &[("body", format!("Remark number{n}"))]).await
            } else {
                let form = [("time", format!("11:{:02}", 10 + n)), ("body", format!("Step number{n}"))];
                app.post_form(&format!("{path}/timeline"), &form).await
            };
            response.status
        });
    }
    while let Some(status) = writers.join_next().await {
        assert_eq!(status.expect("a writer"), StatusCode::SEE_OTHER);
    }
    assert!(document_is_the_one_made(&app.pool, id).await, "after writers at once");
    for n in 0..8 {
        assert_eq!(words(&app, &format!("number{n}")).await, vec![id], "number{n}");
    }
}

/// A document near the 1 MB a tsvector may hold, grown one entry at a time past it: the entry
/// that does not fit is not joined (that would fail the save) but made at commit, from the start
/// of each part's text, and every save succeeds.
#[tokio::test]
async fn an_entry_that_would_overflow_its_document_is_made_at_commit_instead() {
    let app = TestApp::new().await;
    let path = app.create_incident(&titled("Hash growth")).await;
    let id = id_of(&path);
    let hashes = |rows: i32| {
        let app = &app;
        async move {
            sqlx::query(
                "INSERT INTO timeline_entries (incident_id, occurred_at, body, html, rendered_with)
                 SELECT $1, now() + make_interval(mins => n + (SELECT count(*)::int FROM timeline_entries)),
                        'needle ' || (SELECT string_agg(md5(g::text || '-' || n::text || clock_timestamp()::text), ' ')
                                      FROM generate_series(1, 900) g), '', 1
                 FROM generate_series(1, $2) n",
            )
            .bind(id)
            .bind(rows)
            .execute(&app.pool)
            .await
            .expect("every save succeeds")
        }
    };
    hashes(30).await; // about 0.9 MB of lexemes
    for _ in 0..10 {
        hashes(1).await; // each joined at the end while it fits
    }
    assert_eq!(words(&app, "needle").await, vec![id]);
    assert_eq!(words(&app, "hash growth").await, vec![id]);
    assert_eq!(app.count("search_pending").await, 0);
}

/// Two transactions removing a team's last two items of one postmortem at once: the second
/// waits for the first, then counts from what it left, and the team's row is gone (migration 42;
/// before it, the second's decrement was lost and the team kept one item that did not exist).
#[tokio::test]
async fn two_writers_lowering_one_team_count_at_once_both_count() {
    let app = TestApp::new().await;
    let path = app.create_incident(&titled("Two hands")).await;
    let id = id_of(&path);
    let team: i64 = sqlx::query_scalar("INSERT INTO teams (name) VALUES ('Red') RETURNING id")
        .fetch_one(&app.pool)
        .await
        .expect("a team");
    for n in 0..2 {
        let form = [("body", format!("Item {n}")), ("team_id", team.to_string())];
        assert_eq!(app.post_form(&format!("{path}/actions"), &form).await.status, StatusCode::SEE_OTHER);
    }
    for (first, second) in [
        ("DELETE FROM action_items WHERE id = $1", "DELETE FROM action_items WHERE id = $1"),
        ("UPDATE action_items SET team_id = NULL WHERE id = $1", "DELETE FROM action_items WHERE id = $1"),
    ] {
        // Both items in the team again (the first round removed them).
        if first.starts_with("UPDATE") {
            for n in 0..2 {
                let form = [("body", format!("Again {n}")), ("team_id", team.to_string())];
                assert_eq!(app.post_form(&format!("{path}/actions"), &form).await.status, StatusCode::SEE_OTHER);
            }
        }
        let pair: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM action_items WHERE incident_id = $1 AND team_id = $2 ORDER BY id")
                .bind(id)
                .bind(team)
                .fetch_all(&app.pool)
                .await
                .expect("items");
        assert_eq!(pair.len(), 2);
        let mut one = app.pool.begin().await.expect("a transaction");
        sqlx::query(first).bind(pair[0]).execute(&mut *one).await.expect(first);
        let pool = app.pool.clone();
        let other = pair[1];
        let two = tokio::spawn(async move {
            let mut two = pool.begin().await.expect("a transaction");
            sqlx::query(second).bind(other).execute(&mut *two).await.expect(second);
            two.commit().await.expect("commit");
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        one.commit().await.expect("commit");
        two.await.expect("the second writer");
        let kept: Option<i32> =
            sqlx::query_scalar("SELECT items FROM incident_teams WHERE incident_id = $1 AND team_id = $2")
                .bind(id)
                .bind(team)
                .fetch_optional(&app.pool)
                .await
                .expect("the count");
        assert_eq!(kept, None, "{first} and {second} at once: the team has no item of it left");
    }
}
