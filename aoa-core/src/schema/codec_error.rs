//! Errors of the binary and Avro JSON encoders and decoders.

/// Why a value could not be encoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeError {
    /// The value does not fit the schema at `path`.
    #[error("cannot encode the value at `{path}`: {message}")]
    InvalidValue {
        /// JSON pointer to the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Why data could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// The binary data ends before the value does.
    #[error("data ends early at byte {offset}")]
    Truncated {
        /// Where more data was needed.
        offset: usize,
    },
    /// The binary data is not a value of the schema.
    #[error("malformed data at byte {offset}: {message}")]
    Malformed {
        /// Where the problem was found.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// Bytes remain after the value.
    #[error("{count} bytes left over after the value")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The single-object marker `c3 01` is missing.
    #[error("missing single-object marker `c3 01`")]
    BadMarker,
    /// The single-object fingerprint is not the schema's.
    #[error("schema fingerprint `{found}` does not match `{expected}`")]
    FingerprintMismatch {
        /// The schema's CRC-64-AVRO fingerprint as hex.
        expected: String,
        /// The fingerprint in the data as hex.
        found: String,
    },
    /// The Avro JSON does not match the schema at `path`.
    #[error("invalid avro json at `{path}`: {message}")]
    InvalidJson {
        /// JSON pointer to the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
}
