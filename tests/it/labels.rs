//! Services, tags and contributing factors on a postmortem: saved through the form and the API,
//! kept when refused, shown, exported and imported back, and the admin's renames and merges
//! (which keep every link), also when they meet postmortem saves at the same moment.

use std::sync::Arc;

use axum::http::StatusCode;
use hindsight::domain::ServiceId;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::harness::{TestApp, form};

async fn factor_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM factor_kinds WHERE name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .expect("a default factor kind")
}

async fn service_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM services WHERE lower(name) = lower($1) AND merged_into IS NULL")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .expect("a service")
}

async fn version_of(app: &TestApp, table: &str, id: i64) -> String {
    let version: i32 = sqlx::query_scalar(&format!("SELECT version FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("a version");
    version.to_string()
}

/// The postmortem's labels as its JSON gives them.
async fn labels_json(app: &TestApp, path: &str) -> Value {
    let json: Value = serde_json::from_str(&app.get(&format!("/api{path}")).await.body).expect("JSON");
    json!({ "services": json["services"], "tags": json["tags"], "factors": json["factors"] })
}

/// The postmortem form's fields, `extra` added, as a browser sends them.
fn fields(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let base = form();
    let mut fields: Vec<(String, String)> = vec![
        ("title".into(), base.title),
        ("severity".into(), base.severity),
        ("started_at".into(), base.started_at),
        ("ended_at".into(), base.ended_at),
        ("utc_offset".into(), base.utc_offset),
    ];
    fields.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    fields
}

#[tokio::test]
async fn services_tags_and_factors_typed_in_the_form_are_shown_exported_and_served() {
    let app = TestApp::new().await;
    let change = factor_id(&app, "Change").await;
    let gap = factor_id(&app, "Monitoring gap").await;
    let (tick, explain) = (format!("factor_{change}"), format!("factor_{change}_explanation"));
    let explain_gap = format!("factor_{gap}_explanation");
    let created = app
        .post_form(
            "/incidents",
            &fields(&[
                ("services", " checkout , Payments-DB,CHECKOUT,"),
                ("tags", "dns, Black Friday"),
                (&tick, "on"),
                (&explain, "A deploy doubled the pool's connections, then — oddly — halved them."),
                (&format!("factor_{gap}"), "on"),
                (&explain_gap, ""),
            ]),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().to_owned();

    let page = app.get(&path).await;
    assert_eq!(page.texts(".meta .chips a:not(.chip-tag)"), ["checkout", "Payments-DB"]);
    assert_eq!(page.texts(".meta .chip-tag"), ["Black Friday", "dns"]);
    let checkout = service_id(&app, "checkout").await;
    assert_eq!(page.attr(".meta .chips a", "href"), Some(format!("/services/{checkout}")));
    assert_eq!(page.texts(".factors .factor-name"), ["Change", "Monitoring gap"]);
    assert_eq!(page.attr(".factors .factor-name", "href"), Some(format!("/search?factor={change}")));
    assert_eq!(
        page.text(".factors .factor-explanation"),
        "A deploy doubled the pool's connections, then — oddly — halved them."
    );

    let exported = app.get(&format!("{path}/export.md")).await.body;
    assert!(exported.ends_with(
        "- **Services:** checkout, Payments-DB\n- **Tags:** Black Friday, dns\n- **Contributing factor:** Change — A deploy doubled the pool's connections, then — oddly — halved them.\n- **Contributing factor:** Monitoring gap\n"
    ), "{exported}");

    let labels = labels_json(&app, &path).await;
    assert_eq!(labels["services"][0], json!({ "id": checkout, "name": "checkout" }));
    assert_eq!(labels["tags"], json!(["Black Friday", "dns"]));
    assert_eq!(labels["factors"][1], json!({ "id": gap, "name": "Monitoring gap", "explanation": "" }));

    // The edit form shows them again, and a service named in another case is the same one.
    let edit = app.get(&format!("{path}/edit")).await;
    assert_eq!(edit.field_value("services"), "checkout, Payments-DB");
    assert_eq!(edit.field_value(&explain), "A deploy doubled the pool's connections, then — oddly — halved them.");
    let again =
        app.create_incident(&hindsight::domain::input::IncidentForm { services: "CheckOut".into(), ..form() }).await;
    assert_eq!(labels_json(&app, &again).await["services"][0]["id"], json!(checkout));
    assert_eq!(app.count("services").await, 2);
}

#[tokio::test]
async fn a_refused_form_keeps_every_label_typed_and_says_what_is_wrong() {
    let app = TestApp::new().await;
    let change = factor_id(&app, "Change").await;
    let capacity = factor_id(&app, "Capacity").await;
    let long_tag = "t".repeat(61);
    let tags = format!("ok, {long_tag}");
    let (tick, explain) = (format!("factor_{change}"), format!("factor_{change}_explanation"));
    let unticked = format!("factor_{capacity}_explanation");
    let response = app
        .post_form(
            "/incidents",
            &fields(&[
                ("services", "api\u{7}gateway, db"),
                ("tags", &tags),
                (&tick, "on"),
                (&explain, "Two\u{0}lines"),
                (&unticked, "Explained but not ticked"),
            ]),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.field_error("services").is_some_and(|m| m.contains("control characters")));
    assert!(response.field_error("tags").is_some_and(|m| m.contains("60 characters")));
    let factors = response.field_error("factors").unwrap_or_default();
    assert!(factors.contains("Change: contains a NUL") && factors.contains("Capacity: tick it"), "{factors}");
    assert_eq!(response.field_value("services"), "api\u{7}gateway, db");
    assert_eq!(response.field_value("tags"), tags);
    assert!(response.field_value(&explain).ends_with("lines"));
    assert_eq!(response.field_value(&unticked), "Explained but not ticked");
    assert!(response.attr(&format!("#{tick}"), "checked").is_some());
    assert_eq!(app.count("incidents").await, 0);
    assert_eq!(app.count("services").await, 0);
}

#[tokio::test]
async fn a_rename_keeps_every_link_a_taken_name_suggests_merging_and_a_merge_moves_the_links() {
    let app = TestApp::new().await;
    let first =
        app.create_incident(&hindsight::domain::input::IncidentForm { services: "api, db".into(), ..form() }).await;
    let second =
        app.create_incident(&hindsight::domain::input::IncidentForm { services: "API-gateway".into(), ..form() }).await;
    let api = service_id(&app, "api").await;
    let gateway = service_id(&app, "api-gateway").await;

    let renamed = app
        .post_form(
            &format!("/admin/services/{api}"),
            &[("name", "edge"), ("version", &version_of(&app, "services", api).await)],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    assert_eq!(app.get(&first).await.texts(".meta .chips a"), ["db", "edge"]);

    let taken = app
        .post_form(
            &format!("/admin/services/{api}"),
            &[("name", "API-Gateway"), ("version", &version_of(&app, "services", api).await)],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = taken.field_error(&format!("service-{api}-name")).unwrap_or_default();
    assert!(message.contains("already a service") && message.contains("merge"), "{message}");
    assert_eq!(taken.attr(&format!("#service-{api}-name"), "value").as_deref(), Some("API-Gateway"));

    let merged = app
        .post_form(
            &format!("/admin/services/{gateway}/merge"),
            &[("into", "EDGE"), ("version", &version_of(&app, "services", gateway).await)],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_eq!(app.get(&second).await.texts(".meta .chips a"), ["edge"]);
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM incident_services WHERE service_id = $1")
        .bind(gateway)
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(links, 0);
    // The old id leads to the one it was merged into, and its name too.
    let mut conn = app.pool.acquire().await.expect("a connection");
    assert_eq!(
        hindsight::db::services::current(&mut *conn, ServiceId(gateway)).await.expect("read"),
        Some(ServiceId(api))
    );
    let third =
        app.create_incident(&hindsight::domain::input::IncidentForm { services: "api-gateway".into(), ..form() }).await;
    assert_eq!(labels_json(&app, &third).await["services"][0]["id"], json!(api));
    let listing = app.get("/admin/services").await;
    assert_eq!(listing.texts(".services-table tbody td:first-child a"), ["db", "edge"]);
    assert!(app.get("/admin/audit").await.body.contains("Merged the service “API-gateway” into “edge”"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_merges_and_saves_at_the_same_moment_never_fail_and_leave_no_link_behind() {
    let app = Arc::new(TestApp::with_pool_settings(16, std::time::Duration::from_secs(10)).await);
    let mut paths = Vec::new();
    for n in 0..6 {
        let services = if n % 2 == 0 { "api, db" } else { "gateway, db" };
        paths.push(
            app.create_incident(&hindsight::domain::input::IncidentForm { services: services.into(), ..form() }).await,
        );
    }
    let (api, gateway, db) =
        (service_id(&app, "api").await, service_id(&app, "gateway").await, service_id(&app, "db").await);
    let mut jobs = JoinSet::new();
    for (n, path) in paths.iter().enumerate() {
        let (app, path) = (app.clone(), path.clone());
        let version =
            version_of(&app, "incidents", path.rsplit('/').next().and_then(|id| id.parse().ok()).unwrap_or(0)).await;
        let services = if n % 2 == 0 { "gateway, api, new-one" } else { "api, gateway" };
        jobs.spawn(async move {
            let sent = fields(&[("services", services), ("tags", "busy"), ("version", &version)]);
            ("save", app.post_form(&path, &sent).await.status)
        });
    }
    for (from, into) in [(gateway, "api"), (db, "api")] {
        let app = app.clone();
        let version = version_of(&app, "services", from).await;
        jobs.spawn(async move {
            (
                "merge",
                app.post_form(&format!("/admin/services/{from}/merge"), &[("into", into), ("version", &version)])
                    .await
                    .status,
            )
        });
    }
    let version = version_of(&app, "services", api).await;
    let renamer = app.clone();
    jobs.spawn(async move {
        (
            "rename",
            renamer
                .post_form(&format!("/admin/services/{api}"), &[("name", "api-v2"), ("version", &version)])
                .await
                .status,
        )
    });
    while let Some(done) = jobs.join_next().await {
        let (what, status) = done.expect("a request");
        // A save or a merge may find what it names renamed or merged meanwhile: a clear refusal.
        let answered = [StatusCode::SEE_OTHER, StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY];
        assert!(answered.contains(&status), "{what}: {status}");
    }
    let dangling: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM incident_services l JOIN services s ON s.id = l.service_id WHERE s.merged_into IS NOT NULL",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(dangling, 0, "no postmortem names a service merged away");
    for path in &paths {
        let names = app.get(path).await.texts(".meta .chips a:not(.chip-tag)");
        assert!(!names.iter().any(|name| name == "gateway" || name == "db"), "{path}: {names:?}");
    }
}

#[tokio::test]
async fn the_api_sets_labels_at_a_version_and_refuses_a_stale_or_unknown_one() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let id: i64 = path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id");
    let url = format!("/api{path}/labels");
    let version: i32 = version_of(&app, "incidents", id).await.parse().expect("a number");
    let body = json!({ "version": version, "services": ["edge", "db"], "tags": ["dns"],
                       "factors": [{ "name": "capacity", "explanation": "The pool, again." }] });
    let saved = app.post_body(&url, "application/json", body.to_string()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let json: Value = serde_json::from_str(&saved.body).expect("JSON");
    assert_eq!(json["services"][0]["name"], "db");
    assert_eq!(json["factors"][0]["name"], "Capacity");
    assert_eq!(json["version"], version + 1);

    let stale = app.post_body(&url, "application/json", body.to_string()).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let unknown = json!({ "version": version + 1, "factors": [{ "name": "Bad luck" }], "tags": ["a,b"] });
    let refused = app.post_body(&url, "application/json", unknown.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Bad luck") && refused.body.contains("comma"), "{}", refused.body);
    assert_eq!(labels_json(&app, &path).await["tags"], json!(["dns"]));

    let services: Value = serde_json::from_str(&app.get("/api/services").await.body).expect("JSON");
    assert_eq!(services[0]["name"], "db");
    assert_eq!(services[0]["incidents"], 1);
    let factors: Value = serde_json::from_str(&app.get("/api/factors").await.body).expect("JSON");
    assert_eq!(factors[0]["name"], "Change");
}

#[tokio::test]
async fn an_export_with_labels_imports_back_to_the_same_labels_and_bytes() {
    let app = TestApp::new().await;
    let change = factor_id(&app, "Change").await;
    let created = app
        .post_form(
            "/incidents",
            &fields(&[
                ("services", "edge, db"),
                ("tags", "dns, **bold**, <i>x</i>"),
                (&format!("factor_{change}"), "on"),
                (
                    &format!("factor_{change}_explanation"),
                    "A deploy, then *another* — see `v2`, [link](https://x.test).",
                ),
            ]),
        )
        .await;
    let path = created.location().to_owned();
    let exported = app.get(&format!("{path}/export.md")).await.body;
    let imported = app.post_body("/api/import?save=true", "text/markdown", exported.clone()).await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let again = app.get(&format!("{}/export.md", imported.location())).await.body;
    assert_eq!(again, exported);
    assert_eq!(labels_json(&app, imported.location()).await, labels_json(&app, &path).await);
}

#[tokio::test]
async fn an_admin_adds_renames_retires_and_restores_a_factor_which_stays_where_it_was_named() {
    let app = TestApp::new().await;
    let added = app.post_form("/admin/factors", &[("name", "Alert fatigue"), ("description", "Too many pages.")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let fatigue = factor_id(&app, "Alert fatigue").await;
    let duplicate = app.post_form("/admin/factors", &[("name", "alert FATIGUE")]).await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(duplicate.attr("#factor-name", "value").as_deref(), Some("alert FATIGUE"));

    let path = app
        .create_incident(&hindsight::domain::input::IncidentForm {
            factors: serde_urlencoded::from_str(&format!(
                "factor_{fatigue}=on&factor_{fatigue}_explanation=Paged+all+night."
            ))
            .expect("fields"),
            ..form()
        })
        .await;
    let version = version_of(&app, "factor_kinds", fatigue).await;
    let retired = app
        .post_form(
            &format!("/admin/factors/{fatigue}"),
            &[("name", "Pager fatigue"), ("description", "Too many pages."), ("retired", "on"), ("version", &version)],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER, "{}", retired.body);
    // Renamed on the postmortem at once, offered no more to a new one, still on its own form.
    assert_eq!(app.get(&path).await.texts(".factors .factor-name"), ["Pager fatigue"]);
    assert!(
        app.get("/incidents/new")
            .await
            .html()
            .select(&scraper::Selector::parse(&format!("#factor_{fatigue}")).expect("selector"))
            .next()
            .is_none()
    );
    assert!(app.get(&format!("{path}/edit")).await.attr(&format!("#factor_{fatigue}"), "checked").is_some());
    let stale =
        app.post_form(&format!("/admin/factors/{fatigue}"), &[("name", "Fatigue"), ("version", &version)]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.attr(&format!("#factor-{fatigue}-name"), "value").as_deref(), Some("Fatigue"));
}
