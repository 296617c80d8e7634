//! Reading a spec folder: parse every YAML file, then validate and lower it into the model.

use crate::diag::{key_path_at_line, Diagnostic, Diagnostics};
use crate::lower;
use crate::model::Api;
use crate::spec;
use std::path::{Path, PathBuf};

/// The product file's name inside a spec folder; every other `*.yaml` is an action.
pub const PRODUCT_FILE: &str = "product.yaml";

/// Loads and validates the spec in `spec_dir`. `display_root` is stripped from file names in
/// diagnostics so that messages show paths relative to the workspace.
pub fn load_api(spec_dir: &Path, display_root: &Path) -> Result<Api, Diagnostics> {
    ParsedSpec::read(spec_dir, display_root).lower()
}

/// A spec folder read and parsed, not yet validated: what [`load_api`] lowers. A caller that
/// validates many variants of one large folder (the hardening tests mutate one file at a
/// time) parses it once and swaps in the file that changes ([`ParsedSpec::parse`]).
pub struct ParsedSpec {
    spec_dir: PathBuf,
    display_root: PathBuf,
    /// `product.yaml`.
    pub product: ParsedFile<spec::ProductFile>,
    /// Every other YAML file of the folder, by file name.
    pub actions: Vec<ParsedFile<spec::ActionFile>>,
    /// The folder could not be listed.
    folder_error: Option<Diagnostic>,
}

/// One spec file: its path and its value, or the diagnostic of reading or parsing it.
pub struct ParsedFile<T> {
    pub path: PathBuf,
    pub parsed: Result<T, Diagnostic>,
}

impl ParsedSpec {
    /// Reads and parses every YAML file of `spec_dir`.
    pub fn read(spec_dir: &Path, display_root: &Path) -> ParsedSpec {
        let shown = |p: &Path| shown_path(p, display_root);
        let mut folder_error = None;
        let mut action_paths = Vec::new();
        match std::fs::read_dir(spec_dir) {
            Err(e) => {
                folder_error = Some(Diagnostic::file(
                    &shown(spec_dir),
                    "",
                    format!("cannot read the spec folder: {e}"),
                ))
            }
            Ok(entries) => {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
                    if is_yaml && path.file_name().is_some_and(|n| n != PRODUCT_FILE) {
                        action_paths.push(path);
                    }
                }
            }
        }
        // Deterministic order: by file name.
        action_paths.sort();
        ParsedSpec {
            spec_dir: spec_dir.to_path_buf(),
            display_root: display_root.to_path_buf(),
            product: read_file(&spec_dir.join(PRODUCT_FILE), display_root),
            actions: action_paths
                .iter()
                .map(|p| read_file(p, display_root))
                .collect(),
            folder_error,
        }
    }

    /// Parses `source` as the text of the spec file at `path` (which need not hold it).
    pub fn parse<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        path: &Path,
        source: &str,
    ) -> ParsedFile<T> {
        parse_file(path, source, &self.display_root)
    }

    fn shown(&self, p: &Path) -> PathBuf {
        shown_path(p, &self.display_root)
    }

    /// Validates the parsed files and lowers them into the model.
    pub fn lower(&self) -> Result<Api, Diagnostics> {
        let (spec_dir, display_root) = (&self.spec_dir, &self.display_root);
        let shown = |p: &Path| self.shown(p);
        let mut diagnostics = Vec::new();
        let product_raw = match &self.product.parsed {
            Ok(raw) => Some(raw),
            Err(d) => {
                diagnostics.push(d.clone());
                None
            }
        };
        diagnostics.extend(self.folder_error.clone());
        let mut raw_actions = Vec::new();
        for file in &self.actions {
            match &file.parsed {
                Ok(raw) => raw_actions.push((file.path.clone(), raw)),
                Err(d) => diagnostics.push(d.clone()),
            }
        }

        let product_path = &self.product.path;
        let product = product_raw
            .and_then(|raw| lower::lower_product(&shown(product_path), raw, &mut diagnostics));
        let mut operations = Vec::new();
        if let Some(product) = &product {
            for (path, raw) in &raw_actions {
                if let Some(op) =
                    lower::lower_operation(&shown(path), spec_dir, product, raw, &mut diagnostics)
                {
                    operations.push(op);
                }
            }
            lower::resolve_waits(
                display_root,
                &raw_actions,
                &mut operations,
                &mut diagnostics,
            );
            if self.actions.is_empty() {
                diagnostics.push(Diagnostic::file(
                    &shown(spec_dir),
                    "",
                    "the spec folder has no action files",
                ));
            }
        }
        // Two files can't define the same action (names are checked against file names, but
        // case-insensitive file systems and snake_case collisions remain).
        for (i, a) in operations.iter().enumerate() {
            if let Some(b) = operations[..i]
                .iter()
                .find(|b| b.names.module == a.names.module)
            {
                diagnostics.push(Diagnostic::file(
                    &shown(&spec_dir.join(format!("{}.yaml", a.name))),
                    "name",
                    format!(
                        "action `{}` has the same snake_case name as `{}`",
                        a.name, b.name
                    ),
                ));
            }
        }
        match (product, diagnostics.is_empty()) {
            (Some(product), true) => Ok(Api {
                product,
                operations,
            }),
            _ => Err(Diagnostics(diagnostics)),
        }
    }
}

/// `p` relative to `display_root` when it is inside, as diagnostics show it.
fn shown_path(p: &Path, display_root: &Path) -> PathBuf {
    p.strip_prefix(display_root).unwrap_or(p).to_path_buf()
}

fn read_file<T: serde::de::DeserializeOwned + Send + 'static>(
    path: &Path,
    display_root: &Path,
) -> ParsedFile<T> {
    match std::fs::read_to_string(path) {
        Ok(source) => parse_file(path, &source, display_root),
        Err(e) => ParsedFile {
            path: path.to_path_buf(),
            parsed: Err(Diagnostic::file(
                &shown_path(path, display_root),
                "",
                format!("cannot read the file: {e}"),
            )),
        },
    }
}

fn parse_file<T: serde::de::DeserializeOwned + Send + 'static>(
    path: &Path,
    source: &str,
    display_root: &Path,
) -> ParsedFile<T> {
    let parsed = parse_str::<T>(source).map_err(|(message, position)| Diagnostic {
        file: shown_path(path, display_root),
        key_path: position
            .map(|(line, _)| key_path_at_line(source, line))
            .unwrap_or_default(),
        position,
        message,
    });
    ParsedFile {
        path: path.to_path_buf(),
        parsed,
    }
}

/// Parses YAML text; on error returns a one-line message and the position when known.
pub fn parse_str<T: serde::de::DeserializeOwned + Send + 'static>(
    source: &str,
) -> Result<T, (String, Option<(u64, u64)>)> {
    // The parser recurses once per nesting level until its depth budget stops it; run it on a
    // thread with a stack large enough for that budget, whatever the caller's stack is.
    let source = source.to_owned();
    std::thread::Builder::new()
        .name("spec-parser".into())
        .stack_size(PARSER_STACK_BYTES)
        .spawn(move || parse_on_this_thread::<T>(&source))
        .map_err(|e| (format!("cannot start the spec parser: {e}"), None))?
        .join()
        .unwrap_or_else(|_| Err(("the YAML parser failed on this file".to_string(), None)))
}

/// Stack of the parser thread.
const PARSER_STACK_BYTES: usize = 64 * 1024 * 1024;

fn parse_on_this_thread<T: serde::de::DeserializeOwned>(
    source: &str,
) -> Result<T, (String, Option<(u64, u64)>)> {
    match serde_saphyr::from_str::<T>(source) {
        Ok(value) => Ok(value),
        Err(e) => {
            let position = e
                .location()
                .filter(|l| l.line() > 0)
                .map(|l| (l.line(), l.column()));
            Err((first_line_message(&e.to_string()), position))
        }
    }
}

/// serde-saphyr renders errors with a source snippet; keep the headline only, since the
/// diagnostic already carries the file, position and key path.
fn first_line_message(rendered: &str) -> String {
    let line = rendered
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(rendered)
        .trim();
    let line = line.strip_prefix("error:").unwrap_or(line).trim();
    // Drop a leading "line X column Y: " that duplicates the position.
    let line = match (line.strip_prefix("line "), line.find(": ")) {
        (Some(_), Some(i)) if line[..i].contains("column") => &line[i + 2..],
        _ => line,
    };
    // Drop a trailing " at line X, column Y" that duplicates the position.
    match line.find(" at line ") {
        Some(i) => line[..i].to_string(),
        None => line.to_string(),
    }
}
