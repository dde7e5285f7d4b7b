//! Accounts: first start, signing in and out, the session cookie, throttling, passwords,
//! one-time links, API tokens, the SSO proxy header, and attribution of every change.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use hindsight::AppState;
use hindsight::auth::{password, throttle};
use hindsight::domain::{Role, UserId};
use hindsight::web::admission::Limits;
use hindsight::web::auth::AuthSettings;

use crate::harness::{QUEUE_WAIT, REQUEST_DEADLINE, TestApp, TestResponse, form};

const PASSWORD: &str = "pager duty at 3am";

/// Gives a test user a password.
async fn set_password(app: &TestApp, user: UserId, password: &str) {
    let hash = password::hash(password.to_owned()).await.expect("hash");
    hindsight::db::users::set_password(&app.pool, user, &hash).await.expect("set password");
}

async fn email_of(app: &TestApp, user: UserId) -> String {
    hindsight::db::users::find(&app.pool, user).await.expect("query").expect("a user").email
}

/// Posts the sign-in form as a browser at `host` would, from `client`.
async fn sign_in(app: &TestApp, host: &str, client: &str, email: &str, password: &str) -> TestResponse {
    let body = serde_urlencoded::to_string([("email", email), ("password", password), ("next", "/incidents/new")])
        .expect("a form");
    let mut request = Request::post("/login")
        .header(header::HOST, host)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("a request");
    let address = format!("{client}:40000").parse().expect("an address");
    request.extensions_mut().insert(ConnectInfo::<std::net::SocketAddr>(address));
    app.request(request).await
}

/// The `name=value` part of a response's Set-Cookie.
fn cookie_pair(response: &TestResponse) -> String {
    response.header("set-cookie").split(';').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_first_visit_creates_the_admin_and_only_once() {
    let app = TestApp::anonymous().await;
    let first = app.get("/incidents").await;
    assert_eq!((first.status, first.location()), (StatusCode::SEE_OTHER, "/login"));
    let login = app.get("/login").await;
    assert_eq!((login.status, login.location()), (StatusCode::SEE_OTHER, "/setup"), "no one can sign in yet");
    let setup = app.get("/setup").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.contains("no default password"), "{}", setup.body);

    let weak = app
        .post_form(
            "/setup",
            &[
                ("name", "Ann"),
                ("email", "ann@example.com"),
                ("password", "password1234"),
                ("password_confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.field_errors(1)[0].contains("most common passwords"), "{}", weak.body);
    assert_eq!(weak.field_value("password"), "", "a refused password is not sent back");
    assert_eq!(weak.field_value("email"), "ann@example.com", "the rest is kept");
    assert_eq!(app.count("users").await, 0);

    let made = app
        .post_form(
            "/setup",
            &[("name", "Ann"), ("email", "ann@example.com"), ("password", PASSWORD), ("password_confirm", PASSWORD)],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    assert!(made.header("set-cookie").contains("HttpOnly"), "signed in at once");
    app.set_cookie(Some(cookie_pair(&made)));
    let page = app.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK, "the first account is an admin");

    app.set_cookie(None);
    let again = app
        .post_form(
            "/setup",
            &[("name", "Eve"), ("email", "eve@example.com"), ("password", PASSWORD), ("password_confirm", PASSWORD)],
        )
        .await;
    assert_eq!((again.status, again.location()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(app.get("/setup").await.location(), "/login");
    assert_eq!(app.count("users").await, 1, "set-up happens once");
}

#[tokio::test]
async fn signing_in_sets_a_hardened_cookie_with_a_new_id_and_signing_out_ends_it_on_the_server() {
    let app = TestApp::anonymous().await;
    let user = app.create_user(Role::Engineer).await;
    set_password(&app, user, PASSWORD).await;
    let email = email_of(&app, user).await;

    // Over HTTPS (any host but this machine): Secure, and the __Host- prefix.
    let response = sign_in(&app, "hindsight.example.com", "192.0.2.1", &email, PASSWORD).await;
    assert_eq!((response.status, response.location()), (StatusCode::SEE_OTHER, "/incidents/new"));
    let cookie = response.header("set-cookie").to_owned();
    assert!(cookie.starts_with("__Host-hindsight_session="), "{cookie}");
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.split("; ").any(|a| a == attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain="), "__Host- cookies have no Domain: {cookie}");
    let first = cookie_pair(&response);

    // Plain HTTP to localhost: browsers drop Secure cookies there, so neither Secure nor the prefix.
    let local = sign_in(&app, "localhost:3000", "127.0.0.1", &email, PASSWORD).await;
    let local_cookie = local.header("set-cookie");
    assert!(local_cookie.starts_with("hindsight_session=") && !local_cookie.contains("Secure"), "{local_cookie}");
    assert!(local_cookie.contains("HttpOnly") && local_cookie.contains("SameSite=Lax"));

    // Signing in again from a signed-in browser gives a new id, and the old one stops working.
    app.set_cookie(Some(first.clone()));
    let again = sign_in(&app, "hindsight.example.com", "192.0.2.1", &email, PASSWORD).await;
    let second = cookie_pair(&again);
    assert_ne!(first, second, "the session id changes at sign-in");
    assert_eq!(app.get("/account").await.status, StatusCode::SEE_OTHER, "the old id is gone");
    app.set_cookie(Some(second.clone()));
    assert_eq!(app.get("/account").await.status, StatusCode::OK);

    // Signing out deletes the session on the server: replaying the cookie does not work.
    let out = app.post_empty("/logout").await;
    assert_eq!(out.location(), "/login");
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    let replayed = app.get("/account").await;
    assert_eq!(replayed.status, StatusCode::SEE_OTHER, "the cookie is dead after sign-out");
}

#[tokio::test]
async fn an_unknown_account_and_a_wrong_password_look_the_same() {
    let app = TestApp::anonymous().await;
    let user = app.create_user(Role::Viewer).await;
    set_password(&app, user, PASSWORD).await;
    let email = email_of(&app, user).await;
    // Warm up the stand-in hash, made once per process.
    sign_in(&app, "h.example", "198.51.100.1", "warm@example.com", "wrong password!").await;

    let mut unknown_times = Vec::new();
    let mut wrong_times = Vec::new();
    let mut pages = Vec::new();
    for round in 0..4 {
        // A different address and account each round stays under the throttle.
        let client = format!("198.51.100.{}", 10 + round);
        let started = Instant::now();
        let unknown = sign_in(&app, "h.example", &client, &format!("nobody{round}@example.com"), PASSWORD).await;
        unknown_times.push(started.elapsed());
        let started = Instant::now();
        let wrong = sign_in(&app, "h.example", &client, &email, &format!("not the password {round}")).await;
        wrong_times.push(started.elapsed());
        pages.push((unknown, wrong));
    }
    for (unknown, wrong) in &pages {
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.text(".error-summary p"), wrong.text(".error-summary p"), "the same message");
        assert!(unknown.header("set-cookie").is_empty() && wrong.header("set-cookie").is_empty());
    }
    // Both run one Argon2 check. Without the stand-in hash an unknown account answers in well
    // under a millisecond while a wrong password takes tens: the bound is loose on purpose.
    unknown_times.sort();
    wrong_times.sort();
    let (unknown, wrong) = (unknown_times[2], wrong_times[2]);
    println!("sign-in time, median of 4: unknown account {unknown:?}, wrong password {wrong:?}");
    assert!(unknown * 3 > wrong && wrong * 3 > unknown, "unknown {unknown:?} vs wrong {wrong:?}");
}

/// One account however its email is spelled: case, a Kelvin sign, full-width letters and
/// spaces around it all sign in to it, count against its throttle, and cannot make a second
/// account beside it.
#[tokio::test]
async fn an_email_spelled_with_letters_that_fold_to_it_is_the_same_account() {
    let app = TestApp::new().await;
    let added =
        app.post_form("/admin/users", &[("email", "Kim@Example.com"), ("name", "Kim"), ("role", "viewer")]).await;
    assert_eq!(added.status, StatusCode::CREATED);
    let stored: String =
        sqlx::query_scalar("SELECT email FROM users WHERE name = 'Kim'").fetch_one(&app.pool).await.expect("kim");
    assert_eq!(stored, "kim@example.com", "stored in its normalised form");
    for twin in ["\u{212A}IM@example.com", "ｋｉｍ@example.com", " KIM@EXAMPLE.COM "] {
        let again = app.post_form("/admin/users", &[("email", twin), ("name", "Kim again"), ("role", "viewer")]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{twin:?} is the same address");
    }
    let kim: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE name = 'Kim'").fetch_one(&app.pool).await.expect("kim");
    set_password(&app, UserId(kim), PASSWORD).await;
    app.set_cookie(None);
    let signed_in = sign_in(&app, "h.example", "203.0.113.50", "ｋｉｍ@ｅｘａｍｐｌｅ.com", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "full-width letters sign in to the account");
    app.set_cookie(None);

    // Failures under each spelling count against the one account.
    let spellings =
        ["kim@example.com", "KIM@example.com", "\u{212A}im@example.com", "ｋｉｍ@example.com", " Kim@example.com"];
    assert_eq!(spellings.len() as i64, throttle::PER_ACCOUNT);
    for (n, spelling) in spellings.iter().enumerate() {
        let wrong = sign_in(&app, "h.example", &format!("203.0.113.{}", 60 + n), spelling, "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{spelling:?}");
    }
    let locked = sign_in(&app, "h.example", "203.0.113.99", "kim@example.com", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "five spellings, one account, throttled");
}

/// A burst of concurrent wrong passwords for one account: no more are checked (and recorded)
/// than the limit allows, and a right password among the burst does not count as a failure
/// of its address.
#[tokio::test]
async fn a_burst_of_concurrent_wrong_passwords_is_held_to_the_limit() {
    // Room for the whole burst at once: a door as narrow as the limit would hide the race.
    let app = Arc::new(TestApp::with_pool_settings(30, std::time::Duration::from_secs(5)).await);
    app.set_cookie(None);
    let user = app.create_user(Role::Engineer).await;
    set_password(&app, user, PASSWORD).await;
    let email = email_of(&app, user).await;
    let mut burst = tokio::task::JoinSet::new();
    for attempt in 0..30 {
        let (app, email) = (app.clone(), email.clone());
        burst.spawn(async move {
            sign_in(&app, "h.example", &format!("198.51.100.{attempt}"), &email, "a wrong guess").await.status
        });
    }
    let mut refused = 0;
    let mut checked = 0;
    while let Some(status) = burst.join_next().await {
        match status.expect("an attempt") {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(checked, throttle::PER_ACCOUNT, "exactly the limit was let through");
    assert_eq!(refused, 30 - throttle::PER_ACCOUNT);
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE key LIKE 'account:%'")
        .fetch_one(&app.pool)
        .await
        .expect("failures");
    assert_eq!(recorded, throttle::PER_ACCOUNT, "no more failures recorded than the limit");

    // A right password takes back the failure its attempt counted for its address.
    let other = app.create_user(Role::Viewer).await;
    set_password(&app, other, PASSWORD).await;
    let other_email = email_of(&app, other).await;
    let ok = sign_in(&app, "h.example", "198.51.100.200", &other_email, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let address_failures: i64 =
        sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE key = 'address:198.51.100.200'")
            .fetch_one(&app.pool)
            .await
            .expect("failures");
    assert_eq!(address_failures, 0, "a successful sign-in is not a failure of its address");
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_account_and_per_address() {
    let app = TestApp::anonymous().await;
    let user = app.create_user(Role::Engineer).await;
    set_password(&app, user, PASSWORD).await;
    let email = email_of(&app, user).await;

    // Per account: the limit of failures, from anywhere, then even the right password waits.
    for attempt in 0..throttle::PER_ACCOUNT {
        let client = format!("203.0.113.{attempt}");
        let response = sign_in(&app, "h.example", &client, &email, "wrong guess again").await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let locked = sign_in(&app, "h.example", "203.0.113.99", &email, PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = locked.header("retry-after").parse().expect("Retry-After in seconds");
    assert!((800..=900).contains(&retry), "about the 15-minute window: {retry}");
    assert!(locked.text(".error-summary p").contains("15 minutes"), "{}", locked.body);
    assert!(locked.header("set-cookie").is_empty());

    // An account that does not exist is throttled exactly the same way.
    for attempt in 0..throttle::PER_ACCOUNT {
        sign_in(&app, "h.example", &format!("203.0.114.{attempt}"), "ghost@example.com", "a guess at it").await;
    }
    let ghost = sign_in(&app, "h.example", "203.0.114.99", "ghost@example.com", "a guess at it").await;
    assert_eq!(ghost.status, StatusCode::TOO_MANY_REQUESTS, "no enumeration through the throttle");

    // Per address: many accounts from one address.
    for attempt in 0..throttle::PER_ADDRESS {
        let response =
            sign_in(&app, "h.example", "192.0.2.200", &format!("spray{attempt}@example.com"), "Spring2026!!").await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let other = app.create_user(Role::Viewer).await;
    set_password(&app, other, PASSWORD).await;
    let other_email = email_of(&app, other).await;
    let blocked = sign_in(&app, "h.example", "192.0.2.200", &other_email, PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "the address is throttled");
    assert!(!blocked.header("retry-after").is_empty());
    let elsewhere = sign_in(&app, "h.example", "192.0.2.201", &other_email, PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER, "from another address the account signs in");

    // The window passes.
    sqlx::query("UPDATE login_failures SET failed_at = failed_at - interval '16 minutes'")
        .execute(&app.pool)
        .await
        .expect("age the failures");
    let later = sign_in(&app, "h.example", "203.0.113.99", &email, PASSWORD).await;
    assert_eq!(later.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_expire_after_inactivity_and_a_person_can_end_them_all() {
    let app = TestApp::anonymous().await;
    let user = app.create_user(Role::Engineer).await;
    set_password(&app, user, PASSWORD).await;
    let email = email_of(&app, user).await;
    let laptop = cookie_pair(&sign_in(&app, "h.example", "192.0.2.1", &email, PASSWORD).await);
    let phone = cookie_pair(&sign_in(&app, "h.example", "192.0.2.2", &email, PASSWORD).await);
    let desktop = cookie_pair(&sign_in(&app, "h.example", "192.0.2.3", &email, PASSWORD).await);

    // Eight hours without a request: the desktop's session is over.
    let desktop_hash = hindsight::auth::token::digest(desktop.split_once('=').expect("a pair").1);
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '8 hours 1 minute' WHERE token_hash = $1")
        .bind(&desktop_hash)
        .execute(&app.pool)
        .await
        .expect("age a session");
    app.set_cookie(Some(desktop));
    assert_eq!(app.get("/incidents").await.location(), "/login");

    // Use keeps a session alive: one seen 7 hours ago is refreshed.
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '7 hours' WHERE token_hash <> $1")
        .bind(&desktop_hash)
        .execute(&app.pool)
        .await
        .expect("age");
    app.set_cookie(Some(laptop.clone()));
    assert_eq!(app.get("/incidents").await.status, StatusCode::OK);
    let refreshed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sessions WHERE last_seen_at > now() - interval '1 minute'")
            .fetch_one(&app.pool)
            .await
            .expect("query");
    assert_eq!(refreshed, 1, "the laptop's session was refreshed");

    let account = app.get("/account").await;
    assert!(account.body.contains("2 browser sessions are active"), "{:?}", account.texts(".panel p"));
    let everywhere = app.post_empty("/account/sessions/revoke").await;
    assert_eq!(everywhere.location(), "/login");
    for cookie in [laptop, phone] {
        app.set_cookie(Some(cookie));
        assert_eq!(app.get("/incidents").await.status, StatusCode::SEE_OTHER, "signed out everywhere");
    }
}

#[tokio::test]
async fn a_password_change_checks_the_rules_and_signs_out_other_sessions() {
    let app = TestApp::anonymous().await;
    let user = app.create_user(Role::Viewer).await;
    set_password(&app, user, PASSWORD).await;
    let email = email_of(&app, user).await;
    let other = cookie_pair(&sign_in(&app, "h.example", "192.0.2.1", &email, PASSWORD).await);
    let this = cookie_pair(&sign_in(&app, "h.example", "192.0.2.1", &email, PASSWORD).await);
    app.set_cookie(Some(this.clone()));

    let change = |current: &'static str, new: &'static str| {
        [("current", current.to_owned()), ("password", new.to_owned()), ("password_confirm", new.to_owned())]
    };
    for (current, new, message) in [
        ("wrong current one", "a brand new passphrase", "current password is not right"),
        (PASSWORD, "short", "at least 12 characters"),
        (PASSWORD, "qwertyuiop123!", "most common passwords"),
        (PASSWORD, "zzzzzzzzzzzzzzzz", "repeated or sequential"),
    ] {
        let refused = app.post_form("/account/password", &change(current, new)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert!(refused.field_errors(1)[0].contains(message), "{new}: {}", refused.body);
    }
    let changed = app.post_form("/account/password", &change(PASSWORD, "a brand new passphrase")).await;
    assert_eq!(changed.location(), "/account?saved=password");
    assert_eq!(app.get("/account").await.status, StatusCode::OK, "this browser stays signed in");
    app.set_cookie(Some(other));
    assert_eq!(app.get("/account").await.status, StatusCode::SEE_OTHER, "other browsers are signed out");
    app.set_cookie(None);
    assert_eq!(
        sign_in(&app, "h.example", "192.0.2.9", &email, "a brand new passphrase").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_admin_issues_a_one_time_link_that_sets_a_password_once() {
    let app = TestApp::new().await;
    let added =
        app.post_form("/admin/users", &[("email", "sam@example.com"), ("name", "Sam"), ("role", "engineer")]).await;
    assert_eq!(added.status, StatusCode::CREATED);
    let link = added.text("pre.secret code");
    assert!(link.starts_with("https://") || link.starts_with("http://"), "{link}");
    let path = &link[link.find("/reset/").expect("a reset path")..];
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM password_resets WHERE encode(token_hash, 'hex') = $1")
        .bind(path.trim_start_matches("/reset/"))
        .fetch_one(&app.pool)
        .await
        .expect("query");
    assert_eq!(stored, 0, "the link itself is not stored, only its hash");

    app.set_cookie(None);
    let form_page = app.get(path).await;
    assert_eq!(form_page.status, StatusCode::OK);
    assert!(form_page.body.contains("sam@example.com"));
    let weak = app.post_form(path, &[("password", "sam@example.com"), ("password_confirm", "sam@example.com")]).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.field_errors(1)[0].contains("email"), "{}", weak.body);
    let set = app.post_form(path, &[("password", PASSWORD), ("password_confirm", PASSWORD)]).await;
    assert_eq!((set.status, set.location()), (StatusCode::SEE_OTHER, "/incidents"));
    assert!(!set.header("set-cookie").is_empty(), "signed in");

    let reused =
        app.post_form(path, &[("password", "another passphrase"), ("password_confirm", "another passphrase")]).await;
    assert_eq!(reused.status, StatusCode::GONE, "a link works once");
    assert_eq!(app.get(path).await.status, StatusCode::GONE);
    let signed_in = sign_in(&app, "h.example", "192.0.2.1", "SAM@example.com", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "emails match without regard to case");

    // An expired link is refused too.
    app.sign_in_as(Role::Admin).await;
    let sam: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'sam@example.com'")
        .fetch_one(&app.pool)
        .await
        .expect("sam");
    let issued = app.post_empty(&format!("/admin/users/{sam}/reset")).await;
    let link = issued.text("pre.secret code");
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .expect("expire");
    assert_eq!(app.get(&link[link.find("/reset/").expect("path")..]).await.status, StatusCode::GONE);
}

/// A new link replaces the ones before it (one sent to the wrong address must not stay usable
/// for its week), also when admins issue links at the same moment; using a link ends the rest.
#[tokio::test]
async fn a_new_one_time_link_ends_the_earlier_ones() {
    let app = Arc::new(TestApp::new().await);
    let added =
        app.post_form("/admin/users", &[("email", "kim@example.com"), ("name", "Kim"), ("role", "viewer")]).await;
    let first = added.text("pre.secret code");
    let first = first[first.find("/reset/").expect("a reset path")..].to_owned();
    let kim: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'kim@example.com'")
        .fetch_one(&app.pool)
        .await
        .expect("kim");
    let second = app.post_empty(&format!("/admin/users/{kim}/reset")).await.text("pre.secret code");
    let second = second[second.find("/reset/").expect("a reset path")..].to_owned();
    app.set_cookie(None);
    assert_eq!(app.get(&first).await.status, StatusCode::GONE, "the replaced link no longer works");
    assert_eq!(app.get(&second).await.status, StatusCode::OK, "the new one does");

    // Ten admins' clicks at once: one link is left open.
    app.sign_in_as(Role::Admin).await;
    let mut clicks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let app = app.clone();
        clicks.spawn(async move { app.post_empty(&format!("/admin/users/{kim}/reset")).await.status });
    }
    while let Some(status) = clicks.join_next().await {
        assert_eq!(status.expect("a click"), StatusCode::CREATED);
    }
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
        .bind(kim)
        .fetch_one(&app.pool)
        .await
        .expect("open links");
    assert_eq!(open, 1, "exactly one link left open");
    app.set_cookie(None);
    assert_eq!(app.get(&second).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_hashed_act_with_the_role_and_can_be_revoked() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.sign_in_as(Role::Viewer).await;
    let created = app.post_form("/account/tokens", &[("name", "weekly report")]).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let secret = created.text(".secret code");
    assert!(secret.starts_with("hst_") && secret.len() == 68, "{secret}");
    assert!(!app.get("/account").await.body.contains(&secret), "shown only once");
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_all(&app.pool).await.expect("q");
    assert_eq!(stored, vec![hindsight::auth::token::digest(&secret)], "only the hash is kept");

    app.set_cookie(None);
    let api = |token: String, uri: String| {
        Request::get(uri).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).expect("request")
    };
    let read = app.request(api(secret.clone(), format!("/api{path}"))).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let write = Request::post("/api/import")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::from("# Outage\n"))
        .expect("request");
    assert_eq!(app.request(write).await.status, StatusCode::FORBIDDEN, "a viewer's token cannot write");
    let forged = app.request(api("hst_0000".to_owned(), format!("/api{path}"))).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert!(forged.header("content-type").starts_with("application/json"));
    // Tokens are for the API only: a page does not accept one.
    let page = app.request(api(secret.clone(), path.clone())).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    app.sign_in_as(Role::Admin).await;
    let owner: i64 = sqlx::query_scalar("SELECT user_id FROM api_tokens").fetch_one(&app.pool).await.expect("q");
    app.new_session(UserId(owner)).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens").fetch_one(&app.pool).await.expect("q");
    assert_eq!(app.post_empty(&format!("/account/tokens/{id}/revoke")).await.status, StatusCode::SEE_OTHER);
    app.set_cookie(None);
    assert_eq!(app.request(api(secret, format!("/api{path}"))).await.status, StatusCode::UNAUTHORIZED, "revoked");
}

/// Revoking a token and signing out everywhere take effect at once on every instance: no
/// instance keeps who is signed in, each request asks the database.
#[tokio::test]
async fn tokens_and_sessions_end_at_once_on_every_instance() {
    let here = TestApp::new().await;
    let path = here.create_incident(&form()).await;
    let secret = here.post_form("/account/tokens", &[("name", "nightly sync")]).await.text(".secret code");
    let there = here.second_instance();
    let api = |uri: String| {
        Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .expect("request")
    };
    // Both instances serve the token and the session (and have had the chance to keep them).
    for instance in [&here, &there] {
        assert_eq!(instance.request(api(format!("/api{path}"))).await.status, StatusCode::OK);
        assert_eq!(instance.get("/account").await.status, StatusCode::OK);
    }
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens").fetch_one(&here.pool).await.expect("the token");
    assert_eq!(here.post_empty(&format!("/account/tokens/{id}/revoke")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(there.request(api(format!("/api{path}"))).await.status, StatusCode::UNAUTHORIZED, "revoked there too");

    assert_eq!(here.post_empty("/account/sessions/revoke").await.status, StatusCode::SEE_OTHER);
    let signed_out = there.get("/account").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER, "signed out there too");
    assert!(signed_out.location().starts_with("/login"), "{}", signed_out.location());
}

fn proxy_app(pool: sqlx::PgPool) -> TestApp {
    let settings = AuthSettings {
        proxy_header: Some(header::HeaderName::from_static("x-forwarded-email")),
        trusted_proxies: vec!["10.0.0.0/8".parse().expect("a network")],
        proxy_default_role: Role::Engineer,
        ..AuthSettings::default()
    };
    let limits = Limits::for_pool(pool.options().get_max_connections(), QUEUE_WAIT, REQUEST_DEADLINE);
    TestApp::with_state(AppState { auth: Arc::new(settings), ..AppState::new(pool, limits) })
}

async fn from(app: &TestApp, peer: &str, email: &str, uri: &str) -> TestResponse {
    let mut request = Request::get(uri).header("x-forwarded-email", email).body(Body::empty()).expect("request");
    let address = format!("{peer}:5000").parse().expect("an address");
    request.extensions_mut().insert(ConnectInfo::<std::net::SocketAddr>(address));
    app.request(request).await
}

#[tokio::test]
async fn the_sso_proxy_header_signs_people_in_only_from_trusted_proxies() {
    let base = TestApp::new().await;
    let app = proxy_app(base.pool.clone());

    let page = from(&app, "10.1.2.3", "Kim@Example.com", "/incidents/new").await;
    assert_eq!(page.status, StatusCode::OK, "an engineer, created on first sight");
    assert!(page.body.contains("kim@example.com"), "the header shows who is signed in (the email normalised)");
    assert!(!page.body.contains("action=\"/logout\""), "signing out is the proxy's business");
    let (kim, _) =
        hindsight::db::users::find_by_email(&app.pool, "kim@example.com").await.expect("q").expect("created");
    assert_eq!(kim.role, Role::Engineer);
    from(&app, "10.1.2.3", "kim@example.com", "/incidents").await;
    assert_eq!(app.count("users").await, 2, "the admin and Kim, once");

    // The same header from anywhere else is ignored.
    let forged = from(&app, "192.0.2.66", "admin-0@example.com", "/admin/users").await;
    assert_eq!((forged.status, forged.location()), (StatusCode::SEE_OTHER, "/login?next=%2Fadmin%2Fusers"));
    assert_eq!(app.count("users").await, 2);

    // A deactivated person is refused even through the proxy.
    sqlx::query("UPDATE users SET deactivated_at = now() WHERE id = $1")
        .bind(kim.id.0)
        .execute(&app.pool)
        .await
        .expect("q");
    let refused = from(&app, "10.1.2.3", "kim@example.com", "/incidents").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("deactivated"));
    let junk = from(&app, "10.1.2.3", "not an email", "/incidents").await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_change_records_who_made_it_and_when() {
    let app = TestApp::new().await;
    let engineer = app.sign_in_as(Role::Engineer).await;
    let name = hindsight::db::users::find(&app.pool, engineer).await.expect("q").expect("user").name;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    let page = app.get(&path).await;
    assert!(
        page.text(".pm-foot p").contains(&format!("Last edited by {name}, just now")),
        "{}",
        page.text(".pm-foot p")
    );

    let actors: Vec<(Option<i64>, String)> =
        sqlx::query_as("SELECT actor_id, action FROM audit_events WHERE incident_id IS NOT NULL ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .expect("q");
    assert_eq!(
        actors,
        vec![(Some(engineer.0), "incident.created".into()), (Some(engineer.0), "timeline.added".into())]
    );

    // Only admins read the log.
    assert_eq!(app.get("/admin/audit").await.status, StatusCode::FORBIDDEN);
    app.sign_in_as(Role::Admin).await;
    let log = app.get("/admin/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    let rows = log.texts("tbody tr");
    assert!(rows[0].contains("Added a timeline entry") && rows[0].contains(&name), "{rows:?}");
    assert!(rows[1].contains("Created the postmortem"), "{rows:?}");
}

#[tokio::test]
async fn admins_manage_people_and_teams_and_keep_one_admin() {
    let app = TestApp::new().await;
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users").fetch_one(&app.pool).await.expect("q");
    for team in ["Payments", "Platform"] {
        assert_eq!(app.post_form("/admin/teams", &[("name", team)]).await.status, StatusCode::SEE_OTHER);
    }
    let duplicate = app.post_form("/admin/teams", &[("name", "payments")]).await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate.field_errors(1)[0].contains("already"), "{}", duplicate.body);
    let teams: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM teams ORDER BY name").fetch_all(&app.pool).await.expect("q");

    let body = format!("email=lee%40example.com&name=Lee&role=manager&team={}&team={}", teams[0], teams[1]);
    let added = app.post_raw("/admin/users", body).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let list = app.get("/admin/users").await;
    let lee_row = list.texts("tbody tr").into_iter().find(|r| r.contains("lee@example.com")).expect("listed");
    assert!(lee_row.contains("Manager") && lee_row.contains("Payments, Platform"), "{lee_row}");
    let taken = app.post_raw("/admin/users", "email=LEE%40example.com&role=viewer").await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("already has an account"));

    // Lee signs in; deactivating them ends their session at once.
    let lee: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'lee@example.com'")
        .fetch_one(&app.pool)
        .await
        .expect("q");
    app.new_session(UserId(lee)).await;
    assert_eq!(app.get("/incidents/new").await.status, StatusCode::OK, "a manager may write");
    app.new_session(UserId(admin)).await;
    let deactivated = app
        .post_raw(&format!("/admin/users/{lee}"), format!("name=Lee&role=manager&team={}&version=1", teams[0]))
        .await;
    assert_eq!(deactivated.status, StatusCode::SEE_OTHER);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
        .bind(lee)
        .fetch_one(&app.pool)
        .await
        .expect("q");
    assert_eq!(sessions, 0);
    let page = app.get(&format!("/admin/users/{lee}")).await;
    assert!(page.attr("input[name=active]", "checked").is_none());
    assert_eq!(page.attr(&format!("input[name=team][value=\"{}\"]", teams[0]), "checked").as_deref(), Some(""));
    assert!(page.attr(&format!("input[name=team][value=\"{}\"]", teams[1]), "checked").is_none(), "teams replaced");

    // The last active admin cannot be demoted or deactivated.
    sqlx::query("UPDATE users SET deactivated_at = now() WHERE role = 'admin' AND id <> $1")
        .bind(admin)
        .execute(&app.pool)
        .await
        .expect("q");
    app.new_session(UserId(admin)).await;
    let demoted = app.post_raw(&format!("/admin/users/{admin}"), "name=Admin&role=engineer&active=on&version=1").await;
    assert_eq!(demoted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(demoted.field_errors(1)[0].contains("only active admin"), "{}", demoted.body);
    let role: String =
        sqlx::query_scalar("SELECT role FROM users WHERE id = $1").bind(admin).fetch_one(&app.pool).await.expect("q");
    assert_eq!(role, "admin");

    // Deleting a team keeps its people.
    assert_eq!(app.post_empty(&format!("/admin/teams/{}/delete", teams[0])).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("teams").await, 1);
    assert_eq!(app.count("team_members").await, 0);
}

#[tokio::test]
async fn action_items_belong_to_people_and_imported_owners_can_be_linked_later() {
    let app = TestApp::new().await;
    let priya = hindsight::db::users::insert(&app.pool, "priya@example.com", "Priya Shah", Role::Engineer, None)
        .await
        .expect("a person");
    let gone = hindsight::db::users::insert(&app.pool, "gone@example.com", "Gone", Role::Engineer, None)
        .await
        .expect("a person");
    sqlx::query("UPDATE users SET deactivated_at = now() WHERE id = $1")
        .bind(gone.0)
        .execute(&app.pool)
        .await
        .expect("q");

    let doc = "# Outage\n\n**Start:** 2025-03-01 10:00 UTC\n\n## Action items\n\n- [ ] Add jitter **Owner:** Priya\n";
    let saved = app.post_body("/api/import?save=true", "text/markdown", doc).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let path = saved.location().to_owned();
    assert!(app.get(&path).await.text(".item-meta").contains("Owner: Priya"));

    // Given to a person from the postmortem page; a deactivated account is refused.
    let refused =
        app.post_form(&format!("{path}/actions"), &[("body", "Rotate keys"), ("owner_id", &gone.to_string())]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("no active account"));
    let page = app.get(&path).await;
    let options = page.texts("#item-owner_id option");
    assert!(options.contains(&"Priya Shah".to_owned()) && !options.contains(&"Gone".to_owned()), "{options:?}");
    let given =
        app.post_form(&format!("{path}/actions"), &[("body", "Rotate keys"), ("owner_id", &priya.to_string())]).await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    let metas = app.get(&path).await.texts(".item-meta");
    assert!(metas[1].contains("Owner: Priya Shah"), "{metas:?}");

    // The imported "Priya" is linked from the admin's page for her.
    let person = app.get(&format!("/admin/users/{priya}")).await;
    let offered = person.text("#owner option");
    assert!(offered.contains("Priya (1 item)") && offered.contains("looks like them"), "{offered}");
    let linked = app.post_form(&format!("/admin/users/{priya}/owners"), &[("owner", "Priya")]).await;
    assert_eq!(linked.location(), format!("/admin/users/{priya}?linked=1"));
    assert!(app.get(linked.location()).await.body.contains("Linked 1 action item to them."));
    let owners: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT owner_id FROM action_items ORDER BY id").fetch_all(&app.pool).await.expect("q");
    assert_eq!(owners, vec![Some(priya.0), Some(priya.0)]);
    let export = app.get(&format!("{path}/export.md")).await.body;
    assert!(export.contains("Add jitter — **Owner:** Priya Shah"), "{export}");
    let json: serde_json::Value = serde_json::from_str(&app.get(&format!("/api{path}")).await.body).expect("JSON");
    assert_eq!(json["action_items"][0]["owner_id"], priya.0);
    assert_eq!(json["action_items"][0]["owner"], "Priya Shah");

    // Edited later, the item keeps its person even once their account is deactivated.
    sqlx::query("UPDATE users SET deactivated_at = now() WHERE id = $1")
        .bind(priya.0)
        .execute(&app.pool)
        .await
        .expect("q");
    let page = app.get(&path).await;
    let edit = page.attr(".item-meta a", "href").expect("an edit link");
    let form = app.get(&edit).await;
    assert_eq!(form.attr("#owner_id option[selected]", "value").as_deref(), Some(priya.to_string().as_str()));
    let action = form.attr("main form[method=post]", "action").expect("a form");
    let version = form.field_value("version");
    assert_eq!(version, "2", "linking the owner is a change an open form must not undo");
    let kept = app
        .post_form(
            &action,
            &[("body", "Add jitter"), ("owner", "Priya"), ("owner_id", &priya.to_string()), ("version", &version)],
        )
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    // Only there: a new item and the ledger's filter offer active people alone.
    let new_item = page.texts("#item-owner_id option");
    assert!(!new_item.iter().any(|name| name == "Priya Shah") && new_item.len() > 1, "{new_item:?}");
    let filter = app.get("/action-items").await.texts("select[name=owner] option");
    assert!(!filter.iter().any(|name| name == "Priya Shah") && filter.len() > 1, "{filter:?}");
}

#[tokio::test]
async fn two_set_up_forms_at_once_make_one_admin() {
    let form = |email: &'static str| {
        [("name", "Admin"), ("email", email), ("password", PASSWORD), ("password_confirm", PASSWORD)]
    };
    let (one, two) = (form("one@example.com"), form("two@example.com"));
    // A race: several rounds, each on a fresh database, so a missing lock shows.
    for round in 0..4 {
        let app = TestApp::anonymous().await;
        let (first, second) = tokio::join!(app.post_form("/setup", &one), app.post_form("/setup", &two));
        assert_eq!(app.count("users").await, 1, "round {round}");
        let signed_in = [&first, &second].iter().filter(|r| !r.header("set-cookie").is_empty()).count();
        assert_eq!(signed_in, 1, "one became the admin; the other was sent to sign in");
        assert!([first.location(), second.location()].contains(&"/login"));
    }
}
