//! The facade: [`Manifest`], the one public type that holds a manifest's model and the indexes built from
//! it (the rollout graph, the access index, the parameter hub), and answers every question about it.
//!
//! The model ([`Model`], reached through `Deref`) has the names, parents, dependencies and sections; the
//! graph, access and params layers each own their index and their load-time checks.
//!
//! ```
//! use aoa_core::{Format, Manifest, PlanOptions};
//! let m = Manifest::from_str("apps:\n- name: db\n- name: api\n  depends_on: [db]\n", Format::Yaml)?;
//! assert_eq!(m.plan(&PlanOptions::default())?.order(), vec!["db", "api"]);
//! assert_eq!(m.name(m.app("api")?), "api");
//! # Ok::<(), aoa_core::Error>(())
//! ```

mod rollout;
mod secrets;

pub use rollout::CLASS_LABEL;
pub use secrets::{DueRollout, SecretsDue};

use crate::access::{Access, AccessDiff, AccessIndex};
use crate::diagnostic::Cycle;
use crate::error::{Error, Result};
use crate::graph::{Graph, Plan, PlanOptions, Selector};
use crate::manifest::{AppId, AppSpec, Model};
use crate::params::{self, Hub, HubInputs, ParamsFormat};
use crate::schema::{AppParams, ParamTree, ParsedSchema, Registry, ResolvedParams};
use crate::source::{self, Confinement, Format, LoadOptions, SourceText};
use serde_json::Value;
use std::ops::Deref;
use std::path::Path;
use std::sync::OnceLock;

/// A validated manifest: its model and the indexes built from it (the rollout graph on first use; the
/// access index while loading when the manifest has permission sections, else on first use; the
/// parameter hub while loading).
///
/// Immutable once loaded and safe to share between threads.
#[derive(Debug)]
pub struct Manifest {
    model: Model,
    graph: OnceLock<Graph>,
    access: OnceLock<AccessIndex>,
    hub: Hub,
}

impl Deref for Manifest {
    type Target = Model;

    /// The model: names, parents, dependencies, labels and sections of the apps.
    fn deref(&self) -> &Model {
        &self.model
    }
}

impl Manifest {
    /// Loads a manifest file, or every `*.yaml`, `*.yml` and `*.json` file of a directory, merged, with
    /// the schema registry `schemas/<subject>/<version>.avsc` next to it and the schema files its apps
    /// reference, under the default [`LoadOptions`] (1 GiB per manifest file, 16 MiB per schema file).
    ///
    /// Only regular files are read, and besides the path it is handed only files inside the manifest's own
    /// directory tree (the manifest directory, or the directory of the manifest file), after resolving
    /// symbolic links: a schema path that is absolute, climbs out with `..` or leads outside through a link
    /// is an [`Error::Params`] diagnostic `file-outside-manifest`, and is never read.
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be read, is not a regular file or is larger than its limit; else the
    /// errors of [`Manifest::from_sources`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Manifest> {
        Manifest::from_path_with(path, &LoadOptions::default())
    }

    /// [`Manifest::from_path`] under the file size limits of `options`.
    ///
    /// ```no_run
    /// use aoa_core::{LoadOptions, Manifest};
    /// let options = LoadOptions { max_manifest_file_bytes: 4 << 30, ..LoadOptions::default() };
    /// let manifest = Manifest::from_path_with("generated/huge.json", &options)?;
    /// # Ok::<(), aoa_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// The errors of [`Manifest::from_path`].
    pub fn from_path_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Manifest> {
        let path = path.as_ref();
        let model = Model::from_sources(source::read_path_with(path, options)?)?;
        let access = load_access(&model)?;
        let confinement = Confinement::of_manifest(path)?;
        let dir = source::registry_dir(path);
        let registry = match params::load_registry_in(&dir, &confinement, options) {
            Ok(registry) => registry,
            Err(params::RegistryProblems::Io(e)) => return Err(e),
            Err(params::RegistryProblems::Invalid(diagnostics)) => {
                return Err(Error::Params {
                    diagnostics: crate::diagnostic::capped(diagnostics),
                });
            }
        };
        Manifest::assemble(
            model,
            access,
            HubInputs {
                registry,
                files: Some((confinement, *options)),
            },
        )
    }

    /// Parses one manifest text (reported as `<string>` in diagnostics).
    ///
    /// # Errors
    /// The errors of [`Manifest::from_sources`].
    pub fn from_str(text: &str, format: Format) -> Result<Manifest> {
        Manifest::with_inline_schemas(Model::from_text(text, format)?)
    }

    /// Merges several manifest texts into one manifest (apps of all texts share one namespace). Schemas
    /// may be inline only: there is no registry or file next to a text.
    ///
    /// # Errors
    /// [`Error::Syntax`], [`Error::Manifest`], [`Error::InvalidAccess`], [`Error::Escalation`] or
    /// [`Error::Params`], each with every problem of its kind.
    pub fn from_sources(sources: Vec<SourceText>) -> Result<Manifest> {
        Manifest::with_inline_schemas(Model::from_sources(sources)?)
    }

    /// Builds a manifest from app records (each a mapping as in a manifest's `apps` list), as scripts do.
    ///
    /// # Errors
    /// The errors of [`Manifest::from_sources`] but syntax errors.
    pub fn from_records(records: &[Value]) -> Result<Manifest> {
        Manifest::with_inline_schemas(Model::from_records(records)?)
    }

    /// Builds a manifest from app records already read into [`AppSpec`]s, reported as `<records>` exactly like
    /// [`Manifest::from_records`] (the bindings read plain records straight into specs, skipping JSON values).
    ///
    /// ```
    /// use aoa_core::{AppSpec, Manifest};
    /// let api = AppSpec { name: "api".into(), depends_on: vec!["db".into()], ..AppSpec::default() };
    /// let db = AppSpec { name: "db".into(), ..AppSpec::default() };
    /// assert_eq!(Manifest::from_record_specs(vec![api, db]).unwrap().len(), 2);
    /// ```
    ///
    /// # Errors
    /// The errors of [`Manifest::from_records`].
    pub fn from_record_specs(apps: Vec<AppSpec>) -> Result<Manifest> {
        Manifest::with_inline_schemas(Model::from_specs(apps, "<records>")?)
    }

    /// Builds a manifest from typed app specs (reported as `<apps>` in diagnostics).
    ///
    /// # Errors
    /// The errors of [`Manifest::from_records`].
    pub fn from_apps(apps: Vec<AppSpec>) -> Result<Manifest> {
        Manifest::with_inline_schemas(Model::from_specs(apps, "<apps>")?)
    }

    /// A manifest with no registry and no schema files next to it.
    fn with_inline_schemas(model: Model) -> Result<Manifest> {
        let access = load_access(&model)?;
        Manifest::assemble(model, access, HubInputs::none())
    }

    fn assemble(
        model: Model,
        access: OnceLock<AccessIndex>,
        inputs: HubInputs,
    ) -> Result<Manifest> {
        let hub = Hub::load(&model, inputs)?;
        Ok(Manifest {
            model,
            graph: OnceLock::new(),
            access,
            hub,
        })
    }

    /// The model of the manifest (also reached through `Deref`).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The rollout graph, built on first use.
    fn graph(&self) -> &Graph {
        self.graph.get_or_init(|| Graph::build(&self.model))
    }

    /// The rollout plan of every app.
    ///
    /// # Errors
    /// [`Error::Cycle`] naming every cycle; [`Error::InvalidArgument`] for `max_parallel` = 0.
    pub fn plan(&self, options: &PlanOptions) -> Result<Plan<'_>> {
        self.graph().plan(&self.model, options)
    }

    /// Every cycle of the rollout graph (empty when a plan exists).
    pub fn cycles(&self) -> Vec<Cycle> {
        self.graph().cycles(&self.model)
    }

    /// The teardown plan: the exact reverse of the rollout plan.
    ///
    /// # Errors
    /// The errors of [`Manifest::plan`].
    pub fn teardown(&self, options: &PlanOptions) -> Result<Plan<'_>> {
        self.plan(options).map(Plan::reversed)
    }

    /// The changed apps plus everything downstream of them (dependents and descendants, transitively),
    /// as a plan of its own: an app waits only for the impacted apps before it.
    ///
    /// # Errors
    /// [`Error::UnknownApp`] for a name the manifest does not have; the errors of [`Manifest::plan`].
    pub fn impacted<S: AsRef<str>>(
        &self,
        changed: &[S],
        options: &PlanOptions,
    ) -> Result<Plan<'_>> {
        self.graph().impacted(&self.model, changed, options)
    }

    /// The chosen apps plus every app they need first (parents and dependencies, transitively), like
    /// `terraform -target`.
    ///
    /// # Errors
    /// [`Error::UnknownApp`] for a `name=` term naming no app; the errors of [`Manifest::plan`].
    pub fn select(&self, selector: &Selector, options: &PlanOptions) -> Result<Plan<'_>> {
        self.graph().select(&self.model, selector, options)
    }

    /// The apps that roll out right after `id`: its children and the apps that depend on it, by name.
    pub fn successors(&self, id: AppId) -> Vec<AppId> {
        self.graph().successors_by_name(id)
    }

    /// The number of edges of the rollout graph (a parent that is also a dependency counts twice).
    pub fn edge_count(&self) -> usize {
        self.graph().edge_count()
    }

    /// The permission operations (`check`, `effective`, `who_can`, `what_can`) of this manifest.
    ///
    /// The index is built while loading when the manifest has access sections (so their problems are load
    /// errors), and on first use otherwise.
    pub fn access(&self) -> Access<'_> {
        let index = self
            .access
            .get_or_init(|| AccessIndex::build(&self.model).index);
        Access::new(&self.model, index)
    }

    /// Every (subject, app, action) that becomes allowed or stops being allowed from this manifest to
    /// `new`, grouped by subject and by the change that caused it.
    pub fn diff(&self, new: &Manifest) -> AccessDiff {
        crate::access::diff(self.access(), new.access())
    }

    /// The schema that validates the parameters of `id`, if it has one.
    pub fn param_schema(&self, id: AppId) -> Option<&ParsedSchema> {
        self.hub.schema(id)
    }

    /// The schema registry read from `schemas/` next to the manifest (empty for manifests given as text).
    pub fn registry(&self) -> &Registry {
        self.hub.registry()
    }

    /// The resolved parameters of `id`: the `shared_params` of its ancestors from the root down, then its
    /// own `params`, validated against its schema, with schema defaults filled in and the app that set each
    /// value.
    ///
    /// # Errors
    /// [`Error::Params`] naming each value that breaks the schema or a lock.
    pub fn params(&self, id: AppId) -> Result<ResolvedParams<'_>> {
        params::resolve(self, &self.model, &self.hub, id)
    }

    /// The resolved parameters of `id` written in `format` (the Avro formats need a schema).
    ///
    /// # Errors
    /// The errors of [`Manifest::params`]; [`Error::InvalidArgument`] when an Avro format is asked for an
    /// app without a schema.
    pub fn encode_params(&self, id: AppId, format: ParamsFormat) -> Result<Vec<u8>> {
        params::encode(
            self.params(id)?,
            self.param_schema(id),
            self.model.name(id),
            format,
        )
    }
}

/// The access index of `model` built now when an app has a permission section, so that bad sections and
/// escalations are load errors; otherwise left to be built on first use.
fn load_access(model: &Model) -> Result<OnceLock<AccessIndex>> {
    let cell = OnceLock::new();
    if model.has_section(|s| s.is_access()) {
        let _ = cell.set(AccessIndex::build(model).into_result()?);
    }
    Ok(cell)
}

/// The manifest as the hierarchy parameters resolve over (apps numbered by [`AppId`]).
impl ParamTree for Manifest {
    fn app_count(&self) -> u32 {
        self.model.app_count()
    }
    fn parent(&self, app: u32) -> Option<u32> {
        self.model.parent(AppId(app)).map(|p| p.0)
    }
    fn name(&self, app: u32) -> &str {
        self.model.name(AppId(app))
    }
    fn params(&self, app: u32) -> AppParams<'_> {
        self.hub.app_params(&self.model, AppId(app))
    }
    fn schema(&self, app: u32) -> Option<&ParsedSchema> {
        self.hub.schema(AppId(app))
    }
}
