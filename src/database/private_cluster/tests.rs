//! Tests of the private cluster; most start real PostgreSQL servers.
#![allow(clippy::unwrap_used)] // A failed unwrap is a failed test.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::unistd::{Uid, User};

use super::binaries::{SearchPlace, find_binaries_in, is_executable};
use super::ownership::socket_directories_setting;
use super::process::{Probe, child_pid, probe, process_is_running};
use super::{ClusterError, PrivateCluster};

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
    assert!(matches!(&error, ClusterError::InUse { pid: Some(pid), .. } if *pid == std::process::id()), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&first.data_dir().display().to_string()), "{message}");
    assert!(message.contains("--data-dir"), "{message}");

    let pid = postmaster_pid(&first);
    drop(first);
    assert!(!process_is_running(pid), "Drop did not stop postgres (PID {pid})");

    // The lock is an flock on our file: a child another test thread is forking at this moment
    // holds a copy of its descriptor until that child's exec closes it (close-on-exec), so the
    // folder may take a moment to be free.
    let mut again = PrivateCluster::start(dir.path(), None).await;
    for _ in 0..50 {
        if !matches!(again, Err(ClusterError::InUse { .. })) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        again = PrivateCluster::start(dir.path(), None).await;
    }
    let again = again.unwrap();
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
    let bin =
        fake_bin_dir(dir.path(), "exit 1", "echo 'FATAL:  lock file \"postmaster.pid\" already exists' >&2; exit 1");
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
