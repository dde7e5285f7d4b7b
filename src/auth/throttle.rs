//! Login throttling: too many failed sign-ins for one account, or from one client address,
//! within a window, and sign-ins are refused (429 with Retry-After) until the window moves on.
//!
//! Failures are kept in PostgreSQL, so every instance counts the same failures. An attempt is
//! counted as a failure before its password is checked, in one transaction with the check of
//! the limit and under a lock on its keys, and taken back if the password was right: a burst
//! of concurrent wrong passwords cannot all pass the check before any of them is recorded. The
//! account
//! key is the email as typed, whether or not such an account exists: the throttle answers the
//! same for both, so it cannot be used to find out who has an account.

use std::net::IpAddr;

use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};

use crate::db;
use crate::domain::input::normalize_email;

/// How far back failures count.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failures for one account within the window before its sign-ins are refused.
pub const PER_ACCOUNT: i64 = 5;
/// Failures from one address within the window before its sign-ins are refused. Higher than
/// per account: an office behind one NAT address shares it.
pub const PER_ADDRESS: i64 = 20;

/// The keys one sign-in attempt is counted under.
pub struct LoginKeys {
    pub account: String,
    pub address: String,
}

impl LoginKeys {
    pub fn new(email: &str, address: IpAddr) -> LoginKeys {
        LoginKeys { account: format!("account:{}", normalize_email(email)), address: address_key(address) }
    }
}

/// An IPv6 client usually controls a whole /64, so that is what is counted.
fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => format!("address:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("address:{v4}"),
            None => {
                let s = v6.segments();
                format!("address:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// A sign-in attempt that was let through and counted as a failure until it succeeds.
#[must_use = "a successful attempt must be taken back with `succeeded`"]
pub struct Attempt {
    counted_at: OffsetDateTime,
}

/// Lets a sign-in attempt through and counts it as a failure under both keys, or, if either
/// key is over its limit, says how long until sign-ins are allowed again. Attempts under one
/// key are taken in turn (a transaction-scoped advisory lock on each key), so that the check
/// and the count are one step for concurrent attempts on any instance.
pub async fn begin(conn: &mut PgConnection, keys: &LoginKeys) -> sqlx::Result<Result<Attempt, std::time::Duration>> {
    use sqlx::Connection as _;
    let mut tx = conn.begin().await?;
    let mut locked = [keys.account.as_str(), keys.address.as_str()];
    // Always in the same order, so that two attempts never wait for each other's second key.
    locked.sort_unstable();
    for key in locked {
        db::login_failures::lock_key(&mut *tx, key).await?;
    }
    if let Some(wait) = retry_after(&mut tx, keys).await? {
        tx.rollback().await?;
        return Ok(Err(wait));
    }
    let counted_at = db::login_failures::record(&mut *tx, &[keys.account.clone(), keys.address.clone()]).await?;
    tx.commit().await?;
    Ok(Ok(Attempt { counted_at }))
}

/// If sign-ins under either key are refused now, how long until they are allowed again.
async fn retry_after(conn: &mut PgConnection, keys: &LoginKeys) -> sqlx::Result<Option<std::time::Duration>> {
    let mut wait = Duration::ZERO;
    for (key, limit) in [(&keys.account, PER_ACCOUNT), (&keys.address, PER_ADDRESS)] {
        let (count, oldest) = db::login_failures::recent(&mut *conn, key, WINDOW, limit).await?;
        if let (true, Some(oldest)) = (count >= limit, oldest) {
            wait = wait.max(oldest + WINDOW - OffsetDateTime::now_utc());
        }
    }
    // Rounded up to whole seconds, at least one: Retry-After is in seconds.
    let seconds = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
    Ok((wait > Duration::ZERO).then(|| std::time::Duration::from_secs(seconds.max(1).unsigned_abs())))
}

/// A successful sign-in clears the account's failures, and takes back the failure its attempt
/// counted under the address (the address's other failures stay).
pub async fn succeeded(conn: &mut PgConnection, keys: &LoginKeys, attempt: Attempt) -> sqlx::Result<()> {
    db::login_failures::clear(&mut *conn, &keys.account, WINDOW).await?;
    db::login_failures::forget_one(&mut *conn, &keys.address, attempt.counted_at).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("address");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("address");
        assert_eq!(address_key(a), address_key(b));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("address");
        assert_eq!(address_key(mapped), "address:192.0.2.7");
        assert_eq!(LoginKeys::new(" Ann@Example.com ", mapped).account, "account:ann@example.com");
    }
}
