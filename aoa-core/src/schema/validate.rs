//! Validation of JSON values against a schema, reporting every error with
//! the JSON pointer of the offending value.
//!
//! # JSON representation of Avro types
//!
//! | Avro type | accepted JSON |
//! |---|---|
//! | `null` | `null` |
//! | `boolean` | `true` / `false` |
//! | `int`, `long` | an integer number (never `3.0`, never `"3"`) within the int32 / int64 range |
//! | `float`, `double` | any number (integers included); `float` within ±3.4e38 |
//! | `bytes` | a string of chars U+0000..U+00FF, one per byte (ISO-8859-1) |
//! | `string` | a string |
//! | `enum` | one of its symbols as a string |
//! | `fixed` | an ISO-8859-1 string of exactly `size` chars |
//! | `array` | an array |
//! | `map` | an object |
//! | `record` | an object with only declared fields; fields without default are required |
//! | union | the plain value (not wrapped), which must match exactly one branch |
//! | `date` | integer days since 1970-01-01 (int range) |
//! | `time-millis` | integer milliseconds after midnight, `0..86400000` |
//! | `time-micros` | integer microseconds after midnight, `0..86400000000` |
//! | `timestamp-*`, `local-timestamp-*` | integer units since the epoch (long range) |
//! | `uuid` | a canonical UUID string `8-4-4-4-12` hex digits (on `string`, `bytes` or `fixed`) |
//! | `decimal` | a decimal string like `"-12.34"` with at most `scale` fractional digits and at most `precision - scale` integer digits (on `fixed`, the value must also fit in `size` bytes) |
//! | `duration` | as its `fixed` of 12 bytes |

use serde::Serialize;
use serde_json::{Number, Value};

use super::logical::{decimal_digits, decimal_to_bytes, is_latin1_of_size, uuid_to_bytes};
use super::model::{Arena, Kind, Logical, NodeId, label, short_label};
use super::parse::ParsedSchema;
use super::pointer::{Pointer, Step};
use crate::suggest::with_suggestion;

/// Deepest nesting of a value that is validated or encoded.
pub const MAX_VALUE_DEPTH: usize = 128;

/// What kind of rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationErrorKind {
    /// The JSON type does not match the schema type.
    WrongType,
    /// A number is outside the range of its type.
    OutOfRange,
    /// A floating-point number where an integer is required.
    NotIntegral,
    /// A record key that the schema does not declare.
    UnknownKey,
    /// A required record field is absent.
    MissingField,
    /// A string that is not one of the enum symbols.
    UnknownSymbol,
    /// A value that matches no union branch.
    NoUnionBranch,
    /// A value that matches several union branches.
    AmbiguousUnion,
    /// A fixed value of the wrong length.
    WrongSize,
    /// A string not in the format of its logical type.
    BadFormat,
    /// A value nested deeper than [`MAX_VALUE_DEPTH`].
    TooDeep,
}

/// One rule broken by a value.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("at `{path}`: {message}")]
pub struct ValidationError {
    /// JSON pointer to the offending value (`""` is the whole value).
    pub path: String,
    /// The rule broken.
    pub kind: ValidationErrorKind,
    /// The schema type expected there.
    pub expected: String,
    /// The JSON type found there (`missing` for an absent field).
    pub actual: String,
    /// What is wrong, for humans.
    pub message: String,
}

/// Validates `value` against `schema`, returning every error found.
pub fn validate(schema: &ParsedSchema, value: &Value) -> Vec<ValidationError> {
    let mut validator = Validator::collecting(&schema.arena);
    validator.check(schema.root(), value);
    validator.errors.unwrap_or_default()
}

/// Whether `value` is valid for `schema` (stops at the first error).
pub fn is_valid(schema: &ParsedSchema, value: &Value) -> bool {
    Validator::checking(&schema.arena).check(schema.root(), value)
}

/// Checks a field default; the error is the first problem, as one line.
pub(crate) fn check_default(arena: &Arena, id: NodeId, default: &Value) -> Result<(), String> {
    let mut validator = Validator::collecting(arena);
    if validator.check(id, default) {
        return Ok(());
    }
    let errors = validator.errors.unwrap_or_default();
    Err(errors
        .first()
        .map(|e| match e.path.as_str() {
            "" => e.message.clone(),
            path => format!("at `{path}`: {}", e.message),
        })
        .unwrap_or_default())
}

/// Index of the single union branch `value` matches.
pub(crate) fn select_branch(
    arena: &Arena,
    branches: &[NodeId],
    value: &Value,
) -> Result<usize, BranchMismatch> {
    let mut candidates = branches
        .iter()
        .enumerate()
        .filter(|(_, b)| accepts_kind(arena, **b, value));
    let Some((first, first_id)) = candidates.next() else {
        return Err(BranchMismatch::None);
    };
    let rest: Vec<_> = candidates.collect();
    if rest.is_empty() {
        return Ok(first);
    }
    let matched: Vec<usize> = std::iter::once((first, first_id))
        .chain(rest)
        .filter(|(_, b)| Validator::checking(arena).check(**b, value))
        .map(|(i, _)| i)
        .collect();
    match matched.as_slice() {
        [single] => Ok(*single),
        [] => Err(BranchMismatch::None),
        several => Err(BranchMismatch::Several(several.to_vec())),
    }
}

/// Why no single union branch was selected.
#[derive(Debug)]
pub(crate) enum BranchMismatch {
    /// No branch matches.
    None,
    /// These branches (by position) all match.
    Several(Vec<usize>),
}

/// Whether the JSON type of `value` can be a value of node `id`.
fn accepts_kind(arena: &Arena, id: NodeId, value: &Value) -> bool {
    match (&arena.node(id).kind, value) {
        (Kind::Null, Value::Null)
        | (Kind::Boolean, Value::Bool(_))
        | (Kind::Float | Kind::Double, Value::Number(_))
        | (Kind::Bytes | Kind::String | Kind::Enum(_) | Kind::Fixed(_), Value::String(_))
        | (Kind::Array(_), Value::Array(_))
        | (Kind::Map(_) | Kind::Record(_), Value::Object(_)) => true,
        (Kind::Int | Kind::Long, Value::Number(n)) => !n.is_f64(),
        (Kind::Union(branches), _) => branches.iter().any(|b| accepts_kind(arena, *b, value)),
        _ => false,
    }
}

/// JSON type name of a value for error messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A short rendering of a value for messages.
fn show(value: &Value) -> String {
    match value {
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
        scalar => {
            let text = scalar.to_string();
            let short: String = text.chars().take(40).collect();
            let ellipsis = if short.len() < text.len() { "..." } else { "" };
            format!("{} `{short}{ellipsis}`", json_type(scalar))
        }
    }
}

struct Validator<'s, 'v> {
    arena: &'s Arena,
    errors: Option<Vec<ValidationError>>,
    path: Pointer<'v>,
    depth: usize,
}

impl<'s, 'v> Validator<'s, 'v> {
    fn collecting(arena: &'s Arena) -> Self {
        Validator {
            arena,
            errors: Some(Vec::new()),
            path: Pointer::default(),
            depth: 0,
        }
    }

    fn checking(arena: &'s Arena) -> Self {
        Validator {
            arena,
            errors: None,
            path: Pointer::default(),
            depth: 0,
        }
    }

    /// Records an error at the current path (built only when collecting).
    fn fail(
        &mut self,
        id: NodeId,
        value: &Value,
        kind: ValidationErrorKind,
        message: impl FnOnce() -> String,
    ) -> bool {
        if let Some(errors) = &mut self.errors {
            errors.push(ValidationError {
                path: self.path.render(),
                kind,
                expected: label(self.arena, id),
                actual: json_type(value).to_string(),
                message: message(),
            });
        }
        false
    }

    fn wrong_type(&mut self, id: NodeId, value: &Value) -> bool {
        self.fail(id, value, ValidationErrorKind::WrongType, || {
            format!("expected {}, got {}", label(self.arena, id), show(value))
        })
    }

    fn check(&mut self, id: NodeId, value: &'v Value) -> bool {
        let node = self.arena.node(id);
        match (&node.kind, value) {
            (Kind::Null, Value::Null) | (Kind::Boolean, Value::Bool(_)) => true,
            (Kind::Int | Kind::Long, Value::Number(n)) => self.check_integer(id, value, n),
            (Kind::Float, Value::Number(n)) => {
                let fits = n.as_f64().is_some_and(|f| f.abs() <= f64::from(f32::MAX));
                fits || self.fail(id, value, ValidationErrorKind::OutOfRange, || {
                    format!("`{n}` is out of the float range")
                })
            }
            (Kind::Double, Value::Number(_)) => true,
            (Kind::String | Kind::Bytes, Value::String(s)) => self.check_string(id, value, s),
            (Kind::Enum(e), Value::String(s)) => {
                e.lookup.contains_key(s.as_str())
                    || self.fail(id, value, ValidationErrorKind::UnknownSymbol, || {
                        with_suggestion(
                            format!(
                                "`{s}` is not one of the symbols of enum `{}`: {}",
                                e.named.fullname,
                                e.symbols.join(", ")
                            ),
                            s,
                            e.symbols.iter().map(String::as_str),
                        )
                    })
            }
            (Kind::Fixed(f), Value::String(s)) => match node.logical {
                Some(Logical::Uuid | Logical::Decimal { .. }) => self.check_string(id, value, s),
                _ => {
                    is_latin1_of_size(s, f.size)
                        || self.fail(id, value, ValidationErrorKind::WrongSize, || {
                            format!(
                                "expected {} ISO-8859-1 chars for fixed `{}`, got {}",
                                f.size,
                                f.named.fullname,
                                s.chars().count()
                            )
                        })
                }
            },
            (Kind::Array(items), Value::Array(values)) => self.nested(value, |v| {
                let steps = values
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (Step::Index(i), item));
                v.check_members(*items, steps)
            }),
            (Kind::Map(values_id), Value::Object(map)) => self.nested(value, |v| {
                let steps = map.iter().map(|(key, item)| (Step::Key(key), item));
                v.check_members(*values_id, steps)
            }),
            (Kind::Record(_), Value::Object(_)) => {
                self.nested(value, |v| v.check_record(id, value))
            }
            (Kind::Union(branches), _) => self.check_union(id, branches, value),
            _ => self.wrong_type(id, value),
        }
    }

    fn collects(&self) -> bool {
        self.errors.is_some()
    }

    /// Checks array items or map values, all of node `id`.
    fn check_members(
        &mut self,
        id: NodeId,
        members: impl Iterator<Item = (Step<'v>, &'v Value)>,
    ) -> bool {
        let mut ok = true;
        for (step, member) in members {
            self.path.push(step);
            ok &= self.check(id, member);
            self.path.pop();
            if !ok && !self.collects() {
                return false;
            }
        }
        ok
    }

    /// Runs `f` one level deeper, failing past [`MAX_VALUE_DEPTH`].
    fn nested(&mut self, value: &Value, f: impl FnOnce(&mut Self) -> bool) -> bool {
        if self.depth >= MAX_VALUE_DEPTH {
            if let Some(errors) = &mut self.errors {
                errors.push(ValidationError {
                    path: self.path.render(),
                    kind: ValidationErrorKind::TooDeep,
                    expected: format!("at most {MAX_VALUE_DEPTH} levels"),
                    actual: json_type(value).to_string(),
                    message: format!("value is nested deeper than {MAX_VALUE_DEPTH} levels"),
                });
            }
            return false;
        }
        self.depth += 1;
        let ok = f(self);
        self.depth -= 1;
        ok
    }

    fn check_integer(&mut self, id: NodeId, value: &Value, n: &Number) -> bool {
        let Some(int) = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)) else {
            return self.fail(id, value, ValidationErrorKind::NotIntegral, || {
                format!(
                    "expected an integer for {}, got `{n}`",
                    label(self.arena, id)
                )
            });
        };
        let node = self.arena.node(id);
        let (min, max) = match (node.logical, &node.kind) {
            (Some(Logical::TimeMillis), _) => (0, 86_399_999),
            (Some(Logical::TimeMicros), _) => (0, 86_399_999_999),
            (_, Kind::Int) => (i128::from(i32::MIN), i128::from(i32::MAX)),
            _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
        };
        (min..=max).contains(&int)
            || self.fail(id, value, ValidationErrorKind::OutOfRange, || {
                format!(
                    "`{n}` is out of the {} range {min}..={max}",
                    label(self.arena, id)
                )
            })
    }

    /// Checks a string for `string`, `bytes` and string-shaped logical types.
    fn check_string(&mut self, id: NodeId, value: &Value, s: &str) -> bool {
        let node = self.arena.node(id);
        let problem = match (node.logical, &node.kind) {
            (Some(Logical::Uuid), _) => uuid_to_bytes(s).is_none().then(|| {
                format!("`{s}` is not a uuid like `123e4567-e89b-12d3-a456-426614174000`")
            }),
            (Some(Logical::Decimal { precision, scale }), Kind::Fixed(f)) => {
                match decimal_to_bytes(s, precision, scale) {
                    Err(message) => Some(message),
                    Ok(bytes) if bytes.len() > f.size => {
                        Some(format!("`{s}` does not fit in {} bytes", f.size))
                    }
                    Ok(_) => None,
                }
            }
            (Some(Logical::Decimal { precision, scale }), _) => {
                decimal_digits(s, precision, scale).err()
            }
            (_, Kind::Bytes) => s
                .chars()
                .any(|c| u32::from(c) > 0xff)
                .then(|| "bytes must be an ISO-8859-1 string (chars up to U+00FF)".to_string()),
            _ => None,
        };
        match problem {
            None => true,
            Some(message) => self.fail(id, value, ValidationErrorKind::BadFormat, || message),
        }
    }

    fn check_record(&mut self, id: NodeId, value: &'v Value) -> bool {
        let (Kind::Record(record), Value::Object(map)) = (&self.arena.node(id).kind, value) else {
            return self.wrong_type(id, value);
        };
        let mut ok = true;
        let mut present = 0;
        for (key, item) in map {
            self.path.push(Step::Key(key));
            match record.lookup.get(key.as_str()) {
                Some(position) => {
                    present += 1;
                    ok &= self.check(record.fields[*position].node, item);
                }
                None => {
                    ok = false;
                    if let Some(errors) = &mut self.errors {
                        errors.push(ValidationError {
                            path: self.path.render(),
                            kind: ValidationErrorKind::UnknownKey,
                            expected: format!("a field of record `{}`", record.named.fullname),
                            actual: json_type(item).to_string(),
                            message: with_suggestion(
                                format!(
                                    "unknown key `{key}` in record `{}`",
                                    record.named.fullname
                                ),
                                key,
                                record.fields.iter().map(|f| f.name.as_str()),
                            ),
                        });
                    }
                }
            }
            self.path.pop();
            if !ok && !self.collects() {
                return false;
            }
        }
        if present < record.fields.len() {
            for field in &record.fields {
                if field.default.is_none() && !map.contains_key(&field.name) {
                    ok = false;
                    if let Some(errors) = &mut self.errors {
                        errors.push(ValidationError {
                            path: self.path.render_child(&field.name),
                            kind: ValidationErrorKind::MissingField,
                            expected: label(self.arena, field.node),
                            actual: "missing".into(),
                            message: format!(
                                "missing required field `{}` of record `{}`",
                                field.name, record.named.fullname
                            ),
                        });
                    } else {
                        return false;
                    }
                }
            }
        }
        ok
    }

    fn check_union(&mut self, id: NodeId, branches: &[NodeId], value: &'v Value) -> bool {
        let candidates: Vec<NodeId> = branches
            .iter()
            .copied()
            .filter(|b| accepts_kind(self.arena, *b, value))
            .collect();
        if let [single] = candidates.as_slice() {
            // Only one branch has the right JSON type: report its own errors.
            return self.check(*single, value);
        }
        match select_branch(self.arena, branches, value) {
            Ok(_) => true,
            Err(BranchMismatch::None) => {
                self.fail(id, value, ValidationErrorKind::NoUnionBranch, || {
                    format!(
                        "{} matches no branch of {}",
                        show(value),
                        label(self.arena, id)
                    )
                })
            }
            Err(BranchMismatch::Several(matched)) => {
                self.fail(id, value, ValidationErrorKind::AmbiguousUnion, || {
                    let names: Vec<String> = matched
                        .iter()
                        .filter_map(|i| branches.get(*i))
                        .map(|b| short_label(self.arena, *b))
                        .collect();
                    format!(
                        "{} matches several branches of {}: {}",
                        show(value),
                        label(self.arena, id),
                        names.join(", ")
                    )
                })
            }
        }
    }
}
