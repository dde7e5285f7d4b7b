//! The public version of a postmortem: internal text never in any public answer, the approval
//! and its roles, the frozen snapshot, withdrawing, addresses, stale forms and concurrent steps.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use hindsight::domain::input::IncidentForm;
use hindsight::domain::{Role, Section, UserId};
use tokio::task::JoinSet;

use crate::harness::{TestApp, TestResponse, form};

/// Creates a postmortem from `incident` and publishes it (the review itself is tested in
/// `reviews.rs`); returns its path and id.
async fn published(app: &TestApp, incident: &IncidentForm) -> (String, i64) {
    let path = app.create_incident(incident).await;
    let id: i64 = path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id");
    sqlx::query("UPDATE incidents SET status = 'published' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("publish it");
    (path, id)
}

/// Saves the public version's form (at the version its page shows) with `fields` over the
/// page's own values.
async fn save(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let page = app.get(&format!("{path}/public")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut form: Vec<(String, String)> =
        ["show_title", "show_severity", "show_summary", "show_impact", "show_timeline", "show_changes", "listed"]
            .iter()
            .filter(|name| page.attr(&format!("input[name={name}]"), "checked").is_some())
            .map(|name| ((*name).to_owned(), "on".to_owned()))
            .collect();
    form.push(("version".to_owned(), page.field_value("version")));
    form.push(("public_title".to_owned(), page.field_value("public_title")));
    form.push(("note".to_owned(), page.field_value("note")));
    let chosen = page.attr("input[name=address][value=chosen]", "checked").is_some();
    form.push(("address".to_owned(), if chosen { "chosen" } else { "random" }.to_owned()));
    form.push(("slug".to_owned(), page.field_value("slug")));
    for (name, value) in fields {
        form.retain(|(field, _)| field != name);
        if !value.is_empty() || !name.starts_with("show_") && *name != "listed" {
            form.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    app.post_form(&format!("{path}/public"), &form).await
}

/// Approves the public version as the signed-in manager, as they saw it on its page.
async fn approve(app: &TestApp, path: &str) -> TestResponse {
    let page = app.get(&format!("{path}/public")).await;
    // Someone the page offers no approval to sends what a hand-made request would.
    let offered = page.body.contains("name=\"digest\"");
    let digest = if offered { page.attr("input[name=digest]", "value").unwrap_or_default() } else { String::new() };
    app.post_form(&format!("{path}/public/approve"), &[("digest", digest)]).await
}

async fn slug(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT slug FROM public_versions WHERE incident_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("a public version")
}

/// People to act: an engineer (the author) and two managers.
struct Cast {
    engineer: UserId,
    manager: UserId,
    other_manager: UserId,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        engineer: app.create_user(Role::Engineer).await,
        manager: app.create_user(Role::Manager).await,
        other_manager: app.create_user(Role::Manager).await,
    }
}

/// Makes, submits (as the engineer) and approves (as the manager) the public version of the
/// postmortem at `path`; returns its slug.
async fn go_public(app: &TestApp, cast: &Cast, path: &str, id: i64, fields: &[(&str, &str)]) -> String {
    app.new_session(cast.engineer).await;
    let mut fields = fields.to_vec();
    fields.push(("action", "submit"));
    let saved = save(app, path, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    app.new_session(cast.manager).await;
    let approved = approve(app, path).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    slug(app, id).await
}

/// A postmortem with internal text of every kind in every field, each part holding a word of
/// its own; and, outside the markers, words that must be public, and a decoy marker in code.
fn marked_postmortem() -> IncidentForm {
    IncidentForm {
        title: "Checkout outage PUBLICTITLE <!-- internal -->SECRETTITLE<!-- /internal -->".into(),
        ..form()
    }
    .with(
        Section::Summary,
        "Checkout failed PUBLICSUMMARY. <!-- internal -->SECRETINLINE<!-- /internal --> Run \
         `<!-- internal --> DECOYCODE` to see it. <!-- SECRETCOMMENT -->",
    )
    .with(
        Section::Impact,
        "Orders failed PUBLICIMPACT.\n\n<!-- internal -->\nSECRETBLOCK paragraph.\n\n- SECRETLISTITEM\n<!-- /internal -->\n\n\
         ```internal\nSECRETFENCED\n```\n\n> Quoted PUBLICQUOTE <!--INTERNAL-->SECRETODDCASE<!--/ Internal -->\n\n\
         Last PUBLICLAST. <!-- internal --> SECRETUNCLOSED never closed\n\nSECRETAFTERUNCLOSED",
    )
    .with(
        Section::CorrectiveMeasures,
        "Pool limits PUBLICMEASURE <!--internal-->SECRETNESTA <!-- internal -->SECRETNESTB<!-- /internal --> \
         SECRETNESTC<!--  /INTERNAL  --> end.",
    )
    .with(
        Section::PreventativeMeasures,
        "Alerts PUBLICPREVENT <!-- internal -->SECRETCROSSA\n\nSECRETCROSSB<!-- /internal --> PUBLICCROSSEND.\n\n\
         ~~~ Internal\nSECRETTILDE\n~~~",
    )
    .with(Section::RootCause, "SECRETROOTCAUSE is never public.")
    .with(Section::Resolution, "SECRETRESOLUTION is never public.")
    .with(Section::LessonsLearned, "SECRETLESSONS is never public.")
}

/// Every public answer there is for `slug`, and the ones that must say nothing.
async fn public_answers(app: &TestApp, slug: &str) -> Vec<(String, TestResponse)> {
    let mut answers = Vec::new();
    for path in [
        format!("/p/{slug}"),
        format!("/p/{slug}.md"),
        format!("/p/{slug}.json"),
        "/p/feed.atom".to_owned(),
        "/p/no-such-report".to_owned(),
        format!("/p/{slug}.txt"),
        format!("/p/{}", slug.to_uppercase()),
        "/p/feed".to_owned(),
        "/p/..%2Fincidents".to_owned(),
    ] {
        answers.push((path.clone(), app.get(&path).await));
    }
    let head = Request::builder().method(Method::HEAD).uri(format!("/p/{slug}")).body(Body::empty()).expect("HEAD");
    answers.push((format!("HEAD /p/{slug}"), app.request(head).await));
    answers
}

#[tokio::test]
async fn internal_text_is_never_in_any_public_answer() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let (path, id) = published(&app, &marked_postmortem()).await;
    for body in [
        "Errors rise PUBLICENTRY <!-- internal -->SECRETENTRYSPAN<!-- /internal -->",
        "<!-- internal -->SECRETWHOLEENTRY<!-- /internal -->",
        "```internal\nSECRETFENCEDENTRY\n```",
    ] {
        let added = app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", body)]).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    for (body, owner) in [
        ("Cap the pool PUBLICITEM <!-- internal -->SECRETITEMSPAN<!-- /internal -->", "SECRETOWNER"),
        ("<!-- internal -->SECRETWHOLEITEM<!-- /internal -->", "Priya"),
    ] {
        let fields = [
            ("body", body),
            ("owner", owner),
            ("team", "SECRETTEAM"),
            ("ticket_url", "https://t.example/SECRETTICKET"),
        ];
        let added = app.post_form(&format!("{path}/actions"), &fields).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let extra =
        [("heading", "SECRETHEADING"), ("body", "SECRETEXTRA <!-- internal -->SECRETEXTRAMARKED<!-- /internal -->")];
    assert_eq!(app.post_form(&format!("{path}/sections"), &extra).await.status, StatusCode::SEE_OTHER);
    let note = "We are sorry PUBLICNOTE. <!-- internal -->SECRETNOTE<!-- /internal -->";
    let slug = go_public(&app, &cast, &path, id, &[("note", note)]).await;

    // The internal page shows every one of them (so this test would see a leak), marked.
    let internal = app.get(&path).await;
    assert!(
        internal.texts(".prose .internal").iter().any(|text| text.contains("SECRETINLINE")),
        "marked on the inside"
    );
    // The authors' page is internal (its link back names the postmortem as titled), and points
    // out the marker never closed.
    let author = app.get(&format!("{path}/public")).await;
    assert!(author.body.contains("SECRETTITLE"), "the authors' page is internal");
    let warnings = author.texts(".public-warnings li");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("The impact: An <!-- internal --> marker has no <!-- /internal -->"),
        "{warnings:?}"
    );

    let secrets: Vec<String> = [
        marked_postmortem().title,
        marked_postmortem().texts.iter().map(|(_, text)| text.clone()).collect::<Vec<_>>().join(" "),
        "SECRETENTRYSPAN SECRETWHOLEENTRY SECRETFENCEDENTRY SECRETITEMSPAN SECRETOWNER SECRETWHOLEITEM SECRETTEAM \
         SECRETTICKET SECRETHEADING SECRETEXTRA SECRETEXTRAMARKED SECRETNOTE Priya"
            .to_owned(),
    ]
    .join(" ")
    .split(|c: char| !c.is_ascii_alphanumeric())
    .filter(|word| word.starts_with("SECRET") || *word == "Priya")
    .map(str::to_owned)
    .collect();
    assert_eq!(secrets.len(), 31, "{secrets:?}");
    let answers = public_answers(&app, &slug).await;
    for (what, answer) in &answers {
        assert!(!answer.status.is_server_error(), "{what}: {}", answer.status);
        for secret in &secrets {
            assert!(!answer.body.contains(secret.as_str()), "{secret} is in {what}:\n{}", answer.body);
            for (name, value) in &answer.headers {
                assert!(
                    !value.as_bytes().windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} in {what}'s {name}"
                );
            }
        }
    }
    // What is public is there, in each form, and the decoy in code is shown as written.
    let public_words = [
        "PUBLICTITLE",
        "PUBLICSUMMARY",
        "DECOYCODE",
        "PUBLICIMPACT",
        "PUBLICQUOTE",
        "PUBLICLAST",
        "PUBLICMEASURE",
        "PUBLICPREVENT",
        "PUBLICCROSSEND",
        "PUBLICENTRY",
        "PUBLICITEM",
        "PUBLICNOTE",
    ];
    for (what, answer) in answers.iter().take(4) {
        assert_eq!(answer.status, StatusCode::OK, "{what}");
        for word in public_words {
            assert!(answer.body.contains(word), "{word} is not in {what}:\n{}", answer.body);
        }
    }
    let page = &answers[0].1;
    assert_eq!(page.texts(".report-timeline li").len(), 1, "the wholly internal entries are left out");
    assert_eq!(page.texts(".report-changes li").len(), 1, "the wholly internal item is left out");
    assert!(page.text(".report-part code").contains("<!-- internal --> DECOYCODE"), "the decoy stays as written");
    for (what, answer) in &answers[4..9] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{what}");
    }
    assert_eq!(answers[4].1.body, answers[5].1.body, "every 404 says the same");
}

#[tokio::test]
async fn public_answers_are_clean_typed_cacheable_and_documented() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let (path, id) = published(&app, &form().with(Section::Summary, "Checkout failed.")).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Cap the pool")]).await;
    let slug = go_public(&app, &cast, &path, id, &[]).await;
    assert_eq!(slug.len(), 26, "a random address of 130 bits");
    app.set_cookie(None);

    let page = app.get(&format!("/p/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(page.header("cache-control"), "public, max-age=60");
    assert!(page.header("content-security-policy").contains("script-src 'self'"));
    assert_eq!(page.header("x-frame-options"), "DENY");
    // A page of its own: no app header, navigation, search, buttons, forms or account links.
    for absent in
        ["header.site-header", "nav", "form", "input", "button", "a[href^=\"/incidents\"]", "a[href=\"/login\"]"]
    {
        assert!(page.texts(absent).is_empty(), "{absent} is on the public page");
    }
    assert_eq!(page.text("h1"), "Checkout latency spike");
    assert_eq!(page.texts(".facts dd")[1], "2025-03-01 10:15 UTC+2");
    assert!(
        page.texts(".report-changes li").iter().any(|item| item.contains("Planned") && item.contains("Cap the pool"))
    );
    assert!(!page.body.contains("noindex"), "listed: search engines may index it");

    let markdown = app.get(&format!("/p/{slug}.md")).await;
    assert_eq!(markdown.header("content-type"), "text/markdown; charset=utf-8");
    assert!(markdown.body.starts_with("# Checkout latency spike\n\n- **Severity:** SEV2\n"), "{}", markdown.body);
    let json = app.get(&format!("/p/{slug}.json")).await;
    assert_eq!(json.header("content-type"), "application/json");
    let json: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    let mut keys: Vec<&str> = json.as_object().expect("an object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "approved_at",
            "changes",
            "duration_minutes",
            "ended_at",
            "impact",
            "impact_html",
            "measures",
            "measures_html",
            "note",
            "note_html",
            "schema_version",
            "severity",
            "slug",
            "started_at",
            "summary",
            "summary_html",
            "timeline",
            "title",
            "url",
            "utc_offset"
        ],
        "the documented schema"
    );
    assert_eq!(json["url"], format!("https://hindsight.example.com/p/{slug}"));
    assert_eq!(
        (json["started_at"].as_str(), json["duration_minutes"].as_i64()),
        (Some("2025-03-01T10:15:00+02:00"), Some(50))
    );
    assert_eq!(json["timeline"][0]["text"], "Paged");
    assert_eq!(
        json["changes"][0],
        serde_json::json!({"text": "Cap the pool", "html": "<p>Cap the pool</p>\n", "status": "open"})
    );
    assert!(!json.to_string().contains(&format!("\"{id}\"")) && json.get("id").is_none(), "no internal id");

    let feed = app.get("/p/feed.atom").await;
    assert_eq!(feed.header("content-type"), "application/atom+xml; charset=utf-8");
    assert!(feed.body.contains(&format!("<id>https://hindsight.example.com/p/{slug}</id>")), "{}", feed.body);

    // Unlisted: out of the feed, and search engines are asked not to index it.
    app.new_session(cast.engineer).await;
    assert_eq!(save(&app, &path, &[("listed", "")]).await.status, StatusCode::SEE_OTHER);
    app.set_cookie(None);
    assert!(!app.get("/p/feed.atom").await.body.contains(&slug), "unlisted at once");
    let unlisted = app.get(&format!("/p/{slug}")).await;
    assert_eq!(unlisted.status, StatusCode::OK);
    assert!(unlisted.body.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert_eq!(unlisted.header("x-robots-tag"), "noindex");
}

#[tokio::test]
async fn each_role_does_its_part_of_the_approval() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let viewer = app.create_user(Role::Viewer).await;
    let (path, id) = published(&app, &form().with(Section::Summary, "Checkout failed.")).await;
    let public = format!("{path}/public");

    // Anonymous: sent to sign in; nothing is public yet.
    app.set_cookie(None);
    assert!(app.get(&public).await.location().starts_with("/login"));
    // A viewer reads the page (the preview) but has no form and may not save.
    app.new_session(viewer).await;
    let page = app.get(&public).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.texts("main form").is_empty(), "no buttons for a viewer");
    assert!(page.text(".public-preview .report-title").contains("Checkout latency spike"));
    assert_eq!(app.post_form(&public, &[("version", "0")]).await.status, StatusCode::FORBIDDEN);

    // The engineer saves a draft and submits it; an engineer cannot approve.
    app.new_session(cast.engineer).await;
    assert_eq!(save(&app, &path, &[]).await.status, StatusCode::SEE_OTHER);
    let slug = slug(&app, id).await;
    assert_eq!(app.get(&format!("/p/{slug}")).await.status, StatusCode::NOT_FOUND, "a draft is not public");
    assert_eq!(app.post_empty(&format!("{public}/submit")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&public).await.text(".public-status h2 .status"), "Awaiting approval");
    assert_eq!(approve(&app, &path).await.status, StatusCode::FORBIDDEN);
    let twice = app.post_empty(&format!("{public}/submit")).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("already awaiting approval"));

    // A manager sends it back, saying what to change (a note is required).
    app.new_session(cast.manager).await;
    let unsaid = app.post_form(&format!("{public}/send-back"), &[("note", " ")]).await;
    assert_eq!(unsaid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent_back = app.post_form(&format!("{public}/send-back"), &[("note", "Drop the severity.")]).await;
    assert_eq!(sent_back.status, StatusCode::SEE_OTHER);
    let page = app.get(&public).await;
    assert_eq!(page.text(".public-status h2 .status"), "Draft");
    assert!(page.text(".public-sent-back").contains("Drop the severity."));

    // A manager who submitted it (or last edited it) may not approve it; another may.
    app.new_session(cast.engineer).await;
    assert_eq!(save(&app, &path, &[("show_severity", ""), ("action", "submit")]).await.status, StatusCode::SEE_OTHER);
    app.new_session(cast.manager).await;
    assert_eq!(save(&app, &path, &[("public_title", "Checkout disruption")]).await.status, StatusCode::SEE_OTHER);
    let own = approve(&app, &path).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", own.body);
    assert!(own.body.contains("another manager approves it"));
    assert_eq!(app.get(&format!("/p/{slug}")).await.status, StatusCode::NOT_FOUND);
    app.new_session(cast.other_manager).await;
    assert_eq!(approve(&app, &path).await.status, StatusCode::SEE_OTHER);
    app.set_cookie(None);
    let live = app.get(&format!("/p/{slug}")).await;
    assert_eq!((live.status, live.text("h1")), (StatusCode::OK, "Checkout disruption".to_owned()));
    assert!(live.texts(".severity").is_empty(), "the severity was left out");

    // The history and the audit log say who did what.
    app.new_session(cast.engineer).await;
    let steps = app.get(&public).await.texts(".public-steps li");
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(steps[1].contains("sent it back") && steps[1].contains("Drop the severity."), "{steps:?}");
    assert!(steps[3].contains("approved it"), "{steps:?}");
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE incident_id = $1 AND action LIKE 'public_version.%' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(
        audited,
        [
            "public_version.saved",
            "public_version.submitted",
            "public_version.sent_back",
            "public_version.submitted",
            "public_version.saved",
            "public_version.approved"
        ]
    );
}

#[tokio::test]
async fn only_a_published_postmortem_can_have_its_public_version_approved() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let path = app.create_incident(&form()).await;
    app.new_session(cast.engineer).await;
    assert_eq!(save(&app, &path, &[("action", "submit")]).await.status, StatusCode::SEE_OTHER);
    app.new_session(cast.manager).await;
    let page = app.get(&format!("{path}/public")).await;
    assert!(page.text(".panel-highlight > p").contains("Approve the postmortem first"));
    let digest = "0".repeat(64);
    let refused = app.post_form(&format!("{path}/public/approve"), &[("digest", digest.as_str())]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Only a published postmortem"));
}

#[tokio::test]
async fn the_public_sees_the_approved_snapshot_until_a_manager_approves_again() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let (path, id) = published(&app, &form().with(Section::Summary, "First words.")).await;
    let slug = go_public(&app, &cast, &path, id, &[]).await;
    let public = format!("/p/{slug}");

    // The postmortem changes: the public still sees what was approved.
    app.new_session(cast.engineer).await;
    let edit = app.get(&format!("{path}/edit")).await;
    let changed =
        IncidentForm { version: edit.field_value("version"), ..form() }.with(Section::Summary, "Second words.");
    assert_eq!(app.post_form(&path, &changed).await.status, StatusCode::SEE_OTHER);
    for answer in [public.clone(), format!("{public}.md"), format!("{public}.json"), "/p/feed.atom".to_owned()] {
        let body = app.get(&answer).await.body;
        assert!(body.contains("First words.") && !body.contains("Second words."), "{answer}: {body}");
    }
    let page = app.get(&format!("{path}/public")).await;
    assert!(page.text(".public-older").contains("The public version is older than the postmortem."));
    assert!(page.text(".public-preview").contains("Second words."), "the preview shows it as it would be now");

    // Submitted and approved again: the public sees the new words.
    assert_eq!(app.post_empty(&format!("{path}/public/submit")).await.status, StatusCode::SEE_OTHER);
    assert!(app.get(&public).await.body.contains("First words."), "still the approved one while awaiting");
    app.new_session(cast.manager).await;
    assert_eq!(approve(&app, &path).await.status, StatusCode::SEE_OTHER);
    assert!(app.get(&public).await.body.contains("Second words."));
    assert!(app.get(&format!("{path}/public")).await.texts(".public-older").is_empty());
}

#[tokio::test]
async fn an_approval_of_what_changed_since_it_was_read_is_refused() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let (path, _) = published(&app, &form().with(Section::Summary, "Read by the manager.")).await;
    app.new_session(cast.engineer).await;
    assert_eq!(save(&app, &path, &[("action", "submit")]).await.status, StatusCode::SEE_OTHER);
    app.new_session(cast.manager).await;
    let seen = app.get(&format!("{path}/public")).await.attr("input[name=digest]", "value").expect("a digest");
    // The author edits the postmortem after the manager loaded the page.
    app.new_session(cast.engineer).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:30"), ("body", "Added later")]).await;
    app.new_session(cast.manager).await;
    let stale = app.post_form(&format!("{path}/public/approve"), &[("digest", seen.as_str())]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text(".error-summary").contains("changed after you loaded this page"));
    assert!(stale.text(".public-preview").contains("Added later"), "the page shows what would be approved now");
    assert_eq!(approve(&app, &path).await.status, StatusCode::SEE_OTHER, "approved once read again");
}

#[tokio::test]
async fn withdrawn_it_answers_not_found_and_leaves_the_feed() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let (path, id) = published(&app, &form()).await;
    let slug = go_public(&app, &cast, &path, id, &[]).await;
    assert!(app.get("/p/feed.atom").await.body.contains(&slug));
    app.new_session(cast.engineer).await;
    assert_eq!(app.post_empty(&format!("{path}/public/withdraw")).await.status, StatusCode::FORBIDDEN);
    app.new_session(cast.other_manager).await;
    let withdrawn = app.post_form(&format!("{path}/public/withdraw"), &[("note", "Legal asked.")]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    let unknown = app.get("/p/never-was-there").await;
    for answer in [format!("/p/{slug}"), format!("/p/{slug}.md"), format!("/p/{slug}.json")] {
        let gone = app.get(&answer).await;
        assert_eq!((gone.status, gone.body.as_str()), (StatusCode::NOT_FOUND, unknown.body.as_str()), "{answer}");
    }
    assert!(!app.get("/p/feed.atom").await.body.contains(&slug));
    let page = app.get(&format!("{path}/public")).await;
    assert_eq!(page.text(".public-status h2 .status"), "Withdrawn");
    let again = app.post_empty(&format!("{path}/public/withdraw")).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing left to withdraw");
}

#[tokio::test]
async fn a_snapshot_an_older_renderer_made_is_rendered_again_from_its_approved_markdown() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let (path, id) = published(&app, &form().with(Section::Summary, "Checkout **failed**.")).await;
    let slug = go_public(&app, &cast, &path, id, &[]).await;
    sqlx::query(
        "UPDATE public_versions SET rendered_with = 1,
             public_document = jsonb_set(public_document, '{summary_html}', '\"<p>made by renderer 1</p>\"')
         WHERE incident_id = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .expect("an older snapshot");
    for answer in [format!("/p/{slug}"), format!("/p/{slug}.json")] {
        let body = app.get(&answer).await.body;
        assert!(body.contains("<strong>failed</strong>") && !body.contains("renderer 1"), "{answer}: {body}");
    }
    let mut conn = app.pool.acquire().await.expect("a connection");
    let stored = hindsight::app::rendering::refresh_all(&mut conn).await.expect("rendered again");
    assert_eq!(stored, 1);
    let (rendered_with, html): (i32, String) = sqlx::query_as(
        "SELECT rendered_with, public_document->>'summary_html' FROM public_versions WHERE incident_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("the snapshot");
    assert_eq!(
        (rendered_with, html.as_str()),
        (hindsight::markdown::RENDERER_VERSION, "<p>Checkout <strong>failed</strong>.</p>\n")
    );
}

#[tokio::test]
async fn a_chosen_address_is_checked_unique_and_moves_at_once() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let (first, first_id) = published(&app, &form()).await;
    let (second, _) = published(&app, &form()).await;
    app.new_session(cast.engineer).await;

    let bad = save(&app, &first, &[("address", "chosen"), ("slug", "Checkout Outage!")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.field_errors(1)[0],
        "Use only letters a to z, digits and hyphens (not “ ”), as in 2025-03-checkout-outage."
    );
    assert_eq!(bad.field_value("slug"), "Checkout Outage!", "what was typed is kept");
    let short = save(&app, &first, &[("address", "chosen"), ("slug", "ab")]).await;
    assert!(short.field_errors(1)[0].contains("3 to 80 characters"));

    let chosen = [("address", "chosen"), ("slug", "2025-03-Checkout")];
    assert_eq!(save(&app, &first, &chosen).await.status, StatusCode::SEE_OTHER);
    assert_eq!(slug(&app, first_id).await, "2025-03-checkout", "lower-cased");
    let clash = save(&app, &second, &[("address", "chosen"), ("slug", "2025-03-checkout")]).await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        clash.field_errors(1)[0],
        "The address /p/2025-03-checkout is taken by another public version. Choose another."
    );
    assert_eq!(app.count("public_versions").await, 1, "nothing of the refused one was saved");

    // Approved at one address, then moved: the old one stops answering at once.
    app.new_session(cast.engineer).await;
    assert_eq!(app.post_empty(&format!("{first}/public/submit")).await.status, StatusCode::SEE_OTHER);
    app.new_session(cast.manager).await;
    assert_eq!(approve(&app, &first).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/p/2025-03-checkout").await.status, StatusCode::OK);
    app.new_session(cast.engineer).await;
    assert_eq!(
        save(&app, &first, &[("address", "chosen"), ("slug", "checkout-march")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.get("/p/2025-03-checkout").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/p/checkout-march").await.status, StatusCode::OK);
    // Back to a random address: a new one.
    assert_eq!(save(&app, &first, &[("address", "random")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(slug(&app, first_id).await.len(), 26);
}

#[tokio::test]
async fn a_stale_save_is_a_conflict_that_keeps_what_was_typed() {
    let app = TestApp::new().await;
    let cast = cast(&app).await;
    let (path, _) = published(&app, &form()).await;
    app.new_session(cast.engineer).await;
    assert_eq!(save(&app, &path, &[("note", "First note.")]).await.status, StatusCode::SEE_OTHER);
    let loaded = app.get(&format!("{path}/public")).await.field_value("version");
    assert_eq!(save(&app, &path, &[("note", "Their note.")]).await.status, StatusCode::SEE_OTHER);
    let mine = [("version", loaded.as_str()), ("note", "My note."), ("address", "random"), ("show_title", "on")];
    let stale = app.post_form(&format!("{path}/public"), &mine).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.field_value("note"), "My note.");
    assert!(stale.text(".conflict").contains("Their note."));
    assert_ne!(stale.field_value("version"), loaded, "the form moved to their version");
    // A form that says no version is refused, and one for a public version made meanwhile too.
    assert_eq!(app.post_form(&format!("{path}/public"), &[("note", "x")]).await.status, StatusCode::BAD_REQUEST);
    let made_meanwhile = app.post_form(&format!("{path}/public"), &[("version", "0"), ("note", "x")]).await;
    assert_eq!(made_meanwhile.status, StatusCode::CONFLICT);
}

/// A new session of `user`, as the `Cookie` header a browser of theirs would send.
async fn session_cookie(app: &TestApp, user: UserId, n: usize) -> String {
    let secret = format!("public-versions-{n}-{}-{}", user, std::process::id());
    hindsight::db::sessions::insert(&app.pool, &hindsight::auth::token::digest(&secret), user)
        .await
        .expect("a session");
    format!("{}={secret}", hindsight::web::auth::cookie_name(true))
}

/// A request to send alongside others: who sends it, where, and the form.
type Step = (UserId, String, Vec<(&'static str, String)>);

/// Sends `requests` (person, path, form) at once, each in a session of its person; returns the
/// answers in the order sent.
async fn at_once(app: &Arc<TestApp>, requests: Vec<Step>) -> Vec<TestResponse> {
    let mut sessions = Vec::new();
    for (n, (user, _, _)) in requests.iter().enumerate() {
        sessions.push(session_cookie(app, *user, n).await);
    }
    let mut tasks = JoinSet::new();
    for (n, ((_, path, form), cookie)) in requests.into_iter().zip(sessions).enumerate() {
        let app = Arc::clone(app);
        tasks.spawn(async move {
            let body = serde_urlencoded::to_string(&form).expect("a form");
            let request = Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(Body::from(body))
                .expect("a request");
            (n, app.request(request).await)
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.expect("a request task"));
    }
    answers.sort_by_key(|(n, _)| *n);
    answers.into_iter().map(|(_, answer)| answer).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_taken_at_once_never_fail_and_apply_once() {
    let app = Arc::new(TestApp::with_pool_settings(16, std::time::Duration::from_secs(10)).await);
    let cast = cast(&app).await;
    let third = app.create_user(Role::Manager).await;
    let (path, id) = published(&app, &form().with(Section::Summary, "Words.")).await;
    app.new_session(cast.engineer).await;
    assert_eq!(save(&app, &path, &[("action", "submit")]).await.status, StatusCode::SEE_OTHER);
    app.new_session(cast.manager).await;
    let digest = app.get(&format!("{path}/public")).await.attr("input[name=digest]", "value").expect("a digest");

    // Three managers approve, one sends back, the author saves twice and edits the postmortem,
    // all at once.
    let approve_as = |user| (user, format!("{path}/public/approve"), vec![("digest", digest.clone())]);
    let version = app.get(&format!("{path}/public")).await.field_value("version");
    let saving = |note: &str| {
        let form = vec![("version", version.clone()), ("note", note.to_owned()), ("address", "random".to_owned())];
        (cast.engineer, format!("{path}/public"), form)
    };
    let requests = vec![
        approve_as(cast.manager),
        approve_as(cast.other_manager),
        approve_as(third),
        (third, format!("{path}/public/send-back"), vec![("note", "Not yet.".to_owned())]),
        saving("One."),
        saving("Two."),
        (
            cast.engineer,
            format!("{path}/timeline"),
            vec![("time", "10:40"), ("body", "Late entry")].into_iter().map(|(k, v)| (k, v.to_owned())).collect(),
        ),
    ];
    let answers = at_once(&app, requests).await;
    for answer in &answers {
        assert!(!answer.status.is_server_error(), "{}: {}", answer.status, answer.body);
    }
    let ok =
        |range: std::ops::Range<usize>| answers[range].iter().filter(|a| a.status == StatusCode::SEE_OTHER).count();
    assert!(ok(0..4) <= 1, "at most one of the approvals and the send-back applies");
    assert_eq!(ok(4..6), 1, "one save of the two from the same version");
    let approved: i64 =
        sqlx::query_scalar("SELECT count(*) FROM public_version_steps WHERE incident_id = $1 AND kind = 'approved'")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("steps");
    assert!(approved <= 1);
    // What was approved, if anything, is what a manager was shown.
    let live: Option<String> = sqlx::query_scalar("SELECT public_markdown FROM public_versions WHERE incident_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("the row");
    if let Some(live) = live {
        assert!(!live.contains("Late entry") && !live.contains("One.") && !live.contains("Two."), "{live}");
    }
}
