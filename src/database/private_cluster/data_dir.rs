//! The data folder: its lock, the state of the cluster folder, `initdb`, and the server's log.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use nix::unistd::{Gid, Uid};

use super::binaries::Binaries;
use super::ownership::{RunAs, create_private_dir};
use super::process::{prepare_child, spawn_from_spawner_thread};
use super::{
    ClusterError, INITDB_STAGING_DIR, LOCK_FILE, LOG_ROTATE_BYTES, LOG_TAIL_LINES, OLD_LOG_FILE, SUPERUSER, io_error,
};

/// Takes the data folder's exclusive lock and writes our PID into it.
pub(super) fn acquire_lock(data_dir: &Path) -> Result<File, ClusterError> {
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
pub(super) struct ExistingCluster {
    /// Contents of `PG_VERSION`, e.g. "15".
    pub(super) version: String,
    pub(super) owner: Uid,
    pub(super) group: Gid,
}

/// Looks at the cluster folder: `Some` for an existing cluster, `None` if one
/// must be created. An empty folder is removed, so that `initdb`'s result can
/// be renamed into its place.
pub(super) fn inspect_cluster_dir(pgdata: &Path) -> Result<Option<ExistingCluster>, ClusterError> {
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
pub(super) fn run_initdb(
    binaries: &Binaries,
    run_as: &RunAs,
    data_dir: &Path,
    pgdata: &Path,
) -> Result<(), ClusterError> {
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
pub(super) fn open_log(data_dir: &Path, log_file: &Path) -> Result<(File, u64), ClusterError> {
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
pub(super) fn log_tail(log_file: &Path, start: u64) -> String {
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
