//! The webhook delivery worker. Changes queue their events in the database (see
//! `db::webhooks` and the webhooks migration); this worker, a background task of the server,
//! sends them, signed, and retries failures with exponential backoff. Requests never wait for
//! it, and whatever is pending when the server stops is sent after it starts again.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use sqlx::PgPool;

use crate::db::webhooks::{self as store, Claimed};

/// Deliveries taken at a time; they are sent concurrently.
const BATCH: i64 = 16;
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

/// The signature header: `sha256=` and the hex HMAC-SHA256 of the body under the secret.
pub const SIGNATURE_HEADER: &str = "X-Hindsight-Signature-256";

/// Sends pending deliveries.
#[derive(Clone)]
pub struct Deliverer {
    pool: PgPool,
    client: reqwest::Client,
    public_url: String,
}

impl Deliverer {
    /// A worker whose sends give up after `timeout`, and whose links start with `public_url`.
    pub fn new(pool: PgPool, public_url: &str, timeout: Duration) -> reqwest::Result<Deliverer> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A receiver answers; it does not send us elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Hindsight-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Deliverer { pool, client, public_url: public_url.trim_end_matches('/').to_owned() })
    }

    /// Runs until the task is aborted.
    pub async fn run(self) {
        let mut poll = tokio::time::interval(POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_overdue_check: Option<tokio::time::Instant> = None;
        loop {
            poll.tick().await;
            if last_overdue_check.is_none_or(|at| at.elapsed() >= OVERDUE_EVERY) {
                last_overdue_check = Some(tokio::time::Instant::now());
                match store::enqueue_overdue(&self.pool, time::OffsetDateTime::now_utc()).await {
                    Ok(0) => {}
                    Ok(noticed) => tracing::info!(noticed, "Action items became overdue"),
                    Err(error) => tracing::warn!(%error, "Could not look for overdue action items"),
                }
            }
            // The queue's depth for `/metrics`, which must not ask the database itself.
            if let Ok(pending) = store::pending_count(&self.pool).await {
                crate::metrics::global().webhooks_pending(pending);
            }
            // Keep going while there is a backlog; wait for the next tick once it is clear.
            loop {
                match self.deliver_due().await {
                    Ok(sent) if sent == usize::try_from(BATCH).unwrap_or(usize::MAX) => continue,
                    Ok(_) => break,
                    Err(error) => {
                        tracing::warn!(%error, "Could not read pending webhook deliveries");
                        break;
                    }
                }
            }
        }
    }

    /// Sends the deliveries that are due now; returns how many it tried.
    pub async fn deliver_due(&self) -> sqlx::Result<usize> {
        let claimed = store::claim_due(&self.pool, BATCH, LEASE).await?;
        let count = claimed.len();
        let mut sends = tokio::task::JoinSet::new();
        for delivery in claimed {
            let worker = self.clone();
            sends.spawn(async move { worker.send(delivery).await });
        }
        while let Some(result) = sends.join_next().await {
            match result {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "Could not record a webhook delivery"),
                Err(error) => tracing::error!(%error, "A webhook send failed to finish"),
            }
        }
        Ok(count)
    }

    async fn send(&self, delivery: Claimed) -> sqlx::Result<()> {
        let mut payload = delivery.payload;
        add_urls(&mut payload, &self.public_url);
        let body = serde_json::to_vec(&payload).unwrap_or_default();
        let request = self
            .client
            .post(&delivery.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Hindsight-Event", &delivery.event)
            .header("X-Hindsight-Delivery", delivery.id.to_string())
            .header(SIGNATURE_HEADER, sign(&delivery.secret, &body))
            .body(body);
        let (status, error) = match request.send().await {
            Ok(response) if response.status().is_success() => {
                crate::metrics::global().webhook_attempted(false);
                tracing::info!(delivery = %delivery.id, event = %delivery.event, status = %response.status(), "Delivered a webhook");
                return store::mark_delivered(&self.pool, delivery.id, response.status().as_u16()).await;
            }
            Ok(response) => (Some(response.status().as_u16()), format!("The receiver answered {}", response.status())),
            Err(error) if error.is_timeout() => (None, "The receiver did not answer in time".to_owned()),
            Err(error) if error.is_connect() => (None, "Could not connect to the receiver".to_owned()),
            Err(error) => (None, format!("The request failed: {error}")),
        };
        crate::metrics::global().webhook_attempted(true);
        let retry_in = (delivery.attempts < MAX_ATTEMPTS).then(|| backoff(delivery.attempts));
        tracing::warn!(delivery = %delivery.id, event = %delivery.event, attempts = delivery.attempts, %error, "A webhook delivery failed");
        store::mark_failed(&self.pool, delivery.id, status, &error, retry_in).await
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
    fn paths_get_absolute_urls() {
        let mut payload = serde_json::json!({"data": {"path": "/incidents/3", "postmortem": {"path": "/incidents/3"}}});
        add_urls(&mut payload, "https://hindsight.example.com");
        assert_eq!(payload["data"]["url"], "https://hindsight.example.com/incidents/3");
        assert_eq!(payload["data"]["postmortem"]["url"], "https://hindsight.example.com/incidents/3");
    }
}
