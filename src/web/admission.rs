//! Admission control and each request's one database connection.
//!
//! The seed postmortem is a connection-pool meltdown: requests queued for connections, each
//! wait short, their sum without bound, until nothing answered in time. Hindsight guards against
//! the same illness in three ways:
//!
//! - **One connection per request.** A request takes a connection from the pool the first time
//!   it needs one ([`Db`]) and keeps it until it ends, so it waits for the pool at most once.
//! - **A bounded door.** At most [`Admission::limit`] requests (the pool's size) do database work
//!   at once. The next ones wait in a short queue; past [`Limits::queue_wait`], or when the queue
//!   is already [`Limits::queue_length`] long, they are answered `503` with `Retry-After` at once
//!   (shed) instead of piling up behind the pool.
//! - **A deadline.** An admitted request that has not finished within [`Limits::deadline`] (a
//!   database that stopped answering) is abandoned: its connection is closed rather than given
//!   back, and the answer is `503`.
//!
//! Static files, `/healthz`, `/readyz` and `/metrics` never pass this door.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgTransactionManager;
use sqlx::{PgConnection, PgPool, Postgres, TransactionManager};
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard, Semaphore};
use tracing::Instrument as _;

use super::error::AppError;

/// How the door is sized and how long a request may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests doing database work at once: the pool's size.
    pub concurrency: usize,
    /// Most requests waiting for their turn; more are shed at once.
    pub queue_length: usize,
    /// Longest wait for a turn before being shed.
    pub queue_wait: Duration,
    /// Longest an admitted request may take.
    pub deadline: Duration,
}

impl Limits {
    /// The door for a pool of `pool_size` connections and a request deadline.
    pub fn for_pool(pool_size: u32, queue_wait: Duration, deadline: Duration) -> Limits {
        let concurrency = usize::try_from(pool_size).unwrap_or(usize::MAX).max(1);
        let queue_length = concurrency.saturating_mul(QUEUE_PER_CONNECTION).max(SHORTEST_QUEUE);
        Limits { concurrency, queue_length, queue_wait, deadline }
    }
}

/// How many requests may wait per connection: a bound on memory, not on time (the queue wait
/// bounds that). It is generous on purpose: a request turned away at once by a full queue is
/// sent again at once by a client that does not honour Retry-After, and at many times the
/// knee such a storm of instant 503s would take the CPU the admitted requests need, while one
/// that waits out the queue wait first costs next to nothing.
const QUEUE_PER_CONNECTION: usize = 64;

/// The queue's length however small the pool: with a pool of 2, 128 places were too few for
/// 256 clients, and the rest, turned away at once and sending again at once, took the CPU
/// (31,000 503s a second, 256 answers).
const SHORTEST_QUEUE: usize = 1024;

/// The door in front of every request that may touch the database.
pub struct Admission {
    pool: PgPool,
    permits: Arc<Semaphore>,
    limits: Limits,
    waiting: AtomicUsize,
}

impl Admission {
    pub fn new(pool: PgPool, limits: Limits) -> Admission {
        Admission { pool, permits: Arc::new(Semaphore::new(limits.concurrency)), limits, waiting: AtomicUsize::new(0) }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Requests waiting for their turn now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Requests admitted and not yet finished.
    pub fn in_flight(&self) -> usize {
        self.limits.concurrency.saturating_sub(self.permits.available_permits())
    }

    /// A turn, or `None` when the queue is full or the wait ran out.
    async fn enter(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Some(permit);
        }
        // Counted before waiting, so that a burst cannot overfill the queue between the check
        // and the wait.
        let place = InQueue::join(&self.waiting);
        if place.ahead >= self.limits.queue_length {
            return None;
        }
        let turn = tokio::time::timeout(self.limits.queue_wait, self.permits.clone().acquire_owned()).await;
        turn.ok().and_then(Result::ok)
    }
}

/// A place in the queue, counted in [`Admission::waiting`] for as long as it is held. Given up
/// on drop, not by the code after the wait: a client that hangs up while waiting drops the
/// wait half-way, and a count decremented only after it would keep every such place forever,
/// until the queue looked full and every request beyond the pool was shed at once.
struct InQueue<'a> {
    waiting: &'a AtomicUsize,
    /// Requests waiting before this one joined.
    ahead: usize,
}

impl<'a> InQueue<'a> {
    fn join(waiting: &'a AtomicUsize) -> InQueue<'a> {
        InQueue { ahead: waiting.fetch_add(1, Ordering::Relaxed), waiting }
    }
}

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The middleware: admits a request (or sheds it), gives it its connection slot, and holds
/// it to its deadline.
pub async fn admit(State(admission): State<Arc<Admission>>, mut request: Request, next: Next) -> Response {
    let writes = request.method() != Method::GET && request.method() != Method::HEAD;
    let Some(turn) = admission.enter().await else {
        return AppError::Busy.into_response();
    };
    let connection = RequestConnection::new(admission.pool.clone());
    request.extensions_mut().insert(connection.clone());
    // The request runs as a task of its own, holding its turn: a client that hangs up does not
    // cancel it half-way (in the middle of a COMMIT, say), and it still counts at the door
    // until it is done. Only the deadline stops it. It stays inside the request's span, so what
    // it logs is still the request's.
    let mut task = tokio::spawn(
        async move {
            let response = next.run(request).await;
            drop(turn);
            response
        }
        .in_current_span(),
    );
    match tokio::time::timeout(admission.limits.deadline, &mut task).await {
        Ok(Ok(response)) => response,
        Ok(Err(failed)) => {
            tracing::error!(error = %failed, "A request's task failed");
            AppError::Internal("the request's task failed".into()).into_response()
        }
        Err(_) => {
            task.abort();
            // Once the task is gone its connection may be inside a statement that never ends (a
            // frozen database): closing it frees its place in the pool at once instead of when
            // the database answers a check.
            let _ = task.await;
            connection.abandon();
            AppError::DeadlineExceeded { writes }.into_response()
        }
    }
}

/// The request's connection: taken from the pool on first use, kept until the request ends.
#[derive(Clone)]
pub struct RequestConnection {
    slot: Arc<Slot>,
    pool: PgPool,
}

/// Where the request's connection is kept.
struct Slot(Arc<Mutex<Option<PoolConnection<Postgres>>>>);

impl Drop for Slot {
    /// The request is over. A connection still inside a transaction (a handler that panicked
    /// half-way through a change) is in an unknown state: it is closed, never handed to the
    /// next request.
    fn drop(&mut self) {
        if let Ok(mut slot) = self.0.try_lock()
            && let Some(connection) = slot.as_mut()
            && <PgTransactionManager as TransactionManager>::get_transaction_depth(connection) > 0
        {
            connection.close_on_drop();
        }
    }
}

impl RequestConnection {
    fn new(pool: PgPool) -> RequestConnection {
        RequestConnection { slot: Arc::new(Slot(Arc::new(Mutex::new(None)))), pool }
    }

    /// The connection, taken from the pool if this is its first use. Held by one user at a
    /// time: a handler extracts it once.
    pub async fn lock(&self) -> Result<Db, AppError> {
        let mut slot: OwnedMutexGuard<Option<PoolConnection<Postgres>>> = self.slot.0.clone().lock_owned().await;
        if slot.is_none() {
            let started = Instant::now();
            let connection = self.pool.acquire().await;
            crate::metrics::global().acquired(started.elapsed(), connection.is_ok());
            *slot = Some(connection?);
        }
        OwnedMutexGuard::try_map(slot, Option::as_mut)
            .map(Db)
            .map_err(|_| AppError::Internal("the request's connection vanished".into()))
    }

    /// Marks the connection, if one was taken, to be closed instead of returned to the pool.
    fn abandon(&self) {
        // The handler's future is gone, so nothing holds the lock.
        if let Ok(mut slot) = self.slot.0.try_lock()
            && let Some(connection) = slot.as_mut()
        {
            connection.close_on_drop();
        }
    }
}

/// The request's database connection, for a handler: `mut db: Db`, then `&mut *db` wherever
/// an executor or a `&mut PgConnection` is wanted.
pub struct Db(OwnedMappedMutexGuard<Option<PoolConnection<Postgres>>, PoolConnection<Postgres>>);

impl Deref for Db {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.0
    }
}

impl DerefMut for Db {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Db {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Db, AppError> {
        let connection = parts
            .extensions
            .get::<RequestConnection>()
            .cloned()
            .ok_or_else(|| AppError::Internal("no request connection: the route is not behind admission".into()))?;
        connection.lock().await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::postgres::PgPoolOptions;

    use super::{Admission, Limits};

    fn door(concurrency: usize, queue_length: usize) -> Admission {
        // The door never touches the pool: a lazy one that never connects will do.
        let pool = PgPoolOptions::new().connect_lazy("postgres://nobody@127.0.0.1:1/none").expect("a lazy pool");
        let limits =
            Limits { concurrency, queue_length, queue_wait: Duration::from_secs(5), deadline: Duration::from_secs(10) };
        Admission::new(pool, limits)
    }

    #[tokio::test]
    async fn a_client_that_hangs_up_while_waiting_gives_its_place_in_the_queue_back() {
        let admission = door(1, 2);
        let turn = admission.enter().await.expect("the one turn");
        // Three clients wait and hang up (their requests dropped mid-wait), twice over: more
        // than the queue holds, so a place kept by anyone who left would show.
        for _ in 0..2 {
            for _ in 0..3 {
                let gave_up = tokio::time::timeout(Duration::from_millis(20), admission.enter()).await;
                assert!(gave_up.is_err(), "still waiting when the client left");
            }
        }
        assert_eq!(admission.waiting(), 0, "nobody is waiting any more");
        // The queue still takes waiters, and the next one gets the turn once it is free.
        let waiter = admission.enter();
        drop(turn);
        assert!(waiter.await.is_some(), "queued and admitted, not shed as if the queue were full");
    }

    #[tokio::test]
    async fn a_full_queue_sheds_at_once() {
        let admission = door(1, 1);
        let _turn = admission.enter().await.expect("the one turn");
        let first = admission.enter();
        tokio::pin!(first);
        // The first waiter takes the one place; the second is refused without waiting.
        assert!(tokio::time::timeout(Duration::from_millis(20), &mut first).await.is_err());
        let started = std::time::Instant::now();
        assert!(admission.enter().await.is_none());
        assert!(started.elapsed() < Duration::from_secs(1), "shed at once, not after the queue wait");
    }
}
