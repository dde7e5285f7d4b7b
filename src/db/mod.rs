//! All SQL lives here: one module per table, plain async functions over an executor so a caller
//! can pass a pool, a connection or a transaction. Handlers orchestrate; they never write SQL.

pub mod action_items;
pub mod incidents;
pub mod sections;
pub mod timeline;

use sqlx::PgPool;

use crate::domain::{IncidentId, Postmortem};

/// Loads a whole postmortem in exactly four queries, however long its timeline.
pub async fn load_postmortem(pool: &PgPool, id: IncidentId) -> sqlx::Result<Option<Postmortem>> {
    let Some(incident) = incidents::find(pool, id).await? else {
        return Ok(None);
    };
    let timeline = timeline::list_for_incident(pool, id).await?;
    let action_items = action_items::list_for_incident(pool, id).await?;
    let sections = sections::list_for_incident(pool, id).await?;
    Ok(Some(Postmortem { incident, timeline, action_items, sections }))
}
