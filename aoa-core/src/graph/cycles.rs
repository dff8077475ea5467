//! Naming every cycle: strongly connected components (iterative Tarjan) and one concrete cycle in each.

use super::Graph;
use crate::diagnostic::{Cycle, CycleEdge, EdgeKind};
use crate::manifest::{AppId, Model};
use std::collections::VecDeque;

/// Every cycle among `candidates` (apps Kahn could not place), each component once, sorted by first name.
pub(crate) fn find_cycles(m: &Model, g: &Graph, candidates: &[u32]) -> Vec<Cycle> {
    let mut inside = vec![false; m.len()];
    for &v in candidates {
        inside[v as usize] = true;
    }
    let mut cycles: Vec<Cycle> = components(g, candidates, &inside)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|component| concrete_cycle(m, g, component))
        .collect();
    cycles.sort_by(|a, b| a.path.cmp(&b.path));
    cycles
}

/// Iterative Tarjan over the subgraph induced by `inside`.
fn components(g: &Graph, candidates: &[u32], inside: &[bool]) -> Vec<Vec<u32>> {
    const UNSEEN: u32 = u32::MAX;
    let n = inside.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut call: Vec<(u32, usize)> = Vec::new();
    let mut next = 0u32;
    let mut out = Vec::new();
    for &root in candidates {
        if index[root as usize] != UNSEEN {
            continue;
        }
        call.push((root, 0));
        while let Some(&mut (v, ref mut child)) = call.last_mut() {
            let vi = v as usize;
            if *child == 0 && index[vi] == UNSEEN {
                index[vi] = next;
                low[vi] = next;
                next += 1;
                stack.push(v);
                on_stack[vi] = true;
            }
            let succ = g.successors(v);
            if let Some(&s) = succ.get(*child) {
                *child += 1;
                let si = s as usize;
                if !inside[si] {
                    continue;
                }
                if index[si] == UNSEEN {
                    call.push((s, 0));
                } else if on_stack[si] {
                    low[vi] = low[vi].min(index[si]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent as usize] = low[parent as usize].min(low[vi]);
            }
            if low[vi] == index[vi] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
        }
    }
    out
}

/// The shortest cycle through the component's first app by name, found by BFS in name order.
fn concrete_cycle(m: &Model, g: &Graph, mut component: Vec<u32>) -> Cycle {
    component.sort_by_key(|&v| g.rank[v as usize]);
    let start = component[0];
    let mut in_component = rustc_hash::FxHashSet::default();
    in_component.extend(component.iter().copied());
    let mut came_from = rustc_hash::FxHashMap::default();
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(v) = queue.pop_front() {
        let mut next: Vec<u32> = g
            .successors(v)
            .iter()
            .copied()
            .filter(|s| in_component.contains(s))
            .collect();
        next.sort_by_key(|&s| g.rank[s as usize]);
        for s in next {
            if s == start {
                closing = Some(v);
                break 'search;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = came_from.entry(s) {
                e.insert(v);
                queue.push_back(s);
            }
        }
    }
    let mut path = vec![start];
    if let Some(last) = closing {
        let mut back = vec![last];
        let mut at = last;
        while at != start {
            match came_from.get(&at) {
                Some(&prev) => {
                    at = prev;
                    if at != start {
                        back.push(at);
                    }
                }
                None => break,
            }
        }
        if last != start {
            path.extend(back.into_iter().rev());
        }
    }
    let edges = path
        .iter()
        .zip(path.iter().skip(1).chain(std::iter::once(&start)))
        .map(|(&from, &to)| edge(m, AppId(from), AppId(to)))
        .collect();
    let names: Vec<String> = path.iter().map(|&v| m.name(AppId(v)).to_string()).collect();
    let text = names
        .iter()
        .chain(names.first())
        .cloned()
        .collect::<Vec<_>>()
        .join(" -> ");
    Cycle {
        path: names,
        members: component
            .iter()
            .map(|&v| m.name(AppId(v)).to_string())
            .collect(),
        edges,
        text,
    }
}

fn edge(m: &Model, from: AppId, to: AppId) -> CycleEdge {
    let (kind, suffix) = if m.parent(to) == Some(from) {
        (EdgeKind::Parent, "/parent".to_string())
    } else {
        let slot = m.depends_on(to).position(|d| d == from).unwrap_or(0);
        (EdgeKind::DependsOn, format!("/depends_on/{slot}"))
    };
    CycleEdge {
        from: m.name(from).to_string(),
        to: m.name(to).to_string(),
        kind,
        declared: m.locate(to, &suffix),
    }
}
