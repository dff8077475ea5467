//! Secret references (`keyvault://VAULT/NAME[/VERSION]`, `env://NAME`, `file://PATH`), the access action
//! that reading one is (`secrets:` + the reference without its version), and the dates and durations of
//! rotation (UTC, seconds since the Unix epoch: the core has no clock, callers pass the time).

use serde::Serialize;

/// The prefix of the actions that reading a secret is, in the access model's vocabulary.
pub const SECRET_ACTION_PREFIX: &str = "secrets:";

/// Where a secret lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Store {
    /// An Azure Key Vault secret.
    Keyvault,
    /// An environment variable (local development).
    Env,
    /// A file (local development).
    File,
}

/// A parsed secret reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct SecretRef {
    /// The store.
    pub store: Store,
    /// The Key Vault name (Key Vault references only).
    pub vault: Option<String>,
    /// The secret, variable or file name.
    pub name: String,
    /// The pinned secret version (Key Vault references only).
    pub version: Option<String>,
}

impl SecretRef {
    /// Parses a reference, or says what is wrong with it.
    ///
    /// ```
    /// use aoa_core::access::SecretRef;
    /// let r = SecretRef::parse("keyvault://payments-prod/db-password").unwrap();
    /// assert_eq!(r.vault.as_deref(), Some("payments-prod"));
    /// assert_eq!(r.action(), "secrets:keyvault://payments-prod/db-password");
    /// assert!(SecretRef::parse("vault://x").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<SecretRef, String> {
        let (scheme, rest) = text.split_once("://").ok_or_else(|| {
            format!("`{}` is not a secret reference; write `keyvault://VAULT/NAME`, `env://NAME` or `file://PATH`", text.escape_debug())
        })?;
        match scheme {
            "keyvault" => {
                let parts: Vec<&str> = rest.split('/').collect();
                let (vault, name, version) = match parts.as_slice() {
                    [v, n] => (*v, *n, None),
                    [v, n, ver] => (*v, *n, Some(*ver)),
                    _ => {
                        return Err(format!(
                            "`{text}` must be `keyvault://VAULT/NAME` or `keyvault://VAULT/NAME/VERSION`"
                        ));
                    }
                };
                vault_name_problem(vault).map_or(Ok(()), Err)?;
                secret_name_problem(name).map_or(Ok(()), Err)?;
                if let Some(v) = version
                    && (v.is_empty() || !v.chars().all(|c| c.is_ascii_hexdigit()))
                {
                    return Err(format!(
                        "secret version `{}` must be the hexadecimal version id",
                        v.escape_debug()
                    ));
                }
                Ok(SecretRef {
                    store: Store::Keyvault,
                    vault: Some(vault.to_string()),
                    name: name.to_string(),
                    version: version.map(str::to_string),
                })
            }
            "env" => {
                let ok = rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    return Err(format!(
                        "`{}` must name an environment variable (letters, digits, `_`)",
                        text.escape_debug()
                    ));
                }
                Ok(SecretRef {
                    store: Store::Env,
                    vault: None,
                    name: rest.to_string(),
                    version: None,
                })
            }
            "file" => {
                let ok = !rest.is_empty()
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
                if !ok {
                    return Err(format!(
                        "`{}` must be a file path of letters, digits and `-_./`",
                        text.escape_debug()
                    ));
                }
                Ok(SecretRef {
                    store: Store::File,
                    vault: None,
                    name: rest.to_string(),
                    version: None,
                })
            }
            other => Err(format!(
                "unknown secret store `{}`; use `keyvault://`, `env://` or `file://`",
                other.escape_debug()
            )),
        }
    }

    /// The reference without its version: what grants and denies match.
    pub fn base(&self) -> String {
        match (self.store, &self.vault) {
            (Store::Keyvault, Some(vault)) => format!("keyvault://{vault}/{}", self.name),
            (Store::Keyvault, None) => format!("keyvault:///{}", self.name),
            (Store::Env, _) => format!("env://{}", self.name),
            (Store::File, _) => format!("file://{}", self.name),
        }
    }

    /// The access action that reading the secret is.
    pub fn action(&self) -> String {
        format!("{SECRET_ACTION_PREFIX}{}", self.base())
    }
}

/// Key Vault names: 3 to 24 letters, digits and `-`, starting with a letter.
fn vault_name_problem(vault: &str) -> Option<String> {
    let ok = (3..=24).contains(&vault.len())
        && vault.starts_with(|c: char| c.is_ascii_alphabetic())
        && vault.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (!ok).then(|| {
        format!(
            "vault name `{}` must be 3 to 24 letters, digits and `-`, starting with a letter",
            vault.escape_debug()
        )
    })
}

/// Key Vault secret names: 1 to 127 letters, digits and `-`.
fn secret_name_problem(name: &str) -> Option<String> {
    let ok = (1..=127).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (!ok).then(|| {
        format!(
            "secret name `{}` must be 1 to 127 letters, digits and `-`",
            name.escape_debug()
        )
    })
}

/// Seconds since the Unix epoch of a UTC date `YYYY-MM-DD` or date-time `YYYY-MM-DDTHH:MM:SSZ`.
///
/// ```
/// use aoa_core::access::parse_utc;
/// assert_eq!(parse_utc("1970-01-02"), Ok(86_400));
/// assert_eq!(parse_utc("2026-12-04T17:30:00Z"), Ok(1_796_405_400));
/// assert!(parse_utc("2026-02-30").is_err());
/// ```
pub fn parse_utc(text: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`{}` is not a UTC date `YYYY-MM-DD` or date-time `YYYY-MM-DDTHH:MM:SSZ`",
            text.escape_debug()
        )
    };
    let (date, time) = match text.split_once('T') {
        None => (text, None),
        Some((d, t)) => (d, Some(t.strip_suffix('Z').ok_or_else(bad)?)),
    };
    let num = |s: &str, len: usize| -> Result<i64, String> {
        if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, m, day] = d.as_slice() else {
        return Err(bad());
    };
    let (y, m, day) = (num(y, 4)?, num(m, 2)?, num(day, 2)?);
    if !(1..=12).contains(&m) || day < 1 || day > days_in_month(y, m) {
        return Err(bad());
    }
    let seconds = match time {
        None => 0,
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            let [h, mi, s] = parts.as_slice() else {
                return Err(bad());
            };
            let (h, mi, s) = (num(h, 2)?, num(mi, 2)?, num(s, 2)?);
            if h > 23 || mi > 59 || s > 59 {
                return Err(bad());
            }
            h * 3600 + mi * 60 + s
        }
    };
    Ok(days_from_civil(y, m, day) * 86_400 + seconds)
}

/// The UTC date-time `YYYY-MM-DDTHH:MM:SSZ` of seconds since the Unix epoch.
///
/// ```
/// use aoa_core::access::format_utc;
/// assert_eq!(format_utc(1_796_405_400), "2026-12-04T17:30:00Z");
/// ```
pub fn format_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Seconds of a duration written `N` followed by `s`, `m`, `h`, `d` or `w` (`90d`, `12h`).
///
/// ```
/// use aoa_core::access::parse_duration;
/// assert_eq!(parse_duration("30d"), Ok(2_592_000));
/// assert!(parse_duration("30").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`{}` is not a duration; write a number and a unit: `90d`, `12h`, `2w`, `30m`, `45s`",
            text.escape_debug()
        )
    };
    let unit = match text.chars().last() {
        Some('s') => 1,
        Some('m') => 60,
        Some('h') => 3600,
        Some('d') => 86_400,
        Some('w') => 604_800,
        _ => return Err(bad()),
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = digits.parse().map_err(|_| bad())?;
    n.checked_mul(unit)
        .filter(|&s| s > 0 && s < 1 << 40)
        .ok_or_else(bad)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn utc_round_trips(seconds in -2_000_000_000i64..8_000_000_000) {
            prop_assert_eq!(parse_utc(&format_utc(seconds)), Ok(seconds));
        }
    }

    #[test]
    fn references() {
        let r = SecretRef::parse("keyvault://kv-one/api-key/0123abcd").unwrap();
        assert_eq!(r.version.as_deref(), Some("0123abcd"));
        assert_eq!(r.base(), "keyvault://kv-one/api-key");
        assert_eq!(
            SecretRef::parse("env://DB_URL").unwrap().action(),
            "secrets:env://DB_URL"
        );
        assert_eq!(
            SecretRef::parse("file://run/secrets/x.pem").unwrap().name,
            "run/secrets/x.pem"
        );
        for bad in [
            "keyvault://kv/x",
            "keyvault://kv-one/a_b",
            "keyvault://kv-one/a/b/c",
            "env://1X",
            "file://a b",
            "x",
        ] {
            assert!(SecretRef::parse(bad).is_err(), "{bad}");
        }
    }
}
