//! One door for every change. Whatever changes data (a page, the JSON API, the importer, the
//! command line) calls a function here, and each is one transaction that checks what it is
//! given, writes, records a typed audit action and, for a postmortem, its revision. Webhook
//! events are queued by database triggers in that same transaction.
//!
//! Changes to one postmortem take its row lock first ([`PostmortemChange::begin`]) and only
//! then touch its timeline, action items, sections, comments and revisions, so two people
//! changing one postmortem at once are applied one after the other, always locking in the same
//! order, and never deadlock.
//!
//! Below this layer `db` holds only SQL; above it `web` and `cli` only translate requests.

pub mod action_items;
pub mod drafts;
pub mod imports;
pub mod labels;
pub mod people;
pub mod postmortems;
pub mod public_versions;
pub mod recurrences;
pub mod rendering;
pub mod reviews;
pub mod revisions;
pub mod sections;
pub mod teams;
pub mod templates;
pub mod timeline;
pub mod tokens;
pub mod webhooks;
pub mod wiki;

use sqlx::{Connection, PgConnection, Postgres, Transaction};

use crate::db;
use crate::domain::PerSection;
use crate::domain::input::FieldErrors;
use crate::domain::limits;
use crate::domain::{AuditAction, Incident, IncidentId, User, UserId};
use crate::markdown;
use revisions::Step;

/// Who makes a change: a signed-in person, or someone at the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Person(UserId),
    CommandLine,
}

impl Actor {
    /// The person, for the audit log and revisions (none: the command line).
    pub fn user(self) -> Option<UserId> {
        match self {
            Actor::Person(id) => Some(id),
            Actor::CommandLine => None,
        }
    }
}

impl From<&User> for Actor {
    fn from(user: &User) -> Actor {
        Actor::Person(user.id)
    }
}

/// Why a change was not made. Nothing is written when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// What it changes does not exist (or no longer does).
    #[error("not found")]
    NotFound,
    /// The input was refused, field by field; the messages are for the form.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Someone saved it after the form was loaded; the caller shows both versions.
    #[error("changed by someone else since it was read")]
    Stale,
    /// A save or deletion of an existing row that did not say which version it was loaded at.
    /// It is refused, never applied without the check: a form or script that leaves the
    /// version out would otherwise overwrite whatever was saved since it read the row.
    #[error("no version given")]
    VersionMissing,
    /// The change is not allowed now (a review step out of turn); the message says why and
    /// is safe to show.
    #[error("refused: {0}")]
    Refused(String),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// The database failed during the commit: the change may or may not be saved.
    #[error("outcome unknown")]
    OutcomeUnknown(#[source] sqlx::Error),
    /// Something inside the server failed (the random source, a rendering thread); the text
    /// is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<getrandom::Error> for ChangeError {
    fn from(error: getrandom::Error) -> ChangeError {
        ChangeError::Internal(format!("random source: {error}"))
    }
}

pub type Result<T, E = ChangeError> = std::result::Result<T, E>;

impl ChangeError {
    /// One field's refusal.
    pub fn field(field: &'static str, message: impl Into<String>) -> ChangeError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        ChangeError::Invalid(errors)
    }
}

/// The version a save says it was loaded at ([`ChangeError::VersionMissing`] if it says none).
pub fn expected_version(given: Option<i32>) -> Result<i32> {
    given.ok_or(ChangeError::VersionMissing)
}

/// That a row is at `expected`, the version its form was loaded at, given the version it is
/// at now (`None`: it is gone). Read under its postmortem's lock, the answer holds until the
/// change commits.
fn check_version(current: Option<i32>, expected: i32) -> Result<()> {
    match current {
        None => Err(ChangeError::NotFound),
        Some(current) if current != expected => Err(ChangeError::Stale),
        Some(_) => Ok(()),
    }
}

/// A change to one postmortem in progress: a transaction that holds the postmortem's row
/// lock from its first statement. Finish it with [`PostmortemChange::commit`]; dropping it
/// rolls everything back.
pub struct PostmortemChange<'c> {
    tx: Transaction<'c, Postgres>,
    pub id: IncidentId,
    actor: Actor,
}

impl<'c> PostmortemChange<'c> {
    /// Starts a change to postmortem `id`, waiting for anyone changing it now to finish.
    pub async fn begin(conn: &'c mut PgConnection, id: IncidentId, actor: Actor) -> Result<PostmortemChange<'c>> {
        let mut tx = conn.begin().await?;
        if !db::incidents::lock(&mut *tx, id).await? {
            return Err(ChangeError::NotFound);
        }
        Ok(PostmortemChange { tx, id, actor })
    }

    /// [`PostmortemChange::begin`], also reading the postmortem's own fields as they are now.
    pub async fn begin_reading(
        conn: &'c mut PgConnection,
        id: IncidentId,
        actor: Actor,
    ) -> Result<(PostmortemChange<'c>, Incident)> {
        let mut change = PostmortemChange::begin(conn, id, actor).await?;
        let incident = db::incidents::find(change.conn(), id).await?.ok_or(ChangeError::NotFound)?;
        Ok((change, incident))
    }

    /// A change to a postmortem this transaction has just inserted (and so already holds).
    fn created(tx: Transaction<'c, Postgres>, id: IncidentId, actor: Actor) -> PostmortemChange<'c> {
        PostmortemChange { tx, id, actor }
    }

    /// The transaction, for the change's own statements.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Records the audit action and the revision (`None`: the document did not change, as
    /// with a comment), then commits.
    pub async fn commit(mut self, action: AuditAction, summary: &str, step: Option<Step>) -> Result<()> {
        // Every instance that kept this postmortem reads it again (see `db::postmortems::Stamp`).
        db::incidents::touch(&mut *self.tx, self.id).await?;
        db::audit::record(&mut *self.tx, self.actor.user(), action, summary, Some(self.id)).await?;
        if let Some(step) = step {
            revisions::record(&mut self.tx, self.id, self.actor, step).await?;
        }
        commit(self.tx).await
    }
}

/// A change that belongs to no postmortem (people, teams, tokens, webhooks): the transaction,
/// and the audit record written with it.
pub struct Change<'c> {
    tx: Transaction<'c, Postgres>,
    actor: Actor,
}

impl<'c> Change<'c> {
    pub async fn begin(conn: &'c mut PgConnection, actor: Actor) -> Result<Change<'c>> {
        Ok(Change { tx: conn.begin().await?, actor })
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Records the audit action and commits.
    pub async fn commit(mut self, action: AuditAction, summary: &str) -> Result<()> {
        db::audit::record(&mut *self.tx, self.actor.user(), action, summary, None).await?;
        commit(self.tx).await
    }
}

/// Commits a transaction. A failure while committing leaves the outcome unknown (the
/// database may have committed before the connection broke), and is reported as such, so
/// that no page claims "nothing was changed" when something may have been.
pub async fn commit(tx: Transaction<'_, Postgres>) -> Result<()> {
    tx.commit().await.map_err(|error| {
        if db::is_unavailable(&error) { ChangeError::OutcomeUnknown(error) } else { ChangeError::Database(error) }
    })
}

/// Runs checks from `domain::limits` (which every way in goes through here): the change goes
/// on only if they found nothing.
fn within_limits(check: impl FnOnce(&mut FieldErrors)) -> Result<()> {
    let mut errors = FieldErrors::default();
    check(&mut errors);
    if errors.is_empty() { Ok(()) } else { Err(ChangeError::Invalid(errors)) }
}

/// That postmortem `id` (locked by the change) has room for one more `part`.
async fn has_room(change: &mut PostmortemChange<'_>, part: limits::Part) -> Result<()> {
    has_room_for(change, part, 1).await
}

/// That postmortem `id` (locked by the change) has room for `more` of `part`.
async fn has_room_for(change: &mut PostmortemChange<'_>, part: limits::Part, more: usize) -> Result<()> {
    let id = change.id;
    let counts = db::incidents::part_counts(change.conn(), id).await?;
    let held = match part {
        limits::Part::TimelineEntry => counts.timeline,
        limits::Part::ActionItem => counts.action_items,
        limits::Part::ExtraSection => counts.sections,
    };
    within_limits(|errors| limits::check_count(errors, part, held + more, false))
}

/// The HTML of one Markdown field, to store beside it.
fn html(markdown: &str) -> String {
    markdown::render(markdown).into_string()
}

/// The HTML of each section's text. Seven long fields can take a while to render, so it runs
/// off the async workers.
async fn texts_html(texts: &PerSection<String>) -> Result<PerSection<String>> {
    let texts = texts.clone();
    tokio::task::spawn_blocking(move || texts.map(|_, text| html(text)))
        .await
        .map_err(|error| ChangeError::Internal(format!("rendering the sections: {error}")))
}

/// Whether a database error is a unique violation (a name or an email already taken).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("23505"))
}
