//! What loading a manifest from a path may read: only regular files, each under a size limit, and — for the
//! files a manifest names (schema files, the registry, the files of a manifest directory) — only inside the
//! manifest's own directory tree after resolving symbolic links. A schema file that does not parse is echoed
//! only as a short, escaped excerpt.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::source::{self, LoadOptions};
use aoa_core::{Error, Manifest};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

const SCHEMA: &str = r#"{"type":"record","name":"Svc","fields":[{"name":"port","type":"int"}]}"#;
const SECRET: &str = "TOP-SECRET-CONTENT-OF-A-FILE-OUTSIDE";

/// A fresh directory `<tmp>/aoa-files-<pid>-<name>/` holding `outside.avsc` (a valid schema with a secret
/// in its doc) and `proj/` (the manifest directory, with `schemas/`); returns `(outer, proj)`.
fn tree(name: &str) -> (PathBuf, PathBuf) {
    let outer = std::env::temp_dir().join(format!("aoa-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&outer);
    let proj = outer.join("proj");
    std::fs::create_dir_all(proj.join("schemas")).unwrap();
    std::fs::write(outer.join("outside.avsc"), secret_schema()).unwrap();
    (outer, proj)
}

fn secret_schema() -> String {
    format!(
        r#"{{"type":"record","name":"Svc","doc":"{SECRET}","fields":[{{"name":"port","type":"int"}}]}}"#
    )
}

/// `proj/aoa.yaml` with one app `a` whose `schema` is `schema`.
fn manifest_with_schema(proj: &Path, schema: &str) -> PathBuf {
    let file = proj.join("aoa.yaml");
    std::fs::write(
        &file,
        format!("apps:\n  - name: a\n    schema: '{schema}'\n    params: {{port: 1}}\n"),
    )
    .unwrap();
    file
}

/// Runs `f` on another thread and fails if it has not returned after 20 s (a read that blocks on a FIFO
/// or never ends on a device must not pass for a result).
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what}: still reading after 20 s"))
}

fn load(path: &Path) -> Result<Manifest, Error> {
    let path = path.to_path_buf();
    within(&path.display().to_string(), move || {
        Manifest::from_path(&path)
    })
}

/// The `file-outside-manifest` diagnostic of a params error that does not echo the secret.
fn refusal(result: Result<Manifest, Error>) -> aoa_core::Diagnostic {
    let err = result.expect_err("the manifest must not load");
    assert_eq!(err.code().as_str(), "params", "{err}");
    assert!(!err.to_string().contains(SECRET), "{err}");
    err.diagnostics()
        .into_iter()
        .find(|d| d.code == "file-outside-manifest")
        .unwrap_or_else(|| panic!("no file-outside-manifest diagnostic in {err}"))
}

/// A refusal of a schema path, checked to name the app and the path as written.
fn assert_refused(result: Result<Manifest, Error>, written: &str) {
    let d = refusal(result);
    assert_eq!(d.app.as_deref(), Some("a"), "{d:?}");
    assert_eq!(d.path.as_deref(), Some("/apps/0/schema"), "{d:?}");
    assert!(d.message.contains(written), "{}", d.message);
}

fn assert_io(result: Result<Manifest, Error>, needles: &[&str]) -> String {
    let err = result.expect_err("the manifest must not load");
    let text = err.to_string();
    assert_eq!(err.code().as_str(), "io", "{text}");
    for needle in needles {
        assert!(text.contains(needle), "`{needle}` not in: {text}");
    }
    text
}

fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_schema_path_with_dotdot_leading_outside_is_refused() {
    let (outer, proj) = tree("dotdot");
    assert_refused(
        load(&manifest_with_schema(&proj, "../outside.avsc")),
        "../outside.avsc",
    );
    // Leaving the tree and coming back is refused too; staying inside is fine.
    std::fs::create_dir_all(proj.join("sub")).unwrap();
    std::fs::write(proj.join("local.avsc"), SCHEMA).unwrap();
    assert_refused(
        load(&manifest_with_schema(&proj, "../proj/local.avsc")),
        "../proj/local.avsc",
    );
    load(&manifest_with_schema(&proj, "sub/../local.avsc")).unwrap();
    load(&manifest_with_schema(&proj, "./local.avsc")).unwrap();
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn an_absolute_schema_path_is_refused_even_inside_the_tree() {
    let (outer, proj) = tree("absolute");
    let outside = outer.join("outside.avsc").display().to_string();
    assert_refused(load(&manifest_with_schema(&proj, &outside)), &outside);
    std::fs::write(proj.join("local.avsc"), SCHEMA).unwrap();
    let inside = proj.join("local.avsc").display().to_string();
    assert_refused(load(&manifest_with_schema(&proj, &inside)), &inside);
    // `/dev/zero` is absolute: refused before anything is opened.
    assert_refused(load(&manifest_with_schema(&proj, "/dev/zero")), "/dev/zero");
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn symbolic_links_leading_outside_are_refused() {
    let (outer, proj) = tree("links");
    symlink("../outside.avsc", proj.join("link.avsc"));
    assert_refused(load(&manifest_with_schema(&proj, "link.avsc")), "link.avsc");
    // A linked directory leading outside.
    std::fs::create_dir_all(outer.join("elsewhere")).unwrap();
    std::fs::write(outer.join("elsewhere/x.avsc"), secret_schema()).unwrap();
    symlink(outer.join("elsewhere"), proj.join("sub"));
    assert_refused(
        load(&manifest_with_schema(&proj, "sub/x.avsc")),
        "sub/x.avsc",
    );
    // A link to a device is outside too: never opened.
    symlink("/dev/zero", proj.join("zero.avsc"));
    assert_refused(load(&manifest_with_schema(&proj, "zero.avsc")), "zero.avsc");
    // A link that stays inside the tree is followed.
    std::fs::create_dir_all(proj.join("real")).unwrap();
    std::fs::write(proj.join("real/svc.avsc"), SCHEMA).unwrap();
    symlink("real/svc.avsc", proj.join("inside.avsc"));
    let m = load(&manifest_with_schema(&proj, "inside.avsc")).unwrap();
    assert!(m.param_schema(m.app("a").unwrap()).is_some());
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn a_missing_schema_file_stays_an_unknown_schema() {
    let (outer, proj) = tree("missing");
    let err = load(&manifest_with_schema(&proj, "nope.avsc"))
        .err()
        .unwrap();
    let codes: Vec<_> = err.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["unknown-schema"]);
    // Outside and missing is refused without telling whether it exists.
    assert_refused(
        load(&manifest_with_schema(&proj, "../nope.avsc")),
        "../nope.avsc",
    );
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn a_fifo_socket_or_directory_as_schema_file_is_an_io_error_at_once() {
    let (outer, proj) = tree("special");
    mkfifo(&proj.join("fifo.avsc"));
    assert_io(
        load(&manifest_with_schema(&proj, "fifo.avsc")),
        &["fifo.avsc", "not a regular file", "FIFO"],
    );
    std::fs::create_dir_all(proj.join("dir.avsc")).unwrap();
    assert_io(
        load(&manifest_with_schema(&proj, "dir.avsc")),
        &["dir.avsc", "not a regular file", "directory"],
    );
    let _socket = std::os::unix::net::UnixListener::bind(proj.join("sock.avsc")).unwrap();
    assert_io(
        load(&manifest_with_schema(&proj, "sock.avsc")),
        &["sock.avsc", "not a regular file", "socket"],
    );
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn a_device_or_fifo_named_as_the_manifest_is_an_io_error_at_once() {
    assert_io(
        load(Path::new("/dev/zero")),
        &["/dev/zero", "not a regular file"],
    );
    let (outer, proj) = tree("fifo-manifest");
    mkfifo(&proj.join("aoa.yaml"));
    assert_io(load(&proj.join("aoa.yaml")), &["aoa.yaml", "FIFO"]);
    // In a manifest directory, a FIFO or a directory with a manifest's extension is an error, not skipped.
    assert_io(load(&proj), &["aoa.yaml", "FIFO"]);
    std::fs::remove_file(proj.join("aoa.yaml")).unwrap();
    std::fs::write(proj.join("a.yaml"), "apps:\n  - name: a\n").unwrap();
    std::fs::create_dir_all(proj.join("b.yaml")).unwrap();
    assert_io(load(&proj), &["b.yaml", "directory"]);
    // A schema file named directly (as `aoa schema fingerprint` does) is checked the same way.
    let err = within("read_schema_file", || {
        source::read_schema_file(Path::new("/dev/zero"))
    })
    .err()
    .unwrap();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn a_manifest_directory_entry_linking_outside_is_refused() {
    let (outer, proj) = tree("dir-entry");
    std::fs::write(proj.join("a.yaml"), "apps:\n  - name: a\n").unwrap();
    std::fs::write(
        outer.join("elsewhere.yaml"),
        format!("apps:\n  - name: {SECRET}\n"),
    )
    .unwrap();
    symlink("../elsewhere.yaml", proj.join("b.yaml"));
    let text = assert_io(load(&proj), &["b.yaml", "outside"]);
    assert!(!text.contains(SECRET), "{text}");
    // A link inside the directory is followed, and the file named directly is trusted.
    std::fs::remove_file(proj.join("b.yaml")).unwrap();
    symlink("a.yaml", proj.join("b.yaml"));
    assert!(load(&proj).is_err_and(|e| e.code().as_str() == "manifest")); // `a` twice
    std::fs::remove_file(proj.join("b.yaml")).unwrap();
    assert_eq!(load(&proj).unwrap().len(), 1);
    assert_eq!(load(&outer.join("elsewhere.yaml")).unwrap().len(), 1);
    std::fs::remove_dir_all(outer).unwrap();
}

/// A refusal of a registry entry, checked to name `file`.
fn assert_registry_refused(result: Result<Manifest, Error>, file: &str) {
    let d = refusal(result);
    assert!(
        d.file.as_deref().is_some_and(|f| f.ends_with(file)),
        "{d:?}"
    );
}

#[test]
fn registry_entries_linking_outside_are_refused() {
    let (outer, proj) = tree("registry");
    let manifest = manifest_with_schema(&proj, "svc@1");
    // A version file linking outside.
    std::fs::create_dir_all(proj.join("schemas/svc")).unwrap();
    symlink("../../../outside.avsc", proj.join("schemas/svc/1.avsc"));
    assert_registry_refused(load(&manifest), "schemas/svc/1.avsc");
    // A subject directory linking outside.
    std::fs::remove_dir_all(proj.join("schemas/svc")).unwrap();
    std::fs::create_dir_all(outer.join("subject")).unwrap();
    std::fs::write(outer.join("subject/1.avsc"), secret_schema()).unwrap();
    symlink("../../subject", proj.join("schemas/svc"));
    assert_registry_refused(load(&manifest), "schemas/svc");
    // The registry directory itself linking outside.
    std::fs::remove_dir_all(proj.join("schemas")).unwrap();
    std::fs::create_dir_all(outer.join("registry/svc")).unwrap();
    std::fs::write(outer.join("registry/svc/1.avsc"), secret_schema()).unwrap();
    symlink("../registry", proj.join("schemas"));
    assert_registry_refused(load(&manifest), "schemas");
    // A compatibility file linking outside.
    std::fs::remove_file(proj.join("schemas")).unwrap();
    std::fs::create_dir_all(proj.join("schemas/svc")).unwrap();
    std::fs::write(proj.join("schemas/svc/1.avsc"), SCHEMA).unwrap();
    load(&manifest).unwrap();
    symlink("/etc/hostname", proj.join("schemas/svc/compatibility"));
    assert_registry_refused(load(&manifest), "schemas/svc/compatibility");
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn registry_entries_that_are_not_regular_files_are_io_errors() {
    let (outer, proj) = tree("registry-special");
    let manifest = manifest_with_schema(&proj, "svc@1");
    std::fs::create_dir_all(proj.join("schemas/svc")).unwrap();
    mkfifo(&proj.join("schemas/svc/1.avsc"));
    assert_io(load(&manifest), &["1.avsc", "FIFO"]);
    std::fs::remove_file(proj.join("schemas/svc/1.avsc")).unwrap();
    std::fs::create_dir_all(proj.join("schemas/svc/1.avsc")).unwrap();
    assert_io(load(&manifest), &["1.avsc", "directory"]);
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn every_file_read_has_a_configurable_size_limit() {
    let defaults = LoadOptions::default();
    assert_eq!(defaults.max_manifest_file_bytes, 1 << 30);
    assert_eq!(defaults.max_schema_file_bytes, 16 << 20);
    let (outer, proj) = tree("limits");
    std::fs::write(proj.join("local.avsc"), SCHEMA).unwrap();
    let manifest = manifest_with_schema(&proj, "local.avsc");
    Manifest::from_path_with(&manifest, &defaults).unwrap();

    let tiny_schema = LoadOptions {
        max_schema_file_bytes: 10,
        ..LoadOptions::default()
    };
    assert_io(
        Manifest::from_path_with(&manifest, &tiny_schema),
        &["local.avsc", "10 bytes", "max_schema_file_bytes"],
    );
    // The registry is read under the same limit.
    std::fs::create_dir_all(proj.join("schemas/svc")).unwrap();
    std::fs::write(proj.join("schemas/svc/1.avsc"), SCHEMA).unwrap();
    let registry_manifest = manifest_with_schema(&proj, "svc@1");
    Manifest::from_path(&registry_manifest).unwrap();
    assert_io(
        Manifest::from_path_with(&registry_manifest, &tiny_schema),
        &["schemas/svc/1.avsc", "10 bytes"],
    );

    let tiny_manifest = LoadOptions {
        max_manifest_file_bytes: 20,
        ..LoadOptions::default()
    };
    for path in [registry_manifest.clone(), proj.clone()] {
        assert_io(
            Manifest::from_path_with(&path, &tiny_manifest),
            &["aoa.yaml", "20 bytes", "max_manifest_file_bytes"],
        );
    }
    std::fs::remove_dir_all(outer).unwrap();
}

/// The message of the one `invalid-schema` diagnostic of loading `manifest`.
fn invalid_schema_message(manifest: &Path) -> String {
    let err = load(manifest).expect_err("the schema must not parse");
    let d = err
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "invalid-schema" || d.code == "registry")
        .unwrap_or_else(|| panic!("no schema diagnostic in {err}"));
    d.message
}

#[test]
fn a_schema_file_that_does_not_parse_is_echoed_only_as_a_short_escaped_excerpt() {
    let (outer, proj) = tree("excerpt");
    let long = "S".repeat(500);
    // The parser's message quotes the unknown type name: a control sequence and 500 characters of it.
    std::fs::write(
        proj.join("bad.avsc"),
        format!(r#"{{"type":"\u001b]0;owned\u0007{long}"}}"#),
    )
    .unwrap();
    let message = invalid_schema_message(&manifest_with_schema(&proj, "bad.avsc"));
    assert!(
        !message.contains('\u{1b}') && !message.contains('\u{7}'),
        "{message:?}"
    );
    assert!(message.contains("\\u{1b}"), "{message}");
    assert!(!message.contains(&"S".repeat(81)), "{message}");
    assert!(message.chars().count() < 250, "{message}");

    // A registry version that does not parse, and a compatibility file that names no mode.
    std::fs::create_dir_all(proj.join("schemas/svc")).unwrap();
    std::fs::write(
        proj.join("schemas/svc/1.avsc"),
        format!(r#"{{"type":"record","name":"R","fields":[{{"name":"a","type":"int","default":"{long}"}}]}}"#),
    )
    .unwrap();
    let manifest = manifest_with_schema(&proj, "svc@1");
    let message = invalid_schema_message(&manifest);
    assert!(!message.contains(&"S".repeat(81)), "{message}");
    std::fs::write(proj.join("schemas/svc/1.avsc"), SCHEMA).unwrap();
    std::fs::write(
        proj.join("schemas/svc/compatibility"),
        format!("\u{1b}[2J{long}"),
    )
    .unwrap();
    let message = invalid_schema_message(&manifest);
    assert!(
        !message.contains(&"S".repeat(81)) && !message.contains('\u{1b}'),
        "{message}"
    );
    std::fs::remove_dir_all(outer).unwrap();
}
