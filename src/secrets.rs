//! Secrets Hindsight must use again later (a wiki destination's deploy key or token), kept in
//! the database sealed with AES-256-GCM under the instance's secret key, so a copy of the
//! database (a backup, a dump handed to support) does not hand out write access to the wikis.
//!
//! The key comes from `HINDSIGHT_SECRET_KEY` (64 hex digits), else from `secret.key` in the data
//! folder, made on first use. Several instances on one database must share it: give each the
//! same `HINDSIGHT_SECRET_KEY`. A sealed value records which key sealed it (the key's id, a hash
//! that reveals nothing of it), so a value sealed under another key is refused with a message
//! saying so rather than as garbage.
//!
//! `ring` is already built for TLS (rustls); its AEAD is the one used here.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha2::{Digest as _, Sha256};

/// The file in the data folder that holds the key when the environment does not.
pub const KEY_FILE: &str = "secret.key";

/// Binds each sealed value to its purpose: one sealed for something else does not open here.
const PURPOSE: &[u8] = b"hindsight sealed secret v1";

/// A 256-bit key for sealing secrets. Its `Debug` shows only its id.
pub struct SecretKey {
    key: LessSafeKey,
    id: String,
}

/// Why a secret could not be sealed or opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "it was sealed with another secret key (id {sealed_with}; this instance's is {ours}): give this instance the same HINDSIGHT_SECRET_KEY as the one that saved it, or enter the secret again"
    )]
    OtherKey { sealed_with: String, ours: String },
    #[error("the sealed secret is damaged")]
    Damaged,
    #[error("no randomness from the operating system")]
    NoRandomness,
    #[error("{0}")]
    NoKey(String),
}

impl SecretKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<SecretKey, SecretError> {
        let digest = Sha256::new().chain_update(b"hindsight key id").chain_update(bytes).finalize();
        let id = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        // AES-256 takes any 32 bytes: this fails only for another length, which the type rules out.
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| SecretError::Damaged)?;
        Ok(SecretKey { key: LessSafeKey::new(key), id })
    }

    /// A new random key (for tests, and an instance that never keeps one).
    pub fn random() -> Result<SecretKey, SecretError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| SecretError::NoRandomness)?;
        SecretKey::from_bytes(bytes)
    }

    /// A key written as 64 hex digits (surrounding space ignored).
    pub fn from_hex(text: &str) -> Result<SecretKey, SecretError> {
        let text = text.trim();
        let wrong = || {
            SecretError::NoKey("a secret key is 64 hex digits (32 bytes): make one with `openssl rand -hex 32`".into())
        };
        if text.len() != 64 || !text.is_ascii() {
            return Err(wrong());
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| wrong())?;
        }
        SecretKey::from_bytes(bytes)
    }

    /// The key's id: the first bytes of a hash of it, to tell keys apart in messages.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `secret` sealed: a random nonce, then the ciphertext and its tag.
    pub fn seal(&self, secret: &[u8]) -> Result<Vec<u8>, SecretError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| SecretError::NoRandomness)?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + secret.len() + AES_256_GCM.tag_len());
        sealed.extend_from_slice(&nonce);
        let mut body = secret.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(PURPOSE), &mut body)
            .map_err(|_| SecretError::Damaged)?;
        sealed.extend_from_slice(&body);
        Ok(sealed)
    }

    /// The secret `sealed` holds, if this key (whose id must be `key_id`) sealed it.
    pub fn open(&self, sealed: &[u8], key_id: &str) -> Result<Vec<u8>, SecretError> {
        if key_id != self.id {
            return Err(SecretError::OtherKey { sealed_with: key_id.to_owned(), ours: self.id.clone() });
        }
        let (nonce, body) = sealed.split_at_checked(NONCE_LEN).ok_or(SecretError::Damaged)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Damaged)?;
        let mut body = body.to_vec();
        let plain = self.key.open_in_place(nonce, Aad::from(PURPOSE), &mut body).map_err(|_| SecretError::Damaged)?;
        Ok(plain.to_vec())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({})", self.id)
    }
}

/// Where the instance's key comes from, read the first time a secret is sealed or opened (so an
/// instance without wiki destinations never makes a key file).
pub struct Keyring {
    configured: Option<String>,
    data_dir: PathBuf,
    loaded: OnceLock<Result<Arc<SecretKey>, String>>,
}

impl Keyring {
    /// A keyring reading `configured` (`HINDSIGHT_SECRET_KEY`) if set, else `secret.key` in
    /// `data_dir`.
    pub fn new(configured: Option<String>, data_dir: &Path) -> Keyring {
        Keyring { configured, data_dir: data_dir.to_owned(), loaded: OnceLock::new() }
    }

    /// A keyring holding `key` (tests; several instances in one process).
    pub fn holding(key: SecretKey) -> Keyring {
        Keyring::sharing(Arc::new(key))
    }

    /// A keyring holding a key another keyring holds (two workers of one instance).
    pub fn sharing(key: Arc<SecretKey>) -> Keyring {
        let loaded = OnceLock::new();
        let _ = loaded.set(Ok(key));
        Keyring { configured: None, data_dir: PathBuf::new(), loaded }
    }

    /// The key, loaded or made on first use.
    pub fn key(&self) -> Result<Arc<SecretKey>, SecretError> {
        self.loaded.get_or_init(|| self.load().map(Arc::new)).clone().map_err(SecretError::NoKey)
    }

    fn load(&self) -> Result<SecretKey, String> {
        if let Some(configured) = &self.configured {
            return SecretKey::from_hex(configured).map_err(|e| format!("HINDSIGHT_SECRET_KEY: {e}"));
        }
        let path = self.data_dir.join(KEY_FILE);
        let failed = |e: &dyn fmt::Display| {
            format!("could not keep a secret key in {}: {e}; set HINDSIGHT_SECRET_KEY instead", path.display())
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => SecretKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = crate::auth::token::random_hex().map_err(|e| failed(&e))?;
                std::fs::create_dir_all(&self.data_dir).map_err(|e| failed(&e))?;
                write_new_private(&path, &key).map_err(|e| failed(&e))?;
                tracing::info!(path = %path.display(), "Made a secret key for sealing wiki credentials");
                // Another process may have written it first: read what won.
                let text = std::fs::read_to_string(&path).map_err(|e| failed(&e))?;
                SecretKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
            }
            Err(e) => Err(failed(&e)),
        }
    }
}

/// Writes `text` to a new file only its owner can read; an existing file is left alone.
fn write_new_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(mut file) => {
            file.write_all(format!("{text}\n").as_bytes())?;
            file.sync_all()
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let key = SecretKey::random().expect("key");
        let sealed = key.seal(b"-----BEGIN OPENSSH PRIVATE KEY-----").expect("seal");
        assert!(!sealed.windows(5).any(|w| w == b"BEGIN"), "the secret is not in the sealed bytes");
        assert_eq!(key.open(&sealed, key.id()).expect("open"), b"-----BEGIN OPENSSH PRIVATE KEY-----");
        // Two seals of one secret differ (a fresh nonce each).
        assert_ne!(key.seal(b"x").expect("seal"), key.seal(b"x").expect("seal"));

        let other = SecretKey::random().expect("key");
        assert!(matches!(other.open(&sealed, key.id()), Err(SecretError::OtherKey { .. })));
        // Claiming to be the other key's does not help: the tag fails.
        assert_eq!(other.open(&sealed, other.id()), Err(SecretError::Damaged));
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(key.open(&flipped, key.id()), Err(SecretError::Damaged));
        assert_eq!(key.open(&sealed[..5], key.id()), Err(SecretError::Damaged));
    }

    #[test]
    fn keys_read_from_hex_and_show_only_their_id() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let key = SecretKey::from_hex(&format!(" {hex}\n")).expect("hex");
        assert_eq!(key.id(), SecretKey::from_hex(hex).expect("hex").id());
        assert_eq!(key.id().len(), 12);
        assert!(!format!("{key:?}").contains("0011"));
        for wrong in ["", "00", &hex[..63], &format!("{hex}00"), &hex.replace('0', "g"), &"é".repeat(32)] {
            assert!(SecretKey::from_hex(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_key_file_is_made_once_private_and_then_reused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("hindsight-keyring-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Keyring::new(None, &dir.join("data")).key().expect("made");
        let path = dir.join("data").join(KEY_FILE);
        assert_eq!(std::fs::metadata(&path).expect("file").permissions().mode() & 0o777, 0o600);
        let again = Keyring::new(None, &dir.join("data")).key().expect("read");
        assert_eq!(first.id(), again.id());
        let configured = Keyring::new(Some("nonsense".into()), &dir.join("data")).key();
        assert!(matches!(configured, Err(SecretError::NoKey(message)) if message.contains("HINDSIGHT_SECRET_KEY")));
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
