//! The built `aoa` binary on the schema hub: `params`, `schema check`, `schema fingerprint`, and
//! `validate` on parameter problems.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

mod common;

use common::*;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn broken() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/platform-type-mismatch")
        .display()
        .to_string()
}

fn registry_file(subject: &str, version: u32) -> String {
    format!("{}/schemas/{subject}/{version}.avsc", example())
}

#[test]
fn the_example_stays_valid() {
    let (code, stdout, _) = aoa(&["validate", "-m", &example()]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout, "ok: 30 apps, 61 edges, 6 waves\n");
}

#[test]
fn params_prints_json_and_explains() {
    let (code, stdout, _) = aoa(&["params", "-m", &example(), "payments/api"]);
    assert_eq!(code, 0);
    let value: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["max_payment_cents"], 1_000_000);
    assert_eq!(value["platform"]["rbac"]["deployer"], "payments-deployer");
    assert_eq!(value["timeout_ms"], 3000);

    let (code, stdout, _) = aoa(&["params", "-m", &example(), "payments/api", "--explain"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("parameters of `payments/api`:\n"),
        "{stdout}"
    );
    let line = |path: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{path} ")))
            .unwrap_or_else(|| panic!("no {path} in {stdout}"))
            .to_string()
    };
    assert!(line("/platform/region").ends_with("set by `platform`"));
    assert!(line("/platform/rbac/deployer").ends_with("set by `team-payments`"));
    assert!(line("/replicas").ends_with("set by `payments/api`"));
    assert!(line("/port").ends_with("schema default"));

    let (code, report) = aoa_json(&["params", "-m", &example(), "payments/api", "--explain"]);
    assert_eq!(code, 0);
    assert_eq!(report["app"], "payments/api");
    assert_eq!(report["format"], "json");
    assert_eq!(report["provenance"]["/platform/region"], "platform");
    assert!(report["provenance"].get("/port").is_none());
    assert_eq!(
        report["explain"][0],
        serde_json::json!({"path": "/currencies", "value": ["EUR", "USD", "GBP"], "set_by": "payments/api"})
    );
    let port = report["explain"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/port");
    assert_eq!(port.unwrap()["set_by"], Value::Null, "a schema default");
}

#[test]
fn params_encodes_avro() {
    let (code, stdout, _) = aoa(&[
        "params",
        "-m",
        &example(),
        "payments/api",
        "--encoding",
        "avro-json",
    ]);
    assert_eq!(code, 0);
    let value: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["fraud_check"], Value::Null);
    let (code, raw, _) = aoa_bytes(&[
        "params",
        "-m",
        &example(),
        "payments/api",
        "--encoding",
        "avro-binary",
    ]);
    assert_eq!(code, 0);
    let (_, hex, _) = aoa(&[
        "params",
        "-m",
        &example(),
        "payments/api",
        "--encoding",
        "avro-binary",
        "--hex",
    ]);
    let expected: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex.trim(), expected);
    let (_, report) = aoa_json(&[
        "params",
        "-m",
        &example(),
        "payments/api",
        "--encoding",
        "avro-binary",
    ]);
    assert_eq!(report["encoded"], expected);
    // No schema: no avro encoding.
    let (code, _, stderr) = aoa(&[
        "params",
        "-m",
        &example(),
        "web/storefront-staging",
        "--encoding",
        "avro-json",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("has no `schema`"), "{stderr}");
    // Unknown app.
    let (code, _, stderr) = aoa(&["params", "-m", &example(), "payments/apu"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `payments/api`"), "{stderr}");
}

#[test]
fn a_type_mismatch_is_caught_with_its_place() {
    let (code, stdout, _) = aoa(&["validate", "-m", &broken()]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with("invalid: 1 problem(s)\n"), "{stdout}");
    assert!(
        stdout.contains("10-payments.yaml:27:17: parameter `/replicas`: expected int"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(set by `payments/api`) (app `payments/api`) [invalid-param]"),
        "{stdout}"
    );
    let (code, report) = aoa_json(&["validate", "-m", &broken()]);
    assert_eq!(code, 1);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "invalid-param");
    assert_eq!(d["app"], "payments/api");
    assert_eq!(d["line"], 27);
    let (code, body) = aoa_json(&["params", "-m", &broken(), "payments/api"]);
    assert_eq!(code, 1);
    assert_eq!(body["error"]["code"], "params");
}

#[test]
fn schema_check_exit_codes_and_listing() {
    let (code, stdout, _) = aoa(&[
        "schema",
        "check",
        "payments-api",
        &registry_file("payments-api", 2),
        "-m",
        &example(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.starts_with("compatible: "), "{stdout}");
    let breaking = temp_file(
        "breaking.avsc",
        r#"{"type":"record","name":"PaymentsApi","namespace":"aoa.payments","fields":[{"name":"replicas","type":"string"},{"name":"region","type":"string"}]}"#,
    );
    let registry = format!("{}/schemas", example());
    let (code, stdout, _) = aoa(&[
        "schema",
        "check",
        "payments-api",
        &breaking,
        "--registry",
        &registry,
        "--mode",
        "backward_transitive",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.starts_with("incompatible: "), "{stdout}");
    assert!(
        stdout.contains("mode BACKWARD_TRANSITIVE, checked version(s) 1, 2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("version 2 (backward): TYPE_MISMATCH at `/fields/0/type`"),
        "{stdout}"
    );
    assert!(stdout.contains("version 1 (backward): "), "{stdout}");
    assert!(
        stdout.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{stdout}"
    );
    let (code, report) = aoa_json(&[
        "schema",
        "check",
        "payments-api",
        &breaking,
        "--registry",
        &registry,
        "--mode",
        "FULL",
    ]);
    assert_eq!(code, 1);
    assert_eq!(report["compatible"], false);
    assert_eq!(report["mode"], "FULL");
    assert_eq!(report["checks"][0]["version"], 2);
    assert!(report["checks"][0]["incompatibilities"][0]["kind"].is_string());
    // Unusable input: exit 2.
    let (code, _, stderr) = aoa(&[
        "schema",
        "check",
        "payments-apx",
        &breaking,
        "--registry",
        &registry,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `payments-api`"), "{stderr}");
    let (code, _, stderr) = aoa(&[
        "schema",
        "check",
        "payments-api",
        &breaking,
        "--registry",
        &registry,
        "-m",
        &example(),
    ]);
    assert_eq!(code, 2, "a registry from two places is a usage error");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let (code, _, _) = aoa(&[
        "schema",
        "check",
        "payments-api",
        &breaking,
        "--registry",
        &registry,
        "--mode",
        "sideways",
    ]);
    assert_eq!(code, 2);
    let bad = temp_file(
        "bad.avsc",
        r#"{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}"#,
    );
    let (code, body) = aoa_json(&[
        "schema",
        "check",
        "payments-api",
        &bad,
        "--registry",
        &registry,
    ]);
    assert_eq!(code, 2);
    assert_eq!(body["error"]["code"], "schema");
}

#[test]
fn fingerprint_prints_rabin_and_sha256() {
    let file = temp_file("int.avsc", r#""int""#);
    let (code, stdout, _) = aoa(&["schema", "fingerprint", &file]);
    assert_eq!(code, 0);
    // The Avro specification's CRC-64-AVRO of `"int"` is 0x8f5c393f1ad57572.
    assert!(
        stdout.starts_with("crc64-avro: 8f5c393f1ad57572\nsha256: "),
        "{stdout}"
    );
    let (code, prints) = aoa_json(&["schema", "fingerprint", &registry_file("payments-api", 1)]);
    assert_eq!(code, 0);
    assert_eq!(prints["crc64_avro"].as_str().unwrap().len(), 16);
    assert_eq!(prints["sha256"].as_str().unwrap().len(), 64);
    assert!(
        prints["canonical_form"]
            .as_str()
            .unwrap()
            .starts_with("{\"name\":\"aoa.payments.PaymentsApi\"")
    );
}

/// The output shown after `$ aoa ARGS` in docs/schema-hub.md, up to the next `$` line or the block end.
fn documented_output(docs: &str, args: &str) -> String {
    let start = docs
        .find(&format!("$ aoa {args}\n"))
        .unwrap_or_else(|| panic!("docs/schema-hub.md shows no `aoa {args}`"))
        + format!("$ aoa {args}\n").len();
    docs[start..]
        .lines()
        .take_while(|l| !l.starts_with('$') && !l.starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn the_schema_hub_docs_show_real_output() {
    let docs = std::fs::read_to_string(root().join("docs/schema-hub.md")).unwrap();
    for args in [
        "validate -m aoa-cli/tests/fixtures/platform-type-mismatch",
        "params payments/api -m examples/platform --explain",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_aoa"))
            .args(args.split_whitespace())
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            documented_output(&docs, args),
            "docs/schema-hub.md is out of date for `aoa {args}`"
        );
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            "",
            "docs/schema-hub.md: `aoa {args}` warns"
        );
    }
}
