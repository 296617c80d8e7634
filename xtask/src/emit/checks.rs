//! The spec's rules as `validate()` code: required parameters and fields, one-of groups, and
//! the constraints (`minimum`, `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`,
//! `pattern`), each one call of an `acs_model::check` helper. Request objects (list items,
//! object parameters) check their own fields in `check::Validate::validate_at`, with paths
//! such as `Columns.2.ColumnName`.

use super::ident;
use crate::model::{Bound, Constraints, Number, Operation, Role, Struct, Type};
use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

/// The checks of one value: `path` is its `check::Path` expression, `value` the field.
fn value_checks(
    op: &Operation,
    path: &TokenStream,
    value: &TokenStream,
    ty: &Type,
    c: &Constraints,
) -> Vec<TokenStream> {
    let mut checks = scalar_checks(
        path,
        &quote!(#value.as_ref()),
        &quote!(#value.as_deref()),
        ty,
        c,
    );
    if let Some(min) = c.min_items {
        checks.push(quote! { check::min_items(#path, #value.as_deref(), #min)?; });
    }
    if let Some(max) = c.max_items {
        checks.push(quote! { check::max_items(#path, #value.as_deref(), #max)?; });
    }
    if let (Type::List(inner), Some(items)) = (ty, &c.items) {
        let item_checks = scalar_checks(
            &quote!(p),
            &quote!(v),
            &quote!(v.map(String::as_str)),
            inner,
            items,
        );
        if !item_checks.is_empty() {
            checks.push(quote! {
                check::each(#path, #value.as_deref(), |p, v| {
                    #(#item_checks)*
                    Ok(())
                })?;
            });
        }
    }
    if needs_validation(op, ty) {
        checks.push(quote! { check::nested(#path, #value.as_ref())?; });
    }
    checks
}

/// Bounds, lengths and patterns of a scalar: `as_ref` is the value as an `Option<&T>`
/// expression, `as_str` (for text) as an `Option<&str>`.
fn scalar_checks(
    path: &TokenStream,
    as_ref: &TokenStream,
    as_str: &TokenStream,
    ty: &Type,
    c: &Constraints,
) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    for (bound, helper, strict) in [
        (&c.minimum, quote!(at_least), quote!(more_than)),
        (&c.maximum, quote!(at_most), quote!(less_than)),
    ] {
        if let Some(Bound {
            value: number,
            exclusive,
        }) = bound
        {
            let lit = number_literal(*number, ty);
            let helper = if *exclusive { strict } else { helper };
            checks.push(quote! { check::#helper(#path, #as_ref, #lit)?; });
        }
    }
    if c.min_length.is_some() || c.max_length.is_some() {
        let opt = |v: Option<u64>| match v {
            Some(n) => quote!(Some(#n)),
            None => quote!(None),
        };
        let (min, max) = (opt(c.min_length), opt(c.max_length));
        checks.push(quote! { check::length(#path, #as_str, #min, #max)?; });
    }
    if let Some(pattern) = &c.pattern {
        checks.push(quote! { check::pattern(#path, #as_str, #pattern)?; });
    }
    checks
}

fn number_literal(number: Number, ty: &Type) -> TokenStream {
    match (number, ty) {
        (Number::Int(i), Type::I32) => {
            let l = Lit::i32_unsuffixed(i32::try_from(i).unwrap_or(if i < 0 {
                i32::MIN
            } else {
                i32::MAX
            }));
            quote!(#l)
        }
        (Number::Int(i), Type::F64) => {
            let l = Lit::f64_unsuffixed(i as f64);
            quote!(#l)
        }
        (Number::Int(i), _) => {
            let l = Lit::i64_unsuffixed(i);
            quote!(#l)
        }
        (Number::Float(f), _) => {
            let l = Lit::f64_unsuffixed(f);
            quote!(#l)
        }
    }
}

/// Whether values of this type hold request objects with rules of their own.
pub fn needs_validation(op: &Operation, ty: &Type) -> bool {
    match ty {
        Type::Struct(id) => struct_needs_validation(op, op.structure(*id)),
        Type::List(inner) => needs_validation(op, inner),
        _ => false,
    }
}

/// Whether a request object has a rule: a required or constrained field, or such an object.
pub fn struct_needs_validation(op: &Operation, s: &Struct) -> bool {
    s.role == Role::Request
        && s.fields
            .iter()
            .any(|f| f.required || !f.constraints.is_empty() || needs_validation(op, &f.ty))
}

/// `validate()` of a request, when it has any rule.
pub fn request_validate(op: &Operation) -> Option<TokenStream> {
    let params = &op.input.params;
    let mut checks: Vec<TokenStream> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| {
            let f = ident(&p.rust);
            let wire = &p.wire;
            quote! { check::required(#wire, &self.#f)?; }
        })
        .collect();
    checks.extend(op.input.require_one_of.iter().map(|rule| {
        let wires = rule.params.iter().map(|id| &params[id.0].wire);
        let set = rule.params.iter().map(|id| {
            let f = ident(&params[id.0].rust);
            quote!(self.#f.is_some())
        });
        quote! { check::one_of(&[#(#wires),*], &[#(#set),*])?; }
    }));
    for p in params {
        let f = ident(&p.rust);
        let wire = &p.wire;
        checks.extend(value_checks(
            op,
            &quote!(Path::param(#wire)),
            &quote!(self.#f),
            &p.ty,
            &p.constraints,
        ));
    }
    (!checks.is_empty()).then(|| {
        quote! {
            fn validate(&self) -> Result<(), BuildError> {
                #(#checks)*
                Ok(())
            }
        }
    })
}

/// `check::Validate` of a request object, when it has any rule.
pub fn struct_validate(op: &Operation, s: &Struct) -> Option<TokenStream> {
    if !struct_needs_validation(op, s) {
        return None;
    }
    let name = ident(&s.name);
    let mut checks = Vec::new();
    for f in &s.fields {
        let r = ident(&f.rust);
        let wire = &f.wire;
        let path = quote!(path.field(#wire));
        if f.required {
            checks.push(quote! { check::required_field(#path, &self.#r)?; });
        }
        checks.extend(value_checks(
            op,
            &path,
            &quote!(self.#r),
            &f.ty,
            &f.constraints,
        ));
    }
    Some(quote! {
        impl check::Validate for #name {
            fn validate_at(&self, path: Path<'_>) -> Result<(), BuildError> {
                #(#checks)*
                Ok(())
            }
        }
    })
}

/// Whether the request's `validate()` uses `check::Path` (any constraint or nested rule).
pub fn uses_paths(op: &Operation) -> bool {
    op.input
        .params
        .iter()
        .any(|p| !p.constraints.is_empty() || needs_validation(op, &p.ty))
        || op.structs.iter().any(|s| struct_needs_validation(op, s))
}

/// The constraints in words, for docs and help (`at least 1`, `at most 64 characters`).
pub fn constraint_lines(c: &Constraints) -> Vec<String> {
    let number = |n: &Number| match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
    };
    let mut lines = Vec::new();
    if let Some(b) = &c.minimum {
        let word = if b.exclusive { "more than" } else { "at least" };
        lines.push(format!("{word} {}", number(&b.value)));
    }
    if let Some(b) = &c.maximum {
        let word = if b.exclusive { "less than" } else { "at most" };
        lines.push(format!("{word} {}", number(&b.value)));
    }
    if let Some(n) = c.min_length {
        lines.push(format!("at least {n} characters"));
    }
    if let Some(n) = c.max_length {
        lines.push(format!("at most {n} characters"));
    }
    if let Some(n) = c.min_items {
        lines.push(format!("at least {n} items"));
    }
    if let Some(n) = c.max_items {
        lines.push(format!("at most {n} items"));
    }
    if let Some(p) = &c.pattern {
        lines.push(format!("matches {p}"));
    }
    if let Some(items) = &c.items {
        for line in constraint_lines(items) {
            lines.push(format!("each item {line}"));
        }
    }
    lines
}
