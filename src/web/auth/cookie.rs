//! The session cookie: its name and attributes, reading it, starting a session behind it, and
//! where to send someone after signing in.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Via, Visitor};
use crate::app;
use crate::domain::UserId;
use crate::web::AppState;
use crate::web::error::Result;

/// Secure and `__Host-` prefixed, except on plain HTTP to this machine (`http://localhost`),
/// where a browser would drop a Secure cookie from a non-secure page in some browsers.
pub(super) fn wants_secure_cookie(headers: &HeaderMap) -> bool {
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

pub(super) fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

pub(super) fn session_cookie(secure: bool, secret: &str, max_age: time::Duration) -> HeaderValue {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{name}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", max_age.whole_seconds());
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("hindsight_session=; Max-Age=0"))
}

/// Starts a new session for `user` (a new id every time: nothing from before sign-in carries
/// over) and sends the browser on to `next`.
pub(super) async fn start_session(
    state: &AppState,
    db: &mut sqlx::PgConnection,
    visitor: &Visitor,
    user: UserId,
    next: &str,
) -> Result<Response> {
    let replacing = match &visitor.via {
        Via::Session { token_hash } => Some(token_hash.as_slice()),
        _ => None,
    };
    let secret = app::people::start_session(db, user, replacing).await?;
    let mut response = Redirect::to(safe_next(next)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(visitor.secure_cookie, &secret, state.auth.lifetime));
    Ok(response)
}

/// Only a path on this site: never `//evil.example` or `https://…`.
pub(super) fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    // A control character would also make the Location header invalid.
    if local && !next.chars().any(char::is_control) { next } else { "/incidents" }
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
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers
            .insert(header::COOKIE, HeaderValue::from_static("x_hindsight_session=no; __Host-hindsight_session=abc"));
        assert_eq!(read_cookie(&headers, "__Host-hindsight_session"), Some("abc"));
        assert_eq!(read_cookie(&headers, "hindsight_session"), None);
    }
}
