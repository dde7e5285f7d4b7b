//! Serving: open the database, bind, serve until SIGTERM or Ctrl-C, then shut down in order
//! (in-flight requests finish, the pool closes, the private cluster stops), all within
//! `--shutdown-timeout` whatever the database does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::database::{Database, Purpose};
use crate::web::admission::Limits;
use crate::web::auth::AuthSettings;
use crate::web::{AppState, router};
use crate::webhooks::ReceiverPolicy;

pub mod listen;

/// The address people reach Hindsight at, for links sent elsewhere: `--public-url`, or
/// http:// and the listening address.
pub fn public_url(config: &Config) -> String {
    let url = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen));
    url.trim_end_matches('/').to_owned()
}

/// How long a webhook receiver has to answer before the attempt counts as failed.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn serve(config: Config) -> anyhow::Result<()> {
    // Settings are checked before anything starts, so a bad one fails fast.
    let auth = Arc::new(AuthSettings::from_config(&config)?);
    let database = Database::open(&config, Purpose::Serve).await?;
    let cleanup = tokio::spawn(clean_up_sessions(database.pool.clone(), auth.clone()));
    tokio::spawn(start_histories(database.pool.clone()));
    let folder = tokio::spawn(fold_learning_counts(database.pool.clone()));
    let receivers = Arc::new(ReceiverPolicy::allowing(config.webhook_allowed_networks.clone()));
    let deliverer = crate::webhooks::Deliverer::new(
        database.pool.clone(),
        &public_url(&config),
        WEBHOOK_TIMEOUT,
        receivers.clone(),
    )
    .context("could not set up the webhook client")?;
    let webhooks = tokio::spawn(deliverer.run());
    let wiki = Arc::new(config.wiki_settings());
    let syncer =
        tokio::spawn(crate::wiki::Syncer::new(database.pool.clone(), wiki.clone(), &public_url(&config)).run());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    let signal = async move {
        shutdown_signal().await;
        stop_tx.send(Instant::now()).ok();
    };
    let result = serve_until_shutdown(&config, &database, auth, receivers, wiki, signal).await;
    cleanup.abort();
    folder.abort();
    webhooks.abort();
    syncer.abort();
    // Whatever the database does, the pool gets what is left of the shutdown limit.
    let deadline = stop_rx.await.unwrap_or_else(|_| Instant::now()) + config.shutdown_timeout;
    tracing::info!("Closing the database pool");
    if tokio::time::timeout_at(deadline.into(), database.pool.close()).await.is_err() {
        tracing::warn!("The database did not let the pool close in time; leaving its connections to the OS");
    }
    database.stop_cluster().await;
    tracing::info!("Hindsight stopped");
    result
}

async fn serve_until_shutdown(
    config: &Config,
    database: &Database,
    auth: Arc<AuthSettings>,
    receivers: Arc<ReceiverPolicy>,
    wiki: Arc<crate::wiki::WikiSettings>,
    signal: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("could not listen on {} (set --listen or HINDSIGHT_LISTEN)", config.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "Hindsight is listening on http://{address}");
    let limits = Limits::for_pool(config.pool_size, config.queue_timeout, config.request_timeout);
    let state = AppState {
        readiness_timeout: crate::web::health::READINESS_TIMEOUT,
        auth,
        due_policy: config.due_policy,
        public_url: public_url(config),
        receivers,
        wiki,
        ..AppState::new(database.pool.clone(), limits)
    };
    listen::serve(listener, router(state), signal, config.shutdown_timeout).await;
    Ok(())
}

/// How often the learning pages' count deltas are folded into their counts.
const FOLD_LEARNING_EVERY: Duration = Duration::from_secs(2);
/// Folds between two vacuums of the deltas' table (a minute), when any fold changed a count.
const FOLDS_A_VACUUM: u32 = 30;

/// Every few seconds, folds the deltas that writes to postmortems, their labels and action
/// items left into the learning pages' counts (migration 37). The figures are exact without
/// it (readers add the deltas); folding keeps the deltas a reader adds few.
async fn fold_learning_counts(pool: sqlx::PgPool) {
    let mut every = tokio::time::interval(FOLD_LEARNING_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut folds, mut changed) = (0, false);
    loop {
        every.tick().await;
        match crate::db::learning::fold_counts(&pool).await {
            Ok(counts) => changed |= counts > 0,
            Err(error) => tracing::warn!(%error, "Could not fold the learning counts"),
        }
        folds += 1;
        if folds >= FOLDS_A_VACUUM && changed {
            (folds, changed) = (0, false);
            if let Err(error) = crate::db::learning::vacuum_deltas(&pool).await {
                tracing::warn!(%error, "Could not vacuum the learning count deltas");
            }
        }
    }
}

/// How long a write's idempotency key is kept: a retry comes within minutes, a day is ample.
const IDEMPOTENCY_KEYS_KEPT: Duration = Duration::from_secs(24 * 3600);

/// Every hour, deletes sessions that can no longer be used, login failures too old to count
/// and idempotency keys older than a day. Expired sessions are refused anyway; this only keeps
/// the tables small.
async fn clean_up_sessions(pool: sqlx::PgPool, auth: Arc<AuthSettings>) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match crate::db::sessions::delete_expired(&pool, auth.idle_timeout, auth.lifetime).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "Removed expired sessions"),
            Err(error) => tracing::warn!(%error, "Could not remove expired sessions"),
        }
        if let Err(error) = crate::db::login_failures::forget_old(&pool, crate::auth::throttle::WINDOW).await {
            tracing::warn!(%error, "Could not remove old login failures");
        }
        if let Err(error) = crate::db::idempotency::forget_old(&pool, IDEMPOTENCY_KEYS_KEPT).await {
            tracing::warn!(%error, "Could not remove old idempotency keys");
        }
    }
}

/// Postmortems saved before revisions were kept get their first revision, in the background so
/// a large database does not hold up the start.
async fn start_histories(pool: sqlx::PgPool) {
    let started = match pool.acquire().await {
        Ok(mut conn) => crate::app::revisions::backfill(&mut conn).await,
        Err(error) => Err(error.into()),
    };
    match started {
        Ok(0) => {}
        Ok(started) => tracing::info!(started, "Recorded the first revision of postmortems saved before revisions"),
        Err(error) => tracing::warn!(%error, "Could not record first revisions"),
    }
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
