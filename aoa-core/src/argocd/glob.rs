//! The two pattern languages Argo CD matches with: gobwas/glob (RBAC in glob mode, AppProject source repos
//! and destinations: `*`, `**`, `?`, `[a-z]`, `[!a]`, `{a,b}`, `\` escapes, with or without a separator)
//! and Go's `path/filepath.Match` (AppProject resource lists: `*`, `?`, `[^a]`, no braces).

/// Which language a pattern is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// github.com/gobwas/glob.
    Gobwas,
    /// Go's `path/filepath.Match` (separator `/`).
    Filepath,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Lit(char),
    /// `?`: one character, not the separator.
    One,
    /// `*`: any run of characters without the separator.
    Star,
    /// `**` (gobwas): any run of characters.
    Super,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// The most alternatives a pattern may expand to (`{a,b}{c,d}` is four).
const MAX_ALTERNATIVES: usize = 256;

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    /// The pattern's alternatives, braces expanded.
    alternatives: Vec<Vec<Token>>,
    separator: Option<char>,
    /// The pattern when it has no special character (matched by equality).
    literal: Option<String>,
}

impl Glob {
    /// Compiles `pattern`; `separator` is what `*` and `?` do not cross (`None`: they cross everything).
    ///
    /// # Errors
    /// The reason the pattern is malformed (an unclosed `[` or `{`, a trailing `\`, an empty class).
    pub fn compile(
        pattern: &str,
        dialect: Dialect,
        separator: Option<char>,
    ) -> Result<Glob, String> {
        let special: &[char] = match dialect {
            Dialect::Gobwas => &['*', '?', '[', '{', '\\'],
            Dialect::Filepath => &['*', '?', '[', '\\'],
        };
        if !pattern.contains(special) {
            return Ok(Glob {
                alternatives: Vec::new(),
                separator,
                literal: Some(pattern.to_string()),
            });
        }
        let chars: Vec<char> = pattern.chars().collect();
        let mut at = 0;
        let alternatives = parse_sequence(&chars, &mut at, dialect, false)?;
        if at < chars.len() {
            return Err(format!("unexpected `{}`", chars[at]));
        }
        Ok(Glob {
            alternatives,
            separator,
            literal: None,
        })
    }

    /// Whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        if let Some(literal) = &self.literal {
            return literal == text;
        }
        let text: Vec<char> = text.chars().collect();
        self.alternatives
            .iter()
            .any(|tokens| match_tokens(tokens, &text, self.separator))
    }
}

/// Parses tokens up to the end (or, inside braces, up to `,` or `}`), expanding nested braces.
fn parse_sequence(
    chars: &[char],
    at: &mut usize,
    dialect: Dialect,
    in_braces: bool,
) -> Result<Vec<Vec<Token>>, String> {
    let mut sequences: Vec<Vec<Token>> = vec![Vec::new()];
    while *at < chars.len() {
        let c = chars[*at];
        match c {
            ',' | '}' if in_braces => return Ok(sequences),
            '\\' => {
                let next = chars
                    .get(*at + 1)
                    .ok_or("a trailing `\\` escapes nothing")?;
                push(&mut sequences, Token::Lit(*next));
                *at += 2;
            }
            '*' => {
                if dialect == Dialect::Gobwas && chars.get(*at + 1) == Some(&'*') {
                    push(&mut sequences, Token::Super);
                    *at += 2;
                } else {
                    push(&mut sequences, Token::Star);
                    *at += 1;
                }
            }
            '?' => {
                push(&mut sequences, Token::One);
                *at += 1;
            }
            '[' => {
                let token = parse_class(chars, at, dialect)?;
                push(&mut sequences, token);
            }
            '{' if dialect == Dialect::Gobwas => {
                *at += 1;
                let mut options: Vec<Vec<Token>> = Vec::new();
                loop {
                    options.extend(parse_sequence(chars, at, dialect, true)?);
                    match chars.get(*at) {
                        Some(',') => *at += 1,
                        Some('}') => {
                            *at += 1;
                            break;
                        }
                        _ => return Err("an unclosed `{`".into()),
                    }
                }
                if sequences.len() * options.len() > MAX_ALTERNATIVES {
                    return Err(format!("more than {MAX_ALTERNATIVES} alternatives"));
                }
                sequences = sequences
                    .iter()
                    .flat_map(|s| {
                        options.iter().map(move |o| {
                            let mut s = s.clone();
                            s.extend(o.iter().cloned());
                            s
                        })
                    })
                    .collect();
            }
            other => {
                push(&mut sequences, Token::Lit(other));
                *at += 1;
            }
        }
    }
    if in_braces {
        return Err("an unclosed `{`".into());
    }
    Ok(sequences)
}

fn push(sequences: &mut [Vec<Token>], token: Token) {
    for s in sequences {
        s.push(token.clone());
    }
}

fn parse_class(chars: &[char], at: &mut usize, dialect: Dialect) -> Result<Token, String> {
    *at += 1;
    let negation = match dialect {
        Dialect::Gobwas => '!',
        Dialect::Filepath => '^',
    };
    let negated = chars.get(*at) == Some(&negation);
    if negated {
        *at += 1;
    }
    let mut ranges = Vec::new();
    loop {
        let Some(&c) = chars.get(*at) else {
            return Err("an unclosed `[`".into());
        };
        if c == ']' {
            *at += 1;
            break;
        }
        let low = read_class_char(chars, at, dialect)?;
        let high = if chars.get(*at) == Some(&'-') && chars.get(*at + 1).is_some_and(|&c| c != ']')
        {
            *at += 1;
            read_class_char(chars, at, dialect)?
        } else {
            low
        };
        if high < low {
            return Err(format!("the range `{low}-{high}` is reversed"));
        }
        ranges.push((low, high));
    }
    if ranges.is_empty() {
        return Err("an empty `[]`".into());
    }
    Ok(Token::Class { negated, ranges })
}

fn read_class_char(chars: &[char], at: &mut usize, dialect: Dialect) -> Result<char, String> {
    let c = chars.get(*at).copied().ok_or("an unclosed `[`")?;
    *at += 1;
    if c == '\\' && dialect == Dialect::Filepath {
        let escaped = chars.get(*at).copied().ok_or("an unclosed `[`")?;
        *at += 1;
        return Ok(escaped);
    }
    Ok(c)
}

fn match_tokens(tokens: &[Token], text: &[char], separator: Option<char>) -> bool {
    let is_sep = |c: char| Some(c) == separator;
    match tokens.split_first() {
        None => text.is_empty(),
        Some((Token::Lit(c), rest)) => {
            text.first() == Some(c) && match_tokens(rest, &text[1..], separator)
        }
        Some((Token::One, rest)) => {
            text.first().is_some_and(|&c| !is_sep(c)) && match_tokens(rest, &text[1..], separator)
        }
        Some((Token::Class { negated, ranges }, rest)) => {
            text.first().is_some_and(|&c| {
                let inside = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                inside != *negated && !(*negated && is_sep(c))
            }) && match_tokens(rest, &text[1..], separator)
        }
        Some((Token::Star, rest)) => {
            for skip in 0..=text.len() {
                if match_tokens(rest, &text[skip..], separator) {
                    return true;
                }
                if skip < text.len() && is_sep(text[skip]) {
                    return false;
                }
            }
            false
        }
        Some((Token::Super, rest)) => {
            (0..=text.len()).any(|skip| match_tokens(rest, &text[skip..], separator))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gob(p: &str, t: &str, sep: Option<char>) -> bool {
        Glob::compile(p, Dialect::Gobwas, sep).unwrap().matches(t)
    }

    #[test]
    fn gobwas_without_separator_crosses_slashes() {
        assert!(gob("foo/*", "foo/bar/baz", None));
        assert!(gob(
            "https://github.com/*/*.git",
            "https://github.com/argoproj/argo-cd.git",
            None
        ));
        assert!(!gob(
            "https://github.com/*/*.git",
            "https://github.com/argo-cd.git",
            None
        ));
        assert!(gob(
            "action/argoproj.io/Rollout/*",
            "action/argoproj.io/Rollout/resume",
            None
        ));
        assert!(gob("{kube-system,argocd}", "argocd", None));
        assert!(gob("team-[a-c]?", "team-bx", None));
        assert!(!gob("team-[!a-c]?", "team-bx", None));
        assert!(!gob(".+", "anything", None));
        assert!(gob("a\\*", "a*", None));
        assert!(Glob::compile("[abc", Dialect::Gobwas, None).is_err());
        assert!(Glob::compile("{a,b", Dialect::Gobwas, None).is_err());
    }

    #[test]
    fn separators_bound_single_stars() {
        assert!(!gob(
            "https://gitlab.com/group/*",
            "https://gitlab.com/group/repo/owner",
            Some('/')
        ));
        assert!(gob(
            "https://gitlab.com/group/*/*",
            "https://gitlab.com/group/repo/owner",
            Some('/')
        ));
        assert!(gob(
            "https://gitlab.com/group/**",
            "https://gitlab.com/group/sub/repo/owner",
            Some('/')
        ));
    }

    #[test]
    fn filepath_match_has_caret_negation_and_no_braces() {
        let m = |p: &str, t: &str| {
            Glob::compile(p, Dialect::Filepath, Some('/'))
                .unwrap()
                .matches(t)
        };
        assert!(m("team1-*", "team1-namespace"));
        assert!(!m("team1-*", "other"));
        assert!(m("[^x]pps", "apps"));
        assert!(m("{a,b}", "{a,b}"));
    }
}
