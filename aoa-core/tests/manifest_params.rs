//! The schema hub wired to the manifest: sections, resolution, encodings, pins, diagnostics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)] // test helpers may fail loudly

use aoa_core::schema::binary;
use aoa_core::{Error, Format, Manifest, ParamsFormat};
use serde_json::json;
use std::path::{Path, PathBuf};

fn yaml(text: &str) -> Result<Manifest, Error> {
    Manifest::from_str(text, Format::Yaml)
}

fn codes(error: &Error) -> Vec<&'static str> {
    error.diagnostics().iter().map(|d| d.code).collect()
}

const SCHEMA: &str = r#"
    schema:
      type: record
      name: Svc
      fields:
        - {name: global, type: {type: record, name: G, fields: [{name: region, type: string}]}}
        - {name: replicas, type: int}
        - {name: budget, type: long}
        - {name: port, type: int, default: 8080}
"#;

fn manifest(params: &str) -> String {
    format!(
        "apps:\n  - name: root\n    shared_params: {{global: {{region: eu}}, team: core}}\n    locked: [/global/region]\n    required_shared: [global]\n  - name: svc\n    parent: root\n{SCHEMA}    params: {params}\n"
    )
}

#[test]
fn numbers_stay_exact_from_yaml_text_to_every_encoding() {
    let m = yaml(&manifest("{replicas: 1000000, budget: 9007199254740993}")).unwrap();
    let svc = m.app("svc").unwrap();
    let resolved = m.params(svc).unwrap();
    assert_eq!(
        resolved.value,
        json!({"global": {"region": "eu"}, "replicas": 1000000, "budget": 9007199254740993_i64, "port": 8080})
    );
    assert!(resolved.value["replicas"].is_i64() || resolved.value["replicas"].is_u64());
    let text = String::from_utf8(m.encode_params(svc, ParamsFormat::Json).unwrap()).unwrap();
    assert!(text.contains("\"budget\":9007199254740993"), "{text}");
    assert!(text.contains("\"replicas\":1000000"), "{text}");
    let avro_json =
        String::from_utf8(m.encode_params(svc, ParamsFormat::AvroJson).unwrap()).unwrap();
    assert!(avro_json.contains("9007199254740993"), "{avro_json}");
    let bytes = m.encode_params(svc, ParamsFormat::AvroBinary).unwrap();
    let decoded = binary::decode(m.param_schema(svc).unwrap(), &bytes).unwrap();
    assert_eq!(decoded, resolved.value);
    // Provenance, and the Helm rule: `team` is not declared, so not inherited.
    assert_eq!(resolved.set_by("/global/region"), Some("root"));
    assert_eq!(resolved.set_by("/replicas"), Some("svc"));
    assert_eq!(resolved.set_by("/port"), None);
    assert!(resolved.value.get("team").is_none());
    let shape = serde_json::to_value(&resolved).unwrap();
    assert_eq!(shape["app"], "svc");
    assert_eq!(shape["provenance"]["/global/region"], "root");
    // The root has no schema: it is not validated and keeps no `params`.
    assert_eq!(m.params(m.app("root").unwrap()).unwrap().value, json!({}));
}

#[test]
fn a_quoted_number_is_a_type_mismatch_with_file_line_and_setter() {
    let err = yaml(&manifest("{replicas: \"3\", budget: 1}")).unwrap_err();
    assert_eq!(err.code(), "params");
    let d = &err.diagnostics()[0];
    assert_eq!(d.code, "invalid-param");
    assert_eq!(d.app.as_deref(), Some("svc"));
    assert_eq!(d.path.as_deref(), Some("/apps/1/params/replicas"));
    assert_eq!(d.file.as_deref(), Some("<string>"));
    assert!(d.line.is_some());
    assert!(
        d.message.contains("`/replicas`")
            && d.message.contains("int")
            && d.message.contains("\"3\"")
            && d.message.contains("(set by `svc`)"),
        "{}",
        d.message
    );
}

#[test]
fn every_problem_is_collected() {
    let text = manifest("{replicas: 1, budget: 1, global: {region: us}, prot: 1}");
    let err = yaml(&text).unwrap_err();
    let found = codes(&err);
    assert!(found.contains(&"locked-override"), "{found:?}");
    // The value is still validated: the unknown key `prot` is reported too, with a did-you-mean.
    let unknown = err
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "invalid-param")
        .unwrap();
    assert!(
        unknown.message.contains("`prot`") && unknown.message.contains("`port`"),
        "{}",
        unknown.message
    );
    let locked = err
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "locked-override")
        .unwrap();
    assert_eq!(locked.path.as_deref(), Some("/apps/1/params/global/region"));
    assert!(locked.message.contains("`root`"), "{}", locked.message);
    // Malformed sections and schemas are reported together, each at its app.
    let err = yaml(
        "apps:\n  - name: a\n    params: [1]\n    locked: [db]\n    schema: {type: record, name: X, fields: [{name: f, type: nope}]}\n  - name: b\n    schema: missing@1\n    schema_pin: not-a-pin\n",
    )
    .unwrap_err();
    let mut found = codes(&err);
    found.sort_unstable();
    assert_eq!(
        found,
        vec![
            "bad-schema-pin",
            "invalid-schema",
            "unknown-schema",
            "wrong-type",
            "wrong-type"
        ]
    );
    for d in err.diagnostics() {
        assert!(
            d.line.is_some() && d.app.is_some() && d.hint.is_some(),
            "{d:?}"
        );
    }
}

#[test]
fn required_shared_keys_must_be_declared() {
    let err = yaml(
        "apps:\n  - name: root\n    required_shared: [global]\n  - name: svc\n    parent: root\n    schema: {type: record, name: S, fields: [{name: port, type: int, default: 1}]}\n",
    )
    .unwrap_err();
    assert_eq!(codes(&err), vec!["missing-shared-key"]);
    assert!(err.diagnostics()[0].message.contains("`global`"));
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aoa-params-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("schemas/svc")).unwrap();
    dir
}

fn write(dir: &Path, path: &str, text: &str) {
    std::fs::write(dir.join(path), text).unwrap();
}

const V1: &str = r#"{"type":"record","name":"Svc","fields":[{"name":"port","type":"int"}]}"#;
const V2_COMPATIBLE: &str = r#"{"type":"record","name":"Svc","fields":[{"name":"port","type":"long"},{"name":"tls","type":"boolean","default":true}]}"#;
const V2_BREAKING: &str =
    r#"{"type":"record","name":"Svc","fields":[{"name":"port","type":"string"}]}"#;

#[test]
fn registry_references_files_and_pins() {
    let dir = temp_dir("pins");
    write(&dir, "schemas/svc/1.avsc", V1);
    write(&dir, "schemas/svc/2.avsc", V2_COMPATIBLE);
    write(&dir, "local.avsc", V1);
    write(
        &dir,
        "aoa.yaml",
        "apps:\n  - name: a\n    schema: svc@latest\n    schema_pin: svc@1\n    params: {port: 1}\n  - name: b\n    schema: local.avsc\n    params: {port: 2}\n  - name: c\n    parent: a\n    schema_pin: svc@2\n",
    );
    let m = Manifest::from_path(dir.join("aoa.yaml")).unwrap();
    assert_eq!(m.registry().latest_version("svc"), 2);
    let a = m.app("a").unwrap();
    assert_eq!(m.params(a).unwrap().value, json!({"port": 1, "tls": true}));
    // A directory manifest reads the same registry; the schema files are not manifests.
    assert_eq!(Manifest::from_path(&dir).unwrap().len(), 3);

    // v2 breaks v1: the app pinned to v1 is reported, with the incompatibility.
    write(&dir, "schemas/svc/2.avsc", V2_BREAKING);
    write(
        &dir,
        "aoa.yaml",
        "apps:\n  - name: a\n    schema: svc@latest\n    schema_pin: svc@1\n    params: {port: \"1\"}\n",
    );
    let err = Manifest::from_path(dir.join("aoa.yaml")).unwrap_err();
    let d = err
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "stale-schema-pin")
        .unwrap();
    assert_eq!(d.app.as_deref(), Some("a"));
    assert!(
        d.message.contains("`svc@1`")
            && d.message.contains("`svc@2`")
            && d.message.contains("TYPE_MISMATCH"),
        "{}",
        d.message
    );
    // A fingerprint pin of the current schema is aligned.
    let current = aoa_core::schema::ParsedSchema::parse_str(V2_BREAKING).unwrap();
    let pin = aoa_core::schema::fingerprints(&current).crc64_avro;
    let pinned = |pin: &str| {
        write(
            &dir,
            "aoa.yaml",
            &format!(
                "apps:\n  - name: a\n    schema: svc@2\n    schema_pin: \"{pin}\"\n    params: {{port: \"1\"}}\n"
            ),
        );
        Manifest::from_path(dir.join("aoa.yaml"))
    };
    pinned(&pin).unwrap();
    // The byte-reversed form aoa printed before (most significant byte first) is no pin, but the hint says
    // which one to write.
    let reversed = format!("{:016x}", current.crc64());
    assert_ne!(reversed, pin);
    let err = pinned(&reversed).unwrap_err();
    assert_eq!(codes(&err), vec!["unknown-schema-pin"]);
    let hint = err.diagnostics()[0].hint.clone().unwrap();
    assert!(hint.contains(&format!("pin `{pin}`")), "{hint}");
    // A missing schema file names the file and the app.
    write(
        &dir,
        "aoa.yaml",
        "apps:\n  - name: a\n    schema: nope.avsc\n",
    );
    let err = Manifest::from_path(dir.join("aoa.yaml")).unwrap_err();
    assert_eq!(codes(&err), vec!["unknown-schema"]);
    assert!(err.diagnostics()[0].message.contains("nope.avsc"));
}

#[test]
fn the_example_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/platform");
    let m = Manifest::from_path(&root).unwrap();
    for app in [
        "payments/api",
        "payments/db",
        "identity/auth",
        "web/storefront",
    ] {
        let resolved = m.params(m.app(app).unwrap()).unwrap();
        assert_eq!(resolved.value["platform"]["region"], "eu-west-1", "{app}");
    }
    let api = m.params(m.app("payments/api").unwrap()).unwrap();
    assert_eq!(api.value["max_payment_cents"], 1_000_000);
    assert_eq!(api.set_by("/platform/rbac/deployer"), Some("team-payments"));
    assert!(api.value.get("db").is_none());
}

#[test]
fn manifests_and_resolved_params_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Manifest>();
    send_sync::<aoa_core::schema::ResolvedParams<'static>>();
}
