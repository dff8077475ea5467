//! Parsing, hoisting and fingerprints.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use aoa_core::schema::{ParsedSchema, SchemaError, fingerprints, parse_list};

#[test]
fn malformed_schemas_are_errors_not_panics() {
    let deep = format!("{}\"int\"{}", "[".repeat(300), "]".repeat(300));
    let deep_records = {
        let mut s = String::from("\"int\"");
        for i in 0..200 {
            s = format!(r#"{{"type":"array","items":{s}}}"#);
            let _ = i;
        }
        s
    };
    let cases = [
        "",
        "{",
        "42",
        "null",
        "\"nosuchtype\"",
        r#"{"type":"nosuchtype"}"#,
        r#"{"type":"record"}"#,
        r#"{"type":"record","name":"R"}"#,
        r#"{"type":"record","name":"R","fields":"x"}"#,
        r#"{"type":"record","name":"R","fields":[{"type":"int"}]}"#,
        r#"{"type":"record","name":"1bad","fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}"#,
        r#"{"type":"enum","name":"E","symbols":["A","A"]}"#,
        r#"{"type":"enum","name":"E","symbols":[1]}"#,
        r#"{"type":"fixed","name":"F","size":-1}"#,
        r#"{"type":"fixed","name":"F"}"#,
        r#"{"type":"array"}"#,
        r#"{"type":"map","values":{"type":"nope"}}"#,
        r#"["int","int"]"#,
        r#"["int",["string"]]"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"R","fields":[]}}]}"#,
        r#"{"type":"bytes","logicalType":"decimal","precision":-3}"#,
        r#"{"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":40}"#,
        &deep,
        &deep_records,
    ];
    for case in cases {
        let result = std::panic::catch_unwind(|| ParsedSchema::parse_str(case));
        let result = result.unwrap_or_else(|_| panic!("panicked on {case}"));
        if let Err(e) = &result {
            let message = e.to_string();
            assert!(!message.contains('\n'), "{message}");
            assert!(!message.ends_with('.'), "{message}");
            assert!(
                message.chars().next().is_some_and(|c| !c.is_uppercase()),
                "{message}"
            );
        }
    }
    let mut value = serde_json::json!("int");
    for _ in 0..200 {
        value = serde_json::json!({"type": "array", "items": value});
    }
    assert!(matches!(
        ParsedSchema::parse_json(&value),
        Err(SchemaError::TooDeep { .. })
    ));
    assert!(matches!(
        ParsedSchema::parse_str(cases[22]),
        Err(SchemaError::DuplicateName { .. })
    ));
    for (text, fragment) in [
        (cases[20], "default"),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long","default":1.5}]}"#,
            "`a`",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":
                {"type":"record","name":"S","fields":[{"name":"x","type":"int"}]},"default":{}}]}"#,
            "`a`",
        ),
    ] {
        let message = ParsedSchema::parse_str(text).unwrap_err().to_string();
        assert!(message.contains(fragment), "{message}");
    }
}

#[test]
fn list_parses_identically_in_any_order() {
    // `Address` is defined inside `Person` and used by `Company`; `Money`
    // is top level and used inside `Address`'s sibling.
    let person = r#"{"type":"record","name":"Person","namespace":"acme","fields":[
        {"name":"home","type":{"type":"record","name":"Address","fields":[
            {"name":"city","type":"string"},
            {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["HOME","WORK"]}}]}},
        {"name":"salary","type":"acme.Money"}]}"#;
    let company = r#"{"type":"record","name":"Company","namespace":"acme","fields":[
        {"name":"hq","type":"Address"},{"name":"kind","type":"acme.Kind"}]}"#;
    let money = r#"{"type":"fixed","name":"Money","namespace":"acme","size":8}"#;
    let orders = [
        [person, company, money],
        [company, money, person],
        [money, company, person],
        [company, person, money],
    ];
    let mut forms: Vec<Vec<String>> = Vec::new();
    for order in orders {
        let parsed = parse_list(&order).unwrap();
        let mut canonical: Vec<String> = parsed
            .iter()
            .map(|s| s.canonical_form().to_string())
            .collect();
        canonical.sort();
        forms.push(canonical);
    }
    assert!(forms.windows(2).all(|w| w[0] == w[1]));
    let company_form = forms[0]
        .iter()
        .find(|f| f.starts_with("{\"name\":\"acme.Company\""))
        .unwrap();
    assert!(
        company_form.contains("\"name\":\"acme.Address\""),
        "{company_form}"
    );
}

#[test]
fn fingerprints_match_reference_values() {
    let int = ParsedSchema::parse_str(r#"{"type":"int"}"#).unwrap();
    let f = fingerprints(&int);
    assert_eq!(f.canonical_form, "\"int\"");
    assert_eq!(f.crc64_avro, "8f5c393f1ad57572");
    assert_eq!(
        f.sha256,
        "3f2b87a9fe7cc9b13835598c3981cd45e3e355309e5090aa0933d7becb6fba45"
    );
    let string = ParsedSchema::parse_str("\"string\"").unwrap();
    assert_eq!(fingerprints(&string).crc64_avro, "c70345637248018f");
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["crc64_avro"], "8f5c393f1ad57572");
}

#[test]
fn canonical_form_matches_the_crate_and_strips_extras() {
    for text in [
        r#"{"type":"record","name":"R","namespace":"ns","doc":"d","fields":[
            {"name":"a","type":"long","default":1,"doc":"x"},
            {"name":"b","type":{"type":"array","items":{"type":"enum","name":"E","symbols":["X"]}}},
            {"name":"c","type":["null",{"type":"map","values":{"type":"fixed","name":"F","size":4}}]},
            {"name":"e","type":"E"}]}"#,
        r#"{"type":"record","name":"List","fields":[{"name":"next","type":["null","List"]}]}"#,
    ] {
        let parsed = ParsedSchema::parse_str(text).unwrap();
        let by_crate = apache_avro::Schema::parse_str(text).unwrap();
        assert_eq!(parsed.canonical_form(), by_crate.canonical_form());
        assert_eq!(parsed.avro().canonical_form(), by_crate.canonical_form());
    }
}

#[test]
fn canonical_form_strips_logical_types() {
    // The crate keeps `{"type":"int"}` here; the spec's [PRIMITIVE] and
    // [STRIP] rules give `"int"`.
    let date = ParsedSchema::parse_str(r#"{"type":"int","logicalType":"date"}"#).unwrap();
    assert_eq!(date.canonical_form(), "\"int\"");
}

#[test]
fn references_into_the_list_are_inlined_in_the_canonical_form() {
    let schemas = parse_list(&[
        r#"{"type":"record","name":"A","fields":[{"name":"b","type":"B"}]}"#,
        r#"{"type":"record","name":"B","fields":[{"name":"x","type":"int"}]}"#,
    ])
    .unwrap();
    let standalone = ParsedSchema::parse_str(
        r#"{"type":"record","name":"A","fields":[{"name":"b","type":
            {"type":"record","name":"B","fields":[{"name":"x","type":"int"}]}}]}"#,
    )
    .unwrap();
    assert_eq!(fingerprints(&schemas[0]), fingerprints(&standalone));
}
