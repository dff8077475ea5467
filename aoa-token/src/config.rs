//! Reading a token service's configuration from files: the signing key and the trusted issuers' key sets.

use crate::error::KeyError;
use crate::keys::SigningKey;
use crate::verify::TrustedIssuer;
use jsonwebtoken::jwk::JwkSet;
use std::path::Path;

/// The largest key or key-set file read.
const MAX_KEY_FILE: u64 = 1 << 20;

fn read(path: &Path) -> Result<String, KeyError> {
    let size = std::fs::metadata(path)
        .map_err(|e| KeyError::Invalid(format!("{}: {e}", path.display())))?
        .len();
    if size > MAX_KEY_FILE {
        return Err(KeyError::Invalid(format!(
            "{}: larger than {MAX_KEY_FILE} bytes",
            path.display()
        )));
    }
    std::fs::read_to_string(path).map_err(|e| KeyError::Invalid(format!("{}: {e}", path.display())))
}

/// The signing key in a private-JWK file (as `aoa token keygen` writes it).
///
/// # Errors
/// [`KeyError::Invalid`] naming the file.
pub fn load_key(path: &Path) -> Result<SigningKey, KeyError> {
    SigningKey::from_json(&read(path)?)
        .map_err(|e| KeyError::Invalid(format!("{}: {e}", path.display())))
}

/// A trusted issuer from `ISSUER=JWKS_FILE` (the JWKS its tokens are signed with; each key with `kid` and `alg`).
///
/// # Errors
/// [`KeyError::Invalid`] when the text has no `=`, the file cannot be read or is not a JWKS.
pub fn load_issuer(spec: &str) -> Result<TrustedIssuer, KeyError> {
    let (issuer, file) = spec
        .rsplit_once('=')
        .ok_or_else(|| KeyError::Invalid(format!("`{spec}`: write ISSUER=JWKS_FILE")))?;
    let keys: JwkSet = serde_json::from_str(&read(Path::new(file))?)
        .map_err(|e| KeyError::Invalid(format!("{file}: not a JWK set: {e}")))?;
    Ok(TrustedIssuer {
        issuer: issuer.to_string(),
        keys,
    })
}
