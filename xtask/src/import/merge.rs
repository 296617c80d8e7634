//! Comparing a freshly imported spec with an existing file, and merging the two.
//!
//! Every key of a spec file is either *owned by the metadata* (the importer writes it:
//! types, formats, flags, the `zh` of texts, examples, the lists of parameters, fields and
//! error codes, the samples whose source is the metadata) or *hand-added* (everything
//! else: `en` texts, `enumRef`, `typeName`, `rules`, `enums`, `waiters`, other samples,
//! descriptions of error codes, ...). [`diff`] compares owned keys only; [`merge`] takes
//! owned keys from the metadata and carries hand-added keys over by key path.

use super::convert::SAMPLE_SOURCE;
use crate::yaml::tree::{item_identity, path_text, KeyPath, Node, Step};
use std::fmt;

/// What kind of node sits at a key path of a spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    Text,
    ParamList,
    Param,
    Schema,
    Props,
    Responses,
    Response,
    ErrorMap,
    ErrorList,
    ErrorEntry,
    Samples,
    Sample,
    /// A list the metadata owns as a whole (`methods`, `enum`, `unsupported`).
    OwnedList,
    /// A scalar or anything else.
    Leaf,
    /// Inside a hand-added key.
    Hand,
}

const SCHEMA_OWNED: &[&str] = &[
    "type",
    "format",
    "required",
    "docRequired",
    "description",
    "title",
    "example",
    "default",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "deprecated",
    "items",
    "properties",
    "additionalProperties",
];

/// Whether `key` of a mapping of kind `ctx` is written by the import only when the file has
/// none: the file's value is a person's decision (`idempotent`, which the metadata decides
/// only for actions that are `read` with `get`/`list`), kept by `--update` and not reported as
/// a difference.
fn kept_when_present(ctx: Ctx, key: &str) -> bool {
    ctx == Ctx::Root && key == "idempotent"
}

impl Ctx {
    fn child(self, key: &str) -> Ctx {
        match (self, key) {
            (Ctx::Root, "title" | "summary" | "description") => Ctx::Text,
            (Ctx::Root, "parameters") => Ctx::ParamList,
            (Ctx::Root, "responses") => Ctx::Responses,
            (Ctx::Root, "errorCodes") => Ctx::ErrorMap,
            (Ctx::Root, "samples") => Ctx::Samples,
            (Ctx::Root, "methods" | "schemes" | "unsupported") => Ctx::OwnedList,
            (Ctx::Param, "schema") => Ctx::Schema,
            (Ctx::Schema, "description" | "title") => Ctx::Text,
            (Ctx::Schema, "properties") => Ctx::Props,
            (Ctx::Schema, "items" | "additionalProperties") => Ctx::Schema,
            (Ctx::Schema, "enum") => Ctx::OwnedList,
            (Ctx::Props, _) => Ctx::Schema,
            (Ctx::Responses, _) => Ctx::Response,
            (Ctx::Response, "schema") => Ctx::Schema,
            (Ctx::ErrorMap, _) => Ctx::ErrorList,
            (Ctx::ErrorEntry, "description") => Ctx::Text,
            (c, k) if c.owns(k) => Ctx::Leaf,
            _ => Ctx::Hand,
        }
    }

    fn item(self) -> Ctx {
        match self {
            Ctx::ParamList => Ctx::Param,
            Ctx::ErrorList => Ctx::ErrorEntry,
            Ctx::Samples => Ctx::Sample,
            Ctx::OwnedList => Ctx::Leaf,
            _ => Ctx::Hand,
        }
    }

    /// Whether the metadata owns `key` in a mapping of this kind.
    fn owns(self, key: &str) -> bool {
        match self {
            Ctx::Root => matches!(
                key,
                "name"
                    | "title"
                    | "summary"
                    | "description"
                    | "methods"
                    | "schemes"
                    | "operationType"
                    | "deprecated"
                    | "auth"
                    | "idempotent"
                    | "clientToken"
                    | "parameters"
                    | "responses"
                    | "errorCodes"
                    | "samples"
                    | "unsupported"
            ),
            Ctx::Text => key == "zh",
            Ctx::Param => matches!(key, "name" | "in" | "style" | "schema"),
            Ctx::Schema => SCHEMA_OWNED.contains(&key),
            Ctx::Props | Ctx::Responses | Ctx::ErrorMap => true,
            Ctx::Response => key == "schema",
            Ctx::ErrorEntry => matches!(key, "errorCode" | "errorMessage"),
            Ctx::Sample => matches!(key, "name" | "format" | "httpStatus" | "file" | "source"),
            _ => false,
        }
    }
}

/// How an owned key differs between the metadata and the existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// In the metadata, not in the file.
    Added,
    /// In the file, not in the metadata.
    Removed,
    /// A schema whose `type` or `format` changed.
    Retyped,
    /// Any other value that changed.
    Changed,
}

/// One difference, by key path in the spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What kind of difference.
    pub kind: ChangeKind,
    /// Key path, such as `parameters[DeploymentId].schema`.
    pub path: String,
    /// The value(s): `integer/int64 -> string`, or a summary of what was added or removed.
    pub detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self.kind {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Retyped => "retyped",
            ChangeKind::Changed => "changed",
        };
        write!(f, "{word:<8} {}", self.path)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// A hand-added key that `--update` could not keep, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Key path of the hand-added key in the existing file.
    pub path: String,
    /// Why it could not be kept.
    pub reason: String,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

fn is_metadata_sample(item: &Node) -> bool {
    item.get("source").and_then(Node::as_str) == Some(SAMPLE_SOURCE)
}

fn squash_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn type_text(schema: &Node) -> String {
    let ty = schema.get("type").and_then(Node::as_str).unwrap_or("?");
    match schema.get("format").and_then(Node::as_str) {
        Some(f) => format!("{ty}/{f}"),
        None => ty.to_string(),
    }
}

/// What an added or removed node is, in a few words.
fn describe(node: &Node, ctx: Ctx) -> String {
    match ctx {
        Ctx::Schema => type_text(node),
        Ctx::Param => {
            let schema = node.get("schema").map(type_text).unwrap_or_default();
            let location = node.get("in").and_then(Node::as_str).unwrap_or("?");
            format!("{schema} in {location}")
        }
        Ctx::ErrorEntry => node
            .get("errorMessage")
            .map(Node::summary)
            .unwrap_or_default(),
        Ctx::Text => node.get("zh").map(Node::summary).unwrap_or_default(),
        Ctx::Sample => node
            .get("file")
            .and_then(Node::as_str)
            .unwrap_or("inline body")
            .to_string(),
        _ => node.summary(),
    }
}

/// Whether a node has any content the metadata owns (a text with only `en` has none).
fn has_owned(node: &Node, ctx: Ctx) -> bool {
    match (ctx, node) {
        (Ctx::Hand, _) => false,
        (Ctx::Text, Node::Map(entries)) => entries.iter().any(|(k, _)| ctx.owns(k)),
        (Ctx::Samples, Node::Seq(items)) => items.iter().any(is_metadata_sample),
        (Ctx::Sample, item) => is_metadata_sample(item),
        _ => true,
    }
}

/// The differences in owned keys between `new` (from the metadata) and `old` (the file).
pub fn diff(new: &Node, old: &Node) -> Vec<Change> {
    let mut out = Vec::new();
    diff_node(Some(new), Some(old), &mut Vec::new(), Ctx::Root, &mut out);
    out
}

fn diff_node(
    new: Option<&Node>,
    old: Option<&Node>,
    path: &mut KeyPath,
    ctx: Ctx,
    out: &mut Vec<Change>,
) {
    let change = |kind, path: &KeyPath, detail: String| Change {
        kind,
        path: path_text(path),
        detail,
    };
    // Samples are compared one by one (only the metadata's), even when a side has none.
    let empty = Node::Seq(Vec::new());
    let (new, old) = match (ctx, new, old) {
        (Ctx::Samples, None, Some(o)) => (Some(&empty), Some(o)),
        (Ctx::Samples, Some(n), None) => (Some(n), Some(&empty)),
        _ => (new, old),
    };
    match (new, old) {
        (None, None) => {}
        (Some(n), None) => {
            if has_owned(n, ctx) {
                out.push(change(ChangeKind::Added, path, describe(n, ctx)));
            }
        }
        (None, Some(o)) => {
            if has_owned(o, ctx) {
                out.push(change(ChangeKind::Removed, path, describe(o, ctx)));
            }
        }
        (Some(n), Some(o)) => match (n, o) {
            (Node::Map(ne), Node::Map(oe)) => {
                if ctx == Ctx::Schema && type_text(n) != type_text(o) {
                    out.push(change(
                        ChangeKind::Retyped,
                        path,
                        format!("{} -> {}", type_text(o), type_text(n)),
                    ));
                }
                let mut keys: Vec<&String> = ne.iter().map(|(k, _)| k).collect();
                for (k, _) in oe {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                for key in keys {
                    // An error code's description is the metadata's only when it has one.
                    let owned = ctx.owns(key)
                        || (ctx == Ctx::ErrorEntry && key == "description" && n.get(key).is_some());
                    if !owned
                        || (ctx == Ctx::Schema && (key == "type" || key == "format"))
                        || (kept_when_present(ctx, key) && o.get(key).is_some())
                    {
                        continue;
                    }
                    path.push(Step::Key(key.clone()));
                    diff_node(n.get(key), o.get(key), path, ctx.child(key), out);
                    path.pop();
                }
            }
            (Node::Seq(ni), Node::Seq(oi)) => match ctx {
                Ctx::ParamList | Ctx::ErrorList | Ctx::Samples => {
                    let item_ctx = ctx.item();
                    let keep = |item: &&Node| ctx != Ctx::Samples || is_metadata_sample(item);
                    let new_items: Vec<(Step, &Node)> = ni
                        .iter()
                        .filter(keep)
                        .enumerate()
                        .map(|(i, x)| (item_identity(x, i), x))
                        .collect();
                    let old_items: Vec<(Step, &Node)> = oi
                        .iter()
                        .filter(keep)
                        .enumerate()
                        .map(|(i, x)| (item_identity(x, i), x))
                        .collect();
                    for (id, item) in &new_items {
                        path.push(id.clone());
                        let before = old_items.iter().find(|(oid, _)| oid == id).map(|(_, x)| *x);
                        diff_node(Some(item), before, path, item_ctx, out);
                        path.pop();
                    }
                    for (id, item) in &old_items {
                        if !new_items.iter().any(|(nid, _)| nid == id) {
                            path.push(id.clone());
                            diff_node(None, Some(item), path, item_ctx, out);
                            path.pop();
                        }
                    }
                }
                _ => {
                    if ni != oi {
                        out.push(change(
                            ChangeKind::Changed,
                            path,
                            format!("{} -> {}", list_text(oi), list_text(ni)),
                        ));
                    }
                }
            },
            (Node::Str(a), Node::Str(b)) => {
                if squash_ws(a) != squash_ws(b) {
                    out.push(change(
                        ChangeKind::Changed,
                        path,
                        format!("{} -> {}", o.summary(), n.summary()),
                    ));
                }
            }
            _ => {
                if n.scalar_text() != o.scalar_text() || n.is_scalar() != o.is_scalar() {
                    out.push(change(
                        ChangeKind::Changed,
                        path,
                        format!("{} -> {}", o.summary(), n.summary()),
                    ));
                }
            }
        },
    }
}

fn list_text(items: &[Node]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| i.scalar_text().unwrap_or_else(|| i.summary()))
        .collect();
    crate::yaml::tree::shorten(&format!("[{}]", parts.join(", ")), 100)
}

/// The result of [`merge`].
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged document.
    pub doc: Node,
    /// Hand-added keys that could not be kept.
    pub dropped: Vec<Dropped>,
    /// Metadata samples left out because a hand-written sample uses their file.
    pub skipped_samples: Vec<String>,
    /// Texts whose Chinese changed in the metadata while an English translation was kept
    /// (key paths): the English may need an update.
    pub review: Vec<String>,
}

/// Takes the owned keys from `new` and carries the hand-added keys of `old` over by key
/// path. Hand-added keys whose path no longer exists are listed in [`Merged::dropped`].
pub fn merge(new: &Node, old: &Node) -> Merged {
    let mut merged = Merged {
        doc: new.clone(),
        dropped: Vec::new(),
        skipped_samples: Vec::new(),
        review: Vec::new(),
    };
    let mut doc = new.clone();
    merge_node(&mut doc, old, &mut Vec::new(), Ctx::Root, &mut merged);
    merged.doc = doc;
    merged
}

fn merge_node(new: &mut Node, old: &Node, path: &mut KeyPath, ctx: Ctx, m: &mut Merged) {
    match (new, old) {
        (Node::Map(ne), Node::Map(oe)) => merge_map(ne, oe, path, ctx, m),
        (Node::Seq(ni), Node::Seq(oi)) => merge_seq(ni, oi, path, ctx, m),
        (n, o) => {
            // The metadata wins; hand-added keys under a node that changed shape are lost.
            if !n.is_scalar() || !o.is_scalar() {
                collect_hand(o, path, ctx, "the node changed shape in the metadata", m);
            }
        }
    }
}

fn merge_map(
    new: &mut Vec<(String, Node)>,
    old: &[(String, Node)],
    path: &mut KeyPath,
    ctx: Ctx,
    m: &mut Merged,
) {
    // A translation kept over a source text that changed needs a look.
    if ctx == Ctx::Text {
        let text = |entries: &[(String, Node)], key: &str| {
            entries
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.as_str())
                .map(squash_ws)
        };
        if text(old, "en").is_some() && text(new, "zh") != text(old, "zh") {
            m.review.push(path_text(path));
        }
    }
    for (index, (key, old_value)) in old.iter().enumerate() {
        path.push(Step::Key(key.clone()));
        let child = ctx.child(key);
        if let Some((_, new_value)) = new.iter_mut().find(|(k, _)| k == key) {
            if kept_when_present(ctx, key) {
                *new_value = old_value.clone();
            } else {
                merge_node(new_value, old_value, path, child, m);
            }
        } else if !ctx.owns(key) {
            insert_after_previous(new, old, index, old_value.clone());
        } else if child == Ctx::Samples {
            // The metadata has no demos any more; keep the hand-written samples.
            if let Node::Seq(items) = old_value {
                let kept: Vec<Node> = items
                    .iter()
                    .filter(|s| !is_metadata_sample(s))
                    .cloned()
                    .collect();
                if !kept.is_empty() {
                    insert_after_previous(new, old, index, Node::Seq(kept));
                }
            }
        } else if child == Ctx::Text {
            // The metadata dropped the text; keep its other languages.
            if let Node::Map(entries) = old_value {
                let kept: Vec<(String, Node)> = entries
                    .iter()
                    .filter(|(k, _)| !Ctx::Text.owns(k))
                    .cloned()
                    .collect();
                if !kept.is_empty() {
                    insert_after_previous(new, old, index, Node::Map(kept));
                }
            }
        } else {
            collect_hand(
                old_value,
                path,
                child,
                "its place is no longer in the official metadata",
                m,
            );
        }
        path.pop();
    }
}

/// Inserts `old[index]`'s key with `value` into `new` right after the closest key that
/// precedes it in `old` and exists in `new` (at the front when there is none).
fn insert_after_previous(
    new: &mut Vec<(String, Node)>,
    old: &[(String, Node)],
    index: usize,
    value: Node,
) {
    let key = old[index].0.clone();
    let position = old[..index]
        .iter()
        .rev()
        .find_map(|(k, _)| new.iter().position(|(nk, _)| nk == k))
        .map(|p| p + 1)
        .unwrap_or(0);
    new.insert(position, (key, value));
}

fn merge_seq(new: &mut Vec<Node>, old: &[Node], path: &mut KeyPath, ctx: Ctx, m: &mut Merged) {
    match ctx {
        Ctx::Samples => {
            // Hand-written samples stay, in their order, before the metadata's; a metadata
            // sample whose file a hand-written sample uses is left out.
            let hand: Vec<Node> = old
                .iter()
                .filter(|s| !is_metadata_sample(s))
                .cloned()
                .collect();
            let hand_files: Vec<&str> = hand
                .iter()
                .filter_map(|s| s.get("file").and_then(Node::as_str))
                .collect();
            let hand_names: Vec<&str> = hand
                .iter()
                .filter_map(|s| s.get("name").and_then(Node::as_str))
                .collect();
            let mut result = hand.clone();
            for sample in new.iter() {
                let file = sample
                    .get("file")
                    .and_then(Node::as_str)
                    .unwrap_or_default();
                let name = sample
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or_default();
                if hand_files.contains(&file) || hand_names.contains(&name) {
                    m.skipped_samples.push(format!(
                        "the metadata's sample `{name}` ({file}) is not written: a hand-written sample of the file uses that name or file"
                    ));
                } else {
                    // Keys added by hand to the metadata's sample (such as `knownIssue`) stay.
                    let mut sample = sample.clone();
                    let before = old.iter().find(|s| {
                        is_metadata_sample(s) && s.get("name").and_then(Node::as_str) == Some(name)
                    });
                    if let (Some(Node::Map(before)), Node::Map(entries)) = (before, &mut sample) {
                        for (key, value) in before {
                            if !Ctx::Sample.owns(key) && !entries.iter().any(|(k, _)| k == key) {
                                entries.push((key.clone(), value.clone()));
                            }
                        }
                    }
                    result.push(sample);
                }
            }
            *new = result;
        }
        Ctx::ParamList | Ctx::ErrorList => {
            let item_ctx = ctx.item();
            let new_ids: Vec<Step> = new
                .iter()
                .enumerate()
                .map(|(i, x)| item_identity(x, i))
                .collect();
            for (i, old_item) in old.iter().enumerate() {
                let id = item_identity(old_item, i);
                path.push(id.clone());
                match new_ids.iter().position(|n| *n == id) {
                    Some(p) => merge_node(&mut new[p], old_item, path, item_ctx, m),
                    None => collect_hand(
                        old_item,
                        path,
                        item_ctx,
                        "its place is no longer in the official metadata",
                        m,
                    ),
                }
                path.pop();
            }
        }
        _ => {}
    }
}

/// Lists the hand-added keys inside an owned node that is being dropped.
fn collect_hand(node: &Node, path: &mut KeyPath, ctx: Ctx, reason: &str, m: &mut Merged) {
    match node {
        Node::Map(entries) => {
            for (key, value) in entries {
                path.push(Step::Key(key.clone()));
                if ctx.owns(key) || matches!(ctx, Ctx::Props | Ctx::Responses | Ctx::ErrorMap) {
                    collect_hand(value, path, ctx.child(key), reason, m);
                } else if ctx != Ctx::Leaf && ctx != Ctx::Hand {
                    m.dropped.push(Dropped {
                        path: path_text(path),
                        reason: format!(
                            "hand-added key not kept: {reason} (value {})",
                            value.summary()
                        ),
                    });
                }
                path.pop();
            }
        }
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(item_identity(item, i));
                collect_hand(item, path, ctx.item(), reason, m);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn yaml(text: &str) -> Node {
        parse(text).expect("test YAML parses")
    }

    #[test]
    fn diff_reports_added_removed_and_retyped_by_key_path() {
        let old = yaml("name: A\nparameters:\n  - name: X\n    in: query\n    schema: { type: integer, format: int64, enumRef: E }\n  - name: Gone\n    in: query\n    schema: { type: string }\nresponses:\n  \"200\":\n    schema:\n      type: object\n      properties:\n        Old: { type: string, description: { zh: 旧, en: old } }\n");
        let new = yaml("name: A\nparameters:\n  - name: X\n    in: query\n    schema: { type: string }\n  - name: New\n    in: formData\n    schema: { type: boolean }\nresponses:\n  \"200\":\n    schema:\n      type: object\n      properties:\n        Fresh: { type: integer, format: int32 }\n");
        let changes: Vec<String> = diff(&new, &old).iter().map(ToString::to_string).collect();
        assert_eq!(
            changes,
            vec![
                "retyped  parameters[X].schema: integer/int64 -> string",
                "added    parameters[New]: boolean in formData",
                "removed  parameters[Gone]: string in query",
                "added    responses.200.schema.properties.Fresh: integer/int32",
                "removed  responses.200.schema.properties.Old: string",
            ]
        );
    }

    #[test]
    fn merge_keeps_hand_keys_in_place_and_reports_orphans() {
        let old = yaml("name: A\ntitle: { zh: 旧, en: Old }\nparameters:\n  - name: X\n    in: query\n    schema: { type: integer, format: int32, enumRef: E, description: { zh: 甲, en: X. } }\n  - name: Gone\n    in: query\n    schema: { type: string, enumRef: F }\nrules: { requireOneOf: [] }\nresponses:\n  \"200\":\n    schema: { typeName: R, type: object }\nenums: {}\n");
        let new = yaml("name: A\ntitle: { zh: 新 }\nparameters:\n  - name: X\n    in: query\n    schema: { type: integer, format: int32, description: { zh: 乙 } }\nresponses:\n  \"200\":\n    schema: { type: object }\n");
        let merged = merge(&new, &old);
        let expected = yaml("name: A\ntitle: { zh: 新, en: Old }\nparameters:\n  - name: X\n    in: query\n    schema: { type: integer, format: int32, enumRef: E, description: { zh: 乙, en: X. } }\nrules: { requireOneOf: [] }\nresponses:\n  \"200\":\n    schema: { typeName: R, type: object }\nenums: {}\n");
        assert_eq!(merged.doc, expected);
        assert_eq!(merged.dropped.len(), 1);
        assert_eq!(merged.dropped[0].path, "parameters[Gone].schema.enumRef");
    }

    #[test]
    fn samples_the_metadata_no_longer_has_go_and_hand_written_ones_stay() {
        let old = yaml("name: A\nsamples:\n  - { name: mine, format: json, body: \"{}\" }\n  - { name: metadata_json, format: json, file: samples/A.json, source: official metadata responseDemo }\nwaiters: {}\n");
        let new = yaml("name: A\n");
        let changes: Vec<String> = diff(&new, &old).iter().map(ToString::to_string).collect();
        assert_eq!(
            changes,
            vec!["removed  samples[metadata_json]: samples/A.json"]
        );
        let merged = merge(&new, &old);
        assert_eq!(
            merged.doc,
            yaml(
                "name: A\nsamples:\n  - { name: mine, format: json, body: \"{}\" }\nwaiters: {}\n"
            )
        );
    }
}
