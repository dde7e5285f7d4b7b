//! Many people changing one postmortem at the same moment: every kind of write at once, over
//! real concurrent requests, never gets a 500 (no deadlock) and never loses a write that was
//! answered as saved.

use std::sync::Arc;

use axum::http::StatusCode;
use tokio::task::JoinSet;

use crate::harness::{TestApp, TestResponse, form};

/// One write sent alongside the others, and how to tell afterwards that it was kept.
struct Write {
    what: String,
    path: String,
    form: Vec<(&'static str, String)>,
    /// Text the postmortem page shows if the write was saved (none for review steps, whose
    /// effect a later step may undo).
    shows: Option<String>,
}

impl Write {
    fn new(what: impl Into<String>, path: String, form: Vec<(&'static str, String)>, shows: Option<String>) -> Write {
        Write { what: what.into(), path, form, shows }
    }
}

async fn ids(app: &TestApp, sql: &str, incident: i64) -> Vec<i64> {
    sqlx::query_scalar(sql).bind(incident).fetch_all(&app.pool).await.expect("read ids")
}

async fn item_version(app: &TestApp, item: i64) -> String {
    let version: i32 = sqlx::query_scalar("SELECT version FROM action_items WHERE id = $1")
        .bind(item)
        .fetch_one(&app.pool)
        .await
        .expect("read an item's version");
    version.to_string()
}

async fn item_status(app: &TestApp, item: i64) -> String {
    sqlx::query_scalar("SELECT status FROM action_items WHERE id = $1")
        .bind(item)
        .fetch_one(&app.pool)
        .await
        .expect("read an item's status")
}

async fn incident_version(app: &TestApp, incident: i64) -> String {
    let version: i32 = sqlx::query_scalar("SELECT version FROM incidents WHERE id = $1")
        .bind(incident)
        .fetch_one(&app.pool)
        .await
        .expect("read the incident's version");
    version.to_string()
}

fn owned(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(name, value)| (*name, (*value).to_owned())).collect()
}

/// The postmortem form's fields for an edit at `version` with `summary`.
fn edit_form(version: String, summary: &str) -> Vec<(&'static str, String)> {
    let base = form();
    vec![
        ("title", base.title),
        ("severity", base.severity),
        ("started_at", base.started_at),
        ("ended_at", base.ended_at),
        ("utc_offset", base.utc_offset),
        ("summary", summary.to_owned()),
        ("impact", "Checkout failed for EU users.".to_owned()),
        ("root_cause", "The pool was too small.".to_owned()),
        ("version", version),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_write_at_once_never_fails_and_never_loses_a_word() {
    let app = Arc::new(TestApp::with_pool_settings(16, std::time::Duration::from_secs(10)).await);
    let path = app.create_incident(&form()).await;
    let incident: i64 = path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id");
    let version = incident_version(&app, incident).await;
    let saved = app.post_form(&path, &edit_form(version, "First summary.")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    const ROUNDS: usize = 12;
    // Something for each round to edit, so that edits of different rows race with each other
    // and with the additions.
    for round in 0..ROUNDS {
        let entry = format!("seed entry {round}");
        app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", entry.as_str())]).await;
        let item = format!("seed item {round}");
        let due = [("body", item.as_str()), ("owner", "Priya"), ("due_on", "2025-04-01")];
        app.post_form(&format!("{path}/actions"), &due).await;
        let heading = format!("Seed section {round}");
        app.post_form(&format!("{path}/sections"), &[("heading", heading.as_str()), ("body", "seed")]).await;
    }
    let entries = ids(&app, "SELECT id FROM timeline_entries WHERE incident_id = $1 ORDER BY id", incident).await;
    let items = ids(&app, "SELECT id FROM action_items WHERE incident_id = $1 ORDER BY id", incident).await;
    let sections = ids(&app, "SELECT id FROM incident_sections WHERE incident_id = $1 ORDER BY id", incident).await;

    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let (entry, item, section) = (entries[round], items[round], sections[round]);
        let item_version = item_version(&app, item).await;
        let incident_version = incident_version(&app, incident).await;
        let ticked = items[ROUNDS - 1 - round];
        let ticked_from = item_status(&app, ticked).await;
        let r = round;
        let mut writes = vec![
            Write::new(
                "add a timeline entry",
                format!("{path}/timeline"),
                owned(&[("time", "10:30"), ("body", &format!("entry a{r}"))]),
                Some(format!("entry a{r}")),
            ),
            Write::new(
                "add another timeline entry",
                format!("{path}/timeline"),
                owned(&[("time", "10:31"), ("body", &format!("entry b{r}"))]),
                Some(format!("entry b{r}")),
            ),
            Write::new(
                "edit a timeline entry",
                format!("{path}/timeline/{entry}"),
                owned(&[
                    ("date", "2025-03-01"),
                    ("time", "10:40"),
                    ("body", &format!("edited entry {r}")),
                    ("version", "1"),
                ]),
                Some(format!("edited entry {r}")),
            ),
            Write::new(
                "add an action item",
                format!("{path}/actions"),
                owned(&[("body", &format!("item a{r}")), ("owner", "Ann"), ("due_on", "2025-05-01")]),
                Some(format!("item a{r}")),
            ),
            Write::new(
                "add another action item",
                format!("{path}/actions"),
                owned(&[("body", &format!("item b{r}")), ("owner", "Bo"), ("due_on", "2025-05-02")]),
                Some(format!("item b{r}")),
            ),
            Write::new(
                "tick an action item",
                format!("{path}/actions/{ticked}/done"),
                owned(&[("done", "true"), ("from", &ticked_from)]),
                None,
            ),
            Write::new(
                "edit an action item",
                format!("{path}/actions/{item}"),
                vec![
                    ("body", format!("edited item {r}")),
                    ("owner", "Priya".into()),
                    ("due_on", "2025-04-02".into()),
                    ("status", "in_progress".into()),
                    ("version", item_version),
                ],
                Some(format!("edited item {r}")),
            ),
            Write::new(
                "add a section",
                format!("{path}/sections"),
                owned(&[("heading", &format!("Added section {r}")), ("body", "text")]),
                Some(format!("Added section {r}")),
            ),
            Write::new(
                "edit a section",
                format!("{path}/sections/{section}"),
                owned(&[("heading", &format!("Edited section {r}")), ("body", "new text"), ("version", "1")]),
                Some(format!("Edited section {r}")),
            ),
            Write::new(
                "edit the postmortem",
                path.clone(),
                edit_form(incident_version, &format!("Summary of round {r}.")),
                Some(format!("Summary of round {r}.")),
            ),
            Write::new(
                "comment",
                format!("{path}/comments"),
                owned(&[("body", &format!("comment {r}"))]),
                Some(format!("comment {r}")),
            ),
        ];
        // The review moves on as people write: submit, send back, submit, approve...
        let step = match round % 4 {
            0 | 2 => ("submit", owned(&[("body", "")])),
            1 => ("send-back", owned(&[("body", "Say more about detection.")])),
            _ => ("approve", owned(&[("body", "")])),
        };
        writes.push(Write::new(format!("review step {}", step.0), format!("{path}/{}", step.0), step.1, None));

        let mut running = JoinSet::new();
        for (n, write) in writes.iter().enumerate() {
            let app = app.clone();
            let (uri, body) = (write.path.clone(), write.form.clone());
            running.spawn(async move { (n, app.post_form(&uri, &body).await) });
        }
        let mut answers: Vec<Option<TestResponse>> = (0..writes.len()).map(|_| None).collect();
        while let Some(done) = running.join_next().await {
            let (n, response) = done.expect("a request task");
            answers[n] = Some(response);
        }

        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        for (write, answer) in writes.iter().zip(answers) {
            let answer = answer.expect("every write answered");
            let status = answer.status;
            if status.is_server_error() {
                failures.push(format!("round {round}: {} answered {status}", write.what));
                continue;
            }
            // Only a write that depends on what it read may be refused, and then it says so: an
            // edit from a stale version (409), a review step out of turn (422). Every other
            // write must be saved.
            let saved = status == StatusCode::SEE_OTHER;
            let may_refuse = write.what.starts_with("review step") || write.what == "edit the postmortem";
            let refused_as_allowed =
                may_refuse && [StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY].contains(&status);
            if !saved && !refused_as_allowed {
                failures.push(format!("round {round}: {} answered {status}", write.what));
            }
            if let (true, Some(text)) = (saved, &write.shows)
                && !page.body.contains(text.as_str())
            {
                failures.push(format!("round {round}: {} was answered as saved but {text:?} is not shown", write.what));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));

    // Every revision holds what was committed before it: the last one is the export as it is now.
    let latest: String =
        sqlx::query_scalar("SELECT markdown FROM revisions WHERE incident_id = $1 ORDER BY number DESC LIMIT 1")
            .bind(incident)
            .fetch_one(&app.pool)
            .await
            .expect("the latest revision");
    let export = app.get(&format!("{path}/export.md")).await;
    assert_eq!(latest, export.body, "the latest revision is the postmortem as it stands");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_adding_timeline_entries_at_once_both_keep_theirs() {
    let app = Arc::new(TestApp::with_pool_settings(8, std::time::Duration::from_secs(10)).await);
    let path = app.create_incident(&form()).await;
    for round in 0..25 {
        let mut running = JoinSet::new();
        for who in ["ann", "bo"] {
            let (app, uri) = (app.clone(), format!("{path}/timeline"));
            let body = format!("{who} {round}");
            running.spawn(async move { app.post_form(&uri, &[("time", "10:30"), ("body", body.as_str())]).await });
        }
        while let Some(done) = running.join_next().await {
            let response = done.expect("a request task");
            assert_eq!(response.status, StatusCode::SEE_OTHER, "round {round}: {}", response.body);
        }
    }
    assert_eq!(app.count("timeline_entries").await, 50);
}

async fn counter(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT n FROM change_counters WHERE name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .expect("read a change counter")
}

/// The change counters (which tell instances that what they kept is out of date) are bumped
/// at commit, once a transaction: a transaction still open on one postmortem's action items
/// does not hold up a write to another's, as one counter row locked until commit once did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_transaction_does_not_hold_up_writes_to_other_postmortems() {
    let app = TestApp::new().await;
    let slow_path = app.create_incident(&form()).await;
    let quick_path = app.create_incident(&form()).await;
    let slow_id: i64 = slow_path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id");
    let (items_before, incidents_before) = (counter(&app, "action_items").await, counter(&app, "incidents").await);

    // A slow writer: two items and a postmortem in one transaction, left open.
    let mut slow = app.pool.begin().await.expect("begin");
    for body in ["slow one", "slow two"] {
        sqlx::query("INSERT INTO action_items (incident_id, body) VALUES ($1, $2)")
            .bind(slow_id)
            .bind(body)
            .execute(&mut *slow)
            .await
            .expect("insert an item");
    }
    sqlx::query("INSERT INTO incidents (title, severity, started_at) VALUES ('Slow', 'SEV3', now())")
        .execute(&mut *slow)
        .await
        .expect("insert a postmortem");

    // Meanwhile, someone adds an item to another postmortem, and another postmortem.
    let quick = async {
        let item = app.post_form(&format!("{quick_path}/actions"), &[("body", "Quick one")]).await;
        let created = app.post_form("/incidents", &form()).await;
        (item, created)
    };
    let (item, created) = tokio::time::timeout(std::time::Duration::from_secs(5), quick)
        .await
        .expect("not held up by the open transaction");
    assert_eq!(item.status, StatusCode::SEE_OTHER, "{}", item.body);
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(counter(&app, "action_items").await, items_before + 1, "the quick write shows at once");
    assert_eq!(counter(&app, "incidents").await, incidents_before + 1);

    slow.commit().await.expect("commit");
    assert_eq!(counter(&app, "action_items").await, items_before + 2, "once a transaction, however many rows");
    assert_eq!(counter(&app, "incidents").await, incidents_before + 2);
    assert!(app.get(&slow_path).await.body.contains("slow two"), "the slow writer's items show");
}
