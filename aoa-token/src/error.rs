//! Key problems (a refused exchange is [`aoa_core::access::Refusal`]).

/// A key file or key set that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file is not a private JWK aoa can sign with.
    #[error("invalid signing key: {0}")]
    Invalid(String),
    /// The operating system's random source failed.
    #[error("no randomness: {0}")]
    Random(String),
}
