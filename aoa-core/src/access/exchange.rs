//! The token-exchange decision (RFC 8693), pure: from a parent's verified subject-token claims, the claims of
//! the child's access token (RFC 9068) or the refusal, with the time and the token id passed in.
//!
//! `scope = requested ∩ what the child grants the token's subject (and its groups) ∩ what the subject token
//! holds`, decided by the access model (`check` with the subject token's `sub` and its groups claim as
//! `group:` subjects) before anything is signed. An explicitly requested scope outside either set is refused
//! with the reason (for an ungranted one, the text of `aoa check --explain`); with no `scope` requested, the
//! token's own scopes are intersected; an empty result is refused, never issued. Scopes are qualified by the
//! child's `env` label (`deploy@prod`); `aud` is the child alone; `exp ≤ min(subject exp, now + ttl, now +
//! 300)`; the delegation chain is nested `act` claims, at most `max_act_depth` deep.

use super::Access;
use super::explain::explain;
use super::pattern::glob_matches;
use super::subject::parse_subject;
use crate::manifest::AppId;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// The longest lifetime of an issued token, seconds.
pub const MAX_TTL: i64 = 300;

/// The OAuth error code of a refused exchange (RFC 6749 §5.2, RFC 8693 §2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OAuthError {
    /// Malformed: a missing parameter, an unsupported grant or token type, a delegation chain over the cap.
    InvalidRequest,
    /// The client could not be authenticated.
    InvalidClient,
    /// The subject token is invalid (signature, key, `alg`, `typ`, time, audience, issuer, claims).
    InvalidGrant,
    /// The client may not obtain tokens for this audience (not an app below it).
    UnauthorizedClient,
    /// The audience is not an app of the manifest.
    InvalidTarget,
    /// A scope the child does not grant, the subject token does not hold, or an empty result.
    InvalidScope,
}

impl OAuthError {
    /// The code as the wire spells it (`invalid_scope`).
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::InvalidTarget => "invalid_target",
            OAuthError::InvalidScope => "invalid_scope",
        }
    }
}

/// A refused exchange: the OAuth error and what exactly was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[error("{}: {error_description}", error.as_str())]
pub struct Refusal {
    /// The OAuth error code.
    pub error: OAuthError,
    /// For people (`error_description`).
    pub error_description: String,
}

impl Refusal {
    /// A refusal.
    pub fn new(error: OAuthError, description: impl Into<String>) -> Refusal {
        Refusal {
            error,
            error_description: description.into(),
        }
    }
}

/// The exchange policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangePolicy {
    /// The `iss` of issued tokens (this token service).
    pub issuer: String,
    /// The lifetime of issued tokens, seconds (capped at [`MAX_TTL`]).
    pub ttl: i64,
    /// The deepest `act` chain an issued token may carry.
    pub max_act_depth: usize,
    /// The subject-token claim that lists the subject's groups.
    pub groups_claim: String,
}

impl ExchangePolicy {
    /// The default policy of a token service: 300 s, `act` depth 4, groups from `groups`.
    pub fn new(issuer: &str) -> ExchangePolicy {
        ExchangePolicy {
            issuer: issuer.to_string(),
            ttl: MAX_TTL,
            max_act_depth: 4,
            groups_claim: "groups".into(),
        }
    }
}

/// What the client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeRequest<'a> {
    /// The child app the token is for (`audience`, or `resource`).
    pub audience: &'a str,
    /// Space-separated scopes (`deploy read:logs`, optionally `deploy@prod`); `None`: the subject token's.
    pub scope: Option<&'a str>,
    /// The authenticated client: the parent app that exchanges (the child must be below it), if known.
    pub client: Option<&'a str>,
}

/// The claims of an issued access token (RFC 9068 §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct AccessClaims {
    /// This token service.
    pub iss: String,
    /// The child's identity, `app:CHILD`.
    pub sub: String,
    /// The child app alone.
    pub aud: String,
    /// The client that exchanged (the parent app), or the issuer when none was authenticated.
    pub client_id: String,
    /// The token's unique id.
    pub jti: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at: at most the subject token's `exp`, `iat + ttl` and `iat + 300`.
    pub exp: i64,
    /// The granted scopes, space-separated, env-qualified when the child has an `env` label.
    pub scope: String,
    /// The delegation chain: `{sub: <subject token's sub>, act: <its own act, if any>}`.
    #[cfg_attr(feature = "typegen", schemars(with = "serde_json::Map<String, Value>"))]
    pub act: Value,
}

/// How deep an `act` chain is (0 for none).
pub fn act_depth(act: Option<&Value>) -> usize {
    let mut depth = 0;
    let mut at = act;
    while let Some(Value::Object(map)) = at {
        depth += 1;
        at = map.get("act");
    }
    depth
}

/// Strings of a claim that is a list of strings or one space-separated string.
fn claim_list(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

impl Access<'_> {
    /// Decides an exchange: the claims of the child's access token, or why not. `subject` are the verified
    /// claims of the subject token and `subject_exp` its expiry; `now` and `jti` come from the caller.
    ///
    /// # Errors
    /// A [`Refusal`] with the OAuth error and the reason.
    pub fn exchange(
        &self,
        subject: &Map<String, Value>,
        subject_exp: i64,
        request: &ExchangeRequest<'_>,
        policy: &ExchangePolicy,
        now: i64,
        jti: &str,
    ) -> Result<AccessClaims, Refusal> {
        let child = self.m.id(request.audience).ok_or_else(|| {
            Refusal::new(
                OAuthError::InvalidTarget,
                format!(
                    "audience `{}` is not an app of the manifest",
                    request.audience
                ),
            )
        })?;
        let client_id = match request.client {
            Some(client) => {
                let below = self
                    .m
                    .id(client)
                    .is_some_and(|c| self.m.ancestors(child).any(|a| a == c));
                if !below {
                    return Err(Refusal::new(
                        OAuthError::UnauthorizedClient,
                        format!(
                            "client `{client}` may exchange tokens only for apps below it; `{}` is not",
                            request.audience
                        ),
                    ));
                }
                client.to_string()
            }
            None => policy.issuer.clone(),
        };
        let person = match subject.get("sub").and_then(Value::as_str) {
            Some(s) if parse_subject(s).is_ok() => s.to_string(),
            Some(s) if !s.is_empty() => format!("user:{s}"),
            _ => {
                return Err(Refusal::new(
                    OAuthError::InvalidGrant,
                    "the subject token has no `sub`",
                ));
            }
        };
        let groups: Vec<String> = (claim_list(subject, &policy.groups_claim).into_iter())
            .map(|g| {
                if g.starts_with("group:") {
                    g
                } else {
                    format!("group:{g}")
                }
            })
            .collect();
        let depth = act_depth(subject.get("act")) + 1;
        if depth > policy.max_act_depth {
            return Err(Refusal::new(
                OAuthError::InvalidRequest,
                format!(
                    "the delegation chain would be {depth} deep, over the cap of {}",
                    policy.max_act_depth
                ),
            ));
        }
        let scope = self.exchange_scope(subject, &person, &groups, child, request.scope)?;
        let exp = subject_exp.min(now + policy.ttl.clamp(1, MAX_TTL));
        if exp <= now {
            return Err(Refusal::new(
                OAuthError::InvalidGrant,
                "the subject token has expired",
            ));
        }
        let mut act = json!({"sub": person});
        if let Some(prior) = subject.get("act") {
            act["act"] = prior.clone();
        }
        Ok(AccessClaims {
            iss: policy.issuer.clone(),
            sub: format!("app:{}", self.m.name(child)),
            aud: self.m.name(child).to_string(),
            client_id,
            jti: jti.to_string(),
            iat: now,
            exp,
            scope: scope.join(" "),
            act,
        })
    }

    /// The issued scopes: requested ∩ granted to `person` and `groups` on `child` ∩ held by the subject token.
    fn exchange_scope(
        &self,
        subject: &Map<String, Value>,
        person: &str,
        groups: &[String],
        child: AppId,
        requested: Option<&str>,
    ) -> Result<Vec<String>, Refusal> {
        let env = self.m.labels(child).get("env").map(String::as_str);
        let app = self.m.name(child);
        let qualify = |a: &str| env.map_or_else(|| a.to_string(), |e| format!("{a}@{e}"));
        // What the subject token holds, for this child's environment: `a` (any env) or `a@env`.
        let held: Vec<String> = (claim_list(subject, "scope").into_iter())
            .filter_map(|s| match s.split_once('@') {
                None => Some(s),
                Some((a, e)) => (Some(e) == env).then(|| a.to_string()),
            })
            .collect();
        let granted = |action: &str| -> Result<bool, Refusal> {
            let d = self
                .check(person, groups, action, app)
                .map_err(|e| Refusal::new(OAuthError::InvalidScope, e.to_string()))?;
            Ok(d.allowed)
        };
        let mut out: Vec<String> = Vec::new();
        match requested {
            Some(text) => {
                for s in text.split_whitespace() {
                    let action = match s.split_once('@') {
                        None => s,
                        Some((a, e)) if Some(e) == env => a,
                        Some((_, e)) => {
                            let has =
                                env.map_or("no `env` label".to_string(), |v| format!("env `{v}`"));
                            return Err(Refusal::new(
                                OAuthError::InvalidScope,
                                format!("scope `{s}` is for env `{e}`, and `{app}` has {has}"),
                            ));
                        }
                    };
                    if !held.iter().any(|h| glob_matches(h, action)) {
                        return Err(Refusal::new(
                            OAuthError::InvalidScope,
                            format!("the subject token does not hold scope `{action}`"),
                        ));
                    }
                    let d = self
                        .check(person, groups, action, app)
                        .map_err(|e| Refusal::new(OAuthError::InvalidScope, e.to_string()))?;
                    if !d.allowed {
                        return Err(Refusal::new(
                            OAuthError::InvalidScope,
                            explain(&d, person, groups, action, app, true)
                                .trim_end()
                                .to_string(),
                        ));
                    }
                    out.push(qualify(action));
                }
            }
            None => {
                for action in held.iter().filter(|h| !h.contains('*')) {
                    if granted(action)? {
                        out.push(qualify(action));
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        if out.is_empty() {
            return Err(Refusal::new(
                OAuthError::InvalidScope,
                format!(
                    "no scope is left for `{app}`: nothing asked is both held by the subject token and granted on it"
                ),
            ));
        }
        Ok(out)
    }
}

/// The answer of the `exchange` dispatch operation: the claims to sign, or the refusal (a result, not an
/// error: a refusal is a decision to record like a grant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct ExchangeOutcome {
    /// Whether a token may be issued.
    pub granted: bool,
    /// The claims of the token to sign, when granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<AccessClaims>,
    /// Why not, when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
}

impl From<Result<AccessClaims, Refusal>> for ExchangeOutcome {
    fn from(result: Result<AccessClaims, Refusal>) -> ExchangeOutcome {
        match result {
            Ok(claims) => ExchangeOutcome {
                granted: true,
                claims: Some(claims),
                refusal: None,
            },
            Err(refusal) => ExchangeOutcome {
                granted: false,
                claims: None,
                refusal: Some(refusal),
            },
        }
    }
}
