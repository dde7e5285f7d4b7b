//! Who is asking, and may they? Every request passes `identify`, which works out the person
//! behind it from, in order:
//!
//! 1. an API token (`Authorization: Bearer hst_…`), on `/api/` routes only;
//! 2. the SSO proxy's header, when configured and the request comes from a trusted proxy;
//! 3. the session cookie.
//!
//! Routes are grouped by the least role that may use them (`web::router`); each group's
//! `require` layer sends anonymous visitors to the sign-in page (or answers 401 under `/api/`)
//! and signed-in people without the role a 403.
//!
//! Also here: the sign-in, sign-out, first-run set-up and one-time password pages.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::error::{AppError, Result};
use super::extract::{Form, Path, Query};
use crate::app::{self, ChangeError};
use crate::auth::{password, throttle, token};
use crate::config::{Config, TrustedProxy};
use crate::db;
use crate::domain::input::{FieldErrors, MAX_NAME_CHARS, is_plausible_email};
use crate::domain::{Role, User, UserId};

/// How people are recognised, from the configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session unused this long is over.
    pub idle_timeout: time::Duration,
    /// A session this old is over however busy it is.
    pub lifetime: time::Duration,
    pub trusted_proxies: Vec<TrustedProxy>,
    /// The SSO proxy's header naming the signed-in person's email, if that mode is on.
    pub proxy_header: Option<HeaderName>,
    /// The role of a person the proxy signs in for the first time.
    pub proxy_default_role: Role,
}

/// Sessions are refreshed at most this often, so reading pages does not write on every request.
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

impl AuthSettings {
    pub fn from_config(config: &Config) -> anyhow::Result<AuthSettings> {
        let proxy_header = match &config.auth_proxy_header {
            None => None,
            Some(name) => {
                anyhow::ensure!(
                    !config.trusted_proxies.is_empty(),
                    "--auth-proxy-header needs --trusted-proxies: without them anyone could send the header"
                );
                Some(HeaderName::try_from(name.trim()).map_err(|_| anyhow::anyhow!("{name:?} is not a header name"))?)
            }
        };
        Ok(AuthSettings {
            idle_timeout: time::Duration::try_from(config.session_idle_timeout)?,
            proxy_header,
            trusted_proxies: config.trusted_proxies.clone(),
            proxy_default_role: config.auth_proxy_default_role,
            ..AuthSettings::default()
        })
    }
}

impl Default for AuthSettings {
    fn default() -> AuthSettings {
        AuthSettings {
            idle_timeout: time::Duration::hours(8),
            lifetime: time::Duration::days(30),
            trusted_proxies: Vec::new(),
            proxy_header: None,
            proxy_default_role: Role::Viewer,
        }
    }
}

/// Who made a request; `identify` puts one in every request's extensions.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub user: Option<User>,
    pub via: Via,
    /// The client's address (through trusted proxies), for throttling.
    pub client: IpAddr,
    /// Whether the session cookie is marked Secure and `__Host-` prefixed.
    pub secure_cookie: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Nobody,
    Session { token_hash: Vec<u8> },
    ApiToken,
    Proxy,
}

tokio::task_local! {
    /// The person signed in, and whether through the SSO proxy, for the page layout (the
    /// header's name and links). Set by `identify` for the handler's whole run, so page structs
    /// need not each carry it.
    static SIGNED_IN: Option<(User, bool)>;
}

/// The signed-in person, while a page renders; `None` outside a request (error pages).
pub fn signed_in() -> Option<User> {
    SIGNED_IN.try_with(|signed_in| signed_in.as_ref().map(|(user, _)| user.clone())).ok().flatten()
}

/// Whether the SSO proxy signed this request in (signing out is then the proxy's business).
pub fn signed_in_through_proxy() -> bool {
    SIGNED_IN.try_with(|signed_in| signed_in.as_ref().is_some_and(|(_, proxy)| *proxy)).unwrap_or(false)
}

pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let settings = &state.auth;
    let from_proxy = peer.is_some_and(|peer| settings.trusted_proxies.iter().any(|proxy| proxy.contains(peer)));
    let client = client_address(request.headers(), peer, &settings.trusted_proxies);
    let secure_cookie = wants_secure_cookie(request.headers());
    let mut visitor = Visitor { user: None, via: Via::Nobody, client, secure_cookie };

    match recognise(&state, request.uri(), request.headers(), from_proxy, secure_cookie).await {
        Ok(Some((user, via))) => {
            visitor.user = Some(user);
            visitor.via = via;
        }
        Ok(None) => {}
        Err(error) => return error.into_response(),
    }
    let signed_in = visitor.user.clone().map(|user| (user, visitor.via == Via::Proxy));
    request.extensions_mut().insert(visitor);
    SIGNED_IN.scope(signed_in, next.run(request)).await
}

async fn recognise(
    state: &AppState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    from_proxy: bool,
    secure_cookie: bool,
) -> Result<Option<(User, Via)>> {
    let path = uri.path();
    // Calendar apps and feed readers cannot send a header or a cookie: feeds take an API
    // token in the query string instead (`?token=hst_…`).
    if path.starts_with("/feeds/")
        && let Some(secret) = feed_token(uri.query())
    {
        let user = db::api_tokens::use_token(&state.pool, &token::digest(&secret)).await?;
        return user.map(|user| Some((user, Via::ApiToken))).ok_or(AppError::Unauthorized);
    }
    if path.starts_with("/api/")
        && let Some(authorization) = headers.get(header::AUTHORIZATION)
    {
        let secret = authorization.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        let user = match secret {
            Some(secret) => db::api_tokens::use_token(&state.pool, &token::digest(secret)).await?,
            None => None,
        };
        // A token that is wrong, revoked or malformed is refused outright rather than
        // falling back to a cookie: the caller meant to use it.
        return user.map(|user| Some((user, Via::ApiToken))).ok_or(AppError::Unauthorized);
    }
    if let (Some(name), true) = (&state.auth.proxy_header, from_proxy)
        && let Some(email) = headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|e| !e.is_empty())
    {
        return proxy_user(state, email).await.map(|user| Some((user, Via::Proxy)));
    }
    let Some(secret) = read_cookie(headers, cookie_name(secure_cookie)) else { return Ok(None) };
    let token_hash = token::digest(secret);
    let settings = &state.auth;
    let user =
        db::sessions::use_session(&state.pool, &token_hash, settings.idle_timeout, settings.lifetime, TOUCH_EVERY)
            .await?;
    Ok(user.map(|user| (user, Via::Session { token_hash })))
}

/// The `token` parameter of a query string, if there is one.
fn feed_token(query: Option<&str>) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs.into_iter().find(|(name, _)| name == "token").map(|(_, value)| value)
}

/// The person the SSO proxy vouches for, created with the default role on first sight.
async fn proxy_user(state: &AppState, email: &str) -> Result<User> {
    if !is_plausible_email(email) {
        return Err(AppError::BadRequest(format!("The sign-in proxy sent {email:?}, which is not an email address.")));
    }
    let user = app::people::sign_in_through_proxy(&state.pool, email, state.auth.proxy_default_role).await?;
    if user.active { Ok(user) } else { Err(AppError::Forbidden(DEACTIVATED)) }
}

const DEACTIVATED: &str = "Your account has been deactivated. Ask an administrator if you need access again.";

/// The client's address: the peer's, or, when the peer is a trusted proxy, the last address in
/// X-Forwarded-For that is not itself a trusted proxy.
fn client_address(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[TrustedProxy]) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let is_trusted = |ip: IpAddr| trusted.iter().any(|proxy| proxy.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
    forwarded
        .rsplit(',')
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|ip| !is_trusted(*ip))
        .unwrap_or(peer)
}

// ---- The session cookie -----------------------------------------------------------------

/// Secure and `__Host-` prefixed, except on plain HTTP to this machine (`http://localhost`),
/// where a browser would drop a Secure cookie from a non-secure page in some browsers.
fn wants_secure_cookie(headers: &HeaderMap) -> bool {
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    if forwarded_https {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    !is_loopback_host(host)
}

fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.to_ascii_lowercase().ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-hindsight_session" } else { "hindsight_session" }
}

fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

fn session_cookie(secure: bool, secret: &str, max_age: time::Duration) -> HeaderValue {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{name}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", max_age.whole_seconds());
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("hindsight_session=; Max-Age=0"))
}

/// Starts a new session for `user` (a new id every time: nothing from before sign-in carries
/// over) and sends the browser on to `next`.
async fn start_session(state: &AppState, visitor: &Visitor, user: UserId, next: &str) -> Result<Response> {
    let replacing = match &visitor.via {
        Via::Session { token_hash } => Some(token_hash.as_slice()),
        _ => None,
    };
    let secret = app::people::start_session(&state.pool, user, replacing).await?;
    let mut response = Redirect::to(safe_next(next)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(visitor.secure_cookie, &secret, state.auth.lifetime));
    Ok(response)
}

/// Only a path on this site: never `//evil.example` or `https://…`.
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    // A control character would also make the Location header invalid.
    if local && !next.chars().any(char::is_control) { next } else { "/incidents" }
}

// ---- Access control ---------------------------------------------------------------------

/// The layer on each route group: lets through people with at least `role`.
pub async fn require(State(role): State<Role>, request: Request, next: Next) -> Response {
    let user = request.extensions().get::<Visitor>().and_then(|v| v.user.clone());
    match user {
        Some(user) if user.role.includes(role) => next.run(request).await,
        Some(_) => {
            AppError::Forbidden("Your role does not allow this. Ask an administrator if you need it.").into_response()
        }
        None if request.uri().path().starts_with("/api/") => AppError::Unauthorized.into_response(),
        None => {
            // Back to the page after signing in; a form post goes back to where the form was.
            let next = if request.method() == Method::GET {
                request.uri().path_and_query().map(ToString::to_string).unwrap_or_default()
            } else {
                String::new()
            };
            let query = if next.is_empty() || next == "/" || next == "/incidents" {
                String::new()
            } else {
                format!("?{}", serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default())
            };
            Redirect::to(&format!("/login{query}")).into_response()
        }
    }
}

/// The signed-in person, in handlers behind `require`.
pub struct CurrentUser(pub User);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<CurrentUser> {
        parts.extensions.get::<Visitor>().and_then(|v| v.user.clone()).map(CurrentUser).ok_or(AppError::Unauthorized)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Visitor> {
        parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .ok_or_else(|| AppError::Internal("no visitor: identify did not run".into()))
    }
}

// ---- Sign in and out ----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    email: String,
    next: String,
    error: Option<String>,
    proxy_mode: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The same words whether the account exists or the password is wrong.
const WRONG_CREDENTIALS: &str = "That email and password do not match an account. Check both and try again.";

pub async fn login_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Result<Response> {
    if visitor.user.is_some() {
        return Ok(Redirect::to(safe_next(&query.next)).into_response());
    }
    if db::users::count(&state.pool).await? == 0 {
        return Ok(Redirect::to("/setup").into_response());
    }
    let proxy_mode = state.auth.proxy_header.is_some();
    Ok(LoginPage { email: String::new(), next: query.next, error: None, proxy_mode }.into_response())
}

pub async fn login(State(state): State<AppState>, visitor: Visitor, Form(form): Form<LoginForm>) -> Result<Response> {
    let proxy_mode = state.auth.proxy_header.is_some();
    let email = form.email.trim().to_owned();
    let keys = throttle::LoginKeys::new(&email, visitor.client);
    if let Some(wait) = throttle::retry_after(&state.pool, &keys).await? {
        let minutes = wait.as_secs().div_ceil(60);
        let error = format!(
            "Too many failed sign-ins. For your account's safety, try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        );
        let page = LoginPage { email, next: form.next, error: Some(error), proxy_mode };
        let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
        return Ok(response);
    }
    let found = db::users::find_by_email(&state.pool, &email).await?;
    let stored = found.as_ref().filter(|(user, _)| user.active).and_then(|(_, hash)| hash.clone());
    let user = found.map(|(user, _)| user);
    if !password::verify(form.password, stored).await {
        throttle::failed(&state.pool, &keys).await?;
        let page = LoginPage { email, next: form.next, error: Some(WRONG_CREDENTIALS.to_owned()), proxy_mode };
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    let Some(user) = user else { return Err(AppError::Internal("verified without an account".into())) };
    throttle::succeeded(&state.pool, &keys).await?;
    tracing::info!(user.id = %user.id, "Signed in");
    start_session(&state, &visitor, user.id, &form.next).await
}

pub async fn logout(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    if let Via::Session { token_hash } = &visitor.via {
        app::people::end_session(&state.pool, token_hash).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(visitor.secure_cookie, "", time::Duration::ZERO));
    Ok(response)
}

// ---- First run ------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "auth/setup.html")]
pub struct SetupPage {
    form: SetupForm,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn setup_page(State(state): State<AppState>) -> Result<Response> {
    if db::users::count(&state.pool).await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(SetupPage { form: SetupForm::default(), errors: FieldErrors::default() }.into_response())
}

pub async fn setup(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(mut form): Form<SetupForm>,
) -> Result<Response> {
    if db::users::count(&state.pool).await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    let mut errors = FieldErrors::default();
    let email = form.email.trim().to_owned();
    if !is_plausible_email(&email) {
        errors.add("email", "Enter your email address, like ann@example.com.");
    }
    if let Err(message) = password::check_new(&form.password, &email, &form.name) {
        errors.add("password", message);
    } else if form.password != form.password_confirm {
        errors.add("password_confirm", "The two passwords differ. Type the same password twice.");
    }
    if form.name.chars().count() > MAX_NAME_CHARS {
        errors.add("name", format!("Use at most {MAX_NAME_CHARS} characters."));
    }
    if !errors.is_empty() {
        form.password.clear();
        form.password_confirm.clear();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, SetupPage { form, errors }).into_response());
    }
    let hash = password::hash(form.password).await.map_err(|e| AppError::Internal(e.to_string()))?;
    match app::people::set_up_first_admin(&state.pool, &email, &form.name, &hash).await? {
        Some(id) => start_session(&state, &visitor, id, "/incidents").await,
        // Someone finished set-up meanwhile.
        None => Ok(Redirect::to("/login").into_response()),
    }
}

// ---- One-time password links ------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
pub struct ResetPage {
    email: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

fn expired_link() -> AppError {
    AppError::Gone("This link has expired or has already been used. Ask an administrator for a new one.")
}

pub async fn reset_page(State(state): State<AppState>, Path(secret): Path<String>) -> Result<ResetPage> {
    let user = db::password_resets::find_valid(&state.pool, &token::digest(&secret)).await?.ok_or_else(expired_link)?;
    let user = db::users::find(&state.pool, user).await?.ok_or_else(expired_link)?;
    Ok(ResetPage { email: user.email, error: None })
}

pub async fn reset(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(secret): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response> {
    let token_hash = token::digest(&secret);
    let user = db::password_resets::find_valid(&state.pool, &token_hash).await?.ok_or_else(expired_link)?;
    let user = db::users::find(&state.pool, user).await?.ok_or_else(expired_link)?;
    let refused = password::check_new(&form.password, &user.email, &user.name).err().or_else(|| {
        (form.password != form.password_confirm)
            .then(|| "The two passwords differ. Type the same password twice.".to_owned())
    });
    if let Some(error) = refused {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, ResetPage { email: user.email, error: Some(error) }).into_response()
        );
    }
    let hash = password::hash(form.password).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let person = match app::people::reset_password(&state.pool, &secret, &hash).await {
        Ok(person) => person,
        // Used (or expired) while the password was being hashed.
        Err(ChangeError::NotFound) => return Err(expired_link()),
        Err(error) => return Err(error.into()),
    };
    start_session(&state, &visitor, person, "/incidents").await
}

/// The site's own address as the browser sees it, for links shown to copy.
pub fn site_origin(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = if wants_secure_cookie(headers) && !is_loopback_host(host) { "https" } else { "http" };
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| p.eq_ignore_ascii_case("https") || p.eq_ignore_ascii_case("http"))
        .unwrap_or(scheme);
    format!("{scheme}://{host}")
}

// ---- Helpers shared with the account and admin pages -----------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/incidents/4"), "/incidents/4");
        assert_eq!(safe_next("//evil.example/x"), "/incidents");
        assert_eq!(safe_next("/\\evil.example"), "/incidents");
        assert_eq!(safe_next("https://evil.example"), "/incidents");
        assert_eq!(safe_next(""), "/incidents");
        assert_eq!(safe_next("/incidents\u{1}"), "/incidents");
        assert_eq!(safe_next("/a\r\nSet-Cookie: x=1"), "/incidents");
        assert_eq!(safe_next("/incidents/é"), "/incidents/é");
    }

    #[test]
    fn cookies_are_secure_except_on_plain_http_to_this_machine() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            map
        };
        assert!(!wants_secure_cookie(&headers(&[("host", "localhost:3000")])));
        assert!(!wants_secure_cookie(&headers(&[("host", "127.0.0.1:3000")])));
        assert!(!wants_secure_cookie(&headers(&[("host", "[::1]:3000")])));
        assert!(wants_secure_cookie(&headers(&[("host", "localhost:3000"), ("x-forwarded-proto", "https")])));
        assert!(wants_secure_cookie(&headers(&[("host", "hindsight.example.com")])));
        assert!(wants_secure_cookie(&headers(&[("host", "localhost.evil.example")])));
        assert!(wants_secure_cookie(&headers(&[])));
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let trusted: Vec<TrustedProxy> = vec!["10.0.0.0/8".parse().expect("network")];
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.1, 203.0.113.9, 10.0.0.2"));
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let stranger: IpAddr = "192.0.2.50".parse().expect("ip");
        assert_eq!(client_address(&headers, Some(proxy), &trusted), "203.0.113.9".parse::<IpAddr>().expect("ip"));
        assert_eq!(client_address(&headers, Some(stranger), &trusted), stranger, "a forged header is ignored");
        assert_eq!(client_address(&HeaderMap::new(), Some(proxy), &trusted), proxy);
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers
            .insert(header::COOKIE, HeaderValue::from_static("x_hindsight_session=no; __Host-hindsight_session=abc"));
        assert_eq!(read_cookie(&headers, "__Host-hindsight_session"), Some("abc"));
        assert_eq!(read_cookie(&headers, "hindsight_session"), None);
    }
}
