//! Shared runtime for generated Alibaba Cloud API clients: config, credentials, endpoints,
//! transport, retries, errors.
//!
//! A generated crate declares a marker type implementing [`Service`], aliases
//! [`Config`]`<Marker>`, wraps a [`Client`]`<Marker>` and, for each operation, builds an
//! [`OperationRequest`] and calls [`Client::invoke`].
//!
//! * Configuration: [`Config::builder`]; the region comes from [`ConfigBuilder::region`] or the
//!   `ALIBABA_CLOUD_REGION_ID` environment variable; an explicit [`ConfigBuilder::endpoint`] wins.
//! * Credentials: [`Credentials`], [`CredentialsProvider`], the [`DefaultChain`]
//!   (see [`credentials`]).
//! * Requests are signed with V3 (ACS3-HMAC-SHA256, default) or RPC v1 (HMAC-SHA1) by `acs-sign`.
//! * Retries: see [`retry`]. Errors: [`Error`]. Polling: [`waiter`].
//!
//! What generated code looks like:
//!
//! ```no_run
//! use acs_runtime::{BusinessStatus, ErrorCodeInfo, OperationRequest, Service, ServiceInfo};
//!
//! pub struct DataworksPublic;
//! impl Service for DataworksPublic {
//!     const INFO: ServiceInfo = ServiceInfo {
//!         product: "dataworks-public",
//!         version: "2020-05-18",
//!         endpoint_map: &[("cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com")],
//!         endpoint_fallback: "dataworks.{region}.aliyuncs.com",
//!         error_codes: &[ErrorCodeInfo { code: "Throttling.User", http_status: 429, retryable: true }],
//!         sdk_name: "dataworks-public",
//!         sdk_version: "0.1.0",
//!     };
//! }
//! pub type Config = acs_runtime::Config<DataworksPublic>;
//!
//! #[derive(serde::Deserialize)]
//! pub struct GetDeploymentResponse {
//!     #[serde(rename = "RequestId")] pub request_id: Option<String>,
//!     #[serde(rename = "Success")] pub success: Option<bool>,
//!     #[serde(rename = "ErrorCode")] pub error_code: Option<String>,
//!     #[serde(rename = "ErrorMessage")] pub error_message: Option<String>,
//!     #[serde(rename = "HttpStatusCode")] pub http_status_code: Option<i32>,
//! }
//!
//! #[derive(Clone, Debug)]
//! pub struct Client { inner: acs_runtime::Client<DataworksPublic> }
//! impl Client {
//!     pub fn new(config: Config) -> Self { Self { inner: acs_runtime::Client::new(config) } }
//!     pub async fn get_deployment(&self, deployment_id: Option<i64>) -> Result<GetDeploymentResponse, acs_runtime::Error> {
//!         let deployment_id = deployment_id
//!             .ok_or_else(|| acs_runtime::Error::validation("DeploymentId", "is required"))?;
//!         let mut req = OperationRequest::new("GetDeployment");
//!         req.form("DeploymentId", deployment_id.to_string());
//!         self.inner.invoke(req, |out: &GetDeploymentResponse| BusinessStatus {
//!             success: out.success,
//!             code: out.error_code.as_deref(),
//!             message: out.error_message.as_deref(),
//!             http_status: out.http_status_code,
//!             request_id: out.request_id.as_deref(),
//!         }).await
//!     }
//! }
//!
//! # async fn demo() -> Result<(), acs_runtime::Error> {
//! let client = Client::new(Config::builder().region("cn-shanghai").build()?);
//! let out = client.get_deployment(Some(3000001)).await?;
//! # let _ = out; Ok(()) }
//! ```
//!
//! * Tracing: one `acs_call` span per call (product, version, action, attempts) and one
//!   `acs_attempt` span per attempt (attempt, http_status, request_id); retries are logged at
//!   INFO with the backoff. Credentials and signatures are never recorded.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod config;
pub mod credentials;
pub mod decode;
pub mod env;
pub mod error;
mod ini;
pub mod paginate;
pub mod params;
pub mod request;
pub mod retry;
pub mod service;
pub mod waiter;

pub use client::Client;
pub use config::{Config, ConfigBuilder, ConfigError, ResponseFormat, SignatureVersion};
pub use credentials::{
    Credentials, CredentialsError, CredentialsExt, CredentialsProvider, DefaultChain,
};
pub use env::{Env, MemoryEnv, SystemEnv};
pub use error::{Error, ErrorOrigin, ServiceError, TransportKind};
pub use request::{BusinessStatus, OperationRequest};
pub use service::{ErrorCodeInfo, Service, ServiceInfo};
pub use waiter::{wait_until, WaitState, WaiterConfig};

/// Stream traits for paginators (`StreamExt::next`, `TryStreamExt::try_collect`, ...).
pub mod stream {
    pub use futures_util::stream::{Stream, StreamExt, TryStreamExt};
}
