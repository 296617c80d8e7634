//! Retry policy: which failures are retried and how long to wait.
//!
//! Retried (up to `max_attempts`, the first attempt included):
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

use crate::service::ServiceInfo;

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
            ErrorCodeInfo {
                code: "Resource.Busy",
                http_status: 400,
                retryable: true,
            },
            ErrorCodeInfo {
                code: "Throttling.Api",
                http_status: 429,
                retryable: false,
            },
            ErrorCodeInfo {
                code: "InvalidTimeStamp.Expired",
                http_status: 400,
                retryable: true,
            },
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
