//! Hostile Markdown and HTML in every kind of field, rendered by Hindsight and loaded in a real
//! headless Chromium: no script runs. The page is loaded from a file, so no Content-Security-Policy
//! helps: this proves the sanitizer alone. A harness script added to the page gives payloads a
//! `xss()` to call, and clicks every link once the page has loaded (so `javascript:` URLs would
//! run); a positive control proves the harness sees a script that does run.

use std::path::{Path, PathBuf};
use std::process::Command;

use hindsight::domain::Section;
use hindsight::domain::input::IncidentForm;

use hindsight::domain::Role;

use crate::harness::{TestApp, form};

/// Marks the page when any payload runs. After load it fires the events an inline handler could
/// wait for on every element, clicks every link and fires every form's submit event. The page
/// must stay put for its DOM to be read: a link is followed only if it is `javascript:` (which
/// runs in place), and a form's submit event is dispatched rather than the form submitted. (It
/// once submitted them: every page with a form, which is every page, then navigated away, and
/// the DOM read was Chromium's error page, on which nothing could show that a payload ran.)
const HARNESS: &str = "<script>window.xss=function(){document.documentElement.setAttribute('data-pwned','1')};\
document.addEventListener('click',function(e){var a=e.target.closest('a[href],area[href]');\
if(a&&a.protocol!=='javascript:'){e.preventDefault()}},true);\
window.addEventListener('load',function(){\
var events=['mouseover','mouseenter','mousedown','mouseup','pointerdown','focus','blur','input','change',\
'keydown','animationstart','transitionend','toggle','error','load','wheel','copy','paste'];\
document.querySelectorAll('*').forEach(function(el){events.forEach(function(t){try{el.dispatchEvent(new Event(t))}catch(e){}})});\
document.querySelectorAll('a[href],area[href]').forEach(function(a){try{a.click()}catch(e){}});\
document.querySelectorAll('form').forEach(function(f){try{f.dispatchEvent(new Event('submit',{cancelable:true}))}catch(e){}});\
document.documentElement.setAttribute('data-harness-ran','1');});</script>";

/// What the harness leaves on a page a payload ran on (the attribute, not the script's text).
const PWNED: &str = "data-pwned=\"1\"";

/// Each calls `xss()` if it ever runs.
const PAYLOADS: &[&str] = &[
    // Raw HTML with event handlers.
    "<img src=x onerror=xss()>",
    "<img src=x onerror=\"xss()\">",
    "<IMG SRC=x OnErRoR=xss()>",
    "<img src=x onerror=&#120;&#115;&#115;()>",
    "<svg onload=xss()>",
    "<svg><script>xss()</script></svg>",
    "<svg><animate onbegin=xss() attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:xss()\"><text x=20 y=20>svg link</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=xss()>",
    "<math href=\"javascript:xss()\">math link</math>",
    "<body onload=xss()>",
    "<details open ontoggle=xss()>",
    "<video><source onerror=xss()></video>",
    "<audio src=x onerror=xss()>",
    "<input autofocus onfocus=xss()>",
    "<select autofocus onfocus=xss()></select>",
    "<textarea autofocus onfocus=xss()></textarea>",
    "<marquee onstart=xss()>m</marquee>",
    "<div onmouseover=xss() style=\"position:fixed;inset:0\">cover</div>",
    "<iframe src=\"javascript:xss()\"></iframe>",
    "<iframe srcdoc=\"<script>parent.xss()</script>\"></iframe>",
    "<object data=\"javascript:xss()\"></object>",
    "<embed src=\"javascript:xss()\">",
    "<script>xss()</script>",
    "<script src=\"data:text/javascript,xss()\"></script>",
    "<ScRiPt>xss()</sCrIpT>",
    "<form action=\"javascript:xss()\"><button>go</button></form>",
    "<form><button formaction=\"javascript:xss()\">go</button></form>",
    "<a href=\"javascript:xss()\">raw link</a>",
    "<a href=\"  javascript:xss()\">spaced raw link</a>",
    "<a href=\"jav&#x09;ascript:xss()\">tab entity</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;xss()\">decimal entities</a>",
    "<a href=\"&#x6A;avascript:xss()\">hex entity</a>",
    "<a href=\"JaVaScRiPt:xss()\">mixed case</a>",
    "<a href=\"data:text/html,<script>xss()</script>\">data link</a>",
    "<a href=\"vbscript:xss()\">vbscript</a>",
    "<area href=\"javascript:xss()\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:xss()\">",
    "<base href=\"javascript:xss()//\">",
    "<link rel=stylesheet href=\"javascript:xss()\">",
    "<style>@import 'javascript:xss()';</style>",
    "<div style=\"background:url(javascript:xss())\">bg</div>",
    // Mutation XSS and parser confusion.
    "<noscript><p title=\"</noscript><img src=x onerror=xss()>\">",
    "<title><img src=x onerror=xss()></title>",
    "<textarea><img src=x onerror=xss()></textarea>",
    "<svg><style><img src=x onerror=xss()></style></svg>",
    "<!--><img src=x onerror=xss()>-->",
    "<![CDATA[><img src=x onerror=xss()>]]>",
    "<xmp><img src=x onerror=xss()></xmp>",
    "<template><img src=x onerror=xss()></template>",
    "<img src=\"x` `<script>xss()</script>\"` `>",
    "<a href=\"x\" onclick=xss()>clicked link</a>",
    // DOM clobbering.
    "<form id=xss><input name=call></form>",
    "<img name=getElementById src=x>",
    "<a id=defaultView href=\"javascript:xss()\">clobber</a>",
    // Markdown link forms.
    "[inline](javascript:xss())",
    "[inline title](javascript:xss() \"t\")",
    "[angle](<javascript:xss()>)",
    "[reference][r]\n\n[r]: javascript:xss()",
    "<javascript:xss()>",
    "[entity](jav&#97;script:xss())",
    "[escaped](java\\script:xss())",
    "[data](data:text/html;base64,PHNjcmlwdD54c3MoKTwvc2NyaXB0Pg==)",
    "![image](javascript:xss())",
    "![image onerror](x\"onerror=\"xss())",
    "[![nested](x)](javascript:xss())",
    "[footnote link][^1]\n\n[^1]: [in a footnote](javascript:xss())",
    "| table |\n|---|\n| <img src=x onerror=xss()> |",
    "- [ ] <img src=x onerror=xss()> task",
    "```html\n<img src=x onerror=xss()>\n```\n\n`<img src=x onerror=xss()>`",
    "> <img src=x onerror=xss()>",
];

/// The id at the end of a postmortem's address.
fn id_of(path: &str) -> i64 {
    path.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id")
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        let found = Command::new("which").arg(name).output().ok()?;
        found.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&found.stdout).trim()))
    })
}

/// The DOM after Chromium loaded `html` (with the harness) and ran what it would run.
fn run_in_chromium(browser: &Path, dir: &Path, name: &str, html: &str) -> String {
    let page = html.replacen("<head>", &format!("<head>{HARNESS}"), 1);
    assert_ne!(page, html, "the page has a <head> to put the harness in");
    let file = dir.join(name);
    std::fs::write(&file, page).expect("write the page");
    let output = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000", "--dump-dom"])
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("run Chromium");
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(dom.contains("</html>"), "Chromium printed the page: {}", String::from_utf8_lossy(&output.stderr));
    // The page itself, not one it navigated to: otherwise a payload could run unseen.
    assert!(dom.contains("data-harness-ran=\"1\""), "the harness ran to its end on {name}, which stayed put:\n{dom}");
    dom
}

#[tokio::test]
async fn hostile_markdown_never_runs_in_a_real_browser() {
    let Some(browser) = chromium() else {
        // CI installs Chromium (.ci/run); a developer's machine may not have it.
        assert!(std::env::var_os("CI").is_none(), "Chromium is required for this test in CI");
        eprintln!("Chromium is not installed: skipping the browser XSS test");
        return;
    };
    let dir = std::env::temp_dir().join(format!("hindsight-xss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");

    // The positive control: the same harness sees a payload that is not sanitized.
    let control = format!("<!doctype html><html><head></head><body>{}</body></html>", PAYLOADS[0]);
    assert!(run_in_chromium(&browser, &dir, "control.html", &control).contains(PWNED), "the harness sees XSS");
    for (name, body) in [
        ("link.html", "<a href=\"javascript:xss()\">x</a>"),
        ("hover.html", "<p onmouseover=\"xss()\">hover</p>"),
        ("submit.html", "<form action=\"/save\" onsubmit=\"xss()\"><button>Save</button></form>"),
        // A page's own links and forms (sign out, say) do not take it elsewhere before it is read.
        (
            "stays.html",
            "<a href=\"/logout\">out</a><form method=\"post\" action=\"/logout\"><button>Sign out</button></form>\
             <p onmouseover=\"xss()\">hover</p>",
        ),
    ] {
        let control = format!("<!doctype html><html><head></head><body>{body}</body></html>");
        assert!(run_in_chromium(&browser, &dir, name, &control).contains(PWNED), "the harness sees {body}");
    }

    // Every payload in every kind of field, a postmortem per group so no payload can hide another.
    let app = TestApp::new().await;
    let mut pages: Vec<String> = Vec::new();
    for (group, payloads) in PAYLOADS.chunks(12).enumerate() {
        let prose = payloads.join("\n\n");
        let incident = IncidentForm { title: format!("XSS group {group} {}", payloads[0]), ..form() }
            .with(Section::Summary, prose.clone())
            // Each sentence also draws the writing advice, which quotes it on the page.
            .with(
                Section::Impact,
                payloads.iter().map(|p| format!("We should have seen {p}")).collect::<Vec<_>>().join("\n\n"),
            )
            .with(Section::RootCause, prose.clone())
            .with(Section::LessonsLearned, prose.clone());
        let path = app.create_incident(&incident).await;
        // What follows is a second revision, so the diff between them shows every payload.
        sqlx::query("UPDATE revisions SET updated_at = now() - interval '1 hour'")
            .execute(&app.pool)
            .await
            .expect("age");
        for payload in payloads {
            app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", payload)]).await;
            let line = payload.replace('\n', " ");
            app.post_form(&format!("{path}/actions"), &[("body", line.as_str()), ("owner", line.as_str())]).await;
            app.post_form(&format!("{path}/sections"), &[("heading", line.as_str()), ("body", payload)]).await;
        }
        // The review's discussion, and a send-back's reasons, are Markdown too.
        let comment = app.post_form(&format!("{path}/comments"), &[("body", prose.as_str())]).await;
        assert_eq!(comment.status, axum::http::StatusCode::SEE_OTHER, "the comment was saved");
        let json: serde_json::Value = serde_json::from_str(&app.get(&format!("/api{path}")).await.body).expect("JSON");
        for list in ["timeline", "action_items", "sections"] {
            assert_eq!(json[list].as_array().map(Vec::len), Some(payloads.len()), "every payload saved in {list}");
        }
        assert!(!app.get(&path).await.texts("#writing-advice li").is_empty(), "the advice quotes the payloads");
        // Services, tags and contributing factors named and explained with every payload (as
        // far as each may hold: one line, no comma, its length).
        let one_line = |payload: &str, max: usize| -> String {
            payload.chars().map(|c| if c.is_control() || c == ',' { ' ' } else { c }).take(max).collect()
        };
        let kinds: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM factor_kinds ORDER BY id").fetch_all(&app.pool).await.expect("kinds");
        let version: i32 = sqlx::query_scalar("SELECT version FROM incidents WHERE id = $1")
            .bind(json["id"].as_i64().expect("an id"))
            .fetch_one(&app.pool)
            .await
            .expect("a version");
        let labels = serde_json::json!({
            "version": version,
            "services": payloads.iter().map(|p| one_line(p, 100)).collect::<Vec<_>>(),
            "tags": payloads.iter().map(|p| one_line(p, 60)).collect::<Vec<_>>(),
            "factors": kinds.iter().zip(payloads.iter().cycle()).map(|(id, p)| serde_json::json!({ "id": id, "explanation": one_line(p, 500) })).collect::<Vec<_>>(),
        });
        let saved = app.post_body(&format!("/api{path}/labels"), "application/json", labels.to_string()).await;
        assert_eq!(saved.status, axum::http::StatusCode::OK, "the labels were saved: {}", saved.body);
        pages.push(path);
    }
    // People and teams named with every payload: they show in the header, the admin pages, the
    // audit log, as action-item owners and in the list of owners to link.
    let mut people = Vec::new();
    for (n, payload) in PAYLOADS.iter().enumerate() {
        let name: String = payload.replace('\n', " ").chars().take(200).collect();
        let email = format!("xss{n}@example.com");
        people.push(
            hindsight::db::users::insert(&app.pool, &email, &name, Role::Engineer, None).await.expect("a person"),
        );
        let team: String = payload.replace('\n', " ").chars().take(100).collect();
        app.post_form("/admin/teams", &[("name", format!("{team} {n}"))]).await;
    }
    sqlx::query(
        "UPDATE action_items a SET owner_id = u.id FROM users u
         WHERE a.id % 2 = 0 AND u.email = 'xss' || (a.id % $1) || '@example.com'",
    )
    .bind(i64::try_from(PAYLOADS.len()).expect("a small number"))
    .execute(&app.pool)
    .await
    .expect("give items to hostile-named people");
    sqlx::query("UPDATE action_items a SET team_id = t.id FROM teams t WHERE t.id % 5 = a.id % 5")
        .execute(&app.pool)
        .await
        .expect("give items to hostile-named teams");
    sqlx::query(
        "INSERT INTO team_members (team_id, user_id) SELECT t.id, u.id FROM teams t, users u WHERE t.id % 7 = u.id % 7",
    )
    .execute(&app.pool)
    .await
    .expect("put them in teams");
    // Verified with hostile evidence (a web address that breaks out of its attribute among
    // them), by hostile-named people, and flagged recurred: on the postmortem page, an item's
    // page and the ledger.
    sqlx::query(
        "UPDATE action_items a SET status = 'done', completed_at = now(), wont_do_reason = '',
             verified_at = now(), verified_by = u.id, verified_by_name = u.name,
             verification_evidence = CASE WHEN a.id % 2 = 0 THEN 'https://x.example.com/\"><script>xss()</script>'
                                          ELSE a.body END
         FROM users u
         WHERE a.id % 3 = 0 AND btrim(a.body) <> '' AND u.email = 'xss' || (a.id % $1) || '@example.com'",
    )
    .bind(i64::try_from(PAYLOADS.len()).expect("a small number"))
    .execute(&app.pool)
    .await
    .expect("verify items with hostile evidence");
    sqlx::query(
        "INSERT INTO action_item_recurrences (action_item_id, incident_id)
         SELECT a.id, (SELECT max(id) FROM incidents) FROM action_items a WHERE a.id % 4 = 0",
    )
    .execute(&app.pool)
    .await
    .expect("flag items recurred");
    let verified_item: (i64, i64) =
        sqlx::query_as("SELECT incident_id, id FROM action_items WHERE verified_at IS NOT NULL ORDER BY id LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("a verified item");
    for (n, payload) in PAYLOADS.iter().enumerate() {
        let name: String =
            payload.chars().map(|c| if c.is_control() || c == ',' || c == '—' { ' ' } else { c }).take(50).collect();
        let description: String = payload.chars().map(|c| if c.is_control() { ' ' } else { c }).take(300).collect();
        app.post_form("/admin/factors", &[("name", format!("{name} form {n}")), ("description", description)]).await;
    }
    let first_team: i64 = sqlx::query_scalar("SELECT min(id) FROM teams").fetch_one(&app.pool).await.expect("a team");
    // Templates named, described and written with every payload: their list, their pages, the
    // new-postmortem form that offers them, and a postmortem that shows their questions.
    let mut template_views = Vec::new();
    for (group, payloads) in PAYLOADS.chunks(12).enumerate() {
        let line = |payload: &str| payload.replace('\n', " ");
        let name: String = format!("T{group} {}", line(payloads[0])).chars().take(100).collect();
        let description: String =
            payloads.iter().map(|p| line(p)).collect::<Vec<_>>().join(" ").chars().take(500).collect();
        let body: String = payloads
            .iter()
            .enumerate()
            .map(|(i, payload)| {
                let heading: String = line(payload).chars().take(150).collect();
                format!("## Part{i} {heading}\n\n{payload}\n\n")
            })
            .collect();
        let made = app
            .post_form("/admin/templates", &[("name", name.as_str()), ("description", &description), ("body", &body)])
            .await;
        assert_eq!(made.status, axum::http::StatusCode::SEE_OTHER, "template group {group}: {}", made.body);
        let id: i64 =
            sqlx::query_scalar("SELECT max(id) FROM postmortem_templates").fetch_one(&app.pool).await.expect("an id");
        sqlx::query("UPDATE severity_rules SET template_id = $1 WHERE severity = 'SEV5'")
            .bind(id)
            .execute(&app.pool)
            .await
            .expect("a rule");
        let path =
            app.create_incident(&IncidentForm { severity: "SEV5".into(), template: id.to_string(), ..form() }).await;
        template_views.extend([format!("/admin/templates/{id}"), path.clone(), format!("{path}/edit")]);
    }
    template_views.extend(["/admin/templates".to_owned(), "/incidents/new".to_owned()]);
    // Services, factor kinds and tags named with every payload, on every postmortem, and a
    // confirmed recurrence: the service pages, the themes page, the search filters, similar
    // incidents and the recurrence links show them.
    let mut learning_views = vec!["/services".to_owned(), "/themes?from=2025-01-01&to=2025-12-31".to_owned()];
    for (n, payload) in PAYLOADS.iter().enumerate() {
        let line: String = payload.chars().map(|c| if c.is_control() || c == ',' { ' ' } else { c }).collect();
        let line: String = line.trim().chars().take(50).collect();
        let line = if line.is_empty() { "x".to_owned() } else { line };
        let service: i64 = sqlx::query_scalar("INSERT INTO services (name) VALUES ($1) RETURNING id")
            .bind(format!("{line} {n}"))
            .fetch_one(&app.pool)
            .await
            .expect("a hostile service");
        let kind: i64 = sqlx::query_scalar("INSERT INTO factor_kinds (name) VALUES ($1) RETURNING id")
            .bind(format!("{line} {n}"))
            .fetch_one(&app.pool)
            .await
            .expect("a hostile factor kind");
        let incident = id_of(&pages[n % pages.len()]);
        sqlx::query("INSERT INTO incident_services (incident_id, service_id) VALUES ($1, $2)")
            .bind(incident)
            .bind(service)
            .execute(&app.pool)
            .await
            .expect("a link");
        sqlx::query("INSERT INTO incident_factors (incident_id, factor_id, explanation) VALUES ($1, $2, $3)")
            .bind(incident)
            .bind(kind)
            .bind(*payload)
            .execute(&app.pool)
            .await
            .expect("a factor");
        sqlx::query("INSERT INTO incident_tags (incident_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(incident)
            .bind(format!("{line} {n}"))
            .execute(&app.pool)
            .await
            .expect("a tag");
        if n % 12 == 0 {
            learning_views.extend([format!("/services/{service}"), format!("/search?service={service}&factor={kind}")]);
        }
    }
    // Earlier postmortems for the first: similar ones, one confirmed with a recurred item.
    let (first, second) = (id_of(&pages[0]), id_of(&pages[1]));
    sqlx::query("UPDATE incidents SET started_at = started_at - interval '1 day' WHERE id <> $1")
        .bind(first)
        .execute(&app.pool)
        .await
        .expect("make the others earlier");
    sqlx::query("UPDATE action_items SET status = 'done', completed_at = now() WHERE incident_id = $1")
        .bind(second)
        .execute(&app.pool)
        .await
        .expect("done items");
    sqlx::query("INSERT INTO incident_recurrences (incident_id, earlier_id) VALUES ($1, $2)")
        .bind(first)
        .bind(second)
        .execute(&app.pool)
        .await
        .expect("a recurrence");
    sqlx::query("INSERT INTO action_item_recurrences (action_item_id, incident_id) SELECT id, $1 FROM action_items WHERE incident_id = $2")
        .bind(first)
        .bind(second)
        .execute(&app.pool)
        .await
        .expect("recurred items");
    learning_views.push(format!("/incidents/{first}/recurrences/new?earlier={second}"));
    let admin_views = [
        "/admin/users".to_owned(),
        "/admin/teams".to_owned(),
        "/admin/audit".to_owned(),
        "/admin/services".to_owned(),
        "/admin/factors".to_owned(),
        format!("{}/edit", pages[0]),
        format!("/admin/users/{}", people[3]),
        "/action-items?status=any".to_owned(),
        "/action-items?verified=yes".to_owned(),
        "/action-items?verified=recurred".to_owned(),
        format!("/incidents/{}/actions/{}/edit", verified_item.0, verified_item.1),
        "/teams".to_owned(),
        format!("/teams/{}", first_team),
    ]
    .into_iter()
    .chain(learning_views);

    let views = pages.iter().flat_map(|path| {
        [
            path.clone(),
            format!("{path}/markdown"),
            format!("{path}/revisions"),
            format!("{path}/revisions/2"),
            format!("{path}/compare?from=1&to=2"),
        ]
    });
    let mut checked = Vec::new();
    // Search results: each title and snippet cut from hostile text, the matches marked.
    let searches =
        ["/search?q=xss", "/search?q=img+onerror", "/search?q=javascript+link", "/search?q=alert&order=date"]
            .map(str::to_owned);
    for view in views.chain(["/incidents".to_owned()]).chain(searches).chain(admin_views).chain(template_views) {
        checked.push((view.clone(), app.get(&view).await));
    }
    // Signed in as someone whose name is hostile: the header shows it on every page.
    for person in people.iter().step_by(9) {
        app.new_session(*person).await;
        app.post_form(&format!("{}/timeline", pages[0]), &[("time", "11:00"), ("body", "Seen")]).await;
        for view in ["/account".to_owned(), pages[0].clone(), "/action-items/mine".to_owned()] {
            checked.push((view.clone(), app.get(&view).await));
        }
    }
    let mut shown: Vec<(String, String)> = Vec::new();
    for (view, page) in checked {
        assert!(page.status.is_success(), "{view}: {}", page.status);
        shown.push((view, page.body));
    }
    // The preview beside each field, as the script puts it in the page, and the form's own
    // Preview button (without a script): every payload, rendered but not saved.
    for payloads in PAYLOADS.chunks(12) {
        let prose = payloads.join("\n\n");
        let fragment = app.post_form("/preview", &[("markdown", prose.as_str())]).await;
        assert!(fragment.status.is_success(), "preview: {}", fragment.status);
        let page = format!(
            "<!doctype html><html><head></head><body><div class=\"prose\">{}</div></body></html>",
            fragment.body
        );
        shown.push(("/preview".to_owned(), page));
        let form = IncidentForm { title: payloads[0].replace('\n', " "), ..form() }
            .with(Section::Summary, prose.clone())
            .with(Section::Impact, prose.clone());
        let body = format!("{}&action=preview", serde_urlencoded::to_string(&form).expect("a form"));
        let previewed = app.post_body("/incidents", "application/x-www-form-urlencoded", body).await;
        assert!(previewed.status.is_success(), "the Preview button: {}", previewed.status);
        assert!(previewed.body.contains("id=\"summary-preview\""), "previews are shown");
        shown.push(("the Preview button".to_owned(), previewed.body));
        // Pasted timeline lines, as text and as a Slack export whose names are payloads too.
        let lines: Vec<String> =
            payloads.iter().map(|payload| format!("10:20 {}", payload.replace('\n', " "))).collect();
        let slack: Vec<serde_json::Value> = payloads
            .iter()
            .map(|payload| serde_json::json!({"user_name": payload, "text": payload, "ts": "1740816900.0"}))
            .collect();
        for text in [lines.join("\n"), serde_json::Value::Array(slack).to_string()] {
            let read = app
                .post_form(&format!("{}/timeline/paste", pages[0]), &[("text", text.as_str()), ("action", "read")])
                .await;
            assert!(read.status.is_success(), "paste: {}", read.status);
            assert!(read.body.contains("table class=\"pasted\""), "the lines are listed");
            shown.push(("the pasted lines".to_owned(), read.body));
        }
    }
    for (i, (view, body)) in shown.iter().enumerate() {
        let dom = run_in_chromium(&browser, &dir, &format!("page-{i}.html"), body);
        assert!(!dom.contains(PWNED), "a payload ran on {view}");
    }
    let checked = shown;
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "{} hostile inputs in postmortems, names and teams, on {} pages: none ran in Chromium",
        PAYLOADS.len(),
        checked.len()
    );
}

/// Unescapes the text of an XML element (what askama escaped in the feed).
fn xml_text(escaped: &str) -> String {
    escaped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn hostile_markdown_never_runs_on_the_public_page_or_in_its_feed() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "Chromium is required for this test in CI");
        eprintln!("Chromium is not installed: skipping the browser XSS test of public versions");
        return;
    };
    let dir = std::env::temp_dir().join(format!("hindsight-xss-public-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");
    let app = TestApp::new().await;
    let approver = app.create_user(Role::Manager).await;
    let author = app.create_user(Role::Engineer).await;
    // Taking internal text out must not make a payload of what is left.
    let joined = [
        "<img src=x <!-- internal -->kept out<!-- /internal -->onerror=xss()>",
        "<scr<!-- internal -->x<!-- /internal -->ipt>xss()</script>",
        "[joined](java<!-- internal -->x<!-- /internal -->script:xss())",
        "<a href=\"javascript:xss()\"<!-- internal -->>x<!-- /internal -->>joined link</a>",
    ];
    let payloads: Vec<&str> = PAYLOADS.iter().copied().chain(joined).collect();
    let mut views: Vec<(String, String)> = Vec::new();
    let mut slugs = Vec::new();
    for (group, chunk) in payloads.chunks(12).enumerate() {
        app.new_session(author).await;
        let prose = chunk.join("\n\n");
        let incident = IncidentForm { title: format!("Public XSS {group} {}", chunk[0].replace('\n', " ")), ..form() }
            .with(Section::Summary, prose.clone())
            .with(Section::Impact, prose.clone())
            .with(Section::CorrectiveMeasures, prose.clone())
            .with(Section::PreventativeMeasures, prose.clone());
        let path = app.create_incident(&incident).await;
        for payload in chunk {
            app.post_form(&format!("{path}/timeline"), &[("time", "10:20"), ("body", payload)]).await;
            let line = payload.replace('\n', " ");
            app.post_form(&format!("{path}/actions"), &[("body", line.as_str())]).await;
        }
        sqlx::query("UPDATE incidents SET status = 'published' WHERE id = $1")
            .bind(id_of(&path))
            .execute(&app.pool)
            .await
            .expect("publish");
        let title: String =
            chunk.iter().map(|p| p.replace('\n', " ")).collect::<Vec<_>>().join(" ").chars().take(200).collect();
        let fields = [
            ("version", "0"),
            ("show_title", "on"),
            ("show_severity", "on"),
            ("show_summary", "on"),
            ("show_impact", "on"),
            ("show_timeline", "on"),
            ("show_changes", "on"),
            ("listed", "on"),
            ("public_title", title.as_str()),
            ("note", prose.as_str()),
            ("address", "random"),
            ("action", "submit"),
        ];
        let saved = app.post_form(&format!("{path}/public"), &fields).await;
        assert_eq!(saved.status, axum::http::StatusCode::SEE_OTHER, "group {group}: {}", saved.body);
        app.new_session(approver).await;
        let page = app.get(&format!("{path}/public")).await;
        let digest = page.attr("input[name=digest]", "value").expect("an approval form");
        views.push((format!("{path}/public"), page.body));
        let approved = app.post_form(&format!("{path}/public/approve"), &[("digest", digest)]).await;
        assert_eq!(approved.status, axum::http::StatusCode::SEE_OTHER, "group {group}: {}", approved.body);
        let slug: String = sqlx::query_scalar("SELECT slug FROM public_versions WHERE incident_id = $1")
            .bind(id_of(&path))
            .fetch_one(&app.pool)
            .await
            .expect("a slug");
        slugs.push(slug);
    }
    app.set_cookie(None);
    for slug in &slugs {
        let page = app.get(&format!("/p/{slug}")).await;
        assert!(page.status.is_success(), "/p/{slug}: {}", page.status);
        views.push((format!("/p/{slug}"), page.body));
        // A status page that puts the JSON's HTML into its own page.
        let json: serde_json::Value =
            serde_json::from_str(&app.get(&format!("/p/{slug}.json")).await.body).expect("JSON");
        let mut html = String::new();
        for field in ["note_html", "summary_html", "impact_html", "measures_html"] {
            html.push_str(json[field].as_str().unwrap_or_default());
        }
        for list in ["timeline", "changes"] {
            for row in json[list].as_array().into_iter().flatten() {
                html.push_str(row["html"].as_str().unwrap_or_default());
            }
        }
        assert!(!html.is_empty(), "the JSON holds the pieces' HTML");
        views
            .push((format!("/p/{slug}.json"), format!("<!doctype html><html><head></head><body>{html}</body></html>")));
    }
    // The feed: each entry's content, as a feed reader shows it.
    let feed = app.get("/p/feed.atom").await;
    assert!(feed.status.is_success());
    let contents: Vec<&str> =
        feed.body.split("<content type=\"html\">").skip(1).filter_map(|rest| rest.split("</content>").next()).collect();
    assert_eq!(contents.len(), slugs.len(), "one entry per public version");
    for (n, content) in contents.iter().enumerate() {
        views.push((
            format!("/p/feed.atom entry {n}"),
            format!("<!doctype html><html><head></head><body>{}</body></html>", xml_text(content)),
        ));
    }
    for (i, (view, body)) in views.iter().enumerate() {
        let dom = run_in_chromium(&browser, &dir, &format!("public-{i}.html"), body);
        assert!(!dom.contains(PWNED), "a payload ran on {view}");
        // (The authors' page holds the note as typed in its form: it is internal.)
        assert!(view.starts_with("/incidents") || !dom.contains("kept out"), "internal text on {view}");
    }
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "{} hostile inputs on {} public pages, JSON and feed entries: none ran in Chromium",
        payloads.len(),
        views.len()
    );
}
