//! The error type returned by every generated operation.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use acs_model::BuildError;

use crate::config::ConfigError;
use crate::credentials::CredentialsError;

/// A boxed error source (`Send + Sync + 'static`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything an API call can fail with.
///
/// ```
/// let err = acs_runtime::Error::validation("DeploymentId", "is required");
/// assert_eq!(err.to_string(), "invalid parameter DeploymentId: is required");
/// assert!(!err.is_retryable());
///
/// // A request that breaks the spec's rules converts with `?`, keeping the typed error.
/// let rule = acs_model::BuildError::MissingParameter { parameter: "DeploymentId" };
/// let err = acs_runtime::Error::from(rule.clone());
/// assert_eq!(err.build_error(), Some(&rule));
/// assert!(matches!(err, acs_runtime::Error::Validation { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter was rejected before any I/O.
    #[error("invalid parameter {param}: {message}")]
    Validation {
        /// The parameter name as in the API (`DeploymentId`).
        param: Cow<'static, str>,
        /// What is wrong with it.
        message: String,
        /// The spec's rule the request broke, when the models' checks found it.
        #[source]
        rule: Option<BuildError>,
    },
    /// The client configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No usable credentials.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The service answered with an error (gateway error body, or a 2xx body with `Success=false`).
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// The request could not be sent or no response arrived in time. It displays in one line
    /// what failed, for which host, through which proxy, after how many attempts, and the
    /// root cause: `connection refused by 127.0.0.1:9 (after 3 attempts): Connection refused
    /// (os error 111)`.
    #[error("{}", fmt_transport(*kind, host, proxy.as_deref(), *attempts, &**source))]
    Transport {
        /// What kind of transport failure the last attempt had.
        kind: TransportKind,
        /// Attempts made, the first one included.
        attempts: u32,
        /// The endpoint's `host[:port]` (empty when no endpoint was involved).
        host: String,
        /// The proxy the connection went through, without credentials.
        proxy: Option<String>,
        /// The underlying error (URLs are stripped: they may carry a security token).
        #[source]
        source: BoxError,
    },
    /// A response arrived but its body could not be read or understood.
    #[error(
        "could not decode the response body (HTTP {http_status}{}): {source}; body starts with {excerpt:?}",
        fmt_request_id(request_id.as_deref())
    )]
    Decode {
        /// HTTP status of the response.
        http_status: u16,
        /// Request id from the body or the `x-acs-request-id` header.
        request_id: Option<String>,
        /// The beginning of the body (UTF-8 lossy, at most ~200 characters).
        excerpt: String,
        /// Why decoding failed.
        #[source]
        source: BoxError,
    },
    /// The response body exceeded [`ConfigBuilder::max_response_bytes`](crate::ConfigBuilder::max_response_bytes).
    #[error(
        "response body exceeds the limit of {limit} bytes (HTTP {http_status}{}); raise max_response_bytes if this is expected",
        fmt_request_id(request_id.as_deref())
    )]
    ResponseTooLarge {
        /// The configured limit in bytes.
        limit: u64,
        /// HTTP status of the response.
        http_status: u16,
        /// Request id from the `x-acs-request-id` header.
        request_id: Option<String>,
    },
    /// An action that is not safe to repeat failed in a way that leaves its outcome unknown:
    /// an attempt timed out or the connection broke after the request was written, the
    /// service answered HTTP 5xx, or the operation timeout struck during an attempt. The
    /// service may have carried it out, so it was not sent again. Check the resource (with
    /// the matching Get or List action, or by the client token) before repeating it.
    ///
    /// ```text
    /// outcome unknown: the request may have been carried out (DeployFile, after 1 attempt): timeout talking to ...
    /// ```
    #[error(
        "outcome unknown: the request may have been carried out ({action}{}{}, after {attempts} {}): {source}",
        fmt_request_id(source.request_id()),
        client_token.as_deref().map(|t| format!(", ClientToken: {t}")).unwrap_or_default(),
        plural_attempts(*attempts)
    )]
    OutcomeUnknown {
        /// The action (`DeployFile`).
        action: String,
        /// The client token sent with every attempt, if the action has one: the service
        /// carries a call out at most once per token, so sending it again with this token
        /// is safe.
        client_token: Option<String>,
        /// Attempts made, the first one included.
        attempts: u32,
        /// The failure of the last attempt (or the operation timeout); its request id, when an
        /// answer came, is [`Error::request_id`]'s.
        #[source]
        source: Box<Error>,
    },
    /// The whole operation (all attempts and backoff) exceeded the operation timeout.
    #[error("operation timed out after {timeout:?} ({attempts} {} started)", plural_attempts(*attempts))]
    OperationTimeout {
        /// The configured operation timeout.
        timeout: Duration,
        /// Attempts started before the deadline.
        attempts: u32,
    },
    /// A blocking client was called where a tokio runtime is running (inside async code or
    /// `spawn_blocking`), where blocking the thread could stall the runtime.
    #[error("the blocking client was called inside an async runtime (tokio): use the async Client there, or call it from a thread of your own")]
    BlockingInAsyncContext,
    /// The runtime of a blocking client (or of a command-line tool) could not start.
    #[error("cannot start the async runtime: {source}")]
    Runtime {
        /// Why the runtime could not start (no threads, no I/O driver).
        #[source]
        source: std::io::Error,
    },
    /// A waiter's classifier reported a final failure state.
    #[error("waiter reached a failure state after {polls} {}: {reason}", if *polls == 1 { "poll" } else { "polls" })]
    WaiterFailed {
        /// What the classifier reported.
        reason: String,
        /// Number of polls made.
        polls: u32,
    },
    /// A waiter did not reach a final state within its maximum wait.
    #[error("waiter gave up after {waited:?} and {polls} {} without reaching the desired state", if *polls == 1 { "poll" } else { "polls" })]
    WaiterTimeout {
        /// Time spent waiting.
        waited: Duration,
        /// Number of polls made.
        polls: u32,
    },
}

fn plural_attempts(n: u32) -> &'static str {
    if n == 1 {
        "attempt"
    } else {
        "attempts"
    }
}

/// `<what failed for host> (after N attempts[, via proxy P]): <root cause>`.
fn fmt_transport(
    kind: TransportKind,
    host: &str,
    proxy: Option<&str>,
    attempts: u32,
    source: &(dyn std::error::Error + 'static),
) -> String {
    let host = if host.is_empty() {
        "the endpoint"
    } else {
        host
    };
    let what = match kind {
        TransportKind::Dns => format!("DNS lookup of {host} failed"),
        TransportKind::Refused => format!("connection refused by {host}"),
        TransportKind::Tls => format!("TLS handshake with {host} failed"),
        TransportKind::Timeout => format!("timeout talking to {host}"),
        TransportKind::Proxy => match proxy {
            Some(proxy) => format!("proxy {proxy} failed to reach {host}"),
            None => format!("proxy failed to reach {host}"),
        },
        TransportKind::Connect => format!("cannot connect to {host}"),
        TransportKind::Io => format!("connection to {host} failed"),
    };
    let via = match (kind, proxy) {
        (TransportKind::Proxy, _) | (_, None) => String::new(),
        (_, Some(proxy)) => format!(", via proxy {proxy}"),
    };
    format!(
        "{what} (after {attempts} {}{via}): {}",
        plural_attempts(attempts),
        root_cause(source)
    )
}

/// The innermost error of a chain, where the actual reason is.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

fn fmt_request_id(id: Option<&str>) -> String {
    match id {
        Some(id) => format!(", RequestId: {id}"),
        None => String::new(),
    }
}

impl Error {
    /// A validation error for `param`, raised by generated code before any I/O.
    pub fn validation(param: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Error::Validation {
            param: param.into(),
            message: message.into(),
            rule: None,
        }
    }

    /// The spec's rule a request broke, when this is a validation error from the models'
    /// checks (`GetDeploymentRequest::builder()...build()?`).
    pub fn build_error(&self) -> Option<&BuildError> {
        match self {
            Error::Validation { rule, .. } => rule.as_ref(),
            _ => None,
        }
    }

    /// The service error, when this is one (also the 5xx behind an [`Error::OutcomeUnknown`]).
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            Error::OutcomeUnknown { source, .. } => source.service_error(),
            _ => None,
        }
    }

    /// Whether the call may have been carried out although it failed
    /// ([`Error::OutcomeUnknown`]): check before repeating it.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }

    /// The client token the call sent, when its action has one: the service carries a call
    /// out at most once per token, so look the operation up by it or repeat it with it.
    pub fn client_token(&self) -> Option<&str> {
        match self {
            Error::OutcomeUnknown { client_token, .. } => client_token.as_deref(),
            Error::Service(e) => e.client_token.as_deref(),
            _ => None,
        }
    }

    /// The service error code (`Throttling.User`, `Invalid.Deployment.NotFound`), when there is one.
    pub fn code(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.code.as_deref())
    }

    /// The error message: the service's `Message` / `ErrorMessage` for a service error, what
    /// is wrong with the parameter for a validation error; `None` for other errors (their
    /// `Display` says what happened).
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.message.as_deref(),
            Error::OutcomeUnknown { source, .. } => source.message(),
            Error::Validation { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The kind of a transport failure, when this is one.
    pub fn transport_kind(&self) -> Option<TransportKind> {
        match self {
            Error::Transport { kind, .. } => Some(*kind),
            Error::OutcomeUnknown { source, .. } => source.transport_kind(),
            _ => None,
        }
    }

    /// The request id of the failed call, when the service returned one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } | Error::ResponseTooLarge { request_id, .. } => {
                request_id.as_deref()
            }
            Error::OutcomeUnknown { source, .. } => source.request_id(),
            _ => None,
        }
    }

    /// The HTTP status of the failed call, when a response arrived. For business errors this is
    /// the body's `HttpStatusCode` when present.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Service(e) => Some(e.http_status),
            Error::Decode { http_status, .. } | Error::ResponseTooLarge { http_status, .. } => {
                Some(*http_status)
            }
            Error::OutcomeUnknown { source, .. } => source.http_status(),
            _ => None,
        }
    }

    /// Attempts made before this error was returned, when a request was sent.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Service(e) => Some(e.attempts),
            Error::Transport { attempts, .. }
            | Error::OperationTimeout { attempts, .. }
            | Error::OutcomeUnknown { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }

    /// Whether the failure is transient, i.e. the runtime's retry policy would retry it
    /// (throttling, 5xx, connection errors and timeouts; not TLS or proxy failures) for an
    /// action that is safe to repeat. A returned error that says `true` has already used up
    /// the configured attempts. [`Error::OutcomeUnknown`] says `false`: repeating it blindly
    /// may repeat its effect.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => e.retryable,
            // A certificate or a proxy's refusal does not change within a call.
            Error::Transport { kind, .. } => {
                !matches!(kind, TransportKind::Tls | TransportKind::Proxy)
            }
            Error::Decode { http_status, .. } => *http_status == 429 || *http_status >= 500,
            _ => false,
        }
    }
}

/// Where a service error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorOrigin {
    /// An error body from the API gateway (non-2xx, fields `Code`, `Message`, `RequestId`, ...).
    Gateway,
    /// A business failure in the response body (`Success=false`, `ErrorCode`, `ErrorMessage`).
    Business,
}

/// An error reported by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// HTTP status (for business errors the body's `HttpStatusCode` when it is a valid status).
    pub http_status: u16,
    /// `Code` / `ErrorCode`.
    pub code: Option<String>,
    /// `Message` / `ErrorMessage`.
    pub message: Option<String>,
    /// `RequestId`, else the `x-acs-request-id` header.
    pub request_id: Option<String>,
    /// `HostId`.
    pub host_id: Option<String>,
    /// `Recommend` (a troubleshooting link).
    pub recommend: Option<String>,
    /// Attempts made, the first one included.
    pub attempts: u32,
    /// Gateway error body or business failure.
    pub origin: ErrorOrigin,
    /// Whether the retry policy classifies this error as transient.
    pub retryable: bool,
    /// The client token the call sent, when its action has one.
    pub client_token: Option<String>,
}

impl ServiceError {
    /// A hint for errors whose usual cause is local, shown after the message.
    pub fn hint(&self) -> Option<&'static str> {
        let code = self.code.as_deref()?;
        if code.starts_with("InvalidTimeStamp") {
            Some("the request timestamp was rejected: check that the local clock is correct (synchronise it, e.g. with NTP)")
        } else if code == "SignatureDoesNotMatch" || code == "IncompleteSignature" {
            Some("check the AccessKey secret and that nothing rewrites the request on its way")
        } else if code.starts_with("InvalidAccessKeyId") {
            Some("check the AccessKey id and that the key is enabled")
        } else if code.starts_with("InvalidSecurityToken") {
            Some("the STS security token is invalid or expired: obtain a new one")
        } else {
            None
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.origin {
            ErrorOrigin::Gateway => "service error",
            ErrorOrigin::Business => "service error (business)",
        };
        write!(f, "{kind}: HTTP {}", self.http_status)?;
        match &self.code {
            Some(code) => write!(f, " {code}")?,
            None => f.write_str(" (no error code)")?,
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        f.write_str(" (")?;
        if let Some(id) = &self.request_id {
            write!(f, "RequestId: {id}, ")?;
        }
        if let Some(token) = &self.client_token {
            write!(f, "ClientToken: {token}, ")?;
        }
        write!(
            f,
            "after {} {})",
            self.attempts,
            plural_attempts(self.attempts)
        )?;
        if let Some(hint) = self.hint() {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// A request that breaks the spec's rules: a validation error naming its parameter.
impl From<BuildError> for Error {
    fn from(rule: BuildError) -> Self {
        Error::Validation {
            param: Cow::Owned(rule.parameter().to_owned()),
            message: rule.to_string(),
            rule: Some(rule),
        }
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(Box::new(e))
    }
}

/// The kind of a transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The endpoint's name could not be resolved.
    Dns,
    /// Nothing listens at the endpoint's address (connection refused).
    Refused,
    /// The TLS handshake failed (an untrusted or invalid certificate, a protocol error).
    Tls,
    /// No connection or no complete response within the connect or attempt timeout.
    Timeout,
    /// The proxy could not be reached or refused the connection (tunnel, authentication).
    Proxy,
    /// The connection could not be established for another reason.
    Connect,
    /// The connection failed after it was established (reset, closed before a response).
    Io,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Dns => "DNS",
            TransportKind::Refused => "connection refused",
            TransportKind::Tls => "TLS",
            TransportKind::Timeout => "timeout",
            TransportKind::Proxy => "proxy",
            TransportKind::Connect => "connect",
            TransportKind::Io => "I/O",
        })
    }
}
