//! Integration tests: the whole router against a real PostgreSQL, a fresh database per test.
//! One test binary keeps compile and link time down.

mod accounts;
mod action_items;
mod adversarial;
mod api;
mod authorization;
mod bad_input;
mod browser;
mod cli;
mod concurrency;
mod conflicts;
mod drafts;
mod errors;
mod export;
mod faults;
mod feeds;
mod harness;
mod import;
mod incidents;
mod journeys;
mod labels;
mod learning;
mod ledger;
mod public_versions;
mod rendering;
mod resilience;
mod reviews;
mod revisions;
mod routes;
mod search;
mod sections;
mod security;
mod templates;
mod timeline;
mod webhooks;
mod xss;
