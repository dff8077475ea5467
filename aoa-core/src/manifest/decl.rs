//! An app as the builder consumes it: names borrowed from the manifest text where possible.

use super::AppMeta;
use super::section::Section;
use super::spec::AppSpec;
use crate::source::StrictValue;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// A string borrowed from the input when it has no escapes, owned otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// One app ready to be checked and indexed.
#[derive(Debug)]
pub(crate) struct Decl<'a> {
    pub name: Str<'a>,
    pub parent: Option<Str<'a>>,
    pub depends_on: Vec<Str<'a>>,
    /// Labels, version, owner and feature sections, when the app has any.
    pub meta: Option<Box<AppMeta>>,
}

impl From<AppSpec> for Decl<'static> {
    fn from(spec: AppSpec) -> Self {
        let has_meta = !spec.labels.is_empty()
            || spec.version.is_some()
            || spec.owner.is_some()
            || !spec.sections.is_empty();
        Decl {
            name: Str(Cow::Owned(spec.name)),
            parent: spec.parent.map(|p| Str(Cow::Owned(p))),
            depends_on: spec
                .depends_on
                .into_iter()
                .map(|d| Str(Cow::Owned(d)))
                .collect(),
            meta: has_meta.then(|| {
                Box::new(AppMeta {
                    labels: spec.labels,
                    version: spec.version,
                    owner: spec.owner,
                    sections: spec.sections,
                })
            }),
        }
    }
}

/// A manifest document read by the fast path: `{"apiVersion": ..., "apps": [...]}`.
///
/// Whatever JSON could mean other than what YAML means — a repeated key, `null` where YAML reads no null,
/// a number serde_json would round — fails here, and the caller re-reads the text strictly to report it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FastDocument<'a> {
    #[serde(rename = "apiVersion", default, deserialize_with = "present_string")]
    pub api_version: Option<String>,
    #[serde(borrow)]
    pub apps: Vec<Decl<'a>>,
}

/// A string that is there (`null` is not one), as an `Option` for a field that may be left out.
fn present_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    String::deserialize(deserializer).map(Some)
}

/// Labels, each key once.
struct UniqueLabels(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for UniqueLabels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelsVisitor;
        impl<'de> Visitor<'de> for LabelsVisitor {
            type Value = UniqueLabels;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueLabels, A::Error> {
                let mut labels = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, String>()? {
                    if labels.insert(key, value).is_some() {
                        return Err(de::Error::custom("duplicate label"));
                    }
                }
                Ok(UniqueLabels(labels))
            }
        }
        deserializer.deserialize_map(LabelsVisitor)
    }
}

/// The keys of an app, as the fast path reads them.
pub(crate) enum Field {
    Name,
    Parent,
    DependsOn,
    Labels,
    Version,
    Owner,
    Section(Section),
}

impl Field {
    /// The field a key names, if any.
    pub(super) fn parse(key: &str) -> Option<Field> {
        Some(match key {
            "name" => Field::Name,
            "parent" => Field::Parent,
            "depends_on" => Field::DependsOn,
            "labels" => Field::Labels,
            "version" => Field::Version,
            "owner" => Field::Owner,
            other => Field::Section(Section::from_key(other)?),
        })
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an app key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Field, E> {
                Field::parse(key).ok_or_else(|| E::custom(format!("unknown key `{key}`")))
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Decl<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DeclVisitor;
        impl<'de> Visitor<'de> for DeclVisitor {
            type Value = Decl<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an app mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decl<'de>, A::Error> {
                let mut name = None;
                let mut parent = None;
                let mut depends_on = Vec::new();
                let mut labels = BTreeMap::new();
                let (mut version, mut owner) = (None, None);
                let mut sections = BTreeMap::new();
                let mut seen = 0u8;
                while let Some(field) = map.next_key::<Field>()? {
                    let bit = match field {
                        Field::Name => 1,
                        Field::Parent => 2,
                        Field::DependsOn => 4,
                        Field::Labels => 8,
                        Field::Version => 16,
                        Field::Owner => 32,
                        Field::Section(_) => 0,
                    };
                    if seen & bit != 0 {
                        return Err(de::Error::custom("duplicate key"));
                    }
                    seen |= bit;
                    match field {
                        Field::Name => name = Some(map.next_value::<Str<'de>>()?),
                        Field::Parent => parent = map.next_value()?,
                        Field::DependsOn => depends_on = map.next_value()?,
                        Field::Labels => labels = map.next_value::<UniqueLabels>()?.0,
                        Field::Version => version = Some(map.next_value()?),
                        Field::Owner => owner = Some(map.next_value()?),
                        Field::Section(section) => {
                            let value = map.next_value::<StrictValue>()?.0;
                            if sections.insert(section, value).is_some() {
                                return Err(de::Error::custom("duplicate key"));
                            }
                        }
                    }
                }
                let name = name.ok_or_else(|| de::Error::missing_field("name"))?;
                let has_meta = !labels.is_empty()
                    || version.is_some()
                    || owner.is_some()
                    || !sections.is_empty();
                Ok(Decl {
                    name,
                    parent,
                    depends_on,
                    meta: has_meta.then(|| {
                        Box::new(AppMeta {
                            labels,
                            version,
                            owner,
                            sections,
                        })
                    }),
                })
            }
        }
        deserializer.deserialize_map(DeclVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_borrows_plain_strings_and_owns_escaped_ones() {
        let text = r#"{"apps":[{"name":"a","parent":null,"depends_on":["b\u0041"],"labels":{"env":"prod"},"version":"v1"}]}"#;
        let doc: FastDocument<'_> = serde_json::from_str(text).unwrap();
        let app = &doc.apps[0];
        assert!(matches!(app.name.0, Cow::Borrowed("a")));
        assert_eq!(app.depends_on[0].0, "bA");
        assert!(matches!(app.depends_on[0].0, Cow::Owned(_)));
        assert_eq!(app.meta.as_ref().unwrap().labels["env"], "prod");
        assert!(
            serde_json::from_str::<FastDocument<'_>>(r#"{"apps":[{"name":"a","dependson":[]}]}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<FastDocument<'_>>(r#"{"apps":[{"parent":"a"}]}"#).is_err());
    }
}
