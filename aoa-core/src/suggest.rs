//! "Did you mean" suggestions for misspelt names and keys.

/// Returns the candidate closest to `word` by edit distance, if one is close enough to be a likely typo.
///
/// ```
/// assert_eq!(aoa_core::suggest::did_you_mean("dependson", ["depends_on", "parent"]), Some("depends_on"));
/// assert_eq!(aoa_core::suggest::did_you_mean("zzz", ["depends_on", "parent"]), None);
/// ```
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let len_gap = candidate.len().abs_diff(word.len());
        if len_gap > limit {
            continue;
        }
        let distance = edit_distance(word, candidate);
        if distance <= limit && best.is_none_or(|(d, c)| (distance, candidate) < (d, c)) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Formats a did-you-mean hint, or `fallback` when nothing is close.
pub fn hint<'a, I>(word: &str, candidates: I, fallback: &str) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match did_you_mean(word, candidates) {
        Some(s) => format!("did you mean `{s}`?"),
        None => fallback.to_string(),
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn picks_closest_and_breaks_ties_by_name() {
        assert_eq!(did_you_mean("labl", ["labels", "label"]), Some("label"));
        assert_eq!(did_you_mean("parnet", ["parent", "params"]), Some("parent"));
    }
}
