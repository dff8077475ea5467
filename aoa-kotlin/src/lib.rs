//! Kotlin/JVM binding of aoa through uniffi (the Kotlin side comes from `uniffi-bindgen`): every operation
//! goes through [`aoa_core::dispatch`] by name, JSON arguments in, a JSON result out, so a new operation needs
//! no change here. `Manifest.rollout` (`src/rollout.rs`) runs a rollout with a Kotlin callback interface.

use aoa_core::dispatch::{self, text};
use aoa_core::{Error, ErrorCode, Format};
use std::sync::Arc;

mod rollout;

uniffi::setup_scaffolding!();

/// Declares [`AoaError`] (one variant per [`ErrorCode`]) and its one exhaustive mapping from a code.
macro_rules! errors {
    ($($code:ident),* $(,)?) => {
        /// An error of aoa (`AoaException` in Kotlin): one variant per error code, each with its code
        /// (`unknown-app`), its message (`detail`) and its diagnostics as a JSON list.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum AoaError {
            $(
                /// The error code of the same name (`aoa_core::ErrorCode`).
                #[error("{detail}")]
                $code {
                    /// The stable code, as in every language (`unknown-app`).
                    code: String,
                    /// The message, the same in every language.
                    detail: String,
                    /// The diagnostics, a JSON list of objects.
                    diagnostics_json: String,
                },
            )*
        }

        /// The variant of `code`.
        fn error(error_code: ErrorCode, detail: String, diagnostics_json: String) -> AoaError {
            let code = error_code.as_str().to_string();
            match error_code {
                $(ErrorCode::$code => AoaError::$code { code, detail, diagnostics_json },)*
            }
        }
    };
}

errors! {Io, Syntax, Manifest, Cycle, InvalidAccess, Escalation, Params, Schema, UnknownApp, InvalidArgument, Store, StoreVersion, LeaseHeld, GainRefused, Denied}

impl From<Error> for AoaError {
    fn from(e: Error) -> AoaError {
        let diagnostics = dispatch::error_to_value(&e)["diagnostics"].to_string();
        error(e.code(), e.to_string(), diagnostics)
    }
}

type Result<T> = std::result::Result<T, AoaError>;

/// A loaded, validated manifest.
#[derive(uniffi::Object)]
pub struct Manifest(aoa_core::Manifest);

#[uniffi::export]
impl Manifest {
    /// Loads a manifest file, or every manifest file of a directory.
    #[uniffi::constructor]
    pub fn load(path: String) -> Result<Arc<Manifest>> {
        wrap(aoa_core::Manifest::from_path(path))
    }

    /// Parses a manifest text; `format` is `yaml` or `json`.
    #[uniffi::constructor]
    pub fn from_text(text: String, format: String) -> Result<Arc<Manifest>> {
        wrap(Format::parse(&format).and_then(|f| aoa_core::Manifest::from_str(&text, f)))
    }

    /// Builds a manifest from a JSON list of app records.
    #[uniffi::constructor]
    pub fn from_records(records_json: String) -> Result<Arc<Manifest>> {
        wrap(dispatch::records_from_json(&records_json))
    }

    /// Runs `operation` with JSON arguments (an object, or `null`) and returns its JSON result.
    #[uniffi::method(default(args_json = "null"))]
    pub fn call(&self, operation: String, args_json: String) -> Result<String> {
        Ok(text::run(&[&self.0], &operation, Some(&args_json))?.to_string())
    }

    /// Runs an operation on two manifests, this one (old) and `new` (`diff`), and returns its JSON result.
    #[uniffi::method(default(args_json = "null"))]
    pub fn call_pair(
        &self,
        new: Arc<Manifest>,
        operation: String,
        args_json: String,
    ) -> Result<String> {
        Ok(text::run(&[&self.0, &new.0], &operation, Some(&args_json))?.to_string())
    }
}

/// An open state store (`aoa_store`): registry, history, audit trail; one call at a time.
#[derive(uniffi::Object)]
pub struct Store(std::sync::Mutex<aoa_store::StateStore>);

#[uniffi::export]
impl Store {
    /// Opens (creating or migrating) the store at `url` with `options_json` (`null`, or an object: `registry`,
    /// `actor`, `lease_ttl_ms`, `lease_wait_ms`, `now_ms`).
    #[uniffi::constructor(default(options_json = "null"))]
    pub fn open(url: String, options_json: String) -> Result<Arc<Store>> {
        let store = aoa_store::dispatch::text::open(&url, Some(&options_json))?;
        Ok(Arc::new(Store(std::sync::Mutex::new(store))))
    }

    /// Runs a store operation (`apply`, `drift`, `show`, `history`, `list`, `audit_verify`, `audit_show`,
    /// `audit_export`) with `manifest` for those that take one, and returns its JSON result.
    #[uniffi::method(default(args_json = "null"))]
    pub fn call(
        &self,
        manifest: Option<Arc<Manifest>>,
        operation: String,
        args_json: String,
    ) -> Result<String> {
        let mut store = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let manifest = manifest.as_ref().map(|m| &m.0);
        Ok(
            aoa_store::dispatch::text::run(&mut store, manifest, &operation, Some(&args_json))?
                .to_string(),
        )
    }
}

/// Runs an operation that takes no manifest (`schema_fingerprint`) and returns its JSON result.
#[uniffi::export(default(args_json = "null"))]
pub fn call_free(operation: String, args_json: String) -> Result<String> {
    Ok(text::run(&[], &operation, Some(&args_json))?.to_string())
}

/// The names of every operation, in the core's order.
#[uniffi::export]
pub fn operations() -> Vec<String> {
    dispatch::operations()
        .map(|op| op.name.to_string())
        .collect()
}

/// Every error code (`unknown-app`, ...), in the core's order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

/// Throws the exception that `code` maps to, with `detail` as its message (an unknown code is an
/// `InvalidArgument`): lets a test see the class of every code.
#[uniffi::export]
pub fn raise(code: String, detail: String) -> Result<()> {
    let code =
        ErrorCode::parse(&code).ok_or_else(|| invalid(format!("unknown error code `{code}`")))?;
    Err(error(code, detail, "[]".into()))
}

fn wrap(manifest: aoa_core::Result<aoa_core::Manifest>) -> Result<Arc<Manifest>> {
    Ok(Arc::new(Manifest(manifest?)))
}

fn invalid(message: String) -> AoaError {
    Error::InvalidArgument { message }.into()
}
