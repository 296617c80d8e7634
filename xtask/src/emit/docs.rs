//! The one doc renderer: spec descriptions and notes become lines once, then either rustdoc
//! (`///` comments of fields, types and methods) or CLI help text (`--help` of flags and
//! subcommands).

use crate::model::Doc;
use proc_macro2::TokenStream;
use quote::quote;

/// Lines of documentation, in paragraphs separated by blank lines.
#[derive(Debug, Clone, Default)]
pub struct Docs {
    lines: Vec<String>,
}

impl Docs {
    /// No text yet.
    pub fn new() -> Self {
        Docs::default()
    }

    /// Starts with one line.
    pub fn line(text: impl Into<String>) -> Self {
        Docs::new().then(text)
    }

    /// A bilingual description: English first, then the original Chinese (`原文 (zh): `);
    /// `fallback` when the spec has neither.
    pub fn described(doc: &Doc, fallback: &str) -> Self {
        Docs::new().description(doc, fallback)
    }

    /// `title: ` before the description's first paragraph (`title` alone without one).
    pub fn titled(title: &str, doc: &Doc) -> Self {
        let described = Docs::described(doc, "");
        match described.lines.split_first() {
            None => Docs::line(title),
            Some((first, rest)) => {
                let mut lines = vec![format!("{title}: {first}")];
                lines.extend(rest.iter().cloned());
                Docs { lines }
            }
        }
    }

    /// Appends a line to the current paragraph.
    pub fn then(mut self, text: impl Into<String>) -> Self {
        self.lines.extend(clean(&text.into()));
        self
    }

    /// Appends a line as it is (for code the generator writes, such as examples).
    pub fn verbatim(mut self, line: impl Into<String>) -> Self {
        self.lines.push(line.into());
        self
    }

    /// A new paragraph with a fenced Rust example, its lines kept as they are (rustdoc
    /// compiles it, and hides the lines starting with `# `).
    pub fn example(mut self, fence: &str, lines: Vec<String>) -> Self {
        if !self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.lines.push(fence.to_string());
        self.lines.extend(lines);
        self.lines.push("```".to_string());
        self
    }

    /// Starts a new paragraph with `text` (one or more lines).
    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        if !self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.then(text)
    }

    /// Appends a description as new paragraphs (nothing when `fallback` is empty and the spec
    /// has no text).
    pub fn description(mut self, doc: &Doc, fallback: &str) -> Self {
        match (&doc.en, &doc.zh) {
            (Some(en), Some(zh)) => {
                self = self.paragraph(en.as_str());
                self.paragraph(format!("原文 (zh): {zh}"))
            }
            (Some(one), None) | (None, Some(one)) => self.paragraph(one.as_str()),
            (None, None) if fallback.is_empty() => self,
            (None, None) => self.paragraph(fallback),
        }
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// `///` comments.
    pub fn rustdoc(&self) -> TokenStream {
        let lines =
            end_lists(&self.lines)
                .into_iter()
                .map(|l| if l.is_empty() { l } else { format!(" {l}") });
        quote! { #( #[doc = #lines] )* }
    }

    /// `//!` comments.
    pub fn inner_rustdoc(&self) -> TokenStream {
        let lines =
            end_lists(&self.lines)
                .into_iter()
                .map(|l| if l.is_empty() { l } else { format!(" {l}") });
        quote! { #( #![doc = #lines] )* }
    }

    /// The first paragraph of [`Docs::cli`]: a subcommand's line in the list of commands.
    pub fn cli_summary(&self) -> String {
        let text = self.cli();
        match text.split_once("\n\n") {
            Some((first, _)) => first.to_string(),
            None => text,
        }
    }

    /// Help text for the command line: the lines of a paragraph joined into one (clap wraps
    /// them to the terminal), list items on their own lines, paragraphs apart.
    pub fn cli(&self) -> String {
        let mut out = String::new();
        let mut paragraph_start = true;
        for line in &self.lines {
            if line.is_empty() {
                out.push_str("\n\n");
                paragraph_start = true;
                continue;
            }
            if !paragraph_start {
                out.push(if is_list_item(line) { '\n' } else { ' ' });
            }
            out.push_str(line.trim_start_matches("```text").trim_start_matches("```"));
            paragraph_start = false;
        }
        out.trim().to_string()
    }
}

/// Spec text made safe as Markdown in rustdoc: trimmed lines (no indented code blocks, which
/// would be compiled as doctests), fenced blocks marked as text, tabs as spaces
/// (clippy::tabs_in_doc_comments). Blank lines are kept as paragraph breaks.
fn clean(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let line = line.trim();
            if line.starts_with("```") {
                "```text".to_string()
            } else {
                line.replace('\t', "    ")
            }
        })
        .collect()
}

fn is_list_item(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("- ")
        || line.starts_with("* ")
        || line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Puts a blank line between a Markdown list and a following paragraph line, which Markdown
/// would otherwise fold into the last item.
fn end_lists(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        let after_item = out.last().is_some_and(|prev| is_list_item(prev));
        if after_item && !line.trim().is_empty() && !is_list_item(line) {
            out.push(String::new());
        }
        out.push(line.clone());
    }
    out
}

/// The docs of a field or parameter: its wire name (whether it is required, an example) as
/// the start of its description, such as ``"`ProjectId` (example `10000`): The ID of..."``.
pub fn field_docs(doc: &Doc, wire: &str, required: bool, example: Option<&str>) -> Docs {
    let example = clean_example(example).map(|e| format!("example `{}`", e.replace('`', "'")));
    let notes: Vec<String> = required
        .then(|| "required".to_string())
        .into_iter()
        .chain(example)
        .collect();
    let title = if notes.is_empty() {
        format!("`{wire}`")
    } else {
        format!("`{wire}` ({})", notes.join("; "))
    };
    if doc.is_empty() {
        Docs::line(format!("{title}."))
    } else {
        Docs::titled(&title, doc)
    }
}

/// What a flag is on the wire, for CLI help: `Wire name: ProjectId. Example: 10000`.
pub fn cli_wire_note(wire: &str, example: Option<&str>) -> String {
    match clean_example(example) {
        Some(e) => format!("Wire name: {wire}. Example: {e}"),
        None => format!("Wire name: {wire}."),
    }
}

/// A one-line example, or none.
pub(super) fn clean_example(example: Option<&str>) -> Option<String> {
    example
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.contains('\n'))
        .map(|e| e.replace('\t', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_text_keeps_whole_paragraphs_and_lists() {
        let doc = Doc {
            en: Some("The unique identifier: the English name shown in the\nworkspace switcher.\n\nIt is:\n- one\n- two".into()),
            zh: Some("标识".into()),
        };
        let text = Docs::described(&doc, "").cli();
        assert_eq!(
            text,
            "The unique identifier: the English name shown in the workspace switcher.\n\nIt is:\n- one\n- two\n\n原文 (zh): 标识"
        );
    }
}
