//! The request's parameters: wire name, location (`in`), style, type, Rust names.

use super::types::{shape, Shape};
use super::Ctx;
use crate::model::{Doc, Enum, Param, ParamLocation, ParamStyle, Type};
use crate::names::{field_ident, kebab_case, set_setter};
use crate::spec;
use serde_saphyr::Location;

/// Every valid parameter, in spec order.
pub(super) fn lower_params(
    cx: &mut Ctx<'_>,
    raw: &[spec::Parameter],
    enums: &[Enum],
) -> Vec<Param> {
    let mut params: Vec<Param> = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let path = format!("parameters[{i}]");
        if params.iter().any(|q| q.wire == p.name.value) {
            cx.error(
                &format!("{path}.name"),
                p.name.referenced,
                format!("duplicate parameter `{}`", p.name.value),
            );
            continue;
        }
        if p.name.value.is_empty()
            || !p
                .name
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            cx.error(
                &format!("{path}.name"),
                p.name.referenced,
                format!(
                    "parameter name `{}` has characters other than letters, digits, `_` and `.`",
                    p.name.value
                ),
            );
            continue;
        }
        let location = match p.location.value.as_str() {
            "query" => ParamLocation::Query,
            "formData" | "body" => ParamLocation::Body,
            other => {
                cx.error(
                    &format!("{path}.in"),
                    p.location.referenced,
                    format!("unsupported parameter location `{other}` (expected query, formData or body)"),
                );
                continue;
            }
        };
        let style = match p.style.as_ref().map(|s| s.value.as_str()) {
            None | Some("flat") | Some("simple") => ParamStyle::Flat,
            Some("repeatList") => ParamStyle::RepeatList,
            Some("json") => ParamStyle::Json,
            Some(other) => {
                let s = p
                    .style
                    .as_ref()
                    .map(|s| s.referenced)
                    .unwrap_or(Location::UNKNOWN);
                cx.error(
                    &format!("{path}.style"),
                    s,
                    format!(
                        "unknown parameter style `{other}` (expected flat, repeatList or json)"
                    ),
                );
                continue;
            }
        };
        let Some(ty) = param_type(cx, &format!("{path}.schema"), &p.schema, enums, style) else {
            continue;
        };
        let rust = field_ident(&p.name.value);
        if params.iter().any(|q| q.rust == rust) {
            cx.error(
                &format!("{path}.name"),
                p.name.referenced,
                format!("parameter `{}` maps to the Rust name `{rust}` that another parameter already uses", p.name.value),
            );
            continue;
        }
        params.push(Param {
            wire: p.name.value.clone(),
            set: set_setter(&rust),
            flag: kebab_case(&p.name.value),
            rust,
            location,
            style,
            ty,
            required: p.schema.required.unwrap_or(false),
            sensitive: p.schema.sensitive.unwrap_or(false),
            doc: Doc::from_spec(p.schema.description.as_ref()),
            example: p.schema.example.clone(),
        });
    }
    params
}

/// A parameter's type. Objects travel as JSON text or flattened `Name.Key` pairs; either way
/// the caller gives a JSON value, as for JSON-style arrays.
fn param_type(
    cx: &mut Ctx<'_>,
    path: &str,
    schema: &spec::Schema,
    enums: &[Enum],
    style: ParamStyle,
) -> Option<Type> {
    match shape(cx, path, schema, enums)? {
        Shape::Scalar(ty) => Some(ty),
        Shape::Array(_) if style == ParamStyle::Json => Some(Type::Any),
        Shape::Array(items) => {
            let item = param_type(cx, &format!("{path}.items"), items, enums, style)?;
            Some(Type::List(Box::new(item)))
        }
        Shape::Object => Some(Type::Any),
    }
}
