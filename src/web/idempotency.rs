//! Every write at most once. A form carries a key made when its page was drawn (the hidden
//! field `idempotency_key`); an API client sends one as the `Idempotency-Key` header. A write
//! with a key runs inside a transaction that also records the key and, once the handler has
//! answered, its result; both commit together. So when the reply to a write is lost (the
//! database or the network failed while committing) sending it again is safe: a repeat finds
//! the key and gets the first answer again, and the write is not made twice. Two copies sent at
//! the same moment (a double click) are applied one after the other: the second waits for the
//! first's key, then replays its answer.
//!
//! The key belongs to a person and to one request: the same key with another body (a page
//! kept in the browser's history, its form sent again with new text) is a new request.
//! Requests without a key run as before. Only answers that mean "done" (2xx, 3xx) are kept;
//! a refused form keeps nothing, so it can be corrected and sent again with its key.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::TransactionManager;
use sqlx::postgres::PgTransactionManager;

use super::admission::RequestConnection;
use super::auth::Visitor;
use super::error::AppError;
use crate::db::idempotency::{self, FirstResult};
use crate::domain::UserId;

/// The form field that carries the key.
pub const FORM_FIELD: &str = "idempotency_key";

/// The header an API client sends the key in.
pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");

/// On a replayed answer, so that a client can tell.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Most bytes of a JSON answer kept to replay.
const MOST_KEPT_BODY: usize = 64 * 1024;

pub async fn at_most_once(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let user = request.extensions().get::<Visitor>().and_then(|visitor| visitor.user.as_ref().map(|user| user.id));
    let connection = request.extensions().get::<RequestConnection>().cloned();
    let (Some(user), Some(connection)) = (user, connection) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    // The body was read whole before admission (`web::body`): this only takes it back.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::BadRequest("The request's body could not be read.".into()).into_response(),
    };
    let key = match key_of(&parts.headers, &bytes) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(error) => return error.into_response(),
    };
    let request_id = Once { user, key, fingerprint: fingerprint(&parts.uri, &bytes) };
    match request_id.claim(&connection).await {
        Ok(None) => {}
        Ok(Some(first)) => return replay(first),
        Err(error) => return error.into_response(),
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    match request_id.finish(&connection, response).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// The key sent with a request, if any: the header, or the form's field.
fn key_of(headers: &axum::http::HeaderMap, body: &Bytes) -> Result<Option<String>, AppError> {
    let key = match headers.get(&HEADER) {
        Some(value) => Some(value.to_str().map_err(|_| bad_key())?.to_owned()),
        None if is_form(headers) => serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(name, _)| name == FORM_FIELD).map(|(_, value)| value)),
        None => None,
    };
    match key {
        Some(key) if !is_valid_key(&key) => Err(bad_key()),
        key => Ok(key),
    }
}

fn is_form(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

/// 8 to 128 letters, digits, `-`, `_`, `.` or `:` (a UUID, a ULID, a random hex string).
fn is_valid_key(key: &str) -> bool {
    (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

fn bad_key() -> AppError {
    AppError::BadRequest(
        "The idempotency key must be 8 to 128 letters, digits, dashes, underscores, dots or colons. Nothing was \
         changed."
            .into(),
    )
}

/// What makes two requests the same request: the address and the body, byte for byte.
fn fingerprint(uri: &axum::http::Uri, body: &Bytes) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(uri.path().as_bytes());
    hash.update(b"?");
    hash.update(uri.query().unwrap_or_default().as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hash.finalize().to_vec()
}

/// One keyed request.
struct Once {
    user: UserId,
    key: String,
    fingerprint: Vec<u8>,
}

impl Once {
    /// Opens the request's transaction and claims its key: `None` to go on, or the first
    /// result of a request already made with it.
    async fn claim(&self, connection: &RequestConnection) -> Result<Option<FirstResult>, AppError> {
        let mut db = connection.lock().await?;
        PgTransactionManager::begin(&mut db, None).await?;
        match idempotency::claim(&mut *db, self.user, &self.key, &self.fingerprint).await {
            Ok(true) => return Ok(None),
            Ok(false) => PgTransactionManager::rollback(&mut db).await?,
            Err(error) => {
                PgTransactionManager::rollback(&mut db).await.ok();
                return Err(error.into());
            }
        }
        // Taken: the claim waited for the request holding the key to commit.
        let first = idempotency::first_result(&mut *db, self.user, &self.key, &self.fingerprint).await?;
        first.map(Some).ok_or(AppError::Conflict)
    }

    /// Keeps the handler's answer with the key and commits both, or, for an answer that is
    /// not "done", rolls back.
    async fn finish(&self, connection: &RequestConnection, response: Response) -> Result<Response, AppError> {
        let mut db = connection.lock().await?;
        let status = response.status();
        if !status.is_success() && !status.is_redirection() {
            PgTransactionManager::rollback(&mut db).await?;
            return Ok(response);
        }
        let (response, first) = FirstResult::of(response).await;
        idempotency::record(&mut *db, self.user, &self.key, &self.fingerprint, &first).await?;
        PgTransactionManager::commit(&mut db).await.map_err(|error| {
            if crate::db::is_unavailable(&error) { AppError::OutcomeUnknown(error) } else { AppError::Database(error) }
        })?;
        Ok(response)
    }
}

impl FirstResult {
    /// What to keep of an answer: its status and where it sends the browser, and a JSON
    /// answer's body (an HTML page is not kept: it may show a one-time secret).
    async fn of(response: Response) -> (Response, FirstResult) {
        let status = i16::try_from(response.status().as_u16()).unwrap_or(200);
        let headers = response.headers();
        let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let (location, content_type) = (text(header::LOCATION), text(header::CONTENT_TYPE));
        let is_json = content_type.as_deref().is_some_and(|t| t.starts_with("application/json"));
        let mut first = FirstResult { status, location, content_type, body: None };
        if !is_json {
            return (response, first);
        }
        let (parts, body) = response.into_parts();
        match axum::body::to_bytes(body, MOST_KEPT_BODY).await {
            Ok(bytes) => {
                first.body = String::from_utf8(bytes.to_vec()).ok();
                (Response::from_parts(parts, Body::from(bytes)), first)
            }
            // Too long to keep: answered as the handler made it, replayed as "already done".
            Err(_) => (Response::from_parts(parts, Body::empty()), first),
        }
    }
}

/// The first answer again.
fn replay(first: FirstResult) -> Response {
    let status = u16::try_from(first.status).ok().and_then(|s| StatusCode::from_u16(s).ok());
    let mut response = match (status, first.body) {
        (Some(status), _) if status.is_redirection() => status.into_response(),
        (Some(status), Some(body)) => {
            let mut response = (status, body).into_response();
            if let Some(content_type) = first.content_type.and_then(|t| HeaderValue::from_str(&t).ok()) {
                response.headers_mut().insert(header::CONTENT_TYPE, content_type);
            }
            response
        }
        _ => AppError::AlreadyDone.into_response(),
    };
    if let Some(location) = first.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_plain_tokens() {
        assert!(is_valid_key("0f8e2a4c9b7d1e3f"));
        assert!(is_valid_key("01HZX3V9K2M4N5P6Q7R8S9T0VW"));
        assert!(is_valid_key("6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"));
        assert!(!is_valid_key("short"));
        assert!(!is_valid_key(&"x".repeat(129)));
        assert!(!is_valid_key("has space in it"));
        assert!(!is_valid_key("nul\0byte-in-key"));
    }

    #[test]
    fn the_same_body_at_the_same_address_is_the_same_request() {
        let uri: axum::http::Uri = "/incidents/7/timeline".parse().expect("uri");
        let other: axum::http::Uri = "/incidents/8/timeline".parse().expect("uri");
        let body = Bytes::from_static(b"body=Paged+on-call&idempotency_key=k1k1k1k1");
        assert_eq!(fingerprint(&uri, &body), fingerprint(&uri, &body.clone()));
        assert_ne!(fingerprint(&uri, &body), fingerprint(&other, &body));
        assert_ne!(fingerprint(&uri, &body), fingerprint(&uri, &Bytes::from_static(b"body=Paged")));
    }
}
