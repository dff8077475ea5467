//! `audit export`: the chain as an Avro Object Container File of `aoa.audit.Entry` records (the event and its
//! hash), which any Avro reader reads and [`verify_file`] verifies from the file alone.

use super::chain::{Verification, Verifier};
use super::event::{EVENT_SCHEMA, EVENT_SCHEMA_SHA256, Event};
use apache_avro::types::Value;
use apache_avro::{Reader, Schema, Writer};
use std::io::Write;
use std::path::Path;

/// The file's user metadata key holding [`EVENT_SCHEMA_SHA256`].
pub const FINGERPRINT_KEY: &str = "aoa.event.schema.sha256";

/// The schema of an exported record: `{event: aoa.audit.Event, hash: fixed(32)}`.
pub fn entry_schema() -> Result<Schema, String> {
    let event: serde_json::Value = serde_json::from_str(EVENT_SCHEMA).map_err(|e| e.to_string())?;
    let entry = serde_json::json!({
        "type": "record", "name": "Entry", "namespace": "aoa.audit",
        "doc": "One exported audit event and its chain hash, SHA-256(previous hash || Avro binary of event).",
        "fields": [
            {"name": "event", "type": event},
            {"name": "hash", "type": {"type": "fixed", "name": "Sha256", "size": 32}}
        ]
    });
    Schema::parse(&entry).map_err(|e| e.to_string())
}

/// Writes `entries` (event bytes, hash) to `path` as an Object Container File and syncs it to disk; how many.
///
/// # Errors
/// A description (an undecodable stored event, an I/O error).
pub fn write_file(
    path: &Path,
    entries: impl Iterator<Item = (Vec<u8>, Vec<u8>)>,
) -> Result<i64, String> {
    let schema = entry_schema()?;
    let file = std::fs::File::create(path)
        .map_err(|e| format!("cannot create `{}`: {e}", path.display()))?;
    let mut writer = Writer::builder()
        .schema(&schema)
        .writer(std::io::BufWriter::new(file))
        .build()
        .map_err(|e| e.to_string())?;
    writer
        .add_user_metadata(FINGERPRINT_KEY.to_string(), EVENT_SCHEMA_SHA256)
        .map_err(|e| e.to_string())?;
    let mut n = 0;
    for (body, hash) in entries {
        let event = Event::decode(&body)?;
        let record = Value::Record(vec![
            ("event".into(), event.to_avro()),
            ("hash".into(), Value::Fixed(32, hash)),
        ]);
        writer.append_value(record).map_err(|e| e.to_string())?;
        n += 1;
    }
    writer.flush().map_err(|e| e.to_string())?;
    let file = writer
        .into_inner()
        .map_err(|e| e.to_string())?
        .into_inner()
        .map_err(|e| e.to_string())?;
    let mut file = file;
    file.flush().map_err(|e| e.to_string())?;
    file.sync_all()
        .map_err(|e| format!("cannot sync `{}`: {e}", path.display()))?;
    Ok(n)
}

/// Verifies the chain of an exported file from the file alone.
///
/// # Errors
/// A description when the file is not an export of aoa's audit trail.
pub fn verify_file(path: &Path) -> Result<Verification, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
    let reader = Reader::new(std::io::BufReader::new(file)).map_err(|e| e.to_string())?;
    let mut verifier = Verifier::default();
    for value in reader {
        let (event, hash) = entry_of(value.map_err(|e| e.to_string())?)?;
        if !verifier.next(event.seq, &event.encode(), &hash) {
            break;
        }
    }
    Ok(verifier.finish(None))
}

fn entry_of(value: Value) -> Result<(Event, Vec<u8>), String> {
    let bad = || "a record that is not an aoa.audit.Entry".to_string();
    let Value::Record(fields) = value else {
        return Err(bad());
    };
    let mut event = None;
    let mut hash = None;
    for (name, v) in fields {
        match (name.as_str(), v) {
            ("event", v) => event = Some(event_of(v).ok_or_else(bad)?),
            ("hash", Value::Fixed(_, h)) => hash = Some(h),
            _ => return Err(bad()),
        }
    }
    Ok((event.ok_or_else(bad)?, hash.ok_or_else(bad)?))
}

fn event_of(value: Value) -> Option<Event> {
    let Value::Record(fields) = value else {
        return None;
    };
    let mut e = Event {
        seq: 0,
        at: 0,
        registry: String::new(),
        kind: String::new(),
        actor: String::new(),
        app: None,
        attributes: Vec::new(),
    };
    for (name, v) in fields {
        match (name.as_str(), v) {
            ("seq", Value::Long(n)) => e.seq = n,
            ("at", Value::TimestampMillis(n) | Value::Long(n)) => e.at = n,
            ("registry", Value::String(s)) => e.registry = s,
            ("kind", Value::String(s)) => e.kind = s,
            ("actor", Value::String(s)) => e.actor = s,
            ("app", Value::Union(_, v)) => {
                e.app = match *v {
                    Value::String(s) => Some(s),
                    _ => None,
                }
            }
            ("attributes", Value::Array(items)) => {
                for item in items {
                    let Value::Record(kv) = item else { return None };
                    let mut kv = kv.into_iter().map(|(_, v)| v);
                    match (kv.next(), kv.next()) {
                        (Some(Value::String(k)), Some(Value::String(v))) => {
                            e.attributes.push((k, v))
                        }
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
    Some(e)
}
