//! Filling in schema defaults for absent record fields.

use serde_json::Value;

use super::model::{Arena, Kind, NodeId};
use super::parse::ParsedSchema;
use super::validate::{MAX_VALUE_DEPTH, ValidationError, select_branch, validate};

/// `value` with every absent record field that has a default filled in,
/// at any depth (values that do not fit the schema are left as they are).
pub fn with_defaults(schema: &ParsedSchema, value: &Value) -> Value {
    let mut filled = value.clone();
    fill_in_place(schema, &mut filled);
    filled
}

/// Fills in defaults like [`with_defaults`], in place.
pub fn fill_in_place(schema: &ParsedSchema, value: &mut Value) {
    if schema.has_defaults {
        fill(&schema.arena, schema.root(), value, 0);
    }
}

/// Validates `value` and returns it with defaults filled in, or every
/// validation error.
pub fn validate_with_defaults(
    schema: &ParsedSchema,
    value: &Value,
) -> Result<Value, Vec<ValidationError>> {
    let errors = validate(schema, value);
    if errors.is_empty() {
        Ok(with_defaults(schema, value))
    } else {
        Err(errors)
    }
}

fn fill(arena: &Arena, id: NodeId, value: &mut Value, depth: usize) {
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    match (&arena.node(id).kind, value) {
        (Kind::Record(record), Value::Object(map)) => {
            for field in &record.fields {
                if !map.contains_key(&field.name)
                    && let Some(default) = &field.default
                {
                    map.insert(field.name.clone(), default.clone());
                }
                if let Some(item) = map.get_mut(&field.name) {
                    fill(arena, field.node, item, depth + 1);
                }
            }
        }
        (Kind::Array(items), Value::Array(values)) => {
            for item in values {
                fill(arena, *items, item, depth + 1);
            }
        }
        (Kind::Map(values_id), Value::Object(map)) => {
            for item in map.values_mut() {
                fill(arena, *values_id, item, depth + 1);
            }
        }
        (Kind::Union(branches), value) => {
            if let Ok(index) = select_branch(arena, branches, value) {
                fill(arena, branches[index], value, depth + 1);
            }
        }
        _ => {}
    }
}
