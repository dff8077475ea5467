//! Resolution of the parameters of every app of a hierarchy.
//!
//! Each app has `params` (its own values), `shared_params` (values that flow
//! to every descendant), `locked` (JSON pointers descendants may not set)
//! and `required_shared` (shared keys every descendant schema must
//! declare). An app's parameters are the `shared_params` of its ancestors
//! from the root down, then its own `params`. Objects merge key by key;
//! arrays and scalars replace. Setting a locked path, anything inside it, or
//! anything containing it, from a descendant of the locker is an error
//! naming both apps. Every resolved leaf remembers the app that set it.
//!
//! # Inherited keys and strict schemas (Helm pitfall helm#10392)
//!
//! In Helm, an injected `global` key breaks subcharts whose schema forbids
//! unknown keys. Here an app receives only the inherited top-level keys its
//! schema declares; the unknown-key error applies to the app's own
//! `params`. An ancestor that needs a key to reach every descendant lists it
//! in `required_shared`, and then every descendant schema must declare it.
//!
//! For example, with `root` sharing `{"global": {"region": "eu"}, "team":
//! "core"}` and requiring `global`, a child whose schema declares only
//! `global` and `port` receives `{"global": {"region": "eu"}}` plus its own
//! `params` — `team` is silently not inherited, while `{"prot": 1}` in the
//! child's own `params` is an unknown key (did you mean `port`) — and a
//! child whose schema does not declare `global` is an error naming the child
//! and `global`. Apps without a schema inherit every shared key and are not
//! validated.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::defaults::fill_in_place;
use super::parse::ParsedSchema;
use super::pointer::escape;
use super::validate::{ValidationError, validate};

/// The parameter sections of one app.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppParams<'a> {
    /// Values for the app itself.
    pub params: Option<&'a Map<String, Value>>,
    /// Values flowing to every descendant.
    pub shared_params: Option<&'a Map<String, Value>>,
    /// JSON pointers descendants may not set.
    pub locked: &'a [String],
    /// Shared top-level keys every descendant schema must declare.
    pub required_shared: &'a [String],
}

/// The hierarchy of apps, numbered `0..app_count()`.
pub trait ParamTree {
    /// The number of apps.
    fn app_count(&self) -> u32;
    /// The parent of `app`, `None` for a root.
    fn parent(&self, app: u32) -> Option<u32>;
    /// The name of `app`, for messages and provenance.
    fn name(&self, app: u32) -> &str;
    /// The parameter sections of `app`.
    fn params(&self, app: u32) -> AppParams<'_>;
    /// The parameter schema of `app`, if it has one.
    fn schema(&self, app: u32) -> Option<&ParsedSchema>;
}

/// The resolved parameters of one app.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedParams {
    /// The app.
    pub app: String,
    /// The merged value (with schema defaults when validated).
    pub value: Value,
    /// JSON pointer of each leaf set by an app to the app's name; leaves
    /// absent here come from schema defaults.
    pub provenance: BTreeMap<String, String>,
}

/// Why parameters could not be resolved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResolveError {
    /// A descendant sets a locked path.
    #[error("app `{overrider}` sets `{path}`, which `{locker}` locked as `{locked}`")]
    LockedOverride {
        /// The path set.
        path: String,
        /// The locked path.
        locked: String,
        /// The app that locked it.
        locker: String,
        /// The app that set it.
        overrider: String,
    },
    /// A lock that is not a JSON pointer.
    #[error("lock `{path}` of app `{app}` is not a json pointer such as `/db/port`")]
    BadLock {
        /// The app.
        app: String,
        /// The lock as given.
        path: String,
    },
    /// A descendant schema lacks a required shared key.
    #[error(
        "schema of app `{app}` does not declare shared key `{key}` required by `{required_by}`"
    )]
    MissingSharedKey {
        /// The descendant.
        app: String,
        /// The key.
        key: String,
        /// The ancestor requiring it.
        required_by: String,
    },
    /// The parent links loop.
    #[error("app `{app}` is its own ancestor")]
    Cycle {
        /// An app on the loop.
        app: String,
    },
    /// A resolved value breaks the app's schema.
    #[error("app `{app}`: {error}{}", set_by_suffix(.set_by.as_deref()))]
    Invalid {
        /// The app.
        app: String,
        /// The app that set the offending value, when known.
        set_by: Option<String>,
        /// The validation error.
        error: ValidationError,
    },
}

fn set_by_suffix(set_by: Option<&str>) -> String {
    set_by.map_or(String::new(), |s| format!(" (set by `{s}`)"))
}

/// Merges the parameters of `app` without validating them.
pub fn resolve(tree: &impl ParamTree, app: u32) -> Result<ResolvedParams, Vec<ResolveError>> {
    let chain = ancestors(tree, app)?;
    let schema = tree.schema(app);
    let mut merger = Merger {
        tree,
        locks: Vec::new(),
        provenance: BTreeMap::new(),
        errors: Vec::new(),
    };
    let mut value = Map::new();
    for ancestor in chain {
        let sections = tree.params(ancestor);
        for (key, item) in sections.shared_params.into_iter().flatten() {
            if schema.is_none_or(|s| s.declares_field(key)) {
                merger.set(&mut value, key, item, String::new(), ancestor);
            }
        }
        merger.add_locks(ancestor, sections.locked);
    }
    for (key, item) in tree.params(app).params.into_iter().flatten() {
        merger.set(&mut value, key, item, String::new(), app);
    }
    if !merger.errors.is_empty() {
        return Err(merger.errors);
    }
    Ok(ResolvedParams {
        app: tree.name(app).to_string(),
        value: Value::Object(value),
        provenance: merger
            .provenance
            .into_iter()
            .map(|(path, setter)| (path, tree.name(setter).to_string()))
            .collect(),
    })
}

/// Merges and validates the parameters of `app`, filling schema defaults.
pub fn resolve_validated(
    tree: &impl ParamTree,
    app: u32,
) -> Result<ResolvedParams, Vec<ResolveError>> {
    let mut resolved = resolve(tree, app)?;
    let Some(schema) = tree.schema(app) else {
        return Ok(resolved);
    };
    let errors: Vec<ResolveError> = validate(schema, &resolved.value)
        .into_iter()
        .map(|error| ResolveError::Invalid {
            app: resolved.app.clone(),
            set_by: setter_of(&resolved.provenance, &error.path),
            error,
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    fill_in_place(schema, &mut resolved.value);
    Ok(resolved)
}

/// Checks that every descendant schema declares the `required_shared` keys
/// of its ancestors.
pub fn check_required_shared(tree: &impl ParamTree) -> Vec<ResolveError> {
    let mut errors = Vec::new();
    for app in 0..tree.app_count() {
        let Some(schema) = tree.schema(app) else {
            continue;
        };
        let chain = match ancestors(tree, app) {
            Ok(chain) => chain,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        for ancestor in chain {
            for key in tree.params(ancestor).required_shared {
                if !schema.declares_field(key) {
                    errors.push(ResolveError::MissingSharedKey {
                        app: tree.name(app).to_string(),
                        key: key.clone(),
                        required_by: tree.name(ancestor).to_string(),
                    });
                }
            }
        }
    }
    errors
}

/// Resolves and validates every app, after checking required shared keys;
/// returns every error of every app.
pub fn resolve_all(tree: &impl ParamTree) -> Result<Vec<ResolvedParams>, Vec<ResolveError>> {
    let mut errors = check_required_shared(tree);
    let mut resolved = Vec::with_capacity(tree.app_count() as usize);
    for app in 0..tree.app_count() {
        match resolve_validated(tree, app) {
            Ok(params) => resolved.push(params),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(errors)
    }
}

/// The app that set the value at `path` or at its closest ancestor path.
fn setter_of(provenance: &BTreeMap<String, String>, path: &str) -> Option<String> {
    let mut current = path;
    loop {
        if let Some(setter) = provenance.get(current) {
            return Some(setter.clone());
        }
        current = &current[..current.rfind('/')?];
    }
}

/// The strict ancestors of `app`, root first.
fn ancestors(tree: &impl ParamTree, app: u32) -> Result<Vec<u32>, Vec<ResolveError>> {
    let mut chain = Vec::new();
    let mut current = tree.parent(app);
    while let Some(ancestor) = current {
        if ancestor == app || chain.len() > tree.app_count() as usize {
            return Err(vec![ResolveError::Cycle {
                app: tree.name(app).to_string(),
            }]);
        }
        chain.push(ancestor);
        current = tree.parent(ancestor);
    }
    chain.reverse();
    Ok(chain)
}

struct Merger<'t, T> {
    tree: &'t T,
    /// Active locks: locker and JSON pointer.
    locks: Vec<(u32, &'t str)>,
    provenance: BTreeMap<String, u32>,
    errors: Vec<ResolveError>,
}

impl<'t, T: ParamTree> Merger<'t, T> {
    fn add_locks(&mut self, app: u32, locked: &'t [String]) {
        for path in locked {
            if path.is_empty() || path.starts_with('/') {
                self.locks.push((app, path));
            } else {
                self.errors.push(ResolveError::BadLock {
                    app: self.tree.name(app).to_string(),
                    path: path.clone(),
                });
            }
        }
    }

    /// Sets `key` of `target` (at pointer `base`) to `item`, set by `setter`.
    fn set(
        &mut self,
        target: &mut Map<String, Value>,
        key: &str,
        item: &Value,
        base: String,
        setter: u32,
    ) {
        let path = format!("{base}/{}", escape(key));
        match item {
            Value::Object(source) if !source.is_empty() => {
                let slot = target
                    .entry(key.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                    self.forget(&path);
                }
                if let Value::Object(inner) = slot {
                    for (k, v) in source {
                        self.set(inner, k, v, path.clone(), setter);
                    }
                }
            }
            leaf => {
                if self.check_locks(&path, setter) {
                    if matches!(target.get(key), Some(Value::Object(_))) {
                        self.forget(&path);
                    }
                    target.insert(key.to_string(), leaf.clone());
                    self.provenance.insert(path, setter);
                }
            }
        }
    }

    /// Drops provenance below `path`, whose subtree is being replaced.
    fn forget(&mut self, path: &str) {
        let prefix = format!("{path}/");
        let below: Vec<String> = self
            .provenance
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| p.clone())
            .collect();
        for p in below {
            self.provenance.remove(&p);
        }
        self.provenance.remove(path);
    }

    /// Whether `setter` may set `path`; records an error otherwise.
    fn check_locks(&mut self, path: &str, setter: u32) -> bool {
        let within = |outer: &str, inner: &str| {
            inner == outer || (inner.starts_with(outer) && inner[outer.len()..].starts_with('/'))
        };
        let violated = self
            .locks
            .iter()
            .find(|(_, locked)| within(locked, path) || within(path, locked));
        match violated {
            None => true,
            Some((locker, locked)) => {
                self.errors.push(ResolveError::LockedOverride {
                    path: path.to_string(),
                    locked: locked.to_string(),
                    locker: self.tree.name(*locker).to_string(),
                    overrider: self.tree.name(setter).to_string(),
                });
                false
            }
        }
    }
}
