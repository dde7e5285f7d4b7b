//! Writing, reading, listing, editing and deleting postmortems through the forms.

use axum::http::StatusCode;

use hindsight::domain::input::IncidentForm;
use hindsight::domain::{Role, Section};

use crate::harness::{TestApp, form, titled};

#[tokio::test]
async fn the_root_sends_people_to_the_index() {
    let app = TestApp::new().await;
    let response = app.get("/").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.location(), "/incidents");
}

#[tokio::test]
async fn an_empty_index_invites_the_first_postmortem() {
    let app = TestApp::new().await;
    let response = app.get("/incidents").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.text(".empty h2"), "No postmortems yet");
    assert_eq!(response.attr(".empty a.button", "href").as_deref(), Some("/incidents/new"));
}

#[tokio::test]
async fn the_new_form_starts_with_sensible_defaults() {
    let app = TestApp::new().await;
    let response = app.get("/incidents/new").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.attr("form.incident-form", "action").as_deref(), Some("/incidents"));
    assert_eq!(response.field_value("severity"), "SEV3");
    assert!(response.texts("#status").is_empty(), "the status is the review's to change, not the form's");
    assert_eq!(response.field_value("utc_offset"), "UTC");
    for field in [
        "title",
        "started_at",
        "ended_at",
        "summary",
        "impact",
        "root_cause",
        "resolution",
        "corrective_measures",
        "preventative_measures",
        "lessons_learned",
    ] {
        assert_eq!(response.texts(&format!("label[for=\"{field}\"]")).len(), 1, "{field} has a label");
    }
}

#[tokio::test]
async fn a_created_postmortem_renders_every_section_from_markdown() {
    let app = TestApp::new().await;
    let fields = IncidentForm {
        title: "Pool exhaustion <b>not bold</b>".into(),
        severity: "SEV1".into(),
        status: "in_review".into(),
        ..form()
    }
    .with(Section::Summary, "The **pool** ran dry.")
    .with(Section::Impact, "| Users | Share |\n|---|---|\n| EU | 80% |")
    .with(Section::RootCause, "- [x] found\n- [ ] fixed")
    .with(Section::Resolution, "~~restart~~ resize, see https://example.com/runbook")
    .with(Section::CorrectiveMeasures, "Footnoted.[^1]\n\n[^1]: The note.")
    .with(Section::PreventativeMeasures, "1. Alert earlier")
    .with(Section::LessonsLearned, "<script>alert(1)</script>Stay calm.");
    let path = app.create_incident(&fields).await;
    assert!(path.starts_with("/incidents/"), "{path}");

    let page = app.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Pool exhaustion <b>not bold</b>", "titles are text, not HTML");
    assert_eq!(page.text(".meta .sev"), "SEV1");
    assert_eq!(page.text(".meta .status"), "Draft", "a new postmortem is a draft, whatever the form says");
    assert_eq!(page.texts(".meta time")[0], "2025-03-01 10:15 UTC+2");
    assert_eq!(page.attr(".meta time", "datetime").as_deref(), Some("2025-03-01T10:15:00+02:00"));
    assert!(page.texts(".meta dd").contains(&"50 min".to_owned()));
    assert_eq!(page.text("#summary strong"), "pool");
    assert_eq!(page.texts("#impact table td"), ["EU", "80%"]);
    assert_eq!(page.texts("#root_cause input[type=checkbox][disabled]").len(), 2);
    assert_eq!(page.text("#resolution del"), "restart");
    assert_eq!(page.attr("#resolution a", "href").as_deref(), Some("https://example.com/runbook"));
    assert_eq!(page.texts("#corrective_measures sup a").len(), 1);
    assert_eq!(page.text("#preventative_measures ol li"), "Alert earlier");
    assert!(page.texts("#lessons_learned script").is_empty());
    assert_eq!(page.text("#lessons_learned .prose"), "Stay calm.");
}

#[tokio::test]
async fn the_index_lists_newest_first_with_severity_status_and_duration() {
    let app = TestApp::new().await;
    let older =
        IncidentForm { started_at: "2025-01-01T09:00".into(), ended_at: "2025-01-01T12:30".into(), ..titled("Older") };
    let ongoing = IncidentForm {
        started_at: "2025-02-01T09:00".into(),
        ended_at: String::new(),
        severity: "SEV1".into(),
        ..titled("Ongoing")
    };
    app.create_incident(&older).await;
    app.create_incident(&ongoing).await;
    let index = app.get("/incidents").await;
    assert_eq!(index.texts("td.title"), ["Ongoing", "Older"]);
    let cells: Vec<String> = index.texts("tbody tr:first-child td");
    assert_eq!(cells[1], "SEV1");
    assert_eq!(cells[2], "Draft");
    assert_eq!(cells[4], "ongoing");
    assert_eq!(index.texts("tbody tr:nth-child(2) td")[4], "3 h 30 min");
}

#[tokio::test]
async fn the_index_is_paged_by_cursor_and_filtered() {
    let app = TestApp::new().await;
    for day in 1..=27 {
        let fields = IncidentForm {
            started_at: format!("2025-03-{day:02}T10:00"),
            ended_at: format!("2025-03-{day:02}T1{}:00", day % 3 + 1),
            severity: if day % 3 == 0 { "SEV1".into() } else { "SEV3".into() },
            ..titled(&format!("Incident {day}"))
        };
        app.create_incident(&fields).await;
    }
    let first = app.get("/incidents").await;
    assert_eq!(first.texts("td.title").len(), 25);
    assert_eq!(first.texts("td.title")[0], "Incident 27");
    assert!(first.text("[role=status]").contains("27 postmortems"), "{}", first.text("[role=status]"));
    let next = first.attr(".pager a[rel=next]", "href").expect("a next page");
    assert!(next.starts_with("/incidents?") && next.contains("after="), "{next}");

    // A row added while someone reads does not shift the next page: it starts after the cursor.
    let newer = IncidentForm {
        started_at: "2025-03-28T10:00".into(),
        ended_at: "2025-03-28T11:00".into(),
        ..titled("Incident 28")
    };
    app.create_incident(&newer).await;
    let second = app.get(&next).await;
    assert_eq!(second.texts("td.title"), ["Incident 2", "Incident 1"]);
    assert!(second.texts(".pager a[rel=next]").is_empty(), "the last page");
    assert_eq!(second.attr(".pager a", "href").as_deref(), Some("/incidents"));

    // Filters and orders, in the URL, combined; the count says how many match.
    let sev1 = app.get("/incidents?severity=SEV1&from=2025-03-10&to=2025-03-31").await;
    assert_eq!(
        sev1.texts("td.title"),
        ["Incident 27", "Incident 24", "Incident 21", "Incident 18", "Incident 15", "Incident 12"]
    );
    assert!(sev1.text("[role=status]").contains("6 match these filters"), "{}", sev1.text("[role=status]"));
    assert_eq!(sev1.attr("#severity option[selected]", "value").as_deref(), Some("SEV1"), "the form shows the filter");
    let longest = app.get("/incidents?severity=SEV1&order=duration").await;
    assert_eq!(
        longest.texts("td.title")[..3],
        ["Incident 27", "Incident 24", "Incident 21"],
        "an hour each: newest first"
    );
    let none = app.get("/incidents?severity=SEV4").await;
    assert!(none.text(".empty h2").contains("No postmortem matches"), "{}", none.body);

    // Words belong to the search page.
    let words = app.get("/incidents?q=incident&severity=SEV1").await;
    assert_eq!(words.status, StatusCode::SEE_OTHER);
    assert!(words.location().starts_with("/search?q=incident&severity=SEV1"), "{}", words.location());

    for bad in
        ["/incidents?after=garbage", "/incidents?severity=SEV9", "/incidents?from=yesterday", "/incidents?order=size"]
    {
        let response = app.get(bad).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(response.text("h1"), "Bad request");
    }
}

#[tokio::test]
async fn a_rejected_form_comes_back_with_everything_typed_and_saves_nothing() {
    let app = TestApp::new().await;
    let fields = IncidentForm {
        title: String::new(),
        started_at: "2025-03-01T12:00".into(),
        ended_at: "2025-03-01T11:00".into(),
        utc_offset: "UTC+2".into(),
        ..form()
    }
    .with(Section::Summary, "Keep this summary, ünïcode and all 🧯")
    .with(Section::RootCause, "Line one\r\nLine two")
    .with(Section::Impact, "bad\0byte");
    let response = app.post_form("/incidents", &fields).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("incidents").await, 0);
    assert_eq!(response.field_error("title").as_deref(), Some("Give the postmortem a title."));
    assert_eq!(response.field_error("ended_at").as_deref(), Some("The end of impact is before its start."));
    assert!(response.field_error("impact").is_some_and(|m| m.contains("NUL")));
    assert!(response.field_error("started_at").is_none());
    assert_eq!(response.text(".error-summary h2"), "3 fields need your attention");
    assert_eq!(response.field_value("summary"), "Keep this summary, ünïcode and all 🧯");
    assert_eq!(response.field_value("root_cause"), "Line one\nLine two");
    assert_eq!(response.field_value("started_at"), "2025-03-01T12:00");
    assert_eq!(response.field_value("ended_at"), "2025-03-01T11:00");
    assert_eq!(response.field_value("severity"), "SEV2");
    assert_eq!(response.attr("#title", "aria-invalid").as_deref(), Some("true"));
}

#[tokio::test]
async fn unparsable_times_and_offsets_are_explained() {
    let app = TestApp::new().await;
    let fields = IncidentForm {
        started_at: "last tuesday".into(),
        ended_at: "2025-02-30T10:00".into(),
        utc_offset: "Mars Standard Time".into(),
        ..form()
    };
    let response = app.post_form("/incidents", &fields).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.field_error("started_at").is_some());
    assert!(response.field_error("ended_at").is_some());
    assert_eq!(
        response.field_error("utc_offset").as_deref(),
        Some("Write the offset as UTC, UTC+2, UTC+05:30 or -03:00.")
    );
    assert_eq!(response.field_value("utc_offset"), "Mars Standard Time");
    let out_of_range = IncidentForm { utc_offset: "UTC+15".into(), ..form() };
    let response = app.post_form("/incidents", &out_of_range).await;
    assert_eq!(response.field_error("utc_offset").as_deref(), Some("Offsets run from UTC-12 to UTC+14."));
    assert_eq!(app.count("incidents").await, 0);
}

#[tokio::test]
async fn unknown_severity_and_status_are_rejected_not_stored() {
    let app = TestApp::new().await;
    let fields = IncidentForm { severity: "SEV0".into(), status: "deleted".into(), ..form() };
    let response = app.post_form("/incidents", &fields).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.field_error("severity").is_some());
    assert!(response.text(".error-summary").contains("Choose draft, in review or published."));
    assert_eq!(app.count("incidents").await, 0);
}

#[tokio::test]
async fn a_body_over_the_limit_gets_a_413_page_and_saves_nothing() {
    let app = TestApp::new().await;
    let huge = format!(
        "title=Big&severity=SEV2&status=draft&started_at=2025-03-01T10%3A15&utc_offset=UTC&summary={}",
        "a".repeat(3 * 1024 * 1024)
    );
    let response = app.post_raw("/incidents", huge).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(response.text("h1"), "Too much text");
    assert_eq!(app.count("incidents").await, 0);
}

#[tokio::test]
async fn a_prose_field_over_its_own_limit_is_a_field_error() {
    let app = TestApp::new().await;
    let fields = form().with(Section::Summary, "b".repeat(300_000));
    let response = app.post_form("/incidents", &fields).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.field_error("summary").is_some_and(|m| m.contains("limit")));
    assert_eq!(app.count("incidents").await, 0);
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_a_400_page() {
    let app = TestApp::new().await;
    let request = axum::http::Request::post("/incidents")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(r#"{"title":"x"}"#))
        .expect("request");
    let response = app.request(request).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.text("h1"), "Bad request");
}

#[tokio::test]
async fn editing_loads_the_saved_values_and_saves_changes() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form().with(Section::Summary, "First draft")).await;
    let edit = app.get(&format!("{path}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert_eq!(edit.field_value("title"), "Checkout latency spike");
    assert_eq!(edit.field_value("started_at"), "2025-03-01T10:15");
    assert_eq!(edit.field_value("utc_offset"), "UTC+2");
    assert_eq!(edit.field_value("version"), "1");
    assert_eq!(edit.attr("form.incident-form", "action").as_deref(), Some(path.as_str()));

    let changed =
        IncidentForm { status: "published".into(), utc_offset: "UTC-5".into(), version: "1".into(), ..form() }
            .with(Section::Summary, "Second draft");
    let saved = app.post_form(&path, &changed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await;
    assert_eq!(page.text("#summary .prose"), "Second draft");
    assert_eq!(page.text(".meta .status"), "Draft", "the form does not change the status; the review does");
    assert_eq!(page.texts(".meta time")[0], "2025-03-01 10:15 UTC-5", "times are read in the offset given with them");
}

#[tokio::test]
async fn a_stale_edit_shows_a_conflict_with_both_versions_and_loses_nothing() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form().with(Section::Summary, "Original")).await;

    let first = IncidentForm { version: "1".into(), ..form() }.with(Section::Summary, "Alice's summary");
    assert_eq!(app.post_form(&path, &first).await.status, StatusCode::SEE_OTHER);

    let second = IncidentForm { version: "1".into(), ..form() }.with(Section::Summary, "Bob's summary");
    let conflict = app.post_form(&path, &second).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert_eq!(conflict.field_value("summary"), "Bob's summary", "the second editor keeps what they typed");
    assert_eq!(conflict.texts(".conflict summary"), ["Summary: their version"]);
    assert_eq!(conflict.text(".conflict pre.theirs"), "Alice's summary");
    assert_eq!(conflict.field_value("version"), "2");
    assert_eq!(app.get(&path).await.text("#summary .prose"), "Alice's summary", "nothing was overwritten");

    let resubmit = IncidentForm { version: "2".into(), ..form() }.with(Section::Summary, "Bob's summary");
    assert_eq!(app.post_form(&path, &resubmit).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&path).await.text("#summary .prose"), "Bob's summary");
}

#[tokio::test]
async fn an_edit_without_a_version_is_refused() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let response = app.post_form(&path, &titled("No version")).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.text(".error-page h1 + p").contains("version"));
}

#[tokio::test]
async fn an_invalid_edit_comes_back_with_errors() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let body = IncidentForm { ended_at: "2025-03-01T09:00".into(), version: "1".into(), ..form() }
        .with(Section::Summary, "kept");
    let response = app.post_form(&path, &body).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.field_error("ended_at").is_some());
    assert_eq!(response.field_value("summary"), "kept");
    assert_eq!(response.field_value("version"), "1");
}

#[tokio::test]
async fn deleting_asks_first_then_removes_everything() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Paged")]).await;
    app.post_form(&format!("{path}/actions"), &[("body", "Fix it")]).await;

    let confirm = app.get(&format!("{path}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.text(".confirm p").contains("1 timeline entry and 1 action item"));

    let deleted = app.post_empty(&format!("{path}/delete")).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.location(), "/incidents");
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("timeline_entries").await, 0);
    assert_eq!(app.count("action_items").await, 0);
    assert_eq!(app.post_empty(&format!("{path}/delete")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_postmortem_page_costs_a_fixed_number_of_queries_however_long_its_timeline() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:16"), ("body", "one")]).await;
    // Read whole: the session; the postmortem's row with its texts, timeline, extra sections,
    // review, last change, revisions and (kept lists being out of date) the picker lists; its
    // action items. Then, on every view, what other postmortems say about it (read apart: they
    // change with other postmortems): its recurrences both ways, its similar earlier ones, its
    // recurred items (`LEARNING`).
    const LEARNING: usize = 4;
    let (page, first) = TestApp::count_queries(app.get(&path)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(first, 3 + LEARNING);
    // Unchanged since: the session, and whether what this instance kept is still current.
    let (page, unchanged) = TestApp::count_queries(app.get(&path)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(unchanged, 2 + LEARNING);
    assert_eq!(
        without_form_keys(&page.body),
        without_form_keys(&app.get(&path).await.body),
        "the kept postmortem shows the same page (each view's forms get a key of their own)"
    );
    // Someone's account changed: the names the page shows may have, so after asking, it is read
    // whole again, and the people an item can be given to come with it: four (and the learning
    // ones), the most a view costs.
    app.create_user(Role::Engineer).await;
    let (page, after_a_change) = TestApp::count_queries(app.get(&path)).await;
    assert_eq!(page.texts("#item-owner_id option").len(), 3, "no one, the admin and the new engineer");
    assert_eq!(after_a_change, 4 + LEARNING);

    for minute in 0..60 {
        let time = format!("10:{minute:02}");
        app.post_form(&format!("{path}/timeline"), &[("time", time.as_str()), ("body", "more")]).await;
        app.post_form(&format!("{path}/actions"), &[("body", "follow up")]).await;
    }
    // However long the timeline, the same: read whole after the changes, then kept.
    let (page, long) = TestApp::count_queries(app.get(&path)).await;
    assert_eq!(page.texts(".timeline li").len(), 61, "every change shows at once");
    assert_eq!(long, after_a_change);
    let (_, long_unchanged) = TestApp::count_queries(app.get(&path)).await;
    assert_eq!(long_unchanged, unchanged);
}

#[tokio::test]
async fn a_change_made_through_another_instance_shows_at_once() {
    let here = TestApp::new().await;
    let there = here.second_instance();
    let path = here.create_incident(&form()).await;
    assert_eq!(here.post_form("/admin/teams", &[("name", "Platform")]).await.status, StatusCode::SEE_OTHER);
    let team: i64 = sqlx::query_scalar("SELECT id FROM teams").fetch_one(&here.pool).await.expect("a team");
    let team = team.to_string();
    here.post_form(&format!("{path}/actions"), &[("body", "Cap pools"), ("team_id", team.as_str())]).await;
    here.get(&path).await;
    let kept = here.get(&path).await;
    assert_eq!(kept.texts(".item-meta span"), ["Team: Platform"]);

    // Each kind of change, made through the other instance, shows on this one's next view.
    there.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Written over there")]).await;
    assert_eq!(here.get(&path).await.texts(".timeline .prose"), ["Written over there"]);
    there.post_form(&format!("{path}/comments"), &[("body", "A comment over there")]).await;
    assert!(here.get(&path).await.texts(".comments .prose").contains(&"A comment over there".to_owned()));
    let renamed = [("name", "Storage"), ("time_zone", "UTC"), ("version", "1")];
    assert_eq!(there.post_form(&format!("/admin/teams/{team}"), &renamed).await.status, StatusCode::SEE_OTHER);
    assert_eq!(here.get(&path).await.texts(".item-meta span"), ["Team: Storage"], "a renamed team");
    there.post_empty(&format!("{path}/delete")).await;
    assert_eq!(here.get(&path).await.status, StatusCode::NOT_FOUND, "a deleted postmortem");
}

/// A page with its forms' idempotency keys blanked: they differ on every view.
fn without_form_keys(page: &str) -> String {
    const KEY: &str = "name=\"idempotency_key\" value=\"";
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(at) = rest.find(KEY) {
        out.push_str(&rest[..at + KEY.len()]);
        rest = &rest[at + KEY.len()..];
        rest = &rest[rest.find('"').unwrap_or(0)..];
    }
    out.push_str(rest);
    out
}
