//! The command-line crate: one clap subcommand per action (kebab-case), one typed flag per
//! parameter (kebab-case), spec descriptions as help. Shared behaviour (global options,
//! output, exit codes, tracing) lives in the hand-written `acs-cli` crate.

use super::{ident, rust_file, text_file, GeneratedFile};
use crate::emit::client::service_type_name;
use crate::emit::models::rust_type;
use crate::model::{Api, Doc, EnumRepr, Operation, Param, Type};
use crate::names::kebab_case;
use proc_macro2::TokenStream;
use quote::quote;

/// All files of the CLI crate.
pub fn generate(api: &Api) -> Result<Vec<GeneratedFile>, String> {
    let krate = &api.product.cli_crate;
    Ok(vec![
        cargo_toml(api),
        rust_file(format!("{}/src/main.rs", krate.path), main_rs(api))?,
    ])
}

fn cargo_toml(api: &Api) -> GeneratedFile {
    let p = &api.product;
    let body = format!(
        r#"[package]
name = "{name}"
description = "The `{binary}` command-line tool for the Alibaba Cloud {product} API {version}."
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true

[[bin]]
name = "{binary}"
path = "src/main.rs"

[dependencies]
acs-cli = {{ workspace = true }}
acs-runtime = {{ workspace = true }}
{client} = {{ path = "{client_path}", version = "0.1.0" }}
clap = {{ workspace = true }}

[dev-dependencies]
acs-test-server = {{ workspace = true }}
serde_json = {{ workspace = true }}
"#,
        name = p.cli_crate.name,
        binary = p.cli_binary,
        product = p.code,
        version = p.version,
        client = p.client_crate.name,
        client_path = super::relative_path(&p.cli_crate.path, &p.client_crate.path),
    );
    text_file(format!("{}/Cargo.toml", p.cli_crate.path), body)
}

/// Help text: the English description, then the original Chinese.
fn help_text(doc: &Doc, fallback: &str) -> String {
    let clean = |t: &str| t.lines().map(str::trim).collect::<Vec<_>>().join("\n");
    match (&doc.en, &doc.zh) {
        (Some(en), Some(zh)) => format!("{}\n\n{}", clean(en), clean(zh)),
        (Some(one), None) | (None, Some(one)) => clean(one),
        (None, None) => fallback.to_string(),
    }
}

fn args_name(op: &Operation) -> String {
    format!("{}Args", op.name)
}

fn main_rs(api: &Api) -> TokenStream {
    let p = &api.product;
    let client = ident(&p.client_crate.ident());
    let service = ident(&service_type_name(api));
    let binary = &p.cli_binary;
    let about = format!(
        "{} (API {}), from the spec by cargo xtask codegen.",
        p.title.short().unwrap_or(&p.code),
        p.version
    );
    let long_about = format!(
        "{about}\n\nCredentials come from the default chain: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and \
         ALIBABA_CLOUD_SECURITY_TOKEN, then ~/.aliyun/config.json, then ~/.alibabacloud/credentials.ini (or --profile).\n\
         Output: the response as pretty JSON on stdout (exit 0). Errors on stderr: exit 1 when the service or the network \
         failed, exit 2 when the invocation, the configuration or the credentials are wrong (nothing is sent). RUST_LOG=debug traces the calls on stderr."
    );
    let variants = api.operations.iter().map(|op| {
        let v = ident(&op.name);
        let args = ident(&args_name(op));
        let name = kebab_case(&op.name);
        let help = help_text(
            if op.summary.is_empty() {
                &op.title
            } else {
                &op.summary
            },
            &format!("Calls {}.", op.name),
        );
        let short = help.lines().next().unwrap_or_default().to_string();
        quote! {
            #[command(name = #name, about = #short, long_about = #help)]
            #v(#args),
        }
    });
    let arg_structs = api.operations.iter().map(|op| args_struct(api, op));
    let arms = api.operations.iter().map(|op| {
        let v = ident(&op.name);
        let method = ident(&op.snake);
        let setters = op.input.params.iter().map(|param| {
            let f = ident(&param.rust);
            let set = ident(&format!("set_{}", param.rust));
            match &param.ty {
                Type::List(_) => quote! { .#set((!args.#f.is_empty()).then_some(args.#f)) },
                _ => quote! { .#set(args.#f) },
            }
        });
        let builder = quote! { client.#method() #(#setters)* };
        let run_plain = quote! { acs_cli::finish(acs_cli::block_on(builder.send()).unwrap_or_else(|e| Err(runtime_error(e)))) };
        let run = match (&op.paginator, &op.wait) {
            (_, Some(wait)) => {
                let first = &op.name;
                let second = &wait.action;
                let waiter = &wait.waiter;
                quote! {
                    if wait {
                        let result = acs_cli::block_on(builder.send_and_wait())
                            .unwrap_or_else(|e| Err(runtime_error(e)))
                            .map(|(out, waited)| (out, waited.output, waited.succeeded));
                        acs_cli::finish_waited(result, #first, #second, #waiter)
                    } else {
                        #run_plain
                    }
                }
            }
            (Some(_), None) => quote! {
                if all_pages {
                    acs_cli::finish(acs_cli::block_on(builder.send_all_pages()).unwrap_or_else(|e| Err(runtime_error(e))))
                } else {
                    #run_plain
                }
            },
            (None, None) => run_plain,
        };
        let flags = match (&op.paginator, &op.wait) {
            (_, Some(_)) => quote! { let wait = args.wait; },
            (Some(_), None) => quote! { let all_pages = args.all_pages; },
            (None, None) => TokenStream::new(),
        };
        // An action without parameters or flags does not read its (empty) arguments.
        let binding = if op.input.params.is_empty() && op.paginator.is_none() && op.wait.is_none() {
            quote!(_)
        } else {
            quote!(args)
        };
        quote! {
            Command::#v(#binding) => {
                #flags
                let builder = #builder;
                #run
            }
        }
    });
    quote! {
        //! The command-line tool.
        #![forbid(unsafe_code)]

        use clap::Parser;
        use std::process::ExitCode;

        #[derive(Debug, Parser)]
        #[command(name = #binary, version, about = #about, long_about = #long_about)]
        struct Cli {
            #[command(flatten)]
            global: acs_cli::GlobalArgs,
            #[command(subcommand)]
            command: Command,
        }

        #[derive(Debug, clap::Subcommand)]
        enum Command {
            #(#variants)*
        }

        #(#arg_structs)*

        fn runtime_error(e: std::io::Error) -> acs_runtime::Error {
            acs_runtime::Error::Transport {
                kind: acs_runtime::TransportKind::Io,
                attempts: 0,
                source: Box::new(e),
            }
        }

        fn main() -> ExitCode {
            let cli = Cli::parse();
            acs_cli::init_tracing();
            let config = match cli.global.config_builder::<#client::#service>().build() {
                Ok(config) => config,
                Err(e) => return acs_cli::finish::<()>(Err(e.into())),
            };
            let client = #client::Client::new(config);
            match cli.command {
                #(#arms)*
            }
        }
    }
}

/// The flag's value type and its clap value parser. `models` is the path of the action's
/// models module, such as `dataworks_public::models::get_deployment`.
fn flag_type(
    ty: &Type,
    op: &Operation,
    models: &TokenStream,
    client: &proc_macro2::Ident,
) -> (TokenStream, TokenStream) {
    match ty {
        Type::Bool => (quote!(bool), quote!(acs_cli::parse_bool)),
        Type::Any => (
            quote!(#client::models::serde_json::Value),
            quote!(acs_cli::parse_json),
        ),
        Type::Enum(name) => {
            let n = ident(name);
            let repr = op
                .enums
                .iter()
                .find(|e| &e.name == name)
                .map(|e| e.repr)
                .unwrap_or(EnumRepr::String);
            let parser = match repr {
                EnumRepr::I32 => {
                    quote!(|s: &str| s.trim().parse::<i32>().map(#models::#n::from_value).map_err(|e| e.to_string()))
                }
                EnumRepr::I64 => {
                    quote!(|s: &str| s.trim().parse::<i64>().map(#models::#n::from_value).map_err(|e| e.to_string()))
                }
                EnumRepr::String => quote!(|s: &str| Ok::<_, String>(#models::#n::from_value(s))),
            };
            (quote!(#models::#n), parser)
        }
        other => {
            let t = rust_type(other);
            (t.clone(), quote!(clap::value_parser!(#t)))
        }
    }
}

fn value_name(ty: &Type) -> &'static str {
    match ty {
        Type::I32 | Type::I64 => "N",
        Type::F64 => "NUMBER",
        Type::Bool => "true|false",
        Type::Any => "JSON",
        Type::Enum(_) => "VALUE",
        _ => "TEXT",
    }
}

fn args_struct(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&args_name(op));
    let client = ident(&api.product.client_crate.ident());
    let module = ident(&op.snake);
    let models = quote!(#client::models::#module);
    let groups = op.input.require_one_of.iter().enumerate().map(|(i, rule)| {
        let group = format!("{}_one_of_{}", op.snake, i + 1);
        let ids = &rule.params;
        quote! { #[command(group(clap::ArgGroup::new(#group).args([#(#ids),*]).required(true).multiple(true)))] }
    });
    let fields = op
        .input
        .params
        .iter()
        .map(|param| flag(op, param, &models, &client));
    let extra = match (&op.paginator, &op.wait) {
        (_, Some(wait)) => {
            let help = format!(
                "Wait until the process this call started is final ({}'s {} waiter), then print both responses; exit 1 if it failed",
                wait.action, wait.waiter
            );
            quote! {
                #[arg(long = "wait", help = #help)]
                wait: bool,
            }
        }
        (Some(p), None) => {
            let help = format!(
                "Fetch every page and print one response with the {} of all pages",
                p.items_wire
            );
            quote! {
                #[arg(long = "all-pages", help = #help)]
                all_pages: bool,
            }
        }
        (None, None) => TokenStream::new(),
    };
    let doc = format!(" Flags of `{}`.", kebab_case(&op.name));
    quote! {
        #[doc = #doc]
        #[derive(Debug, clap::Args)]
        #(#groups)*
        struct #name {
            #(#fields)*
            #extra
        }
    }
}

fn flag(
    op: &Operation,
    param: &Param,
    models: &TokenStream,
    client: &proc_macro2::Ident,
) -> TokenStream {
    let f = ident(&param.rust);
    let long = kebab_case(&param.wire);
    let help = {
        let mut text = help_text(&param.doc, &format!("The {} parameter.", param.wire));
        text.push_str(&format!("\n\nWire name: {}", param.wire));
        if let Some(example) = param.example.as_ref().filter(|e| !e.trim().is_empty()) {
            text.push_str(&format!(". Example: {example}"));
        }
        text
    };
    let short = help.lines().next().unwrap_or_default().to_string();
    let required = param.required;
    let (inner, list) = match &param.ty {
        Type::List(inner) => (inner.as_ref(), true),
        ty => (ty, false),
    };
    let (ty, parser) = flag_type(inner, op, models, client);
    let vn = value_name(inner);
    let field_ty = if list {
        quote!(Vec<#ty>)
    } else {
        quote!(Option<#ty>)
    };
    quote! {
        #[arg(long = #long, value_name = #vn, value_parser = #parser, required = #required, help = #short, long_help = #help)]
        #f: #field_ty,
    }
}
