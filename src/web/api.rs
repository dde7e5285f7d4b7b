//! The JSON API: postmortems as structured data for scripts and other tools. Errors under
//! `/api/` are JSON too (see `error_pages`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::admission::Db;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::export;
use super::extract::{Path, Query};
use super::paths;
use crate::app::{self, Actor};
use crate::db;
use crate::domain::input::{IncidentForm, VerifyForm};
use crate::domain::labels::Labels;
use crate::domain::time::{self as t, Offset};
use crate::domain::{ActionItem, ActionItemId, IncidentId, PerSection, Postmortem};
use crate::import::{self, draft};

/// A postmortem as JSON. Instants are RFC 3339 in the incident's own offset.
#[derive(Debug, Serialize)]
pub struct IncidentJson {
    id: i64,
    title: String,
    severity: &'static str,
    status: &'static str,
    /// `null` for a draft that does not say yet.
    started_at: Option<String>,
    ended_at: Option<String>,
    utc_offset: String,
    utc_offset_minutes: i32,
    duration_minutes: Option<i64>,
    /// The name of the template it was started from (`null`: none, as for imports).
    template: Option<String>,
    /// Each section's Markdown, keyed by section (`summary`, `impact`, `root_cause`, ...).
    #[serde(flatten)]
    texts: PerSection<String>,
    version: i32,
    updated_at: String,
    timeline: Vec<TimelineEntryJson>,
    action_items: Vec<ActionItemJson>,
    sections: Vec<SectionJson>,
    /// Confirmed recurrences both ways (read apart: see `recurrences::RecurrencesJson`).
    recurrences: super::recurrences::RecurrencesJson,
    /// `services` ([{id, name}], by name), `tags` ([name], by name), `factors`
    /// ([{id, name, explanation}], in the authors' order).
    #[serde(flatten)]
    labels: Labels,
}

#[derive(Debug, Serialize)]
struct TimelineEntryJson {
    id: i64,
    occurred_at: String,
    body: String,
    /// The time as an imported document wrote it, or "".
    time_as_written: String,
    /// The moment of the incident it marks (`impact_started`, `detected`, `mitigated`,
    /// `resolved`), or null.
    marker: Option<crate::domain::Marker>,
}

#[derive(Debug, Serialize)]
pub struct ActionItemJson {
    id: i64,
    body: String,
    /// The owner's name: the linked person's, else as written.
    owner: String,
    /// The linked person's id, if any.
    owner_id: Option<i64>,
    /// The team's name: the linked team's, else as written.
    team: String,
    team_id: Option<i64>,
    kind: Option<crate::domain::ActionKind>,
    priority: Option<crate::domain::Priority>,
    status: crate::domain::ActionStatus,
    wont_do_reason: String,
    ticket_url: String,
    completion_note: String,
    due_on: Option<String>,
    done: bool,
    completed_at: Option<String>,
    /// Who verified it (someone other than its owner), when, and the evidence; null if nobody has.
    verified: Option<VerifiedJson>,
    /// The later incidents in which what it was meant to prevent happened again.
    recurred_in: Vec<i64>,
}

#[derive(Debug, Serialize)]
struct VerifiedJson {
    at: String,
    /// The verifier's name (as written, for a verification imported from an export).
    by: String,
    /// The verifier's id, when they have an account here.
    by_id: Option<i64>,
    evidence: String,
}

impl ActionItemJson {
    fn new(item: ActionItem, offset: Offset) -> ActionItemJson {
        let instant = |at| t::format_rfc3339(at, offset);
        ActionItemJson {
            id: item.id.0,
            done: item.is_done(),
            due_on: item.due_on.map(t::format_date),
            completed_at: item.completed_at.map(instant),
            owner: item.owner_name().to_owned(),
            owner_id: item.owner_id.map(|id| id.0),
            team: item.team_label().to_owned(),
            team_id: item.team_id.map(|id| id.0),
            kind: item.kind,
            priority: item.priority,
            status: item.status,
            verified: item.verified_at.map(|at| VerifiedJson {
                at: instant(at),
                by: item.verifier,
                by_id: item.verified_by.map(|id| id.0),
                evidence: item.verification_evidence,
            }),
            recurred_in: item.recurred_in.iter().map(|id| id.0).collect(),
            wont_do_reason: item.wont_do_reason,
            ticket_url: item.ticket_url,
            completion_note: item.completion_note,
            body: item.body,
        }
    }
}

#[derive(Debug, Serialize)]
struct SectionJson {
    id: i64,
    heading: String,
    body: String,
}

impl IncidentJson {
    pub fn new(postmortem: Postmortem) -> IncidentJson {
        // Recurrences are read apart, with who confirmed them and when (`RecurrencesJson`).
        let Postmortem { incident, timeline, action_items, sections, labels, recurrences: _ } = postmortem;
        let offset: Offset = incident.offset;
        let instant = |at| t::format_rfc3339(at, offset);
        IncidentJson {
            id: incident.id.0,
            severity: incident.severity.as_str(),
            status: incident.status.as_str(),
            started_at: incident.started_at.map(instant),
            ended_at: incident.ended_at.map(instant),
            utc_offset: offset.to_string(),
            utc_offset_minutes: offset.minutes(),
            duration_minutes: incident.duration().map(|d| d.whole_minutes()),
            version: incident.version,
            updated_at: instant(incident.updated_at),
            template: incident.template.map(|outline| outline.name),
            timeline: timeline
                .into_iter()
                .map(|e| TimelineEntryJson {
                    id: e.id.0,
                    occurred_at: instant(e.occurred_at),
                    body: e.body,
                    time_as_written: e.time_as_written,
                    marker: e.marker,
                })
                .collect(),
            action_items: action_items.into_iter().map(|item| ActionItemJson::new(item, offset)).collect(),
            sections: sections
                .into_iter()
                .map(|s| SectionJson { id: s.id.0, heading: s.heading, body: s.body })
                .collect(),
            title: incident.title,
            texts: incident.texts,
            recurrences: Default::default(),
            labels,
        }
    }
}

/// `GET /api/incidents/{id}`.
pub async fn incident(mut db: Db, Path(id): Path<IncidentId>) -> Result<Json<IncidentJson>> {
    let postmortem = db::postmortems::find(&mut db, id).await?.ok_or(AppError::NotFound)?;
    let mut json = IncidentJson::new(postmortem);
    json.recurrences = super::recurrences::RecurrencesJson::read(&mut db, id).await?;
    Ok(Json(json))
}

/// `POST /api/incidents/{id}/action-items/{item}/verify` with `{"evidence": "…"}`: verifies a
/// done item as the token's owner (who must not own the item). Answers with the item.
pub async fn verify_action_item(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, item)): Path<(IncidentId, ActionItemId)>,
    body: std::result::Result<Json<VerifyForm>, JsonRejection>,
) -> Result<Json<ActionItemJson>> {
    let Json(form) = body.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    app::action_items::verify(&mut db, Actor::from(&user), id, item, &form).await?;
    action_item(&mut db, id, item).await
}

/// `POST /api/incidents/{id}/action-items/{item}/unverify`: withdraws the item's verification
/// (its verifier, or a manager). Answers with the item.
pub async fn unverify_action_item(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, item)): Path<(IncidentId, ActionItemId)>,
) -> Result<Json<ActionItemJson>> {
    app::action_items::unverify(&mut db, Actor::from(&user), id, item).await?;
    action_item(&mut db, id, item).await
}

async fn action_item(db: &mut PgConnection, id: IncidentId, item: ActionItemId) -> Result<Json<ActionItemJson>> {
    let offset = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?.offset;
    let item = db::action_items::find(&mut *db, id, item).await?.ok_or(AppError::NotFound)?;
    Ok(Json(ActionItemJson::new(item, offset)))
}

/// `POST /api/incidents/{id}/labels`: sets its services, tags and contributing factors (all
/// three, replacing what it had) if it is still at the version sent; answers with the
/// postmortem as `GET` would.
pub async fn set_labels(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    body: std::result::Result<Json<app::labels::LabelsInput>, JsonRejection>,
) -> Result<Json<IncidentJson>> {
    let Json(input) = body.map_err(|rejection| {
        AppError::Unprocessable(format!("The body is not the JSON expected: {}", rejection.body_text()))
    })?;
    app::labels::set(&mut db, Actor::from(&user), id, &input).await?;
    incident(db, Path(id)).await
}

/// `GET /api/services`: every service in use, by name, with how many postmortems name it.
pub async fn services(mut db: Db) -> Result<Json<Vec<ServiceJson>>> {
    let rows = db::services::listing(&mut *db).await?;
    Ok(Json(rows.into_iter().map(|s| ServiceJson { id: s.id.0, name: s.name, incidents: s.incidents }).collect()))
}

#[derive(Debug, Serialize)]
pub struct ServiceJson {
    id: i64,
    name: String,
    incidents: i64,
}

/// `GET /api/factors`: the kinds of contributing factor, in the taxonomy's order, retired ones
/// included (`retired: true`).
pub async fn factors(mut db: Db) -> Result<Json<Vec<crate::domain::labels::FactorKind>>> {
    Ok(Json(db::factors::kinds(&mut *db).await?))
}

/// `GET /api/incidents/{id}/export.md`: the same document as the page's download.
pub async fn export_markdown(db: Db, id: Path<IncidentId>) -> Result<Response> {
    export::download(db, id).await
}

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    /// Save the document as a draft; otherwise only say what was recognised.
    #[serde(default)]
    save: bool,
    /// Titles the document when nothing in it does.
    file_name: Option<String>,
}

/// What `POST /api/import?save=true` answers: the new draft.
#[derive(Debug, Serialize)]
struct ImportedJson {
    id: i64,
    url: String,
    title: String,
    /// What the importer assumed, for the user to check.
    notes: Vec<String>,
}

/// `POST /api/import`: the body is one Markdown document. Answers with the recognised structure
/// (the same JSON as `hindsight import --dry-run --json`), or with `?save=true` saves it as a
/// draft and answers 201 with its id. A document that cannot be imported is a 422 whose
/// message says why; nothing is saved.
pub async fn import(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ImportQuery>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let body = body?;
    let text = import::check_input(&body).map_err(|error| AppError::Unprocessable(error.to_string()))?;
    let mut imported = draft::recognise(text, query.file_name.as_deref());
    if !query.save {
        return Ok(Json(imported).into_response());
    }
    let drafts = super::import::correct(&mut imported, &mut IncidentForm::default()).map_err(|errors| {
        let messages: Vec<&str> = errors.iter().map(|(_, message)| message).collect();
        AppError::Unprocessable(messages.join(" "))
    })?;
    let id = app::imports::save(&mut db, Actor::from(&user), &drafts).await?;
    let url = paths::incident(id);
    let json = ImportedJson { id: id.0, url: url.clone(), title: drafts.incident.title, notes: imported.notes };
    Ok((StatusCode::CREATED, [(header::LOCATION, url)], Json(json)).into_response())
}
