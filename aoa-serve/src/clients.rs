//! The clients of the token service and their authentication: a client secret (stored as its SHA-256, compared
//! in constant time) sent with HTTP Basic or in the form, or a client assertion signed by one of its keys.

use aoa_core::access::{OAuthError, Refusal};
use aoa_token::{JwkSet, verify_assertion};
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The assertion type of RFC 7523 §2.2.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// One client: an app (the parent controller) and how it proves it.
#[derive(Debug, Clone, Deserialize)]
pub struct Client {
    /// The client id: the name of the parent app it acts for.
    pub id: String,
    /// SHA-256 of its secret, hex.
    #[serde(default)]
    pub secret_sha256: Option<String>,
    /// The keys its client assertions are signed with.
    #[serde(default)]
    pub jwks: Option<JwkSet>,
}

/// Every client (the `clients` file: `{"clients": [{"id": ..., "secret_sha256": ...}, {"id": ..., "jwks": ...}]}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Clients {
    /// The clients.
    pub clients: Vec<Client>,
}

/// SHA-256 of a client secret, hex (what the clients file holds).
pub fn secret_sha256(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unauthorized(why: &str) -> Refusal {
    Refusal::new(OAuthError::InvalidClient, why)
}

/// What a request presents to authenticate.
#[derive(Debug, Default)]
pub(crate) struct Credentials<'a> {
    /// From `Authorization: Basic`.
    pub basic: Option<(String, String)>,
    /// `client_id` of the form.
    pub client_id: Option<&'a str>,
    /// `client_secret` of the form.
    pub client_secret: Option<&'a str>,
    /// `client_assertion_type` and `client_assertion` of the form.
    pub assertion: Option<(&'a str, &'a str)>,
}

/// `Authorization: Basic base64(id:secret)` (each part form-urlencoded, RFC 6749 §2.3.1).
pub(crate) fn basic(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((crate::form::decode(id)?, crate::form::decode(secret)?))
}

impl Clients {
    /// The authenticated client id, or `invalid_client` (or `invalid_request` for two methods at once).
    pub(crate) fn authenticate(
        &self,
        c: &Credentials<'_>,
        audience: &str,
        now: i64,
    ) -> Result<String, Refusal> {
        let methods = usize::from(c.basic.is_some())
            + usize::from(c.client_secret.is_some())
            + usize::from(c.assertion.is_some());
        if methods > 1 {
            return Err(Refusal::new(
                OAuthError::InvalidRequest,
                "use one client authentication method, not several",
            ));
        }
        if let Some((kind, assertion)) = c.assertion {
            if kind != JWT_BEARER {
                return Err(unauthorized("unsupported `client_assertion_type`"));
            }
            let id = match c.client_id {
                Some(id) => id.to_string(),
                None => unverified_issuer(assertion)
                    .ok_or_else(|| unauthorized("the client assertion names no `iss`"))?,
            };
            let keys = (self.find(&id)?.jwks.as_ref())
                .ok_or_else(|| unauthorized("this client has no keys for client assertions"))?;
            verify_assertion(assertion, &id, keys, audience, now)?;
            return Ok(id);
        }
        let (id, secret) = match (&c.basic, c.client_id, c.client_secret) {
            (Some((id, secret)), _, _) => (id.as_str(), secret.as_str()),
            (None, Some(id), Some(secret)) => (id, secret),
            _ => {
                return Err(unauthorized(
                    "client authentication is required (HTTP Basic, client_secret or client_assertion)",
                ));
            }
        };
        let client = self.find(id)?;
        let expected = (client.secret_sha256.as_deref())
            .ok_or_else(|| unauthorized("this client has no secret"))?;
        if !constant_time_eq(
            secret_sha256(secret).as_bytes(),
            expected.to_ascii_lowercase().as_bytes(),
        ) {
            return Err(unauthorized("wrong client secret"));
        }
        Ok(id.to_string())
    }

    fn find(&self, id: &str) -> Result<&Client, Refusal> {
        (self.clients.iter())
            .find(|c| c.id == id)
            .ok_or_else(|| unauthorized("unknown client"))
    }
}

/// The `iss` of a JWT, read without verification (only to pick the keys that then verify it).
fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("iss")?.as_str().map(str::to_string)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
