//! The request's parameters: wire name, location (`in`), style, type (with the request's own
//! objects, typed), constraints and Rust names.

use super::types::{constraints, TypeSpace};
use super::Ctx;
use crate::model::{Doc, Param, ParamLocation, ParamStyle, Role};
use crate::names::{field_ident, kebab_case, param_flag, set_setter};
use crate::spec;
use serde_saphyr::Location;

/// Every valid parameter, in spec order; its objects go into `types`.
pub(super) fn lower_params(
    cx: &mut Ctx<'_>,
    raw: &[spec::Parameter],
    types: &mut TypeSpace,
    input_name: &str,
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
        let schema_path = format!("{path}.schema");
        let Some(ty) = types.lower_type(
            cx,
            &schema_path,
            &p.schema,
            &p.name.value,
            input_name,
            Role::Request,
        ) else {
            continue;
        };
        let Some(constraints) = constraints(cx, &schema_path, &p.schema, &ty) else {
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
            flag: param_flag(&kebab_case(&p.name.value)),
            rust,
            location,
            style,
            ty,
            required: p.schema.required.unwrap_or(false),
            sensitive: p.schema.sensitive.unwrap_or(false),
            doc: Doc::from_spec(p.schema.description.as_ref()),
            example: p.schema.example.clone(),
            constraints,
        });
    }
    params
}
