//! The optional per-app sections that the permission and schema-hub features read.

use serde::Serialize;

/// A per-app manifest section beyond the graph itself, kept as its raw JSON value for the feature that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Parameter values of the app.
    Params,
    /// Parameter values that flow to every descendant.
    SharedParams,
    /// Parameter paths descendants may not override.
    Locked,
    /// Shared keys every descendant schema must declare.
    RequiredShared,
    /// The app's Avro schema (inline, a path, or `subject@version`).
    Schema,
    /// The schema fingerprint or version the app was built against.
    SchemaPin,
    /// Role definitions.
    Roles,
    /// Role or action grants to subjects.
    Grants,
    /// Deny entries that win over any grant.
    Deny,
    /// The widest actions that may be granted at or below the app.
    Ceiling,
    /// The app's own workload identity.
    Identity,
    /// Vault secrets granted to the app.
    Secrets,
}

impl Section {
    /// Every section, in manifest-key order.
    pub const ALL: [Section; 12] = [
        Section::Params,
        Section::SharedParams,
        Section::Locked,
        Section::RequiredShared,
        Section::Schema,
        Section::SchemaPin,
        Section::Roles,
        Section::Grants,
        Section::Deny,
        Section::Ceiling,
        Section::Identity,
        Section::Secrets,
    ];

    /// The manifest key of the section.
    pub fn key(self) -> &'static str {
        match self {
            Section::Params => "params",
            Section::SharedParams => "shared_params",
            Section::Locked => "locked",
            Section::RequiredShared => "required_shared",
            Section::Schema => "schema",
            Section::SchemaPin => "schema_pin",
            Section::Roles => "roles",
            Section::Grants => "grants",
            Section::Deny => "deny",
            Section::Ceiling => "ceiling",
            Section::Identity => "identity",
            Section::Secrets => "secrets",
        }
    }

    /// The section a manifest key names, if any.
    pub fn from_key(key: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether this version of aoa reads the section; the others are reserved and rejected with a clear error.
    pub fn is_supported(self) -> bool {
        self.is_access() || self.is_param()
    }

    /// Whether the section is one of the parameter sections (`params`, `shared_params`, `locked`,
    /// `required_shared`, `schema`, `schema_pin`).
    pub fn is_param(self) -> bool {
        matches!(
            self,
            Section::Params
                | Section::SharedParams
                | Section::Locked
                | Section::RequiredShared
                | Section::Schema
                | Section::SchemaPin
        )
    }

    /// Whether the section is one of the permission sections (`roles`, `grants`, `deny`, `ceiling`,
    /// `identity`, `secrets`: secret grants are access rules).
    pub fn is_access(self) -> bool {
        matches!(
            self,
            Section::Roles
                | Section::Grants
                | Section::Deny
                | Section::Ceiling
                | Section::Identity
                | Section::Secrets
        )
    }
}
