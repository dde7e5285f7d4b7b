//! Serving: open the database, bind, serve until SIGTERM or Ctrl-C, then shut down in order
//! (in-flight requests finish, the pool closes, the private cluster stops).

use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::database::Database;
use crate::web::{AppState, router};

/// How long `/readyz` waits for the database.
const READINESS_TIMEOUT: Duration = Duration::from_secs(1);

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let database = Database::open(&config).await?;
    let result = serve_until_shutdown(&config, &database).await;
    tracing::info!("Closing the database pool");
    database.close().await;
    tracing::info!("Hindsight stopped");
    result
}

async fn serve_until_shutdown(config: &Config, database: &Database) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("could not listen on {} (set --listen or HINDSIGHT_LISTEN)", config.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "Hindsight is listening on http://{address}");
    let state = AppState { pool: database.pool.clone(), readiness_timeout: READINESS_TIMEOUT };
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the HTTP server failed")
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "Could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "Could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("Shutdown requested: finishing in-flight requests");
}
