//! The Azure export gives no assignment wider than the grants: each app's readable secrets are recomputed from
//! the assignments (a vault scope reads every secret of the vault, a secret scope that secret) and compared with
//! what the access model allows; every Key Vault secret an app uses is covered; names are stable UUIDv5.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::access::{KEY_VAULT_SECRETS_USER, RoleAssignments, SecretRef, assignment_name};
use aoa_core::{ErrorCode, Manifest};
use proptest::prelude::*;
use serde_json::json;

mod secret_world;
use secret_world::{SECRETS, World, records, world};

const PREFIX: &str = "/subscriptions/sub-1/resourceGroups/rg-1";

/// Secrets never named in any manifest: a vault scope must allow them too.
const PROBES: [&str; 3] = [
    "keyvault://kv-a/zz-probe",
    "keyvault://kv-b/zz-probe",
    "keyvault://kv-c/zz-probe",
];

fn app_of(m: &Manifest, principal: &str) -> String {
    principal.strip_prefix("app:").map_or_else(
        || {
            let id = m.ids().find(|&id| {
                m.labels(id).get("azure-principal-id").map(String::as_str) == Some(principal)
            });
            m.name(id.unwrap()).to_string()
        },
        str::to_string,
    )
}

/// Checks every assignment against the grants and every used Key Vault secret against the assignments.
fn check_export(m: &Manifest, export: &RoleAssignments) {
    let access = m.access();
    let vaults = format!("{PREFIX}/providers/Microsoft.KeyVault/vaults/");
    for a in &export.value {
        let p = &a.properties;
        assert!(p.role_definition_id.ends_with(KEY_VAULT_SECRETS_USER));
        assert_eq!(
            a.name,
            assignment_name(&p.scope, &p.principal_id, &p.role_definition_id)
        );
        assert_eq!(
            a.id,
            format!(
                "{}/providers/Microsoft.Authorization/roleAssignments/{}",
                p.scope, a.name
            )
        );
        let app = m.app(&app_of(m, &p.principal_id)).unwrap();
        let rest = p.scope.strip_prefix(&vaults).unwrap();
        let readable: Vec<String> = match rest.split_once("/secrets/") {
            Some((vault, secret)) => vec![format!("keyvault://{vault}/{secret}")],
            None => (SECRETS.iter().chain(&PROBES))
                .filter(|s| s.starts_with(&format!("keyvault://{rest}/")))
                .map(|s| s.to_string())
                .collect(),
        };
        for secret in readable {
            let decision = access.secret_decision(app, &SecretRef::parse(&secret).unwrap());
            assert!(
                decision.allowed,
                "{} reads {secret} through {}, beyond its grants",
                m.name(app),
                p.scope
            );
        }
    }
    for used in access.secret_uses() {
        let s = used.secret();
        let (Some(vault), app) = (&s.vault, &used.app) else {
            continue;
        };
        let covered = export.value.iter().any(|a| {
            app_of(m, &a.properties.principal_id) == *app
                && (a.properties.scope == format!("{vaults}{vault}")
                    || a.properties.scope == format!("{vaults}{vault}/secrets/{}", s.name))
        });
        assert!(
            covered,
            "{app} uses {} but no assignment covers it",
            used.reference
        );
    }
}

#[test]
fn the_platform_export_is_exactly_its_uses() {
    let m =
        Manifest::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/platform")).unwrap();
    let export = m.access().azure_role_assignments(PREFIX).unwrap();
    check_export(&m, &export);
    let scopes: Vec<&str> = export
        .value
        .iter()
        .map(|a| a.properties.scope.strip_prefix(PREFIX).unwrap())
        .collect();
    assert_eq!(
        scopes,
        [
            "/providers/Microsoft.KeyVault/vaults/identity-prod",
            "/providers/Microsoft.KeyVault/vaults/payments-prod/secrets/db-password",
            "/providers/Microsoft.KeyVault/vaults/payments-prod/secrets/stripe-api-key",
            "/providers/Microsoft.KeyVault/vaults/payments-prod/secrets/db-admin",
            "/providers/Microsoft.KeyVault/vaults/payments-prod/secrets/db-password",
        ]
    );
    assert!(export.missing_principals.is_empty());
    // Idempotent: the same names again.
    assert_eq!(
        m.access()
            .azure_role_assignments(&format!("{PREFIX}/"))
            .unwrap(),
        export
    );
    let err = m
        .access()
        .azure_role_assignments("/resourceGroups/rg")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
}

#[test]
fn a_deny_inside_a_whole_vault_grant_narrows_the_scope_to_secrets() {
    let records = json!([
        {"name": "root", "secrets": {"grants": [{"secrets": ["keyvault://kv-a/*"]}]}},
        {"name": "api", "parent": "root", "secrets": {
            "deny": [{"secrets": ["keyvault://kv-a/root-key"]}],
            "use": [{"ref": "keyvault://kv-a/db-password"}]}},
        {"name": "web", "parent": "root", "secrets": {"use": [{"ref": "keyvault://kv-a/db-password"}]}}
    ]);
    let m = Manifest::from_records(records.as_array().unwrap()).unwrap();
    let export = m.access().azure_role_assignments(PREFIX).unwrap();
    check_export(&m, &export);
    let scopes: Vec<(&str, &str)> = (export.value.iter())
        .map(|a| {
            (
                a.properties.principal_id.as_str(),
                a.properties.scope.rsplit("/vaults/").next().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        scopes,
        [("app:api", "kv-a/secrets/db-password"), ("app:web", "kv-a")]
    );
    assert_eq!(export.missing_principals, ["api", "web"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    #[test]
    fn no_assignment_is_wider_than_the_grants(w in world(), picks in prop::collection::vec(any::<bool>(), 64)) {
        let mut apps = records(&w);
        let Ok(m) = Manifest::from_records(&apps) else { return Ok(()) };
        // Each app uses some of the secrets it may read.
        let mut pick = picks.iter().cycle();
        for (i, app) in apps.iter_mut().enumerate() {
            let id = m.app(&format!("a{i}")).unwrap();
            let uses: Vec<_> = (SECRETS.iter())
                .filter(|s| m.access().secret_decision(id, &SecretRef::parse(s).unwrap()).allowed)
                .filter(|_| *pick.next().unwrap())
                .map(|s| json!({"ref": s}))
                .collect();
            app["secrets"]["use"] = json!(uses);
        }
        let m = Manifest::from_records(&apps).unwrap();
        check_export(&m, &m.access().azure_role_assignments(PREFIX).unwrap());
        let _: &World = &w;
    }
}
