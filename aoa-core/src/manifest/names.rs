//! App names in one contiguous buffer, indexed by app id.

#![expect(
    clippy::cast_possible_truncation,
    reason = "app ids are u32: the builder rejects more than u32::MAX - 1 apps"
)]

/// Every app's name in one buffer (`ends[i]` is where name `i` stops), so 10^6 names cost two allocations.
#[derive(Debug, Default)]
pub(crate) struct NameTable {
    text: String,
    ends: Vec<u32>,
}

impl NameTable {
    /// An empty table with room for `count` names.
    pub(super) fn with_capacity(count: usize) -> Self {
        NameTable {
            text: String::with_capacity(count * 16),
            ends: Vec::with_capacity(count),
        }
    }

    /// Appends a name; `None` if the buffer would pass 4 GiB.
    pub(super) fn push(&mut self, name: &str) -> Option<()> {
        self.text.push_str(name);
        self.ends.push(u32::try_from(self.text.len()).ok()?);
        Some(())
    }

    /// The number of names.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Name `i`.
    pub(super) fn get(&self, i: usize) -> &str {
        let (start, end) = self.span(i);
        &self.text[start as usize..end as usize]
    }

    /// Where name `i` lies in [`NameTable::text`].
    pub(super) fn span(&self, i: usize) -> (u32, u32) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (start, self.ends[i])
    }

    /// Every name, concatenated.
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// Every name, in id order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Ids sorted by name bytewise. Sorts by a 16-byte big-endian prefix first, so most comparisons
    /// never touch the strings.
    pub(super) fn sorted_ids(&self) -> Vec<u32> {
        let mut keyed: Vec<(u128, u32)> = (0..self.len())
            .map(|i| {
                let mut prefix = [0u8; 16];
                let bytes = self.get(i).as_bytes();
                let n = bytes.len().min(16);
                prefix[..n].copy_from_slice(&bytes[..n]);
                (u128::from_be_bytes(prefix), i as u32)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                self.get(a.1 as usize)
                    .as_bytes()
                    .cmp(self.get(b.1 as usize).as_bytes())
            })
        });
        keyed.into_iter().map(|(_, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_bytewise_including_shared_long_prefixes_and_nul_padding() {
        let mut t = NameTable::default();
        for n in [
            "team-1/app-20000000b",
            "b",
            "team-1/app-20000000a",
            "ab",
            "ab\0",
            "a",
            "Z",
            "é",
        ] {
            t.push(n).unwrap();
        }
        let sorted: Vec<&str> = t
            .sorted_ids()
            .into_iter()
            .map(|i| t.get(i as usize))
            .collect();
        let mut expected: Vec<&str> = t.iter().collect();
        expected.sort();
        assert_eq!(sorted, expected);
    }
}
