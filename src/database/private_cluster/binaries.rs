//! Finding the PostgreSQL server binaries (`initdb`, `postgres`): an explicit folder, `PATH`, or the usual places.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::ClusterError;

/// A folder holding `initdb` and `postgres`.
#[derive(Debug, Clone)]
pub(super) struct Binaries {
    pub(super) dir: PathBuf,
}

impl Binaries {
    pub(super) fn initdb(&self) -> PathBuf {
        self.dir.join("initdb")
    }

    pub(super) fn postgres(&self) -> PathBuf {
        self.dir.join("postgres")
    }
}

/// A place where PostgreSQL is commonly installed.
#[derive(Debug)]
pub(super) enum SearchPlace {
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
pub(super) fn find_binaries(explicit: Option<&Path>, wanted_version: Option<&str>) -> Result<Binaries, ClusterError> {
    let path_var = std::env::var_os("PATH");
    find_binaries_in(explicit, path_var.as_deref(), &usual_places(), wanted_version)
}

pub(super) fn find_binaries_in(
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

pub(super) fn is_executable(path: &Path) -> bool {
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
