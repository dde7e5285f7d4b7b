//! A working copy of one destination's branch, driven through the `git` command line (see the
//! README's "Wiki sync" for why the command line and not a library).
//!
//! Each sync starts from a fresh, shallow fetch of the branch in a folder of its own that is
//! removed afterwards, so no state is kept between syncs or shared between instances. git runs
//! with a cleared environment: no system or user configuration (no credential helpers, hooks or
//! aliases of the server's account), no prompts, only the transports the destination may use,
//! the deploy key or token given for this run alone, and a time limit on every command.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use tokio::process::Command;

/// The longest one git command may take by default (a fetch or push of a large wiki over a
/// slow link).
pub const COMMAND_LIMIT: Duration = Duration::from_secs(120);
/// How much of git's error output is kept for the destination's page.
const ERROR_SHOWN: usize = 600;

static NEXT_WORKSPACE: AtomicU64 = AtomicU64::new(0);

/// What signs in to the repository, opened from its sealed form for this run.
pub enum Credentials {
    /// An OpenSSH private key, and the server's host key as first seen (`known_hosts` lines;
    /// empty until the first connection, which records it).
    Ssh {
        private_key: String,
        known_hosts: String,
    },
    Token {
        user: String,
        token: String,
    },
    None,
}

/// Why a git step failed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The branch moved on the remote since it was fetched: fetch again and replay.
    #[error("the branch moved on the remote")]
    Moved,
    #[error("{0}")]
    Failed(String),
}

/// A fresh working copy of one branch.
pub struct Workspace {
    dir: PathBuf,
    tree: PathBuf,
    branch: String,
    env: Vec<(String, String)>,
    /// Text that must never reach a message (the token), replaced wherever git echoes it.
    secrets: Vec<String>,
    known_hosts: Option<PathBuf>,
    /// The longest one command may take.
    limit: Duration,
}

impl Workspace {
    /// A new empty repository whose `origin` is `url`, signing in with `credentials`.
    pub async fn create(
        url: &str,
        branch: &str,
        credentials: &Credentials,
        allow_file: bool,
        limit: Duration,
    ) -> Result<Workspace, GitError> {
        let n = NEXT_WORKSPACE.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("hindsight-wiki-{}-{n}", std::process::id()));
        let tree = dir.join("tree");
        let mut workspace = Workspace {
            dir,
            tree,
            branch: branch.to_owned(),
            env: Vec::new(),
            secrets: Vec::new(),
            known_hosts: None,
            limit,
        };
        workspace
            .set_up(credentials, allow_file)
            .await
            .map_err(|e| GitError::Failed(format!("could not prepare a working copy: {e}")))?;
        workspace.git(&["init", "-q", "-b", branch, "."]).await?;
        workspace.git(&["remote", "add", "origin", url]).await?;
        Ok(workspace)
    }

    async fn set_up(&mut self, credentials: &Credentials, allow_file: bool) -> std::io::Result<()> {
        let _ = tokio::fs::remove_dir_all(&self.dir).await;
        tokio::fs::create_dir_all(&self.tree).await?;
        let home = self.dir.join("home");
        tokio::fs::create_dir_all(&home).await?;
        let protocols = if allow_file { "ssh:https:file" } else { "ssh:https" };
        self.env = vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into())),
            ("HOME".into(), home.display().to_string()),
            ("LC_ALL".into(), "C".into()),
            ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
            ("GIT_CONFIG_GLOBAL".into(), "/dev/null".into()),
            ("GIT_TERMINAL_PROMPT".into(), "0".into()),
            ("GIT_ALLOW_PROTOCOL".into(), protocols.into()),
            ("GIT_COMMITTER_NAME".into(), "Hindsight".into()),
            // An HTTPS remote that stops sending (under 1 KB/s for 30 s) is given up on before
            // the command's own limit.
            ("GIT_HTTP_LOW_SPEED_LIMIT".into(), "1000".into()),
            ("GIT_HTTP_LOW_SPEED_TIME".into(), "30".into()),
        ];
        match credentials {
            Credentials::Ssh { private_key, known_hosts } => {
                let key = self.dir.join("deploy_key");
                write_private(&key, private_key).await?;
                let hosts = self.dir.join("known_hosts");
                write_private(&hosts, known_hosts).await?;
                // Accept the host key only the first time (then it is kept and required).
                let checking = if known_hosts.trim().is_empty() { "accept-new" } else { "yes" };
                self.env.push((
                    "GIT_SSH_COMMAND".into(),
                    format!(
                        "ssh -F /dev/null -i '{}' -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes \
                         -o StrictHostKeyChecking={checking} -o UserKnownHostsFile='{}' -o ConnectTimeout=20",
                        key.display(),
                        hosts.display()
                    ),
                ));
                self.known_hosts = Some(hosts);
            }
            Credentials::Token { user, token } => {
                let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
                // Through the environment, not the command line, where `ps` would show it.
                self.env.extend([
                    ("GIT_CONFIG_COUNT".into(), "1".into()),
                    ("GIT_CONFIG_KEY_0".into(), "http.extraHeader".into()),
                    ("GIT_CONFIG_VALUE_0".into(), format!("Authorization: Basic {basic}")),
                ]);
                self.secrets.extend([token.clone(), basic]);
            }
            Credentials::None => {}
        }
        Ok(())
    }

    /// The working tree's folder.
    pub fn tree(&self) -> &Path {
        &self.tree
    }

    /// The host keys known after this run (the one first seen, if there was none).
    pub async fn known_hosts(&self) -> Option<String> {
        let path = self.known_hosts.as_ref()?;
        tokio::fs::read_to_string(path).await.ok()
    }

    /// Makes the working copy the remote branch as it is now (or an empty branch, if the
    /// remote has none yet), dropping any local commits.
    pub async fn reset_to_remote(&self) -> Result<(), GitError> {
        let refspec = format!("+refs/heads/{0}:refs/remotes/origin/{0}", self.branch);
        match self.git(&["fetch", "-q", "--depth=1", "origin", &refspec]).await {
            Ok(_) => {
                let remote = format!("origin/{}", self.branch);
                self.git(&["checkout", "-q", "-f", "-B", &self.branch, &remote]).await?;
            }
            Err(GitError::Failed(message)) if message.contains("couldn't find remote ref") => {
                // A new repository, or a branch not made yet: start it empty. Anything
                // committed locally before (a push the remote refused) goes.
                self.git(&["symbolic-ref", "HEAD", &format!("refs/heads/{}", self.branch)]).await?;
                let _ = self.git(&["update-ref", "-d", &format!("refs/heads/{}", self.branch)]).await;
                self.git(&["rm", "-r", "-q", "-f", "--cached", "--ignore-unmatch", "."]).await?;
            }
            Err(error) => return Err(error),
        }
        self.git(&["clean", "-q", "-f", "-f", "-d", "-x"]).await?;
        Ok(())
    }

    /// Writes `text` to `path` in the working tree (its folders made as needed).
    pub async fn write(&self, path: &str, text: &str) -> Result<(), GitError> {
        let file = self.tree.join(path);
        let io = |e: std::io::Error| GitError::Failed(format!("could not write {path}: {e}"));
        if let Some(parent) = file.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io)?;
        }
        tokio::fs::write(&file, text).await.map_err(io)
    }

    /// The text at `path`, if the working tree has it.
    pub async fn read(&self, path: &str) -> Option<String> {
        tokio::fs::read_to_string(self.tree.join(path)).await.ok()
    }

    /// Removes `path` if it is there.
    pub async fn remove(&self, path: &str) -> Result<(), GitError> {
        match tokio::fs::remove_file(self.tree.join(path)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(GitError::Failed(format!("could not remove {path}: {e}"))),
        }
    }

    /// The files under `folder` that git tracks (for a rebuild, which makes a folder of
    /// Hindsight's own exactly its export).
    pub async fn tracked(&self, folder: &str) -> Result<Vec<String>, GitError> {
        let out = self.git(&["ls-files", "-z", "--", folder]).await?;
        Ok(out.split('\0').filter(|path| !path.is_empty()).map(str::to_owned).collect())
    }

    /// Commits everything changed under `folder` as `author` (name, email) at `when`, with
    /// `message`; `None` when nothing changed (the remote already had it: a retry after a push
    /// whose answer was lost, or a revision that changed nothing the wiki shows).
    pub async fn commit(
        &self,
        folder: &str,
        author: (&str, &str),
        committer_email: &str,
        when: time::OffsetDateTime,
        message: &str,
    ) -> Result<Option<String>, GitError> {
        let scope = if folder.is_empty() { "." } else { folder };
        self.git(&["add", "-A", "--", scope]).await?;
        if self.git(&["diff", "--cached", "--quiet"]).await.is_ok() {
            return Ok(None);
        }
        let date = format!("@{} +0000", when.unix_timestamp());
        let env = [
            ("GIT_AUTHOR_NAME", author.0),
            ("GIT_AUTHOR_EMAIL", author.1),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_EMAIL", committer_email),
        ];
        self.git_with(&["commit", "-q", "--no-verify", "-F", "-"], &env, Some(message)).await?;
        let id = self.git(&["rev-parse", "HEAD"]).await?;
        Ok(Some(id.trim().to_owned()))
    }

    /// Pushes the branch, never forced: [`GitError::Moved`] if the remote has commits this
    /// copy has not.
    pub async fn push(&self) -> Result<(), GitError> {
        let refspec = format!("HEAD:refs/heads/{}", self.branch);
        match self.git(&["push", "-q", "--porcelain", "origin", &refspec]).await {
            Ok(_) => Ok(()),
            Err(GitError::Failed(message))
                if ["[rejected]", "non-fast-forward", "fetch first", "cannot lock ref", "failed to update ref"]
                    .iter()
                    .any(|sign| message.contains(sign)) =>
            {
                Err(GitError::Moved)
            }
            Err(error) => Err(error),
        }
    }

    async fn git(&self, args: &[&str]) -> Result<String, GitError> {
        self.git_with(args, &[], None).await
    }

    /// Runs git in the working tree with the workspace's environment plus `env`, feeding it
    /// `input`; its output, or its error output (secrets removed, cut short) as the failure.
    async fn git_with(&self, args: &[&str], env: &[(&str, &str)], input: Option<&str>) -> Result<String, GitError> {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(&self.tree)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(env.iter().copied())
            .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        // Its own process group, so that a command past its limit is stopped with the helpers
        // it started (ssh, git-remote-https), not only git itself.
        command.process_group(0);
        let mut child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                GitError::Failed("git is not installed on the server (install git and openssh-client)".into())
            }
            _ => GitError::Failed(format!("could not run git: {e}")),
        })?;
        let group = child.id();
        let run = async {
            if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
                use tokio::io::AsyncWriteExt as _;
                stdin.write_all(text.as_bytes()).await?;
            }
            child.wait_with_output().await
        };
        let output = match tokio::time::timeout(self.limit, run).await {
            Ok(Ok(output)) => output,
            Ok(Err(e)) => return Err(GitError::Failed(format!("could not run git: {e}"))),
            Err(_) => {
                if let Some(group) = group.and_then(|id| i32::try_from(id).ok()) {
                    let _ =
                        nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGKILL);
                }
                return Err(GitError::Failed(format!(
                    "git {} took longer than {} s: is the repository's server reachable?",
                    args.first().unwrap_or(&""),
                    self.limit.as_secs()
                )));
            }
        };
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        // A push's refusal of each ref is on standard output (`--porcelain`), its summary on
        // standard error: both are read.
        let message =
            format!("{} {}", String::from_utf8_lossy(&output.stderr), String::from_utf8_lossy(&output.stdout));
        Err(GitError::Failed(self.shown(&message)))
    }

    /// Git's error output as the destination's page may show it: without secrets, on one
    /// line, cut short.
    fn shown(&self, message: &str) -> String {
        let mut shown = message.split_whitespace().collect::<Vec<_>>().join(" ");
        for secret in self.secrets.iter().filter(|secret| !secret.is_empty()) {
            shown = shown.replace(secret.as_str(), "…");
        }
        if shown.chars().count() > ERROR_SHOWN {
            shown = shown.chars().take(ERROR_SHOWN).chain(['…']).collect();
        }
        if shown.is_empty() { "git failed without saying why".into() } else { shown }
    }

    /// Removes the working copy (and the key written for this run).
    pub async fn remove_all(self) {
        let _ = tokio::fs::remove_dir_all(&self.dir).await;
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        // A sync cut short (an error, a shutdown) must not leave the deploy key on disk.
        let _ = std::fs::remove_file(self.dir.join("deploy_key"));
    }
}

/// Writes a file only its owner can read.
async fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = path.to_owned();
    let text = text.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
        file.write_all(text.as_bytes())
    })
    .await
    .map_err(std::io::Error::other)?
}

/// A new ed25519 deploy key, made by `ssh-keygen`: the private key (OpenSSH format) and the
/// public key line to add to the repository.
pub async fn new_deploy_key(comment: &str) -> Result<(String, String), GitError> {
    let n = NEXT_WORKSPACE.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("hindsight-keygen-{}-{n}", std::process::id()));
    let failed = |e: &dyn std::fmt::Display| GitError::Failed(format!("could not make a deploy key: {e}"));
    tokio::fs::create_dir_all(&dir).await.map_err(|e| failed(&e))?;
    let key = dir.join("key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(&key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output()
        .await;
    let result = match made {
        Ok(output) if output.status.success() => {
            let private = tokio::fs::read_to_string(&key).await.map_err(|e| failed(&e));
            let public = tokio::fs::read_to_string(key.with_extension("pub")).await.map_err(|e| failed(&e));
            private.and_then(|private| Ok((private, public?.trim().to_owned())))
        }
        Ok(output) => Err(failed(&String::from_utf8_lossy(&output.stderr).trim())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(GitError::Failed("ssh-keygen is not installed on the server (install openssh-client)".into()))
        }
        Err(e) => Err(failed(&e)),
    };
    let _ = tokio::fs::remove_dir_all(&dir).await;
    result
}

/// The SHA-256 fingerprints of the host keys in `known_hosts`, as ssh shows them.
pub fn fingerprints(known_hosts: &str) -> Vec<String> {
    use sha2::{Digest as _, Sha256};
    known_hosts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (_host, kind, key) = (fields.next()?, fields.next()?, fields.next()?);
            let bytes = base64::engine::general_purpose::STANDARD.decode(key).ok()?;
            let digest = base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(bytes));
            Some(format!("{kind} SHA256:{digest}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_key_fingerprints_read_as_ssh_prints_them() {
        // The key and fingerprint of a throwaway ed25519 key (ssh-keygen -lf).
        let line = "[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        let prints = fingerprints(line);
        assert_eq!(prints.len(), 1);
        assert!(prints[0].starts_with("ssh-ed25519 SHA256:"), "{prints:?}");
        assert!(fingerprints("garbage\n\n").is_empty());
    }
}
