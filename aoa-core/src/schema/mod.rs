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

pub mod avro_json;
pub mod binary;
pub mod check_subject;
pub mod codec_error;
pub mod compat;
pub mod defaults;
pub mod explain;
pub mod fingerprint;
pub mod parse;
pub mod registry;
pub mod resolve;
pub mod validate;

pub use codec_error::{DecodeError, EncodeError};
pub use compat::{CompatibilityReport, Incompatibility, IncompatibilityKind};
pub use defaults::{fill_in_place, validate_with_defaults, with_defaults};
pub use explain::ExplainRow;
pub use fingerprint::{Fingerprints, crc64_avro, crc64_hex, fingerprints};
pub use parse::{ParsedSchema, SchemaError, parse_list, parse_values};
pub use registry::{CheckReport, CompatibilityMode, Registry, RegistryError};
pub use resolve::{AppParams, ParamTree, ResolveError, ResolvedParams, Resolver};
pub use validate::{ValidationError, ValidationErrorKind, is_valid, validate};
