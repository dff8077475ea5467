//! The audit event record `aoa.audit.Event` (schema: `aoa.audit.Event.avsc` in this crate) and its Avro binary
//! encoding, written by hand for speed and checked byte for byte against `apache-avro` by the tests.

use apache_avro::types::Value;
use serde::Serialize;

/// The committed Avro schema of an audit event.
pub const EVENT_SCHEMA: &str = include_str!("../../aoa.audit.Event.avsc");

/// SHA-256 of the schema's Parsing Canonical Form (hex), checked by a test against the committed schema.
pub const EVENT_SCHEMA_SHA256: &str =
    "bc5398a4fe9d571f19f774cfef9fe3ae80807b720bafe56f2e5d869c921d41aa";

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "AuditEvent"))]
pub struct Event {
    /// Position in the registry's chain, from 1.
    pub seq: i64,
    /// When, in milliseconds since the Unix epoch.
    pub at: i64,
    /// The registry of the chain.
    pub registry: String,
    /// What happened (`registry.added`, `registry.apply`, `lease.acquired`, ...).
    pub kind: String,
    /// Who did it.
    pub actor: String,
    /// The app it is about, if one.
    pub app: Option<String>,
    /// Details as (key, value), sorted by key.
    pub attributes: Vec<(String, String)>,
}

impl Event {
    /// The value of attribute `key`, if present.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.attributes[i].1.as_str())
    }

    /// The Avro binary encoding (attributes must be sorted; [`Event::sort`] does it).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.attributes.len() * 24);
        long(&mut out, self.seq);
        long(&mut out, self.at);
        string(&mut out, &self.registry);
        string(&mut out, &self.kind);
        string(&mut out, &self.actor);
        match &self.app {
            None => long(&mut out, 0),
            Some(app) => {
                long(&mut out, 1);
                string(&mut out, app);
            }
        }
        if !self.attributes.is_empty() {
            long(&mut out, len(self.attributes.len()));
            for (k, v) in &self.attributes {
                string(&mut out, k);
                string(&mut out, v);
            }
        }
        long(&mut out, 0);
        out
    }

    /// Decodes [`Event::encode`]'s bytes (also arrays written in several blocks, as other Avro writers may).
    ///
    /// # Errors
    /// A description of what is malformed.
    pub fn decode(bytes: &[u8]) -> Result<Event, String> {
        let mut r = Reader { bytes, at: 0 };
        let seq = r.long()?;
        let at = r.long()?;
        let registry = r.string()?;
        let kind = r.string()?;
        let actor = r.string()?;
        let app = match r.long()? {
            0 => None,
            1 => Some(r.string()?),
            n => return Err(format!("bad union index {n} for `app`")),
        };
        let mut attributes = Vec::new();
        loop {
            let mut count = r.long()?;
            if count == 0 {
                break;
            }
            if count < 0 {
                count = -count;
                r.long()?;
            }
            for _ in 0..count {
                attributes.push((r.string()?, r.string()?));
            }
        }
        if r.at != bytes.len() {
            return Err(format!("{} trailing bytes", bytes.len() - r.at));
        }
        Ok(Event {
            seq,
            at,
            registry,
            kind,
            actor,
            app,
            attributes,
        })
    }

    /// The event as an `apache-avro` value of the schema (for Object Container Files).
    pub fn to_avro(&self) -> Value {
        let e = self;
        let attrs = e
            .attributes
            .iter()
            .map(|(k, v)| {
                Value::Record(vec![
                    ("key".into(), Value::String(k.clone())),
                    ("value".into(), Value::String(v.clone())),
                ])
            })
            .collect();
        Value::Record(vec![
            ("seq".into(), Value::Long(e.seq)),
            ("at".into(), Value::TimestampMillis(e.at)),
            ("registry".into(), Value::String(e.registry.clone())),
            ("kind".into(), Value::String(e.kind.clone())),
            ("actor".into(), Value::String(e.actor.clone())),
            (
                "app".into(),
                match &e.app {
                    None => Value::Union(0, Box::new(Value::Null)),
                    Some(a) => Value::Union(1, Box::new(Value::String(a.clone()))),
                },
            ),
            ("attributes".into(), Value::Array(attrs)),
        ])
    }

    /// Sorts the attributes by key (stable for equal keys), as the encoding requires.
    pub fn sort(&mut self) {
        self.attributes.sort_by(|a, b| a.0.cmp(&b.0));
    }
}

fn len(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn long(out: &mut Vec<u8>, v: i64) {
    let mut z = ((v << 1) ^ (v >> 63)).cast_unsigned();
    while z >= 0x80 {
        out.push(z.to_le_bytes()[0] | 0x80);
        z >>= 7;
    }
    out.push(z.to_le_bytes()[0]);
}

fn string(out: &mut Vec<u8>, s: &str) {
    long(out, len(s.len()));
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn long(&mut self) -> Result<i64, String> {
        let mut z: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or("truncated")?;
            self.at += 1;
            z |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok((z >> 1).cast_signed() ^ -(z & 1).cast_signed());
            }
        }
        Err("varint longer than 10 bytes".into())
    }

    fn string(&mut self) -> Result<String, String> {
        let n = usize::try_from(self.long()?).map_err(|_| "negative string length")?;
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or("truncated")?;
        let s = std::str::from_utf8(&self.bytes[self.at..end]).map_err(|e| e.to_string())?;
        self.at = end;
        Ok(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_committed_schema_has_the_recorded_fingerprint() {
        let schema = apache_avro::Schema::parse_str(EVENT_SCHEMA).unwrap();
        let fp = crate::secret::hex(&<sha2::Sha256 as sha2::Digest>::digest(
            schema.canonical_form(),
        ));
        assert_eq!(fp, EVENT_SCHEMA_SHA256);
    }

    proptest! {
        #[test]
        fn the_encoding_is_apache_avros_and_decodes_back(
            seq in any::<i64>(), at in any::<i64>(), registry in ".{0,8}", kind in "[a-z.]{0,12}",
            app in proptest::option::of(".{0,8}"),
            attributes in proptest::collection::btree_map(".{0,6}", ".{0,10}", 0..5),
        ) {
            let e = Event { seq, at, registry, kind, actor: "me".into(), app,
                attributes: attributes.into_iter().collect() };
            let schema = apache_avro::Schema::parse_str(EVENT_SCHEMA).unwrap();
            #[expect(deprecated, reason = "the plain datum encoder is the reference here")]
            let theirs = apache_avro::to_avro_datum(&schema, e.to_avro()).unwrap();
            prop_assert_eq!(&e.encode(), &theirs);
            prop_assert_eq!(Event::decode(&theirs).unwrap(), e);
        }
    }
}
