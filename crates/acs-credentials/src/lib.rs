//! Alibaba Cloud credentials: the providers of the official SDKs' default chain, cached and
//! refreshed, above the generated STS client (as aws-config sits above aws-sdk-sts).
//!
//! * [`DefaultChain`]: environment, OIDC (RRSA), aliyun CLI profiles, `credentials.ini`,
//!   ECS RAM role, credentials URI, in the official order; [`default_provider`] is what
//!   generated clients whose spec names this crate (`defaultCredentials`) use when no
//!   credentials are configured.
//! * Providers: [`AssumeRoleProvider`] (STS `AssumeRole`, RPC v1 signed by a source
//!   provider, chains of roles), [`OidcProvider`] (STS `AssumeRoleWithOIDC`, unsigned, the
//!   token file re-read at every refresh), [`EcsRamRoleProvider`] (IMDSv2 with IMDSv1
//!   fallback), [`UriProvider`] (`ALIBABA_CLOUD_CREDENTIALS_URI`), [`ExternalProvider`]
//!   (a command's JSON); [`profile_provider`] builds the right one for a profile.
//! * Caching: temporary credentials are reused until 15 minutes before they expire, or half
//!   their lifetime when that is later ([`refresh_time`]); a refresh is single-flight (any
//!   number of concurrent callers cause one call); a failed refresh of ECS credentials
//!   keeps serving the previous ones until they really expire, with a warning in the
//!   trace. Clones of a provider, and of the clients holding it, share the cache.
//! * [`caller_identity`]: which source answered and STS `GetCallerIdentity`, without secrets.
//!
//! Two extensions of this SDK redirect the fixed hosts (tests, private deployments):
//! `ALIBABA_CLOUD_STS_ENDPOINT` and `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT`, also
//! settable in code ([`ProviderConfig::with_sts_endpoint`],
//! [`ProviderConfig::with_ecs_metadata_endpoint`], or the client config builder's
//! `sts_endpoint` / `ecs_metadata_endpoint`).
//!
//! Secrets (AccessKey secrets, security tokens, OIDC tokens, the IMDS token) never appear in
//! `Debug`, `Display`, logs or errors.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cache;
mod chain;
mod config;
mod ecs;
mod error;
mod external;
mod identity;
mod sts;
mod time;
mod uri;

use std::sync::Arc;

use acs_runtime::{CredentialsSettings, SharedCredentialsProvider};

pub use cache::{refresh_time, REFRESH_BEFORE_EXPIRY};
pub use chain::{profile_provider, ChainSource, DefaultChain};
pub use config::{
    ProviderConfig, DEFAULT_ECS_METADATA_ENDPOINT, DEFAULT_EXTERNAL_TIMEOUT, DEFAULT_STS_HOST,
};
pub use ecs::{EcsRamRoleProvider, ECS_CONNECT_TIMEOUT, ECS_READ_TIMEOUT, IMDS_TOKEN_TTL_SECONDS};
pub use error::FetchError;
pub use external::ExternalProvider;
pub use identity::{caller_identity, CallerReport};
pub use sts::{
    AssumeRoleProvider, OidcProvider, DEFAULT_DURATION_SECONDS, DEFAULT_SESSION_PREFIX,
    STS_ATTEMPT_TIMEOUT, STS_CONNECT_TIMEOUT,
};
pub use time::{ManualTimeSource, SystemTimeSource, TimeSource};
pub use uri::{UriProvider, URI_CONNECT_TIMEOUT, URI_TIMEOUT};

/// The default provider of a client whose configuration names none: a [`DefaultChain`]
/// over the client's settings (environment, profile, STS and ECS metadata endpoints).
/// Generated clients call it from `Service::default_credentials`.
pub fn default_provider(settings: &CredentialsSettings) -> SharedCredentialsProvider {
    Arc::new(DefaultChain::from_settings(settings))
}
