//! The stylesheet, compiled into the binary so Hindsight is one file that works offline.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use super::extract::Path;

const STYLESHEET: &str = include_str!("../../static/hindsight.css");

/// A strong validator that changes whenever the stylesheet does (FNV-1a of its bytes).
const ETAG: &str = {
    const fn fnv1a(bytes: &[u8]) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325_u64;
        let mut i = 0;
        while i < bytes.len() {
            hash ^= bytes[i] as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
            i += 1;
        }
        hash
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    const fn etag(hash: u64) -> [u8; 18] {
        let mut out = [b'"'; 18];
        let mut i = 0;
        while i < 16 {
            out[1 + i] = HEX[((hash >> (60 - 4 * i)) & 0xf) as usize];
            i += 1;
        }
        out
    }
    const BYTES: [u8; 18] = etag(fnv1a(STYLESHEET.as_bytes()));
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("hex digits are ASCII"),
    }
};

/// `GET /static/{file}`. Browsers revalidate each time (`no-cache`) and get a 304 while the
/// stylesheet is unchanged, so a new release never shows stale styles.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    if file != "hindsight.css" {
        return Err(AppError::NotFound);
    }
    let etag = HeaderValue::from_static(ETAG);
    let cache = HeaderValue::from_static("no-cache");
    if headers.get(header::IF_NONE_MATCH) == Some(&etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache)]).into_response());
    }
    let content_type = HeaderValue::from_static("text/css; charset=utf-8");
    Ok(([(header::CONTENT_TYPE, content_type), (header::ETAG, etag), (header::CACHE_CONTROL, cache)], STYLESHEET)
        .into_response())
}
