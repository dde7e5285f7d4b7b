//! Saving an imported postmortem: the incident and all its rows in one transaction, so an
//! import is saved whole or not at all.

use sqlx::{PgPool, Postgres, Transaction};

use super::{action_items, audit, incidents, sections, timeline};
use crate::domain::{IncidentId, UserId};
use crate::import::draft::Drafts;

/// Saves one imported document, recording `actor` (none: the command line) as its importer.
pub async fn save(pool: &PgPool, drafts: &Drafts, actor: Option<UserId>) -> sqlx::Result<IncidentId> {
    let mut tx = pool.begin().await?;
    let id = insert(&mut tx, drafts, actor).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves several documents at once: all of them, or (on any error) none.
pub async fn save_all(pool: &PgPool, documents: &[Drafts], actor: Option<UserId>) -> sqlx::Result<Vec<IncidentId>> {
    let mut tx = pool.begin().await?;
    let mut ids = Vec::with_capacity(documents.len());
    for drafts in documents {
        ids.push(insert(&mut tx, drafts, actor).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    drafts: &Drafts,
    actor: Option<UserId>,
) -> sqlx::Result<IncidentId> {
    let id = incidents::insert(&mut **tx, &drafts.incident).await?;
    for entry in &drafts.timeline {
        timeline::insert(&mut **tx, id, entry).await?;
    }
    for item in &drafts.action_items {
        action_items::insert(&mut **tx, id, item).await?;
    }
    for section in &drafts.sections {
        sections::insert(&mut **tx, id, section).await?;
    }
    let summary = format!("Imported the postmortem “{}”", drafts.incident.title);
    audit::record(&mut **tx, actor, "incident.imported", &summary, Some(id)).await?;
    super::revisions::record(tx, id, actor, super::revisions::Step::Edit).await?;
    Ok(id)
}
