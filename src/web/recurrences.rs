//! Similar incidents and "this happened before" on a postmortem's page: the earlier
//! postmortems most like it with why, the recurrences authors confirmed both ways, and the form
//! that confirms one (ticking the earlier postmortem's done action items that recurred).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::admission::Db;
use super::auth::CurrentUser;
use super::error::{AppError, Result};
use super::extract::{Form, Path, Query};
use super::layout::Viewer;
use super::paths;
use super::postmortem::TimeView;
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::db::recurrences::{Recurrence, Similar};
use crate::domain::input::FieldErrors;
use crate::domain::time::{self as t, Offset};
use crate::domain::{ActionItemId, IncidentId, Severity, Status};

/// The most similar incidents a postmortem page shows.
pub const SIMILAR_SHOWN: i64 = 5;

/// An earlier postmortem like this one, with why in words.
pub struct SimilarRow {
    pub id: IncidentId,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub started: TimeView,
    pub reasons: Vec<String>,
    /// Already confirmed as happened before.
    pub confirmed: bool,
}

/// Why two postmortems are alike, as sentences.
fn reasons(similar: &Similar) -> Vec<String> {
    let mut reasons = Vec::new();
    match similar.shared_services.as_slice() {
        [] => {}
        [one] => reasons.push(format!("shares service {one}")),
        many => reasons.push(format!("shares services {}", many.join(", "))),
    }
    match similar.shared_factors.as_slice() {
        [] => {}
        [one] => reasons.push(format!("same factor: {one}")),
        many => reasons.push(format!("same factors: {}", many.join(", "))),
    }
    if similar.title_similarity >= 0.5 {
        reasons.push("a similar title".to_owned());
    }
    if !similar.shared_words.is_empty() {
        let words: Vec<&str> = similar.shared_words.iter().take(6).map(String::as_str).collect();
        reasons.push(format!("similar words: {}", words.join(", ")));
    }
    reasons
}

pub struct RecurrenceRow {
    pub id: IncidentId,
    pub title: String,
    pub started: TimeView,
    pub confirmed_by: String,
}

impl From<Recurrence> for RecurrenceRow {
    fn from(r: Recurrence) -> RecurrenceRow {
        RecurrenceRow {
            id: r.id,
            title: r.title,
            started: TimeView::start(r.started_at, Offset::from_minutes(r.utc_offset_minutes)),
            confirmed_by: r.confirmed_by.unwrap_or_default(),
        }
    }
}

/// What the postmortem page shows about other postmortems like it.
#[derive(Default)]
pub struct Learning {
    pub similar: Vec<SimilarRow>,
    pub before: Vec<RecurrenceRow>,
    pub again: Vec<RecurrenceRow>,
    /// This postmortem's action items that recurred, each with the later postmortems.
    pub recurred: HashMap<ActionItemId, Vec<IncidentId>>,
}

impl Learning {
    /// Reads it for postmortem `id`: a few indexed queries, bounded however many postmortems
    /// there are (see `db::recurrences::similar`).
    pub async fn read(db: &mut PgConnection, id: IncidentId) -> sqlx::Result<Learning> {
        let (before, again) = db::recurrences::of(&mut *db, id).await?;
        let similar = db::recurrences::similar(&mut *db, id, SIMILAR_SHOWN).await?;
        let mut recurred: HashMap<ActionItemId, Vec<IncidentId>> = HashMap::new();
        for (item, later) in db::recurrences::recurred_items(&mut *db, id).await? {
            recurred.entry(item).or_default().push(later);
        }
        Ok(Learning {
            similar: similar
                .iter()
                .map(|s| SimilarRow {
                    id: s.id,
                    title: s.title.clone(),
                    severity: s.severity,
                    status: s.status,
                    started: TimeView::start(s.started_at, Offset::from_minutes(s.utc_offset_minutes)),
                    reasons: reasons(s),
                    confirmed: before.iter().any(|b| b.id == s.id),
                })
                .collect(),
            before: before.into_iter().map(RecurrenceRow::from).collect(),
            again: again.into_iter().map(RecurrenceRow::from).collect(),
            recurred,
        })
    }

    /// The later postmortems item `id` recurred in (empty: it did not).
    pub fn recurred_in(&self, id: &ActionItemId) -> &[IncidentId] {
        self.recurred.get(id).map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    earlier: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/recurrence.html")]
pub struct ConfirmPage {
    viewer: Viewer,
    id: IncidentId,
    title: String,
    /// The earlier postmortem as typed, and, once found, its title and done items.
    earlier: String,
    earlier_id: Option<IncidentId>,
    earlier_title: Option<String>,
    done_items: Vec<(ActionItemId, String)>,
    ticked: Vec<ActionItemId>,
    errors: FieldErrors,
}

/// A postmortem number as typed (`42` or `#42`).
fn parse_number(text: &str) -> Option<IncidentId> {
    text.trim().trim_start_matches('#').parse().ok().filter(|n: &i64| *n > 0).map(IncidentId)
}

impl ConfirmPage {
    async fn new(
        db: &mut PgConnection,
        viewer: Viewer,
        id: IncidentId,
        earlier: &str,
        ticked: Vec<ActionItemId>,
        mut errors: FieldErrors,
    ) -> Result<ConfirmPage> {
        let incident = db::incidents::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
        let mut page = ConfirmPage {
            viewer,
            id,
            title: incident.title,
            earlier: earlier.trim().to_owned(),
            earlier_id: None,
            earlier_title: None,
            done_items: Vec::new(),
            ticked,
            errors: FieldErrors::default(),
        };
        if !page.earlier.is_empty() {
            match parse_number(&page.earlier) {
                None if errors.get("earlier").is_none() => {
                    errors.add("earlier", "Give the earlier postmortem's number, such as 42 (it is in its address).")
                }
                None => {}
                Some(earlier) => match db::incidents::find(&mut *db, earlier).await? {
                    Some(found) => {
                        page.earlier_id = Some(earlier);
                        page.earlier_title = Some(found.title);
                        page.done_items = db::recurrences::done_items(&mut *db, earlier).await?;
                    }
                    None if errors.get("earlier").is_none() => {
                        errors.add("earlier", format!("There is no postmortem #{earlier}."))
                    }
                    None => {}
                },
            }
        }
        page.errors = errors;
        Ok(page)
    }
}

/// `GET /incidents/{id}/recurrences/new?earlier=N`: the confirmation, with the earlier
/// postmortem's done action items to tick.
pub async fn new(
    mut db: Db,
    viewer: Viewer,
    Path(id): Path<IncidentId>,
    Query(query): Query<NewQuery>,
) -> Result<ConfirmPage> {
    ConfirmPage::new(&mut db, viewer, id, &query.earlier, Vec::new(), FieldErrors::default()).await
}

/// `POST /incidents/{id}/recurrences`: `earlier` and any number of `item`s.
pub async fn confirm(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let earlier_text = fields.iter().find(|(name, _)| name == "earlier").map(|(_, v)| v.clone()).unwrap_or_default();
    let items: Vec<ActionItemId> = fields
        .iter()
        .filter(|(name, _)| name == "item")
        .filter_map(|(_, v)| v.parse().ok().map(ActionItemId))
        .collect();
    let errors = match parse_number(&earlier_text) {
        None => {
            let mut errors = FieldErrors::default();
            errors.add("earlier", "Give the earlier postmortem's number, such as 42 (it is in its address).");
            errors
        }
        Some(earlier) => match app::recurrences::confirm(&mut db, Actor::from(&user), id, earlier, &items).await {
            Ok(()) => return Ok(Redirect::to(&paths::incident_recurrences(id)).into_response()),
            Err(ChangeError::Invalid(errors)) => errors,
            Err(error) => return Err(error.into()),
        },
    };
    // Refused: the form again, as ticked, with why.
    let page = ConfirmPage::new(&mut db, viewer, id, &earlier_text, items, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /incidents/{id}/recurrences/{earlier}/delete`.
pub async fn remove(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, earlier)): Path<(IncidentId, IncidentId)>,
) -> Result<Redirect> {
    app::recurrences::remove(&mut db, Actor::from(&user), id, earlier).await?;
    Ok(Redirect::to(&paths::incident_recurrences(id)))
}

/// A recurrence in the JSON API.
#[derive(Debug, Serialize)]
pub struct RecurrenceJson {
    id: i64,
    title: String,
    /// `null` for a draft that does not say yet.
    started_at: Option<String>,
    url: String,
    confirmed_by: Option<String>,
    confirmed_at: String,
}

/// The recurrences of a postmortem in its JSON: ids are this instance's.
#[derive(Debug, Default, Serialize)]
pub struct RecurrencesJson {
    happened_before: Vec<RecurrenceJson>,
    happened_again: Vec<RecurrenceJson>,
    /// Its action items that recurred, each with the ids of the later postmortems.
    recurred_items: Vec<(i64, Vec<i64>)>,
}

impl RecurrencesJson {
    pub async fn read(db: &mut PgConnection, id: IncidentId) -> sqlx::Result<RecurrencesJson> {
        let (before, again) = db::recurrences::of(&mut *db, id).await?;
        let json = |r: Recurrence| {
            let offset = Offset::from_minutes(r.utc_offset_minutes);
            RecurrenceJson {
                id: r.id.0,
                url: paths::incident(r.id),
                started_at: r.started_at.map(|start| t::format_rfc3339(start, offset)),
                confirmed_at: t::format_rfc3339(r.confirmed_at, Offset::UTC),
                confirmed_by: r.confirmed_by,
                title: r.title,
            }
        };
        let mut recurred: Vec<(i64, Vec<i64>)> = Vec::new();
        for (item, later) in db::recurrences::recurred_items(&mut *db, id).await? {
            match recurred.last_mut() {
                Some((last, laters)) if *last == item.0 => laters.push(later.0),
                _ => recurred.push((item.0, vec![later.0])),
            }
        }
        Ok(RecurrencesJson {
            happened_before: before.into_iter().map(json).collect(),
            happened_again: again.into_iter().map(json).collect(),
            recurred_items: recurred,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmJson {
    earlier_id: i64,
    #[serde(default)]
    recurred_items: Vec<i64>,
}

/// `POST /api/incidents/{id}/recurrences` with `{"earlier_id": N, "recurred_items": [..]}`:
/// the postmortem's recurrences as they are then.
pub async fn api_confirm(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path(id): Path<IncidentId>,
    body: Bytes,
) -> Result<Json<RecurrencesJson>> {
    let asked: ConfirmJson = serde_json::from_slice(&body).map_err(|error| {
        AppError::BadRequest(format!(
            "The body must be JSON like {{\"earlier_id\": 42, \"recurred_items\": [7]}}: {error}"
        ))
    })?;
    let items: Vec<ActionItemId> = asked.recurred_items.into_iter().map(ActionItemId).collect();
    app::recurrences::confirm(&mut db, Actor::from(&user), id, IncidentId(asked.earlier_id), &items).await?;
    Ok(Json(RecurrencesJson::read(&mut db, id).await?))
}

/// `DELETE /api/incidents/{id}/recurrences/{earlier}`.
pub async fn api_remove(
    mut db: Db,
    CurrentUser(user): CurrentUser,
    Path((id, earlier)): Path<(IncidentId, IncidentId)>,
) -> Result<StatusCode> {
    app::recurrences::remove(&mut db, Actor::from(&user), id, earlier).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_with_or_without_a_hash() {
        assert_eq!(parse_number(" #42 "), Some(IncidentId(42)));
        assert_eq!(parse_number("42"), Some(IncidentId(42)));
        assert_eq!(parse_number("0"), None);
        assert_eq!(parse_number("forty"), None);
    }
}
