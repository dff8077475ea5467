//! "Did you mean" suggestions for misspelt keys and symbols.

/// The candidate closest to `input` by edit distance, if close enough to be
/// a plausible typo (at most a third of the input's length, at least one).
pub(crate) fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(input, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Appends `, did you mean `x`` to `message` when a suggestion exists.
pub(crate) fn with_suggestion<'a>(
    message: String,
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    match did_you_mean(input, candidates) {
        Some(s) => format!("{message}, did you mean `{s}`"),
        None => message,
    }
}

/// Edit distance counting insertions, deletions, substitutions and
/// transpositions of adjacent chars (optimal string alignment),
/// case-insensitive.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
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
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("prot", ["port", "host"]), Some("port"));
        assert_eq!(did_you_mean("zzzz", ["port", "host"]), None);
        assert_eq!(did_you_mean("Host", ["host"]), Some("host"));
    }
}
