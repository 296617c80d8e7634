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
    let mut diagnostics = Vec::new();
    let shown = |p: &Path| -> PathBuf { p.strip_prefix(display_root).unwrap_or(p).to_path_buf() };

    let product_path = spec_dir.join(PRODUCT_FILE);
    let product_raw: Option<spec::ProductFile> =
        parse_file(&product_path, &shown(&product_path), &mut diagnostics);

    let mut action_paths = Vec::new();
    match std::fs::read_dir(spec_dir) {
        Err(e) => diagnostics.push(Diagnostic::file(
            &shown(spec_dir),
            "",
            format!("cannot read the spec folder: {e}"),
        )),
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

    let mut raw_actions = Vec::new();
    for path in &action_paths {
        if let Some(raw) = parse_file::<spec::ActionFile>(path, &shown(path), &mut diagnostics) {
            raw_actions.push((path.clone(), raw));
        }
    }

    let product = product_raw
        .and_then(|raw| lower::lower_product(&shown(&product_path), &raw, &mut diagnostics));
    let mut operations = Vec::new();
    if let Some(product) = &product {
        for (path, raw) in &raw_actions {
            if let Some(op) =
                lower::lower_operation(&shown(path), spec_dir, product, raw, &mut diagnostics)
            {
                operations.push(op);
            }
        }
        let raws: Vec<(PathBuf, &spec::ActionFile)> =
            raw_actions.iter().map(|(p, r)| (p.clone(), r)).collect();
        lower::resolve_waits(display_root, &raws, &mut operations, &mut diagnostics);
        if action_paths.is_empty() {
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

fn parse_file<T: serde::de::DeserializeOwned + Send + 'static>(
    path: &Path,
    shown: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let source = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(Diagnostic::file(
                shown,
                "",
                format!("cannot read the file: {e}"),
            ));
            return None;
        }
    };
    match parse_str::<T>(&source) {
        Ok(value) => Some(value),
        Err((message, position)) => {
            let key_path = position
                .map(|(line, _)| key_path_at_line(&source, line))
                .unwrap_or_default();
            diagnostics.push(Diagnostic {
                file: shown.to_path_buf(),
                key_path,
                position,
                message,
            });
            None
        }
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
