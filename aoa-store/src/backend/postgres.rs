//! The PostgreSQL backend, through the synchronous `postgres` crate (call it from plain threads, never from
//! inside a tokio runtime). Statements are the SQLite ones with `?N` rewritten to `$N`.

use super::store_error;
use crate::sql::{Backend, Row, Sql, Store, Tx, values_list};
use aoa_core::Result;
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::time::Duration;

/// Rows per multi-row `INSERT` (PostgreSQL binds at most 65535 values per statement).
const BATCH_ROWS: usize = 1000;

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL store.
pub struct PostgresStore {
    name: String,
    client: Client,
}

impl PostgresStore {
    /// Connects to the server of `url` (without TLS: use a local socket or a trusted network, or a TLS proxy).
    ///
    /// # Errors
    /// A `store` error naming the store: a malformed URL, an unreachable server, a refused login.
    pub fn open(url: &str, name: &str) -> Result<PostgresStore> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| store_error(name, format!("malformed store URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let client = config
            .connect(NoTls)
            .map_err(|e| store_error(name, format!("cannot connect: {}", describe(&e))))?;
        Ok(PostgresStore {
            name: name.to_string(),
            client,
        })
    }
}

/// The error with its cause (the `postgres` crate's top-level message alone is often just "db error").
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

/// `?1` → `$1` (aoa's statements have no `?` inside literals).
fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

impl Store for PostgresStore {
    fn name(&self) -> &str {
        &self.name
    }

    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn begin(&mut self) -> Result<Box<dyn Tx + '_>> {
        let tx = self
            .client
            .transaction()
            .map_err(|e| store_error(&self.name, describe(&e)))?;
        Ok(Box::new(PostgresTx {
            name: &self.name,
            tx,
            prepared: HashMap::new(),
        }))
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.client
            .batch_execute(sql)
            .map_err(|e| store_error(&self.name, describe(&e)))
    }
}

struct PostgresTx<'c> {
    name: &'c str,
    tx: postgres::Transaction<'c>,
    prepared: HashMap<String, Statement>,
}

impl PostgresTx<'_> {
    fn fail(&self, e: &postgres::Error) -> aoa_core::Error {
        store_error(self.name, describe(e))
    }

    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(&dollars(sql)).map_err(|e| self.fail(&e))?;
        self.prepared.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

impl ToSql for Sql {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Sql::Null => Ok(IsNull::Yes),
            Sql::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Sql::Int(i) => i.to_sql(ty, out),
            Sql::Text(t) => t.as_str().to_sql(ty, out),
            Sql::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn params(values: &[Sql]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

fn read(row: &postgres::Row, i: usize) -> std::result::Result<Sql, postgres::Error> {
    let ty = row.columns()[i].type_().clone();
    Ok(if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?
            .map_or(Sql::Null, Sql::Int)
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map_or(Sql::Null, |v| Sql::Int(v.into()))
    } else if ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Sql::Null, Sql::Blob)
    } else {
        row.try_get::<_, Option<String>>(i)?
            .map_or(Sql::Null, Sql::Text)
    })
}

impl Tx for PostgresTx<'_> {
    fn execute(&mut self, sql: &str, values: &[Sql]) -> Result<u64> {
        let s = self.statement(sql)?;
        self.tx
            .execute(&s, &params(values))
            .map_err(|e| self.fail(&e))
    }

    fn query(&mut self, sql: &str, values: &[Sql]) -> Result<Vec<Row>> {
        let s = self.statement(sql)?;
        let rows = self
            .tx
            .query(&s, &params(values))
            .map_err(|e| self.fail(&e))?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| read(r, i))
                    .collect::<std::result::Result<Row, _>>()
            })
            .collect::<std::result::Result<Vec<Row>, _>>()
            .map_err(|e| self.fail(&e))
    }

    fn insert_many(&mut self, head: &str, tail: &str, rows: &[Row]) -> Result<()> {
        let width = rows.first().map_or(0, Vec::len);
        for chunk in rows.chunks(BATCH_ROWS) {
            let sql = format!(
                "{head} VALUES {} {tail}",
                values_list(chunk.len(), width, '$')
            );
            let s = self.statement(&sql)?;
            let values: Vec<&(dyn ToSql + Sync)> = chunk
                .iter()
                .flatten()
                .map(|v| v as &(dyn ToSql + Sync))
                .collect();
            self.tx.execute(&s, &values).map_err(|e| self.fail(&e))?;
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
