//! Wiki sync against real git repositories on this machine: bare repositories reached over
//! `file://` and, when `sshd` is installed, over SSH from a `sshd` the test starts. Each test
//! reads what landed with `git` itself: the commits, their authors and messages, the files and
//! the index.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::http::StatusCode;
use hindsight::domain::Section;
use hindsight::domain::input::IncidentForm;

use crate::harness::{TestApp, form};

static NEXT_REPO: AtomicU32 = AtomicU32::new(0);

/// A bare repository in the temp folder, removed when dropped.
struct Repo {
    dir: PathBuf,
    bare: PathBuf,
}

/// Runs git with no user or system configuration, as someone editing the wiki by hand.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Someone Else")
        .env("GIT_AUTHOR_EMAIL", "someone@example.com")
        .env("GIT_COMMITTER_NAME", "Someone Else")
        .env("GIT_COMMITTER_EMAIL", "someone@example.com")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

impl Repo {
    fn new() -> Repo {
        let n = NEXT_REPO.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("hindsight-wiki-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a folder");
        let bare = dir.join("wiki.git");
        git(&dir, &["init", "-q", "--bare", "-b", "main", "wiki.git"]);
        Repo { dir, bare }
    }

    fn url(&self) -> String {
        format!("file://{}", self.bare.display())
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.bare, args)
    }

    /// `author <email>|subject` of each commit on main, newest first.
    fn log(&self) -> Vec<String> {
        self.git(&["log", "--format=%an <%ae>|%s", "main"]).lines().map(str::to_owned).collect()
    }

    fn subjects(&self) -> Vec<String> {
        self.log().iter().map(|line| line.split_once('|').map_or("", |(_, s)| s).to_owned()).collect()
    }

    /// The full message of the newest commit.
    fn last_message(&self) -> String {
        self.git(&["log", "-1", "--format=%B", "main"])
    }

    fn files(&self) -> Vec<String> {
        self.git(&["ls-tree", "-r", "--name-only", "main"]).lines().map(str::to_owned).collect()
    }

    fn show(&self, path: &str) -> String {
        self.git(&["show", &format!("main:{path}")])
    }

    /// Commits `path` with `text` on main as someone editing the wiki by hand.
    fn push_outside_edit(&self, path: &str, text: &str) {
        let work = self.dir.join(format!("outside-{}", NEXT_REPO.fetch_add(1, Ordering::Relaxed)));
        git(&self.dir, &["clone", "-q", &self.url(), work.to_str().expect("UTF-8")]);
        std::fs::write(work.join(path), text).expect("write");
        git(&work, &["add", path]);
        git(&work, &["commit", "-q", "-m", &format!("Edit {path} by hand")]);
        git(&work, &["push", "-q", "origin", "HEAD:main"]);
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Adds a destination through the admin's form; its id.
async fn add_destination(app: &TestApp, url: &str, folder: &str) -> i64 {
    let response = app
        .post_form(
            "/admin/wiki",
            &[
                ("name", "Engineering wiki"),
                ("url", url),
                ("branch", "main"),
                ("folder", folder),
                ("file_pattern", "{date}-{slug}.md"),
                ("index_name", "index.md"),
                ("token_user", "git"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response.location().rsplit('/').next().expect("an id").parse().expect("a number")
}

/// Creates a postmortem and has it approved (by the signed-in admin); its path.
async fn publish(app: &TestApp, title: &str) -> String {
    let path = app
        .create_incident(&IncidentForm { title: title.into(), ..form() }.with(Section::Summary, "The disk filled up."))
        .await;
    let id = path.rsplit('/').next().expect("id").parse::<i64>().expect("a number");
    sqlx::query("UPDATE incidents SET status = 'in_review' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("in review");
    assert_eq!(app.post_empty(&format!("{path}/approve")).await.status, StatusCode::SEE_OTHER);
    path
}

/// Saves the postmortem's form with `title` and `summary`, as whoever is signed in.
async fn edit(app: &TestApp, path: &str, title: &str, summary: &str) {
    let version = app.get(&format!("{path}/edit")).await.field_value("version");
    let edited = IncidentForm { title: title.into(), version, ..form() }.with(Section::Summary, summary);
    let response = app.post_form(path, &edited).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
}

async fn signed_in_author(app: &TestApp) -> String {
    let (name, email): (String, String) =
        sqlx::query_as("SELECT name, email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("the admin");
    format!("{name} <{email}>")
}

#[tokio::test]
async fn published_postmortems_are_committed_renamed_and_removed_with_their_authors() {
    let app = TestApp::with_wiki().await;
    let repo = Repo::new();
    let destination = add_destination(&app, &repo.url(), "postmortems").await;
    let syncer = app.wiki_syncer();
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    assert_eq!(repo.subjects(), ["Rebuild from Hindsight: 0 postmortems"]);
    assert_eq!(repo.files(), ["postmortems/index.md"]);
    assert!(repo.show("postmortems/index.md").contains("None yet."));

    // A draft goes nowhere; publishing commits its export, authored by the approver.
    app.create_incident(&IncidentForm { title: "Still a draft".into(), ..form() }).await;
    let path = publish(&app, "Disk full on db-1").await;
    let id = path.rsplit('/').next().expect("id");
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    let author = signed_in_author(&app).await;
    assert_eq!(repo.log()[0], format!("{author}|Publish #{id}: Disk full on db-1"));
    assert!(repo.last_message().contains(&format!("https://hindsight.example.com/incidents/{id}")));
    let file = "postmortems/2025-03-01-disk-full-on-db-1.md";
    assert_eq!(repo.files(), [file, "postmortems/index.md"]);
    assert_eq!(repo.show(file), app.get(&format!("{path}/export.md")).await.body);
    let index = repo.show("postmortems/index.md");
    assert!(
        index.contains("| 2025-03-01 | [Disk full on db-1](<2025-03-01-disk-full-on-db-1.md>) | SEV2 |"),
        "{index}"
    );
    assert!(!index.contains("Still a draft"));
    // The committer is Hindsight; the author date is when the change was made.
    assert_eq!(
        repo.git(&["log", "-1", "--format=%cn <%ce>", "main"]).trim(),
        "Hindsight <hindsight@hindsight.example.com>"
    );

    // A later change, with a new title: the file moves, and the message says what changed.
    edit(&app, &path, "Disk full on db-2", "The disk filled up; logs were not rotated.").await;
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    assert_eq!(repo.subjects()[0], format!("Update #{id}: Disk full on db-2"));
    let message = repo.last_message();
    assert!(message.contains("Changed: Details, Summary."), "{message}");
    assert!(
        message.contains(&format!("Renamed from {file} to postmortems/2025-03-01-disk-full-on-db-2.md.")),
        "{message}"
    );
    assert_eq!(repo.files(), ["postmortems/2025-03-01-disk-full-on-db-2.md", "postmortems/index.md"]);
    assert!(repo.show("postmortems/2025-03-01-disk-full-on-db-2.md").contains("logs were not rotated"));

    // Nothing new: nothing synced, no empty commit.
    assert_eq!(syncer.sync_due().await.expect("sync"), 0);
    assert_eq!(repo.log().len(), 3);

    // Deleted: removed, and the index says so.
    assert_eq!(app.post_empty(&format!("{path}/delete")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    assert_eq!(repo.subjects()[0], format!("Remove #{id}: Disk full on db-2"));
    assert_eq!(repo.files(), ["postmortems/index.md"]);
    assert!(repo.show("postmortems/index.md").contains("None yet."));

    let page = app.get(&format!("/admin/wiki/{destination}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Up to date"), "{}", page.body);
    assert!(page.body.contains("Committed"), "the log shows what each sync did");
    assert_eq!(page.texts("#log tbody tr").len(), 4);
}

#[tokio::test]
async fn a_remote_that_moved_is_built_upon_never_forced() {
    let app = TestApp::with_wiki().await;
    let repo = Repo::new();
    add_destination(&app, &repo.url(), "").await;
    let syncer = app.wiki_syncer();
    syncer.sync_due().await.expect("sync");
    // Someone edits the wiki by hand between syncs.
    repo.push_outside_edit("Home.md", "Welcome to the wiki.\n");
    // And someone pushes while Hindsight's sync is under way: the repository's update hook
    // moves the branch once, just before Hindsight's push lands, as a racing push would.
    let hook = repo.bare.join("hooks/update");
    std::fs::write(
        &hook,
        "#!/bin/sh\n\
         [ -f \"$GIT_DIR/moved-once\" ] && exit 0\n\
         touch \"$GIT_DIR/moved-once\"\n\
         export GIT_INDEX_FILE=\"$GIT_DIR/race-index\"\n\
         git read-tree \"$2\"\n\
         blob=$(echo 'A racing edit.' | git hash-object -w --stdin)\n\
         git update-index --add --cacheinfo 100644,$blob,RACE.md\n\
         commit=$(echo 'A racing push' | GIT_AUTHOR_NAME=Racer GIT_AUTHOR_EMAIL=r@example.com \
           GIT_COMMITTER_NAME=Racer GIT_COMMITTER_EMAIL=r@example.com git commit-tree $(git write-tree) -p \"$2\")\n\
         git update-ref \"$1\" $commit \"$2\"\n",
    )
    .expect("hook");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("executable");

    let path = publish(&app, "Queue backlog").await;
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    let id = path.rsplit('/').next().expect("id");
    assert_eq!(
        repo.subjects(),
        [
            format!("Publish #{id}: Queue backlog"),
            "A racing push".to_owned(),
            "Edit Home.md by hand".to_owned(),
            "Rebuild from Hindsight: 0 postmortems".to_owned()
        ],
        "Hindsight's commit went on top of both, and nothing was lost"
    );
    assert_eq!(repo.files(), ["2025-03-01-queue-backlog.md", "Home.md", "RACE.md", "index.md"]);
    assert_eq!(repo.show("Home.md"), "Welcome to the wiki.\n");
}

#[tokio::test]
async fn a_destination_that_is_down_keeps_its_changes_and_delivers_each_once() {
    let app = TestApp::with_wiki().await;
    let repo = Repo::new();
    let destination = add_destination(&app, &repo.url(), "pm").await;
    let syncer = app.wiki_syncer();
    let path = publish(&app, "Cache stampede").await;
    syncer.sync_due().await.expect("sync");
    assert_eq!(repo.log().len(), 1, "the first sync wrote it whole (and its revision's job found nothing more)");

    // The repository goes away for a while.
    let away = repo.dir.join("moved-away.git");
    std::fs::rename(&repo.bare, &away).expect("take it away");
    edit(&app, &path, "Cache stampede", "First change.").await;
    let engineer = app.sign_in_as(hindsight::domain::Role::Engineer).await;
    edit(&app, &path, "Cache stampede", "Second change, by someone else.").await;
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    let (attempts, error, pending): (i32, String, i64) = sqlx::query_as(
        "SELECT attempts, last_error, (SELECT count(*) FROM wiki_jobs WHERE state = 'pending') FROM wiki_destinations",
    )
    .fetch_one(&app.pool)
    .await
    .expect("state");
    assert_eq!((attempts, pending), (1, 2), "{error}");
    assert!(error.contains("does not appear to be a git repository") || error.contains("wiki.git"), "{error}");
    // Backing off: not tried again at once.
    assert_eq!(syncer.sync_due().await.expect("sync"), 0);
    app.sign_in_as(hindsight::domain::Role::Admin).await;
    let page = app.get(&format!("/admin/wiki/{destination}")).await;
    assert!(page.body.contains("Failing (1 attempt)"), "{}", page.body);
    assert!(page.body.contains("Last error"));

    // Back: each change is delivered once, in order, by its own author.
    std::fs::rename(&away, &repo.bare).expect("bring it back");
    sqlx::query("UPDATE wiki_destinations SET next_attempt_at = now()").execute(&app.pool).await.expect("due");
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    let log = repo.log();
    assert_eq!(log.len(), 3, "{log:?}");
    let engineer_name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(engineer.0)
        .fetch_one(&app.pool)
        .await
        .expect("name");
    assert!(log[0].starts_with(&engineer_name), "{log:?}");
    assert!(!log[1].starts_with(&engineer_name), "{log:?}");
    let file = "pm/2025-03-01-cache-stampede.md";
    assert!(repo.show(file).contains("Second change, by someone else."));
    assert_eq!(
        sqlx::query_scalar::<_, i32>("SELECT attempts FROM wiki_destinations")
            .fetch_one(&app.pool)
            .await
            .expect("reset"),
        0
    );

    // A push whose answer was lost (the jobs still pending afterwards): sent again, it
    // commits nothing new.
    sqlx::query("UPDATE wiki_jobs SET state = 'pending' WHERE kind = 'revision'")
        .execute(&app.pool)
        .await
        .expect("again");
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    assert_eq!(repo.log().len(), 3, "no duplicate commits");
    let outcomes: Vec<String> = sqlx::query_scalar("SELECT outcome FROM wiki_jobs WHERE kind = 'revision' ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .expect("o");
    assert!(outcomes.iter().all(|o| o.starts_with("Nothing to do: the wiki already has")), "{outcomes:?}");
}

#[tokio::test]
async fn two_instances_pushing_at_once_lose_nothing_and_duplicate_nothing() {
    // Two instances of one installation (one database): one syncs each destination at a time.
    let app = TestApp::with_wiki().await;
    let repo = Repo::new();
    add_destination(&app, &repo.url(), "").await;
    for n in 0..4 {
        publish(&app, &format!("Outage {n}")).await;
    }
    let (first, second) = (app.wiki_syncer(), app.wiki_syncer());
    let (a, b) = tokio::join!(first.sync_due(), second.sync_due());
    assert_eq!(a.expect("sync") + b.expect("sync"), 1, "the destination was synced by one of them");
    assert_eq!(repo.subjects(), ["Rebuild from Hindsight: 4 postmortems"]);

    // Two installations (two databases) writing their own folders of one repository, at once,
    // several times: every commit lands, on one line of history.
    let (one, two) = (TestApp::with_wiki().await, TestApp::with_wiki().await);
    let shared = Repo::new();
    add_destination(&one, &shared.url(), "team-one").await;
    add_destination(&two, &shared.url(), "team-two").await;
    for round in 0..3 {
        publish(&one, &format!("One {round}")).await;
        publish(&two, &format!("Two {round}")).await;
        let (x, y) = (one.wiki_syncer(), two.wiki_syncer());
        let (x, y) = tokio::join!(x.sync_due(), y.sync_due());
        assert_eq!((x.expect("sync"), y.expect("sync")), (1, 1));
    }
    let subjects = shared.subjects();
    for round in 0..3 {
        for name in ["One", "Two"] {
            let title = format!("{name} {round}");
            let published =
                subjects.iter().filter(|s| s.ends_with(&format!(": {title}")) || s.contains("Rebuild")).count();
            assert!(published >= 1, "{title} is in {subjects:?}");
        }
    }
    let files = shared.files();
    assert_eq!(files.iter().filter(|f| f.starts_with("team-one/")).count(), 4, "{files:?}");
    assert_eq!(files.iter().filter(|f| f.starts_with("team-two/")).count(), 4, "{files:?}");
    let merges = shared.git(&["rev-list", "--merges", "main"]);
    assert!(merges.is_empty(), "history stays linear");
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM wiki_jobs WHERE state = 'pending'")
        .fetch_one(&one.pool)
        .await
        .expect("n");
    assert_eq!(pending, 0);
}

#[tokio::test]
async fn secrets_are_sealed_and_never_shown_and_bad_settings_are_refused() {
    let app = TestApp::with_wiki().await;
    let token = "glpat-SECRET0123456789abcdef";
    let response = app
        .post_form(
            "/admin/wiki",
            &[
                ("name", "GitLab wiki"),
                ("url", "https://127.0.0.1:9/team/wiki.git"),
                ("branch", "main"),
                ("folder", ""),
                ("file_pattern", "{id}-{slug}.md"),
                ("index_name", "Home.md"),
                ("token_user", "oauth2"),
                ("token", token),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let sealed: Vec<u8> =
        sqlx::query_scalar("SELECT sealed_secret FROM wiki_destinations").fetch_one(&app.pool).await.expect("s");
    assert!(!sealed.windows(token.len()).any(|w| w == token.as_bytes()), "stored sealed");
    // The sync fails (nothing listens there); its error does not carry the token either.
    app.wiki_syncer().sync_due().await.expect("sync");
    let everything = crate::routes::snapshot(&app).await;
    assert!(!everything.contains(token) && !everything.contains("SECRET0123"), "not in any table in clear");
    let page = app.get(response.location()).await;
    assert!(!page.body.contains(token));
    assert!(page.body.contains("Failing"), "{}", page.body);
    assert!(!app.get("/admin/audit").await.body.contains(token));

    // A destination sealed under another key says so, rather than failing obscurely.
    let other = TestApp::with_wiki().await;
    let other_syncer = hindsight::wiki::Syncer::new(app.pool.clone(), other.wiki.clone(), "https://x.example");
    sqlx::query("UPDATE wiki_destinations SET next_attempt_at = now()").execute(&app.pool).await.expect("due");
    other_syncer.sync_due().await.expect("sync");
    let error: String =
        sqlx::query_scalar("SELECT last_error FROM wiki_destinations").fetch_one(&app.pool).await.expect("e");
    assert!(error.contains("sealed with another secret key"), "{error}");

    // Bad settings: each field says what is wrong, and nothing is saved.
    let before = app.count("wiki_destinations").await;
    let refused = app
        .post_form(
            "/admin/wiki",
            &[
                ("name", ""),
                ("url", "ext::sh -c touch% /tmp/pwned"),
                ("branch", "--force"),
                ("folder", "../../etc"),
                ("file_pattern", "{title}.md"),
                ("index_name", "index.txt"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.field_errors(6).len(), 6);
    assert_eq!(app.count("wiki_destinations").await, before);
    // An HTTPS destination needs a token; file:// needs the operator's leave.
    let no_token = app
        .post_form(
            "/admin/wiki",
            &[
                ("name", "x"),
                ("url", "https://example.com/x.git"),
                ("branch", "main"),
                ("file_pattern", "{slug}.md"),
                ("index_name", "index.md"),
                ("token_user", "git"),
            ],
        )
        .await;
    assert_eq!(no_token.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_token.body.contains("Give the token"));
    // A destination without SSH has no deploy key to replace.
    let path = response.location().to_owned();
    let refused = app.post_empty(&format!("{path}/new-key")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Only an SSH destination has a deploy key."));
    let plain = TestApp::new().await;
    let file = plain
        .post_form(
            "/admin/wiki",
            &[
                ("name", "x"),
                ("url", "file:///tmp/x.git"),
                ("branch", "main"),
                ("file_pattern", "{slug}.md"),
                ("index_name", "index.md"),
            ],
        )
        .await;
    assert_eq!(file.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(file.body.contains("--wiki-allow-file-urls"));
}

#[tokio::test]
async fn a_destination_takes_only_the_postmortems_of_its_services() {
    let app = TestApp::with_wiki().await;
    let repo = Repo::new();
    let kafka =
        app.create_incident(&IncidentForm { title: "Kafka lag".into(), services: "kafka".into(), ..form() }).await;
    let service: i64 =
        sqlx::query_scalar("SELECT id FROM services WHERE name = 'kafka'").fetch_one(&app.pool).await.expect("s");
    let response = app
        .post_form(
            "/admin/wiki",
            &[
                ("name", "Kafka wiki"),
                ("url", &repo.url()),
                ("branch", "wiki"),
                ("file_pattern", "{year}/{id}.md"),
                ("index_name", "index.md"),
                ("services", &service.to_string()),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    for path in [&kafka] {
        sqlx::query("UPDATE incidents SET status = 'in_review'").execute(&app.pool).await.expect("review");
        app.post_empty(&format!("{path}/approve")).await;
    }
    publish(&app, "Unrelated DNS outage").await;
    app.wiki_syncer().sync_due().await.expect("sync");
    let id = kafka.rsplit('/').next().expect("id");
    let files = repo.git(&["ls-tree", "-r", "--name-only", "wiki"]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        [format!("2025/{id}.md").as_str(), "index.md"],
        "only Kafka's, on the wiki branch"
    );
}

/// A `sshd` of the test's own on a free loopback port, letting in one key, serving git from
/// this machine's folders; stopped when dropped.
struct Sshd {
    child: std::process::Child,
}

impl Sshd {
    /// `None` (and the test skipped) without `sshd`, except in CI, where it must run.
    fn start(dir: &Path, host_key: &Path, authorized_key: &str, port: u16) -> Option<Sshd> {
        let sshd = Path::new("/usr/sbin/sshd");
        if !sshd.exists() {
            assert!(std::env::var_os("CI").is_none(), "CI must have sshd (Debian's openssh-server)");
            eprintln!("skipped: no /usr/sbin/sshd (apt-get install openssh-server)");
            return None;
        }
        std::fs::write(dir.join("authorized_keys"), format!("{authorized_key}\n")).expect("authorized keys");
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
                 StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nLogLevel ERROR\n",
                host_key.display(),
                dir.join("sshd.pid").display(),
                dir.join("authorized_keys").display()
            ),
        )
        .expect("config");
        // As root, sshd separates privileges into this folder, which a fresh machine may lack.
        if nix::unistd::Uid::effective().is_root() {
            std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
        }
        // Its log (-e: to standard error) goes to a file beside the repository, for a failure.
        let log = std::fs::File::create(dir.join("sshd.log")).expect("a log");
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .expect("sshd starts");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "sshd did not listen");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(Sshd { child })
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("address").port()
}

fn host_key(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    git_free_command("ssh-keygen", &["-q", "-t", "ed25519", "-N", "", "-f", key.to_str().expect("UTF-8")]);
    let fingerprint = git_free_command("ssh-keygen", &["-l", "-f", &format!("{}.pub", key.display())]);
    let sha = fingerprint.split_whitespace().nth(1).expect("a fingerprint").to_owned();
    (key, sha)
}

fn git_free_command(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().expect("runs");
    assert!(output.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn a_repository_over_ssh_gets_a_deploy_key_and_pins_its_host_key() {
    let app = TestApp::with_wiki().await;
    let repo = Repo::new();
    let port = free_port();
    let user = git_free_command("id", &["-un"]).trim().to_owned();
    let url = format!("ssh://{user}@127.0.0.1:{port}{}", repo.bare.display());
    let destination = add_destination(&app, &url, "postmortems").await;
    let page = app.get(&format!("/admin/wiki/{destination}")).await;
    let public_key: String =
        sqlx::query_scalar("SELECT public_key FROM wiki_destinations").fetch_one(&app.pool).await.expect("key");
    assert!(public_key.starts_with("ssh-ed25519 "), "{public_key}");
    assert!(page.body.contains(&public_key), "the page shows the deploy key to add");
    assert!(page.body.contains("recorded at the first sync"));

    let (first_key, first_print) = host_key(&repo.dir, "host_key_1");
    let Some(sshd) = Sshd::start(&repo.dir, &first_key, &public_key, port) else { return };
    let path = publish(&app, "Login outage").await;
    let syncer = app.wiki_syncer();
    syncer.sync_due().await.expect("sync");
    let error: String =
        sqlx::query_scalar("SELECT last_error FROM wiki_destinations").fetch_one(&app.pool).await.expect("e");
    assert_eq!(error, "", "the sync over SSH worked");
    assert_eq!(repo.subjects(), ["Rebuild from Hindsight: 1 postmortem"]);
    assert_eq!(repo.files(), ["postmortems/2025-03-01-login-outage.md", "postmortems/index.md"]);
    let page = app.get(&format!("/admin/wiki/{destination}")).await;
    assert!(page.body.contains(&first_print), "the host key seen first is shown: {first_print}");
    let everything = crate::routes::snapshot(&app).await;
    assert!(!everything.contains("PRIVATE KEY") && !page.body.contains("PRIVATE KEY"), "the private key is sealed");

    // The server answers with another host key: refused, and the change waits.
    drop(sshd);
    let (second_key, second_print) = host_key(&repo.dir, "host_key_2");
    let _sshd = Sshd::start(&repo.dir, &second_key, &public_key, port).expect("sshd again");
    edit(&app, &path, "Login outage", "Sessions expired early.").await;
    syncer.sync_due().await.expect("sync");
    let (error, pending): (String, i64) = sqlx::query_as(
        "SELECT last_error, (SELECT count(*) FROM wiki_jobs WHERE state = 'pending') FROM wiki_destinations",
    )
    .fetch_one(&app.pool)
    .await
    .expect("state");
    assert!(
        error.contains("Host key verification failed") || error.contains("HOST IDENTIFICATION HAS CHANGED"),
        "{error}"
    );
    assert_eq!(pending, 1);
    assert_eq!(repo.log().len(), 1);

    // The admin knows the key changed: forgotten, the next sync records the new one.
    let forget = app.post_empty(&format!("/admin/wiki/{destination}/forget-host-key")).await;
    assert_eq!(forget.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_empty(&format!("/admin/wiki/{destination}/sync")).await.status, StatusCode::SEE_OTHER);
    syncer.sync_due().await.expect("sync");
    let id = path.rsplit('/').next().expect("id");
    assert_eq!(
        repo.subjects()[0..2],
        [format!("Update #{id}: Login outage"), "Rebuild from Hindsight: 1 postmortem".to_owned()]
    );
    let page = app.get(&format!("/admin/wiki/{destination}")).await;
    assert!(page.body.contains(&second_print) && !page.body.contains(&first_print));

    // A new deploy key: the repository refuses it until it is added there.
    assert_eq!(app.post_empty(&format!("/admin/wiki/{destination}/new-key")).await.status, StatusCode::SEE_OTHER);
    let new_key: String =
        sqlx::query_scalar("SELECT public_key FROM wiki_destinations").fetch_one(&app.pool).await.expect("key");
    assert_ne!(new_key, public_key);
    assert!(app.get(&format!("/admin/wiki/{destination}")).await.body.contains(&new_key));
    edit(&app, &path, "Login outage", "Sessions expired early; the cache was flushed.").await;
    syncer.sync_due().await.expect("sync");
    let error: String =
        sqlx::query_scalar("SELECT last_error FROM wiki_destinations").fetch_one(&app.pool).await.expect("e");
    assert!(error.contains("Permission denied"), "{error}");
    std::fs::write(repo.dir.join("authorized_keys"), format!("{new_key}\n")).expect("added to the repository");
    sqlx::query("UPDATE wiki_destinations SET next_attempt_at = now()").execute(&app.pool).await.expect("due");
    syncer.sync_due().await.expect("sync");
    assert!(repo.show("postmortems/2025-03-01-login-outage.md").contains("the cache was flushed"));
}

#[tokio::test]
async fn a_remote_that_hangs_is_given_up_on_whole_and_tried_again_later() {
    let app = TestApp::with_wiki().await;
    // A server that takes connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let response = app
        .post_form(
            "/admin/wiki",
            &[
                ("name", "Hung"),
                ("url", &format!("https://127.0.0.1:{port}/team/wiki.git")),
                ("branch", "main"),
                ("file_pattern", "{slug}.md"),
                ("index_name", "index.md"),
                ("token_user", "git"),
                ("token", "hung-token-0123456789"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let key = app.wiki.keyring.key().expect("the app's key");
    let impatient = std::sync::Arc::new(hindsight::wiki::WikiSettings {
        keyring: hindsight::secrets::Keyring::sharing(key),
        allow_file_urls: true,
        git_timeout: std::time::Duration::from_secs(2),
    });
    let syncer = hindsight::wiki::Syncer::new(app.pool.clone(), impatient, "https://hindsight.example.com");
    let started = std::time::Instant::now();
    assert_eq!(syncer.sync_due().await.expect("sync"), 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    let (error, pending): (String, i64) = sqlx::query_as(
        "SELECT last_error, (SELECT count(*) FROM wiki_jobs WHERE state = 'pending') FROM wiki_destinations",
    )
    .fetch_one(&app.pool)
    .await
    .expect("state");
    assert!(error.contains("took longer than 2 s"), "{error}");
    assert_eq!(pending, 1, "the first sync waits for the next try");
    // git and the helper it started for HTTPS were stopped, not left behind.
    let left = Command::new("pgrep").args(["-f", &format!("127.0.0.1:{port}")]).output().expect("pgrep");
    assert!(left.stdout.is_empty(), "left running: {}", String::from_utf8_lossy(&left.stdout));
}

#[tokio::test]
async fn two_admins_saving_one_destination_at_once_never_get_a_500() {
    let app = TestApp::with_wiki().await;
    let repo = Repo::new();
    let destination = add_destination(&app, &repo.url(), "pm").await;
    let page = app.get(&format!("/admin/wiki/{destination}")).await;
    let version = page.field_value("version");
    let save = |folder: &'static str| {
        let (app, url, version) = (&app, repo.url(), version.clone());
        async move {
            app.post_form(
                &format!("/admin/wiki/{destination}"),
                &[
                    ("name", "Engineering wiki"),
                    ("url", url.as_str()),
                    ("branch", "main"),
                    ("folder", folder),
                    ("file_pattern", "{date}-{slug}.md"),
                    ("index_name", "index.md"),
                    ("token_user", "git"),
                    ("active", "1"),
                    ("version", version.as_str()),
                ],
            )
            .await
        }
    };
    let (first, second) = tokio::join!(save("docs"), save("handbook"));
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let conflict = if first.status == StatusCode::CONFLICT { &first } else { &second };
    assert!(conflict.body.contains("Another admin changed this destination"));
    // What the refused admin typed is still in the form, on top of the winner's version.
    let kept = conflict.field_value("folder");
    assert!(kept == "docs" || kept == "handbook");
    let saved: String =
        sqlx::query_scalar("SELECT folder FROM wiki_destinations").fetch_one(&app.pool).await.expect("f");
    assert_ne!(saved, kept, "the winner's folder is saved; the loser's waits in the form");
    assert_eq!(conflict.field_value("version"), "2");
}

#[tokio::test]
async fn hindsight_publish_all_rebuilds_every_destination_from_the_command_line() {
    let app = TestApp::with_wiki().await;
    let repo = Repo::new();
    add_destination(&app, &repo.url(), "").await;
    publish(&app, "Search index corrupt").await;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env("HINDSIGHT_WIKI_ALLOW_FILE_URLS", "true")
            .env("HINDSIGHT_DATA_DIR", repo.dir.join("data"))
            .env("RUST_LOG", "warn")
            .output()
            .expect("hindsight runs")
    };
    let published = run(&["publish", "--all"]);
    let out = String::from_utf8_lossy(&published.stdout);
    assert!(published.status.success(), "{out}{}", String::from_utf8_lossy(&published.stderr));
    assert!(out.starts_with(&format!("Engineering wiki ({}): 1 postmortem, last commit ", repo.url())), "{out}");
    assert_eq!(repo.subjects(), ["Rebuild from Hindsight: 1 postmortem"]);
    assert_eq!(repo.files(), ["2025-03-01-search-index-corrupt.md", "index.md"]);
    // Run again: written again, nothing differs, so no commit.
    assert!(run(&["publish", "--all"]).status.success());
    assert_eq!(repo.log().len(), 1);

    let unknown = run(&["publish", "--all", "--destination", "999"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no active wiki destination with number 999"));
    // Without --all, nothing is rewritten by accident.
    let bare = run(&["publish"]);
    assert_eq!(bare.status.code(), Some(2), "{}", String::from_utf8_lossy(&bare.stderr));
    // The repository gone: said, and a failure.
    std::fs::rename(&repo.bare, repo.dir.join("gone.git")).expect("away");
    let failed = run(&["publish", "--all"]);
    assert!(!failed.status.success());
    let out = String::from_utf8_lossy(&failed.stdout);
    assert!(out.contains("failed:") && out.contains("does not appear to be a git repository"), "{out}");
    std::fs::rename(repo.dir.join("gone.git"), &repo.bare).expect("back");
}
