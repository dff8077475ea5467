//! Avro binary encoding of JSON values (see [`mod@super::validate`] for the
//! JSON representation of each type), single-object encoding, and decoding
//! back to the same JSON representation.
//!
//! The encoder walks our compiled schema and the JSON value directly; it
//! expects a validated value and rejects, with a path, anything it cannot
//! represent. Decoding yields `float`/`double` as JSON floats and
//! `decimal` with exactly `scale` fractional digits.

#![expect(
    clippy::cast_possible_truncation,
    reason = "Avro encodes varints 7 bits per byte (the mask keeps the byte), and a `float` as an f32 by definition"
)]

use serde_json::{Map, Number, Value};

use super::codec_error::{DecodeError, EncodeError};
use super::fingerprint::crc64_hex;
use super::logical::{
    decimal_from_bytes, decimal_to_bytes, latin1_from_bytes, latin1_to_bytes, sign_extend,
    uuid_from_bytes, uuid_to_bytes,
};
use super::model::{Arena, Kind, Logical, NodeId, label};
use super::parse::ParsedSchema;
use super::pointer::{Pointer, Step};
use super::validate::{MAX_VALUE_DEPTH, json_type, select_branch};

/// Single-object encoding marker.
const MARKER: [u8; 2] = [0xc3, 0x01];

/// Items of zero-size types (such as `null`) a decoder accepts beyond the
/// remaining input length, against decompression bombs.
const MAX_ZERO_SIZE_ITEMS: usize = 65_536;

/// Encodes `value` as an Avro binary datum.
pub fn encode(schema: &ParsedSchema, value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(256);
    encode_into(schema, value, &mut out)?;
    Ok(out)
}

/// Appends the Avro binary datum of `value` to `out`.
pub fn encode_into(
    schema: &ParsedSchema,
    value: &Value,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let mut encoder = Encoder {
        arena: &schema.arena,
        out,
        path: Pointer::default(),
    };
    encoder.write(schema.root(), value, 0)
}

/// Encodes `value` with the single-object encoding: `c3 01`, the schema's
/// CRC-64-AVRO fingerprint in little-endian order, then the binary datum.
pub fn encode_single_object(schema: &ParsedSchema, value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(&MARKER);
    out.extend_from_slice(&schema.crc64().to_le_bytes());
    encode_into(schema, value, &mut out)?;
    Ok(out)
}

/// Decodes one binary datum that must span all of `bytes`.
pub fn decode(schema: &ParsedSchema, bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut decoder = Decoder {
        arena: &schema.arena,
        bytes,
        pos: 0,
        zero_size_budget: MAX_ZERO_SIZE_ITEMS,
    };
    let value = decoder.read(schema.root(), 0)?;
    match bytes.len() - decoder.pos {
        0 => Ok(value),
        count => Err(DecodeError::TrailingBytes { count }),
    }
}

/// Decodes a single-object encoded value, checking marker and fingerprint.
pub fn decode_single_object(schema: &ParsedSchema, bytes: &[u8]) -> Result<Value, DecodeError> {
    let rest = bytes.strip_prefix(&MARKER).ok_or(DecodeError::BadMarker)?;
    let (fingerprint, datum) = rest
        .split_first_chunk::<8>()
        .ok_or(DecodeError::Truncated {
            offset: bytes.len(),
        })?;
    let found = u64::from_le_bytes(*fingerprint);
    if found != schema.crc64() {
        return Err(DecodeError::FingerprintMismatch {
            expected: crc64_hex(schema.crc64()),
            found: crc64_hex(found),
        });
    }
    decode(schema, datum)
}

/// The bytes a `bytes` or `fixed` node stands for, from its JSON string.
pub(crate) fn string_to_bytes(arena: &Arena, id: NodeId, s: &str) -> Result<Vec<u8>, String> {
    let node = arena.node(id);
    let bytes = match node.logical {
        Some(Logical::Decimal { precision, scale }) => decimal_to_bytes(s, precision, scale)?,
        Some(Logical::Uuid) => uuid_to_bytes(s)
            .map(|b| b.to_vec())
            .ok_or_else(|| format!("`{s}` is not a uuid"))?,
        _ => latin1_to_bytes(s).ok_or("bytes must be an ISO-8859-1 string")?,
    };
    match (&node.kind, node.logical) {
        (Kind::Fixed(f), Some(Logical::Decimal { .. })) => sign_extend(&bytes, f.size)
            .ok_or_else(|| format!("`{s}` does not fit in {} bytes", f.size)),
        (Kind::Fixed(f), _) if bytes.len() != f.size => Err(format!(
            "expected {} bytes for fixed `{}`, got {}",
            f.size,
            f.named.fullname,
            bytes.len()
        )),
        _ => Ok(bytes),
    }
}

/// The JSON string a `bytes` or `fixed` node's bytes stand for.
pub(crate) fn bytes_to_string(arena: &Arena, id: NodeId, bytes: &[u8]) -> Result<String, String> {
    match arena.node(id).logical {
        Some(Logical::Decimal { scale, .. }) => Ok(decimal_from_bytes(bytes, scale)),
        Some(Logical::Uuid) if bytes.len() == 16 => Ok(uuid_from_bytes(bytes)),
        Some(Logical::Uuid) => Err(format!("a uuid needs 16 bytes, got {}", bytes.len())),
        _ => Ok(latin1_from_bytes(bytes)),
    }
}

/// The integer in `n` if it fits node `id` (`int` or `long`).
pub(crate) fn integer_for(kind: &Kind, n: &Number) -> Option<i64> {
    let int = n.as_i64()?;
    match kind {
        Kind::Int => i32::try_from(int).ok().map(i64::from),
        _ => Some(int),
    }
}

struct Encoder<'s, 'v, 'o> {
    arena: &'s Arena,
    out: &'o mut Vec<u8>,
    path: Pointer<'v>,
}

impl<'v> Encoder<'_, 'v, '_> {
    fn invalid(&self, message: String) -> EncodeError {
        EncodeError::InvalidValue {
            path: self.path.render(),
            message,
        }
    }

    fn mismatch(&self, id: NodeId, value: &Value) -> EncodeError {
        self.invalid(format!(
            "expected {}, got {}",
            label(self.arena, id),
            json_type(value)
        ))
    }

    fn long(&mut self, v: i64) {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        while z >= 0x80 {
            self.out.push((z as u8) | 0x80);
            z >>= 7;
        }
        self.out.push(z as u8);
    }

    fn len_prefixed(&mut self, bytes: &[u8]) {
        self.long(bytes.len() as i64);
        self.out.extend_from_slice(bytes);
    }

    fn write(&mut self, id: NodeId, value: &'v Value, depth: usize) -> Result<(), EncodeError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(self.invalid(format!(
                "value is nested deeper than {MAX_VALUE_DEPTH} levels"
            )));
        }
        let arena = self.arena;
        let node = arena.node(id);
        match (&node.kind, value) {
            (Kind::Null, Value::Null) => {}
            (Kind::Boolean, Value::Bool(b)) => self.out.push(u8::from(*b)),
            (kind @ (Kind::Int | Kind::Long), Value::Number(n)) => {
                let v = integer_for(kind, n).ok_or_else(|| self.mismatch(id, value))?;
                self.long(v);
            }
            (Kind::Float, Value::Number(n)) => {
                let v = n.as_f64().ok_or_else(|| self.mismatch(id, value))?;
                self.out.extend_from_slice(&(v as f32).to_le_bytes());
            }
            (Kind::Double, Value::Number(n)) => {
                let v = n.as_f64().ok_or_else(|| self.mismatch(id, value))?;
                self.out.extend_from_slice(&v.to_le_bytes());
            }
            (Kind::String, Value::String(s)) => self.len_prefixed(s.as_bytes()),
            (Kind::Bytes, Value::String(s)) => {
                let bytes = string_to_bytes(arena, id, s).map_err(|m| self.invalid(m))?;
                self.len_prefixed(&bytes);
            }
            (Kind::Fixed(_), Value::String(s)) => {
                let bytes = string_to_bytes(arena, id, s).map_err(|m| self.invalid(m))?;
                self.out.extend_from_slice(&bytes);
            }
            (Kind::Enum(e), Value::String(s)) => {
                let index = e.lookup.get(s.as_str()).ok_or_else(|| {
                    self.invalid(format!(
                        "`{s}` is not a symbol of enum `{}`",
                        e.named.fullname
                    ))
                })?;
                self.long(*index as i64);
            }
            (Kind::Array(items), Value::Array(values)) => {
                if !values.is_empty() {
                    self.long(values.len() as i64);
                    for (i, item) in values.iter().enumerate() {
                        self.path.push(Step::Index(i));
                        self.write(*items, item, depth + 1)?;
                        self.path.pop();
                    }
                }
                self.out.push(0);
            }
            (Kind::Map(values_id), Value::Object(map)) => {
                if !map.is_empty() {
                    self.long(map.len() as i64);
                    for (key, item) in map {
                        self.len_prefixed(key.as_bytes());
                        self.path.push(Step::Key(key));
                        self.write(*values_id, item, depth + 1)?;
                        self.path.pop();
                    }
                }
                self.out.push(0);
            }
            (Kind::Record(record), Value::Object(map)) => {
                let mut present = 0;
                for field in &record.fields {
                    match map.get_key_value(&field.name) {
                        Some((key, item)) => {
                            present += 1;
                            self.path.push(Step::Key(key));
                            self.write(field.node, item, depth + 1)?;
                            self.path.pop();
                        }
                        None => {
                            let default = field.default.as_ref().ok_or_else(|| {
                                self.invalid(format!("missing required field `{}`", field.name))
                            })?;
                            self.write_default(field.node, &field.name, default, depth + 1)?;
                        }
                    }
                }
                if present < map.len() {
                    let unknown = map
                        .keys()
                        .find(|k| !record.lookup.contains_key(k.as_str()))
                        .map(String::as_str)
                        .unwrap_or_default();
                    return Err(self.invalid(format!("unknown key `{unknown}`")));
                }
            }
            (Kind::Union(branches), _) => {
                let index = select_branch(arena, branches, value).map_err(|_| {
                    self.invalid(format!(
                        "value matches no single branch of {}",
                        label(arena, id)
                    ))
                })?;
                self.long(index as i64);
                self.write(branches[index], value, depth + 1)?;
            }
            _ => return Err(self.mismatch(id, value)),
        }
        Ok(())
    }

    /// Writes the schema default of field `name`; error paths continue
    /// from the field's position.
    fn write_default(
        &mut self,
        id: NodeId,
        name: &str,
        default: &Value,
        depth: usize,
    ) -> Result<(), EncodeError> {
        let field_path = self.path.render_child(name);
        let mut inner = Encoder {
            arena: self.arena,
            out: self.out,
            path: Pointer::default(),
        };
        inner
            .write(id, default, depth)
            .map_err(
                |EncodeError::InvalidValue { path, message }| EncodeError::InvalidValue {
                    path: format!("{field_path}{path}"),
                    message,
                },
            )
    }
}

struct Decoder<'s, 'b> {
    arena: &'s Arena,
    bytes: &'b [u8],
    pos: usize,
    zero_size_budget: usize,
}

impl Decoder<'_, '_> {
    fn malformed(&self, message: impl Into<String>) -> DecodeError {
        DecodeError::Malformed {
            offset: self.pos,
            message: message.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(DecodeError::Truncated {
                offset: self.bytes.len(),
            })?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn long(&mut self) -> Result<i64, DecodeError> {
        let mut z: u64 = 0;
        for shift in (0..70).step_by(7) {
            let byte = *self.bytes.get(self.pos).ok_or(DecodeError::Truncated {
                offset: self.bytes.len(),
            })?;
            self.pos += 1;
            if shift == 63 && byte > 1 {
                return Err(self.malformed("varint overflows a long"));
            }
            z |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok((z >> 1) as i64 ^ -((z & 1) as i64));
            }
        }
        Err(self.malformed("varint longer than 10 bytes"))
    }

    fn length(&mut self) -> Result<usize, DecodeError> {
        let len = self.long()?;
        usize::try_from(len).map_err(|_| self.malformed(format!("negative length {len}")))
    }

    fn len_prefixed(&mut self) -> Result<&[u8], DecodeError> {
        let len = self.length()?;
        self.take(len)
    }

    /// Reads the item count of the next array or map block (0 at the end).
    fn block_count(&mut self) -> Result<usize, DecodeError> {
        let count = self.long()?;
        if count < 0 {
            self.long()?; // block size in bytes, not needed
        }
        let count = usize::try_from(count.unsigned_abs())
            .map_err(|_| self.malformed("block count too large"))?;
        let remaining = self.bytes.len() - self.pos;
        if count > remaining {
            let extra = count - remaining;
            if extra > self.zero_size_budget {
                return Err(self.malformed(format!("block of {count} items exceeds the data")));
            }
            self.zero_size_budget -= extra;
        }
        Ok(count)
    }

    fn read(&mut self, id: NodeId, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(self.malformed(format!(
                "value is nested deeper than {MAX_VALUE_DEPTH} levels"
            )));
        }
        let arena = self.arena;
        let node = arena.node(id);
        Ok(match &node.kind {
            Kind::Null => Value::Null,
            Kind::Boolean => match self.take(1)?.first() {
                Some(0) => Value::Bool(false),
                Some(1) => Value::Bool(true),
                _ => return Err(self.malformed("boolean byte is neither 0 nor 1")),
            },
            Kind::Int => {
                let v = self.long()?;
                i32::try_from(v)
                    .map_err(|_| self.malformed(format!("`{v}` is out of the int range")))?;
                Value::from(v)
            }
            Kind::Long => Value::from(self.long()?),
            Kind::Float => {
                let raw: [u8; 4] = self
                    .take(4)?
                    .try_into()
                    .map_err(|_| self.malformed("short float"))?;
                self.float(f64::from(f32::from_le_bytes(raw)))?
            }
            Kind::Double => {
                let raw: [u8; 8] = self
                    .take(8)?
                    .try_into()
                    .map_err(|_| self.malformed("short double"))?;
                self.float(f64::from_le_bytes(raw))?
            }
            Kind::String => Value::String(self.utf8()?),
            Kind::Bytes => {
                let bytes = self.len_prefixed()?.to_vec();
                Value::String(bytes_to_string(arena, id, &bytes).map_err(|m| self.malformed(m))?)
            }
            Kind::Fixed(f) => {
                let bytes = self.take(f.size)?.to_vec();
                Value::String(bytes_to_string(arena, id, &bytes).map_err(|m| self.malformed(m))?)
            }
            Kind::Enum(e) => {
                let index = self.long()?;
                let symbol = usize::try_from(index)
                    .ok()
                    .and_then(|i| e.symbols.get(i))
                    .ok_or_else(|| self.malformed(format!("enum index {index} out of range")))?;
                Value::String(symbol.clone())
            }
            Kind::Array(items) => {
                let mut values = Vec::new();
                loop {
                    let count = self.block_count()?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        values.push(self.read(*items, depth + 1)?);
                    }
                }
                Value::Array(values)
            }
            Kind::Map(values_id) => {
                let mut map = Map::new();
                loop {
                    let count = self.block_count()?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        let key = self.utf8()?;
                        let value = self.read(*values_id, depth + 1)?;
                        map.insert(key, value);
                    }
                }
                Value::Object(map)
            }
            Kind::Record(record) => {
                let mut map = Map::new();
                for field in &record.fields {
                    let value = self.read(field.node, depth + 1)?;
                    map.insert(field.name.clone(), value);
                }
                Value::Object(map)
            }
            Kind::Union(branches) => {
                let index = self.long()?;
                let branch = usize::try_from(index)
                    .ok()
                    .and_then(|i| branches.get(i))
                    .ok_or_else(|| self.malformed(format!("union index {index} out of range")))?;
                self.read(*branch, depth + 1)?
            }
        })
    }

    fn utf8(&mut self) -> Result<String, DecodeError> {
        let bytes = self.len_prefixed()?.to_vec();
        String::from_utf8(bytes).map_err(|_| self.malformed("string is not utf-8"))
    }

    fn float(&self, v: f64) -> Result<Value, DecodeError> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| self.malformed(format!("`{v}` cannot be represented in json")))
    }
}
