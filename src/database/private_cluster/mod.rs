//! Hindsight's private PostgreSQL cluster.
//!
//! When no `DATABASE_URL` is configured, Hindsight runs a PostgreSQL server of
//! its own so that `cargo run` works out of the box. [`PrivateCluster::start`]
//! creates the cluster on first use, starts the server, and returns once it
//! accepts connections. [`PrivateCluster::stop`] shuts it down. This module
//! only says where to connect ([`PrivateCluster::socket_dir`],
//! [`PrivateCluster::port`], [`PrivateCluster::user`]). The caller builds the
//! connection options. A new cluster has only the `postgres` and `template*`
//! databases, so connect to `postgres` or create a database of your own.
//!
//! # Layout of the data folder
//!
//! ```text
//! data_dir/
//!   hindsight.lock     exclusive lock held by the Hindsight process using this folder (holds its PID)
//!   postgres/          the cluster (PGDATA), mode 0700, owned by the user the server runs as
//!     socket/          the server's Unix socket directory, mode 0700; no TCP port is opened
//!   postgres.log       the server's stdout and stderr, appended to (moved to postgres.log.1 past 10 MiB)
//!   postgres.initdb/   exists only while initdb runs; renamed to postgres/ once initdb succeeds
//! ```
//!
//! Because `initdb` writes into a staging folder that is renamed only after it
//! succeeds, an interrupted first start never leaves a half-made cluster
//! behind. The next start simply runs `initdb` again.
//!
//! # Running as root
//!
//! `initdb` and `postgres` refuse to run as root. When Hindsight runs as root,
//! it runs them as an unprivileged user. For a new cluster that is `postgres`,
//! or `nobody` if there is no `postgres` user. For an existing cluster it is
//! the cluster's owner. That user must be able to reach the data folder, and
//! this is checked up front. Root can still connect to the socket.
//!
//! # Lifetime of the server
//!
//! `postgres` is started directly as a child process (not through
//! `pg_ctl start`, which daemonises), in its own process group so that a
//! Ctrl-C in the terminal reaches only Hindsight. Hindsight can then finish
//! its own graceful shutdown and stop the server last. To stop a server left
//! behind when Hindsight dies without calling `stop` (panic=abort, SIGKILL,
//! OOM), Linux's `PR_SET_PDEATHSIG` is set in the child, so the kernel sends it
//! SIGINT (fast shutdown) when its parent goes away.
//!
//! The kernel's "parent" for `PR_SET_PDEATHSIG` is the *thread* that forked the
//! child, not the process. Tokio's blocking-pool threads and the test
//! harness's threads exit while the process lives on, so a server they
//! spawned would be shut down at a random moment. Therefore every child here
//! is forked by one dedicated spawner thread, which is started on first use
//! and lives as long as the process (see `spawn_from_spawner_thread`).
//! Waiting for a child needs no such care: any thread may reap any child of
//! its process.

mod binaries;
mod data_dir;
mod error;
mod ownership;
mod process;
#[cfg(test)]
mod tests;

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use binaries::find_binaries;
use data_dir::{ExistingCluster, acquire_lock, inspect_cluster_dir, log_tail, open_log, run_initdb};
pub use error::ClusterError;
use error::io_error;
use ownership::{choose_run_as, first_unreachable_dir, prepare_socket_dir, socket_directories_setting};
use process::{
    Probe, exit_status, prepare_child, probe, process_is_running, read_postmaster_pid, spawn_from_spawner_thread,
    stop_child, wait_for_stale_server,
};

/// Name of the cluster's superuser, created by `initdb`.
pub const SUPERUSER: &str = "hindsight";

/// Port number in the socket's file name (`.s.PGSQL.5432`). The server opens
/// no TCP port and its socket lives in a folder of its own, so this cannot
/// collide with a system PostgreSQL.
pub const SOCKET_PORT: u16 = 5432;

const CLUSTER_DIR: &str = "postgres";
const INITDB_STAGING_DIR: &str = "postgres.initdb";
const LOCK_FILE: &str = "hindsight.lock";
const LOG_FILE: &str = "postgres.log";
const OLD_LOG_FILE: &str = "postgres.log.1";
const SOCKET_SUBDIR: &str = "socket";
const LOG_ROTATE_BYTES: u64 = 10 * 1024 * 1024;
const LOG_TAIL_LINES: usize = 20;
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const FAST_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
const IMMEDIATE_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
const STALE_SERVER_TIMEOUT: Duration = if cfg!(test) { Duration::from_secs(1) } else { Duration::from_secs(10) };
const POLL_INTERVAL: Duration = Duration::from_millis(50);
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// A running private PostgreSQL server and the cluster it serves.
///
/// Call [`stop`](Self::stop) to shut it down; that is the normal path. If the
/// value is dropped without `stop` (an error path, a panic, a test), `Drop`
/// makes a best-effort synchronous fast shutdown, which blocks the dropping
/// thread for up to ~15 s. If the whole process dies, the kernel sends the
/// server SIGINT (on Linux).
#[derive(Debug)]
pub struct PrivateCluster {
    data_dir: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    /// The socket folder is the fallback under /tmp, removed on stop.
    socket_dir_is_temporary: bool,
    bin_dir: PathBuf,
    log_file: PathBuf,
    newly_created: bool,
    /// The postmaster; `None` once it has been stopped or has exited.
    child: Option<Child>,
    /// Exclusive lock on `data_dir/hindsight.lock`; released when dropped,
    /// after the server is stopped (fields drop after `Drop::drop` runs).
    _lock: File,
}

impl PrivateCluster {
    /// Initialises `data_dir/postgres` if needed, starts postgres on a Unix
    /// socket only, and waits until it accepts connections.
    ///
    /// `data_dir` is created if missing. `bin_dir` is the folder holding
    /// `initdb` and `postgres` (from `--pg-bin`/`HINDSIGHT_PG_BIN`). Without
    /// it they are looked for on `PATH` and then in the usual install
    /// locations.
    pub async fn start(data_dir: &Path, bin_dir: Option<&Path>) -> Result<Self, ClusterError> {
        let data_dir = data_dir.to_path_buf();
        let bin_dir = bin_dir.map(Path::to_path_buf);
        let span = tracing::Span::current();
        // Everything here is blocking (file system, initdb, polling), so it
        // runs on the blocking pool. If this future is dropped mid-way, the
        // task still runs to completion and its result is dropped, which stops
        // the server again.
        run_blocking(move || {
            let _entered = span.enter();
            Self::start_blocking(&data_dir, bin_dir.as_deref())
        })
        .await
    }

    /// Fast shutdown (SIGINT), waits up to 10 s, then SIGQUIT (immediate
    /// shutdown) and, after 5 s more, SIGKILL. Releases the data folder's lock.
    pub async fn stop(self) -> Result<(), ClusterError> {
        let span = tracing::Span::current();
        let mut cluster = self;
        run_blocking(move || {
            let _entered = span.enter();
            cluster.shutdown()
        })
        .await
    }

    /// Folder holding the server's Unix socket; pass it to sqlx's
    /// `PgConnectOptions::socket`.
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// The port number in the socket file's name; pass it to
    /// `PgConnectOptions::port`. No TCP port is opened.
    pub fn port(&self) -> u16 {
        SOCKET_PORT
    }

    /// The cluster's superuser ([`SUPERUSER`]). It needs no password on the socket.
    pub fn user(&self) -> &str {
        SUPERUSER
    }

    /// The data folder passed to [`start`](Self::start), made absolute.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The cluster folder (PGDATA), `data_dir/postgres`.
    pub fn pgdata(&self) -> &Path {
        &self.pgdata
    }

    /// The folder holding the `initdb` and `postgres` that were used. Other
    /// tools of the same version (`pg_dump`, `psql`) are usually there too.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The server's log file, `data_dir/postgres.log`.
    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    /// Whether this start created the cluster (ran `initdb`).
    pub fn newly_created(&self) -> bool {
        self.newly_created
    }

    fn start_blocking(data_dir: &Path, bin_dir: Option<&Path>) -> Result<Self, ClusterError> {
        fs::create_dir_all(data_dir).map_err(io_error("create the data folder", data_dir))?;
        let data_dir = fs::canonicalize(data_dir).map_err(io_error("resolve the data folder", data_dir))?;
        let lock = acquire_lock(&data_dir)?;

        let pgdata = data_dir.join(CLUSTER_DIR);
        let existing = inspect_cluster_dir(&pgdata)?;
        let binaries = find_binaries(bin_dir, existing.as_ref().map(|cluster| cluster.version.as_str()))?;
        let run_as = choose_run_as(&pgdata, existing.as_ref())?;
        let blocked_at =
            if run_as.switch_user { first_unreachable_dir(&data_dir, run_as.uid, run_as.gid)? } else { None };
        if let Some(blocked_at) = blocked_at {
            return Err(ClusterError::DataDirUnreachable { path: data_dir, user: run_as.name, blocked_at });
        }

        let newly_created = existing.is_none();
        if newly_created {
            run_initdb(&binaries, &run_as, &data_dir, &pgdata)?;
        }
        let (socket_dir, socket_dir_is_temporary) = prepare_socket_dir(&pgdata, &run_as)?;
        wait_for_stale_server(&pgdata);

        let log_file = data_dir.join(LOG_FILE);
        let (log, log_start) = open_log(&data_dir, &log_file)?;
        let postgres = binaries.postgres();
        let mut command = Command::new(&postgres);
        command
            .arg("-D")
            .arg(&pgdata)
            .arg("-p")
            .arg(SOCKET_PORT.to_string())
            .args(["-c", "listen_addresses="])
            .arg("-c")
            .arg(socket_directories_setting(&socket_dir))
            .args(["-c", "logging_collector=off", "-c", "cluster_name=hindsight"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io_error("open", &log_file))?)
            .stderr(log);
        prepare_child(&mut command, &run_as, &pgdata);
        tracing::debug!(command = ?command, "Starting PostgreSQL");
        let child = spawn_from_spawner_thread(command).map_err(io_error("run", &postgres))?;
        let pid = child.id();

        let mut cluster = PrivateCluster {
            data_dir,
            pgdata,
            socket_dir,
            socket_dir_is_temporary,
            bin_dir: binaries.dir,
            log_file,
            newly_created,
            child: Some(child),
            _lock: lock,
        };
        let started = Instant::now();
        cluster.wait_until_ready(&postgres, log_start)?;
        tracing::info!(
            data_dir = %cluster.data_dir.display(),
            socket_dir = %cluster.socket_dir.display(),
            bin_dir = %cluster.bin_dir.display(),
            run_as = %run_as.name,
            pid,
            wait_ms = started.elapsed().as_millis() as u64,
            "The private PostgreSQL server is accepting connections"
        );
        Ok(cluster)
    }

    /// Waits until the server accepts connections. On failure, the server is
    /// stopped (or has exited) before this returns.
    fn wait_until_ready(&mut self, postgres: &Path, log_start: u64) -> Result<(), ClusterError> {
        let socket = self.socket_dir.join(format!(".s.PGSQL.{SOCKET_PORT}"));
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let (our_pid, exited) = match self.child.as_mut() {
                Some(child) => (child.id(), exit_status(child)),
                None => (0, Some("stopped".to_owned())),
            };
            if let Some(status) = exited {
                self.child = None;
                // postgres refused to start because another server holds
                // the cluster's lock file.
                let other_server = read_postmaster_pid(&self.pgdata)
                    .filter(|pid| u32::try_from(*pid).ok() != Some(our_pid) && process_is_running(*pid));
                if let Some(pid) = other_server {
                    return Err(ClusterError::AlreadyRunning { path: self.pgdata.clone(), pid });
                }
                return Err(ClusterError::StartFailed {
                    postgres: postgres.to_path_buf(),
                    status,
                    log: self.log_file.clone(),
                    tail: log_tail(&self.log_file, log_start),
                });
            }
            if probe(&socket) == Probe::Ready {
                return Ok(());
            }
            if Instant::now() >= deadline {
                if let Err(error) = self.shutdown() {
                    tracing::warn!(%error, "Could not stop the PostgreSQL server that failed to start");
                }
                return Err(ClusterError::StartTimeout {
                    log: self.log_file.clone(),
                    tail: log_tail(&self.log_file, log_start),
                });
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// Stops the server if it is still running. Idempotent.
    fn shutdown(&mut self) -> Result<(), ClusterError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let pid = child.id();
        let result = stop_child(&mut child);
        if self.socket_dir_is_temporary {
            // Only succeeds once the server has removed its socket files.
            let _ = fs::remove_dir(&self.socket_dir);
        }
        let status = result.map_err(|source| ClusterError::Io {
            action: "stop the PostgreSQL server running on",
            path: self.pgdata.clone(),
            source,
        })?;
        tracing::info!(
            data_dir = %self.data_dir.display(),
            pid,
            %status,
            "Stopped the private PostgreSQL server"
        );
        Ok(())
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        if exit_status(child).is_none() {
            tracing::warn!(
                data_dir = %self.data_dir.display(),
                "The private PostgreSQL server was dropped without stop(); stopping it now"
            );
        }
        if let Err(error) = self.shutdown() {
            tracing::warn!(%error, "Could not stop the private PostgreSQL server");
        }
    }
}

/// Runs blocking work on Tokio's blocking pool, passing on panics.
async fn run_blocking<T, F>(work: F) -> Result<T, ClusterError>
where
    F: FnOnce() -> Result<T, ClusterError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => Err(ClusterError::Io {
            action: "run the PostgreSQL task for",
            path: PathBuf::from("the private cluster"),
            source: io::Error::other(error),
        }),
    }
}
