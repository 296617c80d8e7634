//! Credentials: static AccessKey (optionally with an STS token), the provider trait and the
//! [`StaticChain`] of sources that need no network.
//!
//! A [`CredentialsProvider`] is asked (asynchronously) once per API call. The runtime itself
//! serves static credentials only; the `acs-credentials` crate adds the providers that call
//! STS, the ECS metadata service or a credentials URI, with caching, and the full default
//! chain of the official SDKs. A generated client picks its default provider through
//! [`Service::default_credentials`](crate::Service::default_credentials).
//!
//! The [`StaticChain`] (the default of a client whose product names no other) reads, at every
//! call:
//!
//! 1. environment: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, optional
//!    `ALIBABA_CLOUD_SECURITY_TOKEN`;
//! 2. the aliyun CLI's `~/.aliyun/config.json` (or `ALIBABA_CLOUD_CONFIG_FILE`), modes `AK`
//!    and `StsToken`, profile from `ALIBABA_CLOUD_PROFILE`, else the file's `current`;
//!    skipped when `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`;
//! 3. `~/.alibabacloud/credentials.ini` (or `ALIBABA_CLOUD_CREDENTIALS_FILE`), section
//!    `ALIBABA_CLOUD_PROFILE`, else `default`, `type = access_key`.
//!
//! OIDC settings in the environment and RAM-role, ECS-role, OIDC and external-command
//! profiles are reported as [`CredentialsError::Unsupported`] (they need `acs-credentials`).

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

pub use acs_sign::Credentials;

use crate::env::{Env, SystemEnv};
use crate::error::BoxError;
use crate::profile::{self, non_empty, ProfileCredentials};

/// Environment variable holding the AccessKey id.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// Environment variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// Environment variable holding an STS security token.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Environment variable naming the profile (CLI config and credentials file).
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// Environment variable naming the credentials INI file.
pub const ENV_CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
/// Environment variable naming the aliyun CLI configuration file.
pub const ENV_CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";
/// Environment variable that disables the CLI profile source when `true`.
pub const ENV_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// Environment variable: the RAM role ARN (OIDC, with the two below).
pub const ENV_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// Environment variable: the OIDC identity provider ARN.
pub const ENV_OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// Environment variable: the file holding the OIDC token.
pub const ENV_OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// Environment variable: the role session name.
pub const ENV_ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
/// Environment variable: the STS region (`sts.<region>.aliyuncs.com`).
pub const ENV_STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// Environment variable: `true` selects the STS VPC endpoint (`sts-vpc.<region>...`).
pub const ENV_VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
/// Environment variable (an extension of this SDK): the STS endpoint URL.
pub const ENV_STS_ENDPOINT: &str = "ALIBABA_CLOUD_STS_ENDPOINT";
/// Environment variable: `true` disables the ECS RAM role source.
pub const ENV_ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// Environment variable: the ECS RAM role name (else asked of the metadata service).
pub const ENV_ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// Environment variable: `true` forbids the IMDSv1 fallback.
pub const ENV_IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// Environment variable (an extension of this SDK): the ECS metadata service URL.
pub const ENV_ECS_METADATA_SERVICE_ENDPOINT: &str = "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT";
/// Environment variable: a URL that serves credentials as JSON.
pub const ENV_CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";

/// The three variables that together turn the OIDC source on.
pub const OIDC_VARS: [&str; 3] = [ENV_ROLE_ARN, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE];

/// Why no credentials could be obtained. Messages name sources and files, never secret values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// No source had credentials.
    #[error("no Alibaba Cloud credentials found; set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}, or configure a profile (tried: {})", tried.join("; "))]
    NotFound {
        /// What was looked at, in order.
        tried: Vec<String>,
    },
    /// A profile or setting asks for a credential mode this provider cannot serve.
    #[error("credential mode {mode:?} in {location} is not supported (supported: {supported})")]
    Unsupported {
        /// The mode or type as written (`RamRoleArn`, `ecs_ram_role`, `OIDC`, ...).
        mode: String,
        /// Where it was found (file and profile, or `environment`).
        location: String,
        /// What is supported there.
        supported: &'static str,
    },
    /// A source is present but incomplete or malformed.
    #[error("invalid credentials in {location}: {message}")]
    Invalid {
        /// Where (file and profile, or `environment`).
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A credentials file exists but could not be read.
    #[error("cannot read credentials file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An explicitly requested profile exists in no source.
    #[error("profile {profile:?} not found (looked in: {})", searched.join("; "))]
    ProfileNotFound {
        /// The profile name.
        profile: String,
        /// What was looked at.
        searched: Vec<String>,
    },
    /// A configured provider failed (a service refused, did not answer, or answered
    /// something unusable); the default chain stops there.
    #[error("credentials provider {provider} failed: {source}{}", fmt_tried(tried))]
    ProviderFailed {
        /// The provider and where it was configured (`ECS RAM role (http://100.100.100.200)`,
        /// `RAM role acs:ram::1:role/x (~/.aliyun/config.json, profile "dev")`).
        provider: String,
        /// What the chain looked at before it (empty outside a chain).
        tried: Vec<String>,
        /// The cause (never holds a secret).
        #[source]
        source: BoxError,
    },
}

fn fmt_tried(tried: &[String]) -> String {
    if tried.is_empty() {
        String::new()
    } else {
        format!(" (tried before: {})", tried.join("; "))
    }
}

/// What [`CredentialsProvider::credentials`] returns.
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A provider shared by the clients and configurations that use it (clones share its cache).
pub type SharedCredentialsProvider = Arc<dyn CredentialsProvider>;

/// A source of credentials, asked once per API call (anonymous actions do not ask).
///
/// Providers that fetch temporary credentials cache them; a client's clones share the
/// provider and so the cache. Implementations must not print secrets in their `Debug` output.
///
/// ```
/// use acs_runtime::credentials::{Credentials, CredentialsFuture, CredentialsProvider};
///
/// #[derive(Debug)]
/// struct FromVault;
/// impl CredentialsProvider for FromVault {
///     fn credentials(&self) -> CredentialsFuture<'_> {
///         Box::pin(async { Ok(Credentials::new("LTAI-example", "example-secret")) })
///     }
/// }
/// ```
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// The credentials to sign the next call with.
    fn credentials(&self) -> CredentialsFuture<'_>;
}

impl CredentialsProvider for Credentials {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for Arc<P> {
    fn credentials(&self) -> CredentialsFuture<'_> {
        (**self).credentials()
    }
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for Box<P> {
    fn credentials(&self) -> CredentialsFuture<'_> {
        (**self).credentials()
    }
}

/// What a client's default credentials provider is built from, when the configuration names
/// no provider: where variables and files are read, the profile (a CLI's `--profile`), and
/// the endpoints of the services the providers call. The runtime's [`StaticChain`] uses the
/// first two; `acs-credentials` uses all of them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CredentialsSettings {
    /// Environment variables, files and home directory.
    pub env: Arc<dyn Env>,
    /// An explicit profile: then the environment AccessKey is skipped and the profile must
    /// exist in the CLI config or the credentials file.
    pub profile: Option<String>,
    /// STS endpoint URL (wins over `ALIBABA_CLOUD_STS_ENDPOINT`).
    pub sts_endpoint: Option<String>,
    /// ECS metadata service URL (wins over `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT`).
    pub ecs_metadata_endpoint: Option<String>,
}

impl CredentialsSettings {
    /// Settings over `env`, with no profile and the default endpoints.
    pub fn new(env: Arc<dyn Env>) -> Self {
        CredentialsSettings {
            env,
            profile: None,
            sts_endpoint: None,
            ecs_metadata_endpoint: None,
        }
    }

    /// Sets the explicit profile.
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Sets the STS endpoint URL.
    pub fn with_sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the ECS metadata service URL.
    pub fn with_ecs_metadata_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.ecs_metadata_endpoint = Some(endpoint.into());
        self
    }
}

impl Default for CredentialsSettings {
    fn default() -> Self {
        CredentialsSettings::new(Arc::new(SystemEnv))
    }
}

/// `Credentials::from_env()` for [`acs_sign::Credentials`].
///
/// ```
/// use acs_runtime::credentials::{Credentials, CredentialsExt};
/// use acs_runtime::env::MemoryEnv;
/// let env = MemoryEnv::new()
///     .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-example")
///     .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "example-secret");
/// let creds = Credentials::from_env_with(&env).unwrap();
/// assert_eq!(creds.access_key_id(), "LTAI-example");
/// assert!(creds.security_token().is_none());
/// ```
pub trait CredentialsExt: Sized {
    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the optional
    /// `ALIBABA_CLOUD_SECURITY_TOKEN` from the process environment.
    fn from_env() -> Result<Self, CredentialsError> {
        Self::from_env_with(&SystemEnv)
    }

    /// Same as [`from_env`](Self::from_env), from the given environment.
    fn from_env_with(env: &dyn Env) -> Result<Self, CredentialsError>;
}

impl CredentialsExt for Credentials {
    fn from_env_with(env: &dyn Env) -> Result<Self, CredentialsError> {
        from_environment(env)?.ok_or_else(|| CredentialsError::NotFound {
            tried: vec![format!("environment: {ENV_ACCESS_KEY_ID} is not set")],
        })
    }
}

/// The environment source: `Ok(None)` when neither key variable is set, an error naming the
/// missing variable when only one is.
pub fn from_environment(env: &dyn Env) -> Result<Option<Credentials>, CredentialsError> {
    let id = non_empty(env.var(ENV_ACCESS_KEY_ID));
    let secret = non_empty(env.var(ENV_ACCESS_KEY_SECRET));
    match (id, secret) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(CredentialsError::Invalid {
            location: "environment".into(),
            message: format!("{ENV_ACCESS_KEY_ID} is set but {ENV_ACCESS_KEY_SECRET} is not"),
        }),
        (None, Some(_)) => Err(CredentialsError::Invalid {
            location: "environment".into(),
            message: format!("{ENV_ACCESS_KEY_SECRET} is set but {ENV_ACCESS_KEY_ID} is not"),
        }),
        (Some(id), Some(secret)) => {
            let creds = Credentials::new(id, secret);
            Ok(Some(match non_empty(env.var(ENV_SECURITY_TOKEN)) {
                Some(token) => creds.with_security_token(token),
                None => creds,
            }))
        }
    }
}

/// Whether a boolean environment variable is `true` (case-insensitive).
pub fn env_flag(env: &dyn Env, name: &str) -> bool {
    env.var(name)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Credentials from the environment only (see [`CredentialsExt::from_env`]), read at every call.
#[derive(Debug, Clone)]
pub struct EnvProvider {
    env: Arc<dyn Env>,
}

impl EnvProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self {
            env: Arc::new(SystemEnv),
        }
    }

    /// Reads the given environment.
    pub fn with_env(env: Arc<dyn Env>) -> Self {
        Self { env }
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl CredentialsProvider for EnvProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(std::future::ready(Credentials::from_env_with(
            self.env.as_ref(),
        )))
    }
}

/// The sources that need no network (see the [module docs](self) for the order), evaluated
/// at every call so rotated files are picked up.
///
/// With an explicit profile ([`StaticChain::with_profile`], e.g. a CLI's `--profile`), the
/// environment AccessKey is skipped and the profile must exist in the CLI config or the
/// credentials file.
///
/// ```
/// use std::sync::Arc;
/// use acs_runtime::credentials::StaticChain;
/// use acs_runtime::env::MemoryEnv;
/// let env = MemoryEnv::new().with_home("/home/me").with_file(
///     "/home/me/.alibabacloud/credentials.ini",
///     "[work]\ntype = access_key\naccess_key_id = LTAI-work\naccess_key_secret = s\n",
/// );
/// let chain = StaticChain::with_profile("work").env(Arc::new(env));
/// assert_eq!(chain.resolve().unwrap().access_key_id(), "LTAI-work");
/// ```
#[derive(Debug, Clone)]
pub struct StaticChain {
    env: Arc<dyn Env>,
    profile: Option<String>,
}

impl Default for StaticChain {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a static source is configured: what the chain found, or what it looked at.
enum Found {
    Credentials(Credentials),
    Profile(profile::Profile),
}

impl StaticChain {
    /// The chain over the process environment and file system.
    pub fn new() -> Self {
        Self {
            env: Arc::new(SystemEnv),
            profile: None,
        }
    }

    /// The chain restricted to the named profile (CLI config, then credentials file).
    pub fn with_profile(name: impl Into<String>) -> Self {
        Self {
            env: Arc::new(SystemEnv),
            profile: Some(name.into()),
        }
    }

    /// The chain for these settings (environment and profile).
    pub fn from_settings(settings: &CredentialsSettings) -> Self {
        Self {
            env: Arc::clone(&settings.env),
            profile: settings.profile.clone(),
        }
    }

    /// Reads variables and files from `env` instead of the process.
    pub fn env(mut self, env: Arc<dyn Env>) -> Self {
        self.env = env;
        self
    }

    /// The explicit profile, if any.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Looks for credentials now.
    pub fn resolve(&self) -> Result<Credentials, CredentialsError> {
        let mut tried = Vec::new();
        match self.find(&mut tried)? {
            Some(Found::Credentials(c)) => Ok(c),
            Some(Found::Profile(p)) => match p.credentials {
                ProfileCredentials::Static(c) => Ok(c),
                _ => Err(CredentialsError::Unsupported {
                    mode: p.mode,
                    location: p.location,
                    supported: STATIC_ONLY,
                }),
            },
            None => Err(match &self.profile {
                Some(profile) => CredentialsError::ProfileNotFound {
                    profile: profile.clone(),
                    searched: tried,
                },
                None => CredentialsError::NotFound { tried },
            }),
        }
    }

    fn find(&self, tried: &mut Vec<String>) -> Result<Option<Found>, CredentialsError> {
        let env = self.env.as_ref();
        if self.profile.is_none() {
            if let Some(creds) = from_environment(env)? {
                tracing::debug!(source = "environment", "using credentials");
                return Ok(Some(Found::Credentials(creds)));
            }
            tried.push(format!("environment ({ENV_ACCESS_KEY_ID} not set)"));
            if OIDC_VARS.iter().all(|v| non_empty(env.var(v)).is_some()) {
                return Err(CredentialsError::Unsupported {
                    mode: "OIDC".into(),
                    location: format!("environment ({})", OIDC_VARS.join(", ")),
                    supported: STATIC_ONLY,
                });
            }
        }
        Ok(profile::find(env, self.profile.as_deref(), tried)?.map(Found::Profile))
    }
}

const STATIC_ONLY: &str = "AccessKey and STS token; RAM roles, ECS RAM roles, OIDC and external commands need the acs-credentials crate's DefaultChain";

impl CredentialsProvider for StaticChain {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(std::future::ready(self.resolve()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemoryEnv;

    const HOME: &str = "/home/u";
    const CLI: &str = "/home/u/.aliyun/config.json";
    const INI: &str = "/home/u/.alibabacloud/credentials.ini";

    fn chain(env: MemoryEnv) -> StaticChain {
        StaticChain::new().env(Arc::new(env.with_home(HOME)))
    }

    fn cli_doc(current: &str) -> String {
        format!(
            r#"{{"current":"{current}","profiles":[
            {{"name":"default","mode":"AK","access_key_id":"AK_CLI","access_key_secret":"S_CLI"}},
            {{"name":"sts","mode":"StsToken","access_key_id":"AK_STS","access_key_secret":"S_STS","sts_token":"TOK_STS"}},
            {{"name":"role","mode":"RamRoleArn","access_key_id":"AK_R","access_key_secret":"S_R","ram_role_arn":"acs:ram::1:role/x"}},
            {{"name":"broken","mode":"AK","access_key_id":"AK_B"}}
            ]}}"#
        )
    }

    const INI_DOC: &str = "[default]\ntype = access_key\naccess_key_id = AK_INI\naccess_key_secret = S_INI\n\n[role]\ntype = ram_role_arn\naccess_key_id = x\n[noid]\ntype = access_key\naccess_key_secret = s\n";

    #[test]
    fn environment_first() {
        let env = MemoryEnv::new()
            .with_var(ENV_ACCESS_KEY_ID, "AK_ENV")
            .with_var(ENV_ACCESS_KEY_SECRET, "S_ENV")
            .with_var(ENV_SECURITY_TOKEN, "TOK_ENV")
            .with_file(CLI, cli_doc("default"))
            .with_file(INI, INI_DOC);
        let c = chain(env).resolve().unwrap();
        assert_eq!(c.access_key_id(), "AK_ENV");
        assert_eq!(c.access_key_secret(), "S_ENV");
        assert_eq!(c.security_token(), Some("TOK_ENV"));
    }

    #[test]
    fn env_incomplete_is_an_error_naming_the_variable() {
        let env = MemoryEnv::new().with_var(ENV_ACCESS_KEY_ID, "AK_ENV");
        let err = chain(env).resolve().unwrap_err();
        assert!(err.to_string().contains(ENV_ACCESS_KEY_SECRET), "{err}");
        let env = MemoryEnv::new().with_var(ENV_ACCESS_KEY_SECRET, "S_ENV");
        let err = chain(env).resolve().unwrap_err();
        assert!(!err.to_string().contains("S_ENV"));
        assert!(err.to_string().contains(ENV_ACCESS_KEY_ID), "{err}");
    }

    #[test]
    fn cli_profile_current_and_env_profile() {
        let env = MemoryEnv::new()
            .with_file(CLI, cli_doc("default"))
            .with_file(INI, INI_DOC);
        let c = chain(env.clone()).resolve().unwrap();
        assert_eq!((c.access_key_id(), c.security_token()), ("AK_CLI", None));

        let c = chain(env.with_var(ENV_PROFILE, "sts")).resolve().unwrap();
        assert_eq!(c.access_key_id(), "AK_STS");
        assert_eq!(c.access_key_secret(), "S_STS");
        assert_eq!(c.security_token(), Some("TOK_STS"));

        let env = MemoryEnv::new().with_file(CLI, cli_doc("sts"));
        assert_eq!(chain(env).resolve().unwrap().access_key_id(), "AK_STS");
    }

    #[test]
    fn unsupported_cli_mode_names_mode_and_file() {
        let env = MemoryEnv::new()
            .with_file(CLI, cli_doc("role"))
            .with_file(INI, INI_DOC);
        let err = chain(env).resolve().unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CredentialsError::Unsupported { .. }));
        assert!(msg.contains("RamRoleArn") && msg.contains(CLI), "{msg}");
        assert!(!msg.contains("S_R"));
    }

    #[test]
    fn incomplete_cli_profile() {
        let env = MemoryEnv::new().with_file(CLI, cli_doc("broken"));
        let msg = chain(env).resolve().unwrap_err().to_string();
        assert!(
            msg.contains("access_key_secret") && msg.contains("broken"),
            "{msg}"
        );
    }

    #[test]
    fn malformed_cli_json() {
        let env = MemoryEnv::new().with_file(CLI, "{\"current\": \"x\", SECRETVALUE");
        let msg = chain(env).resolve().unwrap_err().to_string();
        assert!(msg.contains(CLI) && msg.contains("JSON"), "{msg}");
        assert!(!msg.contains("SECRETVALUE"));
    }

    #[test]
    fn cli_disabled_and_missing_profile_fall_through_to_ini() {
        let env = MemoryEnv::new()
            .with_file(CLI, cli_doc("default"))
            .with_file(INI, INI_DOC)
            .with_var(ENV_CLI_PROFILE_DISABLED, "TRUE");
        assert_eq!(chain(env).resolve().unwrap().access_key_id(), "AK_INI");
        let env = MemoryEnv::new()
            .with_file(CLI, cli_doc("nonexistent"))
            .with_file(INI, INI_DOC);
        assert_eq!(chain(env).resolve().unwrap().access_key_id(), "AK_INI");
    }

    #[test]
    fn ini_file_from_env_var_and_sections() {
        let env = MemoryEnv::new()
            .with_var(ENV_CREDENTIALS_FILE, "/etc/creds.ini")
            .with_file(
                "/etc/creds.ini",
                "[p2]\ntype=access_key\naccess_key_id=AK_P2\naccess_key_secret=S_P2\n",
            )
            .with_file(INI, INI_DOC);
        let err = chain(env.clone()).resolve().unwrap_err();
        assert!(matches!(err, CredentialsError::NotFound { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("/etc/creds.ini (no section [default])"),
            "{err}"
        );
        let c = chain(env.with_var(ENV_PROFILE, "p2")).resolve().unwrap();
        assert_eq!(c.access_key_id(), "AK_P2");
    }

    #[test]
    fn explicit_ini_file_missing_is_an_error() {
        let env = MemoryEnv::new().with_var(ENV_CREDENTIALS_FILE, "/nope.ini");
        let err = chain(env).resolve().unwrap_err();
        assert!(matches!(err, CredentialsError::Io { .. }));
        assert!(err.to_string().contains("/nope.ini"), "{err}");
    }

    #[test]
    fn unsupported_ini_type_and_missing_key() {
        let env = MemoryEnv::new()
            .with_file(INI, INI_DOC)
            .with_var(ENV_PROFILE, "role");
        let msg = chain(env).resolve().unwrap_err().to_string();
        assert!(
            msg.contains("ram_role_arn") && msg.contains(INI) && msg.contains("[role]"),
            "{msg}"
        );
        let env = MemoryEnv::new()
            .with_file(INI, INI_DOC)
            .with_var(ENV_PROFILE, "noid");
        let msg = chain(env).resolve().unwrap_err().to_string();
        assert!(msg.contains("access_key_id"), "{msg}");
    }

    #[test]
    fn malformed_ini_reports_line_only() {
        let env = MemoryEnv::new().with_file(INI, "[default]\nTOPSECRET\n");
        let msg = chain(env).resolve().unwrap_err().to_string();
        assert!(
            msg.contains("line 2") && !msg.contains("TOPSECRET"),
            "{msg}"
        );
    }

    #[test]
    fn oidc_environment_is_unsupported() {
        let mut env = MemoryEnv::new().with_file(INI, INI_DOC);
        for v in OIDC_VARS {
            env = env.with_var(v, "x");
        }
        let msg = chain(env).resolve().unwrap_err().to_string();
        assert!(
            msg.contains("OIDC") && msg.contains("ALIBABA_CLOUD_ROLE_ARN"),
            "{msg}"
        );
    }

    #[test]
    fn nothing_found_lists_sources() {
        let msg = chain(MemoryEnv::new()).resolve().unwrap_err().to_string();
        assert!(msg.contains(ENV_ACCESS_KEY_ID), "{msg}");
        assert!(msg.contains(CLI) && msg.contains(INI), "{msg}");
        let no_home = StaticChain::new().env(Arc::new(MemoryEnv::new()));
        assert!(no_home
            .resolve()
            .unwrap_err()
            .to_string()
            .contains("no home directory"));
    }

    #[test]
    fn explicit_profile_skips_environment() {
        let env = MemoryEnv::new()
            .with_home(HOME)
            .with_var(ENV_ACCESS_KEY_ID, "AK_ENV")
            .with_var(ENV_ACCESS_KEY_SECRET, "S_ENV")
            .with_var(ENV_PROFILE, "default")
            .with_file(CLI, cli_doc("default"))
            .with_file(INI, INI_DOC);
        let c = StaticChain::with_profile("sts")
            .env(Arc::new(env.clone()))
            .resolve()
            .unwrap();
        assert_eq!(c.access_key_id(), "AK_STS");
        let err = StaticChain::with_profile("ghost")
            .env(Arc::new(env))
            .resolve()
            .unwrap_err();
        assert!(matches!(err, CredentialsError::ProfileNotFound { .. }));
        assert!(err.to_string().contains("ghost"), "{err}");
    }

    #[test]
    fn debug_never_shows_secrets() {
        let env = MemoryEnv::new()
            .with_var(ENV_ACCESS_KEY_ID, "AK_ENV")
            .with_var(ENV_ACCESS_KEY_SECRET, "S_ENV_SECRET");
        let chain = chain(env);
        let dbg = format!("{chain:?} {:?}", chain.resolve().unwrap());
        assert!(!dbg.contains("S_ENV_SECRET"), "{dbg}");
    }
}
