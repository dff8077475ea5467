//! aoa-serve: the token service over HTTP. `POST /token` (RFC 8693 token exchange, form-encoded, §2.2 response,
//! §2.2.2 errors), `GET /.well-known/jwks.json` (the public keys of issued tokens) and `POST /check` (a permission
//! decision as JSON). Clients (the parent controllers) authenticate with a client secret (HTTP Basic or form) or a
//! client-assertion JWT (RFC 7523); request bodies are bounded; shutdown lets requests in flight finish.
//!
//! The server is `tiny_http` (synchronous, four small dependencies) on a fixed pool of worker threads: every
//! decision is the pure code of aoa-core and aoa-token, so nothing here needs an async runtime.

mod clients;
mod form;
mod handler;
mod signals;

pub use clients::{Client, Clients, JWT_BEARER, secret_sha256};
pub use signals::stop_on_signals;

use aoa_token::{ExchangeRecord, Exchanger};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Where each exchange's audit record goes.
pub type AuditSink = Box<dyn Fn(&ExchangeRecord) + Send + Sync>;

/// What the server serves.
pub struct Config {
    /// The manifest, signing key, trusted issuers and policy.
    pub exchanger: Exchanger,
    /// The clients allowed to exchange, and how each authenticates.
    pub clients: Clients,
    /// The largest request body read, bytes (a larger one is refused with 413).
    pub max_body: usize,
    /// Worker threads.
    pub workers: usize,
    /// Called with the record of every exchange, granted or refused.
    pub audit: Option<AuditSink>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {message}")]
pub struct ServeError {
    /// The address asked for.
    pub addr: String,
    /// Why.
    pub message: String,
}

/// A running server.
pub struct Running {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Running {
    /// The address it listens on (the port chosen when asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting requests, lets every request in flight finish, and returns when all workers are done.
    pub fn shutdown(self) {
        self.stop.store(true, Ordering::SeqCst);
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// How often an idle worker looks at the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// Starts serving on `listen` (`127.0.0.1:PORT`).
///
/// # Errors
/// [`ServeError`] when the address cannot be bound.
pub fn serve(config: Config, listen: &str) -> Result<Running, ServeError> {
    let error = |message: String| ServeError {
        addr: listen.to_string(),
        message,
    };
    let server = tiny_http::Server::http(listen).map_err(|e| error(e.to_string()))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| error("not an IP address".into()))?;
    let server = Arc::new(server);
    let config = Arc::new(config);
    let stop = Arc::new(AtomicBool::new(false));
    let workers = (0..config.workers.max(1))
        .map(|_| {
            let (server, config, stop) = (server.clone(), config.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match server.recv_timeout(POLL) {
                        Ok(Some(request)) => handler::handle(&config, request),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    Ok(Running {
        addr,
        stop,
        workers,
    })
}
