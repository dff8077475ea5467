//! One exchange end to end: verify the subject token, decide (the pure rule of
//! [`aoa_core::access::Access::exchange`]), sign the child's token; every outcome comes with its audit record.

use crate::keys::SigningKey;
use crate::verify::{Trust, verify_subject};
use aoa_core::Manifest;
use aoa_core::access::{AccessClaims, ExchangePolicy, ExchangeRequest, Refusal};
use jsonwebtoken::Header;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The token type URIs of RFC 8693 §3 that aoa reads and issues.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// A subject token may also be declared a plain JWT.
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// The grant type of a token exchange.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// A signed access token and its claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issued {
    /// The compact JWS.
    pub access_token: String,
    /// What it says.
    pub claims: AccessClaims,
}

/// The audit record of one exchange: who asked what for which app, what was given, and the issued token's
/// `jti` and SHA-256 (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExchangeRecord {
    /// `granted` or the OAuth error code.
    pub outcome: String,
    /// The authenticated client, if any.
    pub client: Option<String>,
    /// The subject token's `sub`, once verified.
    pub subject: Option<String>,
    /// The app asked for.
    pub audience: String,
    /// The scopes asked for (`None`: the subject token's).
    pub requested: Option<String>,
    /// The scopes given.
    pub issued: Option<String>,
    /// The issued token's id.
    pub jti: Option<String>,
    /// SHA-256 of the issued token, hex.
    pub token_sha256: Option<String>,
    /// Why it was refused.
    pub reason: Option<String>,
    /// When (seconds since the epoch).
    pub at: i64,
}

/// A token service over one manifest: its signing key, the trusted issuers and the policy.
#[derive(Debug)]
pub struct Exchanger {
    /// The manifest whose grants decide.
    pub manifest: Manifest,
    /// The key issued tokens are signed with.
    pub key: SigningKey,
    /// Whose subject tokens are accepted.
    pub trust: Trust,
    /// Issuer name, lifetime, `act` depth, groups claim.
    pub policy: ExchangePolicy,
}

impl Exchanger {
    /// Exchanges `subject_token` at time `now` with token id `jti` (the caller supplies both: the decision stays
    /// a function of its inputs).
    pub fn exchange(
        &self,
        subject_token: &str,
        request: &ExchangeRequest<'_>,
        now: i64,
        jti: &str,
    ) -> (Result<Issued, Refusal>, ExchangeRecord) {
        let mut record = ExchangeRecord {
            outcome: String::new(),
            client: request.client.map(str::to_string),
            subject: None,
            audience: request.audience.to_string(),
            requested: request.scope.map(str::to_string),
            issued: None,
            jti: None,
            token_sha256: None,
            reason: None,
            at: now,
        };
        let result = self.run(subject_token, request, now, jti, &mut record);
        match &result {
            Ok(issued) => {
                record.outcome = "granted".into();
                record.issued = Some(issued.claims.scope.clone());
                record.jti = Some(issued.claims.jti.clone());
                record.token_sha256 = Some(hex(&Sha256::digest(issued.access_token.as_bytes())));
            }
            Err(refusal) => {
                record.outcome = refusal.error.as_str().into();
                record.reason = Some(refusal.error_description.clone());
            }
        }
        (result, record)
    }

    fn run(
        &self,
        subject_token: &str,
        request: &ExchangeRequest<'_>,
        now: i64,
        jti: &str,
        record: &mut ExchangeRecord,
    ) -> Result<Issued, Refusal> {
        let subject = verify_subject(subject_token, &self.trust, now)?;
        record.subject = subject
            .claims
            .get("sub")
            .and_then(|s| s.as_str())
            .map(str::to_string);
        let claims = (self.manifest.access()).exchange(
            &subject.claims,
            subject.exp,
            request,
            &self.policy,
            now,
            jti,
        )?;
        let access_token = sign(&self.key, &claims)?;
        Ok(Issued {
            access_token,
            claims,
        })
    }
}

/// Signs claims as an RFC 9068 access token: header `typ: at+jwt`, the key's `alg` and `kid`.
///
/// # Errors
/// A server-side [`Refusal`] (`invalid_request` is never the client's fault here, but the signer failing is
/// reported the same way) when signing fails.
pub fn sign<T: Serialize>(key: &SigningKey, claims: &T) -> Result<String, Refusal> {
    let mut header = Header::new(key.algorithm());
    header.typ = Some("at+jwt".into());
    header.kid = Some(key.kid().to_string());
    jsonwebtoken::encode(&header, claims, key.encoding_key()).map_err(|e| {
        Refusal::new(
            aoa_core::access::OAuthError::InvalidRequest,
            format!("signing failed: {e}"),
        )
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
