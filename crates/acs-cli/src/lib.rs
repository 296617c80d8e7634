//! Shared support for the generated command-line tools: the global options every tool
//! accepts, turning them into a client configuration, printing results, and exit codes; for
//! a product on the `acs-credentials` chain, the `credentials` subcommand
//! ([`WithCredentials`]).
//!
//! Exit codes: `0` success; `1` the service or the network failed (service errors,
//! transport errors, undecodable responses, waiter time-outs, and "outcome unknown": a call
//! that is not safe to repeat failed after it may have been carried out, printed with a hint
//! to check before repeating it); `2` the invocation is wrong
//! (usage and validation errors, unusable configuration or credentials). Usage errors are clap's own
//! (also exit 2); nothing is sent for any exit-2 failure.
#![forbid(unsafe_code)]

pub mod command;
pub mod completions;
pub mod dry_run;
pub mod input;
pub mod output;
pub mod progress;
pub mod query;
pub mod yaml;

pub use command::{main, Action, Input, Kind, Mode, Param, Tool};
pub use output::{OutputFormat, Presentation};
pub use query::Query;

use acs_model::WireEnum;
use acs_runtime::{
    Config, ConfigBuilder, CredentialsSettings, Error, ResponseFormat, Service, SignatureVersion,
    WaiterError,
};
use serde::Serialize;
use std::future::Future;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code when the service or the network failed.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code when the invocation is wrong (nothing was sent).
pub const EXIT_USAGE: u8 = 2;

/// Signature version flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignatureArg {
    /// ACS3-HMAC-SHA256 (the official SDKs' default).
    V3,
    /// RPC v1, HMAC-SHA1 with the common parameters in the query.
    V1,
}

/// Response format flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Ask the service for JSON.
    Json,
    /// Ask the service for XML (the output is JSON either way).
    Xml,
}

/// A generated tool's command line: the global options, then one subcommand per action.
#[derive(Debug, clap::Parser)]
pub struct Cli<C: clap::Subcommand> {
    /// Options before the subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The action to call.
    #[command(subcommand)]
    pub command: C,
}

/// The sources of the runtime's static chain, for `--help`.
pub(crate) const STATIC_CHAIN: &str =
    "ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and \
     ALIBABA_CLOUD_SECURITY_TOKEN, then ~/.aliyun/config.json, then \
     ~/.alibabacloud/credentials.ini (or --profile)";

/// The sources of the `acs-credentials` chain, for `--help`.
pub(crate) const FULL_CHAIN: &str =
    "ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and \
     ALIBABA_CLOUD_SECURITY_TOKEN, then OIDC (ALIBABA_CLOUD_ROLE_ARN, \
     ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), then \
     ~/.aliyun/config.json, then ~/.alibabacloud/credentials.ini (--profile picks the profile \
     or section), then the ECS RAM role, then ALIBABA_CLOUD_CREDENTIALS_URI; the \
     `credentials` subcommand shows which one answers";

/// Parses the command line of the tool `name` (version `version`, described by `about`);
/// exits with clap's message and status 2 on a usage error, 0 after `--help`/`--version`.
pub fn parse<C: clap::Subcommand>(
    name: &'static str,
    version: &'static str,
    about: &'static str,
) -> Cli<C> {
    parse_tool(name, version, about, STATIC_CHAIN)
}

/// [`parse`] for a tool whose product uses the `acs-credentials` chain (`defaultCredentials`
/// in its spec): the actions and the `credentials` subcommand; run it with [`Cli::run`].
pub fn parse_with_credentials<C: clap::Subcommand>(
    name: &'static str,
    version: &'static str,
    about: &'static str,
) -> Cli<WithCredentials<C>> {
    parse_tool(name, version, about, FULL_CHAIN)
}

fn parse_tool<C: clap::Subcommand>(
    name: &'static str,
    version: &'static str,
    about: &'static str,
    chain: &str,
) -> Cli<C> {
    use clap::{CommandFactory, FromArgMatches};
    let long_about = format!(
        "{about}\n\nCredentials come from the default chain: {chain}.\n\
         Output: the response as pretty JSON on stdout (exit 0), or as --output and --query say. Errors on stderr: exit 1 \
         when the service or the network failed, exit 2 when the invocation, the \
         configuration or the credentials are wrong (nothing is sent). RUST_LOG=debug traces \
         the calls on stderr."
    );
    let matches = Cli::<C>::command()
        .name(name)
        .bin_name(name)
        .version(version)
        .about(about)
        .long_about(long_about)
        .get_matches();
    Cli::<C>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The subcommands of a tool whose product uses the `acs-credentials` chain: its actions,
/// and `credentials`.
#[derive(Debug, clap::Subcommand)]
pub enum WithCredentials<C: clap::Subcommand> {
    /// One of the product's actions.
    #[command(flatten)]
    Action(C),
    /// Show which source of the credentials chain answers and who the caller is (STS
    /// GetCallerIdentity); prints no secret.
    ///
    /// The output is JSON: the source that answered, where it is configured and what was
    /// passed over before it, the AccessKey id, whether the credentials are temporary and
    /// when they expire, and the GetCallerIdentity answer. --profile selects the CLI-config
    /// profile and the credentials-file section; ALIBABA_CLOUD_STS_ENDPOINT redirects STS.
    /// No region or endpoint is needed.
    Credentials,
}

impl<C: clap::Subcommand> Cli<WithCredentials<C>> {
    /// The body of the `main` of a tool with the `credentials` subcommand: runs it (no client
    /// is built: it needs no region or endpoint), or the action as [`GlobalArgs::run`] does.
    pub fn run<S: Service, Client>(
        self,
        new_client: impl FnOnce(Config<S>) -> Client,
        action: impl FnOnce(Client, C) -> ExitCode,
    ) -> ExitCode {
        match self.command {
            WithCredentials::Credentials => {
                init_tracing();
                self.global.present();
                finish(
                    block_on(self.global.caller_identity())
                        .unwrap_or_else(|e| Err(runtime_error(e))),
                )
            }
            WithCredentials::Action(command) => self
                .global
                .run(new_client, |client| action(client, command)),
        }
    }
}

/// Options every generated tool accepts before the subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Explicit endpoint, e.g. http://127.0.0.1:8080 (https when no scheme is given).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Region id; the endpoint comes from the product's region map.
    #[arg(long, value_name = "REGION", env = "ALIBABA_CLOUD_REGION_ID")]
    pub region: Option<String>,

    /// Signature version.
    #[arg(long, value_enum, value_name = "v3|v1", default_value = "v3")]
    pub signature: SignatureArg,

    /// Response format asked of the service.
    #[arg(long, value_enum, value_name = "json|xml", default_value = "json")]
    pub format: FormatArg,

    /// Total attempts, the first one included.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,

    /// Per-attempt timeout in seconds (fractions allowed).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,

    /// Credentials profile (of ~/.aliyun/config.json or the credentials file) instead of the default chain.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Proxy for every call: http://host:port, https://host:port or socks5://host:port (when
    /// built with SOCKS support), credentials as user:password@ before the host. Default:
    /// HTTPS_PROXY, HTTP_PROXY, ALL_PROXY (and NO_PROXY).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// Hosts reached without the proxy, comma-separated like NO_PROXY (`*` for all).
    #[arg(long, value_name = "HOSTS")]
    pub no_proxy: Option<String>,

    /// PEM file of extra root certificates to trust (also ALIBABA_CLOUD_CA_BUNDLE).
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<std::path::PathBuf>,

    /// JMESPath expression applied to the output (the JSON with wire names) before it is
    /// printed, e.g. 'Data.Deployments[].{Id: Id, Status: Status}'. Also after the subcommand.
    #[arg(long, value_name = "EXPR", global = true, value_parser = query::parse_query)]
    pub query: Option<Query>,

    /// Output format: pretty JSON; YAML; a table of the rows (the query's list, or the
    /// response's list of objects) fitted to the terminal; tab-separated text for shell
    /// loops. Also after the subcommand.
    #[arg(
        long,
        value_enum,
        value_name = "json|yaml|table|text",
        default_value = "json",
        global = true
    )]
    pub output: OutputFormat,

    /// Columns of --output table or text, comma-separated keys or dotted paths of a row
    /// (default: the rows' keys). After the subcommand too, unless the action has a
    /// parameter with this flag (then only here).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub columns: Option<Vec<String>>,

    /// Build, check and sign the request and print it (method, URL, headers, form body, the
    /// string to sign or the canonical request) with the secret, the token and the signature
    /// redacted; nothing is sent. Also after the subcommand.
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// No progress on stderr (progress is shown only when stderr is a terminal anyway).
    /// Also after the subcommand.
    #[arg(long, global = true)]
    pub quiet: bool,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 {
        return Err(format!("`{text}` must be between 0 and 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

impl GlobalArgs {
    /// The body of a generated tool's `main`: starts tracing, builds the configuration from
    /// these options (exit 2 when it is unusable), makes the client with `new_client`, and
    /// runs the chosen command with it.
    pub fn run<S: Service, C>(
        &self,
        new_client: impl FnOnce(Config<S>) -> C,
        command: impl FnOnce(C) -> ExitCode,
    ) -> ExitCode {
        init_tracing();
        self.present();
        match self.config_builder::<S>().build() {
            Ok(config) => command(new_client(config)),
            Err(e) => finish::<()>(Err(e.into())),
        }
    }

    /// Makes `--query`, `--output` and `--columns` the way this process prints its results.
    pub fn present(&self) {
        output::set_presentation(Presentation {
            query: self.query.clone(),
            format: self.output,
            columns: self.columns.clone(),
        });
    }

    /// Which source of the `acs-credentials` chain answers with these options (`--profile`),
    /// and STS `GetCallerIdentity` with its credentials; nothing secret.
    pub async fn caller_identity(&self) -> Result<acs_credentials::CallerReport, Error> {
        let mut settings = CredentialsSettings::default();
        if let Some(profile) = &self.profile {
            settings = settings.with_profile(profile.clone());
        }
        acs_credentials::caller_identity(&acs_credentials::DefaultChain::from_settings(&settings))
            .await
    }

    /// A configuration builder with every option applied. The region falls back to
    /// `ALIBABA_CLOUD_REGION_ID` (clap reads it) and credentials to the default chain.
    pub fn config_builder<S: Service>(&self) -> ConfigBuilder<S> {
        let mut builder = ConfigBuilder::<S>::new()
            .signature_version(match self.signature {
                SignatureArg::V3 => SignatureVersion::V3,
                SignatureArg::V1 => SignatureVersion::V1,
            })
            .response_format(match self.format {
                FormatArg::Json => ResponseFormat::Json,
                FormatArg::Xml => ResponseFormat::Xml,
            })
            .max_attempts(self.max_attempts)
            .user_agent_suffix(format!("cli/{}", env!("CARGO_PKG_VERSION")));
        if let Some(endpoint) = &self.endpoint {
            builder = builder.endpoint(endpoint.clone());
        }
        if let Some(region) = &self.region {
            builder = builder.region(region.clone());
        }
        if let Some(timeout) = self.timeout {
            builder = builder.attempt_timeout(timeout);
        }
        if let Some(profile) = &self.profile {
            builder = builder.profile(profile.clone());
        }
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(proxy.clone());
        }
        if let Some(hosts) = &self.no_proxy {
            builder = builder.no_proxy(hosts.clone());
        }
        if let Some(file) = &self.ca_bundle {
            builder = builder.add_root_certificates_from_file(file.clone());
        }
        builder
    }
}

/// Sends tracing output to stderr when `RUST_LOG` is set (e.g. `RUST_LOG=debug`).
/// Secrets never reach tracing: the runtime does not record them.
pub fn init_tracing() {
    let Ok(filter) = std::env::var("RUST_LOG") else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|e| {
        eprintln!("warning: ignoring RUST_LOG: {e}");
        tracing_subscriber::EnvFilter::new("off")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// A JSON value, for flags of parameters that take any JSON value.
pub type Json = serde_json::Value;

/// Runs a call (a fluent builder's `send()`, `send_all_pages()`, ...) and finishes like
/// [`finish`]: the response as pretty JSON on stdout, or one error message and its exit code.
pub fn run<T: Serialize>(call: impl Future<Output = Result<T, Error>>) -> ExitCode {
    run_checked(call, None)
}

/// [`run`] for an action that is not safe to repeat: `check` names the commands that show
/// whether it took effect (`dataworks list-deployments / dataworks get-deployment`), for the
/// hint printed with an "outcome unknown" error.
pub fn run_checked<T: Serialize>(
    call: impl Future<Output = Result<T, Error>>,
    check: Option<&str>,
) -> ExitCode {
    finish_checked(
        block_on(call).unwrap_or_else(|e| Err(runtime_error(e))),
        check,
    )
}

/// Runs a call that sends and then waits (`send_and_wait()`) and finishes like
/// [`finish_waited`].
pub fn run_waited<A: Serialize, B: Serialize>(
    call: impl Future<Output = Result<(A, B), WaiterError<B>>>,
    action: &str,
    waiter_action: &str,
    waiter: &str,
    check: Option<&str>,
) -> ExitCode {
    let result = block_on(call).unwrap_or_else(|e| Err(WaiterError::Request(runtime_error(e))));
    finish_waited(result, action, waiter_action, waiter, check)
}

/// The error when the async runtime itself cannot start.
pub fn runtime_error(source: std::io::Error) -> Error {
    Error::Runtime { source }
}

/// Runs `work` on a single-threaded tokio runtime.
pub fn block_on<F: Future>(work: F) -> Result<F::Output, std::io::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(work))
}

/// The exit code for an error.
pub fn exit_code_for(error: &Error) -> u8 {
    match error {
        Error::Validation { .. } | Error::Config(_) | Error::Credentials(_) => EXIT_USAGE,
        _ => EXIT_FAILURE,
    }
}

/// The hint printed after an "outcome unknown" error: check before repeating, with `check`
/// (the commands that show whether the call took effect) when the tool knows them.
pub fn outcome_unknown_hint(error: &Error, check: Option<&str>) -> Option<String> {
    let Error::OutcomeUnknown {
        action,
        client_token,
        ..
    } = error
    else {
        return None;
    };
    let how = match check {
        Some(commands) => format!("with `{commands}`"),
        None => "with the matching get or list command".to_string(),
    };
    let mut hint = format!(
        "hint: {action} may have taken effect although it failed: check {how} before repeating it"
    );
    if let Some(token) = client_token {
        hint.push_str(&format!(
            " (the service carries it out at most once per client token: repeating it with the client token {token} is safe)"
        ));
    }
    Some(hint)
}

/// One clear message for an error: the error itself (with HTTP status, code, message,
/// RequestId, attempts and a hint for service errors) and its causes.
pub fn error_message(error: &Error) -> String {
    let mut text = format!("error: {error}");
    let mut source = std::error::Error::source(error);
    let mut seen = vec![error.to_string()];
    while let Some(cause) = source {
        let line = cause.to_string();
        if !seen.iter().any(|s| s.contains(&line)) {
            text.push_str(&format!("\n  caused by: {line}"));
        }
        seen.push(line);
        source = cause.source();
    }
    text
}

/// Prints a successful output as pretty JSON (wire field names) on stdout, or the error
/// on stderr, and returns the exit code.
pub fn finish<T: Serialize>(result: Result<T, Error>) -> ExitCode {
    finish_checked(result, None)
}

/// [`finish`], with the commands that show whether a call that is not safe to repeat took
/// effect, for the hint after an "outcome unknown" error (see [`outcome_unknown_hint`]).
pub fn finish_checked<T: Serialize>(result: Result<T, Error>, check: Option<&str>) -> ExitCode {
    match result {
        Ok(output) => match print_value(&output) {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(code) => code,
        },
        Err(error) => {
            eprintln!("{}", error_message(&error));
            if let Some(hint) = outcome_unknown_hint(&error, check) {
                eprintln!("{hint}");
            }
            ExitCode::from(exit_code_for(&error))
        }
    }
}

/// For `--wait`: prints `{"<Action>": first, "<WaiterAction>": last}` as pretty JSON on stdout
/// and exits 0 when the waiter reached its success state. When it reached a failure state or
/// timed out, prints `{"<WaiterAction>": last}` (the last response, when there is one), says
/// why on stderr and exits 1; other errors finish as [`finish`] does.
pub fn finish_waited<A: Serialize, B: Serialize>(
    result: Result<(A, B), WaiterError<B>>,
    action: &str,
    waiter_action: &str,
    waiter: &str,
    check: Option<&str>,
) -> ExitCode {
    let mut both = serde_json::Map::new();
    let error = match result {
        Err(WaiterError::Request(error)) => return finish_checked::<()>(Err(error), check),
        Ok((first, last)) => {
            both.insert(
                action.to_owned(),
                serde_json::to_value(&first).unwrap_or_default(),
            );
            both.insert(
                waiter_action.to_owned(),
                serde_json::to_value(&last).unwrap_or_default(),
            );
            None
        }
        Err(error) => {
            if let Some(last) = error.output() {
                both.insert(
                    waiter_action.to_owned(),
                    serde_json::to_value(last).unwrap_or_default(),
                );
            }
            Some(error.to_string())
        }
    };
    if !both.is_empty() {
        if let Err(code) = print_value(&both) {
            return code;
        }
    }
    match error {
        None => ExitCode::from(EXIT_OK),
        Some(reason) => {
            eprintln!("error: {waiter_action} (waiter {waiter}): {reason}; see the {waiter_action} response above");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Prints `value` on stdout as `--query`, `--output` and `--columns` say
/// ([`output::print_output`]); on failure says why on stderr and gives the exit code: 2 when
/// the query does not apply to this output, 1 when stdout cannot be written.
pub fn print_value<T: Serialize>(value: &T) -> Result<(), ExitCode> {
    let value = serde_json::to_value(value).map_err(|e| {
        eprintln!("error: cannot write the output: {e}");
        ExitCode::from(EXIT_FAILURE)
    })?;
    output::print_output(&value).map_err(|e| match e {
        output::OutputError::Query(message) => {
            eprintln!("error: --query: {message}");
            ExitCode::from(EXIT_USAGE)
        }
        output::OutputError::Io(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    })
}

/// Writes `value` as pretty JSON and a newline to stdout (ignoring `--query` and `--output`).
pub fn print_json<T: Serialize>(value: &T) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(text.as_bytes())?;
    lock.flush()
}

/// Parses a JSON flag value (for parameters that take any JSON value).
pub fn parse_json(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))
}

/// Parses a value of an enum of the spec; values the spec does not list are kept (as the
/// library keeps them), text that is not of the enum's wire type is an error.
pub fn parse_enum<E: WireEnum>(text: &str) -> Result<E, String> {
    match <E::Value as acs_model::EnumValue>::enum_from_text::<E>(text) {
        Ok(Some(value)) => Ok(value),
        _ => Err(format!(
            "`{text}` is not a {} value",
            <E::Value as acs_model::EnumValue>::KIND
        )),
    }
}

/// Parses `true` or `false`.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(format!("`{text}` is not true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_parse() {
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("abc").is_err());
        assert!(parse_seconds("NaN").is_err());
    }

    #[test]
    fn exit_codes() {
        assert_eq!(
            exit_code_for(&Error::validation("DeploymentId", "missing")),
            EXIT_USAGE
        );
        let transport = Error::Transport {
            kind: acs_runtime::TransportKind::Refused,
            attempts: 3,
            host: "127.0.0.1:9".into(),
            proxy: None,
            source: "refused".into(),
        };
        assert_eq!(exit_code_for(&transport), EXIT_FAILURE);
        assert!(error_message(&transport).contains("3 attempts"));
    }

    struct Svc;
    impl Service for Svc {
        const INFO: acs_runtime::ServiceInfo = acs_runtime::ServiceInfo {
            product: "p",
            version: "v",
            endpoint_map: &[],
            endpoint_fallback: "p.{region}.aliyuncs.com",
            error_codes: &[],
            sdk_name: "p",
            sdk_version: "0",
        };
    }

    fn global(args: &[&str]) -> GlobalArgs {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Args {
            #[command(flatten)]
            global: GlobalArgs,
        }
        Args::try_parse_from(std::iter::once("tool").chain(args.iter().copied()))
            .expect("valid flags")
            .global
    }

    #[test]
    fn network_flags_reach_the_configuration() {
        let args = global(&[
            "--endpoint",
            "http://127.0.0.1:9",
            "--proxy",
            "http://u:pw@127.0.0.1:3128",
        ]);
        let config = args
            .config_builder::<Svc>()
            .credentials(acs_runtime::Credentials::new("a", "b"))
            .build()
            .expect("config");
        assert_eq!(config.proxy(), Some("http://127.0.0.1:3128"));
        let args = global(&[
            "--endpoint",
            "http://127.0.0.1:9",
            "--proxy",
            "http://127.0.0.1:3128",
            "--no-proxy",
            "127.0.0.1",
        ]);
        let config = args
            .config_builder::<Svc>()
            .credentials(acs_runtime::Credentials::new("a", "b"))
            .build()
            .expect("config");
        assert_eq!(config.proxy(), None);
        let args = global(&[
            "--endpoint",
            "https://127.0.0.1:9",
            "--ca-bundle",
            "/no/such.pem",
        ]);
        let err = args
            .config_builder::<Svc>()
            .credentials(acs_runtime::Credentials::new("a", "b"))
            .build()
            .expect_err("missing bundle");
        assert!(err.to_string().contains("/no/such.pem"), "{err}");
    }

    #[test]
    fn bools_and_json() {
        assert_eq!(parse_bool("TRUE"), Ok(true));
        assert!(parse_bool("yes").is_err());
        assert!(parse_json("{\"a\":1}").is_ok());
        assert!(parse_json("{").is_err());
    }
}
