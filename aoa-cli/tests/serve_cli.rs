//! `aoa serve` as a process: it answers on the port it prints, records every exchange in the store named, and on
//! SIGTERM stops gracefully with exit code 0.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

#[cfg(unix)]
#[test]
fn serve_answers_then_stops_on_sigterm() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("aoa-serve-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // SHA-256 of "s3cret".
    let clients = r#"{"clients": [{"id": "team-web", "secret_sha256": "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0"}]}"#;
    std::fs::write(dir.join("clients.json"), clients).unwrap();
    let store = format!("sqlite:{}", dir.join("state.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args([
            "serve",
            "-m",
            "examples/platform",
            "--listen",
            "127.0.0.1:0",
            "--key",
            "examples/tokens/aoa-signing.jwk",
            "--issuer",
            "https://aoa.example/platform",
            "--trust",
            "https://idp.example=examples/tokens/idp.jwks",
            "--clients",
        ])
        .arg(dir.join("clients.json"))
        .args(["--store", &store])
        .current_dir(&root)
        .env_remove("AOA_STORE")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_string();
    // The example subject token expired at 17:00 UTC on 2026-12-04: a refused exchange, recorded all the same.
    let subject = std::fs::read_to_string(root.join("examples/tokens/subject.jwt")).unwrap();
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token={}\
         &subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&audience=web%2Fstorefront",
        subject.trim()
    );
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(s, "POST /token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic dGVhbS13ZWI6czNjcmV0\r\n\
               Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"invalid_grant\""), "{answer}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("stopping"), "{rest}");
    let trail = Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args(["--output", "json", "audit", "show", "--store", &store])
        .current_dir(&root)
        .output()
        .unwrap();
    let trail = String::from_utf8(trail.stdout).unwrap();
    assert!(
        trail.contains("token.exchange") && trail.contains("invalid_grant"),
        "{trail}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
