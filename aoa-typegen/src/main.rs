//! aoa-typegen: writes the typings of the bindings from aoa-core's JSON Schemas (`schemars`, feature `typegen`)
//! and its table of operations: `aoa-node/index.d.ts` (TypeScript) and `aoa-py/python/aoa/__init__.pyi` (Python,
//! TypedDicts). Both are committed; `test.sh` runs this and fails when they differ from the committed files.
//!
//! Usage: `cargo run -p aoa-typegen` (writes into the repository this crate belongs to).

use aoa_core::dispatch::{self, Kind, OperationInfo};
use aoa_core::{ErrorCode, access, schema};
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::Path;

/// The result type of every operation; `None` for an operation this table does not know yet (a new core
/// operation fails the run until it is listed here).
fn result_of(g: &mut SchemaGenerator, operation: &str) -> Option<Value> {
    let schema = match operation {
        "plan" | "teardown" | "impacted" | "select" => g.subschema_for::<aoa_core::Plan>(),
        "cycles" => g.subschema_for::<Vec<aoa_core::Cycle>>(),
        "validate" => g.subschema_for::<dispatch::Validation>(),
        "check" => g.subschema_for::<aoa_core::Decision>(),
        "effective" => g.subschema_for::<access::Effective>(),
        "who_can" => g.subschema_for::<access::WhoCan>(),
        "what_can" => g.subschema_for::<access::WhatCan>(),
        "identity" => g.subschema_for::<Vec<String>>(),
        "graph" => g.subschema_for::<String>(),
        "params" => g.subschema_for::<dispatch::ParamsReport<'static>>(),
        "schema_check" => g.subschema_for::<schema::CheckReport>(),
        "diff" => g.subschema_for::<aoa_core::AccessDiff>(),
        "schema_fingerprint" => g.subschema_for::<schema::Fingerprints>(),
        "secrets" => g.subschema_for::<access::AppSecrets>(),
        "secret_readers" => g.subschema_for::<access::SecretReaders>(),
        "secrets_due" => g.subschema_for::<aoa_core::SecretsDue>(),
        "azure_role_assignments" => g.subschema_for::<access::RoleAssignments>(),
        "argocd_import" => g.subschema_for::<aoa_core::argocd::Import>(),
        "argocd_order" => g.subschema_for::<aoa_core::argocd::Order>(),
        "argocd_can" => g.subschema_for::<aoa_core::argocd::Verdict>(),
        "argocd_projects" => g.subschema_for::<aoa_core::argocd::Projects>(),
        "argocd_export" => g.subschema_for::<aoa_core::argocd::Export>(),
        "exchange" => g.subschema_for::<access::ExchangeOutcome>(),
        _ => return None,
    };
    Some(schema.to_value())
}

/// An argument's type in TypeScript and in Python, and whether it is required; `None` for an unknown name.
fn argument(name: &str) -> Option<(&'static str, &'static str, bool)> {
    Some(match name {
        "max_parallel" => ("number", "int", false),
        "changed" | "selector" => ("string | string[]", "Union[str, Sequence[str]]", true),
        "subject" | "action" | "app" | "schema" => ("string", "str", true),
        "groups" => ("string[]", "Sequence[str]", false),
        "explain" => ("boolean", "bool", false),
        "diagram" => ("'dot' | 'mermaid'", "Literal[\"dot\", \"mermaid\"]", false),
        "encoding" => ("ParamsFormat", "ParamsFormat", false),
        "mode" => ("CompatibilityMode", "CompatibilityMode", false),
        "secret" | "scope_prefix" | "audience" | "issuer" | "jti" => ("string", "str", true),
        "subject_claims" => ("Record<string, unknown>", "Mapping[str, Any]", true),
        "scope" | "client" | "groups_claim" => ("string", "str", false),
        "ttl" | "max_act_depth" => ("number", "int", false),
        "now" => ("string | number", "Union[str, int]", true),
        "within" => ("string", "str", false),
        "dir" | "resource" => ("string", "str", true),
        "object" | "policy_dir" => ("string", "str", false),
        "mounts" => ("string[]", "Sequence[str]", false),
        _ => return None,
    })
}

/// The result type of every store operation (`aoa_store::dispatch`); `None` for one this table does not know.
fn store_result_of(g: &mut SchemaGenerator, operation: &str) -> Option<Value> {
    let schema = match operation {
        "apply" => g.subschema_for::<aoa_store::ApplyReport>(),
        "drift" => g.subschema_for::<aoa_store::Drift>(),
        "show" => g.subschema_for::<aoa_store::AppRecord>(),
        "history" => g.subschema_for::<Vec<aoa_store::HistoryEntry>>(),
        "list" => g.subschema_for::<Vec<aoa_store::AppRecord>>(),
        "audit_verify" => g.subschema_for::<aoa_store::Verification>(),
        "audit_show" => g.subschema_for::<Vec<aoa_store::ShownEvent>>(),
        "audit_export" => g.subschema_for::<aoa_store::ExportReport>(),
        _ => return None,
    };
    Some(schema.to_value())
}

/// A store operation argument's type in TypeScript and in Python, and whether it is required.
fn store_argument(operation: &str, name: &str) -> Option<(&'static str, &'static str, bool)> {
    Some(match name {
        "dry_run" | "allow_gain" => ("boolean", "bool", false),
        "app" => ("string", "str", operation != "audit_show"),
        "since" => ("string", "str", false),
        "path" => ("string", "str", true),
        _ => return None,
    })
}

/// One store operation with its result schema.
struct StoreOp {
    info: &'static aoa_store::dispatch::StoreOperation,
    result: Value,
}

include!("../../aoa-py/src/error_classes.rs");

/// One operation with its result schema.
struct Op {
    info: OperationInfo,
    result: Value,
}

fn main() {
    let mut g = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut ops = Vec::new();
    for info in dispatch::operations() {
        let Some(result) = result_of(&mut g, info.name) else {
            fail(&format!(
                "operation `{}` has no result type in aoa-typegen",
                info.name
            ));
        };
        if let Some(arg) = info.args.iter().find(|a| argument(a).is_none()) {
            fail(&format!(
                "argument `{arg}` of `{}` has no type in aoa-typegen",
                info.name
            ));
        }
        ops.push(Op { info, result });
    }
    let mut store_ops = Vec::new();
    for info in aoa_store::dispatch::OPERATIONS {
        let Some(result) = store_result_of(&mut g, info.name) else {
            fail(&format!(
                "store operation `{}` has no result type in aoa-typegen",
                info.name
            ));
        };
        if let Some(arg) = info
            .args
            .iter()
            .find(|a| store_argument(info.name, a).is_none())
        {
            fail(&format!(
                "argument `{arg}` of store operation `{}` has no type in aoa-typegen",
                info.name
            ));
        }
        store_ops.push(StoreOp { info, result });
    }
    g.subschema_for::<aoa_core::Diagnostic>();
    g.subschema_for::<aoa_core::ParamsFormat>();
    g.subschema_for::<schema::CompatibilityMode>();
    let defs = g.take_definitions(true);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    write(
        &root.join("aoa-node/index.d.ts"),
        &(typescript(&defs, &ops) + &typescript_store(&store_ops)),
    );
    write(
        &root.join("aoa-py/python/aoa/__init__.pyi"),
        &(python(&defs, &ops) + &python_store(&store_ops)),
    );
}

fn fail(message: &str) -> ! {
    eprintln!("aoa-typegen: {message}");
    std::process::exit(1)
}

fn write(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        fail(&format!("cannot write {}: {e}", path.display()));
    }
}

/// The first paragraph of a description, on one line, without rustdoc link brackets.
fn doc(schema: &Value) -> Option<String> {
    let text = schema.get("description")?.as_str()?;
    let first = text.split("\n\n").next().unwrap_or_default();
    Some(
        first
            .replace('\n', " ")
            .replace("[`", "`")
            .replace("`]", "`"),
    )
}

fn name_of(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// A schema's alternatives when it is a union (`anyOf`, `oneOf`, `enum`, or a list of types).
fn alternatives(o: &Map<String, Value>) -> Option<Vec<Value>> {
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = o.get(key) {
            return Some(items.clone());
        }
    }
    if let Some(Value::Array(values)) = o.get("enum") {
        return Some(
            values
                .iter()
                .map(|v| serde_json::json!({ "const": v }))
                .collect(),
        );
    }
    if let Some(Value::Array(types)) = o.get("type") {
        let one = |t: &Value| {
            let mut single = o.clone();
            single.insert("type".into(), t.clone());
            Value::Object(single)
        };
        return Some(types.iter().map(one).collect());
    }
    None
}

/// How one target language spells types.
trait Lang {
    fn any(&self) -> String;
    fn literal(&self, value: &Value) -> String;
    fn union(&self, items: Vec<String>) -> String;
    fn scalar(&self, json_type: &str) -> String;
    fn list(&self, item: String) -> String;
    fn map(&self, value: String) -> String;
    fn object(&self, fields: Vec<(String, String, bool)>) -> String;
}

/// The type of a schema in `lang`.
fn type_of(lang: &dyn Lang, schema: &Value) -> String {
    let Some(o) = schema.as_object() else {
        return lang.any();
    };
    if let Some(reference) = o.get("$ref").and_then(Value::as_str) {
        return name_of(reference).to_string();
    }
    if let Some(value) = o.get("const") {
        return lang.literal(value);
    }
    if let Some(items) = alternatives(o) {
        return lang.union(items.iter().map(|s| type_of(lang, s)).collect());
    }
    match o.get("type").and_then(Value::as_str) {
        Some("array") => lang.list(type_of(lang, o.get("items").unwrap_or(&Value::Bool(true)))),
        Some("object") => match o.get("properties").and_then(Value::as_object) {
            Some(_) => lang.object(fields(lang, o)),
            None => lang.map(type_of(
                lang,
                o.get("additionalProperties").unwrap_or(&Value::Bool(true)),
            )),
        },
        Some(scalar) => lang.scalar(scalar),
        None => lang.any(),
    }
}

/// An object schema's fields: name, type, required.
fn fields(lang: &dyn Lang, o: &Map<String, Value>) -> Vec<(String, String, bool)> {
    let required: Vec<&str> = match o.get("required") {
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let properties = o.get("properties").and_then(Value::as_object);
    let field =
        |(k, v): (&String, &Value)| (k.clone(), type_of(lang, v), required.contains(&k.as_str()));
    properties.into_iter().flatten().map(field).collect()
}

struct TypeScript;

impl Lang for TypeScript {
    fn any(&self) -> String {
        "unknown".into()
    }
    fn literal(&self, value: &Value) -> String {
        value.to_string().replace('"', "'")
    }
    fn union(&self, items: Vec<String>) -> String {
        items.join(" | ")
    }
    fn scalar(&self, json_type: &str) -> String {
        match json_type {
            "integer" | "number" => "number",
            other => other,
        }
        .into()
    }
    fn list(&self, item: String) -> String {
        format!("Array<{item}>")
    }
    fn map(&self, value: String) -> String {
        format!("Record<string, {value}>")
    }
    fn object(&self, fields: Vec<(String, String, bool)>) -> String {
        let field =
            |(k, t, req): (String, String, bool)| format!("{k}{}: {t}", if req { "" } else { "?" });
        format!(
            "{{ {} }}",
            fields.into_iter().map(field).collect::<Vec<_>>().join("; ")
        )
    }
}

struct Python;

impl Lang for Python {
    fn any(&self) -> String {
        "Any".into()
    }
    fn literal(&self, value: &Value) -> String {
        format!("Literal[{value}]")
    }
    fn union(&self, items: Vec<String>) -> String {
        let literals: Vec<&str> = items
            .iter()
            .filter_map(|i| i.strip_prefix("Literal[")?.strip_suffix(']'))
            .collect();
        if literals.len() == items.len() {
            return format!("Literal[{}]", literals.join(", "));
        }
        format!("Union[{}]", items.join(", "))
    }
    fn scalar(&self, json_type: &str) -> String {
        match json_type {
            "string" => "str",
            "integer" => "int",
            "number" => "float",
            "boolean" => "bool",
            _ => "None",
        }
        .into()
    }
    fn list(&self, item: String) -> String {
        format!("List[{item}]")
    }
    fn map(&self, value: String) -> String {
        format!("Dict[str, {value}]")
    }
    fn object(&self, _fields: Vec<(String, String, bool)>) -> String {
        "Dict[str, Any]".into()
    }
}

fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        match (c, upper) {
            ('_', _) => upper = true,
            (c, true) => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            (c, false) => out.push(c),
        }
    }
    out
}

const TS_HEADER: &str = "/* Type definitions of the `aoa` package, generated by aoa-typegen from aoa-core's result types and its table
   of operations: do not edit; CI checks it is current (`cargo run -p aoa-typegen`). */
";

const TS_FIXED: &str = "/** One app record, as in a manifest's `apps` list. */
export interface AppRecord {
  name: string
  parent?: string | null
  depends_on?: string[]
  labels?: Record<string, string>
  version?: string
  owner?: string
  [section: string]: unknown
}

/** Base class of every aoa error: `code` is the stable core error code, `diagnostics` the findings. */
export declare class AoaError extends Error {
  constructor(message: string, diagnostics?: Diagnostic[])
  readonly code: ErrorCode
  readonly diagnostics: Diagnostic[]
  toJSON(): { code: ErrorCode; message: string; diagnostics: Diagnostic[] }
}
";

fn typescript(defs: &Map<String, Value>, ops: &[Op]) -> String {
    let lang = TypeScript;
    let mut out = String::from(TS_HEADER);
    for (name, schema) in defs {
        let _ = writeln!(out, "\n/** {} */", doc(schema).unwrap_or_default());
        let is_object = schema.get("properties").is_some();
        if !is_object {
            let _ = writeln!(out, "export type {name} = {}", type_of(&lang, schema));
            continue;
        }
        let _ = writeln!(out, "export interface {name} {{");
        let properties = schema.get("properties").and_then(Value::as_object);
        for (field, (_, ty, req)) in properties
            .into_iter()
            .flatten()
            .zip(fields(&lang, schema.as_object().unwrap_or(&Map::new())))
        {
            if let Some(d) = doc(field.1) {
                let _ = writeln!(out, "  /** {d} */");
            }
            let _ = writeln!(out, "  {}{}: {ty}", field.0, if req { "" } else { "?" });
        }
        out.push_str("}\n");
    }
    let codes: Vec<String> = ErrorCode::ALL.iter().map(|c| format!("'{c}'")).collect();
    let _ = writeln!(
        out,
        "\n/** Every error code. */\nexport type ErrorCode = {}\n",
        codes.join(" | ")
    );
    out.push_str(TS_FIXED);
    out.push_str("/** An app's health as `observe` reports it. */\nexport type HealthName = 'healthy' | 'progressing' | 'degraded' | 'missing' | 'unknown'\n");
    for code in ErrorCode::ALL {
        let _ = writeln!(
            out,
            "/** Code `{code}`. */\nexport declare class {} extends AoaError {{}}",
            class_of(code).0
        );
    }
    out.push_str("/** The error class of each code. */\nexport declare const ERROR_CODES: Record<ErrorCode, typeof AoaError>\n");
    out.push_str(
        "\n/** A validated manifest (immutable). */\nexport declare class Manifest {\n  \
         /** Loads a manifest file, or every `*.yaml`, `*.yml` and `*.json` file of a directory. */\n  \
         static load(path: string): Manifest\n  static loadAsync(path: string): Promise<Manifest>\n  \
         /** Parses one manifest text. */\n  static fromStr(text: string, format?: 'yaml' | 'json'): Manifest\n  \
         /** Builds a manifest from app records. */\n  static fromApps(apps: AppRecord[]): Manifest\n  \
         /** The number of apps. */\n  readonly length: number\n  \
         /** Any operation on this manifest by its snake_case name, with snake_case arguments. */\n  \
         call(operation: string, args?: Record<string, unknown> | null): unknown\n",
    );
    out.push_str(TS_ROLLOUT);
    let mut functions = String::new();
    for op in ops {
        let options: Vec<String> = op
            .info
            .args
            .iter()
            .filter_map(|a| {
                let (ty, _, req) = argument(a)?;
                Some(format!(
                    "{}{}: {ty}{}",
                    camel(a),
                    if req { "" } else { "?" },
                    if req { "" } else { " | null" }
                ))
            })
            .collect();
        let required = op
            .info
            .args
            .iter()
            .any(|a| argument(a).is_some_and(|(_, _, r)| r));
        let mut params = Vec::new();
        if op.info.kind == Kind::Pair {
            params.push("newer: Manifest".to_string());
        }
        if !options.is_empty() {
            params.push(format!(
                "options{}: {{ {} }}",
                if required { "" } else { "?" },
                options.join("; ")
            ));
        }
        let (params, result) = (params.join(", "), type_of(&lang, &op.result));
        let name = camel(op.info.name);
        let (target, prefix) = match op.info.kind {
            Kind::Free => (&mut functions, "export declare function "),
            _ => (&mut out, "  "),
        };
        let _ = writeln!(
            target,
            "{prefix}/** The core's `{}` operation. */",
            op.info.name
        );
        let _ = writeln!(
            target,
            "{prefix}{name}({params}): {result}\n{prefix}{name}Async({params}): Promise<{result}>"
        );
    }
    out.push_str("}\n\n");
    out.push_str(&functions.replace("export declare function /**", "/**"));
    out.push_str(
        "/** Loads a manifest file or directory (`Manifest.load`). */\nexport declare function load(path: string): Manifest\n\
         export declare function loadAsync(path: string): Promise<Manifest>\n\
         /** The canonical names of every operation. */\nexport declare function operations(): string[]\n\
         /** Every error code. */\nexport declare function errorCodes(): ErrorCode[]\n",
    );
    out
}

/// Node's `Manifest.rollout` (inside the class declaration).
const TS_ROLLOUT: &str = "  /** Deploys every app with the user's callbacks (each may be async; a throw or a rejection fails only its \
app); resolves to the report. */
  rollout(callbacks: {
    deploy: (app: string, version: string | null, attempt: number, context: { runId: string; idempotencyKey: string }) => unknown
    observe?: (app: string) => HealthName | { health: HealthName; version?: string | null } | Promise<HealthName | { health: HealthName; version?: string | null }>
    rollback?: (app: string, toVersion: string | null) => unknown
    options?: Record<string, unknown> | null
    onEvent?: (event: Record<string, unknown>) => void
  }): Promise<Record<string, unknown>>
";

const PY_HEADER: &str = "\"\"\"Type stubs of the `aoa` package, generated by aoa-typegen from aoa-core's result types and its table of
operations: do not edit; CI checks it is current (`cargo run -p aoa-typegen`).\"\"\"

import os
from typing import Any, Callable, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Union

from typing_extensions import NotRequired, TypedDict
";

const PY_FIXED: &str = "
class AoaError(Exception):
    \"\"\"Base class of every aoa error: `code` (the same in every language), `message` and `diagnostics`.\"\"\"

    code: str
    message: str
    diagnostics: List[Diagnostic]
    def __init__(self, message: str, diagnostics: Optional[List[Diagnostic]] = None) -> None: ...
";

fn python(defs: &Map<String, Value>, ops: &[Op]) -> String {
    let lang = Python;
    let mut out = String::from(PY_HEADER);
    for (name, schema) in defs {
        let _ = writeln!(out, "\n#: {}", doc(schema).unwrap_or_default());
        let Some(o) = schema.as_object().filter(|o| o.contains_key("properties")) else {
            let _ = writeln!(out, "{name} = {}", type_of(&lang, schema));
            continue;
        };
        let _ = writeln!(out, "{name} = TypedDict(\"{name}\", {{");
        for (field, ty, req) in fields(&lang, o) {
            let ty = if req {
                ty
            } else {
                format!("NotRequired[{ty}]")
            };
            let _ = writeln!(out, "    \"{field}\": {ty},");
        }
        out.push_str("})\n");
    }
    out.push_str(PY_FIXED);
    for code in ErrorCode::ALL {
        let (name, also) = class_of(code);
        let bases = also.map_or("AoaError".to_string(), |b| format!("AoaError, {b}"));
        let _ = writeln!(
            out,
            "class {name}({bases}):\n    \"\"\"Code `{code}`.\"\"\""
        );
    }
    out.push_str(
        "\nERROR_CODES: Dict[str, type[AoaError]]\nOPERATIONS: List[Dict[str, Any]]\n\n\
         class Manifest:\n    \"\"\"A validated manifest.\"\"\"\n\n    \
         @classmethod\n    def load(cls, path: Union[str, os.PathLike[str]]) -> Manifest: ...\n    \
         @classmethod\n    def from_str(cls, text: str, format: str = \"yaml\") -> Manifest: ...\n    \
         @classmethod\n    def from_apps(cls, apps: Iterable[Mapping[str, Any]]) -> Manifest: ...\n    \
         def __len__(self) -> int: ...\n    \
         def call(self, operation: str, args: Optional[Mapping[str, Any]] = None) -> Any: ...\n",
    );
    out.push_str(&format!("    def rollout(self, {PY_ROLLOUT}\n"));
    let mut functions = String::new();
    for op in ops {
        let mut params: Vec<String> = match op.info.kind {
            Kind::Free => Vec::new(),
            Kind::Manifest => vec!["self".into()],
            Kind::Pair => vec!["self".into(), "new: Manifest".into()],
        };
        let mut optional_seen = false;
        for a in op.info.args {
            let Some((_, ty, req)) = argument(a) else {
                continue;
            };
            if req && optional_seen {
                fail(&format!(
                    "`{}`: the required `{a}` follows an optional argument",
                    op.info.name
                ));
            }
            optional_seen |= !req;
            params.push(if req {
                format!("{a}: {ty}")
            } else {
                format!("{a}: Optional[{ty}] = None")
            });
        }
        let (target, indent) = match op.info.kind {
            Kind::Free => (&mut functions, ""),
            _ => (&mut out, "    "),
        };
        let result = type_of(&lang, &op.result);
        let _ = writeln!(
            target,
            "{indent}def {}({}) -> {result}: ...",
            op.info.name,
            params.join(", ")
        );
    }
    out.push('\n');
    out.push_str(&functions);
    out.push_str("def load(path: Union[str, os.PathLike[str]]) -> Manifest: ...\n");
    out.push_str(&format!("def rollout(manifest: Manifest, {PY_ROLLOUT}\n"));
    out
}

/// The parameters and result of Python's `rollout` (a method and a function).
const PY_ROLLOUT: &str = "deploy: Callable[..., Any], observe: Optional[Callable[[str], Any]] = None, \
    rollback: Optional[Callable[[str, Optional[str]], Any]] = None, options: Optional[Mapping[str, Any]] = None, \
    on_event: Optional[Callable[[Dict[str, Any]], Any]] = None) -> Dict[str, Any]: ...";
/// The `Store` class of the Node package and its `storeOperations` function.
fn typescript_store(ops: &[StoreOp]) -> String {
    let mut out = String::from(
        "\n/** A state store (`sqlite:PATH` or `postgres://...`): the component registry, its history and the audit trail. */\n\
         export declare class Store {\n  \
         /** Opens (creating or migrating) the store. */\n  \
         static open(url: string, options?: { registry?: string; actor?: string; leaseTtlMs?: number; leaseWaitMs?: number; nowMs?: number }): Store\n  \
         /** Any store operation by its snake_case name (with a manifest for those that take one). */\n  \
         call(operation: string, manifest?: Manifest | null, args?: Record<string, unknown> | null): unknown\n",
    );
    for op in ops {
        let options: Vec<String> = op
            .info
            .args
            .iter()
            .filter_map(|a| {
                let (ty, _, req) = store_argument(op.info.name, a)?;
                Some(format!(
                    "{}{}: {ty}{}",
                    camel(a),
                    if req { "" } else { "?" },
                    if req { "" } else { " | null" }
                ))
            })
            .collect();
        let required = op
            .info
            .args
            .iter()
            .any(|a| store_argument(op.info.name, a).is_some_and(|t| t.2));
        let mut params = Vec::new();
        if op.info.manifest {
            params.push("manifest: Manifest".to_string());
        }
        if !options.is_empty() {
            params.push(format!(
                "options{}: {{ {} }}",
                if required { "" } else { "?" },
                options.join("; ")
            ));
        }
        let _ = writeln!(
            out,
            "  /** The store's `{}` operation. */\n  {}({}): {}",
            op.info.name,
            camel(op.info.name),
            params.join(", "),
            type_of(&TypeScript, &op.result)
        );
    }
    out.push_str(
        "}\n/** Every store operation. */\nexport declare function storeOperations(): Array<{ name: string; manifest: boolean; args: string[] }>\n",
    );
    out
}

/// The `Store` class of the Python package.
fn python_store(ops: &[StoreOp]) -> String {
    let mut out = String::from(
        "\nSTORE_OPERATIONS: List[Dict[str, Any]]\n\n\
         class Store:\n    \"\"\"A state store (`sqlite:PATH` or `postgres://...`): registry, history, audit trail.\"\"\"\n\n    \
         @classmethod\n    def open(cls, url: str, **options: Any) -> Store: ...\n    \
         def call(self, operation: str, manifest: Optional[Manifest] = None, args: Optional[Mapping[str, Any]] = None) -> Any: ...\n",
    );
    for op in ops {
        let mut params = vec!["self".to_string()];
        if op.info.manifest {
            params.push("manifest: Manifest".into());
        }
        for a in op.info.args {
            let Some((_, ty, req)) = store_argument(op.info.name, a) else {
                continue;
            };
            params.push(if req {
                format!("{a}: {ty}")
            } else {
                format!("{a}: Optional[{ty}] = None")
            });
        }
        let _ = writeln!(
            out,
            "    def {}({}) -> {}: ...",
            op.info.name,
            params.join(", "),
            type_of(&Python, &op.result)
        );
    }
    out
}
