//! Waiters (poll an action until the response matches an acceptor), the paginator of a list
//! action, and `wait` (run another action's waiter after this one), resolved across actions.

use super::response::resolve_field_path;
use super::{Ctx, Tree};
use crate::diag::Diagnostic;
use crate::model::{
    Acceptor, AcceptorState, Doc, Enum, EnumRepr, Literal, Operation, Paginator, Param, ParamId,
    Struct, StructId, Type, WaitBinding, WaitFor, WaitSource, Waiter,
};
use crate::names::{is_type_name, waiter_names};
use crate::spec;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

/// The action's waiters, with acceptor paths resolved against the response tree.
pub(super) fn lower_waiters(
    cx: &mut Ctx<'_>,
    raw: &spec::OrderedMap<spec::Waiter>,
    tree: &Tree,
    enums: &[Enum],
) -> Vec<Waiter> {
    let mut waiters = Vec::new();
    for (key, w) in &raw.0 {
        let path = format!("waiters.{}", key.value);
        if !is_type_name(&key.value) {
            cx.error(
                &path,
                key.referenced,
                format!("waiter name `{}` must be PascalCase", key.value),
            );
            continue;
        }
        if w.acceptors.is_empty() {
            cx.error(
                &path,
                key.referenced,
                "a waiter needs at least one acceptor",
            );
            continue;
        }
        let mut acceptors = Vec::new();
        for (i, a) in w.acceptors.iter().enumerate() {
            let apath = format!("{path}.acceptors[{i}]");
            let state = match a.state.value.as_str() {
                "success" => AcceptorState::Success,
                "failure" => AcceptorState::Failure,
                "retry" => AcceptorState::Retry,
                other => {
                    cx.error(
                        &format!("{apath}.state"),
                        a.state.referenced,
                        format!(
                            "unknown acceptor state `{other}` (expected success, failure or retry)"
                        ),
                    );
                    continue;
                }
            };
            let scalar = tree
                .root
                .and_then(|root| resolve_field_path(&tree.structs, root, &a.path.value))
                .filter(|(_, ty)| ty.is_scalar());
            let Some((rust_path, ty)) = scalar else {
                cx.error(
                    &format!("{apath}.path"),
                    a.path.referenced,
                    format!(
                        "`{}` does not name a scalar field of the response",
                        a.path.value
                    ),
                );
                continue;
            };
            let Some(equals) = literal_for(&ty, &a.equals.value, enums) else {
                cx.error(
                    &format!("{apath}.equals"),
                    a.equals.referenced,
                    format!(
                        "`{}` is not a value of the type of `{}`",
                        a.equals.value, a.path.value
                    ),
                );
                continue;
            };
            acceptors.push(Acceptor {
                path: rust_path,
                wire_path: a.path.value.clone(),
                ty,
                equals,
                state,
            });
        }
        let min = w.min_delay_seconds.unwrap_or(2);
        let max = w.max_delay_seconds.unwrap_or(30);
        if min == 0 || max < min {
            cx.error(
                &path,
                key.referenced,
                "a waiter needs 0 < minDelaySeconds <= maxDelaySeconds",
            );
        }
        waiters.push(Waiter {
            name: key.value.clone(),
            names: waiter_names(&key.value),
            doc: Doc::from_spec(w.description.as_ref()),
            acceptors,
            min_delay_seconds: min,
            max_delay_seconds: max,
            max_wait_seconds: w.max_wait_seconds.unwrap_or(600),
        });
    }
    waiters
}

/// The literal for `value` in a field of type `ty`.
fn literal_for(ty: &Type, value: &serde_json::Value, enums: &[Enum]) -> Option<Literal> {
    match (ty, value) {
        (Type::Bool, serde_json::Value::Bool(b)) => Some(Literal::Bool(*b)),
        (Type::I32, serde_json::Value::Number(n)) => n
            .as_i64()
            .filter(|x| i32::try_from(*x).is_ok())
            .map(Literal::Int),
        (Type::I64, serde_json::Value::Number(n)) => n.as_i64().map(Literal::Int),
        (Type::String, serde_json::Value::String(s)) => Some(Literal::Str(s.clone())),
        (Type::Enum(id), v) => match (enums[id.0].repr, v) {
            (EnumRepr::String, serde_json::Value::String(s)) => Some(Literal::Str(s.clone())),
            (EnumRepr::I32 | EnumRepr::I64, serde_json::Value::Number(n)) => {
                n.as_i64().map(Literal::Int)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The paginator of a list action: integer page parameters, and the item list (and total
/// count) in the response.
pub(super) fn lower_paginator(
    cx: &mut Ctx<'_>,
    raw: &spec::Paginator,
    params: &[Param],
    structs: &[Struct],
    root: Option<StructId>,
) -> Option<Paginator> {
    let root = root?;
    let mut param = |key: &str, name: &Spanned<String>| -> Option<ParamId> {
        match params.iter().position(|p| p.wire == name.value) {
            Some(i) if matches!(params[i].ty, Type::I32 | Type::I64) => Some(ParamId(i)),
            Some(_) => {
                cx.error(
                    &format!("paginator.{key}"),
                    name.referenced,
                    format!("parameter `{}` must be an integer", name.value),
                );
                None
            }
            None => {
                cx.error(
                    &format!("paginator.{key}"),
                    name.referenced,
                    format!("`{}` is not a parameter of this action", name.value),
                );
                None
            }
        }
    };
    let page_number = param("pageNumber", &raw.page_number);
    let page_size = param("pageSize", &raw.page_size);
    let total_count = match &raw.total_count {
        None => None,
        Some(path) => match resolve_field_path(structs, root, &path.value) {
            Some((rust, ty)) if matches!(ty, Type::I32 | Type::I64) => Some((rust, ty)),
            _ => {
                cx.error(
                    "paginator.totalCount",
                    path.referenced,
                    format!(
                        "`{}` does not name an integer field of the response",
                        path.value
                    ),
                );
                return None;
            }
        },
    };
    let (items, item) = match resolve_field_path(structs, root, &raw.items.value) {
        Some((rust, Type::List(item))) => (rust, *item),
        _ => {
            cx.error(
                "paginator.items",
                raw.items.referenced,
                format!(
                    "`{}` does not name a list field of the response",
                    raw.items.value
                ),
            );
            return None;
        }
    };
    Some(Paginator {
        page_number: page_number?,
        page_size: page_size?,
        total_count,
        items,
        item,
        items_wire: raw.items.value.clone(),
    })
}

/// Whether `a` (of `a_op`) and `b` (of `b_op`) are the same type: enums of two actions are
/// the same when they have the same name and wire type.
fn same_type(a_op: &Operation, a: &Type, b_op: &Operation, b: &Type) -> bool {
    match (a, b) {
        (Type::Enum(x), Type::Enum(y)) => {
            let (x, y) = (a_op.enumeration(*x), b_op.enumeration(*y));
            x.name == y.name && x.repr == y.repr
        }
        (Type::List(x), Type::List(y)) | (Type::Map(x), Type::Map(y)) => {
            same_type(a_op, x, b_op, y)
        }
        (Type::Struct(_), _) | (_, Type::Struct(_)) => false,
        _ => a == b,
    }
}

/// Resolves every action's `wait` against the other actions; returns problems as diagnostics.
pub fn resolve_waits(
    display_root: &Path,
    raws: &[(PathBuf, &spec::ActionFile)],
    operations: &mut [Operation],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (path, raw) in raws {
        let Some(wait) = &raw.wait else { continue };
        let shown = path
            .strip_prefix(display_root)
            .unwrap_or(path)
            .to_path_buf();
        let mut cx = Ctx {
            file: &shown,
            diagnostics,
        };
        let Some(target_index) = operations.iter().position(|o| o.name == wait.action.value) else {
            cx.error(
                "wait.action",
                wait.action.referenced,
                format!("unknown action `{}`", wait.action.value),
            );
            continue;
        };
        let target = &operations[target_index];
        let Some(waiter) = target
            .waiters
            .iter()
            .position(|w| w.name == wait.waiter.value)
        else {
            cx.error(
                "wait.waiter",
                wait.waiter.referenced,
                format!(
                    "action `{}` has no waiter `{}`",
                    wait.action.value, wait.waiter.value
                ),
            );
            continue;
        };
        let Some(this_index) = operations.iter().position(|o| o.name == raw.name.value) else {
            continue;
        };
        let this = &operations[this_index];
        // A `wait` compiles only where both actions do: they must be in the same group, so
        // that every feature set that has this action has the waiter's action too.
        if this.group != target.group {
            cx.error(
                "wait.action",
                wait.action.referenced,
                format!(
                    "`{}` is in another group (Cargo feature) than `{}`; a wait must stay within its group",
                    wait.action.value, this.name
                ),
            );
            continue;
        }
        let mut bindings = Vec::new();
        let mut ok = true;
        for (key, source) in &wait.parameters.0 {
            let kpath = format!("wait.parameters.{}", key.value);
            let Some(target_param) = target.input.params.iter().position(|p| p.wire == key.value)
            else {
                cx.error(
                    &kpath,
                    key.referenced,
                    format!("`{}` is not a parameter of `{}`", key.value, target.name),
                );
                ok = false;
                continue;
            };
            let target_ty = &target.input.params[target_param].ty;
            let resolved = match (&source.input, &source.output) {
                (Some(name), None) => {
                    match this.input.params.iter().position(|p| p.wire == name.value) {
                        Some(i) if same_type(this, &this.input.params[i].ty, target, target_ty) => {
                            Some(WaitSource::Input(ParamId(i)))
                        }
                        Some(_) => {
                            cx.error(
                                &format!("{kpath}.input"),
                                name.referenced,
                                format!(
                                    "`{}` does not have the type of `{}`",
                                    name.value, key.value
                                ),
                            );
                            None
                        }
                        None => {
                            cx.error(
                                &format!("{kpath}.input"),
                                name.referenced,
                                format!("`{}` is not a parameter of `{}`", name.value, this.name),
                            );
                            None
                        }
                    }
                }
                (None, Some(path)) => {
                    match resolve_field_path(&this.structs, this.output, &path.value) {
                        Some((rust, ty)) if same_type(this, &ty, target, target_ty) => {
                            Some(WaitSource::Output(rust))
                        }
                        _ => {
                            cx.error(
                                &format!("{kpath}.output"),
                                path.referenced,
                                format!(
                                    "`{}` is not a field of the response with the type of `{}`",
                                    path.value, key.value
                                ),
                            );
                            None
                        }
                    }
                }
                _ => {
                    cx.error(
                        &kpath,
                        key.referenced,
                        "give exactly one of `input` and `output`",
                    );
                    None
                }
            };
            match resolved {
                Some(source) => bindings.push(WaitBinding {
                    target: ParamId(target_param),
                    ty: target_ty.clone(),
                    source,
                }),
                None => ok = false,
            }
        }
        if ok {
            operations[this_index].wait = Some(WaitFor {
                operation: target_index,
                waiter,
                bindings,
            });
        }
    }
}
