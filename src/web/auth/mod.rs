//! Who is asking, and may they? Every request passes `identify`, which works out the person
//! behind it from, in order:
//!
//! 1. an API token (`Authorization: Bearer hst_…`), on `/api/` routes only, which take
//!    nothing else;
//! 2. the SSO proxy's header, when configured and the request comes from a trusted proxy;
//! 3. the session cookie.
//!
//! Routes are grouped by the least role that may use them (`web::router`); each group's
//! `require` layer sends anonymous visitors to the sign-in page (or answers 401 under `/api/`)
//! and signed-in people without the role a 403.
//!
//! Beside it, one module per job: `cookie` (the session cookie), `sign_in` (signing in and
//! out), `setup` (the first admin) and `reset` (one-time password links).

mod cookie;
mod reset;
mod setup;
mod sign_in;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

pub use cookie::{cookie_name, site_origin};
use cookie::{read_cookie, wants_secure_cookie};
pub use reset::{reset, reset_page};
pub use setup::{setup, setup_page};
pub use sign_in::{login, login_page, logout};

use super::AppState;
use super::admission::RequestConnection;
use super::error::{AppError, Result};
use super::paths;
use crate::app;
use crate::auth::token;
use crate::config::{Config, Network};
use crate::db;
use crate::domain::TokenScope;
use crate::domain::input::is_plausible_email;
use crate::domain::{Role, User};

/// How people are recognised, from the configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session unused this long is over.
    pub idle_timeout: time::Duration,
    /// A session this old is over however busy it is.
    pub lifetime: time::Duration,
    pub trusted_proxies: Vec<Network>,
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

pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let settings = &state.auth;
    let from_proxy = peer.is_some_and(|peer| settings.trusted_proxies.iter().any(|proxy| proxy.contains(peer)));
    let client = client_address(request.headers(), peer, &settings.trusted_proxies);
    let secure_cookie = wants_secure_cookie(request.headers());
    let mut visitor = Visitor { user: None, via: Via::Nobody, client, secure_cookie };

    let Some(connection) = request.extensions().get::<RequestConnection>().cloned() else {
        return AppError::Internal("no request connection: identify is not behind admission".into()).into_response();
    };
    // The connection is taken only when there is someone to look up (a cookie, a token, the
    // proxy's header), and handed back to the slot for the handler before it runs.
    match recognise(&state, &connection, request.uri(), request.headers(), from_proxy, secure_cookie).await {
        Ok(Some((user, via))) => {
            visitor.user = Some(user);
            visitor.via = via;
        }
        Ok(None) => {}
        Err(error) => return error.into_response(),
    }
    request.extensions_mut().insert(visitor);
    next.run(request).await
}

async fn recognise(
    state: &AppState,
    connection: &RequestConnection,
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
        let user =
            db::api_tokens::use_token(&mut *connection.lock().await?, &token::digest(&secret), TokenScope::Feeds)
                .await?;
        return user.map(|user| Some((user, Via::ApiToken))).ok_or(AppError::Unauthorized);
    }
    if path.starts_with("/api/") {
        // The API takes API tokens only: a browser's session cookie (or the SSO proxy's
        // header, which a browser gets added too) would let any page the person visits drive
        // the API in their name.
        let Some(authorization) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
        let secret = authorization.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        let Some(secret) = secret else { return Err(AppError::Unauthorized) };
        let digest = token::digest(secret);
        let mut db = connection.lock().await?;
        if let Some(user) = db::api_tokens::use_token(&mut *db, &digest, TokenScope::Api).await? {
            return Ok(Some((user, Via::ApiToken)));
        }
        // A token that is wrong, revoked or malformed is refused outright; one made for feeds
        // is told so.
        return Err(match db::api_tokens::scope_of(&mut *db, &digest).await? {
            Some(TokenScope::Feeds) => AppError::Forbidden(
                "This token was made for calendars and feeds only, so the API does not take it. Make an API \
                 token on your account page for scripts.",
            ),
            _ => AppError::Unauthorized,
        });
    }
    if let (Some(name), true) = (&state.auth.proxy_header, from_proxy)
        && let Some(email) = headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|e| !e.is_empty())
    {
        return proxy_user(state, &mut *connection.lock().await?, email).await.map(|user| Some((user, Via::Proxy)));
    }
    let Some(secret) = read_cookie(headers, cookie_name(secure_cookie)) else { return Ok(None) };
    let token_hash = token::digest(secret);
    let settings = &state.auth;
    let mut db = connection.lock().await?;
    let found =
        db::sessions::find_live(&mut *db, &token_hash, settings.idle_timeout, settings.lifetime, TOUCH_EVERY).await?;
    let Some((user, stale)) = found else { return Ok(None) };
    // Written at most once a minute, so that reading pages rarely writes.
    // Best effort: a database that can only be read (an old primary after a failover) still
    // serves pages to people already signed in.
    if stale && let Err(error) = db::sessions::touch(&mut *db, &token_hash).await {
        tracing::warn!(%error, "Could not note the session's use");
    }
    Ok(Some((user, Via::Session { token_hash })))
}

/// The `token` parameter of a query string, if there is one.
fn feed_token(query: Option<&str>) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs.into_iter().find(|(name, _)| name == "token").map(|(_, value)| value)
}

/// The person the SSO proxy vouches for, created with the default role on first sight.
async fn proxy_user(state: &AppState, db: &mut sqlx::PgConnection, email: &str) -> Result<User> {
    if !is_plausible_email(email) {
        return Err(AppError::BadRequest(format!("The sign-in proxy sent {email:?}, which is not an email address.")));
    }
    let user = app::people::sign_in_through_proxy(&mut *db, email, state.auth.proxy_default_role).await?;
    if user.active { Ok(user) } else { Err(AppError::Forbidden(DEACTIVATED)) }
}

const DEACTIVATED: &str = "Your account has been deactivated. Ask an administrator if you need access again.";

/// The client's address: the peer's, or, when the peer is a trusted proxy, the last address in
/// X-Forwarded-For that is not itself a trusted proxy.
fn client_address(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[Network]) -> IpAddr {
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
            let login = if next.is_empty() || next == "/" || next == "/incidents" {
                "/login".to_owned()
            } else {
                paths::login_then(&next)
            };
            Redirect::to(&login).into_response()
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

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let trusted: Vec<Network> = vec!["10.0.0.0/8".parse().expect("network")];
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.1, 203.0.113.9, 10.0.0.2"));
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let stranger: IpAddr = "192.0.2.50".parse().expect("ip");
        assert_eq!(client_address(&headers, Some(proxy), &trusted), "203.0.113.9".parse::<IpAddr>().expect("ip"));
        assert_eq!(client_address(&headers, Some(stranger), &trusted), stranger, "a forged header is ignored");
        assert_eq!(client_address(&HeaderMap::new(), Some(proxy), &trusted), proxy);
    }
}
