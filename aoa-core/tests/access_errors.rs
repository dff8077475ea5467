//! Bad input: every problem is a clear error with its location, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use aoa_core::{Error, Format, Manifest};

fn problems(yaml: &str) -> Vec<aoa_core::Diagnostic> {
    match Manifest::from_str(yaml, Format::Yaml) {
        Err(e @ Error::InvalidAccess { .. }) => e.diagnostics(),
        other => panic!("expected invalid access sections, got {other:?}"),
    }
}

#[test]
fn unknown_role_suggests_a_close_one() {
    let d = problems(
        "apps:\n  - name: root\n    roles: {deployer: [deploy]}\n  - name: leaf\n    parent: root\n    grants: [{subject: \"group:g\", role: deployoer}]\n",
    );
    assert_eq!(d[0].code, "unknown-role");
    assert_eq!(d[0].app.as_deref(), Some("leaf"));
    assert_eq!(d[0].line, Some(6));
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `deployer`?"));
}

#[test]
fn roles_of_a_sibling_are_not_visible() {
    let d = problems(
        "apps:\n  - name: root\n  - name: a\n    parent: root\n    roles: {r: [x]}\n  - name: b\n    parent: root\n    grants: [{subject: \"group:g\", role: r}]\n",
    );
    assert_eq!(d[0].code, "unknown-role");
}

#[test]
fn unknown_subject_kind() {
    let d = problems(
        "apps:\n  - name: root\n    grants: [{subject: \"team:ops\", actions: [deploy]}]\n",
    );
    assert_eq!(d[0].code, "invalid-subject");
    assert!(
        d[0].message.contains("unknown subject kind `team`"),
        "{}",
        d[0].message
    );
    assert_eq!(d[0].path.as_deref(), Some("/apps/0/grants/0/subject"));
    let d =
        problems("apps:\n  - name: root\n    deny: [{subject: \"alice\", actions: [deploy]}]\n");
    assert!(d[0].message.contains("has no kind"), "{}", d[0].message);
}

#[test]
fn malformed_patterns() {
    for bad in [
        "\"\"",
        "\"read deployments\"",
        "\"a**\"",
        "\"read:[x]\"",
        "42",
    ] {
        let yaml = format!("apps:\n  - name: root\n    ceiling: [{bad}]\n");
        let d = problems(&yaml);
        assert_eq!(d[0].line, Some(3), "{bad}");
        assert!(
            matches!(d[0].code, "invalid-action" | "wrong-type"),
            "{bad}: {}",
            d[0].code
        );
    }
}

#[test]
fn grant_to_an_unknown_app_identity() {
    let d =
        problems("apps:\n  - name: api\n    grants: [{subject: \"app:apj\", actions: [deploy]}]\n");
    assert_eq!(d[0].code, "unknown-app");
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `api`?"));
}

#[test]
fn wrong_shapes_and_unknown_keys() {
    let d = problems(
        "apps:\n  - name: root\n    grants: [{subject: \"user:u\", actions: [deploy], propagates: false}, {subject: \"user:u\"}, 7]\n    deny: {subject: \"user:u\"}\n    identity: [deploy]\n    roles: [viewer]\n",
    );
    let codes: Vec<&str> = d.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec![
            "wrong-type",
            "unknown-key",
            "missing-actions",
            "wrong-type",
            "wrong-type",
            "wrong-type"
        ]
    );
    assert_eq!(d[1].hint.as_deref(), Some("did you mean `propagate`?"));
}

#[test]
fn role_cycles_are_errors() {
    let d = problems(
        "apps:\n  - name: root\n    roles:\n      a: {includes: [b]}\n      b: {includes: [a]}\n",
    );
    assert!(d.iter().any(|d| d.code == "role-cycle"));
}

#[test]
fn bad_arguments_are_errors() {
    let m = Manifest::from_str("apps:\n  - name: api\n", Format::Yaml).unwrap();
    let access = m.access();
    let none: &[&str] = &[];
    assert_eq!(
        access
            .check("user:u", none, "deploy", "apj")
            .unwrap_err()
            .code(),
        "unknown-app"
    );
    assert_eq!(
        access
            .check("bob", none, "deploy", "api")
            .unwrap_err()
            .code(),
        "invalid-argument"
    );
    assert_eq!(
        access
            .check("user:u", none, "read:*", "api")
            .unwrap_err()
            .code(),
        "invalid-argument"
    );
    assert_eq!(
        access.who_can("", "api").unwrap_err().code(),
        "invalid-argument"
    );
    assert!(
        !access
            .check("user:u", none, "deploy", "api")
            .unwrap()
            .allowed
    );
}
