//! Compatibility checker against the shared Avro Java reference cases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use aoa_core::schema::compat::{IncompatibilityKind, check};
use aoa_core::schema::{ParsedSchema, parse_list};
use serde_json::Value;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/avro/compat_cases.json"
);

/// The `[KIND @ /location]` expectation at the end of a case source.
fn expectation(source: &str) -> Option<(String, String)> {
    let inner = source.rsplit_once('[')?.1.strip_suffix(']')?;
    let (kind, location) = inner.split_once(" @ ")?;
    Some((kind.to_string(), location.to_string()))
}

#[test]
fn every_shared_case_passes() {
    let text = std::fs::read_to_string(CASES).expect("fixture readable in place");
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), 32);
    let mut with_location = 0;
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let reader = ParsedSchema::parse_json(&case["reader"]).unwrap();
        let writer = ParsedSchema::parse_json(&case["writer"]).unwrap();
        let report = check(&reader, &writer);
        assert_eq!(
            report.compatible,
            case["compatible"].as_bool().unwrap(),
            "{name}: {report:?}"
        );
        if let Some((kind, location)) = expectation(case["source"].as_str().unwrap()) {
            with_location += 1;
            assert_eq!(report.incompatibilities.len(), 1, "{name}: {report:?}");
            let found = &report.incompatibilities[0];
            let found_kind = serde_json::to_value(found.kind).unwrap();
            assert_eq!(found_kind, Value::String(kind), "{name}");
            assert_eq!(found.location, location, "{name}");
        }
    }
    assert_eq!(with_location, 13);
}

fn parse(text: &str) -> ParsedSchema {
    ParsedSchema::parse_str(text).unwrap()
}

#[test]
fn reports_every_incompatibility() {
    let reader = parse(
        r#"{"type":"record","name":"R","fields":[
            {"name":"a","type":"int"},
            {"name":"b","type":{"type":"enum","name":"E","symbols":["X"]}},
            {"name":"c","type":"string"}]}"#,
    );
    let writer = parse(
        r#"{"type":"record","name":"R","fields":[
            {"name":"a","type":"long"},
            {"name":"b","type":{"type":"enum","name":"E","symbols":["X","Y"]}}]}"#,
    );
    let report = check(&reader, &writer);
    let found: Vec<(IncompatibilityKind, &str)> = report
        .incompatibilities
        .iter()
        .map(|i| (i.kind, i.location.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (IncompatibilityKind::TypeMismatch, "/fields/0/type"),
            (
                IncompatibilityKind::MissingEnumSymbols,
                "/fields/1/type/symbols"
            ),
            (
                IncompatibilityKind::ReaderFieldMissingDefaultValue,
                "/fields/2"
            ),
        ]
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["incompatibilities"][1]["kind"], "MISSING_ENUM_SYMBOLS");
    assert_eq!(
        json["incompatibilities"][1]["message"],
        "missing symbols: Y"
    );
}

#[test]
fn honours_type_and_field_aliases() {
    let reader = parse(
        r#"{"type":"record","name":"New","aliases":["Old"],"fields":[
            {"name":"renamed","aliases":["original"],"type":"int"}]}"#,
    );
    let writer =
        parse(r#"{"type":"record","name":"Old","fields":[{"name":"original","type":"int"}]}"#);
    assert!(check(&reader, &writer).compatible);
    let no_alias =
        parse(r#"{"type":"record","name":"New","fields":[{"name":"original","type":"int"}]}"#);
    let report = check(&no_alias, &writer);
    assert_eq!(
        report.incompatibilities[0].kind,
        IncompatibilityKind::NameMismatch
    );
    assert_eq!(report.incompatibilities[0].location, "/name");
}

#[test]
fn enum_field_with_enum_default_absent_from_writer() {
    let reader = parse(
        r#"{"type":"record","name":"R","fields":[
            {"name":"e","type":{"type":"enum","name":"E","symbols":["A"],"default":"A"}}]}"#,
    );
    let writer = parse(r#"{"type":"record","name":"R","fields":[]}"#);
    // As in Java, the enum default makes the reader check the enum against
    // the writer record itself, which is a type mismatch.
    let report = check(&reader, &writer);
    assert_eq!(
        report.incompatibilities[0].kind,
        IncompatibilityKind::TypeMismatch
    );
    assert_eq!(report.incompatibilities[0].location, "/fields/0/type");
}

#[test]
fn follows_references_across_a_list() {
    let texts = [
        r#"{"type":"record","name":"Outer","fields":[{"name":"inner","type":"Inner"}]}"#,
        r#"{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"}]}"#,
    ];
    let v1 = parse_list(&texts).unwrap();
    let reader = parse(
        r#"{"type":"record","name":"Outer","fields":[{"name":"inner","type":
            {"type":"record","name":"Inner","fields":[{"name":"x","type":"long"}]}}]}"#,
    );
    assert!(check(&reader, &v1[0]).compatible);
    let report = check(&v1[0], &reader);
    assert_eq!(
        report.incompatibilities[0].location,
        "/fields/0/type/fields/0/type"
    );
}
