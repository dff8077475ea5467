//! The component registry: records built from manifests, the changes an apply makes, and its policy.

pub mod plan;
pub mod policy;
pub mod record;

pub use plan::{Change, ChangeKind, FieldChange, plan, replay};
pub use record::{AppRecord, records_of};
