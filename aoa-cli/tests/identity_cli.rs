//! Identity decisions reach the state store's audit trail when a store is named: a token exchange (with its
//! `jti` and the token's SHA-256, never the token), secret-grant decisions and an export.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

use std::path::Path;
use std::process::Command;

fn aoa(args: &[&str]) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args(args)
        .current_dir(root)
        .env_remove("AOA_STORE")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn exchanges_secret_grants_and_exports_are_audit_events() {
    let dir = std::env::temp_dir().join(format!("aoa-identity-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = format!("sqlite:{}", dir.join("state.db").display());
    let exchange = [
        "token",
        "exchange",
        "-m",
        "examples/platform",
        "--key",
        "examples/tokens/aoa-signing.jwk",
        "--issuer",
        "https://aoa.example/platform",
        "--trust",
        "https://idp.example=examples/tokens/idp.jwks",
        "--subject-token",
        "@examples/tokens/subject.jwt",
        "--audience",
        "web/storefront",
        "--client",
        "team-web",
        "--now",
        "2026-12-04T16:30:00Z",
        "--jti",
        "audit-1",
        "--store",
        &store,
    ];
    let (code, out) = aoa(&exchange);
    assert_eq!(code, 0, "{out}");
    let token: serde_json::Value = serde_json::from_str(&out).unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let mut refused = exchange.to_vec();
    refused.extend(["--scope", "secrets:read"]);
    assert_eq!(aoa(&refused).0, 1);
    assert_eq!(
        aoa(&[
            "secrets",
            "payments/api",
            "-m",
            "examples/platform",
            "--store",
            &store
        ])
        .0,
        0
    );
    let export = [
        "export",
        "azure-role-assignments",
        "-m",
        "examples/platform",
        "--scope-prefix",
        "/subscriptions/s/resourceGroups/rg",
        "--store",
        &store,
    ];
    assert_eq!(aoa(&export).0, 0);
    let (code, trail) = aoa(&["--output", "json", "audit", "show", "--store", &store]);
    assert_eq!(code, 0, "{trail}");
    assert!(
        !trail.contains(&token),
        "the token itself must never be recorded"
    );
    let kinds = |kind: &str| trail.matches(&format!("\"{kind}\"")).count();
    assert_eq!(kinds("token.exchange"), 2, "{trail}");
    assert!(
        trail.contains("audit-1") && trail.contains("invalid_scope"),
        "{trail}"
    );
    assert_eq!(kinds("secret.grant"), 2, "{trail}");
    assert_eq!(kinds("export.azure-role-assignments"), 5, "{trail}");
    assert_eq!(aoa(&["audit", "verify", "--store", &store]).0, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
