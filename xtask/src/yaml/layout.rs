//! What the text of a YAML document says beyond its values: the key path of each line, its
//! comments, and which nodes a person wrote in flow or block style.
//!
//! The parser keeps none of this. Two users need it: `import --update`, which rewrites a
//! spec file and must keep its comments and style ([`scan`], read by the writer), and
//! diagnostics, which get a line and column from the parser but must name the key
//! ([`crate::diag::key_path_at_line`]). Both read lines with one [`LineScanner`], so that a
//! line means the same to both: block scalar contents are text, not structure; end-of-line
//! comments and quoted keys are understood.
//!
//! The scanner follows the block structure by indentation, the way the spec files are
//! written; it does not parse YAML (flow collections spanning lines, multi-line plain or
//! quoted scalars and anchors are taken line by line). A line it misreads costs a comment's
//! place or a less precise key path, never a wrong value: values always come from the parser.

use super::tree::{item_identity, KeyPath, Node, Step};
use std::collections::{BTreeMap, BTreeSet};

/// Comment lines (with their `#`) to write before the node at each key path. The empty
/// path holds comments that end the document.
pub type Comments = BTreeMap<KeyPath, Vec<String>>;

/// What an existing file says about its own layout: its comments, and which mappings and
/// sequences a person wrote in flow style (`{ ... }`, `[...]`) or in block style.
#[derive(Debug, Clone, Default)]
pub struct SourceLayout {
    /// Comments by the key path of the node they precede.
    pub comments: Comments,
    /// Nodes written in flow style.
    pub flow: BTreeSet<KeyPath>,
    /// Nodes written in block style.
    pub block: BTreeSet<KeyPath>,
    /// One-line texts written folded (`>-`), with the lines as written.
    pub folded: BTreeMap<KeyPath, Vec<String>>,
    /// One-line texts written on the line of their key.
    pub inline: BTreeSet<KeyPath>,
}

/// Reads the layout of a YAML document: its comments with the key path of the node each
/// one precedes (end-of-line comments become comments before their node), and which nodes
/// are in flow or block style.
/// Sequence items are named as in `doc` (the parsed document), so that a comment stays
/// with its parameter when parameters are added or removed around it.
pub fn scan(source: &str, doc: &Node) -> SourceLayout {
    // Paths as written (items by index) until `doc` resolves them to identities at the end.
    let mut comments_at: Vec<(KeyPath, String)> = Vec::new();
    let mut flow: Vec<KeyPath> = Vec::new();
    let mut block: Vec<KeyPath> = Vec::new();
    let mut folded: Vec<(KeyPath, Vec<String>)> = Vec::new();
    let mut inline: Vec<KeyPath> = Vec::new();
    // Comment lines waiting for the node they precede.
    let mut pending: Vec<String> = Vec::new();
    // Whether block scalar lines belong to the folded text last pushed to `folded`.
    let mut folding = false;
    let mut scanner = LineScanner::new(source);
    while let Some(line) = scanner.next_line() {
        let node = match line {
            ScannedLine::BlockScalar(text) => {
                if let Some((_, lines)) = folded.last_mut().filter(|_| folding) {
                    lines.push(text.to_string());
                }
                continue;
            }
            ScannedLine::Comment(text) => {
                folding = false;
                pending.push(text.to_string());
                continue;
            }
            ScannedLine::Node(node) => node,
        };
        folding = false;
        let here = scanner.path();
        // The item a `- ` starts, else the node on the line: what a comment above it is about.
        let first = &here[..node.item_depth.unwrap_or(here.len())];
        for text in pending.drain(..) {
            comments_at.push((first.to_vec(), text));
        }
        if let Some(text) = node.end_comment {
            comments_at.push((here.to_vec(), text.to_string()));
        }
        let value = node.value;
        if value.starts_with(['{', '[']) {
            flow.push(here.to_vec());
        } else if value.is_empty() {
            block.push(here.to_vec());
        } else if value.starts_with('>') && is_block_scalar_header(value) {
            folded.push((here.to_vec(), Vec::new()));
            folding = true;
        } else if !is_block_scalar_header(value) {
            inline.push(here.to_vec());
        }
        if let Some(depth) = node.item_depth.filter(|depth| *depth < here.len()) {
            // `- key: ...`: the item is a block mapping.
            block.push(here[..depth].to_vec());
        }
    }

    let mut comments: Comments = BTreeMap::new();
    for (path, text) in comments_at {
        comments.entry(resolve(doc, &path)).or_default().push(text);
    }
    for text in pending {
        comments.entry(Vec::new()).or_default().push(text);
    }
    // Style is kept only for nodes that `doc` still has in full.
    let resolve_whole = |path: &KeyPath| -> Option<KeyPath> {
        let resolved = resolve(doc, path);
        (resolved.len() == path.len()).then_some(resolved)
    };
    SourceLayout {
        comments,
        flow: flow.iter().filter_map(resolve_whole).collect(),
        block: block.iter().filter_map(resolve_whole).collect(),
        folded: folded
            .into_iter()
            .filter_map(|(path, lines)| resolve_whole(&path).map(|p| (p, lines)))
            .collect(),
        inline: inline.iter().filter_map(resolve_whole).collect(),
    }
}

/// Turns a path as written (items by index) into one with item identities, as far as `doc`
/// has it.
fn resolve(doc: &Node, written: &[Step]) -> KeyPath {
    let mut out = Vec::new();
    let mut node = Some(doc);
    for step in written {
        match (step, node) {
            (Step::Key(k), Some(n)) => {
                out.push(step.clone());
                node = n.get(k);
            }
            (Step::Index(i), Some(Node::Seq(items))) => match items.get(*i) {
                Some(item) => {
                    out.push(item_identity(item, *i));
                    node = Some(item);
                }
                None => break,
            },
            _ => break,
        }
    }
    out
}

/// One line of a YAML document, as the [`LineScanner`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannedLine<'s> {
    /// A line holding only a comment: its text from the `#`.
    Comment(&'s str),
    /// A line (possibly blank) inside a block scalar (`|`, `>`): content, not structure.
    /// Its text without the indentation and trailing white space.
    BlockScalar(&'s str),
    /// A line with a key, a sequence item or a value; [`LineScanner::path`] is now its path.
    Node(NodeLine<'s>),
}

/// A line with a node on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeLine<'s> {
    /// When the line starts a sequence item (`- `), the length of that item's path: the
    /// scanner's path may go on with a key written after the dash.
    pub item_depth: Option<usize>,
    /// The value written after the key (or the dash), without an end-of-line comment:
    /// empty when the node is a block collection on the following lines.
    pub value: &'s str,
    /// An end-of-line comment, from its `#`.
    pub end_comment: Option<&'s str>,
}

/// Reads a YAML document line by line and follows its block structure by indentation.
/// After each [`ScannedLine::Node`], [`LineScanner::path`] is the key path of the node on
/// that line as written: mapping keys, and sequence items by index ([`Step::Index`]).
/// Blank lines and `---` outside block scalars are skipped.
pub struct LineScanner<'s> {
    lines: std::str::Lines<'s>,
    /// The path of the last node line, and the indentation of each step.
    path: KeyPath,
    indents: Vec<usize>,
    /// Items seen so far in each open sequence, by the indentation of its dashes.
    item_counts: Vec<(usize, usize)>,
    /// The indentation of the node whose block scalar is being read.
    block_scalar_parent: Option<usize>,
}

impl<'s> LineScanner<'s> {
    /// A scanner at the start of `source`.
    pub fn new(source: &'s str) -> LineScanner<'s> {
        LineScanner {
            lines: source.lines(),
            path: Vec::new(),
            indents: Vec::new(),
            item_counts: Vec::new(),
            block_scalar_parent: None,
        }
    }

    /// The key path, as written, of the node on the last [`ScannedLine::Node`] line.
    pub fn path(&self) -> &[Step] {
        &self.path
    }

    /// The next line that is not blank (outside block scalars) or `---`, or `None` at the end.
    pub fn next_line(&mut self) -> Option<ScannedLine<'s>> {
        loop {
            let line = self.lines.next()?;
            // YAML indents with spaces only; other leading white space is content.
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if let Some(parent) = self.block_scalar_parent {
                if trimmed.is_empty() || indent > parent {
                    return Some(ScannedLine::BlockScalar(trimmed.trim_end()));
                }
                self.block_scalar_parent = None;
            }
            if trimmed.is_empty() || trimmed == "---" {
                continue;
            }
            if trimmed.starts_with('#') {
                return Some(ScannedLine::Comment(trimmed));
            }
            return Some(ScannedLine::Node(self.node_line(indent, trimmed)));
        }
    }

    /// Moves the path to the node on a line with `indent` spaces and then `text`.
    fn node_line(&mut self, mut indent: usize, mut text: &'s str) -> NodeLine<'s> {
        let mut item_depth = None;
        // The indentation a block scalar's lines must exceed: that of its key or dash.
        let mut node_indent = indent;
        if let Some(after) = text.strip_prefix("- ").or((text == "-").then_some("")) {
            self.close_to(indent);
            let n = match self.item_counts.iter_mut().find(|(i, _)| *i == indent) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    self.item_counts.push((indent, 0));
                    0
                }
            };
            self.open(indent, Step::Index(n));
            item_depth = Some(self.path.len());
            // A key after the dash is indented by the dash and the spaces after it.
            let after_spaces = after.trim_start();
            indent += 2 + (after.len() - after_spaces.len());
            text = after_spaces;
        }
        let (content, end_comment) = split_end_comment(text);
        let mut value = content.trim();
        if let Some((key, after)) = mapping_key(content) {
            self.close_to(indent);
            self.open(indent, Step::Key(key));
            node_indent = indent;
            value = after.trim();
        }
        if is_block_scalar_header(value) {
            self.block_scalar_parent = Some(node_indent);
        }
        NodeLine {
            item_depth,
            value,
            end_comment,
        }
    }

    /// Closes every node indented at least `indent`: a node there is their sibling or an
    /// ancestor's sibling.
    fn close_to(&mut self, indent: usize) {
        while self.indents.last().is_some_and(|i| *i >= indent) {
            self.indents.pop();
            self.path.pop();
        }
        self.item_counts.retain(|(i, _)| *i <= indent);
    }

    fn open(&mut self, indent: usize, step: Step) {
        self.indents.push(indent);
        self.path.push(step);
    }
}

fn is_block_scalar_header(value: &str) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| c.is_ascii_digit() || c == '-' || c == '+')
}

/// The key of a `key: value` line and the text after the colon.
fn mapping_key(text: &str) -> Option<(String, &str)> {
    if text.starts_with(['{', '[']) {
        return None;
    }
    let (key, after) = if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'')
    {
        let end = text[1..].find(quote)? + 1;
        let after = text[end + 1..].strip_prefix(':')?;
        (text[1..end].to_string(), after)
    } else {
        let colon = find_key_colon(text)?;
        (text[..colon].trim().to_string(), &text[colon + 1..])
    };
    if key.is_empty() || !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((key, after))
}

/// The first `:` that ends a plain key: followed by a space or the end of the line (a `:`
/// inside a word, as in a URL, does not).
fn find_key_colon(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' '))
}

/// Splits an end-of-line comment (` # ...` outside quotes) off a line.
fn split_end_comment(text: &str) -> (&str, Option<&str>) {
    let mut in_single = false;
    let mut in_double = false;
    let mut escaped = false;
    let mut prev_space = true;
    for (i, c) in text.char_indices() {
        if in_double {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_double = false;
            }
        } else if in_single {
            if c == '\'' {
                in_single = false;
            }
        } else if c == '#' && prev_space {
            return (text[..i].trim_end(), Some(text[i..].trim_end()));
        } else if (c == '"' || c == '\'') && opens_quoted_scalar(&text[..i]) {
            if c == '"' {
                in_double = true;
            } else {
                in_single = true;
            }
        }
        prev_space = c == ' ' || c == '\t';
    }
    (text, None)
}

/// Whether a quote after `before` opens a quoted scalar (after a space, `[`, `{` or `,`);
/// elsewhere it is part of a plain scalar, as in `it's`.
fn opens_quoted_scalar(before: &str) -> bool {
    match before.chars().last() {
        None => true,
        Some(c) => matches!(c, ' ' | '\t' | '[' | '{' | ','),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;
    use crate::yaml::tree::path_text;
    use crate::yaml::writer::render_with_layout;

    #[test]
    fn comments_stay_with_their_nodes() {
        let source = "# head\nname: X\nparameters:\n  # about B\n  - name: B\n    in: query # where\n  - name: C\n    text: |-\n      # not a comment\n      - nor an item\n    after: 1\n# tail\n";
        let doc = parse(source).expect("valid YAML");
        let layout = scan(source, &doc);
        let comments = &layout.comments;
        let key = |parts: &[Step]| parts.to_vec();
        assert_eq!(comments[&key(&[Step::Key("name".into())])], vec!["# head"]);
        assert_eq!(
            comments[&key(&[Step::Key("parameters".into()), Step::Named("B".into())])],
            vec!["# about B"]
        );
        assert_eq!(
            comments[&key(&[
                Step::Key("parameters".into()),
                Step::Named("B".into()),
                Step::Key("in".into())
            ])],
            vec!["# where"]
        );
        assert_eq!(comments[&Vec::new()], vec!["# tail"]);
        assert_eq!(comments.len(), 4);
        let text = render_with_layout(&doc, &layout);
        assert!(text.starts_with("# head\nname: X\nparameters:\n  # about B\n  - name: B\n    # where\n    in: query\n"), "{text}");
        assert!(text.ends_with("# tail\n"), "{text}");
        assert_eq!(parse(&text).expect("valid YAML"), doc);
    }

    /// Every line's event, with the path after node lines.
    fn events(source: &str) -> Vec<String> {
        let mut scanner = LineScanner::new(source);
        let mut out = Vec::new();
        while let Some(line) = scanner.next_line() {
            out.push(match line {
                ScannedLine::Comment(text) => format!("comment {text}"),
                ScannedLine::BlockScalar(text) => format!("text {text}"),
                ScannedLine::Node(node) => format!(
                    "node {} item={:?} value={:?} comment={:?}",
                    path_text(scanner.path()),
                    node.item_depth,
                    node.value,
                    node.end_comment
                ),
            });
        }
        out
    }

    #[test]
    fn block_scalar_lines_are_text_not_structure() {
        let source =
            "a: |-\n  - not an item\n\n  b: not a key\n  # not a comment\nc: >\n  folded\nd: 1\n";
        assert_eq!(
            events(source),
            [
                "node a item=None value=\"|-\" comment=None",
                "text - not an item",
                "text ",
                "text b: not a key",
                "text # not a comment",
                "node c item=None value=\">\" comment=None",
                "text folded",
                "node d item=None value=\"1\" comment=None",
            ]
        );
    }

    #[test]
    fn paths_follow_the_indentation_of_keys_and_dashes() {
        let source = "---\nlist:\n  -   name: A # first\n      url: http://x/#y\n  - \"quoted: key\": 'a # b'\n  -\n    - nested\n    - [flow, x]\nafter: it's\n";
        assert_eq!(
            events(source),
            [
                "node list item=None value=\"\" comment=None",
                "node list[0].name item=Some(2) value=\"A\" comment=Some(\"# first\")",
                "node list[0].url item=None value=\"http://x/#y\" comment=None",
                "node list[1].quoted: key item=Some(2) value=\"'a # b'\" comment=None",
                "node list[2] item=Some(2) value=\"\" comment=None",
                "node list[2][0] item=Some(3) value=\"nested\" comment=None",
                "node list[2][1] item=Some(3) value=\"[flow, x]\" comment=None",
                "node after item=None value=\"it's\" comment=None",
            ]
        );
    }

    #[test]
    fn styles_are_recorded_by_item_identity() {
        let source = "parameters:\n  - name: A\n    schema: { type: string }\n    text: >-\n      one\n      two\n  - [x]\n";
        let doc = parse(source).expect("valid YAML");
        let layout = scan(source, &doc);
        let key = |k: &str| Step::Key(k.into());
        let a = || vec![key("parameters"), Step::Named("A".into())];
        let with = |mut path: Vec<Step>, step: Step| {
            path.push(step);
            path
        };
        assert_eq!(
            layout.flow,
            BTreeSet::from([
                with(a(), key("schema")),
                vec![key("parameters"), Step::Index(1)]
            ])
        );
        assert_eq!(layout.block, BTreeSet::from([vec![key("parameters")], a()]));
        assert_eq!(
            layout.folded,
            BTreeMap::from([(with(a(), key("text")), vec!["one".into(), "two".into()])])
        );
        assert_eq!(layout.inline, BTreeSet::from([with(a(), key("name"))]));
    }
}
