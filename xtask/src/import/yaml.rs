//! An ordered YAML/JSON value tree and a deterministic YAML writer in the style of the
//! hand-written spec files.
//!
//! The importer builds every spec file as a [`Node`] tree and renders it with [`render`]:
//! two-space indentation, sequences indented under their key, flow style (`{ zh: ... }`,
//! `[post]`) only for a few small kinds of node, and every string quoted exactly when
//! plain style would change its meaning. Comments read from an existing file
//! ([`scan_comments`]) are written back before the node they preceded.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A YAML (or JSON) value whose mappings keep their key order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null` / `~`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A floating point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping with string keys, in document order.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The value of `key` when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Mutable access to the value of `key` when this is a mapping that has it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string node.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping node.
    pub fn as_map(&self) -> Option<&[(String, Node)]> {
        match self {
            Node::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a sequence node.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match self {
            Node::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Whether this is a scalar (not a mapping or a sequence).
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Node::Map(_) | Node::Seq(_))
    }

    /// A short, one-line rendering for messages (strings are quoted, long ones cut).
    pub fn summary(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::Float(f) => format_float(*f),
            Node::Str(s) => format!("{:?}", shorten(s, 60)),
            Node::Seq(items) => format!("[{} items]", items.len()),
            Node::Map(entries) => format!("{{{} keys}}", entries.len()),
        }
    }

    /// The scalar as text (strings as they are), for comparisons and identities.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Null => Some("null".into()),
            Node::Bool(b) => Some(b.to_string()),
            Node::Int(i) => Some(i.to_string()),
            Node::Float(f) => Some(format_float(*f)),
            Node::Str(s) => Some(s.clone()),
            Node::Seq(_) | Node::Map(_) => None,
        }
    }
}

/// `text` cut to at most `max` characters, with `…` when cut, on one line.
pub fn shorten(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

fn format_float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf" } else { "-.inf" }.into()
    } else {
        let s = format!("{f:?}");
        if s.contains(['.', 'e', 'E']) {
            s
        } else {
            format!("{s}.0")
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Node, E> {
        i128::try_from(v)
            .map(Node::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let Some(key) = key.scalar_text() else {
                return Err(serde::de::Error::custom(
                    "a mapping key is a mapping or a sequence",
                ));
            };
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

/// One step of a key path: a mapping key, or a sequence item named by its identity
/// (see [`item_identity`]) or, failing that, its index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence item with an identity (`name`, `errorCode`, enum `value`).
    Id(String),
    /// A sequence item without an identity.
    Index(usize),
}

/// A key path from the document root.
pub type Path = Vec<Seg>;

/// Renders a key path as `parameters[DeploymentId].schema.type`.
pub fn path_text(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Id(id) => {
                out.push('[');
                out.push_str(id);
                out.push(']');
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// The identity of a sequence item: the `name` of a parameter, sample or enum value list
/// entry, the `errorCode` of an error, the `value` of an enum value; else its index.
pub fn item_identity(item: &Node, index: usize) -> Seg {
    for key in ["name", "errorCode"] {
        if let Some(Node::Str(s)) = item.get(key) {
            return Seg::Id(s.clone());
        }
    }
    if let Some(value) = item.get("value").and_then(Node::scalar_text) {
        return Seg::Id(value);
    }
    Seg::Index(index)
}

/// Comment lines (with their `#`) to write before the node at each key path. The empty
/// path holds comments that end the document.
pub type Comments = BTreeMap<Path, Vec<String>>;

/// What an existing file says about its own layout: its comments, and which mappings and
/// sequences a person wrote in flow style (`{ ... }`, `[...]`) or in block style.
#[derive(Debug, Clone, Default)]
pub struct SourceLayout {
    /// Comments by the key path of the node they precede.
    pub comments: Comments,
    /// Nodes written in flow style.
    pub flow: BTreeSet<Path>,
    /// Nodes written in block style.
    pub block: BTreeSet<Path>,
    /// One-line texts written folded (`>-`), with the lines as written.
    pub folded: BTreeMap<Path, Vec<String>>,
    /// One-line texts written on the line of their key.
    pub inline: BTreeSet<Path>,
}

/// Longest line the writer puts a flow collection on (CJK characters count double).
const FLOW_WIDTH: usize = 120;

/// Longest line before a long single-line text is folded (`>-`)...
const FOLD_WIDTH: usize = 120;

/// ...into lines of about this width.
const WRAP_WIDTH: usize = 80;

/// Renders `doc` as a YAML document with the default layout and no comments.
pub fn render(doc: &Node) -> String {
    render_with(doc, &SourceLayout::default())
}

/// Renders `doc` as a YAML document, keeping what `layout` (read from an earlier version of
/// the file) says: comments go before the nodes they belong to (before the closest ancestor
/// that still exists when the node is gone), and flow or block style stays as it was.
pub fn render_with(doc: &Node, layout: &SourceLayout) -> String {
    let mut rehomed: Comments = BTreeMap::new();
    for (path, lines) in &layout.comments {
        let mut p = path.clone();
        while !p.is_empty() && !path_exists(doc, &p) {
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

/// Whether `path` names a node of `doc`.
pub fn path_exists(doc: &Node, path: &[Seg]) -> bool {
    lookup(doc, path).is_some()
}

/// The node at `path`, if any.
pub fn lookup<'a>(doc: &'a Node, path: &[Seg]) -> Option<&'a Node> {
    let mut node = doc;
    for seg in path {
        node = match (seg, node) {
            (Seg::Key(k), Node::Map(_)) => node.get(k)?,
            (Seg::Id(_) | Seg::Index(_), Node::Seq(items)) => items
                .iter()
                .enumerate()
                .find(|(i, item)| item_identity(item, *i) == *seg)
                .map(|(_, item)| item)?,
            _ => return None,
        };
    }
    Some(node)
}

struct Writer<'a> {
    out: String,
    comments: Comments,
    flow: &'a BTreeSet<Path>,
    block: &'a BTreeSet<Path>,
    folded: &'a BTreeMap<Path, Vec<String>>,
    inline: &'a BTreeSet<Path>,
}

/// How a node is laid out after its key (or its `- `).
enum Layout {
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
    fn comments_at(&mut self, path: &[Seg], subtree: bool, indent: usize) {
        let keys: Vec<Path> = self
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

    fn layout(&self, path: &[Seg], node: &Node, prefix_width: usize) -> Layout {
        let was_flow = self.flow.contains(path);
        let was_block = self.block.contains(path);
        match node {
            Node::Str(s) if needs_block(s) => match block_lines(s) {
                Some((header, lines)) => Layout::Block(header, lines),
                None => Layout::Inline(inline_scalar(node, false)),
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
                    Some(lines) => Layout::Block(">-".into(), lines),
                    None => Layout::Inline(inline),
                }
            }
            Node::Map(entries) if entries.is_empty() => Layout::Inline("{}".into()),
            Node::Seq(items) if items.is_empty() => Layout::Inline("[]".into()),
            Node::Map(_) | Node::Seq(_) if was_flow => match flow(node) {
                Some(text) => Layout::Inline(text),
                None if matches!(node, Node::Map(_)) => Layout::Map,
                None => Layout::Seq,
            },
            Node::Map(_) if was_block => Layout::Map,
            Node::Seq(_) if was_block => Layout::Seq,
            Node::Map(_) => {
                if flow_map_candidate(path, node) {
                    if let Some(text) = flow(node) {
                        if prefix_width + display_width(&text) <= FLOW_WIDTH {
                            return Layout::Inline(text);
                        }
                    }
                }
                Layout::Map
            }
            Node::Seq(items) => {
                let scalars = items.iter().all(Node::is_scalar);
                let is_notes = matches!(path.last(), Some(Seg::Key(k)) if k == "unsupported");
                if scalars && !is_notes {
                    if let Some(text) = flow(node) {
                        if prefix_width + display_width(&text) <= FLOW_WIDTH {
                            return Layout::Inline(text);
                        }
                    }
                }
                Layout::Seq
            }
            scalar => Layout::Inline(inline_scalar(scalar, false)),
        }
    }

    /// A block mapping at `indent`. With `dash`, the caller already wrote `- ` and the
    /// first entry continues that line.
    fn block_map(
        &mut self,
        entries: &[(String, Node)],
        indent: usize,
        path: &mut Path,
        dash: bool,
    ) {
        for (i, (key, value)) in entries.iter().enumerate() {
            path.push(Seg::Key(key.clone()));
            let key_text = render_key(key);
            let layout = self.layout(path, value, indent + display_width(&key_text) + 2);
            let continues_dash = dash && i == 0;
            if !continues_dash {
                let subtree = matches!(layout, Layout::Inline(_) | Layout::Block(..));
                self.comments_at(path, subtree, indent);
            }
            let lead = if continues_dash { 0 } else { indent };
            match layout {
                Layout::Inline(text) => self.line(lead, &format!("{key_text}: {text}")),
                Layout::Block(header, lines) => {
                    self.line(lead, &format!("{key_text}: {header}"));
                    self.block_lines(indent + 2, &lines);
                }
                Layout::Map => {
                    self.line(lead, &format!("{key_text}:"));
                    if let Node::Map(inner) = value {
                        self.block_map(inner, indent + 2, path, false);
                    }
                }
                Layout::Seq => {
                    self.line(lead, &format!("{key_text}:"));
                    if let Node::Seq(items) = value {
                        self.block_seq(items, indent + 2, path);
                    }
                }
            }
            path.pop();
        }
    }

    fn block_seq(&mut self, items: &[Node], indent: usize, path: &mut Path) {
        for (i, item) in items.iter().enumerate() {
            path.push(item_identity(item, i));
            let layout = self.layout(path, item, indent + 2);
            let subtree = matches!(layout, Layout::Inline(_) | Layout::Block(..));
            self.comments_at(path, subtree, indent);
            match layout {
                Layout::Inline(text) => self.line(indent, &format!("- {text}")),
                Layout::Block(header, lines) => {
                    self.line(indent, &format!("- {header}"));
                    self.block_lines(indent + 2, &lines);
                }
                Layout::Map => {
                    if let Node::Map(entries) = item {
                        // Comments of the first key cannot sit between `- ` and the key.
                        if let Some((first, _)) = entries.first() {
                            path.push(Seg::Key(first.clone()));
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
                Layout::Seq => {
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
fn flow_map_candidate(path: &[Seg], node: &Node) -> bool {
    let Some(entries) = node.as_map() else {
        return false;
    };
    let all_scalar = entries.iter().all(|(_, v)| v.is_scalar());
    let last_key = match path.last() {
        Some(Seg::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    match last_key {
        Some("description" | "title" | "summary") => path.len() > 1 && all_scalar,
        Some("items" | "additionalProperties") => all_scalar,
        Some(_) => false,
        None => {
            // A sequence item: enum values and waiter acceptors.
            let parent = path.len().checked_sub(2).and_then(|i| match &path[i] {
                Seg::Key(k) => Some(k.as_str()),
                _ => None,
            });
            let grand = path.len().checked_sub(4).and_then(|i| match &path[i] {
                Seg::Key(k) => Some(k.as_str()),
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
pub fn display_width(s: &str) -> usize {
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

/// Parses YAML text into a [`Node`]; the error is a one-line message with the position.
pub fn parse(source: &str) -> Result<Node, String> {
    crate::load::parse_str::<Node>(source).map_err(|(message, position)| match position {
        Some((line, column)) => format!("line {line}, column {column}: {message}"),
        None => message,
    })
}

/// Reads the layout of a YAML document: its comments with the key path of the node each
/// one precedes (end-of-line comments become comments before their node), and which nodes
/// are in flow or block style.
/// Sequence items are named as in `doc` (the parsed document), so that a comment stays
/// with its parameter when parameters are added or removed around it.
pub fn scan_layout(source: &str, doc: &Node) -> SourceLayout {
    let mut raw: Vec<(Vec<RawSeg>, String)> = Vec::new();
    let mut flow_raw: Vec<Vec<RawSeg>> = Vec::new();
    let mut block_raw: Vec<Vec<RawSeg>> = Vec::new();
    let mut folded_raw: Vec<(Vec<RawSeg>, Vec<String>)> = Vec::new();
    let mut inline_raw: Vec<Vec<RawSeg>> = Vec::new();
    let mut stack: Vec<(usize, RawSeg)> = Vec::new();
    let mut counters: Vec<(usize, usize)> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    // Indentation of the node whose block scalar is being read.
    let mut block_scalar: Option<usize> = None;
    // Whether the lines of that block scalar go to the last entry of `folded_raw`.
    let mut collecting = false;
    for line in source.lines() {
        // YAML indents with spaces only; other leading white space is content.
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if let Some(parent) = block_scalar {
            if trimmed.is_empty() || indent > parent {
                if let Some((_, lines)) = folded_raw.last_mut().filter(|_| collecting) {
                    lines.push(trimmed.trim_end().to_string());
                }
                continue;
            }
            block_scalar = None;
            collecting = false;
        }
        if trimmed.is_empty() || trimmed == "---" {
            continue;
        }
        if trimmed.starts_with('#') {
            pending.push(trimmed.to_string());
            continue;
        }
        let mut indent = indent;
        let mut rest = trimmed;
        let mut first_path: Option<Vec<RawSeg>> = None;
        let mut node_indent = indent;
        if let Some(after) = rest.strip_prefix("- ").or((rest == "-").then_some("")) {
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            counters.retain(|(i, _)| *i <= indent);
            let n = match counters.iter_mut().find(|(i, _)| *i == indent) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counters.push((indent, 0));
                    0
                }
            };
            stack.push((indent, RawSeg::Index(n)));
            first_path = Some(stack.iter().map(|(_, s)| s.clone()).collect());
            node_indent = indent;
            let after_trim = after.trim_start();
            indent += 2 + (after.len() - after_trim.len());
            rest = after_trim;
        }
        let (content, eol_comment) = split_eol_comment(rest);
        let mut value = content.trim();
        let item_path = first_path.clone();
        if let Some((key, after)) = mapping_key(content) {
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            counters.retain(|(i, _)| *i <= indent);
            stack.push((indent, RawSeg::Key(key)));
            node_indent = indent;
            if first_path.is_none() {
                first_path = Some(stack.iter().map(|(_, s)| s.clone()).collect());
            }
            value = after.trim();
        }
        let here: Vec<RawSeg> = stack.iter().map(|(_, s)| s.clone()).collect();
        if !pending.is_empty() {
            let at = first_path.clone().unwrap_or_else(|| here.clone());
            for c in pending.drain(..) {
                raw.push((at.clone(), c));
            }
        }
        if let Some(c) = eol_comment {
            raw.push((here.clone(), c));
        }
        if value.starts_with(['{', '[']) {
            flow_raw.push(here.clone());
        } else if value.is_empty() {
            block_raw.push(here.clone());
        } else if value.starts_with('>') && is_block_scalar_header(value) {
            folded_raw.push((here.clone(), Vec::new()));
            collecting = true;
        } else if !is_block_scalar_header(value) {
            inline_raw.push(here.clone());
        }
        if let Some(item) = item_path {
            if item.len() < here.len() {
                // `- key: ...`: the item is a block mapping.
                block_raw.push(item);
            }
        }
        if is_block_scalar_header(value) {
            block_scalar = Some(node_indent);
        }
    }
    let mut comments: Comments = BTreeMap::new();
    for (raw_path, text) in raw {
        comments
            .entry(resolve_raw(doc, &raw_path))
            .or_default()
            .push(text);
    }
    for text in pending {
        comments.entry(Vec::new()).or_default().push(text);
    }
    let resolve_all = |paths: Vec<Vec<RawSeg>>| -> BTreeSet<Path> {
        paths
            .iter()
            .filter_map(|p| {
                let resolved = resolve_raw(doc, p);
                (resolved.len() == p.len()).then_some(resolved)
            })
            .collect()
    };
    SourceLayout {
        comments,
        flow: resolve_all(flow_raw),
        block: resolve_all(block_raw),
        folded: folded_raw
            .into_iter()
            .filter_map(|(p, lines)| {
                let resolved = resolve_raw(doc, &p);
                (resolved.len() == p.len()).then_some((resolved, lines))
            })
            .collect(),
        inline: resolve_all(inline_raw),
    }
}

#[derive(Debug, Clone)]
enum RawSeg {
    Key(String),
    Index(usize),
}

/// Turns an index-based path into one with item identities, as far as `doc` has it.
fn resolve_raw(doc: &Node, raw: &[RawSeg]) -> Path {
    let mut out = Vec::new();
    let mut node = Some(doc);
    for seg in raw {
        match (seg, node) {
            (RawSeg::Key(k), Some(n)) => {
                out.push(Seg::Key(k.clone()));
                node = n.get(k);
            }
            (RawSeg::Index(i), Some(Node::Seq(items))) => match items.get(*i) {
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

fn find_key_colon(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' '))
}

/// Splits an end-of-line comment (` # ...` outside quotes) off a line.
fn split_eol_comment(text: &str) -> (&str, Option<String>) {
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
            return (text[..i].trim_end(), Some(text[i..].trim_end().to_string()));
        } else if (c == '"' || c == '\'') && prev_space_or_indicator(&text[..i]) {
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

/// Whether a quote at this point opens a quoted scalar (after a space, `[`, `{` or `,`).
fn prev_space_or_indicator(before: &str) -> bool {
    match before.chars().last() {
        None => true,
        Some(c) => matches!(c, ' ' | '\t' | '[' | '{' | ','),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn comments_stay_with_their_nodes() {
        let source = "# head\nname: X\nparameters:\n  # about B\n  - name: B\n    in: query # where\n  - name: C\n    text: |-\n      # not a comment\n      - nor an item\n    after: 1\n# tail\n";
        let doc = parse(source).expect("valid YAML");
        let layout = scan_layout(source, &doc);
        let comments = &layout.comments;
        let key = |parts: &[Seg]| parts.to_vec();
        assert_eq!(comments[&key(&[Seg::Key("name".into())])], vec!["# head"]);
        assert_eq!(
            comments[&key(&[Seg::Key("parameters".into()), Seg::Id("B".into())])],
            vec!["# about B"]
        );
        assert_eq!(
            comments[&key(&[
                Seg::Key("parameters".into()),
                Seg::Id("B".into()),
                Seg::Key("in".into())
            ])],
            vec!["# where"]
        );
        assert_eq!(comments[&Vec::new()], vec!["# tail"]);
        assert_eq!(comments.len(), 4);
        let text = render_with(&doc, &layout);
        assert!(text.starts_with("# head\nname: X\nparameters:\n  # about B\n  - name: B\n    # where\n    in: query\n"), "{text}");
        assert!(text.ends_with("# tail\n"), "{text}");
        assert_eq!(parse(&text).expect("valid YAML"), doc);
    }
}
