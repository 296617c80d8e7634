//! The command-line crate: one clap subcommand per action (kebab-case), one typed flag per
//! parameter, whole spec descriptions as help. Shared behaviour (global options, running a
//! call, output, exit codes, tracing, value parsers) lives in the hand-written `acs-cli` crate.

use super::docs::{cli_wire_note, Docs};
use super::{ident, rust_file, text_file, GeneratedFile};
use crate::model::{Api, CliCrate, Idempotency, Operation, Param, Type};
use proc_macro2::TokenStream;
use quote::quote;

/// All files of the CLI crate (none when the product has no CLI crate).
pub fn generate(api: &Api) -> Result<Vec<GeneratedFile>, String> {
    let Some(cli) = &api.product.cli else {
        return Ok(Vec::new());
    };
    let mut files = vec![
        cargo_toml(api, cli),
        rust_file(format!("{}/src/main.rs", cli.krate.path), main_rs(api, cli))?,
    ];
    let p = &api.product;
    files.extend(super::package_files(
        &cli.krate.path,
        &cli.krate.name,
        &format!(
            "The `{}` command-line tool: one subcommand per action of `{}` (API version `{}`), \
typed flags, the response as JSON. Run `{0} --help` for the global options (endpoint, region, \
signature, format, attempts, timeout, profile, proxy, root certificates).\n\n{}",
            cli.binary,
            p.code,
            p.version,
            super::README_ORIGIN
        ),
    ));
    Ok(files)
}

fn cargo_toml(api: &Api, cli: &CliCrate) -> GeneratedFile {
    let p = &api.product;
    let package = super::package_section(
        api,
        &cli.krate.name,
        &format!(
            "The `{}` command-line tool for the Alibaba Cloud {} API {}.",
            cli.binary, p.code, p.version
        ),
        &["alibaba-cloud", "aliyun", "cli"],
        &["command-line-utilities", "api-bindings"],
    );
    let body = format!(
        r#"{package}
[[bin]]
name = "{binary}"
path = "src/main.rs"

[dependencies]
acs-cli = {{ workspace = true }}
{client} = {{ path = "{client_path}", version = "0.1.0", features = ["socks"] }}
clap = {{ workspace = true }}

[dev-dependencies]
acs-test-server = {{ workspace = true }}
serde_json = {{ workspace = true }}
"#,
        binary = cli.binary,
        client = p.client_crate.name,
        client_path = super::relative_path(&cli.krate.path, &p.client_crate.path),
    );
    text_file(format!("{}/Cargo.toml", cli.krate.path), body)
}

fn main_rs(api: &Api, cli: &CliCrate) -> TokenStream {
    let p = &api.product;
    let client = ident(&p.client_crate.ident());
    let binary = &cli.binary;
    let about = format!(
        "{} (API {}), from the spec by cargo xtask codegen.",
        p.title.short().unwrap_or(&p.code),
        p.version
    );
    let variants = api.operations.iter().map(|op| {
        let v = ident(&op.name);
        let args = ident(&op.names.args);
        let name = &op.names.subcommand;
        let mut docs = Docs::described(op.summary_or_title(), &format!("Calls {}.", op.name));
        if op.idempotency == Idempotency::Unsafe {
            let check = check_commands(api, op, binary)
                .map_or_else(|| "the resource".to_string(), |c| format!("with `{c}`"));
            docs = docs.paragraph(format!(
                "Not retried after a failure that leaves the outcome unknown (attempt timeout, connection reset, HTTP 5xx): it exits 1 with \"outcome unknown\"; check {check} before repeating it."
            ));
        }
        let (about, long_about) = (docs.cli_summary(), docs.cli());
        // The list of commands shows the first paragraph; `<command> --help` all of it.
        let long_about = (long_about != about).then(|| quote!(long_about = #long_about,));
        quote! {
            #[command(name = #name, #long_about about = #about)]
            #v(#args),
        }
    });
    let arg_structs = api.operations.iter().map(|op| args_struct(api, op));
    let arms = api.operations.iter().map(|op| dispatch(api, op, binary));
    let uses_models = api
        .operations
        .iter()
        .any(|op| op.input.params.iter().any(|p| enum_of(&p.ty).is_some()));
    let models = uses_models.then(|| quote! { use #client::models; });
    // A product on the `acs-credentials` chain also gets the `credentials` subcommand.
    let main = match p.default_credentials {
        None => quote! {
            fn main() -> ExitCode {
                let cli = acs_cli::parse::<Command>(#binary, env!("CARGO_PKG_VERSION"), #about);
                cli.global.run(#client::Client::new, |client| match cli.command {
                    #(#arms)*
                })
            }
        },
        Some(_) => quote! {
            fn main() -> ExitCode {
                let cli = acs_cli::parse_with_credentials::<Command>(#binary, env!("CARGO_PKG_VERSION"), #about);
                cli.run(#client::Client::new, |client, command| match command {
                    #(#arms)*
                })
            }
        },
    };
    quote! {
        //! The command-line tool.
        #![forbid(unsafe_code)]

        #models
        use std::process::ExitCode;

        #[derive(Debug, clap::Subcommand)]
        enum Command {
            #(#variants)*
        }

        #(#arg_structs)*

        #main

    }
}

/// The commands that show whether an action that is not safe to repeat took effect: for an
/// action that starts a process another action's waiter follows (`wait`), the list action of
/// that resource (`ListDeployments` beside `GetDeployment`) and the waiter's action.
fn check_commands(api: &Api, op: &Operation, binary: &str) -> Option<String> {
    let target = &api.operations[op.wait.as_ref()?.operation];
    let mut commands = Vec::new();
    if let Some(resource) = target.name.strip_prefix("Get") {
        let list = format!("List{resource}s");
        if let Some(list) = api
            .operations
            .iter()
            .find(|o| o.name == list && o.paginator.is_some())
        {
            commands.push(format!("{binary} {}", list.names.subcommand));
        }
    }
    commands.push(format!("{binary} {}", target.names.subcommand));
    Some(commands.join(" / "))
}

/// The call of one subcommand: the fluent builder with every flag set, then `send` (or the
/// waiter or all pages, when their flag is given).
fn dispatch(api: &Api, op: &Operation, binary: &str) -> TokenStream {
    let v = ident(&op.name);
    let method = ident(&op.names.module);
    let sets = op.input.params.iter().map(|param| {
        let f = ident(&param.rust);
        let set = ident(&param.set);
        quote! { .#set(args.#f) }
    });
    let call = quote! { client.#method() #(#sets)* };
    // What to check before repeating a call whose outcome is unknown.
    let check = match check_commands(api, op, binary) {
        Some(c) if op.idempotency == Idempotency::Unsafe => quote!(Some(#c)),
        _ => quote!(None),
    };
    match (&op.wait, &op.paginator) {
        (Some(wait), _) => {
            let target = &api.operations[wait.operation];
            let (first, second) = (&op.name, &target.name);
            let waiter = &target.waiters[wait.waiter].name;
            quote! {
                Command::#v(args) => {
                    let call = #call;
                    if args.wait {
                        acs_cli::run_waited(call.send_and_wait(), #first, #second, #waiter, #check)
                    } else {
                        acs_cli::run_checked(call.send(), #check)
                    }
                }
            }
        }
        (None, Some(_)) => quote! {
            Command::#v(args) => {
                let call = #call;
                if args.all_pages {
                    acs_cli::run(call.send_all_pages())
                } else {
                    acs_cli::run(call.send())
                }
            }
        },
        // An action without parameters does not read its (empty) arguments.
        (None, None) if op.input.params.is_empty() => quote! {
            Command::#v(_) => acs_cli::run(#call.send()),
        },
        (None, None) => quote! {
            Command::#v(args) => acs_cli::run(#call.send()),
        },
    }
}

fn args_struct(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.names.args);
    let groups = op.input.require_one_of.iter().enumerate().map(|(i, rule)| {
        let group = format!("{}_one_of_{}", op.names.module, i + 1);
        let ids = rule.params.iter().map(|id| &op.input.params[id.0].rust);
        quote! { #[command(group(clap::ArgGroup::new(#group).args([#(#ids),*]).required(true).multiple(true)))] }
    });
    let fields = op.input.params.iter().map(|param| flag(op, param));
    let extra = match (&op.paginator, &op.wait) {
        (_, Some(wait)) => {
            let target = &api.operations[wait.operation];
            let help = format!(
                "Wait until the process this call started is final ({}'s {} waiter), then print both responses; exit 1 if it failed",
                target.name, target.waiters[wait.waiter].name
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
    quote! {
        #[derive(Debug, clap::Args)]
        #(#groups)*
        struct #name {
            #(#fields)*
            #extra
        }
    }
}

/// The enum a value of this type is (or holds), if any.
fn enum_of(ty: &Type) -> Option<crate::model::EnumId> {
    match ty {
        Type::Enum(id) => Some(*id),
        Type::List(inner) => enum_of(inner),
        _ => None,
    }
}

fn flag(op: &Operation, param: &Param) -> TokenStream {
    let f = ident(&param.rust);
    let long = &param.flag;
    let note = cli_wire_note(&param.wire, param.example.as_deref());
    let help = Docs::described(&param.doc, &format!("The {} parameter.", param.wire))
        .paragraph(note)
        .cli();
    let (inner, list) = match &param.ty {
        Type::List(inner) => (inner.as_ref(), true),
        ty => (ty, false),
    };
    let module = ident(&op.names.module);
    let (ty, parser) = match inner {
        Type::Bool => (quote!(bool), Some(quote!(acs_cli::parse_bool))),
        Type::Any => (quote!(acs_cli::Json), Some(quote!(acs_cli::parse_json))),
        Type::Enum(id) => {
            let n = ident(&op.enumeration(*id).name);
            (
                quote!(models::#module::#n),
                Some(quote!(acs_cli::parse_enum::<models::#module::#n>)),
            )
        }
        other => (super::rust_type(op, other), None),
    };
    let ty = if list { quote!(Vec<#ty>) } else { ty };
    let parser = parser.map(|p| quote!(value_parser = #p,));
    let required = param.required.then(|| quote!(required = true,));
    quote! {
        #[arg(long = #long, #parser #required help = #help)]
        #f: Option<#ty>,
    }
}
