//! An ordered YAML (or JSON) value tree, and key paths into it.
//!
//! serde's own value types either lose the key order (maps) or the YAML flavour of
//! scalars; a spec file is written back in the order a person wrote it, so the importer
//! reads and builds documents as [`Node`]s. Key paths name sequence items by their identity
//! (`parameters[DeploymentId]`) rather than their index, so that a path still names the same
//! parameter after others were added or removed around it.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
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

/// A float as YAML spells it: `.nan`, `.inf`, and always with a `.` or an exponent, so that
/// it reads back as a float and not as an integer.
pub(crate) fn format_float(f: f64) -> String {
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

/// Parses YAML text into a [`Node`]; the error is a one-line message with the position.
pub fn parse(source: &str) -> Result<Node, String> {
    crate::load::parse_str::<Node>(source).map_err(|(message, position)| match position {
        Some((line, column)) => format!("line {line}, column {column}: {message}"),
        None => message,
    })
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
            // A repeated key is a mistake in a spec: report it rather than keep either value.
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
pub enum Step {
    /// A mapping key.
    Key(String),
    /// A sequence item with an identity (`name`, `errorCode`, enum `value`).
    Named(String),
    /// A sequence item without an identity.
    Index(usize),
}

/// A key path from the document root.
pub type KeyPath = Vec<Step>;

/// Renders a key path as `parameters[DeploymentId].schema.type`.
pub fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Named(id) => {
                out.push('[');
                out.push_str(id);
                out.push(']');
            }
            Step::Index(i) => {
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
pub fn item_identity(item: &Node, index: usize) -> Step {
    for key in ["name", "errorCode"] {
        if let Some(Node::Str(s)) = item.get(key) {
            return Step::Named(s.clone());
        }
    }
    if let Some(value) = item.get("value").and_then(Node::scalar_text) {
        return Step::Named(value);
    }
    Step::Index(index)
}

/// The node at `path`, if any.
pub fn lookup<'a>(doc: &'a Node, path: &[Step]) -> Option<&'a Node> {
    let mut node = doc;
    for step in path {
        node = match (step, node) {
            (Step::Key(k), Node::Map(_)) => node.get(k)?,
            (Step::Named(_) | Step::Index(_), Node::Seq(items)) => items
                .iter()
                .enumerate()
                .find(|(i, item)| item_identity(item, *i) == *step)
                .map(|(_, item)| item)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Step {
        Step::Key(k.into())
    }

    #[test]
    fn items_are_named_by_name_then_error_code_then_value_else_index() {
        let doc = parse(
            "params:\n  - name: A\n    value: 1\n  - errorCode: E\n  - value: 7\n  - value: { x: 1 }\n  - other: x\n",
        )
        .expect("valid YAML");
        let items = doc
            .get("params")
            .and_then(Node::as_seq)
            .expect("a sequence");
        let identities: Vec<Step> = items
            .iter()
            .enumerate()
            .map(|(i, item)| item_identity(item, i))
            .collect();
        assert_eq!(
            identities,
            vec![
                Step::Named("A".into()),
                Step::Named("E".into()),
                Step::Named("7".into()),
                Step::Index(3),
                Step::Index(4),
            ]
        );
    }

    #[test]
    fn lookup_follows_keys_identities_and_indexes() {
        let doc = parse("parameters:\n  - name: A\n    schema: { type: string }\n  - [x, y]\n")
            .expect("valid YAML");
        let path = [
            key("parameters"),
            Step::Named("A".into()),
            key("schema"),
            key("type"),
        ];
        assert_eq!(lookup(&doc, &path), Some(&Node::Str("string".into())));
        assert_eq!(path_text(&path), "parameters[A].schema.type");
        let second = [key("parameters"), Step::Index(1)];
        assert!(lookup(&doc, &second).is_some_and(|n| n.as_seq().is_some()));
        assert_eq!(path_text(&second), "parameters[1]");
        assert_eq!(
            lookup(&doc, &[key("parameters"), Step::Named("B".into())]),
            None
        );
        assert_eq!(lookup(&doc, &[key("parameters"), key("name")]), None);
        assert_eq!(lookup(&doc, &[]), Some(&doc));
    }

    #[test]
    fn mappings_keep_their_order_and_refuse_repeated_keys() {
        let doc = parse("b: 1\na: 2.0\nc: [~, true]\n").expect("valid YAML");
        assert_eq!(
            doc,
            Node::Map(vec![
                ("b".into(), Node::Int(1)),
                ("a".into(), Node::Float(2.0)),
                ("c".into(), Node::Seq(vec![Node::Null, Node::Bool(true)])),
            ])
        );
        let err = parse("a: 1\nb: 2\na: 3\n").expect_err("a repeated key");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("duplicate"), "{err}");
    }

    #[test]
    fn floats_read_back_as_floats() {
        assert_eq!(Node::Float(2.0).scalar_text().as_deref(), Some("2.0"));
        assert_eq!(Node::Float(f64::NEG_INFINITY).summary(), "-.inf");
        assert_eq!(Node::Float(f64::NAN).summary(), ".nan");
        assert_eq!(Node::Float(1e300).summary(), "1e300");
        assert_eq!(shorten("one\ntwo three", 7), "one two…");
    }
}
