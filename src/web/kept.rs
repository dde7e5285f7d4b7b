//! Query results an instance keeps between requests while the data under them is unchanged.
//! Each kind of data has a counter in the database (`change_counters`, bumped by triggers);
//! a result is reused only while its counter has the value it was computed at, and for at
//! most a set age, so a change shows on the next request, on every instance.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use sqlx::PgExecutor;

pub struct Kept<K, V> {
    entries: Mutex<HashMap<K, (i64, Instant, V)>>,
    max_age: Duration,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    pub fn new(max_age: Duration) -> Kept<K, V> {
        Kept { entries: Mutex::new(HashMap::new()), max_age }
    }

    /// The value kept for `key`, if it was computed at `version` and is young enough.
    pub fn get(&self, key: &K, version: i64) -> Option<V> {
        let entries = self.lock();
        let (kept_version, at, value) = entries.get(key)?;
        (*kept_version == version && at.elapsed() < self.max_age).then(|| value.clone())
    }

    /// The version of what is kept for `key`, while it is young enough.
    pub fn kept_version(&self, key: &K) -> Option<i64> {
        let entries = self.lock();
        let (version, at, _) = entries.get(key)?;
        (at.elapsed() < self.max_age).then_some(*version)
    }

    pub fn put(&self, key: K, version: i64, value: V) {
        self.lock().insert(key, (version, Instant::now(), value));
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, (i64, Instant, V)>> {
        // The map holds only copies of query results: one left by a panicking thread is fine.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The current value of the change counter `name` (`action_items` or `users`).
pub async fn version(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!("SELECT n FROM change_counters WHERE name = $1", name).fetch_one(db).await
}

/// Counts kept by an instance: how many postmortems the index pages through, and how many
/// action items match a ledger filter. Each is kept while the counter of what it counts stays
/// the same, and for at most a minute (the overdue filter's count moves with the clock).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CountOf {
    Postmortems,
    Ledger(crate::db::ledger::LedgerFilter),
}

pub struct KeptCounts(Kept<CountOf, i64>);

impl Default for KeptCounts {
    fn default() -> KeptCounts {
        KeptCounts(Kept::new(Duration::from_secs(60)))
    }
}

impl KeptCounts {
    /// The count of `of` as of `version` (the counter of what it counts), computed by `count`
    /// when not kept.
    pub async fn get<F>(&self, of: CountOf, version: i64, count: F) -> sqlx::Result<i64>
    where
        F: Future<Output = sqlx::Result<i64>>,
    {
        if let Some(n) = self.0.get(&of, version) {
            return Ok(n);
        }
        let n = count.await?;
        self.0.put(of, version, n);
        Ok(n)
    }
}
