//! The Markdown export, as a download and as a page to copy from.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::admission::Db;
use super::error::{AppError, Result};
use super::extract::Path;
use super::layout::Viewer;
use crate::db;
use crate::domain::IncidentId;
use crate::markdown::export;

/// `GET /incidents/{id}/export.md`: the document as a `text/markdown` attachment.
pub async fn download(mut db: Db, Path(id): Path<IncidentId>) -> Result<Response> {
    let postmortem = db::postmortems::find(&mut db, id).await?.ok_or(AppError::NotFound)?;
    let disposition = format!("attachment; filename=\"{}\"", export::file_name(&postmortem));
    let mut response = export::export(&postmortem).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/markdown; charset=utf-8"));
    // The file name is an ASCII slug, so it is always a valid header value.
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Folder the archive unpacks into.
const ARCHIVE_FOLDER: &str = "hindsight-postmortems";

/// `GET /incidents/export.zip`: every postmortem as Markdown plus `index.md`, in one zip.
pub async fn archive(mut db: Db) -> Result<Response> {
    let postmortems = db::postmortems::all(&mut db).await?;
    // Compressing is CPU work: keep it off the async workers.
    let bytes = tokio::task::spawn_blocking(move || zip_bundle(&export::bundle(&postmortems)))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"hindsight-postmortems.zip\""),
    );
    Ok(response)
}

/// A zip of `files` under [`ARCHIVE_FOLDER`], with fixed timestamps so the same postmortems
/// always make the same bytes.
fn zip_bundle(files: &[(String, String)]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in files {
        zip.start_file(format!("{ARCHIVE_FOLDER}/{name}"), options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/markdown.html")]
pub struct CopyPage {
    viewer: Viewer,
    id: IncidentId,
    title: String,
    file_name: String,
    markdown: String,
    lines: usize,
}

/// `GET /incidents/{id}/markdown`: the same text in a read-only box, ready to select and copy.
pub async fn copy_view(mut db: Db, viewer: Viewer, Path(id): Path<IncidentId>) -> Result<CopyPage> {
    let postmortem = db::postmortems::find(&mut db, id).await?.ok_or(AppError::NotFound)?;
    let markdown = export::export(&postmortem);
    Ok(CopyPage {
        viewer,
        id,
        file_name: export::file_name(&postmortem),
        lines: markdown.lines().count().clamp(10, 40),
        title: postmortem.incident.title,
        markdown,
    })
}
