//! What `/metrics` reports, in the Prometheus text format. Nothing here touches the database:
//! counters and histograms are kept in memory as things happen, and the gauges (the pool, the
//! admission queue, the webhook queue) are read from memory when scraped, so an operator can
//! watch an outage from the inside while the database is down or frozen.
//!
//! One set per process ([`global`]), as Prometheus expects of a process: every part of
//! Hindsight reports to it without having it passed down.

use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The `Content-Type` of `/metrics`.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResponseLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

/// Every metric Hindsight keeps.
pub struct Metrics {
    registry: Registry,
    responses: Family<ResponseLabels, Counter>,
    durations: Family<RouteLabels, Histogram>,
    refusals: Family<ReasonLabels, Counter>,
    acquire: Histogram,
    acquire_failures: Counter,
    statement_timeouts: Counter,
    shed: Counter,
    deadlines: Counter,
    pool: Family<StateLabels, Gauge>,
    pool_max: Gauge,
    admission: Family<StateLabels, Gauge>,
    admission_limit: Gauge,
    render: Histogram,
    export: Histogram,
    webhook_pending: Gauge,
    webhook_failures: Counter,
    webhook_deliveries: Counter,
    wiki_pending: Gauge,
    wiki_failing: Gauge,
}

/// Request and query latencies: 0.5 ms to about 16 s.
fn latency_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Waits for a connection: 0.1 ms to about 3 s.
fn acquire_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

/// Rendering and export: 50 µs to about 1.6 s.
fn work_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.00005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("hindsight");
        let metrics = Metrics {
            responses: Family::default(),
            durations: Family::new_with_constructor(latency_buckets),
            refusals: Family::default(),
            acquire: acquire_buckets(),
            acquire_failures: Counter::default(),
            statement_timeouts: Counter::default(),
            shed: Counter::default(),
            deadlines: Counter::default(),
            pool: Family::default(),
            pool_max: Gauge::default(),
            admission: Family::default(),
            admission_limit: Gauge::default(),
            render: work_buckets(),
            export: work_buckets(),
            webhook_pending: Gauge::default(),
            webhook_failures: Counter::default(),
            webhook_deliveries: Counter::default(),
            wiki_pending: Gauge::default(),
            wiki_failing: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register("http_responses", "HTTP responses by route and status", metrics.responses.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its response, by route",
            metrics.durations.clone(),
        );
        registry.register(
            "http_refusals",
            "Requests refused, by reason (bad input, not allowed, shed, database unavailable...)",
            metrics.refusals.clone(),
        );
        registry.register(
            "requests_shed",
            "Requests answered 503 at the door: the queue was full, or their wait for a turn ran out",
            metrics.shed.clone(),
        );
        registry.register(
            "requests_deadline_exceeded",
            "Admitted requests abandoned at the request deadline",
            metrics.deadlines.clone(),
        );
        registry.register(
            "db_acquire_duration_seconds",
            "Wait for a pooled connection (once per request that uses the database)",
            metrics.acquire.clone(),
        );
        registry.register("db_acquire_failures", "Connections not obtained in time", metrics.acquire_failures.clone());
        registry.register(
            "db_statement_timeouts",
            "Statements cancelled by statement_timeout",
            metrics.statement_timeouts.clone(),
        );
        registry.register("db_pool_connections", "Open pooled connections, idle or in use", metrics.pool.clone());
        registry.register("db_pool_max_connections", "Most connections the pool opens", metrics.pool_max.clone());
        registry.register(
            "admission_requests",
            "Requests admitted and running (in_flight) or waiting for their turn (waiting)",
            metrics.admission.clone(),
        );
        registry.register("admission_limit", "Requests admitted at once", metrics.admission_limit.clone());
        registry.register(
            "markdown_render_duration_seconds",
            "Rendering one Markdown field to HTML",
            metrics.render.clone(),
        );
        registry.register(
            "export_duration_seconds",
            "Writing one postmortem as a Markdown document",
            metrics.export.clone(),
        );
        registry.register(
            "webhook_pending_deliveries",
            "Webhook deliveries waiting to be sent, as of the worker's last look",
            metrics.webhook_pending.clone(),
        );
        registry.register(
            "wiki_pending_changes",
            "Changes waiting to be committed to wiki destinations, as of the sync worker's last look",
            metrics.wiki_pending.clone(),
        );
        registry.register(
            "wiki_failing_destinations",
            "Active wiki destinations whose last sync failed, as of the sync worker's last look",
            metrics.wiki_failing.clone(),
        );
        registry.register(
            "webhook_delivery_failures",
            "Webhook attempts that failed",
            metrics.webhook_failures.clone(),
        );
        registry.register("webhook_deliveries", "Webhook attempts made", metrics.webhook_deliveries.clone());
        Metrics { registry, ..metrics }
    }
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// The process's metrics.
pub fn global() -> &'static Metrics {
    METRICS.get_or_init(Metrics::default)
}

/// What the pool and the admission door look like at a scrape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub pool_open: u32,
    pub pool_idle: usize,
    pub pool_max: u32,
    pub admitted: usize,
    pub waiting: usize,
    pub admission_limit: usize,
}

impl Metrics {
    /// One response, with the route's pattern (`/incidents/{id}`, never the address itself, so
    /// that the number of series stays bounded).
    pub fn response(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let route = RouteLabels { method: method.to_owned(), route: route.to_owned() };
        self.durations.get_or_create(&route).observe(elapsed.as_secs_f64());
        let labels = ResponseLabels { method: route.method, route: route.route, status };
        self.responses.get_or_create(&labels).inc();
    }

    /// A refused request, by its reason code (see `web::error::AppError::reason`).
    pub fn refused(&self, reason: &'static str) {
        self.refusals.get_or_create(&ReasonLabels { reason }).inc();
        match reason {
            "shed" => {
                self.shed.inc();
            }
            "deadline_exceeded" => {
                self.deadlines.inc();
            }
            "statement_timeout" => {
                self.statement_timeouts.inc();
            }
            _ => {}
        }
    }

    /// A wait for a pooled connection, and whether it got one.
    pub fn acquired(&self, waited: Duration, got_one: bool) {
        self.acquire.observe(waited.as_secs_f64());
        if !got_one {
            self.acquire_failures.inc();
        }
    }

    pub fn rendered(&self, took: Duration) {
        self.render.observe(took.as_secs_f64());
    }

    pub fn exported(&self, took: Duration) {
        self.export.observe(took.as_secs_f64());
    }

    /// The webhook worker's last count of deliveries waiting.
    pub fn webhooks_pending(&self, pending: i64) {
        self.webhook_pending.set(pending);
    }

    /// The wiki sync worker's last count of changes waiting, and of destinations failing.
    pub fn wiki_queue(&self, pending: i64, failing: i64) {
        self.wiki_pending.set(pending);
        self.wiki_failing.set(failing);
    }

    /// One webhook attempt, and whether it failed.
    pub fn webhook_attempted(&self, failed: bool) {
        self.webhook_deliveries.inc();
        if failed {
            self.webhook_failures.inc();
        }
    }

    /// The whole set in the Prometheus text format, with the gauges as of now.
    pub fn encode(&self, gauges: Gauges) -> String {
        let idle = i64::try_from(gauges.pool_idle).unwrap_or(i64::MAX);
        let open = i64::from(gauges.pool_open);
        self.pool.get_or_create(&StateLabels { state: "idle" }).set(idle);
        self.pool.get_or_create(&StateLabels { state: "in_use" }).set((open - idle).max(0));
        self.pool_max.set(i64::from(gauges.pool_max));
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.admission.get_or_create(&StateLabels { state: "in_flight" }).set(count(gauges.admitted));
        self.admission.get_or_create(&StateLabels { state: "waiting" }).set(count(gauges.waiting));
        self.admission_limit.set(count(gauges.admission_limit));
        let mut text = String::with_capacity(16 * 1024);
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }
}
