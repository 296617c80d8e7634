//! Workspace-level integration and snapshot tests.
#![forbid(unsafe_code)]
