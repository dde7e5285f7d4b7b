//! axum's extractors, with their rejections turned into [`AppError`] so every bad request gets
//! the site's error page rather than axum's plain-text body.

use axum::extract::{FromRequest, FromRequestParts};

use super::error::AppError;

/// Like `axum::Form`, but an oversized body is a 413 page and a malformed one a 400 page.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

/// Like `axum::extract::Path`, but an id that does not parse is a 404 page.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// Like `axum::extract::Query`, but a malformed query string is a 400 page.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);
