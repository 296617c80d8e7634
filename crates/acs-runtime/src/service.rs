//! Static description of one API product, emitted by the code generator.

use std::sync::Arc;

use crate::credentials::{CredentialsSettings, SharedCredentialsProvider, StaticChain};

/// One API product (for example `dataworks-public` 2020-05-18).
///
/// Generated clients declare a marker type per product and implement this trait for it; every
/// runtime type ([`Config`](crate::Config), [`Client`](crate::Client)) is generic over it.
///
/// ```
/// use acs_runtime::{ErrorCodeInfo, Service, ServiceInfo};
///
/// pub struct DataworksPublic;
/// impl Service for DataworksPublic {
///     const INFO: ServiceInfo = ServiceInfo {
///         product: "dataworks-public",
///         version: "2020-05-18",
///         endpoint_map: &[("cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com")],
///         endpoint_fallback: "dataworks.{region}.aliyuncs.com",
///         error_codes: &[ErrorCodeInfo::new("Throttling.User", 429, true)],
///         sdk_name: "dataworks-public",
///         sdk_version: "0.1.0",
///     };
/// }
/// assert_eq!(DataworksPublic::INFO.endpoint_for_region("cn-shanghai"), "dataworks.cn-shanghai.aliyuncs.com");
/// assert_eq!(DataworksPublic::INFO.endpoint_for_region("eu-west-9"), "dataworks.eu-west-9.aliyuncs.com");
/// ```
pub trait Service: Send + Sync + 'static {
    /// The product's static description.
    const INFO: ServiceInfo;

    /// The credentials provider of a configuration that names none. The default is the
    /// runtime's [`StaticChain`] (no network); a generated client whose
    /// spec names a credentials crate (`defaultCredentials` in `product.yaml`) returns that
    /// crate's chain instead, so the runtime never depends on the providers that call
    /// services (which themselves use a generated STS client).
    fn default_credentials(settings: &CredentialsSettings) -> SharedCredentialsProvider {
        Arc::new(StaticChain::from_settings(settings))
    }
}

/// Static facts about one API product: name, version, endpoints, documented errors, SDK identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    /// Product code as used by Alibaba Cloud (`dataworks-public`).
    pub product: &'static str,
    /// API version (`2020-05-18`), sent as `Version` / `x-acs-version`.
    pub version: &'static str,
    /// Region id to endpoint host (without scheme), as published for the product.
    pub endpoint_map: &'static [(&'static str, &'static str)],
    /// Host pattern used when the region is not in `endpoint_map`; `{region}` is replaced by the
    /// region id (for example `dataworks.{region}.aliyuncs.com`).
    pub endpoint_fallback: &'static str,
    /// Error codes documented for the product.
    pub error_codes: &'static [ErrorCodeInfo],
    /// Name of the generated SDK crate, sent in the User-Agent.
    pub sdk_name: &'static str,
    /// Version of the generated SDK crate, sent in the User-Agent.
    pub sdk_version: &'static str,
}

impl ServiceInfo {
    /// The endpoint host for `region`: the map entry when there is one, else the fallback pattern
    /// with `{region}` replaced.
    pub fn endpoint_for_region(&self, region: &str) -> String {
        match self.endpoint_map.iter().find(|(r, _)| *r == region) {
            Some((_, host)) => (*host).to_string(),
            None => self.endpoint_fallback.replace("{region}", region),
        }
    }

    /// The documented entry for an error code, if the spec lists it.
    pub fn error_code(&self, code: &str) -> Option<&'static ErrorCodeInfo> {
        self.error_codes.iter().find(|e| e.code == code)
    }
}

/// One error code documented in the API spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCodeInfo {
    /// The error code (`Throttling.User`).
    pub code: &'static str,
    /// The HTTP status documented with it.
    pub http_status: u16,
    /// Whether the spec marks it as safe to retry. This can only add retryability on top of
    /// the built-in rules (see [`crate::retry`]); it never disables retrying throttling or 5xx.
    pub retryable: bool,
    /// Whether the service (its gateway) returns it before the action is carried out, so that
    /// even an action that is not idempotent is retried after it (the spec's
    /// `rejectedBeforeProcessing`; throttling and `SignatureNonceUsed` are built in, see
    /// [`crate::retry`]).
    pub rejected_before_processing: bool,
}

impl ErrorCodeInfo {
    /// An entry, for the tables generated code declares.
    ///
    /// ```
    /// const THROTTLING: acs_runtime::ErrorCodeInfo =
    ///     acs_runtime::ErrorCodeInfo::new("Throttling.User", 429, true);
    /// assert_eq!(THROTTLING.http_status, 429);
    /// ```
    pub const fn new(code: &'static str, http_status: u16, retryable: bool) -> Self {
        ErrorCodeInfo {
            code,
            http_status,
            retryable,
            rejected_before_processing: false,
        }
    }

    /// The entry, marked as returned before the action is carried out (which makes it
    /// retried for every action, also those that are not idempotent).
    ///
    /// ```
    /// const BUSY: acs_runtime::ErrorCodeInfo =
    ///     acs_runtime::ErrorCodeInfo::new("Gateway.Busy", 503, true).rejected_before_processing();
    /// assert!(BUSY.rejected_before_processing);
    /// ```
    pub const fn rejected_before_processing(mut self) -> Self {
        self.rejected_before_processing = true;
        self
    }
}
