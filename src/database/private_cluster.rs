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

use std::ffi::{OsStr, OsString};
use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{self, Signal};
use nix::unistd::{Gid, Pid, Uid, User};

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

/// Longest usable Unix socket path: `sizeof(sockaddr_un.sun_path)` less the
/// terminating NUL (108 bytes on Linux, 104 on the BSDs and macOS).
const MAX_SOCKET_PATH: usize = if cfg!(any(target_os = "linux", target_os = "android")) { 107 } else { 103 };

const INSTALL_HINT: &str = concat!(
    "Install the PostgreSQL server (Debian/Ubuntu: `apt-get install postgresql`; ",
    "Fedora: `dnf install postgresql-server`; macOS: `brew install postgresql@17`), ",
    "or point --pg-bin/HINDSIGHT_PG_BIN at its bin folder, ",
    "or set DATABASE_URL to use an existing server."
);

/// Why the private cluster could not be started or stopped. Each message says
/// what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No `initdb` and `postgres` were found.
    #[error("PostgreSQL server binaries (initdb, postgres) were not found {searched}. {INSTALL_HINT}")]
    BinariesNotFound {
        /// Where they were looked for, e.g. "on PATH or in the usual places".
        searched: String,
    },

    /// Another Hindsight process holds the data folder's lock.
    #[error(
        "The data folder {} is already in use by another Hindsight process{}. \
         Stop that process, or give this one a different --data-dir.",
        path.display(),
        pid.map(|pid| format!(" (PID {pid})")).unwrap_or_default()
    )]
    InUse {
        /// The data folder.
        path: PathBuf,
        /// The PID recorded in the lock file, if it could be read.
        pid: Option<u32>,
    },

    /// Running as root, and the unprivileged user cannot reach the data folder.
    #[error(
        "PostgreSQL must run as the unprivileged user '{user}', which cannot reach {} \
         (no search permission on {}). Choose a --data-dir it can reach, e.g. /var/lib/hindsight.",
        path.display(),
        blocked_at.display()
    )]
    DataDirUnreachable {
        /// The data folder.
        path: PathBuf,
        /// The user PostgreSQL would run as.
        user: String,
        /// The first folder on the way that the user may not enter.
        blocked_at: PathBuf,
    },

    /// Running as root, and there is no user to run PostgreSQL as.
    #[error(
        "Hindsight runs as root, but PostgreSQL refuses to run as root, and neither a 'postgres' \
         nor a 'nobody' user exists to run it as. Create one (e.g. `useradd --system postgres`), \
         run Hindsight as a normal user, or set DATABASE_URL to use an existing server."
    )]
    NoUnprivilegedUser,

    /// The cluster folder exists but holds something else.
    #[error(
        "{} exists but is not a PostgreSQL cluster (it has no PG_VERSION file) and is not empty, \
         so Hindsight leaves it alone. Move it away, or choose another --data-dir.",
        path.display()
    )]
    NotACluster {
        /// The cluster folder (`data_dir/postgres`).
        path: PathBuf,
    },

    /// The cluster belongs to another user than the one Hindsight runs as.
    #[error(
        "The PostgreSQL cluster in {} belongs to {owner}, but Hindsight runs as {current}. \
         Run Hindsight as {owner} (or as root), or choose another --data-dir.",
        path.display()
    )]
    OwnedByOtherUser {
        /// The cluster folder.
        path: PathBuf,
        /// Its owner.
        owner: String,
        /// The user Hindsight runs as.
        current: String,
    },

    /// The cluster belongs to root, and PostgreSQL refuses to run as root.
    #[error(
        "The PostgreSQL cluster in {} belongs to root, but PostgreSQL refuses to run as root. \
         Give it to an unprivileged user (e.g. `chown -R postgres: {}`), or choose another --data-dir.",
        path.display(),
        path.display()
    )]
    OwnedByRoot {
        /// The cluster folder.
        path: PathBuf,
    },

    /// `initdb` failed.
    #[error(
        "initdb ({}) failed to create a PostgreSQL cluster for {} ({status}). Its output:\n{output}\n\
         Fix the problem it reports (often disk space or permissions), or choose another --data-dir.",
        initdb.display(),
        path.display()
    )]
    InitFailed {
        /// The cluster folder that was to be created.
        path: PathBuf,
        /// The `initdb` that was run.
        initdb: PathBuf,
        /// How it exited.
        status: String,
        /// What it printed.
        output: String,
    },

    /// A server from an earlier run is still running on this cluster.
    #[error(
        "Another PostgreSQL server (PID {pid}) is already running on {}, probably left over from an \
         earlier Hindsight run. Stop it (`kill -INT {pid}`) and start Hindsight again.",
        path.display()
    )]
    AlreadyRunning {
        /// The cluster folder.
        path: PathBuf,
        /// The PID in its `postmaster.pid`.
        pid: i32,
    },

    /// The server exited while starting.
    #[error(
        "PostgreSQL ({}) exited while starting ({status}). The last lines of {}:\n{tail}\n\
         Fix the problem it reports, or set DATABASE_URL to use an existing server.",
        postgres.display(),
        log.display()
    )]
    StartFailed {
        /// The `postgres` that was run.
        postgres: PathBuf,
        /// How it exited.
        status: String,
        /// The server's log file.
        log: PathBuf,
        /// The last lines it wrote there during this start.
        tail: String,
    },

    /// The server did not accept connections in time.
    #[error(
        "PostgreSQL did not accept connections within {} s, so Hindsight stopped it. \
         The last lines of {}:\n{tail}\nIf it was still recovering after a crash, start Hindsight again; \
         otherwise fix the problem the log reports.",
        READY_TIMEOUT.as_secs(),
        log.display()
    )]
    StartTimeout {
        /// The server's log file.
        log: PathBuf,
        /// The last lines it wrote there during this start.
        tail: String,
    },

    /// The fallback socket folder under /tmp cannot be trusted.
    #[error(
        "Cannot use {} for PostgreSQL's socket: {reason}. Remove it, or choose a shorter --data-dir \
         so that the socket fits inside it.",
        path.display()
    )]
    SocketDirUnsafe {
        /// The socket folder.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A file-system or process operation failed.
    #[error("Could not {action} {}: {source}. Check that it exists and that Hindsight may use it.", path.display())]
    Io {
        /// What was being done, e.g. "create the data folder".
        action: &'static str,
        /// The path (file, folder or program) concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> ClusterError {
    let path = path.to_path_buf();
    move |source| ClusterError::Io { action, path, source }
}

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

// ---------------------------------------------------------------------------
// Data folder, lock and cluster state

/// Takes the data folder's exclusive lock and writes our PID into it.
fn acquire_lock(data_dir: &Path) -> Result<File, ClusterError> {
    let path = data_dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_error("open the lock file", &path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(ClusterError::InUse { path: data_dir.to_path_buf(), pid: holder.trim().parse().ok() });
        }
        Err(TryLockError::Error(source)) => return Err(io_error("lock", &path)(source)),
    }
    file.set_len(0)
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .map_err(io_error("write the lock file", &path))?;
    Ok(file)
}

/// An existing cluster found in the cluster folder.
#[derive(Debug)]
struct ExistingCluster {
    /// Contents of `PG_VERSION`, e.g. "15".
    version: String,
    owner: Uid,
    group: Gid,
}

/// Looks at the cluster folder: `Some` for an existing cluster, `None` if one
/// must be created. An empty folder is removed, so that `initdb`'s result can
/// be renamed into its place.
fn inspect_cluster_dir(pgdata: &Path) -> Result<Option<ExistingCluster>, ClusterError> {
    let version_file = pgdata.join("PG_VERSION");
    match fs::read_to_string(&version_file) {
        Ok(version) => {
            let metadata = fs::metadata(pgdata).map_err(io_error("inspect", pgdata))?;
            return Ok(Some(ExistingCluster {
                version: version.trim().to_owned(),
                owner: Uid::from_raw(metadata.uid()),
                group: Gid::from_raw(metadata.gid()),
            }));
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(io_error("read", &version_file)(error)),
    }
    match fs::read_dir(pgdata) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(ClusterError::NotACluster { path: pgdata.to_path_buf() });
            }
            fs::remove_dir(pgdata).map_err(io_error("remove the empty folder", pgdata))?;
            Ok(None)
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error("read", pgdata)(error)),
    }
}

/// Runs `initdb` into a staging folder and renames it to `pgdata` on success.
fn run_initdb(binaries: &Binaries, run_as: &RunAs, data_dir: &Path, pgdata: &Path) -> Result<(), ClusterError> {
    let staging = data_dir.join(INITDB_STAGING_DIR);
    if fs::symlink_metadata(&staging).is_ok() {
        // Left behind by an interrupted first start; it is ours to remove.
        fs::remove_dir_all(&staging).map_err(io_error("remove the unfinished cluster", &staging))?;
    }
    create_private_dir(&staging, run_as)?;

    let initdb = binaries.initdb();
    let mut command = Command::new(&initdb);
    command
        .arg("-D")
        .arg(&staging)
        .args(["-U", SUPERUSER])
        // Only the socket is used, and its folder is private to the server's
        // user (and root). Should TCP ever be enabled, it stays closed.
        .args(["--auth-local=trust", "--auth-host=reject"])
        .args(["--encoding=UTF8", "--locale=C"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    prepare_child(&mut command, run_as, &staging);
    tracing::debug!(command = ?command, "Running initdb");
    let started = Instant::now();
    let output =
        spawn_from_spawner_thread(command).and_then(Child::wait_with_output).map_err(io_error("run", &initdb))?;
    if !output.status.success() {
        let _ = fs::remove_dir_all(&staging);
        let mut text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if text.is_empty() {
            text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        }
        return Err(ClusterError::InitFailed {
            path: pgdata.to_path_buf(),
            initdb,
            status: output.status.to_string(),
            output: text,
        });
    }
    fs::rename(&staging, pgdata).map_err(io_error("move the new cluster into place at", pgdata))?;
    tracing::info!(
        data_dir = %pgdata.display(),
        initdb = %initdb.display(),
        run_as = %run_as.name,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "Initialised a private PostgreSQL cluster"
    );
    Ok(())
}

/// Opens the server's log for appending, first moving a large one aside.
/// Returns the file and its length, where this run's output begins.
fn open_log(data_dir: &Path, log_file: &Path) -> Result<(File, u64), ClusterError> {
    if fs::metadata(log_file).is_ok_and(|metadata| metadata.len() > LOG_ROTATE_BYTES) {
        let old = data_dir.join(OLD_LOG_FILE);
        fs::rename(log_file, &old).map_err(io_error("move aside the old log", log_file))?;
    }
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(log_file)
        .map_err(io_error("open the server log", log_file))?;
    let start = log.metadata().map(|metadata| metadata.len()).unwrap_or(0);
    Ok((log, start))
}

/// The last lines the server wrote to its log since `start`.
fn log_tail(log_file: &Path, start: u64) -> String {
    let mut text = Vec::new();
    let read = File::open(log_file).and_then(|mut file| {
        file.seek(SeekFrom::Start(start))?;
        file.read_to_end(&mut text)
    });
    if let Err(error) = read {
        return format!("(could not read it: {error})");
    }
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
    if tail.trim().is_empty() { "(nothing was logged)".to_owned() } else { tail }
}

// ---------------------------------------------------------------------------
// Users and permissions

/// The user the server runs as.
#[derive(Debug, Clone)]
struct RunAs {
    uid: Uid,
    gid: Gid,
    name: String,
    /// Hindsight runs as root, so children switch to `uid`/`gid`.
    switch_user: bool,
}

impl RunAs {
    /// Gives a folder we created to the server's user.
    fn take_ownership(&self, path: &Path) -> Result<(), ClusterError> {
        if self.switch_user {
            std::os::unix::fs::chown(path, Some(self.uid.as_raw()), Some(self.gid.as_raw()))
                .map_err(io_error("change the owner of", path))?;
        }
        Ok(())
    }
}

fn describe_user(uid: Uid) -> String {
    match User::from_uid(uid) {
        Ok(Some(user)) => format!("'{}' (uid {uid})", user.name),
        _ => format!("uid {uid}"),
    }
}

/// Picks the user to run `initdb` and `postgres` as.
fn choose_run_as(pgdata: &Path, existing: Option<&ExistingCluster>) -> Result<RunAs, ClusterError> {
    let euid = Uid::effective();
    if !euid.is_root() {
        if let Some(cluster) = existing.filter(|cluster| cluster.owner != euid) {
            return Err(ClusterError::OwnedByOtherUser {
                path: pgdata.to_path_buf(),
                owner: describe_user(cluster.owner),
                current: describe_user(euid),
            });
        }
        let name = match User::from_uid(euid) {
            Ok(Some(user)) => user.name,
            _ => format!("uid {euid}"),
        };
        return Ok(RunAs { uid: euid, gid: Gid::effective(), name, switch_user: false });
    }

    if let Some(cluster) = existing {
        // Reuse whoever owns the cluster, e.g. a normal user who ran
        // Hindsight before; postgres insists on owning its data folder.
        if cluster.owner.is_root() {
            return Err(ClusterError::OwnedByRoot { path: pgdata.to_path_buf() });
        }
        let user = User::from_uid(cluster.owner).ok().flatten();
        return Ok(RunAs {
            uid: cluster.owner,
            gid: user.as_ref().map_or(cluster.group, |user| user.gid),
            name: user.map_or_else(|| format!("uid {}", cluster.owner), |user| user.name),
            switch_user: true,
        });
    }
    let user = ["postgres", "nobody"]
        .into_iter()
        .filter_map(|name| User::from_name(name).ok().flatten())
        .find(|user| !user.uid.is_root())
        .ok_or(ClusterError::NoUnprivilegedUser)?;
    Ok(RunAs { uid: user.uid, gid: user.gid, name: user.name, switch_user: true })
}

/// The first folder from `/` down to `dir` (inclusive) that the user may not
/// enter, judged by mode bits as the kernel does: owner bits if the user owns
/// it, else group bits if its group is the user's primary group, else the
/// bits for others. Supplementary groups are ignored because
/// `CommandExt::uid` drops them. ACLs are not consulted.
fn first_unreachable_dir(dir: &Path, uid: Uid, gid: Gid) -> Result<Option<PathBuf>, ClusterError> {
    let mut ancestors: Vec<&Path> = dir.ancestors().collect();
    ancestors.reverse();
    for ancestor in ancestors {
        let metadata = fs::metadata(ancestor).map_err(io_error("inspect", ancestor))?;
        let mode = metadata.mode();
        let searchable = if metadata.uid() == uid.as_raw() {
            mode & 0o100 != 0
        } else if metadata.gid() == gid.as_raw() {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !searchable {
            return Ok(Some(ancestor.to_path_buf()));
        }
    }
    Ok(None)
}

/// Creates a new folder with mode 0700, owned by the server's user.
fn create_private_dir(path: &Path, run_as: &RunAs) -> Result<(), ClusterError> {
    DirBuilder::new().mode(0o700).create(path).map_err(io_error("create", path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(io_error("set permissions on", path))?;
    run_as.take_ownership(path)
}

/// Picks and prepares the socket folder: `PGDATA/socket`, or a folder under
/// /tmp if the socket's path would be too long there.
fn prepare_socket_dir(pgdata: &Path, run_as: &RunAs) -> Result<(PathBuf, bool), ClusterError> {
    let inside = pgdata.join(SOCKET_SUBDIR);
    let temporary = socket_path_len(&inside) > MAX_SOCKET_PATH;
    let dir = if temporary {
        let fallback = PathBuf::from(format!("/tmp/hindsight-pg-{:016x}", fnv1a(pgdata.as_os_str().as_bytes())));
        tracing::debug!(
            socket_dir = %fallback.display(),
            too_long = %inside.display(),
            "The socket path inside the data folder would exceed the Unix limit, so the socket goes under /tmp"
        );
        fallback
    } else {
        inside
    };
    match DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                .map_err(io_error("set permissions on", &dir))?;
            run_as.take_ownership(&dir)?;
            return Ok((dir, temporary));
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(io_error("create the socket folder", &dir)(error)),
    }
    // It exists. Under /tmp anyone could have made it, so check it.
    let metadata = fs::symlink_metadata(&dir).map_err(io_error("inspect", &dir))?;
    if !metadata.file_type().is_dir() {
        return Err(ClusterError::SocketDirUnsafe { path: dir, reason: "it is not a folder".to_owned() });
    }
    if metadata.uid() != run_as.uid.as_raw() {
        return Err(ClusterError::SocketDirUnsafe {
            reason: format!(
                "it belongs to {}, not to '{}' who runs PostgreSQL",
                describe_user(Uid::from_raw(metadata.uid())),
                run_as.name
            ),
            path: dir,
        });
    }
    if metadata.mode() & 0o077 != 0 {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(io_error("set permissions on", &dir))?;
    }
    Ok((dir, temporary))
}

fn socket_path_len(socket_dir: &Path) -> usize {
    socket_dir.as_os_str().len() + format!("/.s.PGSQL.{SOCKET_PORT}").len()
}

/// FNV-1a: a short hash that, unlike `DefaultHasher`, stays the same across
/// Rust releases, so the fallback socket folder keeps its name.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// `unix_socket_directories=<dir>`, quoted because the setting is a
/// comma-separated list and `dir` may contain commas or spaces.
fn socket_directories_setting(dir: &Path) -> OsString {
    let mut value = b"unix_socket_directories=\"".to_vec();
    for &byte in dir.as_os_str().as_bytes() {
        if byte == b'"' {
            value.push(b'"');
        }
        value.push(byte);
    }
    value.push(b'"');
    OsString::from_vec(value)
}

// ---------------------------------------------------------------------------
// Finding the binaries

/// A folder holding `initdb` and `postgres`.
#[derive(Debug, Clone)]
struct Binaries {
    dir: PathBuf,
}

impl Binaries {
    fn initdb(&self) -> PathBuf {
        self.dir.join("initdb")
    }

    fn postgres(&self) -> PathBuf {
        self.dir.join("postgres")
    }
}

/// A place where PostgreSQL is commonly installed.
#[derive(Debug)]
enum SearchPlace {
    /// `<parent>/<prefix><version>/bin`, e.g. `/usr/lib/postgresql/15/bin`.
    Versioned { parent: PathBuf, prefix: &'static str },
    /// A fixed bin folder.
    Fixed(PathBuf),
}

fn usual_places() -> Vec<SearchPlace> {
    let versioned = |parent: &str, prefix| SearchPlace::Versioned { parent: PathBuf::from(parent), prefix };
    vec![
        versioned("/usr/lib/postgresql", ""),
        versioned("/usr", "pgsql-"),
        SearchPlace::Fixed(PathBuf::from("/usr/local/pgsql/bin")),
        versioned("/opt/homebrew/opt", "postgresql"),
        versioned("/usr/local/opt", "postgresql"),
    ]
}

const USUAL_PLACES_TEXT: &str = concat!(
    "on PATH or in the usual places (/usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, ",
    "/usr/local/pgsql/bin, /opt/homebrew/opt/postgresql*/bin, /usr/local/opt/postgresql*/bin)"
);

/// Finds `initdb` and `postgres`: in `explicit` if given; else on `PATH`;
/// else the highest version in the usual places, preferring `wanted_version`
/// (the existing cluster's `PG_VERSION`).
fn find_binaries(explicit: Option<&Path>, wanted_version: Option<&str>) -> Result<Binaries, ClusterError> {
    let path_var = std::env::var_os("PATH");
    find_binaries_in(explicit, path_var.as_deref(), &usual_places(), wanted_version)
}

fn find_binaries_in(
    explicit: Option<&Path>,
    path_var: Option<&OsStr>,
    places: &[SearchPlace],
    wanted_version: Option<&str>,
) -> Result<Binaries, ClusterError> {
    if let Some(dir) = explicit {
        return if has_binaries(dir) {
            Ok(resolve_bin_dir(dir))
        } else {
            Err(ClusterError::BinariesNotFound {
                searched: format!("in {} (given by --pg-bin/HINDSIGHT_PG_BIN)", dir.display()),
            })
        };
    }
    if let Some(path_var) = path_var {
        // Relative PATH entries are skipped: the children run in PGDATA.
        if let Some(dir) = std::env::split_paths(path_var).find(|dir| dir.is_absolute() && has_binaries(dir)) {
            return Ok(resolve_bin_dir(&dir));
        }
    }

    let mut candidates: Vec<(PathBuf, String)> = Vec::new();
    for place in places {
        match place {
            SearchPlace::Fixed(dir) => {
                if has_binaries(dir) {
                    candidates.push((dir.clone(), String::new()));
                }
            }
            SearchPlace::Versioned { parent, prefix } => {
                let Ok(entries) = fs::read_dir(parent) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    let Some(rest) = name.to_str().and_then(|name| name.strip_prefix(prefix)) else {
                        continue;
                    };
                    let dir = entry.path().join("bin");
                    if has_binaries(&dir) {
                        candidates.push((dir, version_in_name(rest)));
                    }
                }
            }
        }
    }
    let best = candidates
        .into_iter()
        .max_by_key(|(_, version)| (Some(version.as_str()) == wanted_version, parse_version(version)));
    match best {
        Some((dir, _)) => Ok(resolve_bin_dir(&dir)),
        None => Err(ClusterError::BinariesNotFound { searched: USUAL_PLACES_TEXT.to_owned() }),
    }
}

/// The version in a folder name's tail: "15" → "15", "@17" → "17", "-9.6" → "9.6", "" → "".
fn version_in_name(rest: &str) -> String {
    rest.trim_start_matches(['@', '-'])
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect::<String>()
        .trim_end_matches('.')
        .to_owned()
}

fn parse_version(version: &str) -> Vec<u32> {
    version.split('.').filter_map(|part| part.parse().ok()).collect()
}

fn has_binaries(dir: &Path) -> bool {
    is_executable(&dir.join("initdb")) && is_executable(&dir.join("postgres"))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|metadata| metadata.is_file() && metadata.mode() & 0o111 != 0)
}

/// Makes `dir` absolute and, if `initdb` there is a symlink into a folder
/// that has both binaries (e.g. /usr/local/bin → /usr/lib/postgresql/15/bin),
/// uses that folder, where the other tools of that version live too.
fn resolve_bin_dir(dir: &Path) -> Binaries {
    let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let real = fs::canonicalize(dir.join("initdb"))
        .ok()
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
        .filter(|real| has_binaries(real));
    Binaries { dir: real.unwrap_or(dir) }
}

// ---------------------------------------------------------------------------
// Child processes

/// Sets up a command for `initdb` or `postgres`: the user to run as, working
/// folder, own process group, and death with Hindsight.
fn prepare_child(command: &mut Command, run_as: &RunAs, working_dir: &Path) {
    if run_as.switch_user {
        command.uid(run_as.uid.as_raw()).gid(run_as.gid.as_raw()).env_remove("HOME");
    }
    command
        .env_remove("PGDATA")
        .current_dir(working_dir)
        // Keeps a terminal's Ctrl-C (sent to the whole foreground process
        // group) away from the server: Hindsight shuts down first and then
        // stops the server itself.
        .process_group(0);
    die_with_parent(command);
}

/// On Linux, makes the kernel send the child SIGINT (for postgres: fast
/// shutdown) when the thread that forked it exits, which, because children
/// are forked by the spawner thread, happens only when Hindsight exits.
///
/// This has to run in the child between fork and exec, which only
/// `pre_exec` allows. std applies `uid`/`gid` before running `pre_exec`
/// closures, which matters because the kernel clears the parent-death signal
/// when credentials change. The signal survives `exec` (postgres is not
/// set-user-ID).
#[cfg(any(target_os = "linux", target_os = "android"))]
#[allow(unsafe_code)]
fn die_with_parent(command: &mut Command) {
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the forked child before exec, where only
    // async-signal-safe operations are allowed. It makes two system calls,
    // prctl(2) and getppid(2), and builds an `io::Error` from an errno
    // without allocating. It takes no locks and touches no shared state.
    unsafe {
        command.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGINT)?;
            // If Hindsight died before the prctl, nothing would signal us.
            if nix::unistd::getppid() != parent {
                return Err(Errno::ESRCH.into());
            }
            Ok(())
        });
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn die_with_parent(_command: &mut Command) {}

struct SpawnRequest {
    command: Command,
    reply: std::sync::mpsc::Sender<io::Result<Child>>,
}

/// Spawns `command` from the spawner thread and returns the child.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits,
/// so the forking thread must live as long as the process. Tokio's
/// blocking-pool threads are reaped after idling and test threads end with
/// their test. The spawner thread is started on first use and loops on its
/// channel. The channel's sender sits in a static and is never dropped, so
/// the loop never ends and the thread goes only when the process does, which
/// is exactly when the servers it forked should be told to stop. The thread
/// only forks; the `Child` is handed back and waited for by whoever owns it.
fn spawn_from_spawner_thread(command: Command) -> io::Result<Child> {
    static SPAWNER: Mutex<Option<std::sync::mpsc::Sender<SpawnRequest>>> = Mutex::new(None);

    let sender = {
        let mut spawner = SPAWNER.lock().unwrap_or_else(PoisonError::into_inner);
        match spawner.as_ref() {
            Some(sender) => sender.clone(),
            None => {
                let (sender, requests) = std::sync::mpsc::channel::<SpawnRequest>();
                thread::Builder::new().name("hindsight-pg-spawner".to_owned()).spawn(move || {
                    for SpawnRequest { mut command, reply } in requests {
                        let _ = reply.send(command.spawn());
                    }
                })?;
                *spawner = Some(sender.clone());
                sender
            }
        }
    };
    let (reply, child) = std::sync::mpsc::channel();
    sender
        .send(SpawnRequest { command, reply })
        .map_err(|_| io::Error::other("the PostgreSQL spawner thread is gone"))?;
    child.recv().map_err(|_| io::Error::other("the PostgreSQL spawner thread is gone"))?
}

/// Describes how the child exited, or `None` while it runs.
fn exit_status(child: &mut Child) -> Option<String> {
    match child.try_wait() {
        Ok(Some(status)) => Some(describe_exit(status)),
        Ok(None) => None,
        // ECHILD: someone else reaped it.
        Err(error) => Some(format!("exit status unknown: {error}")),
    }
}

fn describe_exit(status: ExitStatus) -> String {
    status.to_string()
}

fn wait_for_exit(child: &mut Child, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = exit_status(child) {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn child_pid(child: &Child) -> Pid {
    // PIDs always fit in pid_t.
    Pid::from_raw(child.id() as i32)
}

/// Fast shutdown, then immediate shutdown, then SIGKILL. Returns how it exited.
fn stop_child(child: &mut Child) -> io::Result<String> {
    if let Some(status) = exit_status(child) {
        return Ok(format!("had already exited ({status})"));
    }
    let pid = child_pid(child);
    // Errors mean it has just exited; the waits below notice.
    let _ = signal::kill(pid, Signal::SIGINT);
    if let Some(status) = wait_for_exit(child, FAST_SHUTDOWN_TIMEOUT) {
        return Ok(status);
    }
    tracing::warn!(
        pid = pid.as_raw(),
        "PostgreSQL did not finish a fast shutdown in time; asking for an immediate shutdown"
    );
    let _ = signal::kill(pid, Signal::SIGQUIT);
    if let Some(status) = wait_for_exit(child, IMMEDIATE_SHUTDOWN_TIMEOUT) {
        return Ok(status);
    }
    tracing::warn!(pid = pid.as_raw(), "PostgreSQL did not shut down; killing it");
    child.kill()?;
    child.wait().map(describe_exit)
}

/// The PID in `PGDATA/postmaster.pid`, if there is one.
fn read_postmaster_pid(pgdata: &Path) -> Option<i32> {
    let text = fs::read_to_string(pgdata.join("postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok().filter(|pid| *pid > 0)
}

/// Whether a process exists and is not a zombie.
fn process_is_running(pid: i32) -> bool {
    if let Some(zombie) = is_zombie(pid) {
        return !zombie;
    }
    // EPERM: it exists but belongs to someone else.
    !matches!(signal::kill(Pid::from_raw(pid), None), Err(Errno::ESRCH))
}

/// From /proc on Linux: `Some(true)` for a zombie, `None` if unknown.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn is_zombie(pid: i32) -> Option<bool> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the command name, which is in parentheses and may
    // itself contain anything.
    let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
    Some(matches!(state, 'Z' | 'X'))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn is_zombie(_pid: i32) -> Option<bool> {
    None
}

/// If `postmaster.pid` names a live process, e.g. a server told to stop
/// because the previous Hindsight died a moment ago, gives it time to exit.
/// After that postgres itself decides whether the lock file is stale.
fn wait_for_stale_server(pgdata: &Path) {
    let Some(pid) = read_postmaster_pid(pgdata) else {
        return;
    };
    if !process_is_running(pid) {
        return;
    }
    tracing::info!(
        pid,
        data_dir = %pgdata.display(),
        "A PostgreSQL server from an earlier run is still running on this cluster; waiting for it to exit"
    );
    let deadline = Instant::now() + STALE_SERVER_TIMEOUT;
    while process_is_running(pid) && Instant::now() < deadline {
        thread::sleep(POLL_INTERVAL);
    }
}

// ---------------------------------------------------------------------------
// Readiness

#[derive(Debug, PartialEq, Eq)]
enum Probe {
    Ready,
    NotYet,
}

/// Asks the server at `socket` whether it accepts connections, as
/// `pg_isready` does: send a startup message and see whether the answer is
/// anything but "the database system is starting up" (SQLSTATE 57P03). A
/// bare `connect` is not enough: the socket accepts connections before the
/// server is ready to serve them.
fn probe(socket: &Path) -> Probe {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return Probe::NotYet;
    };
    let _ = stream.set_read_timeout(Some(PROBE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(PROBE_TIMEOUT));

    let mut parameters = Vec::new();
    for text in ["user", SUPERUSER, "database", "postgres", ""] {
        parameters.extend_from_slice(text.as_bytes());
        parameters.push(0);
    }
    let mut startup = Vec::new();
    startup.extend_from_slice(&(8 + parameters.len() as u32).to_be_bytes());
    startup.extend_from_slice(&196_608_u32.to_be_bytes()); // protocol 3.0
    startup.extend_from_slice(&parameters);
    if stream.write_all(&startup).is_err() {
        return Probe::NotYet;
    }

    let mut tag = [0_u8; 1];
    if stream.read_exact(&mut tag).is_err() {
        return Probe::NotYet;
    }
    if tag[0] != b'E' {
        // Authentication request, or a protocol negotiation: it is serving.
        let _ = stream.write_all(&[b'X', 0, 0, 0, 4]); // Terminate
        return Probe::Ready;
    }
    let mut length = [0_u8; 4];
    if stream.read_exact(&mut length).is_err() {
        return Probe::NotYet;
    }
    let length = u32::from_be_bytes(length).saturating_sub(4).min(64 * 1024) as usize;
    let mut body = vec![0_u8; length];
    if stream.read_exact(&mut body).is_err() {
        return Probe::NotYet;
    }
    // Fields: a type byte, then a NUL-terminated string; 'C' is the SQLSTATE.
    let starting_up = body.split(|byte| *byte == 0).any(|field| field == b"C57P03");
    if starting_up { Probe::NotYet } else { Probe::Ready }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh folder under the temp dir, removed when dropped.
    struct TestDir(PathBuf);

    impl TestDir {
        fn new(label: &str) -> Self {
            static COUNTER: AtomicU32 = AtomicU32::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("hindsight-pgc-{label}-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).unwrap();
            // Reachable by the server's user when the tests run as root.
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
            Self(path)
        }

        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TestDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn postmaster_pid(cluster: &PrivateCluster) -> i32 {
        child_pid(cluster.child.as_ref().expect("server is running")).as_raw()
    }

    fn wait_until_gone(pid: i32, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while process_is_running(pid) {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(50));
        }
        true
    }

    /// Runs SQL with the cluster's own psql, if it has one.
    fn psql(cluster: &PrivateCluster, sql: &str) -> Option<String> {
        let psql = cluster.bin_dir().join("psql");
        if !is_executable(&psql) {
            return None;
        }
        let output = Command::new(psql)
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(cluster.socket_dir())
            .args(["-p", &cluster.port().to_string(), "-U", cluster.user(), "-d", "postgres", "-c", sql])
            .output()
            .unwrap();
        assert!(output.status.success(), "psql failed: {}", String::from_utf8_lossy(&output.stderr));
        Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    fn assert_serving(cluster: &PrivateCluster) {
        let socket = cluster.socket_dir().join(format!(".s.PGSQL.{}", cluster.port()));
        assert_eq!(probe(&socket), Probe::Ready, "no answer on {}", socket.display());
        if let Some(answer) = psql(cluster, "select 1") {
            assert_eq!(answer, "1");
        }
    }

    /// Start, use, stop, and start again on the same folder, whose path is so
    /// long that the socket must go under /tmp.
    #[tokio::test]
    async fn start_stop_and_reuse_with_a_long_data_dir() {
        let root = TestDir::new("reuse");
        let data_dir = root.path().join("d".repeat(60)).join("data");

        let cluster = PrivateCluster::start(&data_dir, None).await.unwrap();
        assert!(cluster.newly_created());
        assert!(
            cluster.socket_dir().to_string_lossy().starts_with("/tmp/hindsight-pg-"),
            "{}",
            cluster.socket_dir().display()
        );
        let socket_dir = cluster.socket_dir().to_path_buf();
        assert_eq!(cluster.data_dir(), fs::canonicalize(&data_dir).unwrap());
        assert_eq!(cluster.pgdata(), cluster.data_dir().join("postgres"));
        assert_eq!(cluster.user(), "hindsight");
        assert_eq!(cluster.port(), 5432);
        let mode = fs::metadata(cluster.pgdata()).unwrap().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_serving(&cluster);
        let marker = cluster.pgdata().join("hindsight-test-marker");
        fs::write(&marker, "kept").unwrap();
        let has_psql = psql(&cluster, "create table kept (n int); insert into kept values (42)").is_some();
        let lock_pid = fs::read_to_string(cluster.data_dir().join("hindsight.lock")).unwrap();
        assert_eq!(lock_pid.trim(), std::process::id().to_string());
        cluster.stop().await.unwrap();
        assert!(!socket_dir.exists(), "the /tmp socket folder is removed on stop");

        let cluster = PrivateCluster::start(&data_dir, None).await.unwrap();
        assert!(!cluster.newly_created(), "initdb ran again");
        assert_eq!(fs::read_to_string(&marker).unwrap(), "kept");
        assert!(!cluster.data_dir().join("postgres.initdb").exists());
        assert_serving(&cluster);
        if has_psql {
            assert_eq!(psql(&cluster, "select n from kept").unwrap(), "42");
        }
        cluster.stop().await.unwrap();
    }

    /// A second start on the same folder fails while the first runs; dropping
    /// the first without `stop` still stops its server and frees the folder.
    #[tokio::test]
    async fn second_start_is_in_use_and_drop_stops_the_server() {
        let dir = TestDir::new("in-use");
        let first = PrivateCluster::start(dir.path(), None).await.unwrap();
        assert_eq!(first.socket_dir(), first.pgdata().join("socket"));
        assert_serving(&first);

        let error = PrivateCluster::start(dir.path(), None).await.unwrap_err();
        assert!(
            matches!(&error, ClusterError::InUse { pid: Some(pid), .. } if *pid == std::process::id()),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(&first.data_dir().display().to_string()), "{message}");
        assert!(message.contains("--data-dir"), "{message}");

        let pid = postmaster_pid(&first);
        drop(first);
        assert!(!process_is_running(pid), "Drop did not stop postgres (PID {pid})");

        let again = PrivateCluster::start(dir.path(), None).await.unwrap();
        assert!(!again.newly_created());
        again.stop().await.unwrap();
    }

    /// The server must outlive the thread (and runtime) that started it.
    #[test]
    fn server_outlives_the_thread_that_started_it() {
        let dir = TestDir::new("thread");
        let data_dir = dir.path().to_path_buf();
        let cluster = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            runtime.block_on(PrivateCluster::start(&data_dir, None))
            // The runtime and its blocking pool are dropped here.
        })
        .join()
        .unwrap()
        .unwrap();
        let pid = postmaster_pid(&cluster);
        thread::sleep(Duration::from_millis(1500));
        assert!(process_is_running(pid), "postgres exited with the starting thread");
        assert_serving(&cluster);

        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(cluster.stop()).unwrap();
        assert!(!process_is_running(pid));
    }

    #[tokio::test]
    async fn bogus_bin_dir_says_what_to_install() {
        let dir = TestDir::new("bogus-bin");
        let error = PrivateCluster::start(dir.path(), Some(Path::new("/nonexistent/pg/bin"))).await.unwrap_err();
        assert!(matches!(error, ClusterError::BinariesNotFound { .. }), "{error:?}");
        let message = error.to_string();
        for needle in [
            "/nonexistent/pg/bin",
            "apt-get install postgresql",
            "dnf install postgresql-server",
            "brew install postgresql@17",
            "--pg-bin/HINDSIGHT_PG_BIN",
            "DATABASE_URL",
        ] {
            assert!(message.contains(needle), "{needle:?} missing from: {message}");
        }
        // The failed start released the lock.
        PrivateCluster::start(dir.path(), Some(Path::new("/nonexistent/pg/bin"))).await.unwrap_err();
        assert!(!dir.path().join("postgres").exists());
    }

    #[test]
    fn binaries_are_found_on_path_then_by_highest_or_matching_version() {
        let dir = TestDir::new("find");
        let make = |dir: &Path| {
            fs::create_dir_all(dir).unwrap();
            for name in ["initdb", "postgres"] {
                fs::write(dir.join(name), "#!/bin/sh\n").unwrap();
                fs::set_permissions(dir.join(name), fs::Permissions::from_mode(0o755)).unwrap();
            }
        };
        let lib = dir.path().join("lib");
        for version in ["9.6", "14", "16"] {
            make(&lib.join(version).join("bin"));
        }
        make(&dir.path().join("brew/postgresql@17/bin"));
        fs::create_dir_all(lib.join("13/bin")).unwrap(); // no binaries: ignored
        let places = vec![SearchPlace::Versioned { parent: lib.clone(), prefix: "" }];
        let found = |path_var: Option<&OsStr>, places: &[SearchPlace], wanted: Option<&str>| {
            find_binaries_in(None, path_var, places, wanted).map(|binaries| binaries.dir)
        };

        assert_eq!(found(None, &places, None).unwrap(), lib.join("16/bin"));
        assert_eq!(found(None, &places, Some("14")).unwrap(), lib.join("14/bin"));
        assert_eq!(found(None, &places, Some("9.6")).unwrap(), lib.join("9.6/bin"));
        assert_eq!(found(None, &places, Some("12")).unwrap(), lib.join("16/bin"));
        let with_brew = [
            SearchPlace::Versioned { parent: dir.path().join("brew"), prefix: "postgresql" },
            SearchPlace::Versioned { parent: lib.clone(), prefix: "" },
        ];
        assert_eq!(found(None, &with_brew, None).unwrap(), dir.path().join("brew/postgresql@17/bin"));

        let path_dir = dir.path().join("on-path");
        make(&path_dir);
        let path_var = std::env::join_paths([dir.path().join("empty"), path_dir.clone()]).unwrap();
        assert_eq!(found(Some(&path_var), &places, None).unwrap(), path_dir);

        let error = found(Some(OsStr::new("/nonexistent")), &[], None).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("on PATH or in the usual places"), "{message}");
        assert!(message.contains("apt-get install postgresql"), "{message}");
    }

    #[tokio::test]
    async fn a_foreign_folder_in_place_of_the_cluster_is_left_alone() {
        let dir = TestDir::new("foreign");
        let pgdata = dir.path().join("postgres");
        fs::create_dir_all(&pgdata).unwrap();
        fs::write(pgdata.join("precious.txt"), "do not touch").unwrap();
        let error = PrivateCluster::start(dir.path(), None).await.unwrap_err();
        assert!(matches!(error, ClusterError::NotACluster { .. }), "{error:?}");
        assert!(error.to_string().contains("Move it away"), "{error}");
        assert_eq!(fs::read_to_string(pgdata.join("precious.txt")).unwrap(), "do not touch");
    }

    #[tokio::test]
    async fn root_refuses_a_data_dir_the_server_user_cannot_reach() {
        if !Uid::effective().is_root() {
            eprintln!("skipped: only meaningful as root");
            return;
        }
        let dir = TestDir::new("unreachable");
        let private = dir.path().join("private");
        fs::create_dir(&private).unwrap();
        fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).unwrap();
        let error = PrivateCluster::start(&private.join("data"), None).await.unwrap_err();
        let ClusterError::DataDirUnreachable { blocked_at, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(blocked_at, &fs::canonicalize(&private).unwrap());
        let message = error.to_string();
        assert!(message.contains("cannot reach"), "{message}");
        assert!(message.contains("--data-dir"), "{message}");
    }

    /// A bin folder whose `initdb` and `postgres` are shell scripts.
    fn fake_bin_dir(dir: &Path, initdb: &str, postgres: &str) -> PathBuf {
        let bin = dir.join("fake-bin");
        fs::create_dir_all(&bin).unwrap();
        for (name, body) in [("initdb", initdb), ("postgres", postgres)] {
            fs::write(bin.join(name), format!("#!/bin/sh\n{body}\n")).unwrap();
            fs::set_permissions(bin.join(name), fs::Permissions::from_mode(0o755)).unwrap();
        }
        bin
    }

    /// A folder that looks like an existing cluster, owned as the server's
    /// user would own it.
    fn fake_cluster(data_dir: &Path) -> PathBuf {
        let pgdata = data_dir.join("postgres");
        fs::create_dir_all(&pgdata).unwrap();
        fs::set_permissions(&pgdata, fs::Permissions::from_mode(0o700)).unwrap();
        fs::write(pgdata.join("PG_VERSION"), "15\n").unwrap();
        if Uid::effective().is_root() {
            let user = User::from_name("postgres").unwrap().or_else(|| User::from_name("nobody").unwrap()).unwrap();
            for path in [pgdata.clone(), pgdata.join("PG_VERSION")] {
                std::os::unix::fs::chown(&path, Some(user.uid.as_raw()), Some(user.gid.as_raw())).unwrap();
            }
        }
        pgdata
    }

    #[tokio::test]
    async fn initdb_failure_is_reported_and_cleaned_up() {
        let dir = TestDir::new("initdb-fails");
        let bin = fake_bin_dir(dir.path(), "echo 'initdb: error: the disk is on fire' >&2; exit 1", "exit 1");
        let data_dir = dir.path().join("data");
        let error = PrivateCluster::start(&data_dir, Some(&bin)).await.unwrap_err();
        assert!(matches!(error, ClusterError::InitFailed { .. }), "{error:?}");
        assert!(error.to_string().contains("the disk is on fire"), "{error}");
        assert!(!data_dir.join("postgres").exists());
        assert!(!data_dir.join("postgres.initdb").exists());
    }

    #[tokio::test]
    async fn server_failure_is_reported_with_the_log_tail() {
        let dir = TestDir::new("postgres-fails");
        let bin = fake_bin_dir(dir.path(), "exit 1", "echo 'FATAL:  something is broken' >&2; exit 3");
        fake_cluster(dir.path());
        let error = PrivateCluster::start(dir.path(), Some(&bin)).await.unwrap_err();
        let ClusterError::StartFailed { tail, status, .. } = &error else {
            panic!("{error:?}");
        };
        assert!(tail.contains("something is broken"), "{error}");
        assert!(status.contains('3'), "{error}");
        assert!(error.to_string().contains("postgres.log"), "{error}");
    }

    #[tokio::test]
    async fn a_live_server_on_the_cluster_is_reported() {
        let dir = TestDir::new("already-running");
        // Like real postgres when postmaster.pid names a live process.
        let bin = fake_bin_dir(
            dir.path(),
            "exit 1",
            "echo 'FATAL:  lock file \"postmaster.pid\" already exists' >&2; exit 1",
        );
        let pgdata = fake_cluster(dir.path());
        let live_pid = std::process::id();
        fs::write(pgdata.join("postmaster.pid"), format!("{live_pid}\n")).unwrap();
        let error = PrivateCluster::start(dir.path(), Some(&bin)).await.unwrap_err();
        assert!(matches!(&error, ClusterError::AlreadyRunning { pid, .. } if *pid as u32 == live_pid), "{error:?}");
        assert!(error.to_string().contains(&format!("kill -INT {live_pid}")), "{error}");
    }

    #[test]
    fn socket_setting_is_quoted() {
        assert_eq!(
            socket_directories_setting(Path::new("/a b,c/\"q\"")),
            OsString::from("unix_socket_directories=\"/a b,c/\"\"q\"\"\"")
        );
    }

    const HELPER_ENV: &str = "HINDSIGHT_PRIVATE_CLUSTER_TEST_HELPER_DIR";

    /// Run by `postgres_stops_when_hindsight_is_killed` in a child process:
    /// starts a cluster, reports the server's PID, and waits to be killed.
    #[test]
    #[ignore = "helper process for postgres_stops_when_hindsight_is_killed"]
    fn parent_death_helper() {
        let Some(dir) = std::env::var_os(HELPER_ENV) else {
            return;
        };
        let dir = PathBuf::from(dir);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let cluster = runtime.block_on(PrivateCluster::start(&dir, None)).unwrap();
        fs::write(dir.join("helper-ready.tmp"), postmaster_pid(&cluster).to_string()).unwrap();
        fs::rename(dir.join("helper-ready.tmp"), dir.join("helper-ready")).unwrap();
        loop {
            thread::sleep(Duration::from_secs(60));
        }
    }

    /// SIGKILL a process that started a cluster: the kernel's parent-death
    /// signal must shut its server down, and the folder must be reusable.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[tokio::test]
    async fn postgres_stops_when_hindsight_is_killed() {
        let dir = TestDir::new("parent-death");
        let module = module_path!().split_once("::").map_or(module_path!(), |(_, rest)| rest);
        let mut helper = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &format!("{module}::parent_death_helper"), "--ignored", "--nocapture"])
            .env(HELPER_ENV, dir.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();

        let ready = dir.path().join("helper-ready");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready.exists() {
            if let Some(status) = helper.try_wait().unwrap() {
                panic!("the helper exited early ({status})");
            }
            assert!(Instant::now() < deadline, "the helper did not start a cluster");
            thread::sleep(Duration::from_millis(50));
        }
        let pid: i32 = fs::read_to_string(&ready).unwrap().parse().unwrap();
        assert!(process_is_running(pid));

        helper.kill().unwrap(); // SIGKILL
        helper.wait().unwrap();
        assert!(wait_until_gone(pid, Duration::from_secs(15)), "postgres (PID {pid}) outlived the killed process");

        let cluster = PrivateCluster::start(dir.path(), None).await.unwrap();
        assert!(!cluster.newly_created());
        assert_serving(&cluster);
        cluster.stop().await.unwrap();
    }
}
