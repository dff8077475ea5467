//! aoa-core: the pure core of aoa ("App of Apps").
pub mod schema;
