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

/// Levenshtein distance over characters, case-insensitive.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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
