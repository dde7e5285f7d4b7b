//! Passwords: what is accepted, and hashing with Argon2id off the async runtime.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

use crate::domain::input::FieldErrors;

/// Shortest password accepted, in characters. Length is what makes a password hard to guess;
/// there are no rules about digits or symbols (NIST SP 800-63B).
pub const MIN_LENGTH: usize = 12;

/// Longest password accepted, in characters: far beyond any passphrase, small enough that
/// hashing cannot be made expensive.
pub const MAX_LENGTH: usize = 1000;

const COMMON: &str = include_str!("common_passwords.txt");

/// Checks a new password typed twice: a refusal goes to `password`, a mismatch to
/// `password_confirm`, as every form that sets a password names its fields.
pub fn check_new_pair(errors: &mut FieldErrors, password: &str, confirm: &str, email: &str, name: &str) {
    if let Err(message) = check_new(password, email, name) {
        errors.add("password", message);
    } else if password != confirm {
        errors.add("password_confirm", "The two passwords differ. Type the same password twice.");
    }
}

/// Says why a new password is refused, in words for the form. `email` and `name` are the
/// person's own, which a password must not simply repeat.
pub fn check_new(password: &str, email: &str, name: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("Use at least {MIN_LENGTH} characters; a few words together make a good password."));
    }
    if length > MAX_LENGTH {
        return Err(format!("Use at most {MAX_LENGTH} characters."));
    }
    let lower = password.to_lowercase();
    if is_common(&lower) {
        return Err("This password is on the list of the most common passwords. Choose another.".to_owned());
    }
    if is_monotonous(&lower) {
        return Err("This password is a repeated or sequential run of characters. Choose another.".to_owned());
    }
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    let name = name.trim().to_lowercase();
    let personal = [email.to_lowercase(), local_part, name];
    if personal.iter().any(|own| own.chars().count() >= 3 && stem(&lower) == own.as_str()) {
        return Err("This password is just your email address or name. Choose another.".to_owned());
    }
    Ok(())
}

/// One of the common passwords, possibly followed by digits and symbols only.
fn is_common(lower: &str) -> bool {
    let stem = stem(lower);
    COMMON
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|common| common == lower || common == stem)
}

/// The password without trailing digits and symbols ("summer2024!" → "summer").
fn stem(lower: &str) -> &str {
    lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace())
}

/// One character repeated, or a run that climbs or falls one step at a time ("abcdefghijkl",
/// "987654321098"), allowing for a wrap from 9 to 0.
fn is_monotonous(lower: &str) -> bool {
    let chars: Vec<u32> = lower.chars().map(u32::from).collect();
    let steps: Vec<i64> = chars.windows(2).map(|w| i64::from(w[1]) - i64::from(w[0])).collect();
    let same = |step: i64| steps.iter().all(|&s| s == step || (step == 1 && s == -9) || (step == -1 && s == 9));
    same(0) || same(1) || same(-1)
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes, as OWASP
/// recommends) and a random salt. Runs on the blocking pool: a hash takes tens of milliseconds
/// of CPU, which must not stall other requests.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await.map_err(|_| PasswordError)?
}

fn hash_now(password: &str) -> Result<String, PasswordError> {
    Argon2::default().hash_password(password.as_bytes()).map(|hash| hash.to_string()).map_err(|_| PasswordError)
}

/// Whether `password` matches `stored`. With no stored hash (no such person, or no password
/// set) it still does the work of one check against a stand-in hash, so the answer takes as
/// long as for a wrong password and does not reveal which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let Some(stand_in) = stand_in_hash() else { return false };
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| stand_in.to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else { return false };
        let matches = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        known && matches
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, made once, with the same parameters as real ones.
fn stand_in_hash() -> Option<&'static str> {
    static STAND_IN: OnceLock<Option<String>> = OnceLock::new();
    STAND_IN.get_or_init(|| super::token::random_hex().ok().and_then(|secret| hash_now(&secret).ok())).as_deref()
}

/// Hashing failed: the system's random source is unavailable. Nothing more useful to say.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct PasswordError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        assert!(check_new("short", "a@b.c", "").is_err());
        assert!(check_new("Password1234!", "a@b.c", "").is_err(), "common stem with digits");
        assert!(check_new("qwertyuiop123", "a@b.c", "").is_err());
        assert!(check_new("aaaaaaaaaaaaaa", "a@b.c", "").is_err());
        assert!(check_new("abcdefghijklmn", "a@b.c", "").is_err());
        assert!(check_new("123456789012", "a@b.c", "").is_err());
        assert!(check_new("alexandra.smith", "alexandra.smith@example.com", "").is_err());
        assert!(check_new("Alexandra Smith 2024", "as@example.com", "Alexandra Smith").is_err());
        assert!(check_new(&"x1".repeat(600), "a@b.c", "").is_err(), "too long");
    }

    #[test]
    fn long_uncommon_passwords_are_accepted() {
        assert_eq!(check_new("correct horse battery", "a@b.c", ""), Ok(()));
        assert_eq!(check_new("pager duty at 3am again", "a@b.c", "Ann"), Ok(()));
        assert_eq!(check_new("日本語のパスワードです長い", "a@b.c", ""), Ok(()));
    }

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id() {
        let stored = hash("correct horse battery".to_owned()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("correct horse battery".to_owned(), Some(stored.clone())).await);
        assert!(!verify("correct horse batterY".to_owned(), Some(stored)).await);
        assert!(!verify("anything at all".to_owned(), None).await, "no stored hash never matches");
    }
}
