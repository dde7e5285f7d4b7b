//! Where the data lives: connecting to PostgreSQL (a server named by `DATABASE_URL`, or a
//! private cluster Hindsight runs itself), creating the database, and applying migrations.

pub mod private_cluster;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::config::Config;
use private_cluster::PrivateCluster;

/// The migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Name of the database Hindsight creates in its private cluster.
const PRIVATE_DATABASE: &str = "hindsight";

/// An open database: the pool, and the private cluster behind it, if Hindsight runs one.
pub struct Database {
    pub pool: PgPool,
    cluster: Option<PrivateCluster>,
}

/// What the connections are for, which decides their session settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Serving requests: every statement and every open transaction has a time limit (the
    /// request deadline), and the server probes the connection for a vanished client.
    Serve,
    /// A command (import, export, demo, user): runs as long as its work takes.
    Batch,
}

impl Database {
    /// Connects as configured, creates the database if missing and applies migrations.
    pub async fn open(config: &Config, purpose: Purpose) -> anyhow::Result<Database> {
        let (options, cluster) = match &config.database_url {
            Some(url) => {
                let options =
                    PgConnectOptions::from_str(&url.0).context("DATABASE_URL is not a valid PostgreSQL URL")?;
                (options, None)
            }
            None => {
                let cluster = PrivateCluster::start(&config.data_dir, config.pg_bin.as_deref()).await?;
                (cluster_options(&cluster, PRIVATE_DATABASE), Some(cluster))
            }
        };
        match Database::connect(config, options, purpose, cluster.is_some()).await {
            Ok(pool) => Ok(Database { pool, cluster }),
            Err(error) => {
                if let Some(cluster) = cluster {
                    cluster.stop().await.ok();
                }
                Err(error)
            }
        }
    }

    async fn connect(
        config: &Config,
        options: PgConnectOptions,
        purpose: Purpose,
        private: bool,
    ) -> anyhow::Result<PgPool> {
        if config.no_migrate {
            check_migrated(&options).await?;
        } else {
            create_database_if_missing(&options).await?;
            migrate(&options).await?;
        }
        let session = match purpose {
            Purpose::Serve => session_limits(&options, config.request_timeout),
            Purpose::Batch => options.clone(),
        };
        let pool = pool_options(config.pool_size, config.acquire_timeout)
            .connect_with(session)
            .await
            .with_context(|| format!("could not connect to {}", describe(&options)))?;
        if private {
            tracing::info!(database = %describe(&options), data_dir = %config.data_dir.display(),
                "Using the private PostgreSQL cluster in the data folder");
        } else {
            tracing::info!(database = %describe(&options), "Using the PostgreSQL server from DATABASE_URL");
        }
        Ok(pool)
    }

    /// Closes the pool, then stops the private cluster if there is one.
    pub async fn close(self) {
        self.pool.close().await;
        self.stop_cluster().await;
    }

    /// Stops the private cluster if there is one (the pool is closed, or given up on).
    pub async fn stop_cluster(self) {
        if let Some(cluster) = self.cluster
            && let Err(error) = cluster.stop().await
        {
            tracing::error!(%error, "The private PostgreSQL cluster did not stop cleanly");
        }
    }
}

/// Applies the migrations on a connection of their own, without the serving time limits: a
/// migration may rewrite a large table. Several instances starting at once are serialised by
/// sqlx's advisory lock, so each migration runs once.
async fn migrate(options: &PgConnectOptions) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect_with(options)
        .await
        .with_context(|| format!("could not connect to {}", describe(options)))?;
    MIGRATOR.run(&mut conn).await.context("could not apply the database migrations")?;
    conn.close().await.ok();
    Ok(())
}

/// With `--no-migrate`: refuses to start on a database that lacks a migration this version
/// needs (without taking the migration lock, which PgBouncer in transaction mode would break).
async fn check_migrated(options: &PgConnectOptions) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect_with(options)
        .await
        .with_context(|| format!("could not connect to {}", describe(options)))?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(&mut conn)
        .await
        .context("--no-migrate: the database has no migrations table; run `hindsight migrate` first")?;
    conn.close().await.ok();
    let missing: Vec<String> = MIGRATOR
        .iter()
        .filter(|migration| !applied.contains(&migration.version))
        .map(|migration| format!("{} {}", migration.version, migration.description))
        .collect();
    anyhow::ensure!(
        missing.is_empty(),
        "--no-migrate: the database lacks these migrations; run `hindsight migrate` against PostgreSQL directly: {}",
        missing.join(", ")
    );
    Ok(())
}

/// Connection options for serving: the session settings that bound what one connection can
/// cost. A statement, or a transaction left open, is cancelled by the server after the
/// request deadline (a request is abandoned then anyway), and the server sends TCP keepalive
/// probes so that it notices a Hindsight host that vanished. JIT compilation is off: every
/// query Hindsight makes reads a bounded number of rows, and on a large database the planner's
/// estimates for a few of them (similar incidents) passed the JIT threshold and spent a hundred
/// milliseconds compiling for a query that runs in ten. (Behind PgBouncer in transaction mode,
/// set these on the role instead: see the README's operations section.)
pub fn session_limits(options: &PgConnectOptions, deadline: Duration) -> PgConnectOptions {
    let millis = deadline.as_millis().to_string();
    options.clone().options([
        ("statement_timeout", millis.as_str()),
        ("idle_in_transaction_session_timeout", millis.as_str()),
        ("tcp_keepalives_idle", "30"),
        ("tcp_keepalives_interval", "10"),
        ("tcp_keepalives_count", "3"),
        ("jit", "off"),
    ])
}

/// A connection idle longer than this is checked (a round trip) before it is handed out.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(10);

/// The bounded pool every request draws from. The short acquire timeout is what turns an
/// exhausted pool or a dead database into a quick 503 instead of a hung request.
///
/// sqlx checks every connection with a round trip before handing it out; here only one that
/// has been idle a while is checked (one lost to a database restart is then replaced before a
/// request sees it). A busy pool's connections were just used, and a page makes two round
/// trips instead of four.
pub fn pool_options(max_connections: u32, acquire_timeout: Duration) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(acquire_timeout)
        .idle_timeout(Duration::from_secs(600))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= CHECK_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

/// Connection options for a database in a private cluster (Unix socket, trust auth).
pub fn cluster_options(cluster: &PrivateCluster, database: &str) -> PgConnectOptions {
    PgConnectOptions::new()
        .socket(cluster.socket_dir())
        .port(cluster.port())
        .username(cluster.user())
        .database(database)
}

/// `host:port/database`, or the socket folder and database; never the password.
pub fn describe(options: &PgConnectOptions) -> String {
    let database = options.get_database().unwrap_or("(default)");
    match options.get_socket() {
        Some(socket) => format!("{database} via the socket in {}", socket.display()),
        None => format!("{}:{}/{database}", options.get_host(), options.get_port()),
    }
}

/// Creates the configured database through the `postgres` maintenance database if it does
/// not exist yet.
pub async fn create_database_if_missing(options: &PgConnectOptions) -> anyhow::Result<()> {
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let mut conn = PgConnection::connect_with(&options.clone().database("postgres"))
        .await
        .with_context(|| format!("could not connect to PostgreSQL at {}", describe(options)))?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut conn)
        .await?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        match sqlx::query(&format!("CREATE DATABASE {quoted}")).execute(&mut conn).await {
            Ok(_) => tracing::info!(database = %name, "Created the database"),
            // Another instance starting at the same moment may have won the race: PostgreSQL
            // says so as "already exists", or, when both got past its own check at once, as a
            // unique violation in its catalogue.
            Err(sqlx::Error::Database(e)) if matches!(e.code().as_deref(), Some("42P04" | "23505")) => {
                tracing::info!(database = %name, "Another instance created the database at the same moment");
            }
            Err(e) => return Err(e).with_context(|| format!("could not create the database {name:?}")),
        }
    }
    conn.close().await.ok();
    Ok(())
}
