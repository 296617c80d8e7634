//! The command line of a generated tool, built at run time from static tables.
//!
//! A generated tool's `main.rs` holds one [`Action`] per subcommand: its flags as [`Param`]s
//! (wire name, flag, help, the kind of value) and a `run` function, and calls [`main`]. The
//! clap `Command` is built here with clap's builder API, so the generated code contains data
//! and one small function per action instead of a derive per action (a derived parser for
//! hundreds of actions and their thousands of flags is most of a tool's compile time).
//!
//! Flag values become one JSON object with the request's wire names ([`Input`]); `run` decodes
//! it into the typed request (through the models' [`Object`]), checks the spec's rules and
//! sends it; the response is decoded to its type and printed through [`Object`] too. Only
//! that decoding is compiled per action: the call and the printing are shared. A usage
//! problem (a missing or malformed flag, a value outside the spec's constraints) exits with
//! [`EXIT_USAGE`](crate::EXIT_USAGE) before anything is sent.

use crate::dry_run::Scope;
use crate::{block_on, runtime_error, GlobalArgs, EXIT_USAGE};
use acs_model::{BusinessStatus, Object, Paginated, Request};
use acs_runtime::{CallOptions, Config, Decoder, Error, OperationRequest, Service, WaiterError};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgAction, ArgGroup, ArgMatches, Command};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

/// Flag names the tool itself uses, before the subcommand (the global options) or in every
/// subcommand; a parameter's flag never takes one of them (the generator renames it).
pub const RESERVED_FLAGS: &[&str] = &[
    "endpoint",
    "region",
    "signature",
    "format",
    "max-attempts",
    "timeout",
    "profile",
    "help",
    "version",
    "wait",
    "all-pages",
    "query",
    "output",
    "quiet",
    "dry-run",
    "cli-input-json",
    "generate-skeleton",
];

/// A generated command-line tool: its name, version, description and subcommands.
pub struct Tool<C: 'static> {
    /// The binary's name (`dataworks`).
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// One line about the tool.
    pub about: &'static str,
    /// One entry per subcommand.
    pub actions: &'static [Action<C>],
    /// Whether the product is on the `acs-credentials` chain (`defaultCredentials` in its
    /// spec): the help names that chain, and the `credentials` subcommand shows which source
    /// answers and who the caller is.
    pub credentials: bool,
}

/// One subcommand: an action of the API.
pub struct Action<C: 'static> {
    /// The subcommand (`get-deployment`).
    pub name: &'static str,
    /// The action's wire name (`GetDeployment`).
    pub wire: &'static str,
    /// Its line in the list of subcommands.
    pub about: &'static str,
    /// Its whole description, for `<subcommand> --help`.
    pub long_about: &'static str,
    /// Its flags, in spec order.
    pub params: &'static [Param],
    /// Groups of wire names of which at least one must be given.
    pub one_of: &'static [&'static [&'static str]],
    /// Whether it has `--wait` or `--all-pages`.
    pub mode: Mode,
    /// For an action that is not safe to repeat: the commands that show whether it took
    /// effect, for the hint of an "outcome unknown" error.
    pub check: Option<&'static str>,
    /// Runs the action with the parsed flags (generated: decodes the request and sends it).
    pub run: fn(&C, Input) -> ExitCode,
}

/// Extra flags of a subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No extra flag.
    Plain,
    /// `--wait` (with its help text): wait until the process the call started is final.
    Wait(&'static str),
    /// `--all-pages` (with its help text): fetch every page.
    AllPages(&'static str),
}

/// One flag: a parameter of the request.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Wire name (`DeploymentId`).
    pub wire: &'static str,
    /// Flag without dashes (`deployment-id`).
    pub flag: &'static str,
    /// Help text (the spec's description and the wire name).
    pub help: &'static str,
    /// Whether the flag is required.
    pub required: bool,
    /// Whether the flag is given once per list item (`--ids 1 --ids 2`).
    pub repeated: bool,
    /// What one value is.
    pub kind: Kind,
}

/// What a flag's value is, as it is parsed and put into the request's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `true` or `false`.
    Bool,
    /// An integer (negative numbers allowed).
    Integer,
    /// A number (negative numbers allowed).
    Number,
    /// Any text.
    Text,
    /// One of these values (an enum of the spec).
    Choice(&'static [&'static str]),
    /// JSON text (a JSON-style parameter).
    Json,
    /// One JSON object: an item of a list of objects, with these fields (wire names).
    Object(&'static [&'static str]),
}

/// The parsed flags of a subcommand: the request as JSON with wire names, and the extra flags.
#[derive(Debug, Clone)]
pub struct Input {
    /// Wire name -> value of every flag given.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// `--wait` was given.
    pub wait: bool,
    /// `--all-pages` was given.
    pub all_pages: bool,
    /// `--dry-run` was given: print the signed request instead of sending it.
    pub dry_run: bool,
    /// `--quiet` was given: no progress on stderr.
    pub quiet: bool,
    /// For an action that is not safe to repeat: the commands that show whether it took
    /// effect (printed with an "outcome unknown" error).
    pub check: Option<&'static str>,
    flags: &'static [Param],
}

impl Input {
    /// The typed request: decoded from the flags' JSON and checked against the spec's rules.
    /// On failure prints a usage error naming the flag and returns the exit code.
    pub fn request<R: Request + Object>(&self) -> Result<R, ExitCode> {
        let value = serde_json::Value::Object(self.params.clone());
        let request: R = acs_model::from_value(&value).map_err(|e| {
            let text = e.to_string();
            self.usage_error(&text, first_segment(text.strip_prefix("at ").unwrap_or("")))
        })?;
        request
            .validate()
            .map_err(|e| self.usage_error(&e.to_string(), first_segment(e.parameter())))?;
        Ok(request)
    }

    fn flag_of(&self, wire: &str) -> Option<&'static str> {
        self.flags.iter().find(|p| p.wire == wire).map(|p| p.flag)
    }

    fn usage_error(&self, message: &str, wire: &str) -> ExitCode {
        match self.flag_of(wire) {
            Some(flag) => eprintln!("error: invalid value for --{flag}: {message}"),
            None => eprintln!("error: {message}"),
        }
        ExitCode::from(EXIT_USAGE)
    }
}

/// `Columns.1.ColumnName` -> `Columns`; `Columns: message` -> `Columns`.
fn first_segment(path: &str) -> &str {
    let end = path.find(['.', ':', ' ']).unwrap_or(path.len());
    &path[..end]
}

/// The body of a generated tool's `main`: parses the command line (usage errors exit 2 with
/// clap's message), builds the configuration from the global options (exit 2 when it is
/// unusable), makes the client with `new_client` and runs the chosen subcommand.
pub fn main<S: Service, C>(tool: &Tool<C>, new_client: fn(Config<S>) -> C) -> ExitCode {
    let matches = tool.command().get_matches();
    let mut global = match <GlobalArgs as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(global) => global,
        Err(e) => e.exit(),
    };
    let Some((name, sub)) = matches.subcommand() else {
        // `subcommand_required` makes clap report this; kept as a plain usage error.
        eprintln!(
            "error: a subcommand is required; see `{} --help`",
            tool.name
        );
        return ExitCode::from(EXIT_USAGE);
    };
    if name == crate::completions::COMPLETIONS {
        return crate::completions::run(tool.command(), sub);
    }
    if let Ok(Some(columns)) = sub.try_get_many::<String>(COLUMNS) {
        global.columns = Some(columns.cloned().collect());
    }
    if tool.credentials && name == CREDENTIALS {
        crate::init_tracing();
        global.present();
        return crate::finish(
            crate::block_on(global.caller_identity())
                .unwrap_or_else(|e| Err(crate::runtime_error(e))),
        );
    }
    let Some(action) = tool.actions.iter().find(|a| a.name == name) else {
        eprintln!("error: unknown subcommand `{name}`");
        return ExitCode::from(EXIT_USAGE);
    };
    if sub.get_flag(crate::input::GENERATE_SKELETON) {
        return crate::finish(Ok(crate::input::skeleton(action.params)));
    }
    let mut input = action.input(sub);
    if let Some(source) = sub.get_one::<String>(crate::input::CLI_INPUT_JSON) {
        if let Err(message) =
            crate::input::merge_input_json(source, action.params, &mut input.params)
        {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    }
    global.run(new_client, |client| (action.run)(&client, input))
}

/// The subcommand of a tool on the `acs-credentials` chain that reports its credentials.
const CREDENTIALS: &str = "credentials";

/// The id of `--columns` given after the subcommand (the global option's twin, on every
/// subcommand with no parameter of that flag).
const COLUMNS: &str = "output-columns";

/// `--columns` after the subcommand: like the global option.
fn columns_arg() -> Arg {
    Arg::new(COLUMNS)
        .long("columns")
        .value_name("NAMES")
        .value_delimiter(',')
        .help("Columns of --output table or text, comma-separated keys or dotted paths of a row")
}

impl<C> Tool<C> {
    /// The whole command line: the global options and one subcommand per action.
    pub fn command(&self) -> Command {
        let chain = if self.credentials {
            crate::FULL_CHAIN
        } else {
            crate::STATIC_CHAIN
        };
        let long_about = format!(
            "{}\n\nCredentials come from the default chain: {chain}.\n\
             Output: the response as pretty JSON on stdout (exit 0), or as --output and --query say. Errors on stderr: exit 1 \
             when the service or the network failed, exit 2 when the invocation, the \
             configuration or the credentials are wrong (nothing is sent). RUST_LOG=debug traces \
             the calls on stderr.",
            self.about
        );
        let mut command = Command::new(self.name)
            .bin_name(self.name)
            .version(self.version)
            .about(self.about)
            .long_about(long_about)
            .subcommand_required(true)
            .subcommands(self.actions.iter().map(Action::command))
            .subcommand(crate::completions::subcommand(self.name));
        if self.credentials {
            command = command.subcommand(
                Command::new(CREDENTIALS)
                    .about(
                        "Show which source of the credentials chain answers and who the caller \
                         is (STS GetCallerIdentity); prints no secret.",
                    )
                    .long_about(
                        "Show which source of the credentials chain answers and who the caller \
                         is (STS GetCallerIdentity); prints no secret.\n\n\
                         The output is JSON: the source that answered, where it is configured \
                         and what was passed over before it, the AccessKey id, whether the \
                         credentials are temporary and when they expire, and the \
                         GetCallerIdentity answer. --profile selects the CLI-config profile and \
                         the credentials-file section; ALIBABA_CLOUD_STS_ENDPOINT redirects STS. \
                         No region or endpoint is needed.",
                    ),
            );
        }
        <GlobalArgs as clap::Args>::augment_args(command)
    }
}

impl<C> Action<C> {
    /// The subcommand with its flags.
    pub fn command(&self) -> Command {
        let mut command = Command::new(self.name)
            .about(self.about)
            .long_about(self.long_about)
            .args(self.params.iter().map(Param::arg))
            .args(crate::input::args());
        const GROUP_IDS: [&str; 8] = [
            "one-of-1", "one-of-2", "one-of-3", "one-of-4", "one-of-5", "one-of-6", "one-of-7",
            "one-of-8",
        ];
        debug_assert!(
            self.one_of.len() <= GROUP_IDS.len(),
            "too many one-of groups"
        );
        for (group, id) in self.one_of.iter().zip(GROUP_IDS) {
            let ids = group
                .iter()
                .filter(|wire| self.params.iter().any(|p| p.wire == **wire));
            command = command.group(
                // The request may come from a file instead (then its rules are checked on
                // the decoded request, as every request's are).
                ArgGroup::new(id)
                    .args(ids.copied())
                    .args([
                        crate::input::CLI_INPUT_JSON,
                        crate::input::GENERATE_SKELETON,
                    ])
                    .required(true)
                    .multiple(true),
            );
        }
        if !self.params.iter().any(|p| p.flag == "columns") {
            command = command.arg(columns_arg());
        }
        match self.mode {
            Mode::Plain => command,
            Mode::Wait(help) => command.arg(switch("wait", help)),
            Mode::AllPages(help) => command.arg(switch("all-pages", help)),
        }
    }

    /// The flags given, as the request's JSON.
    pub fn input(&self, matches: &ArgMatches) -> Input {
        let mut params = serde_json::Map::new();
        for p in self.params {
            let Some(values) = matches.get_many::<serde_json::Value>(p.wire) else {
                continue;
            };
            let values: Vec<serde_json::Value> = values.cloned().collect();
            let value = if p.repeated {
                serde_json::Value::Array(values)
            } else {
                values.into_iter().next().unwrap_or_default()
            };
            params.insert(p.wire.to_owned(), value);
        }
        let flag = |name: &str| {
            matches
                .try_get_one::<bool>(name)
                .ok()
                .flatten()
                .copied()
                .unwrap_or(false)
        };
        Input {
            params,
            wait: flag("wait"),
            all_pages: flag("all-pages"),
            dry_run: flag("dry_run"),
            quiet: flag("quiet"),
            check: self.check,
            flags: self.params,
        }
    }
}

fn switch(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .help(help)
        .action(ArgAction::SetTrue)
}

impl Param {
    /// The flag.
    pub fn arg(&self) -> Arg {
        debug_assert!(
            !RESERVED_FLAGS.contains(&self.flag),
            "generator bug: the flag --{} of {} is one of the tool's own",
            self.flag,
            self.wire
        );
        let arg = Arg::new(self.wire)
            .long(self.flag)
            .help(self.help)
            .action(if self.repeated {
                ArgAction::Append
            } else {
                ArgAction::Set
            });
        // Required unless the request comes from a file (its rules are then checked on the
        // decoded request).
        let arg = if self.required {
            arg.required_unless_present_any([
                crate::input::CLI_INPUT_JSON,
                crate::input::GENERATE_SKELETON,
            ])
        } else {
            arg
        };
        match self.kind {
            Kind::Bool => arg.value_name("true|false").value_parser(parse_bool_value),
            Kind::Integer => arg
                .value_name("INTEGER")
                .allow_negative_numbers(true)
                .value_parser(parse_integer),
            Kind::Number => arg
                .value_name("NUMBER")
                .allow_negative_numbers(true)
                .value_parser(parse_number),
            Kind::Text => arg.value_name("TEXT").value_parser(text),
            Kind::Choice(values) => arg
                .value_name("VALUE")
                .value_parser(PossibleValuesParser::new(values).map(serde_json::Value::String)),
            Kind::Json => arg.value_name("JSON").value_parser(parse_json_value),
            Kind::Object(fields) => arg.value_name("JSON-OBJECT").value_parser(ObjectItem {
                flag: self.flag,
                fields,
            }),
        }
    }
}

fn text(value: &str) -> Result<serde_json::Value, String> {
    Ok(serde_json::Value::String(value.to_owned()))
}

fn parse_bool_value(value: &str) -> Result<serde_json::Value, String> {
    crate::parse_bool(value).map(serde_json::Value::Bool)
}

fn parse_integer(value: &str) -> Result<serde_json::Value, String> {
    value
        .trim()
        .parse::<i64>()
        .map(serde_json::Value::from)
        .map_err(|_| format!("`{value}` is not an integer"))
}

fn parse_number(value: &str) -> Result<serde_json::Value, String> {
    let number: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not a number"))?;
    serde_json::Number::from_f64(number)
        .map(serde_json::Value::Number)
        .ok_or_else(|| format!("`{value}` is not a finite number"))
}

/// JSON text, or `@file` (`@-`: standard input) holding it.
fn parse_json_value(value: &str) -> Result<serde_json::Value, String> {
    crate::parse_json(&crate::input::flag_text(value)?)
}

/// One item of a list of objects: a JSON object per occurrence of the flag.
#[derive(Clone)]
struct ObjectItem {
    flag: &'static str,
    fields: &'static [&'static str],
}

impl ObjectItem {
    /// `--columns '{"ColumnName": …, "ColumnType": …}'`
    fn example(&self) -> String {
        let fields: Vec<String> = self
            .fields
            .iter()
            .take(3)
            .map(|f| format!("\"{f}\": …"))
            .collect();
        let more = if self.fields.len() > 3 { ", …" } else { "" };
        format!("--{} '{{{}{more}}}'", self.flag, fields.join(", "))
    }
}

impl TypedValueParser for ObjectItem {
    type Value = serde_json::Value;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<serde_json::Value, clap::Error> {
        let given = value.to_string_lossy();
        let text = crate::input::flag_text(&given).map_err(|message| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value '{given}' for '--{}': {message}\n", self.flag),
            )
            .with_cmd(cmd)
        })?;
        let fail = |message: String| {
            let shown = arg.map_or_else(|| format!("--{}", self.flag), ToString::to_string);
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value '{text}' for '{shown}': {message}\n"),
            )
            .with_cmd(cmd)
        };
        match crate::parse_json(&text) {
            Ok(object @ serde_json::Value::Object(_)) => Ok(object),
            Ok(serde_json::Value::Array(_)) => Err(fail(format!(
                "one item per occurrence: give each item as one JSON object and repeat the flag, e.g. {} {}",
                self.example(),
                self.example()
            ))),
            Ok(_) => Err(fail(format!(
                "expected one JSON object, e.g. {}",
                self.example()
            ))),
            Err(e) => Err(fail(format!("{e}; expected e.g. {}", self.example()))),
        }
    }
}

/// A call whose output is printed as JSON.
type Call<'a> = Pin<Box<dyn Future<Output = Result<serde_json::Value, Error>> + 'a>>;

/// Runs a boxed call to completion and finishes like [`finish_checked`](crate::finish_checked)
/// (`check`: the hint for an action that is not safe to repeat). One function for every
/// action: only the boxed future differs.
fn run_json(call: Call<'_>, check: Option<&str>) -> ExitCode {
    crate::finish_checked(
        block_on(call).unwrap_or_else(|e| Err(runtime_error(e))),
        check,
    )
}

/// The output of a call that may fetch every page, as JSON.
fn to_json<T: Serialize>(output: T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(output).map_err(|e| Error::validation("output", e.to_string()))
}

/// A response decoded to its type, as the JSON a tool prints (wire names, through
/// [`Object`]), with its business status (the runtime turns `Success=false` into an error).
/// One output type for every action: the call itself compiles once, and each action adds
/// only its [`decode_printed`].
#[derive(Debug, Default)]
struct Printed {
    json: serde_json::Value,
    success: Option<bool>,
    code: Option<String>,
    message: Option<String>,
    http_status: Option<i32>,
    request_id: Option<String>,
}

/// Decodes a 2xx body into `R`'s response (through a value tree: less compiled code per
/// action than the serde decoders, the same values) and turns it into [`Printed`].
fn decode_printed<R: Request>(
    body: &[u8],
    format: acs_model::Format,
) -> Result<Printed, acs_model::DecodeError> {
    let mut output: R::Response = acs_model::decode_tree(body, format)?;
    let status = R::business_status(&output);
    let owned = |text: Option<&str>| text.map(str::to_owned);
    let (success, http_status) = (status.success, status.http_status);
    let (code, message, request_id) = (
        owned(status.code),
        owned(status.message),
        owned(status.request_id),
    );
    Ok(Printed {
        json: acs_model::object_to_value(&mut output),
        success,
        code,
        message,
        http_status,
        request_id,
    })
}

fn printed_status(printed: &Printed) -> BusinessStatus<'_> {
    BusinessStatus {
        success: printed.success,
        code: printed.code.as_deref(),
        message: printed.message.as_deref(),
        http_status: printed.http_status,
        request_id: printed.request_id.as_deref(),
    }
}

/// Sends a checked request once and prints the response (`decode`: the action's
/// [`decode_printed`]). One function for every action.
fn send_once<S: Service>(
    client: &acs_runtime::Client<S>,
    request: OperationRequest,
    decode: Decoder<Printed>,
    check: Option<&str>,
) -> ExitCode {
    run_json(
        Box::pin(async move {
            let printed = client
                .invoke_decoded(request, printed_status, &CallOptions::new(), decode)
                .await?;
            Ok(printed.json)
        }),
        check,
    )
}

/// Runs an action: the request from the flags, sent once; the response printed.
pub fn send<R, S>(client: &acs_runtime::Client<S>, input: Input) -> ExitCode
where
    R: Request + Object,
    S: Service,
{
    let request = match input.request::<R>() {
        Ok(request) => request,
        Err(code) => return code,
    };
    if input.dry_run {
        return dry_run(client, &request, Scope::One);
    }
    send_once(
        client,
        OperationRequest::from_request(&request),
        decode_printed::<R>,
        input.check,
    )
}

/// `--dry-run`: prints the signed request instead of sending it.
fn dry_run<R: Request, S: Service>(
    client: &acs_runtime::Client<S>,
    request: &R,
    scope: Scope,
) -> ExitCode {
    crate::dry_run::run(
        client,
        acs_runtime::OperationRequest::from_request(request),
        scope,
    )
}

/// Runs a paged list action: one page, or every page with `--all-pages`.
pub fn send_paged<R, S>(client: &acs_runtime::Client<S>, input: Input) -> ExitCode
where
    R: Paginated + Object + Send + Sync + 'static,
    R::Response: Serialize + Send + 'static,
    S: Service,
{
    let request = match input.request::<R>() {
        Ok(request) => request,
        Err(code) => return code,
    };
    if input.dry_run {
        let scope = if input.all_pages {
            Scope::AllPages
        } else {
            Scope::One
        };
        return dry_run(client, &request, scope);
    }
    if input.all_pages {
        let call: Call<'_> =
            Box::pin(
                async move { to_json(client.send_all_pages(request, CallOptions::new()).await?) },
            );
        crate::finish_checked(
            crate::progress::all_pages(call, input.quiet).unwrap_or_else(|e| Err(runtime_error(e))),
            input.check,
        )
    } else {
        send_once(
            client,
            OperationRequest::from_request(&request),
            decode_printed::<R>,
            input.check,
        )
    }
}

/// Runs an action that starts a process: sent once, or with `--wait` sent and then waited
/// for with `send_and_wait` (the client's method for it); both responses are printed.
pub fn send_or_wait<R, S, A, B, F, Fut>(
    client: &acs_runtime::Client<S>,
    input: Input,
    send_and_wait: F,
    names: [&str; 3],
) -> ExitCode
where
    R: Request + Object,
    S: Service,
    A: Serialize,
    B: Serialize + 'static,
    F: FnOnce(R) -> Fut,
    Fut: Future<Output = Result<(A, B), WaiterError<B>>>,
{
    let request = match input.request::<R>() {
        Ok(request) => request,
        Err(code) => return code,
    };
    if input.dry_run {
        let scope = if input.wait { Scope::Wait } else { Scope::One };
        return dry_run(client, &request, scope);
    }
    if !input.wait {
        return send_once(
            client,
            OperationRequest::from_request(&request),
            decode_printed::<R>,
            input.check,
        );
    }
    crate::progress::run_waited(send_and_wait(request), names, input.check, input.quiet)
}
