//! Lowering: validates the raw spec (`spec.rs`) and builds the model (`model.rs`), collecting
//! every problem with its file, key path and position instead of stopping at the first.
//!
//! One pass per concern, in this order for an action: the HTTP method and signing, enums,
//! parameters, rules, the response tree (and its envelope fields), error codes, samples,
//! waiters and the paginator; across actions, `wait` references ([`workflow::resolve_waits`]).

mod enums;
mod params;
mod product;
mod response;
mod rules;
mod samples;
mod types;
pub mod workflow;

pub use product::lower_product;
pub use workflow::resolve_waits;

use crate::diag::Diagnostic;
use crate::model::{
    Doc, ErrorCode, Idempotency, Input, Operation, Param, ParamId, Product, Signing, StructId, Type,
};
use crate::names::{is_type_name, operation_names};
use crate::spec;
use serde_saphyr::Location;
use std::path::Path;

/// Collects diagnostics for one file.
pub(crate) struct Ctx<'a> {
    file: &'a Path,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, path: &str, location: Location, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::at(self.file, path, location, message));
    }

    fn error_nowhere(&mut self, path: &str, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::file(self.file, path, message));
    }

    /// How many problems were found so far (to tell whether a pass added any).
    fn count(&self) -> usize {
        self.diagnostics.len()
    }
}

impl Doc {
    fn from_spec(text: Option<&spec::Text>) -> Doc {
        text.map(|t| Doc {
            zh: t.zh.clone().filter(|s| !s.trim().is_empty()),
            en: t.en.clone().filter(|s| !s.trim().is_empty()),
        })
        .unwrap_or_default()
    }
}

/// Validates one action file and builds its operation. `wait` is resolved later, across
/// actions, by [`resolve_waits`].
pub fn lower_operation(
    file: &Path,
    spec_dir: &Path,
    product: &Product,
    raw: &spec::ActionFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Operation> {
    lower_operation_with(file, spec_dir, product, raw, diagnostics, &|p: &Path| {
        p.is_file()
    })
}

/// [`lower_operation`], with `exists` telling whether a sample file exists (`cargo xtask
/// import` validates specs together with the sample files it is about to write).
pub fn lower_operation_with(
    file: &Path,
    spec_dir: &Path,
    product: &Product,
    raw: &spec::ActionFile,
    diagnostics: &mut Vec<Diagnostic>,
    exists: &dyn Fn(&Path) -> bool,
) -> Option<Operation> {
    let mut cx = Ctx { file, diagnostics };
    let before = cx.count();
    let name = raw.name.value.clone();
    if !is_type_name(&name) {
        cx.error(
            "name",
            raw.name.referenced,
            format!("action name `{name}` must be PascalCase ASCII letters and digits"),
        );
    }
    if let Some(stem) = file.file_stem().and_then(|s| s.to_str()) {
        if stem != name {
            cx.error(
                "name",
                raw.name.referenced,
                format!("action `{name}` must be in a file named `{name}.yaml`, not `{stem}.yaml`"),
            );
        }
    }
    let method = http_method(&mut cx, raw);
    let signing = signing(&mut cx, raw);
    let names = operation_names(&name);

    // Named enums first: parameters and fields refer to them. Then the response's types,
    // then the request's (whose names give way to the response's).
    let enums = enums::lower_enums(&mut cx, &raw.enums);
    let mut types = types::TypeSpace::new(enums, [names.input.clone()]);
    let root = response::lower_response(&mut cx, raw, &mut types);
    let params = params::lower_params(&mut cx, &raw.parameters, &mut types, &names.input);
    let require_one_of = rules::lower_rules(&mut cx, raw.rules.as_ref(), &params, &name);
    let idempotency = idempotency(&mut cx, raw, &params);
    let errors = action_errors(&mut cx, raw, product);
    let samples = samples::lower_samples(&mut cx, product, &raw.samples, spec_dir, exists);
    let group = product::group_of(&mut cx, product, &name, &raw.name);
    let enums = types.enums;
    let tree = Tree {
        structs: types.structs,
        root,
    };
    let envelope = response::envelope_fields(&tree, &product.envelope);
    let waiters = workflow::lower_waiters(&mut cx, &raw.waiters, &tree, &enums);
    // Paths into the response are only checked when the response itself is valid, so that a
    // bad field is reported once, not again by every path that names it.
    let paginator = match &raw.paginator {
        Some(p) if cx.count() == before => {
            workflow::lower_paginator(&mut cx, p, &params, &tree.structs, tree.root)
        }
        _ => None,
    };

    if cx.count() > before {
        return None;
    }
    Some(Operation {
        output: tree.root?,
        paginator,
        wait: None,
        names,
        name,
        title: Doc::from_spec(raw.title.as_ref()),
        summary: Doc::from_spec(raw.summary.as_ref()),
        doc: Doc::from_spec(raw.description.as_ref()),
        method,
        deprecated: raw.deprecated.unwrap_or(false),
        signing,
        idempotency,
        group,
        input: Input {
            params,
            require_one_of,
        },
        structs: tree.structs,
        enums,
        errors,
        samples,
        waiters,
        envelope,
        unsupported: raw.unsupported.clone(),
    })
}

/// The official SDKs send an RPC action with POST when its metadata allows it, else with the
/// first method listed.
fn http_method(cx: &mut Ctx<'_>, raw: &spec::ActionFile) -> String {
    if raw.methods.is_empty()
        || raw
            .methods
            .iter()
            .any(|m| m.value.eq_ignore_ascii_case("post"))
    {
        return "POST".to_string();
    }
    let first = &raw.methods[0];
    let upper = first.value.to_ascii_uppercase();
    if !matches!(upper.as_str(), "GET" | "PUT" | "DELETE" | "PATCH") {
        cx.error(
            "methods[0]",
            first.referenced,
            format!(
                "unsupported HTTP method `{}` (expected get, post, put, delete or patch)",
                first.value
            ),
        );
    }
    upper
}

/// How the action is signed: `auth: anonymous` (unsigned, the action authenticates by a token
/// among its parameters), else `signatureVersion` (`v1`/`v3`) or the client's setting.
fn signing(cx: &mut Ctx<'_>, raw: &spec::ActionFile) -> Signing {
    let version = raw
        .signature_version
        .as_ref()
        .and_then(|v| match v.value.as_str() {
            "v1" => Some(Signing::V1),
            "v3" => Some(Signing::V3),
            other => {
                cx.error(
                    "signatureVersion",
                    v.referenced,
                    format!("unknown signature version `{other}` (expected v1 or v3)"),
                );
                None
            }
        });
    let Some(auth) = &raw.auth else {
        return version.unwrap_or_default();
    };
    match auth.value.as_str() {
        "accessKey" => version.unwrap_or_default(),
        "anonymous" => {
            if let Some(v) = &raw.signature_version {
                cx.error(
                    "signatureVersion",
                    v.referenced,
                    "an anonymous action is sent unsigned (with the RPC common parameters); remove `signatureVersion` or `auth: anonymous`",
                );
            }
            Signing::Anonymous
        }
        other => {
            cx.error(
                "auth",
                auth.referenced,
                format!("unknown auth `{other}` (expected accessKey or anonymous)"),
            );
            Signing::Configured
        }
    }
}

/// Whether the action may be repeated: `clientToken` names an optional string parameter that
/// makes it so, else `idempotent` (default `false`).
fn idempotency(cx: &mut Ctx<'_>, raw: &spec::ActionFile, params: &[Param]) -> Idempotency {
    if let Some(token) = &raw.client_token {
        let Some(index) = params.iter().position(|p| p.wire == token.value) else {
            cx.error(
                "clientToken",
                token.referenced,
                format!("`{}` is not a parameter of the action", token.value),
            );
            return Idempotency::Unsafe;
        };
        let param = &params[index];
        if param.ty != Type::String || param.required {
            cx.error(
                "clientToken",
                token.referenced,
                format!(
                    "the client token `{}` must be an optional string parameter (the client fills it in when the caller does not)",
                    token.value
                ),
            );
        }
        return Idempotency::ClientToken(ParamId(index));
    }
    match raw.idempotent {
        Some(true) => Idempotency::Safe,
        _ => Idempotency::Unsafe,
    }
}

/// The error codes listed for the action; retryable as the product's list says.
fn action_errors(cx: &mut Ctx<'_>, raw: &spec::ActionFile, product: &Product) -> Vec<ErrorCode> {
    let mut errors = Vec::new();
    for (status, list) in &raw.error_codes.0 {
        let code: Option<u16> = status
            .value
            .parse()
            .ok()
            .filter(|s| (100..=599).contains(s));
        if code.is_none() {
            cx.error(
                &format!("errorCodes.{}", status.value),
                status.referenced,
                format!("`{}` is not an HTTP status code", status.value),
            );
        }
        for e in list {
            errors.push(ErrorCode {
                http_status: code,
                code: e.error_code.value.clone(),
                message: e.error_message.clone(),
                doc: Doc::from_spec(e.description.as_ref()),
                retryable: product
                    .errors
                    .iter()
                    .find(|p| p.code == e.error_code.value)
                    .and_then(|p| p.retryable),
                rejected_before_processing: false,
            });
        }
    }
    errors
}

/// The response structs of an action, root first (`root` is `None` when the response
/// itself is invalid; that is reported).
pub(crate) struct Tree {
    pub structs: Vec<crate::model::Struct>,
    pub root: Option<StructId>,
}
