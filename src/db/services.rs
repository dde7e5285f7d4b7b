//! The `services` table and `incident_services`: the services a postmortem names, the managed
//! list an admin renames and merges. A merged service keeps its row, pointing at the one it
//! was merged into.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::{IncidentId, ServiceId};

/// A service on the admin's page: how many postmortems name it, the version its forms edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceListing {
    pub id: ServiceId,
    pub name: String,
    pub version: i32,
    pub incidents: i64,
}

/// A service's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub merged_into: Option<ServiceId>,
    pub version: i32,
}

/// Every service still in use (not merged away), by name, with how many postmortems name it.
pub async fn listing(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<ServiceListing>> {
    sqlx::query_as!(
        ServiceListing,
        r#"SELECT s.id AS "id: ServiceId", s.name, s.version,
                  (SELECT count(*) FROM incident_services l WHERE l.service_id = s.id) AS "incidents!"
           FROM services s WHERE s.merged_into IS NULL ORDER BY lower(s.name), s.id"#,
    )
    .fetch_all(db)
    .await
}

/// The names of the services in use, by name (the form's suggestions).
pub async fn names(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!("SELECT name FROM services WHERE merged_into IS NULL ORDER BY lower(name), id")
        .fetch_all(db)
        .await
}

/// The service in use named `name`, whatever its case.
pub async fn in_use_named(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<Option<ServiceId>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id: ServiceId" FROM services WHERE lower(name) = lower($1) AND merged_into IS NULL"#,
        name.trim(),
    )
    .fetch_optional(db)
    .await
}

pub async fn find(db: impl PgExecutor<'_>, id: ServiceId) -> sqlx::Result<Option<Service>> {
    sqlx::query_as!(
        Service,
        r#"SELECT id AS "id: ServiceId", name, merged_into AS "merged_into: ServiceId", version
           FROM services WHERE id = $1"#,
        id as ServiceId,
    )
    .fetch_optional(db)
    .await
}

/// The service `id` stands for now: itself, or the one it was (perhaps in several steps)
/// merged into. `None`: there is no such service.
pub async fn current(db: impl PgExecutor<'_>, id: ServiceId) -> sqlx::Result<Option<ServiceId>> {
    sqlx::query_scalar!(
        r#"WITH RECURSIVE chain (id, merged_into, depth) AS (
               SELECT id, merged_into, 0 FROM services WHERE id = $1
               UNION ALL
               SELECT s.id, s.merged_into, c.depth + 1 FROM services s JOIN chain c ON s.id = c.merged_into
               WHERE c.depth < 100
           )
           SELECT id AS "id!: ServiceId" FROM chain WHERE merged_into IS NULL"#,
        id as ServiceId,
    )
    .fetch_optional(db)
    .await
}

/// The service named `name` (whatever its case), locked against a merge until the transaction
/// ends: the one in use, else the newest merged away under that name, with where it went.
async fn named(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<Option<(ServiceId, Option<ServiceId>)>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id: ServiceId", merged_into AS "merged_into: ServiceId" FROM services
           WHERE lower(name) = lower($1) ORDER BY merged_into IS NOT NULL, id DESC LIMIT 1 FOR KEY SHARE"#,
        name,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.id, row.merged_into)))
}

/// Locks service `id` against a merge until the transaction ends, and says where it was merged
/// into, if it was (`None` outside: it does not exist).
async fn hold(db: impl PgExecutor<'_>, id: ServiceId) -> sqlx::Result<Option<Option<ServiceId>>> {
    sqlx::query_scalar!(
        r#"SELECT merged_into AS "merged_into: ServiceId" FROM services WHERE id = $1 FOR KEY SHARE"#,
        id as ServiceId,
    )
    .fetch_optional(db)
    .await
}

/// The service in use that `name` means, created if there is none: the one of that name
/// (whatever its case), or, for a name merged away, the service it was merged into. The row is
/// held until the transaction ends, so a merge waits for it (and a merge that went first is
/// followed).
pub async fn resolve(db: &mut PgConnection, name: &str) -> sqlx::Result<ServiceId> {
    let mut found = named(&mut *db, name).await?;
    if found.is_none() {
        // Two saves naming a new service at once: one inserts, the other finds it.
        sqlx::query!(
            "INSERT INTO services (name) VALUES ($1) ON CONFLICT (lower(name)) WHERE merged_into IS NULL DO NOTHING",
            name,
        )
        .execute(&mut *db)
        .await?;
        found = named(&mut *db, name).await?;
    }
    let Some((mut id, mut merged_into)) = found else { return Err(sqlx::Error::RowNotFound) };
    // Merges form a chain; a cycle is impossible (a merge goes into a service in use), but the
    // bound keeps a hand-made one from looping.
    for _ in 0..100 {
        let Some(target) = merged_into else { return Ok(id) };
        id = target;
        merged_into = hold(&mut *db, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    }
    Err(sqlx::Error::RowNotFound)
}

/// Sets the services postmortem `incident` names (held by its change).
pub async fn set_for_incident(db: &mut PgConnection, incident: IncidentId, services: &[ServiceId]) -> sqlx::Result<()> {
    let ids: Vec<i64> = services.iter().map(|id| id.0).collect();
    sqlx::query!(
        "DELETE FROM incident_services WHERE incident_id = $1 AND NOT (service_id = ANY($2))",
        incident as IncidentId,
        &ids,
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_services (incident_id, service_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        incident as IncidentId,
        &ids,
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// The postmortems that name any of `services`, by id.
pub async fn incidents_naming(db: impl PgExecutor<'_>, services: &[ServiceId]) -> sqlx::Result<Vec<IncidentId>> {
    let ids: Vec<i64> = services.iter().map(|id| id.0).collect();
    sqlx::query_scalar!(
        r#"SELECT DISTINCT incident_id AS "id: IncidentId" FROM incident_services
           WHERE service_id = ANY($1) ORDER BY 1"#,
        &ids,
    )
    .fetch_all(db)
    .await
}

/// Locks `services` for an admin's change, in id order, and says where each was merged into
/// and the version it is at (in the order of `services`; `None`: gone).
pub async fn lock(db: impl PgExecutor<'_>, services: &[ServiceId]) -> sqlx::Result<Vec<Option<Service>>> {
    let ids: Vec<i64> = services.iter().map(|id| id.0).collect();
    let rows = sqlx::query_as!(
        Service,
        r#"SELECT id AS "id: ServiceId", name, merged_into AS "merged_into: ServiceId", version
           FROM services WHERE id = ANY($1) ORDER BY id FOR UPDATE"#,
        &ids,
    )
    .fetch_all(db)
    .await?;
    Ok(services.iter().map(|id| rows.iter().find(|row| row.id == *id).cloned()).collect())
}

/// Renames service `id` and raises its version. Fails with a unique violation
/// (`services_name_key`) if another service in use has the name, whatever its case.
pub async fn rename(db: impl PgExecutor<'_>, id: ServiceId, name: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE services SET name = $2, version = version + 1 WHERE id = $1", id as ServiceId, name)
        .execute(db)
        .await?;
    Ok(())
}

/// Merges service `from` into `into`: every postmortem naming `from` names `into` instead, and
/// `from` keeps its row, pointing at `into`.
pub async fn merge(db: &mut PgConnection, from: ServiceId, into: ServiceId) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO incident_services (incident_id, service_id)
         SELECT incident_id, $2 FROM incident_services WHERE service_id = $1 ON CONFLICT DO NOTHING",
        from as ServiceId,
        into as ServiceId,
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!("DELETE FROM incident_services WHERE service_id = $1", from as ServiceId).execute(&mut *db).await?;
    sqlx::query!(
        "UPDATE services SET merged_into = $2, version = version + 1 WHERE id = $1",
        from as ServiceId,
        into as ServiceId,
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}
