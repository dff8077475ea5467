//! SIGINT and SIGTERM as a stop flag, so `aoa serve` shuts down gracefully (requests in flight finish).

use std::sync::atomic::AtomicBool;

static STOP: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_signal(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    STOP.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Installs handlers for SIGINT and SIGTERM that set the returned flag (elsewhere: a flag nothing sets).
pub fn stop_on_signals() -> &'static AtomicBool {
    #[cfg(unix)]
    {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: `on_signal` is an `extern "C"` function that only stores to a static atomic, which is
        // async-signal-safe; replacing the default disposition of SIGINT/SIGTERM has no other effect.
        unsafe {
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
    }
    &STOP
}
