//! Secrets and tokens are never stored: the store keeps `HMAC-SHA-256(store key, value)` instead, keyed by a
//! random 32-byte key created with the registry.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The length of a store key.
pub const KEY_BYTES: usize = 32;

/// A fresh random store key.
///
/// # Errors
/// When the operating system has no randomness to give (a `store` error naming `store`).
pub fn new_key(store: &str) -> aoa_core::Result<Vec<u8>> {
    let mut key = vec![0u8; KEY_BYTES];
    getrandom::fill(&mut key)
        .map_err(|e| crate::backend::store_error(store, format!("no randomness: {e}")))?;
    Ok(key)
}

/// `hmac-sha256:` and the lowercase hex HMAC-SHA-256 of `value` under `key`: what an audit event or a table
/// holds in place of a secret value or a token.
pub fn hmac_secret(key: &[u8], value: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(value);
    format!("hmac-sha256:{}", hex(&mac.finalize().into_bytes()))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_test_case_2() {
        assert_eq!(
            hmac_secret(b"Jefe", b"what do ya want for nothing?"),
            "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let key = new_key("t").unwrap();
        assert_eq!(key.len(), KEY_BYTES);
        assert_ne!(
            hmac_secret(&key, b"s3cret"),
            hmac_secret(&new_key("t").unwrap(), b"s3cret")
        );
        assert!(!hmac_secret(&key, b"s3cret").contains("s3cret"));
    }
}
