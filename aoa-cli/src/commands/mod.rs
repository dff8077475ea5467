//! One module per family of commands.

pub mod access;
pub mod graph;
pub mod schema;
