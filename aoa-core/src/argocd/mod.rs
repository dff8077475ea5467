//! Argo CD interop: read an Argo CD repository as it is (Applications, ApplicationSets, AppProjects,
//! `argocd-rbac-cm`), answer as Argo CD would where it defines the answer (sync order, RBAC verdicts, project
//! guardrails, RollingSync steps), and give back what it cannot: aoa's `depends_on` plan as sync waves.
//!
//! Sources: argoproj/gitops-engine `pkg/sync` (order), argoproj/argo-cd `util/rbac`, `assets/model.conf`,
//! `util/glob`, `pkg/apis/application/v1alpha1` (projects), `applicationset/` (generators, RollingSync).

pub mod applicationset;
pub mod documents;
pub mod export;
pub mod glob;
pub mod import;
pub mod order;
pub mod project;
pub mod rbac;

pub use applicationset::{
    AppSetSummary, IntOrPercent, MatchExpression, RollingSteps, max_update, rolling_steps,
};
pub use export::{Export, WaveAnnotation, export};
pub use import::{Application, Import, ImportOptions, Loaded, import, load};
pub use order::{Order, Phase, SyncOrder, Task, sort};
pub use project::{ProjectSpec, ProjectSummary};
pub use rbac::{Enforcer, MatchMode, Policy, Verdict};

use crate::diagnostic::Diagnostic;
use crate::error::Result;
use serde::Serialize;
use std::path::Path;

/// Argo CD's sync order of every Application of the repository `root`.
///
/// # Errors
/// [`crate::Error::Io`] when `root` is not a readable directory.
pub fn order_dir(root: &Path, options: &ImportOptions) -> Result<Order> {
    let loaded = load(root, options)?;
    Ok(order::order(&loaded))
}

/// `argocd admin settings rbac can SUBJECT ACTION RESOURCE OBJECT` with the repository's `argocd-rbac-cm`
/// (the first found; none: the built-in policy alone) and, for an object of a project the repository
/// defines, that AppProject's roles (as the API server enforces them).
///
/// # Errors
/// [`crate::Error::Io`] when `root` is given and is not a readable directory.
pub fn can(
    root: Option<&Path>,
    subject: &str,
    action: &str,
    resource: &str,
    object: &str,
) -> Result<Verdict> {
    let (resource, object) = rbac::normalize_request(resource, object);
    let repo = root
        .map(|r| documents::load(r, &crate::source::LoadOptions::default()))
        .transpose()?;
    let cm = repo
        .as_ref()
        .and_then(|r| r.objects.iter().find(|o| rbac::is_rbac_cm(o)));
    let (enforcer, _, _) = rbac::enforcer_of(cm, true);
    let runtime = repo.as_ref().and_then(|r| {
        let name = rbac::project_of(&resource, &object)?;
        let projects = project::summaries(r);
        let spec = &projects
            .iter()
            .find(|p| p.summary.name == name)?
            .summary
            .spec;
        let mut policy = Policy::new(enforcer.policy_mode());
        // An invalid project policy falls back to the enforcer's own (TestInvalidRuntimePolicy).
        policy
            .add(
                &spec.policies_string(name),
                &format!("<project {name}>"),
                None,
            )
            .is_empty()
            .then_some(policy)
    });
    Ok(enforcer.can(runtime.as_ref(), subject, &resource, action, &object))
}

/// What `argocd_projects` answers: every AppProject, every guardrail finding, every ApplicationSet's
/// RollingSync steps.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Projects {
    /// The AppProjects.
    pub projects: Vec<ProjectSummary>,
    /// `project-denied` and `project-wider` findings.
    pub findings: Vec<Diagnostic>,
    /// The ApplicationSets (with their RollingSync steps).
    pub application_sets: Vec<AppSetSummary>,
}

/// The AppProjects of the repository `root` and what their guardrails say about its Applications.
///
/// # Errors
/// [`crate::Error::Io`] when `root` is not a readable directory.
pub fn projects_dir(root: &Path, options: &ImportOptions) -> Result<Projects> {
    let loaded = load(root, options)?;
    let projects = project::summaries(&loaded.repo);
    let findings = project::check_applications(&loaded, &projects);
    Ok(Projects {
        projects: projects.into_iter().map(|p| p.summary).collect(),
        findings,
        application_sets: loaded.application_sets,
    })
}
