//! The response tree: one struct per object schema (with unique names), its fields, and the
//! envelope fields (`Success`, `ErrorCode`, ...) of the root.

use super::types::TypeSpace;
use super::{Ctx, Tree};
use crate::model::{EnvelopeFields, EnvelopeNames, Role, Struct, StructId, Type};
use crate::spec;

/// The structs of the `200` response, root first, into `types`; the root's id.
pub(super) fn lower_response(
    cx: &mut Ctx<'_>,
    raw: &spec::ActionFile,
    types: &mut TypeSpace,
) -> Option<StructId> {
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
    let Some((_, response)) = ok_response else {
        cx.error_nowhere("responses", "there is no `200` response");
        return None;
    };
    let schema = &response.schema;
    if schema.ty.value != "object" {
        cx.error(
            "responses.200.schema.type",
            schema.ty.referenced,
            format!("the response must be an object, not `{}`", schema.ty.value),
        );
        return None;
    }
    let root_name = match &schema.type_name {
        Some(t) => t.value.clone(),
        None => format!("{}Response", raw.name.value),
    };
    types.lower_object(
        cx,
        "responses.200.schema",
        schema,
        root_name,
        None,
        Role::Response,
    )
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
