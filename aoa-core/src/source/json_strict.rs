//! JSON read so that it means what YAML means: a key repeated in one object is an error naming both
//! places (serde_json keeps the last one silently), and an integer beyond 64 bits is an error (serde_json
//! turns it into a float silently). Nesting stays bounded by serde_json's recursion limit (128).

use super::Locator;
use super::escape_pointer_token;
use crate::diagnostic::Diagnostic;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::{Cell, RefCell};
use std::fmt;

/// 2^63 as a float: an integral float at least this large may be an integer literal serde_json could
/// not hold in 64 bits (the text decides, see [`big_integer`]).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// Parses `text` into a value, rejecting repeated keys and integers beyond 64 bits with a `json-syntax`
/// diagnostic placed in `origin` (the repeated key's message names where the key first appeared).
pub(crate) fn strict_json(
    text: &str,
    origin: &str,
    locator: &Locator,
) -> Result<Value, Diagnostic> {
    match parse(text, false) {
        Err(Failure::Suspicious) => match big_integer(text) {
            Some(offset) => {
                let (line, column) = line_column(text, offset);
                let end = text[offset..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                    .map_or(text.len(), |n| offset + n);
                Err(syntax(
                    origin,
                    line,
                    column,
                    format!(
                        "integer `{}` does not fit in 64 bits",
                        shorten(&text[offset..end])
                    ),
                )
                .with_hint("integers are exact up to 64 bits (as in YAML); write a string to keep more digits"))
            }
            None => parse(text, true).map_err(|f| f.into_diagnostic(origin, locator)),
        },
        other => other.map_err(|f| f.into_diagnostic(origin, locator)),
    }
}

/// A section value for the fast path: `Err` on a repeated key or a possible integer beyond 64 bits, so
/// that the caller falls back to [`strict_json`], which places the problem.
#[derive(Debug)]
pub(crate) struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let ctx = Ctx::new(false);
        Seed(&ctx).deserialize(deserializer).map(StrictValue)
    }
}

enum Failure {
    Syntax(serde_json::Error),
    Duplicate {
        pointer: String,
        key: String,
        error: serde_json::Error,
    },
    Suspicious,
}

impl Failure {
    fn into_diagnostic(self, origin: &str, locator: &Locator) -> Diagnostic {
        match self {
            Failure::Syntax(e) => syntax_error(origin, &e),
            Failure::Duplicate {
                pointer,
                key,
                error,
            } => {
                let first = locator
                    .locate(&format!("{pointer}/{}", escape_pointer_token(&key)))
                    .map_or_else(String::new, |(line, column)| {
                        format!(" (first at line {line}, column {column})")
                    });
                // serde_json stops on the key's closing quote; point at its opening one.
                syntax(
                    origin,
                    error.line(),
                    error.column().saturating_sub(key.chars().count() + 1),
                    format!("duplicate key `{}` in a mapping{first}", shorten(&key)),
                )
                .with_hint(
                    "each key may appear once in a mapping; remove or merge the repeated one",
                )
            }
            Failure::Suspicious => syntax(origin, 1, 1, "a number could not be read".into()),
        }
    }
}

/// The `json-syntax` diagnostic of a serde_json error, at its line and (1-based) column.
pub(crate) fn syntax_error(origin: &str, e: &serde_json::Error) -> Diagnostic {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    syntax(origin, e.line(), e.column(), message)
}

fn syntax(origin: &str, line: usize, column: usize, message: String) -> Diagnostic {
    let mut d = Diagnostic::new("json-syntax", format!("invalid JSON: {message}"))
        .with_hint("fix the JSON syntax at this position");
    d.file = Some(origin.to_string());
    d.line = Some(line.max(1));
    d.column = Some(column.max(1));
    d
}

fn parse(text: &str, allow_big_floats: bool) -> Result<Value, Failure> {
    let ctx = Ctx::new(allow_big_floats);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Seed(&ctx)
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|error| {
        if let Some((pointer, key)) = ctx.duplicate.take() {
            Failure::Duplicate {
                pointer,
                key,
                error,
            }
        } else if ctx.suspicious.get() {
            Failure::Suspicious
        } else {
            Failure::Syntax(error)
        }
    })
}

/// What the visitor knows besides the value: the path to the node being read (materialized only when a
/// key repeats), and what went wrong.
struct Ctx {
    path: RefCell<Vec<String>>,
    duplicate: RefCell<Option<(String, String)>>,
    suspicious: Cell<bool>,
    allow_big_floats: bool,
}

impl Ctx {
    fn new(allow_big_floats: bool) -> Self {
        Ctx {
            path: RefCell::new(Vec::new()),
            duplicate: RefCell::new(None),
            suspicious: Cell::new(false),
            allow_big_floats,
        }
    }
}

#[derive(Clone, Copy)]
struct Seed<'c>(&'c Ctx);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        if !self.0.allow_big_floats && v.fract() == 0.0 && v.abs() >= TWO_POW_63 {
            self.0.suspicious.set(true);
            return Err(E::custom("an integer beyond 64 bits, or a large float"));
        }
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number out of range"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.0.path.borrow_mut().push(items.len().to_string());
            let item = seq.next_element_seed(self);
            self.0.path.borrow_mut().pop();
            match item? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if entries.contains_key(&key) {
                let pointer: String = self
                    .0
                    .path
                    .borrow()
                    .iter()
                    .map(|t| format!("/{}", escape_pointer_token(t)))
                    .collect();
                *self.0.duplicate.borrow_mut() = Some((pointer, key));
                return Err(de::Error::custom("duplicate key"));
            }
            self.0.path.borrow_mut().push(key.clone());
            let value = map.next_value_seed(self);
            self.0.path.borrow_mut().pop();
            entries.insert(key, value?);
        }
        Ok(Value::Object(entries))
    }
}

/// The byte offset of the first integer literal of `text` (outside strings) that fits neither `i64` nor
/// `u64`.
fn big_integer(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &text[start..i];
                let integral = !token.contains(['.', 'e', 'E']);
                if integral && token.parse::<i64>().is_err() && token.parse::<u64>().is_err() {
                    return Some(start);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// At most 80 characters of `s` for a message.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Diagnostic {
        strict_json(text, "m.json", &Locator::json(text.to_string())).unwrap_err()
    }

    #[test]
    fn repeated_keys_name_both_places() {
        let d = err("{\"apps\": [{\"name\": \"a\",\n \"parent\": \"x\",\n \"parent\": \"y\"}]}");
        assert_eq!(d.code, "json-syntax");
        assert_eq!(d.line, Some(3));
        assert!(
            d.message
                .contains("duplicate key `parent` in a mapping (first at line 2, column 12)"),
            "{}",
            d.message
        );
    }

    #[test]
    fn integers_beyond_64_bits_are_errors_and_large_floats_are_not() {
        let d = err("{\"a\": [1,\n  18446744073709551616]}");
        assert_eq!((d.line, d.column), (Some(2), Some(3)));
        assert!(
            d.message.contains("`18446744073709551616`"),
            "{}",
            d.message
        );
        assert!(
            err("{\"a\": -9223372036854775809}")
                .message
                .contains("64 bits")
        );
        let ok = |t: &str| strict_json(t, "m", &Locator::None).unwrap();
        assert_eq!(ok("{\"a\": 18446744073709551615}")["a"], u64::MAX);
        assert_eq!(
            ok("{\"a\": 1e19, \"b\": \"99999999999999999999\"}")["a"],
            1e19
        );
    }

    #[test]
    fn syntax_errors_keep_their_position_and_a_column_of_at_least_one() {
        let d = err("{\"a\": ");
        assert_eq!(d.line, Some(1));
        assert!(d.column.unwrap() >= 1);
        assert!(!d.message.contains(" at line "), "{}", d.message);
    }
}
