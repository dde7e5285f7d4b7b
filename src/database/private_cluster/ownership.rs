//! Who the server runs as, and the folders it needs: reachable by that user, private to it and owned by it.

use std::ffi::OsString;
use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::unistd::{Gid, Uid, User};

use super::{ClusterError, ExistingCluster, SOCKET_PORT, SOCKET_SUBDIR, io_error};

/// Longest usable Unix socket path: `sizeof(sockaddr_un.sun_path)` less the
/// terminating NUL (108 bytes on Linux, 104 on the BSDs and macOS).
const MAX_SOCKET_PATH: usize = if cfg!(any(target_os = "linux", target_os = "android")) { 107 } else { 103 };

/// The user the server runs as.
#[derive(Debug, Clone)]
pub(super) struct RunAs {
    pub(super) uid: Uid,
    pub(super) gid: Gid,
    pub(super) name: String,
    /// Hindsight runs as root, so children switch to `uid`/`gid`.
    pub(super) switch_user: bool,
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
pub(super) fn choose_run_as(pgdata: &Path, existing: Option<&ExistingCluster>) -> Result<RunAs, ClusterError> {
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
pub(super) fn first_unreachable_dir(dir: &Path, uid: Uid, gid: Gid) -> Result<Option<PathBuf>, ClusterError> {
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
pub(super) fn create_private_dir(path: &Path, run_as: &RunAs) -> Result<(), ClusterError> {
    DirBuilder::new().mode(0o700).create(path).map_err(io_error("create", path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(io_error("set permissions on", path))?;
    run_as.take_ownership(path)
}

/// Picks and prepares the socket folder: `PGDATA/socket`, or a folder under
/// /tmp if the socket's path would be too long there.
pub(super) fn prepare_socket_dir(pgdata: &Path, run_as: &RunAs) -> Result<(PathBuf, bool), ClusterError> {
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
pub(super) fn socket_directories_setting(dir: &Path) -> OsString {
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
