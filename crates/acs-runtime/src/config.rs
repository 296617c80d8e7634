//! Client configuration and endpoint resolution.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::credentials::{
    Credentials, CredentialsProvider, CredentialsSettings, SharedCredentialsProvider,
};
use crate::env::{Env, SystemEnv};
use crate::error::BoxError;
use crate::network::{ChosenProxy, NetworkSettings};
use crate::service::Service;

/// Environment variable read for the region when [`ConfigBuilder::region`] is not called.
pub const ENV_REGION_ID: &str = "ALIBABA_CLOUD_REGION_ID";

/// Default number of attempts, the first one included.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Default TCP/TLS connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default timeout of one attempt (send, wait, read the whole body).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default base of the exponential backoff.
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(100);
/// Default cap of one backoff delay (also caps `x-acs-retry-after`).
pub const DEFAULT_RETRY_MAX_DELAY: Duration = Duration::from_secs(20);
/// Default limit of a response body: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
/// Default bound on the requests of one client (and its clones) on the wire at once.
pub const DEFAULT_MAX_IN_FLIGHT_REQUESTS: usize = 256;

/// Which signature the requests carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignatureVersion {
    /// ACS3-HMAC-SHA256 in the `Authorization` header (the official SDKs' default).
    #[default]
    V3,
    /// RPC signature 1.0 (HMAC-SHA1): common parameters and `Signature` in the query.
    V1,
}

/// Which response format to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// JSON (`Format=JSON` / `Accept: application/json`).
    #[default]
    Json,
    /// XML (`Format=XML` / `Accept: application/xml`).
    Xml,
}

/// URL scheme of the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `https` (the default).
    Https,
    /// Plain `http`, only when the endpoint is given explicitly as `http://...`.
    Http,
}

impl Scheme {
    /// `"https"` or `"http"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// A resolved endpoint: scheme and `host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: Scheme,
    authority: String,
}

impl Endpoint {
    /// Parses `host`, `host:port`, `https://host[:port]` or `http://host[:port]` (a trailing `/`
    /// is allowed; paths, queries and user info are not). Without a scheme, https is used.
    /// The default port of the scheme is dropped.
    ///
    /// ```
    /// use acs_runtime::config::{Endpoint, Scheme};
    /// let e = Endpoint::parse("dataworks.cn-shanghai.aliyuncs.com").unwrap();
    /// assert_eq!(e.url(), "https://dataworks.cn-shanghai.aliyuncs.com");
    /// let e = Endpoint::parse("http://127.0.0.1:8080/").unwrap();
    /// assert_eq!((e.scheme(), e.authority()), (Scheme::Http, "127.0.0.1:8080"));
    /// assert!(Endpoint::parse("ftp://x").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Endpoint, ConfigError> {
        let invalid = |reason: &str| ConfigError::InvalidEndpoint {
            endpoint: input.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = input.trim();
        let (scheme, rest) = match trimmed.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Scheme::Https, rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Scheme::Http, rest),
            Some(_) => return Err(invalid("only http:// and https:// are supported")),
            None => (Scheme::Https, trimmed),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(invalid("no host"));
        }
        if let Some(c) = authority.chars().find(|c| {
            matches!(c, '/' | '?' | '#' | '@' | '\\') || c.is_whitespace() || c.is_control()
        }) {
            return Err(invalid(&format!(
                "unexpected {c:?}: give host[:port] with an optional scheme, no path"
            )));
        }
        let (host, port) = split_port(authority).map_err(&invalid)?;
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        let default_port = match scheme {
            Scheme::Https => 443,
            Scheme::Http => 80,
        };
        let host = host.to_ascii_lowercase();
        let authority = match port {
            Some(p) if p != default_port => format!("{host}:{p}"),
            _ => host,
        };
        Ok(Endpoint { scheme, authority })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `host[:port]`, as sent in the `host` header.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// `scheme://host[:port]`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.authority)
    }
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), &'static str> {
    // IPv6 literal: [::1]:8080
    if authority.starts_with('[') {
        let Some(end) = authority.find(']') else {
            return Err("unterminated IPv6 literal");
        };
        let host = &authority[..=end];
        return match &authority[end + 1..] {
            "" => Ok((host, None)),
            rest => match rest.strip_prefix(':').map(str::parse::<u16>) {
                Some(Ok(p)) => Ok((host, Some(p))),
                _ => Err("invalid port"),
            },
        };
    }
    match authority.rsplit_once(':') {
        None => Ok((authority, None)),
        Some((host, port)) => match port.parse::<u16>() {
            Ok(p) if !host.contains(':') => Ok((host, Some(p))),
            _ => Err("invalid port"),
        },
    }
}

/// Resolves the endpoint: explicit endpoint, else the service's map entry for the region, else
/// its fallback pattern with the region.
///
/// ```
/// use acs_runtime::config::resolve_endpoint;
/// # use acs_runtime::{Service, ServiceInfo};
/// # struct S;
/// # impl Service for S { const INFO: ServiceInfo = ServiceInfo { product: "p", version: "v",
/// #   endpoint_map: &[("cn-qingdao", "svc.aliyuncs.com")], endpoint_fallback: "svc.{region}.aliyuncs.com",
/// #   error_codes: &[], sdk_name: "p", sdk_version: "0" }; }
/// let e = resolve_endpoint(&S::INFO, None, Some("cn-qingdao")).unwrap();
/// assert_eq!(e.url(), "https://svc.aliyuncs.com");
/// let e = resolve_endpoint(&S::INFO, None, Some("eu-west-1")).unwrap();
/// assert_eq!(e.url(), "https://svc.eu-west-1.aliyuncs.com");
/// assert!(resolve_endpoint(&S::INFO, None, None).is_err());
/// ```
pub fn resolve_endpoint(
    info: &crate::ServiceInfo,
    explicit: Option<&str>,
    region: Option<&str>,
) -> Result<Endpoint, ConfigError> {
    if let Some(explicit) = explicit {
        return Endpoint::parse(explicit);
    }
    let region = region.ok_or(ConfigError::MissingRegionOrEndpoint)?;
    validate_region(region)?;
    Endpoint::parse(&info.endpoint_for_region(region))
}

fn validate_region(region: &str) -> Result<(), ConfigError> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::InvalidRegion {
            region: region.to_string(),
        })
    }
}

/// Why a [`Config`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither a region nor an endpoint is known.
    #[error("no region and no endpoint configured: call .region(\"cn-shanghai\") or .endpoint(\"host\") on the config builder, or set {ENV_REGION_ID}")]
    MissingRegionOrEndpoint,
    /// The region id has characters a region id cannot have.
    #[error("invalid region id {region:?}: expected lower-case letters, digits and '-', e.g. cn-shanghai")]
    InvalidRegion {
        /// The region as given.
        region: String,
    },
    /// The endpoint cannot be used.
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong.
        reason: String,
    },
    /// A setting is out of range.
    #[error("invalid setting {name}: {reason}")]
    InvalidSetting {
        /// The builder method.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The HTTP client could not be created.
    #[error("cannot create the HTTP client: {0}")]
    HttpClient(#[source] BoxError),
}

/// Settings of a client for service `S`. Build with [`Config::builder`].
///
/// Cloning is cheap; clones share the HTTP connection pool. `Debug` never shows secrets.
pub struct Config<S> {
    pub(crate) endpoint: Endpoint,
    pub(crate) region: Option<String>,
    pub(crate) credentials: Arc<dyn CredentialsProvider>,
    pub(crate) signature_version: SignatureVersion,
    pub(crate) response_format: ResponseFormat,
    pub(crate) max_attempts: u32,
    pub(crate) idempotent: Option<bool>,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) retry_base_delay: Duration,
    pub(crate) retry_max_delay: Duration,
    pub(crate) max_response_bytes: u64,
    /// Permits for requests on the wire (shared by clones); `None` for no bound.
    pub(crate) in_flight: Option<Arc<tokio::sync::Semaphore>>,
    pub(crate) max_in_flight_requests: Option<usize>,
    pub(crate) user_agent: String,
    pub(crate) http: reqwest::Client,
    /// `user_agent` as a header value, made once (`None` if it is not a valid one: a call
    /// then reports it).
    pub(crate) user_agent_header: Option<HeaderValue>,
    /// The endpoint's authority as the `host` header value, made once (`None` as above).
    pub(crate) host_header: Option<HeaderValue>,
    /// `scheme://authority/`, parsed once; a call sets its path and query on a copy instead
    /// of formatting and parsing the whole URL (`None` if it does not parse: a call then
    /// reports it).
    pub(crate) base_url: Option<reqwest::Url>,
    /// Set when `credentials` is plain [`Credentials`] from [`ConfigBuilder::credentials`]: a
    /// call borrows them instead of asking the provider for a copy.
    pub(crate) static_credentials: Option<Arc<Credentials>>,
    /// The proxy the HTTP client uses for the endpoint, if any.
    pub(crate) proxy: Option<ChosenProxy>,
    /// How many root certificates were added to the built-in ones.
    pub(crate) extra_roots: usize,
    _service: PhantomData<fn() -> S>,
}

impl<S> Clone for Config<S> {
    fn clone(&self) -> Self {
        Self {
            endpoint: self.endpoint.clone(),
            region: self.region.clone(),
            credentials: Arc::clone(&self.credentials),
            signature_version: self.signature_version,
            response_format: self.response_format,
            max_attempts: self.max_attempts,
            idempotent: self.idempotent,
            connect_timeout: self.connect_timeout,
            attempt_timeout: self.attempt_timeout,
            operation_timeout: self.operation_timeout,
            retry_base_delay: self.retry_base_delay,
            retry_max_delay: self.retry_max_delay,
            max_response_bytes: self.max_response_bytes,
            in_flight: self.in_flight.clone(),
            max_in_flight_requests: self.max_in_flight_requests,
            user_agent: self.user_agent.clone(),
            http: self.http.clone(),
            user_agent_header: self.user_agent_header.clone(),
            host_header: self.host_header.clone(),
            base_url: self.base_url.clone(),
            static_credentials: self.static_credentials.clone(),
            proxy: self.proxy.clone(),
            extra_roots: self.extra_roots,
            _service: PhantomData,
        }
    }
}

impl<S> fmt::Debug for Config<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("endpoint", &self.endpoint.url())
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("signature_version", &self.signature_version)
            .field("response_format", &self.response_format)
            .field("max_attempts", &self.max_attempts)
            .field("idempotent", &self.idempotent)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry_base_delay", &self.retry_base_delay)
            .field("retry_max_delay", &self.retry_max_delay)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_in_flight_requests", &self.max_in_flight_requests)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy())
            .field("extra_root_certificates", &self.extra_roots)
            .finish()
    }
}

impl<S: Service> Config<S> {
    /// A builder with the defaults: V3 signature, JSON, 3 attempts, 5 s connect, 10 s per
    /// attempt, no operation timeout, backoff 100 ms doubling up to 20 s with full jitter, 4 MiB
    /// response limit, at most 256 requests on the wire at once, credentials from the
    /// product's default provider ([`Service::default_credentials`]; the runtime's own is the
    /// [`StaticChain`](crate::StaticChain)).
    pub fn builder() -> ConfigBuilder<S> {
        ConfigBuilder::new()
    }
}

impl<S> Config<S> {
    /// The resolved endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The region, when one was configured.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The signature version.
    pub fn signature_version(&self) -> SignatureVersion {
        self.signature_version
    }

    /// The requested response format.
    pub fn response_format(&self) -> ResponseFormat {
        self.response_format
    }

    /// Maximum attempts per call, the first one included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether every call of this client was declared safe (`Some(true)`) or unsafe
    /// (`Some(false)`) to repeat; `None`: as each action's spec says.
    pub fn idempotent(&self) -> Option<bool> {
        self.idempotent
    }

    /// Connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Timeout of one attempt.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// Timeout of a whole call, retries included.
    pub fn operation_timeout(&self) -> Option<Duration> {
        self.operation_timeout
    }

    /// Base delay of the exponential backoff.
    pub fn retry_base_delay(&self) -> Duration {
        self.retry_base_delay
    }

    /// Cap of one backoff delay.
    pub fn retry_max_delay(&self) -> Duration {
        self.retry_max_delay
    }

    /// Response body limit in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// Bound on the requests on the wire at once (`None`: no bound).
    pub fn max_in_flight_requests(&self) -> Option<usize> {
        self.max_in_flight_requests
    }

    /// The User-Agent sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The credentials provider.
    pub fn credentials_provider(&self) -> &SharedCredentialsProvider {
        &self.credentials
    }

    /// The proxy calls go through (explicit, or from the environment), without its
    /// credentials: `http://proxy.internal:3128`. `None` when calls go directly.
    pub fn proxy(&self) -> Option<&str> {
        self.proxy.as_ref().map(|p| p.shown.as_str())
    }

    /// How many root certificates were added to the built-in ones.
    pub fn extra_root_certificates(&self) -> usize {
        self.extra_roots
    }
}

/// Builder of [`Config`].
///
/// ```
/// use std::time::Duration;
/// use acs_runtime::{Config, Credentials, SignatureVersion};
/// # use acs_runtime::{Service, ServiceInfo};
/// # struct DataworksPublic;
/// # impl Service for DataworksPublic { const INFO: ServiceInfo = ServiceInfo { product: "dataworks-public",
/// #   version: "2020-05-18", endpoint_map: &[("cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com")],
/// #   endpoint_fallback: "dataworks.{region}.aliyuncs.com", error_codes: &[],
/// #   sdk_name: "dataworks-public", sdk_version: "0.1.0" }; }
/// let config = Config::<DataworksPublic>::builder()
///     .region("cn-shanghai")
///     .credentials(Credentials::new("LTAI-example", "example-secret"))
///     .signature_version(SignatureVersion::V3)
///     .max_attempts(5)
///     .operation_timeout(Some(Duration::from_secs(60)))
///     .build()
///     .unwrap();
/// assert_eq!(config.endpoint().url(), "https://dataworks.cn-shanghai.aliyuncs.com");
/// assert!(!format!("{config:?}").contains("example-secret"));
/// ```
pub struct ConfigBuilder<S> {
    region: Option<String>,
    endpoint: Option<String>,
    credentials: Option<Arc<dyn CredentialsProvider>>,
    static_credentials: Option<Arc<Credentials>>,
    env: Option<Arc<dyn Env>>,
    profile: Option<String>,
    sts_endpoint: Option<String>,
    ecs_metadata_endpoint: Option<String>,
    signature_version: SignatureVersion,
    response_format: ResponseFormat,
    max_attempts: u32,
    idempotent: Option<bool>,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    operation_timeout: Option<Duration>,
    retry_base_delay: Duration,
    retry_max_delay: Duration,
    max_response_bytes: u64,
    max_in_flight_requests: Option<usize>,
    user_agent_suffix: Option<String>,
    network: NetworkSettings,
    _service: PhantomData<fn() -> S>,
}

impl<S> fmt::Debug for ConfigBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("signature_version", &self.signature_version)
            .field("response_format", &self.response_format)
            .field("max_attempts", &self.max_attempts)
            .field("network", &self.network)
            .finish_non_exhaustive()
    }
}

impl<S> Clone for ConfigBuilder<S> {
    fn clone(&self) -> Self {
        Self {
            region: self.region.clone(),
            endpoint: self.endpoint.clone(),
            credentials: self.credentials.clone(),
            static_credentials: self.static_credentials.clone(),
            env: self.env.clone(),
            profile: self.profile.clone(),
            sts_endpoint: self.sts_endpoint.clone(),
            ecs_metadata_endpoint: self.ecs_metadata_endpoint.clone(),
            signature_version: self.signature_version,
            response_format: self.response_format,
            max_attempts: self.max_attempts,
            idempotent: self.idempotent,
            connect_timeout: self.connect_timeout,
            attempt_timeout: self.attempt_timeout,
            operation_timeout: self.operation_timeout,
            retry_base_delay: self.retry_base_delay,
            retry_max_delay: self.retry_max_delay,
            max_response_bytes: self.max_response_bytes,
            max_in_flight_requests: self.max_in_flight_requests,
            user_agent_suffix: self.user_agent_suffix.clone(),
            network: self.network.clone(),
            _service: PhantomData,
        }
    }
}

impl<S: Service> Default for ConfigBuilder<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Service> ConfigBuilder<S> {
    /// A builder with the defaults (see [`Config::builder`]).
    pub fn new() -> Self {
        Self {
            region: None,
            endpoint: None,
            credentials: None,
            static_credentials: None,
            env: None,
            profile: None,
            sts_endpoint: None,
            ecs_metadata_endpoint: None,
            signature_version: SignatureVersion::default(),
            response_format: ResponseFormat::default(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            idempotent: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            operation_timeout: None,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
            retry_max_delay: DEFAULT_RETRY_MAX_DELAY,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_in_flight_requests: Some(DEFAULT_MAX_IN_FLIGHT_REQUESTS),
            user_agent_suffix: None,
            network: NetworkSettings::default(),
            _service: PhantomData,
        }
    }

    /// The region id (`cn-shanghai`). When not set, `ALIBABA_CLOUD_REGION_ID` is read.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint (`host[:port]`, `https://host[:port]` or `http://host[:port]`); it
    /// overrides the region's endpoint. Plain http is used only when written as `http://`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Static credentials (AccessKey, optionally with an STS token).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        let credentials = Arc::new(credentials);
        self.credentials = Some(Arc::clone(&credentials) as Arc<dyn CredentialsProvider>);
        self.static_credentials = Some(credentials);
        self
    }

    /// A credentials provider, asked once per call. Default: the product's default provider
    /// ([`Service::default_credentials`]), built from [`env`](Self::env),
    /// [`profile`](Self::profile), [`sts_endpoint`](Self::sts_endpoint) and
    /// [`ecs_metadata_endpoint`](Self::ecs_metadata_endpoint).
    pub fn credentials_provider(mut self, provider: impl CredentialsProvider + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self.static_credentials = None;
        self
    }

    /// A shared credentials provider (its cache is shared with everyone holding it).
    pub fn shared_credentials_provider(mut self, provider: SharedCredentialsProvider) -> Self {
        self.credentials = Some(provider);
        self.static_credentials = None;
        self
    }

    /// The profile of the default credentials provider (the CLI config profile and the
    /// credentials file section); then the environment AccessKey is not used. Ignored when
    /// credentials or a provider are set.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// The STS endpoint URL the default credentials provider calls for RAM roles and OIDC
    /// (`http://` allowed), instead of `ALIBABA_CLOUD_STS_ENDPOINT` or
    /// `sts[-vpc][.<region>].aliyuncs.com`. An extension of this SDK, for tests and private
    /// deployments. Ignored when credentials or a provider are set.
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }

    /// The ECS metadata service URL the default credentials provider asks for the
    /// instance's RAM role, instead of `ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT` or
    /// `http://100.100.100.200`. An extension of this SDK, for tests and private
    /// deployments. Ignored when credentials or a provider are set.
    pub fn ecs_metadata_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.ecs_metadata_endpoint = Some(endpoint.into());
        self
    }

    /// Where `ALIBABA_CLOUD_REGION_ID` and, for the default chain, credentials are read from
    /// (default: the process environment and file system).
    pub fn env(mut self, env: Arc<dyn Env>) -> Self {
        self.env = Some(env);
        self
    }

    /// The signature version (default V3).
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    /// The response format to ask for (default JSON). Responses are decoded by their actual
    /// content either way.
    pub fn response_format(mut self, format: ResponseFormat) -> Self {
        self.response_format = format;
        self
    }

    /// Maximum attempts per call, counting the first (default 3; 1 disables retries).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Declares every call of this client safe (`true`) or not safe (`false`) to repeat,
    /// whatever each action's spec says (a call's
    /// [`CallOptions::idempotent`](crate::CallOptions::idempotent) still wins). By default a
    /// read is retried after every transient failure, and an action that is not idempotent
    /// only when it certainly was not carried out (see [`crate::retry`]); `true` retries
    /// every action like a read (when your writes are idempotent for you), `false` retries
    /// reads as carefully as writes. `max_attempts(1)` turns retries off.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Connect timeout (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout of one attempt: sending, waiting and reading the whole body (default 10 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Timeout of a whole call including retries and backoff (default none).
    pub fn operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Base of the exponential backoff (default 100 ms): before retry `n` the client sleeps a
    /// random duration in `[0, min(max, base * 2^(n-1))]`.
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry_base_delay = delay;
        self
    }

    /// Cap of one backoff delay and of an `x-acs-retry-after` hint (default 20 s).
    pub fn retry_max_delay(mut self, delay: Duration) -> Self {
        self.retry_max_delay = delay;
        self
    }

    /// Largest response body accepted, in bytes (default 4 MiB).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// At most this many requests of the client (and its clones) on the wire at once
    /// (default [`DEFAULT_MAX_IN_FLIGHT_REQUESTS`]); more calls wait for their turn before
    /// their attempt starts (the attempt timeout does not run while they wait, the operation
    /// timeout does). This bounds the connections the client opens, and the memory and file
    /// descriptors they hold, however many calls are made at once. `None` lifts the bound.
    pub fn max_in_flight_requests(mut self, limit: Option<usize>) -> Self {
        self.max_in_flight_requests = limit;
        self
    }

    /// Text appended to the User-Agent (printable ASCII).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Sends every call through this proxy: `http://host:port`, `https://host:port` (TLS to
    /// the proxy) or, with the `socks` feature, `socks5://host:port` (`socks5h://` resolves
    /// the endpoint's name at the proxy); `user:password@` before the host gives credentials
    /// (percent-encoded). Without a scheme, `http://` is meant. An `https` endpoint is reached
    /// through a `CONNECT` tunnel, an `http` endpoint with absolute request URLs.
    ///
    /// Without this setting the proxy comes from the environment (see
    /// [`proxy_from_env`](Self::proxy_from_env)). The proxy's credentials never appear in
    /// `Debug` output or errors.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.network.proxy = Some(url.into());
        self
    }

    /// Hosts reached without the proxy: a comma-separated list like `NO_PROXY`, each entry
    /// `*` (every host), a domain (`aliyuncs.com` or `.aliyuncs.com`: it and its
    /// subdomains), an IP address or network (`10.0.0.0/8`), optionally with `:port`. It
    /// replaces the environment's `NO_PROXY`, and applies to an explicit
    /// [`proxy`](Self::proxy) too.
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.network.no_proxy = Some(hosts.into());
        self
    }

    /// Whether the proxy environment variables are read (default `true`), like curl and the
    /// official SDKs: for an `https` endpoint `https_proxy`, `HTTPS_PROXY`, then `all_proxy`,
    /// `ALL_PROXY`; for an `http` endpoint `http_proxy`, `HTTP_PROXY` (not in a CGI process,
    /// where a request could set it), then `all_proxy`, `ALL_PROXY`; and `no_proxy` /
    /// `NO_PROXY` (`*` bypasses the proxy for every host, IP endpoints included). The
    /// variables are read through [`env`](Self::env) when the configuration is built.
    pub fn proxy_from_env(mut self, enabled: bool) -> Self {
        self.network.proxy_from_env = Some(enabled);
        self
    }

    /// Trusts the root certificates of this PEM text (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks) besides the built-in ones: for a TLS-inspecting corporate proxy or a private
    /// endpoint with its own certificate authority.
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.network.root_pems.push(pem.into());
        self
    }

    /// Trusts the root certificates of this PEM file besides the built-in ones (read when
    /// the configuration is built). The file named by the `ALIBABA_CLOUD_CA_BUNDLE`
    /// environment variable is added the same way (a project extension: the official SDKs do
    /// not read it).
    pub fn add_root_certificates_from_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.network.root_files.push(path.into());
        self
    }

    /// Whether the built-in root certificates (Mozilla's, compiled in) are trusted (default
    /// `true`). Turning them off trusts only the added ones.
    pub fn tls_built_in_roots(mut self, enabled: bool) -> Self {
        self.network.built_in_roots = Some(enabled);
        self
    }

    /// Most idle connections kept open to the endpoint for reuse (default: no limit).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.network.pool_max_idle_per_host = Some(max);
        self
    }

    /// How long an idle pooled connection is kept (default 90 s; `None` keeps it until the
    /// server closes it).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.network.pool_idle_timeout = Some(timeout);
        self
    }

    /// Connects to `addr` for `host` instead of resolving it with DNS (like curl's
    /// `--resolve`): for a private endpoint whose name public DNS does not know. The `host`
    /// header and TLS server name stay `host`.
    pub fn resolve(mut self, host: impl Into<String>, addr: std::net::SocketAddr) -> Self {
        self.network.resolve.push((host.into(), addr));
        self
    }

    /// Validates the settings, resolves the endpoint and creates the HTTP connection pool.
    pub fn build(self) -> Result<Config<S>, ConfigError> {
        let env: Arc<dyn Env> = self.env.clone().unwrap_or_else(|| Arc::new(SystemEnv));
        let region = match self.region {
            Some(r) => Some(r.trim().to_string()),
            None => env
                .var(ENV_REGION_ID)
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty()),
        };
        if let Some(region) = &region {
            validate_region(region)?;
        }
        let endpoint = resolve_endpoint(&S::INFO, self.endpoint.as_deref(), region.as_deref())?;

        if self.max_attempts == 0 {
            return Err(invalid("max_attempts", "must be at least 1"));
        }
        for (name, value) in [
            ("connect_timeout", self.connect_timeout),
            ("attempt_timeout", self.attempt_timeout),
        ] {
            if value.is_zero() {
                return Err(invalid(name, "must be greater than zero"));
            }
        }
        if self.operation_timeout.is_some_and(|t| t.is_zero()) {
            return Err(invalid("operation_timeout", "must be greater than zero"));
        }
        if self.retry_max_delay < self.retry_base_delay {
            return Err(invalid(
                "retry_max_delay",
                "must not be smaller than retry_base_delay",
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(invalid("max_response_bytes", "must be greater than zero"));
        }
        if self.max_in_flight_requests == Some(0) {
            return Err(invalid(
                "max_in_flight_requests",
                "must be at least 1 (or None for no bound)",
            ));
        }
        let in_flight = self.max_in_flight_requests.map(|n| {
            Arc::new(tokio::sync::Semaphore::new(
                n.min(tokio::sync::Semaphore::MAX_PERMITS),
            ))
        });
        let mut user_agent = format!(
            "acs-runtime/{} {}/{} (rust; {})",
            env!("CARGO_PKG_VERSION"),
            S::INFO.sdk_name,
            S::INFO.sdk_version,
            std::env::consts::OS
        );
        if let Some(suffix) = self.user_agent_suffix.as_deref().map(str::trim) {
            if !suffix.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return Err(invalid(
                    "user_agent_suffix",
                    "must be printable ASCII (no control characters)",
                ));
            }
            if !suffix.is_empty() {
                user_agent.push(' ');
                user_agent.push_str(suffix);
            }
        }
        let credentials = match self.credentials {
            Some(provider) => provider,
            None => S::default_credentials(&CredentialsSettings {
                env: Arc::clone(&env),
                profile: self.profile,
                sts_endpoint: self.sts_endpoint,
                ecs_metadata_endpoint: self.ecs_metadata_endpoint,
            }),
        };
        let http = self
            .network
            .build(&endpoint, self.connect_timeout, env.as_ref())?;
        let user_agent_header = HeaderValue::from_str(&user_agent).ok();
        let host_header = HeaderValue::from_str(endpoint.authority()).ok();
        let base_url = reqwest::Url::parse(&format!("{}/", endpoint.url()))
            .ok()
            .filter(reqwest::Url::has_host);
        Ok(Config {
            endpoint,
            region,
            credentials,
            signature_version: self.signature_version,
            response_format: self.response_format,
            max_attempts: self.max_attempts,
            idempotent: self.idempotent,
            connect_timeout: self.connect_timeout,
            attempt_timeout: self.attempt_timeout,
            operation_timeout: self.operation_timeout,
            retry_base_delay: self.retry_base_delay,
            retry_max_delay: self.retry_max_delay,
            max_response_bytes: self.max_response_bytes,
            in_flight,
            max_in_flight_requests: self.max_in_flight_requests,
            user_agent,
            http: http.client,
            user_agent_header,
            host_header,
            base_url,
            static_credentials: self.static_credentials,
            proxy: http.proxy,
            extra_roots: http.extra_roots,
            _service: PhantomData,
        })
    }
}

fn invalid(name: &'static str, reason: &str) -> ConfigError {
    ConfigError::InvalidSetting {
        name,
        reason: reason.to_string(),
    }
}
