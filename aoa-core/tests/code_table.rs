//! The code lists of the README and `docs/*.md` are checked against the core's tables: the README's code
//! table lists every diagnostic code of `aoa_core::diagnostic::CODES`, and every code the documents name
//! (in that table, after `code` in prose, or as the `[code]` of a printed diagnostic) exists.

use aoa_core::ErrorCode;
use aoa_core::diagnostic::{CODES, is_code};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn known(token: &str) -> bool {
    is_code(token) || ErrorCode::parse(token).is_some()
}

/// The backticked tokens of `text` that look like codes (lowercase words joined by `-`).
fn code_like(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| {
            !t.is_empty()
                && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && !t.starts_with('-')
        })
        .collect()
}

fn documents() -> Vec<(String, String)> {
    let mut paths = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (p.display().to_string(), text)
        })
        .collect()
}

#[test]
fn the_readme_code_table_lists_every_diagnostic_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap_or_default();
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| code |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(
        !table.is_empty(),
        "the README has no `| code | problem |` table"
    );
    let listed: BTreeSet<&str> = table
        .iter()
        .flat_map(|row| code_like(row.split('|').nth(1).unwrap_or("")))
        .collect();
    let unknown: Vec<&&str> = listed.iter().filter(|c| !known(c)).collect();
    assert!(
        unknown.is_empty(),
        "the README lists unknown codes: {unknown:?}"
    );
    let missing: Vec<&str> = CODES
        .iter()
        .map(|c| c.name)
        .filter(|c| !listed.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "the README's code table lacks: {missing:?}"
    );
}

#[test]
fn every_code_the_documents_name_exists() {
    let mut unknown = Vec::new();
    for (file, text) in documents() {
        for paragraph in text.split("\n\n") {
            if paragraph.contains("code `") || paragraph.contains("codes `") {
                for token in code_like(paragraph) {
                    if !known(token) && token.contains('-') {
                        unknown.push(format!("{file}: `{token}`"));
                    }
                }
            }
        }
        for line in text.lines() {
            let Some(tag) = line.trim_end().strip_suffix(']') else {
                continue;
            };
            let Some(at) = tag.rfind(" [") else { continue };
            let code = &tag[at + 2..];
            if code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && code.contains('-')
                && !code.starts_with('-')
                && !known(code)
            {
                unknown.push(format!("{file}: [{code}]"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "unknown codes in the documents:\n{}",
        unknown.join("\n")
    );
}
