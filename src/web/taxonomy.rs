//! Administration of the managed lists a postmortem's labels come from: services (rename,
//! merge one into another) and the kinds of contributing factor (add, rename, describe,
//! retire, restore). Every route here is behind `require(Role::Admin)`.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::admission::Db;
use super::auth::CurrentUser;
use super::error::Result;
use super::extract::{Form, Path};
use super::layout::Viewer;
use crate::app::labels::FactorKindForm;
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::db::services::ServiceListing;
use crate::domain::input::{FieldErrors, version_field};
use crate::domain::labels::FactorKind;
use crate::domain::{FactorKindId, ServiceId};

// ---- Services -----------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "admin/services.html")]
pub struct ServicesPage {
    viewer: Viewer,
    rows: Vec<ServiceListing>,
    /// The row whose form was refused, with what was typed in it.
    refused: Option<ServiceId>,
    typed: ServiceForm,
    errors: FieldErrors,
}

impl ServicesPage {
    /// Where the error summary's links point: the refused row's fields.
    fn field_prefix(&self) -> String {
        self.refused.map_or_else(String::new, |id| format!("service-{id}-"))
    }

    fn row_refused(&self, row: &ServiceListing) -> bool {
        self.refused == Some(row.id)
    }

    /// The name `row`'s rename field shows: as typed on the refused row, else the service's.
    fn row_name(&self, row: &ServiceListing) -> String {
        if self.row_refused(row) && !self.typed.name.is_empty() { self.typed.name.clone() } else { row.name.clone() }
    }

    fn row_into<'a>(&'a self, row: &ServiceListing) -> &'a str {
        if self.row_refused(row) { &self.typed.into } else { "" }
    }

    fn row_error(&self, row: &ServiceListing, field: &str) -> Option<&str> {
        self.row_refused(row).then(|| self.errors.get(field)).flatten()
    }
}

/// A service's rename or merge form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    name: String,
    /// The name of the service to merge this one into.
    into: String,
    version: String,
}

async fn services_page(
    db: &mut PgConnection,
    viewer: Viewer,
    refused: Option<ServiceId>,
    typed: ServiceForm,
    errors: FieldErrors,
) -> Result<ServicesPage> {
    let rows = db::services::listing(&mut *db).await?;
    Ok(ServicesPage { viewer, rows, refused, typed, errors })
}

/// `GET /admin/services`.
pub async fn services(mut db: Db, viewer: Viewer) -> Result<ServicesPage> {
    services_page(&mut db, viewer, None, ServiceForm::default(), FieldErrors::default()).await
}

/// `POST /admin/services/{id}`: renames it.
pub async fn rename_service(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<ServiceId>,
    Form(form): Form<ServiceForm>,
) -> Result<Response> {
    let saved =
        app::labels::rename_service(&mut db, Actor::from(&admin), id, version_field(&form.version), &form.name).await;
    after_service_change(&mut db, viewer, id, form, saved).await
}

/// `POST /admin/services/{id}/merge`: merges it into the service named in `into`.
pub async fn merge_service(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<ServiceId>,
    Form(form): Form<ServiceForm>,
) -> Result<Response> {
    let saved = if form.into.trim().is_empty() {
        Err(ChangeError::field("into", "Type the name of the service to merge this one into."))
    } else {
        match db::services::in_use_named(&mut *db, &form.into).await? {
            None => Err(ChangeError::field(
                "into",
                format!("There is no service called “{}”. Choose one from the list.", form.into.trim()),
            )),
            into => {
                app::labels::merge_service(&mut db, Actor::from(&admin), id, version_field(&form.version), into).await
            }
        }
    };
    after_service_change(&mut db, viewer, id, form, saved).await
}

/// Back to the list, or the list again with the refused row as typed and why.
async fn after_service_change(
    db: &mut PgConnection,
    viewer: Viewer,
    id: ServiceId,
    form: ServiceForm,
    saved: app::Result<()>,
) -> Result<Response> {
    let (status, errors) = match saved {
        Ok(()) => return Ok(Redirect::to("/admin/services").into_response()),
        Err(ChangeError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(ChangeError::Stale) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "name",
                "Another admin changed or merged this service since the page was loaded. The list below is as it is now: check it and try again.",
            );
            (StatusCode::CONFLICT, errors)
        }
        Err(error) => return Err(error.into()),
    };
    // A row that is gone (merged away meanwhile) cannot show its form; the message says why.
    let mut page = services_page(db, viewer, Some(id), form, errors).await?;
    if !page.rows.iter().any(|row| row.id == id) {
        page.refused = None;
        page.typed = ServiceForm::default();
    }
    Ok((status, page).into_response())
}

// ---- Contributing factors -----------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "admin/factors.html")]
pub struct FactorsPage {
    viewer: Viewer,
    rows: Vec<(FactorKind, i64)>,
    /// The row whose form was refused (`None` with errors: the add form).
    refused: Option<FactorKindId>,
    typed: FactorKindForm,
    errors: FieldErrors,
}

impl FactorsPage {
    fn field_prefix(&self) -> String {
        self.refused.map_or_else(|| "factor-".to_owned(), |id| format!("factor-{id}-"))
    }

    fn row_refused(&self, kind: &FactorKind) -> bool {
        self.refused == Some(kind.id)
    }

    /// What `kind`'s row shows: as typed on the refused row, else as saved.
    fn row_form(&self, kind: &FactorKind) -> FactorKindForm {
        if self.row_refused(kind) {
            self.typed.clone()
        } else {
            FactorKindForm {
                name: kind.name.clone(),
                description: kind.description.clone(),
                retired: if kind.retired { "on".into() } else { String::new() },
                version: kind.version.to_string(),
            }
        }
    }

    fn row_error(&self, kind: &FactorKind, field: &str) -> Option<&str> {
        self.row_refused(kind).then(|| self.errors.get(field)).flatten()
    }

    fn add_typed(&self) -> FactorKindForm {
        if self.refused.is_none() { self.typed.clone() } else { FactorKindForm::default() }
    }

    fn add_error(&self, field: &str) -> Option<&str> {
        self.refused.is_none().then(|| self.errors.get(field)).flatten()
    }
}

async fn factors_page(
    db: &mut PgConnection,
    viewer: Viewer,
    refused: Option<FactorKindId>,
    typed: FactorKindForm,
    errors: FieldErrors,
) -> Result<FactorsPage> {
    let rows = db::factors::listing(&mut *db).await?;
    Ok(FactorsPage { viewer, rows, refused, typed, errors })
}

/// `GET /admin/factors`.
pub async fn factors(mut db: Db, viewer: Viewer) -> Result<FactorsPage> {
    factors_page(&mut db, viewer, None, FactorKindForm::default(), FieldErrors::default()).await
}

/// `POST /admin/factors`: adds a kind.
pub async fn add_factor(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Form(form): Form<FactorKindForm>,
) -> Result<Response> {
    let saved = app::labels::add_factor_kind(&mut db, Actor::from(&admin), &form).await.map(|_| ());
    after_factor_change(&mut db, viewer, None, form, saved).await
}

/// `POST /admin/factors/{id}`: renames, describes, retires or restores a kind.
pub async fn change_factor(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<FactorKindId>,
    Form(form): Form<FactorKindForm>,
) -> Result<Response> {
    let saved = app::labels::change_factor_kind(&mut db, Actor::from(&admin), id, &form).await;
    after_factor_change(&mut db, viewer, Some(id), form, saved).await
}

async fn after_factor_change(
    db: &mut PgConnection,
    viewer: Viewer,
    id: Option<FactorKindId>,
    mut form: FactorKindForm,
    saved: app::Result<()>,
) -> Result<Response> {
    let (status, errors) = match saved {
        Ok(()) => return Ok(Redirect::to("/admin/factors").into_response()),
        Err(ChangeError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(ChangeError::Stale) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "name",
                "Another admin changed this contributing factor since the page was loaded. What you typed is below; saving again replaces their change.",
            );
            // Saving again knowingly replaces theirs: the form moves to their version.
            let current = db::factors::kinds(&mut *db).await?;
            if let Some(kind) = current.iter().find(|kind| Some(kind.id) == id) {
                form.version = kind.version.to_string();
            }
            (StatusCode::CONFLICT, errors)
        }
        Err(error) => return Err(error.into()),
    };
    let page = factors_page(db, viewer, id, form, errors).await?;
    Ok((status, page).into_response())
}
