//! The client crate: a `Client` with one fluent builder per action, the product's
//! `Service` description for the shared runtime (endpoints, error codes), and waiters.

use super::{doc_attrs, doc_lines, ident, rust_file, text_file, GeneratedFile};
use crate::emit::models::rust_type;
use crate::model::{AcceptorState, Api, EnumRepr, Literal, Operation, Param, Type, Waiter};
use crate::names::pascal_case;
use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

/// All files of the client crate.
pub fn generate(api: &Api) -> Result<Vec<GeneratedFile>, String> {
    let krate = &api.product.client_crate;
    let mut files = vec![
        cargo_toml(api),
        rust_file(format!("{}/src/lib.rs", krate.path), lib_rs(api))?,
    ];
    for op in &api.operations {
        files.push(rust_file(
            format!("{}/src/operation/{}.rs", krate.path, op.snake),
            operation_module(api, op),
        )?);
    }
    files.push(rust_file(
        format!("{}/src/operation/mod.rs", krate.path),
        operation_index(api),
    )?);
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
futures-util = {{ workspace = true }}
{models} = {{ path = "{models_path}", version = "0.1.0" }}

[dev-dependencies]
tokio = {{ workspace = true }}
"#,
        name = krate.name,
        product = api.product.code,
        version = api.product.version,
        models = models.name,
    );
    text_file(format!("{}/Cargo.toml", krate.path), body)
}

/// `GetDeployment` -> `GetDeploymentFluentBuilder`.
fn fluent_name(op: &Operation) -> String {
    format!("{}FluentBuilder", op.name)
}

/// The product's marker type, such as `DataworksPublic`.
pub fn service_type_name(api: &Api) -> String {
    pascal_case(&api.product.code)
}

fn lib_rs(api: &Api) -> TokenStream {
    let product = &api.product;
    let models = ident(&product.models_crate.ident());
    let client_crate = product.client_crate.ident();
    let service = ident(&service_type_name(api));
    let code = &product.code;
    let version = &product.version;
    let fallback = &product.fallback_endpoint;
    let client_name = &product.client_crate.name;
    let regions = product.endpoints.iter().map(|(r, h)| quote! { (#r, #h) });
    let errors = product.errors.iter().map(|e| {
        let code = &e.code;
        let status = e.http_status.unwrap_or(0);
        let retryable = e.retryable.unwrap_or(false);
        quote! { acs_runtime::ErrorCodeInfo { code: #code, http_status: #status, retryable: #retryable } }
    });
    let title = product.title.short().unwrap_or(code).to_string();
    let mut doc = vec![
        format!(" Client of **{title}** (`{code}`, API version `{version}`), generated from the spec by"),
        " `cargo xtask codegen`.".to_string(),
        String::new(),
        " One [`Client`] per application (it is cheap to clone and shares one connection pool);".to_string(),
        " one method per action returning a fluent builder; `send().await` signs (V3".to_string(),
        " ACS3-HMAC-SHA256 by default, RPC v1 on request), retries throttling, 5xx and network errors".to_string(),
        " with backoff, and decodes JSON or XML into the [`models`].".to_string(),
    ];
    if let Some(op) = api.operations.first() {
        let example_calls: Vec<String> = op
            .input
            .params
            .iter()
            .filter(|p| {
                p.required
                    || op
                        .input
                        .require_one_of
                        .first()
                        .and_then(|r| r.params.first())
                        == Some(&p.rust)
            })
            .map(|p| format!(".{}({})", p.rust, example_value(p)))
            .collect();
        doc.extend([
            String::new(),
            " ```no_run".to_string(),
            format!(" use {client_crate}::{{Client, Config, Credentials, CredentialsExt}};"),
            String::new(),
            format!(" # async fn run() -> Result<(), {client_crate}::Error> {{"),
            " let config = Config::builder()".to_string(),
            format!(
                "     .region(\"{}\")",
                product
                    .endpoints
                    .first()
                    .map(|e| e.0.as_str())
                    .unwrap_or("cn-shanghai")
            ),
            "     .credentials(Credentials::from_env()?)".to_string(),
            "     .build()?;".to_string(),
            " let client = Client::new(config);".to_string(),
            format!(
                " let out = client.{}(){}.send().await?;",
                op.snake,
                example_calls.join("")
            ),
            " println!(\"{out:?}\");".to_string(),
            " # Ok(())".to_string(),
            " # }".to_string(),
            " ```".to_string(),
        ]);
    }
    let methods = api.operations.iter().map(|op| {
        let m = ident(&op.snake);
        let fluent = ident(&fluent_name(op));
        let module = ident(&op.snake);
        let mut docs = doc_attrs(op.summary_or_title(), &format!("Calls `{}`.", op.name));
        docs.extend(doc_lines(&[
            String::new(),
            format!(
                "Action `{}`; set the parameters on the returned builder, then `send().await`.",
                op.name
            ),
        ]));
        quote! {
            #docs
            pub fn #m(&self) -> operation::#module::#fluent {
                operation::#module::#fluent::new(self.clone())
            }
        }
    });
    let waiters = api
        .operations
        .iter()
        .flat_map(|op| op.waiters.iter().map(move |w| waiter_methods(api, op, w)));
    quote! {
        #( #![doc = #doc] )*
        #![forbid(unsafe_code)]

        pub mod operation;

        pub use #models as models;
        pub use acs_runtime::{
            Config as RuntimeConfig, ConfigError, Credentials, CredentialsError, CredentialsExt, CredentialsProvider,
            DefaultChain, Error, ErrorOrigin, ResponseFormat, ServiceError, SignatureVersion, TransportKind, WaiterConfig,
        };

        /// The product, for the shared runtime: API version, endpoints and error codes.
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
        }

        /// Client configuration: region or endpoint, credentials, signature version, response
        /// format, timeouts and retries. Start with `Config::builder()`.
        pub type Config = acs_runtime::Config<#service>;

        /// Builder of [`Config`].
        pub type ConfigBuilder = acs_runtime::ConfigBuilder<#service>;

        /// How a waiter ended: the last response, and whether it matched a success or a
        /// failure state of the spec (both are final).
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct Waited<T> {
            /// The final response.
            pub output: T,
            /// Whether the final state is the desired one.
            pub succeeded: bool,
        }

        /// The client. Cheap to clone (clones share the connection pool); `Send + Sync`.
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: acs_runtime::Client<#service>,
        }

        impl Client {
            /// A client with the given configuration.
            pub fn new(config: Config) -> Self {
                Client { inner: acs_runtime::Client::new(config) }
            }

            /// A client configured from the environment: region from `ALIBABA_CLOUD_REGION_ID`,
            /// credentials from the default chain.
            pub fn from_env() -> Result<Self, ConfigError> {
                Ok(Self::new(Config::builder().build()?))
            }

            /// The configuration.
            pub fn config(&self) -> &Config {
                self.inner.config()
            }

            /// The shared runtime client, for calls the generated API does not cover.
            pub fn runtime(&self) -> &acs_runtime::Client<#service> {
                &self.inner
            }

            #(#methods)*
            #(#waiters)*
        }
    }
}

impl Operation {
    fn summary_or_title(&self) -> &crate::model::Doc {
        if self.summary.is_empty() {
            &self.title
        } else {
            &self.summary
        }
    }
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
        let m = ident(&op.snake);
        let docs = doc_lines(&[format!("The `{}` action.", op.name)]);
        quote! { #docs pub mod #m; }
    });
    quote! {
        //! One module per action: its fluent builder.
        #(#modules)*
    }
}

fn operation_module(api: &Api, op: &Operation) -> TokenStream {
    let models = ident(&api.product.models_crate.ident());
    let module = ident(&op.snake);
    let input = ident(&op.input.name);
    let input_builder = ident(&format!("{}Builder", op.input.name));
    let output = ident(&op.output);
    let fluent = ident(&fluent_name(op));
    let action = &op.name;
    // Enums and structs that parameter types may name.
    let value_types: Vec<proc_macro2::Ident> = op
        .enums
        .iter()
        .map(|e| ident(&e.name))
        .chain(
            op.structs
                .iter()
                .filter(|s| s.name != op.output)
                .map(|s| ident(&s.name)),
        )
        .collect();
    let setters = op.input.params.iter().map(|p| {
        let f = ident(&p.rust);
        let set = ident(&format!("set_{}", p.rust));
        let ty = match &p.ty {
            Type::String => quote!(impl Into<String>),
            other => {
                let t = rust_type(other);
                quote!(#t)
            }
        };
        let opt_ty = match &p.ty {
            Type::String => quote!(Option<String>),
            other => {
                let t = rust_type(other);
                quote!(Option<#t>)
            }
        };
        let mut docs = doc_attrs(&p.doc, &format!("Sets `{}`.", p.wire));
        docs.extend(doc_lines(&[
            String::new(),
            format!(
                "Wire name: `{}`{}.",
                p.wire,
                if p.required { " (required)" } else { "" }
            ),
        ]));
        let set_doc = format!(" Sets or clears `{}`.", p.wire);
        quote! {
            #docs
            pub fn #f(mut self, value: #ty) -> Self {
                self.input = self.input.#f(value);
                self
            }
            #[doc = #set_doc]
            pub fn #set(mut self, value: #opt_ty) -> Self {
                self.input = self.input.#set(value);
                self
            }
        }
    });
    let set_method = (op.method != "POST").then(|| {
        let m = &op.method;
        quote! { request.set_method(#m); }
    });
    let env = &op.envelope;
    let opt_str = |f: &Option<String>| match f {
        Some(name) => {
            let n = ident(name);
            quote!(out.#n.as_deref())
        }
        None => quote!(None),
    };
    let success = match &env.success {
        Some((name, Type::Bool)) => {
            let n = ident(name);
            quote!(out.#n)
        }
        Some((name, _)) => {
            let n = ident(name);
            quote!(out.#n.as_deref().map(|v| v.trim().eq_ignore_ascii_case("true")))
        }
        None => quote!(None),
    };
    let code = opt_str(&env.error_code);
    let message = opt_str(&env.error_message);
    let request_id = opt_str(&env.request_id);
    let http_status = match &env.http_status_code {
        Some((name, Type::I32)) => {
            let n = ident(name);
            quote!(out.#n)
        }
        Some((name, Type::String)) => {
            let n = ident(name);
            quote!(out.#n.as_deref().and_then(|v| v.trim().parse().ok()))
        }
        Some((name, _)) => {
            let n = ident(name);
            quote!(out.#n.and_then(|v| i32::try_from(v).ok()))
        }
        None => quote!(None),
    };
    let mut docs = doc_lines(&[format!(
        "Fluent builder of the `{}` action; finish with [`send`](Self::send).",
        op.name
    )]);
    if !op.summary_or_title().is_empty() {
        docs.extend(doc_lines(&[String::new()]));
        docs.extend(doc_attrs(op.summary_or_title(), ""));
    }
    let error_lines: Vec<String> = if op.errors.is_empty() {
        Vec::new()
    } else {
        let mut lines = vec![String::new(), "# Errors".to_string(), String::new(), "Besides validation, transport and decoding errors, the spec lists these service errors:".to_string()];
        for e in &op.errors {
            lines.push(format!(
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
        lines
    };
    let send_doc = {
        let mut lines = vec![
            "Validates the request against the spec's rules (no I/O on failure), sends it with"
                .to_string(),
            "retries, and decodes the response. A 2xx body with `Success: false` is an error."
                .to_string(),
        ];
        lines.extend(error_lines);
        doc_lines(&lines)
    };
    let paginator_methods = op
        .paginator
        .as_ref()
        .map(|p| paginator_tokens(op, p))
        .unwrap_or_default();
    let wait_methods = op
        .wait
        .as_ref()
        .map(|w| wait_tokens(api, op, w))
        .unwrap_or_default();
    quote! {
        //! The fluent builder of the action.
        use crate::Client;
        use #models::#module::{#input, #input_builder, #output};
        #[allow(unused_imports)]
        use #models::#module::{#(#value_types),*};
        #[allow(unused_imports)]
        use #models::serde_json;
        use #models::ParamLocation;

        #docs
        #[derive(Debug, Clone)]
        #[must_use = "a fluent builder does nothing until `send` is awaited"]
        pub struct #fluent {
            client: Client,
            input: #input_builder,
        }

        impl #fluent {
            pub(crate) fn new(client: Client) -> Self {
                Self { client, input: #input::builder() }
            }

            #(#setters)*

            /// The request so far.
            pub fn as_input(&self) -> &#input {
                self.input.as_input()
            }

            #send_doc
            pub async fn send(self) -> Result<#output, acs_runtime::Error> {
                let input = self.input.build().map_err(|e| acs_runtime::Error::validation(e.parameter(), e.to_string()))?;
                send(&self.client, &input).await
            }

            #paginator_methods
            #wait_methods
        }

        /// Sends a validated request.
        pub(crate) async fn send(client: &Client, input: &#input) -> Result<#output, acs_runtime::Error> {
            let mut request = acs_runtime::OperationRequest::new(#action);
            #set_method
            for param in input.to_params() {
                match param.location {
                    ParamLocation::Query => request.query(param.name, param.value),
                    ParamLocation::Body => request.form(param.name, param.value),
                };
            }
            client
                .runtime()
                .invoke(request, |out: &#output| acs_runtime::BusinessStatus {
                    success: #success,
                    code: #code,
                    message: #message,
                    http_status: #http_status,
                    request_id: #request_id,
                })
                .await
        }
    }
}

fn waiter_methods(api: &Api, op: &Operation, w: &Waiter) -> TokenStream {
    let models = ident(&api.product.models_crate.ident());
    let module = ident(&op.snake);
    let input_name = ident(&op.input.name);
    let output_name = ident(&op.output);
    let models_input = quote!(#models::#module::#input_name);
    let models_output = quote!(#models::#module::#output_name);
    let wait = ident(&format!("wait_until_{}", w.snake));
    let wait_with = ident(&format!("wait_until_{}_with", w.snake));
    let classify = ident(&format!("classify_{}", w.snake));
    let min = w.min_delay_seconds;
    let max = w.max_delay_seconds;
    let max_wait = w.max_wait_seconds;
    let mut docs = doc_attrs(&w.doc, &format!("Polls `{}` until a final state.", op.name));
    let mut lines = vec![String::new(), format!("Polls `{}` with backoff ({min} s to {max} s between polls, at most {max_wait} s in all):", op.name)];
    for a in &w.acceptors {
        let state = match a.state {
            AcceptorState::Success => "final, success",
            AcceptorState::Failure => "final, failure",
            AcceptorState::Retry => "keep polling",
        };
        lines.push(format!(
            "- `{}` == `{}`: {state}",
            a.wire_path,
            literal_text(&a.equals)
        ));
    }
    lines.push(
        "Returns the final response with whether it is a success; [`Error::WaiterTimeout`] when"
            .into(),
    );
    lines.push("the time runs out. Transient errors while polling are retried.".into());
    docs.extend(doc_lines(&lines));
    let with_doc =
        format!(" Same as [`{wait}`](Self::{wait}), with your own delays and time limit.");
    let checks = w.acceptors.iter().map(|a| {
        let mut chain = quote!(Some(out));
        for step in &a.path {
            let s = ident(step);
            chain = quote!(#chain.and_then(|v| v.#s.as_ref()));
        }
        let cmp = compare(&a.ty, &a.equals, op);
        let state = match a.state {
            AcceptorState::Success => quote!(Some(true)),
            AcceptorState::Failure => quote!(Some(false)),
            AcceptorState::Retry => quote!(None),
        };
        let retry = a.state == AcceptorState::Retry;
        if retry {
            quote! {
                if #chain.is_some_and(|v| #cmp) {
                    return None;
                }
            }
        } else {
            quote! {
                if #chain.is_some_and(|v| #cmp) {
                    return #state;
                }
            }
        }
    });
    quote! {
        #docs
        pub async fn #wait(&self, input: #models_input) -> Result<Waited<#models_output>, Error> {
            let config = WaiterConfig::new(
                std::time::Duration::from_secs(#min),
                std::time::Duration::from_secs(#max),
                std::time::Duration::from_secs(#max_wait),
            );
            self.#wait_with(input, config).await
        }

        #[doc = #with_doc]
        pub async fn #wait_with(&self, input: #models_input, config: WaiterConfig) -> Result<Waited<#models_output>, Error> {
            input.validate().map_err(|e| Error::validation(e.parameter(), e.to_string()))?;
            /// `Some(true)` success, `Some(false)` failure, `None` not final yet.
            fn #classify(out: &#models_output) -> Option<bool> {
                #(#checks)*
                None
            }
            let output = acs_runtime::wait_until(
                &config,
                || operation::#module::send(self, &input),
                |out| match #classify(out) {
                    Some(_) => acs_runtime::WaitState::Success,
                    None => acs_runtime::WaitState::Retry,
                },
            )
            .await?;
            let succeeded = #classify(&output) == Some(true);
            Ok(Waited { output, succeeded })
        }
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
fn compare(ty: &Type, equals: &Literal, op: &Operation) -> TokenStream {
    match (ty, equals) {
        (Type::Enum(name), Literal::Int(i)) => {
            let repr = op.enums.iter().find(|e| &e.name == name).map(|e| e.repr);
            let lit = match repr {
                Some(EnumRepr::I32) => Lit::i32_unsuffixed(*i as i32),
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

/// `.a.as_ref().and_then(|v| v.b.as_ref())` from `root` along `path` (each field an `Option`).
fn ref_chain(root: TokenStream, path: &[String]) -> TokenStream {
    let mut chain = TokenStream::new();
    for (i, step) in path.iter().enumerate() {
        let s = ident(step);
        chain = if i == 0 {
            quote!(#root.#s.as_ref())
        } else {
            quote!(#chain.and_then(|v| v.#s.as_ref()))
        };
    }
    chain
}

fn paginator_tokens(op: &Operation, p: &crate::model::Paginator) -> TokenStream {
    let output = ident(&op.output);
    let input = ident(&op.input.name);
    let page_field = ident(&p.page_number.0);
    let set_page = ident(&format!("set_{}", p.page_number.0));
    let page_size_field = ident(&p.page_size.0);
    let page_value = match p.page_number.1 {
        Type::I32 => quote!(i32::try_from(page).unwrap_or(i32::MAX)),
        _ => quote!(page),
    };
    let start = match p.page_number.1 {
        Type::I32 => quote!(input.as_input().#page_field.map(i64::from).unwrap_or(1)),
        _ => quote!(input.as_input().#page_field.unwrap_or(1)),
    };
    let asked_size = match p.page_size.1 {
        Type::I32 => quote!(.map(i64::from)),
        _ => TokenStream::new(),
    };
    let items_ref = ref_chain(quote!(out), &p.items);
    let total = match &p.total_count {
        Some((path, ty)) => {
            let chain = ref_chain(quote!(out), path);
            match ty {
                Type::I32 => quote!(#chain.map(|v| i64::from(*v))),
                _ => quote!(#chain.copied()),
            }
        }
        None => quote!(None),
    };
    // Owned items of a page, and the merged response's list, created on demand.
    let take = {
        let mut chain = quote!(page);
        for (i, step) in p.items.iter().enumerate() {
            let s = ident(step);
            chain = if i == 0 {
                quote!(#chain.#s)
            } else {
                quote!(#chain.and_then(|v| v.#s))
            };
        }
        chain
    };
    let mut merged_list = quote!(merged);
    for (i, step) in p.items.iter().enumerate() {
        let s = ident(step);
        merged_list = if i + 1 == p.items.len() {
            quote!(#merged_list.#s.get_or_insert_with(Vec::new))
        } else {
            quote!(#merged_list.#s.get_or_insert_with(Default::default))
        };
    }
    let doc = format!(
        " All pages, as a stream of responses: starts at the page set on the builder (or 1) and stops when `{}` is empty, the total count is reached, or a page is short.",
        p.items_wire
    );
    let all_doc = format!(
        " Fetches every page and returns the first page's response with the `{}` of all pages.",
        p.items_wire
    );
    quote! {
        #[doc = #doc]
        pub fn into_paginator(self) -> impl acs_runtime::stream::Stream<Item = Result<#output, acs_runtime::Error>> {
            let client = self.client;
            let input = self.input;
            let start = #start;
            let asked_size = input.as_input().#page_size_field #asked_size;
            acs_runtime::paginate::paginate(
                start,
                move |page| {
                    let client = client.clone();
                    let built: Result<#input, _> = input.clone().#set_page(Some(#page_value)).build();
                    async move {
                        let input = built.map_err(|e| acs_runtime::Error::validation(e.parameter(), e.to_string()))?;
                        send(&client, &input).await
                    }
                },
                move |out: &#output| acs_runtime::paginate::PageInfo {
                    page_number: None,
                    page_size: asked_size,
                    total_count: #total,
                    items: #items_ref.map_or(0, Vec::len),
                },
            )
        }

        #[doc = #all_doc]
        pub async fn send_all_pages(self) -> Result<#output, acs_runtime::Error> {
            use acs_runtime::stream::StreamExt;
            let pages = self.into_paginator();
            futures_util::pin_mut!(pages);
            let mut merged: Option<#output> = None;
            while let Some(page) = pages.next().await {
                let page = page?;
                match merged.as_mut() {
                    None => merged = Some(page),
                    Some(merged) => {
                        let items = #take.unwrap_or_default();
                        #merged_list.extend(items);
                    }
                }
            }
            Ok(merged.unwrap_or_default())
        }
    }
}

fn wait_tokens(api: &Api, op: &Operation, w: &crate::model::WaitFor) -> TokenStream {
    let models = ident(&api.product.models_crate.ident());
    let output = ident(&op.output);
    let Some(target) = api.operations.iter().find(|o| o.name == w.action) else {
        return TokenStream::new();
    };
    let Some(waiter) = target.waiters.iter().find(|x| x.name == w.waiter) else {
        return TokenStream::new();
    };
    let target_module = ident(&target.snake);
    let target_input = ident(&target.input.name);
    let target_output = ident(&target.output);
    let wait_with = ident(&format!("wait_until_{}_with", waiter.snake));
    let min = waiter.min_delay_seconds;
    let max = waiter.max_delay_seconds;
    let max_wait = waiter.max_wait_seconds;
    let copy = |ty: &Type| {
        matches!(ty, Type::Bool | Type::I32 | Type::I64 | Type::F64)
            || matches!(ty, Type::Enum(name) if target.enums.iter().chain(op.enums.iter()).any(|e| &e.name == name && e.repr != EnumRepr::String))
    };
    let sets = w.bindings.iter().map(|b| {
        let set = ident(&format!("set_{}", b.target));
        let value = match &b.source {
            crate::model::WaitSource::Input(name) => {
                let f = ident(name);
                if copy(&b.ty) {
                    quote!(input.#f)
                } else {
                    quote!(input.#f.clone())
                }
            }
            crate::model::WaitSource::Output(path) if path.len() == 1 => {
                let f = ident(&path[0]);
                if copy(&b.ty) {
                    quote!(output.#f)
                } else {
                    quote!(output.#f.clone())
                }
            }
            crate::model::WaitSource::Output(path) => {
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
    let doc = format!(
        " Sends the request, then waits with `{}`'s `{}` waiter ({min} s to {max} s between polls, at most {max_wait} s) until the process it started is final. Returns this action's response and the waiter's final `{}` response.",
        target.name, waiter.name, target.name
    );
    let with_doc = " Same as [`send_and_wait`](Self::send_and_wait), with your own waiter delays and time limit.";
    let action = &op.name;
    quote! {
        #[doc = #doc]
        pub async fn send_and_wait(self) -> Result<(#output, crate::Waited<#models::#target_module::#target_output>), acs_runtime::Error> {
            let config = acs_runtime::WaiterConfig::new(
                std::time::Duration::from_secs(#min),
                std::time::Duration::from_secs(#max),
                std::time::Duration::from_secs(#max_wait),
            );
            self.send_and_wait_with(config).await
        }

        #[doc = #with_doc]
        pub async fn send_and_wait_with(self, config: acs_runtime::WaiterConfig) -> Result<(#output, crate::Waited<#models::#target_module::#target_output>), acs_runtime::Error> {
            let client = self.client.clone();
            let input = self.input.build().map_err(|e| acs_runtime::Error::validation(e.parameter(), e.to_string()))?;
            let output = send(&client, &input).await?;
            let wait_input = #models::#target_module::#target_input::builder()
                #(#sets)*
                .build()
                .map_err(|e| acs_runtime::Error::validation(e.parameter(), format!("cannot wait: {e} (from the {} response)", #action)))?;
            let waited = client.#wait_with(wait_input, config).await?;
            Ok((output, waited))
        }
    }
}
