//! Every store operation by its snake_case name, JSON in and out, for the CLI-free callers: the bindings and the
//! store conformance vectors (`tests/conformance/store/`). The entry points with JSON text are in [`text`],
//! shaped like `aoa_core::dispatch::text`.
//!
//! | operation      | manifest | arguments                         | result |
//! |----------------|----------|-----------------------------------|--------|
//! | `apply`        | yes      | `dry_run`, `allow_gain` (bools)   | [`ApplyReport`](crate::ApplyReport) |
//! | `drift`        | yes      | none                              | [`Drift`](crate::Drift) |
//! | `show`         | no       | `app` (required)                  | [`AppRecord`](crate::AppRecord) |
//! | `history`      | no       | `app` (required)                  | list of [`HistoryEntry`](crate::HistoryEntry) |
//! | `list`         | no       | none                              | list of [`AppRecord`](crate::AppRecord) |
//! | `audit_verify` | no       | none                              | [`Verification`](crate::Verification) |
//! | `audit_show`   | no       | `app`, `since` (RFC 3339 or a date) | list of [`ShownEvent`](crate::ShownEvent) |
//! | `audit_export` | no       | `path` (required)                 | [`ExportReport`](crate::ExportReport) |
//!
//! ```
//! use aoa_store::dispatch::text;
//! let dir = tempfile::tempdir().unwrap();
//! let url = format!("sqlite:{}", dir.path().join("s.db").display());
//! let mut store = text::open(&url, Some(r#"{"actor": "me", "now_ms": 0}"#))?;
//! let m = aoa_core::Manifest::from_str("apps: [{name: a}]", aoa_core::Format::Yaml)?;
//! assert!(text::call(&mut store, Some(&m), "apply", None).contains(r#""registry":"default""#));
//! assert_eq!(text::call(&mut store, None, "show", Some(r#"{"app": "a"}"#)).contains(r#""updated_by":"me""#), true);
//! assert!(text::call(&mut store, None, "apply", None).contains("takes a manifest"));
//! # Ok::<(), aoa_core::Error>(())
//! ```

use crate::state::{ApplyOptions, AuditFilter, StateStore};
use aoa_core::dispatch::to_value;
use aoa_core::{Error, Manifest, Result};
use serde::Serialize;
use serde_json::Value;

/// The public description of one store operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StoreOperation {
    /// The canonical snake_case name.
    pub name: &'static str,
    /// Whether it takes a manifest besides the store.
    pub manifest: bool,
    /// The argument names it accepts (required ones first, in call order).
    pub args: &'static [&'static str],
}

/// Every store operation.
pub const OPERATIONS: &[StoreOperation] = &[
    op("apply", true, &["dry_run", "allow_gain"]),
    op("drift", true, &[]),
    op("show", false, &["app"]),
    op("history", false, &["app"]),
    op("list", false, &[]),
    op("audit_verify", false, &[]),
    op("audit_show", false, &["app", "since"]),
    op("audit_export", false, &["path"]),
];

const fn op(name: &'static str, manifest: bool, args: &'static [&'static str]) -> StoreOperation {
    StoreOperation {
        name,
        manifest,
        args,
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument { message }
}

/// Runs `operation` on `store` (and `manifest`, for the operations that take one) with `args` (an object or
/// `null`).
///
/// # Errors
/// An unknown operation or argument, a missing manifest or argument, or the operation's own error.
pub fn call(
    store: &mut StateStore,
    manifest: Option<&Manifest>,
    operation: &str,
    args: &Value,
) -> Result<Value> {
    let Some(op) = OPERATIONS.iter().find(|o| o.name == operation) else {
        let hint = aoa_core::suggest::did_you_mean(operation, OPERATIONS.iter().map(|o| o.name))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(invalid(format!(
            "unknown store operation `{operation}`{hint}"
        )));
    };
    let empty = serde_json::Map::new();
    let args = match args {
        Value::Null => &empty,
        Value::Object(map) => map,
        _ => {
            return Err(invalid(format!(
                "the arguments of `{operation}` must be an object"
            )));
        }
    };
    if let Some(name) = args.keys().find(|k| !op.args.contains(&k.as_str())) {
        return Err(invalid(format!(
            "unknown argument of `{operation}` `{name}`"
        )));
    }
    let manifest = match (op.manifest, manifest) {
        (true, Some(m)) => Some(m),
        (true, None) => {
            return Err(invalid(format!(
                "store operation `{operation}` takes a manifest"
            )));
        }
        (false, Some(_)) => {
            return Err(invalid(format!(
                "store operation `{operation}` takes no manifest"
            )));
        }
        (false, None) => None,
    };
    let flag = |name: &str| match args.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(format!("`{name}` must be a boolean"))),
    };
    let text = |name: &str| match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("`{name}` must be a string"))),
    };
    let required =
        |name: &str| text(name)?.ok_or_else(|| invalid(format!("missing argument `{name}`")));
    match (op.name, manifest) {
        ("apply", Some(m)) => to_value(&store.apply(
            m,
            ApplyOptions {
                dry_run: flag("dry_run")?,
                allow_gain: flag("allow_gain")?,
            },
        )?),
        ("drift", Some(m)) => to_value(&store.drift(m)?),
        ("show", _) => to_value(&store.show(&required("app")?)?),
        ("history", _) => to_value(&store.history(&required("app")?)?),
        ("list", _) => to_value(&store.list()?),
        ("audit_verify", _) => to_value(&store.verify()?),
        ("audit_show", _) => {
            let since = text("since")?
                .map(|s| {
                    crate::clock::parse_rfc3339(&s).ok_or_else(|| {
                        invalid(format!("`since` is not an RFC 3339 time or a date: `{s}`"))
                    })
                })
                .transpose()?;
            to_value(&store.events(&AuditFilter {
                app: text("app")?,
                since,
            })?)
        }
        ("audit_export", _) => to_value(&store.export(std::path::Path::new(&required("path")?))?),
        _ => Err(invalid(format!("unknown store operation `{operation}`"))),
    }
}

/// The entry points with JSON text, for the bindings: open a store, call an operation, list the operations.
pub mod text {
    use super::{OPERATIONS, StateStore, Value, invalid};
    use crate::clock::ManualClock;
    use crate::state::Options;
    use aoa_core::dispatch::text::failure;
    use aoa_core::{Manifest, Result};
    use std::sync::Arc;
    use std::time::Duration;

    /// Opens the store at `url` with `options`, a JSON object (or `None`): `registry`, `actor`, `lease_ttl_ms`,
    /// `lease_wait_ms`, and `now_ms` (a fixed clock, for tests and vectors).
    ///
    /// # Errors
    /// Options that are not such an object; the store's errors.
    pub fn open(url: &str, options: Option<&str>) -> Result<StateStore> {
        let parsed: Value = match options {
            None => Value::Null,
            Some(text) => serde_json::from_str(text)
                .map_err(|e| invalid(format!("the store options are not JSON: {e}")))?,
        };
        let mut o = Options::default();
        for (key, value) in parsed.as_object().into_iter().flatten() {
            let text = || {
                value
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid(format!("`{key}` must be a string")))
            };
            let number = || {
                value
                    .as_i64()
                    .ok_or_else(|| invalid(format!("`{key}` must be an integer")))
            };
            let millis = || number().map(|n| Duration::from_millis(n.max(0).cast_unsigned()));
            match key.as_str() {
                "registry" => o.registry = text()?,
                "actor" => o.actor = text()?,
                "now_ms" => o.clock = Arc::new(ManualClock::at(number()?)),
                "lease_ttl_ms" => o.lease_ttl = millis()?,
                "lease_wait_ms" => o.lease_wait = millis()?,
                _ => return Err(invalid(format!("unknown store option `{key}`"))),
            }
        }
        crate::state::open(url, o)
    }

    /// Runs `operation` (see [`super::call`]) with `args` as JSON text (`None`: none).
    ///
    /// # Errors
    /// Arguments that are not JSON; the operation's errors.
    pub fn run(
        store: &mut StateStore,
        manifest: Option<&Manifest>,
        operation: &str,
        args: Option<&str>,
    ) -> Result<Value> {
        let args = match args {
            None => Value::Null,
            Some(t) => serde_json::from_str(t)
                .map_err(|e| invalid(format!("the arguments are not JSON: {e}")))?,
        };
        super::call(store, manifest, operation, &args)
    }

    /// [`run`], its outcome as text: `{"ok": result}` or `{"error": ...}`.
    pub fn call(
        store: &mut StateStore,
        manifest: Option<&Manifest>,
        operation: &str,
        args: Option<&str>,
    ) -> String {
        match run(store, manifest, operation, args) {
            Ok(value) => format!("{{\"ok\":{value}}}"),
            Err(e) => failure(&e),
        }
    }

    /// Every store operation as a JSON list of `{"name", "manifest", "args"}`.
    pub fn operations() -> String {
        serde_json::to_string(OPERATIONS).unwrap_or_default()
    }
}
