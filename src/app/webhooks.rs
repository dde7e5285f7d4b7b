//! Webhook receivers, as admins set them up. (Deliveries are queued by database triggers in
//! the transaction of each change, and sent by `crate::webhooks`.)

use sqlx::PgConnection;

use super::{Actor, Change, ChangeError, Result};
use crate::auth::token;
use crate::db;
use crate::domain::{AuditAction, DeliveryId, WebhookId};

/// Adds a receiver of `events` at `url`, with a new secret to sign deliveries with.
pub async fn create(conn: &mut PgConnection, actor: Actor, url: &str, events: &[String]) -> Result<WebhookId> {
    let created_by = actor.user().ok_or(ChangeError::Refused("Webhooks are added by a person.".into()))?;
    let secret = token::random_hex()?;
    let mut change = Change::begin(&mut *conn, actor).await?;
    let id = db::webhooks::insert(change.conn(), url, &secret, events, created_by).await?;
    change.commit(AuditAction::WebhookCreated, &format!("Added the webhook {url}")).await?;
    Ok(id)
}

/// Changes a receiver's address and events, or pauses it (`active` false), if nobody changed
/// it since `version`, the version the form was loaded at; otherwise [`ChangeError::Stale`]
/// (a stale page must not silently resume a receiver another admin just paused).
pub async fn update(
    conn: &mut PgConnection,
    actor: Actor,
    id: WebhookId,
    version: i32,
    url: &str,
    events: &[String],
    active: bool,
) -> Result<()> {
    let mut change = Change::begin(&mut *conn, actor).await?;
    // The update checks the version as it writes (see `teams::change`).
    if !db::webhooks::update(change.conn(), id, version, url, events, active).await? {
        let gone = db::webhooks::version(change.conn(), id).await?.is_none();
        return Err(if gone { ChangeError::NotFound } else { ChangeError::Stale });
    }
    let summary = format!("Changed the webhook {url}{}", if active { "" } else { " (paused)" });
    change.commit(AuditAction::WebhookUpdated, &summary).await
}

/// Queues a test event for a receiver. Not audited: it changes no setting, and the delivery
/// log shows it.
pub async fn ping(conn: &mut PgConnection, id: WebhookId) -> Result<()> {
    db::webhooks::find(&mut *conn, id).await?.ok_or(ChangeError::NotFound)?;
    db::webhooks::enqueue_ping(&mut *conn, id).await?;
    Ok(())
}

/// Sends a failed delivery again, from its first attempt. Not audited, as [`ping`].
pub async fn retry(conn: &mut PgConnection, id: WebhookId, delivery: DeliveryId) -> Result<()> {
    if db::webhooks::retry(&mut *conn, id, delivery).await? { Ok(()) } else { Err(ChangeError::NotFound) }
}

/// Removes a receiver and its delivery log.
pub async fn delete(conn: &mut PgConnection, actor: Actor, id: WebhookId) -> Result<()> {
    let mut change = Change::begin(&mut *conn, actor).await?;
    let hook = db::webhooks::find(change.conn(), id).await?.ok_or(ChangeError::NotFound)?;
    db::webhooks::delete(change.conn(), id).await?;
    change.commit(AuditAction::WebhookDeleted, &format!("Deleted the webhook {}", hook.url)).await
}
