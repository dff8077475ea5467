//! Benchmark (not a test): per token, aoa's mint (the exchange decision + signing) and verify (RFC 9068/8725
//! checks + signature) against jsonwebtoken's raw sign and verify of the same claims with the same key, in the
//! same run. `cargo run --release -p aoa-token --example bench_token [N]`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark fails loudly"
)]

use aoa_core::access::{ExchangePolicy, ExchangeRequest};
use aoa_core::{Format, Manifest};
use aoa_token::{JwkSet, SigningKey, Trust, TrustedIssuer, jwks, sign, verify_subject};
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Map, Value, json};
use std::hint::black_box;
use std::time::Instant;

const MANIFEST: &str = r#"
apps:
  - name: platform
    grants: [{subject: "group:sre", actions: [deploy, rollback, "read:*"]}]
  - name: team
    parent: platform
  - name: team/api
    parent: team
    labels: {env: prod}
"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Microseconds per iteration of `f`, median of 7 rounds of `n`.
fn time(n: usize, mut f: impl FnMut(usize)) -> f64 {
    let rounds = (0..7)
        .map(|_| {
            let start = Instant::now();
            for i in 0..n {
                f(i);
            }
            start.elapsed().as_secs_f64() * 1e6 / n as f64
        })
        .collect();
    median(rounds)
}

fn main() {
    let n: usize = std::env::args().nth(1).map_or(2000, |a| a.parse().unwrap());
    let manifest = Manifest::from_str(MANIFEST, Format::Yaml).unwrap();
    let access = manifest.access();
    let key = SigningKey::generate("EdDSA", Some("k1")).unwrap();
    let policy = ExchangePolicy::new("https://aoa.example");
    let now = 1_796_400_000;
    let subject: Map<String, Value> = serde_json::from_value(json!({
        "iss": "https://idp.example", "sub": "ann", "aud": "https://aoa.example", "exp": now + 600,
        "scope": "deploy rollback read:logs", "groups": ["sre"]}))
    .unwrap();
    let request = ExchangeRequest {
        audience: "team/api",
        scope: Some("deploy rollback"),
        client: Some("team"),
    };
    let claims = access
        .exchange(&subject, now + 600, &request, &policy, now, "j")
        .unwrap();

    let mint = time(n, |i| {
        let c = access
            .exchange(&subject, now + 600, &request, &policy, now, &i.to_string())
            .unwrap();
        black_box(sign(&key, &c).unwrap());
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.typ = Some("at+jwt".into());
    header.kid = Some("k1".into());
    let raw_sign = time(n, |_| {
        black_box(jsonwebtoken::encode(&header, &claims, key.encoding_key()).unwrap());
    });

    // Verify: aoa's subject-token verification against jsonwebtoken's decode of the same token.
    let token = sign(&key, &subject).unwrap();
    let set: JwkSet = serde_json::from_value(jwks(&[&key])).unwrap();
    let trust = Trust::new(
        "https://aoa.example",
        vec![TrustedIssuer {
            issuer: "https://idp.example".into(),
            keys: set.clone(),
        }],
    );
    let aoa_verify = time(n, |_| {
        black_box(verify_subject(&token, &trust, now).unwrap());
    });
    let decoding = DecodingKey::from_jwk(&set.keys[0]).unwrap();
    let mut validation = Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&["https://aoa.example"]);
    validation.set_issuer(&["https://idp.example"]);
    validation.validate_exp = false;
    let raw_verify = time(n, |_| {
        black_box(
            jsonwebtoken::decode::<Map<String, Value>>(&token, &decoding, &validation).unwrap(),
        );
    });
    println!("per token, median of 7 rounds of {n} (EdDSA):");
    println!(
        "  mint + sign: aoa {mint:.1} µs, raw jsonwebtoken sign {raw_sign:.1} µs: {:.2}x",
        mint / raw_sign
    );
    println!(
        "  verify:      aoa {aoa_verify:.1} µs, raw jsonwebtoken decode {raw_verify:.1} µs: {:.2}x",
        aoa_verify / raw_verify
    );
}
