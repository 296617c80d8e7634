//! Retry policy: which failures are retried and how long to wait.
//!
//! What is retried depends on whether the action is safe to repeat, as its spec says
//! ([`Idempotency`]: `idempotent` and `clientToken`), or as the client
//! ([`ConfigBuilder::idempotent`](crate::ConfigBuilder::idempotent)) or the call
//! ([`CallOptions::idempotent`](crate::CallOptions::idempotent)) declares:
//!
//! | failure of an attempt ([`Delivery`]) | safe (reads) | not idempotent | with a client token |
//! |---|---|---|---|
//! | no connection: DNS, refused, connect timeout ([`Delivery::NotSent`]) | retried | retried | retried |
//! | rejected before processing: HTTP 429, `Throttling*`, `SignatureNonceUsed` (once), codes marked `rejectedBeforeProcessing` ([`Delivery::Rejected`]) | retried | retried | retried |
//! | outcome unknown: attempt timeout, reset or close after the request was written, HTTP 5xx ([`Delivery::Unknown`]) | retried | **not retried**: [`Error::OutcomeUnknown`] | retried, same token |
//! | answered: other 4xx, `Success=false` ([`Delivery::Answered`]) | not retried | not retried | not retried |
//!
//! A call that is not safe and whose last attempt, or an earlier one, may have been carried
//! out fails with [`Error::OutcomeUnknown`] (with the action, the RequestId if any, the
//! attempts and the client token). An action with a client token parameter gets a UUID v4
//! ([`new_client_token`]) when the caller did not set one, the same for all attempts.
//!
//! Transient failures (up to `max_attempts`, the first attempt included):
//! * throttling: any code starting with `Throttling`, or HTTP 429;
//! * server errors: HTTP 5xx, and codes `InternalError*` / `ServiceUnavailable*`;
//! * codes the API spec marks `retryable` ([`ErrorCodeInfo`](crate::ErrorCodeInfo));
//! * connection errors (DNS, refused), resets before a response, attempt timeouts (not TLS
//!   failures or a proxy's refusal, which a retry does not fix);
//! * `SignatureNonceUsed`, once, with a fresh nonce (every attempt gets a new nonce and timestamp).
//!
//! Never retried: other 4xx, signature and AccessKey errors, `InvalidTimeStamp.*` (a clock
//! problem, see [`ServiceError::hint`](crate::ServiceError::hint)), a 2xx body with
//! `Success=false`, and a body that could not be decoded after a 2xx status.
//!
//! Delay before retry `n` (1-based): `x-acs-retry-after` (milliseconds) when the response has
//! it, capped by the maximum delay; otherwise "full jitter": a uniformly random duration in
//! `[0, min(max, base * 2^(n-1))]`. Defaults: base 100 ms, max 20 s.

use std::time::Duration;

use crate::error::{Error, TransportKind};
use crate::service::ServiceInfo;

pub use acs_model::Idempotency;

/// Code of the error returned when a signature nonce was seen before.
pub const SIGNATURE_NONCE_USED: &str = "SignatureNonceUsed";

/// Code prefixes that are never retried, whatever the status or the spec says.
const NEVER_RETRY_PREFIXES: &[&str] = &[
    "InvalidTimeStamp",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId",
    "InvalidSecurityToken",
];

/// Whether a service error with this code and status is transient.
///
/// ```
/// use acs_runtime::retry::is_retryable;
/// # use acs_runtime::ServiceInfo;
/// # const INFO: ServiceInfo = ServiceInfo { product: "p", version: "v", endpoint_map: &[],
/// #   endpoint_fallback: "p.{region}.aliyuncs.com", error_codes: &[], sdk_name: "p", sdk_version: "0" };
/// assert!(is_retryable(Some("Throttling.User"), 400, &INFO));
/// assert!(is_retryable(None, 503, &INFO));
/// assert!(!is_retryable(Some("InvalidTimeStamp.Expired"), 400, &INFO));
/// assert!(!is_retryable(Some("MissingDeploymentId"), 400, &INFO));
/// ```
pub fn is_retryable(code: Option<&str>, http_status: u16, info: &ServiceInfo) -> bool {
    if let Some(code) = code {
        if NEVER_RETRY_PREFIXES.iter().any(|p| code.starts_with(p)) {
            return false;
        }
        if code == SIGNATURE_NONCE_USED
            || code.starts_with("Throttling")
            || code.starts_with("InternalError")
            || code.starts_with("ServiceUnavailable")
            || info
                .error_code(code)
                .is_some_and(|e| e.rejected_before_processing)
        {
            return true;
        }
    }
    if http_status == 429 || (500..=599).contains(&http_status) {
        return true;
    }
    code.and_then(|c| info.error_code(c))
        .is_some_and(|entry| entry.retryable)
}

/// What a failed attempt says about whether the service carried the request out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// The request never reached the service: the connection could not be made (DNS,
    /// refused, connect timeout, TLS handshake, proxy) or the request was not built.
    NotSent,
    /// The service's gateway refused it before processing: HTTP 429, a `Throttling*` code,
    /// `SignatureNonceUsed`, or a code the spec marks `rejectedBeforeProcessing`.
    Rejected,
    /// The service answered with a definite outcome (a 4xx error, a business failure, a 2xx
    /// response even if its body could not be read).
    Answered,
    /// It may have been carried out: no complete answer (attempt timeout, connection reset
    /// or closed after the request was written) or a server error (HTTP 5xx).
    Unknown,
}

/// Whether an error with this code and status is returned before the action is carried
/// out: HTTP 429 and `Throttling*` (the gateway's flow control: every throttling code of the
/// DataWorks metadata is HTTP 429, and the official SDKs raise a `ThrottlingException`
/// without running anything), `SignatureNonceUsed` (the signature check, which precedes the
/// action), and codes the spec marks `rejectedBeforeProcessing`.
///
/// ```
/// use acs_runtime::retry::rejected_before_processing;
/// # use acs_runtime::ServiceInfo;
/// # const INFO: ServiceInfo = ServiceInfo { product: "p", version: "v", endpoint_map: &[],
/// #   endpoint_fallback: "p.{region}.aliyuncs.com", error_codes: &[], sdk_name: "p", sdk_version: "0" };
/// assert!(rejected_before_processing(Some("Throttling.User"), 429, &INFO));
/// assert!(rejected_before_processing(None, 429, &INFO));
/// assert!(!rejected_before_processing(Some("ServiceUnavailable"), 503, &INFO));
/// ```
pub fn rejected_before_processing(
    code: Option<&str>,
    http_status: u16,
    info: &ServiceInfo,
) -> bool {
    http_status == 429
        || code.is_some_and(|code| {
            code.starts_with("Throttling")
                || code == SIGNATURE_NONCE_USED
                || info
                    .error_code(code)
                    .is_some_and(|e| e.rejected_before_processing)
        })
}

/// The [`Delivery`] of a response with this status and error code.
pub fn response_delivery(code: Option<&str>, http_status: u16, info: &ServiceInfo) -> Delivery {
    if rejected_before_processing(code, http_status, info) {
        Delivery::Rejected
    } else if http_status >= 500 {
        Delivery::Unknown
    } else {
        Delivery::Answered
    }
}

/// The [`Delivery`] of a failed attempt's error: from the response when there was one, from
/// the kind of a transport failure otherwise (a timeout or an I/O failure may have come after
/// the request was written; the client knows better for errors of its HTTP stack, which say
/// whether they happened while connecting).
pub fn error_delivery(error: &Error, info: &ServiceInfo) -> Delivery {
    match error {
        Error::Service(e) => response_delivery(e.code.as_deref(), e.http_status, info),
        Error::Decode { http_status, .. } | Error::ResponseTooLarge { http_status, .. } => {
            response_delivery(None, *http_status, info)
        }
        Error::Transport {
            kind: TransportKind::Timeout | TransportKind::Io,
            ..
        }
        | Error::OutcomeUnknown { .. }
        | Error::OperationTimeout { .. } => Delivery::Unknown,
        _ => Delivery::NotSent,
    }
}

/// Whether a transient failure with this delivery is retried for an action of this
/// idempotency (see the table in the [module docs](self)).
///
/// ```
/// use acs_runtime::retry::{retries_after, Delivery, Idempotency};
/// assert!(retries_after(Idempotency::Safe, Delivery::Unknown));
/// assert!(retries_after(Idempotency::Unsafe, Delivery::Rejected));
/// assert!(!retries_after(Idempotency::Unsafe, Delivery::Unknown));
/// ```
pub fn retries_after(idempotency: Idempotency, delivery: Delivery) -> bool {
    match idempotency {
        Idempotency::Unsafe => matches!(delivery, Delivery::NotSent | Delivery::Rejected),
        _ => true,
    }
}

/// A new client token: a random UUID v4 (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, lower-case
/// hex), as the services' documentation recommends for `ClientToken`.
///
/// ```
/// let token = acs_runtime::retry::new_client_token();
/// assert_eq!(token.len(), 36);
/// assert_eq!(&token[14..15], "4");
/// assert_ne!(token, acs_runtime::retry::new_client_token());
/// ```
pub fn new_client_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS random source: the time and a counter still make tokens of one process
        // distinct (a token only has to be unique, not secret).
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        bytes[..8].copy_from_slice(&nanos.to_le_bytes());
        bytes[8..].copy_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The upper bound of the delay before retry `retry` (1-based): `min(max, base * 2^(retry-1))`.
///
/// ```
/// use std::time::Duration;
/// use acs_runtime::retry::backoff_ceiling;
/// let (base, max) = (Duration::from_millis(100), Duration::from_secs(20));
/// assert_eq!(backoff_ceiling(1, base, max), Duration::from_millis(100));
/// assert_eq!(backoff_ceiling(3, base, max), Duration::from_millis(400));
/// assert_eq!(backoff_ceiling(40, base, max), max);
/// ```
pub fn backoff_ceiling(retry: u32, base: Duration, max: Duration) -> Duration {
    let exp = retry.saturating_sub(1).min(62);
    let factor = 1u64 << exp;
    let nanos = u64::try_from(base.as_nanos())
        .unwrap_or(u64::MAX)
        .saturating_mul(factor);
    Duration::from_nanos(nanos).min(max)
}

/// A uniformly random duration in `[0, ceiling]` (falls back to `ceiling / 2` when no random
/// source is available).
pub fn full_jitter(ceiling: Duration) -> Duration {
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    match getrandom::u64() {
        Ok(r) => Duration::from_nanos(r % nanos.saturating_add(1)),
        Err(_) => ceiling / 2,
    }
}

/// The delay before retry `retry` (1-based) with full jitter.
pub fn backoff_delay(retry: u32, base: Duration, max: Duration) -> Duration {
    full_jitter(backoff_ceiling(retry, base, max))
}

/// Parses an `x-acs-retry-after` header value: a positive integer number of milliseconds.
///
/// ```
/// use std::time::Duration;
/// use acs_runtime::retry::parse_retry_after;
/// assert_eq!(parse_retry_after(" 250 "), Some(Duration::from_millis(250)));
/// assert_eq!(parse_retry_after("0"), None);
/// assert_eq!(parse_retry_after("soon"), None);
/// ```
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    match value.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Some(Duration::from_millis(ms)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::ErrorCodeInfo;
    use proptest::prelude::*;

    const INFO: ServiceInfo = ServiceInfo {
        product: "p",
        version: "v",
        endpoint_map: &[],
        endpoint_fallback: "p.{region}.aliyuncs.com",
        error_codes: &[
            ErrorCodeInfo::new("Resource.Busy", 400, true),
            ErrorCodeInfo::new("Throttling.Api", 429, false),
            ErrorCodeInfo::new("InvalidTimeStamp.Expired", 400, true),
            ErrorCodeInfo::new("Gateway.Overloaded", 503, false).rejected_before_processing(),
        ],
        sdk_name: "p",
        sdk_version: "0",
    };

    #[test]
    fn classification_table() {
        let cases: &[(Option<&str>, u16, bool)] = &[
            (Some("Throttling.User"), 429, true),
            (Some("Throttling"), 400, true),
            (Some("Throttling.Api"), 429, true), // spec cannot disable throttling retries
            (None, 429, true),
            (Some("InternalError"), 500, true),
            (Some("InternalError.System"), 200, true),
            (Some("ServiceUnavailable"), 503, true),
            (None, 502, true),
            (Some("Whatever"), 504, true),
            (Some("SignatureNonceUsed"), 400, true),
            (Some("Resource.Busy"), 400, true), // spec adds retryability
            (Some("Gateway.Overloaded"), 503, true), // rejected before processing: transient
            (Some("MissingDeploymentId"), 400, false),
            (Some("InvalidAction.NotFound"), 404, false),
            (Some("SignatureDoesNotMatch"), 400, false),
            (Some("InvalidAccessKeyId.NotFound"), 404, false),
            (Some("InvalidTimeStamp.Expired"), 400, false), // never, despite the spec
            (Some("InvalidTimeStamp.Expired"), 500, false),
            (None, 400, false),
            (None, 404, false),
        ];
        for (code, status, want) in cases {
            assert_eq!(
                is_retryable(*code, *status, &INFO),
                *want,
                "{code:?} {status}"
            );
        }
    }

    #[test]
    fn delivery_and_retry_table() {
        use Delivery::*;
        let cases: &[(Option<&str>, u16, Delivery)] = &[
            (Some("Throttling.User"), 429, Rejected),
            (Some("Throttling.Api.Risk"), 429, Rejected),
            (Some("Throttling"), 400, Rejected),
            (None, 429, Rejected),
            (Some("SignatureNonceUsed"), 400, Rejected),
            (Some("Gateway.Overloaded"), 503, Rejected), // marked by the spec
            (Some("ServiceUnavailable"), 503, Unknown),
            (Some("InternalError"), 500, Unknown),
            (None, 502, Unknown),
            (None, 504, Unknown),
            (Some("Resource.Busy"), 400, Answered),
            (Some("Invalid.Deployment.NotFound"), 404, Answered),
            (None, 200, Answered),
        ];
        for (code, status, want) in cases {
            assert_eq!(
                response_delivery(*code, *status, &INFO),
                *want,
                "{code:?} {status}"
            );
        }
        let token = Idempotency::ClientToken {
            param: "ClientToken",
            location: acs_model::ParamLocation::Query,
        };
        for delivery in [NotSent, Rejected, Answered, Unknown] {
            assert!(retries_after(Idempotency::Safe, delivery));
            assert!(retries_after(token, delivery));
            assert_eq!(
                retries_after(Idempotency::Unsafe, delivery),
                matches!(delivery, NotSent | Rejected),
                "{delivery:?}"
            );
        }
        let transport = |kind| Error::Transport {
            kind,
            attempts: 1,
            host: String::new(),
            proxy: None,
            source: "x".into(),
        };
        assert_eq!(
            error_delivery(&transport(TransportKind::Refused), &INFO),
            NotSent
        );
        assert_eq!(
            error_delivery(&transport(TransportKind::Dns), &INFO),
            NotSent
        );
        assert_eq!(
            error_delivery(&transport(TransportKind::Timeout), &INFO),
            Unknown
        );
        assert_eq!(
            error_delivery(&transport(TransportKind::Io), &INFO),
            Unknown
        );
        assert_eq!(error_delivery(&Error::validation("p", "m"), &INFO), NotSent);
    }

    #[test]
    fn client_tokens_are_uuid_v4() {
        let tokens: std::collections::HashSet<String> =
            (0..100).map(|_| new_client_token()).collect();
        assert_eq!(tokens.len(), 100);
        for t in &tokens {
            let parts: Vec<&str> = t.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12],
                "{t}"
            );
            assert!(t
                .bytes()
                .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            assert!(parts[2].starts_with('4'), "{t}");
            assert!(
                matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
                "{t}"
            );
        }
    }

    #[test]
    fn ceiling_doubles_and_caps() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(20);
        let got: Vec<u128> = (1..=10)
            .map(|n| backoff_ceiling(n, base, max).as_millis())
            .collect();
        assert_eq!(
            got,
            vec![100, 200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000]
        );
        assert_eq!(backoff_ceiling(0, base, max), base);
        assert_eq!(backoff_ceiling(u32::MAX, base, max), max);
        assert_eq!(backoff_ceiling(5, Duration::ZERO, max), Duration::ZERO);
    }

    proptest! {
        #[test]
        fn jitter_stays_within_bounds(retry in 0u32..100, base_ms in 0u64..10_000, extra_ms in 0u64..100_000) {
            let base = Duration::from_millis(base_ms);
            let max = Duration::from_millis(base_ms + extra_ms);
            let ceiling = backoff_ceiling(retry, base, max);
            prop_assert!(ceiling <= max);
            let d = backoff_delay(retry, base, max);
            prop_assert!(d <= ceiling);
        }

        #[test]
        fn retry_after_parses_only_positive_integers(s in "\\PC{0,12}") {
            if let Some(d) = parse_retry_after(&s) {
                prop_assert!(d > Duration::ZERO);
                prop_assert_eq!(d.as_millis().to_string(), s.trim().trim_start_matches('+').trim_start_matches('0'));
            }
        }
    }

    #[test]
    fn jitter_varies() {
        let ceiling = Duration::from_secs(1);
        let samples: std::collections::HashSet<Duration> =
            (0..20).map(|_| full_jitter(ceiling)).collect();
        assert!(samples.len() > 1);
        assert_eq!(full_jitter(Duration::ZERO), Duration::ZERO);
    }
}
