//! The checked arguments of one call, and plan options from the bindings' integers.

use super::{Operation, invalid, unknown};
use crate::error::Result;
use crate::graph::PlanOptions;
use serde_json::{Map, Value};

/// Plan options from a `max_parallel` as the bindings receive it (a negative number is an
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument), as is 0 when the plan is made).
pub fn plan_options(max_parallel: Option<i64>) -> Result<PlanOptions> {
    let max_parallel = match max_parallel {
        None => None,
        Some(n) => Some(
            usize::try_from(n)
                .map_err(|_| invalid("`max_parallel` must be a non-negative integer".into()))?,
        ),
    };
    Ok(PlanOptions { max_parallel })
}

/// The checked arguments of one call.
pub(super) struct Args<'a> {
    map: Option<&'a Map<String, Value>>,
}

impl<'a> Args<'a> {
    pub(super) fn new(op: &Operation, args: &'a Value) -> Result<Args<'a>> {
        let map = match args {
            Value::Null => None,
            Value::Object(map) => Some(map),
            _ => {
                return Err(invalid(format!(
                    "the arguments of `{}` must be an object",
                    op.name
                )));
            }
        };
        for key in map.into_iter().flat_map(Map::keys) {
            if !op.args.contains(&key.as_str()) {
                let what = format!("argument of `{}`", op.name);
                return Err(invalid(unknown(&what, key, op.args.iter().copied())));
            }
        }
        Ok(Args { map })
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map?.get(key).filter(|v| !v.is_null())
    }

    pub(super) fn plan_options(&self) -> Result<PlanOptions> {
        match self.get("max_parallel") {
            None => plan_options(None),
            Some(v) => plan_options(Some(v.as_i64().ok_or_else(|| {
                invalid("`max_parallel` must be a non-negative integer".into())
            })?)),
        }
    }

    /// A required string.
    pub(super) fn string(&self, key: &str) -> Result<&'a str> {
        match self.get(key) {
            None => Err(invalid(format!("missing argument `{key}`"))),
            Some(v) => v
                .as_str()
                .ok_or_else(|| invalid(format!("`{key}` must be a string"))),
        }
    }

    /// An optional string.
    pub(super) fn optional_string(&self, key: &str) -> Result<Option<&'a str>> {
        self.get(key).map(|_| self.string(key)).transpose()
    }

    /// An optional boolean (absent means false).
    pub(super) fn bool(&self, key: &str) -> Result<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| invalid(format!("`{key}` must be true or false"))),
        }
    }

    /// An optional list of strings (absent means empty).
    pub(super) fn optional_strings(&self, key: &str) -> Result<Vec<&'a str>> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(_) => self.strings(key),
        }
    }

    /// A required list of strings (a single string counts as a list of one).
    pub(super) fn strings(&self, key: &str) -> Result<Vec<&'a str>> {
        let wrong = || invalid(format!("`{key}` must be a string or a list of strings"));
        match self.get(key) {
            None => Err(invalid(format!("missing argument `{key}`"))),
            Some(Value::String(s)) => Ok(vec![s.as_str()]),
            Some(Value::Array(items)) => {
                items.iter().map(|v| v.as_str().ok_or_else(wrong)).collect()
            }
            Some(_) => Err(wrong()),
        }
    }

    /// A required point in time: a UTC date or date-time (`2026-12-04T17:30:00Z`) or seconds since the
    /// epoch.
    pub(super) fn time(&self, key: &str) -> Result<i64> {
        match self.get(key) {
            None => Err(invalid(format!("missing argument `{key}`"))),
            Some(Value::String(s)) => crate::access::parse_utc(s).map_err(invalid),
            Some(v) => v.as_i64().ok_or_else(|| {
                invalid(format!("`{key}` must be a UTC date-time or epoch seconds"))
            }),
        }
    }

    /// An optional duration (`30d`, `12h`), `default` when absent; in seconds.
    pub(super) fn duration(&self, key: &str, default: &str) -> Result<i64> {
        let text = self.optional_string(key)?.unwrap_or(default);
        crate::access::parse_duration(text).map_err(invalid)
    }
}
