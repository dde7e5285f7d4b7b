//! axum's extractors, with their rejections turned into [`AppError`] so every bad request gets
//! the site's error page rather than axum's plain-text body.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::Method;
use serde::de::DeserializeOwned;

use super::error::AppError;

/// Like `axum::Form`, but an oversized body is a 413 page, a malformed one a 400 page, and a
/// field that is not UTF-8 text is refused (axum would store U+FFFD in place of its bytes).
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Form<T>, AppError> {
        let (parts, body) = request.into_parts();
        let encoded = if parts.method == Method::GET || parts.method == Method::HEAD {
            Bytes::copy_from_slice(parts.uri.query().unwrap_or_default().as_bytes())
        } else {
            Bytes::from_request(Request::from_parts(parts.clone(), body), state).await?
        };
        // axum first, so a body that is not a form at all (its content type) is told so.
        let request = Request::from_parts(parts, Body::from(encoded.clone()));
        let axum::Form(value) = axum::Form::<T>::from_request(request, state).await?;
        check_form_text(&encoded)?;
        Ok(Form(value))
    }
}

/// Refuses a URL-encoded form (or query string) any of whose names or values, once decoded,
/// is not UTF-8 text.
pub fn check_form_text(encoded: &[u8]) -> Result<(), AppError> {
    for pair in encoded.split(|&b| b == b'&') {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let name = percent_decode(halves.next().unwrap_or_default());
        let value = percent_decode(halves.next().unwrap_or_default());
        if std::str::from_utf8(&value).is_err() || std::str::from_utf8(&name).is_err() {
            let field = String::from_utf8_lossy(&name).into_owned();
            return Err(AppError::BadRequest(format!(
                "The field “{field}” is not UTF-8 text (it holds bytes of another encoding), so nothing was saved. \
                 Send the form from a page of Hindsight, or encode the text as UTF-8."
            )));
        }
    }
    Ok(())
}

/// `application/x-www-form-urlencoded` decoding of one name or value: `+` is a space and
/// `%XY` a byte (a `%` not followed by two hex digits stands for itself, as browsers send it).
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => match (input.get(i + 1).copied().and_then(hex), input.get(i + 2).copied().and_then(hex)) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

/// Like `axum::extract::Path`, but an id that does not parse is a 404 page.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// Like `axum::extract::Query`, but a malformed query string is a 400 page.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_must_decode_to_utf8_text() {
        assert!(check_form_text(b"title=Caf%C3%A9+outage&body=a%2Bb").is_ok());
        assert!(check_form_text(b"title=100%&x=%zz&").is_ok(), "a stray % stands for itself");
        assert!(check_form_text(b"title=Caf%E9").is_err(), "Latin-1");
        assert!(check_form_text(b"title=\xff").is_err(), "a raw byte");
        assert!(check_form_text(b"ti%FFtle=x").is_err(), "a name too");
    }

    #[test]
    fn percent_decoding_reads_pluses_and_escapes() {
        assert_eq!(percent_decode(b"a+b%20c%2"), b"a b c%2");
        assert_eq!(percent_decode(b"%C3%A9"), "é".as_bytes());
    }
}
