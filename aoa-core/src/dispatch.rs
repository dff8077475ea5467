//! Every operation by its canonical name, with JSON arguments and JSON results: the one dispatch the C ABI
//! and the conformance runners use, so that a new operation needs one line here and one line per binding.
//!
//! Operations and their arguments (every argument optional unless marked):
//!
//! | operation  | arguments                                        | result                 |
//! |------------|--------------------------------------------------|------------------------|
//! | `plan`     | `max_parallel`                                   | [`Plan`](crate::Plan)               |
//! | `teardown` | `max_parallel`                                   | [`Plan`](crate::Plan) (reversed)    |
//! | `impacted` | `changed` (required, list of names), `max_parallel` | [`Plan`](crate::Plan)            |
//! | `select`   | `selector` (required, clause or list of clauses `k=v,k=v`), `max_parallel` | [`Plan`](crate::Plan) |
//! | `cycles`   | none                                             | list of [`Cycle`](crate::Cycle)      |
//! | `validate` | none                                             | [`Validation`]         |
//! | `graph`    | `diagram` (`dot`, the default, or `mermaid`)     | the diagram, as text   |
//! | `check`    | `subject`, `action`, `app` (required), `groups`  | [`Decision`](crate::access::Decision) |
//! | `effective`| `app` (required)                                 | [`Effective`](crate::access::Effective) |
//! | `who_can`  | `action`, `app` (required)                       | [`WhoCan`](crate::access::WhoCan) |
//! | `what_can` | `subject` (required), `groups`                   | [`WhatCan`](crate::access::WhatCan) |
//! | `identity` | `app` (required)                                 | list of the app identity's actions |
//! | `secrets`  | `app` (required)                                 | [`AppSecrets`](crate::access::AppSecrets) |
//! | `secret_readers` | `secret` (required, a reference)           | [`SecretReaders`](crate::access::SecretReaders) |
//! | `azure_role_assignments` | `scope_prefix` (required, `/subscriptions/S/resourceGroups/RG`) | [`RoleAssignments`](crate::access::RoleAssignments) |
//! | `exchange` | `subject_claims` (the verified subject token's claims), `audience`, `issuer`, `now`, `jti` (required), `scope`, `client`, `ttl`, `max_act_depth`, `groups_claim` | [`ExchangeOutcome`](crate::access::ExchangeOutcome): the claims to sign, or the refusal |
//! | `secrets_due` | `now` (required: UTC date-time or epoch seconds), `within` (default `30d`), `max_parallel` | [`SecretsDue`](crate::api::SecretsDue) |
//! | `params`   | `app` (required), `explain` (bool), `encoding` (`json`, `avro-json`, `avro-binary`) | [`ParamsReport`] |
//! | `schema_check` | `subject`, `schema` (required; the `.avsc` text), `mode` | [`CheckReport`](crate::schema::CheckReport) against the manifest's registry |
//!
//! Two operations take something else than one manifest, each through its own entry point:
//!
//! | operation            | entry point   | arguments                 | result                 |
//! |----------------------|---------------|---------------------------|------------------------|
//! | `diff`               | [`call_pair`] (old, new) | none           | [`AccessDiff`](crate::access::AccessDiff) |
//! | `schema_fingerprint` | [`call_free`] | `schema` (required, the `.avsc` text) | [`Fingerprints`](crate::schema::Fingerprints) |
//! | `argocd_import`      | [`call_free`] | `dir` (required), `mounts` (`FROM=TO` list) | [`Import`](crate::argocd::Import) |
//! | `argocd_order`       | [`call_free`] | `dir` (required), `mounts` | [`Order`](crate::argocd::Order) |
//! | `argocd_can`         | [`call_free`] | `subject`, `action`, `resource` (required), `object`, `policy_dir` (a repository whose `argocd-rbac-cm` and AppProjects apply) | [`Verdict`](crate::argocd::Verdict) |
//! | `argocd_projects`    | [`call_free`] | `dir` (required), `mounts` | [`Projects`](crate::argocd::Projects) |
//!
//! And `argocd_export` (no arguments) takes one manifest: [`Export`](crate::argocd::Export), sync waves from its
//! plan.
//!
//! [`operations`] lists every operation with its [`Kind`] (which entry point) and its argument names; calling
//! an operation through the wrong entry point is an [`Error::InvalidArgument`] naming the right one.
//!
//! ```
//! use aoa_core::{Format, Manifest, dispatch};
//! let m = Manifest::from_str("apps:\n- name: a\n- name: b\n  depends_on: [a]\n", Format::Yaml)?;
//! let plan = dispatch::call(&m, "plan", &serde_json::json!({"max_parallel": 1}))?;
//! assert_eq!(plan["waves"][1]["batches"], serde_json::json!([["b"]]));
//! assert_eq!(dispatch::call(&m, "plam", &serde_json::Value::Null).unwrap_err().to_string(),
//!     "invalid argument: unknown operation `plam`; did you mean `plan`?");
//! # Ok::<(), aoa_core::Error>(())
//! ```

mod args;
mod diagram;
mod reports;

pub use args::plan_options;
pub use diagram::{Diagram, diagram, write_diagram};
pub use reports::{
    ParamsReport, Validation, hex, open_registry, params, parse_schema, read_schema, validate,
    validate_loaded,
};

use args::Args;
use reports::params_format;

use crate::api::Manifest;
use crate::argocd;
use crate::error::{Error, Result};
use crate::graph::Selector;
use crate::manifest::AppSpec;
use crate::schema::fingerprints;
use crate::source::{self, Format};
use crate::suggest;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// What an operation runs on, hence which entry point calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One manifest: [`call`].
    Manifest,
    /// Two manifests, old and new: [`call_pair`].
    Pair,
    /// No manifest: [`call_free`].
    Free,
}

impl Kind {
    /// What the operation takes and the entry point that calls it, for error messages.
    fn entry_point(self) -> &'static str {
        match self {
            Kind::Manifest => "one manifest: call it with `call`",
            Kind::Pair => "two manifests (old, new): call it with `call_pair`",
            Kind::Free => "no manifest: call it with `call_free`",
        }
    }
}

/// The public description of one operation: its canonical name, its kind and the argument names it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OperationInfo {
    /// The canonical snake_case name (the same in every language).
    pub name: &'static str,
    /// What it runs on: which entry point calls it.
    pub kind: Kind,
    /// The names of the arguments it accepts, required or not.
    pub args: &'static [&'static str],
}

/// How an operation runs, by kind.
#[derive(Clone, Copy)]
enum Run {
    Manifest(fn(&Manifest, &Args<'_>) -> Result<Value>),
    Pair(fn(&Manifest, &Manifest, &Args<'_>) -> Result<Value>),
    Free(fn(&Args<'_>) -> Result<Value>),
}

/// One operation: its canonical name, the argument names it accepts, and how to run it.
struct Operation {
    name: &'static str,
    args: &'static [&'static str],
    run: Run,
}

impl Operation {
    fn kind(&self) -> Kind {
        match self.run {
            Run::Manifest(_) => Kind::Manifest,
            Run::Pair(_) => Kind::Pair,
            Run::Free(_) => Kind::Free,
        }
    }

    fn info(&self) -> OperationInfo {
        OperationInfo {
            name: self.name,
            kind: self.kind(),
            args: self.args,
        }
    }
}

/// Every operation, by canonical name (add a line here to add one).
const OPERATIONS: &[Operation] = &[
    Operation {
        name: "plan",
        args: &["max_parallel"],
        run: Run::Manifest(|m, a| to_value(&m.plan(&a.plan_options()?)?)),
    },
    Operation {
        name: "teardown",
        args: &["max_parallel"],
        run: Run::Manifest(|m, a| to_value(&m.teardown(&a.plan_options()?)?)),
    },
    Operation {
        name: "impacted",
        args: &["changed", "max_parallel"],
        run: Run::Manifest(|m, a| {
            to_value(&m.impacted(&a.strings("changed")?, &a.plan_options()?)?)
        }),
    },
    Operation {
        name: "select",
        args: &["selector", "max_parallel"],
        run: Run::Manifest(|m, a| {
            let selector = Selector::parse(&a.strings("selector")?)?;
            to_value(&m.select(&selector, &a.plan_options()?)?)
        }),
    },
    Operation {
        name: "cycles",
        args: &[],
        run: Run::Manifest(|m, _| to_value(&m.cycles())),
    },
    Operation {
        name: "validate",
        args: &[],
        run: Run::Manifest(|m, _| to_value(&validate(m)?)),
    },
    Operation {
        name: "graph",
        args: &["diagram"],
        run: Run::Manifest(|m, a| {
            let kind = a
                .optional_string("diagram")?
                .map_or(Ok(Diagram::Dot), Diagram::parse)?;
            Ok(Value::String(diagram(m, kind)))
        }),
    },
    Operation {
        name: "check",
        args: &["subject", "action", "app", "groups"],
        run: Run::Manifest(|m, a| {
            let groups = a.optional_strings("groups")?;
            to_value(&m.access().check(
                a.string("subject")?,
                &groups,
                a.string("action")?,
                a.string("app")?,
            )?)
        }),
    },
    Operation {
        name: "effective",
        args: &["app"],
        run: Run::Manifest(|m, a| to_value(&m.access().effective(a.string("app")?)?)),
    },
    Operation {
        name: "who_can",
        args: &["action", "app"],
        run: Run::Manifest(|m, a| {
            to_value(&m.access().who_can(a.string("action")?, a.string("app")?)?)
        }),
    },
    Operation {
        name: "what_can",
        args: &["subject", "groups"],
        run: Run::Manifest(|m, a| {
            let groups = a.optional_strings("groups")?;
            to_value(&m.access().what_can(a.string("subject")?, &groups)?)
        }),
    },
    Operation {
        name: "identity",
        args: &["app"],
        run: Run::Manifest(|m, a| to_value(&m.access().identity(a.string("app")?)?)),
    },
    Operation {
        name: "secrets",
        args: &["app"],
        run: Run::Manifest(|m, a| to_value(&m.access().secrets(a.string("app")?)?)),
    },
    Operation {
        name: "secret_readers",
        args: &["secret"],
        run: Run::Manifest(|m, a| to_value(&m.access().secret_readers(a.string("secret")?)?)),
    },
    Operation {
        name: "secrets_due",
        args: &["now", "within", "max_parallel"],
        run: Run::Manifest(|m, a| {
            let (now, within) = (a.time("now")?, a.duration("within", "30d")?);
            to_value(&m.secrets_due(now, within, &a.plan_options()?)?)
        }),
    },
    Operation {
        name: "azure_role_assignments",
        args: &["scope_prefix"],
        run: Run::Manifest(|m, a| {
            to_value(
                &m.access()
                    .azure_role_assignments(a.string("scope_prefix")?)?,
            )
        }),
    },
    Operation {
        name: "exchange",
        args: &[
            "subject_claims",
            "audience",
            "issuer",
            "now",
            "jti",
            "scope",
            "client",
            "ttl",
            "max_act_depth",
            "groups_claim",
        ],
        run: Run::Manifest(|m, a| to_value(&exchange(m, a)?)),
    },
    Operation {
        name: "params",
        args: &["app", "explain", "encoding"],
        run: Run::Manifest(|m, a| {
            let encoding = a
                .optional_string("encoding")?
                .map(params_format)
                .transpose()?;
            to_value(&params(m, a.string("app")?, a.bool("explain")?, encoding)?)
        }),
    },
    Operation {
        name: "schema_check",
        args: &["subject", "schema", "mode"],
        run: Run::Manifest(|m, a| {
            let schema = parse_schema(a.string("schema")?, None)?;
            let mode = a.optional_string("mode")?;
            to_value(
                &m.registry()
                    .check_subject(a.string("subject")?, &schema, mode)?,
            )
        }),
    },
    Operation {
        name: "diff",
        args: &[],
        run: Run::Pair(|old, new, _| to_value(&old.diff(new))),
    },
    Operation {
        name: "schema_fingerprint",
        args: &["schema"],
        run: Run::Free(|a| to_value(&fingerprints(&parse_schema(a.string("schema")?, None)?))),
    },
    Operation {
        name: "argocd_import",
        args: &["dir", "mounts"],
        run: Run::Free(|a| {
            to_value(&argocd::import(
                Path::new(a.string("dir")?),
                &import_options(a)?,
            )?)
        }),
    },
    Operation {
        name: "argocd_order",
        args: &["dir", "mounts"],
        run: Run::Free(|a| {
            to_value(&argocd::order_dir(
                Path::new(a.string("dir")?),
                &import_options(a)?,
            )?)
        }),
    },
    Operation {
        name: "argocd_can",
        args: &["subject", "action", "resource", "object", "policy_dir"],
        run: Run::Free(|a| {
            to_value(&argocd::can(
                a.optional_string("policy_dir")?.map(Path::new),
                a.string("subject")?,
                a.string("action")?,
                a.string("resource")?,
                a.optional_string("object")?.unwrap_or(""),
            )?)
        }),
    },
    Operation {
        name: "argocd_projects",
        args: &["dir", "mounts"],
        run: Run::Free(|a| {
            to_value(&argocd::projects_dir(
                Path::new(a.string("dir")?),
                &import_options(a)?,
            )?)
        }),
    },
    Operation {
        name: "argocd_export",
        args: &[],
        run: Run::Manifest(|m, _| to_value(&argocd::export(m)?)),
    },
];

/// Import options from `mounts` (a list of `FROM=TO` path rewrites).
fn import_options(a: &Args<'_>) -> Result<argocd::ImportOptions> {
    let mounts = a
        .optional_strings("mounts")?
        .into_iter()
        .map(|m| {
            m.split_once('=')
                .map(|(from, to)| (from.to_string(), to.to_string()))
                .ok_or_else(|| invalid(format!("a mount is `FROM=TO`, not `{m}`")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(argocd::ImportOptions {
        mounts,
        ..argocd::ImportOptions::default()
    })
}

/// The `exchange` operation: the token-exchange decision over verified subject-token claims.
fn exchange(m: &Manifest, a: &Args<'_>) -> Result<crate::access::ExchangeOutcome> {
    let Some(Value::Object(subject)) = a.get("subject_claims") else {
        return Err(invalid(
            "`subject_claims` must be an object (the verified subject token's claims)".into(),
        ));
    };
    let exp = (subject.get("exp").and_then(Value::as_i64))
        .ok_or_else(|| invalid("`subject_claims` needs a numeric `exp`".into()))?;
    let mut policy = crate::access::ExchangePolicy::new(a.string("issuer")?);
    if let Some(ttl) = a.get("ttl") {
        policy.ttl = ttl
            .as_i64()
            .ok_or_else(|| invalid("`ttl` must be seconds".into()))?;
    }
    if let Some(depth) = a.get("max_act_depth") {
        let depth = depth.as_u64().and_then(|d| usize::try_from(d).ok());
        policy.max_act_depth =
            depth.ok_or_else(|| invalid("`max_act_depth` must be a count".into()))?;
    }
    if let Some(claim) = a.optional_string("groups_claim")? {
        policy.groups_claim = claim.to_string();
    }
    let request = crate::access::ExchangeRequest {
        audience: a.string("audience")?,
        scope: a.optional_string("scope")?,
        client: a.optional_string("client")?,
    };
    let result = m.access().exchange(
        subject,
        exp,
        &request,
        &policy,
        a.time("now")?,
        a.string("jti")?,
    );
    Ok(result.into())
}

/// Every operation, in the order of the table above, with its kind and argument names.
pub fn operations() -> impl Iterator<Item = OperationInfo> {
    OPERATIONS.iter().map(Operation::info)
}

/// Runs `operation` on `manifest` with `args` (a JSON object, or `null` for no arguments).
///
/// # Errors
///
/// An unknown operation or argument, an argument of the wrong type, or an operation that does not take one
/// manifest is an [`Error::InvalidArgument`] (with a did-you-mean hint when a close name exists); otherwise
/// the operation's own error.
pub fn call(manifest: &Manifest, operation: &str, args: &Value) -> Result<Value> {
    let (op, args) = find(operation, Kind::Manifest, args)?;
    match op.run {
        Run::Manifest(run) => run(manifest, &args),
        Run::Pair(_) | Run::Free(_) => Err(wrong_entry_point(op)),
    }
}

/// Runs an operation on two manifests, `old` and `new` (`diff`: every (subject, app, action) that becomes
/// allowed or stops being allowed, grouped by subject and by the change that caused it).
///
/// # Errors
///
/// As [`call`], for operations that take two manifests.
pub fn call_pair(old: &Manifest, new: &Manifest, operation: &str, args: &Value) -> Result<Value> {
    let (op, args) = find(operation, Kind::Pair, args)?;
    match op.run {
        Run::Pair(run) => run(old, new, &args),
        Run::Manifest(_) | Run::Free(_) => Err(wrong_entry_point(op)),
    }
}

/// Runs an operation that takes no manifest (`schema_fingerprint`).
///
/// # Errors
///
/// As [`call`], for operations that take no manifest.
pub fn call_free(operation: &str, args: &Value) -> Result<Value> {
    let (op, args) = find(operation, Kind::Free, args)?;
    match op.run {
        Run::Free(run) => run(&args),
        Run::Manifest(_) | Run::Pair(_) => Err(wrong_entry_point(op)),
    }
}

/// The operation named `operation` and its checked arguments; an unknown name is suggested among the
/// operations of `kind` first, then among all.
fn find<'a>(
    operation: &str,
    kind: Kind,
    args: &'a Value,
) -> Result<(&'static Operation, Args<'a>)> {
    let Some(op) = OPERATIONS.iter().find(|op| op.name == operation) else {
        let same_kind = OPERATIONS.iter().filter(|op| op.kind() == kind);
        let message = match suggest::did_you_mean(operation, same_kind.map(|op| op.name)) {
            Some(s) => format!("unknown operation `{operation}`; did you mean `{s}`?"),
            None => unknown("operation", operation, OPERATIONS.iter().map(|op| op.name)),
        };
        return Err(invalid(message));
    };
    if source::nests_deeper_than(args, source::MAX_VALUE_NESTING) {
        return Err(invalid(format!(
            "the arguments of `{operation}` nest deeper than {} levels",
            source::MAX_VALUE_NESTING
        )));
    }
    Ok((op, Args::new(op, args)?))
}

fn wrong_entry_point(op: &Operation) -> Error {
    invalid(format!(
        "operation `{}` takes {}",
        op.name,
        op.kind().entry_point()
    ))
}

/// Loads a manifest described in JSON, as the conformance vectors do: `{"format": "yaml"|"json", "text": ...}`,
/// `{"records": [...]}` or `{"path": ...}` (a relative path is taken from `base`).
pub fn load(source: &Value, base: &std::path::Path) -> Result<Manifest> {
    let object = source
        .as_object()
        .ok_or_else(|| invalid("a manifest source must be an object".into()))?;
    if let Some(text) = object.get("text") {
        let text = text
            .as_str()
            .ok_or_else(|| invalid("`text` must be a string".into()))?;
        let format = match object.get("format") {
            None => Format::Yaml,
            Some(f) => Format::parse(
                f.as_str()
                    .ok_or_else(|| invalid("`format` must be a string".into()))?,
            )?,
        };
        Manifest::from_str(text, format)
    } else if let Some(records) = object.get("records") {
        let records = records
            .as_array()
            .ok_or_else(|| invalid("`records` must be a list".into()))?;
        Manifest::from_records(records)
    } else if let Some(path) = object.get("path") {
        let path = path
            .as_str()
            .ok_or_else(|| invalid("`path` must be a string".into()))?;
        Manifest::from_path(base.join(path))
    } else {
        Err(invalid(
            "a manifest source needs `text`, `records` or `path`".into(),
        ))
    }
}

/// Builds a manifest from app records given as a JSON list, exactly as [`Manifest::from_records`] does (same
/// result, same diagnostics), faster: plain records (only `name`, `parent`, `depends_on`, `labels`, `version`,
/// `owner`, well typed) are read straight into [`AppSpec`]s; anything else takes the general path.
pub fn records_from_json(text: &str) -> Result<Manifest> {
    if let Ok(records) = serde_json::from_str::<Vec<PlainRecord>>(text) {
        return Manifest::from_record_specs(
            records.into_iter().map(PlainRecord::into_spec).collect(),
        );
    }
    let records: Vec<Value> = serde_json::from_str(text)
        .map_err(|e| invalid(format!("the records are not a JSON list: {e}")))?;
    Manifest::from_records(&records)
}

/// A record that the general path would accept as is (no sections; `version` and `owner` strings, not null).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainRecord {
    name: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    depends_on: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "present_string")]
    version: Option<String>,
    #[serde(default, deserialize_with = "present_string")]
    owner: Option<String>,
}

impl PlainRecord {
    fn into_spec(self) -> AppSpec {
        AppSpec {
            name: self.name,
            parent: self.parent,
            depends_on: self.depends_on,
            labels: self.labels,
            version: self.version,
            owner: self.owner,
            sections: BTreeMap::new(),
        }
    }
}

fn present_string<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

/// The structured form of an error, as every binding reports it: `{"code", "message", "diagnostics"}`.
pub fn error_to_value(error: &Error) -> Value {
    serde_json::json!({
        "code": error.code(),
        "message": error.to_string(),
        "diagnostics": error.diagnostics(),
    })
}

/// Serializes a result of the typed API to JSON (for bindings that convert from JSON values).
pub fn to_value<T: Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| invalid(format!("cannot encode the result: {e}")))
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument { message }
}

fn unknown<'a>(what: &str, word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match suggest::did_you_mean(word, candidates) {
        Some(s) => format!("unknown {what} `{word}`; did you mean `{s}`?"),
        None => format!("unknown {what} `{word}`"),
    }
}

/// The entry points with JSON text in and out, for the bindings that cross a language boundary as text (Python,
/// Node, Kotlin), as cedar-policy's `ffi` module does for its WASM binding: a binding converts strings, calls one
/// of these, and raises its error class for `error.code`. An outcome is `{"ok": result}` or
/// `{"error": {"code", "message", "diagnostics"}}`.
///
/// ```
/// use aoa_core::dispatch::text;
/// let m = text::open("text", "apps: [{name: a}]", None)?;
/// assert_eq!(text::call(&[&m], "identity", Some(r#"{"app": "a"}"#)), r#"{"ok":[]}"#);
/// assert!(text::call(&[&m], "diff", None).starts_with(r#"{"error":{"code":"invalid-argument""#));
/// assert!(text::call(&[], "schema_fingerprint", Some(r#"{"schema": "\"int\""}"#)).starts_with(r#"{"ok":"#));
/// # Ok::<(), aoa_core::Error>(())
/// ```
pub mod text {
    use super::{Error, Format, Manifest, Result, Value, invalid, records_from_json, unknown};

    /// Runs `operation` on `manifests`: none ([`call_free`](super::call_free)), one ([`call`](super::call)),
    /// or two, old and new ([`call_pair`](super::call_pair)); `args` is a JSON object as text (`None`: none).
    ///
    /// # Errors
    ///
    /// Arguments that are not JSON, more than two manifests, or the operation's own error.
    pub fn run(manifests: &[&Manifest], operation: &str, args: Option<&str>) -> Result<Value> {
        let args = args.map_or(Ok(Value::Null), |text| {
            serde_json::from_str(text)
                .map_err(|e| invalid(format!("the arguments are not JSON: {e}")))
        })?;
        match manifests {
            [] => super::call_free(operation, &args),
            [m] => super::call(m, operation, &args),
            [old, new] => super::call_pair(old, new, operation, &args),
            _ => Err(invalid("an operation takes at most two manifests".into())),
        }
    }

    /// [`run`], its outcome as text: `{"ok": result}` or `{"error": ...}`.
    pub fn call(manifests: &[&Manifest], operation: &str, args: Option<&str>) -> String {
        match run(manifests, operation, args) {
            Ok(value) => format!("{{\"ok\":{value}}}"),
            Err(e) => failure(&e),
        }
    }

    /// The outcome text of an error: `{"error": {"code", "message", "diagnostics"}}`.
    pub fn failure(error: &Error) -> String {
        serde_json::json!({ "error": super::error_to_value(error) }).to_string()
    }

    /// Opens a manifest: `kind` is `path`, `text` (in `format`, YAML when `None`) or `records` (a JSON list,
    /// read by [`records_from_json`], the fast path for plain records).
    ///
    /// # Errors
    ///
    /// An unknown `kind` or `format`, or the core's error loading the manifest.
    pub fn open(kind: &str, source: &str, format: Option<&str>) -> Result<Manifest> {
        match kind {
            "path" => Manifest::from_path(source),
            "text" => {
                Format::parse(format.unwrap_or("yaml")).and_then(|f| Manifest::from_str(source, f))
            }
            "records" => records_from_json(source),
            _ => Err(invalid(unknown(
                "manifest source",
                kind,
                ["path", "text", "records"],
            ))),
        }
    }

    /// Every operation ([`operations`](super::operations)) as a JSON list of `{"name", "kind", "args"}`.
    pub fn operations() -> String {
        serde_json::to_string(&super::operations().collect::<Vec<_>>()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::PlanOptions;
    use serde_json::json;

    fn manifest() -> Manifest {
        Manifest::from_str(
            "apps:\n- name: root\n  labels: {env: prod}\n- name: db\n  parent: root\n- name: api\n  parent: root\n  depends_on: [db]\n",
            Format::Yaml,
        )
        .unwrap()
    }

    #[test]
    fn every_operation_matches_the_typed_api() {
        let m = manifest();
        let o = PlanOptions {
            max_parallel: Some(1),
        };
        let args = json!({"max_parallel": 1});
        assert_eq!(
            call(&m, "plan", &args).unwrap(),
            to_value(&m.plan(&o).unwrap()).unwrap()
        );
        assert_eq!(
            call(&m, "teardown", &args).unwrap(),
            to_value(&m.teardown(&o).unwrap()).unwrap()
        );
        assert_eq!(
            call(&m, "impacted", &json!({"changed": ["db"]})).unwrap(),
            to_value(&m.impacted(&["db"], &PlanOptions::default()).unwrap()).unwrap()
        );
        assert_eq!(
            call(&m, "select", &json!({"selector": "name=api"})).unwrap(),
            to_value(
                &m.select(&Selector::names(&["api"]), &PlanOptions::default())
                    .unwrap()
            )
            .unwrap()
        );
        assert_eq!(call(&m, "cycles", &Value::Null).unwrap(), json!([]));
        assert_eq!(
            call(&m, "validate", &json!({})).unwrap(),
            json!({"valid": true, "apps": 3, "edges": 3, "waves": 3, "diagnostics": []})
        );
        assert_eq!(operations().count(), OPERATIONS.len());
    }

    #[test]
    fn unknown_names_and_bad_arguments_are_invalid_arguments_with_hints() {
        let m = manifest();
        let err = |op: &str, args: Value| call(&m, op, &args).unwrap_err().to_string();
        assert_eq!(
            err("teardwon", Value::Null),
            "invalid argument: unknown operation `teardwon`; did you mean `teardown`?"
        );
        assert_eq!(
            err("frobnicate", Value::Null),
            "invalid argument: unknown operation `frobnicate`"
        );
        assert_eq!(
            err("plan", json!({"max_paralel": 2})),
            "invalid argument: unknown argument of `plan` `max_paralel`; did you mean `max_parallel`?"
        );
        assert_eq!(
            err("plan", json!({"max_parallel": -1})),
            "invalid argument: `max_parallel` must be a non-negative integer"
        );
        assert_eq!(
            err("plan", json!({"max_parallel": 0})),
            "invalid argument: `max_parallel` must be at least 1"
        );
        assert_eq!(
            err("plan", json!([1])),
            "invalid argument: the arguments of `plan` must be an object"
        );
        assert_eq!(
            err("impacted", json!({})),
            "invalid argument: missing argument `changed`"
        );
        assert_eq!(
            err("impacted", json!({"changed": [1]})),
            "invalid argument: `changed` must be a string or a list of strings"
        );
        assert_eq!(
            err("impacted", json!({"changed": ["dbb"]})),
            "unknown app `dbb`; did you mean `db`?"
        );
        assert_eq!(
            err("check", json!({"subject": "user:bob", "app": "db"})),
            "invalid argument: missing argument `action`"
        );
        assert_eq!(
            err(
                "check",
                json!({"subject": "user:bob", "action": 3, "app": "db"})
            ),
            "invalid argument: `action` must be a string"
        );
        assert_eq!(
            call(
                &m,
                "what_can",
                &json!({"subject": "user:bob", "groups": "sre"})
            )
            .unwrap(),
            call(
                &m,
                "what_can",
                &json!({"subject": "user:bob", "groups": ["sre"]})
            )
            .unwrap(),
            "a single group counts as a list of one"
        );
    }

    #[test]
    fn every_kind_has_its_entry_point_and_the_wrong_one_names_the_right_one() {
        let m = manifest();
        let kinds: Vec<(&str, Kind)> = operations().map(|op| (op.name, op.kind)).collect();
        assert!(kinds.contains(&("plan", Kind::Manifest)));
        assert!(kinds.contains(&("diff", Kind::Pair)));
        assert!(kinds.contains(&("schema_fingerprint", Kind::Free)));
        assert_eq!(
            call(&m, "diff", &Value::Null).unwrap_err().to_string(),
            "invalid argument: operation `diff` takes two manifests (old, new): call it with `call_pair`"
        );
        assert_eq!(
            call_free("plan", &Value::Null).unwrap_err().to_string(),
            "invalid argument: operation `plan` takes one manifest: call it with `call`"
        );
        assert_eq!(
            call_pair(&m, &m, "schema_fingerprint", &json!({"schema": "\"int\""}))
                .unwrap_err()
                .to_string(),
            "invalid argument: operation `schema_fingerprint` takes no manifest: call it with `call_free`"
        );
        assert_eq!(
            call_pair(&m, &m, "dif", &Value::Null)
                .unwrap_err()
                .to_string(),
            "invalid argument: unknown operation `dif`; did you mean `diff`?"
        );
        let same = call_pair(&m, &m, "diff", &Value::Null).unwrap();
        assert_eq!(same, to_value(&m.diff(&m)).unwrap());
        let prints = call_free("schema_fingerprint", &json!({"schema": "\"int\""})).unwrap();
        assert_eq!(prints["canonical_form"], "\"int\"");
        assert_eq!(
            call_free("schema_fingerprint", &json!({"schema": "{"}))
                .unwrap_err()
                .code(),
            crate::ErrorCode::Schema
        );
    }

    #[test]
    fn validate_loaded_reports_the_manifests_own_problems_and_passes_on_the_rest() {
        let loaded = Manifest::from_str("apps:\n- name: a\n  parent: b\n", Format::Yaml);
        let report = validate_loaded(loaded).unwrap();
        assert!(!report.valid);
        assert_eq!(report.diagnostics[0].code, "unknown-parent");
        let loaded = Manifest::from_str("apps: [", Format::Yaml);
        assert_eq!(
            validate_loaded(loaded).unwrap_err().code(),
            crate::ErrorCode::Syntax
        );
        assert!(validate_loaded(Ok(manifest())).unwrap().valid);
        assert_eq!(hex(&[0, 0xab, 16]), "00ab10");
    }

    #[test]
    fn params_explain_lists_every_leaf_with_its_setter_or_null_for_a_default() {
        let m = Manifest::from_str(
            "apps:\n- name: root\n  shared_params: {region: eu, tags: []}\n- name: b\n  parent: root\n  schema: {type: record, name: Q, fields: [{name: region, type: string}, {name: tags, type: {type: array, items: string}}, {name: port, type: int, default: 80}]}\n",
            Format::Yaml,
        )
        .unwrap();
        let report = call(&m, "params", &json!({"app": "b", "explain": true})).unwrap();
        assert_eq!(
            report["explain"],
            json!([
                {"path": "/port", "value": 80, "set_by": null},
                {"path": "/region", "value": "eu", "set_by": "root"},
                {"path": "/tags", "value": [], "set_by": "root"},
            ])
        );
        let plain = call(&m, "params", &json!({"app": "b"})).unwrap();
        assert!(plain.get("explain").is_none() && plain.get("format").is_none());
        assert_eq!(
            call(&m, "params", &json!({"app": "b", "explain": "yes"}))
                .unwrap_err()
                .to_string(),
            "invalid argument: `explain` must be true or false"
        );
    }

    #[test]
    fn records_from_json_matches_from_records() {
        let cases = [
            r#"[{"name":"a"},{"name":"b","parent":"a","depends_on":["a"],"labels":{"k":"v"},"version":"1","owner":"o"}]"#,
            r#"[{"name":"a","parent":null},{"name":"b","depends_on":["a"]}]"#,
            r#"[{"name":"a","version":null}]"#,
            r#"[{"name":"a","owner":3}]"#,
            r#"[{"name":"a","dependson":["b"]},{"name":"b"}]"#,
            r#"[{"name":"a","parent":"platfrom"},{"name":"platform"}]"#,
            r#"[{"name":"a","depends_on":null}]"#,
            r#"[{"name":"a","labels":{"n":1}}]"#,
            r#"[{"name":"a","name":"b"}]"#,
            r#"[{"parent":"a"}]"#,
            r#"[{"name":"a"},{"name":"a"}]"#,
            r#"[{"name":"a","depends_on":["b"]},{"name":"b","depends_on":["a"]}]"#,
            r#"[]"#,
            r#"[3]"#,
        ];
        for text in cases {
            let values: Vec<Value> = serde_json::from_str(text).unwrap();
            let general =
                Manifest::from_records(&values).and_then(|m| call(&m, "validate", &Value::Null));
            let fast = records_from_json(text).and_then(|m| call(&m, "validate", &Value::Null));
            assert_eq!(fast, general, "{text}");
        }
        assert_eq!(
            records_from_json("{").unwrap_err().code(),
            "invalid-argument"
        );
    }

    #[test]
    fn load_reads_text_records_and_paths() {
        let base = std::path::Path::new(".");
        let m = load(
            &json!({"format": "json", "text": "{\"apps\":[{\"name\":\"a\"}]}"}),
            base,
        )
        .unwrap();
        assert_eq!(m.len(), 1);
        let m = load(
            &json!({"records": [{"name": "a"}, {"name": "b", "parent": "a"}]}),
            base,
        )
        .unwrap();
        assert_eq!(m.len(), 2);
        let m = load(&json!({"path": "../examples/platform"}), base).unwrap();
        assert!(m.len() > 10);
        let e = load(&json!({"nothing": 1}), base).unwrap_err();
        assert_eq!(e.code(), "invalid-argument");
        let e = load(&json!({"text": "apps: [", "format": "yaml"}), base).unwrap_err();
        assert_eq!(error_to_value(&e)["code"], "syntax");
    }
}
