//! One module per family of commands.

pub(crate) mod access;
pub(crate) mod argocd;
pub(crate) mod audit_trail;
pub(crate) mod export;
pub(crate) mod graph;
pub(crate) mod rollout;
pub(crate) mod schema;
pub(crate) mod secrets;
pub(crate) mod serve;
pub(crate) mod store;
pub(crate) mod token;
