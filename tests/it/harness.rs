//! The test harness: a real PostgreSQL (the server in DATABASE_URL, or a private cluster this
//! process starts), a fresh database per test cloned from a migrated template, and helpers to
//! drive the router in-process and read its HTML with CSS selectors.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use hindsight::database::private_cluster::{ClusterError, PrivateCluster};
use hindsight::database::{MIGRATOR, cluster_options, pool_options};
use hindsight::domain::input::IncidentForm;
use hindsight::domain::{Role, UserId};
use hindsight::web::admission::Limits;
use hindsight::web::auth::cookie_name;
use hindsight::{AppState, router};
use http_body_util::BodyExt as _;
use scraper::{Html, Selector};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tower::ServiceExt as _;

/// Where test databases are created, shared by every test in this process.
struct TestServer {
    admin: PgConnectOptions,
    template: String,
    /// Kept alive for the whole run; the cluster stops when the process exits.
    _cluster: Option<PrivateCluster>,
}

static SERVER: OnceLock<TestServer> = OnceLock::new();
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);
static NEXT_PERSON: AtomicUsize = AtomicUsize::new(0);

fn server() -> &'static TestServer {
    SERVER.get_or_init(|| {
        // Tests each run on their own runtime; set-up gets one of its own that it can drop.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Runtime::new().expect("a runtime for test set-up");
            runtime.block_on(TestServer::start())
        })
        .join()
        .expect("test database set-up panicked")
    })
}

impl TestServer {
    async fn start() -> TestServer {
        let (admin, cluster) = match std::env::var("DATABASE_URL") {
            Ok(url) => {
                let options: PgConnectOptions = url.parse().expect("DATABASE_URL must be a PostgreSQL URL");
                (options.database("postgres"), None)
            }
            Err(_) => {
                let cluster = start_private_cluster().await;
                (cluster_options(&cluster, "postgres"), Some(cluster))
            }
        };
        let pid = std::process::id();
        let template = format!("hindsight_test_{pid}_template");
        let mut conn = PgConnection::connect_with(&admin).await.expect("connect to the test server");
        drop_leftover_databases(&mut conn).await;
        exec(&mut conn, &format!("CREATE DATABASE {template}")).await;
        let pool = PgPool::connect_with(admin.clone().database(&template)).await.expect("connect to the template");
        MIGRATOR.run(&pool).await.expect("migrate the template database");
        pool.close().await;
        TestServer { admin, template, _cluster: cluster }
    }
}

/// A private cluster in the temp folder, reused across runs; a concurrent run gets its own.
async fn start_private_cluster() -> PrivateCluster {
    let shared = std::env::temp_dir().join("hindsight-tests");
    match PrivateCluster::start(&shared, None).await {
        Ok(cluster) => cluster,
        // Another test run (another checkout, say) holds the shared one.
        Err(ClusterError::InUse { .. } | ClusterError::AlreadyRunning { .. }) => {
            let own = std::env::temp_dir().join(format!("hindsight-tests-{}", std::process::id()));
            PrivateCluster::start(&own, None).await.expect("start a private PostgreSQL for the tests")
        }
        Err(error) => panic!("could not start a private PostgreSQL for the tests: {error}"),
    }
}

/// Drops databases left by earlier runs whose process is gone (a crashed or interrupted run).
async fn drop_leftover_databases(conn: &mut PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'hindsight\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .expect("list test databases");
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut *conn).await.ok();
        }
    }
}

/// A connection URL for `options` (the tests' servers need no password).
fn url_of(options: &PgConnectOptions) -> String {
    let user = options.get_username();
    let database = options.get_database().unwrap_or("postgres");
    match options.get_socket() {
        Some(socket) => {
            format!("postgres://{user}@localhost:{}/{database}?host={}", options.get_port(), socket.display())
        }
        None => format!("postgres://{user}@{}:{}/{database}", options.get_host(), options.get_port()),
    }
}

async fn exec(conn: &mut PgConnection, sql: &str) {
    sqlx::query(sql).execute(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// One test's application: its own database, pool and router, and the browser session it
/// sends with each request (an admin's, unless a test signs in as someone else or out).
pub struct TestApp {
    pub pool: PgPool,
    router: Router,
    /// The `Cookie` header sent with every request that has none of its own.
    cookie: Mutex<Option<String>>,
    /// Whose session the cookie is, when a test made it: `/api/` requests then carry an API
    /// token of theirs (the API takes no cookie), as a script of theirs would.
    session_user: Mutex<Option<UserId>>,
    /// The API token made for each person, on their first `/api/` request.
    api_tokens: Mutex<std::collections::HashMap<UserId, String>>,
    /// A URL for this test's database, for running the `hindsight` command against it.
    pub database_url: String,
    /// The app's wiki settings (its sealing key), for a sync worker of the same instance.
    pub wiki: Arc<hindsight::wiki::WikiSettings>,
}

/// The admission door's queue wait and request deadline in tests: as served by default.
pub const QUEUE_WAIT: Duration = Duration::from_secs(1);
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// The address requests come from, as the server's connection info would say.
pub const CLIENT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), 50_000);

impl TestApp {
    /// An app with a signed-in admin, so tests of features need not think about roles
    /// (`authorization.rs` checks every route for every role).
    pub async fn new() -> TestApp {
        let app = TestApp::anonymous().await;
        app.sign_in_as(Role::Admin).await;
        app
    }

    /// An admin's app whose webhook receivers may be on `networks` as well as the public
    /// internet (the tests' receivers listen on loopback, which is otherwise refused).
    pub async fn allowing_webhooks_to(networks: &[&str]) -> TestApp {
        let allowed = networks.iter().map(|network| network.parse().expect("a network")).collect();
        let receivers = Arc::new(hindsight::webhooks::ReceiverPolicy::allowing(allowed));
        let limits = Limits::for_pool(5, QUEUE_WAIT, REQUEST_DEADLINE);
        let app = TestApp::empty_with(Duration::from_secs(2), limits, |state| AppState { receivers, ..state }).await;
        app.sign_in_as(Role::Admin).await;
        app
    }

    /// An admin's app whose wiki destinations may be repositories on this machine (`file://`),
    /// with a sealing key of its own.
    pub async fn with_wiki() -> TestApp {
        let key = hindsight::secrets::SecretKey::random().expect("a key");
        let wiki = Arc::new(hindsight::wiki::WikiSettings {
            keyring: hindsight::secrets::Keyring::holding(key),
            allow_file_urls: true,
            git_timeout: hindsight::wiki::git::COMMAND_LIMIT,
        });
        let limits = Limits::for_pool(5, QUEUE_WAIT, REQUEST_DEADLINE);
        let app = TestApp::empty_with(Duration::from_secs(2), limits, |state| AppState { wiki, ..state }).await;
        app.sign_in_as(Role::Admin).await;
        app
    }

    /// A sync worker for this app's wiki destinations.
    pub fn wiki_syncer(&self) -> hindsight::wiki::Syncer {
        hindsight::wiki::Syncer::new(self.pool.clone(), self.wiki.clone(), "https://hindsight.example.com")
    }

    /// An app whose requests carry no session.
    pub async fn anonymous() -> TestApp {
        TestApp::empty(Duration::from_secs(2), Limits::for_pool(5, QUEUE_WAIT, REQUEST_DEADLINE)).await
    }

    /// Creates a person with `role` and a session for them, and sends it from now on.
    pub async fn sign_in_as(&self, role: Role) -> UserId {
        let id = self.create_user(role).await;
        self.new_session(id).await;
        id
    }

    /// Creates a person with `role` (and no password) without signing them in.
    pub async fn create_user(&self, role: Role) -> UserId {
        let n = NEXT_PERSON.fetch_add(1, Ordering::Relaxed);
        let email = format!("{}-{n}@example.com", role.as_str());
        hindsight::db::users::insert(&self.pool, &email, &format!("Test {} {n}", role.label()), role, None)
            .await
            .expect("create a test user")
    }

    /// Starts a new session for `user` and sends it from now on.
    pub async fn new_session(&self, user: UserId) {
        let n = NEXT_PERSON.fetch_add(1, Ordering::Relaxed);
        let secret = format!("test-session-{n}-{}", std::process::id());
        hindsight::db::sessions::insert(&self.pool, &hindsight::auth::token::digest(&secret), user)
            .await
            .expect("create a test session");
        self.set_cookie(Some(format!("{}={secret}", cookie_name(true))));
        *self.session_user.lock().expect("session lock") = Some(user);
    }

    /// Sets (or, with `None`, clears) the `Cookie` header sent from now on.
    pub fn set_cookie(&self, cookie: Option<String>) {
        *self.cookie.lock().expect("cookie lock") = cookie;
        *self.session_user.lock().expect("session lock") = None;
    }

    /// An app whose pool has `max_connections` and `acquire_timeout`, for overload tests, with
    /// a signed-in admin.
    pub async fn with_pool_settings(max_connections: u32, acquire_timeout: Duration) -> TestApp {
        let limits = Limits::for_pool(max_connections, QUEUE_WAIT, REQUEST_DEADLINE);
        let app = TestApp::empty(acquire_timeout, limits).await;
        app.sign_in_as(Role::Admin).await;
        app
    }

    /// An admin's app whose admission door has `limits`, over a pool of that many connections.
    pub async fn with_limits(limits: Limits) -> TestApp {
        let app = TestApp::empty(Duration::from_secs(2), limits).await;
        app.sign_in_as(Role::Admin).await;
        app
    }

    /// A fresh database and no session.
    async fn empty(acquire_timeout: Duration, limits: Limits) -> TestApp {
        TestApp::empty_with(acquire_timeout, limits, |state| state).await
    }

    /// A fresh database and no session, with settings changed by `adjust`.
    async fn empty_with(
        acquire_timeout: Duration,
        limits: Limits,
        adjust: impl FnOnce(AppState) -> AppState,
    ) -> TestApp {
        let max_connections = u32::try_from(limits.concurrency).expect("a small pool");
        let server = server();
        let name = format!("hindsight_test_{}_{}", std::process::id(), NEXT_DATABASE.fetch_add(1, Ordering::Relaxed));
        let mut conn = PgConnection::connect_with(&server.admin).await.expect("connect to the test server");
        exec(&mut conn, &format!("CREATE DATABASE {name} TEMPLATE {}", server.template)).await;
        conn.close().await.ok();
        let options = server.admin.clone().database(&name);
        let pool = pool_options(max_connections, acquire_timeout).connect_lazy_with(options.clone());
        let mut app = TestApp::with_state(adjust(AppState {
            readiness_timeout: Duration::from_millis(500),
            public_url: "https://hindsight.example.com".to_owned(),
            ..AppState::new(pool, limits)
        }));
        app.database_url = url_of(&options);
        app
    }

    /// An app over any pool (for example one pointing at a server that is not there). Its
    /// requests carry a session cookie, so that each one has to ask the database who it is.
    pub fn from_pool(pool: PgPool) -> TestApp {
        let app = TestApp::from_pool_anonymous(pool);
        app.set_cookie(Some(format!("{}=not-a-session", cookie_name(true))));
        app
    }

    /// Another instance of Hindsight on the same database, with the same session: nothing
    /// kept by one instance is known to the other.
    pub fn second_instance(&self) -> TestApp {
        let mut other = TestApp::from_pool_anonymous(self.pool.clone());
        other.set_cookie(self.cookie.lock().expect("cookie lock").clone());
        *other.session_user.lock().expect("session lock") = *self.session_user.lock().expect("session lock");
        other.database_url = self.database_url.clone();
        other
    }

    fn from_pool_anonymous(pool: PgPool) -> TestApp {
        let limits = Limits::for_pool(pool.options().get_max_connections(), QUEUE_WAIT, REQUEST_DEADLINE);
        let state = AppState {
            readiness_timeout: Duration::from_millis(500),
            public_url: "https://hindsight.example.com".to_owned(),
            ..AppState::new(pool, limits)
        };
        TestApp::with_state(state)
    }

    /// An app over any state (to test other authentication settings).
    pub fn with_state(state: AppState) -> TestApp {
        TestApp {
            pool: state.pool.clone(),
            wiki: state.wiki.clone(),
            router: router(state),
            cookie: Mutex::new(None),
            session_user: Mutex::new(None),
            api_tokens: Mutex::default(),
            database_url: String::new(),
        }
    }

    /// The router, to serve on a real listener (`hindsight::server::listen::serve`).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Adds what a browser and the server's listener would: the session cookie and the
    /// client's address.
    fn prepare(&self, mut request: Request<Body>) -> Request<Body> {
        if !request.headers().contains_key(header::COOKIE)
            && let Some(cookie) = self.cookie.lock().expect("cookie lock").clone()
        {
            request.headers_mut().insert(header::COOKIE, cookie.parse().expect("a valid cookie header"));
        }
        if request.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
            request.extensions_mut().insert(ConnectInfo(CLIENT));
        }
        request
    }

    /// An API token of the signed-in person for an `/api/` request that has no `Authorization`
    /// header of its own (made on their first one).
    async fn with_api_token(&self, mut request: Request<Body>) -> Request<Body> {
        let user = *self.session_user.lock().expect("session lock");
        let (Some(user), true) = (user, request.uri().path().starts_with("/api/")) else { return request };
        if request.headers().contains_key(header::AUTHORIZATION) {
            return request;
        }
        let known = self.api_tokens.lock().expect("tokens lock").get(&user).cloned();
        let secret = match known {
            Some(secret) => secret,
            None => {
                let n = NEXT_PERSON.fetch_add(1, Ordering::Relaxed);
                let secret = format!("hst_test-{n}-{}", std::process::id());
                let digest = hindsight::auth::token::digest(&secret);
                hindsight::db::api_tokens::insert(
                    &self.pool,
                    user,
                    "test script",
                    hindsight::domain::TokenScope::Api,
                    &digest,
                )
                .await
                .expect("a token");
                self.api_tokens.lock().expect("tokens lock").insert(user, secret.clone());
                secret
            }
        };
        request.headers_mut().insert(header::AUTHORIZATION, format!("Bearer {secret}").parse().expect("a header"));
        request
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let request = self.with_api_token(request).await;
        self.request_without_token(request).await
    }

    /// [`TestApp::request`] without the API token: an `/api/` request with only the cookie.
    pub async fn request_without_token(&self, request: Request<Body>) -> TestResponse {
        let request = self.prepare(request);
        let response = self.router.clone().oneshot(request).await.expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("read the body").to_bytes();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// The raw body, for binary downloads.
    pub async fn request_bytes(&self, request: Request<Body>) -> Vec<u8> {
        let request = self.prepare(self.with_api_token(request).await);
        let response = self.router.clone().oneshot(request).await.expect("the router is infallible");
        response.into_body().collect().await.expect("read the body").to_bytes().to_vec()
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.request(Request::get(uri).body(Body::empty()).expect("a valid request")).await
    }

    pub async fn post_form(&self, uri: &str, form: &impl serde::Serialize) -> TestResponse {
        let body = serde_urlencoded::to_string(form).expect("encodable form");
        self.post_raw(uri, body).await
    }

    /// A POST with an empty form, as a button alone sends.
    pub async fn post_empty(&self, uri: &str) -> TestResponse {
        self.post_raw(uri, "").await
    }

    pub async fn post_raw(&self, uri: &str, body: impl Into<Body>) -> TestResponse {
        self.post_body(uri, "application/x-www-form-urlencoded", body).await
    }

    /// A POST with any body and content type (the JSON API takes Markdown as it is).
    pub async fn post_body(&self, uri: &str, content_type: &str, body: impl Into<Body>) -> TestResponse {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .expect("a valid request");
        self.request(request).await
    }

    /// A `multipart/form-data` POST, as a browser sends a form with file inputs. Each part is
    /// (field name, file name for a file, content).
    pub async fn post_multipart(&self, uri: &str, parts: &[(&str, Option<&str>, &[u8])]) -> TestResponse {
        const BOUNDARY: &str = "hindsight-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, file_name, content) in parts {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            if let Some(file_name) = file_name {
                body.extend_from_slice(format!("; filename=\"{file_name}\"\r\nContent-Type: text/markdown").as_bytes());
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        self.post_body(uri, &format!("multipart/form-data; boundary={BOUNDARY}"), body).await
    }

    /// Creates a postmortem through the form and returns its path, `/incidents/{id}`.
    pub async fn create_incident(&self, form: &IncidentForm) -> String {
        let response = self.post_form("/incidents", form).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "create failed: {}", response.body);
        response.location().to_owned()
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&self.pool).await.expect("count rows")
    }

    /// Runs `future` and counts the SQL statements it sends (sqlx logs each one as an event).
    pub async fn count_queries<F: Future>(future: F) -> (F::Output, usize) {
        use tracing::Instrument as _;
        use tracing_subscriber::registry::LookupSpan as _;
        install_query_counter();
        let counter = QueryCount(Arc::new(AtomicUsize::new(0)));
        // The queries are counted by span, not by thread: a request runs as a task of its own,
        // inside its request's span, which is a child of this one.
        let span = tracing::info_span!("count_queries");
        span.with_subscriber(|(id, dispatch)| {
            let registry = dispatch.downcast_ref::<tracing_subscriber::Registry>().expect("the registry");
            registry.span(id).expect("the counting span").extensions_mut().insert(counter.clone());
        });
        let output = future.instrument(span).await;
        (output, counter.0.load(Ordering::SeqCst))
    }
}

/// One process-wide subscriber, installed once, so tracing's global interest and level caches
/// never change while tests run in parallel; it counts only inside a counting span.
fn install_query_counter() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        use tracing_subscriber::layer::SubscriberExt as _;
        let subscriber = tracing_subscriber::registry().with(QueryCounter);
        // Another global subscriber would make counting impossible: fail loudly.
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber in the tests");
    });
}

/// The count a counting span carries in its extensions.
#[derive(Clone)]
struct QueryCount(Arc<AtomicUsize>);

struct QueryCounter;

impl<S> tracing_subscriber::Layer<S> for QueryCounter
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_event(&self, event: &tracing::Event<'_>, context: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let Some(scope) = context.event_scope(event) else { return };
        for span in scope {
            if let Some(count) = span.extensions().get::<QueryCount>() {
                count.0.fetch_add(1, Ordering::SeqCst);
                return;
            }
        }
    }
}

/// A postmortem form with the seed's times filled in; override fields with struct update syntax.
pub fn form() -> IncidentForm {
    IncidentForm {
        title: "Checkout latency spike".into(),
        severity: "SEV2".into(),
        status: "draft".into(),
        started_at: "2025-03-01T10:15".into(),
        ended_at: "2025-03-01T11:05".into(),
        utc_offset: "UTC+2".into(),
        ..IncidentForm::default()
    }
}

/// [`form`] with another title.
pub fn titled(title: &str) -> IncidentForm {
    IncidentForm { title: title.into(), ..form() }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("a Location header")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of every element matching `selector`, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("a valid selector");
        self.html()
            .select(&selector)
            .map(|el| el.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// The text of the one element matching `selector`.
    pub fn text(&self, selector: &str) -> String {
        let texts = self.texts(selector);
        assert_eq!(texts.len(), 1, "expected one match for {selector}, got {texts:?}\n{}", self.body);
        texts.into_iter().next().unwrap_or_default()
    }

    /// The `attr` attribute of the one element matching `selector`.
    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let parsed = Selector::parse(selector).expect("a valid selector");
        let html = self.html();
        let mut matches = html.select(&parsed);
        let element = matches.next().unwrap_or_else(|| panic!("no match for {selector}\n{}", self.body));
        element.value().attr(attr).map(str::to_owned)
    }

    /// The value of the form control named `name` (the text of a textarea).
    pub fn field_value(&self, name: &str) -> String {
        let selector = format!("[name=\"{name}\"]");
        let parsed = Selector::parse(&selector).expect("a valid selector");
        let html = self.html();
        let element = html.select(&parsed).next().unwrap_or_else(|| panic!("no field {name}"));
        match element.value().name() {
            "textarea" => element.text().collect(),
            "select" => {
                let option = Selector::parse("option[selected]").expect("a valid selector");
                element.select(&option).next().and_then(|o| o.value().attr("value")).unwrap_or("").to_owned()
            }
            _ => element.value().attr("value").unwrap_or("").to_owned(),
        }
    }

    /// Checks that the page lists `count` errors and that each link of its error summary leads to a
    /// field on the page that carries its message beside it; returns the messages.
    pub fn field_errors(&self, count: usize) -> Vec<String> {
        let html = self.html();
        let links = Selector::parse(".error-summary a").expect("a valid selector");
        let mut messages = Vec::new();
        for link in html.select(&links) {
            let href = link.value().attr("href").unwrap_or_default();
            let id = href.strip_prefix('#').unwrap_or_else(|| panic!("{href} is not a link within the page"));
            let target = Selector::parse(&format!("[id=\"{id}\"]")).expect("a valid selector");
            assert!(html.select(&target).next().is_some(), "the summary links to #{id}, which is not on the page");
            let message: String = link.text().collect();
            assert_eq!(self.field_error(id).as_deref(), Some(message.as_str()), "#{id} shows its error beside it");
            messages.push(message);
        }
        assert_eq!(messages.len(), count, "{messages:?}");
        messages
    }

    /// The error message shown beside the field with id `id`, if any.
    pub fn field_error(&self, id: &str) -> Option<String> {
        self.texts(&format!("#{id}-error")).into_iter().next()
    }
}
