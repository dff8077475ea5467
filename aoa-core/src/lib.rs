//! aoa-core: the pure core of aoa ("App of Apps").
//!
//! One declarative manifest describes a hierarchy of apps (`parent`) and their dependencies
//! (`depends_on`); aoa-core validates it with precise diagnostics and answers rollout questions:
//! waves, cycles, impacted sets, selections and teardown order; who may do what where; and each app's
//! typed parameters.
//!
//! ```
//! use aoa_core::{Format, Manifest, PlanOptions};
//! let manifest = Manifest::from_str(r#"{"apps":[{"name":"a"},{"name":"b","depends_on":["a"]}]}"#, Format::Json)?;
//! let plan = manifest.plan(&PlanOptions::default())?;
//! assert_eq!(plan.waves.len(), 2);
//! # Ok::<(), aoa_core::Error>(())
//! ```
//!
//! The core does no I/O except reading files when a manifest is loaded from a path
//! ([`Manifest::from_path`], [`Manifest::from_path_with`]) and when a registry directory or schema file is
//! named directly ([`dispatch::open_registry`], [`source::read_schema_file`]). It reads the path it is
//! handed and, besides it, only files inside the manifest's own directory tree after resolving symbolic
//! links (the `*.yaml`, `*.yml` and `*.json` files of a manifest directory, the registry `schemas/`, the
//! `.avsc` files apps name); only regular files, each under a size limit of [`LoadOptions`].
//!
//! # Layers
//!
//! Each module imports only modules of the layers before it (`tests/layers.rs` enforces it):
//!
//! | layer | modules | what |
//! |---|---|---|
//! | 0 | `diagnostic`, `suggest` | findings, locations, cycle reports, the code table; did-you-mean |
//! | 1 | `error` | [`Error`] and [`ErrorCode`] |
//! | 2 | `source`, `schema` (never each other) | reading texts and positions; Avro schemas |
//! | 3 | `manifest` | the model: names, parent and dependency arrays, sections |
//! | 4 | `graph`, `access`, `params`, `schedule` (never each other) | each owns its index and its load-time checks; the rollout scheduler |
//! | 5 | `api`, then `argocd`, then `dispatch` | the facade [`Manifest`]; Argo CD interop over it; every operation by name, JSON in and out |
//! | 6 | the CLI and the bindings (other crates) | only the facade, `dispatch`, `Error` and result types |

#![forbid(unsafe_code)]
#![warn(
    unreachable_pub,
    clippy::allow_attributes_without_reason,
    clippy::cast_possible_truncation
)]

pub mod diagnostic;
pub mod suggest;

pub mod error;

pub mod schema;
pub mod source;

pub mod manifest;

pub mod access;
pub mod graph;
pub mod params;
pub mod schedule;

pub mod api;
pub mod argocd;
pub mod dispatch;

pub use access::{Access, AccessDiff, AccessIndex, Decision, Outcome};
pub use api::{DueRollout, Manifest, SecretsDue};
pub use diagnostic::{Cycle, CycleEdge, Diagnostic, EdgeKind, Location, escaped};
pub use error::{Error, ErrorCode, Result};
pub use graph::{Direction, Plan, PlanOptions, Selector, Wave};
pub use manifest::{AppId, AppSpec, Model, Section};
pub use params::ParamsFormat;
pub use source::{Format, LoadOptions, SourceText};

/// The README's Rust examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// The Rust examples of `docs/permissions.md`, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/permissions.md")]
struct PermissionsDoctests;

/// The Rust examples of `docs/schema-hub.md`, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/schema-hub.md")]
struct SchemaHubDoctests;
