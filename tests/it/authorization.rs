//! Authorization on every route: each route of the table in `routes.rs`, for an anonymous
//! visitor and for each role, gets the outcome the table implies, and a refused request changes
//! nothing.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use hindsight::domain::Role;

use crate::harness::{TestApp, TestResponse};
use crate::routes::{Access, ROUTES, fill, populated, snapshot};

const VISITORS: [Option<Role>; 5] =
    [None, Some(Role::Viewer), Some(Role::Engineer), Some(Role::Manager), Some(Role::Admin)];

async fn send(app: &TestApp, method: &str, uri: &str) -> TestResponse {
    let request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("a method"))
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .expect("a request");
    app.request(request).await
}

fn redirects_to_login(response: &TestResponse) -> bool {
    response.status == StatusCode::SEE_OTHER && response.location().starts_with("/login")
}

#[tokio::test]
async fn every_route_answers_anonymous_and_each_role_as_the_table_says() {
    let app = TestApp::new().await;
    let mut cells = 0;
    for visitor in VISITORS {
        // Fresh things to act on for each visitor, made by an admin.
        let admin = app.sign_in_as(Role::Admin).await;
        let person = match visitor {
            Some(role) => app.create_user(role).await,
            None => admin,
        };
        let ids = populated(&app, person).await;
        for (method, path, access) in ROUTES {
            let uri = fill(path, &ids);
            // A new session each time: some routes end the session they are sent with.
            match visitor {
                Some(_) => app.new_session(person).await,
                None => app.set_cookie(None),
            }
            let before = snapshot(&app).await;
            let response = send(&app, method, &uri).await;
            let cell = format!("{method} {uri} as {}", visitor.map_or("anonymous", Role::as_str));
            assert!(!response.status.is_server_error(), "{cell}: {}", response.status);
            let allowed = match (access, visitor) {
                (Access::Public(expected), None) => {
                    assert_eq!(response.status, *expected, "{cell}");
                    true
                }
                (Access::Public(_), Some(_)) => {
                    let refused = response.status == StatusCode::FORBIDDEN
                        || (response.status == StatusCode::UNAUTHORIZED && *path != "/login");
                    assert!(!refused, "{cell}: {}", response.status);
                    true
                }
                (Access::Least(_), None) if path.starts_with("/api/") => {
                    assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{cell}");
                    assert!(response.header("www-authenticate").starts_with("Bearer"), "{cell}");
                    false
                }
                (Access::Least(_), None) => {
                    assert!(redirects_to_login(&response), "{cell}: {} {}", response.status, response.location());
                    false
                }
                (Access::Least(needed), Some(role)) if !role.includes(*needed) => {
                    assert_eq!(response.status, StatusCode::FORBIDDEN, "{cell}");
                    false
                }
                (Access::Least(_), Some(_)) => {
                    let refused = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];
                    assert!(!refused.contains(&response.status), "{cell}: {}", response.status);
                    // Signing out everywhere is the one allowed request that ends at the sign-in page.
                    assert_eq!(redirects_to_login(&response), *path == "/account/sessions/revoke", "{cell}");
                    true
                }
            };
            if !allowed {
                assert_eq!(snapshot(&app).await, before, "{cell}: a refused request changed something");
            }
            cells += 1;
        }
    }
    assert_eq!(cells, ROUTES.len() * VISITORS.len());
    assert_eq!(cells, 136 * 5, "the size of the route × role matrix, as reported");
}

#[tokio::test]
async fn where_existence_must_not_leak_the_answer_is_the_same() {
    let app = TestApp::new().await;
    let path = app.create_incident(&crate::harness::form()).await;

    // Anonymous: an existing and a missing postmortem look alike.
    app.set_cookie(None);
    let existing = app.get(&path).await;
    let missing = app.get("/incidents/999999").await;
    assert_eq!(
        (existing.status, existing.location()),
        (StatusCode::SEE_OTHER, format!("/login?next=%2Fincidents%2F{}", &path["/incidents/".len()..]).as_str())
    );
    assert_eq!(missing.status, StatusCode::SEE_OTHER);
    let api_existing = app.get(&format!("/api{path}")).await;
    let api_missing = app.get("/api/incidents/999999").await;
    assert_eq!((api_existing.status, api_existing.body.len()), (StatusCode::UNAUTHORIZED, api_missing.body.len()));

    // Someone else's API token cannot be told apart from one that does not exist.
    let owner = app.sign_in_as(Role::Engineer).await;
    let digest = hindsight::auth::token::digest("hst_someone-elses");
    let theirs =
        hindsight::db::api_tokens::insert(&app.pool, owner, "theirs", hindsight::domain::TokenScope::Api, &digest)
            .await
            .expect("a token");
    app.sign_in_as(Role::Viewer).await;
    let other = app.post_empty(&format!("/account/tokens/{theirs}/revoke")).await;
    let nothing = app.post_empty("/account/tokens/999999/revoke").await;
    assert_eq!((other.status, nothing.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(other.text("h1"), nothing.text("h1"));
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(live, 1, "their token still works");

    // A non-admin learns nothing about which accounts exist.
    let real = app.get(&format!("/admin/users/{owner}")).await;
    let fake = app.get("/admin/users/999999").await;
    assert_eq!((real.status, fake.status), (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN));
    assert_eq!(real.text("h1"), fake.text("h1"));
    assert_eq!(real.texts("main p")[1], fake.texts("main p")[1]);
}
