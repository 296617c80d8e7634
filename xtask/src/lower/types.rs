//! The types of an action (typify's `TypeSpace`): scalar types (`type` + `format`), enum
//! references, inline enums, and one struct per object schema, with unique names, for the
//! response tree and for the request's objects alike. Every name is given here, once.

use super::Ctx;
use crate::model::{
    Bound, Constraints, Doc, Enum, EnumId, EnumRepr, EnumVariant, Field, Literal, Number, Role,
    Struct, StructId, Type,
};
use crate::names::{field_ident, is_type_name, pascal_case, set_setter};
use crate::spec;
use std::collections::BTreeSet;

/// What a schema node is, as both the parameter and the response passes need to know first.
pub(super) enum Shape<'a> {
    /// A scalar (its type before any enum is applied).
    Scalar(Type),
    /// An array, with the schema of its items.
    Array(&'a spec::Schema),
    /// An object (`properties`, `additionalProperties`, or any value).
    Object,
}

/// The shape of `schema`; `None` (reported) when its type, format or items are wrong.
pub(super) fn shape<'a>(
    cx: &mut Ctx<'_>,
    path: &str,
    schema: &'a spec::Schema,
) -> Option<Shape<'a>> {
    let format = schema.format.as_ref().map(|f| f.value.as_str());
    match scalar_type(&schema.ty.value, format) {
        Err(message) => {
            cx.error(&format!("{path}.type"), schema.ty.referenced, message);
            None
        }
        Ok(Some(scalar)) => Some(Shape::Scalar(scalar)),
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

/// The structs and enums of one action, with their names.
pub(super) struct TypeSpace {
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    /// Names taken by other items of the module (the request type).
    reserved: BTreeSet<String>,
}

impl TypeSpace {
    /// A space holding the action's named enums; `reserved` names are never given.
    pub fn new(enums: Vec<Enum>, reserved: impl IntoIterator<Item = String>) -> Self {
        TypeSpace {
            structs: Vec::new(),
            enums,
            reserved: reserved.into_iter().collect(),
        }
    }

    fn taken(&self, name: &str) -> bool {
        self.reserved.contains(name)
            || self.structs.iter().any(|s| s.name == name)
            || self.enums.iter().any(|e| e.name == name)
    }

    /// `wanted`, or `{parent}{wanted}`, or with a number, whichever is free first.
    fn unique_name(&self, wanted: String, parent: Option<&str>) -> String {
        if !self.taken(&wanted) {
            return wanted;
        }
        let base = match parent {
            Some(p) => format!("{p}{wanted}"),
            None => wanted,
        };
        let mut name = base.clone();
        let mut n = 2;
        while self.taken(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }

    /// A struct for an object schema with the given (or the schema's `typeName`) name.
    pub fn lower_object(
        &mut self,
        cx: &mut Ctx<'_>,
        path: &str,
        schema: &spec::Schema,
        wanted: String,
        parent: Option<&str>,
        role: Role,
    ) -> Option<StructId> {
        let name = match &schema.type_name {
            Some(t) if !is_type_name(&t.value) => {
                cx.error(
                    &format!("{path}.typeName"),
                    t.referenced,
                    format!(
                        "`{}` is not a valid Rust type name (PascalCase ASCII)",
                        t.value
                    ),
                );
                return None;
            }
            Some(t) if self.taken(&t.value) => {
                cx.error(
                    &format!("{path}.typeName"),
                    t.referenced,
                    format!("duplicate type name `{}` in this action", t.value),
                );
                return None;
            }
            Some(t) => t.value.clone(),
            None => self.unique_name(wanted, parent),
        };
        let id = StructId(self.structs.len());
        self.structs.push(Struct {
            name: name.clone(),
            doc: Doc::from_spec(schema.description.as_ref().or(schema.title.as_ref())),
            role,
            fields: Vec::new(),
        });
        let mut fields: Vec<Field> = Vec::new();
        let empty = spec::OrderedMap::default();
        for (key, prop) in &schema.properties.as_ref().unwrap_or(&empty).0 {
            let fpath = format!("{path}.properties.{}", key.value);
            let rust = field_ident(&key.value);
            if fields.iter().any(|f| f.rust == rust) {
                cx.error(&fpath, key.referenced, format!("property `{}` maps to the Rust name `{rust}` that another property already uses", key.value));
                continue;
            }
            let Some(ty) = self.lower_type(cx, &fpath, prop, &key.value, &name, role) else {
                continue;
            };
            let (required, constraints) = match role {
                Role::Request => (
                    prop.required.unwrap_or(false),
                    constraints(cx, &fpath, prop, &ty)?,
                ),
                Role::Response => (false, Constraints::default()),
            };
            fields.push(Field {
                wire: key.value.clone(),
                set: set_setter(&rust),
                rust,
                sensitive: prop.sensitive.unwrap_or(false),
                ty,
                doc: Doc::from_spec(prop.description.as_ref().or(prop.title.as_ref())),
                example: prop.example.clone(),
                required,
                constraints,
            });
        }
        self.structs[id.0].fields = fields;
        Some(id)
    }

    /// The type of a value named `prop` inside `parent` (for the names of its structs and
    /// enums).
    pub fn lower_type(
        &mut self,
        cx: &mut Ctx<'_>,
        path: &str,
        schema: &spec::Schema,
        prop: &str,
        parent: &str,
        role: Role,
    ) -> Option<Type> {
        match shape(cx, path, schema)? {
            Shape::Scalar(ty) => self.scalar(cx, path, schema, ty, prop, parent),
            Shape::Array(items) => {
                let item_prop = format!("{}Item", pascal_case(prop));
                let item = self.lower_type(
                    cx,
                    &format!("{path}.items"),
                    items,
                    &item_prop,
                    parent,
                    role,
                )?;
                Some(Type::List(Box::new(item)))
            }
            Shape::Object => {
                if schema.properties.as_ref().is_some_and(|p| !p.0.is_empty())
                    || schema.type_name.is_some()
                {
                    let id =
                        self.lower_object(cx, path, schema, pascal_case(prop), Some(parent), role)?;
                    Some(Type::Struct(id))
                } else if let Some(values) = &schema.additional_properties {
                    let value = self.lower_type(
                        cx,
                        &format!("{path}.additionalProperties"),
                        values,
                        &format!("{}Value", pascal_case(prop)),
                        parent,
                        role,
                    )?;
                    Some(Type::Map(Box::new(value)))
                } else {
                    Some(Type::Any)
                }
            }
        }
    }

    /// A scalar, or the enum its `enumRef` names (which must have the same wire type), or a
    /// new enum from its inline `enum` values.
    fn scalar(
        &mut self,
        cx: &mut Ctx<'_>,
        path: &str,
        schema: &spec::Schema,
        scalar: Type,
        prop: &str,
        parent: &str,
    ) -> Option<Type> {
        if let Some(r) = &schema.enum_ref {
            let Some(index) = self
                .enums
                .iter()
                .position(|e| e.name == r.value && !e.inline)
            else {
                cx.error(
                    &format!("{path}.enumRef"),
                    r.referenced,
                    format!("unknown enum `{}` (not in this file's `enums`)", r.value),
                );
                return None;
            };
            if !fits(self.enums[index].repr, &scalar) {
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
            return Some(Type::Enum(EnumId(index)));
        }
        let values = schema.enum_values.as_deref().unwrap_or_default();
        let repr = match scalar {
            Type::I32 => EnumRepr::I32,
            Type::I64 => EnumRepr::I64,
            Type::String => EnumRepr::String,
            _ => return Some(scalar),
        };
        if values.is_empty() {
            return Some(scalar);
        }
        let mut variants: Vec<EnumVariant> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let vpath = format!("{path}.enum[{i}]");
            let value = match (repr, &v.value) {
                (EnumRepr::String, serde_json::Value::String(s)) => Literal::Str(s.clone()),
                (EnumRepr::I32 | EnumRepr::I64, value) => {
                    let number = match value {
                        serde_json::Value::Number(n) => n.as_i64(),
                        serde_json::Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    };
                    match number.filter(|n| repr == EnumRepr::I64 || i32::try_from(*n).is_ok()) {
                        Some(n) => Literal::Int(n),
                        None => {
                            cx.error(
                                &vpath,
                                v.referenced,
                                format!(
                                    "enum value `{value}` is not an integer of the field's type"
                                ),
                            );
                            return None;
                        }
                    }
                }
                (_, other) => {
                    cx.error(
                        &vpath,
                        v.referenced,
                        format!("enum value `{other}` is not a string"),
                    );
                    return None;
                }
            };
            if variants.iter().any(|x| x.value == value) {
                continue;
            }
            let ident = variant_ident(&value, i, &variants);
            variants.push(EnumVariant {
                ident,
                value,
                wire_name: None,
                doc: Doc::default(),
                is_final: None,
            });
        }
        let name = self.unique_name(pascal_case(prop), Some(parent));
        let id = EnumId(self.enums.len());
        self.enums.push(Enum {
            doc: Doc {
                zh: None,
                en: Some(format!("The values of `{prop}`.")),
            },
            name,
            repr,
            variants,
            inline: true,
        });
        Some(Type::Enum(id))
    }
}

/// A variant name for an inline enum value: `ALL_ALLOWED` -> `AllAllowed`, `0` -> `Value0`,
/// `-1` -> `ValueMinus1`; `Value{n}` (its position) when the text makes no name.
fn variant_ident(value: &Literal, index: usize, taken: &[EnumVariant]) -> String {
    let ident = match value {
        Literal::Int(n) if *n < 0 => format!("ValueMinus{}", n.unsigned_abs()),
        Literal::Int(n) => format!("Value{n}"),
        Literal::Str(s) if s.starts_with(|c: char| c.is_ascii_alphabetic()) => pascal_case(s),
        _ => String::new(),
    };
    let ident = if is_type_name(&ident) && ident != "Unknown" {
        ident
    } else {
        format!("Value{}", index + 1)
    };
    if taken.iter().any(|v| v.ident == ident) {
        format!("{ident}{}", index + 1)
    } else {
        ident
    }
}

fn fits(repr: EnumRepr, scalar: &Type) -> bool {
    matches!(
        (repr, scalar),
        (EnumRepr::I32, Type::I32) | (EnumRepr::I64, Type::I64) | (EnumRepr::String, Type::String)
    )
}

/// The constraints of a request value of type `ty` (`None`, reported, when one is wrong).
pub(super) fn constraints(
    cx: &mut Ctx<'_>,
    path: &str,
    schema: &spec::Schema,
    ty: &Type,
) -> Option<Constraints> {
    let before = cx.count();
    let mut c = Constraints::default();
    // An enum's values are its constraint: bounds, lengths and patterns documented on an
    // enum-typed value are not checked again.
    if matches!(ty, Type::Enum(_)) {
        return Some(c);
    }
    let number = |cx: &mut Ctx<'_>, key: &str, text: &Option<String>, exclusive: Option<bool>| {
        let text = text.as_deref()?;
        let value = match ty {
            Type::I32 | Type::I64 => text.trim().parse::<i64>().ok().map(Number::Int),
            Type::F64 => text.trim().parse::<f64>().ok().map(Number::Float),
            _ => {
                cx.error_nowhere(
                    &format!("{path}.{key}"),
                    format!("`{key}` applies to numbers, not to this {:?} value", ty),
                );
                return None;
            }
        };
        match value {
            Some(value) => Some(Bound {
                value,
                exclusive: exclusive.unwrap_or(false),
            }),
            None => {
                cx.error_nowhere(
                    &format!("{path}.{key}"),
                    format!("`{text}` is not a number of the value's type"),
                );
                None
            }
        }
    };
    c.minimum = number(cx, "minimum", &schema.minimum, schema.exclusive_minimum);
    c.maximum = number(cx, "maximum", &schema.maximum, schema.exclusive_maximum);
    // A bound at or beyond the type's own limit checks nothing (the metadata gives many
    // int64 values `maximum: 9223372036854775807`): it is not kept, so that docs and help do
    // not print it and `validate()` does not test it.
    let limits = match ty {
        Type::I32 => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        Type::I64 => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    if let Some((lowest, highest)) = limits {
        let inclusive_int = |bound: &Option<Bound>| match bound {
            Some(Bound {
                value: Number::Int(v),
                exclusive: false,
            }) => Some(*v),
            _ => None,
        };
        if inclusive_int(&c.minimum).is_some_and(|v| v <= lowest) {
            c.minimum = None;
        }
        if inclusive_int(&c.maximum).is_some_and(|v| v >= highest) {
            c.maximum = None;
        }
    }
    let is_text = matches!(ty, Type::String);
    for (key, value, slot) in [
        ("minLength", schema.min_length, &mut c.min_length),
        ("maxLength", schema.max_length, &mut c.max_length),
    ] {
        if value.is_some() && !is_text {
            cx.error_nowhere(
                &format!("{path}.{key}"),
                format!("`{key}` applies to strings, not to this {ty:?} value"),
            );
        }
        *slot = value;
    }
    let is_list = matches!(ty, Type::List(_));
    for (key, value, slot) in [
        ("minItems", schema.min_items, &mut c.min_items),
        ("maxItems", schema.max_items, &mut c.max_items),
    ] {
        if value.is_some() && !is_list {
            cx.error_nowhere(
                &format!("{path}.{key}"),
                format!("`{key}` applies to arrays, not to this {ty:?} value"),
            );
        }
        *slot = value;
    }
    if let Some(p) = &schema.pattern {
        if !is_text {
            cx.error(
                &format!("{path}.pattern"),
                p.referenced,
                format!("`pattern` applies to strings, not to this {ty:?} value"),
            );
        } else if let Err(e) = acs_model::Pattern::parse(&p.value) {
            cx.error(
                &format!("{path}.pattern"),
                p.referenced,
                format!("the pattern `{}` cannot be checked: {e}", p.value),
            );
        }
        c.pattern = Some(p.value.clone());
    }
    if let (Type::List(inner), Some(items)) = (ty, &schema.items) {
        if inner.is_scalar() {
            let item = constraints(cx, &format!("{path}.items"), items, inner)?;
            if !item.is_empty() {
                c.items = Some(Box::new(item));
            }
        }
    }
    (cx.count() == before).then_some(c)
}
