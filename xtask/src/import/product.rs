//! The product file's part of an import: the API groups (`groups` of `product.yaml`) follow the
//! metadata's `directories`. The metadata owns each group's `id`, the Chinese `title.zh` and
//! the `actions`; the Cargo feature `name`, the English `title.en`, `default` and any other
//! key are added by hand and kept (matched by `id`).

use super::convert;
use crate::diag::Diagnostic;
use crate::model::Product;
use crate::yaml::{self, Node};
use crate::{load, spec};
use std::path::{Path, PathBuf};

/// What the import does to `product.yaml`.
#[derive(Debug, Clone)]
pub struct ProductReport {
    /// The file.
    pub path: PathBuf,
    /// `Unchanged`, `Differs` (no `--update`), `Updated` or `Conflict` (not written).
    pub outcome: super::Outcome,
    /// What differs, one line each.
    pub changes: Vec<String>,
    /// Why it is a conflict, or other notes.
    pub notes: Vec<String>,
}

/// The product file after the import: what to write (if anything) and the product the
/// imported actions are validated against.
pub struct ProductPlan {
    pub report: Option<ProductReport>,
    pub write: Option<(PathBuf, String)>,
    pub product: Option<Product>,
    /// Problems of the product file that stop every action's validation.
    pub invalid: Vec<Diagnostic>,
}

/// Plans `product.yaml` of the output folder (nothing when there is none).
pub fn plan(
    metadata: &Node,
    out_dir: &Path,
    update: bool,
) -> Result<ProductPlan, super::ImportError> {
    let path = out_dir.join(load::PRODUCT_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(ProductPlan {
            report: None,
            write: None,
            product: None,
            invalid: Vec::new(),
        });
    };
    let old = yaml::parse(&text).map_err(|message| super::ImportError::Existing {
        path: path.clone(),
        message: format!("not valid YAML: {message}"),
    })?;
    let groups = convert::groups(metadata).map_err(|e| super::ImportError::Shape {
        path: out_dir.to_path_buf(),
        at: e.at,
        message: e.message,
    })?;
    let current = lower(&path, &text);
    let Some(groups) = groups else {
        return Ok(ProductPlan {
            report: None,
            write: None,
            product: current.as_ref().ok().cloned(),
            invalid: current.err().unwrap_or_default(),
        });
    };
    let old_groups = old.get("groups");
    let (merged, mut notes) = merge_groups(&groups, old_groups);
    let changes = group_changes(old_groups, &merged);
    let mut report = ProductReport {
        path: path.clone(),
        outcome: super::Outcome::Unchanged,
        changes,
        notes: Vec::new(),
    };
    if report.changes.is_empty() && notes.is_empty() {
        return Ok(ProductPlan {
            report: Some(report),
            write: None,
            product: current.as_ref().ok().cloned(),
            invalid: current.err().unwrap_or_default(),
        });
    }
    if !update {
        report.outcome = super::Outcome::Differs;
        return Ok(ProductPlan {
            report: Some(report),
            write: None,
            product: current.as_ref().ok().cloned(),
            invalid: current.err().unwrap_or_default(),
        });
    }
    let mut doc = old.clone();
    if let Node::Map(entries) = &mut doc {
        match entries.iter_mut().find(|(k, _)| k == "groups") {
            Some(slot) => slot.1 = merged,
            None => entries.push(("groups".into(), merged)),
        }
    }
    let layout = yaml::layout::scan(&text, &old);
    let rendered = yaml::writer::render_with_layout(&doc, &layout);
    match lower(&path, &rendered) {
        Ok(product) if notes.is_empty() => {
            report.outcome = super::Outcome::Updated;
            Ok(ProductPlan {
                report: Some(report),
                write: Some((path, rendered)),
                product: Some(product),
                invalid: Vec::new(),
            })
        }
        result => {
            if let Err(diagnostics) = result {
                notes.extend(
                    diagnostics
                        .iter()
                        .map(|d| format!("the updated file would be invalid: {d}")),
                );
            }
            report.outcome = super::Outcome::Conflict;
            report.notes = notes;
            Ok(ProductPlan {
                report: Some(report),
                write: None,
                product: current.as_ref().ok().cloned(),
                invalid: current.err().unwrap_or_default(),
            })
        }
    }
}

/// Loads a product file's text as `cargo xtask codegen` would.
fn lower(path: &Path, text: &str) -> Result<Product, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let product = match load::parse_str::<spec::ProductFile>(text) {
        Ok(raw) => crate::lower::lower_product(path, &raw, &mut diagnostics),
        Err((message, position)) => {
            diagnostics.push(Diagnostic {
                file: path.to_path_buf(),
                key_path: String::new(),
                position,
                message,
            });
            None
        }
    };
    product.ok_or(diagnostics)
}

fn group_id(group: &Node) -> Option<String> {
    group.get("id").and_then(Node::scalar_text)
}

/// The metadata's groups with the hand-added keys of the file's groups (by `id`); groups the
/// file made by hand (no `id`) stay. Notes: hand-added keys that would be lost.
fn merge_groups(new: &Node, old: Option<&Node>) -> (Node, Vec<String>) {
    let old_items = old.and_then(Node::as_seq).unwrap_or_default();
    let mut notes = Vec::new();
    let mut merged = Vec::new();
    for group in new.as_seq().unwrap_or_default() {
        let mut group = group.clone();
        let before = old_items
            .iter()
            .find(|o| group_id(o).is_some() && group_id(o) == group_id(&group));
        if let (Some(Node::Map(before)), Node::Map(entries)) = (before, &mut group) {
            // Hand-added keys (name, default, ...) go right after `id`, in their order.
            let mut next = 1;
            for (key, value) in before {
                match key.as_str() {
                    "id" | "actions" => {}
                    "title" => {
                        let kept: Vec<(String, Node)> = value
                            .as_map()
                            .unwrap_or_default()
                            .iter()
                            .filter(|(k, _)| k != "zh")
                            .cloned()
                            .collect();
                        match entries.iter_mut().find(|(k, _)| k == "title") {
                            Some((_, Node::Map(title))) => title.extend(kept),
                            _ if !kept.is_empty() => {
                                entries.push(("title".into(), Node::Map(kept)))
                            }
                            _ => {}
                        }
                    }
                    _ => {
                        entries.insert(next.min(entries.len()), (key.clone(), value.clone()));
                        next += 1;
                    }
                }
            }
        }
        merged.push(group);
    }
    for o in old_items {
        match group_id(o) {
            None => merged.push(o.clone()),
            Some(id)
                if !merged
                    .iter()
                    .any(|g| group_id(g).as_deref() == Some(id.as_str())) =>
            {
                let hand: Vec<&str> = o
                    .as_map()
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .filter(|k| !matches!(*k, "id" | "actions" | "title"))
                    .collect();
                if !hand.is_empty() {
                    notes.push(format!(
                        "the group {id} is no longer in the metadata; its hand-added keys ({}) would be lost: move them to another group or remove the group",
                        hand.join(", ")
                    ));
                }
            }
            Some(_) => {}
        }
    }
    (Node::Seq(merged), notes)
}

/// The differences between the file's groups and the merged ones, one line each.
fn group_changes(old: Option<&Node>, new: &Node) -> Vec<String> {
    let old_items = old.and_then(Node::as_seq).unwrap_or_default();
    let mut changes = Vec::new();
    let title = |g: &Node| {
        g.get("title")
            .and_then(|t| t.get("zh"))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string()
    };
    let actions = |g: &Node| -> Vec<String> {
        g.get("actions")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect()
    };
    for g in new.as_seq().unwrap_or_default() {
        let Some(id) = group_id(g) else { continue };
        let label = g
            .get("name")
            .and_then(Node::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{id} ({})", title(g)));
        match old_items
            .iter()
            .find(|o| group_id(o).as_deref() == Some(id.as_str()))
        {
            None => changes.push(format!(
                "added    groups[{label}]: {} with {} action(s)",
                title(g),
                actions(g).len()
            )),
            Some(o) => {
                if title(o) != title(g) {
                    changes.push(format!(
                        "changed  groups[{label}].title.zh: {} -> {}",
                        title(o),
                        title(g)
                    ));
                }
                let (a, b) = (actions(o), actions(g));
                let added: Vec<&String> = b.iter().filter(|x| !a.contains(x)).collect();
                let removed: Vec<&String> = a.iter().filter(|x| !b.contains(x)).collect();
                if !added.is_empty() {
                    changes.push(format!(
                        "added    groups[{label}].actions: {}",
                        join(&added)
                    ));
                }
                if !removed.is_empty() {
                    changes.push(format!(
                        "removed  groups[{label}].actions: {}",
                        join(&removed)
                    ));
                }
            }
        }
    }
    for o in old_items {
        if let Some(id) = group_id(o) {
            if !new
                .as_seq()
                .unwrap_or_default()
                .iter()
                .any(|g| group_id(g).as_deref() == Some(id.as_str()))
            {
                changes.push(format!("removed  groups[{id}]: {}", title(o)));
            }
        }
    }
    changes
}

fn join(names: &[&String]) -> String {
    let shown: Vec<&str> = names.iter().take(8).map(|s| s.as_str()).collect();
    let more = names.len().saturating_sub(8);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
