//! Validation, defaults and encodings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    deprecated,
    clippy::cast_possible_truncation,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use aoa_core::schema::avro_json::{from_avro_json, to_avro_json};
use aoa_core::schema::binary::{decode, decode_single_object, encode, encode_single_object};
use aoa_core::schema::{
    DecodeError, ParsedSchema, ValidationErrorKind, is_valid, validate, validate_with_defaults,
};
use serde_json::{Value, json};

fn schema() -> ParsedSchema {
    ParsedSchema::parse_str(
        r#"{"type":"record","name":"App","fields":[
        {"name":"db","type":{"type":"record","name":"Db","fields":[
            {"name":"host","type":"string"},
            {"name":"port","type":"int"},
            {"name":"pool","type":"long","default":10}]}},
        {"name":"mode","type":{"type":"enum","name":"Mode","symbols":["FAST","SAFE"]}},
        {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
        {"name":"limits","type":{"type":"map","values":"double"},"default":{}},
        {"name":"owner","type":["null","string"],"default":null},
        {"name":"hash","type":{"type":"fixed","name":"Hash","size":4},"default":"abcd"},
        {"name":"blob","type":"bytes","default":""},
        {"name":"day","type":{"type":"int","logicalType":"date"},"default":0},
        {"name":"tod","type":{"type":"int","logicalType":"time-millis"},"default":0},
        {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"},"default":0},
        {"name":"id","type":{"type":"string","logicalType":"uuid"},
            "default":"123e4567-e89b-12d3-a456-426614174000"},
        {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2},
            "default":"0.00"},
        {"name":"cost","type":{"type":"fixed","name":"Cost","size":3,"logicalType":"decimal",
            "precision":6,"scale":2},"default":"-1.50"},
        {"name":"big","type":"long","default":0}]}"#,
    )
    .unwrap()
}

fn valid() -> Value {
    json!({"db": {"host": "h", "port": 5432}, "mode": "FAST"})
}

fn kinds(value: &Value) -> Vec<(String, ValidationErrorKind)> {
    validate(&schema(), value)
        .into_iter()
        .map(|e| (e.path, e.kind))
        .collect()
}

#[test]
fn valid_value_passes_and_defaults_fill() {
    assert!(validate(&schema(), &valid()).is_empty());
    let filled = validate_with_defaults(&schema(), &valid()).unwrap();
    assert_eq!(filled["db"]["pool"], json!(10));
    assert_eq!(filled["owner"], Value::Null);
    assert_eq!(filled["price"], json!("0.00"));
}

#[test]
fn reports_every_error_with_its_path() {
    let value = json!({
        "db": {"host": 1, "prot": 5432},
        "mode": "FSAT",
        "tags": ["a", 2],
        "limits": {"cpu": "x"},
        "hash": "abc",
        "extra": true
    });
    let errors = validate(&schema(), &value);
    let found: Vec<(String, ValidationErrorKind)> =
        errors.iter().map(|e| (e.path.clone(), e.kind)).collect();
    for expected in [
        ("/db/host", ValidationErrorKind::WrongType),
        ("/db/prot", ValidationErrorKind::UnknownKey),
        ("/db/port", ValidationErrorKind::MissingField),
        ("/mode", ValidationErrorKind::UnknownSymbol),
        ("/tags/1", ValidationErrorKind::WrongType),
        ("/limits/cpu", ValidationErrorKind::WrongType),
        ("/hash", ValidationErrorKind::WrongSize),
        ("/extra", ValidationErrorKind::UnknownKey),
    ] {
        assert!(
            found.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} not in {found:?}"
        );
    }
    assert_eq!(errors.len(), 8);
    let prot = errors.iter().find(|e| e.path == "/db/prot").unwrap();
    assert!(
        prot.message.ends_with("did you mean `port`"),
        "{}",
        prot.message
    );
    let mode = errors.iter().find(|e| e.path == "/mode").unwrap();
    assert!(
        mode.message.contains("did you mean `FAST`"),
        "{}",
        mode.message
    );
    let host = errors.iter().find(|e| e.path == "/db/host").unwrap();
    assert_eq!(
        (host.expected.as_str(), host.actual.as_str()),
        ("string", "integer")
    );
    let json = serde_json::to_value(host).unwrap();
    assert_eq!(json["kind"], "wrong_type");
    assert_eq!(json["path"], "/db/host");
}

#[test]
fn numbers_keep_their_exact_type() {
    let with = |key: &str, v: Value| {
        let mut value = valid();
        value[key] = v;
        value
    };
    let port = |v: Value| json!({"db": {"host": "h", "port": v}, "mode": "SAFE"});
    assert_eq!(
        kinds(&port(json!("3")))[0].1,
        ValidationErrorKind::WrongType
    );
    assert_eq!(
        kinds(&port(json!(3.5)))[0].1,
        ValidationErrorKind::NotIntegral
    );
    assert_eq!(
        kinds(&port(json!(3.0)))[0].1,
        ValidationErrorKind::NotIntegral
    );
    assert_eq!(
        kinds(&port(json!(2_147_483_648_i64)))[0].1,
        ValidationErrorKind::OutOfRange
    );
    assert!(kinds(&port(json!(-2_147_483_648_i64))).is_empty());
    assert_eq!(
        kinds(&with("big", json!(u64::MAX)))[0].1,
        ValidationErrorKind::OutOfRange
    );
    assert!(kinds(&with("big", json!(i64::MAX))).is_empty());
    // Integers beyond 2^53 and round millions stay exact through encoding.
    let schema = schema();
    for big in [
        json!(9_007_199_254_740_993_i64),
        json!(1_000_000),
        json!(i64::MIN),
    ] {
        let value = with("big", big.clone());
        let decoded = decode(&schema, &encode(&schema, &value).unwrap()).unwrap();
        assert_eq!(decoded["big"], big);
        assert_eq!(
            serde_json::to_string(&decoded["big"]).unwrap(),
            big.to_string()
        );
        let avro = to_avro_json(&schema, &value).unwrap();
        assert_eq!(from_avro_json(&schema, &avro).unwrap()["big"], big);
    }
    assert_eq!(json!(1_000_000).to_string(), "1000000");
}

#[test]
fn logical_types_are_checked() {
    let with = |key: &str, v: Value| {
        let mut value = valid();
        value[key] = v;
        kinds(&value)
    };
    assert_eq!(
        with("tod", json!(86_400_000))[0].1,
        ValidationErrorKind::OutOfRange
    );
    assert_eq!(with("tod", json!(-1))[0].1, ValidationErrorKind::OutOfRange);
    assert_eq!(
        with("id", json!("not-a-uuid"))[0].1,
        ValidationErrorKind::BadFormat
    );
    assert_eq!(
        with("price", json!("12345.5"))[0].1,
        ValidationErrorKind::BadFormat
    );
    assert_eq!(
        with("price", json!("1.234"))[0].1,
        ValidationErrorKind::BadFormat
    );
    assert_eq!(
        with("price", json!(1.5))[0].1,
        ValidationErrorKind::WrongType
    );
    assert!(with("price", json!("-9999.99")).is_empty());
    assert!(with("cost", json!("9999.99")).is_empty());
    assert_eq!(
        with("blob", json!("\u{0100}"))[0].1,
        ValidationErrorKind::BadFormat
    );
    assert_eq!(
        with("day", json!("2024-01-01"))[0].1,
        ValidationErrorKind::WrongType
    );
}

#[test]
fn unions_need_exactly_one_branch() {
    let union = ParsedSchema::parse_str(r#"["null","int","double"]"#).unwrap();
    assert!(is_valid(&union, &json!(null)));
    assert!(is_valid(&union, &json!(1.5)));
    let ambiguous = validate(&union, &json!(1));
    assert_eq!(ambiguous[0].kind, ValidationErrorKind::AmbiguousUnion);
    assert!(
        ambiguous[0].message.contains("int, double"),
        "{}",
        ambiguous[0].message
    );
    let none = validate(&union, &json!("x"));
    assert_eq!(none[0].kind, ValidationErrorKind::NoUnionBranch);
    let nested = ParsedSchema::parse_str(
        r#"["null",{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}]"#,
    )
    .unwrap();
    let errors = validate(&nested, &json!({"a": "x"}));
    assert_eq!(errors[0].path, "/a");
}

#[test]
fn binary_and_avro_json_round_trip() {
    let schema = schema();
    let value = validate_with_defaults(
        &schema,
        &json!({
            "db": {"host": "h", "port": 1, "pool": 3},
            "mode": "SAFE",
            "tags": ["x", "y"],
            "limits": {"cpu": 0.5},
            "owner": "me",
            "hash": "\u{00ff}\u{0000}ab",
            "blob": "\u{0001}\u{00e9}",
            "price": "-12.34",
            "cost": "1.28",
            "id": "00000000-0000-0000-0000-0000000000ff"
        }),
    )
    .unwrap();
    let bytes = encode(&schema, &value).unwrap();
    assert_eq!(decode(&schema, &bytes).unwrap(), value);
    let single = encode_single_object(&schema, &value).unwrap();
    assert_eq!(&single[..2], &[0xc3, 0x01]);
    assert_eq!(&single[2..10], &schema.crc64().to_le_bytes());
    assert_eq!(decode_single_object(&schema, &single).unwrap(), value);
    let avro = to_avro_json(&schema, &value).unwrap();
    assert_eq!(avro["owner"], json!({"string": "me"}));
    assert_eq!(avro["price"], json!("\u{00fb}."));
    assert_eq!(from_avro_json(&schema, &avro).unwrap(), value);
    // The crate decodes our bytes to the same datum.
    let by_crate =
        apache_avro::from_avro_datum(schema.avro(), &mut bytes.as_slice(), None).unwrap();
    assert_eq!(
        apache_avro::to_avro_datum(schema.avro(), by_crate).unwrap(),
        bytes
    );
}

#[test]
fn single_object_header_of_int() {
    let int = ParsedSchema::parse_str("\"int\"").unwrap();
    let bytes = encode_single_object(&int, &json!(1)).unwrap();
    assert_eq!(
        bytes,
        [
            0xc3, 0x01, 0x8f, 0x5c, 0x39, 0x3f, 0x1a, 0xd5, 0x75, 0x72, 0x02
        ]
    );
    let long = ParsedSchema::parse_str("\"long\"").unwrap();
    assert!(matches!(
        decode_single_object(&long, &bytes),
        Err(DecodeError::FingerprintMismatch { .. })
    ));
}

#[test]
fn garbage_never_panics() {
    let schema = schema();
    let recursive = ParsedSchema::parse_str(
        r#"{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]},
            {"name":"items","type":{"type":"array","items":"null"}}]}"#,
    )
    .unwrap();
    let mut state = 0x1234_5678_u64;
    for len in 0..400 {
        let bytes: Vec<u8> = (0..len % 64)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let _ = decode(&schema, &bytes);
        let _ = decode(&recursive, &bytes);
        let _ = decode_single_object(&schema, &bytes);
    }
    // A huge block of nulls is refused, not allocated.
    assert!(decode(&recursive, &[0x00, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00]).is_err());
    // Deep values are refused with an error.
    let mut deep = json!(null);
    for _ in 0..300 {
        deep = json!({"next": deep, "items": []});
    }
    assert!(!validate(&recursive, &deep).is_empty());
    assert!(encode(&recursive, &deep).is_err());
    for garbage in [
        json!(null),
        json!([1, 2]),
        json!("x"),
        json!({"db": []}),
        json!(1e300),
    ] {
        assert!(!validate(&schema, &garbage).is_empty());
        assert!(encode(&schema, &garbage).is_err());
        assert!(to_avro_json(&schema, &garbage).is_err());
        assert!(from_avro_json(&schema, &garbage).is_err());
    }
}
