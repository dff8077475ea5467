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
        push_escaped(&mut out, c);
    }
    out
}

/// `text` whole, with control and invisible formatting characters written as `\u{1b}` (borrowed when
/// there is none): how every name from the input is printed for people.
///
/// ```
/// use aoa_core::diagnostic::escaped;
/// assert_eq!(escaped("web\u{1b}[31m"), "web\\u{1b}[31m");
/// assert_eq!(escaped("web/api"), "web/api");
/// ```
pub fn escaped(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    if needs_escape(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// Whether `c` is a control character or an invisible formatting character (see [`is_invisible`]).
pub fn needs_escape(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// Formatting characters that change how text around them is shown without being seen themselves:
/// bidirectional marks, embeddings, overrides and isolates, zero-width characters, invisible fillers,
/// variation selectors, tag characters and the byte-order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
        | '\u{fff0}'..='\u{fffb}' | '\u{e0000}'..='\u{e0fff}')
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
