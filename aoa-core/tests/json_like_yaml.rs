//! JSON means what YAML means (issue 10, item 3): repeated keys, integers beyond 64 bits, `null`, a
//! byte-order mark and invalid UTF-8 are read the same way in both formats.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::{Diagnostic, Error, Format, Manifest, SourceText};

fn load(text: &str, format: Format) -> Result<Manifest, Error> {
    let origin = match format {
        Format::Json => "m.json",
        Format::Yaml => "m.yaml",
    };
    Manifest::from_sources(vec![SourceText {
        origin: origin.into(),
        text: text.into(),
        format,
    }])
}

fn syntax(text: &str, format: Format) -> Diagnostic {
    match load(text, format) {
        Err(Error::Syntax { diagnostics }) => diagnostics.into_iter().next().unwrap(),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

fn codes(text: &str, format: Format) -> Vec<String> {
    match load(text, format) {
        Err(e) => e
            .diagnostics()
            .into_iter()
            .map(|d| d.code.to_string())
            .collect(),
        Ok(_) => Vec::new(),
    }
}

#[test]
fn a_repeated_parent_is_an_error_naming_both_lines_in_json_and_yaml() {
    let json = "{\"apps\": [\n  {\"name\": \"root\", \"ceiling\": [\"read\"]},\n  {\"name\": \"free\"},\n  {\"name\": \"a\",\n   \"parent\": \"root\",\n   \"parent\": \"free\"}\n]}";
    let d = syntax(json, Format::Json);
    assert_eq!(d.code, "json-syntax");
    assert_eq!((d.file.as_deref(), d.line), (Some("m.json"), Some(6)));
    assert!(
        d.message.contains("duplicate key `parent`"),
        "{}",
        d.message
    );
    assert!(d.message.contains("first at line 5"), "{}", d.message);
    let yaml =
        "apps:\n  - name: root\n  - name: free\n  - name: a\n    parent: root\n    parent: free\n";
    let d = syntax(yaml, Format::Yaml);
    assert_eq!((d.code, d.line), ("yaml-syntax", Some(6)));
    assert!(d.message.contains("first at line 5"), "{}", d.message);
}

#[test]
fn repeated_keys_anywhere_in_json_are_errors() {
    for (text, key) in [
        (
            r#"{"apps": [{"name": "a"}], "apps": [{"name": "b"}]}"#,
            "apps",
        ),
        (r#"{"apps": [{"name": "a", "name": "b"}]}"#, "name"),
        (
            r#"{"apps": [{"name": "a", "labels": {"env": "dev", "env": "prod"}}]}"#,
            "env",
        ),
        (
            r#"{"apps": [{"name": "a", "ceiling": ["read"], "ceiling": ["*"]}]}"#,
            "ceiling",
        ),
        (
            r#"{"apps": [{"name": "a", "params": {"x": {"y": 1, "y": 2}}}]}"#,
            "y",
        ),
        (
            r#"{"apps": [{"name": "a", "depends_on": "b", "parent": "b", "parent": "c"}, {"name": "b"}]}"#,
            "parent",
        ),
    ] {
        let d = syntax(text, Format::Json);
        assert!(
            d.message.contains(&format!("duplicate key `{key}`")),
            "{text}: {}",
            d.message
        );
        assert!(
            d.message.contains("first at line 1"),
            "{text}: {}",
            d.message
        );
    }
}

#[test]
fn integers_beyond_64_bits_are_errors_in_json_as_in_yaml() {
    let json =
        "{\"apps\": [{\"name\": \"a\",\n \"params\": {\"n\": 123456789012345678901234567890}}]}";
    let d = syntax(json, Format::Json);
    assert_eq!((d.line, d.column), (Some(2), Some(18)));
    assert!(
        d.message.contains("does not fit in 64 bits"),
        "{}",
        d.message
    );
    let yaml = "apps:\n  - name: a\n    params: {n: 123456789012345678901234567890}\n";
    assert_eq!(syntax(yaml, Format::Yaml).code, "yaml-syntax");
    // A large float is a float in both.
    for (text, format) in [
        (
            r#"{"apps": [{"name": "a", "params": {"n": 1e30}}]}"#,
            Format::Json,
        ),
        ("apps:\n  - name: a\n    params: {n: 1e30}\n", Format::Yaml),
    ] {
        let m = load(text, format).unwrap();
        assert_eq!(
            m.model()
                .section(m.model().id("a").unwrap(), aoa_core::Section::Params)
                .unwrap()["n"],
            1e30
        );
    }
}

#[test]
fn null_is_rejected_in_json_where_yaml_rejects_it() {
    for field in ["version", "owner", "labels", "depends_on"] {
        let json = format!(r#"{{"apps": [{{"name": "a", "{field}": null}}]}}"#);
        let yaml = format!("apps:\n  - {{name: a, {field}: null}}\n");
        let (j, y) = (codes(&json, Format::Json), codes(&yaml, Format::Yaml));
        assert!(!y.is_empty(), "{field}: YAML accepts null");
        assert_eq!(j, y, "{field}");
    }
    assert_eq!(
        codes(r#"{"apps": [{"name": null}]}"#, Format::Json),
        codes("apps:\n  - {name: null}\n", Format::Yaml)
    );
    assert_eq!(
        codes(r#"{"apiVersion": null, "apps": []}"#, Format::Json),
        codes("apiVersion: null\napps: []\n", Format::Yaml)
    );
    assert_eq!(
        codes(r#"{"apiVersion": null, "apps": []}"#, Format::Json),
        ["unsupported-api-version"]
    );
    // `parent: null` means no parent in both.
    load(r#"{"apps": [{"name": "a", "parent": null}]}"#, Format::Json).unwrap();
    load("apps:\n  - {name: a, parent: null}\n", Format::Yaml).unwrap();
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let json = load("\u{feff}{\"apps\": [{\"name\": \"a\"}]}", Format::Json).unwrap();
    let yaml = load("\u{feff}apps:\n  - name: a\n", Format::Yaml).unwrap();
    assert_eq!(json.model().len(), 1);
    assert_eq!(yaml.model().len(), 1);
    // Positions stay right on the first line.
    let d = syntax(
        "\u{feff}{\"apps\": [{\"name\": \"a\", \"name\": \"b\"}]}",
        Format::Json,
    );
    assert_eq!((d.line, d.column), (Some(1), Some(25)));
}

#[test]
fn invalid_utf8_is_a_syntax_error_with_its_byte_offset() {
    let dir = std::env::temp_dir().join(format!("aoa-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, code) in [("m.json", "json-syntax"), ("m.yaml", "yaml-syntax")] {
        let path = dir.join(name);
        std::fs::write(&path, b"apps:\n  - name: ab\xffc\n").unwrap();
        let err = Manifest::from_path(&path).unwrap_err();
        assert_eq!(err.code(), aoa_core::ErrorCode::Syntax);
        let d = &err.diagnostics()[0];
        assert_eq!(d.code, code);
        assert_eq!((d.line, d.column), (Some(2), Some(13)));
        assert!(d.message.contains("byte offset 18"), "{}", d.message);
        assert!(d.message.contains("0xff"), "{}", d.message);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
