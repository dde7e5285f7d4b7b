//! One log line and one set of metrics per request.
//!
//! Every request ends in exactly one line, inside its span (which carries the request id):
//! `info` for answers and refusals of bad input, `warn` for a database that is unavailable or
//! a request shed or cut off, `error` for a failure inside Hindsight, with its cause. A refusal
//! carries its reason code (`not_found`, `payload_too_large`, `shed`...), which is also
//! counted in `/metrics` (`hindsight_http_refusals_total`), with the route's pattern, status
//! and latency (`hindsight_http_responses_total`, `hindsight_http_request_duration_seconds`).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::error::Refusal;
use crate::metrics;

/// Inside the router: notes the matched route's pattern on the response, for [`record`].
pub async fn note_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Outside everything but the span: logs and counts the finished request.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status();
    let route = response.extensions().get::<MatchedPath>().map_or("(none)", MatchedPath::as_str);
    metrics::global().response(method.as_str(), route, status.as_u16(), elapsed);
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    let refusal = response.extensions().get::<Refusal>();
    let reason = refusal.map(|refusal| refusal.reason).or_else(|| reason_of(status));
    let cause = refusal.and_then(|refusal| refusal.cause.as_deref());
    let code = status.as_u16();
    if let Some(reason) = reason {
        metrics::global().refused(reason);
    }
    match reason {
        None => tracing::info!(status = code, latency_ms, "Request finished"),
        Some(reason) if code == 503 => {
            tracing::warn!(status = code, latency_ms, reason, error = cause, "Request refused")
        }
        Some(reason) if status.is_server_error() => {
            tracing::error!(status = code, latency_ms, reason, error = cause, "Request failed");
        }
        Some(reason) => tracing::info!(status = code, latency_ms, reason, "Request refused"),
    }
    response
}

/// The reason code of an error response that carries none: a form shown again with what was
/// wrong (422), or a refusal by a layer or the router.
fn reason_of(status: StatusCode) -> Option<&'static str> {
    Some(match status {
        status if !status.is_client_error() && !status.is_server_error() => return None,
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
        StatusCode::CONFLICT => "conflict",
        StatusCode::TOO_MANY_REQUESTS => "throttled",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::NOT_FOUND => "not_found",
        status if status.is_server_error() => "internal_error",
        _ => "bad_request",
    })
}
