//! The only impure part of the crate: the system clock (timestamps) and the OS random
//! number generator (nonces).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Formats `t` as UTC `YYYY-MM-DDThh:mm:ssZ` (whole seconds, truncated), the format of the
/// RPC `Timestamp` parameter and the V3 `x-acs-date` header. Instants before 1970 are
/// supported (proleptic Gregorian calendar).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
/// assert_eq!(acs_sign::clock::format_timestamp(t), "2000-02-29T00:00:00Z");
/// ```
pub fn format_timestamp(t: SystemTime) -> String {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            // Before the epoch: floor towards the past so "whole seconds" truncates consistently.
            let d: Duration = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                -whole.saturating_add(1)
            } else {
                -whole
            }
        }
    };
    format_unix_seconds(secs)
}

/// Formats seconds since the Unix epoch as UTC `YYYY-MM-DDThh:mm:ssZ`.
///
/// ```
/// assert_eq!(acs_sign::clock::format_unix_seconds(0), "1970-01-01T00:00:00Z");
/// assert_eq!(acs_sign::clock::format_unix_seconds(-1), "1969-12-31T23:59:59Z");
/// ```
pub fn format_unix_seconds(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The current time as UTC `YYYY-MM-DDThh:mm:ssZ`.
///
/// ```
/// let ts = acs_sign::clock::timestamp_now();
/// assert_eq!(ts.len(), 20);
/// assert!(ts.ends_with('Z'));
/// ```
pub fn timestamp_now() -> String {
    format_timestamp(SystemTime::now())
}

/// Error from [`try_new_nonce`].
#[derive(Debug, thiserror::Error)]
pub enum NonceError {
    /// The operating system's random number generator failed.
    #[error("cannot generate a signature nonce: the OS random number generator failed: {0}")]
    Rng(getrandom::Error),
}

/// 128 random bits from the OS RNG as 32 lower-case hex characters, or the RNG error.
///
/// ```
/// let n = acs_sign::clock::try_new_nonce().expect("OS RNG available");
/// assert_eq!(n.len(), 32);
/// ```
pub fn try_new_nonce() -> Result<String, NonceError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(NonceError::Rng)?;
    Ok(hex::encode(bytes))
}

/// A fresh signature nonce: 128 random bits from the OS RNG (`getrandom::fill`) as
/// 32 lower-case hex characters; new on each call.
///
/// If the OS RNG fails (practically never), falls back to a unique, unpredictable-enough
/// value: SHA-256 of the current time, the process id, a process-wide counter and the
/// address of a stack variable, truncated to 128 bits. A nonce only has to be unique.
///
/// ```
/// let (a, b) = (acs_sign::clock::new_nonce(), acs_sign::clock::new_nonce());
/// assert_ne!(a, b);
/// assert!(a.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
/// ```
pub fn new_nonce() -> String {
    match try_new_nonce() {
        Ok(nonce) => nonce,
        Err(_) => fallback_nonce(),
    }
}

fn fallback_nonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let local = 0u8;
    let mut hasher = Sha256::new();
    hasher.update(now.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(count.to_le_bytes());
    hasher.update((std::ptr::addr_of!(local) as usize).to_le_bytes());
    hex::encode(&hasher.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_nonce_shape_and_uniqueness() {
        let a = fallback_nonce();
        let b = fallback_nonce();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn civil_round_trip_over_many_days() {
        // Days from -800 years to +800 years, stepping 37 days, must increase strictly.
        let mut prev = civil_from_days(-292_000);
        let mut day = -292_000 + 37;
        while day < 292_000 {
            let cur = civil_from_days(day);
            assert!(cur > prev, "{cur:?} after {prev:?}");
            prev = cur;
            day += 37;
        }
    }
}
