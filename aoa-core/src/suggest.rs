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
    let length = word.chars().count();
    if length > MAX_SUGGEST_CHARS {
        return None;
    }
    let limit = (length / 4).max(1);
    let word: Vec<char> = word.chars().collect();
    let mut best: Option<(usize, &'a str)> = None;
    let mut other = Vec::new();
    for candidate in candidates {
        // A cheap first filter on byte lengths (a character is 1 to 4 bytes), before counting characters.
        if candidate.len() + limit < length || candidate.len() > 4 * (length + limit) {
            continue;
        }
        other.clear();
        other.extend(candidate.chars());
        if other.len().abs_diff(length) > limit {
            continue;
        }
        let cutoff = best.map_or(limit, |(d, _)| d.min(limit));
        let Some(distance) = edit_distance_within(&word, &other, cutoff) else {
            continue;
        };
        if best.is_none_or(|(d, c)| (distance, candidate) < (d, c)) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Words longer than this many characters get no suggestion: a typo of a long generated name is not worth
/// an edit-distance search, and the search stays `O(candidates x 64 x 33)` at most.
pub const MAX_SUGGEST_CHARS: usize = 64;

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

/// Edit distance over characters where a swap of two neighbours counts as one edit (optimal string
/// alignment), so `parnet` is one edit from `parent`; `None` when it is more than `cutoff`. Only the band
/// of cells within `cutoff` of the diagonal is computed, three rows at a time, and the search stops as soon
/// as a whole row is past the cutoff: `O(len x cutoff)` time and `O(len)` memory.
fn edit_distance_within(a: &[char], b: &[char], cutoff: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > cutoff {
        return None;
    }
    const FAR: usize = usize::MAX / 2;
    let width = b.len() + 1;
    let mut before = vec![FAR; width];
    let mut previous: Vec<usize> = (0..width)
        .map(|j| if j <= cutoff { j } else { FAR })
        .collect();
    let mut current = vec![FAR; width];
    for i in 1..=a.len() {
        current.fill(FAR);
        let lo = i.saturating_sub(cutoff).max(1);
        let hi = (i + cutoff).min(b.len());
        if i <= cutoff {
            current[0] = i;
        }
        let mut row_best = current[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
            row_best = row_best.min(best);
        }
        if row_best > cutoff {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|&d| d <= cutoff)
}

/// The full edit distance (tests compare the banded search with it).
#[cfg(test)]
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    edit_distance_within(&a, &b, a.len().max(b.len())).unwrap_or(usize::MAX)
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
    fn the_band_agrees_with_the_full_distance_within_the_cutoff() {
        let words = [
            "parent",
            "parnet",
            "params",
            "depends_on",
            "dependson",
            "",
            "a",
            "ab",
            "ba",
            "labels",
            "label",
        ];
        for a in words {
            for b in words {
                let full = edit_distance(a, b);
                let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                for cutoff in 0..5 {
                    assert_eq!(
                        edit_distance_within(&x, &y, cutoff),
                        (full <= cutoff).then_some(full),
                        "{a} {b} {cutoff}"
                    );
                }
            }
        }
    }

    #[test]
    fn long_words_are_not_searched() {
        let long = "x".repeat(45_000);
        let started = std::time::Instant::now();
        assert_eq!(did_you_mean(&long, [long.as_str(), "y"]), None);
        assert!(started.elapsed().as_millis() < 100);
        let near = format!("{}y", "x".repeat(60));
        assert_eq!(
            did_you_mean(&near, [&*"x".repeat(61)]),
            Some(&*"x".repeat(61))
        );
    }

    #[test]
    fn picks_closest_and_breaks_ties_by_name() {
        assert_eq!(did_you_mean("labl", ["labels", "label"]), Some("label"));
        assert_eq!(did_you_mean("parnet", ["parent", "params"]), Some("parent"));
    }
}
