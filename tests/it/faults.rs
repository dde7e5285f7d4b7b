//! The real binary against a PostgreSQL this test runs itself, and then breaks: frozen
//! (every server process stopped with SIGSTOP: not refusing, just silent), crashed
//! (`-m immediate`) and restarted under a write load that retries with idempotency keys, and
//! two instances starting at once on a database that does not exist yet.
//!
//! These are the short versions that run with `cargo test`. The long crash test is the same
//! test with more of everything: `FAULT_ROUNDS=20 FAULT_WRITERS=16 cargo test --test it
//! -- faults --nocapture` (rounds of crash or restart, concurrent writers).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hindsight::database::private_cluster::PrivateCluster;
use hindsight::database::{MIGRATOR, cluster_options};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use sqlx::{Connection, PgConnection};
use tokio::sync::Mutex;

/// A PostgreSQL of the test's own, in a short temporary folder (the socket's path must be short).
struct OwnCluster {
    cluster: Option<PrivateCluster>,
    dir: PathBuf,
}

impl OwnCluster {
    async fn start(name: &str) -> OwnCluster {
        let dir = PathBuf::from(format!("/tmp/hs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cluster = PrivateCluster::start(&dir, None).await.expect("start a PostgreSQL of the test's own");
        let mut own = OwnCluster { cluster: Some(cluster), dir };
        own.execute("CREATE DATABASE hindsight").await;
        own
    }

    fn cluster(&self) -> &PrivateCluster {
        self.cluster.as_ref().expect("the cluster is running")
    }

    /// A `DATABASE_URL` for `database`.
    fn url(&self, database: &str) -> String {
        let cluster = self.cluster();
        format!(
            "postgres://{}@localhost:{}/{database}?host={}",
            cluster.user(),
            cluster.port(),
            cluster.socket_dir().display()
        )
    }

    async fn connect(&self, database: &str) -> PgConnection {
        PgConnection::connect_with(&cluster_options(self.cluster(), database)).await.expect("connect")
    }

    async fn execute(&mut self, sql: &str) {
        let mut conn = self.connect("postgres").await;
        sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn postmaster(&self) -> i32 {
        let pid = std::fs::read_to_string(self.cluster().pgdata().join("postmaster.pid")).expect("postmaster.pid");
        pid.lines().next().and_then(|line| line.trim().parse().ok()).expect("a pid")
    }

    /// Sends `signal` to the postmaster and every process it started.
    fn signal_all(&self, signal: Signal) {
        let postmaster = self.postmaster();
        let mut pids = vec![postmaster];
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
            // The fields after the command name, which is in parentheses and may hold spaces.
            let after = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
            if after.split(' ').nth(1).and_then(|ppid| ppid.parse::<i32>().ok()) == Some(postmaster) {
                pids.push(pid);
            }
        }
        for pid in pids {
            let _ = kill(Pid::from_raw(pid), signal);
        }
    }

    /// An immediate shutdown, as `pg_ctl stop -m immediate` (a crash, as far as clients know).
    async fn crash(&mut self) {
        let _ = kill(Pid::from_raw(self.postmaster()), Signal::SIGQUIT);
        if let Some(cluster) = self.cluster.take() {
            cluster.stop().await.ok();
        }
    }

    /// A clean restart (`-m fast`, then start).
    async fn restart(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            cluster.stop().await.expect("stop");
        }
        self.start_again().await;
    }

    async fn start_again(&mut self) {
        let cluster = PrivateCluster::start(&self.dir, None).await.expect("start the cluster again");
        self.cluster = Some(cluster);
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        if self.cluster.is_some() {
            self.signal_all(Signal::SIGCONT);
        }
        drop(self.cluster.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `hindsight serve` on a free port.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(database_url: &str, flags: &[&str]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
        let child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(flags)
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hindsight");
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client.get(format!("{}/healthz", server.base)).send().await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("hindsight did not start");
    }

    /// Sends SIGTERM and waits for the exit: how long it took.
    async fn terminate(mut self) -> Duration {
        let sent = Instant::now();
        let pid = i32::try_from(self.child.id()).expect("a pid");
        kill(Pid::from_raw(pid), Signal::SIGTERM).expect("SIGTERM");
        loop {
            if self.child.try_wait().expect("wait").is_some() {
                return sent.elapsed();
            }
            assert!(sent.elapsed() < Duration::from_secs(60), "hindsight never exited");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An admin account made with the command line, signed in: the session cookie.
async fn signed_in(database_url: &str, base: &str) -> String {
    let mut add = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["user", "add", "--admin", "ops@example.com", "--password-stdin"])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("hindsight user add");
    add.stdin.take().expect("stdin").write_all(b"a long test passphrase\n").expect("password");
    assert!(add.wait().expect("user add").success());
    let response = client()
        .post(format!("{base}/login"))
        .form(&[("email", "ops@example.com"), ("password", "a long test passphrase")])
        .send()
        .await
        .expect("sign in");
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("a session cookie");
    cookie.split(';').next().expect("name=value").to_owned()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client")
}

/// A new postmortem: its address.
async fn new_postmortem(base: &str, cookie: &str) -> String {
    let form = crate::harness::form();
    let response = client()
        .post(format!("{base}/incidents"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .expect("create a postmortem");
    assert_eq!(response.status(), 303);
    response.headers().get("location").and_then(|v| v.to_str().ok()).expect("its address").to_owned()
}

#[tokio::test]
async fn with_the_database_frozen_requests_end_at_the_deadline_readiness_fails_fast_and_shutdown_is_bounded() {
    let cluster = OwnCluster::start("freeze").await;
    let url = cluster.url("hindsight");
    let server =
        Server::start(&url, &["--request-timeout", "2s", "--shutdown-timeout", "1s", "--pool-size", "4"]).await;
    let cookie = signed_in(&url, &server.base).await;
    let path = new_postmortem(&server.base, &cookie).await;

    cluster.signal_all(Signal::SIGSTOP);
    let frozen = Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..6 {
        let (base, cookie, path) = (server.base.clone(), cookie.clone(), path.clone());
        requests.spawn(async move {
            let sent = Instant::now();
            let request = if n % 2 == 0 {
                client().get(format!("{base}{path}"))
            } else {
                client().post(format!("{base}{path}/timeline")).form(&[("time", "10:20"), ("body", "While frozen")])
            };
            let response = request.header("cookie", cookie).send().await.expect("an answer");
            (response.status().as_u16(), response.text().await.unwrap_or_default(), sent.elapsed())
        });
    }
    let ready = client().get(format!("{}/readyz", server.base)).send().await.expect("readyz");
    let ready_took = frozen.elapsed();
    assert_eq!(ready.status(), 503);
    assert!(ready_took < Duration::from_secs(1), "/readyz turns 503 within a second of the freeze: {ready_took:?}");
    eprintln!("frozen database: /readyz 503 after {ready_took:?}");
    while let Some(joined) = requests.join_next().await {
        let (status, body, took) = joined.expect("a request");
        assert_eq!(status, 503, "{body}");
        assert!(took < Duration::from_millis(3000), "ended within the 2 s deadline (and some slack): {took:?}");
        eprintln!("frozen database: {status} after {took:?}");
        assert!(!body.contains("sqlx") && !body.contains("PoolTimedOut"), "no internals on the page");
    }
    let live = client().get(format!("{}/healthz", server.base)).send().await.expect("healthz");
    assert_eq!(live.status(), 200, "liveness does not depend on the database");
    let metrics = client().get(format!("{}/metrics", server.base)).send().await.expect("metrics");
    let metrics = metrics.text().await.expect("metrics text");
    let abandoned = metrics
        .lines()
        .find_map(|line| line.strip_prefix("hindsight_requests_deadline_exceeded_total "))
        .and_then(|n| n.trim().parse::<f64>().ok())
        .expect("the deadline counter");
    assert!(abandoned >= 1.0, "requests were abandoned at their deadline: {metrics}");

    // Shut down with requests still waiting on the frozen database: the shutdown limit (1 s),
    // shorter than their deadline (2 s), is what ends them.
    for _ in 0..4 {
        let (base, cookie, path) = (server.base.clone(), cookie.clone(), path.clone());
        requests.spawn(async move {
            let sent = Instant::now();
            let response = client().get(format!("{base}{path}")).header("cookie", cookie).send().await;
            (response.map(|r| r.status().as_u16()).unwrap_or(0), String::new(), sent.elapsed())
        });
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let took = server.terminate().await;
    assert!(
        took < Duration::from_millis(1700),
        "SIGTERM with the database frozen exits within the 1 s limit: {took:?}"
    );
    while let Some(joined) = requests.join_next().await {
        let (status, _, waited) = joined.expect("a request");
        assert_ne!(status, 500, "a request in flight at shutdown gets a 503 or its connection closed, never a 500");
        assert!(waited < Duration::from_millis(1700), "a request in flight at shutdown ends with it: {waited:?}");
    }
    eprintln!("frozen database: SIGTERM to exit {took:?}");
    cluster.signal_all(Signal::SIGCONT);
}

#[tokio::test]
async fn crashed_and_restarted_under_retried_writes_nothing_acknowledged_is_lost_or_doubled() {
    let mut cluster = OwnCluster::start("crash").await;
    let url = cluster.url("hindsight");
    let server = Server::start(&url, &["--request-timeout", "3s", "--pool-size", "4"]).await;
    let cookie = signed_in(&url, &server.base).await;

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let successes = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let mut writers = tokio::task::JoinSet::new();
    let writers_wanted = env_number("FAULT_WRITERS", 4);
    for writer in 0..writers_wanted {
        // A postmortem each, so that a long run stays under the limit of timeline entries.
        let path = new_postmortem(&server.base, &cookie).await;
        let (base, cookie) = (server.base.clone(), cookie.clone());
        let (stop, acknowledged, successes) = (stop.clone(), acknowledged.clone(), successes.clone());
        writers.spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = format!("writer {writer} entry {n}");
                let key = format!("writer-{writer}-entry-{n}");
                // Retried with the same key until it is answered as saved.
                loop {
                    let sent = client()
                        .post(format!("{base}{path}/timeline"))
                        .header("cookie", &cookie)
                        .form(&[("time", "10:20"), ("body", body.as_str()), ("idempotency_key", key.as_str())])
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await;
                    match sent.map(|r| r.status().as_u16()) {
                        Ok(303) => {
                            acknowledged.lock().await.push(body.clone());
                            successes.lock().await.push(Instant::now());
                            break;
                        }
                        Ok(500) => panic!("a 500 while the database crashed"),
                        // Refused for what it is, not for the outage: retrying cannot help.
                        Ok(status @ 400..=499) => panic!("{body:?} refused with {status}"),
                        _ => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
            }
        });
    }
    let mut recoveries = Vec::new();
    let rounds = env_number("FAULT_ROUNDS", 3);
    for crash in (0..rounds).map(|round| round % 2 == 0) {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        if crash {
            cluster.crash().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            cluster.start_again().await;
        } else {
            cluster.restart().await;
        }
        recoveries.push(Instant::now());
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    while let Some(joined) = writers.join_next().await {
        joined.expect("a writer");
    }

    let successes = successes.lock().await.clone();
    for accepting in &recoveries {
        let first = successes.iter().filter(|at| *at >= accepting).min().expect("a success after the restart");
        assert!(
            first.duration_since(*accepting) < Duration::from_secs(5),
            "first success {:?} after the database was back",
            first.duration_since(*accepting)
        );
    }
    let mut conn = cluster.connect("hindsight").await;
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT body FROM timeline_entries").fetch_all(&mut conn).await.expect("the entries");
    let acknowledged = acknowledged.lock().await.clone();
    eprintln!("crash test: {} writes acknowledged, {} stored", acknowledged.len(), stored.len());
    assert!(acknowledged.len() >= 8, "the load kept writing: {}", acknowledged.len());
    for body in &acknowledged {
        let copies = stored.iter().filter(|s| *s == body).count();
        assert_eq!(copies, 1, "{body:?} was acknowledged, so it is stored exactly once");
    }
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), stored.len(), "no write was stored twice");
    drop(server);
}

/// A number from the environment, for the long version of a test.
fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test]
async fn two_instances_starting_at_once_on_a_missing_database_both_come_up() {
    let mut cluster = OwnCluster::start("twins").await;
    for attempt in 0..3 {
        let database = format!("fresh_{attempt}");
        let url = cluster.url(&database);
        let start = || {
            Command::new(env!("CARGO_BIN_EXE_hindsight"))
                .arg("migrate")
                .env("DATABASE_URL", &url)
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start hindsight migrate")
        };
        let (first, second) = (start(), start());
        for child in [first, second] {
            let output = child.wait_with_output().expect("migrate finished");
            assert!(output.status.success(), "attempt {attempt}: {}", String::from_utf8_lossy(&output.stderr));
        }
        let mut conn = cluster.connect(&database).await;
        let applied: i64 =
            sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations").fetch_one(&mut conn).await.expect("count");
        assert_eq!(applied, i64::try_from(MIGRATOR.migrations.len()).expect("a count"), "each migration once");
    }
    // Behind PgBouncer, instances start with --no-migrate: they refuse a database that lacks
    // migrations instead of taking the migration lock.
    cluster.execute("CREATE DATABASE unmigrated").await;
    let export = |database: &str| {
        let folder = cluster.dir.join(format!("export-{database}"));
        Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["--no-migrate", "export", "--all"])
            .arg(&folder)
            .env("DATABASE_URL", cluster.url(database))
            .env("RUST_LOG", "warn")
            .output()
            .expect("run hindsight export")
    };
    let refused = export("unmigrated");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("hindsight migrate"), "{refused:?}");
    let exported = export("fresh_0");
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
}
