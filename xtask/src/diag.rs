//! Diagnostics: what is wrong in a spec file, and where.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file, as given to the generator (relative to the workspace root when possible).
    pub file: PathBuf,
    /// Dotted key path inside the file, such as `parameters[1].schema.type`.
    pub key_path: String,
    /// 1-based line and column, when the parser knows them.
    pub position: Option<(u64, u64)>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at a known position.
    pub fn at(
        file: &Path,
        key_path: impl Into<String>,
        location: serde_saphyr::Location,
        message: impl Into<String>,
    ) -> Self {
        let position = (location.line() > 0).then(|| (location.line(), location.column()));
        Diagnostic {
            file: file.to_path_buf(),
            key_path: key_path.into(),
            position,
            message: message.into(),
        }
    }

    /// A diagnostic about a whole file or a key with no position.
    pub fn file(file: &Path, key_path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            key_path: key_path.into(),
            position: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if !self.key_path.is_empty() {
            write!(f, ": at `{}`", self.key_path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems found in a spec, in file order. Nothing is generated while there are any.
#[derive(Debug)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the spec has {} error{}; nothing was generated:",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )?;
        for diagnostic in &self.0 {
            writeln!(f, "  error: {diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Best-effort key path of the YAML node on `line` (1-based), from the block structure of the
/// source. serde errors carry a line and column but no path; this recovers the path so that
/// every error says where it is in the same terms as the validator's own errors.
pub fn key_path_at_line(source: &str, line: u64) -> String {
    // Stack of (indent, segment). A list item adds an index segment.
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut list_counters: Vec<(usize, usize)> = Vec::new();
    for (index, raw) in source.lines().enumerate() {
        if index as u64 + 1 > line {
            break;
        }
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut indent = raw.len() - trimmed.len();
        let mut rest = trimmed;
        if let Some(after_dash) = rest
            .strip_prefix("- ")
            .or_else(|| (rest == "-").then_some(""))
        {
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            list_counters.retain(|(i, _)| *i <= indent);
            let position = match list_counters.iter_mut().find(|(i, _)| *i == indent) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    list_counters.push((indent, 0));
                    0
                }
            };
            stack.push((indent, format!("[{position}]")));
            indent += 2;
            rest = after_dash.trim_start();
        }
        if let Some(key) = mapping_key(rest) {
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            list_counters.retain(|(i, _)| *i <= indent);
            stack.push((indent, key));
        }
    }
    let mut path = String::new();
    for (_, segment) in stack {
        if !path.is_empty() && !segment.starts_with('[') {
            path.push('.');
        }
        path.push_str(&segment);
    }
    path
}

fn mapping_key(text: &str) -> Option<String> {
    if text.starts_with('{') || text.starts_with('[') {
        return None;
    }
    let colon = text.find(':')?;
    let key = text[..colon].trim();
    let after = &text[colon + 1..];
    if !(after.is_empty() || after.starts_with(' ')) || key.is_empty() {
        return None;
    }
    Some(key.trim_matches(|c| c == '"' || c == '\'').to_string())
}

#[cfg(test)]
mod tests {
    use super::key_path_at_line;

    #[test]
    fn recovers_nested_key_paths() {
        let yaml = "name: A\nparameters:\n  - name: X\n    schema:\n      type: foo\n  - name: Y\n    schema:\n      type: bar\n";
        assert_eq!(key_path_at_line(yaml, 1), "name");
        assert_eq!(key_path_at_line(yaml, 5), "parameters[0].schema.type");
        assert_eq!(key_path_at_line(yaml, 8), "parameters[1].schema.type");
    }
}
