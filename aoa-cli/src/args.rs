//! The argument every command shares, and the deprecated spellings it still accepts for one release.
//!
//! The manifest is always `-m/--manifest PATH` (default: the current directory), from [`ManifestArgs`]
//! flattened into every command; positional arguments are the question. The old positional manifest is
//! accepted where it is unambiguous: `validate`, `plan`, `teardown` and `graph` take no other positional
//! argument, so one is the manifest; `params` takes one (the app), so with two the first is the manifest.

use aoa_core::{Error, Manifest};
use std::path::{Path, PathBuf};

/// The manifest a command reads.
#[derive(clap::Args)]
pub(crate) struct ManifestArgs {
    /// The manifest: a file, or a directory of them [default: the current directory].
    #[arg(short, long, value_name = "PATH")]
    manifest: Option<PathBuf>,
}

impl ManifestArgs {
    /// The manifest path: `-m`, else the deprecated positional `legacy` (with a warning), else `.`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when both are given.
    pub(crate) fn path(&self, legacy: Option<&Path>) -> Result<PathBuf, Error> {
        match (&self.manifest, legacy) {
            (Some(_), Some(legacy)) => Err(Error::InvalidArgument {
                message: format!(
                    "the manifest is given twice: `-m` and the positional `{}`; keep `-m`",
                    legacy.display()
                ),
            }),
            (Some(path), None) => Ok(path.clone()),
            (None, Some(legacy)) => {
                deprecated(
                    "the positional manifest",
                    &format!("-m {}", legacy.display()),
                );
                Ok(legacy.to_path_buf())
            }
            (None, None) => Ok(PathBuf::from(".")),
        }
    }

    /// Loads the manifest (see [`ManifestArgs::path`]).
    ///
    /// # Errors
    ///
    /// As [`ManifestArgs::path`], then the errors of [`Manifest::from_path`].
    pub(crate) fn load(&self, legacy: Option<&Path>) -> Result<Manifest, Error> {
        Manifest::from_path(self.path(legacy)?)
    }
}

/// A deprecated spelling given with its replacement, on stderr: `warning: OLD is deprecated; use NEW`.
pub(crate) fn deprecated(old: &str, new: &str) {
    eprintln!("warning: {old} is deprecated; use {new}");
}

/// The value of an option that has a new name and an old, deprecated one (a warning when the old one is
/// used); `None` when neither is given. Clap rejects giving both.
pub(crate) fn renamed<T: Copy>(
    new: Option<T>,
    old: Option<T>,
    old_name: &str,
    new_name: &str,
) -> Option<T> {
    if old.is_some() {
        deprecated(&format!("`{old_name}`"), &format!("`{new_name}`"));
    }
    new.or(old)
}
