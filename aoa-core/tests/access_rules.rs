//! One test per permission rule: inheritance, propagation, environments, denies, groups, roles,
//! ceilings, identities, effective/who_can/what_can and diff.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use aoa_core::access::{ChangeKind, MissKind, Outcome};
use aoa_core::{Error, Format, Manifest};

fn load(yaml: &str) -> Manifest {
    match Manifest::from_str(yaml, Format::Yaml) {
        Ok(m) => m,
        Err(e) => panic!("manifest should load: {e}"),
    }
}

fn allowed(m: &Manifest, subject: &str, groups: &[&str], action: &str, app: &str) -> bool {
    match m.access().check(subject, groups, action, app) {
        Ok(d) => d.allowed,
        Err(e) => panic!("check failed: {e}"),
    }
}

const TREE: &str = r#"
apps:
  - name: root
    labels: {env: prod}
    roles:
      viewer: ["read:*"]
      deployer: {actions: [deploy, rollback], includes: [viewer]}
    grants:
      - {subject: "group:ops", role: deployer}
      - {subject: "user:root-only", actions: [deploy], propagate: false}
      - {subject: "group:devs", actions: ["debug:*"], env: [staging]}
  - name: a
    parent: root
    labels: {env: prod}
  - name: a/b
    parent: a
    labels: {env: staging}
  - name: a/b/c
    parent: a/b
    labels: {env: prod}
    deny:
      - {subject: "group:ops", actions: [rollback]}
  - name: a/b/c/d
    parent: a/b/c
  - name: side
    parent: root
    grants:
      - {subject: "user:sam", actions: [deploy]}
"#;

#[test]
fn grants_inherit_down_several_levels() {
    let m = load(TREE);
    for app in ["root", "a", "a/b", "a/b/c", "a/b/c/d", "side"] {
        assert!(allowed(&m, "user:x", &["ops"], "deploy", app), "{app}");
        assert!(allowed(&m, "user:x", &["ops"], "read:logs", app), "{app}");
    }
    let d = m
        .access()
        .check("user:x", &["ops"], "deploy", "a/b/c/d")
        .unwrap();
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(d.reasons.len(), 1);
    assert_eq!(d.reasons[0].rule.app, "root");
    assert_eq!(d.reasons[0].rule.subject, "group:ops");
    assert_eq!(d.reasons[0].declared.line, Some(9));
}

#[test]
fn propagate_false_applies_only_to_its_app() {
    let m = load(TREE);
    assert!(allowed(
        &m,
        "user:root-only",
        &[] as &[&str],
        "deploy",
        "root"
    ));
    let d = m
        .access()
        .check("user:root-only", &[] as &[&str], "deploy", "a")
        .unwrap();
    assert_eq!(d.outcome, Outcome::NotGranted);
    let miss = d.nearest_miss.unwrap();
    assert_eq!(miss.why, MissKind::NotPropagated);
    assert_eq!(miss.grant.rule.app, "root");
}

#[test]
fn env_restricted_grants_follow_the_env_label() {
    let m = load(TREE);
    assert!(allowed(&m, "user:x", &["devs"], "debug:trace", "a/b"));
    assert!(!allowed(&m, "user:x", &["devs"], "debug:trace", "a"));
    assert!(
        !allowed(&m, "user:x", &["devs"], "debug:trace", "a/b/c/d"),
        "no env label"
    );
    let miss = m
        .access()
        .check("user:x", &["devs"], "debug:trace", "a")
        .unwrap()
        .nearest_miss
        .unwrap();
    assert_eq!(miss.why, MissKind::OtherEnv);
}

#[test]
fn deny_beats_allow_from_any_level() {
    let m = load(TREE);
    assert!(allowed(&m, "user:x", &["ops"], "rollback", "a/b"));
    for app in ["a/b/c", "a/b/c/d"] {
        let d = m
            .access()
            .check("user:x", &["ops"], "rollback", app)
            .unwrap();
        assert_eq!(d.outcome, Outcome::Forbidden, "{app}");
        assert_eq!(d.reasons[0].rule.app, "a/b/c");
    }
    // A deny on the root beats a grant on the leaf.
    let m = load(
        r#"
apps:
  - name: root
    deny: [{subject: "group:contractors", actions: ["secrets:*"]}]
  - name: leaf
    parent: root
    grants: [{subject: "user:c", actions: ["secrets:read"]}]
"#,
    );
    assert!(allowed(
        &m,
        "user:c",
        &[] as &[&str],
        "secrets:read",
        "leaf"
    ));
    assert!(!allowed(
        &m,
        "user:c",
        &["contractors"],
        "secrets:read",
        "leaf"
    ));
}

#[test]
fn groups_come_from_the_caller() {
    let m = load(TREE);
    assert!(!allowed(&m, "user:x", &[] as &[&str], "deploy", "a"));
    assert!(allowed(&m, "user:x", &["group:ops"], "deploy", "a"));
    assert!(allowed(&m, "group:ops", &[] as &[&str], "deploy", "a"));
}

#[test]
fn sibling_subtree_is_named_as_the_nearest_miss() {
    let m = load(TREE);
    let d = m
        .access()
        .check("user:sam", &[] as &[&str], "deploy", "a/b")
        .unwrap();
    let miss = d.nearest_miss.unwrap();
    assert_eq!(miss.why, MissKind::OtherSubtree);
    assert_eq!(miss.grant.rule.app, "side");
    let none = m
        .access()
        .check("user:nobody", &[] as &[&str], "deploy", "a")
        .unwrap();
    assert!(none.nearest_miss.is_none());
}

#[test]
fn role_nesting_has_no_depth_limit() {
    let mut yaml = String::from("apps:\n  - name: root\n    roles:\n      r0: [act-0]\n");
    for i in 1..200 {
        yaml.push_str(&format!(
            "      r{i}: {{actions: [act-{i}], includes: [r{}]}}\n",
            i - 1
        ));
    }
    yaml.push_str("    grants: [{subject: \"user:u\", role: r199}]\n");
    let m = load(&yaml);
    assert!(allowed(&m, "user:u", &[] as &[&str], "act-0", "root"));
    assert!(allowed(&m, "user:u", &[] as &[&str], "act-199", "root"));
}

#[test]
fn deep_trees_have_no_depth_limit() {
    let mut yaml = String::from(
        "apps:\n  - name: n0\n    grants: [{subject: \"group:g\", actions: [deploy]}]\n",
    );
    for i in 1..500 {
        yaml.push_str(&format!("  - name: n{i}\n    parent: n{}\n", i - 1));
    }
    let m = load(&yaml);
    assert!(allowed(&m, "user:u", &["g"], "deploy", "n499"));
}

#[test]
fn a_child_role_may_narrow_but_not_widen() {
    let ok = load(
        r#"
apps:
  - name: root
    roles: {deployer: [deploy, rollback]}
  - name: team
    parent: root
    roles: {deployer: [deploy]}
    grants: [{subject: "user:u", role: deployer}]
"#,
    );
    assert!(allowed(&ok, "user:u", &[] as &[&str], "deploy", "team"));
    assert!(
        !allowed(&ok, "user:u", &[] as &[&str], "rollback", "team"),
        "the nearest definition wins"
    );
    let err = Manifest::from_str(
        "apps:\n  - name: root\n    roles: {deployer: [deploy]}\n  - name: team\n    parent: root\n    roles: {deployer: [deploy, \"secrets:*\"]}\n",
        Format::Yaml,
    )
    .unwrap_err();
    assert_eq!(err.code(), "escalation");
    let d = &err.diagnostics()[0];
    assert_eq!(d.code, "role-widened");
    assert!(d.message.contains("`secrets:*`"), "{}", d.message);
    assert_eq!(d.line, Some(6));
}

const CEILINGS: &str = r#"
apps:
  - name: root
    roles: {admin: ["*"]}
    grants: [{subject: "group:admins", role: admin}]
  - name: team
    parent: root
    ceiling: [deploy, "read:*", "secrets:read"]
  - name: team/app
    parent: team
    ceiling: ["read:*", deploy]
"#;

#[test]
fn ceilings_clip_inherited_grants() {
    let m = load(CEILINGS);
    assert!(allowed(&m, "user:a", &["admins"], "anything", "root"));
    assert!(allowed(&m, "user:a", &["admins"], "secrets:read", "team"));
    assert!(!allowed(
        &m,
        "user:a",
        &["admins"],
        "secrets:read",
        "team/app"
    ));
    assert!(!allowed(&m, "user:a", &["admins"], "rollback", "team"));
    let d = m
        .access()
        .check("user:a", &["admins"], "secrets:read", "team/app")
        .unwrap();
    let miss = d.nearest_miss.unwrap();
    assert_eq!(miss.why, MissKind::AboveCeiling);
    assert_eq!(miss.ceiling, Some("team/app"));
}

fn escalation(yaml: &str) -> Vec<aoa_core::Diagnostic> {
    match Manifest::from_str(yaml, Format::Yaml) {
        Err(e @ Error::Escalation { .. }) => e.diagnostics(),
        other => panic!("expected an escalation, got {other:?}"),
    }
}

#[test]
fn every_escalation_form_is_reported_with_both_locations() {
    // A grant wider than its own app's ceiling.
    let d = escalation(
        "apps:\n  - name: team\n    ceiling: [deploy]\n    grants: [{subject: \"group:g\", actions: [deploy, rollback]}]\n",
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "escalation");
    assert_eq!(d[0].app.as_deref(), Some("team"));
    assert_eq!(d[0].line, Some(4));
    assert!(d[0].message.contains("`group:g`") && d[0].message.contains("`rollback`"));
    assert!(d[0].message.contains("<string>:3:"), "{}", d[0].message);
    // A grant wider than an ancestor's ceiling (pattern vs pattern).
    let d = escalation(
        "apps:\n  - name: root\n    ceiling: [\"read:*\"]\n  - name: leaf\n    parent: root\n    grants: [{subject: \"user:u\", actions: [\"*\"]}]\n",
    );
    assert!(
        d[0].message.contains("ceiling of `root`"),
        "{}",
        d[0].message
    );
    // A role grant whose expansion escapes the ceiling.
    let d = escalation(
        "apps:\n  - name: root\n    roles: {ops: [deploy, \"secrets:*\"]}\n  - name: leaf\n    parent: root\n    ceiling: [deploy, \"secrets:read\"]\n    grants: [{subject: \"group:g\", role: ops}]\n",
    );
    assert!(d[0].message.contains("`secrets:*`"), "{}", d[0].message);
    // An app identity needing more than the ceiling chain allows.
    let d = escalation(
        "apps:\n  - name: root\n    ceiling: [\"read:*\"]\n  - name: svc\n    parent: root\n    identity: {needs: [\"secrets:read\"]}\n",
    );
    assert!(d[0].message.contains("`app:svc`"), "{}", d[0].message);
    // Each offending pattern is reported at the nearest ceiling forbidding it.
    let d = escalation(
        "apps:\n  - name: root\n    ceiling: [deploy]\n  - name: mid\n    parent: root\n    ceiling: [deploy, rollback]\n  - name: leaf\n    parent: mid\n    grants: [{subject: \"user:u\", actions: [rollback, restart]}]\n",
    );
    assert_eq!(d.len(), 2);
    assert!(d[0].message.contains("`restart`") && d[0].message.contains("`mid`"));
    assert!(d[1].message.contains("`rollback`") && d[1].message.contains("`root`"));
}

#[test]
fn identities_get_what_they_need_on_their_app() {
    let m = load(
        "apps:\n  - name: root\n    ceiling: [\"read:*\", \"secrets:read\"]\n  - name: svc\n    parent: root\n    identity: {needs: [\"secrets:read\"]}\n  - name: svc/child\n    parent: svc\n",
    );
    assert_eq!(m.access().identity("svc").unwrap(), vec!["secrets:read"]);
    assert!(allowed(
        &m,
        "app:svc",
        &[] as &[&str],
        "secrets:read",
        "svc"
    ));
    assert!(!allowed(
        &m,
        "app:svc",
        &[] as &[&str],
        "secrets:read",
        "svc/child"
    ));
}

#[test]
fn effective_who_can_and_what_can() {
    let m = load(TREE);
    let access = m.access();
    let e = access.effective("a/b/c").unwrap();
    let ops = e
        .subjects
        .iter()
        .find(|s| s.subject == "group:ops")
        .unwrap();
    let allowed: Vec<&str> = ops.allowed.iter().map(|a| a.action).collect();
    assert_eq!(
        allowed,
        vec!["deploy", "read:*"],
        "concrete actions, then the patterns that allow some"
    );
    assert_eq!(ops.denied[0].action, "rollback");
    assert_eq!(ops.denied[0].sources[0].rule.app, "a/b/c");
    let who = access.who_can("deploy", "a").unwrap();
    let subjects: Vec<&str> = who.subjects.iter().map(|w| w.subject).collect();
    assert_eq!(subjects, vec!["group:ops"]);
    let what = access.what_can("user:sam", &[] as &[&str]).unwrap();
    assert_eq!(what.apps.len(), 1);
    assert_eq!(what.apps[0].app, "side");
    assert_eq!(what.apps[0].actions, vec!["deploy"]);
}

#[test]
fn diff_names_gains_losses_and_their_cause() {
    let old = load(TREE);
    let new = load(&TREE.replace(
        "      - {subject: \"user:sam\", actions: [deploy]}",
        "      - {subject: \"user:sam\", actions: [deploy, rollback]}",
    ));
    assert!(old.diff(&old).subjects.is_empty());
    let d = old.diff(&new);
    assert_eq!((d.gained, d.lost), (1, 0));
    assert_eq!(d.subjects[0].subject, "user:sam");
    let change = &d.subjects[0].changes[0];
    assert_eq!(change.kind, ChangeKind::GrantAdded);
    assert_eq!(change.gained[0].action, "rollback");
    assert_eq!(change.gained[0].app, "side");
    let removed_deny = load(&TREE.replace(
        "      - {subject: \"group:ops\", actions: [rollback]}\n",
        "      - {subject: \"group:ops\", actions: [restart]}\n",
    ));
    let d = old.diff(&removed_deny);
    assert_eq!(d.gained, 2, "rollback on a/b/c and a/b/c/d");
    assert_eq!(d.subjects[0].changes[0].kind, ChangeKind::DenyRemoved);
}

#[test]
fn unknown_actions_are_matched_by_patterns() {
    let m = load(TREE);
    assert!(allowed(&m, "user:x", &["ops"], "read:never-written", "a"));
    assert!(!allowed(&m, "user:x", &["ops"], "write:never-written", "a"));
}

/// The drift guard sees globs: a gain that exists only through a pattern is reported as the pattern, with
/// the concrete actions it covers where the manifest names them; a subject granted `*` shows in
/// `effective` and `what_can` even when no concrete action is written anywhere.
#[test]
fn glob_only_gains_and_permissions_are_reported() {
    let load = |grant: &str| {
        Manifest::from_str(
            &format!("apps:\n  - name: root\n    grants: [{{subject: \"group:g\", actions: [{grant}]}}]\n  - name: app\n    parent: root\n"),
            Format::Yaml,
        )
        .unwrap()
    };
    let (old, new) = (load("\"read:*\""), load("\"read:*\", \"secrets:*\""));
    let d = old.diff(&new);
    let gained: Vec<(&str, &str)> = (d.subjects.iter().flat_map(|s| &s.changes))
        .flat_map(|c| &c.gained)
        .map(|a| (a.app.as_str(), a.action.as_str()))
        .collect();
    assert_eq!(gained, [("app", "secrets:*"), ("root", "secrets:*")]);
    assert_eq!(d.gained, 2);
    assert_eq!(new.diff(&old).lost, 2);
    // The concrete actions it covers, where the manifest names them (here in another subject's deny).
    let named = |grant: &str| {
        Manifest::from_str(
            &format!("apps:\n  - name: root\n    grants: [{{subject: \"group:g\", actions: [{grant}]}}]\n    deny: [{{subject: \"user:x\", actions: [\"secrets:read\"]}}]\n"),
            Format::Yaml,
        )
        .unwrap()
    };
    let d = named("\"read:*\"").diff(&named("\"read:*\", \"secrets:*\""));
    let gained: Vec<(&str, &[String])> = (d.subjects.iter().flat_map(|s| &s.changes))
        .flat_map(|c| &c.gained)
        .map(|a| (a.action.as_str(), a.covers.as_slice()))
        .collect();
    assert_eq!(
        gained,
        [
            ("secrets:*", &["secrets:read".to_string()][..]),
            ("secrets:read", &[][..])
        ]
    );
    // A subject granted `*` with no concrete action written anywhere.
    let star = load("\"*\"");
    let e = star.access().effective("app").unwrap();
    assert_eq!(e.subjects[0].allowed[0].action, "*");
    assert!(!e.subjects[0].allowed[0].partial);
    let what = star.access().what_can("user:u", &["g"]).unwrap();
    assert_eq!(
        what.apps
            .iter()
            .map(|a| (a.app, a.actions.clone()))
            .collect::<Vec<_>>(),
        [("root", vec!["*"]), ("app", vec!["*"])]
    );
    assert!(
        star.access()
            .check("user:u", &["g"], "anything:at-all", "app")
            .unwrap()
            .allowed
    );
}
