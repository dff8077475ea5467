//! Every manifest diagnostic: its code, message, file, line, column and app.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)] // test helpers may fail loudly

use aoa_core::{Diagnostic, Error, Format, Manifest, SourceText};

fn yaml_errors(text: &str) -> Vec<Diagnostic> {
    match Manifest::from_sources(vec![SourceText {
        origin: "m.yaml".into(),
        text: text.into(),
        format: Format::Yaml,
    }]) {
        Err(Error::Manifest { diagnostics } | Error::Syntax { diagnostics }) => diagnostics,
        other => panic!("expected diagnostics, got {other:?}"),
    }
}

fn json_errors(text: &str) -> Vec<Diagnostic> {
    match Manifest::from_sources(vec![SourceText {
        origin: "m.json".into(),
        text: text.into(),
        format: Format::Json,
    }]) {
        Err(Error::Manifest { diagnostics } | Error::Syntax { diagnostics }) => diagnostics,
        other => panic!("expected diagnostics, got {other:?}"),
    }
}

fn find<'a>(diagnostics: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no `{code}` in {diagnostics:#?}"))
}

#[test]
fn duplicate_names_point_at_both_declarations() {
    let d = yaml_errors("apps:\n  - name: a\n  - name: b\n  - name: a\n");
    let dup = find(&d, "duplicate-app");
    assert_eq!(dup.message, "app `a` is declared twice");
    assert_eq!(
        (dup.file.as_deref(), dup.line, dup.column),
        (Some("m.yaml"), Some(4), Some(11))
    );
    assert_eq!(dup.app.as_deref(), Some("a"));
    assert!(
        dup.hint.as_deref().unwrap().contains("m.yaml:2:11"),
        "{dup:?}"
    );
}

#[test]
fn unknown_parent_suggests_a_close_name() {
    let d = yaml_errors("apps:\n  - name: platform\n  - name: api\n    parent: platfrom\n");
    let e = find(&d, "unknown-parent");
    assert_eq!(e.message, "parent `platfrom` is not an app of the manifest");
    assert_eq!(
        (e.line, e.column, e.app.as_deref()),
        (Some(4), Some(13), Some("api"))
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `platform`?"));
    assert_eq!(e.path.as_deref(), Some("/apps/1/parent"));
}

#[test]
fn unknown_dependency_and_self_dependency() {
    let d = yaml_errors("apps:\n  - name: db\n  - name: api\n    depends_on: [db, cache, api]\n");
    let unknown = find(&d, "unknown-dependency");
    assert_eq!(
        unknown.message,
        "dependency `cache` is not an app of the manifest"
    );
    assert_eq!(
        (unknown.line, unknown.column, unknown.app.as_deref()),
        (Some(4), Some(22), Some("api"))
    );
    let own = find(&d, "self-dependency");
    assert_eq!(own.message, "app `api` depends on itself");
    assert_eq!((own.line, own.column), (Some(4), Some(29)));
}

#[test]
fn duplicate_dependency_is_reported() {
    let d = yaml_errors("apps:\n  - name: db\n  - name: api\n    depends_on: [db, db]\n");
    assert_eq!(
        find(&d, "duplicate-dependency").path.as_deref(),
        Some("/apps/1/depends_on/1")
    );
}

#[test]
fn parent_loops_are_named_in_full() {
    let d = yaml_errors(
        "apps:\n  - name: a\n    parent: c\n  - name: b\n    parent: a\n  - name: c\n    parent: b\n  - name: d\n    parent: d\n",
    );
    let lp = find(&d, "parent-loop");
    assert_eq!(lp.message, "the parent chain loops: a -> c -> b -> a");
    assert_eq!((lp.line, lp.app.as_deref()), (Some(3), Some("a")));
    let own = find(&d, "self-parent");
    assert_eq!(own.app.as_deref(), Some("d"));
    assert_eq!(
        d.iter().filter(|x| x.code == "parent-loop").count(),
        1,
        "{d:#?}"
    );
}

#[test]
fn yaml_syntax_errors_have_line_and_column() {
    let d = yaml_errors("apps:\n  - name: a\n    depends_on: [b\n  - name: b\n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "yaml-syntax");
    assert_eq!(d[0].file.as_deref(), Some("m.yaml"));
    assert!(d[0].line.is_some_and(|l| l >= 3), "{:?}", d[0]);
    assert!(d[0].message.starts_with("invalid YAML: "));
}

#[test]
fn json_syntax_errors_have_line_and_column() {
    let d = json_errors("{\"apps\": [\n  {\"name\": \"a\",}\n]}");
    assert_eq!(d[0].code, "json-syntax");
    assert_eq!((d[0].file.as_deref(), d[0].line), (Some("m.json"), Some(2)));
    assert!(
        !d[0].message.contains(" at line "),
        "position is in the fields, not the message"
    );
}

#[test]
fn unknown_keys_get_did_you_mean_in_yaml_and_json() {
    let d = yaml_errors("apps:\n  - name: a\n    dependson: []\n");
    let k = find(&d, "unknown-key");
    assert_eq!(k.message, "unknown key `dependson`");
    assert_eq!(k.hint.as_deref(), Some("did you mean `depends_on`?"));
    assert_eq!((k.line, k.app.as_deref()), (Some(3), Some("a")));

    let d =
        json_errors("{\"apps\": [\n {\"name\": \"a\"},\n {\"name\": \"b\", \"parnet\": \"a\"}\n]}");
    let k = find(&d, "unknown-key");
    assert_eq!(k.hint.as_deref(), Some("did you mean `parent`?"));
    assert_eq!(
        (k.file.as_deref(), k.line, k.column, k.app.as_deref()),
        (Some("m.json"), Some(3), Some(26), Some("b"))
    );

    let d = yaml_errors("apiVersion: aoa/v1\napp:\n  - name: a\n");
    assert_eq!(
        find(&d, "unknown-key").hint.as_deref(),
        Some("did you mean `apps`?")
    );
}

#[test]
fn wrong_types_name_what_was_expected() {
    let d =
        yaml_errors("apps:\n  - name: a\n    labels: {tier: 1}\n    depends_on: b\n  - name: 7\n");
    let label = d
        .iter()
        .find(|x| x.path.as_deref() == Some("/apps/0/labels/tier"))
        .unwrap();
    assert_eq!(
        label.message,
        "label `tier` must be a string, found number `1`"
    );
    assert_eq!(label.line, Some(3));
    let deps = d
        .iter()
        .find(|x| x.path.as_deref() == Some("/apps/0/depends_on"))
        .unwrap();
    assert_eq!(
        deps.message,
        "`depends_on` must be a list of app names, found string `b`"
    );
    let name = d
        .iter()
        .find(|x| x.path.as_deref() == Some("/apps/1/name"))
        .unwrap();
    assert_eq!(name.message, "`name` must be a string, found number `7`");
}

#[test]
fn json_structure_errors_are_collected_not_just_the_first() {
    let d =
        json_errors(r#"{"apps": [{"name": "a", "x": 1}, {"name": "b", "y": 2}, {"nme": "c"}]}"#);
    assert_eq!(
        d.iter().filter(|x| x.code == "unknown-key").count(),
        3,
        "{d:#?}"
    );
    assert!(d.iter().any(|x| x.code == "missing-name"));
}

#[test]
fn invalid_names_and_api_versions() {
    let d = yaml_errors("apiVersion: aoa/v9\napps:\n  - name: 'a b'\n");
    assert!(
        d.iter()
            .any(|x| x.code == "unsupported-api-version" && x.line == Some(1)),
        "{d:#?}"
    );
    let d = yaml_errors("apps:\n  - name: 'a b'\n  - name: ''\n");
    assert_eq!(d.iter().filter(|x| x.code == "invalid-name").count(), 2);
}

#[test]
fn the_list_of_problems_is_capped_and_says_how_many_were_left_out() {
    let mut text = String::from("apps:\n");
    for i in 0..500 {
        text.push_str(&format!("  - name: a{i}\n    parent: missing{i}\n"));
    }
    let d = yaml_errors(&text);
    assert_eq!(d.len(), aoa_core::manifest::MAX_DIAGNOSTICS + 1);
    assert_eq!(d.last().unwrap().message, "300 more problems not shown");
}

#[test]
fn directories_merge_files_and_name_each_file() {
    let dir = std::env::temp_dir().join(format!("aoa-dir-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.yaml"), "apps:\n  - name: root\n").unwrap();
    std::fs::write(
        dir.join("b.json"),
        "{\"apps\": [{\"name\": \"api\", \"parent\": \"rot\"}]}",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let err = Manifest::from_path(&dir).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.code, "unknown-parent");
    assert!(d.file.as_deref().unwrap().ends_with("b.json"));
    assert_eq!((d.line, d.column), (Some(1), Some(37)));
    std::fs::write(
        dir.join("b.json"),
        "{\"apps\": [{\"name\": \"api\", \"parent\": \"root\"}]}",
    )
    .unwrap();
    let m = Manifest::from_path(&dir).unwrap();
    assert_eq!(m.len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_files_are_io_errors() {
    let err = Manifest::from_path("/nonexistent/aoa.yaml").unwrap_err();
    assert_eq!(err.code(), "io");
    assert!(
        err.to_string()
            .starts_with("cannot read `/nonexistent/aoa.yaml`")
    );
}

#[test]
fn null_parent_and_generated_files_load() {
    let m = Manifest::from_str(
        r#"{"apps":[{"name":"team-1/app-0","parent":null,"depends_on":[]},{"name":"team-2/app-1","parent":"team-1/app-0","depends_on":["team-1/app-0"]}]}"#,
        Format::Json,
    )
    .unwrap();
    assert_eq!(m.len(), 2);
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "null",
        "[]",
        "apps: 3",
        "apps: [3, null]",
        "{",
        "apps:\n- name: a\n  parent: [x]",
        "\u{0}\u{1}",
        "&a [*a]",
        "*x",
    ] {
        let _ = Manifest::from_str(text, Format::Yaml);
        let _ = Manifest::from_str(text, Format::Json);
    }
}
