//! Secret tokens: session cookies, API tokens and one-time reset links. Each is 32 random bytes
//! given out once; only its SHA-256 is stored, so the database alone cannot be used to sign in.

use sha2::{Digest as _, Sha256};

/// The secret half of a token, as given to its holder.
pub fn random_hex() -> Result<String, getrandom::Error> {
    random_hex_of::<32>()
}

/// `N` random bytes as hex.
pub fn random_hex_of<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What is stored and looked up. A plain hash suffices: the secret has 256 bits of entropy,
/// so unlike a password it cannot be guessed from its hash.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// API tokens carry a prefix, so a leaked one is recognisable in logs and by secret scanners.
pub const API_TOKEN_PREFIX: &str = "hst_";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_fixed_length() {
        let a = random_hex().expect("random");
        let b = random_hex().expect("random");
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(digest(&a).len(), 32);
        assert_eq!(digest(&a), digest(&a));
    }
}
