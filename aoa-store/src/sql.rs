//! The one synchronous [`Store`] trait both backends implement: transactions of parameterized SQL statements.
//!
//! Statements are written once with SQLite's numbered placeholders (`?1`, `?2`, ...); the PostgreSQL backend
//! rewrites them to `$1`, `$2`, ... Column types are `TEXT`, `BIGINT` and `BLOB` (`BYTEA` on PostgreSQL).

use aoa_core::Result;

/// One value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sql {
    /// SQL `NULL`.
    Null,
    /// A `BIGINT`.
    Int(i64),
    /// A `TEXT`.
    Text(String),
    /// A `BLOB` / `BYTEA`.
    Blob(Vec<u8>),
}

impl Sql {
    /// The integer, or 0 for anything else.
    pub fn int(&self) -> i64 {
        match self {
            Sql::Int(i) => *i,
            _ => 0,
        }
    }

    /// The text, or `""` for anything else.
    pub fn text(&self) -> &str {
        match self {
            Sql::Text(t) => t,
            _ => "",
        }
    }

    /// The text, or `None` for `NULL` and non-text values.
    pub fn opt_text(&self) -> Option<String> {
        match self {
            Sql::Text(t) => Some(t.clone()),
            _ => None,
        }
    }

    /// The bytes, or an empty slice for anything else.
    pub fn blob(&self) -> &[u8] {
        match self {
            Sql::Blob(b) => b,
            _ => &[],
        }
    }

    /// The text, moved out; `None` for `NULL` and non-text values.
    pub fn into_text(self) -> Option<String> {
        match self {
            Sql::Text(t) => Some(t),
            _ => None,
        }
    }

    /// `Text` of `Some`, `Null` of `None`.
    pub fn of_opt(value: Option<&str>) -> Sql {
        value.map_or(Sql::Null, |v| Sql::Text(v.to_string()))
    }
}

/// One row of a query result, its columns in select order.
pub type Row = Vec<Sql>;

/// Which database a store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// One open transaction. Dropping it without [`Tx::commit`] rolls it back.
pub trait Tx {
    /// Runs one statement; the number of rows it changed.
    ///
    /// # Errors
    /// The database's error, as a `store` error naming the store.
    fn execute(&mut self, sql: &str, params: &[Sql]) -> Result<u64>;

    /// Runs one query; its rows.
    ///
    /// # Errors
    /// As [`Tx::execute`].
    fn query(&mut self, sql: &str, params: &[Sql]) -> Result<Vec<Row>>;

    /// Inserts many rows with batched multi-row statements: `head` is `INSERT INTO t (c1, .., cN)`, each row
    /// has N values, `tail` follows the `VALUES` list (`ON CONFLICT ... DO UPDATE ...`, or empty).
    ///
    /// # Errors
    /// As [`Tx::execute`].
    fn insert_many(&mut self, head: &str, tail: &str, rows: &[Row]) -> Result<()>;

    /// Commits (durably: SQLite `synchronous=FULL`, PostgreSQL's default `synchronous_commit`).
    ///
    /// # Errors
    /// As [`Tx::execute`]; nothing of the transaction is kept.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// A state store backend: SQLite or PostgreSQL, both behind this one synchronous trait.
pub trait Store: Send {
    /// The store as it is named in messages: its URL without a password.
    fn name(&self) -> &str;

    /// Which database it is.
    fn backend(&self) -> Backend;

    /// Begins a write transaction (SQLite: `BEGIN IMMEDIATE`, so writers queue on `busy_timeout` instead of
    /// failing on a lock upgrade).
    ///
    /// # Errors
    /// The database's error, as a `store` error naming the store.
    fn begin(&mut self) -> Result<Box<dyn Tx + '_>>;

    /// Runs statements separated by `;` outside any transaction handle (schema migrations run inside a
    /// transaction they open themselves with [`Store::begin`]).
    ///
    /// # Errors
    /// As [`Store::begin`].
    fn batch(&mut self, sql: &str) -> Result<()>;
}

/// Multi-row `VALUES (..), (..)` placeholders for `rows` rows of `width` values, numbered from `?1`.
pub(crate) fn values_list(rows: usize, width: usize, prefix: char) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            out.push(prefix);
            out.push_str(&(r * width + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::values_list;

    #[test]
    fn values_lists_number_every_placeholder() {
        assert_eq!(values_list(2, 2, '?'), "(?1, ?2), (?3, ?4)");
        assert_eq!(values_list(1, 3, '$'), "($1, $2, $3)");
    }
}
