//! dispatch placeholder
