//! The client crate: the product's `Service` description for the shared runtime (endpoints,
//! error codes), a `Client`, and per action a module with the client method, its fluent
//! builder and the action's waiters. Sending, paging and polling are `acs-runtime`'s.

use super::docs::Docs;
use super::models::ref_chain;
use super::{ident, rust_file, text_file, GeneratedFile};
use crate::model::{
    AcceptorState, Api, EnumRepr, Literal, Operation, Param, Type, WaitFor, WaitSource, Waiter,
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
    ];
    for op in &api.operations {
        files.push(rust_file(
            format!("{}/src/operation/{}.rs", krate.path, op.names.module),
            operation_module(api, op),
        )?);
    }
    Ok(files)
}

fn cargo_toml(api: &Api) -> GeneratedFile {
    let krate = &api.product.client_crate;
    let models = &api.product.models_crate;
    let models_path = super::relative_path(&krate.path, &models.path);
    let body = format!(
        r#"[package]
name = "{name}"
description = "Client of the Alibaba Cloud {product} API {version}: one fluent builder per action."
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true

[dependencies]
acs-runtime = {{ workspace = true }}
{models} = {{ path = "{models_path}", version = "0.1.0" }}
{credentials}
[dev-dependencies]
acs-test-server = {{ workspace = true }}
serde_json = {{ workspace = true }}
tokio = {{ workspace = true }}
"#,
        name = krate.name,
        product = api.product.code,
        version = api.product.version,
        models = models.name,
        credentials = match &api.product.default_credentials {
            Some(c) => format!("{} = {{ workspace = true }}\n", c.name),
            None => String::new(),
        },
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
        quote! { acs_runtime::ErrorCodeInfo::new(#code, #status, #retryable) }
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
        let retried = if e.retryable == Some(true) {
            ", retried"
        } else {
            ""
        };
        let message = e
            .message
            .as_ref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        service_doc = service_doc.then(format!("- `{}`{status}{retried}{message}", e.code));
    }
    let service_doc = service_doc.rustdoc();
    let title = product.title.short().unwrap_or(code);
    let mut doc = Docs::line(format!(
        "Client of **{title}** (`{code}`, API version `{version}`), generated from the spec by"
    ))
    .then("`cargo xtask codegen`.")
    .paragraph(
        "One [`Client`] per application (it is cheap to clone and shares one connection pool);",
    )
    .then(
        "one method per action returning a fluent builder; `send().await` checks the spec's rules,",
    )
    .then("signs (V3 ACS3-HMAC-SHA256 by default, RPC v1 on request), retries throttling, 5xx and")
    .then("network errors with backoff, and decodes JSON or XML into the [`models`].");
    if let Some(op) = api.operations.first() {
        doc = crate_example(api, op, doc);
    }
    let crate_doc = doc.inner_rustdoc();
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

        pub use acs_runtime::{
            Config as RuntimeConfig, ConfigError, Credentials, CredentialsError, CredentialsExt,
            CredentialsProvider, Error, ErrorOrigin, ResponseFormat, ServiceError,
            SharedCredentialsProvider, SignatureVersion, StaticChain, TransportKind, Waited,
            WaiterConfig,
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

/// The crate's first example: a call of the first action that passes every rule of the action
/// (required parameters and one parameter of each one-of group). It runs as a doctest against
/// the in-process test server (the hidden lines), whose endpoint wins over the region.
fn crate_example(api: &Api, op: &Operation, doc: Docs) -> Docs {
    let krate = api.product.client_crate.ident();
    let params = &op.input.params;
    let mut chosen: Vec<usize> = (0..params.len()).filter(|&i| params[i].required).collect();
    for rule in &op.input.require_one_of {
        if !rule.params.iter().any(|id| chosen.contains(&id.0)) {
            if let Some(first) = rule.params.first() {
                chosen.push(first.0);
            }
        }
    }
    chosen.sort_unstable();
    let calls: String = chosen
        .iter()
        .map(|&i| format!(".{}({})", params[i].rust, example_value(&params[i])))
        .collect();
    let region = api
        .product
        .endpoints
        .iter()
        .map(|e| e.0.as_str())
        .find(|r| *r == "cn-shanghai")
        .or(api.product.endpoints.first().map(|e| e.0.as_str()))
        .unwrap_or("cn-shanghai");
    let (id, secret) = ("<access-key-id>", "<access-key-secret>");
    doc.example(
        "```",
        vec![
            format!("use {krate}::{{Client, Config, Credentials}};"),
            String::new(),
            "# #[tokio::main(flavor = \"current_thread\")]".into(),
            "# async fn main() -> Result<(), Box<dyn std::error::Error>> {".into(),
            "# let server = acs_test_server::TestServer::start(acs_test_server::ServerConfig::new()".into(),
            format!("#     .with_credential({id:?}, {secret:?})"),
            "#     .with_default(acs_test_server::Step::ok(serde_json::json!({\"RequestId\": \"1\"})))).await?;".into(),
            "let config = Config::builder()".into(),
            format!("    .region({region:?})"),
            "#   .endpoint(server.endpoint())".into(),
            format!("    .credentials(Credentials::new({id:?}, {secret:?}))"),
            "    .build()?;".into(),
            "let client = Client::new(config);".into(),
            format!("let out = client.{}(){calls}.send().await?;", op.names.module),
            "println!(\"{out:?}\");".into(),
            "# Ok(())".into(),
            "# }".into(),
        ],
    )
}

/// An example argument for a builder setter in doc examples.
fn example_value(p: &Param) -> String {
    let example = p.example.clone().unwrap_or_default();
    match &p.ty {
        Type::I32 | Type::I64 if example.parse::<i64>().is_ok() => example,
        Type::I32 | Type::I64 => "1".into(),
        Type::F64 if example.parse::<f64>().is_ok() => example,
        Type::F64 => "1.0".into(),
        Type::Bool => "true".into(),
        Type::String => format!(
            "{:?}",
            if example.is_empty() {
                "example"
            } else {
                example.as_str()
            }
        ),
        _ => "Default::default()".into(),
    }
}

fn operation_index(api: &Api) -> TokenStream {
    let modules = api.operations.iter().map(|op| {
        let m = ident(&op.names.module);
        let docs = Docs::line(format!("The `{}` action.", op.name)).rustdoc();
        quote! { #docs pub mod #m; }
    });
    quote! {
        //! One module per action: its client method, fluent builder and waiters.
        #(#modules)*
    }
}

fn operation_module(api: &Api, op: &Operation) -> TokenStream {
    let module = ident(&op.names.module);
    let input = ident(&op.names.input);
    let output = ident(&op.structure(op.output).name);
    let fluent = ident(&op.names.fluent);
    let method = ident(&op.names.module);
    let mut imports = vec![quote!(Client), quote!(Error)];
    let mut models = vec![input.clone(), output.clone()];
    let mut extra_uses = Vec::new();
    // The types parameters name: the action's enums, and JSON values.
    let mut enums = Vec::new();
    let mut any = false;
    for p in &op.input.params {
        let mut ty = &p.ty;
        while let Type::List(inner) = ty {
            ty = inner;
        }
        match ty {
            Type::Enum(id) if !enums.contains(id) => enums.push(*id),
            Type::Any => any = true,
            _ => {}
        }
    }
    models.extend(enums.iter().map(|id| ident(&op.enumeration(*id).name)));
    if any {
        extra_uses.push(quote! { use crate::models::serde_json; });
    }
    let wait_target = op.wait.as_ref().map(|w| &api.operations[w.operation]);
    if !op.waiters.is_empty() || op.wait.is_some() {
        imports.extend([quote!(Waited), quote!(WaiterConfig)]);
    }
    if let Some(target) = wait_target.filter(|t| t.name != op.name) {
        let m = ident(&target.names.module);
        let (ti, to) = (
            ident(&target.names.input),
            ident(&target.structure(target.output).name),
        );
        extra_uses.push(quote! { use crate::models::#m::{#ti, #to}; });
    }
    if !op.waiters.is_empty() || op.wait.is_some() {
        extra_uses.push(quote! { use std::time::Duration; });
    }
    if op.paginator.is_some() {
        extra_uses.push(quote! { use acs_runtime::stream::Stream; });
    }
    let method_doc =
        Docs::described(op.summary_or_title(), &format!("Calls `{}`.", op.name)).rustdoc();
    let waiters = op.waiters.iter().map(|w| waiter_methods(op, w));
    let fluent_doc = Docs::line(format!(
        "Fluent builder of [`Client::{}`] (action `{}`): set the parameters, then [`send`](Self::send).",
        op.names.module, op.name
    ))
    .rustdoc();
    let setters = op.input.params.iter().map(|p| {
        let f = ident(&p.rust);
        let set = ident(&p.set);
        let ty = super::rust_type(op, &p.ty);
        let doc = Docs::line(format!("Sets [`{}::{}`].", op.names.input, p.rust)).rustdoc();
        let set_doc = Docs::line(format!(
            "Sets or clears [`{}::{}`].",
            op.names.input, p.rust
        ))
        .rustdoc();
        let (arg, value) = match p.ty {
            Type::String => (quote!(impl Into<String>), quote!(value.into())),
            _ => (ty.clone(), quote!(value)),
        };
        quote! {
            #doc
            pub fn #f(self, value: #arg) -> Self {
                self.#set(Some(#value))
            }

            #set_doc
            pub fn #set(mut self, value: Option<#ty>) -> Self {
                self.input = self.input.#set(value);
                self
            }
        }
    });
    let send_doc = send_doc(api, op).rustdoc();
    let paginator = op.paginator.as_ref().map(|p| {
        let all = Docs::line(format!(
            "All pages, as a stream of responses: starts at the page set on the builder (or 1) and stops when `{}` is empty, the total count is reached, or a page is short.",
            p.items_wire
        )).rustdoc();
        let merged = Docs::line(format!(
            "Fetches every page and returns the first page's response with the `{}` of all pages.",
            p.items_wire
        ))
        .rustdoc();
        quote! {
            #all
            pub fn into_paginator(self) -> impl Stream<Item = Result<#output, Error>> {
                self.client.inner.paginate(self.input)
            }

            #merged
            pub async fn send_all_pages(self) -> Result<#output, Error> {
                self.client.inner.send_all_pages(self.input).await
            }
        }
    });
    let wait = op.wait.as_ref().map(|w| send_and_wait(api, op, w));
    let module_doc = Docs::line(format!(
        "The `{}` action: [`Client::{}`](crate::Client::{}) and its fluent builder.",
        op.name, op.names.module, op.names.module
    ))
    .inner_rustdoc();
    quote! {
        #module_doc
        use crate::models::#module::{#(#models),*};
        use crate::{#(#imports),*};
        #(#extra_uses)*

        impl Client {
            #method_doc
            pub fn #method(&self) -> #fluent {
                #fluent { client: self.clone(), input: #input::default() }
            }

            #(#waiters)*
        }

        #fluent_doc
        #[derive(Debug, Clone)]
        #[must_use = "a fluent builder does nothing until `send` is awaited"]
        pub struct #fluent {
            client: Client,
            input: #input,
        }

        impl #fluent {
            #(#setters)*

            /// The request so far.
            pub fn as_input(&self) -> &#input {
                &self.input
            }

            #send_doc
            pub async fn send(self) -> Result<#output, Error> {
                self.client.inner.send(&self.input.build()?).await
            }

            #paginator
            #wait
        }
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

fn waiter_methods(op: &Operation, w: &Waiter) -> TokenStream {
    let input = ident(&op.names.input);
    let output = ident(&op.structure(op.output).name);
    let wait = ident(&w.method);
    let wait_with = ident(&w.method_with);
    let (min, max, max_wait) = (w.min_delay_seconds, w.max_delay_seconds, w.max_wait_seconds);
    let mut docs = Docs::described(&w.doc, &format!("Polls `{}` until a final state.", op.name))
        .paragraph(format!(
        "Polls `{}` with backoff ({min} s to {max} s between polls, at most {max_wait} s in all):",
        op.name
    ));
    for a in &w.acceptors {
        let state = match a.state {
            AcceptorState::Success => "final, success",
            AcceptorState::Failure => "final, failure",
            AcceptorState::Retry => "keep polling",
        };
        docs = docs.then(format!(
            "- `{}` == `{}`: {state}",
            a.wire_path,
            literal_text(&a.equals)
        ));
    }
    let docs = docs
        .paragraph("Returns the final response with whether it is a success; [`Error::WaiterTimeout`] when")
        .then("the time runs out. Transient errors while polling are retried.")
        .rustdoc();
    let with_doc = Docs::line(format!(
        "Same as [`{0}`](Self::{0}), with your own delays and time limit.",
        w.method
    ))
    .rustdoc();
    let checks = w.acceptors.iter().map(|a| {
        let chain = ref_chain(quote!(out), &a.path);
        let cmp = compare(op, &a.ty, &a.equals);
        let state = match a.state {
            AcceptorState::Success => quote!(Some(true)),
            AcceptorState::Failure => quote!(Some(false)),
            AcceptorState::Retry => quote!(None),
        };
        quote! {
            if #chain.is_some_and(|v| #cmp) {
                return #state;
            }
        }
    });
    let config = waiter_config(w);
    quote! {
        #docs
        pub async fn #wait(&self, input: #input) -> Result<Waited<#output>, Error> {
            self.#wait_with(input, #config).await
        }

        #with_doc
        pub async fn #wait_with(&self, input: #input, config: WaiterConfig) -> Result<Waited<#output>, Error> {
            self.inner
                .wait(&input, &config, |out| {
                    #(#checks)*
                    None
                })
                .await
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

fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Int(i) => i.to_string(),
        Literal::Str(s) => s.clone(),
        Literal::Bool(b) => b.to_string(),
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

/// `send_and_wait` of an action that starts a process another action's waiter watches.
fn send_and_wait(api: &Api, op: &Operation, w: &WaitFor) -> TokenStream {
    let target = &api.operations[w.operation];
    let waiter = &target.waiters[w.waiter];
    let output = ident(&op.structure(op.output).name);
    let target_input = ident(&target.names.input);
    let target_output = ident(&target.structure(target.output).name);
    let wait_with = ident(&waiter.method_with);
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
    let doc = Docs::line(format!(
        "Sends the request, then waits with `{}`'s `{}` waiter ({} s to {} s between polls, at most {} s) until the process it started is final. Returns this action's response and the waiter's final `{}` response.",
        target.name, waiter.name, waiter.min_delay_seconds, waiter.max_delay_seconds, waiter.max_wait_seconds, target.name
    ))
    .rustdoc();
    let with_doc = Docs::line(
        "Same as [`send_and_wait`](Self::send_and_wait), with your own waiter delays and time limit.",
    )
    .rustdoc();
    let config = waiter_config(waiter);
    let cannot = format!("cannot wait: {{e}} (from the {} response)", op.name);
    quote! {
        #doc
        pub async fn send_and_wait(self) -> Result<(#output, Waited<#target_output>), Error> {
            self.send_and_wait_with(#config).await
        }

        #with_doc
        pub async fn send_and_wait_with(self, config: WaiterConfig) -> Result<(#output, Waited<#target_output>), Error> {
            let input = self.input.build()?;
            let output = self.client.inner.send(&input).await?;
            let wait_input = #target_input::builder()
                #(#sets)*
                .build()
                .map_err(|e| Error::validation(e.parameter(), format!(#cannot)))?;
            let waited = self.client.#wait_with(wait_input, config).await?;
            Ok((output, waited))
        }
    }
}
