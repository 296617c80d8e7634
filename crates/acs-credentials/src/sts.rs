//! The providers that call STS through the generated `sts` client: a RAM role
//! ([`AssumeRoleProvider`], `AssumeRole` signed with RPC v1 by its source credentials) and
//! OIDC / RRSA ([`OidcProvider`], `AssumeRoleWithOIDC`, unsigned, the token file re-read at
//! every refresh).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use acs_runtime::credentials::{
    CredentialsFuture, CredentialsProvider, SharedCredentialsProvider, ENV_OIDC_PROVIDER_ARN,
    ENV_OIDC_TOKEN_FILE, ENV_ROLE_ARN, ENV_ROLE_SESSION_NAME,
};
use acs_runtime::profile::{OidcSettings, RoleSettings, MIN_ROLE_DURATION_SECONDS};
use acs_runtime::{Credentials, CredentialsError};

use crate::cache::{CredentialsCache, Expiring, OnRefreshFailure};
use crate::config::{non_empty, ProviderConfig};
use crate::error::{shown_url, FetchError};
use crate::time::parse_utc;

/// `DurationSeconds` when none is configured.
pub const DEFAULT_DURATION_SECONDS: u32 = 3600;
/// Prefix of the default `RoleSessionName` (followed by the Unix time).
pub const DEFAULT_SESSION_PREFIX: &str = "dataworks-rust-";
/// Connect timeout of STS calls (the official libraries': 5 s).
pub const STS_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Timeout of one STS attempt (the official libraries' read timeout: 10 s).
pub const STS_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

fn default_session_name(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    format!("{DEFAULT_SESSION_PREFIX}{secs}")
}

/// The session duration, checked before any call.
fn duration(role: &RoleSettings, provider: &str) -> Result<u32, CredentialsError> {
    let duration = role.duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS);
    if duration < MIN_ROLE_DURATION_SECONDS {
        return Err(CredentialsError::Invalid {
            location: provider.to_string(),
            message: format!(
                "DurationSeconds is {duration}; a role session lasts at least {MIN_ROLE_DURATION_SECONDS} seconds"
            ),
        });
    }
    Ok(duration)
}

fn sts_client(
    config: &ProviderConfig,
    endpoint: &str,
    source: Option<SharedCredentialsProvider>,
) -> Result<sts::Client, CredentialsError> {
    let mut builder = sts::Config::builder()
        .endpoint(endpoint)
        .env(Arc::clone(config.env()))
        .connect_timeout(STS_CONNECT_TIMEOUT)
        .attempt_timeout(STS_ATTEMPT_TIMEOUT)
        .user_agent_suffix(concat!("acs-credentials/", env!("CARGO_PKG_VERSION")));
    if let Some(source) = source {
        builder = builder.shared_credentials_provider(source);
    }
    let config = builder.build().map_err(|e| CredentialsError::Invalid {
        location: format!("STS endpoint {}", shown_url(endpoint)),
        message: e.to_string(),
    })?;
    Ok(sts::Client::new(config))
}

/// The `Credentials` object of an AssumeRole / AssumeRoleWithOIDC answer (the two
/// generated types have the same fields): `(AccessKeyId, AccessKeySecret, SecurityToken,
/// Expiration)`.
type StsCredentials = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The credentials of an STS answer, or why there are none.
fn answer(
    action: &'static str,
    endpoint: &str,
    result: Result<StsCredentials, acs_runtime::Error>,
) -> Result<Expiring, FetchError> {
    let (access_key_id, access_key_secret, security_token, expiration) =
        result.map_err(|source| FetchError::Sts {
            action,
            endpoint: shown_url(endpoint),
            source,
        })?;
    let invalid = |message: String| FetchError::InvalidResponse {
        source_name: format!("STS {action}"),
        message,
    };
    let field = |value: Option<String>, name: &str| {
        value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(format!("Credentials.{name} is missing")))
    };
    let id = field(access_key_id, "AccessKeyId")?;
    let secret = field(access_key_secret, "AccessKeySecret")?;
    let token = field(security_token, "SecurityToken")?;
    let expiration = field(expiration, "Expiration")?;
    let expiration = parse_utc(&expiration).ok_or_else(|| {
        invalid(format!(
            "Credentials.Expiration {expiration:?} is not a UTC time (YYYY-MM-DDThh:mm:ssZ)"
        ))
    })?;
    Ok(Expiring {
        credentials: Credentials::new(id, secret).with_security_token(token),
        expiration: Some(expiration),
    })
}

/// Temporary credentials of a RAM role, from STS `AssumeRole` signed (RPC v1, HMAC-SHA1)
/// with the credentials of a source provider, cached until 15 minutes before they expire.
///
/// ```no_run
/// use std::sync::Arc;
/// use acs_credentials::{AssumeRoleProvider, ProviderConfig};
/// use acs_runtime::profile::RoleSettings;
/// use acs_runtime::Credentials;
/// let mut role = RoleSettings::new("acs:ram::123456789012:role/deployer");
/// role.external_id = Some("abcd1234".into());
/// let source = Arc::new(Credentials::new("LTAI-example", "example-secret"));
/// let provider = AssumeRoleProvider::new(source, role, &ProviderConfig::default()).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct AssumeRoleProvider {
    cache: CredentialsCache,
    inner: Arc<AssumeRole>,
}

#[derive(Debug)]
struct AssumeRole {
    client: sts::Client,
    role: RoleSettings,
    session_name: String,
    duration: u32,
    endpoint: String,
    description: String,
}

impl AssumeRoleProvider {
    /// Assumes `role` with the credentials of `source` (static keys, or another role for a
    /// chain). Fails, before any call, on a `DurationSeconds` below 900 or an unusable
    /// endpoint.
    pub fn new(
        source: SharedCredentialsProvider,
        role: RoleSettings,
        config: &ProviderConfig,
    ) -> Result<Self, CredentialsError> {
        let endpoint = config.sts_endpoint(role.sts_region.as_deref(), role.enable_vpc);
        let description = format!("RAM role {} via {}", role.role_arn, shown_url(&endpoint));
        let duration = duration(&role, &description)?;
        let session_name = role
            .session_name
            .clone()
            .unwrap_or_else(|| default_session_name(config.time.now()));
        let client = sts_client(config, &endpoint, Some(source))?;
        Ok(AssumeRoleProvider {
            cache: config.cache(&description, OnRefreshFailure::Fail),
            inner: Arc::new(AssumeRole {
                client,
                role,
                session_name,
                duration,
                endpoint,
                description,
            }),
        })
    }

    /// `RAM role <arn> via <endpoint>`.
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// When the cached credentials expire.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.cache.expiration()
    }
}

impl AssumeRole {
    async fn fetch(&self) -> Result<Expiring, FetchError> {
        let result = self
            .client
            .assume_role()
            .role_arn(&self.role.role_arn)
            .role_session_name(&self.session_name)
            .duration_seconds(i64::from(self.duration))
            .set_policy(self.role.policy.clone())
            .set_external_id(self.role.external_id.clone())
            .send()
            .await
            .map(|out| {
                let c = out.credentials.unwrap_or_default();
                (
                    c.access_key_id,
                    c.access_key_secret,
                    c.security_token,
                    c.expiration,
                )
            });
        answer("AssumeRole", &self.endpoint, result)
    }
}

impl CredentialsProvider for AssumeRoleProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        self.cache
            .provide(&self.inner.description, || self.inner.fetch())
    }
}

/// Temporary credentials of a RAM role for an OIDC token (RRSA on ACK): STS
/// `AssumeRoleWithOIDC`, sent unsigned, with the token read from its file at every refresh
/// (the cluster rotates it).
#[derive(Debug, Clone)]
pub struct OidcProvider {
    cache: CredentialsCache,
    inner: Arc<Oidc>,
}

#[derive(Debug)]
struct Oidc {
    client: sts::Client,
    settings: OidcSettings,
    session_name: String,
    duration: u32,
    endpoint: String,
    description: String,
    config: ProviderConfig,
}

impl OidcProvider {
    /// The provider for these settings. Fails, before any call, on a `DurationSeconds`
    /// below 900 or an unusable endpoint.
    pub fn new(settings: OidcSettings, config: &ProviderConfig) -> Result<Self, CredentialsError> {
        let role = &settings.role;
        let endpoint = config.sts_endpoint(role.sts_region.as_deref(), role.enable_vpc);
        let description = format!("OIDC role {} via {}", role.role_arn, shown_url(&endpoint));
        let duration = duration(role, &description)?;
        let session_name = role
            .session_name
            .clone()
            .unwrap_or_else(|| default_session_name(config.time.now()));
        let client = sts_client(config, &endpoint, None)?;
        Ok(OidcProvider {
            cache: config.cache(&description, OnRefreshFailure::Fail),
            inner: Arc::new(Oidc {
                client,
                settings,
                session_name,
                duration,
                endpoint,
                description,
                config: config.clone(),
            }),
        })
    }

    /// The settings of `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
    /// `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (`None` unless all three are set) and the optional
    /// `ALIBABA_CLOUD_ROLE_SESSION_NAME`.
    pub fn settings_from_env(config: &ProviderConfig) -> Option<OidcSettings> {
        let env = config.env().as_ref();
        let role_arn = non_empty(env.var(ENV_ROLE_ARN))?;
        let provider_arn = non_empty(env.var(ENV_OIDC_PROVIDER_ARN))?;
        let token_file = non_empty(env.var(ENV_OIDC_TOKEN_FILE))?;
        let mut settings = OidcSettings::new(role_arn, provider_arn, token_file);
        settings.role.session_name = non_empty(env.var(ENV_ROLE_SESSION_NAME));
        Some(settings)
    }

    /// `OIDC role <arn> via <endpoint>`.
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// When the cached credentials expire.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.cache.expiration()
    }
}

impl Oidc {
    /// The token, read again at every refresh (the cluster rotates it).
    fn token(&self) -> Result<String, FetchError> {
        let path = &self.settings.oidc_token_file;
        let text = self
            .config
            .env()
            .read_file(path)
            .map_err(|source| FetchError::TokenFile {
                path: path.clone(),
                source,
            })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(FetchError::InvalidResponse {
                source_name: format!("OIDC token file {}", path.display()),
                message: "the file is empty".into(),
            });
        }
        Ok(token.to_string())
    }

    async fn fetch(&self) -> Result<Expiring, FetchError> {
        let role = &self.settings.role;
        let result = self
            .client
            .assume_role_with_oidc()
            .oidc_provider_arn(&self.settings.oidc_provider_arn)
            .role_arn(&role.role_arn)
            .oidc_token(self.token()?)
            .set_policy(role.policy.clone())
            .duration_seconds(i64::from(self.duration))
            .role_session_name(&self.session_name)
            .send()
            .await
            .map(|out| {
                let c = out.credentials.unwrap_or_default();
                (
                    c.access_key_id,
                    c.access_key_secret,
                    c.security_token,
                    c.expiration,
                )
            });
        answer("AssumeRoleWithOIDC", &self.endpoint, result)
    }
}

impl CredentialsProvider for OidcProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        self.cache
            .provide(&self.inner.description, || self.inner.fetch())
    }
}
