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
    let limit = (word.chars().count() / 4).max(1);
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

/// Appends ``, did you mean `x` `` to `message` when a close candidate exists.
pub fn with_suggestion<'a, I>(message: String, word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match did_you_mean(word, candidates) {
        Some(s) => format!("{message}, did you mean `{s}`"),
        None => message,
    }
}

/// Edit distance over characters where a swap of two neighbours counts as one edit
/// (optimal string alignment), so `parnet` is one edit from `parent`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("parnet", "parent"), 1);
    }

    #[test]
    fn picks_closest_and_breaks_ties_by_name() {
        assert_eq!(did_you_mean("labl", ["labels", "label"]), Some("label"));
        assert_eq!(did_you_mean("parnet", ["parent", "params"]), Some("parent"));
    }
}
