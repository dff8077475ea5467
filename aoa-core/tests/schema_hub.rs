//! Registry and parameter resolution.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use aoa_core::schema::registry::Direction;
use aoa_core::schema::resolve::{
    Resolver, check_all, check_required_shared, resolve, resolve_all, resolve_validated,
};
use aoa_core::schema::{
    AppParams, CompatibilityMode, ParamTree, ParsedSchema, Registry, RegistryError, ResolveError,
};
use serde_json::{Map, Value, json};

const V1: &str = r#"{"type":"record","name":"P","fields":[{"name":"a","type":"int"}]}"#;
const V2: &str = r#"{"type":"record","name":"P","fields":[{"name":"a","type":"long"},
    {"name":"b","type":"string","default":"x"}]}"#;
const NARROW: &str = r#"{"type":"record","name":"P","fields":[{"name":"a","type":"int"},
    {"name":"b","type":"string","default":"x"}]}"#;

#[test]
fn registry_builds_from_triples_and_reports_layout_errors() {
    let registry = Registry::from_versions([("pay", "1.avsc", V1), ("pay", "2", V2)]).unwrap();
    assert_eq!(registry.latest_version("pay"), 2);
    assert_eq!(
        registry.resolve_ref("pay@latest").unwrap().canonical_form(),
        ParsedSchema::parse_str(V2).unwrap().canonical_form()
    );
    assert!(registry.resolve_ref("pay@1").is_ok());
    assert!(matches!(
        registry.resolve_ref("pay@3"),
        Err(RegistryError::UnknownVersion { .. })
    ));
    assert!(matches!(
        registry.resolve_ref("pay"),
        Err(RegistryError::BadReference { .. })
    ));
    assert!(matches!(
        registry.resolve_ref("pay@01"),
        Err(RegistryError::BadReference { .. })
    ));
    let errors = Registry::from_versions([
        ("a", "x", V1),
        ("b", "1", V1),
        ("b", "1.avsc", V1),
        ("c", "2", V1),
        ("d", "0", V1),
        ("e", "1", "{"),
    ])
    .unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 5, "{messages:?}");
    assert!(messages.contains(&"version `x` of subject `a` is not a positive integer".to_string()));
    assert!(messages.contains(&"version 1 of subject `b` is given twice".to_string()));
    assert!(messages.contains(&"subject `c` has no version 1 but has later ones".to_string()));
}

#[test]
fn modes_follow_confluent_semantics() {
    let mut registry = Registry::from_versions([("s", "1", V1), ("s", "2", V2)]).unwrap();
    let narrow = ParsedSchema::parse_str(NARROW).unwrap();
    // BACKWARD: new reads latest (long -> int fails).
    let backward = registry.check("s", &narrow, Some(CompatibilityMode::Backward));
    assert!(!backward.compatible);
    assert_eq!(backward.checks.len(), 1);
    assert_eq!(backward.checks[0].version, 2);
    // FORWARD: latest reads new (int -> long fine).
    assert!(
        registry
            .check("s", &narrow, Some(CompatibilityMode::Forward))
            .compatible
    );
    // BACKWARD_TRANSITIVE names each version, newest first.
    let transitive = registry.check("s", &narrow, Some(CompatibilityMode::BackwardTransitive));
    let versions: Vec<u32> = transitive.checks.iter().map(|c| c.version).collect();
    assert_eq!(versions, [2, 1]);
    assert_eq!(transitive.failed_versions(), [2]);
    let full = registry.check("s", &narrow, Some(CompatibilityMode::FullTransitive));
    assert_eq!(full.checks.len(), 4);
    assert_eq!(full.checks[1].direction, Direction::Forward);
    assert!(
        registry
            .check("s", &narrow, Some(CompatibilityMode::None))
            .compatible
    );
    let json = serde_json::to_value(&full).unwrap();
    assert_eq!(json["mode"], "FULL_TRANSITIVE");
    assert_eq!(json["checks"][0]["direction"], "backward");
    assert_eq!(
        json["checks"][0]["incompatibilities"][0]["kind"],
        "TYPE_MISMATCH"
    );
    // Registration.
    let err = registry.register("s", narrow.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "schema is incompatible with subject `s` version(s) 2"
    );
    registry.set_mode("s", CompatibilityMode::Forward);
    assert_eq!(registry.register("s", narrow.clone()).unwrap(), 3);
    assert_eq!(registry.register("s", narrow).unwrap(), 3);
    assert_eq!(
        registry
            .register("new", ParsedSchema::parse_str(V1).unwrap())
            .unwrap(),
        1
    );
    assert_eq!(
        "full_transitive".parse::<CompatibilityMode>().unwrap(),
        CompatibilityMode::FullTransitive
    );
    assert!("sideways".parse::<CompatibilityMode>().is_err());
}

#[test]
fn a_schema_is_compatible_with_itself_in_every_mode() {
    for mode in [
        "NONE",
        "BACKWARD",
        "BACKWARD_TRANSITIVE",
        "FORWARD",
        "FORWARD_TRANSITIVE",
        "FULL",
        "FULL_TRANSITIVE",
    ] {
        let registry = Registry::from_versions([("s", "1", V2)]).unwrap();
        let mode = mode.parse().unwrap();
        assert!(
            registry
                .check("s", &ParsedSchema::parse_str(V2).unwrap(), Some(mode))
                .compatible
        );
    }
}

struct App {
    name: &'static str,
    parent: Option<u32>,
    params: Map<String, Value>,
    shared: Map<String, Value>,
    locked: Vec<String>,
    required: Vec<String>,
    schema: Option<ParsedSchema>,
}

struct Tree(Vec<App>);

impl ParamTree for Tree {
    fn app_count(&self) -> u32 {
        self.0.len() as u32
    }
    fn parent(&self, app: u32) -> Option<u32> {
        self.0[app as usize].parent
    }
    fn name(&self, app: u32) -> &str {
        self.0[app as usize].name
    }
    fn params(&self, app: u32) -> AppParams<'_> {
        let a = &self.0[app as usize];
        AppParams {
            params: Some(&a.params),
            shared_params: Some(&a.shared),
            locked: &a.locked,
            required_shared: &a.required,
        }
    }
    fn schema(&self, app: u32) -> Option<&ParsedSchema> {
        self.0[app as usize].schema.as_ref()
    }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn child_schema() -> ParsedSchema {
    ParsedSchema::parse_str(
        r#"{"type":"record","name":"C","fields":[
        {"name":"global","type":{"type":"record","name":"G","fields":[
            {"name":"region","type":"string"},{"name":"replicas","type":"int","default":1}]}},
        {"name":"port","type":"int"},
        {"name":"big","type":"long","default":0}]}"#,
    )
    .unwrap()
}

fn tree() -> Tree {
    Tree(vec![
        App {
            name: "root",
            parent: None,
            params: obj(json!({"own": 1})),
            shared: obj(json!({"global": {"region": "eu", "replicas": 3}, "team": "core"})),
            locked: vec!["/global/region".into()],
            required: vec!["global".into()],
            schema: None,
        },
        App {
            name: "mid",
            parent: Some(0),
            params: obj(json!({})),
            shared: obj(json!({"global": {"replicas": 5}})),
            locked: vec![],
            required: vec![],
            schema: None,
        },
        App {
            name: "leaf",
            parent: Some(1),
            params: obj(json!({"port": 8080, "big": 9_007_199_254_740_993_i64})),
            shared: obj(json!({})),
            locked: vec![],
            required: vec![],
            schema: Some(child_schema()),
        },
    ])
}

#[test]
fn resolution_merges_with_provenance() {
    let tree = tree();
    let leaf = resolve_validated(&tree, 2).unwrap();
    assert_eq!(
        leaf.value,
        json!({"global": {"region": "eu", "replicas": 5}, "port": 8080, "big": 9_007_199_254_740_993_i64})
    );
    let provenance = leaf.provenance();
    assert_eq!(provenance["/global/region"], "root");
    assert_eq!(provenance["/global/replicas"], "mid");
    assert_eq!(provenance["/port"], "leaf");
    assert_eq!(leaf.set_by("/big"), Some("leaf"));
    assert_eq!(leaf.set_by("/global"), None);
    // `team` is not declared by the leaf schema: not inherited, no error.
    assert!(leaf.value.get("team").is_none());
    // Apps without schema inherit everything.
    let mid = resolve(&tree, 1).unwrap();
    assert_eq!(mid.value["team"], "core");
    assert!(mid.value.get("own").is_none());
    assert!(resolve_all(&tree).is_ok());
    let json = serde_json::to_value(&leaf).unwrap();
    assert_eq!(json["provenance"]["/port"], "leaf");
    assert_eq!(
        serde_json::to_string(&json["value"]["big"]).unwrap(),
        "9007199254740993"
    );
}

#[test]
fn locks_and_unknown_keys_and_required_shared() {
    let mut tree = tree();
    tree.0[1].shared = obj(json!({"global": {"region": "us"}}));
    tree.0[2].params = obj(json!({"prot": 1, "port": "3", "global": "flat"}));
    let errors = resolve(&tree, 2).unwrap_err();
    assert!(errors.contains(&ResolveError::LockedOverride {
        path: "/global/region".into(),
        locked: "/global/region".into(),
        locker: "root".into(),
        overrider: "mid".into(),
        in_shared: true,
    }));
    assert!(errors.iter().any(|e| matches!(e,
        ResolveError::LockedOverride { path, overrider, .. } if path == "/global" && overrider == "leaf")));
    tree.0[1].shared = obj(json!({}));
    tree.0[2].params = obj(json!({"prot": 1, "port": "3"}));
    let errors = resolve_validated(&tree, 2).unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        messages.iter().any(|m| m.contains("unknown key `prot`")
            && m.contains("did you mean `port`")
            && m.contains("(set by `leaf`)")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("at `/port`") && m.contains("string `\"3\"`")),
        "{messages:?}"
    );
    tree.0[2].schema = Some(
        ParsedSchema::parse_str(
            r#"{"type":"record","name":"X","fields":[{"name":"port","type":"int"}]}"#,
        )
        .unwrap(),
    );
    let errors = check_required_shared(&tree);
    assert_eq!(
        errors,
        vec![ResolveError::MissingSharedKey {
            app: "leaf".into(),
            key: "global".into(),
            required_by: "root".into(),
        }]
    );
    assert_eq!(
        errors[0].to_string(),
        "schema of app `leaf` does not declare shared key `global` required by `root`"
    );
}

#[test]
fn a_resolver_shares_parents_and_reports_each_problem_once() {
    let mut tree = tree();
    // A second leaf under `mid`; `mid` overrides a locked path.
    tree.0.push(App {
        name: "leaf2",
        parent: Some(1),
        params: obj(json!({"port": 1})),
        shared: obj(json!({})),
        locked: vec![],
        required: vec![],
        schema: Some(child_schema()),
    });
    tree.0[1].shared = obj(json!({"global": {"region": "us"}}));
    let mut resolver = Resolver::new(&tree);
    let one = resolver.resolve_validated(2).unwrap_err();
    let two = resolver.resolve_validated(3).unwrap_err();
    assert_eq!(one, two);
    let errors = check_all(&tree);
    let overrides = errors
        .iter()
        .filter(|e| matches!(e, ResolveError::LockedOverride { .. }))
        .count();
    assert_eq!(overrides, 1, "{errors:?}");
    // Provenance of a resolved leaf of a shared parent.
    tree.0[1].shared = obj(json!({"global": {"replicas": 7}}));
    let mut resolver = Resolver::new(&tree);
    let leaf2 = resolver.resolve_validated(3).unwrap();
    assert_eq!(leaf2.set_by("/global/replicas"), Some("mid"));
    assert_eq!(leaf2.set_by("/global/region"), Some("root"));
    assert_eq!(leaf2.set_by("/big"), None);
    assert_eq!(leaf2.value["big"], 0);
}
