//! All SQL lives here: one module per table, plain async functions over an executor so a caller
//! can pass a pool, a connection or a transaction. Handlers orchestrate; they never write SQL.

pub mod action_items;
pub mod api_tokens;
pub mod audit;
pub mod counters;
pub mod factors;
pub mod form_drafts;
pub mod idempotency;
pub mod incidents;
pub mod learning;
pub mod ledger;
pub mod login_failures;
pub mod password_resets;
pub mod postmortems;
pub mod public_versions;
pub mod recurrences;
pub mod rendering;
pub mod reviews;
pub mod revisions;
pub mod search;
pub mod sections;
pub mod services;
pub mod sessions;
pub mod tags;
pub mod team_stats;
pub mod teams;
pub mod templates;
pub mod timeline;
pub mod users;
pub mod webhooks;
pub mod wiki;

/// Whether a database error means "try again later" rather than "this query is wrong": no
/// connection in time, a lost connection, a server shutting down, starting up, out of
/// connection slots or read-only (an old primary after a failover), or a statement that ran
/// past `statement_timeout`.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            matches!(&*code, "57P01" | "57P02" | "57P03" | "53300" | "08000" | "08003" | "08006" | "25006" | "57014")
        }),
        _ => false,
    }
}
