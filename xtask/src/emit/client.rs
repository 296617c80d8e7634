//! The client crate: the product's `Service` description for the shared runtime (endpoints,
//! error codes), a `Client` (async, or blocking with the `blocking` feature), and per action
//! a module with the client method, its fluent builder and the action's waiters. Sending,
//! paging, polling and blocking are `acs-runtime`'s; the crate docs (`client_docs.rs`) hold
//! one example of each kind.

use super::docs::Docs;
use super::models::ref_chain;
use super::{ident, rust_file, text_file, GeneratedFile};
use crate::model::{
    AcceptorState, Api, EnumRepr, Literal, Operation, Type, WaitFor, WaitSource, Waiter,
};
use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

/// All files of the client crate.
pub fn generate(api: &Api) -> Result<Vec<GeneratedFile>, String> {
    let krate = &api.product.client_crate;
    let mut files = vec![
        cargo_toml(api),
        rust_file(format!("{}/src/lib.rs", krate.path), lib_rs(api))?,
        rust_file(
            format!("{}/src/operation/mod.rs", krate.path),
            operation_index(api),
        )?,
        rust_file(
            format!("{}/src/test_util.rs", krate.path),
            super::test_util::test_util_rs(api)?,
        )?,
    ];
    for op in &api.operations {
        files.push(rust_file(
            format!("{}/src/operation/{}.rs", krate.path, op.names.module),
            operation_module(api, op),
        )?);
    }
    let title = api.product.title.short().unwrap_or(&api.product.code);
    files.extend(super::package_files(
        &krate.path,
        &krate.name,
        &format!(
            "Async and blocking client of **{title}** (`{}`, API version `{}`): one fluent builder \
per action, paginators, waiters, per-call settings, proxies and extra root certificates, and \
test doubles (feature `test-util`). The crate documentation has an example of each.\n\n\
Features: `blocking` (a `blocking::Client` whose `send()` blocks), `socks` (SOCKS5 proxies), \
`test-util` (an in-process stand-in server answering every action with its documented \
sample).\n\n{}",
            api.product.code,
            api.product.version,
            super::README_ORIGIN
        ),
    ));
    Ok(files)
}

fn cargo_toml(api: &Api) -> GeneratedFile {
    let krate = &api.product.client_crate;
    let models = &api.product.models_crate;
    let models_path = super::relative_path(&krate.path, &models.path);
    let package = super::package_section(
        api,
        &krate.name,
        &format!(
            "Client of the Alibaba Cloud {} API {}: one fluent builder per action, async or blocking.",
            api.product.code, api.product.version
        ),
        &["alibaba-cloud", "aliyun", "sdk"],
        &["api-bindings", "web-programming::http-client"],
    );
    let body = format!(
        r#"{package}
[features]
# `blocking::Client`: the same fluent builders with a `send()` that blocks.
blocking = ["acs-runtime/blocking"]
# SOCKS5 proxies (`socks5://`, `socks5h://`).
socks = ["acs-runtime/socks"]
# `test_util`: an in-process server answering every action with its documented sample.
test-util = ["acs-runtime/test-util"]
{features}
[package.metadata.docs.rs]
all-features = true

[dependencies]
acs-runtime = {{ workspace = true }}
{models} = {{ path = "{models_path}", version = "0.1.0"{no_defaults} }}
{credentials}
[dev-dependencies]
acs-test-server = {{ workspace = true }}
serde_json = {{ workspace = true }}
tokio = {{ workspace = true }}
"#,
        models = models.name,
        credentials = match &api.product.default_credentials {
            Some(c) => format!("{} = {{ workspace = true }}\n", c.name),
            None => String::new(),
        },
        no_defaults = if api.product.groups.is_empty() {
            ""
        } else {
            ", default-features = false"
        },
        // The group features go into the crate's own `[features]` table.
        features = super::features_toml(api, |feature| format!("\"{}/{feature}\"", models.name))
            .trim_start_matches("\n[features]\n"),
    );
    text_file(format!("{}/Cargo.toml", krate.path), body)
}

fn lib_rs(api: &Api) -> TokenStream {
    let product = &api.product;
    let models = ident(&product.models_crate.ident());
    let service = ident(&product.service_type);
    let code = &product.code;
    let version = &product.version;
    let fallback = &product.fallback_endpoint;
    let client_name = &product.client_crate.name;
    let regions = product.endpoints.iter().map(|(r, h)| quote! { (#r, #h) });
    let errors = product.errors.iter().map(|e| {
        let code = &e.code;
        let status = e.http_status.unwrap_or(0);
        let retryable = e.retryable.unwrap_or(false);
        let rejected = e
            .rejected_before_processing
            .then(|| quote!(.rejected_before_processing()));
        quote! { acs_runtime::ErrorCodeInfo::new(#code, #status, #retryable) #rejected }
    });
    let mut service_doc =
        Docs::line("The product, for the shared runtime: API version, endpoints and error codes.");
    if !product.errors.is_empty() {
        service_doc = service_doc.paragraph("Error codes any action may return:");
    }
    for e in &product.errors {
        let status = e
            .http_status
            .map(|s| format!(" (HTTP {s})"))
            .unwrap_or_default();
        let retried = match (e.retryable, e.rejected_before_processing) {
            (_, true) => ", rejected before processing (retried for every action)",
            (Some(true), false) => ", retried",
            _ => "",
        };
        let message = e
            .message
            .as_ref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        service_doc = service_doc.then(format!("- `{}`{status}{retried}{message}", e.code));
    }
    let service_doc = service_doc.rustdoc();
    let crate_doc = super::features_doc(api, super::client_docs::crate_docs(api)).inner_rustdoc();
    // A product whose spec names a credentials crate gets that crate's chain by default (the
    // runtime cannot depend on it: the chain calls STS through another generated client).
    let (credentials_reexport, default_credentials) = match &product.default_credentials {
        None => (None, None),
        Some(c) => {
            let krate = ident(&c.ident);
            let reexport = Docs::line(format!(
                "The credentials providers and the default chain (`{}`).",
                c.name
            ))
            .rustdoc();
            let hook = Docs::line(format!(
                "The default credentials chain of `{}` (its `default_provider`).",
                c.name
            ))
            .rustdoc();
            (
                Some(quote! { #reexport pub use #krate as credentials; }),
                Some(quote! {
                    #hook
                    fn default_credentials(
                        settings: &acs_runtime::CredentialsSettings,
                    ) -> acs_runtime::SharedCredentialsProvider {
                        #krate::default_provider(settings)
                    }
                }),
            )
        }
    };
    quote! {
        #crate_doc
        #![forbid(unsafe_code)]

        pub mod operation;
        #credentials_reexport
        #[cfg(feature = "test-util")]
        pub mod test_util;

        pub use acs_runtime::{
            Async, CallOptions, Config as RuntimeConfig, ConfigError, Credentials,
            CredentialsError, CredentialsExt, CredentialsProvider, Error, ErrorOrigin, Items,
            Mode, ResponseFormat, ServiceError, SharedCredentialsProvider, SignatureVersion,
            StaticChain, TransportKind, WaiterConfig, WaiterError,
        };
        pub use #models as models;

        #service_doc
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct #service;

        impl acs_runtime::Service for #service {
            const INFO: acs_runtime::ServiceInfo = acs_runtime::ServiceInfo {
                product: #code,
                version: #version,
                endpoint_map: &[#(#regions),*],
                endpoint_fallback: #fallback,
                error_codes: &[#(#errors),*],
                sdk_name: #client_name,
                sdk_version: env!("CARGO_PKG_VERSION"),
            };
            #default_credentials
        }

        acs_runtime::client!(#service);
    }
}

fn operation_index(api: &Api) -> TokenStream {
    let modules = api.operations.iter().map(|op| {
        let m = ident(&op.names.module);
        let cfg = super::feature_cfg(api, op);
        let docs = Docs::line(format!("The `{}` action.", op.name)).rustdoc();
        quote! { #docs #cfg pub mod #m; }
    });
    quote! {
        //! One module per action: its client method, fluent builder and waiters.
        #(#modules)*
    }
}

/// A method in both modes: `async` on the async builder, and (feature `blocking`) the same
/// name on the blocking builder, running the async body on the client's runtime.
struct TwoModes<'a> {
    builder: &'a proc_macro2::Ident,
    docs: TokenStream,
    blocking_docs: TokenStream,
}

impl TwoModes<'_> {
    /// `sig_async` / `sig_blocking` are the whole signatures; `body` is the async body (an
    /// expression using `self.client.inner`), which the blocking form runs with `block_on`.
    fn method(
        &self,
        name: &proc_macro2::Ident,
        args: TokenStream,
        ret: TokenStream,
        body: TokenStream,
    ) -> (TokenStream, TokenStream) {
        let (docs, blocking_docs) = (&self.docs, &self.blocking_docs);
        (
            quote! {
                #docs
                pub async fn #name(self #args) -> #ret {
                    #body.await
                }
            },
            quote! {
                #blocking_docs
                pub fn #name(self #args) -> #ret {
                    self.client.mode.block_on(#body)
                }
            },
        )
    }

    /// The async and blocking impl blocks of the builder.
    fn impls(&self, asyncs: Vec<TokenStream>, blockings: Vec<TokenStream>) -> TokenStream {
        let builder = self.builder;
        quote! {
            impl #builder {
                #(#asyncs)*
            }

            #[cfg(feature = "blocking")]
            impl #builder<acs_runtime::Blocking> {
                #(#blockings)*
            }
        }
    }
}

/// The setters of an action's request on a builder with an `input` field: one that takes the
/// value and one that takes an `Option` (to clear it), each linking to the field's docs.
fn setters(op: &Operation) -> Vec<TokenStream> {
    op.input
        .params
        .iter()
        .map(|p| {
            let set = ident(&p.set);
            let link = format!("[`{}::{}`]", op.names.input, p.rust);
            super::setter_pair(op, p, &link, quote!(self.input = self.input.#set(value);))
        })
        .collect()
}

/// `as_input` and `customize`, shared by fluent builders and waiter builders.
fn input_and_options(input: &proc_macro2::Ident) -> TokenStream {
    quote! {
        /// The request so far.
        pub fn as_input(&self) -> &#input {
            &self.input
        }

        /// Settings of this call only, over the client's configuration: timeouts, attempts,
        /// extra headers and query parameters ([`CallOptions`]; see the
        /// [example](crate#calling-an-action)). The client is not cloned.
        pub fn customize(mut self, f: impl FnOnce(CallOptions) -> CallOptions) -> Self {
            self.options = f(self.options);
            self
        }
    }
}

fn operation_module(api: &Api, op: &Operation) -> TokenStream {
    let module = ident(&op.names.module);
    let input = ident(&op.names.input);
    let output = ident(&op.structure(op.output).name);
    let fluent = ident(&op.names.fluent);
    let method = ident(&op.names.module);
    let imports = vec![quote!(Client), quote!(Error)];
    let mut runtime = vec![quote!(Async), quote!(CallOptions), quote!(Mode)];
    let mut models = vec![input.clone(), output.clone()];
    let mut extra_uses = Vec::new();
    // The types parameters name: the action's enums and request objects, and JSON values.
    let mut named: Vec<String> = Vec::new();
    let mut any = false;
    for p in &op.input.params {
        let mut ty = &p.ty;
        while let Type::List(inner) | Type::Map(inner) = ty {
            ty = inner;
        }
        let name = match ty {
            Type::Enum(id) => op.enumeration(*id).name.clone(),
            Type::Struct(id) => op.structure(*id).name.clone(),
            Type::Any => {
                any = true;
                continue;
            }
            _ => continue,
        };
        if !named.contains(&name) {
            named.push(name);
        }
    }
    models.extend(named.iter().map(|n| ident(n)));
    if any {
        extra_uses.push(quote! { use crate::models::serde_json; });
    }
    let wait_target = op.wait.as_ref().map(|w| &api.operations[w.operation]);
    if !op.waiters.is_empty() || op.wait.is_some() {
        runtime.extend([quote!(WaiterConfig), quote!(WaiterError)]);
        extra_uses.push(quote! { use std::time::Duration; });
    }
    if !op.waiters.is_empty() {
        runtime.push(quote!(WaitState));
    }
    if let Some(target) = wait_target.filter(|t| t.name != op.name) {
        let m = ident(&target.names.module);
        let to = ident(&target.structure(target.output).name);
        extra_uses.push(quote! { use crate::models::#m::#to; });
    }
    if op.paginator.is_some() {
        runtime.push(quote!(Paginator));
    }
    let method_doc = Docs::described(op.summary_or_title(), &format!("Calls `{}`.", op.name))
        .paragraph(format!(
            "Set the parameters on the returned [`{}`], then `send` it ([example](crate#calling-an-action)).",
            op.names.fluent
        ))
        .rustdoc();
    let waiter_methods = op.waiters.iter().map(|w| waiter_method(op, w));
    let waiter_builders = op.waiters.iter().map(|w| waiter_builder(op, w));
    let fluent_doc = Docs::line(format!(
        "Fluent builder of [`Client::{}`] (action `{}`): set the parameters, then `send`.",
        op.names.module, op.name
    ))
    .paragraph("`M` is the client's mode: [`Async`] (`send().await`) or, with the `blocking` feature,")
    .then("`acs_runtime::Blocking` (`send()` blocks). Examples: [calling an action](crate#calling-an-action),")
    .then("[blocking calls](crate#blocking-calls).")
    .rustdoc();
    let setters = setters(op);
    let common = input_and_options(&input);
    let modes = TwoModes {
        builder: &fluent,
        docs: send_doc(api, op).rustdoc(),
        blocking_docs: Docs::line(
            "Checks the request, sends it with retries and decodes the response, blocking the",
        )
        .then("calling thread (see the async `send`).")
        .rustdoc(),
    };
    let mut asyncs = Vec::new();
    let mut blockings = Vec::new();
    let (a, b) = modes.method(
        &ident("send"),
        TokenStream::new(),
        quote!(Result<#output, Error>),
        quote!(self
            .client
            .inner
            .send_with(&self.input.build()?, &self.options)),
    );
    asyncs.push(a);
    blockings.push(b);
    if let Some(p) = &op.paginator {
        let docs = Docs::line(format!(
            "Every page, fetched as you ask: starts at the page set on the builder (or 1) and stops when `{}` is empty, the total count is reached, or a page is short.",
            p.items_wire
        ))
        .paragraph("Read pages with `next().await`, the listed items with `items()`, or use it as a `Stream`")
        .then("([example](crate#pagination)).")
        .rustdoc();
        let service = ident(&api.product.service_type);
        asyncs.push(quote! {
            #docs
            pub fn into_paginator(self) -> Paginator<crate::#service, #input> {
                self.client.inner.paginate(self.input, self.options)
            }
        });
        let blocking_docs = Docs::line(
            "Every page, as an iterator that blocks while a page is fetched; `items()` iterates",
        )
        .then("over the listed items (see the async `into_paginator`).")
        .rustdoc();
        blockings.push(quote! {
            #blocking_docs
            pub fn into_paginator(self) -> acs_runtime::blocking::Paginator<crate::#service, #input> {
                self.client.mode.paginator(self.client.inner.paginate(self.input, self.options))
            }
        });
        let merged = TwoModes {
            builder: &fluent,
            docs: Docs::line(format!(
                "Fetches every page and returns the first page's response with the `{}` of all pages.",
                p.items_wire
            ))
            .rustdoc(),
            blocking_docs: Docs::line(format!(
                "Fetches every page, blocking, and returns the first page's response with the `{}` of all pages.",
                p.items_wire
            ))
            .rustdoc(),
        };
        let (a, b) = merged.method(
            &ident("send_all_pages"),
            TokenStream::new(),
            quote!(Result<#output, Error>),
            quote!(self.client.inner.send_all_pages(self.input, self.options)),
        );
        asyncs.push(a);
        blockings.push(b);
    }
    let wait_helper = op.wait.as_ref().map(|w| {
        let (helper, a, b) = send_and_wait(api, op, w, &fluent);
        asyncs.extend(a);
        blockings.extend(b);
        helper
    });
    let mode_impls = modes.impls(asyncs, blockings);
    let deprecated = super::deprecated_attr(op);
    let allow = op.deprecated.then(|| quote!(#![allow(deprecated)]));
    let module_doc = Docs::line(format!(
        "The `{}` action: [`Client::{}`](crate::Client::{}) and its fluent builder.",
        op.name, op.names.module, op.names.module
    ))
    .inner_rustdoc();
    let with_request_doc = Docs::line(format!(
        "Replaces the request so far with `request` (a [`{}`] built elsewhere).",
        op.names.input
    ))
    .rustdoc();
    quote! {
        #module_doc
        #allow
        use crate::models::#module::{#(#models),*};
        use crate::{#(#imports),*};
        use acs_runtime::{#(#runtime),*};
        #(#extra_uses)*

        impl<M: Mode> Client<M> {
            #method_doc
            #deprecated
            pub fn #method(&self) -> #fluent<M> {
                #fluent { client: self.clone(), input: #input::default(), options: CallOptions::new() }
            }

            #(#waiter_methods)*
        }

        #fluent_doc
        #[derive(Debug, Clone)]
        #[must_use = "a fluent builder does nothing until it is sent"]
        pub struct #fluent<M: Mode = Async> {
            client: Client<M>,
            input: #input,
            options: CallOptions,
        }

        impl<M: Mode> #fluent<M> {
            #(#setters)*
            #common

            #with_request_doc
            pub fn with_request(mut self, request: #input) -> Self {
                self.input = request;
                self
            }
        }

        #mode_impls
        #wait_helper
        #(#waiter_builders)*
    }
}

fn send_doc(api: &Api, op: &Operation) -> Docs {
    let mut doc = Docs::line(
        "Checks the request against the spec's rules (no I/O on failure), sends it with retries,",
    )
    .then("and decodes the response. A 2xx body with `Success: false` is an error.");
    // Codes any action may return are listed once, on the product's service type.
    let common = |code: &str| api.product.errors.iter().any(|e| e.code == code);
    let own: Vec<_> = op.errors.iter().filter(|e| !common(&e.code)).collect();
    if !own.is_empty() {
        doc = doc.paragraph(format!(
            "Errors the spec lists, besides validation, transport and decoding errors and those of [`{}`](crate::{0}):",
            api.product.service_type
        ));
        for e in own {
            doc = doc.then(format!(
                "- `{}`{}{}",
                e.code,
                e.http_status
                    .map(|s| format!(" (HTTP {s})"))
                    .unwrap_or_default(),
                e.message
                    .as_ref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ));
        }
    }
    doc
}

/// What a waiter does, from the spec: the polled action, delays and acceptors.
fn waiter_docs(op: &Operation, w: &Waiter) -> Docs {
    let (min, max, max_wait) = (w.min_delay_seconds, w.max_delay_seconds, w.max_wait_seconds);
    let mut docs = Docs::described(&w.doc, &format!("Polls `{}` until a final state.", op.name))
        .paragraph(format!(
            "Polls `{}` with backoff ({min} s to {max} s between polls, at most {max_wait} s in all unless",
            op.name
        ))
        .then("`max_wait` says otherwise); the first matching acceptor decides:");
    for a in &w.acceptors {
        let state = match a.state {
            AcceptorState::Success => "final, success",
            AcceptorState::Failure => "final, failure",
            AcceptorState::Retry => "keep polling",
        };
        docs = docs.then(format!(
            "- `{}` == `{}`: {state}",
            a.wire_path,
            super::literal_text(&a.equals)
        ));
    }
    docs
}

/// The client method that starts a waiter builder.
fn waiter_method(op: &Operation, w: &Waiter) -> TokenStream {
    let method = ident(&w.names.method);
    let builder = ident(&w.names.builder);
    let input = ident(&op.names.input);
    let config = waiter_config(w);
    let docs = waiter_docs(op, w)
        .paragraph(format!(
            "Set the polled request's parameters on the returned [`{}`], then `send` it: the final",
            w.names.builder
        ))
        .then("response, or a [`WaiterError`] that keeps the last response when a failure state is")
        .then("reached or the time runs out ([example](crate#waiters)).")
        .rustdoc();
    quote! {
        #docs
        pub fn #method(&self) -> #builder<M> {
            #builder { client: self.clone(), input: #input::default(), options: CallOptions::new(), config: #config }
        }
    }
}

/// The waiter's builder: the polled action's setters, the time limit, and `send`.
fn waiter_builder(op: &Operation, w: &Waiter) -> TokenStream {
    let builder = ident(&w.names.builder);
    let input = ident(&op.names.input);
    let output = ident(&op.structure(op.output).name);
    let state_fn = ident(&w.names.state_fn);
    let doc = Docs::line(format!(
        "Waiter `{}` of [`Client::{}`]: set the parameters of the polled `{}` request and, if",
        w.name, w.names.method, op.name
    ))
    .then("needed, the time limit; then `send` ([example](crate#waiters)).")
    .rustdoc();
    let setters = setters(op);
    let common = input_and_options(&input);
    let modes = TwoModes {
        builder: &builder,
        docs: Docs::line("Polls until a final state: the response in the success state; a")
            .then("[`WaiterError`] with the last response in a failure state or when the time runs out,")
            .then("or with the error of a request that failed for good. Transient errors are retried.")
            .rustdoc(),
        blocking_docs: Docs::line("Polls until a final state, blocking the calling thread (see the async `send`).")
            .rustdoc(),
    };
    let (a, b) = modes.method(
        &ident("send"),
        TokenStream::new(),
        quote!(Result<#output, WaiterError<#output>>),
        quote!(self.client.inner.wait_with(&self.input, &self.options, &self.config, #state_fn)),
    );
    let impls = modes.impls(vec![a], vec![b]);
    let checks = w.acceptors.iter().map(|a| {
        let chain = ref_chain(quote!(out), &a.path);
        let cmp = compare(op, &a.ty, &a.equals);
        let state = match a.state {
            AcceptorState::Success => quote!(WaitState::Success),
            AcceptorState::Failure => {
                let reason = format!("{} is {}", a.wire_path, super::literal_text(&a.equals));
                quote!(WaitState::Failure(#reason.to_string()))
            }
            AcceptorState::Retry => quote!(WaitState::Retry),
        };
        quote! {
            if #chain.is_some_and(|v| #cmp) {
                return #state;
            }
        }
    });
    let state_doc = Docs::line(format!(
        "The acceptors of waiter `{}`, in the spec's order (the first match decides).",
        w.name
    ))
    .rustdoc();
    quote! {
        #doc
        #[derive(Debug, Clone)]
        #[must_use = "a waiter does nothing until it is sent"]
        pub struct #builder<M: Mode = Async> {
            client: Client<M>,
            input: #input,
            options: CallOptions,
            config: WaiterConfig,
        }

        impl<M: Mode> #builder<M> {
            #(#setters)*

            /// The longest total wait before [`WaiterError::Timeout`].
            pub fn max_wait(mut self, max_wait: Duration) -> Self {
                self.config.max_wait = max_wait;
                self
            }

            /// All the delays and the time limit at once.
            pub fn config(mut self, config: WaiterConfig) -> Self {
                self.config = config;
                self
            }

            /// The delays between polls: from `min` growing (with jitter) to at most `max`.
            pub fn delays(mut self, min: Duration, max: Duration) -> Self {
                self.config = WaiterConfig::new(min, max, self.config.max_wait);
                self
            }

            #common
        }

        #impls

        #state_doc
        fn #state_fn(out: &#output) -> WaitState {
            #(#checks)*
            WaitState::Retry
        }
    }
}

fn waiter_config(w: &Waiter) -> TokenStream {
    let [min, max, max_wait] =
        [w.min_delay_seconds, w.max_delay_seconds, w.max_wait_seconds].map(Lit::u64_unsuffixed);
    quote! {
        WaiterConfig::new(Duration::from_secs(#min), Duration::from_secs(#max), Duration::from_secs(#max_wait))
    }
}

/// `v == literal` for a field of type `ty` (`v` is a reference).
fn compare(op: &Operation, ty: &Type, equals: &Literal) -> TokenStream {
    match (ty, equals) {
        (Type::Enum(id), Literal::Int(i)) => {
            let lit = match op.enumeration(*id).repr {
                EnumRepr::I32 => Lit::i32_unsuffixed(*i as i32),
                _ => Lit::i64_unsuffixed(*i),
            };
            quote!(v.value() == #lit)
        }
        (Type::Enum(_), Literal::Str(s)) => quote!(v.value() == #s),
        (Type::String, Literal::Str(s)) => quote!(v.as_str() == #s),
        (Type::I32, Literal::Int(i)) => {
            let lit = Lit::i32_unsuffixed(*i as i32);
            quote!(*v == #lit)
        }
        (Type::I64, Literal::Int(i)) => {
            let lit = Lit::i64_unsuffixed(*i);
            quote!(*v == #lit)
        }
        (Type::Bool, Literal::Bool(b)) => quote!(*v == #b),
        _ => quote!(false),
    }
}

/// `send_and_wait` of an action that starts a process another action's waiter watches: a
/// private async function holding the two steps, and the builder methods (async and
/// blocking) that call it.
fn send_and_wait(
    api: &Api,
    op: &Operation,
    w: &WaitFor,
    fluent: &proc_macro2::Ident,
) -> (TokenStream, Vec<TokenStream>, Vec<TokenStream>) {
    let target = &api.operations[w.operation];
    let waiter = &target.waiters[w.waiter];
    let input = ident(&op.names.input);
    let output = ident(&op.structure(op.output).name);
    let target_output = ident(&target.structure(target.output).name);
    let wait_method = ident(&waiter.names.method);
    let copy = |ty: &Type| match ty {
        Type::Bool | Type::I32 | Type::I64 | Type::F64 => true,
        Type::Enum(id) => target.enumeration(*id).repr != EnumRepr::String,
        _ => false,
    };
    let sets = w.bindings.iter().map(|b| {
        let set = ident(&target.input.params[b.target.0].set);
        let value = match &b.source {
            WaitSource::Input(id) => {
                let f = ident(&op.input.params[id.0].rust);
                if copy(&b.ty) {
                    quote!(input.#f)
                } else {
                    quote!(input.#f.clone())
                }
            }
            WaitSource::Output(path) if path.len() == 1 => {
                let f = ident(&path[0]);
                if copy(&b.ty) {
                    quote!(output.#f)
                } else {
                    quote!(output.#f.clone())
                }
            }
            WaitSource::Output(path) => {
                let chain = ref_chain(quote!(output), path);
                if copy(&b.ty) {
                    quote!(#chain.copied())
                } else {
                    quote!(#chain.cloned())
                }
            }
        };
        quote!(.#set(#value))
    });
    let ret = quote!(Result<(#output, #target_output), WaiterError<#target_output>>);
    let helper_name = ident(&format!("{}_and_wait", op.names.module));
    let cannot = format!("cannot wait: {{e}} (from the {} response)", op.name);
    let helper_doc = Docs::line(format!(
        "`{}`, then `{}`'s waiter `{}` on the process it started.",
        op.name, target.name, waiter.name
    ))
    .rustdoc();
    let helper = quote! {
        #helper_doc
        async fn #helper_name(
            client: Client<Async>,
            input: #input,
            options: CallOptions,
            config: WaiterConfig,
        ) -> #ret {
            let input = input.build()?;
            let output = client.inner.send_with(&input, &options).await?;
            let waiter = client
                .#wait_method()
                #(#sets)*;
            if let Err(e) = waiter.as_input().clone().build() {
                return Err(WaiterError::Request(Error::validation(e.parameter().to_owned(), format!(#cannot))));
            }
            let waited = waiter.customize(|_| options).config(config).send().await?;
            Ok((output, waited))
        }
    };
    let config = waiter_config(waiter);
    let modes = TwoModes {
        builder: fluent,
        docs: Docs::line(format!(
            "Sends the request, then waits with `{}`'s waiter `{}` ({} s to {} s between polls, at most {} s) until the process it started is final.",
            target.name, waiter.name, waiter.min_delay_seconds, waiter.max_delay_seconds, waiter.max_wait_seconds
        ))
        .paragraph(format!(
            "Returns this action's response and the final `{}` response; a failure state or the",
            target.name
        ))
        .then("time limit is a [`WaiterError`] that keeps the last response.")
        .rustdoc(),
        blocking_docs: Docs::line("Sends the request, then waits until the process it started is final, blocking the")
            .then("calling thread (see the async `send_and_wait`).")
            .rustdoc(),
    };
    let with_modes = TwoModes {
        builder: fluent,
        docs: Docs::line("Same as `send_and_wait`, with your own waiter delays and time limit.")
            .rustdoc(),
        blocking_docs: Docs::line(
            "Same as `send_and_wait`, with your own waiter delays and time limit, blocking.",
        )
        .rustdoc(),
    };
    let async_client = quote!(Client {
        inner: self.client.inner.clone(),
        mode: Async
    });
    let (a1, b1) = modes.method(
        &ident("send_and_wait"),
        TokenStream::new(),
        ret.clone(),
        quote!(#helper_name(#async_client, self.input, self.options, #config)),
    );
    let (a2, b2) = with_modes.method(
        &ident("send_and_wait_with"),
        quote!(, config: WaiterConfig),
        ret,
        quote!(#helper_name(#async_client, self.input, self.options, config)),
    );
    (helper, vec![a1, a2], vec![b1, b2])
}
