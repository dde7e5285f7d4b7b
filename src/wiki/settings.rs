//! A destination's settings as an admin types them, and what makes them safe to hand to git:
//! the repository's address decides how Hindsight signs in (a deploy key for SSH, a token for
//! HTTPS, nothing for a `file://` repository the operator allows), and every name that becomes
//! a command's argument or a path is checked so that none can read as an option or leave the
//! working copy.

use crate::domain::input::FieldErrors;

use super::layout::{DEFAULT_INDEX, DEFAULT_PATTERN, PLACEHOLDERS};

/// How Hindsight signs in to a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// A deploy key Hindsight made (its public half shown to add to the repository).
    Ssh,
    /// A token, sent as HTTP basic authentication's password.
    Token,
    /// A repository on this machine (`file://`), when the operator allows those.
    None,
}

impl Auth {
    pub fn as_str(self) -> &'static str {
        match self {
            Auth::Ssh => "ssh",
            Auth::Token => "token",
            Auth::None => "none",
        }
    }

    pub fn parse(stored: &str) -> Auth {
        match stored {
            "ssh" => Auth::Ssh,
            "token" => Auth::Token,
            _ => Auth::None,
        }
    }
}

/// The settings form, as typed (every field a string, so a refused form comes back as typed).
#[derive(Debug, Clone, Default)]
pub struct DestinationForm {
    pub name: String,
    pub url: String,
    pub branch: String,
    pub folder: String,
    pub file_pattern: String,
    pub index_name: String,
    /// HTTPS only: the user name sent with the token, and the token (empty on an edit: keep it).
    pub token_user: String,
    pub token: String,
    pub team_ids: Vec<i64>,
    pub service_ids: Vec<i64>,
    pub active: bool,
    pub version: String,
}

/// Settings that passed [`DestinationForm::checked`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub url: String,
    pub auth: Auth,
    pub branch: String,
    pub folder: String,
    pub file_pattern: String,
    pub index_name: String,
    pub token_user: String,
    pub team_ids: Vec<i64>,
    pub service_ids: Vec<i64>,
    pub active: bool,
}

impl DestinationForm {
    /// A new destination's form, with the defaults filled in.
    pub fn blank() -> DestinationForm {
        DestinationForm {
            branch: "main".into(),
            file_pattern: DEFAULT_PATTERN.into(),
            index_name: DEFAULT_INDEX.into(),
            token_user: "git".into(),
            active: true,
            ..DestinationForm::default()
        }
    }

    /// The settings, or what is wrong with each field. `file_urls` says whether the operator
    /// allows repositories on this machine.
    pub fn checked(&self, file_urls: bool) -> Result<Settings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            errors.add("name", "Give the destination a name of up to 100 characters, such as “Engineering wiki”.");
        }
        let url = self.url.trim();
        let auth = match repository_kind(url) {
            Ok(Auth::None) if !file_urls => {
                errors.add(
                    "url",
                    "Repositories on this machine (file://) are allowed only when the operator starts Hindsight with --wiki-allow-file-urls.",
                );
                Auth::None
            }
            Ok(auth) => auth,
            Err(message) => {
                errors.add("url", message);
                Auth::None
            }
        };
        let branch = self.branch.trim();
        if !is_branch_name(branch) {
            errors.add("branch", "Give a branch name such as main or wiki (letters, digits, “-”, “_”, “.” and “/”).");
        }
        let folder = self.folder.trim().trim_matches('/');
        if !folder.is_empty() && !is_relative_path(folder) {
            errors.add("folder", "Give a folder inside the repository, such as postmortems or docs/incidents, or leave it empty for the top.");
        }
        let pattern = self.file_pattern.trim();
        if let Err(message) = check_pattern(pattern) {
            errors.add("file_pattern", message);
        }
        let index_name = self.index_name.trim();
        if !(index_name.ends_with(".md")
            && index_name.len() > 3
            && !index_name.contains('/')
            && is_relative_path(index_name))
        {
            errors.add("index_name", "Give the index page's file name, ending in .md, such as index.md or Home.md.");
        }
        let token_user = self.token_user.trim();
        if auth == Auth::Token {
            if token_user.is_empty()
                || token_user.contains(':')
                || token_user.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                errors.add(
                    "token_user",
                    "Give the user name to send with the token (for GitHub and GitLab any name works, such as git).",
                );
            }
            if self.token.chars().any(|c| c.is_control() || c.is_whitespace()) {
                errors.add("token", "A token has no spaces or control characters.");
            }
        }
        errors.into_result(|| Settings {
            name: name.to_owned(),
            url: url.to_owned(),
            auth,
            branch: branch.to_owned(),
            folder: folder.to_owned(),
            file_pattern: pattern.to_owned(),
            index_name: index_name.to_owned(),
            token_user: if auth == Auth::Token { token_user.to_owned() } else { String::new() },
            team_ids: self.team_ids.clone(),
            service_ids: self.service_ids.clone(),
            active: self.active,
        })
    }
}

/// How a repository at `url` is reached, or why it cannot be used. SSH (`ssh://git@host/x.git`
/// or `git@host:x.git`), HTTPS, and `file://`; not plain HTTP (the token would cross the network
/// in clear), not `git://` (no sign-in), and never git's `ext::` (it runs a command). A host or
/// user starting with `-` is refused: ssh would read it as an option.
pub fn repository_kind(url: &str) -> Result<Auth, &'static str> {
    const HOW: &str =
        "Give the repository's address for SSH (git@github.com:team/wiki.git or ssh://…) or HTTPS (https://…).";
    if url.is_empty() || url.len() > 2000 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(HOW);
    }
    let lower = url.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("https://") {
        let authority = rest.split('/').next().unwrap_or("");
        if authority.contains('@') {
            return Err(
                "Leave the user name and token out of the address: the token has its own field, where it is kept sealed.",
            );
        }
        return if host_ok(authority) && rest.len() > authority.len() + 1 { Ok(Auth::Token) } else { Err(HOW) };
    }
    if let Some(rest) = lower.strip_prefix("ssh://") {
        let authority = rest.split('/').next().unwrap_or("");
        let host = authority.rsplit('@').next().unwrap_or("");
        let user = authority.rsplit_once('@').map_or("", |(user, _)| user);
        return if host_ok(host) && !user.starts_with('-') && rest.len() > authority.len() + 1 {
            Ok(Auth::Ssh)
        } else {
            Err(HOW)
        };
    }
    if let Some(rest) = lower.strip_prefix("file://") {
        return if rest.starts_with('/') && !rest.split('/').any(|part| part == "..") {
            Ok(Auth::None)
        } else {
            Err(HOW)
        };
    }
    if lower.contains("://") || lower.starts_with("ext::") || lower.contains("::") {
        return Err("Only SSH and HTTPS repositories can be used (not http://, git:// or other transports).");
    }
    // The scp-like form: user@host:path, with the colon before any slash.
    match url.split_once(':') {
        Some((authority, path)) if !authority.contains('/') && !path.is_empty() => {
            let (user, host) = authority.rsplit_once('@').unwrap_or(("", authority));
            if host_ok(host) && !user.starts_with('-') { Ok(Auth::Ssh) } else { Err(HOW) }
        }
        _ => Err(HOW),
    }
}

fn host_ok(host: &str) -> bool {
    let name = host.split(':').next().unwrap_or("");
    !name.is_empty()
        && !host.starts_with('-')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'))
}

/// A branch git accepts, in the plain spelling: no `..`, no leading `-` or `/`, no `.lock`.
fn is_branch_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with(['-', '/', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

/// A path inside the working copy: relative, no `.` or `..` part, not into `.git`, no
/// characters a file system or a wiki would trip on.
fn is_relative_path(path: &str) -> bool {
    path.len() <= 300
        && path.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && !part.eq_ignore_ascii_case(".git")
                && !part.starts_with('-')
                && part.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ' | '{' | '}'))
        })
}

/// Why `pattern` cannot name postmortems' files, if it cannot.
fn check_pattern(pattern: &str) -> Result<(), String> {
    let known = PLACEHOLDERS.join(", ");
    if !pattern.ends_with(".md") || !is_relative_path(pattern) {
        return Err(format!("Give a file name pattern ending in .md, such as {DEFAULT_PATTERN}, from {known}."));
    }
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|close| open + close + 1).unwrap_or(rest.len());
        let placeholder = &rest[open..close];
        if !PLACEHOLDERS.contains(&placeholder) {
            return Err(format!("“{placeholder}” is not a placeholder; use {known}."));
        }
        rest = &rest[close..];
    }
    if !pattern.contains("{id}") && !pattern.contains("{slug}") {
        return Err("Include {slug} or {id}, so each postmortem has a file of its own.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_decides_how_to_sign_in() {
        for ssh in ["git@github.com:team/wiki.git", "ssh://git@gitlab.example.com:2222/ops/wiki.git", "host:repo"] {
            assert_eq!(repository_kind(ssh), Ok(Auth::Ssh), "{ssh}");
        }
        for https in ["https://github.com/team/repo.wiki.git", "https://gitlab.example.com:8443/x/y"] {
            assert_eq!(repository_kind(https), Ok(Auth::Token), "{https}");
        }
        assert_eq!(repository_kind("file:///srv/git/wiki.git"), Ok(Auth::None));
        for refused in [
            "",
            "http://github.com/x",
            "git://github.com/x",
            "ext::sh -c touch% /tmp/pwned",
            "fd::17",
            "https://user:token@github.com/x",
            "ssh://-oProxyCommand=evil/x",
            "-oProxyCommand=evil:x",
            "ssh://-u@host/x",
            "https://github.com",
            "/srv/git/wiki.git",
            "file://../etc",
            "file:///srv/../etc",
            "git@github.com:team/wiki.git\n",
            "git@git hub.com:x",
        ] {
            assert!(repository_kind(refused).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn forms_are_checked_field_by_field() {
        let form = DestinationForm {
            name: "Engineering wiki".into(),
            url: "git@github.com:team/wiki.git".into(),
            folder: "/postmortems/".into(),
            ..DestinationForm::blank()
        };
        let settings = form.checked(false).expect("valid");
        assert_eq!(
            (settings.auth, settings.folder.as_str(), settings.branch.as_str()),
            (Auth::Ssh, "postmortems", "main")
        );
        assert_eq!(settings.token_user, "", "only HTTPS keeps a token user");

        let file = DestinationForm { url: "file:///srv/wiki.git".into(), ..form.clone() };
        assert!(
            file.checked(false).expect_err("refused").get("url").expect("refused").contains("--wiki-allow-file-urls")
        );
        assert_eq!(file.checked(true).expect("allowed").auth, Auth::None);

        let bad = DestinationForm {
            name: " ".into(),
            branch: "-delete".into(),
            folder: "../etc".into(),
            file_pattern: "{date}.txt".into(),
            index_name: "sub/index.md".into(),
            ..form.clone()
        };
        let errors = bad.checked(false).expect_err("refused");
        for field in ["name", "branch", "folder", "file_pattern", "index_name"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        for (pattern, ok) in [
            ("{date}-{slug}.md", true),
            ("{year}/{month}/{id}.md", true),
            ("{date}.md", false),
            ("{title}.md", false),
            ("{slug.md", false),
            (".git/{slug}.md", false),
            ("a/../{slug}.md", false),
        ] {
            assert_eq!(check_pattern(pattern).is_ok(), ok, "{pattern}");
        }
        for (branch, ok) in [("main", true), ("wiki/pm", true), ("a..b", false), ("x.lock", false), ("a b", false)] {
            assert_eq!(is_branch_name(branch), ok, "{branch}");
        }
        let https = DestinationForm { url: "https://github.com/t/r.wiki.git".into(), token_user: "a:b".into(), ..form };
        assert!(https.checked(false).expect_err("refused").get("token_user").is_some());
    }
}
