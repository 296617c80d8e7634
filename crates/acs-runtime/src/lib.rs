//! Shared runtime for generated Alibaba Cloud API clients: config, credentials, endpoints,
//! transport, retries, errors.
//!
//! A generated crate declares a marker type implementing [`Service`], aliases
//! [`Config`]`<Marker>`, wraps a [`Client`]`<Marker>` and hands each generated request (an
//! [`acs_model::Request`] of its models crate) to [`Client::send`]: the request's parameters
//! go straight into an [`OperationRequest`], which is signed, sent with retries, and whose
//! body is decoded by the models' own decoders.
//!
//! * Configuration: [`Config::builder`]; the region comes from [`ConfigBuilder::region`] or the
//!   `ALIBABA_CLOUD_REGION_ID` environment variable; an explicit [`ConfigBuilder::endpoint`] wins.
//! * Credentials: [`Credentials`], the async [`CredentialsProvider`], the [`StaticChain`]
//!   (see [`credentials`]); a product's default provider comes from
//!   [`Service::default_credentials`] (the `acs-credentials` crate's chain for DataWorks).
//!   Profiles of the CLI config and the credentials file are read by [`profile`].
//! * Requests are signed with V3 (ACS3-HMAC-SHA256, default) or RPC v1 (HMAC-SHA1) by `acs-sign`.
//! * Retries: see [`retry`]. Errors: [`Error`] (a broken spec rule is
//!   [`Error::Validation`], keeping the [`BuildError`]). Polling: [`Client::wait_with`] and
//!   [`waiter`]; pages: [`Client::paginate`].
//!
//! What generated code looks like (models and client in one place):
//!
//! ```no_run
//! use acs_model::{BuildError, BusinessStatus, FieldSource, Object, ParamWriter, Request};
//! use acs_runtime::{ErrorCodeInfo, Service, ServiceInfo};
//!
//! pub struct DataworksPublic;
//! impl Service for DataworksPublic {
//!     const INFO: ServiceInfo = ServiceInfo {
//!         product: "dataworks-public",
//!         version: "2020-05-18",
//!         endpoint_map: &[("cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com")],
//!         endpoint_fallback: "dataworks.{region}.aliyuncs.com",
//!         error_codes: &[ErrorCodeInfo::new("Throttling.User", 429, true)],
//!         sdk_name: "dataworks-public",
//!         sdk_version: "0.1.0",
//!     };
//! }
//! pub type Config = acs_runtime::Config<DataworksPublic>;
//!
//! #[derive(Default)]
//! pub struct GetDeploymentRequest {
//!     pub deployment_id: Option<i64>,
//! }
//!
//! impl Request for GetDeploymentRequest {
//!     const ACTION: &'static str = "GetDeployment";
//!     type Response = GetDeploymentResponse;
//!     fn validate(&self) -> Result<(), BuildError> {
//!         acs_model::check::required("DeploymentId", &self.deployment_id)
//!     }
//!     fn write_params(&self, w: &mut ParamWriter<'_>) {
//!         w.form("DeploymentId", &self.deployment_id);
//!     }
//!     fn business_status(out: &GetDeploymentResponse) -> BusinessStatus<'_> {
//!         BusinessStatus { success: out.success, request_id: out.request_id.as_deref(), ..Default::default() }
//!     }
//! }
//!
//! #[derive(Default)]
//! pub struct GetDeploymentResponse {
//!     pub request_id: Option<String>,
//!     pub success: Option<bool>,
//! }
//!
//! impl Object for GetDeploymentResponse {
//!     fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
//!         match name {
//!             "RequestId" => f.scalar(&mut self.request_id),
//!             "Success" => f.scalar(&mut self.success),
//!             _ => f.skip(),
//!         }
//!     }
//! }
//!
//! # async fn demo() -> Result<(), acs_runtime::Error> {
//! let client = acs_runtime::Client::new(Config::builder().region("cn-shanghai").build()?);
//! let input = GetDeploymentRequest { deployment_id: Some(3000001) };
//! let out = client.send(&input).await?;
//! # let _ = out; Ok(()) }
//! ```
//!
//! * Tracing: one `acs_call` span per call (product, version, action, attempts) and one
//!   `acs_attempt` span per attempt (attempt, http_status, request_id); retries are logged at
//!   INFO with the backoff. Credentials and signatures are never recorded.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod config;
pub mod credentials;
pub mod decode;
pub mod dry_run;
pub mod env;
pub mod error;
mod ini;
pub mod mode;
pub mod network;
pub mod options;
pub mod paginate;
pub mod profile;
pub mod request;
pub mod retry;
pub mod service;
#[cfg(feature = "test-util")]
pub mod test_util;
pub mod waiter;

#[cfg(feature = "blocking")]
pub use blocking::Blocking;
pub use client::{Client, Decoder};
pub use config::{Config, ConfigBuilder, ConfigError, ResponseFormat, SignatureVersion};
pub use credentials::{
    Credentials, CredentialsError, CredentialsExt, CredentialsFuture, CredentialsProvider,
    CredentialsSettings, SharedCredentialsProvider, StaticChain,
};
pub use env::{Env, MemoryEnv, SystemEnv};
pub use error::{Error, ErrorOrigin, ServiceError, TransportKind};
pub use mode::{Async, Mode};
pub use options::CallOptions;
pub use paginate::{Items, Paginator};
pub use request::{BusinessStatus, Idempotency, OperationRequest, Signing};
pub use service::{ErrorCodeInfo, Service, ServiceInfo};
pub use waiter::{wait_until, WaitState, WaiterConfig, WaiterError};

/// The models' support crate (requests, decoding, enums), for generated clients.
pub use acs_model;
pub use acs_model::BuildError;

/// Declares what every generated client crate has for its product `$service` (a type that
/// implements [`Service`]): `Config` and `ConfigBuilder`, and `Client<M>`, which wraps a
/// [`Client`]`<$service>`; the generated crate adds one method per action to `Client<M>`.
///
/// `M` is the [`Mode`]: [`Async`] by default; with the generated crate's `blocking` feature,
/// `blocking::Client` is `Client<acs_runtime::blocking::Blocking>`, built with
/// `blocking::Client::try_new(config)`.
#[macro_export]
macro_rules! client {
    ($service:ident) => {
        /// Client configuration: region or endpoint, credentials, signature version, response
        /// format, timeouts and retries, proxy, root certificates and connection pool. Start
        /// with `Config::builder()`.
        pub type Config = $crate::Config<$service>;

        /// Builder of [`Config`].
        pub type ConfigBuilder = $crate::ConfigBuilder<$service>;

        /// The client: one method per action, returning the action's fluent builder, and one
        /// per waiter. Cheap to clone (clones share the connection pool); `Send + Sync`.
        ///
        /// `Client` is async (`send().await`). With the `blocking` feature,
        /// [`blocking::Client`](crate::blocking::Client) has the same methods and builders,
        /// whose `send()` blocks.
        #[derive(Debug, Clone)]
        pub struct Client<M: $crate::Mode = $crate::Async> {
            inner: $crate::Client<$service>,
            mode: M,
        }

        impl Client {
            /// A client with the given configuration.
            pub fn new(config: Config) -> Self {
                Client {
                    inner: $crate::Client::new(config),
                    mode: $crate::Async,
                }
            }

            /// A client configured from the environment: region from
            /// `ALIBABA_CLOUD_REGION_ID`, credentials from the default chain, proxies from
            /// the proxy variables.
            pub fn from_env() -> Result<Self, $crate::ConfigError> {
                Ok(Self::new(Config::builder().build()?))
            }
        }

        impl<M: $crate::Mode> Client<M> {
            /// The configuration.
            pub fn config(&self) -> &Config {
                self.inner.config()
            }

            /// The shared runtime client, for calls the generated API does not cover.
            pub fn runtime(&self) -> &$crate::Client<$service> {
                &self.inner
            }
        }

        #[cfg(feature = "blocking")]
        impl Client<$crate::Blocking> {
            /// A blocking client with the given configuration. It starts one tokio runtime
            /// (one worker thread) that the client and its clones share with the connection
            /// pool; calls may come from any number of threads. Called inside async code, a
            /// call returns [`Error::BlockingInAsyncContext`](crate::Error::BlockingInAsyncContext).
            pub fn try_new(config: Config) -> Result<Self, $crate::Error> {
                Ok(Client {
                    inner: $crate::Client::new(config),
                    mode: $crate::Blocking::new()?,
                })
            }
        }

        /// Blocking calls (feature `blocking`): the same fluent builders, paginators (as
        /// iterators) and waiters, whose `send()` blocks the calling thread.
        #[cfg(feature = "blocking")]
        pub mod blocking {
            /// A client whose calls block; build it with `blocking::Client::try_new(config)`.
            pub type Client = super::Client<$crate::Blocking>;
        }
    };
}

/// Stream traits for paginators (`StreamExt::next`, `TryStreamExt::try_collect`, ...).
pub mod stream {
    pub use futures_util::stream::{Stream, StreamExt, TryStreamExt};
}
