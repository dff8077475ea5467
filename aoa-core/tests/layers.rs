//! The core's layers (see the table at the top of `src/lib.rs`): a module may import only modules of
//! earlier layers, and modules of one layer never import each other. A source scan of every `crate::X`
//! path outside comments.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module of `aoa-core/src` and its layer (times ten: `argocd` sits on `api`, and `dispatch` on both, inside layer 5).
const LAYERS: &[(&str, u32)] = &[
    ("diagnostic", 0),
    ("suggest", 0),
    ("error", 10),
    ("source", 20),
    ("schema", 20),
    ("manifest", 30),
    ("graph", 40),
    ("access", 40),
    ("params", 40),
    ("schedule", 40),
    ("api", 50),
    ("argocd", 51),
    ("dispatch", 52),
];

fn layer_of(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|&(_, l)| l)
}

/// The top-level module a file of `src/` belongs to (`graph/plan.rs` → `graph`).
fn module_of(relative: &Path) -> String {
    let first = relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    first
        .unwrap_or_default()
        .trim_end_matches(".rs")
        .to_string()
}

/// Every `crate::X` in the code (not the comments) of `text`.
fn imports(text: &str) -> Vec<(usize, String)> {
    segments_after(text, "crate::")
}

/// The first path segment after every `prefix` in the code (not the comments) of `text`, with braces
/// expanded one level (`use crate::{a, b::c}` gives `a` and `b`).
fn segments_after(text: &str, prefix: &str) -> Vec<(usize, String)> {
    let ident = |s: &str| -> String {
        s.trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line.split("//").next().unwrap_or("");
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            match rest.strip_prefix('{') {
                Some(inner) => {
                    let list = inner.split('}').next().unwrap_or("");
                    found.extend(list.split(',').map(|item| (n + 1, ident(item))));
                }
                None => found.push((n + 1, ident(rest))),
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_imports_only_earlier_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 20,
        "the scan found too few files under {}",
        src.display()
    );
    let mut violations = Vec::new();
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap_or(file);
        let module = module_of(relative);
        if module == "lib" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            violations.push(format!(
                "{}: module `{module}` has no layer in LAYERS",
                relative.display()
            ));
            continue;
        };
        *seen.entry(module.clone()).or_default() += 1;
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (line, target) in imports(&text) {
            if target == module {
                continue;
            }
            match layer_of(&target) {
                Some(l) if l < own => {}
                Some(l) => violations.push(format!(
                    "{}:{line}: `{module}` (layer {own}) imports `{target}` (layer {l})",
                    relative.display()
                )),
                // Re-exports at the crate root (`crate::Result`, `crate::Manifest`) name the module they come from.
                None => match root_reexport(&target) {
                    Some(from) if layer_of(from).is_some_and(|l| l < own) => {}
                    _ => violations.push(format!(
                        "{}:{line}: `{module}` (layer {own}) uses `crate::{target}`; import it from its module",
                        relative.display()
                    )),
                },
            }
        }
    }
    assert_eq!(
        seen.len(),
        LAYERS.len(),
        "every layered module has files: {seen:?}"
    );
    assert!(
        violations.is_empty(),
        "layer violations:\n{}",
        violations.join("\n")
    );
}

/// The module a crate-root re-export comes from.
fn root_reexport(name: &str) -> Option<&'static str> {
    match name {
        "Result" | "Error" | "ErrorCode" => Some("error"),
        "Diagnostic" | "Location" | "Cycle" => Some("diagnostic"),
        "Format" | "SourceText" => Some("source"),
        _ => None,
    }
}

#[test]
fn the_scan_sees_imports_and_skips_comments() {
    let found = imports(
        "use crate::graph::Graph; // crate::api\n/// crate::dispatch\nlet x = crate::error::Error::Io;",
    );
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["graph", "error"]);
}

/// The crates above the core (layer 6) and the core modules they may not reach into: they use the facade
/// (`aoa_core::Manifest` and the other crate-root re-exports), `dispatch`, and the result types of `access`
/// and `schema`.
const ABOVE: &[&str] = &["aoa-cli", "aoa-py", "aoa-node", "aoa-ffi", "aoa-kotlin"];
const INTERNAL: &[&str] = &[
    "source",
    "manifest",
    "params",
    "graph",
    "api",
    "suggest",
    "error",
    "diagnostic",
];

/// The first path segment after every `aoa_core::` in the code of `text`, braces expanded one level.
fn core_paths(text: &str) -> Vec<(usize, String)> {
    segments_after(text, "aoa_core::")
}

#[test]
fn the_cli_and_the_bindings_use_only_the_facade_dispatch_and_result_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut violations = Vec::new();
    let mut scanned = 0;
    for krate in ABOVE {
        let mut files = Vec::new();
        rust_files(&root.join(krate).join("src"), &mut files);
        for file in files {
            scanned += 1;
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (line, name) in core_paths(&text) {
                if INTERNAL.contains(&name.as_str()) {
                    violations.push(format!(
                        "{}:{line}: uses `aoa_core::{name}`",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(scanned >= 5, "the scan found too few files");
    assert!(
        violations.is_empty(),
        "layer 6 reaches into the core:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_core_path_scan_expands_braces() {
    let found = core_paths(
        "use aoa_core::{Error, source, dispatch::text};\nlet m = aoa_core::Manifest::from_str(x); // aoa_core::api",
    );
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["Error", "source", "dispatch", "Manifest"]);
}
