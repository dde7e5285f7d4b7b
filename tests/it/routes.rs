//! The application's route table as the tests see it: every route and method, with who may use
//! it. `every_route_is_in_the_table` keeps it in step with `src/web/mod.rs`, so a new route
//! cannot be left out of the security and authorization tests.

use axum::http::StatusCode;
use hindsight::domain::{Role, UserId};
use serde_json::Value;

use crate::harness::{TestApp, form};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; the status an anonymous visitor gets for the request the tests send.
    Public(StatusCode),
    /// People with this role or a higher one.
    Least(Role),
}

use Access::{Least, Public};
use Role::{Admin, Engineer, Manager, Viewer};

/// Every route and method. The order matters to the authorization test, which sends them in
/// this order: what deletes or signs out comes last.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/login", Public(StatusCode::OK)),
    ("POST", "/login", Public(StatusCode::UNAUTHORIZED)),
    ("GET", "/setup", Public(StatusCode::SEE_OTHER)),
    ("POST", "/setup", Public(StatusCode::SEE_OTHER)),
    ("GET", "/reset/{secret}", Public(StatusCode::OK)),
    ("POST", "/reset/{secret}", Public(StatusCode::UNPROCESSABLE_ENTITY)),
    ("GET", "/healthz", Public(StatusCode::OK)),
    ("GET", "/readyz", Public(StatusCode::OK)),
    ("GET", "/metrics", Public(StatusCode::OK)),
    ("GET", "/static/{file}", Public(StatusCode::OK)),
    ("GET", "/p/feed.atom", Public(StatusCode::OK)),
    ("GET", "/p/{file}", Public(StatusCode::NOT_FOUND)),
    ("GET", "/", Least(Viewer)),
    ("GET", "/incidents", Least(Viewer)),
    ("GET", "/incidents/export.zip", Least(Viewer)),
    ("GET", "/incidents/{id}", Least(Viewer)),
    ("GET", "/incidents/{id}/export.md", Least(Viewer)),
    ("GET", "/incidents/{id}/markdown", Least(Viewer)),
    ("GET", "/incidents/{id}/revisions", Least(Viewer)),
    ("GET", "/incidents/{id}/revisions/{number}", Least(Viewer)),
    ("GET", "/incidents/{id}/compare", Least(Viewer)),
    ("GET", "/incidents/{id}/public", Least(Viewer)),
    ("GET", "/action-items", Least(Viewer)),
    ("GET", "/action-items.csv", Least(Viewer)),
    ("GET", "/action-items.md", Least(Viewer)),
    ("GET", "/action-items/mine", Least(Viewer)),
    ("GET", "/teams", Least(Viewer)),
    ("GET", "/teams/{team}", Least(Viewer)),
    ("GET", "/services", Least(Viewer)),
    ("GET", "/services/{service}", Least(Viewer)),
    ("GET", "/themes", Least(Viewer)),
    ("GET", "/feeds/people/{user}/due.ics", Least(Viewer)),
    ("GET", "/feeds/teams/{team}/due.ics", Least(Viewer)),
    ("GET", "/feeds/postmortems.atom", Least(Viewer)),
    ("GET", "/api/incidents/{id}", Least(Viewer)),
    ("GET", "/api/incidents/{id}/export.md", Least(Viewer)),
    ("GET", "/api/services", Least(Viewer)),
    ("GET", "/api/factors", Least(Viewer)),
    ("GET", "/account", Least(Viewer)),
    ("GET", "/help", Least(Viewer)),
    ("GET", "/search", Least(Viewer)),
    ("GET", "/api/search", Least(Viewer)),
    ("POST", "/account/password", Least(Viewer)),
    ("POST", "/account/tokens", Least(Viewer)),
    ("GET", "/incidents/new", Least(Engineer)),
    ("POST", "/preview", Least(Engineer)),
    ("POST", "/incidents/new/draft", Least(Engineer)),
    ("POST", "/incidents/new/draft/discard", Least(Engineer)),
    ("POST", "/incidents/{id}/draft", Least(Engineer)),
    ("POST", "/incidents/{id}/draft/discard", Least(Engineer)),
    ("POST", "/incidents/{id}/timeline/paste", Least(Engineer)),
    ("POST", "/incidents", Least(Engineer)),
    ("GET", "/incidents/{id}/edit", Least(Engineer)),
    ("POST", "/incidents/{id}", Least(Engineer)),
    ("POST", "/incidents/{id}/timeline", Least(Engineer)),
    ("GET", "/incidents/{id}/timeline/{entry}/edit", Least(Engineer)),
    ("POST", "/incidents/{id}/timeline/{entry}", Least(Engineer)),
    ("POST", "/incidents/{id}/actions", Least(Engineer)),
    ("GET", "/incidents/{id}/actions/{item}/edit", Least(Engineer)),
    ("POST", "/incidents/{id}/actions/{item}", Least(Engineer)),
    ("POST", "/incidents/{id}/actions/{item}/done", Least(Engineer)),
    ("POST", "/incidents/{id}/actions/{item}/verify", Least(Engineer)),
    ("POST", "/incidents/{id}/actions/{item}/unverify", Least(Engineer)),
    ("POST", "/incidents/{id}/sections", Least(Engineer)),
    ("GET", "/incidents/{id}/sections/{section}/edit", Least(Engineer)),
    ("POST", "/incidents/{id}/sections/{section}", Least(Engineer)),
    ("GET", "/incidents/{id}/recurrences/new", Least(Engineer)),
    ("POST", "/incidents/{id}/recurrences", Least(Engineer)),
    ("POST", "/api/incidents/{id}/recurrences", Least(Engineer)),
    ("GET", "/import", Least(Engineer)),
    ("POST", "/import", Least(Engineer)),
    ("POST", "/import/preview", Least(Engineer)),
    ("GET", "/import/saved", Least(Engineer)),
    ("POST", "/api/incidents/{id}/labels", Least(Engineer)),
    ("POST", "/api/import", Least(Engineer)),
    ("POST", "/api/incidents/{id}/action-items/{item}/verify", Least(Engineer)),
    ("POST", "/api/incidents/{id}/action-items/{item}/unverify", Least(Engineer)),
    ("POST", "/incidents/{id}/comments", Least(Engineer)),
    ("POST", "/incidents/{id}/submit", Least(Engineer)),
    ("POST", "/incidents/{id}/publish", Least(Engineer)),
    ("POST", "/incidents/{id}/public", Least(Engineer)),
    ("POST", "/incidents/{id}/public/submit", Least(Engineer)),
    ("POST", "/incidents/{id}/approve", Least(Manager)),
    ("POST", "/incidents/{id}/send-back", Least(Manager)),
    ("POST", "/incidents/{id}/public/approve", Least(Manager)),
    ("POST", "/incidents/{id}/public/send-back", Least(Manager)),
    ("POST", "/incidents/{id}/public/withdraw", Least(Manager)),
    ("GET", "/admin/users", Least(Admin)),
    ("POST", "/admin/users", Least(Admin)),
    ("GET", "/admin/users/{user}", Least(Admin)),
    ("POST", "/admin/users/{user}/reset", Least(Admin)),
    ("POST", "/admin/users/{user}/owners", Least(Admin)),
    ("POST", "/admin/users/{user}", Least(Admin)),
    ("GET", "/admin/teams", Least(Admin)),
    ("POST", "/admin/teams", Least(Admin)),
    ("POST", "/admin/teams/{team}", Least(Admin)),
    ("GET", "/admin/services", Least(Admin)),
    ("POST", "/admin/services/{service}", Least(Admin)),
    ("POST", "/admin/services/{service}/merge", Least(Admin)),
    ("GET", "/admin/factors", Least(Admin)),
    ("POST", "/admin/factors", Least(Admin)),
    ("POST", "/admin/factors/{factor}", Least(Admin)),
    ("GET", "/admin/templates", Least(Admin)),
    ("POST", "/admin/templates", Least(Admin)),
    ("GET", "/admin/templates/new", Least(Admin)),
    ("GET", "/admin/templates/{template}", Least(Admin)),
    ("POST", "/admin/templates/{template}", Least(Admin)),
    ("POST", "/admin/severity-rules", Least(Admin)),
    ("GET", "/admin/audit", Least(Admin)),
    ("GET", "/admin/webhooks", Least(Admin)),
    ("POST", "/admin/webhooks", Least(Admin)),
    ("GET", "/admin/webhooks/{hook}", Least(Admin)),
    ("POST", "/admin/webhooks/{hook}", Least(Admin)),
    ("POST", "/admin/webhooks/{hook}/ping", Least(Admin)),
    ("POST", "/admin/webhooks/{hook}/deliveries/{delivery}/retry", Least(Admin)),
    ("POST", "/admin/teams/{team}/delete", Least(Admin)),
    ("POST", "/admin/webhooks/{hook}/delete", Least(Admin)),
    ("GET", "/admin/wiki", Least(Admin)),
    ("POST", "/admin/wiki", Least(Admin)),
    ("GET", "/admin/wiki/{destination}", Least(Admin)),
    ("POST", "/admin/wiki/{destination}", Least(Admin)),
    ("POST", "/admin/wiki/{destination}/sync", Least(Admin)),
    ("POST", "/admin/wiki/{destination}/forget-host-key", Least(Admin)),
    ("POST", "/admin/wiki/{destination}/new-key", Least(Admin)),
    ("POST", "/admin/wiki/{destination}/delete", Least(Admin)),
    ("POST", "/admin/templates/{template}/delete", Least(Admin)),
    ("POST", "/incidents/{id}/timeline/{entry}/delete", Least(Engineer)),
    ("POST", "/incidents/{id}/actions/{item}/delete", Least(Engineer)),
    ("POST", "/incidents/{id}/sections/{section}/delete", Least(Engineer)),
    ("POST", "/incidents/{id}/recurrences/{earlier}/delete", Least(Engineer)),
    ("DELETE", "/api/incidents/{id}/recurrences/{earlier}", Least(Engineer)),
    ("POST", "/account/tokens/{token}/revoke", Least(Viewer)),
    ("GET", "/incidents/{id}/delete", Least(Manager)),
    ("POST", "/incidents/{id}/delete", Least(Manager)),
    ("POST", "/account/sessions/revoke", Least(Viewer)),
    ("POST", "/logout", Public(StatusCode::SEE_OTHER)),
];

#[test]
fn every_route_is_in_the_table() {
    let source = include_str!("../../src/web/mod.rs");
    let mut found: Vec<(String, String)> = Vec::new();
    for (start, _) in source.match_indices(".route(\"") {
        let line = source[start..].lines().next().unwrap_or_default();
        let rest = &line[".route(\"".len()..];
        let Some((path, handlers)) = rest.split_once('"') else { continue };
        for method in ["get", "post", "put", "patch", "delete"] {
            if handlers.contains(&format!(" {method}(")) || handlers.contains(&format!(".{method}(")) {
                found.push((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    found.sort();
    let mut table: Vec<(String, String)> = ROUTES.iter().map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    table.sort();
    assert_eq!(found, table, "the route table in this test must list every route and method");
}

/// One of everything the routes name, made by the app's admin session, and the values to put
/// in the route table's placeholders. The API token belongs to `token_owner`.
pub async fn populated(app: &TestApp, token_owner: UserId) -> Vec<(&'static str, String)> {
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Fix it")]).await;
    app.post_form(&format!("{path}/sections"), &[("heading", "Detection"), ("body", "Pager")]).await;
    let json: Value = serde_json::from_str(&app.get(&format!("/api{path}")).await.body).expect("JSON");
    let team = app.post_form("/admin/teams", &[("name", format!("Team {}", json["id"]))]).await;
    assert_eq!(team.status, StatusCode::SEE_OTHER, "{}", team.body);
    let team: i64 = sqlx::query_scalar("SELECT max(id) FROM teams").fetch_one(&app.pool).await.expect("a team");
    let added = app
        .post_form("/admin/users", &[("email", format!("p{}@example.com", json["id"])), ("role", "viewer".into())])
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let link = added.text("pre.secret code");
    let secret = link.rsplit('/').next().expect("a link").to_owned();
    let user: i64 = sqlx::query_scalar("SELECT max(id) FROM users").fetch_one(&app.pool).await.expect("a user");
    let digest = hindsight::auth::token::digest(&format!("hst_route-table-{}", json["id"]));
    let token = hindsight::db::api_tokens::insert(
        &app.pool,
        token_owner,
        "route table",
        hindsight::domain::TokenScope::Api,
        &digest,
    )
    .await
    .expect("a token");
    let made = app
        .post_form(
            "/admin/templates",
            &[("name", format!("Template {}", json["id"])), ("body", "## Summary\n\nWhat happened?".to_owned())],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let template: i64 =
        sqlx::query_scalar("SELECT max(id) FROM postmortem_templates").fetch_one(&app.pool).await.expect("a template");
    let hook = hindsight::db::webhooks::insert(
        &app.pool,
        "https://example.com/hook",
        "route-table-secret-0123456789",
        &["ping".to_owned()],
        token_owner,
    )
    .await
    .expect("a webhook");
    let delivery: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_deliveries (webhook_id, event, payload, state, attempts)
         VALUES ($1, 'ping', '{}', 'failed', 10) RETURNING id",
    )
    .bind(hook.0)
    .fetch_one(&app.pool)
    .await
    .expect("a failed delivery");
    let written = hindsight::db::wiki::Written {
        name: "Route table wiki",
        url: "file:///nonexistent/wiki.git",
        branch: "main",
        folder: "",
        file_pattern: "{date}-{slug}.md",
        index_name: "index.md",
        auth: "none",
        token_user: "",
        team_ids: &[],
        service_ids: &[],
        active: true,
    };
    let destination =
        hindsight::db::wiki::insert(&app.pool, &written, None, token_owner).await.expect("a wiki destination");
    let service: i64 = sqlx::query_scalar("INSERT INTO services (name) VALUES ($1) RETURNING id")
        .bind(format!("Service {}", json["id"]))
        .fetch_one(&app.pool)
        .await
        .expect("a service");
    let factor: i64 =
        sqlx::query_scalar("SELECT min(id) FROM factor_kinds").fetch_one(&app.pool).await.expect("a factor kind");
    vec![
        ("{id}", json["id"].to_string()),
        ("{earlier}", json["id"].to_string()),
        ("{service}", service.to_string()),
        ("{factor}", factor.to_string()),
        ("{hook}", hook.to_string()),
        ("{delivery}", delivery.to_string()),
        ("{destination}", destination.to_string()),
        ("{entry}", json["timeline"][0]["id"].to_string()),
        ("{item}", json["action_items"][0]["id"].to_string()),
        ("{section}", json["sections"][0]["id"].to_string()),
        ("{number}", "1".to_owned()),
        ("{file}", "hindsight.css".to_owned()),
        ("{secret}", secret),
        ("{user}", user.to_string()),
        ("{team}", team.to_string()),
        ("{template}", template.to_string()),
        ("{token}", token.to_string()),
    ]
}

pub fn fill(path: &str, ids: &[(&str, String)]) -> String {
    ids.iter().fold(path.to_owned(), |path, (name, value)| path.replace(name, value))
}

/// Everything stored, as one value: any change to any row changes it. Sessions are left out
/// (a request may refresh its own session's last use), and so are login failures and API
/// tokens' last use.
pub async fn snapshot(app: &TestApp) -> String {
    let mut all = String::new();
    for table in [
        "incidents",
        "timeline_entries",
        "action_items",
        "incident_sections",
        "users",
        "teams",
        "team_members",
        "api_tokens",
        "password_resets",
        "audit_events",
        "review_comments",
        "revisions",
        "webhooks",
        "webhook_deliveries",
        "wiki_destinations",
        "wiki_jobs",
        "form_drafts",
        "postmortem_templates",
        "severity_rules",
        "search_documents",
        "services",
        "incident_services",
        "incident_tags",
        "factor_kinds",
        "incident_factors",
        "incident_recurrences",
        "action_item_recurrences",
        "public_versions",
        "public_version_steps",
    ] {
        // A token's last use is noted even on a refused request, as a session's is.
        let rows = if table == "api_tokens" {
            "(SELECT id, user_id, name, token_hash, created_at, revoked_at FROM api_tokens)"
        } else {
            table
        };
        let query = format!("SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM {rows} t");
        let rows: String = sqlx::query_scalar(&query).fetch_one(&app.pool).await.expect("snapshot");
        all.push_str(&rows);
    }
    all
}
