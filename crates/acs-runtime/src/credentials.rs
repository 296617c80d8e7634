//! Credentials: static AccessKey (optionally with an STS token), providers and the default chain.
//!
//! The [`DefaultChain`] follows the official Alibaba Cloud SDKs, limited to the modes this SDK can
//! serve (AccessKey and STS token):
//!
//! 1. environment: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, optional
//!    `ALIBABA_CLOUD_SECURITY_TOKEN`;
//! 2. the aliyun CLI's `~/.aliyun/config.json` (modes `AK` and `StsToken`), profile from
//!    `ALIBABA_CLOUD_PROFILE`, else the file's `current`; skipped when
//!    `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`;
//! 3. `~/.alibabacloud/credentials.ini` (or the file named by `ALIBABA_CLOUD_CREDENTIALS_FILE`),
//!    section `ALIBABA_CLOUD_PROFILE`, else `default`, with `type = access_key`,
//!    `access_key_id`, `access_key_secret`.
//!
//! OIDC settings in the environment, RAM-role, ECS-role and other modes in a profile are reported
//! as [`CredentialsError::Unsupported`], naming the mode and the file, rather than silently skipped.
//! ECS instance metadata and `ALIBABA_CLOUD_CREDENTIALS_URI` are not used.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use acs_sign::Credentials;

use crate::env::{Env, SystemEnv};
use crate::ini::Ini;

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
/// Environment variable that disables the CLI profile source when `true`.
pub const ENV_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";

const OIDC_VARS: [&str; 3] = [
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
];

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
    /// A profile or setting asks for a credential mode this SDK cannot serve.
    #[error("credential mode {mode:?} in {location} is not supported by this SDK (supported: AccessKey and STS token); use an AK/StsToken profile or set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}")]
    Unsupported {
        /// The mode or type as written (`RamRoleArn`, `ecs_ram_role`, `OIDC`, ...).
        mode: String,
        /// Where it was found (file and profile, or `environment`).
        location: String,
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
}

/// A source of credentials, asked once per API call.
///
/// Implementations must not print secrets in their `Debug` output.
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// Returns the credentials to sign the next call with.
    fn credentials(&self) -> Result<Credentials, CredentialsError>;
}

impl CredentialsProvider for Credentials {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for Arc<P> {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).credentials()
    }
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for Box<P> {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).credentials()
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

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Environment source: `Ok(None)` when neither key variable is set.
fn from_environment(env: &dyn Env) -> Result<Option<Credentials>, CredentialsError> {
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
            let creds = Credentials::new(id.trim(), secret.trim());
            Ok(Some(match non_empty(env.var(ENV_SECURITY_TOKEN)) {
                Some(token) => creds.with_security_token(token.trim()),
                None => creds,
            }))
        }
    }
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
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Credentials::from_env_with(self.env.as_ref())
    }
}

/// The default credentials chain (see the [module docs](self) for the order), evaluated at
/// every call so rotated files are picked up.
///
/// With an explicit profile ([`DefaultChain::with_profile`], e.g. a CLI's `--profile`), the
/// environment AccessKey is skipped and the profile must exist in the CLI config or the
/// credentials file.
///
/// ```
/// use std::sync::Arc;
/// use acs_runtime::credentials::{CredentialsProvider, DefaultChain};
/// use acs_runtime::env::MemoryEnv;
/// let env = MemoryEnv::new().with_home("/home/me").with_file(
///     "/home/me/.alibabacloud/credentials.ini",
///     "[work]\ntype = access_key\naccess_key_id = LTAI-work\naccess_key_secret = s\n",
/// );
/// let chain = DefaultChain::with_profile("work").env(Arc::new(env));
/// assert_eq!(chain.credentials().unwrap().access_key_id(), "LTAI-work");
/// ```
#[derive(Debug, Clone)]
pub struct DefaultChain {
    env: Arc<dyn Env>,
    profile: Option<String>,
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultChain {
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

    /// Reads variables and files from `env` instead of the process.
    pub fn env(mut self, env: Arc<dyn Env>) -> Self {
        self.env = env;
        self
    }

    /// The explicit profile, if any.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    fn resolve(&self) -> Result<Credentials, CredentialsError> {
        let env = self.env.as_ref();
        let mut tried = Vec::new();
        if self.profile.is_none() {
            if let Some(creds) = from_environment(env)? {
                tracing::debug!(source = "environment", "using credentials");
                return Ok(creds);
            }
            tried.push(format!("environment ({ENV_ACCESS_KEY_ID} not set)"));
            let oidc_set: Vec<&str> = OIDC_VARS
                .iter()
                .copied()
                .filter(|v| non_empty(env.var(v)).is_some())
                .collect();
            if oidc_set.len() == OIDC_VARS.len() {
                return Err(CredentialsError::Unsupported {
                    mode: "OIDC".into(),
                    location: format!("environment ({})", OIDC_VARS.join(", ")),
                });
            }
        }
        let env_profile = non_empty(env.var(ENV_PROFILE));
        let requested = self.profile.clone().or(env_profile);

        let cli_disabled = env
            .var(ENV_CLI_PROFILE_DISABLED)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if cli_disabled {
            tried.push(format!(
                "aliyun CLI config (disabled by {ENV_CLI_PROFILE_DISABLED})"
            ));
        } else {
            match env.home_dir() {
                Some(home) => {
                    let path = home.join(".aliyun").join("config.json");
                    match from_cli_config(env, &path, requested.as_deref())? {
                        Lookup::Found(creds) => return Ok(creds),
                        Lookup::Missing(note) => tried.push(note),
                    }
                }
                None => tried.push("aliyun CLI config (no home directory)".into()),
            }
        }

        let explicit_file = non_empty(env.var(ENV_CREDENTIALS_FILE)).map(PathBuf::from);
        let ini_path = explicit_file.clone().or_else(|| {
            env.home_dir()
                .map(|h| h.join(".alibabacloud").join("credentials.ini"))
        });
        match ini_path {
            Some(path) => {
                let section = requested.as_deref().unwrap_or("default");
                match from_ini_file(env, &path, section, explicit_file.is_some())? {
                    Lookup::Found(creds) => return Ok(creds),
                    Lookup::Missing(note) => tried.push(note),
                }
            }
            None => tried.push("credentials file (no home directory)".into()),
        }

        match &self.profile {
            Some(profile) => Err(CredentialsError::ProfileNotFound {
                profile: profile.clone(),
                searched: tried,
            }),
            None => Err(CredentialsError::NotFound { tried }),
        }
    }
}

impl CredentialsProvider for DefaultChain {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.resolve()
    }
}

enum Lookup {
    Found(Credentials),
    Missing(String),
}

fn read_optional(env: &dyn Env, path: &Path) -> Result<Option<String>, CredentialsError> {
    match env.read_file(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CredentialsError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn json_str<'a>(profile: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    profile
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn from_cli_config(
    env: &dyn Env,
    path: &Path,
    requested: Option<&str>,
) -> Result<Lookup, CredentialsError> {
    let shown = path.display().to_string();
    let Some(text) = read_optional(env, path)? else {
        return Ok(Lookup::Missing(format!("{shown} (not found)")));
    };
    let invalid = |message: String| CredentialsError::Invalid {
        location: shown.clone(),
        message,
    };
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        invalid(format!(
            "not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let name = requested
        .map(str::to_string)
        .or_else(|| json_str(&doc, "current").map(str::to_string))
        .unwrap_or_else(|| "default".to_string());
    let profiles = doc
        .get("profiles")
        .and_then(|p| p.as_array())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let Some(profile) = profiles
        .iter()
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name.as_str()))
    else {
        return Ok(Lookup::Missing(format!("{shown} (no profile {name:?})")));
    };
    let location = format!("{shown}, profile {name:?}");
    let mode = json_str(profile, "mode").unwrap_or("AK");
    let key = |field: &str| -> Result<&str, CredentialsError> {
        json_str(profile, field).ok_or_else(|| CredentialsError::Invalid {
            location: location.clone(),
            message: format!("mode {mode} requires a non-empty `{field}`"),
        })
    };
    let creds = match mode {
        "AK" => Credentials::new(key("access_key_id")?, key("access_key_secret")?),
        "StsToken" => Credentials::new(key("access_key_id")?, key("access_key_secret")?)
            .with_security_token(key("sts_token")?),
        other => {
            return Err(CredentialsError::Unsupported {
                mode: other.to_string(),
                location,
            })
        }
    };
    tracing::debug!(source = %shown, profile = %name, mode, "using credentials");
    Ok(Lookup::Found(creds))
}

fn from_ini_file(
    env: &dyn Env,
    path: &Path,
    section: &str,
    explicit: bool,
) -> Result<Lookup, CredentialsError> {
    let shown = path.display().to_string();
    let text = match read_optional(env, path)? {
        Some(text) => text,
        None if explicit => {
            return Err(CredentialsError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("the file named by {ENV_CREDENTIALS_FILE} does not exist"),
                ),
            })
        }
        None => return Ok(Lookup::Missing(format!("{shown} (not found)"))),
    };
    let ini = Ini::parse(&text).map_err(|e| CredentialsError::Invalid {
        location: shown.clone(),
        message: format!("line {}: {}", e.line, e.reason),
    })?;
    if !ini.has_section(section) {
        return Ok(Lookup::Missing(format!("{shown} (no section [{section}])")));
    }
    let location = format!("{shown}, section [{section}]");
    let get = |key: &str| {
        ini.get(section, key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let kind = get("type").unwrap_or("access_key");
    match kind {
        "access_key" => {
            let need = |key: &str| {
                get(key).ok_or_else(|| CredentialsError::Invalid {
                    location: location.clone(),
                    message: format!("type access_key requires a non-empty `{key}`"),
                })
            };
            let creds = Credentials::new(need("access_key_id")?, need("access_key_secret")?);
            tracing::debug!(source = %shown, section, "using credentials");
            Ok(Lookup::Found(creds))
        }
        other => Err(CredentialsError::Unsupported {
            mode: other.to_string(),
            location,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemoryEnv;

    const HOME: &str = "/home/u";
    const CLI: &str = "/home/u/.aliyun/config.json";
    const INI: &str = "/home/u/.alibabacloud/credentials.ini";

    fn chain(env: MemoryEnv) -> DefaultChain {
        DefaultChain::new().env(Arc::new(env.with_home(HOME)))
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
        let c = chain(env).credentials().unwrap();
        assert_eq!(c.access_key_id(), "AK_ENV");
        assert_eq!(c.access_key_secret(), "S_ENV");
        assert_eq!(c.security_token(), Some("TOK_ENV"));
    }

    #[test]
    fn env_incomplete_is_an_error_naming_the_variable() {
        let env = MemoryEnv::new().with_var(ENV_ACCESS_KEY_ID, "AK_ENV");
        let err = chain(env).credentials().unwrap_err();
        assert!(err.to_string().contains(ENV_ACCESS_KEY_SECRET), "{err}");
        let env = MemoryEnv::new().with_var(ENV_ACCESS_KEY_SECRET, "S_ENV");
        let err = chain(env).credentials().unwrap_err();
        assert!(!err.to_string().contains("S_ENV"));
        assert!(err.to_string().contains(ENV_ACCESS_KEY_ID), "{err}");
    }

    #[test]
    fn cli_profile_current_and_env_profile() {
        let env = MemoryEnv::new()
            .with_file(CLI, cli_doc("default"))
            .with_file(INI, INI_DOC);
        let c = chain(env.clone()).credentials().unwrap();
        assert_eq!((c.access_key_id(), c.security_token()), ("AK_CLI", None));

        let c = chain(env.with_var(ENV_PROFILE, "sts"))
            .credentials()
            .unwrap();
        assert_eq!(c.access_key_id(), "AK_STS");
        assert_eq!(c.access_key_secret(), "S_STS");
        assert_eq!(c.security_token(), Some("TOK_STS"));

        let env = MemoryEnv::new().with_file(CLI, cli_doc("sts"));
        assert_eq!(chain(env).credentials().unwrap().access_key_id(), "AK_STS");
    }

    #[test]
    fn unsupported_cli_mode_names_mode_and_file() {
        let env = MemoryEnv::new()
            .with_file(CLI, cli_doc("role"))
            .with_file(INI, INI_DOC);
        let err = chain(env).credentials().unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CredentialsError::Unsupported { .. }));
        assert!(msg.contains("RamRoleArn") && msg.contains(CLI), "{msg}");
        assert!(!msg.contains("S_R"));
    }

    #[test]
    fn incomplete_cli_profile() {
        let env = MemoryEnv::new().with_file(CLI, cli_doc("broken"));
        let msg = chain(env).credentials().unwrap_err().to_string();
        assert!(
            msg.contains("access_key_secret") && msg.contains("broken"),
            "{msg}"
        );
    }

    #[test]
    fn malformed_cli_json() {
        let env = MemoryEnv::new().with_file(CLI, "{\"current\": \"x\", SECRETVALUE");
        let msg = chain(env).credentials().unwrap_err().to_string();
        assert!(msg.contains(CLI) && msg.contains("JSON"), "{msg}");
        assert!(!msg.contains("SECRETVALUE"));
    }

    #[test]
    fn cli_disabled_and_missing_profile_fall_through_to_ini() {
        let env = MemoryEnv::new()
            .with_file(CLI, cli_doc("default"))
            .with_file(INI, INI_DOC)
            .with_var(ENV_CLI_PROFILE_DISABLED, "TRUE");
        assert_eq!(chain(env).credentials().unwrap().access_key_id(), "AK_INI");
        let env = MemoryEnv::new()
            .with_file(CLI, cli_doc("nonexistent"))
            .with_file(INI, INI_DOC);
        assert_eq!(chain(env).credentials().unwrap().access_key_id(), "AK_INI");
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
        let err = chain(env.clone()).credentials().unwrap_err();
        assert!(matches!(err, CredentialsError::NotFound { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("/etc/creds.ini (no section [default])"),
            "{err}"
        );
        let c = chain(env.with_var(ENV_PROFILE, "p2"))
            .credentials()
            .unwrap();
        assert_eq!(c.access_key_id(), "AK_P2");
    }

    #[test]
    fn explicit_ini_file_missing_is_an_error() {
        let env = MemoryEnv::new().with_var(ENV_CREDENTIALS_FILE, "/nope.ini");
        let err = chain(env).credentials().unwrap_err();
        assert!(matches!(err, CredentialsError::Io { .. }));
        assert!(err.to_string().contains("/nope.ini"), "{err}");
    }

    #[test]
    fn unsupported_ini_type_and_missing_key() {
        let env = MemoryEnv::new()
            .with_file(INI, INI_DOC)
            .with_var(ENV_PROFILE, "role");
        let msg = chain(env).credentials().unwrap_err().to_string();
        assert!(
            msg.contains("ram_role_arn") && msg.contains(INI) && msg.contains("[role]"),
            "{msg}"
        );
        let env = MemoryEnv::new()
            .with_file(INI, INI_DOC)
            .with_var(ENV_PROFILE, "noid");
        let msg = chain(env).credentials().unwrap_err().to_string();
        assert!(msg.contains("access_key_id"), "{msg}");
    }

    #[test]
    fn malformed_ini_reports_line_only() {
        let env = MemoryEnv::new().with_file(INI, "[default]\nTOPSECRET\n");
        let msg = chain(env).credentials().unwrap_err().to_string();
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
        let msg = chain(env).credentials().unwrap_err().to_string();
        assert!(
            msg.contains("OIDC") && msg.contains("ALIBABA_CLOUD_ROLE_ARN"),
            "{msg}"
        );
    }

    #[test]
    fn nothing_found_lists_sources() {
        let msg = chain(MemoryEnv::new())
            .credentials()
            .unwrap_err()
            .to_string();
        assert!(msg.contains(ENV_ACCESS_KEY_ID), "{msg}");
        assert!(msg.contains(CLI) && msg.contains(INI), "{msg}");
        let no_home = DefaultChain::new().env(Arc::new(MemoryEnv::new()));
        assert!(no_home
            .credentials()
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
        let c = DefaultChain::with_profile("sts")
            .env(Arc::new(env.clone()))
            .credentials()
            .unwrap();
        assert_eq!(c.access_key_id(), "AK_STS");
        let err = DefaultChain::with_profile("ghost")
            .env(Arc::new(env))
            .credentials()
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
        let dbg = format!("{chain:?} {:?}", chain.credentials().unwrap());
        assert!(!dbg.contains("S_ENV_SECRET"), "{dbg}");
    }
}
