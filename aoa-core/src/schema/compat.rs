//! Reader/writer schema compatibility, following the Avro Java reference
//! `org.apache.avro.SchemaCompatibility.ReaderWriterCompatibilityChecker`:
//! every incompatibility is reported with its type, a JSON pointer into the
//! reader schema built like Java's (`/fields/1/type/symbols`, `/` for the
//! root) and a message. Named references are followed to their definitions;
//! a pair of types already being checked (recursive types) counts as
//! compatible, as in Java. Type names compare by unqualified name or a
//! reader alias; fields match by name or a reader field alias; enum
//! defaults cover removed symbols; numeric promotions and string/bytes
//! interchange are allowed; unions are handled on either side.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::model::{Arena, Kind, Named, NodeId, Record, label};
use super::parse::ParsedSchema;
use super::pointer::escape;

/// The type of an incompatibility, named as in Avro Java.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IncompatibilityKind {
    /// Named types with different names (and no matching reader alias).
    NameMismatch,
    /// Fixed types of different sizes.
    FixedSizeMismatch,
    /// The writer enum has symbols the reader lacks, without reader default.
    MissingEnumSymbols,
    /// A reader field absent from the writer has no default.
    ReaderFieldMissingDefaultValue,
    /// The writer type cannot be read as the reader type.
    TypeMismatch,
    /// A reader union has no branch able to read the writer type.
    MissingUnionBranch,
}

/// One reason why a reader cannot read data written with a writer schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Incompatibility {
    /// The type of the incompatibility.
    pub kind: IncompatibilityKind,
    /// JSON pointer into the reader schema, `/` for its root.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// The reader type at the location.
    pub reader_type: String,
    /// The writer type checked against it.
    pub writer_type: String,
}

/// The result of a compatibility check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct CompatibilityReport {
    /// Whether the reader can read everything the writer writes.
    pub compatible: bool,
    /// Every incompatibility found (empty when compatible).
    pub incompatibilities: Vec<Incompatibility>,
}

/// Checks whether data written with `writer` can be read with `reader`.
pub fn check(reader: &ParsedSchema, writer: &ParsedSchema) -> CompatibilityReport {
    let mut checker = Checker {
        reader: &reader.arena,
        writer: &writer.arena,
        memo: FxHashMap::default(),
        location: Vec::new(),
    };
    let incompatibilities = checker.compatibility(reader.root(), writer.root());
    CompatibilityReport {
        compatible: incompatibilities.is_empty(),
        incompatibilities,
    }
}

enum Memo {
    InProgress,
    Done(Vec<Incompatibility>),
}

struct Checker<'a> {
    reader: &'a Arena,
    writer: &'a Arena,
    memo: FxHashMap<(NodeId, NodeId), Memo>,
    location: Vec<String>,
}

impl Checker<'_> {
    fn compatibility(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        match self.memo.get(&(r, w)) {
            Some(Memo::InProgress) => return Vec::new(),
            Some(Memo::Done(result)) => return result.clone(),
            None => {}
        }
        self.memo.insert((r, w), Memo::InProgress);
        let result = self.calculate(r, w);
        self.memo.insert((r, w), Memo::Done(result.clone()));
        result
    }

    fn under(&mut self, token: &str, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        self.location.push(token.to_string());
        let result = self.compatibility(r, w);
        self.location.pop();
        result
    }

    fn incompatible(
        &self,
        kind: IncompatibilityKind,
        r: NodeId,
        w: NodeId,
        message: String,
    ) -> Incompatibility {
        let location = if self.location.is_empty() {
            "/".to_string()
        } else {
            self.location
                .iter()
                .map(|t| format!("/{}", escape(t)))
                .collect()
        };
        Incompatibility {
            kind,
            location,
            message,
            reader_type: label(self.reader, r),
            writer_type: label(self.writer, w),
        }
    }

    fn type_mismatch(&self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        let message = format!(
            "reader type `{}` is not compatible with writer type `{}`",
            self.reader.node(r).kind.keyword(),
            self.writer.node(w).kind.keyword()
        );
        vec![self.incompatible(IncompatibilityKind::TypeMismatch, r, w, message)]
    }

    fn calculate(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        let (reader, writer) = (&self.reader.node(r).kind, &self.writer.node(w).kind);
        if reader.keyword() == writer.keyword() {
            return match (reader, writer) {
                (Kind::Array(ri), Kind::Array(wi)) => self.under("items", *ri, *wi),
                (Kind::Map(rv), Kind::Map(wv)) => self.under("values", *rv, *wv),
                (Kind::Fixed(rf), Kind::Fixed(wf)) => {
                    let mut result = self.names(r, w, &rf.named, &wf.named);
                    if rf.size != wf.size {
                        self.location.push("size".into());
                        let message = format!("expected size {}, found size {}", wf.size, rf.size);
                        result.push(self.incompatible(
                            IncompatibilityKind::FixedSizeMismatch,
                            r,
                            w,
                            message,
                        ));
                        self.location.pop();
                    }
                    result
                }
                (Kind::Enum(re), Kind::Enum(we)) => {
                    let mut result = self.names(r, w, &re.named, &we.named);
                    let mut missing: Vec<&str> = we
                        .symbols
                        .iter()
                        .filter(|s| !re.lookup.contains_key(s.as_str()))
                        .map(String::as_str)
                        .collect();
                    let covered = re
                        .default
                        .as_ref()
                        .is_some_and(|d| re.lookup.contains_key(d.as_str()));
                    if !missing.is_empty() && !covered {
                        missing.sort_unstable();
                        self.location.push("symbols".into());
                        let message = format!("missing symbols: {}", missing.join(", "));
                        result.push(self.incompatible(
                            IncompatibilityKind::MissingEnumSymbols,
                            r,
                            w,
                            message,
                        ));
                        self.location.pop();
                    }
                    result
                }
                (Kind::Record(rr), Kind::Record(wr)) => {
                    let mut result = self.names(r, w, &rr.named, &wr.named);
                    result.extend(self.fields(r, w, rr, wr));
                    result
                }
                (Kind::Union(_), Kind::Union(wb)) => self.writer_branches(r, wb),
                _ => Vec::new(),
            };
        }
        if let Kind::Union(wb) = writer {
            return self.writer_branches(r, wb);
        }
        match (reader, writer) {
            (Kind::Long, Kind::Int)
            | (Kind::Float, Kind::Int | Kind::Long)
            | (Kind::Double, Kind::Int | Kind::Long | Kind::Float)
            | (Kind::Bytes, Kind::String)
            | (Kind::String, Kind::Bytes) => Vec::new(),
            (Kind::Union(rb), _) => {
                let rb = rb.clone();
                if rb.iter().any(|b| self.compatibility(*b, w).is_empty()) {
                    return Vec::new();
                }
                let message = format!(
                    "reader union lacks a branch for writer type `{}`",
                    writer.keyword()
                );
                vec![self.incompatible(IncompatibilityKind::MissingUnionBranch, r, w, message)]
            }
            _ => self.type_mismatch(r, w),
        }
    }

    /// Each writer branch must be readable by the reader `r`.
    fn writer_branches(&mut self, r: NodeId, branches: &[NodeId]) -> Vec<Incompatibility> {
        let mut result = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            result.extend(self.under(&i.to_string(), r, *branch));
        }
        result
    }

    fn names(&mut self, r: NodeId, w: NodeId, rn: &Named, wn: &Named) -> Vec<Incompatibility> {
        if rn.name == wn.name || rn.aliases.contains(&wn.fullname) {
            return Vec::new();
        }
        self.location.push("name".into());
        let message = format!("expected name `{}`, found `{}`", wn.fullname, rn.fullname);
        let result = vec![self.incompatible(IncompatibilityKind::NameMismatch, r, w, message)];
        self.location.pop();
        result
    }

    fn fields(
        &mut self,
        r: NodeId,
        w: NodeId,
        reader: &Record,
        writer: &Record,
    ) -> Vec<Incompatibility> {
        let mut result = Vec::new();
        for (position, field) in reader.fields.iter().enumerate() {
            self.location.push("fields".into());
            self.location.push(position.to_string());
            let writer_field = std::iter::once(&field.name)
                .chain(&field.aliases)
                .find_map(|name| writer.lookup.get(name.as_str()));
            match writer_field {
                Some(wf) => result.extend(self.under("type", field.node, writer.fields[*wf].node)),
                None if field.default.is_some() => {}
                None => match &self.reader.node(field.node).kind {
                    Kind::Enum(e) if e.default.is_some() => {
                        result.extend(self.under("type", field.node, w));
                    }
                    _ => {
                        let message = format!("field `{}` has no default value", field.name);
                        result.push(self.incompatible(
                            IncompatibilityKind::ReaderFieldMissingDefaultValue,
                            r,
                            w,
                            message,
                        ));
                    }
                },
            }
            self.location.pop();
            self.location.pop();
        }
        result
    }
}
