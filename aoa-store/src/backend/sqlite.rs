//! The embedded SQLite backend: WAL, `synchronous=FULL`, `busy_timeout`, `BEGIN IMMEDIATE` writers.

use super::store_error;
use crate::sql::{Backend, Row, Sql, Store, Tx, values_list};
use aoa_core::Result;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another process's write transaction before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Rows per multi-row `INSERT` (SQLite binds at most 32766 values per statement).
const BATCH_ROWS: usize = 128;

/// A SQLite store file.
pub struct SqliteStore {
    name: String,
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating when missing, with its directory) the database file at `path`.
    ///
    /// # Errors
    /// A `store` error naming the store: a directory that cannot be created, a file that is not a database,
    /// a read-only file, a full disk.
    pub fn open(path: &Path, name: &str) -> Result<SqliteStore> {
        let fail = |e: &dyn std::fmt::Display| store_error(name, e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| fail(&format!("cannot create `{}`: {e}", dir.display())))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(&e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| fail(&e))?;
        // A file that is not a database fails here, on its first read.
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| fail(&describe(&e)))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(fail(&format!(
                "cannot switch to WAL mode (journal mode is `{mode}`)"
            )));
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(|e| fail(&describe(&e)))?;
        Ok(SqliteStore {
            name: name.to_string(),
            conn,
        })
    }
}

/// SQLite's message, with what it means for a store.
fn describe(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    let hint = match e.sqlite_error_code() {
        Some(C::NotADatabase) => ": the file is not a SQLite database",
        Some(C::ReadOnly) => ": the file or its directory is read-only",
        Some(C::DiskFull) => ": the disk is full (or a file size limit was reached)",
        Some(C::CannotOpen) => ": the file cannot be opened",
        Some(C::SystemIoFailure) => {
            ": a read or write failed (a full disk, a file size limit or a device error); the transaction was rolled back"
        }
        _ => "",
    };
    format!("{e}{hint}")
}

impl Store for SqliteStore {
    fn name(&self) -> &str {
        &self.name
    }

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn begin(&mut self) -> Result<Box<dyn Tx + '_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| store_error(&self.name, describe(&e)))?;
        Ok(Box::new(SqliteTx {
            name: &self.name,
            tx,
        }))
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| store_error(&self.name, describe(&e)))
    }
}

struct SqliteTx<'c> {
    name: &'c str,
    tx: rusqlite::Transaction<'c>,
}

impl SqliteTx<'_> {
    fn fail(&self, e: &rusqlite::Error) -> aoa_core::Error {
        store_error(self.name, describe(e))
    }
}

impl rusqlite::ToSql for Sql {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Sql::Null => ValueRef::Null,
            Sql::Int(i) => ValueRef::Integer(*i),
            Sql::Text(t) => ValueRef::Text(t.as_bytes()),
            Sql::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn read(value: ValueRef<'_>) -> Sql {
    match value {
        ValueRef::Null => Sql::Null,
        ValueRef::Integer(i) => Sql::Int(i),
        // Never written by aoa; kept readable as its integer part.
        #[expect(clippy::cast_possible_truncation, reason = "aoa stores no REAL values")]
        ValueRef::Real(f) => Sql::Int(f as i64),
        ValueRef::Text(t) => Sql::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Sql::Blob(b.to_vec()),
    }
}

impl Tx for SqliteTx<'_> {
    fn execute(&mut self, sql: &str, params: &[Sql]) -> Result<u64> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(|e| self.fail(&e))?;
        let n = stmt
            .execute(rusqlite::params_from_iter(params))
            .map_err(|e| self.fail(&e))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Sql]) -> Result<Vec<Row>> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(|e| self.fail(&e))?;
        let width = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params))
            .map_err(|e| self.fail(&e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.fail(&e))? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(read(row.get_ref(i).map_err(|e| self.fail(&e))?));
            }
            out.push(values);
        }
        Ok(out)
    }

    fn insert_many(&mut self, head: &str, tail: &str, rows: &[Row]) -> Result<()> {
        let width = rows.first().map_or(0, Vec::len);
        for chunk in rows.chunks(BATCH_ROWS) {
            let sql = format!(
                "{head} VALUES {} {tail}",
                values_list(chunk.len(), width, '?')
            );
            let mut stmt = self.tx.prepare_cached(&sql).map_err(|e| self.fail(&e))?;
            stmt.execute(rusqlite::params_from_iter(chunk.iter().flatten()))
                .map_err(|e| self.fail(&e))?;
        }
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let name = self.name;
        self.tx
            .commit()
            .map_err(|e| store_error(name, describe(&e)))
    }
}
