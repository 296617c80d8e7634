//! The code generator behind `cargo xtask codegen`.
//!
//! Data flows one way: `spec` (serde types of the YAML) → `load` + `lower` (validation and
//! lowering passes) → `model` (the typed API, references resolved, names computed) → `emit`
//! (one emitter per generated crate, `quote!` + `prettyplease`) → `write` (only files whose
//! contents change).
#![forbid(unsafe_code)]

pub mod diag;
pub mod emit;
pub mod import;
pub mod load;
pub mod lower;
pub mod model;
pub mod names;
pub mod spec;
pub mod workspace;
pub mod write;
pub mod yaml;

use std::path::{Path, PathBuf};

/// Everything that can stop code generation.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec is invalid; nothing was written.
    #[error("{0}")]
    Spec(#[from] diag::Diagnostics),
    /// An emitter failed (a generator bug); nothing was written.
    #[error("{0}")]
    Emit(String),
    /// Reading or writing files failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The spec folders `cargo xtask codegen` reads: every product under `spec/`, plus the
/// test fixture spec that proves the generator does not depend on any one action.
pub fn spec_dirs(root: &Path) -> Result<Vec<PathBuf>, CodegenError> {
    let mut dirs = Vec::new();
    let spec_root = root.join("spec");
    let entries = std::fs::read_dir(&spec_root).map_err(|source| CodegenError::Io {
        action: "cannot read",
        path: spec_root.clone(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.join(load::PRODUCT_FILE).is_file() {
            dirs.push(path);
        }
    }
    dirs.sort();
    let fixture = root.join("tests").join("fixture-spec");
    if fixture.join(load::PRODUCT_FILE).is_file() {
        dirs.push(fixture);
    }
    Ok(dirs)
}

/// Loads, validates and emits one spec folder. Paths in the result are relative to `root`.
pub fn generate(
    spec_dir: &Path,
    root: &Path,
) -> Result<(model::Api, Vec<emit::GeneratedFile>), CodegenError> {
    let api = load::load_api(spec_dir, root)?;
    let files = generate_from_model(&api)?;
    Ok((api, files))
}

/// Emits every generated crate of a validated API.
pub fn generate_from_model(api: &model::Api) -> Result<Vec<emit::GeneratedFile>, CodegenError> {
    let mut files = emit::models::generate(api).map_err(CodegenError::Emit)?;
    files.extend(emit::client::generate(api).map_err(CodegenError::Emit)?);
    files.extend(emit::cli::generate(api).map_err(CodegenError::Emit)?);
    emit::format_rust_files(&mut files).map_err(CodegenError::Emit)?;
    Ok(files)
}

/// Runs codegen over `spec_dirs`: validates and emits all of them before writing anything,
/// then writes (or in check mode, compares). Returns the changes.
pub fn codegen(
    root: &Path,
    spec_dirs: &[PathBuf],
    check: bool,
) -> Result<Vec<write::Change>, CodegenError> {
    let mut all_files = Vec::new();
    let mut crate_dirs = Vec::new();
    let mut diagnostics = Vec::new();
    for dir in spec_dirs {
        match generate(dir, root) {
            Ok((api, files)) => {
                let cli = api.product.cli.as_ref().map(|cli| &cli.krate);
                for krate in [&api.product.models_crate, &api.product.client_crate]
                    .into_iter()
                    .chain(cli)
                {
                    crate_dirs.push(krate.path.clone());
                }
                all_files.extend(files);
            }
            Err(CodegenError::Spec(d)) => diagnostics.extend(d.0),
            Err(other) => return Err(other),
        }
    }
    if !diagnostics.is_empty() {
        return Err(CodegenError::Spec(diag::Diagnostics(diagnostics)));
    }
    write::sync(root, &all_files, &crate_dirs, check).map_err(|source| CodegenError::Io {
        action: "cannot write generated files under",
        path: root.to_path_buf(),
        source,
    })
}

/// The workspace root of the checkout this process runs in; see [`workspace::WorkspaceRoot::locate`].
pub fn workspace_root() -> PathBuf {
    workspace::WorkspaceRoot::locate().path
}
