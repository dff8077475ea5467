//! The hash chain: events appended in the transaction of the change they record, each
//! `hash = SHA-256(prev_hash || Avro binary of the event)`, and its verification.

use super::event::Event;
use crate::sql::{Row, Sql, Tx};
use aoa_core::Result;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The previous hash of the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// `SHA-256(prev || body)`.
pub fn link(prev: &[u8], body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(body);
    h.finalize().into()
}

/// An event to append: everything but its position, which [`append`] assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// What happened.
    pub kind: String,
    /// The app it is about, if one.
    pub app: Option<String>,
    /// Details (any order; sorted on append).
    pub attributes: Vec<(String, String)>,
}

impl NewEvent {
    /// An event of `kind` about `app`.
    pub fn new(kind: &str, app: Option<&str>) -> NewEvent {
        NewEvent {
            kind: kind.to_string(),
            app: app.map(str::to_string),
            attributes: Vec::new(),
        }
    }

    /// With one more attribute.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> NewEvent {
        self.attributes.push((key.to_string(), value.into()));
        self
    }
}

/// Appends `events` to the chain of `registry` inside `tx` (the chain head row is locked by the update, so
/// concurrent appenders queue); the sequence numbers given.
///
/// # Errors
/// The store's errors; then the whole transaction must be dropped.
pub fn append(
    tx: &mut dyn Tx,
    registry: &str,
    actor: &str,
    at: i64,
    events: Vec<NewEvent>,
) -> Result<Vec<i64>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let n = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let head = tx.query(
        "UPDATE aoa_chain SET seq = seq + ?2 WHERE registry_id = ?1 RETURNING seq, hash",
        &[Sql::Text(registry.to_string()), Sql::Int(n)],
    )?;
    let (last, mut prev) = match head.first() {
        Some(row) => (row[0].int(), row[1].blob().to_vec()),
        None => {
            return Err(crate::backend::store_error(
                "?",
                format!("registry `{registry}` has no chain head"),
            ));
        }
    };
    let first = last - n + 1;
    let mut rows: Vec<Row> = Vec::with_capacity(events.len());
    let mut seqs = Vec::with_capacity(events.len());
    for (seq, e) in (first..).zip(events) {
        let mut event = Event {
            seq,
            at,
            registry: registry.to_string(),
            kind: e.kind,
            actor: actor.to_string(),
            app: e.app,
            attributes: e.attributes,
        };
        event.sort();
        let body = event.encode();
        let hash = link(&prev, &body);
        prev = hash.to_vec();
        seqs.push(seq);
        rows.push(vec![
            Sql::Text(registry.to_string()),
            Sql::Int(seq),
            Sql::Int(at),
            Sql::Text(event.kind),
            event.app.map_or(Sql::Null, Sql::Text),
            Sql::Blob(body),
            Sql::Blob(hash.to_vec()),
        ]);
    }
    tx.insert_many(
        "INSERT INTO aoa_audit (registry_id, seq, at, kind, app, event, hash)",
        "",
        &rows,
    )?;
    tx.execute(
        "UPDATE aoa_chain SET hash = ?2 WHERE registry_id = ?1",
        &[Sql::Text(registry.to_string()), Sql::Blob(prev)],
    )?;
    Ok(seqs)
}

/// The first event of a chain that does not verify, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "AuditBadEvent"))]
pub struct BadEvent {
    /// Its sequence number (for a missing event, the number expected there).
    pub seq: i64,
    /// What is wrong: `edited`, `deleted`, `inserted`, `reordered`, `truncated` or `malformed`.
    pub problem: String,
    /// In words.
    pub detail: String,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "AuditVerification"))]
pub struct Verification {
    /// Whether the whole chain verifies.
    pub ok: bool,
    /// How many events were checked.
    pub events: i64,
    /// The hash of the last event (hex), when the chain verifies.
    pub head: Option<String>,
    /// The first event that does not verify.
    pub first_bad: Option<BadEvent>,
}

/// Checks a sequence of (stored seq, event bytes, stored hash) in order, then the chain head.
pub struct Verifier {
    expected: i64,
    prev: Vec<u8>,
    bad: Option<BadEvent>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected: 1,
            prev: GENESIS.to_vec(),
            bad: None,
        }
    }
}

impl Verifier {
    /// Checks the next stored event; false once a bad one was found (stop feeding).
    pub fn next(&mut self, seq: i64, body: &[u8], hash: &[u8]) -> bool {
        if self.bad.is_some() {
            return false;
        }
        let bad = |problem: &str, seq: i64, detail: String| BadEvent {
            seq,
            problem: problem.to_string(),
            detail,
        };
        let decoded = Event::decode(body);
        let linked = link(&self.prev, body);
        let problem = if seq > self.expected {
            Some(bad(
                "deleted",
                self.expected,
                format!(
                    "event {} is missing (the next stored one is {seq})",
                    self.expected
                ),
            ))
        } else if seq < self.expected {
            Some(bad(
                "inserted",
                seq,
                format!("event {seq} appears after event {}", self.expected - 1),
            ))
        } else {
            match decoded {
                Err(e) => Some(bad(
                    "malformed",
                    seq,
                    format!("event {seq} is not an aoa.audit.Event: {e}"),
                )),
                Ok(e) if e.seq != seq => Some(bad(
                    "reordered",
                    seq,
                    format!("the event stored at {seq} says it is event {}", e.seq),
                )),
                Ok(_) if linked.as_slice() != hash => Some(bad(
                    "edited",
                    seq,
                    format!(
                        "event {seq} does not hash to its recorded hash from event {}'s",
                        seq - 1
                    ),
                )),
                Ok(_) => None,
            }
        };
        match problem {
            Some(p) => {
                self.bad = Some(p);
                false
            }
            None => {
                self.prev = hash.to_vec();
                self.expected += 1;
                true
            }
        }
    }

    /// The verdict, given the chain head's record (seq, hash) when the store has one.
    pub fn finish(mut self, head: Option<(i64, Vec<u8>)>) -> Verification {
        let last = self.expected - 1;
        if self.bad.is_none()
            && let Some((head_seq, head_hash)) = head
        {
            if head_seq != last {
                self.bad = Some(BadEvent {
                    seq: last + 1,
                    problem: "deleted".into(),
                    detail: format!("the chain head records {head_seq} events, {last} are stored"),
                });
            } else if last > 0 && head_hash != self.prev {
                self.bad = Some(BadEvent {
                    seq: last,
                    problem: "edited".into(),
                    detail: format!("event {last}'s hash differs from the chain head's"),
                });
            }
        }
        Verification {
            ok: self.bad.is_none(),
            events: last,
            head: self.bad.is_none().then(|| crate::secret::hex(&self.prev)),
            first_bad: self.bad,
        }
    }
}
