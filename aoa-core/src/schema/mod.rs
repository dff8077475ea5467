//! The Avro schema hub: safe parsing of Avro schemas, validation of JSON
//! values with exact error paths, binary (single-object) and Avro JSON
//! encodings, reader/writer compatibility following the Avro Java
//! reference, a subject/version schema registry with Confluent
//! compatibility modes, fingerprints, and hierarchical parameter resolution.

mod compile;
mod hoist;
mod logical;
mod model;
mod pointer;
mod suggest;

pub mod compat;
pub mod fingerprint;
pub mod parse;
pub mod validate;

pub use compat::{CompatibilityReport, Incompatibility, IncompatibilityKind};
pub use fingerprint::{Fingerprints, crc64_avro, fingerprints};
pub use parse::{ParsedSchema, SchemaError, parse_list, parse_values};
pub use validate::{ValidationError, ValidationErrorKind, is_valid, validate};
