//! The schema hub wired to the manifest: the sections `params`, `shared_params`, `locked`,
//! `required_shared`, `schema` and `schema_pin` of each app, resolved and validated.
//!
//! Loading a manifest parses these sections, loads every schema (inline, from a file next to the
//! manifest, or `subject@version` from the registry directory `schemas/`), resolves and validates the
//! parameters of every app and checks every `schema_pin`; every problem found is one diagnostic of an
//! [`Error::Params`], placed at the app and the value it is about.
//!
//! The hub works on the manifest model ([`Model`]): [`Hub::load`] parses and checks the sections, and
//! [`resolve`] and [`encode`] answer for one app over any [`ParamTree`] of that model (the facade
//! [`crate::Manifest`] is one).

mod registry;

pub use registry::{RegistryProblems, load_registry, load_registry_in};

use crate::diagnostic::{Diagnostic, capped};
use crate::error::{Error, Result};
use crate::manifest::{AppId, Model, Section};
use crate::schema::compat::check as check_compat;
use crate::schema::resolve::{ResolveError, check_all};
use crate::schema::{
    AppParams, CompatibilityMode, Incompatibility, ParamTree, ParsedSchema, Registry,
    ResolvedParams, Resolver, avro_json, binary, crc64_hex, fingerprints,
};
use crate::source::{Confinement, FileKind, LoadOptions, Refusal, read_resolved};
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// How [`crate::Manifest::encode_params`] writes an app's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ParamsFormat {
    /// The resolved value as plain JSON.
    Json,
    /// The Avro JSON encoding (unions wrapped as `{"type": value}`); needs a schema.
    AvroJson,
    /// The Avro binary encoding of one datum; needs a schema.
    AvroBinary,
}

/// Where an app's schema came from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Inline,
    File(String),
    Registry { subject: String, version: u32 },
}

impl Origin {
    fn label(&self) -> String {
        match self {
            Origin::Inline => "inline schema".into(),
            Origin::File(path) => format!("`{path}`"),
            Origin::Registry { subject, version } => format!("`{subject}@{version}`"),
        }
    }
}

/// The parsed sections of one app.
#[derive(Debug, Default)]
struct AppHub {
    locked: Vec<String>,
    required_shared: Vec<String>,
    schema: Option<(ParsedSchema, Origin)>,
}

/// The schema hub state of a manifest: its registry and the parsed sections of its apps.
#[derive(Debug, Default)]
pub struct Hub {
    registry: Registry,
    apps: FxHashMap<u32, AppHub>,
}

/// What loading the hub may read: the registry, and schema files relative to the manifest files.
pub struct HubInputs {
    /// The registry of the manifest.
    pub registry: Registry,
    /// Where schema files may be read from, and under which limits (only for manifests read from a path).
    pub files: Option<(Confinement, LoadOptions)>,
}

impl HubInputs {
    /// No registry and no files: for manifests given as text or records.
    pub fn none() -> HubInputs {
        HubInputs {
            registry: Registry::new(),
            files: None,
        }
    }
}

static NO_STRINGS: Vec<String> = Vec::new();

impl Hub {
    /// The sections of `app` as the resolver reads them (`params`, `shared_params`, locks, required keys).
    pub fn app_params<'a>(&'a self, m: &'a Model, app: AppId) -> AppParams<'a> {
        let object = |s| m.section(app, s).and_then(Value::as_object);
        let hub = self.apps.get(&app.0);
        AppParams {
            params: object(Section::Params),
            shared_params: object(Section::SharedParams),
            locked: hub.map_or(&NO_STRINGS, |h| &h.locked),
            required_shared: hub.map_or(&NO_STRINGS, |h| &h.required_shared),
        }
    }

    /// The schema that validates the parameters of `app`, if it has one.
    pub fn schema(&self, app: AppId) -> Option<&ParsedSchema> {
        self.apps.get(&app.0)?.schema.as_ref().map(|(s, _)| s)
    }

    /// The schema registry read from `schemas/` next to the manifest (empty for manifests given as text).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Parses the parameter sections of every app of `m` and checks them all; returns every problem.
    ///
    /// # Errors
    /// [`Error::Params`] with one diagnostic per problem.
    pub fn load(m: &Model, inputs: HubInputs) -> Result<Hub> {
        let mut hub = Hub {
            registry: inputs.registry,
            apps: FxHashMap::default(),
        };
        let mut problems = Vec::new();
        let mut apps = FxHashMap::default();
        for id in m.ids() {
            if Section::ALL
                .iter()
                .all(|&s| !s.is_param() || m.section(id, s).is_none())
            {
                continue;
            }
            let sections =
                View { m, hub: &hub }.parse_sections(id, inputs.files.as_ref(), &mut problems)?;
            apps.insert(id.0, sections);
        }
        hub.apps = apps;
        if hub.apps.is_empty() {
            return Ok(hub);
        }
        // Apps with unusable sections resolve without them, so every other problem is found too.
        problems.append(&mut View { m, hub: &hub }.check_params());
        if problems.is_empty() {
            return Ok(hub);
        }
        Err(Error::Params {
            diagnostics: capped(problems),
        })
    }
}

/// The resolved parameters of `id`: the `shared_params` of its ancestors from the root down, then its
/// own `params`, validated against its schema, with schema defaults filled in and the app that set each
/// value. `tree` is the model `m` with its hub `hub` seen as a [`ParamTree`].
///
/// # Errors
/// [`Error::Params`] naming each value that breaks the schema or a lock.
pub fn resolve<'t>(
    tree: &'t impl ParamTree,
    m: &Model,
    hub: &Hub,
    id: AppId,
) -> Result<ResolvedParams<'t>> {
    Resolver::new(tree)
        .resolve_validated(id.0)
        .map_err(|errors| Error::Params {
            diagnostics: errors
                .into_iter()
                .map(|e| View { m, hub }.resolve_diagnostic(e))
                .collect(),
        })
}

/// The resolved parameters `resolved` of `app` (called `name`) written in `format` (the Avro formats need
/// the app's `schema`).
///
/// # Errors
/// [`Error::InvalidArgument`] when an Avro format is asked for an app without a schema, or the value cannot
/// be encoded.
pub fn encode(
    resolved: ResolvedParams<'_>,
    schema: Option<&ParsedSchema>,
    name: &str,
    format: ParamsFormat,
) -> Result<Vec<u8>> {
    let schema = || {
        schema.ok_or_else(|| Error::InvalidArgument {
            message: format!("app `{name}` has no `schema`, so its parameters have no avro encoding; use the json format or give it a schema"),
        })
    };
    let encode_error = |e: crate::schema::EncodeError| Error::InvalidArgument {
        message: format!("cannot encode the parameters of `{name}`: {e}"),
    };
    let value = match format {
        ParamsFormat::Json => resolved.value,
        ParamsFormat::AvroJson => {
            avro_json::to_avro_json(schema()?, &resolved.value).map_err(encode_error)?
        }
        ParamsFormat::AvroBinary => {
            return binary::encode(schema()?, &resolved.value).map_err(encode_error);
        }
    };
    serde_json::to_vec(&value).map_err(|e| Error::InvalidArgument {
        message: e.to_string(),
    })
}

/// The model and its hub together, for loading checks and diagnostics.
#[derive(Clone, Copy)]
struct View<'a> {
    m: &'a Model,
    hub: &'a Hub,
}

impl ParamTree for View<'_> {
    fn app_count(&self) -> u32 {
        self.m.app_count()
    }
    fn parent(&self, app: u32) -> Option<u32> {
        self.m.parent(AppId(app)).map(|p| p.0)
    }
    fn name(&self, app: u32) -> &str {
        self.m.name(AppId(app))
    }
    fn params(&self, app: u32) -> AppParams<'_> {
        self.hub.app_params(self.m, AppId(app))
    }
    fn schema(&self, app: u32) -> Option<&ParsedSchema> {
        self.hub.schema(AppId(app))
    }
}

impl View<'_> {
    /// The parsed sections of `id`; each problem is pushed to `problems`.
    ///
    /// # Errors
    /// [`Error::Io`] when a schema file exists but cannot be read (not a regular file, too large).
    fn parse_sections(
        &self,
        id: AppId,
        files: Option<&(Confinement, LoadOptions)>,
        problems: &mut Vec<Diagnostic>,
    ) -> Result<AppHub> {
        let mut hub = AppHub::default();
        for section in [Section::Params, Section::SharedParams] {
            if let Some(value) = self.m.section(id, section).filter(|v| !v.is_object()) {
                problems.push(self.wrong_type(
                    id,
                    section,
                    "a mapping of parameter names to values",
                    value,
                ));
            }
        }
        hub.locked = self.string_list(
            id,
            Section::Locked,
            "json pointers such as `/db/port`",
            problems,
        );
        hub.required_shared = self.string_list(
            id,
            Section::RequiredShared,
            "top-level parameter names",
            problems,
        );
        if let Some(value) = self.m.section(id, Section::Schema) {
            match self.load_schema(id, value, files)? {
                Ok(schema) => hub.schema = Some(schema),
                Err(d) => problems.push(d),
            }
        }
        if let Some(value) = self.m.section(id, Section::SchemaPin) {
            match value.as_str() {
                Some(pin) if Pin::parse(pin).is_some() => {}
                _ => problems.push(self.m.diagnostic_at(
                    id,
                    "/schema_pin",
                    Diagnostic::new("bad-schema-pin", format!("`schema_pin` `{}` is not `subject@version` or a schema fingerprint", value.as_str().map_or_else(|| value.to_string(), str::to_string)))
                        .with_hint("pin `subject@3`, or the crc-64-avro (16 hex digits) or sha-256 (64 hex digits) fingerprint printed by `aoa schema fingerprint`"),
                )),
            }
        }
        Ok(hub)
    }

    fn wrong_type(&self, id: AppId, section: Section, expected: &str, found: &Value) -> Diagnostic {
        self.m.diagnostic_at(
            id,
            &format!("/{}", section.key()),
            Diagnostic::new(
                "wrong-type",
                format!(
                    "`{}` must be {expected}, found {}",
                    section.key(),
                    crate::manifest::spec::kind(found)
                ),
            )
            .with_hint(format!("write `{}` as {expected}", section.key())),
        )
    }

    fn string_list(
        &self,
        id: AppId,
        section: Section,
        what: &str,
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<String> {
        let Some(value) = self.m.section(id, section) else {
            return Vec::new();
        };
        let expected = format!("a list of {what}");
        let Some(items) = value.as_array() else {
            problems.push(self.wrong_type(id, section, &expected, value));
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s)
                    if section != Section::Locked || s.is_empty() || s.starts_with('/') =>
                {
                    out.push(s.clone())
                }
                other => problems.push(
                    self.m.diagnostic_at(
                        id,
                        &format!("/{}/{i}", section.key()),
                        Diagnostic::new(
                            "wrong-type",
                            format!(
                                "entry {} of `{}` must be one of {what}, found {}",
                                i + 1,
                                section.key(),
                                crate::manifest::spec::kind(other)
                            ),
                        )
                        .with_hint(format!("write `{}` as {expected}", section.key())),
                    ),
                ),
            }
        }
        out
    }

    /// Parses the `schema` of an app: inline, a file path (inside the manifest's tree), or a registry
    /// reference. A problem with the schema is a diagnostic; a file that exists but cannot be read is an
    /// error.
    fn load_schema(
        &self,
        id: AppId,
        value: &Value,
        files: Option<&(Confinement, LoadOptions)>,
    ) -> Result<std::result::Result<(ParsedSchema, Origin), Diagnostic>> {
        let fail = |code: &'static str, message: String, hint: &str| {
            self.m.diagnostic_at(
                id,
                "/schema",
                Diagnostic::new(code, message).with_hint(hint),
            )
        };
        let text = match value {
            Value::Object(_) | Value::Array(_) => {
                return Ok(ParsedSchema::parse_json(value)
                    .map(|s| (s, Origin::Inline))
                    .map_err(|e| fail("invalid-schema", e.to_string(), "fix the avro schema; see https://avro.apache.org/docs/1.12.0/specification/")));
            }
            Value::String(text) => text,
            other => {
                return Ok(Err(self.wrong_type(
                    id,
                    Section::Schema,
                    "an avro schema, a path to an `.avsc` file, or `subject@version`",
                    other,
                )));
            }
        };
        if let Some((subject, version)) = text.rsplit_once('@').filter(|_| !text.ends_with(".avsc"))
        {
            let registry = &self.hub.registry;
            return Ok(match registry.resolve_ref(text) {
                Ok(schema) => {
                    let version = match version {
                        "latest" => registry.latest_version(subject),
                        digits => digits.parse().unwrap_or_default(),
                    };
                    Ok((
                        schema.clone(),
                        Origin::Registry {
                            subject: subject.to_string(),
                            version,
                        },
                    ))
                }
                Err(e) => Err(fail(
                    "unknown-schema",
                    e.to_string(),
                    &format!(
                        "store the schema as `schemas/{subject}/<version>.avsc` next to the manifest, or fix the reference"
                    ),
                )),
            });
        }
        let Some((confinement, options)) = files else {
            return Ok(Err(fail(
                "unknown-schema",
                format!("schema file `{text}` cannot be read for a manifest given as text"),
                "load the manifest from its file, or inline the schema",
            )));
        };
        let declared = self.m.locate(id, "");
        let base = Path::new(&declared.file)
            .parent()
            .unwrap_or_else(|| Path::new(""));
        let path = base.join(text);
        let resolved = match confinement.reference(base, text) {
            Ok(resolved) => resolved,
            Err(Refusal::Outside(how)) => {
                return Ok(Err(fail(
                    "file-outside-manifest",
                    format!("schema file {how}"),
                    "write the path relative to the manifest file, inside its directory (copy the schema in), or use the registry `schemas/`",
                )));
            }
            Err(Refusal::Missing(e)) => {
                return Ok(Err(fail(
                    "unknown-schema",
                    e.to_string(),
                    "the path is relative to the manifest file; fix it or create the file",
                )));
            }
            Err(Refusal::Io(e)) => return Err(e),
        };
        let text = read_resolved(&resolved, &path, FileKind::Schema, options)?;
        let shown = path.display().to_string();
        Ok(ParsedSchema::parse_str(&text)
            .map(|s| (s, Origin::File(shown.clone())))
            .map_err(|e| {
                fail(
                    "invalid-schema",
                    format!("`{shown}`: {e}"),
                    "fix the avro schema in that file",
                )
            }))
    }

    /// Resolves and validates every app and checks every `schema_pin`; every problem found.
    fn check_params(&self) -> Vec<Diagnostic> {
        let mut problems: Vec<Diagnostic> = check_all(self)
            .into_iter()
            .map(|e| self.resolve_diagnostic(e))
            .collect();
        let mut pinned: Vec<u32> = self.hub.apps.keys().copied().collect();
        pinned.sort_unstable();
        problems.extend(
            pinned
                .into_iter()
                .filter_map(|app| self.check_pin(AppId(app))),
        );
        problems
    }

    /// A diagnostic for a resolution error, placed at the value it is about.
    fn resolve_diagnostic(&self, error: ResolveError) -> Diagnostic {
        let message = error.to_string();
        let id_of = |name: &str| self.m.id(name).unwrap_or(AppId(0));
        match error {
            ResolveError::LockedOverride { path, locker, overrider, in_shared, .. } => {
                let section = if in_shared { "shared_params" } else { "params" };
                self.diagnostic_near(
                    id_of(&overrider),
                    &format!("/{section}{path}"),
                    Diagnostic::new("locked-override", message)
                        .with_hint(format!("remove `{path}` from `{section}` of `{overrider}`, or change the value in `{locker}`")),
                )
            }
            ResolveError::BadLock { app, path } => {
                let id = id_of(&app);
                let index = self.hub.apps.get(&id.0).and_then(|h| h.locked.iter().position(|l| *l == path)).unwrap_or(0);
                self.m.diagnostic_at(id, &format!("/locked/{index}"), Diagnostic::new("bad-lock", message).with_hint("write locks as json pointers such as `/db/port`"))
            }
            ResolveError::MissingSharedKey { app, key, required_by } => self.m.diagnostic_at(
                id_of(&app),
                "/schema",
                Diagnostic::new("missing-shared-key", message).with_hint(format!(
                    "declare a field `{key}` in the schema of `{app}`, or remove `{key}` from `required_shared` of `{required_by}`"
                )),
            ),
            ResolveError::Cycle { app } => self.m.diagnostic_at(id_of(&app), "/parent", Diagnostic::new("parent-loop", message)),
            ResolveError::Invalid { app, set_by, error } => {
                let message = format!(
                    "parameter `{}`: {}{}",
                    error.path,
                    error.message,
                    set_by.as_ref().map(|s| format!(" (set by `{s}`)")).unwrap_or_default()
                );
                let setter = set_by.as_deref().unwrap_or(&app);
                let section = if setter == app { "params" } else { "shared_params" };
                let hint = match &set_by {
                    Some(setter) => format!("`{}` expects {}: fix the value in `{section}` of `{setter}`, or change the schema", error.path, error.expected),
                    None => format!("add `{}` to `params` of `{app}` ({})", error.path, error.expected),
                };
                let mut d = self.diagnostic_near(
                    id_of(setter),
                    &format!("/{section}{}", error.path),
                    Diagnostic::new("invalid-param", message).with_hint(hint),
                );
                d.app = Some(app);
                d
            }
        }
    }

    /// [`Manifest::diagnostic_at`] at `suffix`, or at its closest enclosing value that has a position.
    fn diagnostic_near(&self, id: AppId, suffix: &str, diagnostic: Diagnostic) -> Diagnostic {
        let mut at = suffix;
        loop {
            let declared = self.m.locate(id, at);
            if declared.line.is_some() || at.is_empty() {
                return self.m.diagnostic_at(id, at, diagnostic);
            }
            at = &at[..at.rfind('/').unwrap_or(0)];
        }
    }

    /// The schema an app's `schema_pin` is checked against: its own, or its nearest ancestor's.
    fn current_schema(&self, id: AppId) -> Option<&(ParsedSchema, Origin)> {
        std::iter::once(id)
            .chain(self.m.ancestors(id))
            .find_map(|a| self.hub.apps.get(&a.0)?.schema.as_ref())
    }

    /// Checks the `schema_pin` of `id` against its current schema.
    fn check_pin(&self, id: AppId) -> Option<Diagnostic> {
        let pin_text = self.m.section(id, Section::SchemaPin)?.as_str()?;
        let pin = Pin::parse(pin_text)?;
        let at = |d: Diagnostic| Some(self.m.diagnostic_at(id, "/schema_pin", d));
        let Some((current, origin)) = self.current_schema(id) else {
            return at(Diagnostic::new(
                "unknown-schema-pin",
                format!("`schema_pin` `{pin_text}` has no schema to check against"),
            )
            .with_hint("give the app or an ancestor a `schema`, or remove `schema_pin`"));
        };
        let subject = match (origin, &pin) {
            (_, Pin::Version { subject, .. }) => Some(subject.as_str()),
            (Origin::Registry { subject, .. }, _) => Some(subject.as_str()),
            _ => None,
        };
        let registry = &self.hub.registry;
        let pinned = match &pin {
            Pin::Version { subject, version } => match registry.get(subject, *version) {
                Ok(schema) => schema,
                Err(e) => {
                    return at(Diagnostic::new(
                        "unknown-schema-pin",
                        format!("`schema_pin` `{pin_text}`: {e}"),
                    )
                    .with_hint("pin a version stored in `schemas/<subject>/<version>.avsc`"));
                }
            },
            Pin::Fingerprint(hex) => {
                if pin.matches(current, hex) {
                    return None;
                }
                let candidates = subject.map_or_else(|| registry.subjects().collect(), |s| vec![s]);
                let found = candidates.into_iter().find_map(|s| {
                    (1..=registry.latest_version(s)).find_map(|v| {
                        registry
                            .get(s, v)
                            .ok()
                            .filter(|schema| pin.matches(schema, hex))
                    })
                });
                match found {
                    Some(schema) => schema,
                    None if Pin::is_byte_reversed(current, hex) => {
                        return at(Diagnostic::new("unknown-schema-pin", format!("`schema_pin` `{pin_text}` is the CRC-64-AVRO of the current schema in reversed byte order"))
                            .with_hint(format!("fingerprints are read in the single-object header's byte order (little-endian, as fastavro and apache-avro print them; aoa printed them reversed before): pin `{}`", crc64_hex(current.crc64()))));
                    }
                    None => {
                        return at(Diagnostic::new("unknown-schema-pin", format!("`schema_pin` `{pin_text}` matches no known schema"))
                            .with_hint(format!("the current schema is {}; pin its fingerprint from `aoa schema fingerprint`, or `subject@version`", origin.label())));
                    }
                }
            }
        };
        if pinned.canonical_form() == current.canonical_form() {
            return None;
        }
        let mode = subject.map_or(CompatibilityMode::Backward, |s| registry.mode(s));
        let incompatibilities = pin_incompatibilities(mode, current, pinned);
        if incompatibilities.is_empty() {
            return None;
        }
        let listed: Vec<String> = incompatibilities
            .iter()
            .map(|i| {
                let kind = serde_json::to_value(i.kind).unwrap_or_default();
                format!(
                    "{} at `{}`: {}",
                    kind.as_str().unwrap_or_default(),
                    i.location,
                    i.message
                )
            })
            .collect();
        at(Diagnostic::new(
            "stale-schema-pin",
            format!(
                "pinned schema `{pin_text}` is not {} compatible with the current schema {}: {}",
                mode.to_string().to_lowercase(),
                origin.label(),
                listed.join("; ")
            ),
        )
        .with_hint("rebuild the app against the current schema and update `schema_pin`, or make the schema change compatible"))
    }
}

/// The incompatibilities between the schema an app was built against and the current one, in the
/// directions `mode` requires (the current schema reads pinned data for backward, and the reverse for
/// forward).
fn pin_incompatibilities(
    mode: CompatibilityMode,
    current: &ParsedSchema,
    pinned: &ParsedSchema,
) -> Vec<Incompatibility> {
    use CompatibilityMode as M;
    let backward = matches!(
        mode,
        M::Backward | M::BackwardTransitive | M::Full | M::FullTransitive
    );
    let forward = matches!(
        mode,
        M::Forward | M::ForwardTransitive | M::Full | M::FullTransitive
    );
    let mut found = Vec::new();
    if backward {
        found.extend(check_compat(current, pinned).incompatibilities);
    }
    if forward {
        found.extend(check_compat(pinned, current).incompatibilities);
    }
    found
}

/// A `schema_pin`: `subject@version` or a fingerprint.
enum Pin {
    Version { subject: String, version: u32 },
    Fingerprint(String),
}

impl Pin {
    fn parse(text: &str) -> Option<Pin> {
        if let Some((subject, version)) = text.rsplit_once('@') {
            let version = version
                .parse()
                .ok()
                .filter(|v| *v > 0 && !subject.is_empty())?;
            return Some(Pin::Version {
                subject: subject.to_string(),
                version,
            });
        }
        let hex = text.to_ascii_lowercase();
        (matches!(hex.len(), 16 | 64) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then_some(Pin::Fingerprint(hex))
    }

    /// Whether `hex` (lowercase) is the fingerprint of `schema`: its CRC-64-AVRO in the single-object
    /// header's byte order (16 digits, as `aoa schema fingerprint` prints it) or its SHA-256 (64 digits).
    fn matches(&self, schema: &ParsedSchema, hex: &str) -> bool {
        if hex.len() == 16 {
            crc64_hex(schema.crc64()) == hex
        } else {
            fingerprints(schema).sha256 == hex
        }
    }

    /// Whether `hex` is the CRC-64-AVRO of `schema` most significant byte first, the order aoa printed
    /// before fingerprints followed the single-object header (accepted no more, but named in the hint).
    fn is_byte_reversed(schema: &ParsedSchema, hex: &str) -> bool {
        format!("{:016x}", schema.crc64()) == hex
    }
}
