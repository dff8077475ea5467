//! Compiled form of a parsed schema: an arena of nodes in which every named
//! reference points at its definition by index, so that validation, encoding,
//! fingerprinting and compatibility never have to look names up.

use rustc_hash::FxHashMap;
use serde_json::Value;

/// Index of a node in [`Arena::nodes`].
pub(crate) type NodeId = usize;

/// All nodes of one schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arena {
    /// The nodes; a named type appears once and is referenced by index.
    pub nodes: Vec<Node>,
    /// Index of the root node.
    pub root: NodeId,
}

impl Arena {
    /// The node with index `id`.
    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }
}

/// One schema node: its Avro type and an optional logical type annotation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// The underlying Avro type.
    pub kind: Kind,
    /// The logical type, if any.
    pub logical: Option<Logical>,
}

/// The underlying Avro type of a node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(NodeId),
    Map(NodeId),
    Union(Vec<NodeId>),
    Record(Record),
    Enum(Enum),
    Fixed(Fixed),
}

/// Names of a named type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Named {
    /// Full name, namespace included.
    pub fullname: String,
    /// Unqualified name.
    pub name: String,
    /// Full names of the aliases.
    pub aliases: Vec<String>,
}

/// A record type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub named: Named,
    pub fields: Vec<Field>,
    /// Field name to position in `fields`.
    pub lookup: FxHashMap<String, usize>,
}

/// A record field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    pub name: String,
    pub aliases: Vec<String>,
    pub default: Option<Value>,
    pub node: NodeId,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Enum {
    pub named: Named,
    pub symbols: Vec<String>,
    pub default: Option<String>,
    /// Symbol to position in `symbols`.
    pub lookup: FxHashMap<String, usize>,
}

/// A fixed type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fixed {
    pub named: Named,
    pub size: usize,
}

/// Logical types understood by validation and the encoders.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Logical {
    Date,
    TimeMillis,
    TimeMicros,
    TimestampMillis,
    TimestampMicros,
    TimestampNanos,
    LocalTimestampMillis,
    LocalTimestampMicros,
    LocalTimestampNanos,
    Uuid,
    Decimal { precision: usize, scale: usize },
    Duration,
}

impl Logical {
    /// The logical type's name as written in schemas.
    pub(crate) fn label(self) -> String {
        match self {
            Logical::Date => "date".into(),
            Logical::TimeMillis => "time-millis".into(),
            Logical::TimeMicros => "time-micros".into(),
            Logical::TimestampMillis => "timestamp-millis".into(),
            Logical::TimestampMicros => "timestamp-micros".into(),
            Logical::TimestampNanos => "timestamp-nanos".into(),
            Logical::LocalTimestampMillis => "local-timestamp-millis".into(),
            Logical::LocalTimestampMicros => "local-timestamp-micros".into(),
            Logical::LocalTimestampNanos => "local-timestamp-nanos".into(),
            Logical::Uuid => "uuid".into(),
            Logical::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
            Logical::Duration => "duration".into(),
        }
    }
}

impl Kind {
    /// The Avro type name used as union branch key in the Avro JSON
    /// encoding: the full name for named types, the type name otherwise.
    pub(crate) fn type_name(&self) -> &str {
        match self {
            Kind::Record(r) => &r.named.fullname,
            Kind::Enum(e) => &e.named.fullname,
            Kind::Fixed(f) => &f.named.fullname,
            other => other.keyword(),
        }
    }

    /// The Avro type keyword (`record`, `int`, ...) regardless of names.
    pub(crate) fn keyword(&self) -> &'static str {
        match self {
            Kind::Record(_) => "record",
            Kind::Enum(_) => "enum",
            Kind::Fixed(_) => "fixed",
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Int => "int",
            Kind::Long => "long",
            Kind::Float => "float",
            Kind::Double => "double",
            Kind::Bytes => "bytes",
            Kind::String => "string",
            Kind::Array(_) => "array",
            Kind::Map(_) => "map",
            Kind::Union(_) => "union",
        }
    }
}

/// Human label of a node for error messages, such as `int`, `date`,
/// ``record `Db` `` or `union [null, string]`.
pub(crate) fn label(arena: &Arena, id: NodeId) -> String {
    let node = arena.node(id);
    if let Some(logical) = node.logical {
        return logical.label();
    }
    match &node.kind {
        Kind::Array(items) => format!("array of {}", label(arena, *items)),
        Kind::Map(values) => format!("map of {}", label(arena, *values)),
        Kind::Union(branches) => {
            let names: Vec<String> = branches.iter().map(|b| short_label(arena, *b)).collect();
            format!("union [{}]", names.join(", "))
        }
        Kind::Record(_) | Kind::Enum(_) | Kind::Fixed(_) => {
            format!("{} `{}`", node.kind.keyword(), node.kind.type_name())
        }
        other => other.keyword().to_string(),
    }
}

/// Label without nesting, used inside union labels.
pub(crate) fn short_label(arena: &Arena, id: NodeId) -> String {
    let node = arena.node(id);
    match (&node.kind, node.logical) {
        (_, Some(logical)) => logical.label(),
        (Kind::Array(_) | Kind::Map(_), None) => node.kind.keyword().to_string(),
        (kind, None) => kind.type_name().to_string(),
    }
}
