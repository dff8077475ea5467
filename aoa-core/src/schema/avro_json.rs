//! The Avro specification's JSON encoding, to and from our JSON
//! representation (see [`mod@super::validate`]).
//!
//! In Avro JSON a union value other than `null` is wrapped as
//! `{"<type name>": value}` (full name for named types, type name for the
//! others, the underlying type for logical types), `bytes` and `fixed` are
//! ISO-8859-1 strings of the raw bytes (so `decimal` and `uuid` on
//! `bytes`/`fixed` appear as their raw bytes), and every record field is
//! present (missing fields take their schema default when encoding).

use serde_json::{Map, Value};

use super::binary::{bytes_to_string, integer_for, string_to_bytes};
use super::codec_error::{DecodeError, EncodeError};
use super::logical::{latin1_from_bytes, latin1_to_bytes};
use super::model::{Arena, Kind, NodeId, label};
use super::parse::ParsedSchema;
use super::pointer::escape;
use super::validate::{MAX_VALUE_DEPTH, json_type, select_branch};

/// Converts a value to the Avro JSON encoding.
pub fn to_avro_json(schema: &ParsedSchema, value: &Value) -> Result<Value, EncodeError> {
    let mut walker = Walker::new(&schema.arena, Direction::Encode);
    walker
        .convert(schema.root(), value)
        .map_err(|(path, message)| EncodeError::InvalidValue { path, message })
}

/// Converts an Avro JSON encoded value back to our JSON representation.
pub fn from_avro_json(schema: &ParsedSchema, avro_json: &Value) -> Result<Value, DecodeError> {
    let mut walker = Walker::new(&schema.arena, Direction::Decode);
    walker
        .convert(schema.root(), avro_json)
        .map_err(|(path, message)| DecodeError::InvalidJson { path, message })
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Encode,
    Decode,
}

/// A conversion failure: JSON pointer and message.
type Failure = (String, String);

struct Walker<'s> {
    arena: &'s Arena,
    direction: Direction,
    path: Vec<String>,
}

impl<'s> Walker<'s> {
    fn new(arena: &'s Arena, direction: Direction) -> Self {
        Walker {
            arena,
            direction,
            path: Vec::new(),
        }
    }

    fn fail(&self, message: String) -> Failure {
        let path = self
            .path
            .iter()
            .map(|t| format!("/{}", escape(t)))
            .collect();
        (path, message)
    }

    fn mismatch(&self, id: NodeId, value: &Value) -> Failure {
        self.fail(format!(
            "expected {}, got {}",
            label(self.arena, id),
            json_type(value)
        ))
    }

    fn under(&mut self, token: String, id: NodeId, value: &Value) -> Result<Value, Failure> {
        if self.path.len() >= MAX_VALUE_DEPTH {
            return Err(self.fail(format!(
                "value is nested deeper than {MAX_VALUE_DEPTH} levels"
            )));
        }
        self.path.push(token);
        let converted = self.convert(id, value)?;
        self.path.pop();
        Ok(converted)
    }

    fn convert(&mut self, id: NodeId, value: &Value) -> Result<Value, Failure> {
        let arena = self.arena;
        let node = arena.node(id);
        match (&node.kind, value) {
            (Kind::Null, Value::Null)
            | (Kind::Boolean, Value::Bool(_))
            | (Kind::Float | Kind::Double, Value::Number(_))
            | (Kind::String, Value::String(_)) => Ok(value.clone()),
            (kind @ (Kind::Int | Kind::Long), Value::Number(n)) => integer_for(kind, n)
                .map(Value::from)
                .ok_or_else(|| self.mismatch(id, value)),
            (Kind::Enum(e), Value::String(s)) if e.lookup.contains_key(s.as_str()) => {
                Ok(value.clone())
            }
            (Kind::Bytes | Kind::Fixed(_), Value::String(s)) => self.bytes(id, s),
            (Kind::Array(items), Value::Array(values)) => values
                .iter()
                .enumerate()
                .map(|(i, item)| self.under(i.to_string(), *items, item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            (Kind::Map(values_id), Value::Object(map)) => map
                .iter()
                .map(|(k, item)| Ok((k.clone(), self.under(k.clone(), *values_id, item)?)))
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object),
            (Kind::Record(record), Value::Object(map)) => {
                let mut out = Map::new();
                for field in &record.fields {
                    let item = match (map.get(&field.name), &field.default, self.direction) {
                        (Some(item), _, _) => self.under(field.name.clone(), field.node, item)?,
                        (None, Some(default), Direction::Encode) => {
                            self.under(field.name.clone(), field.node, default)?
                        }
                        _ => {
                            return Err(
                                self.fail(format!("missing required field `{}`", field.name))
                            );
                        }
                    };
                    out.insert(field.name.clone(), item);
                }
                if let Some(unknown) = map.keys().find(|k| !record.lookup.contains_key(k.as_str()))
                {
                    return Err(self.fail(format!("unknown key `{unknown}`")));
                }
                Ok(Value::Object(out))
            }
            (Kind::Union(branches), _) => self.union(id, branches, value),
            _ => Err(self.mismatch(id, value)),
        }
    }

    fn bytes(&self, id: NodeId, s: &str) -> Result<Value, Failure> {
        let converted = match self.direction {
            Direction::Encode => string_to_bytes(self.arena, id, s).map(|b| latin1_from_bytes(&b)),
            Direction::Decode => match (latin1_to_bytes(s), &self.arena.node(id).kind) {
                (None, _) => Err("bytes must be an ISO-8859-1 string".to_string()),
                (Some(bytes), Kind::Fixed(f)) if bytes.len() != f.size => Err(format!(
                    "expected {} bytes for fixed `{}`, got {}",
                    f.size,
                    f.named.fullname,
                    bytes.len()
                )),
                (Some(bytes), _) => bytes_to_string(self.arena, id, &bytes),
            },
        };
        converted.map(Value::String).map_err(|m| self.fail(m))
    }

    fn union(&mut self, id: NodeId, branches: &[NodeId], value: &Value) -> Result<Value, Failure> {
        let arena = self.arena;
        if value.is_null() {
            return match branches
                .iter()
                .find(|b| matches!(arena.node(**b).kind, Kind::Null))
            {
                Some(_) => Ok(Value::Null),
                None => Err(self.mismatch(id, value)),
            };
        }
        match self.direction {
            Direction::Encode => {
                let index = select_branch(arena, branches, value).map_err(|_| {
                    self.fail(format!(
                        "value matches no single branch of {}",
                        label(arena, id)
                    ))
                })?;
                let branch = branches[index];
                let converted = self.convert(branch, value)?;
                let mut wrapped = Map::new();
                wrapped.insert(arena.node(branch).kind.type_name().to_string(), converted);
                Ok(Value::Object(wrapped))
            }
            Direction::Decode => {
                let (name, inner) = match value {
                    Value::Object(map) if map.len() == 1 => map.iter().next(),
                    _ => None,
                }
                .ok_or_else(|| {
                    self.fail(format!(
                        "a union value must be `null` or an object with one type name key, got {}",
                        json_type(value)
                    ))
                })?;
                let branch = branches
                    .iter()
                    .find(|b| arena.node(**b).kind.type_name() == name)
                    .ok_or_else(|| {
                        self.fail(format!("`{name}` is not a branch of {}", label(arena, id)))
                    })?;
                self.under(name.clone(), *branch, inner)
            }
        }
    }
}
