//! Random secrets and how they are kept and compared: API tokens, desk session cookies, CSRF
//! tokens. Only a secret's SHA-256 is stored; comparisons take time that depends only on the
//! length.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the operating system, as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    hex::encode(buffer)
}

/// What is stored of a secret.
pub fn sha256(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Compares two byte strings in time that depends only on their length.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_compared_whole() {
        let (a, b) = (random_hex(32), random_hex(32));
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(constant_time_eq(&sha256(&a), &sha256(&a)));
        assert!(!constant_time_eq(&sha256(&a), &sha256(&b)));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
