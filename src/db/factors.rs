//! `factor_kinds` (the taxonomy of contributing factors an admin manages) and
//! `incident_factors` (a postmortem's factors, each with its explanation).

use sqlx::{PgConnection, PgExecutor};

use crate::domain::labels::FactorKind;
use crate::domain::{FactorKindId, IncidentId};

/// Every kind, in the taxonomy's order, the retired ones too.
pub async fn kinds(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<FactorKind>> {
    sqlx::query_as!(
        FactorKind,
        r#"SELECT id AS "id: FactorKindId", name, description, retired, version
           FROM factor_kinds ORDER BY position, id"#,
    )
    .fetch_all(db)
    .await
}

/// Every kind with how many postmortems name it (the admin's page).
pub async fn listing(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(FactorKind, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT k.id AS "id: FactorKindId", k.name, k.description, k.retired, k.version,
                  (SELECT count(*) FROM incident_factors f WHERE f.factor_id = k.id) AS "incidents!"
           FROM factor_kinds k ORDER BY k.position, k.id"#,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let kind = FactorKind {
                id: row.id,
                name: row.name,
                description: row.description,
                retired: row.retired,
                version: row.version,
            };
            (kind, row.incidents)
        })
        .collect())
}

/// The kind named `name`, whatever its case.
pub async fn named(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<Option<FactorKindId>> {
    sqlx::query_scalar!(r#"SELECT id AS "id: FactorKindId" FROM factor_kinds WHERE lower(name) = lower($1)"#, name)
        .fetch_optional(db)
        .await
}

/// Adds a kind at the end of the taxonomy. Fails with a unique violation
/// (`factor_kinds_name_key`) if the name is taken, whatever its case.
pub async fn insert(db: impl PgExecutor<'_>, name: &str, description: &str) -> sqlx::Result<FactorKindId> {
    sqlx::query_scalar!(
        r#"INSERT INTO factor_kinds (name, description, position)
           VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM factor_kinds))
           RETURNING id AS "id: FactorKindId""#,
        name,
        description,
    )
    .fetch_one(db)
    .await
}

/// Changes a kind's name, description and whether it is retired, if it is still at
/// `base_version`, and raises its version. Returns whether it was saved (`false`: gone, or
/// someone saved first). Fails with a unique violation if the name is taken.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: FactorKindId,
    base_version: i32,
    name: &str,
    description: &str,
    retired: bool,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE factor_kinds SET name = $3, description = $4, retired = $5, version = version + 1
         WHERE id = $1 AND version = $2",
        id as FactorKindId,
        base_version,
        name,
        description,
        retired,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The kinds among `ids` that exist, with their names.
pub async fn names(db: impl PgExecutor<'_>, ids: &[FactorKindId]) -> sqlx::Result<Vec<(FactorKindId, String)>> {
    let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    let rows = sqlx::query!(r#"SELECT id AS "id: FactorKindId", name FROM factor_kinds WHERE id = ANY($1)"#, &ids)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}

/// The postmortems naming kind `id`, by id.
pub async fn incidents_naming(db: impl PgExecutor<'_>, id: FactorKindId) -> sqlx::Result<Vec<IncidentId>> {
    sqlx::query_scalar!(
        r#"SELECT incident_id AS "id: IncidentId" FROM incident_factors WHERE factor_id = $1 ORDER BY 1"#,
        id as FactorKindId,
    )
    .fetch_all(db)
    .await
}

/// Sets postmortem `incident`'s factors (held by its change), in the order given.
pub async fn set_for_incident(
    db: &mut PgConnection,
    incident: IncidentId,
    factors: &[(FactorKindId, String)],
) -> sqlx::Result<()> {
    let ids: Vec<i64> = factors.iter().map(|(id, _)| id.0).collect();
    let explanations: Vec<&str> = factors.iter().map(|(_, text)| text.as_str()).collect();
    sqlx::query!(
        "DELETE FROM incident_factors WHERE incident_id = $1 AND NOT (factor_id = ANY($2))",
        incident as IncidentId,
        &ids,
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_factors (incident_id, factor_id, explanation, position)
         SELECT $1, f.id, f.explanation, f.position::integer
         FROM unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS f (id, explanation, position)
         ON CONFLICT (incident_id, factor_id)
         DO UPDATE SET explanation = excluded.explanation, position = excluded.position",
        incident as IncidentId,
        &ids,
        &explanations as &[&str],
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}
