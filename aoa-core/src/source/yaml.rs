//! YAML to `serde_json::Value`, recording the position of every node by JSON pointer.
//!
//! Scalars follow the YAML 1.2 core schema: plain `null`/`~`/empty are null, `true`/`false` are booleans,
//! decimal, `0o` and `0x` integers are integers (exact, up to 64 bits), other numbers are floats, and
//! everything quoted (or tagged `!!str`) is a string. `1000000` stays an integer; `"3"` stays a string.

use super::escape_pointer_token;
use crate::diagnostic::Diagnostic;
use rustc_hash::FxHashMap;
use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

/// Positions of nodes by JSON pointer: 1-based (line, column).
pub(super) type Positions = FxHashMap<String, (usize, usize)>;

/// The deepest nesting of mappings and sequences a YAML document may have (aliases included), as for JSON
/// (serde_json's limit): every later walk over a value may then recurse without overflowing the stack.
pub const MAX_YAML_DEPTH: usize = 128;

/// What aliases may add to a document, in bytes of the values they copy (16 per node plus its text): at
/// least this much, or 10 times the size of the text, whichever is larger. A "billion laughs" of a few
/// hundred bytes stops here instead of taking gigabytes.
pub const MIN_ALIAS_EXPANSION_BYTES: usize = 64 << 20;

/// The cost of one node, in the units of [`MIN_ALIAS_EXPANSION_BYTES`].
const NODE_BYTES: usize = 16;

/// The size (bytes, see [`MIN_ALIAS_EXPANSION_BYTES`]) and height of a finished value.
#[derive(Clone, Copy, Default)]
struct Measure {
    bytes: usize,
    height: usize,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        pointer: String,
        anchor: usize,
    },
    Map {
        entries: Map<String, Value>,
        pointer: String,
        anchor: usize,
        key: Option<String>,
    },
}

/// Parses one YAML document into a JSON value and the positions of its nodes.
///
/// Errors are syntax diagnostics with the line and column where parsing stopped.
pub(crate) fn parse_yaml(text: &str, origin: &str) -> Result<(Value, Positions), Diagnostic> {
    let mut documents = parse_stream(text, origin, false, usize::MAX)?;
    Ok(documents.pop().map_or_else(
        || (Value::Null, Positions::default()),
        |d| (d.value, d.positions),
    ))
}

/// One document of a multi-document YAML stream.
#[derive(Debug, Clone)]
pub struct YamlDocument {
    /// The document as JSON.
    pub value: Value,
    /// Positions of its nodes by JSON pointer: 1-based (line, column).
    pub positions: FxHashMap<String, (usize, usize)>,
    /// The 1-based line where the document's content starts.
    pub line: usize,
}

/// Parses every document of a YAML stream (`---` separated), skipping empty (null) ones.
///
/// # Errors
/// A syntax diagnostic with the line and column where parsing stopped.
pub fn parse_yaml_documents(text: &str, origin: &str) -> Result<Vec<YamlDocument>, Diagnostic> {
    parse_stream(text, origin, true, usize::MAX)
}

/// [`parse_yaml_documents`] recording positions only down to `depth` (0: each document's root; 2:
/// `/data/KEY`): much less work for large repositories whose findings need only a document's line.
///
/// # Errors
/// As [`parse_yaml_documents`].
pub fn parse_yaml_documents_to_depth(
    text: &str,
    origin: &str,
    depth: usize,
) -> Result<Vec<YamlDocument>, Diagnostic> {
    parse_stream(text, origin, true, depth)
}

fn parse_stream(
    text: &str,
    origin: &str,
    many: bool,
    depth: usize,
) -> Result<Vec<YamlDocument>, Diagnostic> {
    let mut builder = Builder {
        depth,
        origin,
        stack: Vec::new(),
        measures: Vec::new(),
        anchors: FxHashMap::default(),
        positions: Positions::default(),
        root: None,
        alias_budget: MIN_ALIAS_EXPANSION_BYTES.max(text.len().saturating_mul(10)),
    };
    let mut documents = Vec::new();
    let mut started = 0;
    let mut line = 1;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let m = e.marker();
            syntax(origin, m.line(), m.col() + 1, e.info())
        })?;
        match event {
            Event::DocumentStart(_) => {
                started += 1;
                line = span.start.line();
                if started > 1 && !many {
                    return Err(syntax(
                        origin,
                        span.start.line(),
                        span.start.col() + 1,
                        "more than one YAML document in one file",
                    )
                    .with_hint("put each document in its own file of the manifest directory"));
                }
            }
            Event::DocumentEnd => {
                if let Some(value) = builder.root.take().filter(|v| !v.is_null()) {
                    let positions = std::mem::take(&mut builder.positions);
                    let first = positions.get("").map_or(line, |&(l, _)| l);
                    documents.push(YamlDocument {
                        value,
                        positions,
                        line: first,
                    });
                }
                builder.anchors.clear();
            }
            Event::Scalar(value, style, anchor, tag) => {
                let measure = Measure {
                    bytes: NODE_BYTES + value.len(),
                    height: 1,
                };
                let value = scalar(&value, style, tag.as_deref()).map_err(|message| {
                    syntax(origin, span.start.line(), span.start.col() + 1, &message)
                })?;
                builder.node(value, anchor, span, measure)?;
            }
            Event::Alias(anchor) => {
                let at = |message: &str| {
                    syntax(origin, span.start.line(), span.start.col() + 1, message)
                };
                let (value, measure) = builder
                    .anchors
                    .get(&anchor)
                    .cloned()
                    .ok_or_else(|| at("alias to an unknown anchor"))?;
                if builder.stack.len() + measure.height > MAX_YAML_DEPTH {
                    return Err(at(&format!(
                        "this alias nests the document deeper than {MAX_YAML_DEPTH} levels"
                    ))
                    .with_hint("flatten the anchored value or the place it is used"));
                }
                builder.alias_budget = builder
                    .alias_budget
                    .checked_sub(measure.bytes)
                    .ok_or_else(|| {
                        at("aliases expand the document past its limit (10 times its size, at least 64 MiB)")
                            .with_hint("aliases copy their anchored value: repeat less, or write the values out")
                    })?;
                builder.node(value, 0, span, measure)?;
            }
            Event::SequenceStart(..) | Event::MappingStart(..)
                if builder.stack.len() >= MAX_YAML_DEPTH =>
            {
                return Err(syntax(
                    origin,
                    span.start.line(),
                    span.start.col() + 1,
                    &format!("the document nests deeper than {MAX_YAML_DEPTH} levels"),
                )
                .with_hint(
                    "flatten the structure; aoa reads at most 128 levels of mappings and lists",
                ));
            }
            Event::SequenceStart(anchor, _) => {
                let pointer = builder.child_pointer(span)?;
                builder.measures.push(Measure::default());
                builder.stack.push(Frame::Seq {
                    items: Vec::new(),
                    pointer,
                    anchor,
                });
            }
            Event::MappingStart(anchor, _) => {
                let pointer = builder.child_pointer(span)?;
                builder.measures.push(Measure::default());
                builder.stack.push(Frame::Map {
                    entries: Map::new(),
                    pointer,
                    anchor,
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor) = match builder.stack.pop() {
                    Some(Frame::Seq { items, anchor, .. }) => (Value::Array(items), anchor),
                    Some(Frame::Map {
                        entries, anchor, ..
                    }) => (Value::Object(entries), anchor),
                    None => continue,
                };
                let inner = builder.measures.pop().unwrap_or_default();
                let measure = Measure {
                    bytes: NODE_BYTES + inner.bytes,
                    height: inner.height + 1,
                };
                builder.finish(value, anchor, measure)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
    if let Some(value) = builder.root.take().filter(|v| !v.is_null()) {
        let positions = std::mem::take(&mut builder.positions);
        documents.push(YamlDocument {
            value,
            positions,
            line,
        });
    }
    Ok(documents)
}

struct Builder<'a> {
    /// Positions are recorded for nodes at most this deep.
    depth: usize,
    origin: &'a str,
    stack: Vec<Frame>,
    /// The size and height so far of each open frame's children, side by side with `stack`.
    measures: Vec<Measure>,
    anchors: FxHashMap<usize, (Value, Measure)>,
    positions: Positions,
    root: Option<Value>,
    /// What aliases may still add, in bytes (see [`MIN_ALIAS_EXPANSION_BYTES`]).
    alias_budget: usize,
}

impl Builder<'_> {
    /// The pointer of a node that starts now (a value, not a mapping key), recording its position.
    /// Returns an error if the node would be a mapping key that is not a scalar.
    fn child_pointer(&mut self, span: Span) -> Result<String, Diagnostic> {
        if self.stack.len() > self.depth {
            return match self.stack.last() {
                Some(Frame::Map { key: None, .. }) => Err(syntax(
                    self.origin,
                    span.start.line(),
                    span.start.col() + 1,
                    "a mapping key must be a plain string",
                )),
                _ => Ok(String::new()),
            };
        }
        let pointer = match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq { items, pointer, .. }) => format!("{pointer}/{}", items.len()),
            Some(Frame::Map {
                key: Some(key),
                pointer,
                ..
            }) => {
                format!("{pointer}/{}", escape_pointer_token(key))
            }
            Some(Frame::Map { key: None, .. }) => {
                return Err(syntax(
                    self.origin,
                    span.start.line(),
                    span.start.col() + 1,
                    "a mapping key must be a plain string",
                ));
            }
        };
        self.positions
            .insert(pointer.clone(), (span.start.line(), span.start.col() + 1));
        Ok(pointer)
    }

    /// A scalar or alias node.
    fn node(
        &mut self,
        value: Value,
        anchor: usize,
        span: Span,
        measure: Measure,
    ) -> Result<(), Diagnostic> {
        if let Some(Frame::Map {
            key: key @ None,
            entries,
            pointer,
            ..
        }) = self.stack.last_mut()
        {
            let name = match value {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(syntax(
                        self.origin,
                        span.start.line(),
                        span.start.col() + 1,
                        "a mapping key must be a plain string",
                    ));
                }
            };
            if entries.contains_key(&name) {
                let first = self
                    .positions
                    .get(&format!("{pointer}/{}", escape_pointer_token(&name)))
                    .map_or_else(String::new, |(line, column)| {
                        format!(" (first at line {line}, column {column})")
                    });
                return Err(syntax(
                    self.origin,
                    span.start.line(),
                    span.start.col() + 1,
                    &format!("duplicate key `{name}` in a mapping{first}"),
                )
                .with_hint(
                    "each key may appear once in a mapping; remove or merge the repeated one",
                ));
            }
            *key = Some(name);
            return Ok(());
        }
        self.child_pointer(span)?;
        self.finish(value, anchor, measure)
    }

    /// Attaches a finished node to its parent.
    fn finish(&mut self, value: Value, anchor: usize, measure: Measure) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), measure));
        }
        if let Some(parent) = self.measures.last_mut() {
            parent.bytes = parent.bytes.saturating_add(measure.bytes);
            parent.height = parent.height.max(measure.height);
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { entries, key, .. }) => {
                if let Some(k) = key.take() {
                    entries.insert(k, value);
                }
            }
        }
        Ok(())
    }
}

fn syntax(origin: &str, line: usize, column: usize, message: &str) -> Diagnostic {
    let mut d = Diagnostic::new("yaml-syntax", format!("invalid YAML: {message}"))
        .with_hint("fix the YAML syntax at this position");
    d.file = Some(origin.to_string());
    d.line = Some(line);
    d.column = Some(column);
    d
}

/// Resolves one scalar by the YAML 1.2 core schema.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let is_str_tag = tag.is_some_and(|t| t.suffix == "str" || t.suffix == "tag:yaml.org,2002:str");
    if style != ScalarStyle::Plain || is_str_tag {
        return Ok(Value::String(text.to_string()));
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN"
        | ".NAN" => {
            return Err(format!(
                "`{text}` has no JSON representation; quote it to use it as a string"
            ));
        }
        _ => {}
    }
    if let Some(n) = integer(text) {
        return n.map(Value::Number);
    }
    if is_float(text) {
        return text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("number `{text}` is out of range"));
    }
    Ok(Value::String(text.to_string()))
}

/// `None` if `text` is not an integer; `Some(Err)` if it is one that does not fit 64 bits.
fn integer(text: &str) -> Option<Result<Number, String>> {
    let too_large =
        || format!("integer `{text}` does not fit in 64 bits; quote it to keep it as a string");
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(d) = digits.strip_prefix("0x").filter(|_| !negative) {
        (16, d)
    } else if let Some(d) = digits.strip_prefix("0o").filter(|_| !negative) {
        (8, d)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = match u64::from_str_radix(digits, radix) {
        Ok(m) => m,
        Err(_) => return Some(Err(too_large())),
    };
    Some(if negative {
        0i64.checked_sub_unsigned(magnitude)
            .map(Number::from)
            .ok_or_else(too_large)
    } else {
        Ok(Number::from(magnitude))
    })
}

/// The core schema's float pattern: `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`.
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        None => !int_part.is_empty() && digits(int_part),
        Some(f) => digits(int_part) && digits(f) && !(int_part.is_empty() && f.is_empty()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn core_schema_scalars_keep_exact_types() {
        let (v, _) = parse_yaml(
            "a: 1000000\nb: '3'\nc: 9007199254740993\nd: 1.5\ne: ~\nf: true\ng: 0x10\nh: -7\ni: 1e3\nj: text\nk: 18446744073709551615\n",
            "t.yaml",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": 1000000, "b": "3", "c": 9007199254740993u64, "d": 1.5, "e": null, "f": true,
                   "g": 16, "h": -7, "i": 1000.0, "j": "text", "k": 18446744073709551615u64})
        );
        assert!(v["a"].is_i64() || v["a"].is_u64());
        assert_eq!(v["a"].to_string(), "1000000");
    }

    #[test]
    fn records_positions_by_pointer() {
        let text = "apps:\n  - name: a\n    depends_on: [b, c]\n  - name: b\n";
        let (_, pos) = parse_yaml(text, "t.yaml").unwrap();
        assert_eq!(pos.get("/apps/0/name"), Some(&(2, 11)));
        assert_eq!(pos.get("/apps/0/depends_on/1"), Some(&(3, 21)));
        assert_eq!(pos.get("/apps/1/name"), Some(&(4, 11)));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse_yaml("apps:\n  - name: [a\n", "bad.yaml").unwrap_err();
        assert_eq!(err.file.as_deref(), Some("bad.yaml"));
        assert!(err.line.is_some());
        let err = parse_yaml("a: 1\na: 2\n", "dup.yaml").unwrap_err();
        assert!(err.message.contains("duplicate key `a`"), "{}", err.message);
        assert_eq!(err.line, Some(2));
        let err = parse_yaml("a: 1\n---\nb: 2\n", "two.yaml").unwrap_err();
        assert!(err.message.contains("more than one YAML document"));
        let err = parse_yaml("a: 99999999999999999999\n", "big.yaml").unwrap_err();
        assert!(err.message.contains("does not fit in 64 bits"));
    }

    #[test]
    fn streams_hold_many_documents_with_their_lines() {
        let docs =
            parse_yaml_documents("a: 1\n---\nb: 2\n---\n---\nc:\n  d: 3\n", "s.yaml").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[1].value, json!({"b": 2}));
        assert_eq!(docs[1].line, 3);
        assert_eq!(docs[2].positions.get("/c/d"), Some(&(7, 6)));
        assert!(parse_yaml_documents("a: [\n", "bad.yaml").is_err());
    }

    #[test]
    fn anchors_and_aliases_copy_values() {
        let (v, _) = parse_yaml("base: &b {x: 1}\nother: *b\n", "t.yaml").unwrap();
        assert_eq!(v["other"], json!({"x": 1}));
    }
}
