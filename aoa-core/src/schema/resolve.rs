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
//! # Sharing work between apps
//!
//! A [`Resolver`] merges the `shared_params` of each app once, on top of its
//! parent's merged result, and keeps it for every descendant: resolving the
//! 100,000 leaves of 100 parents merges 100 parents, not 100,000 chains.
//! Provenance is recorded once per level (the values each app contributed)
//! and looked up on demand, not as one entry per leaf per app.
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
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use serde_json::{Map, Value};

use super::defaults::fill_in_place;
use super::parse::ParsedSchema;
use super::pointer::{escape, tokens};
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

/// The values one app contributed to a resolution.
#[derive(Debug, Clone, Copy)]
struct Layer<'t> {
    app: &'t str,
    values: &'t Map<String, Value>,
    /// An ancestor's `shared_params` (only the top-level keys the schema
    /// declares reach the app), rather than the app's own `params`.
    inherited: bool,
}

/// The resolved parameters of one app.
///
/// Serializes as `{"app", "value", "provenance"}`, where `provenance` maps
/// the JSON pointer of each leaf set by an app to the app's name.
#[derive(Debug, Clone)]
pub struct ResolvedParams<'t> {
    /// The app.
    pub app: &'t str,
    /// The merged value (with schema defaults when validated).
    pub value: Value,
    schema: Option<&'t ParsedSchema>,
    /// The `shared_params` of the ancestors, root first.
    ancestors: Arc<[Layer<'t>]>,
    own: Option<Layer<'t>>,
}

impl<'t> ResolvedParams<'t> {
    /// The app that set the value at the JSON pointer `path` (or the
    /// closest enclosing value); `None` for schema defaults and for paths
    /// that no app set as one value.
    pub fn set_by(&self, path: &str) -> Option<&'t str> {
        let top = tokens(path).next();
        for layer in self.own.iter().chain(self.ancestors.iter().rev()) {
            if layer.inherited
                && let (Some(schema), Some(top)) = (self.schema, top.as_deref())
                && !schema.declares_field(top)
            {
                continue;
            }
            match walk(layer.values, path) {
                Walk::Leaf => return Some(layer.app),
                Walk::Inner => return None,
                Walk::Absent => {}
            }
        }
        None
    }

    /// The JSON pointer of each leaf of the value to the app that set it;
    /// leaves absent here come from schema defaults.
    pub fn provenance(&self) -> BTreeMap<String, &'t str> {
        let mut out = BTreeMap::new();
        for_each_leaf(&self.value, &mut String::new(), &mut |path, _| {
            if let Some(app) = self.set_by(path) {
                out.insert(path.to_string(), app);
            }
        });
        out
    }
}

impl Serialize for ResolvedParams<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ResolvedParams", 3)?;
        s.serialize_field("app", self.app)?;
        s.serialize_field("value", &self.value)?;
        s.serialize_field("provenance", &self.provenance())?;
        s.end()
    }
}

/// The JSON Schema of the serialized form (for aoa-typegen).
#[cfg(feature = "typegen")]
impl schemars::JsonSchema for ResolvedParams<'_> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ResolvedParams".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        /// The resolved parameters of one app.
        #[derive(schemars::JsonSchema)]
        #[expect(dead_code, reason = "only its schema is used")]
        struct ResolvedParams {
            /// The app.
            app: String,
            /// The merged value (with schema defaults when validated).
            value: Value,
            /// The JSON pointer of each leaf set by an app, to the app's name.
            provenance: BTreeMap<String, String>,
        }
        ResolvedParams::json_schema(generator)
    }
}

/// What a layer holds at a path.
enum Walk {
    /// A value that replaces (a scalar, a list or an empty mapping) at the
    /// path or above it.
    Leaf,
    /// A non-empty mapping exactly at the path.
    Inner,
    /// Nothing.
    Absent,
}

fn walk(values: &Map<String, Value>, path: &str) -> Walk {
    let mut map = values;
    for token in tokens(path) {
        match map.get(token.as_ref()) {
            None => return Walk::Absent,
            Some(Value::Object(inner)) if !inner.is_empty() => map = inner,
            Some(_) => return Walk::Leaf,
        }
    }
    Walk::Inner
}

/// Calls `f` with the pointer and the value of every leaf of `value` (scalars,
/// lists and empty mappings), `path` being the pointer of `value`.
pub(super) fn for_each_leaf(value: &Value, path: &mut String, f: &mut impl FnMut(&str, &Value)) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                let len = path.len();
                path.push('/');
                path.push_str(&escape(key));
                for_each_leaf(item, path, f);
                path.truncate(len);
            }
        }
        leaf => f(path, leaf),
    }
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
        /// Whether the value is in the overrider's `shared_params` (else in its `params`).
        in_shared: bool,
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

/// The merged `shared_params` of an app and its ancestors, computed once
/// and shared by every descendant.
#[derive(Debug)]
struct Node<'t> {
    parent: Option<Arc<Node<'t>>>,
    /// The merged shared values.
    value: Map<String, Value>,
    /// The `shared_params` layers of the app and its ancestors, root first.
    layers: Arc<[Layer<'t>]>,
    /// Active locks of the app and its ancestors: locker and JSON pointer.
    locks: Vec<(u32, &'t str)>,
    /// Problems of the app's own `shared_params` and `locked`.
    errors: Vec<ResolveError>,
    /// Whether this node or an ancestor has problems.
    chain_has_errors: bool,
}

/// Resolves the parameters of the apps of one tree, merging the
/// `shared_params` of each app once for all its descendants.
pub struct Resolver<'t, T: ParamTree> {
    tree: &'t T,
    nodes: FxHashMap<u32, Arc<Node<'t>>>,
}

impl<'t, T: ParamTree> Resolver<'t, T> {
    /// A resolver of the apps of `tree`.
    pub fn new(tree: &'t T) -> Self {
        Resolver {
            tree,
            nodes: FxHashMap::default(),
        }
    }

    /// Merges the parameters of `app` without validating them; reports the
    /// problems of its ancestors' sections too.
    pub fn resolve(&mut self, app: u32) -> Result<ResolvedParams<'t>, Vec<ResolveError>> {
        let (resolved, errors) = self.merge(app, true)?;
        if errors.is_empty() {
            Ok(resolved)
        } else {
            Err(errors)
        }
    }

    /// Merges and validates the parameters of `app`, filling schema defaults;
    /// the merged value is validated even when merging found problems, so
    /// that every problem is reported.
    pub fn resolve_validated(&mut self, app: u32) -> Result<ResolvedParams<'t>, Vec<ResolveError>> {
        self.validated(app, true)
    }

    fn validated(
        &mut self,
        app: u32,
        chain_errors: bool,
    ) -> Result<ResolvedParams<'t>, Vec<ResolveError>> {
        let (mut resolved, mut errors) = self.merge(app, chain_errors)?;
        let Some(schema) = resolved.schema else {
            return if errors.is_empty() {
                Ok(resolved)
            } else {
                Err(errors)
            };
        };
        errors.extend(validate(schema, &resolved.value).into_iter().map(|error| {
            ResolveError::Invalid {
                app: resolved.app.to_string(),
                set_by: resolved.set_by(&error.path).map(str::to_string),
                error,
            }
        }));
        if !errors.is_empty() {
            return Err(errors);
        }
        fill_in_place(schema, &mut resolved.value);
        Ok(resolved)
    }

    /// The problems of the own `shared_params` and `locked` of `app`.
    fn own_problems(&mut self, app: u32) -> Vec<ResolveError> {
        let sections = self.tree.params(app);
        if sections.shared_params.is_none_or(Map::is_empty) && sections.locked.is_empty() {
            return Vec::new();
        }
        match self.node(app) {
            Ok(node) => node.errors.clone(),
            Err(e) => vec![e],
        }
    }

    /// The merged parameters of `app` and the problems found merging them
    /// (with those of its ancestors' sections when `chain_errors`); an error
    /// only when the parent links loop.
    fn merge(
        &mut self,
        app: u32,
        chain_errors: bool,
    ) -> Result<(ResolvedParams<'t>, Vec<ResolveError>), Vec<ResolveError>> {
        let tree = self.tree;
        let base = match tree.parent(app) {
            Some(parent) => Some(self.node(parent).map_err(|e| vec![e])?),
            None => None,
        };
        let mut errors = Vec::new();
        if chain_errors {
            let mut at = base.as_deref().filter(|b| b.chain_has_errors);
            while let Some(node) = at {
                errors.extend(node.errors.iter().cloned());
                at = node.parent.as_deref();
            }
            errors.reverse();
        }
        let schema = tree.schema(app);
        let own = tree.params(app).params;
        let mut value = own.cloned().unwrap_or_default();
        if let Some(base) = &base {
            if let Some(own) = own {
                check_locks(tree, own, &base.locks, app, false, &mut errors);
            }
            for (key, item) in &base.value {
                if schema.is_none_or(|s| s.declares_field(key)) {
                    merge_under(&mut value, key, item);
                }
            }
        }
        let resolved = ResolvedParams {
            app: tree.name(app),
            value: Value::Object(value),
            schema,
            ancestors: base.map_or_else(|| Arc::from(Vec::new()), |b| b.layers.clone()),
            own: own.filter(|m| !m.is_empty()).map(|values| Layer {
                app: tree.name(app),
                values,
                inherited: false,
            }),
        };
        Ok((resolved, errors))
    }

    /// The merged shared values of `app` and its ancestors, computed once.
    fn node(&mut self, app: u32) -> Result<Arc<Node<'t>>, ResolveError> {
        if let Some(node) = self.nodes.get(&app) {
            return Ok(node.clone());
        }
        let tree = self.tree;
        let cycle = || ResolveError::Cycle {
            app: tree.name(app).to_string(),
        };
        let mut pending = vec![app];
        let mut base = None;
        let mut current = tree.parent(app);
        while let Some(ancestor) = current {
            if let Some(node) = self.nodes.get(&ancestor) {
                base = Some(node.clone());
                break;
            }
            if ancestor == app || pending.len() > tree.app_count() as usize {
                return Err(cycle());
            }
            pending.push(ancestor);
            current = tree.parent(ancestor);
        }
        for member in pending.into_iter().rev() {
            let node = Arc::new(self.make_node(base, member));
            self.nodes.insert(member, node.clone());
            base = Some(node);
        }
        base.ok_or_else(cycle)
    }

    fn make_node(&self, parent: Option<Arc<Node<'t>>>, app: u32) -> Node<'t> {
        let tree = self.tree;
        let sections = tree.params(app);
        let mut value = parent.as_ref().map_or_else(Map::new, |p| p.value.clone());
        let inherited_locks = parent.as_ref().map_or(&[][..], |p| &p.locks[..]);
        let mut errors = Vec::new();
        let shared = sections.shared_params.filter(|m| !m.is_empty());
        if let Some(shared) = shared {
            check_locks(tree, shared, inherited_locks, app, true, &mut errors);
            for (key, item) in shared {
                merge_over(&mut value, key, item);
            }
        }
        let mut locks = inherited_locks.to_vec();
        for path in sections.locked {
            if path.is_empty() || path.starts_with('/') {
                locks.push((app, path));
            } else {
                errors.push(ResolveError::BadLock {
                    app: tree.name(app).to_string(),
                    path: path.clone(),
                });
            }
        }
        let layers = match shared {
            Some(values) => parent
                .as_ref()
                .map_or(&[][..], |p| &p.layers[..])
                .iter()
                .copied()
                .chain([Layer {
                    app: tree.name(app),
                    values,
                    inherited: true,
                }])
                .collect(),
            None => parent
                .as_ref()
                .map_or_else(|| Arc::from(Vec::new()), |p| p.layers.clone()),
        };
        Node {
            chain_has_errors: !errors.is_empty()
                || parent.as_ref().is_some_and(|p| p.chain_has_errors),
            parent,
            value,
            layers,
            locks,
            errors,
        }
    }
}

/// Merges the parameters of `app` without validating them.
///
/// To resolve many apps of one tree, use a [`Resolver`], which shares the
/// merged values of common ancestors.
pub fn resolve<T: ParamTree>(tree: &T, app: u32) -> Result<ResolvedParams<'_>, Vec<ResolveError>> {
    Resolver::new(tree).resolve(app)
}

/// Merges and validates the parameters of `app`, filling schema defaults.
pub fn resolve_validated<T: ParamTree>(
    tree: &T,
    app: u32,
) -> Result<ResolvedParams<'_>, Vec<ResolveError>> {
    Resolver::new(tree).resolve_validated(app)
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
/// returns every error of every app, each reported once.
pub fn resolve_all<T: ParamTree>(tree: &T) -> Result<Vec<ResolvedParams<'_>>, Vec<ResolveError>> {
    let mut resolved = Vec::with_capacity(tree.app_count() as usize);
    let errors = for_each_app(tree, |params| resolved.push(params));
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(errors)
    }
}

/// Every error [`resolve_all`] would return, without keeping the resolved
/// values.
pub fn check_all<T: ParamTree>(tree: &T) -> Vec<ResolveError> {
    for_each_app(tree, drop)
}

/// Resolves and validates every app, handing each valid result to `f`;
/// returns every error, each reported once.
fn for_each_app<'t, T: ParamTree>(
    tree: &'t T,
    mut f: impl FnMut(ResolvedParams<'t>),
) -> Vec<ResolveError> {
    let mut errors = check_required_shared(tree);
    let mut resolver = Resolver::new(tree);
    for app in 0..tree.app_count() {
        errors.append(&mut resolver.own_problems(app));
        match resolver.validated(app, false) {
            Ok(params) => f(params),
            Err(mut e) => errors.append(&mut e),
        }
    }
    errors
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

/// Merges `item` over `target[key]`: mappings merge key by key, anything
/// else replaces.
fn merge_over(target: &mut Map<String, Value>, key: &str, item: &Value) {
    match item {
        Value::Object(source) if !source.is_empty() => {
            let slot = match target.get_mut(key) {
                Some(slot) => slot,
                None => target.entry(key).or_insert(Value::Null),
            };
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                for (k, v) in source {
                    merge_over(inner, k, v);
                }
            }
        }
        leaf => {
            target.insert(key.to_string(), leaf.clone());
        }
    }
}

/// Merges `inherited` under `target[key]`, the result of [`merge_over`]
/// with the arguments swapped: values already in `target` win.
fn merge_under(target: &mut Map<String, Value>, key: &str, inherited: &Value) {
    match target.get_mut(key) {
        None => {
            target.insert(key.to_string(), inherited.clone());
        }
        Some(Value::Object(own)) if !own.is_empty() => {
            if let Value::Object(inherited) = inherited {
                for (k, v) in inherited {
                    merge_under(own, k, v);
                }
            }
        }
        Some(_) => {}
    }
}

/// Records an error for every value of `source` (set by `setter`) at, inside
/// or containing one of `locks`.
fn check_locks(
    tree: &impl ParamTree,
    source: &Map<String, Value>,
    locks: &[(u32, &str)],
    setter: u32,
    in_shared: bool,
    errors: &mut Vec<ResolveError>,
) {
    for (locker, locked) in locks {
        for path in lock_violations(source, locked) {
            errors.push(ResolveError::LockedOverride {
                path,
                locked: (*locked).to_string(),
                locker: tree.name(*locker).to_string(),
                overrider: tree.name(setter).to_string(),
                in_shared,
            });
        }
    }
}

/// The pointers of the values of `source` at, inside or containing `locked`.
fn lock_violations(source: &Map<String, Value>, locked: &str) -> Vec<String> {
    let mut map = source;
    let mut path = String::new();
    for token in tokens(locked) {
        let Some(item) = map.get(token.as_ref()) else {
            return Vec::new();
        };
        path.push('/');
        path.push_str(&escape(&token));
        match item {
            Value::Object(inner) if !inner.is_empty() => map = inner,
            _ => return vec![path],
        }
    }
    let mut found = Vec::new();
    for (key, item) in map {
        let mut at = format!("{path}/{}", escape(key));
        for_each_leaf(item, &mut at, &mut |p, _| found.push(p.to_string()));
    }
    found
}
