//! Liveness and readiness probes for load balancers and orchestrators.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::{ErrorPage, RETRY_AFTER_SECONDS};

/// Answers without touching the database: the process is up and serving.
pub async fn live() -> &'static str {
    "ok\n"
}

/// Answers 200 only if the database answers within the readiness timeout.
pub async fn ready(State(state): State<AppState>) -> Response {
    let check = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.pool);
    match tokio::time::timeout(state.readiness_timeout, check).await {
        Ok(Ok(_)) => "ready\n".into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "Readiness check failed: the database did not answer");
            not_ready()
        }
        Err(_) => {
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
