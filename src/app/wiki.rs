//! Wiki destinations, as admins set them up. (Jobs are queued by the trigger on `revisions`
//! and by a postmortem's deletion, and committed by `crate::wiki`.) Secrets are sealed here,
//! before they reach the database, and never written to the audit log.

use sqlx::PgConnection;

use super::{Actor, Change, ChangeError, Result};
use crate::db;
use crate::db::wiki::{Sealed, Written};
use crate::domain::{AuditAction, WikiDestinationId};
use crate::wiki::WikiSettings;
use crate::wiki::git;
use crate::wiki::settings::{Auth, Settings};

/// A secret to keep: the sealed bytes, the key's id, and the public half of a deploy key.
struct NewSecret {
    sealed: Vec<u8>,
    key_id: String,
    public_key: String,
}

impl NewSecret {
    fn as_sealed(&self) -> Sealed<'_> {
        Sealed { secret: &self.sealed, key_id: &self.key_id, public_key: &self.public_key }
    }
}

/// Seals `secret` with the instance's key.
fn seal(wiki: &WikiSettings, secret: &str, public_key: String) -> Result<NewSecret> {
    let key = wiki.keyring.key().map_err(|e| ChangeError::Refused(format!("The secret cannot be kept: {e}.")))?;
    let sealed = key.seal(secret.as_bytes()).map_err(|e| ChangeError::Internal(e.to_string()))?;
    Ok(NewSecret { sealed, key_id: key.id().to_owned(), public_key })
}

/// A new deploy key for destination `name`, sealed.
async fn deploy_key(wiki: &WikiSettings, name: &str) -> Result<NewSecret> {
    let comment = format!("hindsight-wiki-{}", crate::markdown::export::title_slug(name));
    let (private, public) = git::new_deploy_key(&comment).await.map_err(|e| ChangeError::Refused(format!("{e}.")))?;
    seal(wiki, &private, public)
}

fn written(settings: &Settings) -> Written<'_> {
    Written {
        name: &settings.name,
        url: &settings.url,
        branch: &settings.branch,
        folder: &settings.folder,
        file_pattern: &settings.file_pattern,
        index_name: &settings.index_name,
        auth: settings.auth.as_str(),
        token_user: &settings.token_user,
        team_ids: &settings.team_ids,
        service_ids: &settings.service_ids,
        active: settings.active,
    }
}

fn token_needed() -> ChangeError {
    ChangeError::field("token", "Give the token Hindsight pushes with (one allowed to write to the repository).")
}

/// Adds a destination (an SSH one gets a new deploy key, shown on its page) and queues its
/// first sync, which writes every published postmortem it takes.
pub async fn create(
    conn: &mut PgConnection,
    actor: Actor,
    wiki: &WikiSettings,
    settings: &Settings,
    token: &str,
) -> Result<WikiDestinationId> {
    let created_by = actor.user().ok_or(ChangeError::Refused("Wiki destinations are added by a person.".into()))?;
    let secret = match settings.auth {
        Auth::Ssh => Some(deploy_key(wiki, &settings.name).await?),
        Auth::Token if token.is_empty() => return Err(token_needed()),
        Auth::Token => Some(seal(wiki, token, String::new())?),
        Auth::None => None,
    };
    let mut change = Change::begin(&mut *conn, actor).await?;
    let sealed = secret.as_ref().map(NewSecret::as_sealed);
    let id = db::wiki::insert(change.conn(), &written(settings), sealed.as_ref(), created_by).await?;
    db::wiki::enqueue_rebuild(change.conn(), id, actor.user()).await?;
    let summary =
        format!("Added the wiki destination “{}” ({}, branch {})", settings.name, settings.url, settings.branch);
    change.commit(AuditAction::WikiDestinationCreated, &summary).await?;
    Ok(id)
}

/// Changes a destination's settings if nobody changed it since `version`, and queues a sync
/// that writes it whole again (a new folder or pattern moves every file). An empty `token`
/// keeps the one kept; a destination that becomes SSH gets a deploy key.
pub async fn update(
    conn: &mut PgConnection,
    actor: Actor,
    wiki: &WikiSettings,
    id: WikiDestinationId,
    version: i32,
    settings: &Settings,
    token: &str,
) -> Result<()> {
    let current = db::wiki::find(&mut *conn, id).await?.ok_or(ChangeError::NotFound)?;
    let was = Auth::parse(&current.auth);
    let secret = match settings.auth {
        Auth::Ssh if was == Auth::Ssh => None,
        Auth::Ssh => Some(deploy_key(wiki, &settings.name).await?),
        Auth::Token if !token.is_empty() => Some(seal(wiki, token, String::new())?),
        Auth::Token if was == Auth::Token => None,
        Auth::Token => return Err(token_needed()),
        Auth::None => None,
    };
    let mut change = Change::begin(&mut *conn, actor).await?;
    let sealed = secret.as_ref().map(NewSecret::as_sealed);
    if !db::wiki::update(change.conn(), id, version, &written(settings), sealed.as_ref()).await? {
        let gone = db::wiki::find(change.conn(), id).await?.is_none();
        return Err(if gone { ChangeError::NotFound } else { ChangeError::Stale });
    }
    if settings.active {
        db::wiki::enqueue_rebuild(change.conn(), id, actor.user()).await?;
    }
    let mut summary = format!("Changed the wiki destination “{}” ({})", settings.name, settings.url);
    if !token.is_empty() && settings.auth == Auth::Token {
        summary.push_str(", with a new token");
    }
    if !settings.active {
        summary.push_str(" (paused)");
    }
    change.commit(AuditAction::WikiDestinationUpdated, &summary).await
}

/// Queues a sync that writes the destination whole, and tries at once (a destination backing
/// off after failures included). Not audited, as a webhook's test event: it changes no setting,
/// and the destination's log shows it.
pub async fn sync_now(conn: &mut PgConnection, actor: Actor, id: WikiDestinationId) -> Result<()> {
    let mut change = Change::begin(&mut *conn, actor).await?;
    let destination = db::wiki::find(change.conn(), id).await?.ok_or(ChangeError::NotFound)?;
    if !destination.active {
        return Err(ChangeError::Refused("This destination is paused: resume it first.".into()));
    }
    db::wiki::enqueue_rebuild(change.conn(), id, actor.user()).await?;
    db::wiki::retry_now(change.conn(), id).await?;
    super::commit(change.tx).await
}

/// Gives an SSH destination a new deploy key (the old one leaked, or this instance's secret key
/// was lost and the old one cannot be opened): its public half is to be added to the repository,
/// and the old one removed from it.
pub async fn new_deploy_key(
    conn: &mut PgConnection,
    actor: Actor,
    wiki: &WikiSettings,
    id: WikiDestinationId,
) -> Result<()> {
    let destination = db::wiki::find(&mut *conn, id).await?.ok_or(ChangeError::NotFound)?;
    if Auth::parse(&destination.auth) != Auth::Ssh {
        return Err(ChangeError::Refused("Only an SSH destination has a deploy key.".into()));
    }
    let secret = deploy_key(wiki, &destination.name).await?;
    let mut change = Change::begin(&mut *conn, actor).await?;
    if !db::wiki::replace_secret(change.conn(), id, &secret.as_sealed()).await? {
        return Err(ChangeError::NotFound);
    }
    let summary = format!("Made a new deploy key for the wiki destination “{}”", destination.name);
    change.commit(AuditAction::WikiDestinationUpdated, &summary).await
}

/// Forgets the SSH server's host key (it was changed knowingly): the next sync records the one
/// it is shown.
pub async fn forget_host_key(conn: &mut PgConnection, actor: Actor, id: WikiDestinationId) -> Result<()> {
    let mut change = Change::begin(&mut *conn, actor).await?;
    let destination = db::wiki::find(change.conn(), id).await?.ok_or(ChangeError::NotFound)?;
    db::wiki::forget_host_key(change.conn(), id).await?;
    let summary = format!("Forgot the SSH host key of the wiki destination “{}”", destination.name);
    change.commit(AuditAction::WikiDestinationUpdated, &summary).await
}

/// Removes a destination, its queue and what it knew of the repository (the repository keeps
/// its files).
pub async fn delete(conn: &mut PgConnection, actor: Actor, id: WikiDestinationId) -> Result<()> {
    let mut change = Change::begin(&mut *conn, actor).await?;
    let destination = db::wiki::find(change.conn(), id).await?.ok_or(ChangeError::NotFound)?;
    db::wiki::delete(change.conn(), id).await?;
    let summary = format!("Deleted the wiki destination “{}” ({})", destination.name, destination.url);
    change.commit(AuditAction::WikiDestinationDeleted, &summary).await
}
