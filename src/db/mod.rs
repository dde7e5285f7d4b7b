//! All SQL lives here: one module per table, plain async functions over an executor so a caller
//! can pass a pool, a connection or a transaction. Handlers orchestrate; they never write SQL.

pub mod action_items;
pub mod api_tokens;
pub mod audit;
pub mod incidents;
pub mod ledger;
pub mod login_failures;
pub mod password_resets;
pub mod reviews;
pub mod revisions;
pub mod sections;
pub mod sessions;
pub mod team_stats;
pub mod teams;
pub mod timeline;
pub mod users;
pub mod webhooks;

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool};

use crate::domain::{IncidentId, Postmortem};

/// Loads a whole postmortem in exactly four queries, however long its timeline.
pub async fn load_postmortem(pool: &PgPool, id: IncidentId) -> sqlx::Result<Option<Postmortem>> {
    load_postmortem_on(&mut *pool.acquire().await?, id).await
}

/// `load_postmortem` on one connection, or a transaction, which then sees its own changes.
pub async fn load_postmortem_on(conn: &mut PgConnection, id: IncidentId) -> sqlx::Result<Option<Postmortem>> {
    let Some(incident) = incidents::find(&mut *conn, id).await? else {
        return Ok(None);
    };
    let timeline = timeline::list_for_incident(&mut *conn, id).await?;
    let action_items = action_items::list_for_incident(&mut *conn, id).await?;
    let sections = sections::list_for_incident(&mut *conn, id).await?;
    Ok(Some(Postmortem { incident, timeline, action_items, sections }))
}

/// Loads every postmortem, newest first, in four queries however many there are (for the
/// archive download and `hindsight export --all`).
pub async fn load_all_postmortems(pool: &PgPool) -> sqlx::Result<Vec<Postmortem>> {
    let incidents = incidents::all(pool).await?;
    let mut timelines = group(timeline::all(pool).await?, |e| e.incident_id);
    let mut items = group(action_items::all(pool).await?, |i| i.incident_id);
    let mut sections = group(sections::all(pool).await?, |s| s.incident_id);
    Ok(incidents
        .into_iter()
        .map(|incident| {
            let id = incident.id;
            Postmortem {
                incident,
                timeline: timelines.remove(&id).unwrap_or_default(),
                action_items: items.remove(&id).unwrap_or_default(),
                sections: sections.remove(&id).unwrap_or_default(),
            }
        })
        .collect())
}

/// Groups rows by incident, keeping their order.
fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> IncidentId) -> HashMap<IncidentId, Vec<T>> {
    let mut groups: HashMap<IncidentId, Vec<T>> = HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}
