//! Postmortem templates: each seeded template makes a postmortem with its sections and
//! questions, the severity's rule picks (and holds to) its template and who publishes, admins
//! edit templates and rules with every change audited and concurrent saves shown as conflicts,
//! and bad templates are refused with everything typed kept.

use axum::http::StatusCode;
use hindsight::domain::input::IncidentForm;
use hindsight::domain::{Role, Section};

use crate::harness::{TestApp, TestResponse, form};

/// The id of the template called `name`.
async fn template_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM postmortem_templates WHERE name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .expect("a seeded template")
}

/// The audit log's template actions, oldest first.
async fn template_actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_events WHERE action LIKE 'template.%' ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .expect("audit")
}

/// A postmortem of `severity` started from template `name`.
async fn started_from(app: &TestApp, severity: &str, name: &str) -> String {
    let id = template_id(app, name).await;
    app.create_incident(&IncidentForm { severity: severity.into(), template: id.to_string(), ..form() }).await
}

/// The hint under the form's field for `section`.
fn hint(page: &TestResponse, section: Section) -> String {
    page.text(&format!("#{}-hint", section.key()))
}

/// The sections shown among the form's groups, and those under "More sections".
fn form_sections(page: &TestResponse) -> (Vec<String>, Vec<String>) {
    let shown = page.texts(".incident-form > fieldset .markdown-field > label");
    let more = page.texts(".more-sections .markdown-field > label");
    (shown, more)
}

#[tokio::test]
async fn each_seeded_template_makes_a_postmortem_with_its_sections_and_questions() {
    let app = TestApp::new().await;

    let full = started_from(&app, "SEV2", "Full").await;
    let edit = app.get(&format!("{full}/edit")).await;
    let (shown, more) = form_sections(&edit);
    assert_eq!(shown, Section::ALL.map(|s| s.label()));
    assert!(more.is_empty());
    assert!(hint(&edit, Section::Impact).contains("Who noticed"), "the template's question replaces the generic one");
    assert!(hint(&edit, Section::RootCause).contains("Keep asking why"));
    let page = app.get(&full).await;
    assert!(page.texts(".meta dd").contains(&"Full".to_owned()));
    assert!(page.text("#impact .template-questions").contains("Who noticed"));
    // Questions are help, not content: nothing of them is stored or exported.
    let export = app.get(&format!("{full}/export.md")).await.body;
    assert!(!export.contains("Who noticed") && !export.contains("Keep asking why"), "{export}");

    let light = started_from(&app, "SEV4", "Light").await;
    let edit = app.get(&format!("{light}/edit")).await;
    let (shown, more) = form_sections(&edit);
    assert_eq!(shown, ["Summary", "Impact", "Root cause", "Resolution"]);
    assert_eq!(more, ["Corrective measures", "Preventative measures", "Lessons learned"], "kept reachable");
    assert_eq!(hint(&edit, Section::Impact), "Was anyone affected? If not, why not?");
    let page = app.get(&light).await;
    assert!(page.html().select(&scraper::Selector::parse("#lessons_learned").expect("selector")).next().is_none());
    assert_eq!(
        page.texts(".review .missing li"),
        [
            "Write the summary.",
            "Write the impact.",
            "Write the root cause.",
            "Write the resolution.",
            "Add at least one timeline entry."
        ],
        "the template's sections are what it needs, not the ones it leaves out"
    );

    let security = started_from(&app, "SEV1", "Security").await;
    let json: serde_json::Value = serde_json::from_str(&app.get(&format!("/api{security}")).await.body).expect("JSON");
    assert_eq!(json["template"], "Security");
    let extras: Vec<&str> =
        json["sections"].as_array().expect("sections").iter().filter_map(|s| s["heading"].as_str()).collect();
    assert_eq!(extras, ["Detection", "Data exposure", "Disclosure and notification"]);
    let page = app.get(&security).await;
    assert!(page.texts(".pm-section .template-questions").iter().any(|q| q.contains("rotated")));
    let missing = page.texts(".review .missing li");
    for heading in extras {
        assert!(missing.contains(&format!("Write the section “{heading}”.")), "{missing:?}");
    }
    // A postmortem made without a template (the API, the importer, older ones) keeps today's rules.
    let plain = app.create_incident(&form()).await;
    let json: serde_json::Value = serde_json::from_str(&app.get(&format!("/api{plain}")).await.body).expect("JSON");
    assert!(json["template"].is_null());
    assert_eq!(
        app.get(&plain).await.texts(".review .missing li")[..2],
        ["Describe the impact.", "Write the root cause."]
    );
}

#[tokio::test]
async fn the_new_form_preselects_the_severitys_template_and_refuses_one_without_its_sections() {
    let app = TestApp::new().await;
    let new = app.get("/incidents/new").await;
    let full = template_id(&app, "Full").await.to_string();
    let light = template_id(&app, "Light").await.to_string();
    assert_eq!(new.attr("input[name=template][checked]", "value"), Some(full.clone()), "SEV3 starts from Full");
    assert_eq!(new.attr("#severity option[value=SEV4]", "data-template"), Some(light.clone()));
    assert!(new.body.contains("/static/templates.js"));

    // Without a script: "Show the chosen template" shows Light's sections, keeping what was typed.
    let typed = IncidentForm { severity: "SEV4".into(), template: light.clone(), ..form() }
        .with(Section::LessonsLearned, "We got lucky.");
    let body = format!("{}&action=template", serde_urlencoded::to_string(&typed).expect("a form"));
    let shown = app.post_body("/incidents", "application/x-www-form-urlencoded", body).await;
    assert_eq!(shown.status, StatusCode::OK);
    let (fields, more) = form_sections(&shown);
    assert!(fields.contains(&"Lessons learned".to_owned()), "a section with text stays in view: {fields:?}");
    assert_eq!(more, ["Corrective measures", "Preventative measures"]);
    assert_eq!(app.count("incidents").await, 0, "nothing saved");

    // SEV2 asks for Full: Light lacks its sections, so it is refused with everything kept.
    let mismatched = IncidentForm { severity: "SEV2".into(), template: light.clone(), ..form() }
        .with(Section::Summary, "Checkout was slow for an hour.")
        .with(Section::LessonsLearned, "Alerts fired late.");
    let refused = app.post_form("/incidents", &mismatched).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.field_errors(1);
    assert!(errors[0].contains("SEV2 postmortems need every section of the Full template"), "{errors:?}");
    assert_eq!(refused.field_value("summary"), "Checkout was slow for an hour.");
    assert_eq!(refused.field_value("lessons_learned"), "Alerts fired late.");
    assert_eq!(refused.field_value("title"), "Checkout latency spike");
    assert_eq!(refused.attr("input[name=template][checked]", "value"), Some(light));
    assert_eq!(app.count("incidents").await, 0);

    // Security has every section Full has: it is fine for SEV2.
    let security = template_id(&app, "Security").await.to_string();
    assert_eq!(
        new.attr(&format!("input[name=template][value=\"{security}\"]"), "data-fits").as_deref(),
        Some("SEV1 SEV2 SEV3 SEV4 SEV5")
    );
    app.create_incident(&IncidentForm { severity: "SEV2".into(), template: security, ..form() }).await;
    // An unknown template is refused too.
    let unknown = app.post_form("/incidents", &IncidentForm { template: "999".into(), ..form() }).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.field_error("template").is_some_and(|m| m.contains("from the list")));
}

#[tokio::test]
async fn an_admins_edit_shows_in_the_next_new_form_and_is_audited() {
    let app = TestApp::new().await;
    let light = template_id(&app, "Light").await;
    let page = app.get(&format!("/admin/templates/{light}")).await;
    assert!(page.body.contains("data-preview=\"body-preview\""), "the live preview beside the Markdown");
    let body = "## Summary\n\nWhat broke, in one line?\n\n## Impact\n\nDid a customer notice?\n\n## Follow-up owner\n\nWho checks back next week?\n";
    let saved = app
        .post_form(
            &format!("/admin/templates/{light}"),
            &[
                ("name", "Light"),
                ("description", "Minor incidents."),
                ("body", body),
                ("version", &page.field_value("version")),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = app.get("/admin/templates").await;
    assert!(list.body.contains("Follow-up owner"));

    let body = format!(
        "{}&action=template",
        serde_urlencoded::to_string(&IncidentForm { severity: "SEV5".into(), template: light.to_string(), ..form() })
            .expect("a form")
    );
    let new = app.post_body("/incidents", "application/x-www-form-urlencoded", body).await;
    assert_eq!(hint(&new, Section::Impact), "Did a customer notice?");
    assert_eq!(form_sections(&new).0, ["Summary", "Impact"]);
    let path =
        app.create_incident(&IncidentForm { severity: "SEV5".into(), template: light.to_string(), ..form() }).await;
    let page = app.get(&path).await;
    assert!(page.texts(".pm-section .template-questions").contains(&"Who checks back next week?".to_owned()));
    let actions = template_actions(&app).await;
    assert_eq!(actions, ["template.edited"]);
}

#[tokio::test]
async fn an_author_review_publishes_without_a_manager_and_a_manager_review_cannot() {
    let app = TestApp::new().await;
    app.sign_in_as(Role::Engineer).await;
    let complete = |severity: &str| {
        IncidentForm { severity: severity.into(), ..form() }
            .with(Section::Summary, "Slow.")
            .with(Section::Impact, "Few users.")
            .with(Section::RootCause, "A cache.")
            .with(Section::Resolution, "Flushed.")
    };
    let light = template_id(&app, "Light").await.to_string();
    let minor = app.create_incident(&IncidentForm { template: light.clone(), ..complete("SEV4") }).await;
    // Not complete yet: no timeline entry, and Publish is refused on the server too.
    let page = app.get(&minor).await;
    assert!(page.text(".review").contains("Before it can be published"));
    let early = app.post_empty(&format!("{minor}/publish")).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.text(".review .error-summary").contains("Not ready to publish"));
    app.post_form(&format!("{minor}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    let page = app.get(&minor).await;
    assert_eq!(page.texts(".review button"), ["Publish", "Comment"]);
    // The manager's way is not this severity's.
    let submit = app.post_empty(&format!("{minor}/submit")).await;
    assert_eq!(submit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(submit.body.contains("need no approval"));
    let published = app.post_empty(&format!("{minor}/publish")).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let page = app.get(&minor).await;
    assert_eq!(page.text(".meta .status"), "Published");
    assert!(page.text(".comments").contains("published it"));

    let full = template_id(&app, "Full").await.to_string();
    let major = app
        .create_incident(
            &IncidentForm { template: full, ..complete("SEV2") }
                .with(Section::CorrectiveMeasures, "Bigger cache.")
                .with(Section::PreventativeMeasures, "Alerts.")
                .with(Section::LessonsLearned, "Test failover."),
        )
        .await;
    app.post_form(&format!("{major}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    let page = app.get(&major).await;
    assert_eq!(page.texts(".review button"), ["Submit for review", "Comment"]);
    let refused = app.post_empty(&format!("{major}/publish")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("approved by a manager"));
    assert_eq!(app.get(&major).await.text(".meta .status"), "Draft");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE action = 'incident.published'")
            .fetch_all(&app.pool)
            .await
            .expect("audit");
    assert_eq!(actions.len(), 1);
}

#[tokio::test]
async fn a_template_a_severity_uses_cannot_be_deleted_and_rules_are_saved_with_a_version() {
    let app = TestApp::new().await;
    let light = template_id(&app, "Light").await;
    let path = started_from(&app, "SEV4", "Light").await;
    let refused = app.post_form(&format!("/admin/templates/{light}/delete"), &[("version", "1")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.text(".error-summary").contains("SEV4, SEV5 postmortems start from"));
    assert_eq!(app.count("postmortem_templates").await, 3);

    // Once no severity uses it, it goes; the postmortem made from it keeps its sections.
    let full = template_id(&app, "Full").await.to_string();
    let rules = app.get("/admin/templates").await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for severity in ["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"] {
        fields.push((format!("{severity}_template"), full.clone()));
        fields.push((format!("{severity}_review"), "manager".into()));
        fields.push((format!("{severity}_version"), rules.field_value(&format!("{severity}_version"))));
    }
    let saved = app.post_form("/admin/severity-rules", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // The same form again is a stale one: a conflict, nothing saved.
    let stale = app.post_form("/admin/severity-rules", &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let deleted = app.post_form(&format!("/admin/templates/{light}/delete"), &[("version", "1")]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    let page = app.get(&path).await;
    assert!(page.texts(".meta dd").contains(&"Light".to_owned()), "it remembers what it was started from");
    let actions = template_actions(&app).await;
    assert_eq!(actions, ["template.rules", "template.deleted"]);
}

#[tokio::test]
async fn two_admins_saving_one_template_at_once_get_one_save_and_one_conflict() {
    let app = TestApp::new().await;
    let full = template_id(&app, "Full").await;
    let uri = format!("/admin/templates/{full}");
    let version = app.get(&uri).await.field_value("version");
    let mine = [("name", "Full"), ("body", "## Summary\n\nMine?\n"), ("version", version.as_str())];
    let theirs = [("name", "Full"), ("body", "## Summary\n\nTheirs?\n"), ("version", version.as_str())];
    // Never a 500, whichever comes first.
    let (a, b) = tokio::join!(app.post_form(&uri, &mine), app.post_form(&uri, &theirs));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let conflict = if a.status == StatusCode::CONFLICT { &a } else { &b };
    let (typed, saved) = if a.status == StatusCode::CONFLICT { ("Mine?", "Theirs?") } else { ("Theirs?", "Mine?") };
    assert!(conflict.texts(".conflict pre.theirs").iter().any(|shown| shown.contains(saved)), "theirs is shown");
    assert!(conflict.field_value("body").contains(typed), "what was typed is kept");
    assert_eq!(conflict.field_value("version"), "2", "saving again knowingly replaces theirs");
}

#[tokio::test]
async fn bad_templates_are_refused_with_a_clear_message_and_nothing_lost() {
    let app = TestApp::new().await;
    let cases: [(&str, String, &str); 5] = [
        ("nul", "## Summary\n\nWhat\0?\n".to_owned(), "NUL character"),
        ("huge", format!("## Summary\n\n{}\n", "Why ".repeat(750_000)), "the limit is 20 KB"),
        ("no headings", "Just a paragraph of questions.".to_owned(), "## Heading"),
        ("duplicates", "## Impact\n\nWho?\n\n## Customer impact\n\nHow many?\n".to_owned(), "same section"),
        ("taken name", "## Summary\n\nWhat?\n".to_owned(), "already a template called"),
    ];
    for (what, body, message) in cases {
        let name = if what == "taken name" { "full" } else { "Mine" };
        let before = app.count("postmortem_templates").await;
        let refused = app
            .post_form("/admin/templates", &[("name", name), ("description", "Typed"), ("body", body.as_str())])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        let errors = refused.field_errors(1);
        assert!(errors[0].contains(message), "{what}: {errors:?}");
        assert_eq!(refused.field_value("name"), name, "{what}");
        assert_eq!(refused.field_value("description"), "Typed", "{what}");
        let kept = refused.field_value("body");
        if what == "nul" {
            assert!(kept.starts_with("## Summary\n\nWhat") && kept.ends_with("?\n"), "{what}: {kept:?}");
        } else {
            assert!(kept == body, "{what}: the text is kept");
        }
        assert_eq!(app.count("postmortem_templates").await, before, "{what}");
    }
    // The same checks on an edit.
    let full = template_id(&app, "Full").await;
    let refused = app
        .post_form(
            &format!("/admin/templates/{full}"),
            &[("name", "Full"), ("body", "## Summary\n\n## Summary\n"), ("version", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_errors(1)[0].contains("appears twice"));
}
