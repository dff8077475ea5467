//! aoa-core: the pure core of aoa ("App of Apps").
//!
//! One declarative manifest describes a hierarchy of apps (`parent`) and their dependencies
//! (`depends_on`); aoa-core validates it with precise diagnostics and answers rollout questions:
//! waves, cycles, impacted sets, selections and teardown order.
//!
//! ```
//! use aoa_core::{Format, Manifest, PlanOptions};
//! let manifest = Manifest::from_str(r#"{"apps":[{"name":"a"},{"name":"b","depends_on":["a"]}]}"#, Format::Json)?;
//! let plan = manifest.plan(&PlanOptions::default())?;
//! assert_eq!(plan.waves.len(), 2);
//! # Ok::<(), aoa_core::Error>(())
//! ```
//!
//! The core does no I/O except [`Manifest::from_path`], which reads the file or directory it is handed.

pub mod access;
pub mod diagnostic;
pub mod dispatch;
pub mod error;
pub mod graph;
pub mod manifest;
pub mod schema;
pub mod source;
pub mod suggest;

pub use access::{Access, AccessDiff, AccessIndex, Decision, Outcome};
pub use diagnostic::{Diagnostic, Location};
pub use error::{Error, ErrorCode, Result};
pub use graph::{Cycle, CycleEdge, Direction, EdgeKind, Plan, PlanOptions, Selector, Wave};
pub use manifest::{AppId, AppSpec, Declared, Manifest, ParamsFormat, Section};
pub use source::{Format, SourceText};

/// The README's Rust examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
