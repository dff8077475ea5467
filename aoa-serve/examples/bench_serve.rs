//! Benchmark (not a test): token exchanges per second through the HTTP server on 127.0.0.1, with p50/p99 latency,
//! a bounded load of C clients each sending R requests (one connection per request).
//! `cargo run --release -p aoa-serve --example bench_serve [C] [R]`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark fails loudly"
)]

use aoa_core::Manifest;
use aoa_core::access::ExchangePolicy;
use aoa_serve::{Client, Clients, Config, secret_sha256, serve};
use aoa_token::{Exchanger, JwkSet, SigningKey, Trust, TrustedIssuer, jwks, sign};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().unwrap());
    let (clients, requests) = (args.next().unwrap_or(8), args.next().unwrap_or(250));
    let idp = SigningKey::generate("EdDSA", Some("idp")).unwrap();
    let keys: JwkSet = serde_json::from_value(jwks(&[&idp])).unwrap();
    let manifest =
        Manifest::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/platform")).unwrap();
    let config = Config {
        exchanger: Exchanger {
            manifest,
            key: SigningKey::generate("EdDSA", Some("aoa")).unwrap(),
            trust: Trust::new(
                "https://aoa.example",
                vec![TrustedIssuer {
                    issuer: "https://idp.example".into(),
                    keys,
                }],
            ),
            policy: ExchangePolicy::new("https://aoa.example"),
        },
        clients: Clients {
            clients: vec![Client {
                id: "team-web".into(),
                secret_sha256: Some(secret_sha256("s")),
                jwks: None,
            }],
        },
        max_body: 64 * 1024,
        workers: 4,
        audit: None,
    };
    let running = serve(config, "127.0.0.1:0").unwrap();
    let addr = running.addr();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let subject = sign(
        &idp,
        &json!({"iss": "https://idp.example", "sub": "alice", "aud": "https://aoa.example",
        "exp": now + 3600, "scope": "deploy rollback", "groups": ["web-devs"]}),
    )
    .unwrap();
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token={subject}\
         &subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&audience=web%2Fstorefront"
    );
    let request = format!(
        "POST /token HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Basic dGVhbS13ZWI6cw==\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let start = Instant::now();
    let mut latencies: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                s.spawn(|| {
                    (0..requests)
                        .map(|_| {
                            let t = Instant::now();
                            let mut c = TcpStream::connect(addr).unwrap();
                            c.write_all(request.as_bytes()).unwrap();
                            let mut out = String::new();
                            c.read_to_string(&mut out).unwrap();
                            assert!(out.starts_with("HTTP/1.1 200"), "{out}");
                            t.elapsed().as_secs_f64() * 1e3
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pct =
        |per_mille: usize| latencies[(latencies.len() * per_mille / 1000).min(latencies.len() - 1)];
    println!(
        "{} exchanges by {clients} clients in {elapsed:.2} s: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms (4 workers, one connection per request)",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(500),
        pct(990)
    );
    running.shutdown();
}
