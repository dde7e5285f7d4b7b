//! Request bodies are read whole, within a size limit and a time limit, before a request may
//! wait at the admission door: a client sending slowly never holds a turn at the database,
//! and a `Content-Length` over the limit is answered 413 at once, before any byte is read.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use super::error::AppError;
use super::{MAX_BODY_BYTES, import, templates};

/// Longest a client may take to send a request's body.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The routes that take whole documents, several at once.
const IMPORT_ROUTES: [&str; 3] = ["/import", "/import/preview", "/api/import"];

/// The most a request to `path` may send. A template's form may bring more than a template may
/// hold, so that an oversized one is refused with its text kept rather than cut off (admins only).
pub fn limit_for(path: &str) -> usize {
    if IMPORT_ROUTES.contains(&path) {
        import::MAX_IMPORT_REQUEST_BYTES
    } else if path == "/admin/templates" || path.starts_with("/admin/templates/") {
        templates::MAX_TEMPLATE_REQUEST_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

pub async fn read_whole(request: Request, next: Next) -> Response {
    let has_body = request.headers().contains_key(header::CONTENT_LENGTH)
        || request.headers().contains_key(header::TRANSFER_ENCODING);
    if !has_body && matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let limit = limit_for(request.uri().path());
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return AppError::PayloadTooLarge.into_response();
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(BODY_READ_TIMEOUT, Limited::new(body, limit).collect()).await;
    let bytes = match read {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return AppError::PayloadTooLarge.into_response();
        }
        Ok(Err(_)) => {
            return AppError::BadRequest("The request's body was cut off before its end, so nothing was saved.".into())
                .into_response();
        }
        Err(_) => return AppError::SlowRequest.into_response(),
    };
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}
