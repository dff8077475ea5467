//! Schema fingerprints: the Parsing Canonical Form (with named references
//! inlined at their first use, so a schema's fingerprint does not depend on
//! where its named types were defined), its CRC-64-AVRO (Rabin) fingerprint
//! and its SHA-256, both as lowercase hex.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::model::{Arena, Kind, NodeId};
use super::parse::ParsedSchema;

/// The fingerprints of a schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Fingerprints {
    /// The Parsing Canonical Form that was hashed.
    pub canonical_form: String,
    /// CRC-64-AVRO of the canonical form, 16 lowercase hex digits of its
    /// 8 bytes in the order of the single-object encoding header
    /// (little-endian), as fastavro and apache-avro print it.
    pub crc64_avro: String,
    /// SHA-256 of the canonical form, 64 lowercase hex digits.
    pub sha256: String,
}

/// Computes the fingerprints of `schema`.
pub fn fingerprints(schema: &ParsedSchema) -> Fingerprints {
    let canonical_form = schema.canonical_form().to_string();
    let sha = Sha256::digest(canonical_form.as_bytes());
    Fingerprints {
        crc64_avro: crc64_hex(schema.crc64()),
        sha256: sha.iter().map(|b| format!("{b:02x}")).collect(),
        canonical_form,
    }
}

const EMPTY: u64 = 0xc15d_213a_a4d7_a795;

const TABLE: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut fp = i as u64;
        let mut bit = 0;
        while bit < 8 {
            fp = (fp >> 1) ^ (EMPTY & (fp & 1).wrapping_neg());
            bit += 1;
        }
        table[i] = fp;
        i += 1;
    }
    table
};

/// CRC-64-AVRO (Rabin) fingerprint of `bytes`, as defined by the Avro
/// specification.
pub fn crc64_avro(bytes: &[u8]) -> u64 {
    bytes.iter().fold(EMPTY, |fp, b| {
        (fp >> 8) ^ TABLE[((fp ^ u64::from(*b)) & 0xff) as usize]
    })
}

/// A CRC-64-AVRO value as 16 lowercase hex digits of its little-endian bytes:
/// the byte order of the single-object encoding header, and what fastavro
/// (`fingerprint(..., "CRC-64-AVRO")`) and apache-avro print.
pub fn crc64_hex(value: u64) -> String {
    value
        .to_le_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parsing Canonical Form of a compiled schema.
pub(crate) fn canonical_form(arena: &Arena) -> String {
    let mut out = String::new();
    let mut defined = vec![false; arena.nodes.len()];
    write_canonical(arena, arena.root, &mut out, &mut defined);
    out
}

fn write_canonical(arena: &Arena, id: NodeId, out: &mut String, defined: &mut [bool]) {
    let kind = &arena.node(id).kind;
    match kind {
        Kind::Record(_) | Kind::Enum(_) | Kind::Fixed(_) if defined[id] => {
            out.push_str(&quote(kind.type_name()));
            return;
        }
        Kind::Record(_) | Kind::Enum(_) | Kind::Fixed(_) => {
            defined[id] = true;
            out.push_str(&format!(
                "{{\"name\":{},\"type\":\"{}\",",
                quote(kind.type_name()),
                kind.keyword()
            ));
        }
        _ => {}
    }
    match kind {
        Kind::Record(record) => {
            out.push_str("\"fields\":[");
            for (i, field) in record.fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&format!("{{\"name\":{},\"type\":", quote(&field.name)));
                write_canonical(arena, field.node, out, defined);
                out.push('}');
            }
            out.push_str("]}");
        }
        Kind::Enum(e) => {
            let symbols: Vec<String> = e.symbols.iter().map(|s| quote(s)).collect();
            out.push_str(&format!("\"symbols\":[{}]}}", symbols.join(",")));
        }
        Kind::Fixed(f) => out.push_str(&format!("\"size\":{}}}", f.size)),
        Kind::Array(items) => {
            out.push_str("{\"type\":\"array\",\"items\":");
            write_canonical(arena, *items, out, defined);
            out.push('}');
        }
        Kind::Map(values) => {
            out.push_str("{\"type\":\"map\",\"values\":");
            write_canonical(arena, *values, out, defined);
            out.push('}');
        }
        Kind::Union(branches) => {
            out.push('[');
            for (i, branch) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(arena, *branch, out, defined);
            }
            out.push(']');
        }
        primitive => out.push_str(&quote(primitive.keyword())),
    }
}

fn quote(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}
