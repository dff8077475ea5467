//! Store URLs: `sqlite:PATH` (a file, created when missing) or `postgres://user@host:port/db` (also
//! `postgresql://`, and libpq key=value strings after `postgres:`).

use aoa_core::{Error, Result};
use std::path::PathBuf;

/// A parsed store URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// An embedded SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string, as the `postgres` crate reads it.
    Postgres(String),
}

impl StoreUrl {
    /// Parses `url`.
    ///
    /// # Errors
    /// A `store` error naming the URL and the accepted forms when it is neither.
    pub fn parse(url: &str) -> Result<StoreUrl> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(malformed(
                    url,
                    "`sqlite:` needs a file path (`sqlite:.aoa/state.db`)",
                ));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let rest = url.split_once("://").map_or("", |(_, r)| r);
            if rest.is_empty() || rest.starts_with('/') && rest.len() == 1 {
                return Err(malformed(
                    url,
                    "a PostgreSQL URL needs a host (`postgres://user@host:5432/db`)",
                ));
            }
            postgres::Config::try_from_str(url)?;
            return Ok(StoreUrl::Postgres(url.to_string()));
        }
        Err(malformed(
            url,
            "a store URL is `sqlite:PATH` or `postgres://user@host:port/database`",
        ))
    }

    /// The URL as messages name it: a PostgreSQL password replaced by `***`.
    pub fn display(&self) -> String {
        match self {
            StoreUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
            StoreUrl::Postgres(url) => redact(url),
        }
    }
}

trait TryFromStr: Sized {
    fn try_from_str(url: &str) -> Result<Self>;
}

impl TryFromStr for postgres::Config {
    fn try_from_str(url: &str) -> Result<Self> {
        url.parse::<postgres::Config>()
            .map_err(|e| malformed(url, &format!("not a PostgreSQL URL: {e}")))
    }
}

fn malformed(url: &str, why: &str) -> Error {
    Error::Store {
        store: redact(url),
        message: format!("malformed store URL: {why}"),
    }
}

/// `postgres://user:secret@host` → `postgres://user:***@host`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_or_fail_naming_the_store() {
        assert_eq!(
            StoreUrl::parse("sqlite:a/b.db").unwrap(),
            StoreUrl::Sqlite("a/b.db".into())
        );
        assert!(matches!(
            StoreUrl::parse("postgres://aoa@127.0.0.1:5432/x").unwrap(),
            StoreUrl::Postgres(_)
        ));
        for bad in [
            "mysql://x",
            "sqlite:",
            "",
            "postgres://",
            "postgres://h:notaport/x",
        ] {
            let e = StoreUrl::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("store `"), "{e}");
            assert!(e.contains("malformed store URL"), "{e}");
        }
        assert_eq!(redact("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        let e = StoreUrl::parse("postgres://u:pw@h:x/db")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("pw"), "{e}");
    }
}
