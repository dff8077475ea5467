//! The functions the fuzz targets of `fuzz/` call, one per target, shared with the regression test
//! (`tests/fuzz_regressions.rs`) that feeds them every corpus and crash input on the stable toolchain.
//! Each must never panic, abort or hang on any input; errors are fine.

#![allow(
    dead_code,
    reason = "the regression test and each fuzz target use some of them"
)]

use aoa_core::dispatch::{self, Kind};
use aoa_core::schema::{ParsedSchema, avro_json, binary, is_valid};
use aoa_core::{Format, Manifest, PlanOptions};

/// A fuzz target's function.
pub(crate) type Entry = fn(&[u8]);

/// Every fuzz target by name, for the regression test.
pub(crate) const TARGETS: [(&str, Entry); 6] = [
    ("manifest_yaml", manifest_yaml),
    ("manifest_json", manifest_json),
    ("access_sections", access_sections),
    ("avro_schema", avro_schema),
    ("avro_value", avro_value),
    ("dispatch_args", dispatch_args),
];

/// Exercises a loaded manifest: plan, validation, the permission index, every app's parameters.
fn exercise(m: &Manifest) {
    let _ = m.plan(&PlanOptions::default());
    let _ = dispatch::validate(m);
    for name in m
        .model()
        .ids()
        .take(8)
        .map(|id| m.model().name(id).to_string())
    {
        let _ = m.access().check("user:u", &["g"], "read", &name);
        let _ = dispatch::call(m, "effective", &serde_json::json!({"app": name}));
        let _ = dispatch::call(
            m,
            "params",
            &serde_json::json!({"app": name, "explain": true}),
        );
    }
}

/// A YAML manifest text.
pub(crate) fn manifest_yaml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(m) = Manifest::from_str(text, Format::Yaml)
    {
        exercise(&m);
    }
}

/// A JSON manifest text.
pub(crate) fn manifest_json(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(m) = Manifest::from_str(text, Format::Json)
    {
        exercise(&m);
    }
}

/// The permission sections of one app under a ceilinged root, as JSON: `{"grants": .., "deny": ..,
/// "roles": .., "ceiling": .., "identity": .., "labels": ..}`.
pub(crate) fn access_sections(data: &[u8]) {
    let Ok(serde_json::Value::Object(sections)) = serde_json::from_slice::<serde_json::Value>(data)
    else {
        return;
    };
    let mut app = sections;
    app.insert("name".into(), "team/a".into());
    app.insert("parent".into(), "root".into());
    let records = [
        serde_json::json!({"name": "root", "ceiling": ["read:*", "deploy", "secrets:*"],
            "deny": [{"subject": "group:c", "actions": ["secrets:*"], "env": ["prod"]}]}),
        serde_json::Value::Object(app),
        serde_json::json!({"name": "team/a/api", "parent": "team/a", "labels": {"env": "prod"}}),
    ];
    if let Ok(m) = Manifest::from_records(&records) {
        exercise(&m);
        for action in ["read:logs", "deploy", "secrets:read"] {
            let _ = dispatch::call(
                &m,
                "who_can",
                &serde_json::json!({"action": action, "app": "team/a/api"}),
            );
        }
        let _ = dispatch::call(
            &m,
            "what_can",
            &serde_json::json!({"subject": "user:u", "groups": ["group:c"]}),
        );
        let _ = aoa_core::access::diff(m.access(), m.access());
    }
}

/// An Avro schema text; when it parses, its fingerprints and the validation of a few values.
pub(crate) fn avro_schema(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(schema) = ParsedSchema::parse_str(text) {
        let _ = aoa_core::schema::fingerprints(&schema);
        for value in [
            serde_json::json!(null),
            serde_json::json!({}),
            serde_json::json!([1, "a"]),
            serde_json::json!("x"),
        ] {
            if is_valid(&schema, &value) {
                let _ = binary::encode(&schema, &value);
            }
        }
        let _ = binary::decode(&schema, data);
    }
}

/// Schemas the value target validates against.
const VALUE_SCHEMAS: [&str; 4] = [
    r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"], "default": null}, {"name": "c", "type": {"type": "map", "values": {"type": "array", "items": "double"}}, "default": {}}]}"#,
    r#"["null", "long", "string", {"type": "enum", "name": "E", "symbols": ["X", "Y"]}, {"type": "fixed", "name": "F", "size": 2}]"#,
    r#"{"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2}"#,
    r#"{"type": "record", "name": "Node", "fields": [{"name": "v", "type": "long"}, {"name": "next", "type": ["null", "Node"], "default": null}]}"#,
];

/// A JSON value (after one byte choosing the schema): validation, and for a valid value the binary and Avro
/// JSON encodings round trip.
pub(crate) fn avro_value(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(schema) =
        ParsedSchema::parse_str(VALUE_SCHEMAS[usize::from(choice) % VALUE_SCHEMAS.len()])
    else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(rest) else {
        let _ = binary::decode(&schema, rest);
        return;
    };
    let _ = aoa_core::schema::validate(&schema, &value);
    if is_valid(&schema, &value) {
        let bytes = binary::encode(&schema, &value).expect("a valid value encodes");
        binary::decode(&schema, &bytes).expect("an encoded value decodes");
        let avro =
            avro_json::to_avro_json(&schema, &value).expect("a valid value has an Avro JSON form");
        avro_json::from_avro_json(&schema, &avro).expect("an Avro JSON form reads back");
    }
}

/// An operation (chosen by the first byte) with the rest as its JSON arguments, through the text entry
/// point every binding uses, on a small manifest (and a second one for operations on two).
pub(crate) fn dispatch_args(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(args) = std::str::from_utf8(rest) else {
        return;
    };
    let ops: Vec<_> = dispatch::operations().collect();
    let op = &ops[usize::from(choice) % ops.len()];
    let text = "apps:\n- name: root\n  labels: {env: prod}\n  roles: {dev: [deploy, 'read:*']}\n  grants: [{subject: 'group:g', role: dev}]\n- name: db\n  parent: root\n- name: api\n  parent: root\n  depends_on: [db]\n  schema: {type: record, name: P, fields: [{name: port, type: int, default: 1}]}\n";
    let Ok(m) = Manifest::from_str(text, Format::Yaml) else {
        return;
    };
    let manifests: Vec<&Manifest> = match op.kind {
        Kind::Manifest => vec![&m],
        Kind::Pair => vec![&m, &m],
        Kind::Free => vec![],
    };
    let _ = dispatch::text::call(&manifests, op.name, Some(args));
}
