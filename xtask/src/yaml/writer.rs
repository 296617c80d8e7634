//! Writes a [`Node`] tree as YAML in the style of the hand-written spec files.
//!
//! A generic YAML emitter would make every imported file look machine-written and would
//! churn a person's file on each `import --update`. This writer follows the style of
//! `spec/dataworks-public/GetDeployment.yaml` instead: two-space indentation, sequences
//! indented under their key, flow style (`{ zh: ... }`, `[post]`) only for a few small kinds of
//! node, long one-line texts folded (`>-`), and every string quoted exactly when plain style
//! would change its meaning. Given the [`SourceLayout`] of an earlier version of the file, it
//! also keeps that file's comments and its choices of flow or block style.

use super::layout::{Comments, SourceLayout};
use super::tree::{format_float, item_identity, lookup, KeyPath, Node, Step};
use std::collections::{BTreeMap, BTreeSet};

/// Longest line the writer puts a flow collection on (CJK characters count double).
const FLOW_WIDTH: usize = 120;

/// Longest line before a long single-line text is folded (`>-`)...
const FOLD_WIDTH: usize = 120;

/// ...into lines of about this width.
const WRAP_WIDTH: usize = 80;

/// Renders `doc` as a YAML document with the default layout and no comments.
pub fn render(doc: &Node) -> String {
    render_with_layout(doc, &SourceLayout::default())
}

/// Renders `doc` as a YAML document, keeping what `layout` (read from an earlier version of
/// the file) says: comments go before the nodes they belong to (before the closest ancestor
/// that still exists when the node is gone), and flow or block style stays as it was.
pub fn render_with_layout(doc: &Node, layout: &SourceLayout) -> String {
    let mut rehomed: Comments = BTreeMap::new();
    for (path, lines) in &layout.comments {
        let mut p = path.clone();
        while !p.is_empty() && lookup(doc, &p).is_none() {
            p.pop();
        }
        rehomed.entry(p).or_default().extend(lines.iter().cloned());
    }
    let mut w = Writer {
        out: String::new(),
        comments: rehomed,
        flow: &layout.flow,
        block: &layout.block,
        folded: &layout.folded,
        inline: &layout.inline,
    };
    let mut path = Vec::new();
    match doc {
        Node::Map(entries) => w.block_map(entries, 0, &mut path, false),
        Node::Seq(items) => w.block_seq(items, 0, &mut path),
        scalar => {
            let text = inline_scalar(scalar, false);
            w.line(0, &text);
        }
    }
    // Whatever is left (comments at the document's end, or under the root) goes last.
    let rest: Vec<String> = std::mem::take(&mut w.comments)
        .into_values()
        .flatten()
        .collect();
    for line in rest {
        w.line(0, &line);
    }
    w.out
}

struct Writer<'a> {
    out: String,
    comments: Comments,
    flow: &'a BTreeSet<KeyPath>,
    block: &'a BTreeSet<KeyPath>,
    folded: &'a BTreeMap<KeyPath, Vec<String>>,
    inline: &'a BTreeSet<KeyPath>,
}

/// How a node is placed after its key (or its `- `).
enum Placement {
    /// On the same line.
    Inline(String),
    /// A block scalar: header (`|-`, `>-`) and the lines.
    Block(String, Vec<String>),
    /// A block mapping on the following lines.
    Map,
    /// A block sequence on the following lines.
    Seq,
}

impl Writer<'_> {
    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Writes the comments of `path` (and, when `subtree`, of every node below it).
    fn comments_at(&mut self, path: &[Step], subtree: bool, indent: usize) {
        let keys: Vec<KeyPath> = self
            .comments
            .keys()
            .filter(|p| {
                if subtree {
                    p.starts_with(path)
                } else {
                    p.as_slice() == path
                }
            })
            .cloned()
            .collect();
        for key in keys {
            if let Some(lines) = self.comments.remove(&key) {
                for line in lines {
                    self.line(indent, &line);
                }
            }
        }
    }

    fn placement(&self, path: &[Step], node: &Node, prefix_width: usize) -> Placement {
        let was_flow = self.flow.contains(path);
        let was_block = self.block.contains(path);
        match node {
            Node::Str(s) if needs_block(s) => match block_lines(s) {
                Some((header, lines)) => Placement::Block(header, lines),
                None => Placement::Inline(inline_scalar(node, false)),
            },
            Node::Str(s) => {
                let inline = inline_scalar(node, false);
                let width = WRAP_WIDTH.saturating_sub(path.len() * 2).max(40);
                // A person's choice of one line or folded lines stands.
                let fold = if let Some(lines) = self.folded.get(path) {
                    // The same text keeps the person's line breaks.
                    if lines.join(" ") == *s {
                        Some(lines.clone())
                    } else {
                        fold_lines(s, width, 1)
                    }
                } else if self.inline.contains(path)
                    || prefix_width + display_width(&inline) <= FOLD_WIDTH
                {
                    None
                } else {
                    fold_lines(s, width, 2)
                };
                match fold {
                    Some(lines) => Placement::Block(">-".into(), lines),
                    None => Placement::Inline(inline),
                }
            }
            Node::Map(entries) if entries.is_empty() => Placement::Inline("{}".into()),
            Node::Seq(items) if items.is_empty() => Placement::Inline("[]".into()),
            Node::Map(_) | Node::Seq(_) if was_flow => match flow(node) {
                Some(text) => Placement::Inline(text),
                None if matches!(node, Node::Map(_)) => Placement::Map,
                None => Placement::Seq,
            },
            Node::Map(_) if was_block => Placement::Map,
            Node::Seq(_) if was_block => Placement::Seq,
            Node::Map(_) => {
                if flow_map_candidate(path, node) {
                    if let Some(text) = flow(node) {
                        if prefix_width + display_width(&text) <= FLOW_WIDTH {
                            return Placement::Inline(text);
                        }
                    }
                }
                Placement::Map
            }
            Node::Seq(items) => {
                let scalars = items.iter().all(Node::is_scalar);
                let is_notes = matches!(path.last(), Some(Step::Key(k)) if k == "unsupported");
                if scalars && !is_notes {
                    if let Some(text) = flow(node) {
                        if prefix_width + display_width(&text) <= FLOW_WIDTH {
                            return Placement::Inline(text);
                        }
                    }
                }
                Placement::Seq
            }
            scalar => Placement::Inline(inline_scalar(scalar, false)),
        }
    }

    /// A block mapping at `indent`. With `dash`, the caller already wrote `- ` and the
    /// first entry continues that line.
    fn block_map(
        &mut self,
        entries: &[(String, Node)],
        indent: usize,
        path: &mut KeyPath,
        dash: bool,
    ) {
        for (i, (key, value)) in entries.iter().enumerate() {
            path.push(Step::Key(key.clone()));
            let key_text = render_key(key);
            let placement = self.placement(path, value, indent + display_width(&key_text) + 2);
            let continues_dash = dash && i == 0;
            if !continues_dash {
                let subtree = matches!(placement, Placement::Inline(_) | Placement::Block(..));
                self.comments_at(path, subtree, indent);
            }
            let lead = if continues_dash { 0 } else { indent };
            match placement {
                Placement::Inline(text) => self.line(lead, &format!("{key_text}: {text}")),
                Placement::Block(header, lines) => {
                    self.line(lead, &format!("{key_text}: {header}"));
                    self.block_lines(indent + 2, &lines);
                }
                Placement::Map => {
                    self.line(lead, &format!("{key_text}:"));
                    if let Node::Map(inner) = value {
                        self.block_map(inner, indent + 2, path, false);
                    }
                }
                Placement::Seq => {
                    self.line(lead, &format!("{key_text}:"));
                    if let Node::Seq(items) = value {
                        self.block_seq(items, indent + 2, path);
                    }
                }
            }
            path.pop();
        }
    }

    fn block_seq(&mut self, items: &[Node], indent: usize, path: &mut KeyPath) {
        for (i, item) in items.iter().enumerate() {
            path.push(item_identity(item, i));
            let placement = self.placement(path, item, indent + 2);
            let subtree = matches!(placement, Placement::Inline(_) | Placement::Block(..));
            self.comments_at(path, subtree, indent);
            match placement {
                Placement::Inline(text) => self.line(indent, &format!("- {text}")),
                Placement::Block(header, lines) => {
                    self.line(indent, &format!("- {header}"));
                    self.block_lines(indent + 2, &lines);
                }
                Placement::Map => {
                    if let Node::Map(entries) = item {
                        // Comments of the first key cannot sit between `- ` and the key.
                        if let Some((first, _)) = entries.first() {
                            path.push(Step::Key(first.clone()));
                            self.comments_at(path, false, indent);
                            path.pop();
                        }
                        for _ in 0..indent {
                            self.out.push(' ');
                        }
                        self.out.push_str("- ");
                        self.block_map(entries, indent + 2, path, true);
                    }
                }
                Placement::Seq => {
                    self.line(indent, "-");
                    if let Node::Seq(inner) = item {
                        self.block_seq(inner, indent + 2, path);
                    }
                }
            }
            path.pop();
        }
    }

    fn block_lines(&mut self, indent: usize, lines: &[String]) {
        for line in lines {
            if line.is_empty() {
                self.out.push('\n');
            } else {
                self.line(indent, line);
            }
        }
    }
}

/// Maps that are written in flow style when they fit on a line: texts below the top level
/// (`description: { zh: ... }`), all-scalar `items`/`additionalProperties` schemas, the
/// values of named enums and the acceptors of waiters.
fn flow_map_candidate(path: &[Step], node: &Node) -> bool {
    let Some(entries) = node.as_map() else {
        return false;
    };
    let all_scalar = entries.iter().all(|(_, v)| v.is_scalar());
    let last_key = match path.last() {
        Some(Step::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    match last_key {
        Some("description" | "title" | "summary") => path.len() > 1 && all_scalar,
        Some("items" | "additionalProperties") => all_scalar,
        Some(_) => false,
        None => {
            // A sequence item: enum values and waiter acceptors.
            let parent = path.len().checked_sub(2).and_then(|i| match &path[i] {
                Step::Key(k) => Some(k.as_str()),
                _ => None,
            });
            let grand = path.len().checked_sub(4).and_then(|i| match &path[i] {
                Step::Key(k) => Some(k.as_str()),
                _ => None,
            });
            matches!(
                (grand, parent),
                (Some("enums"), Some("values")) | (Some("waiters"), Some("acceptors"))
            ) && entries.iter().all(|(_, v)| {
                v.is_scalar()
                    || v.as_map()
                        .is_some_and(|m| m.iter().all(|(_, x)| x.is_scalar()))
            })
        }
    }
}

/// The node in flow style, or `None` when it cannot be (multi-line strings).
fn flow(node: &Node) -> Option<String> {
    match node {
        Node::Map(entries) if entries.is_empty() => Some("{}".into()),
        Node::Seq(items) if items.is_empty() => Some("[]".into()),
        Node::Map(entries) => {
            let mut parts = Vec::new();
            for (k, v) in entries {
                parts.push(format!("{}: {}", render_flow_key(k), flow(v)?));
            }
            Some(format!("{{ {} }}", parts.join(", ")))
        }
        Node::Seq(items) => {
            let parts: Option<Vec<String>> = items.iter().map(flow).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Node::Str(s) if s.contains(['\n', '\r']) => None,
        scalar => Some(inline_scalar(scalar, true)),
    }
}

/// A scalar on one line: plain when that reads back as the same value, else quoted.
fn inline_scalar(node: &Node, in_flow: bool) -> String {
    match node {
        Node::Null => "null".into(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => format_float(*f),
        Node::Str(s) => quote_if_needed(s, in_flow),
        Node::Seq(_) | Node::Map(_) => flow(node).unwrap_or_default(),
    }
}

/// `s` as a YAML scalar: plain if that is safe, else single- or double-quoted.
pub fn quote_if_needed(s: &str, in_flow: bool) -> String {
    if plain_ok(s, in_flow) {
        return s.to_string();
    }
    let printable = s.chars().all(|c| !needs_escape(c));
    if printable && !s.contains('\'') && s.contains(['"', '\\']) {
        return format!("'{s}'");
    }
    double_quoted(s)
}

fn render_key(key: &str) -> String {
    quote_if_needed(key, false)
}

fn render_flow_key(key: &str) -> String {
    quote_if_needed(key, true)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if needs_escape(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{n:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Words that plain style would read as booleans or null (YAML 1.1 and 1.2 spellings).
fn is_special_word(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    )
}

/// Whether plain style could read `s` as a number, a date or a time (conservatively).
fn looks_numeric(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | ".nan") {
        return true;
    }
    let starts_numeric = body.starts_with(|c: char| c.is_ascii_digit())
        || (body.starts_with('.') && body[1..].starts_with(|c: char| c.is_ascii_digit()));
    starts_numeric
        && body.chars().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(c, 'x' | 'X' | 'o' | 'O' | '_' | '.' | ':' | '+' | '-')
        })
}

fn plain_ok(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with([' ', '\t']) || s.ends_with([' ', '\t']) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.chars().any(needs_escape) || s.contains(['\n', '\r']) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if in_flow && s.contains(':') {
        return false;
    }
    if is_special_word(s) || looks_numeric(s) {
        return false;
    }
    // Document markers at the start of a line cannot occur after `key: `, but a bare `---`
    // or `...` value is still best quoted.
    !(s.starts_with("---") || s.starts_with("..."))
}

/// Whether a string is best written as a literal block scalar.
fn needs_block(s: &str) -> bool {
    s.contains('\n')
}

/// The header (`|-`, `|`, `|+`) and lines of a literal block scalar for `s`, or `None`
/// when a block scalar cannot hold it exactly.
fn block_lines(s: &str) -> Option<(String, Vec<String>)> {
    if s.chars().any(|c| needs_escape(c) && c != '\t' && c != '\n') || s.contains('\r') {
        return None;
    }
    let body = s.trim_end_matches('\n');
    if body.trim().is_empty() {
        return None;
    }
    let trailing = s.len() - body.len();
    let lines: Vec<String> = body.split('\n').map(str::to_string).collect();
    // The indentation of a block scalar is taken from its first non-empty line, and a line
    // of only spaces shorter than that would lose them.
    let first = lines.iter().find(|l| !l.is_empty())?;
    if first.starts_with([' ', '\t']) {
        return None;
    }
    if lines.iter().any(|l| !l.is_empty() && l.trim().is_empty()) {
        return None;
    }
    let header = match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    };
    let mut lines = lines;
    for _ in 1..trailing {
        lines.push(String::new());
    }
    Some((header.to_string(), lines))
}

/// The lines of a folded block scalar (`>-`) holding the one-line text `s`, wrapped at
/// single spaces to about `width` columns, or `None` when that makes fewer than `min_lines`
/// lines or folding could change the text
/// (line breaks, tabs, control characters, runs of spaces, spaces at either end). Text with
/// East Asian characters is not folded: its few spaces are not where lines would break.
fn fold_lines(s: &str, width: usize, min_lines: usize) -> Option<Vec<String>> {
    if s.is_empty()
        || s.contains("  ")
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.chars().any(|c| needs_escape(c) || c == '\n' || c == '\r')
        || (min_lines > 1 && !s.contains(' '))
        || display_width(s) != s.chars().count()
    {
        return None;
    }
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in s.split(' ') {
        if !current.is_empty() && display_width(&current) + 1 + display_width(word) > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    (lines.len() >= min_lines).then_some(lines)
}

/// Display width: East Asian wide characters count as two columns.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let n = c as u32;
            let wide = (0x1100..=0x115f).contains(&n)
                || (0x2e80..=0xa4cf).contains(&n)
                || (0xac00..=0xd7a3).contains(&n)
                || (0xf900..=0xfaff).contains(&n)
                || (0xfe30..=0xfe4f).contains(&n)
                || (0xff00..=0xff60).contains(&n)
                || (0xffe0..=0xffe6).contains(&n)
                || (0x20000..=0x3fffd).contains(&n);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    fn s(text: &str) -> Node {
        Node::Str(text.to_string())
    }

    #[test]
    fn strings_survive_a_round_trip() {
        let cases = [
            "plain",
            "10000",
            "1.5",
            "true",
            "No",
            "null",
            "~",
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "#x",
            "-1",
            "- x",
            "key:",
            "{a}",
            "[x]",
            "a,b",
            "*star",
            "&anchor",
            "!tag",
            "|pipe",
            ">gt",
            "'q'",
            "\"dq\"",
            "back\\slash",
            "%p",
            "@a",
            "`b`",
            "two\nlines",
            "trailing\n",
            "two\n\n",
            "\n\nlead",
            "tab\there",
            "cr\rhere",
            "nel\u{85}x",
            "2003****",
            "0000-ABCD-EFG****",
            "00:00",
            "2020-07-04",
            "0x1F",
            ".5",
            ".inf",
            "-.Inf",
            "1e5",
            "中文，标点：",
            "a\n  indented\nb",
            " first\nsecond",
            "x\n \ny",
            "---",
            "...",
            "a'b\"c",
            "ctrl\u{1}",
        ];
        for case in cases {
            let doc = map(vec![
                ("k", s(case)),
                ("f", Node::Seq(vec![s(case), s("x")])),
                ("description", map(vec![("zh", s(case))])),
            ]);
            let text = render(&doc);
            let back = parse(&text).unwrap_or_else(|e| panic!("{case:?}: {e}\n{text}"));
            assert_eq!(back, doc, "{case:?} rendered as:\n{text}");
        }
    }

    #[test]
    fn numbers_and_bools_in_strings_are_quoted() {
        assert_eq!(quote_if_needed("10000", false), "\"10000\"");
        assert_eq!(quote_if_needed("true", false), "\"true\"");
        assert_eq!(quote_if_needed("2003****", false), "2003****");
        assert_eq!(quote_if_needed("a, b", true), "\"a, b\"");
        assert_eq!(quote_if_needed("a, b", false), "a, b");
        assert_eq!(quote_if_needed("{\"a\":1}", false), "'{\"a\":1}'");
    }

    #[test]
    fn layout_follows_the_hand_written_style() {
        let doc = map(vec![
            ("name", s("X")),
            ("methods", Node::Seq(vec![s("post")])),
            (
                "parameters",
                Node::Seq(vec![map(vec![
                    ("name", s("A")),
                    ("in", s("query")),
                    (
                        "schema",
                        map(vec![
                            ("type", s("string")),
                            ("description", map(vec![("zh", s("说明"))])),
                            ("example", s("1")),
                        ]),
                    ),
                ])]),
            ),
            ("text", s("one\ntwo")),
        ]);
        let text = render(&doc);
        assert_eq!(
            text,
            "name: X\nmethods: [post]\nparameters:\n  - name: A\n    in: query\n    schema:\n      type: string\n      description: { zh: 说明 }\n      example: \"1\"\ntext: |-\n  one\n  two\n"
        );
    }

    #[test]
    fn an_earlier_files_style_choices_stand() {
        let doc = parse(
            "name: X\nmethods:\n  - post\ndescription: { zh: 短 }\nsummary: one two three four five six\n",
        )
        .expect("valid YAML");
        // By default: a short scalar list in flow style, a top-level text in block style.
        assert_eq!(
            render(&doc),
            "name: X\nmethods: [post]\ndescription:\n  zh: 短\nsummary: one two three four five six\n"
        );
        // The earlier file wrote the list as a block, the text in flow style, and folded
        // the summary: each choice is kept.
        let earlier = "name: X\nmethods:\n  - post\ndescription: { zh: 旧 }\nsummary: >-\n  one two three\n  four five six\n";
        let layout = crate::yaml::layout::scan(earlier, &parse(earlier).expect("valid YAML"));
        assert_eq!(
            render_with_layout(&doc, &layout),
            "name: X\nmethods:\n  - post\ndescription: { zh: 短 }\nsummary: >-\n  one two three\n  four five six\n"
        );
    }

    #[test]
    fn comments_of_a_removed_node_move_to_its_closest_remaining_ancestor() {
        let earlier = "name: X\nschema:\n  type: object\n  # about the old key\n  old: 1\n";
        let layout = crate::yaml::layout::scan(earlier, &parse(earlier).expect("valid YAML"));
        let doc = parse("name: X\nschema:\n  type: object\n").expect("valid YAML");
        assert_eq!(
            render_with_layout(&doc, &layout),
            "name: X\n# about the old key\nschema:\n  type: object\n"
        );
    }
}
