//! The product file: version, style, crates, default credentials, endpoints, envelope names,
//! common error codes.

use super::Ctx;
use crate::diag::Diagnostic;
use crate::model::{CliCrate, CrateRef, CredentialsCrate, Doc, EnvelopeNames, ErrorCode, Product};
use crate::names::{crate_ident, pascal_case};
use crate::spec;
use serde_saphyr::Spanned;
use std::collections::BTreeSet;
use std::path::Path;

/// Validates the product file and builds the product model.
pub fn lower_product(
    file: &Path,
    raw: &spec::ProductFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Product> {
    let mut cx = Ctx { file, diagnostics };
    let before = cx.count();
    if raw.style.value != "RPC" {
        cx.error(
            "style",
            raw.style.referenced,
            format!(
                "unsupported API style `{}` (this generator supports `RPC`)",
                raw.style.value
            ),
        );
    }
    if raw.product.value.trim().is_empty() {
        cx.error(
            "product",
            raw.product.referenced,
            "the product code is empty",
        );
    }
    if !raw
        .version
        .value
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-')
        || raw.version.value.len() != 10
    {
        cx.error(
            "version",
            raw.version.referenced,
            format!(
                "API version `{}` is not of the form YYYY-MM-DD",
                raw.version.value
            ),
        );
    }
    let cli = raw
        .crates
        .cli
        .as_ref()
        .map(|cli| ("crates.cli", (&cli.name, &cli.path)));
    for (key, krate) in [
        (
            "crates.models",
            (&raw.crates.models.name, &raw.crates.models.path),
        ),
        (
            "crates.client",
            (&raw.crates.client.name, &raw.crates.client.path),
        ),
    ]
    .into_iter()
    .chain(cli)
    {
        check_crate_name(&mut cx, &format!("{key}.name"), krate.0);
        check_relative_path(&mut cx, &format!("{key}.path"), krate.1);
    }
    if let Some(credentials) = &raw.default_credentials {
        check_crate_name(&mut cx, "defaultCredentials.crate", &credentials.krate);
    }
    if !raw.endpoints.fallback.value.contains("{region}") {
        cx.error(
            "endpoints.fallback",
            raw.endpoints.fallback.referenced,
            "the fallback endpoint must contain `{region}`",
        );
    }
    let mut seen_regions = BTreeSet::new();
    for (i, region) in raw.endpoints.regions.iter().enumerate() {
        if !seen_regions.insert(region.region_id.value.clone()) {
            cx.error(
                &format!("endpoints.regions[{i}].regionId"),
                region.region_id.referenced,
                format!("duplicate region `{}`", region.region_id.value),
            );
        }
        if region.endpoint.value.contains("://") || region.endpoint.value.trim().is_empty() {
            cx.error(
                &format!("endpoints.regions[{i}].endpoint"),
                region.endpoint.referenced,
                format!(
                    "endpoint `{}` must be a host name without a scheme",
                    region.endpoint.value
                ),
            );
        }
    }
    let errors = common_errors(&mut cx, &raw.error_codes);
    let envelope = raw
        .envelope
        .as_ref()
        .map(|e| EnvelopeNames {
            success: e.success.as_ref().map(|s| s.value.clone()),
            error_code: e.error_code.as_ref().map(|s| s.value.clone()),
            error_message: e.error_message.as_ref().map(|s| s.value.clone()),
            http_status_code: e.http_status_code.as_ref().map(|s| s.value.clone()),
            request_id: e.request_id.as_ref().map(|s| s.value.clone()),
        })
        .unwrap_or_default();
    if cx.count() > before {
        return None;
    }
    Some(Product {
        code: raw.product.value.clone(),
        version: raw.version.value.clone(),
        title: Doc::from_spec(raw.title.as_ref()),
        service_type: pascal_case(&raw.product.value),
        models_crate: crate_ref(&raw.crates.models.name, &raw.crates.models.path),
        client_crate: crate_ref(&raw.crates.client.name, &raw.crates.client.path),
        cli: raw.crates.cli.as_ref().map(|cli| CliCrate {
            krate: crate_ref(&cli.name, &cli.path),
            binary: cli.binary.value.clone(),
        }),
        default_credentials: raw.default_credentials.as_ref().map(|c| CredentialsCrate {
            name: c.krate.value.clone(),
            ident: crate_ident(&c.krate.value),
        }),
        publish: raw.crates.publish.unwrap_or(true),
        envelope,
        fallback_endpoint: raw.endpoints.fallback.value.clone(),
        endpoints: raw
            .endpoints
            .regions
            .iter()
            .map(|r| (r.region_id.value.clone(), r.endpoint.value.clone()))
            .collect(),
        errors,
    })
}

/// The error codes any action may return.
fn common_errors(cx: &mut Ctx<'_>, raw: &[spec::CommonErrorCode]) -> Vec<ErrorCode> {
    let mut errors = Vec::new();
    let mut seen_codes = BTreeSet::new();
    for (i, e) in raw.iter().enumerate() {
        if !seen_codes.insert(e.error_code.value.clone()) {
            cx.error(
                &format!("errorCodes[{i}].errorCode"),
                e.error_code.referenced,
                format!("duplicate error code `{}`", e.error_code.value),
            );
        }
        if !(100..=599).contains(&e.http_status.value) {
            cx.error(
                &format!("errorCodes[{i}].httpStatus"),
                e.http_status.referenced,
                format!("HTTP status {} is out of range", e.http_status.value),
            );
        }
        let rejected_before_processing = e.rejected_before_processing.unwrap_or(false);
        if rejected_before_processing && !e.retryable {
            cx.error(
                &format!("errorCodes[{i}].rejectedBeforeProcessing"),
                e.error_code.referenced,
                format!(
                    "`{}` is rejected before processing, so it is retried: set `retryable: true` (or drop `rejectedBeforeProcessing`)",
                    e.error_code.value
                ),
            );
        }
        errors.push(ErrorCode {
            http_status: Some(e.http_status.value),
            code: e.error_code.value.clone(),
            message: e.error_message.clone(),
            doc: Doc::from_spec(e.description.as_ref()),
            retryable: Some(e.retryable),
            rejected_before_processing,
        });
    }
    errors
}

fn crate_ref(name: &Spanned<String>, path: &Spanned<String>) -> CrateRef {
    CrateRef {
        name: name.value.clone(),
        path: path.value.trim_end_matches('/').to_string(),
    }
}

fn check_crate_name(cx: &mut Ctx<'_>, key: &str, name: &Spanned<String>) {
    let ok = !name.value.is_empty()
        && name.value.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        cx.error(
            key,
            name.referenced,
            format!("`{}` is not a valid crate name", name.value),
        );
    }
}

fn check_relative_path(cx: &mut Ctx<'_>, key: &str, path: &Spanned<String>) {
    let p = Path::new(&path.value);
    if path.value.is_empty()
        || p.is_absolute()
        || p.components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        cx.error(
            key,
            path.referenced,
            format!(
                "`{}` must be a relative path inside the workspace (no `..`)",
                path.value
            ),
        );
    }
}
