//! YAML reading and writing.
pub mod emit;
pub mod fast;
pub mod header;
pub mod node;
pub mod scalar;
pub mod stream;
pub mod tree;
