//! The front door: security headers on every response and cross-site requests refused, checked
//! across the whole route table.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;

use crate::harness::{TestApp, form};

/// Every route of the application, with the methods it answers. `every_route_is_in_the_table`
/// keeps this in step with `src/web/mod.rs`.
const ROUTES: &[(&str, &[&str])] = &[
    ("/", &["GET"]),
    ("/incidents", &["GET", "POST"]),
    ("/incidents/new", &["GET"]),
    ("/incidents/export.zip", &["GET"]),
    ("/incidents/{id}", &["GET", "POST"]),
    ("/incidents/{id}/edit", &["GET"]),
    ("/incidents/{id}/delete", &["GET", "POST"]),
    ("/incidents/{id}/export.md", &["GET"]),
    ("/incidents/{id}/markdown", &["GET"]),
    ("/incidents/{id}/timeline", &["POST"]),
    ("/incidents/{id}/timeline/{entry}", &["POST"]),
    ("/incidents/{id}/timeline/{entry}/edit", &["GET"]),
    ("/incidents/{id}/timeline/{entry}/delete", &["POST"]),
    ("/incidents/{id}/actions", &["POST"]),
    ("/incidents/{id}/actions/{item}", &["POST"]),
    ("/incidents/{id}/actions/{item}/edit", &["GET"]),
    ("/incidents/{id}/actions/{item}/done", &["POST"]),
    ("/incidents/{id}/actions/{item}/delete", &["POST"]),
    ("/incidents/{id}/sections", &["POST"]),
    ("/incidents/{id}/sections/{section}", &["POST"]),
    ("/incidents/{id}/sections/{section}/edit", &["GET"]),
    ("/incidents/{id}/sections/{section}/delete", &["POST"]),
    ("/import", &["GET", "POST"]),
    ("/import/preview", &["POST"]),
    ("/import/saved", &["GET"]),
    ("/api/import", &["POST"]),
    ("/api/incidents/{id}", &["GET"]),
    ("/api/incidents/{id}/export.md", &["GET"]),
    ("/healthz", &["GET"]),
    ("/readyz", &["GET"]),
    ("/static/{file}", &["GET"]),
];

#[test]
fn every_route_is_in_the_table() {
    let source = include_str!("../../src/web/mod.rs");
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    for line in source.lines().map(str::trim).filter(|line| line.starts_with(".route(\"")) {
        let rest = &line[".route(\"".len()..];
        let Some((path, handlers)) = rest.split_once('"') else { continue };
        let methods = ["get", "post", "put", "patch", "delete"]
            .iter()
            .filter(|m| handlers.contains(&format!("{m}(")) || handlers.contains(&format!(".{m}(")))
            .map(|m| m.to_uppercase())
            .collect();
        found.push((path.to_owned(), methods));
    }
    let table: Vec<(String, Vec<String>)> = ROUTES
        .iter()
        .map(|(path, methods)| ((*path).to_owned(), methods.iter().map(|m| (*m).to_owned()).collect()))
        .collect();
    assert_eq!(found, table, "the route table in this test must list every route and method");
}

/// A postmortem with one of everything, and the ids to fill the route table with.
async fn populated(app: &TestApp) -> Vec<(&'static str, String)> {
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Fix it")]).await;
    app.post_form(&format!("{path}/sections"), &[("heading", "Detection"), ("body", "Pager")]).await;
    let json: Value = serde_json::from_str(&app.get(&format!("/api{path}")).await.body).expect("JSON");
    vec![
        ("{id}", json["id"].to_string()),
        ("{entry}", json["timeline"][0]["id"].to_string()),
        ("{item}", json["action_items"][0]["id"].to_string()),
        ("{section}", json["sections"][0]["id"].to_string()),
        ("{file}", "hindsight.css".to_owned()),
    ]
}

fn fill(path: &str, ids: &[(&str, String)]) -> String {
    ids.iter().fold(path.to_owned(), |path, (name, value)| path.replace(name, value))
}

/// Everything stored, as one value: any change to any row changes it.
async fn snapshot(app: &TestApp) -> String {
    let mut all = String::new();
    for table in ["incidents", "timeline_entries", "action_items", "incident_sections"] {
        let query = format!("SELECT coalesce(string_agg(t::text, '|' ORDER BY t.id), '') FROM {table} t");
        let rows: String = sqlx::query_scalar(&query).fetch_one(&app.pool).await.expect("snapshot");
        all.push_str(&rows);
    }
    all
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let ids = populated(&app).await;
    let mut paths: Vec<String> =
        ROUTES.iter().filter(|(_, methods)| methods.contains(&"GET")).map(|(path, _)| fill(path, &ids)).collect();
    paths.push("/no/such/page".to_owned());
    for path in &paths {
        let response = app.get(path).await;
        assert!(!response.status.is_server_error(), "{path}: {}", response.status);
        let csp = response.header("content-security-policy");
        for directive in ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(csp.contains("form-action 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(response.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(response.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(response.header("referrer-policy"), "same-origin", "{path}");
    }
}

#[tokio::test]
async fn a_cross_site_request_changes_nothing_on_any_route() {
    let app = TestApp::new().await;
    let ids = populated(&app).await;
    let before = snapshot(&app).await;
    let mut refused = 0;
    for (path, methods) in ROUTES {
        for method in methods.iter().filter(|m| **m != "GET") {
            let uri = fill(path, &ids);
            // What a form on another site would send, with values that would otherwise be saved.
            let body = "title=Forged&severity=SEV1&status=draft&started_at=2025-01-01T00:00&utc_offset=UTC\
                        &version=1&time=10:00&body=Forged&heading=Forged&markdown=%23+Forged&action=save\
                        &doc0-source=%23+Forged%0A%0A**Start:**+2025-01-01+10:00+UTC";
            for (fetch_site, origin) in
                [("cross-site", "https://evil.example"), ("same-site", "https://evil.localhost")]
            {
                let request = Request::builder()
                    .method(Method::from_bytes(method.as_bytes()).expect("a method"))
                    .uri(&uri)
                    .header(header::HOST, "hindsight.example")
                    .header(header::ORIGIN, origin)
                    .header("sec-fetch-site", fetch_site)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .expect("a request");
                let response = app.request(request).await;
                assert_eq!(response.status, StatusCode::FORBIDDEN, "{method} {uri} from {origin}");
                if !uri.starts_with("/api/") {
                    assert!(response.text("h1").contains("another site"), "{method} {uri}: {}", response.body);
                }
                refused += 1;
            }
            // An old browser sends only Origin.
            let request = Request::builder()
                .method(Method::from_bytes(method.as_bytes()).expect("a method"))
                .uri(&uri)
                .header(header::HOST, "hindsight.example")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("a request");
            assert_eq!(app.request(request).await.status, StatusCode::FORBIDDEN, "{method} {uri}, Origin only");
        }
    }
    let state_changing = ROUTES.iter().flat_map(|(_, methods)| methods.iter()).filter(|m| **m != "GET").count();
    assert_eq!(refused, 2 * state_changing, "every state-changing route was tried");
    assert_eq!(snapshot(&app).await, before, "a refused request changed nothing");

    // The same form from Hindsight's own pages, and a script without browser headers, still work.
    let same_origin = Request::builder()
        .method(Method::POST)
        .uri("/incidents")
        .header(header::HOST, "hindsight.example")
        .header(header::ORIGIN, "http://hindsight.example")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(form()).expect("a form")))
        .expect("a request");
    assert_eq!(app.request(same_origin).await.status, StatusCode::SEE_OTHER);
    let script = app.post_body("/api/import", "text/markdown", "# Outage\n").await;
    assert_eq!(script.status, StatusCode::OK);
}
