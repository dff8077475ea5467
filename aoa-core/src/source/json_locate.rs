//! A small, allocation-light walker over JSON text that finds where a JSON pointer's value starts.
//!
//! serde_json reports positions only for syntax errors; this index gives every diagnostic of a valid
//! JSON file its line and column. It is built only when a diagnostic needs a position.

/// Line starts and the start offsets of the entries of the top-level `apps` array.
#[derive(Debug)]
pub struct JsonIndex {
    line_starts: Vec<usize>,
    apps: Vec<usize>,
    /// The number of characters before each multiple of [`BLOCK`] bytes, so that a column on a long line
    /// (a one-line file of 10^5 apps) is counted from the nearest block, not from the start of the line.
    chars_before_block: Vec<usize>,
}

/// The byte span of one entry of [`JsonIndex::chars_before_block`].
const BLOCK: usize = 4096;

/// The characters in `bytes`: every byte that does not continue a UTF-8 sequence starts one.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl JsonIndex {
    /// Indexes `text` (one pass for lines, one for the `apps` array).
    pub fn build(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut apps = Vec::new();
        let array =
            descend(bytes, skip_ws(bytes, 0), &["apps"]).filter(|&s| bytes.get(s) == Some(&b'['));
        if let Some(start) = array {
            let mut i = skip_ws(bytes, start + 1);
            while i < bytes.len() && bytes[i] != b']' {
                apps.push(i);
                // No value here (text that is not JSON past a duplicate key): stop, or this would not advance.
                let Some(end) = value_end(bytes, i).filter(|&end| end > i) else {
                    break;
                };
                i = skip_ws(bytes, end);
                if bytes.get(i) == Some(&b',') {
                    i = skip_ws(bytes, i + 1);
                }
            }
        }
        let mut chars_before_block = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut total = 0;
        for block in bytes.chunks(BLOCK) {
            chars_before_block.push(total);
            total += chars_in(block);
        }
        chars_before_block.push(total);
        JsonIndex {
            line_starts,
            apps,
            chars_before_block,
        }
    }

    /// The characters of the text before byte `offset`, counted from the nearest block.
    fn chars_before(&self, bytes: &[u8], offset: usize) -> usize {
        let block = offset / BLOCK;
        self.chars_before_block.get(block).copied().unwrap_or(0)
            + chars_in(bytes.get(block * BLOCK..offset).unwrap_or_default())
    }

    /// The 1-based (line, column) of the value at `pointer`, if the text has one there.
    pub fn locate(&self, text: &str, pointer: &str) -> Option<(usize, usize)> {
        let tokens: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        let bytes = text.as_bytes();
        let offset = match tokens.as_slice() {
            ["apps", index, rest @ ..] => {
                descend(bytes, *self.apps.get(index.parse::<usize>().ok()?)?, rest)?
            }
            _ => descend(bytes, skip_ws(bytes, 0), &tokens)?,
        };
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let line_start = self.line_starts.get(line.checked_sub(1)?).copied()?;
        let column = self.chars_before(bytes, offset) - self.chars_before(bytes, line_start) + 1;
        Some((line, column))
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Index just past the string starting at `i` (which must be a `"`).
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// Index just past the value starting at `i`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            Some(j)
        }
    }
}

/// Follows `tokens` from the value starting at `i`; returns where the addressed value starts.
fn descend(b: &[u8], mut i: usize, tokens: &[&str]) -> Option<usize> {
    for token in tokens {
        i = skip_ws(b, i);
        match *b.get(i)? {
            b'{' => {
                i = skip_ws(b, i + 1);
                loop {
                    if b.get(i)? != &b'"' {
                        return None;
                    }
                    let key_end = string_end(b, i)?;
                    let raw = std::str::from_utf8(b.get(i..key_end)?).ok()?;
                    let matches = if raw.contains('\\') {
                        serde_json::from_str::<String>(raw).ok()? == *token
                    } else {
                        &raw[1..raw.len() - 1] == *token
                    };
                    i = skip_ws(b, key_end);
                    if b.get(i)? != &b':' {
                        return None;
                    }
                    i = skip_ws(b, i + 1);
                    if matches {
                        break;
                    }
                    i = skip_ws(b, value_end(b, i)?);
                    if b.get(i)? != &b',' {
                        return None;
                    }
                    i = skip_ws(b, i + 1);
                }
            }
            b'[' => {
                let wanted: usize = token.parse().ok()?;
                i = skip_ws(b, i + 1);
                for _ in 0..wanted {
                    i = skip_ws(b, value_end(b, i)?);
                    if b.get(i)? != &b',' {
                        return None;
                    }
                    i = skip_ws(b, i + 1);
                }
                if b.get(i)? == &b']' {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(skip_ws(b, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"apiVersion\": \"aoa/v1\",\n  \"apps\": [\n    {\"name\": \"a\"},\n    {\"name\": \"b\", \"depends_on\": [\"x\", \"a\"],\n     \"labels\": {\"a/b\": \"{[\\\"\"}}\n  ]\n}\n";

    #[test]
    fn finds_app_fields_and_array_items() {
        let index = JsonIndex::build(TEXT);
        assert_eq!(index.locate(TEXT, "/apps/0"), Some((4, 5)));
        assert_eq!(index.locate(TEXT, "/apps/1/name"), Some((5, 14)));
        assert_eq!(index.locate(TEXT, "/apps/1/depends_on/1"), Some((5, 39)));
        assert_eq!(index.locate(TEXT, "/apps/1/labels/a~1b"), Some((6, 24)));
        assert_eq!(index.locate(TEXT, "/apiVersion"), Some((2, 17)));
    }

    #[test]
    fn an_apps_array_that_is_not_json_ends_the_index() {
        for broken in [
            "{\"apps\": [,",
            "{\"apps\": [}",
            "{\"apps\": [:1",
            "{\"apps\": [1 }",
        ] {
            let index = JsonIndex::build(broken);
            assert!(index.apps.len() <= 2, "{broken}");
        }
    }

    #[test]
    fn missing_paths_are_none_not_panics() {
        let index = JsonIndex::build(TEXT);
        assert_eq!(index.locate(TEXT, "/apps/7/name"), None);
        assert_eq!(index.locate(TEXT, "/apps/1/depends_on/9"), None);
        assert_eq!(index.locate(TEXT, "/nope"), None);
        let broken = "{\"apps\": [{\"name\": \"a\"";
        let index = JsonIndex::build(broken);
        assert_eq!(index.locate(broken, "/apps/0/parent"), None);
    }
}
