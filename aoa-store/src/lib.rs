//! aoa-store: the state store of aoa. A component registry updated from manifests (per app: version, owner,
//! labels, required scopes, parameter and manifest fingerprints, who changed it and when), its history, leases
//! with fencing tokens, and a hash-chained Avro audit trail, on SQLite (embedded, the default) or PostgreSQL,
//! both behind the one synchronous [`Store`] trait.
//!
//! ```
//! use aoa_store::{ApplyOptions, Options};
//! use aoa_core::{Format, Manifest};
//! let dir = tempfile::tempdir().unwrap();
//! let url = format!("sqlite:{}", dir.path().join("state.db").display());
//! let mut store = aoa_store::open(&url, Options::default())?;
//! let m = Manifest::from_str("apps: [{name: a, version: v1}, {name: b, parent: a}]", Format::Yaml)?;
//! let report = store.apply(&m, ApplyOptions::default())?;
//! assert_eq!(report.added, 2);
//! assert_eq!(store.show("a")?.version.as_deref(), Some("v1"));
//! assert!(store.verify()?.ok);
//! # Ok::<(), aoa_core::Error>(())
//! ```
//!
//! The core stays pure: this crate does the I/O and reads the clock (injectable through [`Options::clock`]).

pub mod audit;
pub mod backend;
pub mod clock;
pub mod dispatch;
pub mod lease;
pub mod migrate;
pub mod registry;
pub mod secret;
pub mod sql;
pub mod state;
pub mod url;

pub use audit::{Event, NewEvent, Verification};
pub use clock::{Clock, ManualClock, SystemClock};
pub use lease::{Lease, REGISTRY_LEASE};
pub use registry::{AppRecord, Change, ChangeKind, FieldChange};
pub use secret::hmac_secret;
pub use sql::{Backend, Row, Sql, Store, Tx};
pub use state::{
    ApplyOptions, ApplyReport, AuditFilter, Drift, ExportReport, HistoryEntry, Options, RunStep,
    ShownEvent, StateStore, connect, open,
};
pub use url::StoreUrl;
