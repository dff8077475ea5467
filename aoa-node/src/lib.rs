//! Node.js bindings of aoa (napi-rs): the native part of the `aoa` package. It hands JSON text to
//! `aoa_core::dispatch::text`, on the main thread or (`...Async`) on libuv's pool, and returns its outcome text;
//! `index.js` parses it, throws the `AoaError` subclass of the code, and generates every method from the core's
//! table of operations. `rollout` (`src/rollout.rs`) runs a rollout with JavaScript callbacks.

use aoa_core::{ErrorCode, Manifest as Core, dispatch::text};
use napi::bindgen_prelude::{AsyncTask, Either, ToNapiValue, TypeName};
use napi::{Env, Task};
use napi_derive::napi;
use std::sync::Arc;

pub mod rollout;

/// The JavaScript class name of each error code (the one exhaustive match).
fn class_of(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Io => "IoError",
        ErrorCode::Syntax => "ParseError",
        ErrorCode::Manifest => "ManifestError",
        ErrorCode::Cycle => "CycleError",
        ErrorCode::InvalidAccess => "InvalidAccessError",
        ErrorCode::Escalation => "EscalationError",
        ErrorCode::Params => "ParamsError",
        ErrorCode::Schema => "SchemaError",
        ErrorCode::UnknownApp => "UnknownAppError",
        ErrorCode::InvalidArgument => "InvalidArgumentError",
        ErrorCode::Store => "StoreError",
        ErrorCode::StoreVersion => "StoreVersionError",
        ErrorCode::LeaseHeld => "LeaseHeldError",
        ErrorCode::GainRefused => "GainRefusedError",
        ErrorCode::Denied => "DeniedError",
    }
}

/// Every error code with its class name: `[["io", "IoError"], ...]`.
#[napi]
pub fn error_codes() -> Vec<[&'static str; 2]> {
    ErrorCode::ALL
        .into_iter()
        .map(|c| [c.as_str(), class_of(c)])
        .collect()
}

/// Every operation of the core (`name`, `kind`, `args`), as JSON text.
#[napi]
pub fn operations() -> String {
    text::operations()
}

/// A validated manifest (immutable; shared with the jobs that read it).
#[napi]
pub struct Manifest(Arc<Core>);

#[napi]
impl Manifest {
    /// The number of apps.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }
}

/// A manifest, or the error's outcome text.
type Opened = Either<Manifest, String>;

/// Work for libuv's thread pool: a closure whose value is handed to JavaScript as is.
pub struct Job<T>(Box<dyn Fn() -> T + Send>);

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Job<T> {
    type Output = T;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<T> {
        Ok((self.0)())
    }

    fn resolve(&mut self, _env: Env, output: T) -> napi::Result<T> {
        Ok(output)
    }
}

/// A manifest from a `path`, a `text` (in `format`) or `records` (JSON text), or the error's outcome text.
#[napi(ts_return_type = "Manifest | string")]
pub fn open(kind: String, source: String, format: Option<String>) -> Opened {
    match text::open(&kind, &source, format.as_deref()) {
        Ok(m) => Either::A(Manifest(Arc::new(m))),
        Err(e) => Either::B(text::failure(&e)),
    }
}

/// `open` on libuv's thread pool.
#[napi(ts_return_type = "Promise<Manifest | string>")]
pub fn open_async(kind: String, source: String, format: Option<String>) -> AsyncTask<Job<Opened>> {
    AsyncTask::new(Job(Box::new(move || {
        open(kind.clone(), source.clone(), format.clone())
    })))
}

/// Runs an operation on no, one or two (old, new) manifests; its outcome as JSON text.
#[napi]
pub fn call(manifests: Vec<&Manifest>, operation: String, args: Option<String>) -> String {
    let manifests: Vec<&Core> = manifests.iter().map(|m| &*m.0).collect();
    text::call(&manifests, &operation, args.as_deref())
}

/// `call` on libuv's thread pool.
#[napi(ts_return_type = "Promise<string>")]
pub fn call_async(
    manifests: Vec<&Manifest>,
    operation: String,
    args: Option<String>,
) -> AsyncTask<Job<String>> {
    let manifests: Vec<Arc<Core>> = manifests.iter().map(|m| Arc::clone(&m.0)).collect();
    AsyncTask::new(Job(Box::new(move || {
        let manifests: Vec<&Core> = manifests.iter().map(|m| &**m).collect();
        text::call(&manifests, &operation, args.as_deref())
    })))
}

/// An open state store (`aoa_store`); one call at a time.
#[napi]
pub struct Store(std::sync::Mutex<aoa_store::StateStore>);

/// The store at `url` with `options` (JSON text), or the error's outcome text.
#[napi(ts_return_type = "Store | string")]
pub fn store_open(url: String, options: Option<String>) -> Either<Store, String> {
    match aoa_store::dispatch::text::open(&url, options.as_deref()) {
        Ok(s) => Either::A(Store(std::sync::Mutex::new(s))),
        Err(e) => Either::B(text::failure(&e)),
    }
}

/// Runs a store operation (with a manifest, for those that take one); its outcome as JSON text.
#[napi]
pub fn store_call(
    store: &Store,
    manifest: Option<&Manifest>,
    operation: String,
    args: Option<String>,
) -> String {
    let manifest = manifest.map(|m| &*m.0);
    let mut guard = store
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    aoa_store::dispatch::text::call(&mut guard, manifest, &operation, args.as_deref())
}

/// Every store operation (`name`, `manifest`, `args`), as JSON text.
#[napi]
pub fn store_operations() -> String {
    aoa_store::dispatch::text::operations()
}
