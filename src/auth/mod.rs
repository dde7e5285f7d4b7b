//! Accounts, free of HTTP: password rules and hashing, secret tokens, and login throttling.
//! `web::auth` connects them to requests (cookies, the SSO proxy header, API tokens) and
//! decides who may reach which route.

pub mod password;
pub mod throttle;
pub mod token;
