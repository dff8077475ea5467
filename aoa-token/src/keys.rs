//! Signing keys as private JWKs (Ed25519 for `EdDSA`, the default; P-256 for `ES256`), their public JWK set,
//! and key generation.

use crate::error::KeyError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The DER prefix of a PKCS#8 Ed25519 private key (RFC 8410), followed by the 32-byte seed.
const ED25519_PKCS8: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// The DER prefix of a PKCS#8 P-256 private key without its public part (RFC 5915 in RFC 5208), followed by
/// the 32-byte scalar.
const P256_PKCS8: [u8; 35] = [
    0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01,
    0x01, 0x04, 0x20,
];

/// A private signing key as a JWK (RFC 7517/8037): what `aoa token keygen` writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateJwk {
    /// `OKP` (Ed25519) or `EC` (P-256).
    pub kty: String,
    /// `Ed25519` or `P-256`.
    pub crv: String,
    /// The public key (Ed25519) or its x coordinate (P-256), base64url.
    pub x: String,
    /// The y coordinate (P-256 only), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// The private key, base64url.
    pub d: String,
    /// The key id, put in every token's header.
    pub kid: String,
    /// The one algorithm this key signs with (`EdDSA` or `ES256`).
    pub alg: String,
}

/// A key aoa signs with: its private JWK and the ready key.
#[derive(Clone)]
pub struct SigningKey {
    jwk: PrivateJwk,
    alg: Algorithm,
    key: EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({} {})", self.jwk.alg, self.jwk.kid)
    }
}

impl SigningKey {
    /// A new random key (`EdDSA` or `ES256`) with key id `kid` (default: a thumbprint-like prefix of `x`).
    ///
    /// # Errors
    /// [`KeyError::Invalid`] for another algorithm, [`KeyError::Random`] if the OS has no randomness.
    pub fn generate(alg: &str, kid: Option<&str>) -> Result<SigningKey, KeyError> {
        let mut d = [0u8; 32];
        getrandom::fill(&mut d).map_err(|e| KeyError::Random(e.to_string()))?;
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let (kty, crv, x, y) = match alg {
            "EdDSA" => {
                let public = ed25519_dalek::SigningKey::from_bytes(&d).verifying_key();
                ("OKP", "Ed25519", b64(public.as_bytes()), None)
            }
            "ES256" => {
                let secret = p256::SecretKey::from_slice(&d)
                    .map_err(|_| KeyError::Invalid("random scalar out of range; retry".into()))?;
                let point = secret.public_key().to_sec1_bytes();
                if point.len() != 65 {
                    return Err(KeyError::Invalid("unexpected P-256 point encoding".into()));
                }
                ("EC", "P-256", b64(&point[1..33]), Some(b64(&point[33..])))
            }
            other => {
                return Err(KeyError::Invalid(format!(
                    "algorithm `{other}` is not supported; use EdDSA or ES256"
                )));
            }
        };
        let kid = kid.map_or_else(|| format!("aoa-{}", &x[..12]), str::to_string);
        SigningKey::from_jwk(PrivateJwk {
            kty: kty.into(),
            crv: crv.into(),
            x,
            y,
            d: b64(&d),
            kid,
            alg: alg.into(),
        })
    }

    /// The key of a private JWK.
    ///
    /// # Errors
    /// [`KeyError::Invalid`] when it is not an Ed25519 (`EdDSA`) or P-256 (`ES256`) private key.
    pub fn from_jwk(jwk: PrivateJwk) -> Result<SigningKey, KeyError> {
        let d = URL_SAFE_NO_PAD
            .decode(&jwk.d)
            .map_err(|e| KeyError::Invalid(format!("`d` is not base64url: {e}")))?;
        if d.len() != 32 {
            return Err(KeyError::Invalid("`d` must be 32 bytes".into()));
        }
        let (alg, prefix): (Algorithm, &[u8]) = match (
            jwk.kty.as_str(),
            jwk.crv.as_str(),
            jwk.alg.as_str(),
        ) {
            ("OKP", "Ed25519", "EdDSA") => (Algorithm::EdDSA, &ED25519_PKCS8),
            ("EC", "P-256", "ES256") => (Algorithm::ES256, &P256_PKCS8),
            (kty, crv, alg) => {
                return Err(KeyError::Invalid(format!(
                    "a `{kty}` `{crv}` key for `{alg}` is not supported; use OKP Ed25519 EdDSA or EC P-256 ES256"
                )));
            }
        };
        let der = [prefix, &d].concat();
        let key = match alg {
            Algorithm::EdDSA => EncodingKey::from_ed_der(&der),
            _ => EncodingKey::from_ec_der(&der),
        };
        Ok(SigningKey { jwk, alg, key })
    }

    /// The key of a private JWK's JSON text.
    ///
    /// # Errors
    /// [`KeyError::Invalid`] when the text is not such a JWK.
    pub fn from_json(text: &str) -> Result<SigningKey, KeyError> {
        let jwk = serde_json::from_str(text).map_err(|e| KeyError::Invalid(e.to_string()))?;
        SigningKey::from_jwk(jwk)
    }

    /// The private JWK (to write to a key file).
    pub fn private_jwk(&self) -> &PrivateJwk {
        &self.jwk
    }

    /// The public JWK: no `d`, with `use: sig` and the key's one `alg`.
    pub fn public_jwk(&self) -> Value {
        let mut jwk = json!({
            "kty": self.jwk.kty, "crv": self.jwk.crv, "x": self.jwk.x,
            "kid": self.jwk.kid, "alg": self.jwk.alg, "use": "sig",
        });
        if let Some(y) = &self.jwk.y {
            jwk["y"] = json!(y);
        }
        jwk
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.jwk.kid
    }

    /// The key to sign with.
    pub fn encoding_key(&self) -> &EncodingKey {
        &self.key
    }
}

/// The public JWK set of signing keys (`GET /.well-known/jwks.json`).
pub fn jwks(keys: &[&SigningKey]) -> Value {
    json!({"keys": keys.iter().map(|k| k.public_jwk()).collect::<Vec<_>>()})
}

/// A fresh token id: 16 random bytes, base64url.
///
/// # Errors
/// [`KeyError::Random`] if the OS has no randomness.
pub fn new_jti() -> Result<String, KeyError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}
