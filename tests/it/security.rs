//! The front door: security headers on every response and cross-site requests refused, checked
//! across the whole route table.

use crate::harness::{TestApp, form};
use crate::routes::{ROUTES, fill, populated, snapshot};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let admin = app.sign_in_as(hindsight::domain::Role::Admin).await;
    let ids = populated(&app, admin).await;
    let mut paths: Vec<String> =
        ROUTES.iter().filter(|(method, _, _)| *method == "GET").map(|(_, path, _)| fill(path, &ids)).collect();
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
        let cache = response.header("cache-control");
        if path.starts_with("/static/") {
            assert_ne!(cache, "no-store", "{path}: the stylesheet keeps its own (revalidated by its ETag)");
        } else if path.starts_with("/p/") && response.status.is_success() {
            assert_eq!(cache, "public, max-age=60", "{path}: a public version is the same for everyone");
        } else {
            assert_eq!(cache, "no-store", "{path}: a person's page is kept by no cache");
        }
    }
}

/// Over HTTPS (the proxy says so) browsers are told to keep to it; over plain HTTP, where a
/// browser would ignore it, the header is not sent.
#[tokio::test]
async fn https_is_kept_to_once_a_browser_has_used_it() {
    let app = TestApp::new().await;
    for path in ["/incidents", "/login", "/no/such/page", "/healthz"] {
        let over_https = Request::get(path).header("x-forwarded-proto", "https").body(Body::empty()).expect("request");
        assert_eq!(app.request(over_https).await.header("strict-transport-security"), "max-age=31536000", "{path}");
        assert_eq!(app.get(path).await.header("strict-transport-security"), "", "{path} over HTTP");
    }
}

#[tokio::test]
async fn a_cross_site_request_changes_nothing_on_any_route() {
    let app = TestApp::new().await;
    let admin = app.sign_in_as(hindsight::domain::Role::Admin).await;
    let ids = populated(&app, admin).await;
    let before = snapshot(&app).await;
    let mut refused = 0;
    for (method, path, _) in ROUTES {
        if *method != "GET" {
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
    let state_changing = ROUTES.iter().filter(|(method, _, _)| *method != "GET").count();
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
