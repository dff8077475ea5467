//! One request: route, bounded body, client authentication, the exchange or the check, the response.

use crate::Config;
use crate::clients::{Credentials, basic};
use aoa_core::access::{ExchangeRequest, OAuthError, Refusal};
use aoa_token::{ACCESS_TOKEN_TYPE, GRANT_TYPE, JWT_TOKEN_TYPE, jwks, new_jti};
use serde_json::{Value, json};
use std::io::Read;
use tiny_http::{Header, Method, Request, Response};

/// A response: status and JSON body, plus extra headers.
struct Reply {
    status: u16,
    body: Value,
    headers: Vec<(&'static str, &'static str)>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body,
            headers: Vec::new(),
        }
    }

    /// An RFC 6749 §5.2 error: 401 with `WWW-Authenticate` for `invalid_client`, else 400.
    fn refusal(r: &Refusal) -> Reply {
        let body = json!({"error": r.error.as_str(), "error_description": r.error_description});
        match r.error {
            OAuthError::InvalidClient => Reply {
                status: 401,
                body,
                headers: vec![("WWW-Authenticate", "Basic realm=\"aoa\"")],
            },
            _ => Reply::json(400, body),
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Answers one request (errors writing the answer mean the client went away: nothing to do).
pub(crate) fn handle(config: &Config, mut request: Request) {
    let reply = route(config, &mut request);
    let mut response = Response::from_string(reply.body.to_string()).with_status_code(reply.status);
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Cache-Control", "no-store"),
    ];
    headers.extend(reply.headers);
    for (name, value) in headers {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

fn route(config: &Config, request: &mut Request) -> Reply {
    let path = request
        .url()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    match (request.method(), path.as_str()) {
        (Method::Get, "/.well-known/jwks.json") => Reply::json(200, jwks(&[&config.exchanger.key])),
        (Method::Post, "/token") => match body(config, request) {
            Ok(text) => token(config, request, &text),
            Err(reply) => reply,
        },
        (Method::Post, "/check") => match body(config, request) {
            Ok(text) => check(config, request, &text),
            Err(reply) => reply,
        },
        (_, "/token" | "/check" | "/.well-known/jwks.json") => Reply::json(
            405,
            json!({"error": "invalid_request", "error_description": "method not allowed"}),
        ),
        _ => Reply::json(
            404,
            json!({"error": "invalid_request", "error_description": "no such endpoint"}),
        ),
    }
}

/// The request body, at most `max_body` bytes (a declared or actual larger body is refused with 413).
fn body(config: &Config, request: &mut Request) -> Result<String, Reply> {
    let too_large = || {
        Reply::json(
            413,
            json!({"error": "invalid_request", "error_description": format!("the request body is over {} bytes", config.max_body)}),
        )
    };
    if request.body_length().is_some_and(|n| n > config.max_body) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    let limit = u64::try_from(config.max_body)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if request
        .as_reader()
        .take(limit)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return Err(Reply::json(
            400,
            json!({"error": "invalid_request", "error_description": "the body could not be read"}),
        ));
    }
    if bytes.len() > config.max_body {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| {
        Reply::json(
            400,
            json!({"error": "invalid_request", "error_description": "the body is not UTF-8"}),
        )
    })
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    (request.headers().iter())
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn invalid_request(why: impl Into<String>) -> Refusal {
    Refusal::new(OAuthError::InvalidRequest, why)
}

/// `POST /token`: RFC 8693 §2.1 request, §2.2 response.
fn token(config: &Config, request: &Request, body: &str) -> Reply {
    let params = match crate::form::parse(body) {
        Ok(p) => p,
        Err(why) => return Reply::refusal(&invalid_request(why)),
    };
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let credentials = Credentials {
        basic: header(request, "Authorization").and_then(basic),
        client_id: get("client_id"),
        client_secret: get("client_secret"),
        assertion: get("client_assertion_type").zip(get("client_assertion")),
    };
    let now = now();
    let issuer = &config.exchanger.policy.issuer;
    let client = match config.clients.authenticate(&credentials, issuer, now) {
        Ok(c) => c,
        Err(r) => return Reply::refusal(&r),
    };
    if get("grant_type") != Some(GRANT_TYPE) {
        let r = Refusal::new(
            OAuthError::InvalidRequest,
            format!("`grant_type` must be `{GRANT_TYPE}`"),
        );
        return Reply::refusal(&r);
    }
    let Some(subject_token) = get("subject_token") else {
        return Reply::refusal(&invalid_request("`subject_token` is missing"));
    };
    if !matches!(
        get("subject_token_type"),
        Some(ACCESS_TOKEN_TYPE | JWT_TOKEN_TYPE)
    ) {
        return Reply::refusal(&invalid_request(format!(
            "`subject_token_type` must be `{ACCESS_TOKEN_TYPE}` or `{JWT_TOKEN_TYPE}`"
        )));
    }
    if get("requested_token_type").is_some_and(|t| t != ACCESS_TOKEN_TYPE) {
        return Reply::refusal(&invalid_request(format!(
            "only `{ACCESS_TOKEN_TYPE}` is issued"
        )));
    }
    if get("actor_token").is_some() {
        return Reply::refusal(&invalid_request(
            "`actor_token` is not supported: the client is the actor",
        ));
    }
    let audience = match (get("audience"), get("resource")) {
        (Some(a), None) | (None, Some(a)) => a,
        (Some(_), Some(_)) => {
            return Reply::refusal(&invalid_request("give `audience` or `resource`, not both"));
        }
        (None, None) => {
            return Reply::refusal(&Refusal::new(
                OAuthError::InvalidTarget,
                "`audience` (the child app) is missing",
            ));
        }
    };
    let jti = match new_jti() {
        Ok(j) => j,
        Err(e) => {
            return Reply::json(
                500,
                json!({"error": "server_error", "error_description": e.to_string()}),
            );
        }
    };
    let ask = ExchangeRequest {
        audience,
        scope: get("scope"),
        client: Some(&client),
    };
    let (result, record) = config.exchanger.exchange(subject_token, &ask, now, &jti);
    if let Some(audit) = &config.audit {
        audit(&record);
    }
    match result {
        Ok(issued) => Reply::json(
            200,
            json!({
                "access_token": issued.access_token,
                "issued_token_type": ACCESS_TOKEN_TYPE,
                "token_type": "Bearer",
                "expires_in": issued.claims.exp - now,
                "scope": issued.claims.scope,
            }),
        ),
        Err(r) => Reply::refusal(&r),
    }
}

/// `POST /check`: `{"subject", "action", "app", "groups"}` as the `check` dispatch operation takes them; the
/// client authenticates with HTTP Basic.
fn check(config: &Config, request: &Request, body: &str) -> Reply {
    let credentials = Credentials {
        basic: header(request, "Authorization").and_then(basic),
        ..Credentials::default()
    };
    let issuer = &config.exchanger.policy.issuer;
    if let Err(r) = config.clients.authenticate(&credentials, issuer, now()) {
        return Reply::refusal(&r);
    }
    let args: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return Reply::refusal(&invalid_request(format!("the body is not JSON: {e}"))),
    };
    match aoa_core::dispatch::call(&config.exchanger.manifest, "check", &args) {
        Ok(decision) => Reply::json(200, decision),
        Err(e) => Reply::json(
            400,
            json!({"error": "invalid_request", "error_description": e.to_string(), "code": e.code().as_str()}),
        ),
    }
}
