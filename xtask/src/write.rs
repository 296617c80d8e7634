//! Putting generated files on disk: write only what changed, report what is stale.

use crate::emit::{GeneratedFile, HEADER};
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Created or rewritten (or, in check mode, would be).
    Written(String),
    /// A generated file that the spec no longer produces: removed (or would be).
    Removed(String),
}

/// Writes `files` under `root`, touching only files whose contents differ, and removes
/// generated files (those starting with the header) that are no longer produced in the
/// generated crates' folders. In check mode nothing is touched; the changes are returned.
pub fn sync(
    root: &Path,
    files: &[GeneratedFile],
    crate_dirs: &[String],
    check: bool,
) -> io::Result<Vec<Change>> {
    let mut changes = Vec::new();
    let produced: BTreeSet<PathBuf> = files.iter().map(|f| root.join(&f.path)).collect();
    for file in files {
        let path = root.join(&file.path);
        if ensure_file_contents(&path, &file.contents, check)? {
            changes.push(Change::Written(file.path.clone()));
        }
    }
    for dir in crate_dirs {
        for path in generated_files_under(&root.join(dir))? {
            if !produced.contains(&path) {
                if !check {
                    std::fs::remove_file(&path)?;
                }
                let shown = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                changes.push(Change::Removed(shown));
            }
        }
    }
    Ok(changes)
}

/// Writes `contents` to `path` unless it already holds exactly that. Returns whether the
/// file was (or, in check mode, would be) written.
pub fn ensure_file_contents(path: &Path, contents: &str, check: bool) -> io::Result<bool> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        if existing == contents {
            return Ok(false);
        }
    }
    if !check {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, contents)?;
    }
    Ok(true)
}

/// Files below `dir` whose first line carries the generated-code header.
fn generated_files_under(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    stack.push(path);
                }
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                if text.lines().next().is_some_and(|l| l.contains(HEADER)) {
                    out.push(path);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}
