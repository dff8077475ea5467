//! A schema registry: subjects with ordered versions `1, 2, ...` and a
//! compatibility mode per subject, with the meaning of Confluent Schema
//! Registry:
//!
//! - `BACKWARD`: the new schema, as reader, reads data written with the
//!   latest version;
//! - `FORWARD`: the latest version, as reader, reads data written with the
//!   new schema;
//! - `FULL`: both;
//! - `*_TRANSITIVE`: the same against every earlier version, newest first;
//! - `NONE`: no check.
//!
//! The registry does no I/O: the caller reads `schemas/<subject>/<version>.avsc`
//! and hands in `(subject, version, text)` triples.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::compat::{Incompatibility, check as check_compat};
use super::parse::{ParsedSchema, SchemaError};

/// How a subject's new versions must relate to its earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompatibilityMode {
    /// No check.
    None,
    /// The new schema reads data of the latest version (the default).
    #[default]
    Backward,
    /// The new schema reads data of every version.
    BackwardTransitive,
    /// The latest version reads data of the new schema.
    Forward,
    /// Every version reads data of the new schema.
    ForwardTransitive,
    /// Backward and forward against the latest version.
    Full,
    /// Backward and forward against every version.
    FullTransitive,
}

impl CompatibilityMode {
    const ALL: [(&'static str, CompatibilityMode); 7] = [
        ("NONE", CompatibilityMode::None),
        ("BACKWARD", CompatibilityMode::Backward),
        ("BACKWARD_TRANSITIVE", CompatibilityMode::BackwardTransitive),
        ("FORWARD", CompatibilityMode::Forward),
        ("FORWARD_TRANSITIVE", CompatibilityMode::ForwardTransitive),
        ("FULL", CompatibilityMode::Full),
        ("FULL_TRANSITIVE", CompatibilityMode::FullTransitive),
    ];

    fn directions(self) -> &'static [Direction] {
        match self {
            CompatibilityMode::None => &[],
            CompatibilityMode::Backward | CompatibilityMode::BackwardTransitive => {
                &[Direction::Backward]
            }
            CompatibilityMode::Forward | CompatibilityMode::ForwardTransitive => {
                &[Direction::Forward]
            }
            CompatibilityMode::Full | CompatibilityMode::FullTransitive => {
                &[Direction::Backward, Direction::Forward]
            }
        }
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            CompatibilityMode::BackwardTransitive
                | CompatibilityMode::ForwardTransitive
                | CompatibilityMode::FullTransitive
        )
    }
}

impl fmt::Display for CompatibilityMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Self::ALL
            .iter()
            .find(|(_, m)| m == self)
            .map_or("", |(n, _)| n);
        f.write_str(name)
    }
}

impl FromStr for CompatibilityMode {
    type Err = RegistryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, m)| *m)
            .ok_or_else(|| RegistryError::BadMode {
                mode: s.to_string(),
            })
    }
}

/// Which schema reads which in one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "typegen",
    derive(schemars::JsonSchema),
    schemars(rename = "CheckDirection")
)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The new schema reads data of the existing version.
    Backward,
    /// The existing version reads data of the new schema.
    Forward,
}

/// The check of the new schema against one existing version, one direction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct VersionCheck {
    /// The existing version checked against.
    pub version: u32,
    /// Which schema was the reader.
    pub direction: Direction,
    /// Whether this check passed.
    pub compatible: bool,
    /// Every incompatibility found.
    pub incompatibilities: Vec<Incompatibility>,
}

/// The outcome of checking a new schema against a subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct CheckReport {
    /// The subject.
    pub subject: String,
    /// The mode applied.
    pub mode: CompatibilityMode,
    /// Whether every check passed.
    pub compatible: bool,
    /// The checks made, newest version first.
    pub checks: Vec<VersionCheck>,
}

impl CheckReport {
    /// Versions with at least one failed check, newest first.
    pub fn failed_versions(&self) -> Vec<u32> {
        let mut versions: Vec<u32> = self
            .checks
            .iter()
            .filter(|c| !c.compatible)
            .map(|c| c.version)
            .collect();
        versions.dedup();
        versions
    }
}

/// Errors of the registry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegistryError {
    /// A version is not a positive integer.
    #[error("version `{version}` of subject `{subject}` is not a positive integer")]
    BadVersion {
        /// The subject.
        subject: String,
        /// The version as given.
        version: String,
    },
    /// A version is given twice.
    #[error("version {version} of subject `{subject}` is given twice")]
    DuplicateVersion {
        /// The subject.
        subject: String,
        /// The version.
        version: u32,
    },
    /// Versions are not `1..=n`.
    #[error("subject `{subject}` has no version {missing} but has later ones")]
    VersionGap {
        /// The subject.
        subject: String,
        /// The first missing version.
        missing: u32,
    },
    /// A stored schema does not parse.
    #[error("version {version} of subject `{subject}`: {source}")]
    Schema {
        /// The subject.
        subject: String,
        /// The version.
        version: u32,
        /// The parse error.
        source: SchemaError,
    },
    /// An unknown compatibility mode name.
    #[error(
        "unknown compatibility mode `{}`, expected one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE",
        crate::diagnostic::excerpt(mode)
    )]
    BadMode {
        /// The name given.
        mode: String,
    },
    /// An unknown subject.
    #[error("unknown subject `{subject}`")]
    UnknownSubject {
        /// The subject.
        subject: String,
    },
    /// An unknown version of a known subject.
    #[error("subject `{subject}` has no version {version}")]
    UnknownVersion {
        /// The subject.
        subject: String,
        /// The version.
        version: u32,
    },
    /// A reference that is not `subject@version` or `subject@latest`.
    #[error("schema reference `{reference}` is not `subject@version` or `subject@latest`")]
    BadReference {
        /// The reference as given.
        reference: String,
    },
    /// Registration refused: the schema is incompatible.
    #[error("schema is incompatible with subject `{}` version(s) {}", .report.subject, versions_list(.report))]
    Incompatible {
        /// The failed check.
        report: Box<CheckReport>,
    },
}

fn versions_list(report: &CheckReport) -> String {
    let versions: Vec<String> = report
        .failed_versions()
        .iter()
        .map(u32::to_string)
        .collect();
    versions.join(", ")
}

#[derive(Debug, Clone, Default)]
struct Subject {
    mode: CompatibilityMode,
    versions: Vec<ParsedSchema>,
}

/// Subjects with their versions and compatibility modes.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    subjects: BTreeMap<String, Subject>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a registry from `(subject, version, text)` triples such as
    /// the files `schemas/<subject>/<version>.avsc` (the version may keep
    /// its `.avsc` suffix). Versions of a subject must be `1..=n`, each
    /// once; stored versions are not checked against each other. Every
    /// problem found is returned.
    pub fn from_versions<'a>(
        triples: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Result<Self, Vec<RegistryError>> {
        let mut errors = Vec::new();
        let mut by_subject: BTreeMap<&str, BTreeMap<u32, &str>> = BTreeMap::new();
        for (subject, version, text) in triples {
            let digits = version.strip_suffix(".avsc").unwrap_or(version);
            let number = digits
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0 && !digits.starts_with(['0', '+']));
            let Some(number) = number else {
                errors.push(RegistryError::BadVersion {
                    subject: subject.to_string(),
                    version: version.to_string(),
                });
                continue;
            };
            if by_subject
                .entry(subject)
                .or_default()
                .insert(number, text)
                .is_some()
            {
                errors.push(RegistryError::DuplicateVersion {
                    subject: subject.to_string(),
                    version: number,
                });
            }
        }
        let mut registry = Registry::new();
        for (subject, versions) in by_subject {
            let mut parsed = Vec::with_capacity(versions.len());
            for (expected, (version, text)) in (1u32..).zip(versions) {
                if version != expected {
                    errors.push(RegistryError::VersionGap {
                        subject: subject.to_string(),
                        missing: expected,
                    });
                    break;
                }
                match ParsedSchema::parse_str(text) {
                    Ok(schema) => parsed.push(schema),
                    Err(source) => errors.push(RegistryError::Schema {
                        subject: subject.to_string(),
                        version,
                        source,
                    }),
                }
            }
            registry.subjects.insert(
                subject.to_string(),
                Subject {
                    mode: CompatibilityMode::default(),
                    versions: parsed,
                },
            );
        }
        if errors.is_empty() {
            Ok(registry)
        } else {
            Err(errors)
        }
    }

    /// Sets the compatibility mode of `subject` (created if absent).
    pub fn set_mode(&mut self, subject: &str, mode: CompatibilityMode) {
        self.subjects.entry(subject.to_string()).or_default().mode = mode;
    }

    /// The compatibility mode of `subject` (`BACKWARD` if unknown).
    pub fn mode(&self, subject: &str) -> CompatibilityMode {
        self.subjects
            .get(subject)
            .map(|s| s.mode)
            .unwrap_or_default()
    }

    /// The subjects, sorted.
    pub fn subjects(&self) -> impl Iterator<Item = &str> {
        self.subjects.keys().map(String::as_str)
    }

    /// The number of versions of `subject` (0 if unknown).
    pub fn latest_version(&self, subject: &str) -> u32 {
        self.subjects
            .get(subject)
            .map_or(0, |s| u32::try_from(s.versions.len()).unwrap_or(u32::MAX))
    }

    /// Version `version` (from 1) of `subject`.
    pub fn get(&self, subject: &str, version: u32) -> Result<&ParsedSchema, RegistryError> {
        let entry = self
            .subjects
            .get(subject)
            .ok_or_else(|| RegistryError::UnknownSubject {
                subject: subject.to_string(),
            })?;
        version
            .checked_sub(1)
            .and_then(|i| entry.versions.get(i as usize))
            .ok_or_else(|| RegistryError::UnknownVersion {
                subject: subject.to_string(),
                version,
            })
    }

    /// Resolves `subject@3` or `subject@latest`.
    pub fn resolve_ref(&self, reference: &str) -> Result<&ParsedSchema, RegistryError> {
        let bad = || RegistryError::BadReference {
            reference: reference.to_string(),
        };
        let (subject, version) = reference.rsplit_once('@').ok_or_else(bad)?;
        if subject.is_empty() {
            return Err(bad());
        }
        let version = match version {
            "latest" => self.latest_version(subject).max(1),
            digits if !digits.starts_with(['0', '+']) => digits.parse().map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        self.get(subject, version)
    }

    /// Checks `schema` against `subject` with its mode, or `mode` if given.
    /// An unknown subject or one without versions accepts anything.
    pub fn check(
        &self,
        subject: &str,
        schema: &ParsedSchema,
        mode: Option<CompatibilityMode>,
    ) -> CheckReport {
        let mode = mode.unwrap_or_else(|| self.mode(subject));
        let versions = self.subjects.get(subject).map_or(&[][..], |s| &s.versions);
        let count = if mode.transitive() {
            versions.len()
        } else {
            versions.len().min(1)
        };
        let mut checks = Vec::new();
        for (index, existing) in versions.iter().enumerate().rev().take(count) {
            for direction in mode.directions() {
                let report = match direction {
                    Direction::Backward => check_compat(schema, existing),
                    Direction::Forward => check_compat(existing, schema),
                };
                checks.push(VersionCheck {
                    version: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    direction: *direction,
                    compatible: report.compatible,
                    incompatibilities: report.incompatibilities,
                });
            }
        }
        CheckReport {
            subject: subject.to_string(),
            mode,
            compatible: checks.iter().all(|c| c.compatible),
            checks,
        }
    }

    /// Appends `schema` as the next version of `subject` if it passes the
    /// subject's check, returning its version; a schema identical (same
    /// canonical form) to an existing version returns that version.
    pub fn register(&mut self, subject: &str, schema: ParsedSchema) -> Result<u32, RegistryError> {
        if let Some(existing) = self.subjects.get(subject).and_then(|s| {
            s.versions
                .iter()
                .position(|v| v.canonical_form() == schema.canonical_form())
        }) {
            return Ok(u32::try_from(existing + 1).unwrap_or(u32::MAX));
        }
        let report = self.check(subject, &schema, None);
        if !report.compatible {
            return Err(RegistryError::Incompatible {
                report: Box::new(report),
            });
        }
        let entry = self.subjects.entry(subject.to_string()).or_default();
        entry.versions.push(schema);
        Ok(u32::try_from(entry.versions.len()).unwrap_or(u32::MAX))
    }
}
