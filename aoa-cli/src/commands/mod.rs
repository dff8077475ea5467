//! One module per family of commands.

pub mod graph;
pub mod schema;
