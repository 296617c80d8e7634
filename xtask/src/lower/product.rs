//! The product file: version, style, crates, default credentials, endpoints, envelope names,
//! common error codes.

use super::Ctx;
use crate::diag::Diagnostic;
use crate::model::{
    CliCrate, CrateRef, CredentialsCrate, Doc, EnvelopeNames, ErrorCode, Group, Product, TestFiles,
};
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
    let groups = groups(&mut cx, &raw.groups);
    let tests = TestFiles {
        file: raw
            .tests
            .as_ref()
            .and_then(|t| t.file.as_ref())
            .map(|p| p.value.clone()),
        wire_vectors: raw
            .tests
            .as_ref()
            .and_then(|t| t.wire_vectors.as_ref())
            .map(|p| p.value.clone()),
        wire_exceptions: raw
            .tests
            .as_ref()
            .and_then(|t| t.wire_exceptions.as_ref())
            .map(|p| p.value.clone()),
    };
    if let Some(t) = &raw.tests {
        for (key, path) in [
            ("tests.file", &t.file),
            ("tests.wireVectors", &t.wire_vectors),
            ("tests.wireExceptions", &t.wire_exceptions),
        ] {
            if let Some(path) = path {
                check_relative_path(&mut cx, key, path);
            }
        }
        if let Some(file) = &t.file {
            if !file.value.ends_with(".rs") || !file.value.contains("/tests/") {
                cx.error(
                    "tests.file",
                    file.referenced,
                    format!(
                        "`{}` must be a Rust file in the `tests/` folder of a test crate, such \
                         as `tests/tests/actions.rs`",
                        file.value
                    ),
                );
            }
        }
        // A published package holds only its own folder: a test of the models crate that
        // reads the wire vectors would not compile from the package.
        if let (Some(vectors), None, true) =
            (&t.wire_vectors, &t.file, raw.crates.publish.unwrap_or(true))
        {
            cx.error(
                "tests.wireVectors",
                vectors.referenced,
                format!(
                    "the generated test reads `{}` from outside the published models crate `{}`; \
                     name a file of an unpublished test crate in `tests.file`",
                    vectors.value, raw.crates.models.name.value
                ),
            );
        }
    }
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
        groups,
        tests,
    })
}

/// The API groups: each needs a feature name (kebab-case, unique, not `default`), and an
/// action is in one group at most.
fn groups(cx: &mut Ctx<'_>, raw: &[spec::Group]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (i, g) in raw.iter().enumerate() {
        let path = format!("groups[{i}]");
        let title = Doc::from_spec(g.title.as_ref());
        let Some(name) = &g.name else {
            cx.error_nowhere(
                &path,
                format!(
                    "the group {}{} has no `name`: add its Cargo feature name (English, kebab-case)",
                    title.short().unwrap_or("?"),
                    g.id.map(|id| format!(" (metadata directory {id})")).unwrap_or_default()
                ),
            );
            continue;
        };
        let valid = !name.value.is_empty()
            && name.value != "default"
            && name.value.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.value.ends_with('-');
        if !valid {
            cx.error(
                &format!("{path}.name"),
                name.referenced,
                format!(
                    "`{}` is not a Cargo feature name in kebab-case (such as `data-studio`)",
                    name.value
                ),
            );
            continue;
        }
        if groups.iter().any(|other| other.feature == name.value) {
            cx.error(
                &format!("{path}.name"),
                name.referenced,
                format!("duplicate group name `{}`", name.value),
            );
            continue;
        }
        let mut actions: Vec<String> = Vec::new();
        for (j, action) in g.actions.iter().enumerate() {
            if let Some(other) = groups.iter().find(|o| o.actions.contains(&action.value)) {
                cx.error(
                    &format!("{path}.actions[{j}]"),
                    action.referenced,
                    format!(
                        "`{}` is already in the group `{}`",
                        action.value, other.feature
                    ),
                );
            } else if !actions.contains(&action.value) {
                actions.push(action.value.clone());
            }
        }
        groups.push(Group {
            feature: name.value.clone(),
            title,
            default: g.default.unwrap_or(true),
            actions,
        });
    }
    groups
}

/// The group of an action: the one that lists it (an error when the product has groups and
/// none lists it).
pub(super) fn group_of(
    cx: &mut Ctx<'_>,
    product: &Product,
    action: &str,
    name: &Spanned<String>,
) -> Option<usize> {
    if product.groups.is_empty() {
        return None;
    }
    let found = product
        .groups
        .iter()
        .position(|g| g.actions.iter().any(|a| a == action));
    if found.is_none() {
        cx.error(
            "name",
            name.referenced,
            format!("`{action}` is in none of the groups of product.yaml (each action needs one: it is the Cargo feature that enables it)"),
        );
    }
    found
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
