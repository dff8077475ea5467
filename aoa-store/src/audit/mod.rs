//! The audit trail: Avro events chained by SHA-256, written in the transaction of the change they record.

pub mod chain;
pub mod event;
pub mod export;

pub use chain::{BadEvent, NewEvent, Verification, Verifier, append, link};
pub use event::{EVENT_SCHEMA, EVENT_SCHEMA_SHA256, Event};
