//! One log line and one set of metrics per request.
//!
//! Every request ends in exactly one line, inside its span (which carries the request id):
//! `info` for answers and refusals of bad input, `warn` for a database that is unavailable or
//! a request cut off, `error` for a failure inside Hindsight, with its cause. Requests shed at
//! the door are the exception: under overload there are thousands a second, so each gets a
//! `debug` line and a `warn` line sums them up at most once a second ([`ShedSummary`]). A refusal
//! carries its reason code (`not_found`, `payload_too_large`, `shed`...), which is also
//! counted in `/metrics` (`hindsight_http_refusals_total`), with the route's pattern, status
//! and latency (`hindsight_http_responses_total`, `hindsight_http_request_duration_seconds`).

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::error::{Refusal, SHED_REASON};
use crate::metrics;

/// Paths whose next segment is a secret (a one-time set-password link), masked in logs.
const SECRET_PATHS: &[&str] = &["/reset/"];

/// The path as the log shows it: a secret it carries is replaced by `{secret}`, so that
/// whoever reads the logs cannot use a one-time link that has not been used yet. (Feeds'
/// tokens are in the query string, which is never logged.)
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in SECRET_PATHS {
        if let Some(rest) = path.strip_prefix(prefix) {
            let after = rest.find('/').map_or("", |slash| &rest[slash..]);
            return format!("{prefix}{{secret}}{after}").into();
        }
    }
    path.into()
}

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
        Some(reason @ SHED_REASON) => {
            tracing::debug!(status = code, latency_ms, reason, "Request refused");
            if let Some(shed) = SHED.note(SHED.second()) {
                tracing::warn!(parent: None, reason, shed, "Requests shed: more came than the database can serve; \
                    each was answered 503 with Retry-After (this line sums them up at most once a second)");
            }
        }
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

/// Requests shed at the door, summed up in the log. Under overload they come by the thousand a
/// second, and a line each would flood the log just when it is read (and take CPU from the
/// requests being served): each shed request is counted in `/metrics` and logged at `debug`, and
/// a warning sums them up at most once a second.
struct ShedSummary {
    started: LazyLock<Instant>,
    /// Shed since the last summary line.
    since_last_line: AtomicU64,
    /// The second (since `started`, from 1) of the last summary line; 0 before the first.
    last_line_second: AtomicU64,
}

static SHED: ShedSummary = ShedSummary::new();

impl ShedSummary {
    const fn new() -> ShedSummary {
        ShedSummary {
            started: LazyLock::new(Instant::now),
            since_last_line: AtomicU64::new(0),
            last_line_second: AtomicU64::new(0),
        }
    }

    /// The current second, counted from 1.
    fn second(&self) -> u64 {
        self.started.elapsed().as_secs() + 1
    }

    /// Counts one shed request in `second`; when a summary line is due (none yet in this
    /// second), how many it reports: this one and every one since the last line.
    fn note(&self, second: u64) -> Option<u64> {
        self.since_last_line.fetch_add(1, Ordering::Relaxed);
        let last = self.last_line_second.load(Ordering::Relaxed);
        let due = second > last
            && self.last_line_second.compare_exchange(last, second, Ordering::Relaxed, Ordering::Relaxed).is_ok();
        due.then(|| self.since_last_line.swap(0, Ordering::Relaxed))
    }
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

#[cfg(test)]
mod tests {
    use super::{ShedSummary, loggable_path};

    #[test]
    fn a_one_time_links_secret_is_masked_in_the_logged_path() {
        assert_eq!(loggable_path("/reset/0123abcd"), "/reset/{secret}");
        assert_eq!(loggable_path("/reset/0123abcd/extra"), "/reset/{secret}/extra");
        assert_eq!(loggable_path("/reset/"), "/reset/{secret}");
        assert_eq!(loggable_path("/incidents/7"), "/incidents/7");
        assert_eq!(loggable_path("/resetting"), "/resetting");
    }

    #[test]
    fn shed_requests_are_summed_up_at_most_once_a_second_and_none_is_left_out() {
        let summary = ShedSummary::new();
        // The first is reported at once: the onset of shedding shows in the log straight away.
        assert_eq!(summary.note(1), Some(1));
        // The rest of that second wait for the next line, which counts them all.
        for _ in 0..999 {
            assert_eq!(summary.note(1), None);
        }
        assert_eq!(summary.note(2), Some(1000));
        assert_eq!(summary.note(2), None);
        // After a quiet spell, the first again at once, with the one left from before.
        assert_eq!(summary.note(9), Some(2));
    }
}
