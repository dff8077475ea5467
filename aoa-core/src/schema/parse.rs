//! Safe parsing of Avro schemas from untrusted JSON.
//!
//! Parsing goes through `apache_avro` (guarded by a depth limit and by
//! `catch_unwind` as a last resort), after hoisting nested named
//! definitions to the top level (see the private `hoist` module) so that lists of
//! schemas referencing each other parse identically in any order. The
//! result is compiled into an arena where references point at their
//! definitions, and every field default is checked against its type.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;

use crate::diagnostic::excerpt;

use super::compile::compile;
use super::fingerprint::{canonical_form, crc64_avro};
use super::hoist::hoist;
use super::model::{Arena, Kind, NodeId};
use super::validate::check_default;

/// Deepest JSON nesting accepted in a schema.
pub const MAX_SCHEMA_DEPTH: usize = 128;

/// Why a schema could not be parsed.
///
/// The messages quote at most a short, escaped excerpt of each piece of the schema text they are about
/// ([`crate::diagnostic::excerpt`]), so that a file that is not a schema is not echoed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchemaError {
    /// The text is not JSON.
    #[error("schema is not valid json: {}", excerpt(message))]
    Json {
        /// What the JSON parser reported.
        message: String,
    },
    /// The schema nests deeper than [`MAX_SCHEMA_DEPTH`].
    #[error("schema is nested deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The Avro parser rejected the schema.
    #[error("invalid schema: {}", excerpt(message))]
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// Two definitions share one full name.
    #[error("named type `{}` is defined more than once", excerpt(name))]
    DuplicateName {
        /// The full name.
        name: String,
    },
    /// A reference names no known type.
    #[error("unknown type `{}`", excerpt(name))]
    UnknownReference {
        /// The full name referenced.
        name: String,
    },
    /// A construct this crate does not support.
    #[error("logical type `{}` is not supported", excerpt(what))]
    Unsupported {
        /// The construct.
        what: String,
    },
    /// A field default does not match the field type.
    #[error(
        "default of field `{}` in record `{}` is invalid: {}",
        excerpt(field),
        excerpt(record),
        excerpt(message)
    )]
    InvalidDefault {
        /// Full name of the record.
        record: String,
        /// Field name.
        field: String,
        /// What is wrong with the default.
        message: String,
    },
    /// The underlying parser panicked; the schema is rejected.
    #[error("the schema parser failed unexpectedly on this schema")]
    ParserPanicked,
}

/// A parsed, compiled Avro schema.
#[derive(Debug, Clone)]
pub struct ParsedSchema {
    pub(crate) arena: Arena,
    avro: apache_avro::Schema,
    canonical: String,
    crc64: u64,
    /// Whether some record field has a default (else filling defaults is a no-op).
    pub(crate) has_defaults: bool,
}

impl PartialEq for ParsedSchema {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl ParsedSchema {
    /// Parses one self-contained schema from JSON text.
    pub fn parse_str(text: &str) -> Result<Self, SchemaError> {
        Self::parse_json(&json_of(text)?)
    }

    /// Parses one self-contained schema from a JSON value.
    pub fn parse_json(schema: &Value) -> Result<Self, SchemaError> {
        let mut parsed = parse_values(std::slice::from_ref(schema))?;
        parsed.pop().ok_or(SchemaError::Invalid {
            message: "no schema given".into(),
        })
    }

    /// The schema as parsed by `apache_avro`, with references to named types
    /// defined elsewhere in a list inlined.
    pub fn avro(&self) -> &apache_avro::Schema {
        &self.avro
    }

    /// The Parsing Canonical Form, with named references inlined at their
    /// first use.
    pub fn canonical_form(&self) -> &str {
        &self.canonical
    }

    /// The CRC-64-AVRO (Rabin) fingerprint of the canonical form.
    pub fn crc64(&self) -> u64 {
        self.crc64
    }

    /// Whether the schema is a record declaring a top-level field `name`.
    pub fn declares_field(&self, name: &str) -> bool {
        match &self.arena.node(self.arena.root).kind {
            Kind::Record(record) => record.lookup.contains_key(name),
            _ => false,
        }
    }

    /// Whether the top level of the schema is a record.
    pub fn is_record(&self) -> bool {
        matches!(self.arena.node(self.arena.root).kind, Kind::Record(_))
    }

    /// Index of the root node.
    pub(crate) fn root(&self) -> NodeId {
        self.arena.root
    }
}

/// Parses a list of schemas that may reference each other's named types;
/// the result is the same whatever the order of `texts`, and each returned
/// schema is self-contained.
pub fn parse_list(texts: &[&str]) -> Result<Vec<ParsedSchema>, SchemaError> {
    let values = texts
        .iter()
        .map(|t| json_of(t))
        .collect::<Result<Vec<_>, _>>()?;
    parse_values(&values)
}

fn json_of(text: &str) -> Result<Value, SchemaError> {
    serde_json::from_str(text).map_err(|e| SchemaError::Json {
        message: tidy(&e.to_string()),
    })
}

/// Parses JSON schemas that may reference each other's named types.
pub fn parse_values(schemas: &[Value]) -> Result<Vec<ParsedSchema>, SchemaError> {
    for schema in schemas {
        if deeper_than(schema, MAX_SCHEMA_DEPTH) {
            return Err(SchemaError::TooDeep {
                limit: MAX_SCHEMA_DEPTH,
            });
        }
    }
    let hoisted = hoist(schemas)?;
    let definitions: Vec<String> = hoisted.definitions.iter().map(Value::to_string).collect();
    hoisted
        .roots
        .iter()
        .map(|root| {
            let root = root.to_string();
            let (avro, schemata) = guarded(|| {
                let (mut avro, schemata) =
                    apache_avro::Schema::parse_str_with_list(&root, &definitions)?;
                if let apache_avro::Schema::Ref { name } = &avro
                    && let Some(definition) = schemata.iter().find(|s| s.name() == Some(name))
                {
                    avro = definition.clone();
                }
                avro.denormalize(&schemata)?;
                Ok((avro, schemata))
            })?;
            let arena = compile(&avro, &schemata)?;
            check_defaults(&arena)?;
            let canonical = canonical_form(&arena);
            let crc64 = crc64_avro(canonical.as_bytes());
            let has_defaults = arena.nodes.iter().any(|node| {
                matches!(&node.kind, Kind::Record(r) if r.fields.iter().any(|f| f.default.is_some()))
            });
            Ok(ParsedSchema {
                arena,
                avro,
                canonical,
                crc64,
                has_defaults,
            })
        })
        .collect()
}

/// Runs the `apache_avro` parser, turning its errors and panics into ours.
fn guarded<T>(parse: impl FnOnce() -> Result<T, apache_avro::Error>) -> Result<T, SchemaError> {
    match catch_unwind(AssertUnwindSafe(parse)) {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(e)) => Err(SchemaError::Invalid {
            message: tidy(&e.to_string()),
        }),
        Err(_) => Err(SchemaError::ParserPanicked),
    }
}

fn check_defaults(arena: &Arena) -> Result<(), SchemaError> {
    for node in &arena.nodes {
        if let Kind::Record(record) = &node.kind {
            for field in &record.fields {
                if let Some(default) = &field.default
                    && let Err(message) = check_default(arena, field.node, default)
                {
                    return Err(SchemaError::InvalidDefault {
                        record: record.named.fullname.clone(),
                        field: field.name.clone(),
                        message,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Whether `value` nests deeper than `limit`; recursion stops at the limit.
pub(crate) fn deeper_than(value: &Value, limit: usize) -> bool {
    if limit == 0 {
        return matches!(value, Value::Array(_) | Value::Object(_));
    }
    match value {
        Value::Array(items) => items.iter().any(|v| deeper_than(v, limit - 1)),
        Value::Object(map) => map.values().any(|v| deeper_than(v, limit - 1)),
        _ => false,
    }
}

/// Makes a foreign error message follow our style: one line, lowercase
/// first letter, no final period.
pub(crate) fn tidy(message: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = one_line.trim_end_matches('.');
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
