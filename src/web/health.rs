//! Liveness and readiness probes for load balancers and orchestrators, and `/metrics` for
//! Prometheus. None of them waits at the admission door.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::{ErrorPage, RETRY_AFTER_SECONDS};
use crate::metrics::{self, Gauges};

/// How long `/readyz` waits for the database: under a second, so that a probe with the usual
/// one-second timeout (Kubernetes' default) gets a 503 from us rather than timing out itself, and
/// a frozen database takes an instance out of rotation within a second.
pub const READINESS_TIMEOUT: Duration = Duration::from_millis(750);

/// Answers without touching the database: the process is up and serving.
pub async fn live() -> &'static str {
    "ok\n"
}

/// Answers 200 only if the database answers within the readiness timeout.
pub async fn ready(State(state): State<AppState>) -> Response {
    let deadline = Instant::now() + state.readiness_timeout;
    let acquired = tokio::time::timeout_at(deadline.into(), state.pool.acquire()).await;
    let mut conn = match acquired {
        Ok(Ok(conn)) => conn,
        Ok(Err(error)) => {
            tracing::warn!(%error, "Readiness check failed: no database connection");
            return not_ready();
        }
        Err(_) => {
            tracing::warn!(
                timeout_ms = state.readiness_timeout.as_millis(),
                "Readiness check timed out waiting for a connection"
            );
            return not_ready();
        }
    };
    let check = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&mut *conn);
    match tokio::time::timeout_at(deadline.into(), check).await {
        Ok(Ok(_)) => "ready\n".into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "Readiness check failed: the database did not answer");
            not_ready()
        }
        Err(_) => {
            // The query never came back (a frozen database): the connection is in an unknown
            // state, so it is closed rather than handed back to wait for a reply.
            conn.close_on_drop();
            tracing::warn!(timeout_ms = state.readiness_timeout.as_millis(), "Readiness check timed out");
            not_ready()
        }
    }
}

fn not_ready() -> Response {
    let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    response.extensions_mut().insert(ErrorPage::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Not ready",
        "The database did not answer the readiness check in time.",
    ));
    response
}

/// `GET /metrics`: the Prometheus text format, from memory only.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let limits = state.admission.limits();
    let gauges = Gauges {
        pool_open: state.pool.size(),
        pool_idle: state.pool.num_idle(),
        pool_max: state.pool.options().get_max_connections(),
        admitted: state.admission.in_flight(),
        waiting: state.admission.waiting(),
        admission_limit: limits.concurrency,
    };
    let body = metrics::global().encode(gauges);
    ([(header::CONTENT_TYPE, HeaderValue::from_static(metrics::CONTENT_TYPE))], body).into_response()
}
