//! Action names and action patterns: the glob rules, matching and containment.
//!
//! An action is a non-empty string of ASCII letters, digits and `-`, `_`, `.`, `:`, `/` (for example
//! `deploy`, `read:deployments`, `secrets:read`). A pattern is an action that may also contain `*`, which
//! stands for any run of zero or more of those characters, `:` and `/` included: `read:*` matches
//! `read:deployments` and `read:` but not `read`; `*:read` matches `secrets:read`; `*` matches every
//! action. Matching is whole-string and case-sensitive. `**` is rejected (write one `*`).

/// Why a string is not a valid action or pattern, if it is not.
///
/// ```
/// use aoa_core::access::pattern_problem;
/// assert_eq!(pattern_problem("read:*", true), None);
/// assert!(pattern_problem("read:*", false).is_some());
/// assert!(pattern_problem("read **", true).is_some());
/// ```
pub fn pattern_problem(text: &str, allow_glob: bool) -> Option<String> {
    if text.is_empty() {
        return Some("an action may not be empty".into());
    }
    if let Some(problem) = crate::manifest::too_long("action", text) {
        return Some(problem);
    }
    if let Some(c) = text
        .chars()
        .find(|&c| !(is_action_char(c) || (allow_glob && c == '*')))
    {
        let what = if c == '*' {
            "a glob `*` (a concrete action is needed here)".to_string()
        } else {
            format!("the character {}", crate::diagnostic::describe_char(c))
        };
        return Some(format!(
            "`{}` contains {what}",
            crate::diagnostic::escaped(text)
        ));
    }
    text.contains("**")
        .then(|| format!("`{text}` contains `**`; write a single `*`"))
}

fn is_action_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/')
}

/// Whether `text` contains a glob `*`.
pub fn is_glob(text: &str) -> bool {
    text.contains('*')
}

/// Whether the pattern matches the action (whole-string, `*` = any run of characters).
///
/// ```
/// use aoa_core::access::glob_matches;
/// assert!(glob_matches("read:*", "read:deployments"));
/// assert!(glob_matches("*", "deploy"));
/// assert!(!glob_matches("read:*", "read"));
/// ```
pub fn glob_matches(pattern: &str, action: &str) -> bool {
    covers(pattern.as_bytes(), action.as_bytes(), false)
}

/// Whether every action `inner` matches is also matched by `outer` (`inner` ⊆ `outer`).
///
/// ```
/// use aoa_core::access::glob_contains;
/// assert!(glob_contains("read:*", "read:deployments"));
/// assert!(glob_contains("*", "read:*"));
/// assert!(!glob_contains("read:*", "*"));
/// assert!(glob_contains("a*c", "a*b*c"));
/// ```
pub fn glob_contains(outer: &str, inner: &str) -> bool {
    covers(outer.as_bytes(), inner.as_bytes(), true)
}

/// Glob matching with backtracking over the last `*` (linear for one-star patterns, never exponential).
/// With `star_is_wild`, a `*` of the text is a symbol only a `*` of the pattern may absorb, which decides
/// containment of one pattern in another.
fn covers(pattern: &[u8], text: &[u8], star_is_wild: bool) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while t < text.len() {
        let literal_ok = p < pattern.len()
            && pattern[p] != b'*'
            && pattern[p] == text[t]
            && !(star_is_wild && text[t] == b'*');
        if literal_ok {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            resume = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = resume {
            p = sp + 1;
            t = st + 1;
            resume = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Whether every pattern of `inner` fits inside one pattern of `outer`; the patterns of `inner` that do
/// not are returned (empty when it fits).
pub(crate) fn not_covered<'a>(outer: &[String], inner: &'a [String]) -> Vec<&'a str> {
    inner
        .iter()
        .filter(|i| !outer.iter().any(|o| glob_contains(o, i)))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_edge_cases() {
        assert!(glob_matches("deploy", "deploy"));
        assert!(!glob_matches("deploy", "deploys"));
        assert!(!glob_matches("deploy", "Deploy"));
        assert!(glob_matches("read:*", "read:"));
        assert!(glob_matches("read:*", "read:a:b"));
        assert!(!glob_matches("read:*", "read"));
        assert!(!glob_matches("read:*", "xread:a"));
        assert!(glob_matches("*:read", "secrets:read"));
        assert!(glob_matches("*:read", ":read"));
        assert!(!glob_matches("*:read", "secrets:readx"));
        assert!(glob_matches("a*b*c", "abc"));
        assert!(glob_matches("a*b*c", "axxbyyc"));
        assert!(!glob_matches("a*b*c", "axxbyy"));
        assert!(glob_matches("*a*", "bab"));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn containment() {
        assert!(glob_contains("*", "*"));
        assert!(glob_contains("read:*", "read:*"));
        assert!(glob_contains("read:*", "read:x*"));
        assert!(!glob_contains("read:x*", "read:*"));
        assert!(!glob_contains("read:*", "read"));
        assert!(glob_contains("*:read", "secrets:read"));
        assert!(!glob_contains("deploy", "deploy*"));
        assert!(glob_contains("*", "a*b"));
    }

    #[test]
    fn problems() {
        assert!(pattern_problem("", true).is_some());
        assert!(pattern_problem("read deployments", true).is_some());
        assert!(pattern_problem("read:[x]", true).is_some());
        assert!(pattern_problem("a?", true).is_some());
        assert!(pattern_problem("a**", true).is_some());
        assert_eq!(pattern_problem("team-3/app.read:x_y", false), None);
    }
}
