//! AppProject guardrails as Argo CD checks them (`pkg/apis/application/v1alpha1`: `IsSourcePermitted`,
//! `IsDestinationPermitted`, `IsGroupKindNamePermitted`, `ProjectPoliciesString`), and aoa's extension: a
//! child Application whose project is wider than its parent's.

use super::documents::{Object, Repository};
use super::glob::{Dialect, Glob};
use super::import::{Application, Loaded, is_argo};
use crate::diagnostic::Diagnostic;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A destination pattern of a project (or an Application's destination).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct DestinationPattern {
    /// `server`.
    #[serde(default)]
    pub server: String,
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `namespace`.
    #[serde(default)]
    pub namespace: String,
}

/// A group/kind (and, for cluster resources, name) pattern of a resource list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct GroupKind {
    /// `group` (`""`: the core group).
    #[serde(default)]
    pub group: String,
    /// `kind`.
    #[serde(default)]
    pub kind: String,
    /// `name` (cluster resources only; empty: any).
    #[serde(default)]
    pub name: String,
}

/// A project role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Role {
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `policies` (full `p, ...` lines).
    #[serde(default)]
    pub policies: Vec<String>,
    /// `groups`.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// The parts of an AppProject spec Argo CD's guardrails read. A resource list that is absent (`None`)
/// differs from an empty one: an absent namespace whitelist allows every namespaced kind, an empty one none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProjectSpec {
    /// `sourceRepos`.
    #[serde(default)]
    pub source_repos: Vec<String>,
    /// `destinations`.
    #[serde(default)]
    pub destinations: Vec<DestinationPattern>,
    /// `clusterResourceWhitelist`.
    #[serde(default)]
    pub cluster_resource_whitelist: Option<Vec<GroupKind>>,
    /// `clusterResourceBlacklist`.
    #[serde(default)]
    pub cluster_resource_blacklist: Option<Vec<GroupKind>>,
    /// `namespaceResourceWhitelist`.
    #[serde(default)]
    pub namespace_resource_whitelist: Option<Vec<GroupKind>>,
    /// `namespaceResourceBlacklist`.
    #[serde(default)]
    pub namespace_resource_blacklist: Option<Vec<GroupKind>>,
    /// `roles`.
    #[serde(default)]
    pub roles: Vec<Role>,
}

fn is_deny(pattern: &str) -> bool {
    pattern.starts_with('!')
}

/// Argo's `globMatch` (gobwas, `!` negation allowed, `*` alone matches anything).
fn glob_match(pattern: &str, value: &str, separator: Option<char>) -> bool {
    if let Some(negated) = pattern.strip_prefix('!') {
        return !Glob::compile(negated, Dialect::Gobwas, separator).is_ok_and(|g| g.matches(value));
    }
    if pattern == "*" {
        return true;
    }
    Glob::compile(pattern, Dialect::Gobwas, separator).is_ok_and(|g| g.matches(value))
}

/// Go's `filepath.Match` as Argo uses it (an error is no match).
fn path_match(pattern: &str, value: &str) -> bool {
    Glob::compile(pattern, Dialect::Filepath, Some('/')).is_ok_and(|g| g.matches(value))
}

/// Argo's `git.NormalizeGitURL`: lower case, trimmed, `user@host:path` to `host/path` form, `.git` removed;
/// a URL Go's `url.Parse` refuses (a port that is not a number) normalizes to the empty string.
pub fn normalize_git_url(repo: &str) -> String {
    let mut repo = repo.trim().to_lowercase();
    let ssh = {
        let rest = repo.strip_prefix("ssh://").unwrap_or(&repo);
        rest.split_once('@').is_some_and(|(user, after)| {
            !user.contains(['/', ':']) && !after.contains('@') && !after.is_empty()
        })
    };
    if ssh && !repo.starts_with("ssh://") {
        repo = format!("ssh://{}", repo.replacen(':', "/", 1));
    }
    let repo = repo.strip_suffix(".git").unwrap_or(&repo).to_string();
    if let Some((_, rest)) = repo.split_once("://") {
        let authority = rest.split('/').next().unwrap_or("");
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if let Some((_, port)) = host.rsplit_once(':')
            && !host.ends_with(']')
            && !port.bytes().all(|b| b.is_ascii_digit())
        {
            return String::new();
        }
    }
    repo.strip_prefix("ssh://").unwrap_or(&repo).to_string()
}

impl ProjectSpec {
    /// Reads a spec from an AppProject's `spec` (unknown fields ignored; a malformed one reads as empty).
    pub fn from_value(spec: Option<&Value>) -> ProjectSpec {
        spec.and_then(|s| serde_json::from_value(s.clone()).ok())
            .unwrap_or_default()
    }

    /// Argo CD's `default` project as it creates it: any repository, any destination, any cluster resource.
    pub fn argo_default() -> ProjectSpec {
        ProjectSpec {
            source_repos: vec!["*".into()],
            destinations: vec![DestinationPattern {
                server: "*".into(),
                name: String::new(),
                namespace: "*".into(),
            }],
            cluster_resource_whitelist: Some(vec![GroupKind {
                group: "*".into(),
                kind: "*".into(),
                name: String::new(),
            }]),
            ..ProjectSpec::default()
        }
    }

    /// `IsSourcePermitted`.
    pub fn is_source_permitted(&self, repo_url: &str) -> bool {
        let source = normalize_git_url(repo_url);
        let mut any = false;
        for pattern in &self.source_repos {
            let normalized = match pattern.strip_prefix('!') {
                Some(p) => format!("!{}", normalize_git_url(p)),
                None => normalize_git_url(pattern),
            };
            if glob_match(&normalized, &source, Some('/')) {
                any = true;
            } else if is_deny(&normalized) {
                return false;
            }
        }
        any
    }

    /// `isDestinationMatched` (for a destination named by server, name or both).
    pub fn is_destination_permitted(&self, dest: &DestinationPattern) -> bool {
        let mut any = false;
        for item in &self.destinations {
            let name = !dest.name.is_empty() && glob_match(&item.name, &dest.name, None);
            let server = !dest.server.is_empty() && glob_match(&item.server, &dest.server, None);
            let namespace = glob_match(&item.namespace, &dest.namespace, None);
            if (server || name) && namespace {
                any = true;
            } else if (!name && is_deny(&item.name))
                || (!server && is_deny(&item.server) && namespace)
                || (!namespace && is_deny(&item.namespace) && server)
            {
                return false;
            }
        }
        any
    }

    /// `IsGroupKindNamePermitted`.
    pub fn is_group_kind_permitted(
        &self,
        group: &str,
        kind: &str,
        name: &str,
        namespaced: bool,
    ) -> bool {
        let in_list = |list: &[GroupKind], named: bool| {
            list.iter().any(|item| {
                path_match(&item.kind, kind)
                    && path_match(&item.group, group)
                    && (!named || item.name.is_empty() || path_match(&item.name, name))
            })
        };
        if namespaced {
            let white = match &self.namespace_resource_whitelist {
                None => true,
                Some(list) => !list.is_empty() && in_list(list, false),
            };
            let black = self
                .namespace_resource_blacklist
                .as_deref()
                .is_some_and(|l| !l.is_empty() && in_list(l, false));
            return white && !black;
        }
        let white = self
            .cluster_resource_whitelist
            .as_deref()
            .is_some_and(|l| !l.is_empty() && in_list(l, true));
        let black = self
            .cluster_resource_blacklist
            .as_deref()
            .is_some_and(|l| !l.is_empty() && in_list(l, true));
        white && !black
    }

    /// `ProjectPoliciesString`: per role, its implicit `projects get` line, its policies, its groups.
    pub fn policies_string(&self, project: &str) -> String {
        let mut lines = Vec::new();
        for role in &self.roles {
            lines.push(format!(
                "p, proj:{project}:{}, projects, get, {project}, allow",
                role.name
            ));
            lines.extend(role.policies.iter().cloned());
            lines.extend(
                role.groups
                    .iter()
                    .map(|g| format!("g, {g}, proj:{project}:{}", role.name)),
            );
        }
        lines.join("\n")
    }

    /// How `self` (a child's project) is wider than `parent`: each difference in words.
    pub fn wider_than(&self, parent: &ProjectSpec) -> Vec<String> {
        let mut out = Vec::new();
        for d in &self.destinations {
            let covered = parent.destinations.iter().any(|p| {
                !is_deny(&p.namespace)
                    && ((!d.server.is_empty() && glob_match(&p.server, &d.server, None))
                        || (!d.name.is_empty() && glob_match(&p.name, &d.name, None)))
                    && glob_match(&p.namespace, &d.namespace, None)
            });
            if !covered {
                let target = if d.server.is_empty() {
                    &d.name
                } else {
                    &d.server
                };
                out.push(format!("destination {target} namespace {}", d.namespace));
            }
        }
        for repo in &self.source_repos {
            if !is_deny(repo)
                && !parent
                    .source_repos
                    .iter()
                    .any(|p| glob_match(p, repo, Some('/')))
            {
                out.push(format!("source repository {repo}"));
            }
        }
        let covered =
            |list: &Option<Vec<GroupKind>>, gk: &GroupKind, absent_allows: bool| match list {
                None => absent_allows,
                Some(list) => list
                    .iter()
                    .any(|p| path_match(&p.group, &gk.group) && path_match(&p.kind, &gk.kind)),
            };
        for gk in self.cluster_resource_whitelist.iter().flatten() {
            if !covered(&parent.cluster_resource_whitelist, gk, false) {
                out.push(format!("cluster resource {}/{}", gk.group, gk.kind));
            }
        }
        match (
            &self.namespace_resource_whitelist,
            &parent.namespace_resource_whitelist,
        ) {
            (None, Some(_)) => out.push("every namespaced resource kind".into()),
            (Some(list), _) => {
                for gk in list {
                    if !covered(&parent.namespace_resource_whitelist, gk, true) {
                        out.push(format!("namespaced resource {}/{}", gk.group, gk.kind));
                    }
                }
            }
            (None, None) => {}
        }
        for role in &self.roles {
            if !parent.roles.iter().any(|r| r.name == role.name) {
                out.push(format!("role {}", role.name));
            }
        }
        out
    }
}

/// What an import reports about one AppProject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct ProjectSummary {
    /// `metadata.name`.
    pub name: String,
    /// The file.
    pub file: String,
    /// The line its document starts at.
    pub line: usize,
    /// The spec.
    pub spec: ProjectSpec,
}

/// One AppProject of a repository.
#[derive(Debug, Clone)]
pub struct Project {
    /// What the import reports.
    pub summary: ProjectSummary,
}

/// Every AppProject of a repository.
pub fn summaries(repo: &Repository) -> Vec<Project> {
    repo.objects
        .iter()
        .filter(|o| is_argo(o, "AppProject"))
        .map(|o: &Object| Project {
            summary: ProjectSummary {
                name: o.name.clone(),
                file: o.file.clone(),
                line: o.line,
                spec: ProjectSpec::from_value(o.value.get("spec")),
            },
        })
        .collect()
}

/// The spec of project `name`: the repository's, else Argo's implicit `default`; `None` for another project
/// the repository does not define.
pub fn spec_of<'p>(
    projects: &'p [Project],
    name: &str,
    default: &'p ProjectSpec,
) -> Option<&'p ProjectSpec> {
    projects
        .iter()
        .find(|p| p.summary.name == name)
        .map(|p| &p.summary.spec)
        .or_else(|| (name == "default").then_some(default))
}

/// The local cluster's server.
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";

/// A destination with its cluster resolved as Argo does before checking a project: the local cluster is
/// both `in-cluster` and `https://kubernetes.default.svc`.
pub fn resolve_cluster(mut dest: DestinationPattern) -> DestinationPattern {
    if dest.server.is_empty() && dest.name == "in-cluster" {
        dest.server = IN_CLUSTER_SERVER.into();
    } else if dest.name.is_empty() && dest.server == IN_CLUSTER_SERVER {
        dest.name = "in-cluster".into();
    }
    dest
}

/// Every Application's guardrail findings: a source or destination its project does not permit
/// (`project-denied`), and a project wider than its parent's (`project-wider`).
pub fn check_applications(loaded: &Loaded, projects: &[Project]) -> Vec<Diagnostic> {
    let default = ProjectSpec::argo_default();
    let by_id: BTreeMap<&str, &Application> = loaded
        .applications
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut findings = Vec::new();
    for app in &loaded.applications {
        let at = |d: Diagnostic| d.at(&app.file, Some((app.line, 1))).with_app(&app.name);
        let Some(spec) = spec_of(projects, &app.project, &default) else {
            continue;
        };
        for source in &app.sources {
            if !spec.is_source_permitted(&source.repo_url) {
                findings.push(at(Diagnostic::new(
                    "project-denied",
                    format!(
                        "project `{}` does not permit the source repository `{}`",
                        app.project, source.repo_url
                    ),
                )
                .with_hint(
                    "add it to the project's `sourceRepos`, or use another project",
                )));
            }
        }
        let dest = resolve_cluster(DestinationPattern {
            server: app.destination.server.clone(),
            name: app.destination.name.clone(),
            namespace: app.destination.namespace.clone(),
        });
        if !spec.is_destination_permitted(&dest) {
            findings.push(at(Diagnostic::new(
                "project-denied",
                format!(
                    "project `{}` does not permit the destination {} namespace `{}`",
                    app.project,
                    if dest.server.is_empty() {
                        &dest.name
                    } else {
                        &dest.server
                    },
                    dest.namespace
                ),
            )
            .with_hint(
                "add it to the project's `destinations`, or use another project",
            )));
        }
        let Some(parent) = app.parent.as_deref().and_then(|p| by_id.get(p)) else {
            continue;
        };
        if parent.project == app.project {
            continue;
        }
        let Some(parent_spec) = spec_of(projects, &parent.project, &default) else {
            continue;
        };
        let wider = spec.wider_than(parent_spec);
        if !wider.is_empty() {
            findings.push(at(Diagnostic::new(
                "project-wider",
                format!(
                    "project `{}` of `{}` is wider than project `{}` of its parent `{}`: {}",
                    app.project,
                    app.name,
                    parent.project,
                    parent.name,
                    wider.join(", ")
                ),
            )
            .with_hint("a child's project should not allow more than its parent's; narrow it, or give the parent the same project")));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_normalize_like_argo() {
        assert_eq!(
            normalize_git_url("https://GitHub.com/a/b.git"),
            "https://github.com/a/b"
        );
        assert_eq!(
            normalize_git_url("git@github.com:a/b.git"),
            "git@github.com/a/b"
        );
        assert_eq!(normalize_git_url("ssh://git@github.com:argoproj/test"), "");
    }
}
