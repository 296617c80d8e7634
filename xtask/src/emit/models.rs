//! The models crate: per action, the request (with its builder, its `acs_model::Request`
//! impl and its serde `Deserialize` from wire names), the request's objects (typed, with
//! builders, written by `acs_model::ParamValue`), the response structs (each an
//! `acs_model::Object`) and the enums; one Cargo feature per API group. Everything that does
//! not depend on the spec comes from `acs-model`. A field the spec marks `sensitive` is
//! shown as `***` by its struct's `Debug`.

use super::checks;
use super::docs::{field_docs, Docs};
use super::{deprecated_attr, feature_cfg, ident, rust_file, rust_type, text_file, GeneratedFile};
use crate::model::{
    Api, Enum, EnumRepr, Field, Idempotency, Literal, Operation, Param, ParamLocation, ParamStyle,
    Role, Signing, Struct, Type,
};
use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

/// All files of the models crate.
pub fn generate(api: &Api) -> Result<Vec<GeneratedFile>, String> {
    let krate = &api.product.models_crate;
    let mut files = vec![
        cargo_toml(api),
        rust_file(format!("{}/src/lib.rs", krate.path), lib_rs(api))?,
    ];
    for op in &api.operations {
        files.push(rust_file(
            format!("{}/src/{}.rs", krate.path, op.names.module),
            operation_module(op),
        )?);
    }
    let title = api.product.title.short().unwrap_or(&api.product.code);
    files.extend(super::package_files(
        &krate.path,
        &krate.name,
        &format!(
            "Request and response models of **{title}** (`{}`, API version `{}`): per action the \
request (its own builder, with the spec's rules) and the response types, decoded from JSON or \
XML. Use them through the client crate `{}`.\n\n{}",
            api.product.code,
            api.product.version,
            api.product.client_crate.name,
            super::README_ORIGIN
        ),
    ));
    files.push(rust_file(
        api.product.actions_test_file(),
        super::tests::actions_test(api),
    )?);
    Ok(files)
}

fn cargo_toml(api: &Api) -> GeneratedFile {
    let krate = &api.product.models_crate;
    let package = super::package_section(
        api,
        &krate.name,
        &format!(
            "Request and response models of the Alibaba Cloud {} API {}, with JSON and XML decoding.",
            api.product.code, api.product.version
        ),
        &["alibaba-cloud", "aliyun", "sdk"],
        &["api-bindings", "encoding"],
    );
    let body = format!(
        r#"{package}
[dependencies]
acs-model = {{ workspace = true }}
serde = {{ workspace = true }}
serde_json = {{ workspace = true }}
{dev_dependencies}{features}"#,
        dev_dependencies = if api.product.actions_test_in_models_crate() {
            "\n[dev-dependencies]\nacs-model = { workspace = true, features = [\"testing\"] }\n"
        } else {
            ""
        },
        features = super::features_toml(api, |_| String::new()),
    );
    text_file(format!("{}/Cargo.toml", krate.path), body)
}

fn lib_rs(api: &Api) -> TokenStream {
    let product = &api.product;
    let title = product.title.short().unwrap_or(&product.code);
    let krate = product.models_crate.ident();
    let mut doc = Docs::line(format!(
        "Request and response models of **{title}** (`{}`, API version `{}`).",
        product.code, product.version
    ))
    .paragraph(
        "Generated from the YAML spec by `cargo xtask codegen`: one module per action with its",
    )
    .then("request (and its builder), its response types and its enums. Responses decode from JSON")
    .then(
        "([`from_json`]) and from XML ([`from_xml`]) to the same values; what every product shares",
    )
    .then("(decoding rules, parameters, errors) is in [`acs_model`].");
    doc = super::features_doc(api, doc);
    if let Some(op) = api
        .operations
        .iter()
        .find(|op| super::in_default_features(api, op))
    {
        let output = &op.structure(op.output).name;
        doc = doc.example(
            "```",
            vec![
                format!("use {krate}::{output};"),
                String::new(),
                format!("let json: {output} = {krate}::from_json(br#\"{{\"RequestId\": \"1\"}}\"#)?;"),
                format!("let xml: {output} = {krate}::from_xml(b\"<Response><RequestId>1</RequestId></Response>\")?;"),
                "assert_eq!(json, xml);".to_string(),
                format!("# Ok::<(), {krate}::DecodeError>(())"),
            ],
        );
    }
    let crate_doc = doc.inner_rustdoc();
    let modules = api.operations.iter().map(|op| {
        let m = ident(&op.names.module);
        let cfg = feature_cfg(api, op);
        let docs = Docs::line(format!("Types of the `{}` action.", op.name)).rustdoc();
        quote! { #docs #cfg pub mod #m; }
    });
    let reexports = api.operations.iter().map(|op| {
        let m = ident(&op.names.module);
        let input = ident(&op.names.input);
        let output = ident(&op.structure(op.output).name);
        let cfg = feature_cfg(api, op);
        let allow = op.deprecated.then(|| quote!(#[allow(deprecated)]));
        quote! { #cfg #allow pub use #m::{#input, #output}; }
    });
    let code = &product.code;
    let version = &product.version;
    quote! {
        #crate_doc
        #![forbid(unsafe_code)]

        #(#modules)*
        #(#reexports)*

        pub use acs_model::{
            from_json, from_xml, BuildError, DecodeError, Format, ParamLocation, Request, WireEnum,
            WireParam,
        };
        /// `serde_json`, for fields and parameters that hold any JSON value.
        pub use serde_json;

        /// Product code of the API these models belong to.
        pub const PRODUCT: &str = #code;
        /// API version of these models.
        pub const API_VERSION: &str = #version;
    }
}

fn operation_module(op: &Operation) -> TokenStream {
    let module_doc = match op.title.short() {
        Some(title) => Docs::line(format!("Types of the `{}` action: {title}", op.name)),
        None => Docs::line(format!("Types of the `{}` action.", op.name)),
    }
    .inner_rustdoc();
    let has_rules = checks::request_validate(op).is_some()
        || op
            .structs
            .iter()
            .any(|s| checks::struct_validate(op, s).is_some());
    let has_request_objects = op.structs.iter().any(|s| s.role == Role::Request);
    let mut imports = vec![
        quote!(FieldSource),
        quote!(Idempotency),
        quote!(Object),
        quote!(Request),
    ];
    if !op.input.params.is_empty() {
        imports.push(quote!(ParamWriter));
    }
    if has_request_objects {
        imports.extend([quote!(Encoder), quote!(ParamValue)]);
    }
    if has_rules {
        imports.extend([quote!(check), quote!(BuildError)]);
    }
    if checks::uses_paths(op) {
        imports.push(quote!(check::Path));
    }
    if has_envelope(op) {
        imports.push(quote!(BusinessStatus));
    }
    if op.paginator.is_some() {
        imports.push(quote!(Paginated));
    }
    if op.signing != Signing::Configured {
        imports.push(quote!(Signing));
    }
    let allow = op.deprecated.then(|| quote!(#![allow(deprecated)]));
    let request = request_tokens(op);
    let paginated = op.paginator.as_ref().map(|_| paginated_tokens(op));
    let structs = op.structs.iter().map(|s| match s.role {
        Role::Response => struct_tokens(op, s),
        Role::Request => request_struct_tokens(op, s),
    });
    let enums = op.enums.iter().map(enum_tokens);
    quote! {
        #module_doc
        #allow

        use acs_model::{#(#imports),*};

        #request
        #paginated
        #(#structs)*
        #(#enums)*
    }
}

fn param_docs(p: &Param) -> Docs {
    field_docs(&p.doc, &p.wire, p.required, p.example.as_deref())
}

fn has_envelope(op: &Operation) -> bool {
    let e = &op.envelope;
    e.success.is_some()
        || e.error_code.is_some()
        || e.error_message.is_some()
        || e.http_status_code.is_some()
        || e.request_id.is_some()
}

/// The rules the request must pass, as documentation lines.
fn rule_lines(op: &Operation) -> Vec<String> {
    let params = &op.input.params;
    let mut lines: Vec<String> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| format!("- `{}` is required.", p.wire))
        .collect();
    for rule in &op.input.require_one_of {
        let wires: Vec<String> = rule
            .params
            .iter()
            .map(|id| format!("`{}`", params[id.0].wire))
            .collect();
        lines.push(format!(
            "- At least one of {} is required.",
            wires.join(", ")
        ));
    }
    for p in params {
        let rules = checks::constraint_lines(&p.constraints);
        if !rules.is_empty() {
            lines.push(format!("- `{}`: {}.", p.wire, rules.join("; ")));
        }
    }
    lines
}

fn request_tokens(op: &Operation) -> TokenStream {
    let input = &op.names.input;
    let name = ident(input);
    let output = ident(&op.structure(op.output).name);
    let action = &op.name;
    let mut doc = Docs::line(format!("Request of `{action}`."));
    if let Some(summary) = op.summary_or_title().short() {
        doc = doc.paragraph(summary);
    }
    let signing = match op.signing {
        Signing::Configured => None,
        Signing::V1 => {
            Some("Always signed with RPC v1 (HMAC-SHA1), whatever the client's setting.")
        }
        Signing::V3 => {
            Some("Always signed with V3 (ACS3-HMAC-SHA256), whatever the client's setting.")
        }
        Signing::Anonymous => Some(
            "Sent unsigned and without credentials: the action authenticates by its parameters.",
        ),
    };
    if let Some(line) = signing {
        doc = doc.paragraph(line);
    }
    doc = doc.paragraph(match op.idempotency {
        Idempotency::Safe => "Idempotent: retried after every transient failure.".to_string(),
        Idempotency::Unsafe => "Not idempotent: retried only when it certainly was not carried out; a failure that leaves the outcome unknown is `Error::OutcomeUnknown`.".to_string(),
        Idempotency::ClientToken(id) => format!(
            "Idempotent by its client token `{}`: filled with a new UUID when not set, the same for every attempt.",
            op.input.params[id.0].wire
        ),
    });
    let rules = rule_lines(op);
    if !rules.is_empty() {
        doc = doc.paragraph(format!(
            "Rules, checked by [`build`]({input}::build) and before sending:"
        ));
        for line in rules {
            doc = doc.then(line);
        }
    }
    let doc = doc.rustdoc();
    let fields = op.input.params.iter().map(|p| {
        let f = ident(&p.rust);
        let ty = rust_type(op, &p.ty);
        let docs = param_docs(p).rustdoc();
        quote! { #docs pub #f: Option<#ty>, }
    });
    let method = (op.method != "POST").then(|| {
        let m = &op.method;
        quote! { const METHOD: &'static str = #m; }
    });
    let signing = match op.signing {
        Signing::Configured => None,
        Signing::V1 => Some(quote!(V1)),
        Signing::V3 => Some(quote!(V3)),
        Signing::Anonymous => Some(quote!(Anonymous)),
    }
    .map(|way| quote! { const SIGNING: Signing = Signing::#way; });
    let idempotency = match op.idempotency {
        Idempotency::Safe => quote!(Idempotency::Safe),
        Idempotency::Unsafe => quote!(Idempotency::Unsafe),
        Idempotency::ClientToken(id) => {
            let p = &op.input.params[id.0];
            let wire = &p.wire;
            let location = match p.location {
                ParamLocation::Query => quote!(Query),
                ParamLocation::Body => quote!(Form),
            };
            quote!(Idempotency::ClientToken { param: #wire, location: acs_model::ParamLocation::#location })
        }
    };
    let validate = checks::request_validate(op);
    let writes: Vec<TokenStream> = op.input.params.iter().map(write_param).collect();
    let write_params = (!writes.is_empty()).then(|| {
        quote! {
            fn write_params(&self, w: &mut ParamWriter<'_>) {
                #(#writes)*
            }
        }
    });
    let status = has_envelope(op).then(|| business_status(op));
    let setters = op.input.params.iter().map(|p| {
        let f = ident(&p.rust);
        let link = format!("[`{}`](field@{input}::{})", p.rust, p.rust);
        super::setter_pair(op, p, &link, quote!(self.#f = value;))
    });
    let deprecated = deprecated_attr(op);
    let object = object_impl(
        &name,
        op.input
            .params
            .iter()
            .map(|p| (p.wire.as_str(), p.rust.as_str(), &p.ty)),
        false,
    );
    let (debug, debug_impl) = debug_tokens(
        input,
        op.input
            .params
            .iter()
            .map(|p| (p.rust.as_str(), p.sensitive)),
    );
    quote! {
        #doc
        #deprecated
        #[derive(#debug Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #debug_impl

        acs_model::request_builder!(#name);

        impl #name {
            #(#setters)*
        }

        #object
        acs_model::deserialize_object!(#name);

        impl Request for #name {
            const ACTION: &'static str = #action;
            #method
            #signing
            const IDEMPOTENCY: Idempotency = #idempotency;
            type Response = #output;

            #validate
            #write_params
            #status
        }
    }
}

/// One parameter into the writer; its location and style were decided here.
fn write_param(p: &Param) -> TokenStream {
    let f = ident(&p.rust);
    let wire = &p.wire;
    let method = match (p.location, p.style == ParamStyle::Json) {
        (ParamLocation::Query, false) => quote!(query),
        (ParamLocation::Body, false) => quote!(form),
        (ParamLocation::Query, true) => quote!(query_json),
        (ParamLocation::Body, true) => quote!(form_json),
    };
    quote! { w.#method(#wire, &self.#f); }
}

fn business_status(op: &Operation) -> TokenStream {
    let output = ident(&op.structure(op.output).name);
    let e = &op.envelope;
    let text = |field: &Option<String>| {
        field.as_ref().map(|name| {
            let n = ident(name);
            quote!(out.#n.as_deref())
        })
    };
    let mut fields = Vec::new();
    if let Some((name, ty)) = &e.success {
        let n = ident(name);
        let value = match ty {
            Type::Bool => quote!(out.#n),
            _ => quote!(out.#n.as_deref().map(|v| v.trim().eq_ignore_ascii_case("true"))),
        };
        fields.push(quote!(success: #value));
    }
    if let Some(v) = text(&e.error_code) {
        fields.push(quote!(code: #v));
    }
    if let Some(v) = text(&e.error_message) {
        fields.push(quote!(message: #v));
    }
    if let Some((name, ty)) = &e.http_status_code {
        let n = ident(name);
        let value = match ty {
            Type::I32 => quote!(out.#n),
            Type::String => quote!(out.#n.as_deref().and_then(|v| v.trim().parse().ok())),
            _ => quote!(out.#n.and_then(|v| i32::try_from(v).ok())),
        };
        fields.push(quote!(http_status: #value));
    }
    if let Some(v) = text(&e.request_id) {
        fields.push(quote!(request_id: #v));
    }
    let rest = (fields.len() < 5).then(|| quote!(..BusinessStatus::default()));
    quote! {
        fn business_status(out: &#output) -> BusinessStatus<'_> {
            BusinessStatus { #(#fields,)* #rest }
        }
    }
}

/// Where the paging parameters and the items of a list action are.
fn paginated_tokens(op: &Operation) -> TokenStream {
    let Some(p) = &op.paginator else {
        return TokenStream::new();
    };
    let name = ident(&op.names.input);
    let output = ident(&op.structure(op.output).name);
    let item = rust_type(op, &p.item);
    let page = &op.input.params[p.page_number.0];
    let size = &op.input.params[p.page_size.0];
    let (page_field, size_field) = (ident(&page.rust), ident(&size.rust));
    let widen = |ty: &Type| match ty {
        Type::I32 => quote!(.map(i64::from)),
        _ => TokenStream::new(),
    };
    let (page_get, size_get) = (widen(&page.ty), widen(&size.ty));
    let page_set = match page.ty {
        Type::I32 => quote!(i32::try_from(page).unwrap_or(i32::MAX)),
        _ => quote!(page),
    };
    let total = p.total_count.as_ref().map(|(path, ty)| {
        let chain = ref_chain(quote!(out), path);
        let value = match ty {
            Type::I32 => quote!(#chain.map(|v| i64::from(*v))),
            _ => quote!(#chain.copied()),
        };
        quote! {
            fn total_count(out: &#output) -> Option<i64> {
                #value
            }
        }
    });
    let items = ref_chain(quote!(out), &p.items);
    let mut items_mut = quote!(out);
    for (i, step) in p.items.iter().enumerate() {
        let s = ident(step);
        items_mut = if i + 1 == p.items.len() {
            quote!(#items_mut.#s.get_or_insert_with(Vec::new))
        } else {
            quote!(#items_mut.#s.get_or_insert_with(Default::default))
        };
    }
    quote! {
        impl Paginated for #name {
            type Item = #item;

            fn page_number(&self) -> Option<i64> {
                self.#page_field #page_get
            }

            fn set_page_number(&mut self, page: i64) {
                self.#page_field = Some(#page_set);
            }

            fn page_size(&self) -> Option<i64> {
                self.#size_field #size_get
            }

            #total

            fn item_count(out: &#output) -> usize {
                #items.map_or(0, Vec::len)
            }

            fn items_mut(out: &mut #output) -> &mut Vec<#item> {
                #items_mut
            }
        }
    }
}

/// `root.a.as_ref().and_then(|v| v.b.as_ref())` along `path` (each field an `Option`).
pub fn ref_chain(root: TokenStream, path: &[String]) -> TokenStream {
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

fn struct_tokens(op: &Operation, s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let docs = Docs::described(&s.doc, &format!("The `{}` object.", s.name)).rustdoc();
    let fields = s.fields.iter().map(|f| {
        let r = ident(&f.rust);
        let ty = rust_type(op, &f.ty);
        let wire = &f.wire;
        let docs = field_doc(f).rustdoc();
        quote! {
            #docs
            #[serde(rename = #wire, skip_serializing_if = "Option::is_none")]
            pub #r: Option<#ty>,
        }
    });
    let object = object_impl(
        &name,
        s.fields
            .iter()
            .map(|f| (f.wire.as_str(), f.rust.as_str(), &f.ty)),
        true,
    );
    let (debug, debug_impl) = debug_tokens(
        &s.name,
        s.fields.iter().map(|f| (f.rust.as_str(), f.sensitive)),
    );
    quote! {
        #docs
        #[derive(#debug Clone, PartialEq, Default, serde::Serialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #debug_impl

        #object
    }
}

/// `acs_model::Object`: the wire name of each field to its slot, and the wire names in
/// declaration order (what printing through `Object` writes). Responses skip unknown
/// fields (the service may add some); request input rejects them (a misspelt parameter must
/// not vanish).
fn object_impl<'a>(
    name: &proc_macro2::Ident,
    fields: impl Iterator<Item = (&'a str, &'a str, &'a Type)>,
    response: bool,
) -> TokenStream {
    let fields: Vec<_> = fields.collect();
    let wires = fields.iter().map(|(wire, _, _)| wire);
    let arms = fields.iter().map(|(wire, rust, ty)| {
        let r = ident(rust);
        let read = match ty {
            Type::Struct(_) => quote!(object),
            Type::List(_) => quote!(list),
            Type::Map(_) => quote!(map),
            Type::Any => quote!(any),
            _ => quote!(scalar),
        };
        quote! { #wire => f.#read(&mut self.#r), }
    });
    let arms: Vec<TokenStream> = arms.collect();
    let (inline, other) = if response {
        (quote!(#[inline]), quote!(skip))
    } else {
        (TokenStream::new(), quote!(unknown))
    };
    // A type without fields has nothing to match.
    let body = if arms.is_empty() {
        quote! {
            let _ = name;
            f.#other()
        }
    } else {
        quote! {
            match name {
                #(#arms)*
                _ => f.#other(),
            }
        }
    };
    quote! {
        impl Object for #name {
            const FIELDS: &'static [&'static str] = &[#(#wires),*];
            #inline
            fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
                #body
            }
        }
    }
}

/// `Debug` of a struct of `Option` fields (`(rust name, sensitive)`): derived (the returned
/// `Debug,` goes into the derive list) unless a field is sensitive; then an impl that shows
/// those fields through `acs_model::redacted`.
fn debug_tokens<'a>(
    name: &str,
    fields: impl Iterator<Item = (&'a str, bool)> + Clone,
) -> (TokenStream, TokenStream) {
    if !fields.clone().any(|(_, sensitive)| sensitive) {
        return (quote!(Debug,), TokenStream::new());
    }
    let ty = ident(name);
    let entries = fields.map(|(rust, sensitive)| {
        let f = ident(rust);
        if sensitive {
            quote! { .field(#rust, &acs_model::redacted(&self.#f)) }
        } else {
            quote! { .field(#rust, &self.#f) }
        }
    });
    let debug_impl = quote! {
        impl std::fmt::Debug for #ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name) #(#entries)* .finish()
            }
        }
    };
    (TokenStream::new(), debug_impl)
}

/// The setters of a field: `name(value)` and `set_name(Option<value>)`.
fn setter(op: &Operation, owner: &str, rust: &str, set: &str, ty: &Type) -> TokenStream {
    let f = ident(rust);
    let link = format!("[`{rust}`](field@{owner}::{rust})");
    super::field_setter_pair(op, (rust, set, ty), &link, quote!(self.#f = value;))
}

/// An object of a request (a list item or an object parameter): typed fields with setters
/// (`Item::builder().name("a")`), written by `ParamValue` (flat or JSON), read by `Object`
/// (the request's `Deserialize`), and its own rules (`check::Validate`).
fn request_struct_tokens(op: &Operation, s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let owner = &s.name;
    let docs = Docs::described(&s.doc, &format!("The `{}` object of the request.", s.name))
        .paragraph(format!(
            "Build it with [`{owner}::builder`] and the setters; the request checks its rules."
        ))
        .rustdoc();
    let fields = s.fields.iter().map(|f| {
        let r = ident(&f.rust);
        let ty = rust_type(op, &f.ty);
        let docs = field_docs(&f.doc, &f.wire, f.required, f.example.as_deref()).rustdoc();
        quote! { #docs pub #r: Option<#ty>, }
    });
    let setters = s
        .fields
        .iter()
        .map(|f| setter(op, owner, &f.rust, &f.set, &f.ty));
    let encode = s.fields.iter().map(|f| {
        let r = ident(&f.rust);
        let wire = &f.wire;
        let is_object_list =
            matches!(&f.ty, Type::List(inner) if matches!(**inner, Type::Struct(_)));
        if is_object_list {
            quote! { o.objects(#wire, &self.#r); }
        } else {
            quote! { o.field(#wire, &self.#r); }
        }
    });
    let object = object_impl(
        &name,
        s.fields
            .iter()
            .map(|f| (f.wire.as_str(), f.rust.as_str(), &f.ty)),
        false,
    );
    let validate = checks::struct_validate(op, s);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            /// An object with nothing set: fill it in with the setters.
            pub fn builder() -> Self {
                Self::default()
            }

            #(#setters)*
        }

        impl ParamValue for #name {
            fn encode(&self, e: &mut Encoder<'_>) {
                let mut o = e.object();
                #(#encode)*
                o.finish();
            }
        }

        #object
        #validate
    }
}

fn field_doc(f: &Field) -> Docs {
    field_docs(&f.doc, &f.wire, false, f.example.as_deref())
}

fn enum_tokens(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let docs = Docs::described(&e.doc, &format!("The `{}` enum.", e.name)).rustdoc();
    let (repr, derive) = match e.repr {
        EnumRepr::I32 => (quote!(i32), quote!(Copy,)),
        EnumRepr::I64 => (quote!(i64), quote!(Copy,)),
        EnumRepr::String => (quote!(String), TokenStream::new()),
    };
    let variants = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = match &v.value {
            Literal::Int(i) => i.to_string(),
            Literal::Str(s) => format!("\"{s}\""),
            Literal::Bool(b) => b.to_string(),
        };
        let label = v
            .wire_name
            .as_ref()
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        let docs = Docs::titled(&format!("`{value}`{label}"), &v.doc).rustdoc();
        quote! { #docs #id, }
    });
    let wire = match e.repr {
        EnumRepr::String => quote!(str),
        _ => repr.clone(),
    };
    let rows = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = match (&v.value, e.repr) {
            (Literal::Int(i), EnumRepr::I32) => {
                let l = Lit::i32_unsuffixed(*i as i32);
                quote!(#l)
            }
            (Literal::Int(i), _) => {
                let l = Lit::i64_unsuffixed(*i);
                quote!(#l)
            }
            (Literal::Str(s), _) => quote!(#s),
            (Literal::Bool(b), _) => quote!(#b),
        };
        let label = v.wire_name.clone().unwrap_or_else(|| v.ident.clone());
        let is_final = match v.is_final {
            Some(b) => quote!(Some(#b)),
            None => quote!(None),
        };
        quote!((#id, #value, #label, #is_final))
    });
    let declaration = quote!(#name as #wire);
    quote! {
        #docs
        #[derive(Debug, Clone, #derive PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the SDK does not know; kept as received.
            Unknown(#repr),
        }

        acs_model::wire_enum!(#declaration, #(#rows),*);
    }
}
