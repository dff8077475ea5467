//! Rollouts with C callbacks: function pointers and a `void *user_data`, called from the runtime's worker
//! threads (several at once), so both must be thread-safe. A callback answers with its return value and may
//! attach a text to its [`AoaReply`] with [`aoa_reply_set`]: why a deploy or rollback failed, or the version
//! `observe` saw.

use crate::{AoaManifest, AoaStatus, guard, invalid, put, text};
use aoa_rollout::text::{Answer, Call, Foreign};
use std::ffi::{CString, c_char, c_void};
use std::sync::Arc;

/// The app runs as it should (what `observe` returns).
pub const AOA_HEALTH_HEALTHY: i32 = 0;
/// The app is not healthy yet, getting there.
pub const AOA_HEALTH_PROGRESSING: i32 = 1;
/// The app runs but fails.
pub const AOA_HEALTH_DEGRADED: i32 = 2;
/// The app is not there.
pub const AOA_HEALTH_MISSING: i32 = 3;
/// The app's health cannot be told.
pub const AOA_HEALTH_UNKNOWN: i32 = 4;

/// What a callback hands back besides its return value (opaque; set with [`aoa_reply_set`]).
pub struct AoaReply(Option<String>);

/// One attempt to deploy one app. The strings are valid during the call only.
#[repr(C)]
pub struct AoaDeployRequest {
    /// The app's name.
    pub app: *const c_char,
    /// The version the manifest declares, or NULL.
    pub version: *const c_char,
    /// The attempt, from 1.
    pub attempt: u32,
    /// The run.
    pub run_id: *const c_char,
    /// The same for every attempt of this app in this run: a deploy that sees it again may treat it as a repeat.
    pub idempotency_key: *const c_char,
}

/// Deploys an app: returns 0 on success; anything else fails the attempt (with the reply's text, if set).
pub type AoaDeployFn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        request: *const AoaDeployRequest,
        reply: *mut AoaReply,
    ) -> i32,
>;
/// Tells an app's health: returns an `AOA_HEALTH_*` value (the reply's text: the version seen), or a
/// negative value when the health cannot be read (the reply's text: why).
pub type AoaObserveFn = Option<
    unsafe extern "C" fn(user_data: *mut c_void, app: *const c_char, reply: *mut AoaReply) -> i32,
>;
/// Returns an app to `to_version` (NULL: the app did not exist): 0 on success, as [`AoaDeployFn`].
pub type AoaRollbackFn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        app: *const c_char,
        to_version: *const c_char,
        reply: *mut AoaReply,
    ) -> i32,
>;
/// Receives one journal entry as JSON (valid during the call), on the thread that called [`aoa_rollout`].
pub type AoaEventFn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, event_json: *const c_char)>;

/// The callbacks of a rollout: `deploy` is required, the others may be NULL (without `observe` an app is
/// healthy once deployed).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct AoaCallbacks {
    /// Handed to every callback as is.
    pub user_data: *mut c_void,
    /// Deploys an app.
    pub deploy: AoaDeployFn,
    /// Tells an app's health.
    pub observe: AoaObserveFn,
    /// Returns an app to an earlier version.
    pub rollback: AoaRollbackFn,
    /// Receives every journal entry.
    pub on_event: AoaEventFn,
}

/// The caller's callbacks, shared with the worker threads.
struct Shared(AoaCallbacks);

// SAFETY: `aoa_rollout`'s contract requires the callbacks and `user_data` to be safe to call from several
// threads at once.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

/// A string argument for C (a string with a NUL inside is cut there).
fn c_text(s: &str) -> CString {
    CString::new(s.split('\0').next().unwrap_or_default()).unwrap_or_default()
}

impl Shared {
    /// Calls the C function of `c.kind` and turns its answer into the runtime's.
    fn call(&self, c: Call<'_>) -> Answer {
        let cb = &self.0;
        let mut reply = AoaReply(None);
        let (app, version) = (c_text(c.app), c.version.map(c_text));
        let version_ptr = version.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
        let (run_id, key) = (c_text(c.run_id), c_text(c.idempotency_key));
        let request = AoaDeployRequest {
            app: app.as_ptr(),
            version: version_ptr,
            attempt: c.attempt,
            run_id: run_id.as_ptr(),
            idempotency_key: key.as_ptr(),
        };
        // SAFETY: the pointers live until the end of this function; the caller vouched for the functions.
        let status = unsafe {
            match (c.kind, cb.deploy, cb.observe, cb.rollback) {
                ("deploy", Some(f), _, _) => f(cb.user_data, &request, &mut reply),
                ("observe", _, Some(f), _) => f(cb.user_data, request.app, &mut reply),
                ("rollback", _, _, Some(f)) => {
                    f(cb.user_data, request.app, version_ptr, &mut reply)
                }
                (kind, ..) => return Err(format!("no {kind} callback was given")),
            }
        };
        let health = ["healthy", "progressing", "degraded", "missing", "unknown"];
        match (c.kind, usize::try_from(status).ok()) {
            ("observe", Some(h)) => Ok((
                Some(
                    health
                        .get(h)
                        .map_or(format!("health {h}"), |h| (*h).to_owned()),
                ),
                reply.0,
            )),
            (_, Some(0)) => Ok((None, None)),
            _ => Err(reply
                .0
                .unwrap_or_else(|| format!("the {} callback returned {status}", c.kind))),
        }
    }
}

/// Sets the text of a callback's reply (copied; invalid UTF-8 is replaced). NULL arguments are ignored.
///
/// # Safety
/// `reply` must be NULL or the reply handed to the running callback; `text` NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aoa_reply_set(reply: *mut AoaReply, text: *const c_char) {
    // SAFETY: per this function's contract.
    if let (Some(reply), false) = (unsafe { reply.as_mut() }, text.is_null()) {
        // SAFETY: `text` is a NUL-terminated string per the contract.
        reply.0 = Some(
            unsafe { std::ffi::CStr::from_ptr(text) }
                .to_string_lossy()
                .into_owned(),
        );
    }
}

/// Rolls out `manifest`: calls `callbacks->deploy` for every app as soon as the apps it waits for succeeded,
/// on worker threads, polls `observe` as the health gate, and stores the report as JSON in `*out_json`
/// (`{"run_id", "apps": [{"app", "status", "attempts", "started_ms", "finished_ms", "reason"}], "counts",
/// "critical_path", "elapsed_ms"}`). `options_json`: the run options (`{"max_parallel": 4, "on_failure":
/// "continue", "retry": {"max_attempts": 1}, ...}`) or NULL. A failing callback fails only its app; the status
/// is an error only when the rollout could not run (bad options, a cycle).
///
/// # Safety
/// `manifest` must be a live handle, `callbacks` valid for the call, `options_json` NULL or a NUL-terminated
/// string, `out_json` a valid pointer (free the result with `aoa_string_free`). The callbacks and `user_data`
/// must be safe to call from several threads at once. No callback starts after this function returns, except
/// when an attempt outlived its `attempt_timeout_ms`: it runs on (with its health gate) in the background.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aoa_rollout(
    manifest: *const AoaManifest,
    callbacks: *const AoaCallbacks,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> AoaStatus {
    guard(|| {
        // SAFETY: per this function's contract.
        let (manifest, callbacks, options) =
            unsafe { (manifest.as_ref(), callbacks.as_ref(), text(options_json)?) };
        let (manifest, cb) = manifest
            .zip(callbacks)
            .ok_or_else(|| invalid("`manifest` or `callbacks` is NULL"))?;
        if cb.deploy.is_none() {
            return Err(invalid("`callbacks->deploy` is NULL"));
        }
        let (user_data, on_event) = (cb.user_data, cb.on_event);
        let shared = Arc::new(Shared(*cb));
        let observes = cb.observe.is_some();
        let foreign = Foreign {
            call: move |c: Call<'_>| shared.call(c),
            observes,
        };
        let mut progress = |event: &str| {
            if let Some(f) = on_event {
                // SAFETY: the caller vouched for `on_event`; the string lives for the call.
                unsafe { f(user_data, c_text(event).as_ptr()) };
            }
        };
        let report =
            aoa_rollout::text::report(&manifest.0, options, Arc::new(foreign), &mut progress)?;
        let json = c_text(&serde_json::to_string(&report).map_err(|e| invalid(&e.to_string()))?);
        // SAFETY: per this function's contract.
        unsafe { put(out_json, json, CString::into_raw) }
    })
}
