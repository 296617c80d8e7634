//! Which checkout `cargo xtask` acts on.
//!
//! The answer must come from the run, not from the build. Cargo reuses a compiled xtask across
//! checkouts of this workspace that share a target directory (a global `CARGO_TARGET_DIR`,
//! `build.target-dir`, several `git worktree`s pointed at one target) when their sources are not
//! newer than the binary, so the `CARGO_MANIFEST_DIR` compiled into the binary may name another
//! checkout, or one that no longer exists (issue 18). The one cargo puts in the environment of
//! `cargo run` (hence `cargo xtask`) and of test processes names the checkout the command was
//! run in; rust-analyzer's `project_root()` reads it for the same reason.

use std::fmt;
use std::path::{Path, PathBuf};

/// A workspace root and how it was chosen; `Display` says both, for the first line of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRoot {
    pub path: PathBuf,
    pub origin: RootOrigin,
}

/// How the workspace root was chosen, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootOrigin {
    /// `--root DIR` on the command line.
    RootArgument,
    /// The `CARGO_MANIFEST_DIR` cargo set for this process: the checkout the command ran in.
    CargoEnvironment,
    /// The `CARGO_MANIFEST_DIR` of the build: the checkout that compiled this binary, which is
    /// only a guess when the binary is run without cargo.
    CompiledIn,
}

impl WorkspaceRoot {
    /// The root given with `--root`: it wins over everything else.
    pub fn from_argument(dir: &Path) -> WorkspaceRoot {
        WorkspaceRoot {
            path: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
            origin: RootOrigin::RootArgument,
        }
    }

    /// The root found at run time: the parent of the `CARGO_MANIFEST_DIR` in the environment
    /// (xtask's own folder under `cargo xtask`, or the folder of the package whose tests run),
    /// else the parent of the one this crate was compiled with.
    pub fn locate() -> WorkspaceRoot {
        let (manifest_dir, origin) = match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(dir) if !dir.is_empty() => (PathBuf::from(dir), RootOrigin::CargoEnvironment),
            _ => (
                PathBuf::from(env!("CARGO_MANIFEST_DIR")),
                RootOrigin::CompiledIn,
            ),
        };
        let path = manifest_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(manifest_dir);
        WorkspaceRoot { path, origin }
    }

    /// Checks that the root holds a workspace with specs (its `Cargo.toml` and `spec/`), so
    /// that a wrong root is refused before anything is read from or written into it.
    pub fn check(&self) -> Result<(), NotAWorkspace> {
        let missing = if !self.path.join("Cargo.toml").is_file() {
            "Cargo.toml"
        } else if !self.path.join("spec").is_dir() {
            "spec/"
        } else {
            return Ok(());
        };
        Err(NotAWorkspace {
            root: self.clone(),
            missing,
        })
    }
}

impl fmt::Display for WorkspaceRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = match self.origin {
            RootOrigin::RootArgument => "from --root",
            RootOrigin::CargoEnvironment => "from CARGO_MANIFEST_DIR, set by cargo",
            RootOrigin::CompiledIn => {
                "compiled into this binary; run it with `cargo xtask` or pass --root"
            }
        };
        write!(f, "{} ({origin})", self.path.display())
    }
}

/// The chosen root does not hold the workspace to generate; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{root} is not the workspace to generate: it has no {missing}; nothing was written")]
pub struct NotAWorkspace {
    pub root: WorkspaceRoot,
    /// What the root lacks: `Cargo.toml` or `spec/`.
    pub missing: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_what_the_root_lacks() {
        let dir =
            std::env::temp_dir().join(format!("xtask-workspace-check-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let root = WorkspaceRoot::from_argument(&dir);
        assert_eq!(root.check().map_err(|e| e.missing), Err("Cargo.toml"));
        std::fs::write(dir.join("Cargo.toml"), "[workspace]\n").expect("write");
        assert_eq!(root.check().map_err(|e| e.missing), Err("spec/"));
        std::fs::create_dir(dir.join("spec")).expect("create spec/");
        assert_eq!(root.check(), Ok(()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_message_names_the_root_and_its_origin() {
        let root = WorkspaceRoot {
            path: PathBuf::from("/checkouts/b"),
            origin: RootOrigin::CargoEnvironment,
        };
        assert_eq!(
            root.to_string(),
            "/checkouts/b (from CARGO_MANIFEST_DIR, set by cargo)"
        );
        let err = NotAWorkspace {
            root,
            missing: "spec/",
        };
        assert_eq!(
            err.to_string(),
            "/checkouts/b (from CARGO_MANIFEST_DIR, set by cargo) is not the workspace to \
             generate: it has no spec/; nothing was written"
        );
    }
}
