//! Why the private cluster could not be started or stopped: [`ClusterError`] and its helpers.

use std::io;
use std::path::{Path, PathBuf};

use super::READY_TIMEOUT;

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

pub(super) fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> ClusterError {
    let path = path.to_path_buf();
    move |source| ClusterError::Io { action, path, source }
}
