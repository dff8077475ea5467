//! The real repositories of `../shared/fixtures/argocd/` load with the counts issue 14 gives, and a few exact
//! orders; bad inputs are findings with file and line.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::argocd::{self, Import, ImportOptions};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/argocd")
}

fn options(mounts: &[(&str, &str)]) -> ImportOptions {
    ImportOptions {
        mounts: mounts
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        ..ImportOptions::default()
    }
}

fn import(name: &str, mounts: &[(&str, &str)]) -> Import {
    argocd::import(&fixtures().join(name), &options(mounts)).unwrap()
}

fn children<'a>(import: &'a Import, parent: &str) -> Vec<&'a str> {
    let mut names: Vec<&str> = import
        .applications
        .iter()
        .filter(|a| a.parent.as_deref() == Some(parent))
        .map(|a| a.name.as_str())
        .collect();
    names.sort_unstable();
    names
}

#[test]
fn argoproj_deployments_root_19_applications_4_projects_and_rbac() {
    let i = import("argoproj-deployments", &[]);
    assert_eq!(i.counts.applications, 19);
    assert_eq!(i.counts.projects, 4);
    assert_eq!(i.counts.rbac_configs, 1);
    assert_eq!(i.counts.skipped, 0);
    let root = i
        .applications
        .iter()
        .find(|a| a.name == "sync-argoproj")
        .unwrap();
    assert!(root.self_managing && root.parent.is_none());
    assert_eq!(children(&i, "sync-argoproj").len(), 18);
    let projects: Vec<&str> = i.applications.iter().map(|a| a.project.as_str()).collect();
    assert_eq!(projects.iter().filter(|p| **p == "default").count(), 17);
    assert_eq!(projects.iter().filter(|p| **p == "sync").count(), 2);
    let rbac = &i.rbac[0];
    assert_eq!(rbac.default_role, "role:readonly");
    assert_eq!(rbac.keys, ["policy.csv", "policy.metrics-extensions.csv"]);
    assert_eq!(rbac.lines, 4);
    // aoa's extension: the children's `default` project is wider than the root's `sync` project.
    let wider = i
        .findings
        .iter()
        .filter(|d| d.code == "project-wider")
        .count();
    assert_eq!(wider, 17);
    assert!(i.findings.iter().all(|d| d.code == "project-wider"));
    // The manifest loads in aoa: the root and its children, no cycle.
    let m = aoa_core::Manifest::from_records(i.manifest["apps"].as_array().unwrap()).unwrap();
    assert_eq!(m.model().len(), 19);
}

#[test]
fn kubefirst_three_levels_82_applications_3_projects_placeholders_skipped() {
    let i = import(
        "konstructio-gitops-template",
        &[("registry/clusters/<CLUSTER_NAME>", "templates/mgmt")],
    );
    assert_eq!(i.counts.applications, 82);
    assert_eq!(i.counts.projects, 3);
    assert_eq!(i.counts.skipped, 1);
    assert!(
        i.skipped[0]
            .file
            .as_deref()
            .unwrap()
            .ends_with("templates/mgmt/components/argocd/argocd-ui-ingress.yaml")
    );
    assert!(i.skipped[0].message.contains("<PLACEHOLDER>"));
    let registry = i
        .applications
        .iter()
        .find(|a| a.name == "registry")
        .unwrap();
    assert!(registry.self_managing);
    assert_eq!(registry.wave, 1001);
    assert_eq!(children(&i, "registry").len(), 24);
    assert_eq!(children(&i, "vault-components"), ["vault"]);
    assert_eq!(
        children(&i, "argo-components"),
        ["argo", "argo-cwfts", "vault-wait"]
    );
    // Three levels: registry -> crossplane-components -> crossplane-system -> crossplane.
    let parent = |n: &str| {
        i.applications
            .iter()
            .find(|a| a.name == n)
            .and_then(|a| a.parent.clone())
    };
    assert_eq!(parent("crossplane").as_deref(), Some("crossplane-system"));
    assert_eq!(
        parent("crossplane-system").as_deref(),
        Some("crossplane-components")
    );
    assert_eq!(parent("crossplane-components").as_deref(), Some("registry"));
    let m = aoa_core::Manifest::from_records(i.manifest["apps"].as_array().unwrap()).unwrap();
    assert_eq!(m.model().len(), 82);
    // Without the mount, the template's paths name directories the tree does not have: every app is a root.
    let plain = import("konstructio-gitops-template", &[]);
    assert_eq!(plain.counts.applications, 82);
    assert!(children(&plain, "registry").is_empty());
}

#[test]
fn eks_blueprints_38_application_sets_and_47_templated_children() {
    let i = import("eks-blueprints-add-ons", &[]);
    assert_eq!(i.counts.application_sets, 38);
    assert_eq!(i.counts.applications, 0);
    let rendering: Vec<_> = i
        .skipped
        .iter()
        .filter(|d| d.code == "needs-rendering")
        .collect();
    assert_eq!(rendering.len(), 47);
    assert!(rendering.iter().all(|d| {
        d.message
            .contains("an Application templated by a Helm chart")
    }));
    // Cluster generators see no cluster secret here; merge generators are reported, not guessed.
    assert!(i.findings.iter().all(|d| d.code == "unsupported-generator"));
    assert!(!i.findings.is_empty());
}

#[test]
fn argocd_example_apps_rendered_applications_and_ordering_examples() {
    let i = import("argocd-example-apps", &[]);
    assert_eq!(i.counts.applications, 14);
    assert!(
        i.applications
            .iter()
            .all(|a| a.name.starts_with("example."))
    );
    assert_eq!(i.skipped.len(), 1);
    assert_eq!(i.skipped[0].code, "needs-rendering");
    let order = argocd::order_dir(
        &fixtures().join("argocd-example-apps"),
        &ImportOptions::default(),
    )
    .unwrap();
    let waves = order
        .syncs
        .iter()
        .find(|s| s.source == "sync-waves")
        .unwrap();
    let names: Vec<String> = waves
        .tasks
        .iter()
        .map(|t| format!("{:?}/{}/{}/{}", t.phase.unwrap(), t.wave, t.kind, t.name))
        .collect();
    assert_eq!(
        names,
        [
            "PreSync/0/Job/upgrade-sql-schema",
            "Sync/0/Service/backend",
            "Sync/0/ReplicaSet/backend",
            "Sync/1/Job/maint-page-up",
            "Sync/2/Service/frontend",
            "Sync/2/ReplicaSet/frontend",
            "Sync/3/Job/maint-page-down",
        ]
    );
    let hooks = order
        .syncs
        .iter()
        .find(|s| s.source == "helm-hooks")
        .unwrap();
    assert!(hooks.tasks.iter().any(|t| t.hook));
}

fn temp_repo(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "aoa-argocd-{}-{}",
        std::process::id(),
        files.len() * 31 + files[0].0.len()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const APP: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: NAME\nspec:\n  project: default\n  source:\n    repoURL: https://example.com/r.git\n    path: PATH\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: x\n";

fn app(name: &str, path: &str) -> String {
    APP.replace("NAME", name).replace("PATH", path)
}

#[test]
fn bad_inputs_are_findings_with_file_and_line() {
    let a = app("a", "b");
    let b = app("b", "a");
    let root = app("root", "root");
    let dir = temp_repo(&[
        ("a/app.yaml", &a),
        ("b/app.yaml", &b),
        ("root/app.yaml", &root),
        ("other/values.yaml", "replicas: 3\n"),
        (
            "other/noname.yaml",
            "---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  namespace: argocd\n",
        ),
        (
            "rbac/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-rbac-cm\ndata:\n  policy.matchMode: regex\n  policy.csv: |\n    p, alice, applications, get, */*\n    p, bob, applications, get, (, allow\n",
        ),
    ]);
    let i = argocd::import(&dir, &ImportOptions::default()).unwrap();
    let found = |code: &str| {
        i.findings
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code}: {:?}", i.findings))
            .clone()
    };
    let cycle = found("managing-cycle");
    assert_eq!(cycle.message, "Applications manage each other: a -> b -> a");
    assert!(cycle.file.unwrap().ends_with("a/app.yaml"));
    assert_eq!(cycle.line, Some(1));
    let r = i.applications.iter().find(|a| a.name == "root").unwrap();
    assert!(r.self_managing, "the self-managing root stays legal");
    assert!(i.findings.iter().all(|d| d.app.as_deref() != Some("root")));
    let k8s = found("not-kubernetes");
    assert!(k8s.file.unwrap().ends_with("other/values.yaml"));
    assert_eq!(k8s.line, Some(1));
    let name = found("missing-name");
    assert!(name.file.unwrap().ends_with("other/noname.yaml"));
    assert_eq!(name.line, Some(2));
    let line = found("rbac-line");
    assert!(line.file.unwrap().ends_with("rbac/cm.yaml"));
    assert_eq!(line.line, Some(8));
    let regex = found("rbac-regex");
    assert_eq!(regex.line, Some(9));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_application_holds_the_path_in_its_own_checkout_first() {
    let one = app("one", "apps");
    let two = app("two", "apps");
    let child_one = app("child-one", "x");
    let child_two = app("child-two", "x");
    let dir = temp_repo(&[
        ("c1/root.yaml", &one),
        ("c1/apps/child.yaml", &child_one),
        ("c2/root.yaml", &two),
        ("c2/apps/child.yaml", &child_two),
    ]);
    let i = argocd::import(&dir, &ImportOptions::default()).unwrap();
    assert_eq!(children(&i, "one"), ["child-one"]);
    assert_eq!(children(&i, "two"), ["child-two"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
