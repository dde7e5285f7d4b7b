//! Saving imported postmortems: each one whole, with its timeline, action items and sections,
//! or not at all.

use sqlx::{PgPool, Postgres, Transaction};

use super::revisions::{self, Step};
use super::{Actor, Result};
use crate::db;
use crate::domain::{AuditAction, IncidentId};
use crate::import::draft::Drafts;

/// Saves one imported document.
pub async fn save(pool: &PgPool, actor: Actor, drafts: &Drafts) -> Result<IncidentId> {
    let mut tx = pool.begin().await?;
    let id = insert(&mut tx, actor, drafts).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves several documents at once: all of them, or (on any error) none.
pub async fn save_all(pool: &PgPool, actor: Actor, documents: &[Drafts]) -> Result<Vec<IncidentId>> {
    let mut tx = pool.begin().await?;
    let mut ids = Vec::with_capacity(documents.len());
    for drafts in documents {
        ids.push(insert(&mut tx, actor, drafts).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Inserts one postmortem (which this transaction then holds: nobody else can see it yet).
async fn insert(tx: &mut Transaction<'static, Postgres>, actor: Actor, drafts: &Drafts) -> Result<IncidentId> {
    let id = db::incidents::insert(&mut **tx, &drafts.incident).await?;
    for entry in &drafts.timeline {
        db::timeline::insert(&mut **tx, id, entry).await?;
    }
    for item in &drafts.action_items {
        db::action_items::insert(&mut **tx, id, item).await?;
    }
    for section in &drafts.sections {
        db::sections::insert(&mut **tx, id, section).await?;
    }
    let summary = format!("Imported the postmortem “{}”", drafts.incident.title);
    db::audit::record(&mut **tx, actor.user(), AuditAction::IncidentImported, &summary, Some(id)).await?;
    revisions::record(tx, id, actor, Step::Edit).await?;
    Ok(id)
}
