//! YAML reading and writing.
pub mod emit;
pub mod scalar;
pub mod stream;
pub mod tree;
