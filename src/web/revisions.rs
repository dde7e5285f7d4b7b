//! The history of a postmortem: its revisions, any one of them as it read then, and a diff
//! between any two.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;
use sqlx::PgConnection;

use super::admission::Db;
use super::error::{AppError, Result};
use super::extract::{Path, Query};
use super::layout::Viewer;
use crate::db;
use crate::db::revisions::RevisionSummary;
use crate::domain::{IncidentId, StoredHtml};
use crate::markdown::SafeHtml;
use crate::markdown::diff::{Diff, diff};

/// A revision as listed.
pub struct RevisionRow {
    pub summary: RevisionSummary,
    pub when: String,
    pub iso: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "revisions/index.html")]
pub struct IndexPage {
    viewer: Viewer,
    id: IncidentId,
    title: String,
    revisions: Vec<RevisionRow>,
}

fn rows(revisions: Vec<RevisionSummary>) -> Vec<RevisionRow> {
    revisions
        .into_iter()
        .map(|summary| RevisionRow {
            when: super::layout::ago(summary.updated_at),
            iso: super::layout::iso(summary.updated_at),
            summary,
        })
        .collect()
}

/// `GET /incidents/{id}/revisions`: every revision, newest first, with a form to compare two.
pub async fn index(mut db: Db, viewer: Viewer, Path(id): Path<IncidentId>) -> Result<IndexPage> {
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let revisions = rows(db::revisions::list(&mut *db, id).await?);
    Ok(IndexPage { viewer, id, title: incident.title, revisions })
}

#[derive(Template, WebTemplate)]
#[template(path = "revisions/show.html")]
pub struct ShowPage {
    viewer: Viewer,
    id: IncidentId,
    title: String,
    number: i32,
    latest: i32,
    author: String,
    published: bool,
    when: String,
    html: SafeHtml,
}

/// `GET /incidents/{id}/revisions/{number}`: the postmortem as it read in that revision.
pub async fn show(mut db: Db, viewer: Viewer, Path((id, number)): Path<(IncidentId, i32)>) -> Result<ShowPage> {
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let revision = db::revisions::find(&mut *db, id, number).await?.ok_or(AppError::NotFound)?;
    let (latest, _) = db::revisions::latest_numbers(&mut *db, id).await?;
    let stored = StoredHtml { html: revision.html, rendered_with: revision.rendered_with };
    let (html, _) = super::rendering::shown_all([(revision.markdown.as_str(), &stored)]).await;
    Ok(ShowPage {
        viewer,
        id,
        title: incident.title,
        number,
        latest: latest.unwrap_or(number),
        author: revision.author.unwrap_or_else(|| "the command line".to_owned()),
        published: revision.published,
        when: super::layout::ago(revision.updated_at),
        html: html.into_iter().next().unwrap_or_default(),
    })
}

/// Which two revisions to compare; either may be missing (the latest, and the one before).
#[derive(Debug, Default, Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "revisions/compare.html")]
pub struct ComparePage {
    viewer: Viewer,
    id: IncidentId,
    title: String,
    from: i32,
    to: i32,
    revisions: Vec<RevisionRow>,
    diff: Diff,
}

/// Reads a revision number from the query: blank means "not chosen".
fn revision_number(text: Option<&str>) -> Result<Option<i32>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|number| *number > 0)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(format!("“{text}” is not a revision number."))),
    }
}

/// `GET /incidents/{id}/compare?from=A&to=B`: what changed from revision A to revision B.
pub async fn compare(
    mut db: Db,
    viewer: Viewer,
    Path(id): Path<IncidentId>,
    Query(query): Query<CompareQuery>,
) -> Result<ComparePage> {
    let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let revisions = db::revisions::list(&mut *db, id).await?;
    let latest = revisions.first().map_or(0, |revision| revision.number);
    let to = revision_number(query.to.as_deref())?.unwrap_or(latest);
    let from = revision_number(query.from.as_deref())?.unwrap_or(to.saturating_sub(1).max(1));
    let (old, new) = (text_of(&mut db, id, from).await?, text_of(&mut db, id, to).await?);
    // A diff is CPU work on whole documents: keep it off the async workers.
    let diff = tokio::task::spawn_blocking(move || diff(&old, &new))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    Ok(ComparePage { viewer, id, title: incident.title, from, to, revisions: rows(revisions), diff })
}

/// The Markdown of revision `number` of postmortem `id`.
async fn text_of(db: &mut PgConnection, id: IncidentId, number: i32) -> Result<String> {
    let revision = db::revisions::find(db, id, number).await?;
    revision
        .map(|revision| revision.markdown)
        .ok_or_else(|| AppError::BadRequest(format!("Postmortem #{id} has no revision {number}.")))
}
