//! The webhook delivery worker. Changes queue their events in the database (see
//! `db::webhooks` and the webhooks migration); this worker, a background task of the server,
//! sends them, signed, and retries failures with exponential backoff. Requests never wait for
//! it, and whatever is pending when the server stops is sent after it starts again.
//!
//! A receiver is trusted with nothing: where it may be is [`policy`]'s to say, each attempt
//! has one time limit for connecting, answering and the little of the answer that is read,
//! and each receiver gets at most [`MOST_PER_RECEIVER`] of the worker's sends at once, so one
//! that hangs delays only its own deliveries.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use sqlx::PgPool;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::db::webhooks::{self as store, Claimed};
use crate::domain::WebhookId;

pub mod policy;

pub use policy::ReceiverPolicy;
use policy::{CheckingResolver, Refusal};

/// How many deliveries are sent at once, in all.
const MOST_IN_FLIGHT: usize = 32;
/// How many of them may go to one receiver, so that a receiver that hangs holds only its own
/// share of the worker and the others' deliveries go on.
pub const MOST_PER_RECEIVER: usize = 4;
/// After a receiver could not be reached or did not answer in time, its other due deliveries
/// wait this long before the next try, rather than each spending a full time limit on it.
const REST_AFTER_UNREACHABLE: Duration = Duration::from_secs(30);
/// How long a taken delivery is reserved: longer than a send can take.
const LEASE: Duration = Duration::from_secs(60);
/// Attempts before a delivery is given up on (the last about four hours after the first).
pub const MAX_ATTEMPTS: i32 = 10;
/// The wait before the second attempt; it doubles each time after.
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// The longest wait between attempts.
const LONGEST_RETRY: Duration = Duration::from_secs(6 * 3600);
/// How often the worker looks for due deliveries, and for newly overdue items.
const POLL: Duration = Duration::from_secs(1);
const OVERDUE_EVERY: Duration = Duration::from_secs(60);
/// Redirects followed in one attempt (307 and 308 only: they repeat the request as it was).
const MOST_REDIRECTS: usize = 3;
/// How much of a failed answer's body is read, to show the start of it in the log.
const ANSWER_READ: usize = 1024;
/// How much of it is shown.
const ANSWER_SHOWN: usize = 200;

/// The signature header: `sha256=` and the hex HMAC-SHA256 of the body under the secret.
pub const SIGNATURE_HEADER: &str = "X-Hindsight-Signature-256";

/// Sends pending deliveries.
#[derive(Clone)]
pub struct Deliverer {
    pool: PgPool,
    client: reqwest::Client,
    public_url: String,
    policy: Arc<ReceiverPolicy>,
}

/// How one attempt ended.
enum Outcome {
    Delivered(u16),
    Failed {
        status: Option<u16>,
        error: String,
        /// `false` when trying again cannot help: the address is refused.
        retry: bool,
        /// The receiver could not be reached or did not answer in time.
        unreachable: bool,
    },
}

impl Deliverer {
    /// A worker whose attempts give up after `timeout`, whose links start with `public_url`,
    /// and which sends only where `policy` allows.
    pub fn new(
        pool: PgPool,
        public_url: &str,
        timeout: Duration,
        policy: Arc<ReceiverPolicy>,
    ) -> reqwest::Result<Deliverer> {
        let redirects = policy.clone();
        let client = reqwest::Client::builder()
            // One limit for the whole attempt: connecting, the answer's headers, and what is
            // read of its body. A receiver that trickles its answer gets no longer.
            .timeout(timeout)
            .connect_timeout(timeout)
            // Names are resolved, and checked, by the policy; and no proxy from the
            // environment, which would resolve them instead, unchecked.
            .dns_resolver(Arc::new(CheckingResolver { policy: policy.clone() }))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::custom(move |attempt| follow(&redirects, attempt)))
            .user_agent(concat!("Hindsight-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Deliverer { pool, client, public_url: public_url.trim_end_matches('/').to_owned(), policy })
    }

    /// Runs until the task is aborted: starts due deliveries whenever there is room, every
    /// second and whenever a send ends.
    pub async fn run(self) {
        let mut poll = tokio::time::interval(POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_overdue_check: Option<Instant> = None;
        let mut sending = Sending::default();
        loop {
            tokio::select! {
                _ = poll.tick() => {
                    if last_overdue_check.is_none_or(|at| at.elapsed() >= OVERDUE_EVERY) {
                        last_overdue_check = Some(Instant::now());
                        self.note_overdue().await;
                    }
                    // The queue's depth for `/metrics`, which must not ask the database itself.
                    if let Ok(pending) = store::pending_count(&self.pool).await {
                        crate::metrics::global().webhooks_pending(pending);
                    }
                }
                Some(ended) = sending.tasks.join_next_with_id(), if !sending.tasks.is_empty() => sending.ended(ended),
            }
            if let Err(error) = sending.start_due(&self).await {
                tracing::warn!(%error, "Could not read pending webhook deliveries");
            }
        }
    }

    async fn note_overdue(&self) {
        match store::enqueue_overdue(&self.pool, time::OffsetDateTime::now_utc()).await {
            Ok(0) => {}
            Ok(noticed) => tracing::info!(noticed, "Action items became overdue"),
            Err(error) => tracing::warn!(%error, "Could not look for overdue action items"),
        }
    }

    /// Sends the deliveries that are due now, as many as the limits allow, and waits for
    /// them; returns how many it tried. (The server's worker does not wait: see [`run`](Self::run).)
    pub async fn deliver_due(&self) -> sqlx::Result<usize> {
        let mut sending = Sending::default();
        let started = sending.start_due(self).await?;
        while let Some(ended) = sending.tasks.join_next_with_id().await {
            sending.ended(ended);
        }
        Ok(started)
    }

    /// One attempt at one delivery, recorded.
    async fn send(&self, delivery: Claimed) -> sqlx::Result<Outcome> {
        let outcome = self.attempt(&delivery).await;
        let metrics = crate::metrics::global();
        match &outcome {
            Outcome::Delivered(status) => {
                metrics.webhook_attempted(false);
                tracing::info!(delivery = %delivery.id, event = %delivery.event, status, "Delivered a webhook");
                store::mark_delivered(&self.pool, delivery.id, *status).await?;
            }
            Outcome::Failed { status, error, retry, .. } => {
                metrics.webhook_attempted(true);
                let retry_in = (*retry && delivery.attempts < MAX_ATTEMPTS).then(|| backoff(delivery.attempts));
                tracing::warn!(delivery = %delivery.id, event = %delivery.event, attempts = delivery.attempts, %error, "A webhook delivery failed");
                store::mark_failed(&self.pool, delivery.id, *status, error, retry_in).await?;
            }
        }
        Ok(outcome)
    }

    async fn attempt(&self, delivery: &Claimed) -> Outcome {
        let refused = |refusal: &Refusal| Outcome::Failed {
            status: None,
            error: format!("Not sent: {refusal}"),
            retry: false,
            unreachable: false,
        };
        // The address was checked when saved; the operator's networks may have changed since.
        let url = match reqwest::Url::parse(&delivery.url) {
            Ok(url) => url,
            Err(_) => return refused(&Refusal::NotAnAddress),
        };
        if let Err(refusal) = self.policy.check_url(&url) {
            return refused(&refusal);
        }
        let mut payload = delivery.payload.clone();
        add_urls(&mut payload, &self.public_url);
        let body = serde_json::to_vec(&payload).unwrap_or_default();
        let request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Hindsight-Event", &delivery.event)
            .header("X-Hindsight-Delivery", delivery.id.to_string())
            .header(SIGNATURE_HEADER, sign(&delivery.secret, &body))
            .body(body);
        let failed = |status: Option<u16>, error: String, unreachable: bool| Outcome::Failed {
            status,
            error,
            retry: true,
            unreachable,
        };
        match request.send().await {
            // The body of a success is not read: nothing in it is needed, and a receiver that
            // sends an endless one is simply hung up on.
            Ok(response) if response.status().is_success() => Outcome::Delivered(response.status().as_u16()),
            Ok(response) if response.status().is_redirection() => {
                let status = response.status();
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .map(|location| shown(&String::from_utf8_lossy(location.as_bytes())))
                    .unwrap_or_default();
                let error = format!(
                    "The receiver answered {status}, pointing to {location:?}; only 307 and 308 redirects \
                     are followed, which repeat the delivery as sent. Change the webhook's address to where \
                     it points."
                );
                failed(Some(status.as_u16()), error, false)
            }
            Ok(response) => {
                let status = response.status();
                let answer = start_of_answer(response).await;
                let error = if answer.is_empty() {
                    format!("The receiver answered {status}")
                } else {
                    format!("The receiver answered {status}: {answer}")
                };
                failed(Some(status.as_u16()), error, false)
            }
            Err(error) => match error_refusal(&error) {
                Some(refusal) => refused(refusal),
                None if error.is_timeout() => failed(None, "The receiver did not answer in time".to_owned(), true),
                None if error.is_redirect() => failed(
                    None,
                    format!("The receiver redirected more than {MOST_REDIRECTS} times; the delivery stopped there"),
                    false,
                ),
                None if error.is_connect() => failed(None, "Could not connect to the receiver".to_owned(), true),
                None => failed(None, "The receiver's answer could not be read (not valid HTTP)".to_owned(), true),
            },
        }
    }
}

/// The worker's sends in flight, counted per receiver.
#[derive(Default)]
struct Sending {
    tasks: JoinSet<sqlx::Result<Outcome>>,
    /// The receiver each send in flight is for, by its task: a send that panics still gives
    /// its receiver's place back.
    receiver_of: HashMap<tokio::task::Id, WebhookId>,
    per_receiver: HashMap<WebhookId, usize>,
    /// Receivers left alone until then, after one could not be reached.
    resting: HashMap<WebhookId, Instant>,
}

impl Sending {
    /// Takes the due deliveries there is room for and starts sending them; returns how many.
    async fn start_due(&mut self, deliverer: &Deliverer) -> sqlx::Result<usize> {
        let room = MOST_IN_FLIGHT.saturating_sub(self.tasks.len());
        if room == 0 {
            return Ok(0);
        }
        let now = Instant::now();
        self.resting.retain(|_, until| *until > now);
        // Each receiver's sends in flight; one resting counts as full.
        let mut busy = self.per_receiver.clone();
        busy.extend(self.resting.keys().map(|hook| (*hook, MOST_PER_RECEIVER)));
        let busy: Vec<(WebhookId, usize)> = busy.into_iter().collect();
        let claimed = store::claim_due(&deliverer.pool, room, MOST_PER_RECEIVER, &busy, LEASE).await?;
        let count = claimed.len();
        for delivery in claimed {
            let hook = delivery.webhook_id;
            *self.per_receiver.entry(hook).or_default() += 1;
            let worker = deliverer.clone();
            let task = self.tasks.spawn(async move { worker.send(delivery).await });
            self.receiver_of.insert(task.id(), hook);
        }
        Ok(count)
    }

    /// Notes a send that ended.
    fn ended(&mut self, ended: Result<(tokio::task::Id, sqlx::Result<Outcome>), tokio::task::JoinError>) {
        let (task, result) = match ended {
            Ok((task, result)) => (task, Some(result)),
            // Unreachable short of a panic in a send, which the lease then retries.
            Err(error) => {
                tracing::error!(%error, "A webhook send failed to finish");
                (error.id(), None)
            }
        };
        let Some(hook) = self.receiver_of.remove(&task) else { return };
        if let Some(sending) = self.per_receiver.get_mut(&hook) {
            *sending -= 1;
            if *sending == 0 {
                self.per_receiver.remove(&hook);
            }
        }
        match result {
            Some(Ok(Outcome::Failed { unreachable: true, .. })) => {
                self.resting.insert(hook, Instant::now() + REST_AFTER_UNREACHABLE);
            }
            Some(Err(error)) => tracing::warn!(%error, "Could not record a webhook delivery"),
            _ => {}
        }
    }
}

/// The redirect policy: only 307 and 308 (which repeat the POST as it was; the others would
/// turn it into a GET without its body), at most [`MOST_REDIRECTS`], each to an address the
/// policy allows.
fn follow(policy: &ReceiverPolicy, attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    use reqwest::StatusCode;
    if !matches!(attempt.status(), StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT) {
        return attempt.stop();
    }
    if attempt.previous().len() > MOST_REDIRECTS {
        return attempt.error(format!("more than {MOST_REDIRECTS} redirects"));
    }
    match policy.check_url(attempt.url()) {
        Ok(()) => attempt.follow(),
        Err(refusal) => attempt.error(refusal),
    }
}

/// The policy's refusal behind a client error, if that is what stopped the request.
fn error_refusal(error: &reqwest::Error) -> Option<&Refusal> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if let Some(refusal) = error.downcast_ref::<Refusal>() {
            return Some(refusal);
        }
        source = error.source();
    }
    None
}

/// The first [`ANSWER_READ`] bytes of a failed answer's body, as text fit for the log: the
/// rest is never read, however long (or endless) it is.
async fn start_of_answer(mut response: reqwest::Response) -> String {
    let mut read = Vec::new();
    while read.len() < ANSWER_READ {
        match response.chunk().await {
            Ok(Some(chunk)) => read.extend_from_slice(&chunk[..chunk.len().min(ANSWER_READ - read.len())]),
            Ok(None) | Err(_) => break,
        }
    }
    shown(&String::from_utf8_lossy(&read))
}

/// At most [`ANSWER_SHOWN`] characters of text a receiver sent, on one line, without control
/// characters.
fn shown(text: &str) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(ANSWER_SHOWN + 1).collect();
    let one_line = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > ANSWER_SHOWN {
        format!("{}…", one_line.chars().take(ANSWER_SHOWN).collect::<String>())
    } else {
        one_line
    }
}

/// `sha256=` and the hex HMAC-SHA256 of `body` keyed with `secret`: what a receiver computes
/// to check that a delivery came from Hindsight and was not changed.
pub fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// The wait after failed attempt number `attempts` (1 for the first): 30 s, 1 min, 2 min, …,
/// at most six hours.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    FIRST_RETRY.saturating_mul(1 << doublings).min(LONGEST_RETRY)
}

/// Beside every `"path"` in the payload, adds the absolute `"url"` a receiver can link to.
fn add_urls(value: &mut Value, public_url: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(path)) = map.get("path") {
                let url = format!("{public_url}{path}");
                map.insert("url".to_owned(), Value::String(url));
            }
            map.values_mut().for_each(|value| add_urls(value, public_url));
        }
        Value::Array(items) => items.iter_mut().for_each(|value| add_urls(value, public_url)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retries_back_off_exponentially_up_to_six_hours() {
        let waits: Vec<u64> = (1..=MAX_ATTEMPTS).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360]);
        assert_eq!(backoff(40), LONGEST_RETRY);
        assert_eq!(backoff(0), FIRST_RETRY);
    }

    #[test]
    fn a_receivers_text_is_shown_short_and_on_one_line() {
        assert_eq!(shown("bad\r\n  signature\0"), "bad signature");
        let long = "x".repeat(5000);
        assert_eq!(shown(&long).chars().count(), ANSWER_SHOWN + 1, "cut, with an ellipsis");
        assert_eq!(shown(""), "");
    }

    #[test]
    fn paths_get_absolute_urls() {
        let mut payload = serde_json::json!({"data": {"path": "/incidents/3", "postmortem": {"path": "/incidents/3"}}});
        add_urls(&mut payload, "https://hindsight.example.com");
        assert_eq!(payload["data"]["url"], "https://hindsight.example.com/incidents/3");
        assert_eq!(payload["data"]["postmortem"]["url"], "https://hindsight.example.com/incidents/3");
    }
}
