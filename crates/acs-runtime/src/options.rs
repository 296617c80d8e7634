//! Per-call overrides of the client's configuration (a fluent builder's `customize`).

use std::fmt;
use std::time::Duration;

use crate::config::Config;

/// Settings of one call that differ from the client's [`Config`]: timeouts, attempts, and
/// extra headers or query parameters. Unset settings keep the configuration's value.
///
/// A generated fluent builder takes them with `customize`, so one call can differ without
/// a second client (no connection pool is created or cloned):
///
/// ```
/// use std::time::Duration;
/// use acs_runtime::CallOptions;
///
/// let options = CallOptions::new()
///     .attempt_timeout(Duration::from_secs(2))
///     .operation_timeout(Duration::from_secs(5))
///     .max_attempts(1)
///     .header("x-acs-trace-id", "order-42")
///     .query_param("ExtraParam", "value");
/// assert_eq!(options.max_attempts_override(), Some(1));
/// // Header values are not shown: they may carry tokens.
/// assert!(!format!("{options:?}").contains("order-42"));
/// ```
///
/// New settings are added as new methods, so the type can grow without breaking callers.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    max_attempts: Option<u32>,
    idempotent: Option<bool>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("CallOptions")
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("idempotent", &self.idempotent)
            .field("headers", &headers)
            .field("query", &self.query)
            .finish()
    }
}

impl CallOptions {
    /// No overrides: the call uses the configuration as it is.
    pub const fn new() -> Self {
        CallOptions {
            attempt_timeout: None,
            operation_timeout: None,
            max_attempts: None,
            idempotent: None,
            headers: Vec::new(),
            query: Vec::new(),
        }
    }

    /// Timeout of each attempt of this call (sending, waiting and reading the whole body).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Timeout of this whole call, retries and backoff included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Attempts of this call, the first one included (1 disables retries).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Declares this call safe (`true`) or not safe (`false`) to repeat, over the action's
    /// spec and the client's [`ConfigBuilder::idempotent`](crate::ConfigBuilder::idempotent):
    /// `true` retries it after every transient failure, like a read (for example a
    /// `DeployFile` you know is harmless to repeat); `false` retries it only when it certainly
    /// was not carried out, and a failure that leaves the outcome unknown becomes
    /// [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown). `max_attempts(1)` turns
    /// retries off.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Adds an HTTP header to every attempt of this call. Headers starting with `x-acs-` are
    /// signed (V3). Headers the client sets itself (`host`, `authorization`, `content-type`,
    /// `user-agent`, `accept`, the `x-acs-` headers of the signature) are refused when the
    /// call is sent, with [`Error::Validation`](crate::Error::Validation) naming the header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter to this call (signed like the request's own parameters), for
    /// example one the spec does not describe yet. The signature's common parameters
    /// (`Action`, `Signature`, `Timestamp`, ...) are refused when the call is sent.
    pub fn query_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// The attempt timeout set here, if any.
    pub fn attempt_timeout_override(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The operation timeout set here, if any.
    pub fn operation_timeout_override(&self) -> Option<Duration> {
        self.operation_timeout
    }

    /// The attempt count set here, if any.
    pub fn max_attempts_override(&self) -> Option<u32> {
        self.max_attempts
    }

    /// Whether this call was declared safe or not safe to repeat, if it was.
    pub fn idempotent_override(&self) -> Option<bool> {
        self.idempotent
    }

    /// The extra headers, in the order added.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The extra query parameters, in the order added.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }

    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == CallOptions::new()
    }
}

/// The settings one call runs with: the configuration's, overridden by the call's options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallSettings {
    pub(crate) max_attempts: u32,
    pub(crate) attempt_timeout: Duration,
    pub(crate) operation_timeout: Option<Duration>,
    /// Declared safe or not safe to repeat (the call's, else the client's), over the spec.
    pub(crate) idempotent: Option<bool>,
}

impl CallSettings {
    pub(crate) fn new<S>(config: &Config<S>, options: &CallOptions) -> Result<Self, crate::Error> {
        let max_attempts = options.max_attempts.unwrap_or(config.max_attempts);
        if max_attempts == 0 {
            return Err(crate::Error::validation(
                "max_attempts",
                "the call's max_attempts must be at least 1",
            ));
        }
        let zero = |d: Option<Duration>| d.is_some_and(|d| d.is_zero());
        if zero(options.attempt_timeout) || zero(options.operation_timeout) {
            return Err(crate::Error::validation(
                "timeout",
                "the call's timeouts must be greater than zero",
            ));
        }
        Ok(CallSettings {
            max_attempts,
            attempt_timeout: options.attempt_timeout.unwrap_or(config.attempt_timeout),
            operation_timeout: options.operation_timeout.or(config.operation_timeout),
            idempotent: options.idempotent.or(config.idempotent),
        })
    }
}
