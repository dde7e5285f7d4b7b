//! Hindsight: a self-hosted tool for incident postmortems.
//!
//! Layers, from the outside in: `cli` and `server` start things; `web` handles HTTP (and, in
//! `web::auth`, who may do what); `auth` holds password, token and throttling rules;
//! `markdown` renders and exports; `db` holds all SQL; `domain` is the vocabulary they share;
//! `database` connects to (or runs) PostgreSQL.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod database;
pub mod db;
pub mod demo;
pub mod domain;
pub mod format;
pub mod import;
pub mod markdown;
pub mod metrics;
pub mod secrets;
pub mod server;
pub mod web;
pub mod webhooks;
pub mod wiki;

pub use web::{AppState, router};
