//! Conversion of a parsed `apache_avro::Schema` into our [`Arena`], following
//! every `Schema::Ref` to its definition.

use apache_avro::Schema;
use apache_avro::schema::{
    Alias, DecimalSchema, EnumSchema, FixedSchema, InnerDecimalSchema, Name, RecordSchema,
    UuidSchema,
};
use rustc_hash::FxHashMap;

use super::model::{Arena, Enum, Field, Fixed, Kind, Logical, Named, Node, NodeId, Record};
use super::parse::SchemaError;

/// Compiles `root`, looking named references up among `root` itself and
/// `definitions`.
pub(crate) fn compile(root: &Schema, definitions: &[Schema]) -> Result<Arena, SchemaError> {
    let mut defs = FxHashMap::default();
    collect_definitions(root, &mut defs);
    for def in definitions {
        collect_definitions(def, &mut defs);
    }
    let mut compiler = Compiler {
        defs,
        nodes: Vec::new(),
        ids: FxHashMap::default(),
    };
    let root = compiler.node(root)?;
    Ok(Arena {
        nodes: compiler.nodes,
        root,
    })
}

/// Records every named definition reachable from `schema` by full name.
fn collect_definitions<'a>(schema: &'a Schema, defs: &mut FxHashMap<String, &'a Schema>) {
    if let Some(name) = defining_name(schema) {
        if defs.contains_key(&name.fullname(None)) {
            return;
        }
        defs.insert(name.fullname(None), schema);
    }
    match schema {
        Schema::Array(array) => collect_definitions(&array.items, defs),
        Schema::Map(map) => collect_definitions(&map.types, defs),
        Schema::Union(union) => {
            for branch in union.variants() {
                collect_definitions(branch, defs);
            }
        }
        Schema::Record(record) => {
            for field in &record.fields {
                collect_definitions(&field.schema, defs);
            }
        }
        _ => {}
    }
}

/// The name a schema defines, if it is a named definition (not a reference).
fn defining_name(schema: &Schema) -> Option<&Name> {
    match schema {
        Schema::Record(RecordSchema { name, .. })
        | Schema::Enum(EnumSchema { name, .. })
        | Schema::Fixed(FixedSchema { name, .. })
        | Schema::Duration(FixedSchema { name, .. })
        | Schema::Uuid(UuidSchema::Fixed(FixedSchema { name, .. }))
        | Schema::Decimal(DecimalSchema {
            inner: InnerDecimalSchema::Fixed(FixedSchema { name, .. }),
            ..
        }) => Some(name),
        _ => None,
    }
}

struct Compiler<'a> {
    defs: FxHashMap<String, &'a Schema>,
    nodes: Vec<Node>,
    ids: FxHashMap<String, NodeId>,
}

impl<'a> Compiler<'a> {
    fn push(&mut self, kind: Kind, logical: Option<Logical>) -> NodeId {
        self.nodes.push(Node { kind, logical });
        self.nodes.len() - 1
    }

    fn node(&mut self, schema: &'a Schema) -> Result<NodeId, SchemaError> {
        if let Some(name) = defining_name(schema) {
            return self.named(name, schema);
        }
        let (kind, logical) = match schema {
            Schema::Ref { name } => {
                let fullname = name.fullname(None);
                if let Some(id) = self.ids.get(&fullname) {
                    return Ok(*id);
                }
                let def = *self
                    .defs
                    .get(&fullname)
                    .ok_or(SchemaError::UnknownReference { name: fullname })?;
                return self.node(def);
            }
            Schema::Null => (Kind::Null, None),
            Schema::Boolean => (Kind::Boolean, None),
            Schema::Int => (Kind::Int, None),
            Schema::Long => (Kind::Long, None),
            Schema::Float => (Kind::Float, None),
            Schema::Double => (Kind::Double, None),
            Schema::Bytes => (Kind::Bytes, None),
            Schema::String => (Kind::String, None),
            Schema::Uuid(UuidSchema::String) => (Kind::String, Some(Logical::Uuid)),
            Schema::Uuid(UuidSchema::Bytes) => (Kind::Bytes, Some(Logical::Uuid)),
            Schema::Date => (Kind::Int, Some(Logical::Date)),
            Schema::TimeMillis => (Kind::Int, Some(Logical::TimeMillis)),
            Schema::TimeMicros => (Kind::Long, Some(Logical::TimeMicros)),
            Schema::TimestampMillis => (Kind::Long, Some(Logical::TimestampMillis)),
            Schema::TimestampMicros => (Kind::Long, Some(Logical::TimestampMicros)),
            Schema::TimestampNanos => (Kind::Long, Some(Logical::TimestampNanos)),
            Schema::LocalTimestampMillis => (Kind::Long, Some(Logical::LocalTimestampMillis)),
            Schema::LocalTimestampMicros => (Kind::Long, Some(Logical::LocalTimestampMicros)),
            Schema::LocalTimestampNanos => (Kind::Long, Some(Logical::LocalTimestampNanos)),
            Schema::Decimal(decimal) => (
                Kind::Bytes,
                Some(Logical::Decimal {
                    precision: decimal.precision,
                    scale: decimal.scale,
                }),
            ),
            Schema::BigDecimal => {
                return Err(SchemaError::Unsupported {
                    what: "big-decimal".into(),
                });
            }
            Schema::Array(array) => {
                let items = self.node(&array.items)?;
                (Kind::Array(items), None)
            }
            Schema::Map(map) => {
                let values = self.node(&map.types)?;
                (Kind::Map(values), None)
            }
            Schema::Union(union) => {
                let branches = union
                    .variants()
                    .iter()
                    .map(|b| self.node(b))
                    .collect::<Result<Vec<_>, _>>()?;
                (Kind::Union(branches), None)
            }
            // Named definitions are handled by `named` above.
            Schema::Record(_)
            | Schema::Enum(_)
            | Schema::Fixed(_)
            | Schema::Duration(_)
            | Schema::Uuid(UuidSchema::Fixed(_)) => {
                return Err(SchemaError::Invalid {
                    message: "named type without a name".into(),
                });
            }
        };
        Ok(self.push(kind, logical))
    }

    /// Compiles a named definition once; a recursive reference met while
    /// compiling its members gets the index reserved here.
    fn named(&mut self, name: &Name, schema: &'a Schema) -> Result<NodeId, SchemaError> {
        let fullname = name.fullname(None);
        if let Some(id) = self.ids.get(&fullname) {
            return Ok(*id);
        }
        let id = self.push(Kind::Null, None);
        self.ids.insert(fullname, id);
        let node = match schema {
            Schema::Record(record) => {
                let mut fields = Vec::with_capacity(record.fields.len());
                let mut lookup = FxHashMap::default();
                for (position, field) in record.fields.iter().enumerate() {
                    lookup.insert(field.name.clone(), position);
                    fields.push(Field {
                        name: field.name.clone(),
                        aliases: field.aliases.clone(),
                        default: field.default.clone(),
                        node: self.node(&field.schema)?,
                    });
                }
                Node {
                    kind: Kind::Record(Record {
                        named: named(&record.name, record.aliases.as_deref()),
                        fields,
                        lookup,
                    }),
                    logical: None,
                }
            }
            Schema::Enum(e) => Node {
                kind: Kind::Enum(Enum {
                    named: named(&e.name, e.aliases.as_deref()),
                    lookup: e
                        .symbols
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (s.clone(), i))
                        .collect(),
                    symbols: e.symbols.clone(),
                    default: e.default.clone(),
                }),
                logical: None,
            },
            Schema::Fixed(f) => fixed(f, None),
            Schema::Duration(f) => fixed(f, Some(Logical::Duration)),
            Schema::Uuid(UuidSchema::Fixed(f)) => fixed(f, Some(Logical::Uuid)),
            Schema::Decimal(DecimalSchema {
                precision,
                scale,
                inner: InnerDecimalSchema::Fixed(f),
            }) => fixed(
                f,
                Some(Logical::Decimal {
                    precision: *precision,
                    scale: *scale,
                }),
            ),
            _ => {
                return Err(SchemaError::Invalid {
                    message: format!("`{}` is not a named type", name.fullname(None)),
                });
            }
        };
        self.nodes[id] = node;
        Ok(id)
    }
}

fn fixed(f: &FixedSchema, logical: Option<Logical>) -> Node {
    Node {
        kind: Kind::Fixed(Fixed {
            named: named(&f.name, f.aliases.as_deref()),
            size: f.size,
        }),
        logical,
    }
}

fn named(name: &Name, aliases: Option<&[Alias]>) -> Named {
    Named {
        fullname: name.fullname(None),
        name: name.name().to_string(),
        aliases: aliases
            .unwrap_or_default()
            .iter()
            .map(|a| a.fully_qualified_name(name.namespace()).fullname(None))
            .collect(),
    }
}
