//! YAML the way the spec files are written by hand.
//!
//! - [`tree`]: an ordered value tree ([`Node`]) and key paths into it;
//! - [`writer`]: renders a tree in the hand-written style, keeping an earlier file's layout;
//! - [`layout`]: reads what the parser drops (comments, flow or block style, the key path of
//!   each line), for the writer and for diagnostics.

pub mod layout;
pub mod tree;
pub mod writer;

pub use tree::{parse, Node};
