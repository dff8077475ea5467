//! Leases: one row per (registry, lease) with its holder, expiry and a fencing token that grows every time
//! the lease changes hands. Taken with one `INSERT ... ON CONFLICT ... DO UPDATE ... WHERE ... RETURNING`
//! statement on both backends (no advisory locks, which break behind PgBouncer); every write checks the token
//! in its own transaction, so a holder whose lease expired and was taken over writes nothing.

use crate::clock::rfc3339;
use crate::sql::{Sql, Tx};
use aoa_core::{Error, Result};
use serde::Serialize;

/// The lease every registry apply holds.
pub const REGISTRY_LEASE: &str = "registry";

/// A lease held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "StoreLease"))]
pub struct Lease {
    /// The lease's name.
    pub lease: String,
    /// Who holds it.
    pub holder: String,
    /// Its fencing token: writes made under the lease carry it.
    pub token: i64,
    /// When it expires (ms since the epoch).
    pub expires_at: i64,
}

const TAKE: &str = "INSERT INTO aoa_leases (registry_id, lease, holder, expires_at, token) VALUES (?1, ?2, ?3, ?4, 1)
 ON CONFLICT (registry_id, lease) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
   token = aoa_leases.token + CASE WHEN aoa_leases.holder = excluded.holder AND aoa_leases.expires_at > ?5 THEN 0 ELSE 1 END
 WHERE aoa_leases.holder = excluded.holder OR aoa_leases.expires_at <= ?5
 RETURNING token, expires_at";

/// Takes (or renews) `lease` for `holder` until `now + ttl_ms`: the lease with its token, or `None` with the
/// current (holder, expiry) when someone else holds it.
///
/// # Errors
/// The store's errors.
pub fn take(
    tx: &mut dyn Tx,
    registry: &str,
    lease: &str,
    holder: &str,
    now: i64,
    ttl_ms: i64,
) -> Result<std::result::Result<Lease, (String, i64)>> {
    let rows = tx.query(
        TAKE,
        &[
            Sql::Text(registry.into()),
            Sql::Text(lease.into()),
            Sql::Text(holder.into()),
            Sql::Int(now.saturating_add(ttl_ms)),
            Sql::Int(now),
        ],
    )?;
    if let Some(row) = rows.first() {
        return Ok(Ok(Lease {
            lease: lease.to_string(),
            holder: holder.to_string(),
            token: row[0].int(),
            expires_at: row[1].int(),
        }));
    }
    Ok(Err(current(tx, registry, lease)?.unwrap_or_default()))
}

/// The (holder, expiry) of `lease`, if it was ever taken.
fn current(tx: &mut dyn Tx, registry: &str, lease: &str) -> Result<Option<(String, i64)>> {
    let rows = tx.query(
        "SELECT holder, expires_at FROM aoa_leases WHERE registry_id = ?1 AND lease = ?2",
        &[Sql::Text(registry.into()), Sql::Text(lease.into())],
    )?;
    Ok(rows.first().map(|r| (r[0].text().to_string(), r[1].int())))
}

/// Checks, inside a write transaction, that `lease` is still held with its token and not expired (and locks
/// the lease row until the transaction ends).
///
/// # Errors
/// [`Error::LeaseHeld`] naming the current holder when the lease expired or changed hands.
pub fn fence(tx: &mut dyn Tx, store: &str, registry: &str, lease: &Lease, now: i64) -> Result<()> {
    let n = tx.execute(
        "UPDATE aoa_leases SET expires_at = expires_at WHERE registry_id = ?1 AND lease = ?2 AND holder = ?3 AND token = ?4 AND expires_at > ?5",
        &[
            Sql::Text(registry.into()),
            Sql::Text(lease.lease.clone()),
            Sql::Text(lease.holder.clone()),
            Sql::Int(lease.token),
            Sql::Int(now),
        ],
    )?;
    if n == 1 {
        return Ok(());
    }
    let (holder, until) = current(tx, registry, &lease.lease)?.unwrap_or_default();
    Err(if holder == lease.holder {
        Error::LeaseHeld {
            store: store.to_string(),
            lease: lease.lease.clone(),
            holder: format!(
                "nobody (the lease of {holder} with token {} expired)",
                lease.token
            ),
            until: rfc3339(until),
        }
    } else {
        held(store, &lease.lease, &holder, until)
    })
}

/// Ends `lease` now (when it is still held with its token).
///
/// # Errors
/// The store's errors.
pub fn release(tx: &mut dyn Tx, registry: &str, lease: &Lease, now: i64) -> Result<bool> {
    let n = tx.execute(
        "UPDATE aoa_leases SET expires_at = ?5 WHERE registry_id = ?1 AND lease = ?2 AND holder = ?3 AND token = ?4",
        &[
            Sql::Text(registry.into()),
            Sql::Text(lease.lease.clone()),
            Sql::Text(lease.holder.clone()),
            Sql::Int(lease.token),
            Sql::Int(now),
        ],
    )?;
    Ok(n == 1)
}

/// The "held by H until T" error.
pub fn held(store: &str, lease: &str, holder: &str, until: i64) -> Error {
    Error::LeaseHeld {
        store: store.to_string(),
        lease: lease.to_string(),
        holder: holder.to_string(),
        until: rfc3339(until),
    }
}
