//! Name to id lookup over a [`NameTable`]: open addressing with linear probing, 8 bytes a slot.
//!
//! Each slot holds an id, 32 bits of the name's hash and the name's span in the table's text, so a probe
//! compares strings only when the tags match and then reads the name bytes directly (one cache miss, not
//! two). At 10^6 apps the table is 32 MiB and the names it points into are one contiguous buffer, which
//! keeps the millions of lookups of parent and dependency names cache-friendly (a `HashMap<&str, u32>`
//! keyed by strings scattered through the manifest text was the planner's largest cost).

#![expect(
    clippy::cast_possible_truncation,
    reason = "a hash is split into its low bits (the slot) and its high 32 bits (the tag) on purpose"
)]

use super::names::NameTable;
use std::hash::BuildHasher;

const EMPTY: u32 = u32::MAX;

/// One slot: id (or `EMPTY`), hash tag, and the name's span in the table's text.
type Slot = (u32, u32, u32, u32);

/// An index from name to id (ids are positions in the [`NameTable`] it was built over).
#[derive(Debug)]
pub(crate) struct NameIndex {
    slots: Vec<Slot>,
    mask: usize,
}

fn hash(name: &str) -> (usize, u32) {
    let h = rustc_hash::FxBuildHasher.hash_one(name.as_bytes());
    (h as usize, (h >> 32) as u32)
}

impl NameIndex {
    /// An empty index sized for `count` names (load factor at most 1/2).
    pub(super) fn with_capacity(count: usize) -> Self {
        let size = (count.max(4) * 2).next_power_of_two();
        NameIndex {
            slots: vec![(EMPTY, 0, 0, 0); size],
            mask: size - 1,
        }
    }

    /// Adds name `id` of `names`; if the name is already present, returns the id that holds it.
    pub(super) fn insert(&mut self, names: &NameTable, id: u32) -> Result<(), u32> {
        let name = names.get(id as usize);
        let (start, end) = names.span(id as usize);
        match self.probe(names, name) {
            Ok(existing) => Err(existing),
            Err(free) => {
                self.slots[free] = (id, hash(name).1, start, end);
                Ok(())
            }
        }
    }

    /// The id of `name`, if present.
    pub(super) fn get(&self, names: &NameTable, name: &str) -> Option<u32> {
        self.probe(names, name).ok()
    }

    /// `Ok(id)` if `name` is present, else `Err(free slot)` where it would go.
    fn probe(&self, names: &NameTable, name: &str) -> Result<u32, usize> {
        let (h, tag) = hash(name);
        let text = names.text().as_bytes();
        let mut i = h & self.mask;
        loop {
            let (slot, slot_tag, start, end) = self.slots[i];
            if slot == EMPTY {
                return Err(i);
            }
            if slot_tag == tag && text.get(start as usize..end as usize) == Some(name.as_bytes()) {
                return Ok(slot);
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_name_and_reports_duplicates() {
        let mut names = NameTable::default();
        for i in 0..1000 {
            names.push(&format!("team-{}/app-{i}", i % 7)).unwrap();
        }
        names.push("team-3/app-3").unwrap();
        let mut index = NameIndex::with_capacity(names.len());
        for id in 0..1000 {
            assert_eq!(index.insert(&names, id), Ok(()));
        }
        assert_eq!(index.insert(&names, 1000), Err(3));
        for i in 0..1000u32 {
            assert_eq!(
                index.get(&names, &format!("team-{}/app-{i}", i % 7)),
                Some(i)
            );
        }
        assert_eq!(index.get(&names, "team-0/app-1"), None);
        assert_eq!(NameIndex::with_capacity(0).get(&names, "x"), None);
    }
}
