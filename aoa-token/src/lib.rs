//! aoa-token: RFC 8693 token exchange for aoa. A parent's subject token (a JWT from a trusted issuer) is
//! exchanged for a child app's short-lived, down-scoped, audience-bound RFC 9068 access token.
//!
//! Every decision is a pure function of its inputs (time and token id passed in): subject-token verification
//! ([`verify_subject`]: `typ`, one algorithm per key, signature, `iss`, `aud`, `exp`, `nbf`) and the scope rule
//! `requested ∩ granted on the child ∩ held by the subject token` ([`aoa_core::access::Access::exchange`], in
//! the core so every language reaches it through `dispatch`). This crate adds the keys (Ed25519 `EdDSA` by
//! default, P-256 `ES256`), signing with `jsonwebtoken` (its pure-Rust `rust_crypto` backend) and the audit
//! record of each exchange.

mod config;
mod error;
mod exchange;
mod keys;
mod verify;

pub use config::{load_issuer, load_key};
pub use error::KeyError;
pub use exchange::{
    ACCESS_TOKEN_TYPE, ExchangeRecord, Exchanger, GRANT_TYPE, Issued, JWT_TOKEN_TYPE, sign,
};
pub use keys::{PrivateJwk, SigningKey, jwks, new_jti};
pub use verify::{Subject, Trust, TrustedIssuer, check_claims, verify_assertion, verify_subject};

pub use jsonwebtoken::jwk::JwkSet;
