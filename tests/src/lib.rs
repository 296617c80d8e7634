//! Workspace-level integration and snapshot tests live in `tests/`; this library only
//! holds helpers they share.
#![forbid(unsafe_code)]

pub mod calls;
pub mod secrets;
pub mod tls;

use std::path::{Path, PathBuf};

/// The workspace root of the checkout whose tests are running: the parent of the
/// `CARGO_MANIFEST_DIR` that cargo sets for test processes, else of the one compiled in.
/// The compiled-in one alone is not enough: checkouts that share a target directory reuse each
/// other's test binaries, which would then read another checkout's files (issue 18).
pub fn workspace_root() -> PathBuf {
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    here.parent()
        .map_or_else(|| here.clone(), Path::to_path_buf)
}

/// Reads a file relative to the workspace root.
pub fn read_workspace_file(relative: &str) -> Vec<u8> {
    let path = workspace_root().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A fresh empty folder under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a folder whose name starts with `prefix`.
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir(path)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    for entry in
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot read {}: {e}", from.display()))
    {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", entry.path().display()));
        }
    }
}

/// `HARDENING_SCALE` (default 1, at most 1000): multiplies the case counts of the hardening
/// tests for longer runs.
pub fn hardening_scale() -> u32 {
    std::env::var("HARDENING_SCALE")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .clamp(1, 1000)
}

/// The README's Rust examples (the quickstart) compile as they are.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
