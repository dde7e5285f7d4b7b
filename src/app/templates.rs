//! Postmortem templates and the severity rules: adding, editing and deleting a template, saving
//! the rules, and which template a new postmortem starts from.

use sqlx::PgConnection;

use super::{Actor, Change, ChangeError, Result, is_unique_violation};
use crate::db;
use crate::domain::input::FieldErrors;
use crate::domain::template::{RulesForm, Template, TemplateForm};
use crate::domain::{AuditAction, Outline, Severity, TemplateId};
use crate::import;

fn name_taken(name: &str) -> ChangeError {
    ChangeError::field("name", format!("There is already a template called “{name}”."))
}

/// The form's fields checked, its body read into sections: all the messages at once.
fn checked(form: &TemplateForm) -> Result<crate::domain::template::TemplateDraft> {
    let (draft, mut errors) = form.validate();
    if errors.get("body").is_none()
        && let Err(body_errors) = import::template::read(&draft.name, &draft.body)
    {
        errors.extend(body_errors);
    }
    if errors.is_empty() { Ok(draft) } else { Err(ChangeError::Invalid(errors)) }
}

/// Adds a template.
pub async fn create(conn: &mut PgConnection, actor: Actor, form: &TemplateForm) -> Result<TemplateId> {
    let draft = checked(form)?;
    let mut change = Change::begin(&mut *conn, actor).await?;
    let id = match db::templates::insert(change.conn(), &draft, actor.user()).await {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => return Err(name_taken(&draft.name)),
        Err(error) => return Err(error.into()),
    };
    change.commit(AuditAction::TemplateCreated, &format!("Added the template “{}”", draft.name)).await?;
    Ok(id)
}

/// Saves template `id` if nobody saved it since the form was loaded (its hidden version, which
/// it must give); otherwise [`ChangeError::Stale`]. Postmortems already started from it keep
/// the outline they were started with.
pub async fn edit(conn: &mut PgConnection, actor: Actor, id: TemplateId, form: &TemplateForm) -> Result<()> {
    let expected = super::expected_version(form.base_version())?;
    let draft = checked(form)?;
    let mut change = Change::begin(&mut *conn, actor).await?;
    // The update checks the version as it writes: of two admins saving from one version, the
    // second waits for the first's row lock, then finds the new version and writes nothing.
    match db::templates::update(change.conn(), id, expected, &draft, actor.user()).await {
        Ok(true) => {}
        Ok(false) => {
            let gone = db::templates::find(change.conn(), id).await?.is_none();
            return Err(if gone { ChangeError::NotFound } else { ChangeError::Stale });
        }
        Err(error) if is_unique_violation(&error) => return Err(name_taken(&draft.name)),
        Err(error) => return Err(error.into()),
    }
    change.commit(AuditAction::TemplateEdited, &format!("Edited the template “{}”", draft.name)).await
}

/// Deletes template `template` if it is still at `version` and no severity asks for it.
pub async fn delete(conn: &mut PgConnection, actor: Actor, template: &Template, version: Option<i32>) -> Result<()> {
    let expected = super::expected_version(version)?;
    let mut change = Change::begin(&mut *conn, actor).await?;
    let used_by = db::templates::used_by(change.conn(), template.id).await?;
    if !used_by.is_empty() {
        let severities: Vec<&str> = used_by.iter().map(|s| s.as_str()).collect();
        return Err(ChangeError::Refused(format!(
            "“{}” is the template {} postmortems start from: choose another for {} under Severity rules, then delete it.",
            template.name,
            severities.join(", "),
            if used_by.len() == 1 { "it" } else { "them" },
        )));
    }
    match db::templates::delete(change.conn(), template.id, expected).await {
        Ok(true) => {}
        Ok(false) => {
            let gone = db::templates::find(change.conn(), template.id).await?.is_none();
            return Err(if gone { ChangeError::NotFound } else { ChangeError::Stale });
        }
        // A rule that came to name it since the check: its foreign key refuses.
        Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("23503") => {
            return Err(ChangeError::Refused(format!(
                "“{}” is now named by a severity rule: choose another template there first.",
                template.name
            )));
        }
        Err(error) => return Err(error.into()),
    }
    change.commit(AuditAction::TemplateDeleted, &format!("Deleted the template “{}”", template.name)).await
}

/// Saves every severity's rule, each from the version its row was loaded at: if any row was
/// saved by someone since, nothing is saved ([`ChangeError::Stale`]).
pub async fn save_rules(conn: &mut PgConnection, actor: Actor, form: &RulesForm) -> Result<()> {
    let templates = db::templates::all(&mut *conn).await?;
    let rules = form.validate(&templates).map_err(ChangeError::Invalid)?;
    let mut change = Change::begin(&mut *conn, actor).await?;
    let mut said = Vec::new();
    for (rule, version) in &rules {
        let expected = super::expected_version(*version)?;
        if !db::templates::update_rule(change.conn(), rule, expected).await? {
            return Err(ChangeError::Stale);
        }
        let name = templates.iter().find(|t| t.id == rule.template_id).map_or("?", |t| t.name.as_str());
        said.push(format!("{}: {name}, {}", rule.severity, rule.review.label().to_lowercase()));
    }
    change.commit(AuditAction::SeverityRulesChanged, &format!("Set the severity rules ({})", said.join("; "))).await
}

/// The template a new postmortem of `severity` starts from, as the form chose it (`template`,
/// its id; empty: none, as for the API and the importer), with its outline; or why the choice
/// is refused, for the form's `template` field. The severity's rule names the template it
/// needs; a different one is refused, so that nothing typed is lost.
pub async fn chosen(
    conn: &mut PgConnection,
    template: &str,
    severity: Option<Severity>,
) -> Result<Result<Option<(TemplateId, Outline)>, FieldErrors>> {
    let refuse = |message: String| {
        let mut errors = FieldErrors::default();
        errors.add("template", message);
        Ok(Err(errors))
    };
    if template.trim().is_empty() {
        return Ok(Ok(None));
    }
    let found = match template.trim().parse() {
        Ok(id) => db::templates::find(&mut *conn, TemplateId(id)).await?,
        Err(_) => None,
    };
    let Some(found) = found else { return refuse("Choose a template from the list.".to_owned()) };
    // Saved templates were read when saved; one changed by hand in the database may not be.
    let Ok(outline) = import::template::read(&found.name, &found.body) else {
        return refuse(format!("The {} template cannot be read: ask an admin to fix it.", found.name));
    };
    if let Some(severity) = severity
        && let Some(rule) = db::templates::rule(&mut *conn, severity).await?
        && rule.template_id != found.id
        && let Some(needed) = db::templates::find(&mut *conn, rule.template_id).await?
    {
        let covered = import::template::read(&needed.name, &needed.body).is_ok_and(|needed| outline.covers(&needed));
        if !covered {
            let name = needed.name;
            return refuse(format!(
                "{severity} postmortems need every section of the {name} template: choose {name} (or a template \
                 with all of its sections), or change the severity."
            ));
        }
    }
    Ok(Ok(Some((found.id, outline))))
}
