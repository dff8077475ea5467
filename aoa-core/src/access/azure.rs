//! Least-privilege Azure role assignments: each app's managed identity gets **Key Vault Secrets User** on exactly
//! the Key Vault secrets it uses and its chain grants: at the vault's scope when the app may read the whole vault
//! (no deny or ceiling takes part of it), else at each used secret's scope. Nothing for apps that use no Key
//! Vault secret, and nothing wider than the grants.
//!
//! The answer has the shape of Azure's "Role Assignments - List" response (`{"value": [...]}`, each item an
//! `id`, `name`, `type` and `properties` with `roleDefinitionId`, `principalId`, `principalType`, `scope`), so
//! each item's `properties` is the body of `PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`.
//! Names are UUIDv5 of (scope, principal, role definition), so exporting again gives the same names.

use super::Access;
use super::pattern::glob_contains;
use super::secret_ref::Store;
use crate::error::{Error, Result};
use crate::manifest::AppId;
use serde::Serialize;
use uuid::Uuid;

/// The built-in role "Key Vault Secrets User": read secret contents.
pub const KEY_VAULT_SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";

/// The app label that holds the object id of the app's managed identity.
pub const PRINCIPAL_LABEL: &str = "azure-principal-id";

/// The properties of one role assignment (the body Azure's API accepts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentProperties {
    /// `/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/<role id>`.
    pub role_definition_id: String,
    /// The object id of the app's managed identity (its `azure-principal-id` label), or `app:NAME` when the
    /// label is missing (listed in `missing_principals`).
    pub principal_id: String,
    /// Always `ServicePrincipal` (managed identities).
    pub principal_type: &'static str,
    /// The vault or secret resource id.
    pub scope: String,
    /// Which app, and why (the grant patterns).
    pub description: String,
}

/// One role assignment resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct RoleAssignment {
    /// `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`.
    pub id: String,
    /// UUIDv5 of (scope, principal, role definition).
    pub name: String,
    /// `Microsoft.Authorization/roleAssignments`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The assignment.
    pub properties: RoleAssignmentProperties,
}

/// The answer of [`Access::azure_role_assignments`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct RoleAssignments {
    /// The assignments, app by app (by name), vault by vault.
    pub value: Vec<RoleAssignment>,
    /// Apps with assignments but no `azure-principal-id` label (their `principalId` is `app:NAME`).
    pub missing_principals: Vec<String>,
}

impl Access<'_> {
    /// The role assignments that give each app's managed identity exactly its Key Vault secrets, under
    /// `scope_prefix` (`/subscriptions/S/resourceGroups/RG`, where the vaults are).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the prefix does not start with `/subscriptions/SUBSCRIPTION`.
    pub fn azure_role_assignments(&self, scope_prefix: &str) -> Result<RoleAssignments> {
        let prefix = scope_prefix.trim_end_matches('/');
        let subscription = match prefix.split('/').collect::<Vec<_>>().as_slice() {
            ["", "subscriptions", s, ..] if !s.is_empty() => format!("/subscriptions/{s}"),
            _ => {
                return Err(Error::InvalidArgument {
                    message: format!(
                        "scope prefix `{scope_prefix}` must start with `/subscriptions/SUBSCRIPTION` (e.g. `/subscriptions/S/resourceGroups/RG`)"
                    ),
                });
            }
        };
        let role = format!(
            "{subscription}/providers/Microsoft.Authorization/roleDefinitions/{KEY_VAULT_SECRETS_USER}"
        );
        let mut out = RoleAssignments {
            value: Vec::new(),
            missing_principals: Vec::new(),
        };
        for app in self.m.ids_by_name() {
            let scopes = self.vault_scopes(app);
            if scopes.is_empty() {
                continue;
            }
            let name = self.m.name(app);
            let principal = match self.m.labels(app).get(PRINCIPAL_LABEL) {
                Some(p) => p.clone(),
                None => {
                    out.missing_principals.push(name.to_string());
                    format!("app:{name}")
                }
            };
            for (vault, secret, why) in scopes {
                let mut scope = format!("{prefix}/providers/Microsoft.KeyVault/vaults/{vault}");
                if let Some(secret) = &secret {
                    scope.push_str(&format!("/secrets/{secret}"));
                }
                let id = assignment_name(&scope, &principal, &role);
                out.value.push(RoleAssignment {
                    id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{id}"),
                    name: id,
                    kind: "Microsoft.Authorization/roleAssignments",
                    properties: RoleAssignmentProperties {
                        role_definition_id: role.clone(),
                        principal_id: principal.clone(),
                        principal_type: "ServicePrincipal",
                        scope,
                        description: format!("aoa: `{name}` reads {why}"),
                    },
                });
            }
        }
        Ok(out)
    }

    /// (vault, secret or `None` for the whole vault, why) of every Key Vault scope the app needs: the vaults of
    /// its uses, whole when a pattern containing `keyvault://VAULT/*` is allowed in full, else each used secret.
    fn vault_scopes(&self, app: AppId) -> Vec<(String, Option<String>, String)> {
        let mut used: Vec<(&str, &str)> = (self.ix.uses.iter())
            .filter(|u| {
                u.app_id == app
                    && u.secret.store == Store::Keyvault
                    && self.secret_decision(app, &u.secret).allowed
            })
            .filter_map(|u| Some((u.secret.vault.as_deref()?, u.secret.name.as_str())))
            .collect();
        used.sort_unstable();
        used.dedup();
        if used.is_empty() {
            return Vec::new();
        }
        let granted = self
            .secrets(self.m.name(app))
            .map(|s| s.granted)
            .unwrap_or_default();
        let mut out = Vec::new();
        for group in used.chunk_by(|a, b| a.0 == b.0) {
            let vault = group[0].0;
            let whole = format!("keyvault://{vault}/*");
            let full = (granted.iter())
                .find(|g| !g.partial && glob_contains(g.action, &whole))
                .filter(|_| !self.deny_may_touch(app, vault));
            match full {
                Some(g) => out.push((
                    vault.to_string(),
                    None,
                    format!("the whole vault (granted `{}`)", g.action),
                )),
                None => out.extend(group.iter().map(|(v, s)| {
                    (
                        v.to_string(),
                        Some(s.to_string()),
                        format!("`keyvault://{v}/{s}`"),
                    )
                })),
            }
        }
        out
    }
}

impl Access<'_> {
    /// Whether a deny reaching the app's identity may forbid some secret of the vault: its pattern's literal
    /// prefix (before any `*`) and `secrets:keyvault://VAULT/` are not disjoint (an over-approximation: such
    /// a vault is exported secret by secret).
    fn deny_may_touch(&self, app: AppId, vault: &str) -> bool {
        let ix = self.ix;
        let caller = self.self_caller(app);
        let vault_prefix = format!("{}keyvault://{vault}/", super::SECRET_ACTION_PREFIX);
        self.reaching(app).into_iter().any(|r| {
            let rule = &ix.rules[r as usize];
            rule.effect == super::Effect::Deny
                && caller.contains(&ix.rule_subject[r as usize])
                && rule.actions.iter().any(|d| {
                    let literal = d.split('*').next().unwrap_or_default();
                    let n = literal.len().min(vault_prefix.len());
                    literal[..n] == vault_prefix[..n]
                })
        })
    }
}

/// The deterministic assignment name: UUIDv5, in the URL namespace, of `scope`, `principal` and `role` joined
/// by newlines.
///
/// ```
/// use aoa_core::access::assignment_name;
/// let a = assignment_name("/subscriptions/s/x", "p", "r");
/// assert_eq!(a, assignment_name("/subscriptions/s/x", "p", "r"));
/// assert_ne!(a, assignment_name("/subscriptions/s/x", "q", "r"));
/// ```
pub fn assignment_name(scope: &str, principal: &str, role: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("{scope}\n{principal}\n{role}").as_bytes(),
    )
    .to_string()
}
