//! Node.js bindings of aoa (napi-rs): the native part of the `aoa` package. It converts, calls the core's typed
//! API and converts back; `index.js` turns errors into `AoaError` subclasses with `code` and `diagnostics`.
//!
//! Adding an operation is one method (and one `...Async` method) in the `#[napi] impl` block below.

use aoa_core::{Error, Format, Manifest as CoreManifest, PlanOptions, Selector, dispatch};
use napi::bindgen_prelude::{
    AsyncTask, Either, Function, JsObjectValue, JsValue, ToNapiValue, TypeName, Unknown,
};
use napi::{Env, JSON, Status, Task, ValueType, sys};
use napi_derive::napi;
use serde_json::Value;
use std::sync::Arc;

/// Options of the planning operations.
#[napi(object)]
#[derive(Default)]
pub struct PlanArgs {
    /// Split each wave into batches of at most this many apps.
    pub max_parallel: Option<i64>,
}

/// Arguments of `impacted`.
#[napi(object)]
pub struct ImpactedArgs {
    /// The changed apps.
    pub changed: Vec<String>,
    /// Split each wave into batches of at most this many apps.
    pub max_parallel: Option<i64>,
}

/// Arguments of `select`.
#[napi(object)]
pub struct SelectArgs {
    /// One clause or a list of clauses `k=v[,k=v]` (labels, or `name=APP`); an app matching any clause is chosen.
    pub selector: Either<String, Vec<String>>,
    /// Split each wave into batches of at most this many apps.
    pub max_parallel: Option<i64>,
}

/// Arguments of `check`.
#[napi(object)]
pub struct CheckArgs {
    /// `user:<id>`, `group:<id>` or `app:<name>`.
    pub subject: String,
    /// The caller's groups (from its identity provider's token claims).
    pub groups: Option<Vec<String>>,
    /// The action, e.g. `deploy` or `read:config`.
    pub action: String,
    /// The app.
    pub app: String,
}

/// Arguments of `whoCan`.
#[napi(object)]
pub struct WhoCanArgs {
    /// The action.
    pub action: String,
    /// The app.
    pub app: String,
}

/// Arguments of `whatCan`.
#[napi(object)]
pub struct WhatCanArgs {
    /// `user:<id>`, `group:<id>` or `app:<name>`.
    pub subject: String,
    /// The caller's groups.
    pub groups: Option<Vec<String>>,
}

/// Arguments of the operations on one app (`effective`, `identity`, `params`).
#[napi(object)]
pub struct AppArgs {
    /// The app.
    pub app: String,
}

type Op = Box<dyn FnOnce(&CoreManifest) -> Result<Value, Error> + Send>;

/// An operation of the core's dispatch table with its arguments in their canonical (snake_case) form.
fn named_op(operation: &'static str, args: Value) -> Op {
    Box::new(move |m| dispatch::call(m, operation, &args))
}

fn check_op(a: CheckArgs) -> Op {
    let args = serde_json::json!({"subject": a.subject, "groups": a.groups, "action": a.action, "app": a.app});
    named_op("check", args)
}

fn who_can_op(a: WhoCanArgs) -> Op {
    named_op(
        "who_can",
        serde_json::json!({"action": a.action, "app": a.app}),
    )
}

fn what_can_op(a: WhatCanArgs) -> Op {
    named_op(
        "what_can",
        serde_json::json!({"subject": a.subject, "groups": a.groups}),
    )
}

/// A result on its way to JavaScript. Small results are built node by node through napi; large ones are
/// serialized in Rust and rebuilt with V8's `JSON.parse` (faster for big plans, and free of the node budget of
/// napi's `serde_json::Value` conversion, which a million-app plan exceeds).
pub struct Json(Value);

/// Results with at most this many JSON nodes are converted node by node.
const SMALL_RESULT: usize = 512;

fn is_small(value: &Value, budget: &mut usize) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match value {
        Value::Array(items) => items.iter().all(|v| is_small(v, budget)),
        Value::Object(map) => map.values().all(|v| is_small(v, budget)),
        _ => true,
    }
}

impl TypeName for Json {
    fn type_name() -> &'static str {
        "Json"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Json {
    unsafe fn to_napi_value(raw: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        if is_small(&val.0, &mut SMALL_RESULT.clone()) {
            // SAFETY: forwarded from napi with the same environment.
            return unsafe { Value::to_napi_value(raw, val.0) };
        }
        let env = Env::from_raw(raw);
        let json: JSON = env.get_global()?.get_named_property_unchecked("JSON")?;
        let parse: Function<String, Unknown> = json.get_named_property_unchecked("parse")?;
        Ok(parse.call(val.0.to_string())?.raw())
    }
}

fn to_json(value: Value) -> Json {
    Json(value)
}

/// Plain JavaScript data to JSON values, through V8's `JSON.stringify`.
fn from_js<T: serde::de::DeserializeOwned>(env: &Env, value: Unknown<'_>) -> napi::Result<T> {
    let json: JSON = env.get_global()?.get_named_property_unchecked("JSON")?;
    let text = json.stringify(value)?;
    serde_json::from_str(&text).map_err(|e| {
        to_js(&Error::InvalidArgument {
            message: format!("cannot read the argument as plain data: {e}"),
        })
    })
}

fn options(max_parallel: Option<i64>) -> Result<PlanOptions, Error> {
    dispatch::plan_options(max_parallel)
}

fn plan_op(args: Option<PlanArgs>) -> Op {
    let o = options(args.unwrap_or_default().max_parallel);
    Box::new(move |m| dispatch::to_value(&m.plan(&o?)?))
}

fn teardown_op(args: Option<PlanArgs>) -> Op {
    let o = options(args.unwrap_or_default().max_parallel);
    Box::new(move |m| dispatch::to_value(&m.teardown(&o?)?))
}

fn impacted_op(args: ImpactedArgs) -> Op {
    Box::new(move |m| dispatch::to_value(&m.impacted(&args.changed, &options(args.max_parallel)?)?))
}

fn select_op(args: SelectArgs) -> Op {
    let clauses = match args.selector {
        Either::A(one) => vec![one],
        Either::B(many) => many,
    };
    Box::new(move |m| {
        let selector = Selector::parse(&clauses)?;
        dispatch::to_value(&m.select(&selector, &options(args.max_parallel)?)?)
    })
}

fn cycles_op() -> Op {
    Box::new(|m| dispatch::to_value(&m.cycles()))
}

fn validate_op() -> Op {
    Box::new(|m| dispatch::to_value(&dispatch::validate(m)?))
}

/// Marks an error reason that carries the structured error as JSON (decoded by `index.js`).
const ERROR_MARK: &str = "\u{1}aoa-error:";

/// A core error as a napi error whose reason is `ERROR_MARK` + `{"code","message","diagnostics"}`.
fn to_js(error: &Error) -> napi::Error {
    // Exhaustive on purpose: a new core error kind must be given a JS class in `index.js` too.
    let _class = match error {
        Error::Io { .. } => "IoError",
        Error::Syntax { .. } => "ParseError",
        Error::Manifest { .. } => "ManifestError",
        Error::Cycle { .. } => "CycleError",
        Error::Params { .. } => "ParamsError",
        Error::Schema { .. } => "SchemaError",
        Error::InvalidAccess { .. } => "InvalidAccessError",
        Error::Escalation { .. } => "EscalationError",
        Error::UnknownApp { .. } => "UnknownAppError",
        Error::InvalidArgument { .. } => "InvalidArgumentError",
    };
    napi::Error::new(
        Status::GenericFailure,
        format!("{ERROR_MARK}{}", dispatch::error_to_value(error)),
    )
}

/// A validated manifest (immutable).
#[napi]
pub struct Manifest {
    inner: Arc<CoreManifest>,
}

/// Runs one operation off the main thread.
pub struct OpTask {
    manifest: Arc<CoreManifest>,
    op: Option<Op>,
}

impl Task for OpTask {
    type Output = Value;
    type JsValue = Json;

    fn compute(&mut self) -> napi::Result<Value> {
        match self.op.take() {
            Some(op) => op(&self.manifest).map_err(|e| to_js(&e)),
            None => Err(napi::Error::from_reason("the operation already ran")),
        }
    }

    fn resolve(&mut self, _env: Env, output: Value) -> napi::Result<Json> {
        Ok(to_json(output))
    }
}

/// Loads a manifest off the main thread.
pub struct LoadTask {
    path: String,
}

impl Task for LoadTask {
    type Output = CoreManifest;
    type JsValue = Manifest;

    fn compute(&mut self) -> napi::Result<CoreManifest> {
        CoreManifest::from_path(&self.path).map_err(|e| to_js(&e))
    }

    fn resolve(&mut self, _env: Env, output: CoreManifest) -> napi::Result<Manifest> {
        Ok(Manifest {
            inner: Arc::new(output),
        })
    }
}

fn wrap(result: Result<CoreManifest, Error>) -> napi::Result<Manifest> {
    result
        .map(|m| Manifest { inner: Arc::new(m) })
        .map_err(|e| to_js(&e))
}

#[napi]
impl Manifest {
    /// Loads a manifest file, or every `*.yaml`, `*.yml` and `*.json` file of a directory.
    #[napi(factory)]
    pub fn load(path: String) -> napi::Result<Manifest> {
        wrap(CoreManifest::from_path(path))
    }

    /// Loads a manifest off the main thread.
    #[napi(ts_return_type = "Promise<Manifest>")]
    pub fn load_async(path: String) -> AsyncTask<LoadTask> {
        AsyncTask::new(LoadTask { path })
    }

    /// Parses one manifest text; `format` is `"yaml"` (the default) or `"json"`.
    #[napi(factory)]
    pub fn from_str(text: String, format: Option<String>) -> napi::Result<Manifest> {
        let format = Format::parse(format.as_deref().unwrap_or("yaml")).map_err(|e| to_js(&e))?;
        wrap(CoreManifest::from_str(&text, format))
    }

    /// Builds a manifest from app records (objects as in a manifest's `apps` list).
    #[napi(factory, ts_args_type = "apps: Array<AppRecord>")]
    pub fn from_apps(env: &Env, apps: Unknown<'_>) -> napi::Result<Manifest> {
        let json: JSON = env.get_global()?.get_named_property_unchecked("JSON")?;
        let text = json.stringify(apps)?;
        wrap(dispatch::records_from_json(&text))
    }

    /// The number of apps.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    fn run(&self, op: Op) -> napi::Result<Json> {
        op(&self.inner).map(to_json).map_err(|e| to_js(&e))
    }

    fn spawn(&self, op: Op) -> AsyncTask<OpTask> {
        AsyncTask::new(OpTask {
            manifest: Arc::clone(&self.inner),
            op: Some(op),
        })
    }

    /// The rollout plan of every app.
    #[napi(ts_return_type = "Plan")]
    pub fn plan(&self, args: Option<PlanArgs>) -> napi::Result<Json> {
        self.run(plan_op(args))
    }

    /// The rollout plan, computed off the main thread.
    #[napi(ts_return_type = "Promise<Plan>")]
    pub fn plan_async(&self, args: Option<PlanArgs>) -> AsyncTask<OpTask> {
        self.spawn(plan_op(args))
    }

    /// The teardown plan: the exact reverse of the rollout plan.
    #[napi(ts_return_type = "Plan")]
    pub fn teardown(&self, args: Option<PlanArgs>) -> napi::Result<Json> {
        self.run(teardown_op(args))
    }

    /// The teardown plan, computed off the main thread.
    #[napi(ts_return_type = "Promise<Plan>")]
    pub fn teardown_async(&self, args: Option<PlanArgs>) -> AsyncTask<OpTask> {
        self.spawn(teardown_op(args))
    }

    /// The changed apps plus everything downstream of them, as a plan.
    #[napi(ts_return_type = "Plan")]
    pub fn impacted(&self, args: ImpactedArgs) -> napi::Result<Json> {
        self.run(impacted_op(args))
    }

    /// The impacted plan, computed off the main thread.
    #[napi(ts_return_type = "Promise<Plan>")]
    pub fn impacted_async(&self, args: ImpactedArgs) -> AsyncTask<OpTask> {
        self.spawn(impacted_op(args))
    }

    /// The apps matching any clause plus everything they need first, as a plan.
    #[napi(ts_return_type = "Plan")]
    pub fn select(&self, args: SelectArgs) -> napi::Result<Json> {
        self.run(select_op(args))
    }

    /// The selected plan, computed off the main thread.
    #[napi(ts_return_type = "Promise<Plan>")]
    pub fn select_async(&self, args: SelectArgs) -> AsyncTask<OpTask> {
        self.spawn(select_op(args))
    }

    /// Every cycle of the rollout graph (empty when a plan exists).
    #[napi(ts_return_type = "Array<Cycle>")]
    pub fn cycles(&self) -> napi::Result<Json> {
        self.run(cycles_op())
    }

    /// The cycles, computed off the main thread.
    #[napi(ts_return_type = "Promise<Array<Cycle>>")]
    pub fn cycles_async(&self) -> AsyncTask<OpTask> {
        self.spawn(cycles_op())
    }

    /// Whether a rollout order exists, with the manifest's size and one diagnostic per cycle.
    #[napi(ts_return_type = "Validation")]
    pub fn validate(&self) -> napi::Result<Json> {
        self.run(validate_op())
    }

    /// The validation, computed off the main thread.
    #[napi(ts_return_type = "Promise<Validation>")]
    pub fn validate_async(&self) -> AsyncTask<OpTask> {
        self.spawn(validate_op())
    }

    /// Whether a subject (with its groups) may do an action on an app, and why.
    #[napi(ts_return_type = "Decision")]
    pub fn check(&self, args: CheckArgs) -> napi::Result<Json> {
        self.run(check_op(args))
    }

    /// `check`, computed off the main thread.
    #[napi(ts_return_type = "Promise<Decision>")]
    pub fn check_async(&self, args: CheckArgs) -> AsyncTask<OpTask> {
        self.spawn(check_op(args))
    }

    /// Every subject with its allowed actions on an app, each with its sources.
    #[napi(ts_return_type = "Effective")]
    pub fn effective(&self, args: AppArgs) -> napi::Result<Json> {
        self.run(named_op("effective", serde_json::json!({"app": args.app})))
    }

    /// `effective`, computed off the main thread.
    #[napi(ts_return_type = "Promise<Effective>")]
    pub fn effective_async(&self, args: AppArgs) -> AsyncTask<OpTask> {
        self.spawn(named_op("effective", serde_json::json!({"app": args.app})))
    }

    /// Every subject allowed an action on an app, with the grants that allow it.
    #[napi(ts_return_type = "WhoCan")]
    pub fn who_can(&self, args: WhoCanArgs) -> napi::Result<Json> {
        self.run(who_can_op(args))
    }

    /// `whoCan`, computed off the main thread.
    #[napi(ts_return_type = "Promise<WhoCan>")]
    pub fn who_can_async(&self, args: WhoCanArgs) -> AsyncTask<OpTask> {
        self.spawn(who_can_op(args))
    }

    /// The apps and actions a subject (with its groups) may do.
    #[napi(ts_return_type = "WhatCan")]
    pub fn what_can(&self, args: WhatCanArgs) -> napi::Result<Json> {
        self.run(what_can_op(args))
    }

    /// `whatCan`, computed off the main thread.
    #[napi(ts_return_type = "Promise<WhatCan>")]
    pub fn what_can_async(&self, args: WhatCanArgs) -> AsyncTask<OpTask> {
        self.spawn(what_can_op(args))
    }

    /// The actions an app's own identity is granted (what it needs, checked against its ceilings).
    #[napi(ts_return_type = "Array<string>")]
    pub fn identity(&self, args: AppArgs) -> napi::Result<Json> {
        self.run(named_op("identity", serde_json::json!({"app": args.app})))
    }

    /// `identity`, computed off the main thread.
    #[napi(ts_return_type = "Promise<Array<string>>")]
    pub fn identity_async(&self, args: AppArgs) -> AsyncTask<OpTask> {
        self.spawn(named_op("identity", serde_json::json!({"app": args.app})))
    }

    /// An app's resolved, validated parameters and which app set each value.
    #[napi(ts_return_type = "ResolvedParams")]
    pub fn params(&self, args: AppArgs) -> napi::Result<Json> {
        self.run(named_op("params", serde_json::json!({"app": args.app})))
    }

    /// `params`, computed off the main thread.
    #[napi(ts_return_type = "Promise<ResolvedParams>")]
    pub fn params_async(&self, args: AppArgs) -> AsyncTask<OpTask> {
        self.spawn(named_op("params", serde_json::json!({"app": args.app})))
    }

    /// Who gains or loses what from this manifest to `newer`.
    #[napi(ts_return_type = "AccessDiff")]
    pub fn diff(&self, newer: &Manifest) -> napi::Result<Json> {
        let newer = Arc::clone(&newer.inner);
        self.run(Box::new(move |m| {
            dispatch::call_pair(m, &newer, "diff", &Value::Null)
        }))
    }

    /// Any operation by its canonical (snake_case) name with its snake_case arguments, as plain objects.
    #[napi(
        ts_args_type = "operation: string, args?: Record<string, unknown> | null",
        ts_return_type = "unknown"
    )]
    pub fn call(
        &self,
        env: &Env,
        operation: String,
        args: Option<Unknown<'_>>,
    ) -> napi::Result<Json> {
        let args: Value = match args {
            Some(a) => from_js(env, a)?,
            None => Value::Null,
        };
        self.run(Box::new(move |m| dispatch::call(m, &operation, &args)))
    }
}

/// The canonical names of every operation of the core.
#[napi]
pub fn operations() -> Vec<String> {
    dispatch::operations()
        .map(|op| op.name.to_string())
        .collect()
}
