//! Short, escaped excerpts of text read from files, for messages that would otherwise echo a file's content.

/// The most characters of a file's content a message may quote: messages about a schema file that does not
/// parse quote at most this many characters of each piece of it (the parser's own message included).
pub const EXCERPT_CHARS: usize = 80;

/// At most [`EXCERPT_CHARS`] characters of `text`, followed by `…` when it was cut, with control characters
/// and invisible formatting characters (bidirectional overrides, zero-width characters, the byte-order mark)
/// written as Rust escapes (`\u{1b}`), so that no terminal control sequence reaches the terminal.
///
/// ```
/// use aoa_core::diagnostic::{EXCERPT_CHARS, excerpt};
/// assert_eq!(excerpt("bell\u{7}"), "bell\\u{7}");
/// assert_eq!(excerpt(&"x".repeat(1000)).chars().count(), EXCERPT_CHARS + 1);
/// ```
pub fn excerpt(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * EXCERPT_CHARS));
    for (i, c) in text.chars().enumerate() {
        if i == EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() || is_invisible(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Formatting characters that change how text around them is shown without being seen themselves.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::{EXCERPT_CHARS, excerpt};

    #[test]
    fn short_text_is_kept_and_long_text_cut() {
        assert_eq!(excerpt("fine"), "fine");
        let exact = "é".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&exact), exact);
        let cut = excerpt(&"é".repeat(EXCERPT_CHARS + 1));
        assert_eq!(cut, format!("{exact}…"));
    }

    #[test]
    fn control_and_invisible_characters_are_escaped() {
        assert_eq!(
            excerpt("\u{1b}[2J\r\n\u{202e}x\u{200b}"),
            "\\u{1b}[2J\\u{d}\\u{a}\\u{202e}x\\u{200b}"
        );
    }
}
