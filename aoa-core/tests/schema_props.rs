//! Property tests: generated values validate and round-trip; compatibility
//! laws; garbage never panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use aoa_core::schema::avro_json::{from_avro_json, to_avro_json};
use aoa_core::schema::binary::{decode, encode};
use aoa_core::schema::compat::check;
use aoa_core::schema::{ParsedSchema, Registry, validate};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const SCHEMA: &str = r#"{"type":"record","name":"R","fields":[
    {"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"d","type":"double"},
    {"name":"s","type":"string"},{"name":"b","type":"boolean"},{"name":"y","type":"bytes"},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
    {"name":"f","type":{"type":"fixed","name":"F","size":3}},
    {"name":"o","type":["null","long"]},
    {"name":"a","type":{"type":"array","items":{"type":"record","name":"Item","fields":[
        {"name":"k","type":"string"},{"name":"v","type":["null","string"]}]}}},
    {"name":"m","type":{"type":"map","values":"int"}},
    {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]}"#;

fn latin1(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..=255, 0..max).prop_map(|b| b.into_iter().map(char::from).collect())
}

fn value() -> impl Strategy<Value = Value> {
    let item =
        ("[a-z]{0,6}", prop::option::of("\\PC{0,6}")).prop_map(|(k, v)| json!({"k": k, "v": v}));
    (
        (
            any::<i32>(),
            any::<i64>(),
            -1e12f64..1e12,
            "\\PC{0,12}",
            any::<bool>(),
            latin1(8),
        ),
        (
            0usize..3,
            prop::collection::vec(0u8..=255, 3)
                .prop_map(|b| b.into_iter().map(char::from).collect::<String>()),
            prop::option::of(any::<i64>()),
        ),
        (
            prop::collection::vec(item, 0..4),
            prop::collection::btree_map("[a-z]{1,5}", any::<i32>(), 0..4),
        ),
        (-9_999_999i64..9_999_999, 0u8..100),
    )
        .prop_map(|((i, l, d, s, b, y), (e, f, o), (a, m), (units, cents))| {
            let dec = format!(
                "{}{}.{cents:02}",
                if units < 0 { "-" } else { "" },
                units.abs()
            );
            let e = ["A", "B", "C"][e];
            let m: Map<String, Value> = m.into_iter().map(|(k, v)| (k, json!(v))).collect();
            json!({"i": i, "l": l, "d": d, "s": s, "b": b, "y": y, "e": e,
                   "f": f, "o": o, "a": a, "m": m, "dec": dec})
        })
}

const FAMILY: [&str; 5] = [
    r#"{"type":"record","name":"P","fields":[{"name":"a","type":"int"}]}"#,
    r#"{"type":"record","name":"P","fields":[{"name":"a","type":"long"}]}"#,
    r#"{"type":"record","name":"P","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#,
    r#"{"type":"record","name":"P","fields":[{"name":"b","type":"string"}]}"#,
    r#"{"type":"record","name":"P","fields":[{"name":"a","type":["null","int"],"default":null}]}"#,
];

proptest! {
    #[test]
    fn generated_values_validate_and_round_trip(v in value()) {
        let schema = ParsedSchema::parse_str(SCHEMA).unwrap();
        prop_assert_eq!(validate(&schema, &v), vec![]);
        let bytes = encode(&schema, &v).unwrap();
        let decoded = decode(&schema, &bytes).unwrap();
        prop_assert_eq!(&decoded, &v);
        let avro = to_avro_json(&schema, &v).unwrap();
        prop_assert_eq!(&from_avro_json(&schema, &avro).unwrap(), &v);
    }

    #[test]
    fn backward_is_forward_reversed(a in 0usize..5, b in 0usize..5) {
        let sa = ParsedSchema::parse_str(FAMILY[a]).unwrap();
        let sb = ParsedSchema::parse_str(FAMILY[b]).unwrap();
        let reg_a = Registry::from_versions([("s", "1", FAMILY[a])]).unwrap();
        let reg_b = Registry::from_versions([("s", "1", FAMILY[b])]).unwrap();
        let backward = reg_a.check("s", &sb, Some("BACKWARD".parse().unwrap()));
        let forward = reg_b.check("s", &sa, Some("FORWARD".parse().unwrap()));
        prop_assert_eq!(backward.compatible, forward.compatible);
        prop_assert_eq!(&backward.checks[0].incompatibilities, &forward.checks[0].incompatibilities);
        prop_assert!(check(&sa, &sa).compatible);
    }

    #[test]
    fn garbage_schema_text_never_panics(text in "\\PC{0,80}") {
        let _ = ParsedSchema::parse_str(&text);
    }

    #[test]
    fn garbage_json_schemas_never_panic(v in arb_json()) {
        let _ = ParsedSchema::parse_json(&v);
        let schema = ParsedSchema::parse_str(SCHEMA).unwrap();
        let _ = validate(&schema, &v);
        let _ = encode(&schema, &v);
        let _ = from_avro_json(&schema, &v);
    }

    #[test]
    fn garbage_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let schema = ParsedSchema::parse_str(SCHEMA).unwrap();
        let _ = decode(&schema, &bytes);
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        prop::sample::select(vec![
            "record", "enum", "fixed", "array", "map", "int", "name", "fields", "type", "symbols",
            "R"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "type",
                    "name",
                    "fields",
                    "items",
                    "values",
                    "symbols",
                    "size",
                    "default",
                    "logicalType",
                    "precision",
                    "scale",
                    "namespace",
                    "aliases"
                ])
                .prop_map(String::from),
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
