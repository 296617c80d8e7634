//! The default chain of the official SDKs, and providers for profiles.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use acs_runtime::credentials::{
    env_flag, from_environment, CredentialsFuture, CredentialsProvider, CredentialsSettings,
    SharedCredentialsProvider, ENV_ACCESS_KEY_ID, ENV_CREDENTIALS_URI, ENV_ECS_METADATA_DISABLED,
    ENV_ECS_METADATA_SERVICE_ENDPOINT, OIDC_VARS,
};
use acs_runtime::profile::{self, Profile, ProfileCredentials};
use acs_runtime::{Credentials, CredentialsError};

use crate::config::{non_empty, ProviderConfig};
use crate::ecs::EcsRamRoleProvider;
use crate::error::FetchError;
use crate::external::ExternalProvider;
use crate::sts::{AssumeRoleProvider, OidcProvider};
use crate::uri::UriProvider;

/// A provider built by this crate, with what the chain reports about it.
#[derive(Debug, Clone)]
enum Built {
    Static(Credentials),
    Role(AssumeRoleProvider),
    Oidc(OidcProvider),
    Ecs(EcsRamRoleProvider),
    Uri(UriProvider),
    External(ExternalProvider),
}

impl Built {
    fn description(&self) -> String {
        match self {
            Built::Static(c) if c.security_token().is_some() => "static STS token".into(),
            Built::Static(_) => "static AccessKey".into(),
            Built::Role(p) => p.description().into(),
            Built::Oidc(p) => p.description().into(),
            Built::Ecs(p) => p.description().into(),
            Built::Uri(p) => p.description().into(),
            Built::External(p) => p.description().into(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Built::Static(c) if c.security_token().is_some() => "static_sts",
            Built::Static(_) => "static_ak",
            Built::Role(_) => "ram_role_arn",
            Built::Oidc(_) => "oidc_role_arn",
            Built::Ecs(_) => "ecs_ram_role",
            Built::Uri(_) => "credentials_uri",
            Built::External(_) => "external",
        }
    }

    fn expiration(&self) -> Option<SystemTime> {
        match self {
            Built::Static(_) => None,
            Built::Role(p) => p.expiration(),
            Built::Oidc(p) => p.expiration(),
            Built::Ecs(p) => p.expiration(),
            Built::Uri(p) => p.expiration(),
            Built::External(p) => p.expiration(),
        }
    }

    fn shared(&self) -> SharedCredentialsProvider {
        match self {
            Built::Static(c) => Arc::new(c.clone()),
            Built::Role(p) => Arc::new(p.clone()),
            Built::Oidc(p) => Arc::new(p.clone()),
            Built::Ecs(p) => Arc::new(p.clone()),
            Built::Uri(p) => Arc::new(p.clone()),
            Built::External(p) => Arc::new(p.clone()),
        }
    }

    fn for_profile(
        credentials: &ProfileCredentials,
        config: &ProviderConfig,
    ) -> Result<Built, CredentialsError> {
        Ok(match credentials {
            ProfileCredentials::Static(c) => Built::Static(c.clone()),
            ProfileCredentials::AssumeRole { source, role } => {
                let source = Built::for_profile(source, config)?.shared();
                Built::Role(AssumeRoleProvider::new(source, role.clone(), config)?)
            }
            ProfileCredentials::EcsRamRole { role_name } => {
                let endpoint = config.ecs_metadata_endpoint().ok_or_else(|| {
                    CredentialsError::Invalid {
                        location: "ECS RAM role".into(),
                        message: format!(
                            "an in-memory environment has no metadata service; set {ENV_ECS_METADATA_SERVICE_ENDPOINT}"
                        ),
                    }
                })?;
                Built::Ecs(EcsRamRoleProvider::new(
                    &endpoint,
                    role_name.clone(),
                    config,
                )?)
            }
            ProfileCredentials::Oidc(settings) => {
                Built::Oidc(OidcProvider::new(settings.clone(), config)?)
            }
            ProfileCredentials::External { command } => {
                Built::External(ExternalProvider::new(command, config)?)
            }
            other => {
                return Err(CredentialsError::Unsupported {
                    mode: other.kind().to_string(),
                    location: "profile".into(),
                    supported:
                        "static_ak, static_sts, ram_role_arn, ecs_ram_role, oidc_role_arn, external",
                })
            }
        })
    }
}

impl CredentialsProvider for Built {
    fn credentials(&self) -> CredentialsFuture<'_> {
        match self {
            Built::Static(c) => c.credentials(),
            Built::Role(p) => p.credentials(),
            Built::Oidc(p) => p.credentials(),
            Built::Ecs(p) => p.credentials(),
            Built::Uri(p) => p.credentials(),
            Built::External(p) => p.credentials(),
        }
    }
}

/// The provider for a profile of the CLI config or the credentials file (a RAM role is
/// signed by its source profile's provider, recursively).
///
/// ```
/// use acs_credentials::{profile_provider, ProviderConfig};
/// use acs_runtime::profile::ProfileCredentials;
/// use acs_runtime::Credentials;
/// let p = profile_provider(
///     &ProfileCredentials::Static(Credentials::new("LTAI-example", "example-secret")),
///     &ProviderConfig::default(),
/// )
/// .unwrap();
/// # let _ = p;
/// ```
pub fn profile_provider(
    credentials: &ProfileCredentials,
    config: &ProviderConfig,
) -> Result<SharedCredentialsProvider, CredentialsError> {
    Ok(Built::for_profile(credentials, config)?.shared())
}

/// Which source of the chain answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainSource {
    /// Where it is configured: `environment`, or a file and profile.
    pub source: String,
    /// The provider (`RAM role acs:ram::1:role/x via https://sts.aliyuncs.com`, ...).
    pub provider: String,
    /// Its kind, as the official libraries name providers (`static_ak`, `static_sts`,
    /// `ram_role_arn`, `oidc_role_arn`, `ecs_ram_role`, `credentials_uri`, `external`).
    pub kind: &'static str,
    /// The sources looked at before it, and why they were passed over.
    pub tried: Vec<String>,
}

impl fmt::Display for ChainSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {}", self.provider, self.source)
    }
}

#[derive(Debug)]
struct Selected {
    source: ChainSource,
    built: Built,
}

/// The default credentials chain of the official SDKs, tried in order on the first call;
/// the provider that answers is kept (with its cache) for the life of the chain, and the
/// chain's clones share it:
///
/// 1. environment: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, optional
///    `ALIBABA_CLOUD_SECURITY_TOKEN`;
/// 2. OIDC (RRSA), when `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
///    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set;
/// 3. the aliyun CLI's `~/.aliyun/config.json` (or `ALIBABA_CLOUD_CONFIG_FILE`), profile
///    `ALIBABA_CLOUD_PROFILE`, else the file's `current`, unless
///    `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`;
/// 4. `~/.alibabacloud/credentials.ini` (or `ALIBABA_CLOUD_CREDENTIALS_FILE`), section
///    `ALIBABA_CLOUD_PROFILE`, else `default`;
/// 5. the ECS RAM role, unless `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` (a metadata
///    service that cannot be reached counts as not configured, unless
///    `ALIBABA_CLOUD_ECS_METADATA` names the role);
/// 6. `ALIBABA_CLOUD_CREDENTIALS_URI`, when set.
///
/// A source that is not configured is skipped; one that is configured but fails stops the
/// chain with [`CredentialsError::ProviderFailed`], naming it, its cause and what was tried
/// before. With an explicit profile ([`ProviderConfig::with_profile`], a CLI's `--profile`)
/// only steps 3 and 4 are used, and the profile must exist.
///
/// ```
/// use std::sync::Arc;
/// use acs_credentials::{DefaultChain, ProviderConfig};
/// use acs_runtime::env::MemoryEnv;
/// use acs_runtime::CredentialsProvider;
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let env = MemoryEnv::new()
///     .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-example")
///     .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "example-secret");
/// let chain = DefaultChain::with_config(ProviderConfig::new(Arc::new(env)));
/// assert_eq!(chain.credentials().await.unwrap().access_key_id(), "LTAI-example");
/// assert_eq!(chain.source().await.unwrap().source, "environment");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct DefaultChain {
    inner: Arc<ChainInner>,
}

#[derive(Debug)]
struct ChainInner {
    config: ProviderConfig,
    selected: tokio::sync::OnceCell<Selected>,
}

impl Default for DefaultChain {
    fn default() -> Self {
        DefaultChain::new()
    }
}

impl DefaultChain {
    /// The chain over the process environment and file system.
    pub fn new() -> Self {
        DefaultChain::with_config(ProviderConfig::default())
    }

    /// The chain for a client's credentials settings.
    pub fn from_settings(settings: &CredentialsSettings) -> Self {
        DefaultChain::with_config(ProviderConfig::from_settings(settings))
    }

    /// The chain with these provider settings.
    pub fn with_config(config: ProviderConfig) -> Self {
        DefaultChain {
            inner: Arc::new(ChainInner {
                config,
                selected: tokio::sync::OnceCell::new(),
            }),
        }
    }

    /// The provider settings.
    pub fn config(&self) -> &ProviderConfig {
        &self.inner.config
    }

    async fn selected(&self) -> Result<&Selected, CredentialsError> {
        self.inner
            .selected
            .get_or_try_init(|| select(&self.inner.config))
            .await
    }

    /// Which source answers (the chain is resolved if it was not yet).
    pub async fn source(&self) -> Result<ChainSource, CredentialsError> {
        Ok(self.selected().await?.source.clone())
    }

    /// When the credentials last obtained expire (`None`: not resolved yet, or they do
    /// not expire).
    pub fn expiration(&self) -> Option<SystemTime> {
        self.inner.selected.get().and_then(|s| s.built.expiration())
    }
}

impl CredentialsProvider for DefaultChain {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { self.selected().await?.built.credentials().await })
    }
}

/// A failure of the source the chain stopped at (`location`: where it is configured), with
/// what the chain looked at before.
fn stopped_at(location: &str, tried: &[String], error: CredentialsError) -> CredentialsError {
    match error {
        CredentialsError::ProviderFailed {
            provider, source, ..
        } => CredentialsError::ProviderFailed {
            provider: format!("{provider} ({location})"),
            tried: tried.to_vec(),
            source,
        },
        other => CredentialsError::ProviderFailed {
            provider: location.to_string(),
            tried: tried.to_vec(),
            source: Box::new(other),
        },
    }
}

/// Asks `built` once; the chain keeps it when it answers.
async fn try_source(
    source: String,
    built: Built,
    tried: Vec<String>,
) -> Result<Selected, CredentialsError> {
    let answer = built.credentials().await;
    keep_if_answered(source, built, tried, answer)
}

fn keep_if_answered(
    source: String,
    built: Built,
    tried: Vec<String>,
    answer: Result<Credentials, CredentialsError>,
) -> Result<Selected, CredentialsError> {
    let provider = built.description();
    match answer {
        Ok(_) => {
            tracing::info!(provider = %provider, source = %source, "credentials chain: using this source");
            Ok(Selected {
                source: ChainSource {
                    source,
                    provider,
                    kind: built.kind(),
                    tried,
                },
                built,
            })
        }
        Err(e) => Err(stopped_at(&source, &tried, e)),
    }
}

async fn from_profile(
    found: Profile,
    config: &ProviderConfig,
    tried: Vec<String>,
) -> Result<Selected, CredentialsError> {
    let built = Built::for_profile(&found.credentials, config)
        .map_err(|e| stopped_at(&found.location, &tried, e))?;
    try_source(found.location, built, tried).await
}

fn is_unreachable(error: &CredentialsError) -> bool {
    match error {
        CredentialsError::ProviderFailed { source, .. } => matches!(
            source.downcast_ref::<FetchError>(),
            Some(FetchError::Unreachable { .. })
        ),
        _ => false,
    }
}

async fn select(config: &ProviderConfig) -> Result<Selected, CredentialsError> {
    let env = config.env().as_ref();
    let mut tried: Vec<String> = Vec::new();
    let explicit_profile = config.profile().map(str::to_string);

    if explicit_profile.is_none() {
        match from_environment(env) {
            Ok(Some(credentials)) => {
                return try_source("environment".into(), Built::Static(credentials), tried).await
            }
            Ok(None) => tried.push(format!("environment ({ENV_ACCESS_KEY_ID} not set)")),
            Err(e) => return Err(stopped_at("environment", &tried, e)),
        }
        match OidcProvider::settings_from_env(config) {
            Some(settings) => {
                let source = format!("environment ({})", OIDC_VARS.join(", "));
                let built = OidcProvider::new(settings, config)
                    .map_err(|e| stopped_at(&source, &tried, e))?;
                return try_source(source, Built::Oidc(built), tried).await;
            }
            None => tried.push(format!("OIDC ({} not all set)", OIDC_VARS.join(", "))),
        }
    }

    let mut looked_at = tried.clone();
    match profile::find(env, explicit_profile.as_deref(), &mut looked_at) {
        Ok(Some(found)) => return from_profile(found, config, tried).await,
        Ok(None) => tried = looked_at,
        Err(e) => return Err(stopped_at("credentials profiles", &tried, e)),
    }
    if let Some(profile) = explicit_profile {
        return Err(CredentialsError::ProfileNotFound {
            profile,
            searched: tried,
        });
    }

    if env_flag(env, ENV_ECS_METADATA_DISABLED) {
        tried.push(format!("ECS RAM role ({ENV_ECS_METADATA_DISABLED}=true)"));
    } else {
        match config.ecs_metadata_endpoint() {
            None => tried.push(format!(
                "ECS RAM role (not used from an in-memory environment without {ENV_ECS_METADATA_SERVICE_ENDPOINT})"
            )),
            Some(endpoint) => {
                let source = "ECS instance metadata".to_string();
                let ecs = EcsRamRoleProvider::new(&endpoint, None, config)
                    .map_err(|e| stopped_at(&source, &tried, e))?;
                match ecs.credentials().await {
                    Err(e) if is_unreachable(&e) && !ecs.has_role_name() => {
                        tried.push(format!("{} (not reachable: not on ECS)", ecs.description()));
                    }
                    answer => return keep_if_answered(source, Built::Ecs(ecs), tried, answer),
                }
            }
        }
    }

    if let Some(uri) = non_empty(env.var(ENV_CREDENTIALS_URI)) {
        let source = format!("environment ({ENV_CREDENTIALS_URI})");
        let built = UriProvider::new(&uri, config).map_err(|e| stopped_at(&source, &tried, e))?;
        return try_source(source, Built::Uri(built), tried).await;
    } else {
        tried.push(format!("credentials URI ({ENV_CREDENTIALS_URI} not set)"));
    }
    Err(CredentialsError::NotFound { tried })
}
