//! Building the timeline: add, edit, delete, order, offsets and days.

use axum::http::StatusCode;

use hindsight::domain::input::IncidentForm;

use crate::harness::{TestApp, form, titled};

#[tokio::test]
async fn entries_are_shown_in_time_order_in_the_incident_offset() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    for (time, body) in
        [("10:40", "Logs revealed failed connections"), ("10:15 AM", "Alerts **fired**"), ("10:22", "Investigation")]
    {
        let response = app.post_form(&format!("{path}/timeline"), &[("time", time), ("body", body)]).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER);
        assert_eq!(response.location(), format!("{path}#timeline"));
    }
    let page = app.get(&path).await;
    assert_eq!(page.texts(".timeline time"), ["10:15", "10:22", "10:40"]);
    assert_eq!(page.attr(".timeline", "class").as_deref(), Some("timeline"), "a time column for hours and minutes");
    assert_eq!(page.texts(".timeline .prose strong"), ["fired"]);
    let iso: Vec<String> = ["10:15", "10:22", "10:40"].iter().map(|t| format!("2025-03-01T{t}:00+02:00")).collect();
    let html = page.html();
    let selector = scraper::Selector::parse(".timeline time").expect("selector");
    let datetimes: Vec<&str> = html.select(&selector).filter_map(|el| el.value().attr("datetime")).collect();
    assert_eq!(datetimes, iso);
    assert_eq!(page.text("#timeline > .hint"), "All times are UTC+2.");
}

#[tokio::test]
async fn a_timeline_that_crosses_midnight_shows_dates() {
    let app = TestApp::new().await;
    let fields = IncidentForm { started_at: "2025-03-01T23:40".into(), ended_at: "2025-03-02T01:10".into(), ..form() };
    let path = app.create_incident(&fields).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "23:45"), ("body", "Paged")]).await;
    app.post_form(&format!("{path}/timeline"), &[("date", "2025-03-02"), ("time", "00:30"), ("body", "Rolled back")])
        .await;
    let page = app.get(&path).await;
    assert_eq!(page.texts(".timeline time"), ["2025-03-01 23:45", "2025-03-02 00:30"]);
    assert!(page.text("#timeline > .hint").contains("more than one day"));
}

#[tokio::test]
async fn entries_on_another_day_than_the_start_show_their_date() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(
        &format!("{path}/timeline"),
        &[("date", "2025-03-03"), ("time", "09:00"), ("body", "Follow-up review")],
    )
    .await;
    let page = app.get(&path).await;
    assert_eq!(page.texts(".timeline time"), ["2025-03-03 09:00"]);
}

#[tokio::test]
async fn a_bad_entry_comes_back_on_the_postmortem_page_as_typed() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let response = app
        .post_form(&format!("{path}/timeline"), &[("date", "2025-13-40"), ("time", "25:99"), ("body", "Keep me")])
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.field_error("entry-date").is_some());
    assert!(response.field_error("entry-time").is_some());
    assert_eq!(response.field_value("date"), "2025-13-40");
    assert_eq!(response.attr("#entry-body", "name").as_deref(), Some("body"));
    assert_eq!(response.text("#entry-body"), "Keep me");
    assert!(response.attr("#timeline details.add-form", "open").is_some());
    assert_eq!(app.count("timeline_entries").await, 0);

    let empty = app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "  ")]).await;
    assert_eq!(empty.field_error("entry-body").as_deref(), Some("Say what happened."));
    let nul = app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "a\0b")]).await;
    assert!(nul.field_error("entry-body").is_some_and(|m| m.contains("NUL")));
    assert_eq!(app.count("timeline_entries").await, 0);
}

#[tokio::test]
async fn entries_can_be_edited_and_deleted() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "Typo'd entry")]).await;
    let page = app.get(&path).await;
    let edit_link = page.attr(".timeline .row-actions a", "href").expect("an edit link");

    let form = app.get(&edit_link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.field_value("date"), "2025-03-01");
    assert_eq!(form.field_value("time"), "10:20");
    assert_eq!(form.text("#body"), "Typo'd entry");
    let action = form.attr("main form[method=post]", "action").expect("a form action");
    assert_eq!(form.field_value("version"), "1");

    let bad = app
        .post_form(&action, &[("date", "2025-03-01"), ("time", "noon"), ("body", "Fixed entry"), ("version", "1")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.text("#body"), "Fixed entry");
    assert_eq!(bad.field_value("version"), "1", "the form still says which version it edits");

    let saved = app
        .post_form(&action, &[("date", "2025-03-01"), ("time", "10:25"), ("body", "Fixed entry"), ("version", "1")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await;
    assert_eq!(page.texts(".timeline time"), ["10:25"]);
    assert_eq!(page.text(".timeline .prose"), "Fixed entry");

    // Deleting is done from the entry's own page, not one click away on the postmortem.
    assert!(page.texts(".timeline .row-actions form").is_empty());
    let edit_page = app.get(&edit_link).await;
    let delete = edit_page.attr("form.delete-form", "action").expect("a delete form");
    let version = edit_page.attr("form.delete-form input[name=version]", "value").expect("the version");
    assert_eq!(version, "2", "the delete form carries the version the page shows");
    assert_eq!(app.post_form(&delete, &[("version", &version)]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("timeline_entries").await, 0);
    assert_eq!(app.post_form(&delete, &[("version", &version)]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn entries_cannot_be_reached_through_another_incident() {
    let app = TestApp::new().await;
    let first = app.create_incident(&titled("First")).await;
    let second = app.create_incident(&titled("Second")).await;
    app.post_form(&format!("{first}/timeline"), &[("time", "10:20"), ("body", "Mine")]).await;
    let edit_link = app.get(&first).await.attr(".timeline .row-actions a", "href").expect("an edit link");
    let foreign = edit_link.replace(&first, &second);
    assert_eq!(app.get(&foreign).await.status, StatusCode::NOT_FOUND);
    let foreign_delete = foreign.replace("/edit", "/delete");
    assert_eq!(app.post_form(&foreign_delete, &[("version", "1")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("timeline_entries").await, 1);
}

#[tokio::test]
async fn adding_to_a_missing_incident_is_a_404() {
    let app = TestApp::new().await;
    let response = app.post_form("/incidents/999/timeline", &[("time", "10:20"), ("body", "x")]).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn missing_entries_are_404s_on_every_route() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let missing = format!("{path}/timeline/999");
    assert_eq!(app.get(&format!("{missing}/edit")).await.status, StatusCode::NOT_FOUND);
    let edit = [("time", "10:20"), ("body", "x"), ("version", "1")];
    assert_eq!(app.post_form(&missing, &edit).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(&format!("{missing}/delete"), &[("version", "1")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{path}/timeline/abc/edit")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn seconds_show_on_the_page_and_fractions_only_in_the_export() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    app.post_form(&format!("{path}/timeline"), &[("time", "10:15"), ("body", "Paged")]).await;
    // An entry stored to a fraction of a second (through the API or by hand).
    sqlx::query("UPDATE timeline_entries SET occurred_at = occurred_at + interval '30.25 seconds'")
        .execute(&app.pool)
        .await
        .expect("q");
    let page = app.get(&path).await;
    assert_eq!(page.texts(".timeline time"), ["10:15:30"]);
    assert_eq!(page.attr(".timeline", "class").as_deref(), Some("timeline with-seconds"), "a wider time column");
    assert_eq!(page.attr(".timeline time", "datetime").as_deref(), Some("2025-03-01T10:15:30.25+02:00"));
    let export = app.get(&format!("{path}/export.md")).await.body;
    assert!(export.contains("10:15:30.25"), "{export}");
}

/// Many entries at once: a chat log is read line by line with the time found on each, nothing is
/// added until the author says so, unticked lines stay out, and the adding is all or nothing.
#[tokio::test]
async fn many_entries_are_pasted_at_once_after_a_look_at_each_time() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let paste = format!("{path}/timeline/paste");
    let chat =
        "[10:20] alice: the pool is full\n[10:25] bob: restarting the api\nstill restarting\n[10:40] alice: it is back";
    let read = app.post_form(&paste, &[("text", chat), ("action", "read")]).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let rows = read.texts("table.pasted tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[1].contains("restarting the api") && rows[1].contains("still restarting"),
        "a line without a stamp continues the one before"
    );
    assert_eq!(read.texts("table.pasted time"), ["2025-03-01 10:20", "2025-03-01 10:25", "2025-03-01 10:40"]);
    assert_eq!(app.count("timeline_entries").await, 0, "reading adds nothing");

    // Bob's line unticked.
    let fingerprint = read.field_value("read");
    let fields = [("text", chat), ("read", &fingerprint), ("keep", "0"), ("keep", "2"), ("action", "add")];
    let added = app.post_form(&paste, &fields).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = app.get(&path).await;
    let entries = page.texts(".timeline li .prose");
    assert_eq!(entries, ["alice: the pool is full", "alice: it is back"]);

    // Text edited since it was read is read again first.
    let edited = [("text", "10:50 something else"), ("read", fingerprint.as_str()), ("keep", "0"), ("action", "add")];
    let refused = app.post_form(&paste, &edited).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text(".error-summary").contains("changed since it was read"));

    // One line the form would refuse: none is added, and the page says which.
    let bad = "1960-01-01 10:00 long before\n10:55 fine";
    let read = app.post_form(&paste, &[("text", bad), ("action", "read")]).await;
    let fingerprint = read.field_value("read");
    let refused = app
        .post_form(&paste, &[("text", bad), ("read", &fingerprint), ("keep", "0"), ("keep", "1"), ("action", "add")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.text(".error-summary").contains("Entry 1 was not added"), "{}", refused.text(".error-summary"));
    assert_eq!(app.count("timeline_entries").await, 2, "all or nothing");

    // A Slack export, read in the postmortem's offset (UTC+2): 08:15 UTC is 10:15.
    let slack = r#"[{"user_name": "carol", "text": "rolled back", "ts": "1740816900.000100"}]"#;
    let read = app.post_form(&paste, &[("text", slack), ("action", "read")]).await;
    assert_eq!(read.texts("table.pasted time"), ["2025-03-01 10:15"]);
    let fingerprint = read.field_value("read");
    let added =
        app.post_form(&paste, &[("text", slack), ("read", &fingerprint), ("keep", "0"), ("action", "add")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&path).await.texts(".timeline li .prose")[0], "carol: rolled back", "in time order");
}

/// The time field takes a time the way people write it: `10:15 AM`, a date and time, or `+5m`
/// after the latest entry.
#[tokio::test]
async fn a_time_is_typed_as_people_write_it() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let add = |time: &'static str, body: &'static str| {
        let app = &app;
        let path = path.clone();
        async move { app.post_form(&format!("{path}/timeline"), &[("time", time), ("body", body)]).await }
    };
    let nothing_before = add("+5m", "Too early").await;
    assert_eq!(nothing_before.status, StatusCode::UNPROCESSABLE_ENTITY, "shown again with the error");
    assert!(nothing_before.field_error("entry-time").unwrap_or_default().contains("no entry before"));
    assert_eq!(add("10:15 AM", "Alerts").await.status, StatusCode::SEE_OTHER);
    assert_eq!(add("+5m", "Paged").await.status, StatusCode::SEE_OTHER);
    assert_eq!(add("+1h30m", "Rolled back").await.status, StatusCode::SEE_OTHER);
    assert_eq!(add("2025-03-02 09:00", "Review").await.status, StatusCode::SEE_OTHER);
    let bad = add("+5 parsecs", "Nonsense").await;
    assert!(bad.field_error("entry-time").unwrap_or_default().contains("+5m, +1h or +1h30m"));
    let page = app.get(&path).await;
    assert_eq!(
        page.texts(".timeline time"),
        ["2025-03-01 10:15", "2025-03-01 10:20", "2025-03-01 11:50", "2025-03-02 09:00"],
        "in the postmortem's offset, days shown since they differ"
    );
}

/// The postmortem's start and end, as its page gives them (`datetime` of the two times shown).
async fn span(app: &TestApp, path: &str) -> Vec<String> {
    let page = app.get(path).await;
    let html = page.html();
    let selector = scraper::Selector::parse(".meta time").expect("selector");
    html.select(&selector).filter_map(|time| time.value().attr("datetime")).map(str::to_owned).collect()
}

/// The ids of the postmortem's entries, in the page's order.
async fn entry_paths(app: &TestApp, path: &str) -> Vec<String> {
    let page = app.get(path).await;
    let html = page.html();
    let selector = scraper::Selector::parse(".timeline li").expect("selector");
    html.select(&selector)
        .filter_map(|li| li.value().id()?.strip_prefix("entry-").map(|id| format!("{path}/timeline/{id}")))
        .collect()
}

/// Saves entry `entry` (its path) with `time` and `marker`, from its edit form as loaded now.
async fn edit_entry(app: &TestApp, entry: &str, time: &str, marker: &str) -> crate::harness::TestResponse {
    let page = app.get(&format!("{entry}/edit")).await;
    let (version, body) = (page.field_value("version"), page.text("#body"));
    app.post_form(entry, &[("time", time), ("body", body.as_str()), ("marker", marker), ("version", version.as_str())])
        .await
}

fn at(time: &str) -> String {
    format!("2025-03-01T{time}:00+02:00")
}

#[tokio::test]
async fn entries_marked_impact_started_and_resolved_move_the_start_and_end_unless_set_by_hand() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await; // 10:15 to 11:05
    let timeline = format!("{path}/timeline");
    app.post_form(&timeline, &[("time", "10:05"), ("body", "Deploy"), ("marker", "impact_started")]).await;
    app.post_form(&timeline, &[("time", "10:12"), ("body", "Paged"), ("marker", "detected")]).await;
    app.post_form(&timeline, &[("time", "10:40"), ("body", "Rolled back"), ("marker", "mitigated")]).await;
    let resolved = app.post_form(&timeline, &[("time", "11:20"), ("body", "Fixed"), ("marker", "resolved")]).await;
    assert_eq!(resolved.status, StatusCode::SEE_OTHER);
    assert_eq!(span(&app, &path).await, [at("10:05"), at("11:20")]);
    let page = app.get(&path).await;
    assert_eq!(page.texts(".timeline .marker"), ["Impact started", "Detected", "Mitigated", "Resolved"]);
    assert_eq!(page.texts(".meta dt")[5..], ["Detected".to_owned(), "Mitigated".to_owned()]);
    assert_eq!(page.texts(".meta dd")[5..], ["after 7 min".to_owned(), "after 35 min".to_owned()]);

    // One entry marks each moment: marking another moves the mark, and the start with it.
    app.post_form(&timeline, &[("time", "09:58"), ("body", "Config pushed"), ("marker", "impact_started")]).await;
    assert_eq!(app.get(&path).await.texts(".timeline .marker").iter().filter(|m| *m == "Impact started").count(), 1);
    assert_eq!(span(&app, &path).await, [at("09:58"), at("11:20")]);

    // Moving the marked entry moves the end.
    let entries = entry_paths(&app, &path).await;
    let fixed = entries.last().expect("entries");
    assert_eq!(edit_entry(&app, fixed, "11:30", "resolved").await.status, StatusCode::SEE_OTHER);
    assert_eq!(span(&app, &path).await, [at("09:58"), at("11:30")]);

    // A start typed over the marked entry's is kept; the form says what it would follow.
    let edit = app.get(&format!("{path}/edit")).await;
    assert!(edit.attr("input[name=start_by_hand]", "checked").is_none());
    assert!(edit.texts("label.follows")[0].contains("Impact started"));
    let by_hand = IncidentForm {
        started_at: "2025-03-01T09:50".into(),
        ended_at: "2025-03-01T11:30".into(),
        version: edit.field_value("version"),
        ..form()
    };
    assert_eq!(app.post_form(&path, &by_hand).await.status, StatusCode::SEE_OTHER);
    assert_eq!(span(&app, &path).await, [at("09:50"), at("11:30")]);
    let first = entry_paths(&app, &path).await.remove(0);
    edit_entry(&app, &first, "09:59", "impact_started").await;
    assert_eq!(span(&app, &path).await, [at("09:50"), at("11:30")], "kept by hand");
    let edit = app.get(&format!("{path}/edit")).await;
    assert!(edit.attr("input[name=start_by_hand]", "checked").is_some());

    // Unticked and left as it is, it follows the entry again.
    let follow = IncidentForm {
        started_at: "2025-03-01T09:50".into(),
        ended_at: "2025-03-01T11:30".into(),
        version: edit.field_value("version"),
        ..form()
    };
    assert_eq!(app.post_form(&path, &follow).await.status, StatusCode::SEE_OTHER);
    assert_eq!(span(&app, &path).await, [at("09:59"), at("11:30")]);

    // Marks that would end the incident before it started are refused, and nothing changes.
    let entries = entry_paths(&app, &path).await;
    let refused = edit_entry(&app, &entries[1], "09:40", "resolved").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("marker").is_some_and(|m| m.contains("end before its impact started")));
    assert_eq!(span(&app, &path).await, [at("09:59"), at("11:30")]);
    let unknown = app.post_form(&timeline, &[("time", "10:00"), ("body", "x"), ("marker", "exploded")]).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.field_error("entry-marker").is_some());
}

#[tokio::test]
async fn two_people_marking_two_entries_at_once_leave_one_mark_and_no_error() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    for time in ["10:01", "10:02"] {
        app.post_form(&format!("{path}/timeline"), &[("time", time), ("body", "Something")]).await;
    }
    let entries = entry_paths(&app, &path).await;
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            edit_entry(&app, &entries[0], "10:01", "impact_started"),
            edit_entry(&app, &entries[1], "10:02", "impact_started"),
        );
        for response in [&a, &b] {
            assert!([StatusCode::SEE_OTHER, StatusCode::CONFLICT].contains(&response.status), "{:?}", response.status);
        }
        let marks = app.get(&path).await.texts(".timeline .marker");
        assert_eq!(marks, ["Impact started"]);
    }
}

#[tokio::test]
async fn a_slack_export_file_is_read_like_pasted_text() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await; // UTC+2
    let paste = format!("{path}/timeline/paste");
    // 08:15 and 08:22 UTC: 10:15 and 10:22 in the postmortem's offset, oldest first.
    let export = br#"[{"type": "message", "user_name": "bob", "text": "rolling back", "ts": "1740817320.000200"},
                      {"type": "message", "user_name": "alice", "text": "pool is full", "ts": "1740816900.000100"}]"#;
    let parts: [(&str, Option<&str>, &[u8]); 3] =
        [("text", None, b""), ("file", Some("2025-03-01.json"), export), ("action", None, b"read")];
    let read = app.post_multipart(&paste, &parts).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.texts("table.pasted time"), ["2025-03-01 10:15", "2025-03-01 10:22"]);
    assert!(read.text("#pasted").contains("rolling back"), "the file's text is in the box to add from");

    // No file chosen: the typed text is read. A binary file is refused with its reason.
    let parts: [(&str, Option<&str>, &[u8]); 3] =
        [("text", None, b"10:30 typed"), ("file", Some(""), b""), ("action", None, b"read")];
    assert_eq!(app.post_multipart(&paste, &parts).await.texts("table.pasted time"), ["2025-03-01 10:30"]);
    let parts: [(&str, Option<&str>, &[u8]); 2] =
        [("file", Some("x.json"), b"\x00\x01binary"), ("action", None, b"read")];
    let refused = app.post_multipart(&paste, &parts).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("timeline_entries").await, 0);
}

#[tokio::test]
async fn a_marker_or_by_hand_box_that_is_not_one_is_refused_or_ignored_never_a_500() {
    let app = TestApp::new().await;
    let path = app.create_incident(&form()).await;
    let huge = "impact_started".repeat(10_000);
    for marker in ["impact_started\0", "ımpact_started", "IMPACT_STARTED", " resolved x", huge.as_str()] {
        let response =
            app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "x"), ("marker", marker)]).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{marker:.40}");
        assert!(response.field_error("entry-marker").is_some());
    }
    assert_eq!(app.count("timeline_entries").await, 0);
    // Surrounding spaces are forgiven, as in every other field.
    let spaced =
        app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", "x"), ("marker", " resolved ")]).await;
    assert_eq!(spaced.status, StatusCode::SEE_OTHER);
    // A box with any value but "on" is not ticked; none of them is a 500.
    for (n, ticked) in ["\0", "yes please", &"on".repeat(50_000)].into_iter().enumerate() {
        let version = app.get(&format!("{path}/edit")).await.field_value("version");
        let fields =
            IncidentForm { start_by_hand: ticked.to_owned(), end_by_hand: ticked.to_owned(), version, ..form() };
        let saved = app.post_form(&path, &fields).await;
        assert!(saved.status.is_redirection() || saved.status.is_client_error(), "{n}: {}", saved.status);
    }
}
