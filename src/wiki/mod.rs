//! Wiki sync: published postmortems committed to git repositories, with an index page.
//!
//! Changes queue jobs in the database (the trigger on `revisions` for every revision of a
//! published postmortem, a deletion, *Sync now*; see `db::wiki`), and this worker, a background
//! task of the server (and `hindsight publish`), takes one destination at a time, fetches its
//! branch, makes one commit per job (each revision's export, authored by whoever made it, with a
//! message saying what changed) and pushes. A push the remote refuses because its branch moved
//! is not forced: the branch is fetched again and the jobs are written again on top of it. A
//! destination that cannot be reached keeps its jobs and is tried again later, backing off;
//! nothing is given up. A job whose commit would change nothing (the remote already has it: a
//! push whose answer was lost) commits nothing, so a retry never duplicates a commit.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use crate::db;
use crate::db::wiki::{Destination, Job};
use crate::domain::{IncidentId, WikiDestinationId};
use crate::markdown::export::export;
use crate::secrets::{Keyring, SecretError};

pub mod git;
pub mod layout;
pub mod settings;

use git::{Credentials, GitError, Workspace};
use layout::{WikiFile, changed_parts, index_page, join, list_of, unique_path};
use settings::Auth;

/// How long a worker holds a destination: longer than a sync of [`BATCH`] jobs may take.
const LEASE: Duration = Duration::from_secs(600);
/// Jobs committed in one sync; the rest wait for the next.
const BATCH: i64 = 100;
/// Times a push is tried in one sync when the remote keeps moving.
const PUSH_TRIES: usize = 5;
/// The wait after the first failed sync; it doubles each time, up to [`LONGEST_RETRY`].
const FIRST_RETRY: Duration = Duration::from_secs(30);
const LONGEST_RETRY: Duration = Duration::from_secs(3600);
/// How often the worker looks for due jobs.
const POLL: Duration = Duration::from_secs(1);

/// What the operator decided about wiki sync, shared by the pages and the worker.
#[derive(Debug)]
pub struct WikiSettings {
    /// The key the destinations' secrets are sealed with.
    pub keyring: Keyring,
    /// Whether `file://` repositories (on this machine) may be destinations.
    pub allow_file_urls: bool,
    /// The longest one git command may take ([`git::COMMAND_LIMIT`]).
    pub git_timeout: Duration,
}

impl Default for WikiSettings {
    /// A key made for this process alone (secrets sealed with it open nowhere else).
    fn default() -> WikiSettings {
        let keyring = match crate::secrets::SecretKey::random() {
            Ok(key) => Keyring::holding(key),
            Err(_) => Keyring::new(None, std::path::Path::new("./data")),
        };
        WikiSettings { keyring, allow_file_urls: false, git_timeout: git::COMMAND_LIMIT }
    }
}

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("The destination's secret could not be opened: {0}")]
    Secret(#[from] SecretError),
    #[error("Could not read or write the database (see the server's log)")]
    Database(#[from] sqlx::Error),
}

/// Commits and pushes queued jobs.
#[derive(Clone)]
pub struct Syncer {
    pool: PgPool,
    wiki: Arc<WikiSettings>,
    public_url: String,
    committer_email: String,
}

/// What one job did, for the destination's log.
struct Outcome {
    text: String,
    commit: Option<String>,
}

impl Outcome {
    fn skipped(why: &str) -> Outcome {
        Outcome { text: format!("Nothing to do: {why}"), commit: None }
    }
}

/// The postmortems a destination holds, by id, as the sync goes.
type Files = BTreeMap<IncidentId, WikiFile>;

impl Syncer {
    /// A worker whose commit messages link to `public_url`.
    pub fn new(pool: PgPool, wiki: Arc<WikiSettings>, public_url: &str) -> Syncer {
        let public_url = public_url.trim_end_matches('/').to_owned();
        let host = public_url.split("://").nth(1).unwrap_or("").split(['/', ':']).next().unwrap_or("");
        let host = if host.is_empty() { "localhost" } else { host };
        Syncer { pool, wiki, committer_email: format!("hindsight@{host}"), public_url }
    }

    /// Runs until the task is aborted, syncing due destinations every second.
    pub async fn run(self) {
        let mut poll = tokio::time::interval(POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            poll.tick().await;
            if let Err(error) = self.sync_due().await {
                tracing::warn!(%error, "Could not read the wiki sync queue");
            }
            // The queue's state for `/metrics`, which must not ask the database itself.
            if let Ok((pending, failing)) = db::wiki::queue_state(&self.pool).await {
                crate::metrics::global().wiki_queue(pending, failing);
            }
        }
    }

    /// Syncs every destination with due jobs that no other worker holds, one after another;
    /// returns how many it synced (successfully or not).
    pub async fn sync_due(&self) -> sqlx::Result<usize> {
        let mut synced = 0;
        while let Some(id) = db::wiki::claim_due(&self.pool, LEASE).await? {
            synced += 1;
            match self.sync(id).await {
                Ok(commits) => tracing::info!(destination = %id, commits, "Synced a wiki destination"),
                Err(error) => {
                    let attempts = db::wiki::find(&self.pool, id).await?.map_or(0, |d| d.attempts);
                    let retry_in = backoff(attempts + 1);
                    tracing::warn!(destination = %id, %error, retry_in = ?retry_in, "A wiki sync failed");
                    db::wiki::failed(&self.pool, id, &error.to_string(), retry_in).await?;
                }
            }
        }
        Ok(synced)
    }

    /// One sync of a claimed destination: its pending jobs committed and pushed, and recorded.
    /// Returns how many commits it pushed.
    async fn sync(&self, id: WikiDestinationId) -> Result<usize, SyncError> {
        let Some(destination) = db::wiki::find(&self.pool, id).await? else { return Ok(0) };
        let jobs = db::wiki::pending_jobs(&self.pool, id, BATCH).await?;
        let credentials = self.credentials(&destination)?;
        let workspace = Workspace::create(
            &destination.url,
            &destination.branch,
            &credentials,
            self.wiki.allow_file_urls,
            self.wiki.git_timeout,
        )
        .await?;
        let result = self.commit_and_push(&destination, &jobs, &workspace).await;
        let known_hosts = workspace.known_hosts().await;
        workspace.remove_all().await;
        let (outcomes, files) = result?;
        let commits: Vec<&str> = outcomes.iter().filter_map(|o| o.commit.as_deref()).collect();
        let mut tx = self.pool.begin().await?;
        for (job, outcome) in jobs.iter().zip(&outcomes) {
            db::wiki::finish_job(&mut *tx, job, &outcome.text, outcome.commit.as_deref()).await?;
        }
        let files: Vec<(IncidentId, WikiFile)> = files.into_iter().collect();
        db::wiki::replace_files(&mut tx, id, &files).await?;
        db::wiki::synced(&mut *tx, id, commits.last().copied(), known_hosts.as_deref()).await?;
        tx.commit().await?;
        Ok(commits.len())
    }

    /// The destination's secret, opened.
    fn credentials(&self, destination: &Destination) -> Result<Credentials, SecretError> {
        let open = || -> Result<String, SecretError> {
            let sealed = destination.sealed_secret.as_deref().ok_or(SecretError::Damaged)?;
            let key = self.wiki.keyring.key()?;
            String::from_utf8(key.open(sealed, &destination.secret_key_id)?).map_err(|_| SecretError::Damaged)
        };
        Ok(match Auth::parse(&destination.auth) {
            Auth::Ssh => Credentials::Ssh { private_key: open()?, known_hosts: destination.known_hosts.clone() },
            Auth::Token => Credentials::Token { user: destination.token_user.clone(), token: open()? },
            Auth::None => Credentials::None,
        })
    }

    /// Writes and commits every job on the remote branch as it is, and pushes; on a push the
    /// remote refused because its branch moved, does it all again on the moved branch.
    async fn commit_and_push(
        &self,
        destination: &Destination,
        jobs: &[Job],
        workspace: &Workspace,
    ) -> Result<(Vec<Outcome>, Files), SyncError> {
        let held: Files = db::wiki::files(&self.pool, destination.id).await?.into_iter().collect();
        let mut tries = 0;
        loop {
            tries += 1;
            workspace.reset_to_remote().await?;
            let mut files = held.clone();
            let mut outcomes = Vec::with_capacity(jobs.len());
            for job in jobs {
                outcomes.push(self.apply(destination, job, workspace, &mut files).await?);
            }
            if outcomes.iter().all(|outcome| outcome.commit.is_none()) {
                return Ok((outcomes, files));
            }
            match workspace.push().await {
                Ok(()) => return Ok((outcomes, files)),
                Err(GitError::Moved) if tries < PUSH_TRIES => {
                    tracing::info!(destination = %destination.id, tries, "The wiki's branch moved: writing the jobs again on top of it");
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// Writes one job into the working tree and commits it.
    async fn apply(
        &self,
        destination: &Destination,
        job: &Job,
        workspace: &Workspace,
        files: &mut Files,
    ) -> Result<Outcome, SyncError> {
        match job.kind.as_str() {
            "revision" => self.write_revision(destination, job, workspace, files).await,
            "removal" => {
                let Some(incident) = job.incident_id else { return Ok(Outcome::skipped("no postmortem named")) };
                let message = format!("Remove #{incident}: {}\n\nThe postmortem was deleted in Hindsight.", job.title);
                self.remove(destination, job, workspace, files, incident, &message).await
            }
            _ => self.rebuild(destination, job, workspace, files).await,
        }
    }

    async fn write_revision(
        &self,
        destination: &Destination,
        job: &Job,
        workspace: &Workspace,
        files: &mut Files,
    ) -> Result<Outcome, SyncError> {
        let revision = match job.revision_id {
            Some(revision) => db::wiki::revision(&self.pool, revision).await?,
            None => None,
        };
        let Some(revision) = revision else { return Ok(Outcome::skipped("the postmortem was deleted")) };
        let incident = revision.incident_id;
        let mut conn = self.pool.acquire().await?;
        let Some(postmortem) = db::postmortems::find(&mut conn, incident).await? else {
            return Ok(Outcome::skipped("the postmortem was deleted"));
        };
        drop(conn);
        let title = postmortem.incident.title.clone();
        if db::wiki::matching(&self.pool, destination.id, Some(incident)).await?.is_empty() {
            let message = format!(
                "Remove #{incident}: {title}\n\nIt no longer goes to this destination: its teams or services changed."
            );
            return self.remove(destination, job, workspace, files, incident, &message).await;
        }
        let index = join(&destination.folder, &destination.index_name);
        let mut file = WikiFile::of(&postmortem.incident, &destination.folder, &destination.file_pattern);
        file.path = unique_path(file.path, incident, files, &index);
        let old = files.get(&incident).cloned();
        let before = match &old {
            Some(old) => workspace.read(&old.path).await,
            None => None,
        };
        // A sync whose push landed but was not recorded (the answer lost, the process
        // stopped) leaves its jobs queued: the wiki already has their revisions, or later
        // ones, and writing an older one again would undo them.
        if let Some(before) = &before
            && db::wiki::newest_revision_with(&self.pool, incident, before).await? >= Some(revision.number)
        {
            return Ok(Outcome::skipped("the wiki already has this revision or a later one"));
        }
        let mut body = Vec::new();
        let subject = match &old {
            None => format!("Publish #{incident}: {title}"),
            Some(old) => {
                if let Some(before) = &before {
                    let changed = changed_parts(before, &revision.markdown);
                    if !changed.is_empty() {
                        body.push(format!("Changed: {}.", list_of(&changed)));
                    }
                }
                if old.path != file.path {
                    workspace.remove(&old.path).await?;
                    body.push(format!("Renamed from {} to {}.", old.path, file.path));
                }
                format!("Update #{incident}: {title}")
            }
        };
        body.push(format!("Revision {} of {}/incidents/{incident}", revision.number, self.public_url));
        workspace.write(&file.path, &revision.markdown).await?;
        files.insert(incident, file);
        workspace.write(&index, &index_page(files, &destination.folder)).await?;
        self.commit(destination, job, workspace, &format!("{subject}\n\n{}", body.join("\n"))).await
    }

    /// Takes a postmortem's file out of the destination, if it is there.
    async fn remove(
        &self,
        destination: &Destination,
        job: &Job,
        workspace: &Workspace,
        files: &mut Files,
        incident: IncidentId,
        message: &str,
    ) -> Result<Outcome, SyncError> {
        let Some(old) = files.remove(&incident) else {
            return Ok(Outcome::skipped("this destination does not have the postmortem"));
        };
        workspace.remove(&old.path).await?;
        let index = join(&destination.folder, &destination.index_name);
        workspace.write(&index, &index_page(files, &destination.folder)).await?;
        self.commit(destination, job, workspace, message).await
    }

    /// Writes every postmortem the destination takes, as it is now, and the index; removes the
    /// files it held that are no longer wanted and, in a folder of its own, every other file.
    async fn rebuild(
        &self,
        destination: &Destination,
        job: &Job,
        workspace: &Workspace,
        files: &mut Files,
    ) -> Result<Outcome, SyncError> {
        for file in files.values() {
            workspace.remove(&file.path).await?;
        }
        if !destination.folder.is_empty() {
            for path in workspace.tracked(&destination.folder).await? {
                workspace.remove(&path).await?;
            }
        }
        files.clear();
        let index = join(&destination.folder, &destination.index_name);
        let mut wanted = db::wiki::matching(&self.pool, destination.id, None).await?;
        // Oldest first, so that when two postmortems would share a name the older keeps it.
        wanted.sort_unstable();
        let mut conn = self.pool.acquire().await?;
        for incident in wanted {
            let Some(postmortem) = db::postmortems::find(&mut conn, incident).await? else { continue };
            let mut file = WikiFile::of(&postmortem.incident, &destination.folder, &destination.file_pattern);
            file.path = unique_path(file.path, incident, files, &index);
            workspace.write(&file.path, &export(&postmortem)).await?;
            files.insert(incident, file);
        }
        drop(conn);
        workspace.write(&index, &index_page(files, &destination.folder)).await?;
        let count = files.len();
        let message = format!(
            "Rebuild from Hindsight: {count} postmortem{}\n\nEvery published postmortem this destination takes, written again as Hindsight has it.",
            if count == 1 { "" } else { "s" }
        );
        self.commit(destination, job, workspace, &message).await
    }

    async fn commit(
        &self,
        destination: &Destination,
        job: &Job,
        workspace: &Workspace,
        message: &str,
    ) -> Result<Outcome, SyncError> {
        let name = job.author_name.as_deref().filter(|name| !name.trim().is_empty());
        let email = job.author_email.as_deref().unwrap_or(&self.committer_email);
        let author = (name.unwrap_or(if job.author_email.is_some() { email } else { "Hindsight" }), email);
        let subject = message.lines().next().unwrap_or_default();
        Ok(
            match workspace.commit(&destination.folder, author, &self.committer_email, job.created_at, message).await? {
                Some(commit) => {
                    Outcome { text: format!("Committed {}: {subject}", short(&commit)), commit: Some(commit) }
                }
                None => {
                    Outcome { text: format!("Nothing to change: the wiki already has it ({subject})"), commit: None }
                }
            },
        )
    }
}

/// A commit's id as people quote it.
pub fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// The wait before the next sync after `attempts` failed ones in a row: 30 s, doubling, at most
/// an hour (jobs are never given up: the wiki must end up with every change).
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    FIRST_RETRY.saturating_mul(1 << doublings).min(LONGEST_RETRY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_syncs_back_off_to_an_hour_and_never_give_up() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(8), Duration::from_secs(3600));
        assert_eq!(backoff(1000), Duration::from_secs(3600));
        assert_eq!(short("0123456789abcdef"), "0123456");
    }
}
