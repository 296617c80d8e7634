//! Code generator: spec/ YAML -> generated Rust crates (cargo xtask codegen).
#![forbid(unsafe_code)]

fn main() {}
