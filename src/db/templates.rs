//! The `postmortem_templates` and `severity_rules` tables.

use sqlx::PgExecutor;

use crate::domain::template::{SeverityRule, Template, TemplateDraft};
use crate::domain::{ReviewRule, Severity, TemplateId, UserId};

/// Every template, in their order.
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Template>> {
    sqlx::query_as!(
        Template,
        r#"SELECT id AS "id: TemplateId", name, description, body, position, version
           FROM postmortem_templates ORDER BY position, lower(name), id"#,
    )
    .fetch_all(db)
    .await
}

pub async fn find(db: impl PgExecutor<'_>, id: TemplateId) -> sqlx::Result<Option<Template>> {
    sqlx::query_as!(
        Template,
        r#"SELECT id AS "id: TemplateId", name, description, body, position, version
           FROM postmortem_templates WHERE id = $1"#,
        id as TemplateId,
    )
    .fetch_optional(db)
    .await
}

/// Adds a template after the others. Fails with a unique violation
/// (`postmortem_templates_name_key`) if the name is taken.
pub async fn insert(db: impl PgExecutor<'_>, draft: &TemplateDraft, by: Option<UserId>) -> sqlx::Result<TemplateId> {
    sqlx::query_scalar!(
        r#"INSERT INTO postmortem_templates (name, description, body, position, updated_by)
           VALUES ($1, $2, $3, (SELECT coalesce(max(position), 0) + 1 FROM postmortem_templates), $4)
           RETURNING id AS "id: TemplateId""#,
        draft.name,
        draft.description,
        draft.body,
        by.map(|id| id.0),
    )
    .fetch_one(db)
    .await
}

/// Saves a template that is still at `base_version` and raises its version. Returns whether it
/// was saved: `false` when it is gone or someone saved first.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: TemplateId,
    base_version: i32,
    draft: &TemplateDraft,
    by: Option<UserId>,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE postmortem_templates
         SET name = $3, description = $4, body = $5, version = version + 1, updated_at = now(), updated_by = $6
         WHERE id = $1 AND version = $2",
        id as TemplateId,
        base_version,
        draft.name,
        draft.description,
        draft.body,
        by.map(|id| id.0),
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes a template that is still at `base_version`; a template a severity rule names is
/// refused by its foreign key. Returns whether it was deleted.
pub async fn delete(db: impl PgExecutor<'_>, id: TemplateId, base_version: i32) -> sqlx::Result<bool> {
    let result =
        sqlx::query!("DELETE FROM postmortem_templates WHERE id = $1 AND version = $2", id as TemplateId, base_version)
            .execute(db)
            .await?;
    Ok(result.rows_affected() > 0)
}

/// Every severity's rule, SEV1 first.
pub async fn rules(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<SeverityRule>> {
    sqlx::query_as!(
        SeverityRule,
        r#"SELECT severity AS "severity: Severity", template_id AS "template_id: TemplateId",
                  review AS "review: ReviewRule", version
           FROM severity_rules ORDER BY severity"#,
    )
    .fetch_all(db)
    .await
}

/// Severity `severity`'s rule, locked until the transaction ends (a step of the review reads
/// it under the postmortem's lock; an admin changing it waits, or is waited for).
pub async fn rule(db: impl PgExecutor<'_>, severity: Severity) -> sqlx::Result<Option<SeverityRule>> {
    sqlx::query_as!(
        SeverityRule,
        r#"SELECT severity AS "severity: Severity", template_id AS "template_id: TemplateId",
                  review AS "review: ReviewRule", version
           FROM severity_rules WHERE severity = $1 FOR SHARE"#,
        severity as Severity,
    )
    .fetch_optional(db)
    .await
}

/// Saves one severity's rule if it is still at `base_version`; returns whether it was saved.
pub async fn update_rule(db: impl PgExecutor<'_>, rule: &SeverityRule, base_version: i32) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE severity_rules SET template_id = $2, review = $3, version = version + 1
         WHERE severity = $1 AND version = $4",
        rule.severity as Severity,
        rule.template_id as TemplateId,
        rule.review as ReviewRule,
        base_version,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// The severities whose rule names template `id`.
pub async fn used_by(db: impl PgExecutor<'_>, id: TemplateId) -> sqlx::Result<Vec<Severity>> {
    sqlx::query_scalar!(
        r#"SELECT severity AS "severity: Severity" FROM severity_rules WHERE template_id = $1 ORDER BY severity"#,
        id as TemplateId,
    )
    .fetch_all(db)
    .await
}

/// How many postmortems were started from template `id`.
pub async fn postmortems_from(db: impl PgExecutor<'_>, id: TemplateId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM incidents WHERE template_id = $1"#, id as TemplateId)
        .fetch_one(db)
        .await
}
