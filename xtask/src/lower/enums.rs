//! The action's named enums (`enums:`), which parameters and fields refer to by `enumRef`.

use super::Ctx;
use crate::model::{Doc, Enum, EnumRepr, EnumVariant, Literal};
use crate::names::{is_type_name, pascal_case};
use crate::spec;
use serde_saphyr::Spanned;

/// Every enum of the action, in spec order. An enum with wrong values is kept (those are
/// reported), so that fields referring to it do not report it as unknown too.
pub(super) fn lower_enums(cx: &mut Ctx<'_>, raw: &spec::OrderedMap<spec::EnumDef>) -> Vec<Enum> {
    raw.0
        .iter()
        .filter_map(|(key, def)| lower_enum(cx, key, def))
        .collect()
}

fn lower_enum(cx: &mut Ctx<'_>, key: &Spanned<String>, def: &spec::EnumDef) -> Option<Enum> {
    let path = format!("enums.{}", key.value);
    if !is_type_name(&key.value) {
        cx.error(
            &path,
            key.referenced,
            format!("enum name `{}` must be PascalCase ASCII", key.value),
        );
        return None;
    }
    let repr = match (
        def.ty.value.as_str(),
        def.format.as_ref().map(|f| f.value.as_str()),
    ) {
        ("integer", Some("int32")) => EnumRepr::I32,
        ("integer", Some("int64") | None) => EnumRepr::I64,
        ("string", _) => EnumRepr::String,
        (other, format) => {
            cx.error(
                &format!("{path}.type"),
                def.ty.referenced,
                format!(
                    "unsupported enum type `{other}`{} (expected integer or string)",
                    format
                        .map(|f| format!(" with format `{f}`"))
                        .unwrap_or_default()
                ),
            );
            return None;
        }
    };
    let mut variants: Vec<EnumVariant> = Vec::new();
    let before = cx.count();
    for (i, v) in def.values.iter().enumerate() {
        let vpath = format!("{path}.values[{i}]");
        let value = match (repr, &v.value.value) {
            (EnumRepr::I32, serde_json::Value::Number(n))
                if n.as_i64().is_some_and(|x| i32::try_from(x).is_ok()) =>
            {
                Literal::Int(n.as_i64().unwrap_or_default())
            }
            (EnumRepr::I64, serde_json::Value::Number(n)) if n.as_i64().is_some() => {
                Literal::Int(n.as_i64().unwrap_or_default())
            }
            (EnumRepr::String, serde_json::Value::String(s)) => Literal::Str(s.clone()),
            (_, other) => {
                let expected = match repr {
                    EnumRepr::I32 => "a 32-bit integer",
                    EnumRepr::I64 => "a 64-bit integer",
                    EnumRepr::String => "a string",
                };
                cx.error(
                    &format!("{vpath}.value"),
                    v.value.referenced,
                    format!("enum value `{other}` is not {expected}, as the enum's type requires"),
                );
                continue;
            }
        };
        let ident = pascal_case(&v.name.value);
        if !is_type_name(&ident) || ident == "Unknown" {
            cx.error(
                &format!("{vpath}.name"),
                v.name.referenced,
                format!("`{}` cannot be an enum variant name", v.name.value),
            );
            continue;
        }
        if variants.iter().any(|x| x.ident == ident) {
            cx.error(
                &format!("{vpath}.name"),
                v.name.referenced,
                format!("duplicate enum variant `{ident}`"),
            );
            continue;
        }
        if variants.iter().any(|x| x.value == value) {
            cx.error(
                &format!("{vpath}.value"),
                v.value.referenced,
                format!("duplicate enum value `{}`", v.value.value),
            );
            continue;
        }
        variants.push(EnumVariant {
            ident,
            value,
            wire_name: v.wire_name.clone(),
            doc: Doc::from_spec(v.description.as_ref()),
            is_final: v.is_final,
        });
    }
    if variants.is_empty() && cx.count() == before {
        cx.error(&path, key.referenced, "an enum needs at least one value");
    }
    Some(Enum {
        name: key.value.clone(),
        repr,
        doc: Doc::from_spec(def.description.as_ref()),
        variants,
        inline: false,
    })
}
