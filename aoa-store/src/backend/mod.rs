//! The two backends of the [`Store`](crate::Store) trait.

pub mod postgres;
pub mod sqlite;

use aoa_core::Error;

/// A `store` error naming `store`.
pub(crate) fn store_error(store: &str, message: impl std::fmt::Display) -> Error {
    Error::Store {
        store: store.to_string(),
        message: message.to_string(),
    }
}
