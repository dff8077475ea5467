//! Questions about sets of actions described by glob patterns, answered exactly: "is there an action that
//! these patterns match and those do not?" — the containment of glob languages generalized to any Boolean
//! combination. The search runs over the product of the patterns' automata (one state per position of each
//! pattern) and returns the shortest witness action, so the answer is exact for every action, not only for
//! the actions a manifest spells out.
//!
//! ```text
//! witness(["read:*", "secrets:*"], |m| m[1] && !m[0])  ->  Some("secrets:")
//! ```

use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::VecDeque;

/// At most this many product states are explored; a search that needs more gives [`Search::TooLarge`].
pub(crate) const MAX_STATES: usize = 100_000;

/// The answer of [`witness`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Search {
    /// The shortest action (by length, then bytewise) for which the predicate holds.
    Found(String),
    /// No action makes the predicate hold.
    None,
    /// The product automaton is larger than [`MAX_STATES`]; callers treat the answer as unknown.
    TooLarge,
}

/// The positions a pattern's automaton may be in, as a bit set per pattern.
type State = Vec<u64>;

/// Searches for a non-empty action such that `holds(matched)` is true, where `matched[i]` says whether
/// `patterns[i]` matches the action. Patterns use the glob rules of [`super::glob_matches`].
pub(crate) fn witness(patterns: &[&str], holds: impl Fn(&[bool]) -> bool) -> Search {
    let machine = Product::new(patterns);
    let start = machine.start();
    let mut seen: FxHashSet<State> = FxHashSet::default();
    let mut parent: FxHashMap<State, (State, u8)> = FxHashMap::default();
    // Only actions of one byte or more count: the start is checked again when a step leads back to it.
    seen.insert(start.clone());
    let mut queue = VecDeque::from([start.clone()]);
    let mut matched = vec![false; patterns.len()];
    while let Some(state) = queue.pop_front() {
        for &c in &machine.alphabet {
            let next = machine.step(&state, c);
            if next == start {
                machine.accepting(&next, &mut matched);
                if holds(&matched) {
                    let mut action = spell(&parent, state.clone());
                    action.push(char::from(c));
                    return Search::Found(action);
                }
            }
            if seen.contains(&next) {
                continue;
            }
            if seen.len() >= MAX_STATES {
                return Search::TooLarge;
            }
            seen.insert(next.clone());
            parent.insert(next.clone(), (state.clone(), c));
            machine.accepting(&next, &mut matched);
            if holds(&matched) {
                return Search::Found(spell(&parent, next));
            }
            queue.push_back(next);
        }
    }
    Search::None
}

/// The action that leads from the start to `state`.
fn spell(parent: &FxHashMap<State, (State, u8)>, mut state: State) -> String {
    let mut bytes = Vec::new();
    while let Some((previous, c)) = parent.get(&state) {
        bytes.push(*c);
        state = previous.clone();
    }
    bytes.reverse();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The product of the patterns' automata.
struct Product<'p> {
    patterns: Vec<&'p [u8]>,
    /// Where each pattern's bits start in a [`State`].
    offset: Vec<usize>,
    words: usize,
    /// Every byte any pattern names, and one action byte none names (it stands for all the others).
    alphabet: Vec<u8>,
}

impl<'p> Product<'p> {
    fn new(patterns: &[&'p str]) -> Self {
        let patterns: Vec<&[u8]> = patterns.iter().map(|p| p.as_bytes()).collect();
        let mut offset = Vec::with_capacity(patterns.len());
        let mut bits = 0;
        for p in &patterns {
            offset.push(bits);
            bits += p.len() + 1;
        }
        let mut alphabet: Vec<u8> = patterns
            .iter()
            .flat_map(|p| p.iter().copied())
            .filter(|&c| c != b'*')
            .collect();
        alphabet.sort_unstable();
        alphabet.dedup();
        if let Some(other) = ACTION_BYTES.iter().find(|c| !alphabet.contains(c)) {
            alphabet.push(*other);
            alphabet.sort_unstable();
        }
        Product {
            patterns,
            offset,
            words: bits.div_ceil(64).max(1),
            alphabet,
        }
    }

    fn set(&self, state: &mut State, pattern: usize, position: usize) {
        // A `*` matches the empty run too: being before it means being after it as well.
        let p = self.patterns[pattern];
        let mut at = position;
        loop {
            let bit = self.offset[pattern] + at;
            state[bit / 64] |= 1 << (bit % 64);
            if at < p.len() && p[at] == b'*' {
                at += 1;
            } else {
                break;
            }
        }
    }

    fn has(&self, state: &State, pattern: usize, position: usize) -> bool {
        let bit = self.offset[pattern] + position;
        state[bit / 64] & (1 << (bit % 64)) != 0
    }

    fn start(&self) -> State {
        let mut state = vec![0; self.words];
        for i in 0..self.patterns.len() {
            self.set(&mut state, i, 0);
        }
        state
    }

    fn step(&self, state: &State, c: u8) -> State {
        let mut next = vec![0; self.words];
        for (i, p) in self.patterns.iter().enumerate() {
            for (at, &symbol) in p.iter().enumerate() {
                if !self.has(state, i, at) {
                    continue;
                }
                if symbol == b'*' {
                    self.set(&mut next, i, at);
                } else if symbol == c {
                    self.set(&mut next, i, at + 1);
                }
            }
        }
        next
    }

    fn accepting(&self, state: &State, matched: &mut [bool]) {
        for (i, p) in self.patterns.iter().enumerate() {
            matched[i] = self.has(state, i, p.len());
        }
    }
}

/// The bytes an action may contain (see [`super::pattern_problem`]), in the order a stand-in is chosen.
const ACTION_BYTES: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:/";

#[cfg(test)]
mod tests {
    use super::{Search, witness};
    use crate::access::glob_matches;
    use proptest::prelude::*;

    #[test]
    fn finds_what_one_pattern_adds_to_another() {
        let found = witness(&["read:*", "secrets:*"], |m| m[1] && !m[0]);
        assert_eq!(found, Search::Found("secrets:".into()));
        assert_eq!(
            witness(&["read:*", "read:x"], |m| m[1] && !m[0]),
            Search::None
        );
        assert_eq!(witness(&["*"], |m| !m[0]), Search::None);
        // An intersection no single pattern's own witness reaches.
        let Search::Found(w) = witness(&["read:*", "*:logs", "read:logs"], |m| {
            m[0] && m[1] && !m[2]
        }) else {
            panic!("expected a witness");
        };
        assert!(glob_matches("read:*", &w) && glob_matches("*:logs", &w) && w != "read:logs");
    }

    fn pattern() -> impl Strategy<Value = String> {
        "[ab:*]{1,4}".prop_filter("no **", |p| !p.contains("**"))
    }

    proptest! {
        /// A witness always satisfies the predicate, and when none is found no short action does either.
        #[test]
        fn witnesses_are_exact(patterns in proptest::collection::vec(pattern(), 1..4), mask in 0u8..16) {
            let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
            let holds = |m: &[bool]| m.iter().enumerate().all(|(i, &x)| x == (mask >> i & 1 == 1));
            let matched = |action: &str| refs.iter().map(|p| glob_matches(p, action)).collect::<Vec<_>>();
            match witness(&refs, holds) {
                Search::Found(w) => prop_assert!(holds(&matched(&w)), "{w}"),
                Search::TooLarge => prop_assert!(false, "tiny searches never exceed the bound"),
                Search::None => {
                    for action in short_actions("ab:c", 6) {
                        prop_assert!(!holds(&matched(&action)), "{action}");
                    }
                }
            }
        }
    }

    fn short_actions(alphabet: &str, max: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut out = Vec::new();
        for _ in 0..max {
            let mut next = Vec::new();
            for s in &all {
                for c in alphabet.chars() {
                    let t = format!("{s}{c}");
                    out.push(t.clone());
                    next.push(t);
                }
            }
            all = next;
        }
        out
    }
}
