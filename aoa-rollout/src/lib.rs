//! aoa-rollout: runs a rollout of an aoa manifest.
//!
//! The core's pure [`aoa_core::schedule::Scheduler`] decides what starts when; this crate drives it: it calls
//! the user's [`Callbacks`] (`deploy`, `observe`, `rollback`) on worker threads, polls the health gate,
//! measures time, and writes every step to a [`Journal`] — `started` before `deploy` is called, the outcome
//! after the health gate, in groups so that one durable commit covers the events of a few milliseconds. A
//! run that was killed resumes from its journal without deploying again what already succeeded.
//!
//! ```
//! use aoa_core::{Format, Manifest};
//! use aoa_rollout::{Callbacks, DeployRequest, MemoryJournal, Options, Rollout};
//! use std::sync::Arc;
//!
//! struct Print;
//! impl Callbacks for Print {
//!     fn deploy(&self, request: &DeployRequest<'_>) -> Result<(), String> {
//!         println!("deploying {} (attempt {})", request.app, request.attempt);
//!         Ok(())
//!     }
//! }
//!
//! let m = Manifest::from_str("apps:\n- name: db\n- {name: api, depends_on: [db]}\n", Format::Yaml)?;
//! let mut journal = MemoryJournal::default();
//! let report = Rollout::new(&m, Options::default()).run(Arc::new(Print), &mut journal, &mut |_| {})?;
//! assert_eq!(report.counts.succeeded, 2);
//! # Ok::<(), aoa_core::Error>(())
//! ```

mod callbacks;
mod exec;
mod journal;
mod rbac;
mod report;
mod run;
mod settings;
mod store_journal;
pub mod text;
mod workers;

pub use callbacks::{Callbacks, DeployRequest, Health, Observation};
pub use exec::Exec;
pub use journal::{Journal, JournalEvent, MemoryJournal, Step};
pub use rbac::{Actor, check_all};
pub use report::{AppOutcome, Report};
pub use run::{Options, Rollout};
pub use settings::options_from_json;
pub use store_journal::StoreJournal;
pub use text::{Answer, Call, CallFields, Foreign};
