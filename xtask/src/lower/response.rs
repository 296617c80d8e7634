//! The response tree: one struct per object schema (with unique names), its fields, and the
//! envelope fields (`Success`, `ErrorCode`, ...) of the root.

use super::types::{shape, Shape};
use super::{Ctx, Tree};
use crate::model::{Doc, Enum, EnvelopeFields, EnvelopeNames, Field, Struct, StructId, Type};
use crate::names::{field_ident, is_type_name, pascal_case};
use crate::spec;
use std::collections::BTreeSet;

/// The structs of the `200` response, root first.
pub(super) fn lower_response(
    cx: &mut Ctx<'_>,
    raw: &spec::ActionFile,
    input_name: &str,
    enums: &[Enum],
) -> Tree {
    let mut structs: Vec<Struct> = Vec::new();
    let mut root = None;
    let ok_response = raw.responses.0.iter().find(|(k, _)| k.value == "200");
    for (k, _) in &raw.responses.0 {
        if !k.value.chars().all(|c| c.is_ascii_digit()) || k.value.len() != 3 {
            cx.error(
                &format!("responses.{}", k.value),
                k.referenced,
                format!("response key `{}` is not an HTTP status code", k.value),
            );
        }
    }
    match ok_response {
        None => cx.error_nowhere("responses", "there is no `200` response"),
        Some((_, response)) => {
            let schema = &response.schema;
            if schema.ty.value != "object" {
                cx.error(
                    "responses.200.schema.type",
                    schema.ty.referenced,
                    format!("the response must be an object, not `{}`", schema.ty.value),
                );
            } else {
                let mut reserved: BTreeSet<String> = enums.iter().map(|e| e.name.clone()).collect();
                reserved.insert(input_name.to_string());
                let root_name = match &schema.type_name {
                    Some(t) => t.value.clone(),
                    None => format!("{}Response", raw.name.value),
                };
                let mut builder = StructBuilder {
                    structs: &mut structs,
                    reserved,
                    enums,
                };
                root = builder.lower_object(cx, "responses.200.schema", schema, root_name, None);
            }
        }
    }
    Tree { structs, root }
}

/// Envelope fields present on the root response. The metadata types some of them loosely
/// (`Success` or `HttpStatusCode` as strings in a few actions): what can be read is mapped,
/// what cannot is left out.
pub(super) fn envelope_fields(tree: &Tree, names: &EnvelopeNames) -> EnvelopeFields {
    let mut envelope = EnvelopeFields::default();
    let Some(root) = tree.root.map(|id| &tree.structs[id.0]) else {
        return envelope;
    };
    let typed = |wire: &Option<String>, ok: &dyn Fn(&Type) -> bool| -> Option<(String, Type)> {
        let f = wire
            .as_ref()
            .and_then(|w| root.fields.iter().find(|f| &f.wire == w))?;
        ok(&f.ty).then(|| (f.rust.clone(), f.ty.clone()))
    };
    let string = |t: &Type| *t == Type::String;
    envelope.success = typed(&names.success, &|t| matches!(t, Type::Bool | Type::String));
    envelope.error_code = typed(&names.error_code, &string).map(|f| f.0);
    envelope.error_message = typed(&names.error_message, &string).map(|f| f.0);
    envelope.request_id = typed(&names.request_id, &string).map(|f| f.0);
    envelope.http_status_code = typed(&names.http_status_code, &|t| {
        matches!(t, Type::I32 | Type::I64 | Type::String)
    });
    envelope
}

/// Follows a dotted wire path from the root struct to any field: its Rust field path and type.
pub fn resolve_field_path(
    structs: &[Struct],
    root: StructId,
    wire_path: &str,
) -> Option<(Vec<String>, Type)> {
    let mut current = structs.get(root.0)?;
    let mut rust = Vec::new();
    let segments: Vec<&str> = wire_path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let field = current.fields.iter().find(|f| f.wire == *segment)?;
        rust.push(field.rust.clone());
        if i + 1 == segments.len() {
            return Some((rust, field.ty.clone()));
        }
        match &field.ty {
            Type::Struct(id) => current = structs.get(id.0)?,
            _ => return None,
        }
    }
    None
}

/// Builds the response structs of one action, with unique names.
struct StructBuilder<'a> {
    structs: &'a mut Vec<Struct>,
    reserved: BTreeSet<String>,
    enums: &'a [Enum],
}

impl StructBuilder<'_> {
    fn taken(&self, name: &str) -> bool {
        self.reserved.contains(name) || self.structs.iter().any(|s| s.name == name)
    }

    fn unique_name(&mut self, wanted: String, parent: Option<&str>) -> String {
        let mut name = wanted.clone();
        if self.taken(&name) {
            if let Some(p) = parent {
                name = format!("{p}{wanted}");
            }
            let mut n = 2;
            let base = name.clone();
            while self.taken(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
        }
        name
    }

    fn lower_object(
        &mut self,
        cx: &mut Ctx<'_>,
        path: &str,
        schema: &spec::Schema,
        wanted: String,
        parent: Option<&str>,
    ) -> Option<StructId> {
        let explicit = schema.type_name.is_some();
        if let Some(t) = &schema.type_name {
            if !is_type_name(&t.value) {
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
            if self.taken(&t.value) {
                cx.error(
                    &format!("{path}.typeName"),
                    t.referenced,
                    format!("duplicate type name `{}` in this action", t.value),
                );
                return None;
            }
        }
        let name = if explicit {
            wanted
        } else {
            self.unique_name(wanted, parent)
        };
        let id = StructId(self.structs.len());
        self.structs.push(Struct {
            name: name.clone(),
            doc: Doc::from_spec(schema.description.as_ref().or(schema.title.as_ref())),
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
            let Some(ty) = self.lower_type(cx, &fpath, prop, &key.value, &name) else {
                continue;
            };
            fields.push(Field {
                wire: key.value.clone(),
                rust,
                ty,
                sensitive: prop.sensitive.unwrap_or(false),
                doc: Doc::from_spec(prop.description.as_ref().or(prop.title.as_ref())),
                example: prop.example.clone(),
            });
        }
        self.structs[id.0].fields = fields;
        Some(id)
    }

    fn lower_type(
        &mut self,
        cx: &mut Ctx<'_>,
        path: &str,
        schema: &spec::Schema,
        prop: &str,
        parent: &str,
    ) -> Option<Type> {
        match shape(cx, path, schema, self.enums)? {
            Shape::Scalar(ty) => Some(ty),
            Shape::Array(items) => {
                let item_prop = format!("{}Item", pascal_case(prop));
                let item =
                    self.lower_type(cx, &format!("{path}.items"), items, &item_prop, parent)?;
                Some(Type::List(Box::new(item)))
            }
            Shape::Object => {
                if schema.properties.as_ref().is_some_and(|p| !p.0.is_empty())
                    || schema.type_name.is_some()
                {
                    let wanted = match &schema.type_name {
                        Some(t) => t.value.clone(),
                        None => pascal_case(prop),
                    };
                    let id = self.lower_object(cx, path, schema, wanted, Some(parent))?;
                    Some(Type::Struct(id))
                } else if let Some(values) = &schema.additional_properties {
                    let value = self.lower_type(
                        cx,
                        &format!("{path}.additionalProperties"),
                        values,
                        &format!("{}Value", pascal_case(prop)),
                        parent,
                    )?;
                    Some(Type::Map(Box::new(value)))
                } else {
                    Some(Type::Any)
                }
            }
        }
    }
}
