//! The table of every diagnostic code: one stable kebab-case name per kind of finding, with what it means.
//!
//! [`Diagnostic::new`](super::Diagnostic::new) accepts only these codes (checked in debug builds), and a test
//! checks that the code lists of the README and `docs/*.md` name only codes of this table.

/// One diagnostic code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The stable kebab-case name (`unknown-parent`).
    pub name: &'static str,
    /// The [`ErrorCode`](crate::ErrorCode) spelling of the error that carries it (`manifest`, `params`, ...;
    /// `unknown-key` and `wrong-type` are carried by `invalid-access` too, in permission sections).
    pub error: &'static str,
    /// What the finding means, in one line.
    pub meaning: &'static str,
}

const fn code(name: &'static str, error: &'static str, meaning: &'static str) -> Code {
    Code {
        name,
        error,
        meaning,
    }
}

/// Every diagnostic code, grouped by the error that carries it.
pub const CODES: &[Code] = &[
    code("io", "io", "a file or directory could not be read"),
    code("yaml-syntax", "syntax", "a YAML file is not well-formed"),
    code("json-syntax", "syntax", "a JSON file is not well-formed"),
    code(
        "not-a-manifest",
        "manifest",
        "the document is not a mapping with `apps`",
    ),
    code(
        "missing-apps",
        "manifest",
        "the document has no `apps` list",
    ),
    code("unknown-key", "manifest", "a key aoa does not know"),
    code("wrong-type", "manifest", "a value of the wrong type"),
    code("missing-name", "manifest", "an app without a name"),
    code("invalid-name", "manifest", "an app name aoa cannot use"),
    code("duplicate-app", "manifest", "two apps with one name"),
    code("unknown-parent", "manifest", "a parent no app has"),
    code("unknown-dependency", "manifest", "a dependency no app has"),
    code("self-parent", "manifest", "an app that is its own parent"),
    code(
        "self-dependency",
        "manifest",
        "an app that depends on itself",
    ),
    code(
        "duplicate-dependency",
        "manifest",
        "a dependency listed twice",
    ),
    code("parent-loop", "manifest", "a parent chain that loops"),
    code(
        "unsupported-api-version",
        "manifest",
        "an `apiVersion` of another release",
    ),
    code(
        "unsupported-section",
        "manifest",
        "a section reserved for a feature not built yet",
    ),
    code(
        "more-problems",
        "manifest",
        "how many problems were left out of the list",
    ),
    code(
        "cycle",
        "cycle",
        "a dependency cycle: no rollout order exists",
    ),
    code(
        "missing-subject",
        "invalid-access",
        "a grant or deny without a subject",
    ),
    code(
        "invalid-subject",
        "invalid-access",
        "a subject that is not `user:`, `group:` or `app:`",
    ),
    code(
        "missing-actions",
        "invalid-access",
        "a grant or deny without actions or role",
    ),
    code(
        "invalid-action",
        "invalid-access",
        "an action or pattern aoa cannot use",
    ),
    code(
        "invalid-role",
        "invalid-access",
        "a role definition aoa cannot use",
    ),
    code(
        "unknown-role",
        "invalid-access",
        "a role no app at or above declares",
    ),
    code(
        "role-cycle",
        "invalid-access",
        "roles that include each other",
    ),
    code(
        "invalid-secret",
        "invalid-access",
        "a secret reference, pattern, date or duration aoa cannot use",
    ),
    code(
        "ungranted-secret",
        "invalid-access",
        "an app uses a secret its chain does not grant (or a deny forbids)",
    ),
    code(
        "escalation",
        "escalation",
        "a grant or identity wider than a ceiling above it",
    ),
    code(
        "role-widened",
        "escalation",
        "a role redefined with more actions than its ancestor's",
    ),
    code(
        "invalid-param",
        "params",
        "a parameter section or value aoa cannot use",
    ),
    code("locked-override", "params", "a value set below a lock"),
    code("bad-lock", "params", "a lock that is not a JSON pointer"),
    code(
        "missing-shared-key",
        "params",
        "a schema that lacks a required shared key",
    ),
    code("invalid-schema", "params", "a schema that does not parse"),
    code(
        "unknown-schema",
        "params",
        "a schema reference that cannot be found",
    ),
    code("bad-schema-pin", "params", "a schema pin aoa cannot read"),
    code(
        "unknown-schema-pin",
        "params",
        "a schema pin naming no known schema",
    ),
    code(
        "stale-schema-pin",
        "params",
        "a schema pin older than the current schema",
    ),
    code(
        "registry",
        "params",
        "a schema registry directory aoa cannot use",
    ),
    code(
        "file-outside-manifest",
        "params",
        "a schema file outside the manifest's directory tree",
    ),
    code(
        "unknown-app",
        "unknown-app",
        "an operation named an app the manifest does not have",
    ),
    code(
        "invalid-argument",
        "invalid-argument",
        "an argument of an operation is not acceptable",
    ),
    code(
        "invalid-label",
        "manifest",
        "a label key or value with a control or invisible formatting character",
    ),
    code(
        "env-spelling",
        "invalid-access",
        "an `env` label that differs only in case or punctuation from an environment a deny above it names",
    ),
    code(
        "not-kubernetes",
        "manifest",
        "an Argo CD repository document without `apiVersion` and `kind`",
    ),
    code(
        "unparsable-file",
        "manifest",
        "a repository file aoa cannot parse (placeholders, bad YAML): reported and skipped",
    ),
    code(
        "needs-rendering",
        "manifest",
        "a Helm chart template: reported and skipped until rendered",
    ),
    code(
        "invalid-wave",
        "manifest",
        "a sync-wave or hook-weight annotation that is not an integer (Argo CD uses 0)",
    ),
    code(
        "managing-cycle",
        "manifest",
        "Applications whose sources hold each other's files",
    ),
    code(
        "rbac-line",
        "manifest",
        "an RBAC policy line Argo CD refuses (wrong field count, bad CSV)",
    ),
    code(
        "rbac-regex",
        "manifest",
        "an RBAC regular expression that does not compile",
    ),
    code(
        "unsupported-generator",
        "manifest",
        "an ApplicationSet generator aoa does not expand",
    ),
    code(
        "project-denied",
        "manifest",
        "an Application's source or destination its AppProject does not permit",
    ),
    code(
        "project-wider",
        "manifest",
        "a child Application's AppProject wider than its parent's",
    ),
    code(
        "store",
        "store",
        "a state store that cannot be opened, read or written",
    ),
    code(
        "store-version",
        "store-version",
        "a state store written by a newer aoa",
    ),
    code(
        "lease-held",
        "lease-held",
        "a store lease held by someone else, or taken over",
    ),
    code(
        "privilege-gain",
        "gain-refused",
        "a permission a registry apply would give an app",
    ),
    code(
        "denied",
        "denied",
        "an app a rollout's subject may not deploy or roll back",
    ),
    code(
        "scope-not-allowed",
        "escalation",
        "a required scope that no ancestor's grants or ceilings allow",
    ),
];

/// Whether `name` is a code of [`CODES`].
pub fn is_code(name: &str) -> bool {
    CODES.iter().any(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::CODES;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        for (i, c) in CODES.iter().enumerate() {
            assert!(
                c.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                c.name
            );
            assert!(CODES[..i].iter().all(|o| o.name != c.name), "{}", c.name);
        }
    }
}
