//! The store suite, run on every backend: apply, show, history, retire, drift, dry runs, policy, leases,
//! the audit chain (tampering detected), export, migrations, secrets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions"
)]

mod common;

use aoa_core::{Error, ErrorCode};
use aoa_store::{ApplyOptions, AuditFilter, ChangeKind, ManualClock, Options, Sql, StateStore};
use common::{backends, open, registry, yaml};
use std::sync::Arc;
use std::time::Duration;

const V1: &str = "apps:\n- {name: root, owner: platform, version: v1, labels: {env: prod}}\n- {name: api, parent: root, version: v1}\n- {name: old, parent: root}\n";
const V2: &str = "apps:\n- {name: root, owner: platform, version: v1, labels: {env: prod}}\n- {name: api, parent: root, version: v2, owner: web}\n";

fn count_events(s: &mut StateStore) -> usize {
    s.events(&AuditFilter::default()).unwrap().len()
}

#[test]
fn apply_show_history_retire_and_drift() {
    for b in backends() {
        let reg = registry("apply");
        let mut s = open(&b.url, &reg);
        let r = s.apply(&yaml(V1), ApplyOptions::default()).unwrap();
        assert_eq!(
            (r.added, r.changed, r.retired, r.unchanged),
            (3, 0, 0, 0),
            "{}",
            b.label
        );
        assert_eq!(s.show("api").unwrap().version.as_deref(), Some("v1"));
        assert_eq!(s.show("root").unwrap().labels["env"], "prod");

        // Dry run: reported, nothing written.
        let before = count_events(&mut s);
        let dry = s
            .apply(
                &yaml(V2),
                ApplyOptions {
                    dry_run: true,
                    ..ApplyOptions::default()
                },
            )
            .unwrap();
        assert_eq!((dry.added, dry.changed, dry.retired), (0, 1, 1));
        assert_eq!(count_events(&mut s), before);
        assert_eq!(s.show("api").unwrap().version.as_deref(), Some("v1"));

        let r = s.apply(&yaml(V2), ApplyOptions::default()).unwrap();
        assert_eq!(
            (r.added, r.changed, r.retired, r.unchanged),
            (0, 1, 1, 1),
            "{}",
            b.label
        );
        let api = &r.changes[0];
        assert_eq!((api.app.as_str(), api.kind), ("api", ChangeKind::Changed));
        let fields: Vec<&str> = api.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["version", "owner"]);
        assert_eq!(api.fields[0].old, "v1");
        assert_eq!(api.fields[0].new, "v2");

        // The retired app keeps its record and history.
        let old = s.show("old").unwrap();
        assert!(old.retired);
        let h = s.history("old").unwrap();
        assert_eq!(
            h.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [ChangeKind::Added, ChangeKind::Retired]
        );
        let h = s.history("api").unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].fields[0].old, "v1");

        // Re-applying the same manifest changes nothing.
        let again = s.apply(&yaml(V2), ApplyOptions::default()).unwrap();
        assert_eq!(
            (again.added, again.changed, again.retired, again.unchanged),
            (0, 0, 0, 2)
        );

        // Drift: the store against another manifest.
        assert!(s.drift(&yaml(V2)).unwrap().in_sync);
        let d = s.drift(&yaml(V1)).unwrap();
        assert!(!d.in_sync);
        let kinds: Vec<(&str, ChangeKind)> =
            d.changes.iter().map(|c| (c.app.as_str(), c.kind)).collect();
        assert_eq!(
            kinds,
            [("api", ChangeKind::Changed), ("old", ChangeKind::Added)]
        );

        // Unknown apps are named with a hint.
        let e = s.show("apj").unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownApp);
        assert!(e.to_string().contains("did you mean `api`"), "{e}");
        assert!(s.verify().unwrap().ok);
    }
}

const GRANTS: &str = "apps:\n- name: root\n  roles: {deployer: [deploy]}\n  grants: [{subject: \"group:ops\", role: deployer}]\n- {name: api, parent: root}\n";
const WIDER: &str = "apps:\n- name: root\n  roles: {deployer: [deploy, rollback]}\n  grants: [{subject: \"group:ops\", role: deployer}]\n- {name: api, parent: root}\n";

#[test]
fn gains_are_refused_unless_allowed_and_both_outcomes_are_recorded() {
    for b in backends() {
        let reg = registry("gain");
        let mut s = open(&b.url, &reg);
        let e = s.apply(&yaml(GRANTS), ApplyOptions::default()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::GainRefused, "{}", b.label);
        let gains: Vec<String> = e.diagnostics().into_iter().map(|d| d.message).collect();
        assert!(
            gains
                .iter()
                .any(|g| g.starts_with("`group:ops` gains `deploy` on `api`")),
            "{gains:?}"
        );
        assert!(
            s.list().unwrap().is_empty(),
            "a refused apply writes no app"
        );

        s.apply(
            &yaml(GRANTS),
            ApplyOptions {
                allow_gain: true,
                ..ApplyOptions::default()
            },
        )
        .unwrap();
        // A wider role is a gain again; the same grants are not.
        assert_eq!(
            s.apply(&yaml(GRANTS), ApplyOptions::default())
                .unwrap()
                .gains
                .gained,
            0
        );
        let e = s.apply(&yaml(WIDER), ApplyOptions::default()).unwrap_err();
        let gains: Vec<String> = e.diagnostics().into_iter().map(|d| d.message).collect();
        assert!(gains.iter().all(|g| g.contains("`rollback`")), "{gains:?}");

        let outcomes: Vec<String> = s
            .events(&AuditFilter::default())
            .unwrap()
            .into_iter()
            .filter(|e| e.event.kind == "registry.apply")
            .map(|e| e.event.attribute("outcome").unwrap_or_default().to_string())
            .collect();
        assert_eq!(outcomes, ["refused", "accepted", "accepted", "refused"]);
        assert!(s.verify().unwrap().ok);
    }
}

#[test]
fn a_required_scope_no_ancestor_allows_names_app_scope_and_ancestor() {
    for b in backends() {
        let mut s = open(&b.url, &registry("scope"));
        let m = yaml(
            "apps:\n- name: root\n  grants: [{subject: \"group:ops\", actions: [\"read:*\"]}]\n- name: api\n  parent: root\n  identity: {needs: [\"read:config\", \"secrets:read\"]}\n",
        );
        let e = s
            .apply(
                &m,
                ApplyOptions {
                    allow_gain: true,
                    ..ApplyOptions::default()
                },
            )
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Escalation);
        let d = e.diagnostics();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "scope-not-allowed");
        assert!(
            d[0].message
                .contains("app `api` requires scope `secrets:read`"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("nearest ancestor: `root`"),
            "{}",
            d[0].message
        );
    }
}

#[test]
fn leases_name_the_holder_and_fence_an_expired_one() {
    for b in backends() {
        let reg = registry("lease");
        let clock = ManualClock::at(1_800_000_000_000);
        let with = |actor: &str| Options {
            registry: reg.clone(),
            actor: actor.into(),
            clock: Arc::new(clock.clone()),
            ..Options::default()
        };
        let mut a = aoa_store::open(&b.url, with("alice")).unwrap();
        let mut bob = aoa_store::open(&b.url, with("bob")).unwrap();
        let held = a.acquire("registry", Duration::from_secs(60)).unwrap();
        let e = bob.apply(&yaml(V1), ApplyOptions::default()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LeaseHeld, "{}", b.label);
        assert!(
            e.to_string()
                .contains("held by alice until 2027-01-15T08:01:00.000Z"),
            "{e}"
        );

        clock.advance(61_000);
        let bobs = bob.acquire("registry", Duration::from_secs(60)).unwrap();
        assert_eq!(bobs.token, held.token + 1);
        let e = a
            .apply_with_lease(&yaml(V1), ApplyOptions::default(), &held)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::LeaseHeld);
        assert!(e.to_string().contains("held by bob"), "{e}");
        assert!(
            a.list().unwrap().is_empty(),
            "the fenced holder wrote nothing"
        );
        bob.apply_with_lease(&yaml(V1), ApplyOptions::default(), &bobs)
            .unwrap();
        assert_eq!(a.list().unwrap().len(), 3);
        // Released by the apply: alice takes it again, with a new token.
        assert_eq!(
            a.acquire("registry", Duration::from_secs(1)).unwrap().token,
            bobs.token + 1
        );
        let kinds: Vec<String> = a
            .events(&AuditFilter::default())
            .unwrap()
            .into_iter()
            .map(|e| e.event.kind)
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "lease.acquired").count(), 3);
        assert!(a.verify().unwrap().ok);
    }
}

/// Runs raw SQL on the audit table (as an attacker with database access would).
fn tamper(s: &mut StateStore, sql: &str, params: &[Sql]) {
    let mut tx = s.store().begin().unwrap();
    tx.execute(sql, params).unwrap();
    tx.commit().unwrap();
}

#[test]
fn verify_names_the_first_edited_deleted_inserted_or_reordered_event() {
    for b in backends() {
        for (problem, bad_seq) in [
            ("edited", 3),
            ("deleted", 3),
            ("inserted", 3),
            ("reordered", 3),
        ] {
            let reg = registry("verify");
            let mut s = open(&b.url, &reg);
            s.apply(&yaml(V1), ApplyOptions::default()).unwrap();
            s.apply(&yaml(V2), ApplyOptions::default()).unwrap();
            assert!(s.verify().unwrap().ok);
            let r = Sql::Text(reg.clone());
            match problem {
                "edited" => {
                    let e = s.events(&AuditFilter::default()).unwrap();
                    let mut event = e[2].event.clone();
                    event.actor = "mallory".into();
                    tamper(
                        &mut s,
                        "UPDATE aoa_audit SET event = ?2 WHERE registry_id = ?1 AND seq = 3",
                        &[r, Sql::Blob(event.encode())],
                    );
                }
                "deleted" => tamper(
                    &mut s,
                    "DELETE FROM aoa_audit WHERE registry_id = ?1 AND seq = 3",
                    &[r],
                ),
                "inserted" => {
                    tamper(
                        &mut s,
                        "UPDATE aoa_audit SET seq = seq + 1000 WHERE registry_id = ?1 AND seq >= 3",
                        std::slice::from_ref(&r),
                    );
                    tamper(
                        &mut s,
                        "UPDATE aoa_audit SET seq = seq - 999 WHERE registry_id = ?1 AND seq >= 1003",
                        std::slice::from_ref(&r),
                    );
                    tamper(
                        &mut s,
                        "INSERT INTO aoa_audit (registry_id, seq, at, kind, app, event, hash) SELECT registry_id, 3, at, kind, app, event, hash FROM aoa_audit WHERE registry_id = ?1 AND seq = 2",
                        &[r],
                    );
                }
                _ => {
                    tamper(
                        &mut s,
                        "UPDATE aoa_audit SET seq = -1 WHERE registry_id = ?1 AND seq = 3",
                        std::slice::from_ref(&r),
                    );
                    tamper(
                        &mut s,
                        "UPDATE aoa_audit SET seq = 3 WHERE registry_id = ?1 AND seq = 4",
                        std::slice::from_ref(&r),
                    );
                    tamper(
                        &mut s,
                        "UPDATE aoa_audit SET seq = 4 WHERE registry_id = ?1 AND seq = -1",
                        &[r],
                    );
                }
            }
            let v = s.verify().unwrap();
            assert!(!v.ok, "{problem} on {}", b.label);
            let bad = v.first_bad.unwrap();
            assert_eq!(bad.seq, bad_seq, "{problem}: {bad:?}");
            let expected = if problem == "inserted" {
                "reordered"
            } else {
                problem
            };
            assert_eq!(bad.problem, expected, "{problem}: {bad:?}");
        }
    }
}

#[test]
fn export_verifies_from_the_file_alone() {
    for b in backends() {
        let mut s = open(&b.url, &registry("export"));
        s.apply(&yaml(V1), ApplyOptions::default()).unwrap();
        s.apply(&yaml(V2), ApplyOptions::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.avro");
        let report = s.export(&path).unwrap();
        assert_eq!(report.events, count_events(&mut s) as i64);
        let v = aoa_store::audit::export::verify_file(&path).unwrap();
        assert!(v.ok, "{v:?}");
        assert_eq!(v.head, s.verify().unwrap().head);
        // A flipped byte in the file is caught.
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes
            .windows(6)
            .position(|w| w == b"mallor")
            .or_else(|| bytes.windows(6).position(|w| w == b"tester"));
        bytes[at.unwrap()] = b'T';
        std::fs::write(&path, bytes).unwrap();
        assert!(!aoa_store::audit::export::verify_file(&path).unwrap().ok);
    }
}

#[test]
fn migrations_run_forward_from_the_first_version_and_a_newer_store_is_refused() {
    for b in backends() {
        let reg = registry("migrate");
        let opts = common::options(&reg, "tester");
        if b.label == "sqlite" {
            let s = StateStore::open_at(&b.url, opts.clone(), 1).unwrap();
            drop(s);
        }
        let mut s = aoa_store::open(&b.url, opts.clone()).unwrap();
        let mut tx = s.store().begin().unwrap();
        let v = tx
            .query("SELECT MAX(version), COUNT(*) FROM aoa_schema", &[])
            .unwrap();
        tx.commit().unwrap();
        assert_eq!(v[0][0], Sql::Int(aoa_store::migrate::SCHEMA_VERSION));
        if b.label == "sqlite" {
            assert_eq!(v[0][1], Sql::Int(aoa_store::migrate::SCHEMA_VERSION));
            s.apply(&yaml(V1), ApplyOptions::default()).unwrap();
            let mut tx = s.store().begin().unwrap();
            tx.execute(
                "INSERT INTO aoa_schema (version, applied_at) VALUES (99, 0)",
                &[],
            )
            .unwrap();
            tx.commit().unwrap();
            drop(s);
            let e = aoa_store::open(&b.url, opts).err().unwrap();
            assert_eq!(e.code(), ErrorCode::StoreVersion);
            assert!(
                e.to_string()
                    .contains("schema version 99, newer than this aoa's"),
                "{e}"
            );
        }
    }
}

#[test]
fn secrets_are_kept_only_as_hmacs_under_the_registry_key() {
    for b in backends() {
        let s1 = open(&b.url, &registry("hmac"));
        let s2 = open(&b.url, &registry("hmac"));
        let h = s1.hmac(b"s3cret-token");
        assert!(h.starts_with("hmac-sha256:") && !h.contains("s3cret"));
        assert_ne!(h, s2.hmac(b"s3cret-token"), "each registry has its own key");
        let again = open(&b.url, s1.registry());
        assert_eq!(again.hmac(b"s3cret-token"), h, "the key is kept");
        let _ = Error::Store {
            store: String::new(),
            message: String::new(),
        };
    }
}

mod replay {
    use super::common::{backends, registry};
    use aoa_core::Manifest;
    use aoa_store::registry::replay;
    use aoa_store::{ApplyOptions, Options};
    use proptest::prelude::*;

    /// A manifest of some of the apps `a0`..`a5`, each with a random version, owner and `env` label.
    fn manifest() -> impl Strategy<Value = Vec<(usize, u8, bool, bool)>> {
        proptest::collection::btree_map(0usize..6, (0u8..3, any::<bool>(), any::<bool>()), 0..6)
            .prop_map(|m| m.into_iter().map(|(i, (v, o, l))| (i, v, o, l)).collect())
    }

    fn build(apps: &[(usize, u8, bool, bool)]) -> Manifest {
        let records: Vec<serde_json::Value> = apps
            .iter()
            .map(|(i, v, owner, label)| {
                let mut r =
                    serde_json::json!({"name": format!("a{i}"), "version": format!("v{v}")});
                if *owner {
                    r["owner"] = "team".into();
                }
                if *label {
                    r["labels"] = serde_json::json!({"env": "prod"});
                }
                r
            })
            .collect();
        Manifest::from_records(&records).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
        #[test]
        fn any_apply_sequence_keeps_history_complete_and_the_chain_valid(
            sequence in proptest::collection::vec(manifest(), 1..5)
        ) {
            for b in backends() {
                let reg = registry("replay");
                let options = Options { registry: reg, actor: "prop".into(), ..Options::default() };
                let mut s = aoa_store::open(&b.url, options).unwrap();
                for apps in &sequence {
                    s.apply(&build(apps), ApplyOptions::default()).unwrap();
                }
                let history = s.all_history().unwrap();
                let replayed = replay(history.iter().map(|(app, h)| (app.as_str(), h.kind, h.fields.as_slice())));
                let current = s.list().unwrap();
                prop_assert_eq!(replayed.len(), current.len(), "{}", b.label);
                for r in &current {
                    let back = &replayed[&r.app];
                    prop_assert!(back.same_fields(r) && back.retired == r.retired, "{}: {:?} vs {:?}", b.label, back, r);
                }
                prop_assert!(s.verify().unwrap().ok);
            }
        }
    }
}
