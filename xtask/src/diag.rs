//! Diagnostics: what is wrong in a spec file, and where.

use crate::yaml::layout::LineScanner;
use crate::yaml::tree::path_text;
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
/// every error says where it is in the same terms as the validator's own errors. Sequence
/// items are named by index (`parameters[1].schema.type`): without a parsed document there
/// are no names to take.
pub fn key_path_at_line(source: &str, line: u64) -> String {
    // The path of the last node at or before `line`: scan only up to the end of that line.
    let lines_before = usize::try_from(line).unwrap_or(usize::MAX);
    let end: usize = source
        .split_inclusive('\n')
        .take(lines_before)
        .map(str::len)
        .sum();
    let mut scanner = LineScanner::new(&source[..end]);
    while scanner.next_line().is_some() {}
    path_text(scanner.path())
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

    #[test]
    fn lines_of_texts_and_comments_belong_to_the_node_before_them() {
        let yaml = "description:\n  zh: |-\n    - 不是列表项\n    key: not a key\n  # a comment\n\nparameters:\n  - name: X\n";
        assert_eq!(key_path_at_line(yaml, 3), "description.zh");
        assert_eq!(key_path_at_line(yaml, 4), "description.zh");
        assert_eq!(key_path_at_line(yaml, 5), "description.zh");
        assert_eq!(key_path_at_line(yaml, 6), "description.zh");
        assert_eq!(key_path_at_line(yaml, 8), "parameters[0].name");
        assert_eq!(key_path_at_line(yaml, 0), "");
        assert_eq!(key_path_at_line(yaml, 99), "parameters[0].name");
    }

    #[test]
    fn quoted_keys_and_end_comments_are_understood() {
        let yaml = "responses:\n  \"200\": # OK\n    \"a: b\": 1\n";
        assert_eq!(key_path_at_line(yaml, 2), "responses.200");
        assert_eq!(key_path_at_line(yaml, 3), "responses.200.a: b");
    }
}
