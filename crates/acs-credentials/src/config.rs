//! What every provider is built with: where variables and files are read, the endpoints of
//! the services they call, the clock and the external-command time limit.

use std::sync::Arc;
use std::time::Duration;

use acs_runtime::credentials::{
    env_flag, CredentialsSettings, ENV_ECS_METADATA_SERVICE_ENDPOINT, ENV_STS_ENDPOINT,
    ENV_STS_REGION, ENV_VPC_ENDPOINT_ENABLED,
};
use acs_runtime::env::{Env, SystemEnv};

use crate::cache::{CredentialsCache, OnRefreshFailure};
use crate::time::{SystemTimeSource, TimeSource};

/// The ECS metadata service of the official SDKs.
pub const DEFAULT_ECS_METADATA_ENDPOINT: &str = "http://100.100.100.200";
/// The global STS endpoint, used when no region is configured.
pub const DEFAULT_STS_HOST: &str = "sts.aliyuncs.com";
/// Time limit of an external credentials command (`External` profiles), as in the official
/// libraries.
pub const DEFAULT_EXTERNAL_TIMEOUT: Duration = Duration::from_secs(60);

/// Settings shared by the providers (like aws-config's `ProviderConfig`).
///
/// ```
/// use std::sync::Arc;
/// use acs_credentials::ProviderConfig;
/// use acs_runtime::env::MemoryEnv;
/// let config = ProviderConfig::new(Arc::new(MemoryEnv::new()))
///     .with_sts_endpoint("http://127.0.0.1:9000");
/// assert_eq!(config.sts_endpoint(None, None), "http://127.0.0.1:9000");
/// ```
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub(crate) settings: CredentialsSettings,
    pub(crate) time: Arc<dyn TimeSource>,
    pub(crate) external_timeout: Duration,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig::new(Arc::new(SystemEnv))
    }
}

impl ProviderConfig {
    /// Reads variables and files from `env`; default endpoints, system clock.
    pub fn new(env: Arc<dyn Env>) -> Self {
        ProviderConfig::from_settings(&CredentialsSettings::new(env))
    }

    /// From a client's credentials settings (environment, profile, endpoints).
    pub fn from_settings(settings: &CredentialsSettings) -> Self {
        ProviderConfig {
            settings: settings.clone(),
            time: Arc::new(SystemTimeSource),
            external_timeout: DEFAULT_EXTERNAL_TIMEOUT,
        }
    }

    /// The STS endpoint URL (wins over `ALIBABA_CLOUD_STS_ENDPOINT` and regions).
    pub fn with_sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings.sts_endpoint = Some(endpoint.into());
        self
    }

    /// The ECS metadata service URL (wins over `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT`).
    pub fn with_ecs_metadata_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings.ecs_metadata_endpoint = Some(endpoint.into());
        self
    }

    /// The profile of the CLI config and the credentials file.
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.settings.profile = Some(profile.into());
        self
    }

    /// The clock the caches use.
    pub fn with_time_source(mut self, time: impl TimeSource + 'static) -> Self {
        self.time = Arc::new(time);
        self
    }

    /// Time limit of an external credentials command (default 60 s).
    pub fn with_external_timeout(mut self, timeout: Duration) -> Self {
        self.external_timeout = timeout;
        self
    }

    /// A provider's cache on this configuration's clock.
    pub(crate) fn cache(&self, provider: &str, on_failure: OnRefreshFailure) -> CredentialsCache {
        CredentialsCache::new(provider, Arc::clone(&self.time), on_failure)
    }

    /// The environment.
    pub fn env(&self) -> &Arc<dyn Env> {
        &self.settings.env
    }

    /// The explicit profile, if any.
    pub fn profile(&self) -> Option<&str> {
        self.settings.profile.as_deref()
    }

    /// The STS endpoint for a role with this region and VPC setting: the configured
    /// endpoint, else `ALIBABA_CLOUD_STS_ENDPOINT`, else `sts[-vpc].<region>.aliyuncs.com`
    /// with the region (the role's, else `ALIBABA_CLOUD_STS_REGION`) and the VPC flag (the
    /// role's, else `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`), else `sts.aliyuncs.com`. Hosts
    /// without a scheme are used with https.
    pub fn sts_endpoint(&self, region: Option<&str>, vpc: Option<bool>) -> String {
        let env = self.settings.env.as_ref();
        if let Some(endpoint) = self
            .settings
            .sts_endpoint
            .clone()
            .or_else(|| non_empty(env.var(ENV_STS_ENDPOINT)))
        {
            return endpoint;
        }
        let region = region
            .map(str::to_string)
            .or_else(|| non_empty(env.var(ENV_STS_REGION)));
        let vpc = vpc.unwrap_or_else(|| env_flag(env, ENV_VPC_ENDPOINT_ENABLED));
        match region {
            Some(region) if vpc => format!("https://sts-vpc.{region}.aliyuncs.com"),
            Some(region) => format!("https://sts.{region}.aliyuncs.com"),
            None => format!("https://{DEFAULT_STS_HOST}"),
        }
    }

    /// The ECS metadata service URL: the configured one, else
    /// `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT`, else `http://100.100.100.200` — except
    /// in an in-memory environment ([`Env::is_sandbox`]), where `None` says the service is
    /// not used unless named.
    pub fn ecs_metadata_endpoint(&self) -> Option<String> {
        let env = self.settings.env.as_ref();
        self.settings
            .ecs_metadata_endpoint
            .clone()
            .or_else(|| non_empty(env.var(ENV_ECS_METADATA_SERVICE_ENDPOINT)))
            .or_else(|| (!env.is_sandbox()).then(|| DEFAULT_ECS_METADATA_ENDPOINT.to_string()))
            .map(|e| e.trim_end_matches('/').to_string())
    }
}

pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use acs_runtime::credentials::ENV_ECS_METADATA_SERVICE_ENDPOINT;
    use acs_runtime::env::MemoryEnv;

    fn config(env: MemoryEnv) -> ProviderConfig {
        ProviderConfig::new(Arc::new(env))
    }

    #[test]
    fn sts_endpoint_precedence() {
        let plain = config(MemoryEnv::new());
        assert_eq!(plain.sts_endpoint(None, None), "https://sts.aliyuncs.com");
        assert_eq!(
            plain.sts_endpoint(Some("cn-hangzhou"), None),
            "https://sts.cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(
            plain.sts_endpoint(Some("cn-hangzhou"), Some(true)),
            "https://sts-vpc.cn-hangzhou.aliyuncs.com"
        );
        // The VPC flag needs a region, as in the official libraries.
        assert_eq!(
            plain.sts_endpoint(None, Some(true)),
            "https://sts.aliyuncs.com"
        );
        let env = MemoryEnv::new()
            .with_var(ENV_STS_REGION, "cn-beijing")
            .with_var(ENV_VPC_ENDPOINT_ENABLED, "TRUE");
        assert_eq!(
            config(env.clone()).sts_endpoint(None, None),
            "https://sts-vpc.cn-beijing.aliyuncs.com"
        );
        // A profile's own settings win over the environment.
        assert_eq!(
            config(env.clone()).sts_endpoint(Some("cn-shanghai"), Some(false)),
            "https://sts.cn-shanghai.aliyuncs.com"
        );
        let env = env.with_var(ENV_STS_ENDPOINT, "http://127.0.0.1:1");
        assert_eq!(
            config(env.clone()).sts_endpoint(Some("cn-shanghai"), None),
            "http://127.0.0.1:1"
        );
        assert_eq!(
            config(env)
                .with_sts_endpoint("http://127.0.0.1:2")
                .sts_endpoint(None, None),
            "http://127.0.0.1:2"
        );
    }

    #[test]
    fn the_real_metadata_address_is_used_only_when_nothing_overrides_it() {
        // An in-memory environment never defaults to the real address.
        assert_eq!(config(MemoryEnv::new()).ecs_metadata_endpoint(), None);
        let env =
            MemoryEnv::new().with_var(ENV_ECS_METADATA_SERVICE_ENDPOINT, "http://127.0.0.1:7/");
        assert_eq!(
            config(env.clone()).ecs_metadata_endpoint().as_deref(),
            Some("http://127.0.0.1:7")
        );
        assert_eq!(
            config(env)
                .with_ecs_metadata_endpoint("http://127.0.0.1:8")
                .ecs_metadata_endpoint()
                .as_deref(),
            Some("http://127.0.0.1:8")
        );
        // The process environment: the real address only when no variable names another.
        let system = ProviderConfig::default();
        let expected = std::env::var(ENV_ECS_METADATA_SERVICE_ENDPOINT)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| DEFAULT_ECS_METADATA_ENDPOINT.to_string());
        assert_eq!(system.ecs_metadata_endpoint(), Some(expected));
    }
}
