//! The models crate: request types with builders, response types, enums, and the
//! JSON/XML decoding entry points. It depends on serde, serde_json and quick-xml only.

use super::{doc_attrs, doc_lines, ident, rust_file, text_file, GeneratedFile};
use crate::model::{
    Api, Enum, EnumRepr, Field, Literal, Operation, Param, ParamLocation, ParamStyle, Struct, Type,
};
use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

/// All files of the models crate.
pub fn generate(api: &Api) -> Result<Vec<GeneratedFile>, String> {
    let krate = &api.product.models_crate;
    let mut files = vec![
        cargo_toml(api),
        rust_file(format!("{}/src/lib.rs", krate.path), lib_rs(api))?,
        rust_file(
            format!("{}/src/__private.rs", krate.path),
            super::support::private_module(),
        )?,
    ];
    for op in &api.operations {
        files.push(rust_file(
            format!("{}/src/{}.rs", krate.path, op.snake),
            operation_module(op),
        )?);
    }
    Ok(files)
}

fn cargo_toml(api: &Api) -> GeneratedFile {
    let krate = &api.product.models_crate;
    let body = format!(
        r#"[package]
name = "{name}"
description = "Request and response models of the Alibaba Cloud {product} API {version}, with JSON and XML decoding."
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true

[dependencies]
serde = {{ workspace = true }}
serde_json = {{ workspace = true }}
quick-xml = {{ workspace = true }}
"#,
        name = krate.name,
        product = api.product.code,
        version = api.product.version,
    );
    text_file(format!("{}/Cargo.toml", krate.path), body)
}

fn lib_rs(api: &Api) -> TokenStream {
    let product = &api.product;
    let title = product.title.short().unwrap_or(&product.code).to_string();
    let crate_ident = api.product.models_crate.ident();
    let mut doc = vec![
        format!(
            " Request and response models of **{title}** (`{}`, API version `{}`).",
            product.code, product.version
        ),
        String::new(),
        " Generated from the YAML spec by `cargo xtask codegen`. Every action has a module with"
            .to_string(),
        " its request type (with a builder), its response types and its enums. Responses decode"
            .to_string(),
        " from JSON ([`from_json`]) and from XML ([`from_xml`]) to the same values.".to_string(),
    ];
    if let Some(op) = api.operations.first() {
        doc.extend([
            String::new(),
            " ```".to_string(),
            format!(" use {crate_ident}::{};", op.output),
            String::new(),
            format!(" let json: {} = {crate_ident}::from_json(br#\"{{\"RequestId\": \"1\"}}\"#)?;", op.output),
            format!(" let xml: {} = {crate_ident}::from_xml(b\"<Response><RequestId>1</RequestId></Response>\")?;", op.output),
            " assert_eq!(json, xml);".to_string(),
            format!(" # Ok::<(), {crate_ident}::DecodeError>(())"),
            " ```".to_string(),
        ]);
    }
    let crate_doc = quote! { #( #![doc = #doc] )* };
    let modules = api.operations.iter().map(|op| {
        let m = ident(&op.snake);
        let docs = doc_lines(&[format!("Types of the `{}` action.", op.name)]);
        quote! { #docs pub mod #m; }
    });
    let reexports = api.operations.iter().map(|op| {
        let m = ident(&op.snake);
        let input = ident(&op.input.name);
        let output = ident(&op.output);
        quote! { pub use #m::{#input, #output}; }
    });
    let product_code = &product.code;
    let version = &product.version;
    quote! {
        #crate_doc
        #![forbid(unsafe_code)]

        #(#modules)*
        #(#reexports)*

        #[doc(hidden)]
        pub mod __private;

        /// `serde_json`, for fields and parameters that hold any JSON value.
        pub use serde_json;

        use std::borrow::Cow;
        use std::fmt;

        /// Product code of the API these models belong to.
        pub const PRODUCT: &str = #product_code;
        /// API version of these models.
        pub const API_VERSION: &str = #version;

        /// A request that breaks the spec's rules, found before anything is sent.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum BuildError {
            /// A required parameter was not set.
            MissingParameter {
                /// The parameter's wire name.
                parameter: &'static str,
            },
            /// None of a group of parameters was set, and at least one must be.
            OneOfRequired {
                /// The wire names of the group.
                parameters: &'static [&'static str],
            },
        }

        impl BuildError {
            /// The wire name of the first parameter the error is about.
            pub fn parameter(&self) -> &'static str {
                match self {
                    BuildError::MissingParameter { parameter } => parameter,
                    BuildError::OneOfRequired { parameters } => parameters.first().copied().unwrap_or(""),
                }
            }
        }

        impl fmt::Display for BuildError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    BuildError::MissingParameter { parameter } => {
                        write!(f, "the required parameter `{parameter}` is not set")
                    }
                    BuildError::OneOfRequired { parameters } => {
                        write!(f, "at least one of the parameters `{}` must be set", parameters.join("`, `"))
                    }
                }
            }
        }

        impl std::error::Error for BuildError {}

        /// Where a request parameter travels.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ParamLocation {
            /// In the URL query string.
            Query,
            /// In the `application/x-www-form-urlencoded` body.
            Body,
        }

        /// One request parameter as it goes on the wire (before percent-encoding).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct WireParam {
            /// Wire name, such as `DeploymentId` or `Ids.1`.
            pub name: Cow<'static, str>,
            /// Text of the value.
            pub value: String,
            /// Query or body.
            pub location: ParamLocation,
        }

        impl WireParam {
            /// A parameter.
            pub fn new(name: impl Into<Cow<'static, str>>, value: String, location: ParamLocation) -> Self {
                WireParam { name: name.into(), value, location }
            }
        }

        /// The format of a body that failed to decode.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Format {
            /// JSON.
            Json,
            /// XML.
            Xml,
        }

        impl fmt::Display for Format {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self {
                    Format::Json => "JSON",
                    Format::Xml => "XML",
                })
            }
        }

        /// A response body that could not be decoded.
        #[derive(Debug)]
        pub struct DecodeError {
            format: Format,
            message: String,
            line: Option<usize>,
            column: Option<usize>,
        }

        impl DecodeError {
            /// JSON or XML.
            pub fn format(&self) -> Format {
                self.format
            }
            /// What was wrong.
            pub fn message(&self) -> &str {
                &self.message
            }
            /// 1-based line and column of the problem, when known (JSON).
            pub fn position(&self) -> Option<(usize, usize)> {
                self.line.zip(self.column)
            }
        }

        impl fmt::Display for DecodeError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "invalid {} response body: {}", self.format, self.message)?;
                if let Some((line, column)) = self.position() {
                    write!(f, " (line {line}, column {column})")?;
                }
                Ok(())
            }
        }

        impl std::error::Error for DecodeError {}

        fn strip_bom(body: &[u8]) -> &[u8] {
            body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
        }

        /// Decodes a JSON response body (a UTF-8 byte order mark is skipped).
        pub fn from_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
            serde_json::from_slice(strip_bom(body)).map_err(|e| {
                let position = (e.line() > 0).then(|| (e.line(), e.column()));
                let text = e.to_string();
                let message = match text.rfind(" at line ") {
                    Some(i) => text[..i].to_owned(),
                    None => text,
                };
                DecodeError { format: Format::Json, message, line: position.map(|p| p.0), column: position.map(|p| p.1) }
            })
        }

        /// Decodes an XML response body. The root element's name is not checked. Bodies with a
        /// DTD (`<!DOCTYPE ...>`) or more than [`MAX_XML_DEPTH`] nested elements are rejected
        /// before decoding; entities other than the five predefined ones are errors.
        pub fn from_xml<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
            let text = std::str::from_utf8(strip_bom(body)).map_err(|e| DecodeError {
                format: Format::Xml,
                message: format!("the body is not valid UTF-8 (at byte {})", e.valid_up_to()),
                line: None,
                column: None,
            })?;
            check_xml_shape(text).map_err(|message| DecodeError {
                format: Format::Xml,
                message,
                line: None,
                column: None,
            })?;
            quick_xml::de::from_str(text).map_err(|e| DecodeError {
                format: Format::Xml,
                message: e.to_string(),
                line: None,
                column: None,
            })
        }

        /// Deepest element nesting accepted in an XML body (serde_json's limit is 128 too).
        pub const MAX_XML_DEPTH: usize = 128;

        /// One linear pass before decoding: no DTD (`<!DOCTYPE`, so no entity can be defined,
        /// expanded or fetched) and at most [`MAX_XML_DEPTH`] nested elements (so no decoder
        /// recursion can exhaust the stack).
        fn check_xml_shape(text: &str) -> Result<(), String> {
            let bytes = text.as_bytes();
            let mut depth: usize = 0;
            let mut i = 0;
            let skip_past = |from: usize, end: &[u8]| -> Option<usize> {
                bytes[from..].windows(end.len()).position(|w| w == end).map(|p| from + p + end.len())
            };
            while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
                let start = i + offset;
                let rest = &bytes[start + 1..];
                i = match rest.first() {
                    Some(b'?') => skip_past(start, b"?>").ok_or("an unterminated processing instruction")?,
                    Some(b'!') if rest.starts_with(b"!--") => skip_past(start, b"-->").ok_or("an unterminated comment")?,
                    Some(b'!') if rest.starts_with(b"![CDATA[") => skip_past(start, b"]]>").ok_or("an unterminated CDATA section")?,
                    Some(b'!') => return Err(format!("a document type declaration or markup declaration at byte {start} (DTDs are not accepted)")),
                    Some(b'/') => {
                        depth = depth.saturating_sub(1);
                        skip_past(start, b">").ok_or("an unterminated end tag")?
                    }
                    _ => {
                        // A start tag: find its end outside quoted attribute values.
                        let mut j = start + 1;
                        let mut quote: Option<u8> = None;
                        while j < bytes.len() {
                            match (quote, bytes[j]) {
                                (None, b'"' | b'\'') => quote = Some(bytes[j]),
                                (Some(q), b) if b == q => quote = None,
                                (None, b'>') => break,
                                _ => {}
                            }
                            j += 1;
                        }
                        if j >= bytes.len() {
                            return Err("an unterminated start tag".to_owned());
                        }
                        if bytes[j - 1] != b'/' {
                            depth += 1;
                            if depth > MAX_XML_DEPTH {
                                return Err(format!("elements nested deeper than {MAX_XML_DEPTH} levels"));
                            }
                        }
                        j + 1
                    }
                };
            }
            Ok(())
        }
    }
}

fn operation_module(op: &Operation) -> TokenStream {
    let mut summary_lines = vec![format!("Types of the `{}` action.", op.name)];
    if let Some(t) = op.title.short() {
        summary_lines.push(String::new());
        summary_lines.push(t.to_string());
    }
    let module_doc: Vec<String> = summary_lines.iter().map(|l| format!(" {l}")).collect();
    let input = input_tokens(op);
    let structs = op.structs.iter().map(struct_tokens);
    let enums = op.enums.iter().map(enum_tokens);
    quote! {
        #( #![doc = #module_doc] )*

        #[allow(unused_imports)]
        use crate::__private as rt;
        #[allow(unused_imports)]
        use crate::{BuildError, ParamLocation, WireParam};

        #input
        #(#structs)*
        #(#enums)*
    }
}

/// The Rust type of a value (without the outer `Option`).
pub fn rust_type(ty: &Type) -> TokenStream {
    match ty {
        Type::Bool => quote!(bool),
        Type::I32 => quote!(i32),
        Type::I64 => quote!(i64),
        Type::F64 => quote!(f64),
        Type::String => quote!(String),
        Type::Any => quote!(serde_json::Value),
        Type::Enum(name) | Type::Struct(name) => {
            let n = ident(name);
            quote!(#n)
        }
        Type::List(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
        Type::Map(inner) => {
            let inner = rust_type(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
    }
}

fn input_tokens(op: &Operation) -> TokenStream {
    let input = &op.input;
    let name = ident(&input.name);
    let builder = ident(&format!("{}Builder", input.name));
    let struct_doc = {
        let mut lines = vec![format!("Request of `{}`.", op.name)];
        if let Some(s) = op.summary.short().or(op.title.short()) {
            lines.push(String::new());
            lines.push(s.to_string());
        }
        doc_lines(&lines)
    };
    let fields = input.params.iter().map(|p| {
        let f = ident(&p.rust);
        let ty = rust_type(&p.ty);
        let docs = param_doc(p);
        quote! { #docs pub #f: Option<#ty>, }
    });
    let setters = input.params.iter().map(|p| {
        let f = ident(&p.rust);
        let set = ident(&format!("set_{}", p.rust));
        let docs = param_doc(p);
        let set_doc = format!(" Sets or clears `{}`.", p.wire);
        let (arg_ty, conv) = setter_arg(&p.ty);
        let set_value = match p.ty {
            Type::String => quote!(value.map(Into::into)),
            _ => quote!(value),
        };
        quote! {
            #docs
            pub fn #f(mut self, value: #arg_ty) -> Self {
                self.inner.#f = Some(#conv);
                self
            }
            #[doc = #set_doc]
            pub fn #set(mut self, value: Option<#arg_ty>) -> Self {
                self.inner.#f = #set_value;
                self
            }
        }
    });
    let required_checks = input.params.iter().filter(|p| p.required).map(|p| {
        let f = ident(&p.rust);
        let wire = &p.wire;
        quote! {
            if self.#f.is_none() {
                return Err(BuildError::MissingParameter { parameter: #wire });
            }
        }
    });
    let one_of_checks = input.require_one_of.iter().map(|rule| {
        let params: Vec<&Param> = rule
            .params
            .iter()
            .filter_map(|r| input.params.iter().find(|p| &p.rust == r))
            .collect();
        let fields = params.iter().map(|p| ident(&p.rust));
        let wires = params.iter().map(|p| p.wire.as_str());
        quote! {
            if #( self.#fields.is_none() )&&* {
                return Err(BuildError::OneOfRequired { parameters: &[#(#wires),*] });
            }
        }
    });
    let capacity = Lit::usize_unsuffixed(input.params.len());
    let param_pushes = input.params.iter().map(param_push);
    let to_params_body = if input.params.is_empty() {
        quote!(Vec::new())
    } else {
        quote! {
            let mut params: Vec<WireParam> = Vec::with_capacity(#capacity);
            #(#param_pushes)*
            params
        }
    };
    let validate_doc = doc_lines(&validate_doc_lines(op));
    quote! {
        #struct_doc
        #[derive(Debug, Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            /// A builder for this request.
            pub fn builder() -> #builder {
                #builder::default()
            }

            #validate_doc
            pub fn validate(&self) -> Result<(), BuildError> {
                #(#required_checks)*
                #(#one_of_checks)*
                Ok(())
            }

            /// The parameters as they go on the wire, in spec order; unset ones are left out.
            pub fn to_params(&self) -> Vec<WireParam> {
                #to_params_body
            }
        }

        #[doc = concat!(" Builder of [`", stringify!(#name), "`].")]
        #[derive(Debug, Clone, Default)]
        pub struct #builder {
            inner: #name,
        }

        impl #builder {
            #(#setters)*

            /// The request so far, without checking it.
            pub fn as_input(&self) -> &#name {
                &self.inner
            }

            /// Checks the spec's rules and returns the request.
            pub fn build(self) -> Result<#name, BuildError> {
                self.inner.validate()?;
                Ok(self.inner)
            }
        }
    }
}

fn validate_doc_lines(op: &Operation) -> Vec<String> {
    let mut lines =
        vec!["Checks the spec's rules: required parameters and one-of groups.".to_string()];
    for p in op.input.params.iter().filter(|p| p.required) {
        lines.push(format!("- `{}` is required.", p.wire));
    }
    for rule in &op.input.require_one_of {
        let wires: Vec<String> = rule
            .params
            .iter()
            .filter_map(|r| op.input.params.iter().find(|p| &p.rust == r))
            .map(|p| format!("`{}`", p.wire))
            .collect();
        lines.push(format!(
            "- At least one of {} is required.",
            wires.join(", ")
        ));
    }
    lines
}

fn param_doc(p: &Param) -> TokenStream {
    let required = if p.required { " (required)" } else { "" };
    wire_doc(
        &p.doc,
        &format!("The `{}` parameter.", p.wire),
        &p.wire,
        required,
        p.example.as_deref(),
    )
}

/// The argument type of a builder setter and how to turn it into the field value.
fn setter_arg(ty: &Type) -> (TokenStream, TokenStream) {
    match ty {
        Type::String => (quote!(impl Into<String>), quote!(value.into())),
        other => (rust_type(other), quote!(value)),
    }
}

fn location_tokens(location: ParamLocation) -> TokenStream {
    match location {
        ParamLocation::Query => quote!(ParamLocation::Query),
        ParamLocation::Body => quote!(ParamLocation::Body),
    }
}

fn param_push(p: &Param) -> TokenStream {
    let f = ident(&p.rust);
    let wire = &p.wire;
    let location = location_tokens(p.location);
    let text = |value: TokenStream, ty: &Type| -> TokenStream {
        match ty {
            Type::Enum(_) => quote!(#value.to_param()),
            Type::Any => quote!(#value.to_string()),
            _ => quote!(rt::ToParam::to_param(#value)),
        }
    };
    match (&p.ty, p.style) {
        (Type::Any, ParamStyle::Json) | (Type::List(_), ParamStyle::Json) => quote! {
            if let Some(value) = &self.#f {
                params.push(WireParam::new(#wire, value.to_string(), #location));
            }
        },
        (Type::Any, _) => quote! {
            if let Some(value) = &self.#f {
                let mut flat = Vec::new();
                rt::flatten_json(#wire, value, &mut flat);
                params.extend(flat.into_iter().map(|(name, value)| WireParam::new(name, value, #location)));
            }
        },
        (Type::List(inner), _) => {
            let item = text(quote!(item), inner);
            quote! {
                if let Some(list) = &self.#f {
                    for (i, item) in list.iter().enumerate() {
                        params.push(WireParam::new(format!("{}.{}", #wire, i + 1), #item, #location));
                    }
                }
            }
        }
        (ty, _) => {
            let value = text(quote!(value), ty);
            quote! {
                if let Some(value) = &self.#f {
                    params.push(WireParam::new(#wire, #value, #location));
                }
            }
        }
    }
}

fn struct_tokens(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let name_str = &s.name;
    let docs = doc_attrs(&s.doc, &format!("The `{}` object.", s.name));
    let fields = s.fields.iter().map(|f| {
        let r = ident(&f.rust);
        let ty = rust_type(&f.ty);
        let wire = &f.wire;
        let docs = field_doc(f);
        quote! {
            #docs
            #[serde(rename = #wire, skip_serializing_if = "Option::is_none")]
            pub #r: Option<#ty>,
        }
    });
    let arms = s.fields.iter().map(|f| {
        let r = ident(&f.rust);
        let wire = &f.wire;
        let read = field_read(&f.ty, wire, quote!(out.#r));
        quote! { #wire => #read, }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl rt::FromMap for #name {
            const NAME: &'static str = #name_str;
            fn from_map<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                let mut out = Self::default();
                while let Some(key) = map.next_key::<rt::Key<'de>>()? {
                    match key.as_str() {
                        #(#arms)*
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map(rt::StructVisitor::<Self>::new())
            }
        }

        impl rt::ListItem for #name {
            fn deserialize_item<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
                rt::struct_item(deserializer)
            }
            fn item_from_map<'de, A: serde::de::MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
                rt::struct_item_from_map(map)
            }
            fn item_from_text<E: serde::de::Error>(text: &str) -> Result<Option<Self>, E> {
                rt::struct_item_from_text::<Self, E>(text)
            }
        }

        impl #name {
            /// Decodes this type from a JSON body.
            pub fn from_json(body: &[u8]) -> Result<Self, crate::DecodeError> {
                crate::from_json(body)
            }
            /// Decodes this type from an XML body.
            pub fn from_xml(body: &[u8]) -> Result<Self, crate::DecodeError> {
                crate::from_xml(body)
            }
        }
    }
}

fn field_doc(f: &Field) -> TokenStream {
    wire_doc(
        &f.doc,
        &format!("The `{}` field.", f.wire),
        &f.wire,
        "",
        f.example.as_deref(),
    )
}

/// The spec's description, then the wire name and a one-line example when there is one.
fn wire_doc(
    doc: &crate::model::Doc,
    fallback: &str,
    wire: &str,
    note: &str,
    example: Option<&str>,
) -> TokenStream {
    let mut docs = doc_attrs(doc, fallback);
    let mut extra = vec![String::new(), format!("Wire name: `{wire}`{note}.")];
    if let Some(example) = example
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.contains('\n'))
    {
        extra.push(format!(
            "Example: `{}`.",
            example.replace('`', "'").replace('\t', " ")
        ));
    }
    docs.extend(doc_lines(&extra));
    docs
}

/// How the struct visitor reads one field's value into `target` (an `Option`).
/// Errors name the field (see `__private::in_field`).
fn field_read(ty: &Type, wire: &str, target: TokenStream) -> TokenStream {
    let value_ty = match ty {
        Type::Bool | Type::I32 | Type::I64 | Type::F64 | Type::String | Type::Enum(_) => {
            let t = rust_type(ty);
            quote!(rt::Scalar<#t>)
        }
        Type::Struct(_) | Type::Any => {
            let t = rust_type(ty);
            quote!(Option<#t>)
        }
        Type::List(inner) => {
            let t = rust_type(inner);
            quote!(rt::Many<#t>)
        }
        Type::Map(inner) => {
            let t = rust_type(inner);
            quote!(rt::MapOf<#t>)
        }
    };
    let value = quote! { map.next_value::<#value_ty>().map_err(|e| rt::in_field(#wire, e))? };
    match ty {
        Type::Bool | Type::I32 | Type::I64 | Type::F64 | Type::String | Type::Enum(_) => {
            quote! { #target = #value.0 }
        }
        Type::Struct(_) | Type::Any => quote! { #target = #value },
        Type::List(_) => quote! { rt::extend(&mut #target, #value.0) },
        Type::Map(_) => quote! { #target = Some(#value.0) },
    }
}

fn enum_tokens(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let docs = doc_attrs(&e.doc, &format!("The `{}` enum.", e.name));
    let (repr, copy) = match e.repr {
        EnumRepr::I32 => (quote!(i32), true),
        EnumRepr::I64 => (quote!(i64), true),
        EnumRepr::String => (quote!(String), false),
    };
    let variants = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let mut lines = Vec::new();
        let value_text = match &v.value {
            Literal::Int(i) => i.to_string(),
            Literal::Str(s) => format!("\"{s}\""),
            Literal::Bool(b) => b.to_string(),
        };
        let label = v
            .wire_name
            .as_ref()
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        lines.push(format!("`{value_text}`{label}"));
        let mut docs = doc_lines(&lines);
        if !v.doc.is_empty() {
            docs.extend(doc_lines(&[String::new()]));
            docs.extend(doc_attrs(&v.doc, ""));
        }
        quote! { #docs #id, }
    });
    let derive = if copy {
        quote!(#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, Eq, Hash)])
    };
    let value_lit = |v: &Literal| -> TokenStream {
        match v {
            Literal::Int(i) => match e.repr {
                EnumRepr::I32 => {
                    let l = Lit::i32_unsuffixed(*i as i32);
                    quote!(#l)
                }
                _ => {
                    let l = Lit::i64_unsuffixed(*i);
                    quote!(#l)
                }
            },
            Literal::Str(s) => quote!(#s),
            Literal::Bool(b) => quote!(#b),
        }
    };
    let from_arms = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let lit = value_lit(&v.value);
        quote! { #lit => Self::#id, }
    });
    let to_arms = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let lit = value_lit(&v.value);
        match e.repr {
            EnumRepr::String => quote! { Self::#id => #lit, },
            _ => quote! { Self::#id => #lit, },
        }
    });
    let all = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        quote!(Self::#id)
    });
    let name_arms = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let n = v.wire_name.clone().unwrap_or_else(|| v.ident.clone());
        quote! { Self::#id => Some(#n), }
    });
    let final_fn = e.has_final().then(|| {
        let arms = e.variants.iter().map(|v| {
            let id = ident(&v.ident);
            let value = match v.is_final {
                Some(true) => quote!(Some(true)),
                Some(false) => quote!(Some(false)),
                None => quote!(None),
            };
            quote! { Self::#id => #value, }
        });
        quote! {
            /// Whether this value is final (the process it describes has ended), as the
            /// documentation says; `None` for values it does not classify, and for unknown ones.
            pub fn is_final(&self) -> Option<bool> {
                match self {
                    #(#arms)*
                    Self::Unknown(_) => None,
                }
            }
        }
    });
    let (methods, serialize, scalar) = match e.repr {
        EnumRepr::I32 | EnumRepr::I64 => (
            quote! {
                /// The value for a wire number; numbers the spec does not list are kept in `Unknown`.
                pub const fn from_value(value: #repr) -> Self {
                    match value {
                        #(#from_arms)*
                        other => Self::Unknown(other),
                    }
                }
                /// The wire number.
                pub const fn value(&self) -> #repr {
                    match self {
                        #(#to_arms)*
                        Self::Unknown(other) => *other,
                    }
                }
                /// Text of the wire number, as sent in a request parameter.
                pub fn to_param(&self) -> String {
                    self.value().to_string()
                }
            },
            quote! {
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        serde::Serialize::serialize(&self.value(), serializer)
                    }
                }
                impl From<#repr> for #name {
                    fn from(value: #repr) -> Self {
                        Self::from_value(value)
                    }
                }
                impl From<#name> for #repr {
                    fn from(value: #name) -> Self {
                        value.value()
                    }
                }
                impl std::fmt::Display for #name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, "{}", self.value())
                    }
                }
            },
            quote! {
                impl rt::ScalarValue for #name {
                    const EXPECTING: &'static str = concat!("a ", stringify!(#name), " number");
                    fn from_i64(v: i64) -> Option<Self> {
                        <#repr>::try_from(v).ok().map(Self::from_value)
                    }
                    fn from_text(v: &str) -> Result<Option<Self>, rt::InvalidText> {
                        <#repr as rt::ScalarValue>::from_text(v).map(|o| o.map(Self::from_value))
                    }
                }
            },
        ),
        EnumRepr::String => (
            quote! {
                /// The value for a wire string; strings the spec does not list are kept in `Unknown`.
                pub fn from_value(value: &str) -> Self {
                    match value {
                        #(#from_arms)*
                        other => Self::Unknown(other.to_owned()),
                    }
                }
                /// The wire string.
                pub fn value(&self) -> &str {
                    match self {
                        #(#to_arms)*
                        Self::Unknown(other) => other,
                    }
                }
                /// The wire string, as sent in a request parameter.
                pub fn to_param(&self) -> String {
                    self.value().to_owned()
                }
            },
            quote! {
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        serializer.serialize_str(self.value())
                    }
                }
                impl From<&str> for #name {
                    fn from(value: &str) -> Self {
                        Self::from_value(value)
                    }
                }
                impl std::fmt::Display for #name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(self.value())
                    }
                }
            },
            quote! {
                impl rt::ScalarValue for #name {
                    const EXPECTING: &'static str = concat!("a ", stringify!(#name), " string");
                    fn from_i64(v: i64) -> Option<Self> {
                        Some(Self::from_value(&v.to_string()))
                    }
                    fn from_text(v: &str) -> Result<Option<Self>, rt::InvalidText> {
                        Ok(Some(Self::from_value(v)))
                    }
                }
            },
        ),
    };
    let unknown_doc = " A value this version of the SDK does not know; kept as received.";
    quote! {
        #docs
        #derive
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            Unknown(#repr),
        }

        impl #name {
            /// Every value the spec documents, in spec order.
            pub const KNOWN: &'static [Self] = &[#(#all),*];

            #methods

            /// The documented name of the value (such as `DEPLOY_ERROR` or the variant name);
            /// `None` for an unknown value.
            pub fn name(&self) -> Option<&'static str> {
                match self {
                    #(#name_arms)*
                    Self::Unknown(_) => None,
                }
            }

            #final_fn
        }

        #serialize
        #scalar
    }
}
