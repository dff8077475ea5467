//! Identity decisions as audit events of the state store (`--store URL` or `AOA_STORE`; without one, the
//! decisions are printed or returned but not recorded): token exchanges (granted or refused, with the `jti` and
//! the SHA-256 of the token, never the token), secret-grant decisions and exports.

use aoa_core::Error;
use aoa_core::access::{AppSecrets, RoleAssignments, describe};
use aoa_store::{NewEvent, Options, StateStore};
use aoa_token::ExchangeRecord;

/// Where identity decisions are recorded.
#[derive(clap::Args)]
pub(crate) struct AuditArgs {
    /// Record the decision in this state store's audit trail: `sqlite:PATH` or `postgres://...` (also from
    /// `AOA_STORE`) [default: not recorded].
    #[arg(long, env = "AOA_STORE", value_name = "URL")]
    pub(crate) store: Option<String>,
    /// The registry inside the store.
    #[arg(long, default_value = "default", value_name = "ID")]
    pub(crate) registry: String,
}

impl AuditArgs {
    /// The store, when one is named.
    pub(crate) fn open(&self) -> Result<Option<StateStore>, Error> {
        let Some(url) = &self.store else {
            return Ok(None);
        };
        let options = Options {
            registry: self.registry.clone(),
            ..Options::default()
        };
        aoa_store::open(url, options).map(Some)
    }

    /// Records events, when a store is named.
    pub(crate) fn record(&self, events: Vec<NewEvent>) -> Result<(), Error> {
        if let Some(mut store) = self.open()? {
            store.record(events)?;
        }
        Ok(())
    }
}

/// `token.exchange`: the exchange record, attribute by attribute.
pub(crate) fn exchange_event(r: &ExchangeRecord) -> NewEvent {
    let mut e =
        NewEvent::new("token.exchange", Some(&r.audience)).with("outcome", r.outcome.clone());
    let optional = [
        ("client", &r.client),
        ("subject", &r.subject),
        ("requested", &r.requested),
        ("issued", &r.issued),
        ("jti", &r.jti),
        ("token_sha256", &r.token_sha256),
        ("reason", &r.reason),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            e = e.with(key, v.clone());
        }
    }
    e.with("at", r.at.to_string())
}

/// `secret.grant`: one event per secret the app uses, with the grants that allow it.
pub(crate) fn secret_events(s: &AppSecrets<'_>) -> Vec<NewEvent> {
    (s.uses.iter())
        .map(|u| {
            let grants: Vec<String> = u.grants.iter().map(|g| describe(g.rule)).collect();
            NewEvent::new("secret.grant", Some(s.app))
                .with("secret", u.used.reference.clone())
                .with("allowed", (!grants.is_empty()).to_string())
                .with("grants", grants.join("; "))
        })
        .collect()
}

/// `export.azure-role-assignments`: what was exported, one event per assignment.
pub(crate) fn export_events(scope_prefix: &str, a: &RoleAssignments) -> Vec<NewEvent> {
    (a.value.iter())
        .map(|r| {
            NewEvent::new("export.azure-role-assignments", None)
                .with("scope_prefix", scope_prefix)
                .with("name", r.name.clone())
                .with("scope", r.properties.scope.clone())
                .with("principal", r.properties.principal_id.clone())
                .with("description", r.properties.description.clone())
        })
        .collect()
}
