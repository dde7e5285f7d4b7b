//! The stylesheet, the script and the icon, compiled into the binary so Hindsight is one file
//! that works offline.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use super::extract::Path;

/// A file served under `/static/`, with a strong validator that changes whenever it does.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
    etag: &'static str,
}

/// FNV-1a of a file's bytes, as a quoted hex ETag.
const fn etag(bytes: &[u8]) -> [u8; 18] {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'"'; 18];
    let mut i = 0;
    while i < 16 {
        out[1 + i] = HEX[((hash >> (60 - 4 * i)) & 0xf) as usize];
        i += 1;
    }
    out
}

/// The ETag as text (hex digits and quotes are ASCII, so this cannot fail).
const fn etag_str(bytes: &'static [u8; 18]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("hex digits are ASCII"),
    }
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {{
        const BODY: &str = include_str!(concat!("../../static/", $name));
        const ETAG: [u8; 18] = etag(BODY.as_bytes());
        Asset { name: $name, content_type: $content_type, body: BODY, etag: etag_str(&ETAG) }
    }};
}

const ASSETS: &[Asset] = &[
    asset!("hindsight.css", "text/css; charset=utf-8"),
    // The public incident reports' own page (and the authors' preview of it).
    asset!("public.css", "text/css; charset=utf-8"),
    // Small first-party enhancements; every page works without it (see the file's header).
    asset!("hindsight.js", "text/javascript; charset=utf-8"),
    // The new-postmortem form's template choice follows its severity (see the file's header).
    asset!("templates.js", "text/javascript; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
];

/// `GET /static/{file}`. Browsers revalidate each time (`no-cache`) and get a 304 while the
/// file is unchanged, so a new release never shows stale styles or scripts.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let asset = ASSETS.iter().find(|asset| asset.name == file).ok_or(AppError::NotFound)?;
    let etag = HeaderValue::from_static(asset.etag);
    let cache = HeaderValue::from_static("no-cache");
    if headers.get(header::IF_NONE_MATCH) == Some(&etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache)]).into_response());
    }
    let content_type = HeaderValue::from_static(asset.content_type);
    Ok(([(header::CONTENT_TYPE, content_type), (header::ETAG, etag), (header::CACHE_CONTROL, cache)], asset.body)
        .into_response())
}
