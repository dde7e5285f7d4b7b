//! A real browser for end-to-end tests: Debian's `chromium`, driven through `chromedriver` by
//! W3C WebDriver (JSON over HTTP on loopback), against Hindsight served on a real port.
//!
//! The client is the dozen WebDriver commands these tests use, over the `reqwest` Hindsight
//! already has. (fantoccini, the maintained client, brings Mozilla's `webdriver` crate and
//! with it a second ICU stack and `http` 0.2: 22 crates to build for what fits on this page.)
//! Browser-only settings (dark mode, scripts off) go through chromedriver's own CDP command.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::TestApp;

/// W3C WebDriver's key for an element reference in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a test waits for something to show up in the page.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A running chromedriver; stopped when dropped.
pub struct Driver {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Driver {
    /// Starts chromedriver, or `None` where there is no browser to drive (a developer's machine
    /// without Chromium; CI installs it, and there its absence fails the test).
    pub async fn start() -> Option<Driver> {
        let found = ["chromedriver", "chromium.chromedriver"]
            .iter()
            .find(|name| Command::new("which").arg(name).output().is_ok_and(|out| out.status.success()));
        let Some(binary) = found else {
            assert!(std::env::var_os("CI").is_none(), "chromedriver is required for the browser tests in CI");
            eprintln!("chromedriver is not installed: skipping a browser test");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("addr").port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() };
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if let Ok(status) = driver.http.get(format!("{}/status", driver.url)).send().await
                && status.status().is_success()
            {
                return Some(driver);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start");
    }

    /// A new browser window of `width` × `height`, light or dark, with or without scripts.
    pub async fn browser(&self, options: Options) -> Browser {
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--hide-scrollbars", format!("--window-size={},{}", options.width, options.height)],
            },
        }}});
        let created = command(&self.http, reqwest::Method::POST, &format!("{}/session", self.url), Some(capabilities))
            .await
            .expect("a browser session");
        let id = created["sessionId"].as_str().expect("a session id").to_owned();
        let browser = Browser { http: self.http.clone(), session: format!("{}/session/{id}", self.url) };
        browser.window_size(options.width, options.height).await;
        if options.dark {
            browser
                .cdp(
                    "Emulation.setEmulatedMedia",
                    json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]}),
                )
                .await;
        }
        if !options.scripts {
            browser.cdp("Emulation.setScriptExecutionDisabled", json!({"value": true})).await;
        }
        browser
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a browser window is set up.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub width: u32,
    pub height: u32,
    pub dark: bool,
    pub scripts: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { width: 1280, height: 900, dark: false, scripts: true }
    }
}

/// One WebDriver command: its `value`, or the driver's error.
async fn command(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let request = http.request(method, url);
    let request = match body {
        Some(body) => request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string()),
        None => request,
    };
    let response = request.send().await.map_err(|error| error.to_string())?;
    let ok = response.status().is_success();
    let text = response.text().await.map_err(|error| error.to_string())?;
    let json: Value = serde_json::from_str(&text).map_err(|error| format!("{error}: {text}"))?;
    if ok { Ok(json["value"].clone()) } else { Err(json["value"].to_string()) }
}

/// A browser window (a WebDriver session).
pub struct Browser {
    http: reqwest::Client,
    session: String,
}

impl Browser {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.session);
        command(&self.http, method.clone(), &url, body).await.unwrap_or_else(|error| panic!("{method} {path}: {error}"))
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// A Chrome DevTools command, through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.post("/goog/cdp/execute", json!({"cmd": cmd, "params": params})).await
    }

    pub async fn window_size(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height})).await;
        // The viewport itself, whatever the window's frame takes.
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        )
        .await;
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap_or_default().to_owned()
    }

    /// The elements matching `css` now.
    pub async fn all(&self, css: &str) -> Vec<String> {
        let found = self.post("/elements", json!({"using": "css selector", "value": css})).await;
        found.as_array().into_iter().flatten().filter_map(|e| e[ELEMENT].as_str().map(str::to_owned)).collect()
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(first) = self.all(css).await.into_iter().next() {
                return first;
            }
            if started.elapsed() > PATIENCE {
                let page = self.execute("return document.documentElement.outerHTML;", json!([])).await;
                panic!("nothing matches {css} on {}:\n{}", self.url().await, page.as_str().unwrap_or_default());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types `text` into the element matching `css` (after what it holds).
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/value"), json!({"text": text})).await;
    }

    /// Empties a field, then types `text` into it.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/clear"), json!({})).await;
        self.post(&format!("/element/{element}/value"), json!({"text": text})).await;
    }

    /// Sets a field's value directly, firing `input` as typing would (for values a keyboard
    /// cannot type quickly, such as a date-time field's, or long text).
    pub async fn set_value(&self, css: &str, value: &str) {
        let element = self.find(css).await;
        let script = "arguments[0].value = arguments[1]; \
                      arguments[0].dispatchEvent(new Event('input', {bubbles: true})); \
                      arguments[0].dispatchEvent(new Event('change', {bubbles: true}));";
        self.execute(script, json!([{ELEMENT: element}, value])).await;
    }

    /// Presses keys as a person would, wherever the focus is: each of `keys` down then up, in
    /// order, with `modifiers` (WebDriver's key codes, such as `\u{E009}` for Control) held.
    pub async fn press(&self, modifiers: &[&str], keys: &[&str]) {
        let mut actions: Vec<Value> = modifiers.iter().map(|key| json!({"type": "keyDown", "value": key})).collect();
        for key in keys {
            actions.push(json!({"type": "keyDown", "value": key}));
            actions.push(json!({"type": "keyUp", "value": key}));
        }
        actions.extend(modifiers.iter().rev().map(|key| json!({"type": "keyUp", "value": key})));
        self.post("/actions", json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})).await;
        self.call(reqwest::Method::DELETE, "/actions", None).await;
    }

    /// Waits until the element with id `id` has the focus.
    pub async fn wait_for_focus(&self, id: &str) {
        let started = Instant::now();
        loop {
            let focused = self.focused_id().await;
            if focused == id {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "{id} never had the focus; {focused:?} has it");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The id of the element that has the focus.
    pub async fn focused_id(&self) -> String {
        let id = self.execute("return document.activeElement ? document.activeElement.id : '';", json!([])).await;
        id.as_str().unwrap_or_default().to_owned()
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/click"), json!({})).await;
    }

    /// The visible text of the first element matching `css`, waiting for one. (Read by a script
    /// in one step, so a page that is being replaced cannot leave a stale element between.)
    pub async fn text(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let script = "var e = document.querySelector(arguments[0]); return e ? e.innerText : null;";
            let text = command(
                &self.http,
                reqwest::Method::POST,
                &format!("{}/execute/sync", self.session),
                Some(json!({"script": script, "args": [css]})),
            )
            .await
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned));
            if let Some(text) = text {
                return text;
            }
            if started.elapsed() > PATIENCE {
                self.find(css).await; // fails, saying what the page holds
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the first element matching `css` has text containing `wanted`.
    pub async fn wait_for_text(&self, css: &str, wanted: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text(css).await;
            if text.contains(wanted) {
                return text;
            }
            assert!(started.elapsed() < PATIENCE, "{css} never showed {wanted:?}; it shows {text:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page's address contains `part`.
    pub async fn wait_for_url(&self, part: &str) -> String {
        let started = Instant::now();
        loop {
            let url = self.url().await;
            if url.contains(part) {
                return url;
            }
            assert!(started.elapsed() < PATIENCE, "the address never contained {part:?}; it is {url}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page: its return value.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args})).await
    }

    /// Runs `script` (a function body whose last argument is the callback to call with the
    /// result) in the page and waits for it.
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args})).await
    }

    /// A screenshot of the whole page (not only the window) as a PNG at `path`.
    pub async fn screenshot(&self, path: &Path) {
        let shot = self.cdp("Page.captureScreenshot", json!({"format": "png", "captureBeyondViewport": true})).await;
        let data = shot["data"].as_str().expect("a screenshot");
        let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data).expect("base64");
        std::fs::write(path, bytes).expect("write the screenshot");
    }

    pub async fn close(self) {
        self.call(reqwest::Method::DELETE, "", None).await;
    }
}

/// Hindsight served on a real port, as a browser reaches it.
pub struct Served {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Served {
    pub async fn start(app: &TestApp) -> Served {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        Served::on(app, listener)
    }

    /// Served again at `base`, as a restarted server would be (a browser's storage belongs to
    /// the address, so a test of it needs the same one).
    pub async fn restart_at(app: &TestApp, base: &str) -> Served {
        let address = base.trim_start_matches("http://");
        let started = Instant::now();
        loop {
            match tokio::net::TcpListener::bind(address).await {
                Ok(listener) => return Served::on(app, listener),
                Err(error) if started.elapsed() > PATIENCE => panic!("could not listen on {address} again: {error}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    fn on(app: &TestApp, listener: tokio::net::TcpListener) -> Served {
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            stopped.await.ok();
        };
        tokio::spawn(hindsight::server::listen::serve(listener, app.router(), signal, Duration::from_secs(1)));
        Served { base, stop: Some(stop) }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Where screenshots go: `target/tmp/e2e-screenshots`.
pub fn screenshot_folder() -> PathBuf {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
    std::fs::create_dir_all(&folder).expect("a folder for screenshots");
    folder
}

/// axe-core, from npm (`.ci/run` installs it into `target/npm`; `AXE_CORE_JS` names another
/// copy), or `None` where it is not installed outside CI.
pub fn axe_core() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm/node_modules/axe-core/axe.min.js"));
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) => {
            assert!(std::env::var_os("CI").is_none(), "axe-core is required in CI: {} is missing", path.display());
            eprintln!("axe-core is not installed at {}: skipping the accessibility check", path.display());
            None
        }
    }
}

/// axe-core's violations on the page now, as (impact, rule, how many elements, help).
pub async fn accessibility_violations(browser: &Browser, axe: &str) -> Vec<(String, String, usize, String)> {
    // Loaded by the driver, which the page's Content-Security-Policy does not govern.
    browser.execute(&format!("{axe}\n;return typeof axe;"), json!([])).await;
    let script = "var done = arguments[arguments.length - 1];\
        axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(JSON.stringify(r.violations)); },\
        function (e) { done(JSON.stringify([{impact: 'error', id: String(e), nodes: [], help: ''}])); });";
    let found = browser.execute_async(script, json!([])).await;
    let violations: Vec<Value> = serde_json::from_str(found.as_str().unwrap_or("[]")).expect("axe's answer");
    violations
        .iter()
        .map(|v| {
            let text = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
            // The help, and where: each element's selector and why it fails.
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|node| format!("{} ({})", node["target"], node["failureSummary"].as_str().unwrap_or_default()))
                .collect();
            let help = format!("{}: {}", text("help"), nodes.join("; "));
            (text("impact"), text("id"), v["nodes"].as_array().map_or(0, Vec::len), help)
        })
        .collect()
}
