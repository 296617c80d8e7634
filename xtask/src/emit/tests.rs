//! The generated per-action test (the models crate's `tests/actions.rs`, or the spec's
//! `tests.file` in an unpublished test crate when it reads files of the repository): per
//! action, its documented samples decode (JSON and XML to equal values, no declared field of
//! the JSON sample lost); and, when the product names the official SDK's wire vectors, the
//! request of every line, built from its values, encodes to the pairs the SDK sent (with the
//! listed exceptions).

use super::docs::Docs;
use super::{feature_cfg, ident};
use crate::model::{Api, Operation, Sample, SampleBody, SampleFormat};
use proc_macro2::TokenStream;
use quote::quote;

/// The whole test file.
pub fn actions_test(api: &Api) -> TokenStream {
    let krate = ident(&api.product.models_crate.ident());
    // `include_bytes!` paths are relative to the test file's folder.
    let file = api.product.actions_test_file();
    let to_root = "../".repeat(file.split('/').count() - 1);
    let samples = api
        .operations
        .iter()
        .flat_map(|op| sample_tests(api, op, &krate, &to_root));
    let wire = wire_test(api, &krate, &to_root);
    let doc = Docs::line(
        "Every action's documented samples decode in both formats to equal values, and no field",
    )
    .then("of the JSON sample that the schema declares is lost; requests built from the official")
    .then("SDK's values encode to the pairs it sent.");
    let doc = if api.product.actions_test_in_models_crate() {
        doc
    } else {
        doc.paragraph(format!(
            "A test of this crate, not of `{}`: it reads the samples and vectors from the",
            api.product.models_crate.name
        ))
        .then("repository, outside the published package. It needs every feature of the models crate.")
    }
    .inner_rustdoc();
    quote! {
        #doc
        #![allow(deprecated)]

        use acs_model::testing::assert_samples;

        #(#samples)*
        #wire
    }
}

/// The 2xx samples of an action in pairs (the n-th JSON with the n-th XML).
fn sample_pairs(op: &Operation) -> Vec<(Option<&Sample>, Option<&Sample>)> {
    let ok = |format| {
        op.samples
            .iter()
            .filter(move |s| s.format == format && (200..300).contains(&s.http_status))
            .collect::<Vec<_>>()
    };
    let (json, xml) = (ok(SampleFormat::Json), ok(SampleFormat::Xml));
    (0..json.len().max(xml.len()))
        .map(|i| (json.get(i).copied(), xml.get(i).copied()))
        .collect()
}

fn body(sample: Option<&Sample>, to_root: &str) -> TokenStream {
    match sample.map(|s| &s.body) {
        None => quote!(None),
        Some(SampleBody::File(_, path)) => {
            let path = format!("{to_root}{path}");
            quote!(Some(include_bytes!(#path)))
        }
        Some(SampleBody::Inline(text)) => quote!(Some(#text.as_bytes())),
    }
}

/// An action's test compiles with its feature in the models crate; another crate's test
/// depends on every feature (a feature there would name that crate's own).
fn action_cfg(api: &Api, op: &Operation) -> TokenStream {
    if api.product.actions_test_in_models_crate() {
        feature_cfg(api, op)
    } else {
        TokenStream::new()
    }
}

fn sample_tests(
    api: &Api,
    op: &Operation,
    krate: &proc_macro2::Ident,
    to_root: &str,
) -> Vec<TokenStream> {
    let module = ident(&op.names.module);
    let output = ident(&op.structure(op.output).name);
    let cfg = action_cfg(api, op);
    let pairs = sample_pairs(op);
    pairs
        .iter()
        .enumerate()
        .map(|(i, (json, xml))| {
            let name = if pairs.len() == 1 {
                ident(&format!("{}_samples", op.names.module))
            } else {
                ident(&format!("{}_samples_{}", op.names.module, i + 1))
            };
            let known = json
                .filter(|s| s.known_issue.is_some())
                .or(xml.filter(|s| s.known_issue.is_some()));
            let known = match known {
                Some(sample) => {
                    let reason = sample.known_issue.as_deref().unwrap_or_default();
                    let paths = &sample.differs_at;
                    quote!(Some((#reason, &[#(#paths),*])))
                }
                None => quote!(None),
            };
            let (json, xml) = (body(*json, to_root), body(*xml, to_root));
            quote! {
                #cfg
                #[test]
                fn #name() {
                    assert_samples::<#krate::#module::#output>(#json, #xml, #known);
                }
            }
        })
        .collect()
}

/// The wire-vector test, when the product names the vectors; it needs every action, so in
/// the models crate it runs with every feature on.
fn wire_test(api: &Api, krate: &proc_macro2::Ident, to_root: &str) -> Option<TokenStream> {
    let vectors = api.product.tests.wire_vectors.as_ref()?;
    let vectors = format!("{to_root}{vectors}");
    let exceptions = match &api.product.tests.wire_exceptions {
        Some(path) => {
            let path = format!("{to_root}{path}");
            quote!(include_str!(#path))
        }
        None => quote!("[]"),
    };
    let features: Vec<&String> = api.product.groups.iter().map(|g| &g.feature).collect();
    let cfg = (api.product.actions_test_in_models_crate() && !features.is_empty())
        .then(|| quote!(#[cfg(all(#(feature = #features),*))]));
    let arms = api.operations.iter().map(|op| {
        let wire = &op.name;
        let module = ident(&op.names.module);
        let input = ident(&op.names.input);
        quote! { #wire => acs_model::testing::request_params::<#krate::#module::#input>(values), }
    });
    Some(quote! {
        /// The request of `action` built from the values (by wire names), as wire pairs.
        #cfg
        fn request_params(
            action: &str,
            values: &serde_json::Value,
        ) -> Option<Result<Vec<acs_model::WireParam>, String>> {
            Some(match action {
                #(#arms)*
                _ => return None,
            })
        }

        #cfg
        #[test]
        fn official_wire_vectors() {
            acs_model::testing::assert_wire_vectors(
                include_str!(#vectors),
                #exceptions,
                request_params,
            );
        }
    })
}
