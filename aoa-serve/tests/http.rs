//! The token service over real HTTP on 127.0.0.1: a good exchange whose token verifies with the served JWKS, each
//! RFC 8693 / RFC 6749 error, a body over the limit, a wrong client secret, client assertions, `/check`,
//! concurrent clients, and a graceful shutdown.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::access::ExchangePolicy;
use aoa_core::{Format, Manifest};
use aoa_serve::{Client, Clients, Config, JWT_BEARER, Running, secret_sha256, serve};
use aoa_token::{Exchanger, JwkSet, SigningKey, Trust, TrustedIssuer, jwks, sign};
use base64::Engine;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

const SERVICE: &str = "https://aoa.example/platform";
const IDP: &str = "https://idp.example";
const MANIFEST: &str = r#"
apps:
  - name: platform
    grants: [{subject: "group:sre", actions: [deploy, rollback]}]
  - name: team
    parent: platform
  - name: team/api
    parent: team
    labels: {env: prod}
  - name: other
"#;

struct Fixture {
    running: Running,
    idp: SigningKey,
    client_key: SigningKey,
}

fn start() -> Fixture {
    let idp = SigningKey::generate("EdDSA", Some("idp-1")).unwrap();
    let client_key = SigningKey::generate("EdDSA", Some("team-key")).unwrap();
    let keys: JwkSet = serde_json::from_value(jwks(&[&idp])).unwrap();
    let client_keys: JwkSet = serde_json::from_value(jwks(&[&client_key])).unwrap();
    let config = Config {
        exchanger: Exchanger {
            manifest: Manifest::from_str(MANIFEST, Format::Yaml).unwrap(),
            key: SigningKey::generate("EdDSA", Some("aoa-1")).unwrap(),
            trust: Trust::new(
                SERVICE,
                vec![TrustedIssuer {
                    issuer: IDP.into(),
                    keys,
                }],
            ),
            policy: ExchangePolicy::new(SERVICE),
        },
        clients: Clients {
            clients: vec![
                Client {
                    id: "team".into(),
                    secret_sha256: Some(secret_sha256("s3cret")),
                    jwks: Some(client_keys),
                },
                Client {
                    id: "other".into(),
                    secret_sha256: Some(secret_sha256("x")),
                    jwks: None,
                },
            ],
        },
        max_body: 16 * 1024,
        workers: 4,
        audit: None,
    };
    Fixture {
        running: serve(config, "127.0.0.1:0").unwrap(),
        idp,
        client_key,
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn subject(f: &Fixture, exp_in: i64) -> String {
    let t = now();
    sign(
        &f.idp,
        &json!({"iss": IDP, "sub": "ann", "aud": SERVICE, "iat": t, "exp": t + exp_in,
                         "scope": "deploy rollback", "groups": ["sre"]}),
    )
    .unwrap()
}

/// One HTTP/1.1 request; the status and the JSON body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> (u16, Value, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let _ = s.write_all(body.as_bytes());
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    (
        status,
        serde_json::from_str(body).unwrap_or(Value::Null),
        head.to_string(),
    )
}

fn basic(id: &str, secret: &str) -> (&'static str, String) {
    (
        "Authorization",
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        ),
    )
}

fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.replace('%', "%25")
            .replace('&', "%26")
            .replace('+', "%2B")
            .replace(' ', "+")
            .replace('=', "%3D")
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn exchange_form<'a>(token: &'a str, audience: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("subject_token", token),
        (
            "subject_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
        ),
        ("audience", audience),
        ("scope", scope),
    ]
}

fn post_token(
    f: &Fixture,
    auth: &[(&str, String)],
    pairs: &[(&str, &str)],
) -> (u16, Value, String) {
    let mut headers = vec![(
        "Content-Type",
        "application/x-www-form-urlencoded".to_string(),
    )];
    headers.extend(auth.iter().cloned());
    http(f.running.addr(), "POST", "/token", &headers, &form(pairs))
}

#[test]
fn a_good_exchange_verifies_with_the_served_jwks() {
    let f = start();
    let token = subject(&f, 600);
    let (status, body, head) = post_token(
        &f,
        &[basic("team", "s3cret")],
        &exchange_form(&token, "team/api", "deploy"),
    );
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("Cache-Control: no-store"), "{head}");
    assert_eq!(
        body["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "deploy@prod");
    assert!(body["expires_in"].as_i64().unwrap() <= 300);
    let (status, set, _) = http(f.running.addr(), "GET", "/.well-known/jwks.json", &[], "");
    assert_eq!(status, 200);
    let set: JwkSet = serde_json::from_value(set).unwrap();
    let at = body["access_token"].as_str().unwrap();
    let kid = jsonwebtoken::decode_header(at).unwrap().kid.unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(set.find(&kid).unwrap()).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    v.set_audience(&["team/api"]);
    let claims = jsonwebtoken::decode::<Value>(at, &key, &v).unwrap().claims;
    assert_eq!(claims["client_id"], "team");
    f.running.shutdown();
}

#[test]
fn every_error_has_its_rfc_code_and_status() {
    let f = start();
    let good = subject(&f, 600);
    let auth = [basic("team", "s3cret")];
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            exchange_form(&good, "team/api", "write:config"),
            400,
            "invalid_scope",
        ),
        (
            exchange_form(&good, "team/apx", "deploy"),
            400,
            "invalid_target",
        ),
        (
            exchange_form(&good, "other", "deploy"),
            400,
            "unauthorized_client",
        ),
        (
            exchange_form("a.b.c", "team/api", "deploy"),
            400,
            "invalid_grant",
        ),
        (
            vec![("grant_type", "password"), ("subject_token", &good)],
            400,
            "invalid_request",
        ),
        (
            vec![(
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            )],
            400,
            "invalid_request",
        ),
    ];
    for (pairs, status, error) in cases {
        let (s, body, _) = post_token(&f, &auth, &pairs);
        assert_eq!(
            (s, body["error"].as_str().unwrap()),
            (status, error),
            "{body}"
        );
        assert!(!body["error_description"].as_str().unwrap().is_empty());
    }
    let expired = subject(&f, -3600);
    let (s, body, _) = post_token(&f, &auth, &exchange_form(&expired, "team/api", "deploy"));
    assert_eq!((s, body["error"].as_str().unwrap()), (400, "invalid_grant"));
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    // A repeated parameter is malformed (RFC 6749 §3.2).
    let body = format!(
        "{}&scope=rollback",
        form(&exchange_form(&good, "team/api", "deploy"))
    );
    let headers = [
        basic("team", "s3cret"),
        (
            "Content-Type",
            "application/x-www-form-urlencoded".to_string(),
        ),
    ];
    let (s, b, _) = http(f.running.addr(), "POST", "/token", &headers, &body);
    assert_eq!((s, b["error"].as_str().unwrap()), (400, "invalid_request"));
    assert_eq!(http(f.running.addr(), "GET", "/token", &[], "").0, 405);
    assert_eq!(http(f.running.addr(), "GET", "/nope", &[], "").0, 404);
    f.running.shutdown();
}

#[test]
fn a_wrong_secret_or_no_authentication_is_invalid_client() {
    let f = start();
    let token = subject(&f, 600);
    for auth in [
        vec![basic("team", "wrong")],
        vec![basic("nobody", "s3cret")],
        vec![],
    ] {
        let (s, body, head) = post_token(&f, &auth, &exchange_form(&token, "team/api", "deploy"));
        assert_eq!(
            (s, body["error"].as_str().unwrap()),
            (401, "invalid_client"),
            "{body}"
        );
        assert!(head.contains("WWW-Authenticate: Basic"), "{head}");
    }
    // client_secret in the form works too; two methods at once do not.
    let mut pairs = exchange_form(&token, "team/api", "deploy");
    pairs.extend([("client_id", "team"), ("client_secret", "s3cret")]);
    assert_eq!(post_token(&f, &[], &pairs).0, 200);
    assert_eq!(
        post_token(&f, &[basic("team", "s3cret")], &pairs).1["error"],
        "invalid_request"
    );
    f.running.shutdown();
}

#[test]
fn a_client_assertion_authenticates() {
    let f = start();
    let token = subject(&f, 600);
    let t = now();
    let good = sign(
        &f.client_key,
        &json!({"iss": "team", "sub": "team", "aud": SERVICE, "exp": t + 60, "jti": "a1"}),
    )
    .unwrap();
    let foreign = sign(
        &f.client_key,
        &json!({"iss": "team", "sub": "team", "aud": "elsewhere", "exp": t + 60}),
    )
    .unwrap();
    for (assertion, status) in [
        (good.as_str(), 200),
        (foreign.as_str(), 401),
        ("x.y.z", 401),
    ] {
        let mut pairs = exchange_form(&token, "team/api", "deploy");
        pairs.extend([
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion),
        ]);
        let (s, body, _) = post_token(&f, &[], &pairs);
        assert_eq!(s, status, "{body}");
    }
    f.running.shutdown();
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let f = start();
    let big = "a".repeat(20 * 1024);
    let (s, body, _) = post_token(&f, &[basic("team", "s3cret")], &[("grant_type", &big)]);
    assert_eq!(s, 413, "{body}");
    assert_eq!(body["error"], "invalid_request");
    f.running.shutdown();
}

#[test]
fn check_answers_a_permission_decision() {
    let f = start();
    let args = json!({"subject": "user:ann", "action": "deploy", "app": "team/api", "groups": ["group:sre"]}).to_string();
    let (s, body, _) = http(
        f.running.addr(),
        "POST",
        "/check",
        &[basic("team", "s3cret")],
        &args,
    );
    assert_eq!(s, 200);
    assert_eq!(body["allowed"], true);
    assert_eq!(http(f.running.addr(), "POST", "/check", &[], &args).0, 401);
    let (s, body, _) = http(
        f.running.addr(),
        "POST",
        "/check",
        &[basic("team", "s3cret")],
        "{\"app\": 1}",
    );
    assert_eq!(
        (s, body["error"].as_str().unwrap()),
        (400, "invalid_request")
    );
    f.running.shutdown();
}

#[test]
fn concurrent_clients_all_get_tokens_then_shutdown_closes_the_port() {
    let f = start();
    let token = subject(&f, 600);
    let addr = f.running.addr();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..10 {
                    let pairs = exchange_form(&token, "team/api", "deploy rollback");
                    let headers = [
                        basic("team", "s3cret"),
                        (
                            "Content-Type",
                            "application/x-www-form-urlencoded".to_string(),
                        ),
                    ];
                    let (s, body, _) = http(addr, "POST", "/token", &headers, &form(&pairs));
                    assert_eq!(s, 200, "{body}");
                    assert_eq!(body["scope"], "deploy@prod rollback@prod");
                }
            });
        }
    });
    f.running.shutdown();
    assert!(TcpStream::connect(addr).is_err() || http_fails(addr));
}

/// After shutdown nothing answers (the listener may linger until dropped, but no worker reads it).
fn http_fails(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return true;
    };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_millis(300)));
    let _ = s.write_all(b"GET /.well-known/jwks.json HTTP/1.1\r\nConnection: close\r\n\r\n");
    let mut out = String::new();
    s.read_to_string(&mut out).is_err() || out.is_empty()
}
