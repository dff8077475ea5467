//! Hoisting of named type definitions.
//!
//! `apache_avro::Schema::parse_list` only finds named types defined at the
//! top level of one of its inputs; a type defined inside another schema is
//! found or not depending on the order in which the inputs are parsed. We
//! therefore move every named definition (record, error, enum, fixed) to the
//! top level first, with its full name spelled out, and leave a reference to
//! that full name in its place. The parser then sees only top-level named
//! definitions, which it resolves in any order.

use rustc_hash::FxHashSet;
use serde_json::{Map, Value};

use super::parse::SchemaError;

/// Schemas with their named definitions moved out.
#[derive(Debug)]
pub(crate) struct Hoisted {
    /// The input schemas, each with nested definitions replaced by names.
    pub roots: Vec<Value>,
    /// Every named definition found, in discovery order, each naming its
    /// full name in `name` and without `namespace`.
    pub definitions: Vec<Value>,
}

/// Moves every named definition out of `schemas`.
pub(crate) fn hoist(schemas: &[Value]) -> Result<Hoisted, SchemaError> {
    let mut hoister = Hoister::default();
    let mut roots = Vec::with_capacity(schemas.len());
    for schema in schemas {
        roots.push(hoister.walk(schema, None)?);
    }
    Ok(Hoisted {
        roots,
        definitions: hoister.definitions,
    })
}

#[derive(Default)]
struct Hoister {
    definitions: Vec<Value>,
    defined: FxHashSet<String>,
}

impl Hoister {
    fn walk(&mut self, schema: &Value, namespace: Option<&str>) -> Result<Value, SchemaError> {
        match schema {
            Value::Array(branches) => branches
                .iter()
                .map(|b| self.walk(b, namespace))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(object) => self.walk_object(object, namespace),
            other => Ok(other.clone()),
        }
    }

    fn walk_object(
        &mut self,
        object: &Map<String, Value>,
        namespace: Option<&str>,
    ) -> Result<Value, SchemaError> {
        let mut out = object.clone();
        match object.get("type") {
            Some(Value::String(kind)) => match kind.as_str() {
                "record" | "error" | "enum" | "fixed" => {
                    if let Some(Value::String(name)) = object.get("name") {
                        return self.define(out, name, namespace);
                    }
                }
                "array" => self.walk_member(&mut out, "items", namespace)?,
                "map" => self.walk_member(&mut out, "values", namespace)?,
                _ => {}
            },
            Some(Value::Object(_) | Value::Array(_)) => {
                self.walk_member(&mut out, "type", namespace)?;
            }
            _ => {}
        }
        Ok(Value::Object(out))
    }

    fn walk_member(
        &mut self,
        object: &mut Map<String, Value>,
        key: &str,
        namespace: Option<&str>,
    ) -> Result<(), SchemaError> {
        if let Some(member) = object.get(key) {
            let walked = self.walk(member, namespace)?;
            object.insert(key.to_string(), walked);
        }
        Ok(())
    }

    /// Records the definition `object` named `name` and returns a reference
    /// to its full name.
    fn define(
        &mut self,
        mut object: Map<String, Value>,
        name: &str,
        enclosing: Option<&str>,
    ) -> Result<Value, SchemaError> {
        let fullname = full_name(name, object.get("namespace"), enclosing);
        if !self.defined.insert(fullname.clone()) {
            return Err(SchemaError::DuplicateName { name: fullname });
        }
        let own_namespace = fullname.rsplit_once('.').map(|(ns, _)| ns.to_string());
        if let Some(Value::Array(fields)) = object.get_mut("fields") {
            for field in fields.iter_mut() {
                if let Value::Object(field) = field {
                    self.walk_member(field, "type", own_namespace.as_deref())?;
                }
            }
        }
        object.remove("namespace");
        object.insert("name".into(), Value::String(fullname.clone()));
        self.definitions.push(Value::Object(object));
        Ok(Value::String(fullname))
    }
}

/// Full name of a named type per the Avro rules: a dotted name is already
/// full; otherwise the explicit namespace, else the enclosing one, applies.
fn full_name(name: &str, namespace: Option<&Value>, enclosing: Option<&str>) -> String {
    if name.contains('.') {
        return name.to_string();
    }
    let namespace = match namespace {
        Some(Value::String(ns)) => Some(ns.as_str()),
        _ => enclosing,
    };
    match namespace {
        Some(ns) if !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}
