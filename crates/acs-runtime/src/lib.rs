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
