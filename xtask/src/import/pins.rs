//! Pinned values: where a spec differs from the official metadata on purpose (such as a
//! parameter the official SDK sends in the form although the metadata says query), the spec
//! says so in its `pinned` list, with the metadata's value and the reason. While the metadata
//! still says what the pin records, the import keeps the spec's value (so the difference is
//! not reported and `--update` does not undo it); when the metadata changes there, the import
//! reports it.

use crate::yaml::tree::{lookup, Node, Step};

/// Applies the pins of `old` (the existing spec) to `new` (converted from the metadata).
/// Returns notes about pins that no longer hold.
pub fn apply(new: &mut Node, old: &Node) -> Vec<String> {
    let mut notes = Vec::new();
    let pins = old.get("pinned").and_then(Node::as_seq).unwrap_or_default();
    for (i, pin) in pins.iter().enumerate() {
        let Some(path_text) = pin.get("path").and_then(Node::as_str) else {
            notes.push(format!("pinned[{i}] has no `path`"));
            continue;
        };
        let Some(path) = parse_path(path_text) else {
            notes.push(format!("pinned[{i}]: `{path_text}` is not a key path"));
            continue;
        };
        let recorded = pin.get("metadata");
        let Some(kept) = lookup(old, &path).cloned() else {
            notes.push(format!(
                "pinned[{i}]: the spec has nothing at `{path_text}`"
            ));
            continue;
        };
        match (lookup_mut(new, &path), recorded) {
            (Some(slot), Some(recorded)) if same(slot, recorded) => *slot = kept,
            (Some(slot), Some(recorded)) => notes.push(format!(
                "pinned `{path_text}`: the metadata now says {} (the pin records {}); update or remove the pin",
                slot.summary(),
                recorded.summary()
            )),
            (None, _) => notes.push(format!(
                "pinned `{path_text}`: the metadata no longer has this key; remove the pin"
            )),
            (Some(_), None) => notes.push(format!(
                "pinned[{i}] has no `metadata` (the metadata's value it overrides)"
            )),
        }
    }
    notes
}

fn same(a: &Node, b: &Node) -> bool {
    a == b || (a.is_scalar() && b.is_scalar() && a.scalar_text() == b.scalar_text())
}

/// `parameters[TaskContent].schema.type` -> steps.
pub fn parse_path(text: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for part in text.split('.') {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key.to_string()));
        }
        let mut rest = rest;
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']')?;
            let id = &stripped[..end];
            steps.push(match id.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Named(id.to_string()),
            });
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    (!steps.is_empty()).then_some(steps)
}

fn lookup_mut<'a>(doc: &'a mut Node, path: &[Step]) -> Option<&'a mut Node> {
    let mut node = doc;
    for step in path {
        node = match (step, node) {
            (Step::Key(k), node @ Node::Map(_)) => node.get_mut(k)?,
            (Step::Named(_) | Step::Index(_), Node::Seq(items)) => items
                .iter_mut()
                .enumerate()
                .find(|(i, item)| crate::yaml::tree::item_identity(item, *i) == *step)
                .map(|(_, item)| item)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    #[test]
    fn a_pin_keeps_the_spec_value_while_the_metadata_says_what_it_records() {
        let old = parse("name: A\nparameters:\n  - name: X\n    in: formData\npinned:\n  - { path: \"parameters[X].in\", metadata: query, reason: the SDK sends it in the form }\n").unwrap();
        let mut new = parse("name: A\nparameters:\n  - name: X\n    in: query\n").unwrap();
        assert!(apply(&mut new, &old).is_empty());
        assert_eq!(
            lookup(&new, &parse_path("parameters[X].in").unwrap()).and_then(Node::as_str),
            Some("formData")
        );

        let mut changed = parse("name: A\nparameters:\n  - name: X\n    in: body\n").unwrap();
        let notes = apply(&mut changed, &old);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("now says \"body\""), "{notes:?}");
    }
}
