//! Argo CD's sync order (gitops-engine `pkg/sync`): phase, then wave, then kind, then name; namespaces and
//! CRDs moved before the first task that needs them; prune tasks' waves mirrored and `PruneLast` moved
//! after the last wave.

use super::documents::Object;
use super::import::Loaded;
use crate::diagnostic::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The sync-wave annotation.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// Argo CD's hook annotation.
pub const HOOK: &str = "argocd.argoproj.io/hook";
/// Helm's hook annotation (used when no Argo CD hook is set).
pub const HELM_HOOK: &str = "helm.sh/hook";
/// Helm's hook weight (the wave when no sync-wave is set).
pub const HELM_HOOK_WEIGHT: &str = "helm.sh/hook-weight";
/// Argo CD's sync options annotation (`PruneLast=true`).
pub const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";

/// A sync phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub enum Phase {
    /// Before the sync.
    PreSync,
    /// The sync.
    Sync,
    /// After a successful sync.
    PostSync,
    /// After a failed sync.
    SyncFail,
}

impl Phase {
    /// Argo's `syncPhaseOrder` (an unset phase sorts as 0, like `Sync`).
    fn rank(phase: Option<Phase>) -> i32 {
        match phase {
            Some(Phase::PreSync) => -1,
            Some(Phase::Sync) | None => 0,
            Some(Phase::PostSync) => 1,
            Some(Phase::SyncFail) => 2,
        }
    }

    /// The phase a hook type names (`Skip`, `PostDelete` and unknown types name none).
    pub fn parse(text: &str) -> Option<Phase> {
        match text {
            "PreSync" => Some(Phase::PreSync),
            "Sync" => Some(Phase::Sync),
            "PostSync" => Some(Phase::PostSync),
            "SyncFail" => Some(Phase::SyncFail),
            _ => None,
        }
    }
}

/// The kinds Argo CD orders within a wave (Helm's install order); every other kind sorts after them.
pub const KIND_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// Argo's `kindOrder`: a known kind's index minus the list's length (all negative); 0 for any other kind.
pub fn kind_order(kind: &str) -> i64 {
    KIND_ORDER
        .iter()
        .position(|k| *k == kind)
        .map_or(0, |i| i as i64 - KIND_ORDER.len() as i64)
}

/// One sync task: a resource (or hook) in one phase.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Task {
    /// The phase (`None`: not set, sorts like `Sync`).
    #[serde(default)]
    pub phase: Option<Phase>,
    /// The wave (after prune and dependency adjustments, once sorted).
    #[serde(default)]
    pub wave: i64,
    /// `kind`.
    #[serde(default)]
    pub kind: String,
    /// The API group.
    #[serde(default)]
    pub group: String,
    /// `metadata.name` (a hook's `generateName` when it has no name).
    #[serde(default)]
    pub name: String,
    /// `metadata.namespace`.
    #[serde(default)]
    pub namespace: String,
    /// Whether it is a hook.
    #[serde(default)]
    pub hook: bool,
    /// Whether it is a prune (a live object no longer in the repository).
    #[serde(default)]
    pub prune: bool,
    /// `PruneLast=true` in its sync options.
    #[serde(default)]
    pub prune_last: bool,
    /// For a CustomResourceDefinition: the `group/kind` it defines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defines: Option<String>,
    /// The file it is written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line its document starts at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Task {
    /// The key Argo sorts by, then fields that make the order total (Go's sort is not stable; aoa breaks
    /// Argo's ties by namespace, group, file and line, then every other field, so the order never depends on the
    /// input's).
    fn key(&self) -> (i32, i64, i64, &str, &str, &str, &str, usize, bool) {
        (
            Phase::rank(self.phase),
            self.wave,
            kind_order(&self.kind),
            &self.name,
            &self.namespace,
            &self.group,
            self.file.as_deref().unwrap_or(""),
            self.line.unwrap_or(0),
            self.prune,
        )
    }
}

/// Go's `strconv.Atoi` (base 10, optional sign, 64 bits).
pub fn atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// An object's wave as Argo reads it: the sync-wave annotation if `Atoi` parses it, else the Helm hook
/// weight if it parses, else 0; with a warning when an annotation is set but does not parse (Argo silently
/// uses the fallback).
pub fn sync_wave(object: &Object) -> (i64, Option<Diagnostic>) {
    let mut warning = None;
    for key in [SYNC_WAVE, HELM_HOOK_WEIGHT] {
        if let Some(text) = object.annotation(key) {
            match atoi(&text) {
                Some(wave) => return (wave, warning),
                None => {
                    warning.get_or_insert_with(|| {
                        Diagnostic::new(
                            "invalid-wave",
                            format!(
                                "`{key}: {text}` is not an integer; Argo CD silently treats it as {}",
                                if key == SYNC_WAVE { "unset" } else { "0" }
                            ),
                        )
                        .at(&object.file, Some((object.line, 1)))
                        .with_app(&object.name)
                        .with_hint("write a whole number, such as \"5\" or \"-1\"")
                    });
                }
            }
        }
    }
    (0, warning)
}

/// The comma-separated values of an annotation, trimmed, without empties and duplicates.
fn csv_values(object: &Object, key: &str) -> Vec<String> {
    let mut values: Vec<String> = object
        .annotation(key)
        .unwrap_or_default()
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    values.sort();
    values.dedup();
    values
}

/// The phases an object syncs in (`hook.Types`, `syncPhases`): none for `Skip` alone, its hook phases for a
/// hook (Argo's annotation first, Helm's `pre-*`/`post-*` otherwise), else `Sync`; and whether it is a hook.
pub fn phases(object: &Object) -> (Vec<Phase>, bool) {
    let argo = csv_values(object, HOOK);
    let has_argo = object.annotation(HOOK).is_some();
    let helm: Vec<Phase> = csv_values(object, HELM_HOOK)
        .iter()
        .filter_map(|t| match t.as_str() {
            "pre-install" | "pre-upgrade" => Some(Phase::PreSync),
            "post-install" | "post-upgrade" => Some(Phase::PostSync),
            _ => None,
        })
        .collect();
    let argo_types: Vec<&str> = argo
        .iter()
        .map(String::as_str)
        .filter(|t| {
            matches!(
                *t,
                "PreSync" | "Sync" | "PostSync" | "SyncFail" | "Skip" | "PostDelete"
            )
        })
        .collect();
    if argo_types == ["Skip"] {
        return (Vec::new(), false);
    }
    let is_hook = if has_argo {
        true
    } else {
        object
            .annotation(HELM_HOOK)
            .is_some_and(|v| v != "crd-install")
    };
    if !is_hook {
        return (vec![Phase::Sync], false);
    }
    let mut out: Vec<Phase> = if argo_types.is_empty() {
        helm
    } else {
        argo_types.iter().filter_map(|t| Phase::parse(t)).collect()
    };
    out.sort();
    out.dedup();
    (out, true)
}

/// The sync tasks of one object (one per phase it syncs in).
pub fn tasks_of(object: &Object) -> Vec<Task> {
    let (wave, _) = sync_wave(object);
    let (phases, hook) = phases(object);
    let defines = (object.kind == "CustomResourceDefinition"
        && object.group == "apiextensions.k8s.io")
        .then(|| {
            let spec = object.value.get("spec")?;
            let group = spec.get("group")?.as_str()?;
            let kind = spec.pointer("/names/kind")?.as_str()?;
            Some(format!("{group}/{kind}"))
        })
        .flatten();
    let prune_last = csv_values(object, SYNC_OPTIONS)
        .iter()
        .any(|v| v == "PruneLast=true");
    phases
        .into_iter()
        .map(|phase| Task {
            phase: Some(phase),
            wave,
            kind: object.kind.clone(),
            group: object.group.clone(),
            name: object.name.clone(),
            namespace: object.namespace.clone(),
            hook,
            prune: false,
            prune_last,
            defines: defines.clone(),
            file: Some(object.file.clone()),
            line: Some(object.line),
        })
        .collect()
}

/// Sorts tasks exactly as Argo CD syncs them (`syncContext.getSyncTasks` and `syncTasks.Sort`): prune waves
/// mirrored over the distinct prune waves, prune-last tasks (all prunes with `prune_last`, or those marked)
/// moved to the last `Sync` wave + 1, then phase, wave, kind order and name, then namespaces moved before the
/// first task in them and CRDs before the first of their resources (taking that task's phase and wave).
pub fn sort(mut tasks: Vec<Task>, prune_last: bool) -> Vec<Task> {
    let mut prune_waves: Vec<i64> = tasks.iter().filter(|t| t.prune).map(|t| t.wave).collect();
    prune_waves.sort_unstable();
    prune_waves.dedup();
    let n = prune_waves.len();
    let mirror: BTreeMap<i64, i64> = prune_waves
        .iter()
        .enumerate()
        .map(|(i, &w)| (w, prune_waves[n - 1 - i]))
        .collect();
    for task in tasks.iter_mut().filter(|t| t.prune) {
        task.wave = mirror.get(&task.wave).copied().unwrap_or(task.wave);
    }
    let last = tasks
        .iter()
        .filter(|t| t.phase == Some(Phase::Sync))
        .map(|t| t.wave)
        .fold(0, i64::max)
        + 1;
    for task in tasks
        .iter_mut()
        .filter(|t| t.prune && (prune_last || t.prune_last))
    {
        task.wave = last;
    }
    tasks.sort_by(|a, b| a.key().cmp(&b.key()).then_with(|| a.cmp(b)));
    adjust(
        &mut tasks,
        |t| (t.kind == "Namespace" && t.group.is_empty()).then(|| t.name.clone()),
        |t| (!t.namespace.is_empty()).then(|| t.namespace.clone()),
    );
    adjust(
        &mut tasks,
        |t| t.defines.clone(),
        |t| Some(format!("{}/{}", t.group, t.kind)),
    );
    tasks
}

/// Argo's `syncTasks.multiStep` over sorted tasks: the first and last differ in wave or phase.
pub fn multi_step(tasks: &[Task]) -> bool {
    match (tasks.first(), tasks.last()) {
        (Some(a), Some(b)) => a.wave != b.wave || a.phase != b.phase,
        _ => false,
    }
}

/// Argo's `adjustDeps`: a dependency found after the first task referring to it moves just before that
/// task and takes its phase and wave.
fn adjust(
    tasks: &mut [Task],
    is_dep: impl Fn(&Task) -> Option<String>,
    refers: impl Fn(&Task) -> Option<String>,
) {
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..tasks.len() {
        if tasks[i].prune {
            continue;
        }
        if let Some(key) = is_dep(&tasks[i]) {
            if let Some(&index) = first.get(&key) {
                tasks[i].wave = tasks[index].wave;
                tasks[i].phase = tasks[index].phase;
                tasks[index..=i].rotate_right(1);
                for at in first.values_mut() {
                    if *at >= index {
                        *at += 1;
                    }
                }
            }
        } else if let Some(key) = refers(&tasks[i]) {
            first.entry(key).or_insert(i);
        }
    }
}

/// One sync: the tasks of the objects one Application's source holds (or of one directory no Application
/// holds), in Argo CD's order.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct SyncOrder {
    /// The Application whose sync this is (`None`: a directory no Application of the repository holds).
    pub app: Option<String>,
    /// The directory (for an unheld one), or the Application's source path.
    pub source: String,
    /// The tasks, in order.
    pub tasks: Vec<Task>,
}

/// What `argocd_order` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Order {
    /// Every sync, Applications first (by name), then unheld directories (by path).
    pub syncs: Vec<SyncOrder>,
    /// Unparsable waves and the like.
    pub findings: Vec<Diagnostic>,
}

/// Argo CD's sync order of every Application of a loaded repository.
pub fn order(loaded: &Loaded) -> Order {
    let mut by_app: BTreeMap<&str, Vec<Task>> = BTreeMap::new();
    let mut by_dir: BTreeMap<&str, Vec<Task>> = BTreeMap::new();
    let mut findings = Vec::new();
    for (object, holder) in loaded.repo.objects.iter().zip(&loaded.holder) {
        if object.kind == "Kustomization" {
            continue;
        }
        if let (_, Some(warning)) = sync_wave(object) {
            findings.push(warning);
        }
        let tasks = tasks_of(object);
        match holder {
            Some(app) => by_app
                .entry(&loaded.applications[*app].id)
                .or_default()
                .extend(tasks),
            None => by_dir.entry(object.dir()).or_default().extend(tasks),
        }
    }
    let sources: BTreeMap<&str, String> = loaded
        .applications
        .iter()
        .map(|a| {
            let path = a.sources.iter().find_map(|s| s.path.clone());
            (a.id.as_str(), path.unwrap_or_default())
        })
        .collect();
    let source_of = |id: &str| sources.get(id).cloned().unwrap_or_default();
    let mut syncs: Vec<SyncOrder> = by_app
        .into_iter()
        .map(|(app, tasks)| SyncOrder {
            app: Some(app.to_string()),
            source: source_of(app),
            tasks: sort(tasks, false),
        })
        .collect();
    syncs.extend(by_dir.into_iter().map(|(dir, tasks)| SyncOrder {
        app: None,
        source: if dir.is_empty() {
            ".".into()
        } else {
            dir.to_string()
        },
        tasks: sort(tasks, false),
    }));
    Order { syncs, findings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_is_go_strconv() {
        assert_eq!(atoi("5"), Some(5));
        assert_eq!(atoi("+5"), Some(5));
        assert_eq!(atoi("-12"), Some(-12));
        assert_eq!(atoi(" 5"), None);
        assert_eq!(atoi("5.0"), None);
        assert_eq!(atoi(""), None);
        assert_eq!(atoi("1_000"), None);
        assert_eq!(atoi("99999999999999999999"), None);
    }

    #[test]
    fn kind_order_matches_argo() {
        assert_eq!(kind_order("Namespace"), -35);
        assert_eq!(kind_order("APIService"), -1);
        assert_eq!(kind_order("Application"), 0);
    }
}
