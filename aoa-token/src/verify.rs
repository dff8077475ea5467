//! Verifying a subject token (RFC 9068 §4, RFC 8725): the header's `typ` and `alg` first (`alg: none` and any
//! algorithm other than the one of the key named by `kid` are refused before a signature is looked at), then
//! the signature with that key (jsonwebtoken), then the claims against the time passed in: `iss` the key's
//! issuer, `aud` containing this service, `exp` in the future, `nbf` in the past (with a small leeway).

use aoa_core::access::{OAuthError, Refusal};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// A trusted issuer of subject tokens and its keys.
#[derive(Debug, Clone)]
pub struct TrustedIssuer {
    /// Its `iss`.
    pub issuer: String,
    /// Its public keys (a JWKS); each must name its one `alg` and a `kid`.
    pub keys: JwkSet,
}

/// What a subject token must satisfy.
#[derive(Debug, Clone)]
pub struct Trust {
    /// The issuers whose tokens are accepted.
    pub issuers: Vec<TrustedIssuer>,
    /// The audience a subject token must name: this token service.
    pub audience: String,
    /// Accepted `typ` header values (RFC 9068: `at+jwt`, also written `application/at+jwt`).
    pub types: Vec<String>,
    /// Clock skew allowed on `exp` and `nbf`, seconds.
    pub leeway: i64,
}

impl Trust {
    /// Trust in issuers for tokens whose audience is `audience`, `typ` `at+jwt`, 30 s leeway.
    pub fn new(audience: &str, issuers: Vec<TrustedIssuer>) -> Trust {
        Trust {
            issuers,
            audience: audience.to_string(),
            types: vec!["at+jwt".into(), "application/at+jwt".into()],
            leeway: 30,
        }
    }
}

/// A verified subject token: its claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// Every claim.
    pub claims: Map<String, Value>,
    /// Its `exp`.
    pub exp: i64,
}

fn refuse(description: String) -> Refusal {
    Refusal::new(OAuthError::InvalidGrant, description)
}

/// The header fields verification reads, from the raw JSON (so `alg: none` is refused by name).
fn header(token: &str) -> Result<Map<String, Value>, Refusal> {
    let bad = |why: &str| refuse(format!("the subject token is not a JWS compact JWT: {why}"));
    let mut parts = token.split('.');
    let (Some(h), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("it needs three base64url parts"));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(h)
        .map_err(|_| bad("its header is not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad("its header is not a JSON object")),
    }
}

/// The one algorithm a JWK is for: its `alg`, which must be present.
fn key_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    jwk.common
        .key_algorithm
        .and_then(|a| a.to_string().parse().ok())
}

/// Verifies a subject token at time `now` (seconds since the epoch).
///
/// # Errors
/// [`OAuthError::InvalidGrant`] naming the first check that failed.
pub fn verify_subject(token: &str, trust: &Trust, now: i64) -> Result<Subject, Refusal> {
    let h = header(token)?;
    unsigned(&h, "subject token", OAuthError::InvalidGrant)?;
    let typ = h.get("typ").and_then(Value::as_str).unwrap_or_default();
    if !trust.types.iter().any(|t| t.eq_ignore_ascii_case(typ)) {
        return Err(refuse(format!(
            "the subject token's `typ` is `{typ}`; an access token must have `typ: at+jwt` (RFC 9068)"
        )));
    }
    let kid = kid_of(&h, "subject token", OAuthError::InvalidGrant)?;
    let (issuer, jwk) = (trust.issuers.iter())
        .find_map(|i| i.keys.find(kid).map(|k| (i, k)))
        .ok_or_else(|| {
            refuse(format!(
                "the subject token's key `{kid}` is not a trusted key"
            ))
        })?;
    let claims = signed_claims(
        token,
        &h,
        jwk,
        kid,
        "subject token",
        OAuthError::InvalidGrant,
    )?;
    check_claims(&claims, &issuer.issuer, trust, now).map(|exp| Subject { claims, exp })
}

/// Verifies a client assertion (RFC 7523 §3): signed by one of the client's keys (`alg` the key's), `iss` and
/// `sub` the client id, `aud` naming `audience` (this token service), `exp` in the future.
///
/// # Errors
/// [`OAuthError::InvalidClient`] naming the first check that failed.
pub fn verify_assertion(
    token: &str,
    client_id: &str,
    keys: &JwkSet,
    audience: &str,
    now: i64,
) -> Result<(), Refusal> {
    let what = "client assertion";
    let code = OAuthError::InvalidClient;
    let h = header(token).map_err(|r| Refusal::new(code, r.error_description))?;
    unsigned(&h, what, code)?;
    let kid = kid_of(&h, what, code)?;
    let jwk = keys.find(kid).ok_or_else(|| {
        Refusal::new(
            code,
            format!("the client assertion's key `{kid}` is not a key of `{client_id}`"),
        )
    })?;
    let claims = signed_claims(token, &h, jwk, kid, what, code)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default();
    if text("iss") != client_id || text("sub") != client_id {
        return Err(Refusal::new(
            code,
            format!("the client assertion's `iss` and `sub` must both be `{client_id}`"),
        ));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(items)) => items.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(Refusal::new(
            code,
            format!("the client assertion's `aud` must name `{audience}`"),
        ));
    }
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp > now => Ok(()),
        _ => Err(Refusal::new(
            code,
            "the client assertion has expired (or has no `exp`)",
        )),
    }
}

/// Refuses `alg: none` (and a missing `alg`) by name, before anything else.
fn unsigned(h: &Map<String, Value>, what: &str, code: OAuthError) -> Result<(), Refusal> {
    let alg = h.get("alg").and_then(Value::as_str).unwrap_or_default();
    if alg.eq_ignore_ascii_case("none") || alg.is_empty() {
        return Err(Refusal::new(
            code,
            format!("the {what} is unsigned (`alg: none`); it is never accepted"),
        ));
    }
    Ok(())
}

fn kid_of<'h>(h: &'h Map<String, Value>, what: &str, code: OAuthError) -> Result<&'h str, Refusal> {
    h.get("kid").and_then(Value::as_str).ok_or_else(|| {
        Refusal::new(
            code,
            format!("the {what} has no `kid`: which trusted key signed it cannot be known"),
        )
    })
}

/// The claims of a token whose signature verifies with `jwk`, whose one algorithm the header must name.
fn signed_claims(
    token: &str,
    h: &Map<String, Value>,
    jwk: &Jwk,
    kid: &str,
    what: &str,
    code: OAuthError,
) -> Result<Map<String, Value>, Refusal> {
    let alg = h.get("alg").and_then(Value::as_str).unwrap_or_default();
    let key_alg = key_algorithm(jwk).ok_or_else(|| {
        Refusal::new(
            code,
            format!("trusted key `{kid}` names no `alg`; each key must have one"),
        )
    })?;
    if format!("{key_alg:?}") != alg {
        return Err(Refusal::new(
            code,
            format!("the {what} says `alg: {alg}`, but key `{kid}` is for {key_alg:?} only"),
        ));
    }
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|e| Refusal::new(code, format!("trusted key `{kid}` is unusable: {e}")))?;
    let mut validation = Validation::new(key_alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| {
            Refusal::new(
                code,
                format!("the {what}'s signature does not verify with key `{kid}`: {e}"),
            )
        })
}

/// The time and audience checks of a verified token's claims; its `exp`.
///
/// # Errors
/// [`OAuthError::InvalidGrant`] naming the claim.
pub fn check_claims(
    claims: &Map<String, Value>,
    issuer: &str,
    trust: &Trust,
    now: i64,
) -> Result<i64, Refusal> {
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if iss != issuer {
        return Err(refuse(format!(
            "the subject token's `iss` is `{iss}`, not `{issuer}`, whose key signed it"
        )));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => *a == trust.audience,
        Some(Value::Array(items)) => items.iter().any(|a| a.as_str() == Some(&trust.audience)),
        _ => false,
    };
    if !aud_ok {
        let aud = claims
            .get("aud")
            .map_or("nothing".to_string(), Value::to_string);
        return Err(refuse(format!(
            "the subject token's audience is {aud}, not this token service `{}`",
            trust.audience
        )));
    }
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    let exp = time("exp").ok_or_else(|| refuse("the subject token has no numeric `exp`".into()))?;
    if exp + trust.leeway <= now {
        return Err(refuse(format!(
            "the subject token expired at {exp} (now {now})"
        )));
    }
    if let Some(nbf) = time("nbf")
        && nbf - trust.leeway > now
    {
        return Err(refuse(format!(
            "the subject token is not valid before {nbf} (now {now})"
        )));
    }
    Ok(exp)
}
