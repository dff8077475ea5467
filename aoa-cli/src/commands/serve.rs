//! `aoa serve`: the token service over HTTP (`POST /token`, `GET /.well-known/jwks.json`, `POST /check`) until
//! SIGINT or SIGTERM, then a graceful shutdown.

use super::audit_trail::{AuditArgs, exchange_event};
use super::token::ServiceArgs;
use crate::output::Exit;
use aoa_core::Error;
use aoa_serve::{AuditSink, Clients, Config, serve as start, stop_on_signals};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

/// Arguments of `aoa serve`.
#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Where to listen: `127.0.0.1:PORT`.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,
    #[command(flatten)]
    pub(crate) service: ServiceArgs,
    /// The clients and how they authenticate: `{"clients": [{"id": APP, "secret_sha256": HEX} | {"id": APP,
    /// "jwks": {...}}]}`.
    #[arg(long, value_name = "FILE")]
    pub(crate) clients: PathBuf,
    /// The largest request body, bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    pub(crate) max_body: usize,
    /// Worker threads.
    #[arg(long, default_value_t = 4)]
    pub(crate) workers: usize,
    #[command(flatten)]
    pub(crate) audit: AuditArgs,
}

/// `aoa serve`.
pub(crate) fn serve(args: &ServeArgs) -> Result<Exit, Error> {
    let text = std::fs::read_to_string(&args.clients).map_err(|e| Error::Io {
        path: args.clients.display().to_string(),
        message: e.to_string(),
    })?;
    let clients: Clients = serde_json::from_str(&text).map_err(|e| Error::InvalidArgument {
        message: format!("{}: not a clients file: {e}", args.clients.display()),
    })?;
    let store = args.audit.open()?.map(Mutex::new);
    let audit: AuditSink = Box::new(move |record| {
        eprintln!(
            "audit: {}",
            serde_json::to_string(record).unwrap_or_default()
        );
        if let Some(store) = &store
            && let Ok(mut store) = store.lock()
            && let Err(e) = store.record(vec![exchange_event(record)])
        {
            eprintln!("error: the audit event was not recorded: {e}");
        }
    });
    let config = Config {
        exchanger: args.service.exchanger()?,
        clients,
        max_body: args.max_body,
        workers: args.workers,
        audit: Some(audit),
    };
    let stop = stop_on_signals();
    let running = start(config, &args.listen).map_err(|e| Error::InvalidArgument {
        message: e.to_string(),
    })?;
    eprintln!("aoa serve: listening on http://{}", running.addr());
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    eprintln!("aoa serve: stopping (requests in flight finish)");
    running.shutdown();
    Ok(Exit::Ok)
}
