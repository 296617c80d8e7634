//! The command-line crate: a static table with one `acs_cli::Action` per action (subcommand,
//! help, one `acs_cli::Param` per parameter) and one generic call per action; `acs-cli`
//! builds the clap command from the table at run time and runs the chosen subcommand. No
//! clap derive: with hundreds of actions and thousands of flags, the derived parsers and one
//! large `match` of calls were most of the tool's compile time.

use super::checks::constraint_lines;
use super::docs::{cli_wire_note, Docs};
use super::{ident, rust_file, text_file, GeneratedFile};
use crate::model::{Api, CliCrate, Idempotency, Operation, Param, ParamStyle, Struct, Type};
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
    // The tool has every group and SOCKS proxies.
    let features: Vec<String> = std::iter::once("socks")
        .chain(p.groups.iter().map(|g| g.feature.as_str()))
        .map(|f| format!("\"{f}\""))
        .collect();
    let no_defaults = if p.groups.is_empty() {
        ""
    } else {
        " default-features = false,"
    };
    let client_features = format!("{no_defaults} features = [{}]", features.join(", "));
    let body = format!(
        r#"{package}
[[bin]]
name = "{binary}"
path = "src/main.rs"

[dependencies]
acs-cli = {{ workspace = true }}
{client} = {{ path = "{client_path}", version = "0.1.0",{client_features} }}

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
    let actions = api.operations.iter().map(|op| action(api, op, binary));
    let models = (!api.operations.is_empty()).then(|| quote!(use #client::models;));
    // A product on the `acs-credentials` chain also gets the `credentials` subcommand.
    let credentials = p.default_credentials.is_some();
    quote! {
        //! The command-line tool: one subcommand per action of the spec, described by the table
        //! below; `acs-cli` builds the command line from it and runs the chosen action.
        #![forbid(unsafe_code)]
        #![allow(deprecated)]

        use acs_cli::{Action, Kind, Mode, Param, Tool};
        use #client::Client;
        #models
        use std::process::ExitCode;

        /// One entry per subcommand.
        static ACTIONS: &[Action<Client>] = &[#(#actions),*];

        fn main() -> ExitCode {
            acs_cli::main(
                &Tool {
                    name: #binary,
                    version: env!("CARGO_PKG_VERSION"),
                    about: #about,
                    actions: ACTIONS,
                    credentials: #credentials,
                },
                Client::new,
            )
        }
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

/// One subcommand: its help, flags, one-of groups, extra switch and call.
fn action(api: &Api, op: &Operation, binary: &str) -> TokenStream {
    let name = &op.names.subcommand;
    let wire = &op.name;
    let mut docs = Docs::described(op.summary_or_title(), &format!("Calls {}.", op.name));
    if op.deprecated {
        docs = Docs::line("Deprecated in the official API metadata.")
            .description(op.summary_or_title(), &format!("Calls {}.", op.name));
    }
    // What to check before repeating a call whose outcome is unknown.
    let check = check_commands(api, op, binary);
    if op.idempotency == Idempotency::Unsafe {
        let what = check
            .as_ref()
            .map_or_else(|| "the resource".to_string(), |c| format!("with `{c}`"));
        docs = docs.paragraph(format!(
            "Not retried after a failure that leaves the outcome unknown (attempt timeout, connection reset, HTTP 5xx): it exits 1 with \"outcome unknown\"; check {what} before repeating it."
        ));
    }
    let check = match check {
        Some(c) if op.idempotency == Idempotency::Unsafe => quote!(Some(#c)),
        _ => quote!(None),
    };
    let about = docs.cli_summary();
    let long_about = docs
        .paragraph(format!("Example:\n  {}", example_invocation(binary, op)))
        .cli();
    let params = op.input.params.iter().map(|p| param(op, p));
    let one_of = op.input.require_one_of.iter().map(|rule| {
        let wires = rule.params.iter().map(|id| &op.input.params[id.0].wire);
        quote!(&[#(#wires),*])
    });
    let module = ident(&op.names.module);
    let input = ident(&op.names.input);
    let request = quote!(models::#module::#input);
    let (mode, run) = match (&op.wait, &op.paginator) {
        (Some(wait), _) => {
            let target = &api.operations[wait.operation];
            let waiter = &target.waiters[wait.waiter].name;
            let help = format!(
                "Wait until the process this call started is final ({}'s {} waiter), then print both responses; exit 1 if it failed",
                target.name, waiter
            );
            let (first, second) = (&op.name, &target.name);
            let method = ident(&op.names.module);
            (
                quote!(Mode::Wait(#help)),
                quote! {
                    |c, input| acs_cli::command::send_or_wait::<#request, _, _, _, _, _>(
                        c.runtime(),
                        input,
                        |request| c.#method().with_request(request).send_and_wait(),
                        [#first, #second, #waiter],
                    )
                },
            )
        }
        (None, Some(paginator)) => {
            let help = format!(
                "Fetch every page and print one response with the {} of all pages",
                paginator.items_wire
            );
            (
                quote!(Mode::AllPages(#help)),
                quote!(|c, input| acs_cli::command::send_paged::<#request, _>(c.runtime(), input)),
            )
        }
        (None, None) => (
            quote!(Mode::Plain),
            quote!(|c, input| acs_cli::command::send::<#request, _>(c.runtime(), input)),
        ),
    };
    quote! {
        Action {
            name: #name,
            wire: #wire,
            about: #about,
            long_about: #long_about,
            params: &[#(#params),*],
            one_of: &[#(#one_of),*],
            mode: #mode,
            check: #check,
            run: #run,
        }
    }
}

/// `dataworks get-deployment --project-id 10000 --deployment-id 3000001`: the subcommand
/// with the flags a valid request needs (the required ones and the first of each one-of
/// group), valued with the spec's examples (a placeholder such as `<INTEGER>` where the
/// spec has none that fits).
fn example_invocation(binary: &str, op: &Operation) -> String {
    let mut words = vec![binary.to_string(), op.names.subcommand.clone()];
    for p in super::client_docs::example_params(op) {
        let example = super::docs::clean_example(p.example.as_deref());
        let values = match (&p.ty, p.style) {
            // A flag per item: the example lists them separated by commas.
            (Type::List(inner), ParamStyle::Flat | ParamStyle::RepeatList) => {
                match example.as_deref() {
                    Some(list) if !list.starts_with('[') && !list.starts_with('{') => list
                        .split(',')
                        .map(|item| example_flag_value(op, inner, Some(item.trim().to_string())))
                        .collect(),
                    _ => vec![example_flag_value(op, inner, example)],
                }
            }
            (ty, _) => vec![example_flag_value(op, ty, example)],
        };
        for value in values {
            words.push(format!("--{}", p.flag));
            words.push(shell_word(&value));
        }
    }
    words.join(" ")
}

/// One flag value: the spec's example when it fits the value's type, else a placeholder.
fn example_flag_value(op: &Operation, ty: &Type, example: Option<String>) -> String {
    let fits = |e: &String| match ty {
        Type::Bool => e == "true" || e == "false",
        Type::I32 | Type::I64 => e.parse::<i64>().is_ok(),
        Type::F64 => e.parse::<f64>().is_ok(),
        Type::String => true,
        Type::Enum(id) => op
            .enumeration(*id)
            .variants
            .iter()
            .any(|v| super::literal_text(&v.value) == *e),
        Type::Struct(_) => {
            e.starts_with('{') && serde_json::from_str::<serde_json::Value>(e).is_ok()
        }
        Type::List(_) | Type::Map(_) | Type::Any => {
            serde_json::from_str::<serde_json::Value>(e).is_ok()
        }
    };
    if let Some(example) = example.filter(fits) {
        return example;
    }
    match ty {
        Type::Bool => "true".into(),
        Type::I32 | Type::I64 => "<INTEGER>".into(),
        Type::F64 => "<NUMBER>".into(),
        Type::String => "<TEXT>".into(),
        Type::Enum(id) => op
            .enumeration(*id)
            .variants
            .first()
            .map_or_else(|| "<VALUE>".into(), |v| super::literal_text(&v.value)),
        Type::Struct(_) => "<JSON-OBJECT>".into(),
        Type::List(_) | Type::Map(_) | Type::Any => "<JSON>".into(),
    }
}

/// `word` as one shell word: as is when it has only plain characters, else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/@%+=".contains(c));
    if plain || (word.starts_with('<') && word.ends_with('>') && !word.contains(' ')) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// How a parameter is given on the command line: its kind of value, and whether the flag is
/// repeated once per list item.
fn flag_kind(op: &Operation, p: &Param) -> (TokenStream, bool) {
    match (&p.ty, p.style) {
        (Type::List(inner), ParamStyle::Flat | ParamStyle::RepeatList) => {
            (value_kind(op, inner), true)
        }
        (ty, _) => (value_kind(op, ty), false),
    }
}

fn value_kind(op: &Operation, ty: &Type) -> TokenStream {
    match ty {
        Type::Bool => quote!(Kind::Bool),
        Type::I32 | Type::I64 => quote!(Kind::Integer),
        Type::F64 => quote!(Kind::Number),
        Type::String => quote!(Kind::Text),
        Type::Enum(id) => {
            let values = op
                .enumeration(*id)
                .variants
                .iter()
                .map(|v| super::literal_text(&v.value));
            quote!(Kind::Choice(&[#(#values),*]))
        }
        Type::Struct(id) => {
            let fields = op.structure(*id).fields.iter().map(|f| &f.wire);
            quote!(Kind::Object(&[#(#fields),*]))
        }
        Type::List(_) | Type::Map(_) | Type::Any => quote!(Kind::Json),
    }
}

fn param(op: &Operation, p: &Param) -> TokenStream {
    let wire = &p.wire;
    let flag = &p.flag;
    let required = p.required;
    let (kind, repeated) = flag_kind(op, p);
    let help = help(op, p, repeated).cli();
    quote! {
        Param {
            wire: #wire,
            flag: #flag,
            help: #help,
            required: #required,
            repeated: #repeated,
            kind: #kind,
        }
    }
}

/// A flag's help: the spec's description, how to give the value (items, JSON, fields), the
/// constraints, and the wire name with an example.
fn help(op: &Operation, p: &Param, repeated: bool) -> Docs {
    let mut docs = Docs::described(&p.doc, &format!("The {} parameter.", p.wire));
    let item = match &p.ty {
        Type::List(inner) => Some(inner.as_ref()),
        _ => None,
    };
    match (item, repeated) {
        (Some(Type::Struct(id)), true) => {
            docs = docs.paragraph(format!(
                "One JSON object per item: repeat --{} for each (a JSON array is refused). Fields:",
                p.flag
            ));
            docs = field_lines(op, op.structure(*id), docs);
        }
        (_, true) => {
            docs = docs.paragraph(format!("Repeat --{} for each item.", p.flag));
        }
        (_, false) => {
            if let Some(text) = json_shape(op, &p.ty) {
                docs = docs.paragraph(text);
                let structure = match &p.ty {
                    Type::Struct(id) => Some(*id),
                    Type::List(inner) => match inner.as_ref() {
                        Type::Struct(id) => Some(*id),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(id) = structure {
                    docs = field_lines(op, op.structure(id), docs);
                }
            }
        }
    }
    let rules = constraint_lines(&p.constraints);
    if !rules.is_empty() {
        docs = docs.paragraph(format!("Constraints: {}.", rules.join("; ")));
    }
    docs.paragraph(cli_wire_note(&p.wire, p.example.as_deref()))
}

/// What JSON text a JSON-valued flag takes, or `None` for plain values.
fn json_shape(op: &Operation, ty: &Type) -> Option<String> {
    Some(match ty {
        Type::Struct(_) => "JSON text: one object with the fields below.".to_string(),
        Type::List(inner) => match inner.as_ref() {
            Type::Struct(_) => "JSON text: an array of objects with the fields below.".to_string(),
            other => format!("JSON text: an array of {}.", type_label(op, other)),
        },
        Type::Map(inner) => format!(
            "JSON text: an object whose values are {}.",
            type_label(op, inner)
        ),
        Type::Any => "JSON text.".to_string(),
        _ => return None,
    })
}

/// The fields of a request object, one line each: wire name, type, required, description.
fn field_lines(op: &Operation, s: &Struct, mut docs: Docs) -> Docs {
    for f in &s.fields {
        let required = if f.required { ", required" } else { "" };
        let about = f
            .doc
            .short()
            .map(|d| format!(": {}", d.lines().next().unwrap_or_default().trim()))
            .unwrap_or_default();
        docs = docs.then(format!(
            "- {} ({}{required}){about}",
            f.wire,
            type_label(op, &f.ty)
        ));
    }
    docs
}

/// A short name of a type for help texts.
fn type_label(op: &Operation, ty: &Type) -> String {
    match ty {
        Type::Bool => "boolean".into(),
        Type::I32 | Type::I64 => "integer".into(),
        Type::F64 => "number".into(),
        Type::String => "string".into(),
        Type::Enum(id) => {
            let values: Vec<String> = op
                .enumeration(*id)
                .variants
                .iter()
                .map(|v| super::literal_text(&v.value))
                .collect();
            format!("one of {}", values.join(", "))
        }
        Type::Struct(id) => format!("object {}", op.structure(*id).name),
        Type::List(inner) => format!("array of {}", type_label(op, inner)),
        Type::Map(inner) => format!("map of {}", type_label(op, inner)),
        Type::Any => "any JSON".into(),
    }
}
