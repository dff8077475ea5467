//! The access index: every grant, deny, identity need and ceiling of a manifest in flat, id-based arrays
//! (interned actions, subjects and environments; subtree intervals for "at or below"), built once.

#![expect(
    clippy::cast_possible_truncation,
    reason = "app ids, rule, subject and action indexes are u32: the manifest builder rejects more than u32::MAX - 1 apps, and each index is bounded by the manifest's size"
)]

use super::escalation;
use super::parse::{self, Effect, RuleDecl};
use super::pattern::is_glob;
use super::roles::Roles;
use super::subject::SubjectKind;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Location;
use crate::diagnostic::capped;
use crate::error::{Error, Result};
use crate::manifest::{AppId, Model};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::OnceLock;

/// Marks "none" in the index's id arrays.
pub(crate) const NONE: u32 = u32::MAX;

/// One grant, deny or identity need, as the index holds it (roles expanded).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Rule {
    /// Whether it allows (`grant`, `identity`) or forbids (`deny`).
    pub effect: Effect,
    /// Who it is about (`user:alice`, `group:ops`, `app:payments/api`).
    pub subject: String,
    /// The app it is declared on.
    pub app: String,
    /// The role it names, if any.
    pub role: Option<String>,
    /// Its action patterns, roles expanded, sorted.
    pub actions: Vec<String>,
    /// The environments it is restricted to (empty: every environment).
    pub env: Vec<String>,
    /// Whether it applies to the app's descendants too.
    pub propagate: bool,
    #[serde(skip)]
    pub(crate) app_id: AppId,
    #[serde(skip)]
    pub(crate) kind: SubjectKind,
    #[serde(skip)]
    pub(crate) suffix: String,
}

/// A rule as the hot path scans it: 20 bytes, all ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hot {
    /// Applies to apps whose preorder number is in `lo..hi` (the subtree, or only the app).
    pub lo: u32,
    pub hi: u32,
    /// The end of the declaring app's subtree (`hi` unless the rule does not propagate).
    pub end: u32,
    /// The action set.
    pub set: u32,
    /// The environment set it is restricted to, or [`NONE`].
    pub env: u32,
    /// The rule's index in [`AccessIndex::rules`].
    pub rule: u32,
}

/// A ceiling on the chain from an app to the root; nodes form a tree mirroring the apps that have one.
#[derive(Debug)]
pub(crate) struct CeilingNode {
    pub parent: u32,
    pub app: AppId,
    pub set: u32,
}

/// Interned strings: name to id and back.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    pub names: Vec<String>,
    pub ids: FxHashMap<String, u32>,
}

impl Interner {
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }
}

/// The permission model of a manifest, indexed for sub-microsecond checks.
#[derive(Debug, Default)]
pub struct AccessIndex {
    /// Preorder number and interned `env` label ([`NONE`] if none) of each app, side by side: the two
    /// things a check reads about its app.
    pub(crate) place: Vec<[u32; 2]>,
    /// The end of each app's subtree range in preorder.
    pub(crate) tout: Vec<u32>,
    /// Open-addressing table of app ids by name hash (`NONE` = empty), for name lookups in one probe.
    pub(crate) name_slots: Vec<u32>,
    /// The app at each preorder number.
    pub(crate) order: Vec<u32>,
    pub(crate) envs: Interner,
    pub(crate) env_sets: Vec<Vec<u32>>,
    /// The concrete actions written anywhere in the manifest.
    pub(crate) actions: Interner,
    /// Bitset words per action set.
    pub(crate) words: usize,
    /// Each action set's patterns, and its bitset over [`Self::actions`] (`words` words per set).
    pub(crate) sets: Vec<Vec<String>>,
    pub(crate) set_bits: Vec<u64>,
    /// Each app's nearest ceiling node, or [`NONE`]; and the nodes' cumulative bitsets.
    pub(crate) ceiling_of: Vec<u32>,
    pub(crate) ceilings: Vec<CeilingNode>,
    pub(crate) ceiling_bits: Vec<u64>,
    /// Subjects by kind and id.
    pub(crate) subjects: Vec<String>,
    pub(crate) subject_ids: [FxHashMap<String, u32>; 3],
    /// Every rule, in declaration order.
    pub(crate) rules: Vec<Rule>,
    pub(crate) declared: Vec<OnceLock<Location>>,
    /// Per subject: where its rules start in [`Self::hot`] and where its denies end and its allows
    /// (grants, identity needs) begin; they end where the next subject's start.
    pub(crate) hot_start: Vec<[u32; 2]>,
    pub(crate) hot: Vec<Hot>,
    /// Per declaring app (CSR): its rules.
    pub(crate) app_start: Vec<u32>,
    pub(crate) app_rules: Vec<u32>,
    /// Per rule: its subject and hot entry.
    pub(crate) rule_subject: Vec<u32>,
    pub(crate) rule_hot: Vec<Hot>,
    /// Every secret use (`secrets.use`), app by app.
    pub(crate) uses: Vec<super::secret_decl::SecretUse>,
}

/// What building an index found.
pub(crate) struct Built {
    pub index: AccessIndex,
    pub invalid: Vec<Diagnostic>,
    pub escalations: Vec<Diagnostic>,
}

impl Built {
    /// The index, or the first kind of problem found (invalid sections before escalations).
    pub(crate) fn into_result(self) -> Result<AccessIndex> {
        if !self.invalid.is_empty() {
            return Err(Error::InvalidAccess {
                diagnostics: capped(self.invalid),
            });
        }
        if !self.escalations.is_empty() {
            return Err(Error::Escalation {
                diagnostics: capped(self.escalations),
            });
        }
        Ok(self.index)
    }
}

/// The action sets already built, and what each pattern matches among the written actions: a concrete
/// action is looked up, a `prefix*` glob is a range of the sorted actions, any other glob is matched
/// against every action once and remembered. Building the sets is then linear in their patterns (plus the
/// actions each matches), not sets times actions.
struct SetIds {
    ids: FxHashMap<Vec<String>, u32>,
    /// Action ids sorted by name.
    sorted: Vec<u32>,
    globs: FxHashMap<String, Vec<u32>>,
}

impl SetIds {
    fn new(actions: &[String]) -> Self {
        let mut sorted: Vec<u32> = (0..actions.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| actions[a as usize].cmp(&actions[b as usize]));
        SetIds {
            ids: FxHashMap::default(),
            sorted,
            globs: FxHashMap::default(),
        }
    }

    /// The ids of the written actions `pattern` matches.
    fn matches(&mut self, actions: &Interner, pattern: &str) -> Vec<u32> {
        if !is_glob(pattern) {
            return actions.get(pattern).into_iter().collect();
        }
        if let Some(prefix) = pattern.strip_suffix('*').filter(|p| !is_glob(p)) {
            let name = |id: &u32| actions.names[*id as usize].as_str();
            let from = self.sorted.partition_point(|id| name(id) < prefix);
            let to = from + self.sorted[from..].partition_point(|id| name(id).starts_with(prefix));
            return self.sorted[from..to].to_vec();
        }
        self.globs
            .entry(pattern.to_string())
            .or_insert_with(|| {
                (0..actions.names.len() as u32)
                    .filter(|&a| super::pattern::glob_matches(pattern, &actions.names[a as usize]))
                    .collect()
            })
            .clone()
    }
}

/// The most distinct concrete actions (not globs) a manifest may name: every action set holds a bitset over
/// them, so their number times the number of sets is the index's size.
pub const MAX_DISTINCT_ACTIONS: usize = 4096;

/// The problem of a manifest naming more than [`MAX_DISTINCT_ACTIONS`] actions, at the first rule that names
/// one past the limit (else at the first app: a ceiling or role named it).
fn too_many_actions(m: &Model, ix: &AccessIndex, rules: &[Rule]) -> Diagnostic {
    let past = |action: &String| {
        ix.actions
            .get(action)
            .is_some_and(|id| id as usize >= MAX_DISTINCT_ACTIONS)
    };
    let d = Diagnostic::new(
        "invalid-action",
        format!(
            "the manifest names {} distinct actions, more than {MAX_DISTINCT_ACTIONS}",
            ix.actions.names.len()
        ),
    )
    .with_hint("name groups of actions with globs (`read:*`) instead of one action each");
    match rules.iter().find(|r| r.actions.iter().any(past)) {
        Some(rule) => m.diagnostic_at(rule.app_id, &rule.suffix, d),
        None => d,
    }
}

impl AccessIndex {
    /// Builds the index of a manifest, collecting every problem of its access sections.
    pub(crate) fn build(m: &Model) -> Built {
        let mut invalid = Vec::new();
        let decls = parse::read(m, &mut invalid);
        let roles = Roles::new(m, &decls.roles, &mut invalid);
        let mut escalations = roles.widened(m);

        let mut ix = AccessIndex::default();
        ix.tree(m);
        let rules: Vec<Rule> = decls
            .rules
            .iter()
            .filter_map(|d| expand_rule(m, &roles, d, &mut invalid))
            .collect();

        // The vocabulary: every concrete action written anywhere.
        let written = rules
            .iter()
            .flat_map(|r| r.actions.iter())
            .chain(decls.ceilings.iter().flat_map(|c| c.patterns.iter()))
            .chain(decls.roles.iter().flat_map(|r| r.patterns.iter()));
        for action in written.filter(|a| !is_glob(a)) {
            ix.actions.intern(action);
        }
        if ix.actions.names.len() > MAX_DISTINCT_ACTIONS {
            invalid.push(too_many_actions(m, &ix, &rules));
            return Built {
                index: AccessIndex::default(),
                invalid,
                escalations,
            };
        }
        ix.words = ix.actions.names.len().div_ceil(64).max(1);

        let mut set_ids = SetIds::new(&ix.actions.names);
        let mut ceiling_set = vec![NONE; m.len()];
        for c in &decls.ceilings {
            let mut patterns = c.patterns.clone();
            patterns.sort_unstable();
            patterns.dedup();
            ceiling_set[c.app.index()] = ix.set_of(patterns, &mut set_ids);
        }
        ix.ceiling_chain(m, &ceiling_set);
        invalid.extend(super::env_spelling::check(m, &ix, &rules));
        escalations.extend(escalation::check(m, &ix, &rules));

        let hot: Vec<(u32, bool, Hot)> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| ix.hot(r, i as u32, &mut set_ids))
            .collect();
        ix.csr(m, &hot);
        ix.declared = (0..rules.len()).map(|_| OnceLock::new()).collect();
        ix.rules = rules;
        ix.uses = decls.uses;
        if invalid.is_empty() {
            invalid.extend(super::secrets::ungranted(m, &ix));
        }
        Built {
            index: ix,
            invalid,
            escalations,
        }
    }

    /// Preorder numbering of the app tree (iterative: any depth), and each app's environment.
    fn tree(&mut self, m: &Model) {
        let n = m.len();
        let mut child_start = vec![0u32; n + 1];
        for id in m.ids() {
            if let Some(p) = m.parent(id) {
                child_start[p.index() + 1] += 1;
            }
        }
        for i in 0..n {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut children = vec![0u32; child_start[n] as usize];
        for id in m.ids() {
            if let Some(p) = m.parent(id) {
                children[fill[p.index()] as usize] = id.0;
                fill[p.index()] += 1;
            }
        }
        self.place = vec![[0, NONE]; n];
        self.tout = vec![0; n];
        self.order = Vec::with_capacity(n);
        let mut stack: Vec<(u32, u32)> = Vec::new();
        for root in m.ids().filter(|&id| m.parent(id).is_none()) {
            stack.push((root.0, child_start[root.index()]));
            self.place[root.index()][0] = self.order.len() as u32;
            self.order.push(root.0);
            while let Some(&(app, next)) = stack.last() {
                if next < child_start[app as usize + 1] {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    let child = children[next as usize];
                    self.place[child as usize][0] = self.order.len() as u32;
                    self.order.push(child);
                    stack.push((child, child_start[child as usize]));
                } else {
                    stack.pop();
                    self.tout[app as usize] = self.order.len() as u32;
                }
            }
        }
        for id in m.ids() {
            if let Some(env) = m.labels(id).get("env") {
                self.place[id.index()][1] = self.envs.intern(env);
            }
        }
        let slots = (2 * n).next_power_of_two().max(2);
        self.name_slots = vec![NONE; slots];
        for id in m.ids() {
            let mut slot = name_slot(m.name(id), slots);
            while self.name_slots[slot] != NONE {
                slot = (slot + 1) & (slots - 1);
            }
            self.name_slots[slot] = id.0;
        }
    }

    /// The id of an action set, adding it (with its bitset) if new.
    fn set_of(&mut self, patterns: Vec<String>, ids: &mut SetIds) -> u32 {
        if let Some(&id) = ids.ids.get(&patterns) {
            return id;
        }
        let id = self.sets.len() as u32;
        let start = self.set_bits.len();
        self.set_bits.resize(start + self.words, 0);
        for pattern in &patterns {
            for a in ids.matches(&self.actions, pattern) {
                self.set_bits[start + a as usize / 64] |= 1 << (a % 64);
            }
        }
        ids.ids.insert(patterns.clone(), id);
        self.sets.push(patterns);
        id
    }

    /// Each app's nearest ceiling node, and each node's bitset: the intersection of the chain's ceilings.
    fn ceiling_chain(&mut self, m: &Model, ceiling_set: &[u32]) {
        self.ceiling_of = vec![NONE; m.len()];
        for &app in &self.order {
            let parent = m
                .parent(AppId(app))
                .map_or(NONE, |p| self.ceiling_of[p.index()]);
            let set = ceiling_set[app as usize];
            if set == NONE {
                self.ceiling_of[app as usize] = parent;
                continue;
            }
            let node = self.ceilings.len() as u32;
            let own = &self.set_bits[set as usize * self.words..][..self.words];
            let mut bits = own.to_vec();
            if parent != NONE {
                let above = &self.ceiling_bits[parent as usize * self.words..][..self.words];
                bits.iter_mut().zip(above).for_each(|(b, a)| *b &= a);
            }
            self.ceiling_bits.extend(bits);
            self.ceilings.push(CeilingNode {
                parent,
                app: AppId(app),
                set,
            });
            self.ceiling_of[app as usize] = node;
        }
    }

    /// The hot entry of a rule, with its subject and whether it is a deny.
    fn hot(&mut self, r: &Rule, index: u32, set_ids: &mut SetIds) -> (u32, bool, Hot) {
        let subject = self.intern_subject(r.kind, &r.subject);
        let env = if r.env.is_empty() {
            NONE
        } else {
            let mut ids: Vec<u32> = r.env.iter().map(|e| self.envs.intern(e)).collect();
            ids.sort_unstable();
            ids.dedup();
            let id = self.env_sets.len() as u32;
            self.env_sets.push(ids);
            id
        };
        let app = r.app_id.index();
        let lo = self.place[app][0];
        let hi = if r.propagate { self.tout[app] } else { lo + 1 };
        let set = self.set_of(r.actions.clone(), set_ids);
        let hot = Hot {
            lo,
            hi,
            end: self.tout[app],
            set,
            env,
            rule: index,
        };
        (subject, r.effect == Effect::Deny, hot)
    }

    fn intern_subject(&mut self, kind: SubjectKind, subject: &str) -> u32 {
        let id = &subject[kind.prefix().len() + 1..];
        let map = &mut self.subject_ids[kind as usize];
        if let Some(&s) = map.get(id) {
            return s;
        }
        let s = self.subjects.len() as u32;
        self.subjects.push(subject.to_string());
        map.insert(id.to_string(), s);
        s
    }

    /// Groups the hot entries by subject (allows and denies apart) and the rules by declaring app.
    fn csr(&mut self, m: &Model, hot: &[(u32, bool, Hot)]) {
        let subjects = self.subjects.len();
        // Denies sort before allows within each subject's row.
        let rows = hot
            .iter()
            .map(|h| (h.0 * 2 + u32::from(!h.1), h.2))
            .collect();
        let (start, rules) = csr_group(subjects * 2, rows);
        self.hot_start = (0..=subjects)
            .map(|s| [start[2 * s], start[(2 * s + 1).min(2 * subjects)]])
            .collect();
        self.hot = rules;
        let by_app = hot.iter().map(|h| (self.order[h.2.lo as usize], h.2.rule));
        (self.app_start, self.app_rules) = csr_group(m.len(), by_app.collect());
        self.rule_subject = hot.iter().map(|h| h.0).collect();
        self.rule_hot = hot.iter().map(|h| h.2).collect();
    }

    /// Every rule, in declaration order (app by app: grants, then denies, then the identity).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The concrete actions written anywhere in the manifest, in first-seen order: the vocabulary that
    /// [`super::Access::effective`], [`super::Access::what_can`] and [`super::diff`] enumerate.
    pub fn vocabulary(&self) -> &[String] {
        &self.actions.names
    }

    /// Every subject named by a rule, in first-seen order.
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// The app's own ceiling (sorted, deduplicated patterns), if it declares one.
    pub fn ceiling(&self, app: AppId) -> Option<&[String]> {
        let node = *self.ceiling_of.get(app.index())?;
        let c = self.ceilings.get(node as usize)?;
        (c.app == app).then(|| self.sets[c.set as usize].as_slice())
    }

    /// The app called `name`, found in one probe of the name table.
    pub(crate) fn app_id(&self, m: &Model, name: &str) -> Option<AppId> {
        let mask = self.name_slots.len().checked_sub(1)?;
        let mut slot = name_slot(name, mask + 1);
        loop {
            let id = *self.name_slots.get(slot)?;
            if id == NONE {
                return None;
            }
            if m.name(AppId(id)) == name {
                return Some(AppId(id));
            }
            slot = (slot + 1) & mask;
        }
    }

    /// A subject's denies and allows.
    pub(crate) fn rules_of(&self, subject: u32) -> (&[Hot], &[Hot]) {
        let s = subject as usize;
        let ([start, split], [end, _]) = (self.hot_start[s], self.hot_start[s + 1]);
        (
            &self.hot[start as usize..split as usize],
            &self.hot[split as usize..end as usize],
        )
    }

    /// Whether `anc` is `app` or one of its ancestors.
    pub(crate) fn contains(&self, anc: AppId, app: AppId) -> bool {
        let pos = self.place[app.index()][0];
        self.place[anc.index()][0] <= pos && pos < self.tout[anc.index()]
    }

    /// The id of a subject written `kind:id`, if a rule names it.
    pub(crate) fn subject_id(&self, kind: SubjectKind, id: &str) -> Option<u32> {
        self.subject_ids[kind as usize].get(id).copied()
    }
}

/// A rule with its role expanded; `None` (with a diagnostic) when its role is unknown.
fn expand_rule(
    m: &Model,
    roles: &Roles<'_>,
    d: &RuleDecl,
    invalid: &mut Vec<Diagnostic>,
) -> Option<Rule> {
    let mut actions = d.patterns.clone();
    if let Some((name, suffix)) = &d.role {
        match roles.resolve(m, d.app, name) {
            None => {
                invalid.push(roles.unknown(m, d.app, name, suffix));
                return None;
            }
            Some(role) => actions.extend(roles.patterns(role)?.iter().cloned()),
        }
    }
    actions.sort_unstable();
    actions.dedup();
    Some(Rule {
        effect: d.effect,
        subject: d.subject.clone(),
        app: m.name(d.app).to_string(),
        role: d.role.as_ref().map(|(r, _)| r.clone()),
        actions,
        env: d.env.clone(),
        propagate: d.propagate,
        app_id: d.app,
        kind: d.kind,
        suffix: d.suffix.clone(),
    })
}

/// The home slot of a name in a table of `slots` (a power of two) entries: the top bits of the hash
/// mixed by a Fibonacci multiplication (the low bits of Fx hashes of similar names cluster).
fn name_slot(name: &str, slots: usize) -> usize {
    use std::hash::BuildHasher;
    let hash = rustc_hash::FxBuildHasher
        .hash_one(name)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (hash >> (64 - slots.trailing_zeros().max(1))) as usize & (slots - 1)
}

/// Compressed rows: `items` (row, value) grouped by row, with each row's start (`n + 1` offsets).
fn csr_group<T>(n: usize, mut items: Vec<(u32, T)>) -> (Vec<u32>, Vec<T>) {
    items.sort_by_key(|item| item.0);
    let mut start = vec![0u32; n + 1];
    for (row, _) in &items {
        start[*row as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    (start, items.into_iter().map(|(_, v)| v).collect())
}
