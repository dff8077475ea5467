//! Mapping a JSON pointer inside a manifest file back to a line and column.

use super::json_locate::JsonIndex;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Finds the line and column of a JSON pointer in one manifest file.
///
/// YAML files record every node's position while they are parsed (they are small and written by people);
/// JSON files keep their text and index it lazily the first time a position is asked for, so that loading
/// a large generated file costs nothing extra when it has no problem to report.
#[derive(Debug, Default)]
pub enum Locator {
    /// No text: positions are unknown (apps handed in as records).
    #[default]
    None,
    /// A YAML file: pointer to position, recorded while parsing.
    Yaml(FxHashMap<String, (usize, usize)>),
    /// A JSON file: its text, indexed on first use.
    Json {
        /// The file's text.
        text: String,
        /// Lazily built index of the text.
        index: OnceLock<JsonIndex>,
    },
}

impl Locator {
    /// A locator over a JSON text.
    pub fn json(text: String) -> Self {
        Locator::Json {
            text,
            index: OnceLock::new(),
        }
    }

    /// The 1-based line and column of the value at `pointer`, if they can be found.
    pub fn locate(&self, pointer: &str) -> Option<(usize, usize)> {
        match self {
            Locator::None => None,
            Locator::Yaml(positions) => positions.get(pointer).copied(),
            Locator::Json { text, index } => index
                .get_or_init(|| JsonIndex::build(text))
                .locate(text, pointer),
        }
    }
}
