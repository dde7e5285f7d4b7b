//! Administration of postmortem templates: the list with the severity rules' form, and each
//! template's page (add, edit with its live preview, delete). Behind `only(Role::Admin)`.

use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use super::admission::Db;
use super::auth::CurrentUser;
use super::conflict::{Conflict, DeleteForm};
use super::error::{AppError, Result};
use super::extract::{Form, Path};
use super::layout::Viewer;
use super::paths;
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::FieldErrors;
use crate::domain::template::{RulesForm, Template, TemplateForm, review_field, template_field};
use crate::domain::{ReviewRule, Severity, TemplateId};
use crate::import;
use crate::markdown::SafeHtml;

/// The most a template's form may send: more than a template may hold
/// (`limits::MAX_TEMPLATE_BYTES`), so that a body too long is refused with its text kept.
pub const MAX_TEMPLATE_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// A template as the list shows it.
pub struct TemplateRow {
    template: Template,
    /// Its sections' headings.
    sections: Vec<String>,
    /// The severities that start from it.
    used_by: Vec<Severity>,
    postmortems: i64,
}

#[derive(askama::Template, WebTemplate)]
#[template(path = "admin/templates.html")]
pub struct IndexPage {
    viewer: Viewer,
    rows: Vec<TemplateRow>,
    templates: Vec<Template>,
    severities: &'static [Severity],
    reviews: &'static [ReviewRule],
    /// The rules' form as saved, or as typed when refused.
    rules: RulesForm,
    errors: FieldErrors,
    conflict: Option<Conflict>,
}

impl IndexPage {
    fn row(&self, severity: &Severity) -> crate::domain::template::RuleRow {
        self.rules.row(*severity)
    }

    fn template_field(&self, severity: &Severity) -> &'static str {
        template_field(*severity)
    }

    fn review_field(&self, severity: &Severity) -> &'static str {
        review_field(*severity)
    }
}

async fn index_page(db: &mut PgConnection, viewer: Viewer, rules: Option<RulesForm>) -> Result<IndexPage> {
    let templates = db::templates::all(&mut *db).await?;
    let saved = db::templates::rules(&mut *db).await?;
    let mut rows = Vec::new();
    for template in &templates {
        let sections = match import::template::read(&template.name, &template.body) {
            Ok(outline) => outline.sections.into_iter().map(|s| s.heading).collect(),
            Err(_) => Vec::new(),
        };
        rows.push(TemplateRow {
            used_by: saved.iter().filter(|rule| rule.template_id == template.id).map(|rule| rule.severity).collect(),
            postmortems: db::templates::postmortems_from(&mut *db, template.id).await?,
            template: template.clone(),
            sections,
        });
    }
    Ok(IndexPage {
        viewer,
        rows,
        templates,
        severities: Severity::ALL,
        reviews: ReviewRule::ALL,
        rules: rules.unwrap_or_else(|| RulesForm::of(&saved)),
        errors: FieldErrors::default(),
        conflict: None,
    })
}

/// `GET /admin/templates`.
pub async fn index(mut db: Db, viewer: Viewer) -> Result<IndexPage> {
    index_page(&mut db, viewer, None).await
}

/// `POST /admin/severity-rules`: every severity's template and review rule at once.
pub async fn save_rules(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    body: axum::body::Bytes,
) -> Result<Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The form could not be read. Reload the page and try again.".into()))?;
    let form = RulesForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    match app::templates::save_rules(&mut db, Actor::from(&admin), &form).await {
        Ok(()) => Ok(Redirect::to("/admin/templates#rules").into_response()),
        Err(ChangeError::Invalid(errors)) => {
            let mut page = index_page(&mut db, viewer, Some(form)).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ChangeError::Stale) => {
            // Their rules, beside what was typed, and the form at their versions.
            let saved = db::templates::rules(&mut *db).await?;
            let templates = db::templates::all(&mut *db).await?;
            let name = |id: &str| {
                templates.iter().find(|t| t.id.to_string() == id).map(|t| t.name.clone()).unwrap_or_default()
            };
            let theirs = RulesForm::of(&saved);
            let shown: Vec<(String, String, String)> = Severity::ALL
                .iter()
                .map(|severity| {
                    let (t, y) = (theirs.row(*severity), form.row(*severity));
                    let said = |row: &crate::domain::template::RuleRow| {
                        let review = row.review.parse::<ReviewRule>().map(|r| r.label()).unwrap_or_default();
                        format!("{}, {}", name(&row.template), review.to_lowercase())
                    };
                    (said(&t), said(&y), said(&t))
                })
                .collect();
            let conflict = Conflict::save(
                Severity::ALL.iter().zip(&shown).map(|(s, (t, y, v))| (s.label(), t.as_str(), y.as_str(), v.clone())),
            );
            let mut typed = form.clone();
            for row in &mut typed.rows {
                if let Some(severity) = row.severity {
                    row.version = theirs.row(severity).version;
                }
            }
            let mut page = index_page(&mut db, viewer, Some(typed)).await?;
            page.conflict = Some(conflict);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(askama::Template, WebTemplate)]
#[template(path = "admin/template_edit.html")]
pub struct EditPage {
    viewer: Viewer,
    heading: String,
    action: String,
    submit: &'static str,
    /// The template being edited (`None`: a new one).
    id: Option<TemplateId>,
    form: TemplateForm,
    errors: FieldErrors,
    conflict: Option<Conflict>,
    /// The severities that start from it (it cannot be deleted while any do).
    used_by: Vec<Severity>,
    /// Why a deletion was refused.
    refused: Option<String>,
}

impl EditPage {
    fn adding(viewer: Viewer, form: TemplateForm, errors: FieldErrors) -> EditPage {
        EditPage {
            viewer,
            heading: "New template".into(),
            action: "/admin/templates".into(),
            submit: "Add template",
            id: None,
            form,
            errors,
            conflict: None,
            used_by: Vec::new(),
            refused: None,
        }
    }

    async fn editing(
        db: &mut PgConnection,
        viewer: Viewer,
        template: &Template,
        form: TemplateForm,
        errors: FieldErrors,
    ) -> Result<EditPage> {
        Ok(EditPage {
            viewer,
            heading: format!("Template “{}”", template.name),
            action: paths::admin_template(template.id),
            submit: "Save template",
            id: Some(template.id),
            form,
            errors,
            conflict: None,
            used_by: db::templates::used_by(&mut *db, template.id).await?,
            refused: None,
        })
    }

    /// The body's preview is the script's, as one types (no Preview button here).
    fn no_preview(&self) -> Option<&SafeHtml> {
        None
    }

    fn delete_action(&self) -> String {
        self.id.map(paths::admin_template_delete).unwrap_or_default()
    }

    fn used_by_text(&self) -> String {
        self.used_by.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// A template's body to start a new one from.
const NEW_TEMPLATE: &str =
    "## Summary\n\nWhat happened, in a few sentences?\n\n## Impact\n\nWho was affected, and how?\n";

/// `GET /admin/templates/new`.
pub async fn new(viewer: Viewer) -> EditPage {
    let form = TemplateForm { body: NEW_TEMPLATE.to_owned(), ..TemplateForm::default() };
    EditPage::adding(viewer, form, FieldErrors::default())
}

/// `POST /admin/templates`.
pub async fn create(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Form(form): Form<TemplateForm>,
) -> Result<Response> {
    match app::templates::create(&mut db, Actor::from(&admin), &form).await {
        Ok(_) => Ok(Redirect::to("/admin/templates").into_response()),
        Err(ChangeError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, EditPage::adding(viewer, form, errors)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// Template `id`'s page, its form as saved.
async fn saved_page(db: &mut PgConnection, viewer: Viewer, id: TemplateId) -> Result<EditPage> {
    let template = db::templates::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let form = TemplateForm::from_template(&template);
    EditPage::editing(db, viewer, &template, form, FieldErrors::default()).await
}

/// `GET /admin/templates/{template}`.
pub async fn edit(mut db: Db, viewer: Viewer, Path(id): Path<TemplateId>) -> Result<EditPage> {
    saved_page(&mut db, viewer, id).await
}

/// `POST /admin/templates/{template}`: saves it from the version its form was loaded at.
pub async fn update(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<TemplateId>,
    Form(form): Form<TemplateForm>,
) -> Result<Response> {
    let template = db::templates::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    match app::templates::edit(&mut db, Actor::from(&admin), id, &form).await {
        Ok(()) => Ok(Redirect::to("/admin/templates").into_response()),
        Err(ChangeError::Invalid(errors)) => {
            let page = EditPage::editing(&mut db, viewer, &template, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ChangeError::Stale) => {
            // What they saved above what was typed, the form moved to their version.
            let theirs = db::templates::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
            let conflict = Conflict::save([
                ("Name", theirs.name.as_str(), form.name.as_str(), theirs.name.clone()),
                ("Description", theirs.description.as_str(), form.description.as_str(), theirs.description.clone()),
                ("Sections and questions", theirs.body.as_str(), form.body.as_str(), theirs.body.clone()),
            ]);
            let typed = TemplateForm { version: theirs.version.to_string(), ..form };
            let mut page = EditPage::editing(&mut db, viewer, &theirs, typed, FieldErrors::default()).await?;
            page.conflict = Some(conflict);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /admin/templates/{template}/delete`: refused while a severity starts from it.
pub async fn delete(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<TemplateId>,
    Form(form): Form<DeleteForm>,
) -> Result<Response> {
    let template = db::templates::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    match app::templates::delete(&mut db, Actor::from(&admin), &template, form.version()).await {
        Ok(()) => Ok(Redirect::to("/admin/templates").into_response()),
        Err(ChangeError::Refused(why)) => {
            let mut page = saved_page(&mut db, viewer, id).await?;
            page.refused = Some(why);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(ChangeError::Stale) => {
            let mut page = saved_page(&mut db, viewer, id).await?;
            page.conflict = Some(Conflict::deletion());
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
