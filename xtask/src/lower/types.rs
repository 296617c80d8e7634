//! Scalar types of a schema (`type` + `format`) and enum references, shared by the parameter
//! and the response passes.

use super::Ctx;
use crate::model::{Enum, EnumId, EnumRepr, Type};
use crate::spec;

/// What a schema node is, as both the parameter and the response passes need to know first.
pub(super) enum Shape<'a> {
    /// A scalar, or the enum its `enumRef` names.
    Scalar(Type),
    /// An array, with the schema of its items.
    Array(&'a spec::Schema),
    /// An object (`properties`, `additionalProperties`, or any value).
    Object,
}

/// The shape of `schema`; `None` (reported) when its type, format, enum reference or items
/// are wrong.
pub(super) fn shape<'a>(
    cx: &mut Ctx<'_>,
    path: &str,
    schema: &'a spec::Schema,
    enums: &[Enum],
) -> Option<Shape<'a>> {
    let format = schema.format.as_ref().map(|f| f.value.as_str());
    match scalar_type(&schema.ty.value, format) {
        Err(message) => {
            cx.error(&format!("{path}.type"), schema.ty.referenced, message);
            None
        }
        Ok(Some(scalar)) => enum_ref_type(cx, path, schema, &scalar, enums).map(Shape::Scalar),
        Ok(None) if schema.ty.value == "array" => match &schema.items {
            Some(items) => Some(Shape::Array(items)),
            None => {
                cx.error(
                    &format!("{path}.items"),
                    schema.ty.referenced,
                    "an array needs `items`",
                );
                None
            }
        },
        Ok(None) => Some(Shape::Object),
    }
}

/// The scalar type named by `type` + `format`; `Ok(None)` for arrays and objects.
fn scalar_type(ty: &str, format: Option<&str>) -> Result<Option<Type>, String> {
    Ok(Some(match (ty, format) {
        ("boolean", _) => Type::Bool,
        ("integer", Some("int32")) => Type::I32,
        ("integer", Some("int64") | None) => Type::I64,
        ("integer", Some(other)) => return Err(format!("unknown integer format `{other}` (expected int32 or int64)")),
        ("number", Some("float" | "double") | None) => Type::F64,
        ("number", Some(other)) => return Err(format!("unknown number format `{other}` (expected float or double)")),
        ("string", _) => Type::String,
        ("any", _) => Type::Any,
        ("array" | "object", _) => return Ok(None),
        (other, _) => return Err(format!("unknown type `{other}` (expected string, integer, number, boolean, array, object or any)")),
    }))
}

/// The scalar itself, or the enum its `enumRef` names (which must have the same wire type).
fn enum_ref_type(
    cx: &mut Ctx<'_>,
    path: &str,
    schema: &spec::Schema,
    scalar: &Type,
    enums: &[Enum],
) -> Option<Type> {
    let Some(r) = &schema.enum_ref else {
        return Some(scalar.clone());
    };
    let Some(index) = enums.iter().position(|e| e.name == r.value) else {
        cx.error(
            &format!("{path}.enumRef"),
            r.referenced,
            format!("unknown enum `{}` (not in this file's `enums`)", r.value),
        );
        return None;
    };
    let fits = matches!(
        (enums[index].repr, scalar),
        (EnumRepr::I32, Type::I32) | (EnumRepr::I64, Type::I64) | (EnumRepr::String, Type::String)
    );
    if !fits {
        cx.error(
            &format!("{path}.enumRef"),
            r.referenced,
            format!(
                "enum `{}` does not match the field's type {:?}",
                r.value, scalar
            ),
        );
        return None;
    }
    Some(Type::Enum(EnumId(index)))
}
