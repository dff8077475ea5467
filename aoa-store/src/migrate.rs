//! Versioned, forward-only schema migrations, applied on open in one transaction each; a store whose version
//! is newer than [`SCHEMA_VERSION`] is refused (`store-version`), never downgraded.
//!
//! Every table is keyed by `registry_id` (the first column of every primary key, in every query), so the
//! schema distributes on Citus by that column; `aoa_schema` is global (a Citus reference table).

use crate::sql::{Backend, Sql, Store};
use aoa_core::{Error, Result};

/// The migrations, in order; migration `i` brings the schema to version `i + 1`. `BLOB` is `BYTEA` on
/// PostgreSQL. Append only: never edit a released migration.
pub const MIGRATIONS: &[&str] = &[
    // 1: registries, apps, leases, the audit chain head and the audit events (the history is the registry
    // events of the audit trail).
    "CREATE TABLE aoa_registries (
        registry_id TEXT NOT NULL PRIMARY KEY,
        hmac_key BLOB NOT NULL,
        created_at BIGINT NOT NULL);
    CREATE TABLE aoa_apps (
        registry_id TEXT NOT NULL,
        app TEXT NOT NULL,
        version TEXT,
        owner TEXT,
        labels TEXT NOT NULL,
        scopes TEXT NOT NULL,
        params_fp TEXT NOT NULL,
        manifest_fp TEXT NOT NULL,
        parent TEXT,
        access TEXT NOT NULL,
        retired BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (registry_id, app));
    CREATE TABLE aoa_leases (
        registry_id TEXT NOT NULL,
        lease TEXT NOT NULL,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        token BIGINT NOT NULL,
        PRIMARY KEY (registry_id, lease));
    CREATE TABLE aoa_chain (
        registry_id TEXT NOT NULL PRIMARY KEY,
        seq BIGINT NOT NULL,
        hash BLOB NOT NULL);
    CREATE TABLE aoa_audit (
        registry_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        app TEXT,
        event BLOB NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (registry_id, seq))",
    // 2: `audit show --app` and `registry history` read one app's events by index.
    "CREATE INDEX aoa_audit_app ON aoa_audit (registry_id, app, seq)",
    // 3: the journals of rollouts: every step of every run (`aoa rollout`, `--resume`, `aoa rollback`).
    "CREATE TABLE aoa_runs (
        registry_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        app TEXT NOT NULL,
        at BIGINT NOT NULL,
        step TEXT NOT NULL,
        PRIMARY KEY (registry_id, run_id, seq))",
    // 4: each app's fingerprint of its compared fields, so an apply recognizes unchanged apps without reading
    // their records.
    "ALTER TABLE aoa_apps ADD COLUMN fp TEXT NOT NULL DEFAULT ''",
];

/// The schema version this aoa writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings `store` to version `target` (at most [`SCHEMA_VERSION`]); the version it now has.
///
/// # Errors
/// [`Error::StoreVersion`] for a store newer than this aoa; a `store` error when a migration fails (that
/// migration is rolled back whole).
pub fn migrate(store: &mut dyn Store, target: i64, now_ms: i64) -> Result<i64> {
    create_schema_table(store)?;
    let mut version = current(store)?;
    if version > SCHEMA_VERSION {
        return Err(Error::StoreVersion {
            store: store.name().to_string(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    let backend = store.backend();
    let name = store.name().to_string();
    while version < target.min(SCHEMA_VERSION) {
        let index = usize::try_from(version).unwrap_or(usize::MAX);
        let Some(sql) = MIGRATIONS.get(index) else {
            break;
        };
        let mut tx = store.begin()?;
        if backend == Backend::Postgres {
            // Serializes migrating processes (a table lock held to the end of the transaction; SQLite's
            // `BEGIN IMMEDIATE` already does).
            tx.execute("LOCK TABLE aoa_schema IN EXCLUSIVE MODE", &[])?;
        }
        // Another process may have migrated meanwhile: re-read under the lock.
        let now = version_in(&mut *tx)?;
        if now == version {
            for statement in sql.split(';').filter(|s| !s.trim().is_empty()) {
                tx.execute(&dialect(statement, backend), &[])?;
            }
            tx.execute(
                "INSERT INTO aoa_schema (version, applied_at) VALUES (?1, ?2)",
                &[Sql::Int(version + 1), Sql::Int(now_ms)],
            )?;
        }
        tx.commit().map_err(|e| {
            crate::backend::store_error(
                &name,
                format!("migration to version {} failed: {e}", version + 1),
            )
        })?;
        version = current(store)?;
    }
    Ok(version)
}

/// Creates the version table when missing; two processes creating it at once on PostgreSQL can collide on
/// the catalog, so the loser retries (and then finds it).
fn create_schema_table(store: &mut dyn Store) -> Result<()> {
    let sql = "CREATE TABLE IF NOT EXISTS aoa_schema (version BIGINT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)";
    let mut attempt = 0;
    loop {
        match store.batch(sql) {
            Err(_) if attempt < 3 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn current(store: &mut dyn Store) -> Result<i64> {
    let mut tx = store.begin()?;
    let v = version_in(&mut *tx)?;
    tx.commit()?;
    Ok(v)
}

fn version_in(tx: &mut dyn crate::sql::Tx) -> Result<i64> {
    let rows = tx.query("SELECT MAX(version) FROM aoa_schema", &[])?;
    Ok(rows.first().and_then(|r| r.first()).map_or(0, Sql::int))
}

/// A statement in the backend's dialect.
pub(crate) fn dialect(sql: &str, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => sql.to_string(),
        Backend::Postgres => sql.replace("BLOB", "BYTEA"),
    }
}
