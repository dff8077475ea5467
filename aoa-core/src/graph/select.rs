//! Choosing apps by name or labels.

use crate::error::{Error, Result};
use crate::manifest::{AppId, Model};

/// Chooses apps: an app is chosen when it matches any clause; a clause matches when all its terms do.
/// A term is `key=value` on the app's labels, or `name=...` on the app's name.
///
/// ```
/// use aoa_core::Selector;
/// let s = Selector::parse(&["env=prod,team=payments", "name=platform"]).unwrap();
/// assert_eq!(s.clauses.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// The clauses, each a list of `(key, value)` terms.
    pub clauses: Vec<Vec<(String, String)>>,
}

impl Selector {
    /// Parses clauses written `k=v[,k=v...]`.
    pub fn parse<S: AsRef<str>>(clauses: &[S]) -> Result<Selector> {
        let clauses = clauses
            .iter()
            .map(|clause| {
                clause
                    .as_ref()
                    .split(',')
                    .map(|term| match term.split_once('=') {
                        Some((k, v)) if !k.trim().is_empty() => {
                            Ok((k.trim().to_string(), v.trim().to_string()))
                        }
                        _ => Err(Error::InvalidArgument {
                            message: format!("selector term `{term}` is not `key=value`"),
                        }),
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Selector { clauses })
    }

    /// Selects exactly the named apps.
    pub fn names<S: AsRef<str>>(names: &[S]) -> Selector {
        Selector {
            clauses: names
                .iter()
                .map(|n| vec![("name".to_string(), n.as_ref().to_string())])
                .collect(),
        }
    }

    /// The apps the selector chooses, in id order. An app named in a `name=` term must exist.
    pub fn matching(&self, m: &Model) -> Result<Vec<AppId>> {
        for (k, v) in self.clauses.iter().flatten() {
            if k == "name" {
                m.app(v)?;
            }
        }
        Ok(m.ids()
            .filter(|&id| self.clauses.iter().any(|c| matches(m, id, c)))
            .collect())
    }
}

fn matches(m: &Model, id: AppId, clause: &[(String, String)]) -> bool {
    clause.iter().all(|(k, v)| {
        if k == "name" {
            m.name(id) == v
        } else {
            m.labels(id).get(k) == Some(v)
        }
    })
}
