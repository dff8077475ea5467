//! [`StateStore`]: a registry in a store, with every operation of the registry, the leases and the audit
//! trail, each in its own transaction with its audit events.

mod runs;

pub use runs::RunStep;

use crate::audit::{self, Event, NewEvent, Verification, Verifier};
use crate::backend::{postgres::PostgresStore, sqlite::SqliteStore, store_error};
use crate::clock::{Clock, SystemClock, rfc3339};
use crate::lease::{self, Lease, REGISTRY_LEASE};
use crate::migrate::{SCHEMA_VERSION, migrate};
use crate::registry::plan::{Change, ChangeKind, FieldChange, plan};
use crate::registry::policy::{check_scopes, gain_diagnostics, gains};
use crate::registry::record::{AppRecord, COLUMNS, records_of};
use crate::sql::{Row, Sql, Store, Tx};
use crate::url::StoreUrl;
use aoa_core::access::AccessDiff;
use aoa_core::{Error, Manifest, Result};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How a store is used: which registry, as whom, with which clock and lease timings.
#[derive(Clone)]
pub struct Options {
    /// The registry inside the store (the `registry_id` of every row); `default` unless set.
    pub registry: String,
    /// Who acts (recorded as `updated_by`, the audit events' `actor` and the lease holder).
    pub actor: String,
    /// Where time comes from.
    pub clock: Arc<dyn Clock>,
    /// How long a lease taken by an apply lasts.
    pub lease_ttl: Duration,
    /// How long an apply waits for a lease someone else holds before failing (zero: fail at once).
    pub lease_wait: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            registry: "default".into(),
            actor: default_actor(),
            clock: Arc::new(SystemClock),
            lease_ttl: Duration::from_secs(300),
            lease_wait: Duration::ZERO,
        }
    }
}

/// `USER@HOST:PID` from the environment.
pub fn default_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host}:{}", std::process::id())
}

/// How an apply behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Compute and report the changes; write nothing (no lease, no event).
    pub dry_run: bool,
    /// Accept an apply that gives apps permissions they did not have.
    pub allow_gain: bool,
}

/// What an apply changed (or, dry, would change).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "RegistryApplyReport"))]
pub struct ApplyReport {
    /// The registry.
    pub registry: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Apps added.
    pub added: usize,
    /// Apps changed.
    pub changed: usize,
    /// Apps retired.
    pub retired: usize,
    /// Apps left as they were.
    pub unchanged: usize,
    /// Every change, added first by name, then retired.
    pub changes: Vec<Change>,
    /// The permissions gained, as `aoa diff` reports them (`gained` is 0 when none).
    pub gains: AccessDiff,
    /// The fingerprint of the applied manifest.
    pub manifest_fp: String,
    /// The audit event recording the apply (absent for a dry run).
    pub audit_seq: Option<i64>,
}

/// One entry of an app's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "RegistryHistoryEntry"))]
pub struct HistoryEntry {
    /// The audit event that records it.
    pub seq: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// Added, changed or retired.
    pub kind: ChangeKind,
    /// The fields set (old values for changes).
    pub fields: Vec<FieldChange>,
}

/// What the store records versus what a manifest declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "RegistryDrift"))]
pub struct Drift {
    /// Whether the registry matches the manifest.
    pub in_sync: bool,
    /// What an apply of the manifest would change (`added`: declared, not recorded; `retired`: recorded, not
    /// declared; `changed`: recorded differently, field by field, old = recorded, new = declared).
    pub changes: Vec<Change>,
}

/// Which audit events `audit show` lists.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only events about this app.
    pub app: Option<String>,
    /// Only events at or after this time (ms since the epoch).
    pub since: Option<i64>,
}

/// An audit event as shown: the event and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "AuditShownEvent"))]
pub struct ShownEvent {
    /// The event.
    #[serde(flatten)]
    pub event: Event,
    /// When (RFC 3339 UTC).
    pub time: String,
    /// Its chain hash (hex).
    pub hash: String,
}

/// What `audit export` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "AuditExport"))]
pub struct ExportReport {
    /// The file.
    pub path: String,
    /// How many events.
    pub events: i64,
    /// SHA-256 of the event schema's canonical form.
    pub schema_sha256: String,
}

/// A registry in an open store.
pub struct StateStore {
    store: Box<dyn Store>,
    options: Options,
    key: Vec<u8>,
}

/// Opens the store at `url` (`sqlite:PATH` or `postgres://...`) and brings its schema to the current version.
///
/// # Errors
/// A `store` error naming the store (malformed URL, unreachable server, not a database, read-only, full
/// disk); [`Error::StoreVersion`] for a store of a newer aoa.
pub fn open(url: &str, options: Options) -> Result<StateStore> {
    StateStore::open_at(url, options, SCHEMA_VERSION)
}

/// The backend of `url`, connected, its schema untouched.
///
/// # Errors
/// As [`open`].
pub fn connect(url: &str) -> Result<Box<dyn Store>> {
    let parsed = StoreUrl::parse(url)?;
    let name = parsed.display();
    Ok(match parsed {
        StoreUrl::Sqlite(path) => Box::new(SqliteStore::open(&path, &name)?),
        StoreUrl::Postgres(url) => Box::new(PostgresStore::open(&url, &name)?),
    })
}

impl StateStore {
    /// [`open`], migrating only up to schema `version` (for migration tests: a store as an older aoa left it).
    ///
    /// # Errors
    /// As [`open`].
    pub fn open_at(url: &str, options: Options, version: i64) -> Result<StateStore> {
        let mut store = connect(url)?;
        let now = options.clock.now_ms();
        let reached = migrate(store.as_mut(), version, now)?;
        let mut state = StateStore {
            store,
            options,
            key: Vec::new(),
        };
        if reached >= 1 {
            state.key = state.ensure_registry()?;
        }
        Ok(state)
    }

    /// The store as messages name it.
    pub fn name(&self) -> &str {
        self.store.name()
    }

    /// The registry.
    pub fn registry(&self) -> &str {
        &self.options.registry
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The backend.
    pub fn store(&mut self) -> &mut dyn Store {
        self.store.as_mut()
    }

    /// Sets how long the leases this store takes last (renewed by their holder while it works).
    pub fn set_lease_ttl(&mut self, ttl: Duration) {
        self.options.lease_ttl = ttl;
    }

    /// What to keep in place of a secret value or a token: its HMAC under this registry's key.
    pub fn hmac(&self, value: &[u8]) -> String {
        crate::secret::hmac_secret(&self.key, value)
    }

    fn reg(&self) -> Sql {
        Sql::Text(self.options.registry.clone())
    }

    fn now(&self) -> i64 {
        self.options.clock.now_ms()
    }

    fn fail(&self, message: impl std::fmt::Display) -> Error {
        store_error(self.store.name(), message)
    }

    /// Creates the registry (its key and chain head) when missing; its key.
    fn ensure_registry(&mut self) -> Result<Vec<u8>> {
        let name = self.store.name().to_string();
        let reg = self.reg();
        let now = self.now();
        let mut tx = self.store.begin()?;
        let rows = tx.query(
            "SELECT hmac_key FROM aoa_registries WHERE registry_id = ?1",
            std::slice::from_ref(&reg),
        )?;
        if let Some(row) = rows.first() {
            let key = row[0].blob().to_vec();
            return Ok(key);
        }
        let key = crate::secret::new_key(&name)?;
        tx.execute(
            "INSERT INTO aoa_registries (registry_id, hmac_key, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (registry_id) DO NOTHING",
            &[reg.clone(), Sql::Blob(key), Sql::Int(now)],
        )?;
        tx.execute(
            "INSERT INTO aoa_chain (registry_id, seq, hash) VALUES (?1, 0, ?2) ON CONFLICT (registry_id) DO NOTHING",
            &[reg.clone(), Sql::Blob(audit::chain::GENESIS.to_vec())],
        )?;
        let rows = tx.query(
            "SELECT hmac_key FROM aoa_registries WHERE registry_id = ?1",
            &[reg],
        )?;
        tx.commit()?;
        rows.first()
            .map(|r| r[0].blob().to_vec())
            .ok_or_else(|| store_error(&name, "the registry could not be created"))
    }

    /// Appends audit events in their own transaction (for the other features' decisions); their sequence
    /// numbers.
    ///
    /// # Errors
    /// The store's errors (nothing is written then).
    pub fn record(&mut self, events: Vec<NewEvent>) -> Result<Vec<i64>> {
        let (reg, actor, now) = (
            self.options.registry.clone(),
            self.options.actor.clone(),
            self.now(),
        );
        let mut tx = self.store.begin()?;
        let seqs = audit::append(&mut *tx, &reg, &actor, now, events)?;
        tx.commit()?;
        Ok(seqs)
    }

    /// Takes `lease` for `ttl` (waiting up to the options' `lease_wait` while someone else holds it), with its
    /// `lease.acquired` event.
    ///
    /// # Errors
    /// [`Error::LeaseHeld`] naming the holder and the expiry when it is still held after the wait.
    pub fn acquire(&mut self, lease_name: &str, ttl: Duration) -> Result<Lease> {
        let deadline = std::time::Instant::now() + self.options.lease_wait;
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        loop {
            let (reg, actor, now) = (
                self.options.registry.clone(),
                self.options.actor.clone(),
                self.now(),
            );
            let name = self.store.name().to_string();
            let mut tx = self.store.begin()?;
            match lease::take(&mut *tx, &reg, lease_name, &actor, now, ttl_ms)? {
                Ok(lease) => {
                    let event = NewEvent::new("lease.acquired", None)
                        .with("lease", lease_name)
                        .with("token", lease.token.to_string())
                        .with("expires_at", rfc3339(lease.expires_at));
                    audit::append(&mut *tx, &reg, &actor, now, vec![event])?;
                    tx.commit()?;
                    return Ok(lease);
                }
                Err((holder, until)) => {
                    drop(tx);
                    if std::time::Instant::now() >= deadline {
                        return Err(lease::held(&name, lease_name, &holder, until));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    /// Gives `lease` back (a `lease.released` event), when it is still held with its token.
    ///
    /// # Errors
    /// The store's errors.
    pub fn release(&mut self, held: &Lease) -> Result<()> {
        let (reg, actor, now) = (
            self.options.registry.clone(),
            self.options.actor.clone(),
            self.now(),
        );
        let mut tx = self.store.begin()?;
        if lease::release(&mut *tx, &reg, held, now)? {
            let event = released(held);
            audit::append(&mut *tx, &reg, &actor, now, vec![event])?;
        }
        tx.commit()
    }

    /// Updates the registry from `manifest`: takes the registry lease, applies under it and gives it back.
    ///
    /// # Errors
    /// [`Error::Escalation`] for a required scope no ancestor allows; [`Error::GainRefused`] (recorded as a
    /// refused apply) for gains without `allow_gain`; [`Error::LeaseHeld`]; the store's errors (nothing
    /// written).
    pub fn apply(&mut self, manifest: &Manifest, options: ApplyOptions) -> Result<ApplyReport> {
        check_scopes(manifest)?;
        let records = records_of(manifest, &self.options.actor)?;
        if options.dry_run {
            let current = self.read_all()?;
            return self.report(manifest, &records, &current, options, None);
        }
        let held = self.acquire(REGISTRY_LEASE, self.options.lease_ttl)?;
        self.apply_records(manifest, records, options, &held)
    }

    /// [`StateStore::apply`] under a lease already held (the transaction checks its token first and releases
    /// it at the end).
    ///
    /// # Errors
    /// As [`StateStore::apply`]; [`Error::LeaseHeld`] when the lease expired or changed hands.
    pub fn apply_with_lease(
        &mut self,
        manifest: &Manifest,
        options: ApplyOptions,
        held: &Lease,
    ) -> Result<ApplyReport> {
        check_scopes(manifest)?;
        let records = records_of(manifest, &self.options.actor)?;
        self.apply_records(manifest, records, options, held)
    }

    fn apply_records(
        &mut self,
        manifest: &Manifest,
        records: Vec<AppRecord>,
        options: ApplyOptions,
        held: &Lease,
    ) -> Result<ApplyReport> {
        let (reg, actor, now) = (
            self.options.registry.clone(),
            self.options.actor.clone(),
            self.now(),
        );
        let name = self.store.name().to_string();
        let mut tx = self.store.begin()?;
        lease::fence(&mut *tx, &name, &reg, held, now)?;
        let manifest_fp = records
            .first()
            .map(|r| r.manifest_fp.clone())
            .unwrap_or_default();
        let (current, records, unchanged) = current_of(&mut *tx, &reg, manifest, records)?;
        let mut report = report_of(&name, &reg, manifest, &records, &current, options)?;
        report.unchanged += unchanged;
        report.manifest_fp = manifest_fp;
        let fp = report.manifest_fp.clone();
        let summary = |outcome: &str, r: &ApplyReport| {
            NewEvent::new("registry.apply", None)
                .with("outcome", outcome)
                .with("manifest_fp", fp.clone())
                .with("added", r.added.to_string())
                .with("changed", r.changed.to_string())
                .with("retired", r.retired.to_string())
                .with("unchanged", r.unchanged.to_string())
                .with("gained", r.gains.gained.to_string())
                .with("token", held.token.to_string())
        };
        if report.gains.gained > 0 && !options.allow_gain {
            let diagnostics = gain_diagnostics(&report.gains);
            let listed: Vec<&str> = diagnostics
                .iter()
                .take(100)
                .map(|d| d.message.as_str())
                .collect();
            let refused = summary("refused", &report)
                .with("gains", serde_json::to_string(&listed).unwrap_or_default());
            audit::append(&mut *tx, &reg, &actor, now, vec![refused])?;
            lease::release(&mut *tx, &reg, held, now)?;
            audit::append(&mut *tx, &reg, &actor, now, vec![released(held)])?;
            tx.commit()?;
            return Err(Error::GainRefused { diagnostics });
        }
        let mut rows: Vec<Row> = Vec::with_capacity(report.changes.len());
        let mut events: Vec<NewEvent> = Vec::with_capacity(report.changes.len() + 2);
        let new_by_name: std::collections::HashMap<&str, &AppRecord> =
            records.iter().map(|r| (r.app.as_str(), r)).collect();
        let current_by_name: std::collections::HashMap<&str, &AppRecord> =
            current.iter().map(|r| (r.app.as_str(), r)).collect();
        for change in &report.changes {
            let row = match change.kind {
                ChangeKind::Retired => current_by_name.get(change.app.as_str()).map(|r| {
                    let mut row = r.row(&reg, now);
                    row[10] = Sql::Int(1);
                    row[12] = Sql::Text(actor.clone());
                    row
                }),
                ChangeKind::Added | ChangeKind::Changed => new_by_name
                    .get(change.app.as_str())
                    .map(|r| r.row(&reg, now)),
            };
            let Some(row) = row else { continue };
            rows.push(row);
            events.push(change_event(change, &fp));
        }
        events.push(summary("accepted", &report));
        events.push(released(held));
        if !rows.is_empty() {
            tx.insert_many(
                &format!("INSERT INTO aoa_apps (registry_id, {COLUMNS})"),
                UPSERT,
                &rows,
            )?;
        }
        lease::release(&mut *tx, &reg, held, now)?;
        let seqs = audit::append(&mut *tx, &reg, &actor, now, events)?;
        tx.commit()?;
        report.audit_seq = seqs.iter().rev().nth(1).copied();
        Ok(report)
    }

    fn report(
        &self,
        manifest: &Manifest,
        records: &[AppRecord],
        current: &[AppRecord],
        options: ApplyOptions,
        audit_seq: Option<i64>,
    ) -> Result<ApplyReport> {
        let mut r = report_of(
            self.store.name(),
            &self.options.registry,
            manifest,
            records,
            current,
            options,
        )?;
        r.audit_seq = audit_seq;
        Ok(r)
    }

    fn read_all(&mut self) -> Result<Vec<AppRecord>> {
        let reg = self.options.registry.clone();
        let mut tx = self.store.begin()?;
        let all = read_all(&mut *tx, &reg)?;
        tx.commit()?;
        Ok(all)
    }

    /// Every app of the registry (retired ones included), by name.
    ///
    /// # Errors
    /// The store's errors.
    pub fn list(&mut self) -> Result<Vec<AppRecord>> {
        self.read_all()
    }

    /// The record of `app`.
    ///
    /// # Errors
    /// [`Error::UnknownApp`] (with a did-you-mean hint) when the registry never had it.
    pub fn show(&mut self, app: &str) -> Result<AppRecord> {
        let reg = self.reg();
        let mut tx = self.store.begin()?;
        let rows = tx.query(
            &format!("SELECT {COLUMNS} FROM aoa_apps WHERE registry_id = ?1 AND app = ?2"),
            &[reg, Sql::Text(app.into())],
        )?;
        tx.commit()?;
        match rows.into_iter().next() {
            Some(row) => Ok(AppRecord::from_row(row)),
            None => Err(self.unknown(app)?),
        }
    }

    fn unknown(&mut self, app: &str) -> Result<Error> {
        let names: Vec<String> = self.read_all()?.into_iter().map(|r| r.app).collect();
        let hint = aoa_core::suggest::did_you_mean(app, names.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"));
        Ok(Error::UnknownApp {
            name: app.to_string(),
            hint,
        })
    }

    /// The history of `app`, oldest first (its registry events of the audit trail).
    ///
    /// # Errors
    /// [`Error::UnknownApp`] when the registry never had it.
    pub fn history(&mut self, app: &str) -> Result<Vec<HistoryEntry>> {
        let events = self.events(&AuditFilter {
            app: Some(app.into()),
            since: None,
        })?;
        let entries: Vec<HistoryEntry> = events
            .into_iter()
            .filter_map(|e| history_entry(&e.event))
            .collect();
        if entries.is_empty() {
            return Err(self.unknown(app)?);
        }
        Ok(entries)
    }

    /// Every registry event of the trail as history entries (app, entry), oldest first.
    ///
    /// # Errors
    /// The store's errors.
    pub fn all_history(&mut self) -> Result<Vec<(String, HistoryEntry)>> {
        let events = self.events(&AuditFilter::default())?;
        Ok(events
            .into_iter()
            .filter_map(|e| {
                let app = e.event.app.clone()?;
                history_entry(&e.event).map(|h| (app, h))
            })
            .collect())
    }

    /// What the registry records versus what `manifest` declares.
    ///
    /// # Errors
    /// The store's errors; the core's errors reading parameters.
    pub fn drift(&mut self, manifest: &Manifest) -> Result<Drift> {
        let records = records_of(manifest, &self.options.actor)?;
        let current = self.read_all()?;
        let (changes, _) = plan(&current, &records);
        Ok(Drift {
            in_sync: changes.is_empty(),
            changes,
        })
    }

    /// The audit events that pass `filter`, oldest first.
    ///
    /// # Errors
    /// The store's errors; a `store` error for an event that does not decode.
    pub fn events(&mut self, filter: &AuditFilter) -> Result<Vec<ShownEvent>> {
        let mut sql = "SELECT event, hash FROM aoa_audit WHERE registry_id = ?1".to_string();
        let mut params = vec![self.reg()];
        if let Some(app) = &filter.app {
            params.push(Sql::Text(app.clone()));
            sql.push_str(&format!(" AND app = ?{}", params.len()));
        }
        if let Some(since) = filter.since {
            params.push(Sql::Int(since));
            sql.push_str(&format!(" AND at >= ?{}", params.len()));
        }
        sql.push_str(" ORDER BY seq");
        let mut tx = self.store.begin()?;
        let rows = tx.query(&sql, &params)?;
        tx.commit()?;
        rows.iter()
            .map(|r| {
                let event = Event::decode(r[0].blob())
                    .map_err(|e| self.fail(format!("an audit event does not decode: {e}")))?;
                Ok(ShownEvent {
                    time: rfc3339(event.at),
                    hash: crate::secret::hex(r[1].blob()),
                    event,
                })
            })
            .collect()
    }

    /// Checks the whole audit chain: names the first event edited, deleted, inserted or reordered.
    ///
    /// # Errors
    /// The store's errors.
    pub fn verify(&mut self) -> Result<Verification> {
        let reg = self.reg();
        let mut tx = self.store.begin()?;
        let head = tx.query(
            "SELECT seq, hash FROM aoa_chain WHERE registry_id = ?1",
            std::slice::from_ref(&reg),
        )?;
        let mut verifier = Verifier::default();
        let mut after = 0i64;
        'pages: loop {
            let rows = tx.query(
                "SELECT seq, event, hash FROM aoa_audit WHERE registry_id = ?1 AND seq > ?2 ORDER BY seq LIMIT 10000",
                &[reg.clone(), Sql::Int(after)],
            )?;
            let Some(last) = rows.last() else { break };
            after = last[0].int();
            for r in &rows {
                if !verifier.next(r[0].int(), r[1].blob(), r[2].blob()) {
                    break 'pages;
                }
            }
        }
        tx.commit()?;
        Ok(verifier.finish(head.first().map(|r| (r[0].int(), r[1].blob().to_vec()))))
    }

    /// Writes the whole audit trail to `path` as an Avro Object Container File of `aoa.audit.Entry` records.
    ///
    /// # Errors
    /// A `store` error naming the store and the file.
    pub fn export(&mut self, path: &Path) -> Result<ExportReport> {
        let reg = self.reg();
        let mut tx = self.store.begin()?;
        let rows = tx.query(
            "SELECT event, hash FROM aoa_audit WHERE registry_id = ?1 ORDER BY seq",
            &[reg],
        )?;
        tx.commit()?;
        let events = audit::export::write_file(
            path,
            rows.into_iter().map(|mut r| {
                let hash = std::mem::replace(&mut r[1], Sql::Null);
                let body = std::mem::replace(&mut r[0], Sql::Null);
                (into_blob(body), into_blob(hash))
            }),
        )
        .map_err(|e| self.fail(format!("cannot export to `{}`: {e}", path.display())))?;
        Ok(ExportReport {
            path: path.display().to_string(),
            events,
            schema_sha256: audit::EVENT_SCHEMA_SHA256.to_string(),
        })
    }
}

fn into_blob(v: Sql) -> Vec<u8> {
    match v {
        Sql::Blob(b) => b,
        _ => Vec::new(),
    }
}

const UPSERT: &str = "ON CONFLICT (registry_id, app) DO UPDATE SET version = excluded.version, owner = excluded.owner,
 labels = excluded.labels, scopes = excluded.scopes, params_fp = excluded.params_fp, manifest_fp = excluded.manifest_fp,
 parent = excluded.parent, access = excluded.access, retired = excluded.retired, updated_at = excluded.updated_at,
 updated_by = excluded.updated_by, fp = excluded.fp";

/// The recorded apps an apply of `records` must compare, the records left to compare, and how many are known
/// unchanged by their fingerprint alone (neither read nor compared). Everything is read when permission
/// sections are involved (the privilege check rebuilds the previous manifest) or when most apps differ.
fn current_of(
    tx: &mut dyn Tx,
    registry: &str,
    manifest: &Manifest,
    records: Vec<AppRecord>,
) -> Result<(Vec<AppRecord>, Vec<AppRecord>, usize)> {
    let reg = Sql::Text(registry.into());
    let with_access = tx.query(
        "SELECT COUNT(*) FROM aoa_apps WHERE registry_id = ?1 AND retired = 0 AND access <> ''",
        std::slice::from_ref(&reg),
    )?;
    let full = with_access.first().is_some_and(|r| r[0].int() > 0)
        || manifest
            .model()
            .has_section(aoa_core::manifest::Section::is_access);
    if full {
        return Ok((read_all(tx, registry)?, records, 0));
    }
    let light = tx.query(
        "SELECT app, fp, retired FROM aoa_apps WHERE registry_id = ?1",
        std::slice::from_ref(&reg),
    )?;
    let stored: std::collections::HashMap<&str, (&str, bool)> = light
        .iter()
        .map(|r| (r[0].text(), (r[1].text(), r[2].int() != 0)))
        .collect();
    let (same, differ): (Vec<AppRecord>, Vec<AppRecord>) = records.into_iter().partition(|r| {
        stored
            .get(r.app.as_str())
            .is_some_and(|(fp, retired)| !retired && *fp == r.fp)
    });
    let kept: std::collections::HashSet<&str> = same.iter().map(|r| r.app.as_str()).collect();
    let fetch: Vec<&str> = light
        .iter()
        .map(|r| r[0].text())
        .filter(|app| !kept.contains(app))
        .collect();
    if fetch.len() * 5 > light.len().max(1) {
        let all = read_all(tx, registry)?;
        let current = all
            .into_iter()
            .filter(|r| !kept.contains(r.app.as_str()))
            .collect();
        return Ok((current, differ, same.len()));
    }
    let mut current = Vec::with_capacity(fetch.len());
    for app in fetch {
        let rows = tx.query(
            &format!("SELECT {COLUMNS} FROM aoa_apps WHERE registry_id = ?1 AND app = ?2"),
            &[reg.clone(), Sql::Text(app.into())],
        )?;
        current.extend(rows.into_iter().map(AppRecord::from_row));
    }
    Ok((current, differ, same.len()))
}

fn read_all(tx: &mut dyn Tx, registry: &str) -> Result<Vec<AppRecord>> {
    let rows = tx.query(
        &format!("SELECT {COLUMNS} FROM aoa_apps WHERE registry_id = ?1 ORDER BY app"),
        &[Sql::Text(registry.into())],
    )?;
    Ok(rows.into_iter().map(AppRecord::from_row).collect())
}

fn report_of(
    store: &str,
    registry: &str,
    manifest: &Manifest,
    records: &[AppRecord],
    current: &[AppRecord],
    options: ApplyOptions,
) -> Result<ApplyReport> {
    let (changes, unchanged) = plan(current, records);
    let count = |k: ChangeKind| changes.iter().filter(|c| c.kind == k).count();
    Ok(ApplyReport {
        registry: registry.to_string(),
        dry_run: options.dry_run,
        added: count(ChangeKind::Added),
        changed: count(ChangeKind::Changed),
        retired: count(ChangeKind::Retired),
        unchanged,
        gains: gains(store, current, manifest)?,
        manifest_fp: records
            .first()
            .map(|r| r.manifest_fp.clone())
            .unwrap_or_default(),
        changes,
        audit_seq: None,
    })
}

fn released(held: &Lease) -> NewEvent {
    NewEvent::new("lease.released", None)
        .with("lease", held.lease.clone())
        .with("token", held.token.to_string())
}

/// The audit event of one app's change: `registry.KIND` with each field's new value (JSON) and, for a change,
/// its old one (`FIELD.was`).
fn change_event(change: &Change, manifest_fp: &str) -> NewEvent {
    let mut e = NewEvent::new(
        &format!("registry.{}", change.kind.as_str()),
        Some(&change.app),
    )
    .with("manifest_fp", manifest_fp);
    for f in &change.fields {
        e = e.with(&f.field, f.new.to_string());
        if change.kind == ChangeKind::Changed {
            e = e.with(&format!("{}.was", f.field), f.old.to_string());
        }
    }
    e
}

fn history_entry(event: &Event) -> Option<HistoryEntry> {
    let kind = ChangeKind::of_event(&event.kind)?;
    let parse = |v: &str| serde_json::from_str::<Value>(v).unwrap_or(Value::Null);
    let fields = crate::registry::record::FIELDS
        .iter()
        .filter_map(|f| {
            let new = event.attribute(f)?;
            let old = event
                .attribute(&format!("{f}.was"))
                .map_or(Value::Null, parse);
            Some(FieldChange {
                field: (*f).to_string(),
                old,
                new: parse(new),
            })
        })
        .collect();
    Some(HistoryEntry {
        seq: event.seq,
        at: rfc3339(event.at),
        actor: event.actor.clone(),
        kind,
        fields,
    })
}
