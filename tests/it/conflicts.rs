//! Two people editing the same thing. Every edit form carries the version it was loaded at,
//! and a save (or deletion) from an older version is refused with a conflict page that keeps
//! what was typed and shows what the other person saved, never silently overwriting them.
//! Each editable thing is checked the same three ways: two editors one after the other, twenty
//! saves at once, and a save without a version.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use hindsight::domain::{Role, Section};
use tokio::task::JoinSet;

use crate::harness::{TestApp, TestResponse, form};

/// Something with an edit form.
#[derive(Debug, Clone, Copy)]
enum Editable {
    Postmortem,
    TimelineEntry,
    Section,
    ActionItem,
    Team,
    Person,
    Webhook,
}

/// One editable thing made for a test: its edit page, where its form is sent, and its id.
struct Row {
    edit_page: String,
    action: String,
    id: i64,
}

fn id_in(path: &str) -> i64 {
    path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("a path ending in an id")
}

async fn newest(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT max(id) FROM {table}")).fetch_one(&app.pool).await.expect("the newest id")
}

impl Editable {
    /// Makes one whose text is `original`.
    async fn make(self, app: &TestApp) -> Row {
        let original = self.shown("original");
        match self {
            Editable::Team => {
                let added = app.post_form("/admin/teams", &[("name", original)]).await;
                assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
                let id = newest(app, "teams").await;
                return Row { edit_page: "/admin/teams".into(), action: format!("/admin/teams/{id}"), id };
            }
            Editable::Person => {
                let id = hindsight::db::users::insert(&app.pool, "sam@example.com", &original, Role::Engineer, None)
                    .await
                    .expect("a person")
                    .0;
                return Row { edit_page: format!("/admin/users/{id}"), action: format!("/admin/users/{id}"), id };
            }
            Editable::Webhook => {
                let added =
                    app.post_form("/admin/webhooks", &[("url", original), ("events", "action_item.done".into())]).await;
                assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
                let page = added.location().to_owned();
                return Row { id: id_in(&page), edit_page: page.clone(), action: page };
            }
            _ => {}
        }
        let postmortem = app.create_incident(&form().with(Section::Summary, self.shown("original"))).await;
        let add = |what: &str, fields: Vec<(&'static str, String)>| {
            let uri = format!("{postmortem}/{what}");
            async move {
                let added = app.post_form(&uri, &fields).await;
                assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
            }
        };
        let (kind, id) = match self {
            Editable::Postmortem => {
                let id = id_in(&postmortem);
                return Row { edit_page: format!("{postmortem}/edit"), action: postmortem, id };
            }
            Editable::TimelineEntry => {
                add("timeline", self.fields(None, "original")).await;
                ("timeline", newest(app, "timeline_entries").await)
            }
            Editable::Section => {
                add("sections", self.fields(None, "original")).await;
                ("sections", newest(app, "incident_sections").await)
            }
            Editable::ActionItem => {
                add("actions", self.fields(None, "original")).await;
                ("actions", newest(app, "action_items").await)
            }
            Editable::Team | Editable::Person | Editable::Webhook => unreachable!("made above"),
        };
        Row { edit_page: format!("{postmortem}/{kind}/{id}/edit"), action: format!("{postmortem}/{kind}/{id}"), id }
    }

    /// The value `text` stands for in this thing's text field.
    fn shown(self, text: &str) -> String {
        match self {
            Editable::Webhook => format!("https://example.com/{text}"),
            _ => format!("The {text} text"),
        }
    }

    /// A save of `text` from `version` (no version field at all when `None`).
    fn fields(self, version: Option<&str>, text: &str) -> Vec<(&'static str, String)> {
        let text = self.shown(text);
        let mut fields = match self {
            Editable::Postmortem => {
                let base = form();
                vec![
                    ("title", base.title),
                    ("severity", base.severity),
                    ("started_at", base.started_at),
                    ("ended_at", base.ended_at),
                    ("utc_offset", base.utc_offset),
                    ("summary", text),
                ]
            }
            Editable::TimelineEntry => vec![("date", "2025-03-01".into()), ("time", "10:20".into()), ("body", text)],
            Editable::Section => vec![("heading", "Detection".into()), ("body", text)],
            Editable::ActionItem => vec![("body", text), ("status", "open".into())],
            Editable::Team => vec![("name", text), ("time_zone", "UTC".into())],
            Editable::Person => vec![("name", text), ("role", "engineer".into()), ("active", "on".into())],
            Editable::Webhook => vec![("url", text), ("events", "action_item.done".into()), ("active", "1".into())],
        };
        fields.extend(version.map(|version| ("version", version.to_owned())));
        fields
    }

    /// The form field that holds the text.
    fn text_field(self) -> &'static str {
        match self {
            Editable::Postmortem => "summary",
            Editable::TimelineEntry | Editable::Section | Editable::ActionItem => "body",
            Editable::Team | Editable::Person => "name",
            Editable::Webhook => "url",
        }
    }

    /// Where a conflict page shows what the other person saved.
    fn theirs(self) -> &'static str {
        match self {
            Editable::ActionItem => ".error-summary li",
            _ => ".conflict pre.theirs",
        }
    }

    /// The text and version as stored.
    async fn stored(self, app: &TestApp, row: &Row) -> (String, i32) {
        let sql = match self {
            Editable::Postmortem => {
                "SELECT t.body, i.version FROM incidents i
                 JOIN incident_texts t ON t.incident_id = i.id AND t.section = 'summary' WHERE i.id = $1"
            }
            Editable::TimelineEntry => "SELECT body, version FROM timeline_entries WHERE id = $1",
            Editable::Section => "SELECT body, version FROM incident_sections WHERE id = $1",
            Editable::ActionItem => "SELECT body, version FROM action_items WHERE id = $1",
            Editable::Team => "SELECT name, version FROM teams WHERE id = $1",
            Editable::Person => "SELECT name, version FROM users WHERE id = $1",
            Editable::Webhook => "SELECT url, version FROM webhooks WHERE id = $1",
        };
        sqlx::query_as(sql).bind(row.id).fetch_one(&app.pool).await.expect("the stored row")
    }
}

/// An app whose pool serves twenty requests at once without queueing them.
async fn roomy_app() -> Arc<TestApp> {
    Arc::new(TestApp::with_pool_settings(24, Duration::from_secs(10)).await)
}

/// Alice and Bob, each signed in on an instance of their own, open the same edit page. Alice
/// saves first; Bob's save is refused with a conflict page that keeps his text and shows hers.
async fn the_second_of_two_editors_gets_a_conflict_page(kind: Editable) {
    let alice = roomy_app().await;
    let row = kind.make(&alice).await;
    let bob = alice.second_instance();
    let bob_id = bob.create_user(Role::Admin).await;
    bob.new_session(bob_id).await;

    let (alice_page, bob_page) = (alice.get(&row.edit_page).await, bob.get(&row.edit_page).await);
    assert_eq!(alice_page.status, StatusCode::OK);
    let version = alice_page.field_value("version");
    assert_eq!(bob_page.field_value("version"), version);
    let (_, before) = kind.stored(&alice, &row).await;
    assert_eq!(version, before.to_string(), "the form carries the stored version");

    let first = alice.post_form(&row.action, &kind.fields(Some(&version), "alice")).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let second = bob.post_form(&row.action, &kind.fields(Some(&version), "bob")).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    assert_eq!(second.field_value(kind.text_field()), kind.shown("bob"), "Bob's text is kept in the form");
    let theirs = second.texts(kind.theirs());
    assert!(theirs.iter().any(|shown| shown.contains(&kind.shown("alice"))), "Alice's text is shown: {theirs:?}");
    assert_eq!(second.field_value("version"), (before + 1).to_string(), "the form moves to Alice's version");
    assert_eq!(kind.stored(&alice, &row).await, (kind.shown("alice"), before + 1), "Alice's save stands");

    // Saving the conflict page again replaces Alice's version, knowingly.
    let again = bob.post_form(&row.action, &kind.fields(Some(&second.field_value("version")), "bob")).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(kind.stored(&alice, &row).await, (kind.shown("bob"), before + 2));
}

/// Twenty saves from the same version, sent at once: one is saved, nineteen get the conflict
/// page, none fails, and the version goes up by exactly one.
async fn twenty_saves_at_once_save_one_and_refuse_the_rest(kind: Editable) {
    let app = roomy_app().await;
    let row = kind.make(&app).await;
    let version = app.get(&row.edit_page).await.field_value("version");
    let (_, before) = kind.stored(&app, &row).await;

    let mut running = JoinSet::new();
    for n in 0..20 {
        let (app, action) = (app.clone(), row.action.clone());
        // Each from a page of its own, as browsers send them: with a key of its own.
        let mut fields = kind.fields(Some(&version), &format!("save-{n}"));
        fields.push(("idempotency_key", format!("twenty-saves-{n:02}")));
        running.spawn(async move { app.post_form(&action, &fields).await });
    }
    let mut answers: Vec<TestResponse> = Vec::new();
    while let Some(answer) = running.join_next().await {
        answers.push(answer.expect("a request task"));
    }
    let count = |status: StatusCode| answers.iter().filter(|answer| answer.status == status).count();
    let statuses: Vec<StatusCode> = answers.iter().map(|answer| answer.status).collect();
    assert_eq!((count(StatusCode::SEE_OTHER), count(StatusCode::CONFLICT)), (1, 19), "{statuses:?}");
    let (text, after) = kind.stored(&app, &row).await;
    assert_eq!(after, before + 1, "one save, one new version");
    let winner = (0..20).map(|n| kind.shown(&format!("save-{n}"))).find(|shown| *shown == text);
    assert!(winner.is_some(), "one of the saves is stored whole: {text}");
}

/// A save that does not say which version it edits is refused, and changes nothing.
async fn a_save_without_a_version_is_refused(kind: Editable) {
    let app = TestApp::new().await;
    let row = kind.make(&app).await;
    let before = kind.stored(&app, &row).await;
    for version in [None, Some(""), Some("latest")] {
        let refused = app.post_form(&row.action, &kind.fields(version, "blind")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{version:?}: {}", refused.body);
        assert!(refused.text(".error-page h1 + p").contains("which version"), "{}", refused.body);
    }
    assert_eq!(kind.stored(&app, &row).await, before, "nothing was changed");
}

macro_rules! each_editable {
    ($($module:ident: $kind:expr;)*) => {$(
        mod $module {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_second_of_two_editors_gets_a_conflict_page() {
                super::the_second_of_two_editors_gets_a_conflict_page($kind).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn twenty_saves_at_once_save_one_and_refuse_the_rest() {
                super::twenty_saves_at_once_save_one_and_refuse_the_rest($kind).await;
            }

            #[tokio::test]
            async fn a_save_without_a_version_is_refused() {
                super::a_save_without_a_version_is_refused($kind).await;
            }
        }
    )*};
}

each_editable! {
    postmortem: Editable::Postmortem;
    timeline_entry: Editable::TimelineEntry;
    section: Editable::Section;
    action_item: Editable::ActionItem;
    team: Editable::Team;
    person: Editable::Person;
    webhook: Editable::Webhook;
}

/// Deleting what someone saved after the page was loaded is refused like a save: the page
/// shows what they saved, and deleting again from it deletes it.
#[tokio::test]
async fn deleting_a_row_someone_saved_since_is_refused_until_they_have_seen_it() {
    for (kind, table) in [
        (Editable::TimelineEntry, "timeline_entries"),
        (Editable::Section, "incident_sections"),
        (Editable::ActionItem, "action_items"),
    ] {
        let app = TestApp::new().await;
        let row = kind.make(&app).await;
        let page = app.get(&row.edit_page).await;
        let delete = page.attr("form.delete-form", "action").expect("a delete form");
        let version = page.attr("form.delete-form input[name=version]", "value").expect("a version");
        let saved = app.post_form(&row.action, &kind.fields(Some(&version), "alice")).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{kind:?}");

        let refused = app.post_form(&delete, &[("version", version.as_str())]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{kind:?}: {}", refused.body);
        assert!(refused.body.contains("was not deleted"), "{kind:?}: {}", refused.body);
        assert_eq!(refused.field_value(kind.text_field()), kind.shown("alice"), "{kind:?}: their version is shown");
        assert_eq!(app.count(table).await, 1, "{kind:?}: not deleted");
        let missing = app.post_empty(&delete).await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{kind:?}: a deletion must say its version");
        assert_eq!(app.count(table).await, 1, "{kind:?}: not deleted");

        let seen = refused.attr("form.delete-form input[name=version]", "value").expect("their version");
        assert_eq!(app.post_form(&delete, &[("version", seen.as_str())]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(app.count(table).await, 0, "{kind:?}: deleted once seen");
    }
}

/// A new offset changes how every entry's form shows its time: a form loaded before would move
/// its entry if saved, so it is refused as stale.
#[tokio::test]
async fn a_new_offset_makes_open_timeline_forms_stale() {
    let app = TestApp::new().await;
    let row = Editable::TimelineEntry.make(&app).await;
    let version = app.get(&row.edit_page).await.field_value("version");
    let postmortem = row.action.split("/timeline").next().expect("the postmortem").to_owned();
    let mut edited = Editable::Postmortem.fields(Some("1"), "original");
    edited.iter_mut().filter(|(name, _)| *name == "utc_offset").for_each(|(_, offset)| *offset = "UTC-5".into());
    assert_eq!(app.post_form(&postmortem, &edited).await.status, StatusCode::SEE_OTHER);

    let stale = app.post_form(&row.action, &Editable::TimelineEntry.fields(Some(&version), "original")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    // 10:20 at UTC+2 is 03:20 at UTC-5.
    assert_eq!(stale.texts(".conflict summary"), ["Time: their version"]);
    assert_eq!(stale.texts(".conflict pre.theirs"), ["03:20"]);
}

/// The tick box says what is wanted. Sent again, or after someone did the same, it is no
/// change; sent from a status someone has since changed to another, it is refused rather
/// than undoing their decision.
#[tokio::test]
async fn a_tick_applies_to_the_status_it_was_ticked_from() {
    let app = TestApp::new().await;
    let row = Editable::ActionItem.make(&app).await;
    let tick = format!("{}/done", row.action);
    let stored = || async {
        let (status, version): (String, i32) =
            sqlx::query_as("SELECT status, version FROM action_items").fetch_one(&app.pool).await.expect("the item");
        (status, version)
    };

    // Two people tick it done from the same page: the second finds it as they wanted.
    assert_eq!(app.post_form(&tick, &[("done", "true"), ("from", "open")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(stored().await, ("done".to_owned(), 2));
    assert_eq!(app.post_form(&tick, &[("done", "true"), ("from", "open")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(stored().await, ("done".to_owned(), 2), "nothing written the second time");

    // Someone marks it won't do; reopening it from a page that showed it done is not needed
    // (it is not done), and ticking it done from a page that showed it open undoes nothing.
    let fields =
        [("body", "The original text"), ("status", "wont_do"), ("wont_do_reason", "Obsolete"), ("version", "2")];
    assert_eq!(app.post_form(&row.action, &fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(&tick, &[("done", "false"), ("from", "done")]).await.status, StatusCode::SEE_OTHER);
    let refused = app.post_form(&tick, &[("done", "true"), ("from", "open")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(stored().await, ("wont_do".to_owned(), 3), "their decision stands");

    // Ticked from the page that shows it won't do, it is done.
    assert_eq!(app.post_form(&tick, &[("done", "true"), ("from", "wont_do")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(stored().await, ("done".to_owned(), 4));
}

/// The lost update that matters most among the admin's forms: a page loaded before someone
/// was deactivated, saved afterwards, must not quietly let them sign in again.
#[tokio::test]
async fn a_stale_person_form_does_not_reactivate_someone_just_deactivated() {
    let app = TestApp::new().await;
    let row = Editable::Person.make(&app).await;
    let stale = app.get(&row.edit_page).await;
    let version = stale.field_value("version");
    let deactivate = [("name", "The original text"), ("role", "engineer"), ("version", version.as_str())];
    assert_eq!(app.post_form(&row.action, &deactivate).await.status, StatusCode::SEE_OTHER);

    let renamed = app.post_form(&row.action, &Editable::Person.fields(Some(&version), "renamed")).await;
    assert_eq!(renamed.status, StatusCode::CONFLICT, "{}", renamed.body);
    assert_eq!(renamed.texts(".conflict summary"), ["Name: their version", "Active: their version"]);
    assert_eq!(renamed.texts(".conflict pre.theirs"), ["The original text", "Deactivated"]);
    assert!(renamed.attr("input[name=active]", "checked").is_some(), "what was typed is kept");
    let active: bool = sqlx::query_scalar("SELECT deactivated_at IS NULL FROM users WHERE id = $1")
        .bind(row.id)
        .fetch_one(&app.pool)
        .await
        .expect("the person");
    assert!(!active, "still deactivated");
}

/// A double click on Save sends the same form twice with its page's idempotency key: that is
/// one save, answered the same both times, not a save and a conflict with itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_click_on_save_is_one_save_not_a_conflict() {
    let app = roomy_app().await;
    let row = Editable::TimelineEntry.make(&app).await;
    let page = app.get(&row.edit_page).await;
    let mut fields = Editable::TimelineEntry.fields(Some(&page.field_value("version")), "alice");
    fields.push(("idempotency_key", page.field_value("idempotency_key")));
    let (first, second) = tokio::join!(app.post_form(&row.action, &fields), app.post_form(&row.action, &fields));
    assert_eq!((first.status, second.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
    assert_eq!(Editable::TimelineEntry.stored(&app, &row).await, (Editable::TimelineEntry.shown("alice"), 2));
}
