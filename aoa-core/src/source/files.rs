//! Reading files safely: only regular files, each under a size limit ([`LoadOptions`]), and — for the files a
//! manifest names — only inside the manifest's own directory tree after resolving symbolic links
//! ([`Confinement`]).

use crate::error::{Error, Result};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The default limit of one manifest file: 1 GiB (a generated manifest of 10^6 apps is about 150 MB).
pub const DEFAULT_MAX_MANIFEST_FILE_BYTES: u64 = 1 << 30;

/// The default limit of one schema file (an `.avsc` an app names, a registry version, a `compatibility`
/// file): 16 MiB.
pub const DEFAULT_MAX_SCHEMA_FILE_BYTES: u64 = 16 << 20;

/// Limits on the files loading a manifest from a path reads ([`crate::Manifest::from_path_with`]); a larger
/// file is an [`Error::Io`] naming the file, the limit and the option that raises it.
///
/// ```
/// use aoa_core::LoadOptions;
/// let options = LoadOptions { max_schema_file_bytes: 1 << 20, ..LoadOptions::default() };
/// assert_eq!(options.max_manifest_file_bytes, aoa_core::source::DEFAULT_MAX_MANIFEST_FILE_BYTES);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// The largest manifest file read, in bytes ([`DEFAULT_MAX_MANIFEST_FILE_BYTES`] unless set).
    pub max_manifest_file_bytes: u64,
    /// The largest schema file read, in bytes ([`DEFAULT_MAX_SCHEMA_FILE_BYTES`] unless set).
    pub max_schema_file_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_manifest_file_bytes: DEFAULT_MAX_MANIFEST_FILE_BYTES,
            max_schema_file_bytes: DEFAULT_MAX_SCHEMA_FILE_BYTES,
        }
    }
}

/// What a file is read as: chooses its limit and names it in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A manifest file.
    Manifest,
    /// A schema file.
    Schema,
}

impl LoadOptions {
    fn limit(&self, kind: FileKind) -> (u64, &'static str, &'static str) {
        match kind {
            FileKind::Manifest => (
                self.max_manifest_file_bytes,
                "a manifest file",
                "max_manifest_file_bytes",
            ),
            FileKind::Schema => (
                self.max_schema_file_bytes,
                "a schema file",
                "max_schema_file_bytes",
            ),
        }
    }
}

/// Reads the regular file `path` as UTF-8 text under the limit of `kind`.
///
/// The file's type and size are checked before it is opened (so a FIFO, a socket, a device or a directory is
/// an error at once, without blocking), and again on the opened handle, which is read through
/// `Read::take` so that a file growing meanwhile cannot pass the limit either.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read, is not a regular file, is larger than the limit or is a
/// schema file that is not UTF-8; [`Error::Syntax`] (at the byte offset, line and column of the first
/// invalid byte) when it is a manifest file that is not UTF-8.
pub fn read_file(path: &Path, kind: FileKind, options: &LoadOptions) -> Result<String> {
    read_resolved(path, path, kind, options)
}

/// [`read_file`] of `path`, a path resolved from `shown`, which errors name.
pub(crate) fn read_resolved(
    path: &Path,
    shown: &Path,
    kind: FileKind,
    options: &LoadOptions,
) -> Result<String> {
    let (limit, what, option) = options.limit(kind);
    let fail = |message: String| Error::Io {
        path: shown.display().to_string(),
        message,
    };
    let too_large = |size: Option<u64>| {
        let size = size.map_or_else(
            || "grew past".to_string(),
            |n| format!("has {n} bytes, more than"),
        );
        fail(format!(
            "the file {size} the limit of {limit} bytes{} for {what}; raise `{option}` of \
             `aoa_core::LoadOptions` and load with `Manifest::from_path_with` to read it",
            in_units(limit)
        ))
    };
    let check = |meta: &Metadata| {
        if let Some(kind) = not_regular(meta) {
            return Err(fail(format!(
                "not a regular file (it is {kind}); aoa reads only regular files"
            )));
        }
        if meta.len() > limit {
            return Err(too_large(Some(meta.len())));
        }
        Ok(meta.len())
    };
    check(&std::fs::metadata(path).map_err(|e| fail(e.to_string()))?)?;
    let file = open_nonblocking(path).map_err(|e| fail(e.to_string()))?;
    let size = check(&file.metadata().map_err(|e| fail(e.to_string()))?)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(too_large(None));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let message = format!("the file is not UTF-8 text (invalid byte at offset {offset})");
        match kind {
            FileKind::Manifest => not_utf8(shown, e.as_bytes(), offset),
            FileKind::Schema => fail(message),
        }
    })
}

/// The syntax error of a manifest file that is not UTF-8: at the byte offset of the first invalid byte,
/// with its line and column.
fn not_utf8(shown: &Path, bytes: &[u8], offset: usize) -> Error {
    let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let (line, column) = super::line_column(valid, offset);
    let code = match super::Format::from_path(shown) {
        Some(super::Format::Json) => "json-syntax",
        _ => "yaml-syntax",
    };
    let mut d = crate::diagnostic::Diagnostic::new(
        code,
        format!(
            "invalid UTF-8: byte {:#04x} at byte offset {offset} is not UTF-8 text",
            bytes.get(offset).copied().unwrap_or_default()
        ),
    )
    .with_hint("save the file as UTF-8");
    d.file = Some(shown.display().to_string());
    d.line = Some(line);
    d.column = Some(column);
    Error::Syntax {
        diagnostics: vec![d],
    }
}

/// ` (16 MiB)` for a limit that is a whole number of MiB or GiB, else nothing.
fn in_units(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    match bytes {
        0 => String::new(),
        b if b % (MIB << 10) == 0 => format!(" ({} GiB)", b / (MIB << 10)),
        b if b % MIB == 0 => format!(" ({} MiB)", b / MIB),
        _ => String::new(),
    }
}

/// Opens `path` for reading without blocking: should it have become a FIFO since it was checked, opening it
/// returns at once (and the check of the handle refuses it).
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// What a file is when it is not a regular file (`a directory`, `a FIFO`, ...).
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_char_device() {
            return Some("a character device");
        }
        if kind.is_block_device() {
            return Some("a block device");
        }
    }
    Some("not a file")
}

/// The directory tree a manifest may make aoa read: the directory it was read from (the manifest directory,
/// or the directory of the manifest file), with symbolic links resolved. Every file a manifest names, and
/// every file found by listing a directory for it, must resolve to a path inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confinement {
    root: PathBuf,
    label: &'static str,
}

/// Why a path of a [`Confinement`] cannot be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// It leads outside the tree; the message says how.
    Outside(String),
    /// It does not exist.
    Missing(Error),
    /// It cannot be resolved (permissions, a loop of links).
    Io(Error),
}

impl Confinement {
    /// The tree of a manifest path: the directory itself, or the directory of a manifest file.
    ///
    /// # Errors
    /// [`Error::Io`] when the directory cannot be resolved.
    pub fn of_manifest(path: &Path) -> Result<Confinement> {
        let dir = if path.is_dir() {
            path
        } else {
            match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            }
        };
        Confinement::new(dir, "the manifest directory")
    }

    /// The tree of a registry directory named directly.
    ///
    /// # Errors
    /// [`Error::Io`] when the directory cannot be resolved.
    pub fn of_registry(dir: &Path) -> Result<Confinement> {
        Confinement::new(dir, "the registry directory")
    }

    fn new(dir: &Path, label: &'static str) -> Result<Confinement> {
        let root = dir.canonicalize().map_err(|e| Error::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(Confinement { root, label })
    }

    /// The resolved root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the relative reference `reference`, written in a file of the tree whose directory is `base` (the
    /// root as the caller named it), leads: the resolved path to read.
    ///
    /// An absolute reference, or one whose `..` climb above `base`, is refused without touching the file
    /// system (so the answer does not tell whether something exists there); one that resolves outside the
    /// root through a symbolic link is refused after resolving.
    ///
    /// # Errors
    /// [`Refusal::Outside`], [`Refusal::Missing`] or [`Refusal::Io`].
    pub fn reference(&self, base: &Path, reference: &str) -> std::result::Result<PathBuf, Refusal> {
        let written = Path::new(reference);
        let mut depth = 0usize;
        for component in written.components() {
            match component {
                Component::Prefix(_) | Component::RootDir => {
                    return Err(Refusal::Outside(format!(
                        "`{reference}` is an absolute path; aoa reads only files inside {} `{}`",
                        self.label,
                        self.root.display()
                    )));
                }
                Component::ParentDir if depth == 0 => {
                    return Err(Refusal::Outside(format!(
                        "`{reference}` climbs out of {} `{}` with `..`; aoa reads only files inside it",
                        self.label,
                        self.root.display()
                    )));
                }
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                Component::CurDir => {}
            }
        }
        self.entry(&base.join(written))
            .map_err(|refusal| match refusal {
                Refusal::Outside(how) => Refusal::Outside(format!("`{reference}` {how}")),
                other => other,
            })
    }

    /// The resolved path of `path` (a path inside the root as the caller named it, such as an entry found by
    /// listing one of its directories), refused when it resolves outside the root.
    ///
    /// # Errors
    /// [`Refusal::Outside`] (its message continues a sentence naming the path: "resolves to ..."),
    /// [`Refusal::Missing`] or [`Refusal::Io`].
    pub fn entry(&self, path: &Path) -> std::result::Result<PathBuf, Refusal> {
        let resolved = path.canonicalize().map_err(|e| {
            let error = Error::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            };
            match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => {
                    Refusal::Missing(error)
                }
                _ => Refusal::Io(error),
            }
        })?;
        if resolved.starts_with(&self.root) {
            Ok(resolved)
        } else {
            Err(Refusal::Outside(format!(
                "resolves to `{}`, outside {} `{}`; aoa reads only files inside it",
                resolved.display(),
                self.label,
                self.root.display()
            )))
        }
    }
}
