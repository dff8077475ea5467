//! Waves by Kahn's algorithm over the whole graph or an induced subgraph.

#![expect(
    clippy::cast_possible_truncation,
    reason = "app ids and wave numbers are u32: the manifest builder rejects more than u32::MAX - 1 apps"
)]

use super::Graph;

/// Apps ordered by wave, then by name; `wave_start[w]..wave_start[w+1]` indexes wave `w` in `order`.
#[derive(Debug, Clone)]
pub(crate) struct Layering {
    pub order: Vec<u32>,
    pub wave_start: Vec<u32>,
    /// The wave of every member app (`u32::MAX` for non-members).
    pub wave: Vec<u32>,
}

/// Layers the apps for which `member` holds (all apps when `None`) over the successor arrays of `g`; an
/// app's in-set predecessors must all be placed first. Returns the apps that could not be placed (they are
/// on or behind a cycle) on failure.
pub(crate) fn layer(g: &Graph, member: Option<&[bool]>) -> Result<Layering, Vec<u32>> {
    let n = g.app_count();
    let is_member = |v: usize| member.is_none_or(|set| set[v]);
    // (remaining in-degree, wave) side by side: Kahn reads and writes both for every edge, so keeping them
    // in one slot halves the cache misses on large graphs.
    let mut state = vec![(0u32, u32::MAX); n];
    let mut queue: Vec<u32> = Vec::new();
    let mut members = 0usize;
    match member {
        // The whole graph: the in-degrees are known.
        None => {
            members = n;
            for (slot, &d) in state.iter_mut().zip(&g.in_degree) {
                slot.0 = d;
            }
        }
        Some(_) => {
            for v in (0..n).filter(|&v| is_member(v)) {
                members += 1;
                for &s in g.successors(v as u32) {
                    if is_member(s as usize) {
                        state[s as usize].0 += 1;
                    }
                }
            }
        }
    }
    for v in (0..n).filter(|&v| is_member(v)) {
        if state[v].0 == 0 {
            state[v].1 = 0;
            queue.push(v as u32);
        }
    }
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        let next = state[v as usize].1 + 1;
        for &s in g.successors(v) {
            if !is_member(s as usize) {
                continue;
            }
            let slot = &mut state[s as usize];
            if slot.1 == u32::MAX || slot.1 < next {
                slot.1 = next;
            }
            slot.0 -= 1;
            if slot.0 == 0 {
                queue.push(s);
            }
        }
    }
    if queue.len() < members {
        return Err((0..n as u32)
            .filter(|&v| is_member(v as usize) && state[v as usize].0 > 0)
            .collect());
    }
    let wave: Vec<u32> = state.into_iter().map(|(_, w)| w).collect();
    let waves = queue
        .iter()
        .map(|&v| wave[v as usize] as usize + 1)
        .max()
        .unwrap_or(0);
    let mut wave_start = vec![0u32; waves + 1];
    for &v in &queue {
        wave_start[wave[v as usize] as usize + 1] += 1;
    }
    for w in 0..waves {
        wave_start[w + 1] += wave_start[w];
    }
    let mut fill = wave_start.clone();
    let mut order = vec![0u32; members];
    for &id in &g.by_name {
        let w = wave[id as usize];
        if w != u32::MAX && is_member(id as usize) {
            let slot = &mut fill[w as usize];
            order[*slot as usize] = id;
            *slot += 1;
        }
    }
    Ok(Layering {
        order,
        wave_start,
        wave,
    })
}
