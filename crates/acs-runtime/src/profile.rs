//! Credential profiles of the aliyun CLI's `config.json` and of `credentials.ini`, read into
//! plain data: what a profile asks for, without contacting any service.
//!
//! [`StaticChain`](crate::credentials::StaticChain) serves the static kinds itself; the
//! `acs-credentials` crate turns the others (RAM role, ECS RAM role, OIDC, external
//! command) into providers that call STS, the ECS metadata service or a process.
//!
//! Errors name the file and the profile and never echo a value (values may be secrets).

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use acs_sign::Credentials;

use crate::credentials::{
    env_flag, CredentialsError, ENV_CLI_PROFILE_DISABLED, ENV_CONFIG_FILE, ENV_CREDENTIALS_FILE,
    ENV_PROFILE,
};
use crate::env::Env;
use crate::ini::Ini;

/// Shortest role session the official libraries and STS accept, in seconds.
pub const MIN_ROLE_DURATION_SECONDS: u32 = 900;

/// What a profile asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileCredentials {
    /// An AccessKey, optionally with an STS token (CLI modes `AK` and `StsToken`, ini type
    /// `access_key`).
    Static(Credentials),
    /// AssumeRole with the credentials of `source` (CLI modes `RamRoleArn` and
    /// `ChainableRamRoleArn`, ini type `ram_role_arn`).
    AssumeRole {
        /// Where the signing credentials come from (an AccessKey, or another profile).
        source: Box<ProfileCredentials>,
        /// The role to assume.
        role: RoleSettings,
    },
    /// The ECS instance's RAM role (CLI mode `EcsRamRole`, ini type `ecs_ram_role`).
    EcsRamRole {
        /// The role name; `None` asks the metadata service.
        role_name: Option<String>,
    },
    /// AssumeRoleWithOIDC with a token file (CLI mode `OIDC`, ini type `oidc_role_arn`).
    Oidc(OidcSettings),
    /// The JSON printed by a command (CLI mode `External`).
    External {
        /// The command line (split like a POSIX shell would, but run without a shell).
        command: String,
    },
}

impl ProfileCredentials {
    /// The kind, as the official libraries name their providers (`static_ak`, `static_sts`,
    /// `ram_role_arn`, `ecs_ram_role`, `oidc_role_arn`, `external`).
    pub fn kind(&self) -> &'static str {
        match self {
            ProfileCredentials::Static(c) if c.security_token().is_some() => "static_sts",
            ProfileCredentials::Static(_) => "static_ak",
            ProfileCredentials::AssumeRole { .. } => "ram_role_arn",
            ProfileCredentials::EcsRamRole { .. } => "ecs_ram_role",
            ProfileCredentials::Oidc(_) => "oidc_role_arn",
            ProfileCredentials::External { .. } => "external",
        }
    }
}

/// The role of an AssumeRole call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RoleSettings {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName` (default chosen by the provider).
    pub session_name: Option<String>,
    /// `DurationSeconds` (at least [`MIN_ROLE_DURATION_SECONDS`]; default 3600).
    pub duration_seconds: Option<u32>,
    /// `Policy`.
    pub policy: Option<String>,
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// STS region (`sts.<region>.aliyuncs.com`).
    pub sts_region: Option<String>,
    /// Use the VPC endpoint (`sts-vpc.<region>.aliyuncs.com`).
    pub enable_vpc: Option<bool>,
}

impl RoleSettings {
    /// Settings for `role_arn` with every option at its default.
    pub fn new(role_arn: impl Into<String>) -> Self {
        RoleSettings {
            role_arn: role_arn.into(),
            ..RoleSettings::default()
        }
    }
}

/// The role and token file of an AssumeRoleWithOIDC call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OidcSettings {
    /// `RoleArn`, `RoleSessionName`, `DurationSeconds`, `Policy` and the STS endpoint
    /// (`external_id` is not used by AssumeRoleWithOIDC).
    pub role: RoleSettings,
    /// `OIDCProviderArn`.
    pub oidc_provider_arn: String,
    /// The file holding the OIDC token, read at every refresh.
    pub oidc_token_file: PathBuf,
}

impl OidcSettings {
    /// Settings with every option at its default.
    pub fn new(
        role_arn: impl Into<String>,
        oidc_provider_arn: impl Into<String>,
        oidc_token_file: impl Into<PathBuf>,
    ) -> Self {
        OidcSettings {
            role: RoleSettings::new(role_arn),
            oidc_provider_arn: oidc_provider_arn.into(),
            oidc_token_file: oidc_token_file.into(),
        }
    }
}

/// A profile found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Where it was found: file and profile (`/home/me/.aliyun/config.json, profile "dev"`).
    pub location: String,
    /// The mode or type as written (`RamRoleArn`, `ecs_ram_role`, ...).
    pub mode: String,
    /// What it asks for.
    pub credentials: ProfileCredentials,
}

/// The outcome of looking for a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The profile exists and is complete.
    Found(Box<Profile>),
    /// The source has no such profile; the text says what was looked at.
    Missing(String),
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.location, self.credentials.kind())
    }
}

/// The profile the chains use after the environment: the aliyun CLI config's (unless
/// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`), else the credentials file's. The name is
/// `explicit` (a CLI's `--profile`), else `ALIBABA_CLOUD_PROFILE`, else the CLI config's
/// `current` and the ini section `default`. What was looked at without success is added to
/// `tried`; `Ok(None)` when neither source has the profile.
pub fn find(
    env: &dyn Env,
    explicit: Option<&str>,
    tried: &mut Vec<String>,
) -> Result<Option<Profile>, CredentialsError> {
    let requested = explicit
        .map(str::to_string)
        .or_else(|| non_empty(env.var(ENV_PROFILE)));
    if env_flag(env, ENV_CLI_PROFILE_DISABLED) {
        tried.push(format!(
            "aliyun CLI config ({ENV_CLI_PROFILE_DISABLED}=true)"
        ));
    } else {
        match cli_config_path(env) {
            Some((path, explicit)) => {
                match cli_profile(env, &path, requested.as_deref(), explicit)? {
                    Lookup::Found(p) => return Ok(Some(*p)),
                    Lookup::Missing(note) => tried.push(note),
                }
            }
            None => tried.push("aliyun CLI config (no home directory)".into()),
        }
    }
    match credentials_file_path(env) {
        Some((path, explicit)) => {
            let section = requested.as_deref().unwrap_or("default");
            match ini_profile(env, &path, section, explicit)? {
                Lookup::Found(p) => return Ok(Some(*p)),
                Lookup::Missing(note) => tried.push(note),
            }
        }
        None => tried.push("credentials file (no home directory)".into()),
    }
    Ok(None)
}

/// The aliyun CLI configuration file: `ALIBABA_CLOUD_CONFIG_FILE`, else
/// `~/.aliyun/config.json`. The flag says whether it was named explicitly.
pub fn cli_config_path(env: &dyn Env) -> Option<(PathBuf, bool)> {
    if let Some(path) = non_empty(env.var(ENV_CONFIG_FILE)) {
        return Some((PathBuf::from(path), true));
    }
    env.home_dir()
        .map(|h| (h.join(".aliyun").join("config.json"), false))
}

/// The credentials file: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
/// `~/.alibabacloud/credentials.ini`. The flag says whether it was named explicitly.
pub fn credentials_file_path(env: &dyn Env) -> Option<(PathBuf, bool)> {
    if let Some(path) = non_empty(env.var(ENV_CREDENTIALS_FILE)) {
        return Some((PathBuf::from(path), true));
    }
    env.home_dir()
        .map(|h| (h.join(".alibabacloud").join("credentials.ini"), false))
}

pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn read_optional(
    env: &dyn Env,
    path: &Path,
    explicit: Option<&str>,
) -> Result<Option<String>, CredentialsError> {
    match env.read_file(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match explicit {
            None => Ok(None),
            Some(variable) => Err(CredentialsError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("the file named by {variable} does not exist"),
                ),
            }),
        },
        Err(source) => Err(CredentialsError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Reads profile `requested` (else the file's `current`, else `default`) of an aliyun CLI
/// `config.json`. `explicit` says the file was named by `ALIBABA_CLOUD_CONFIG_FILE` (then a
/// missing file is an error). `ChainableRamRoleArn` profiles are followed through their
/// `source_profile` (a cycle is an error).
///
/// ```
/// use acs_runtime::env::MemoryEnv;
/// use acs_runtime::profile::{cli_profile, Lookup, ProfileCredentials};
/// let env = MemoryEnv::new().with_file("/c.json", r#"{"current": "dev", "profiles": [
///     {"name": "dev", "mode": "EcsRamRole", "ram_role_name": "worker"}]}"#);
/// let Lookup::Found(p) = cli_profile(&env, "/c.json".as_ref(), None, false).unwrap() else { panic!() };
/// assert_eq!(p.credentials, ProfileCredentials::EcsRamRole { role_name: Some("worker".into()) });
/// assert_eq!(p.location, r#"/c.json, profile "dev""#);
/// ```
pub fn cli_profile(
    env: &dyn Env,
    path: &Path,
    requested: Option<&str>,
    explicit: bool,
) -> Result<Lookup, CredentialsError> {
    let shown = path.display().to_string();
    let Some(text) = read_optional(env, path, explicit.then_some(ENV_CONFIG_FILE))? else {
        return Ok(Lookup::Missing(format!("{shown} (not found)")));
    };
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CredentialsError::Invalid {
            location: shown.clone(),
            message: format!("not valid JSON (line {}, column {})", e.line(), e.column()),
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
    let reader = CliReader {
        shown: &shown,
        profiles,
    };
    if reader.find(&name).is_none() {
        return Ok(Lookup::Missing(format!("{shown} (no profile {name:?})")));
    }
    let mut visiting = BTreeSet::new();
    let credentials = reader.read(&name, &mut visiting)?;
    tracing::debug!(source = %shown, profile = %name, kind = credentials.kind(), "found a credentials profile");
    let mode = reader
        .find(&name)
        .and_then(|p| json_str(p, "mode"))
        .unwrap_or("AK")
        .to_string();
    Ok(Lookup::Found(Box::new(Profile {
        location: format!("{shown}, profile {name:?}"),
        mode,
        credentials,
    })))
}

fn json_str<'a>(profile: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    profile
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

struct CliReader<'a> {
    shown: &'a str,
    profiles: &'a [serde_json::Value],
}

impl CliReader<'_> {
    fn find(&self, name: &str) -> Option<&serde_json::Value> {
        self.profiles
            .iter()
            .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
    }

    fn read(
        &self,
        name: &str,
        visiting: &mut BTreeSet<String>,
    ) -> Result<ProfileCredentials, CredentialsError> {
        let location = format!("{}, profile {name:?}", self.shown);
        let Some(profile) = self.find(name) else {
            return Err(CredentialsError::Invalid {
                location: self.shown.to_string(),
                message: format!("no profile {name:?} (named as a source_profile)"),
            });
        };
        if !visiting.insert(name.to_string()) {
            return Err(CredentialsError::Invalid {
                location,
                message: format!(
                    "source_profile cycle: {} -> {name}",
                    visiting.iter().cloned().collect::<Vec<_>>().join(" -> ")
                ),
            });
        }
        let mode = json_str(profile, "mode").unwrap_or("AK");
        let fields = Fields {
            location: &location,
            kind: "mode",
            name: mode,
            get: &|key| json_value(profile, key),
        };
        let credentials = match mode {
            "AK" => ProfileCredentials::Static(fields.access_key()?),
            "StsToken" => ProfileCredentials::Static(
                fields
                    .access_key()?
                    .with_security_token(fields.need("sts_token")?),
            ),
            "RamRoleArn" => ProfileCredentials::AssumeRole {
                source: Box::new(ProfileCredentials::Static(fields.access_key()?)),
                role: fields.role("ram_role_arn", &["ram_session_name"])?,
            },
            "ChainableRamRoleArn" => {
                let source = fields.need("source_profile")?;
                ProfileCredentials::AssumeRole {
                    source: Box::new(self.read(&source, visiting)?),
                    role: fields.role("ram_role_arn", &["ram_session_name"])?,
                }
            }
            "EcsRamRole" => ProfileCredentials::EcsRamRole {
                role_name: fields.get("ram_role_name"),
            },
            "OIDC" => ProfileCredentials::Oidc(OidcSettings {
                role: fields.role("ram_role_arn", &["role_session_name", "ram_session_name"])?,
                oidc_provider_arn: fields.need("oidc_provider_arn")?,
                oidc_token_file: PathBuf::from(fields.need("oidc_token_file")?),
            }),
            "External" => ProfileCredentials::External {
                command: fields.need("process_command")?,
            },
            other => {
                return Err(CredentialsError::Unsupported {
                    mode: other.to_string(),
                    location,
                    supported:
                        "AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, External",
                })
            }
        };
        visiting.remove(name);
        Ok(credentials)
    }
}

/// A JSON value as text: strings trimmed, numbers and booleans as written.
fn json_value(profile: &serde_json::Value, key: &str) -> Option<String> {
    match profile.get(key)? {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Typed access to one profile's keys, with errors naming the key (never its value).
struct Fields<'a> {
    location: &'a str,
    /// `mode` or `type`.
    kind: &'a str,
    name: &'a str,
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl Fields<'_> {
    fn invalid(&self, message: String) -> CredentialsError {
        CredentialsError::Invalid {
            location: self.location.to_string(),
            message,
        }
    }

    fn get(&self, key: &str) -> Option<String> {
        (self.get)(key)
    }

    fn need(&self, key: &str) -> Result<String, CredentialsError> {
        self.get(key).ok_or_else(|| {
            self.invalid(format!(
                "{} {} requires a non-empty `{key}`",
                self.kind, self.name
            ))
        })
    }

    fn access_key(&self) -> Result<Credentials, CredentialsError> {
        Ok(Credentials::new(
            self.need("access_key_id")?,
            self.need("access_key_secret")?,
        ))
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, CredentialsError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(self.invalid(format!("`{key}` must be true or false"))),
        }
    }

    fn duration(&self, key: &str) -> Result<Option<u32>, CredentialsError> {
        let Some(text) = self.get(key) else {
            return Ok(None);
        };
        // The aliyun CLI writes 0 for "not set".
        match text.parse::<u32>() {
            Ok(0) => Ok(None),
            Ok(n) if n >= MIN_ROLE_DURATION_SECONDS => Ok(Some(n)),
            Ok(n) => Err(self.invalid(format!(
                "`{key}` is {n}; a role session lasts at least {MIN_ROLE_DURATION_SECONDS} seconds"
            ))),
            Err(_) => Err(self.invalid(format!("`{key}` must be a whole number of seconds"))),
        }
    }

    /// The role settings; the session name is read from the first of `session_keys` set.
    fn role(&self, arn_key: &str, session_keys: &[&str]) -> Result<RoleSettings, CredentialsError> {
        Ok(RoleSettings {
            role_arn: self.need(arn_key)?,
            session_name: session_keys.iter().find_map(|k| self.get(k)),
            duration_seconds: self.duration("expired_seconds")?,
            policy: self.get("policy"),
            external_id: self.get("external_id"),
            sts_region: self.get("sts_region"),
            enable_vpc: self.bool("enable_vpc")?,
        })
    }
}

/// Reads section `section` of a `credentials.ini`. `explicit` says the file was named by
/// `ALIBABA_CLOUD_CREDENTIALS_FILE` (then a missing file is an error).
///
/// ```
/// use acs_runtime::env::MemoryEnv;
/// use acs_runtime::profile::{ini_profile, Lookup, ProfileCredentials};
/// let env = MemoryEnv::new().with_file("/c.ini", "[default]\ntype = ecs_ram_role\nrole_name = worker\n");
/// let Lookup::Found(p) = ini_profile(&env, "/c.ini".as_ref(), "default", false).unwrap() else { panic!() };
/// assert_eq!(p.credentials, ProfileCredentials::EcsRamRole { role_name: Some("worker".into()) });
/// ```
pub fn ini_profile(
    env: &dyn Env,
    path: &Path,
    section: &str,
    explicit: bool,
) -> Result<Lookup, CredentialsError> {
    let shown = path.display().to_string();
    let Some(text) = read_optional(env, path, explicit.then_some(ENV_CREDENTIALS_FILE))? else {
        return Ok(Lookup::Missing(format!("{shown} (not found)")));
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
            .map(str::to_string)
    };
    let kind = get("type").unwrap_or_else(|| "access_key".to_string());
    let fields = Fields {
        location: &location,
        kind: "type",
        name: &kind,
        get: &get,
    };
    let role = |fields: &Fields<'_>| -> Result<RoleSettings, CredentialsError> {
        Ok(RoleSettings {
            role_arn: fields.need("role_arn")?,
            session_name: fields.get("role_session_name"),
            duration_seconds: fields.duration("duration_seconds")?,
            policy: fields.get("policy"),
            external_id: fields.get("external_id"),
            sts_region: fields.get("sts_region"),
            enable_vpc: fields.bool("enable_vpc")?,
        })
    };
    let credentials = match kind.as_str() {
        "access_key" => ProfileCredentials::Static(fields.access_key()?),
        "ram_role_arn" => ProfileCredentials::AssumeRole {
            source: Box::new(ProfileCredentials::Static(fields.access_key()?)),
            role: role(&fields)?,
        },
        "ecs_ram_role" => ProfileCredentials::EcsRamRole {
            role_name: fields.get("role_name"),
        },
        "oidc_role_arn" => ProfileCredentials::Oidc(OidcSettings {
            role: role(&fields)?,
            oidc_provider_arn: fields.need("oidc_provider_arn")?,
            oidc_token_file: PathBuf::from(fields.need("oidc_token_file_path")?),
        }),
        other => {
            return Err(CredentialsError::Unsupported {
                mode: other.to_string(),
                location,
                supported: "access_key, ram_role_arn, ecs_ram_role, oidc_role_arn",
            })
        }
    };
    tracing::debug!(source = %shown, section, kind = credentials.kind(), "found a credentials profile");
    Ok(Lookup::Found(Box::new(Profile {
        location,
        mode: kind,
        credentials,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemoryEnv;

    const CLI: &str = "/c/config.json";
    const INI: &str = "/c/credentials.ini";

    fn cli(doc: &str, name: &str) -> Result<Lookup, CredentialsError> {
        let env = MemoryEnv::new().with_file(CLI, doc);
        cli_profile(&env, CLI.as_ref(), Some(name), false)
    }

    fn found(lookup: Result<Lookup, CredentialsError>) -> Profile {
        match lookup {
            Ok(Lookup::Found(p)) => *p,
            other => panic!("expected a profile, got {other:?}"),
        }
    }

    const PROFILES: &str = r#"{"current": "ak", "profiles": [
        {"name": "ak", "mode": "AK", "access_key_id": "AK1", "access_key_secret": "S1"},
        {"name": "sts", "mode": "StsToken", "access_key_id": "AK2", "access_key_secret": "S2", "sts_token": "T2"},
        {"name": "role", "mode": "RamRoleArn", "access_key_id": "AK3", "access_key_secret": "S3",
         "ram_role_arn": "acs:ram::1:role/r", "ram_session_name": "s", "expired_seconds": 1800,
         "policy": "{}", "external_id": "ext", "sts_region": "cn-hangzhou", "enable_vpc": true},
        {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": "acs:ram::1:role/c"},
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "worker"},
        {"name": "oidc", "mode": "OIDC", "ram_role_arn": "acs:ram::1:role/o", "oidc_provider_arn": "acs:ram::1:oidc-provider/p",
         "oidc_token_file": "/var/run/token", "role_session_name": "os"},
        {"name": "ext", "mode": "External", "process_command": "get-creds --json"},
        {"name": "loop1", "mode": "ChainableRamRoleArn", "source_profile": "loop2", "ram_role_arn": "acs:ram::1:role/a"},
        {"name": "loop2", "mode": "ChainableRamRoleArn", "source_profile": "loop1", "ram_role_arn": "acs:ram::1:role/b"},
        {"name": "short", "mode": "RamRoleArn", "access_key_id": "AK", "access_key_secret": "S",
         "ram_role_arn": "acs:ram::1:role/r", "expired_seconds": 899},
        {"name": "sso", "mode": "CloudSSO"}
    ]}"#;

    #[test]
    fn every_cli_mode() {
        let p = found(cli(PROFILES, "sts"));
        assert_eq!(p.credentials.kind(), "static_sts");
        let role = RoleSettings {
            role_arn: "acs:ram::1:role/r".into(),
            session_name: Some("s".into()),
            duration_seconds: Some(1800),
            policy: Some("{}".into()),
            external_id: Some("ext".into()),
            sts_region: Some("cn-hangzhou".into()),
            enable_vpc: Some(true),
        };
        let p = found(cli(PROFILES, "role"));
        assert_eq!(
            p.credentials,
            ProfileCredentials::AssumeRole {
                source: Box::new(ProfileCredentials::Static(Credentials::new("AK3", "S3"))),
                role: role.clone(),
            }
        );
        let p = found(cli(PROFILES, "chain"));
        let ProfileCredentials::AssumeRole {
            source,
            role: outer,
        } = p.credentials
        else {
            panic!("chain")
        };
        assert_eq!(outer.role_arn, "acs:ram::1:role/c");
        assert!(matches!(*source, ProfileCredentials::AssumeRole { .. }));
        assert_eq!(p.mode, "ChainableRamRoleArn");
        let p = found(cli(PROFILES, "oidc"));
        let ProfileCredentials::Oidc(o) = p.credentials else {
            panic!("oidc")
        };
        assert_eq!(o.oidc_token_file, PathBuf::from("/var/run/token"));
        assert_eq!(o.role.session_name.as_deref(), Some("os"));
        let p = found(cli(PROFILES, "ext"));
        assert_eq!(
            p.credentials,
            ProfileCredentials::External {
                command: "get-creds --json".into()
            }
        );
    }

    #[test]
    fn cli_errors_name_the_profile_and_key() {
        let msg = cli(PROFILES, "loop1").unwrap_err().to_string();
        assert!(msg.contains("cycle") && msg.contains("loop1"), "{msg}");
        let msg = cli(PROFILES, "short").unwrap_err().to_string();
        assert!(
            msg.contains("expired_seconds") && msg.contains("900"),
            "{msg}"
        );
        let err = cli(PROFILES, "sso").unwrap_err();
        assert!(matches!(err, CredentialsError::Unsupported { .. }));
        assert!(err.to_string().contains("CloudSSO") && err.to_string().contains("\"sso\""));
        let msg = cli(r#"{"profiles": [{"name": "x", "mode": "RamRoleArn", "access_key_id": "A", "access_key_secret": "SECRETVALUE"}]}"#, "x")
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("ram_role_arn") && !msg.contains("SECRETVALUE"),
            "{msg}"
        );
        assert!(matches!(cli(PROFILES, "nobody"), Ok(Lookup::Missing(_))));
    }

    #[test]
    fn explicit_config_file_must_exist() {
        let env = MemoryEnv::new();
        let err = cli_profile(&env, "/nope.json".as_ref(), None, true).unwrap_err();
        assert!(err.to_string().contains(ENV_CONFIG_FILE), "{err}");
        assert!(matches!(
            cli_profile(&env, "/nope.json".as_ref(), None, false),
            Ok(Lookup::Missing(_))
        ));
    }

    #[test]
    fn every_ini_type() {
        let doc = "[ak]\ntype = access_key\naccess_key_id = A\naccess_key_secret = S\n\
                   [role]\ntype = ram_role_arn\naccess_key_id = A\naccess_key_secret = S\nrole_arn = acs:ram::1:role/r\nrole_session_name = n\npolicy = {}\n\
                   [ecs]\ntype = ecs_ram_role\n\
                   [oidc]\ntype = oidc_role_arn\nrole_arn = acs:ram::1:role/o\noidc_provider_arn = acs:ram::1:oidc-provider/p\noidc_token_file_path = /t\n\
                   [rsa]\ntype = rsa_key_pair\n";
        let env = MemoryEnv::new().with_file(INI, doc);
        let get = |s: &str| ini_profile(&env, INI.as_ref(), s, false);
        assert_eq!(found(get("ak")).credentials.kind(), "static_ak");
        let p = found(get("role"));
        let ProfileCredentials::AssumeRole { role, .. } = p.credentials else {
            panic!("role")
        };
        assert_eq!(
            (role.session_name.as_deref(), role.policy.as_deref()),
            (Some("n"), Some("{}"))
        );
        assert_eq!(
            found(get("ecs")).credentials,
            ProfileCredentials::EcsRamRole { role_name: None }
        );
        assert_eq!(found(get("oidc")).credentials.kind(), "oidc_role_arn");
        let msg = get("rsa").unwrap_err().to_string();
        assert!(
            msg.contains("rsa_key_pair") && msg.contains("[rsa]"),
            "{msg}"
        );
    }
}
