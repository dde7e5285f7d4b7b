//! All SQL lives here: one module per table, plain async functions over an executor so a caller
//! can pass a pool, a connection or a transaction. Handlers orchestrate; they never write SQL.

pub mod action_items;
pub mod api_tokens;
pub mod audit;
pub mod counters;
pub mod incidents;
pub mod ledger;
pub mod login_failures;
pub mod password_resets;
pub mod postmortems;
pub mod rendering;
pub mod reviews;
pub mod revisions;
pub mod sections;
pub mod sessions;
pub mod team_stats;
pub mod teams;
pub mod timeline;
pub mod users;
pub mod webhooks;
