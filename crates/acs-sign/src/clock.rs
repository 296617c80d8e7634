//! The only impure part of the crate: the system clock (timestamps) and the random number
//! generators (nonces).
//!
//! Both are called once per signed request, so both are cheap: the current timestamp is
//! formatted at most once per second on each thread ([`Timestamp::now`]), and nonces come from
//! a cryptographically secure generator seeded from the operating system's, kept per thread
//! ([`new_nonce`]), rather than from one system call each.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
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
    format_unix_seconds(unix_seconds(t))
}

/// Whole seconds since the Unix epoch, truncated towards the past.
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
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
    }
}

/// Formats seconds since the Unix epoch as UTC `YYYY-MM-DDThh:mm:ssZ`.
///
/// ```
/// assert_eq!(acs_sign::clock::format_unix_seconds(0), "1970-01-01T00:00:00Z");
/// assert_eq!(acs_sign::clock::format_unix_seconds(-1), "1969-12-31T23:59:59Z");
/// ```
pub fn format_unix_seconds(secs: i64) -> String {
    Timestamp::from_unix_seconds(secs).as_str().to_owned()
}

/// A UTC timestamp in the wire format `YYYY-MM-DDThh:mm:ssZ`, held inline (no allocation):
/// what the V3 `x-acs-date` header and the RPC `Timestamp` parameter carry.
///
/// ```
/// use acs_sign::clock::Timestamp;
/// assert_eq!(Timestamp::from_unix_seconds(951_782_400).as_str(), "2000-02-29T00:00:00Z");
/// let now = Timestamp::now();
/// assert_eq!(now.len(), 20);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    len: u8,
    // Room for every `i64` of seconds (years of up to 12 digits and a sign).
    buf: [u8; 32],
}

impl Timestamp {
    /// The current time, formatted at most once per second on each thread (the clock is
    /// read every time; the text is reused while the second has not changed).
    pub fn now() -> Timestamp {
        thread_local! {
            static LAST: Cell<Option<(i64, Timestamp)>> = const { Cell::new(None) };
        }
        let secs = unix_seconds(SystemTime::now());
        LAST.try_with(|last| match last.get() {
            Some((at, text)) if at == secs => text,
            _ => {
                let text = Timestamp::from_unix_seconds(secs);
                last.set(Some((secs, text)));
                text
            }
        })
        // While the thread's storage is being torn down: format it anyway.
        .unwrap_or_else(|_| Timestamp::from_unix_seconds(secs))
    }

    /// The timestamp `secs` seconds after (or before) the Unix epoch.
    pub fn from_unix_seconds(secs: i64) -> Timestamp {
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let mut out = Timestamp {
            len: 0,
            buf: [0; 32],
        };
        // Cannot fail: at most 29 bytes for any `i64` (see `buf`).
        let _ = fmt::Write::write_fmt(
            &mut out,
            format_args!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                sod / 3600,
                (sod % 3600) / 60,
                sod % 60
            ),
        );
        out
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only whole `str`s are written into `buf` (see `write_str`).
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Write for Timestamp {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let start = usize::from(self.len);
        let end = start + s.len();
        let slot = self.buf.get_mut(start..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = u8::try_from(end).map_err(|_| fmt::Error)?;
        Ok(())
    }
}

impl std::ops::Deref for Timestamp {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
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

/// The current time as UTC `YYYY-MM-DDThh:mm:ssZ` ([`Timestamp::now`] as a `String`).
///
/// ```
/// let ts = acs_sign::clock::timestamp_now();
/// assert_eq!(ts.len(), 20);
/// assert!(ts.ends_with('Z'));
/// ```
pub fn timestamp_now() -> String {
    Timestamp::now().as_str().to_owned()
}

/// Error from [`try_new_nonce`].
#[derive(Debug, thiserror::Error)]
pub enum NonceError {
    /// The operating system's random number generator failed.
    #[error("cannot generate a signature nonce: the OS random number generator failed: {0}")]
    Rng(getrandom::Error),
}

/// 128 random bits read from the OS RNG (one system call) as 32 lower-case hex characters, or
/// the RNG error. [`new_nonce`] gives nonces as unpredictable without a system call each.
///
/// ```
/// let n = acs_sign::clock::try_new_nonce().expect("OS RNG available");
/// assert_eq!(n.len(), 32);
/// ```
pub fn try_new_nonce() -> Result<String, NonceError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(NonceError::Rng)?;
    Ok(crate::encode::lower_hex(&bytes))
}

/// A fresh signature nonce: 128 random bits as 32 lower-case hex characters; new on each call.
///
/// The bits come from a cryptographically secure generator (the `rand` crate's `StdRng`,
/// ChaCha with 12 rounds) kept per thread, seeded with 256 bits from the operating system's
/// generator (`getrandom`) on the thread's first nonce and re-seeded from it after every
/// [`NONCES_PER_SEED`] nonces (64 KiB of output, as `rand`'s own thread generator does). So a
/// nonce is as unpredictable as one read from the OS, without a system call per request.
/// Threads never share a state, so nonces are unique across threads too (the chance of two
/// equal 128-bit values is negligible). A process that forks and keeps signing in both parent
/// and child copies the state into both; the service rejects a repeated nonce
/// (`SignatureNonceUsed`) and the runtime retries such a call once with a fresh one.
///
/// If the OS generator fails (practically never) when a thread is first seeded, the nonce
/// falls back to a unique, unpredictable-enough value: SHA-256 of the current time, the
/// process id, a process-wide counter and the address of a stack variable, truncated to 128
/// bits (a nonce only has to be unique); a failed re-seed keeps the current state.
///
/// ```
/// let (a, b) = (acs_sign::clock::new_nonce(), acs_sign::clock::new_nonce());
/// assert_ne!(a, b);
/// assert!(a.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
/// ```
pub fn new_nonce() -> String {
    thread_local! {
        static GENERATOR: RefCell<Option<NonceGenerator>> = const { RefCell::new(None) };
    }
    let bits = GENERATOR.try_with(|cell| {
        let mut cell = cell.try_borrow_mut().ok()?;
        if cell.is_none() {
            *cell = Some(NonceGenerator::from_os()?);
        }
        cell.as_mut().map(NonceGenerator::next)
    });
    match bits {
        Ok(Some(bits)) => crate::encode::lower_hex(&bits),
        // No seed from the OS, or the thread's storage is being torn down.
        _ => try_new_nonce().unwrap_or_else(|_| fallback_nonce()),
    }
}

/// How many nonces a thread's generator gives before it is re-seeded from the OS.
pub const NONCES_PER_SEED: u32 = 4096;

/// A thread's nonce generator.
struct NonceGenerator {
    rng: StdRng,
    left: u32,
}

impl NonceGenerator {
    fn from_os() -> Option<NonceGenerator> {
        Some(NonceGenerator {
            rng: StdRng::from_seed(os_seed()?),
            left: NONCES_PER_SEED,
        })
    }

    fn next(&mut self) -> [u8; 16] {
        if self.left == 0 {
            if let Some(seed) = os_seed() {
                self.rng = StdRng::from_seed(seed);
            }
            self.left = NONCES_PER_SEED;
        }
        self.left -= 1;
        let mut bits = [0u8; 16];
        self.rng.fill_bytes(&mut bits);
        bits
    }
}

/// 256 bits from the OS generator.
fn os_seed() -> Option<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).ok()?;
    Some(seed)
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
    crate::encode::lower_hex(&hasher.finalize()[..16])
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
    fn the_generator_is_reseeded_from_the_os_and_never_repeats() {
        let mut generator = NonceGenerator::from_os().expect("the OS RNG works in tests");
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2 * NONCES_PER_SEED + 3 {
            assert!(seen.insert(generator.next()), "a repeated nonce");
        }
        // Two generators (two threads) start from independent seeds.
        let mut other = NonceGenerator::from_os().expect("the OS RNG works in tests");
        assert!(!seen.contains(&other.next()));
    }

    #[test]
    fn threads_get_distinct_nonces() {
        let threads: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..500).map(|_| new_nonce()).collect::<Vec<_>>()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        for t in threads {
            for nonce in t.join().expect("thread") {
                assert!(seen.insert(nonce), "a nonce repeated across threads");
            }
        }
    }

    #[test]
    fn timestamps_are_current_and_cover_every_i64() {
        let before = format_timestamp(SystemTime::now());
        let (now, again) = (Timestamp::now(), Timestamp::now());
        let after = format_timestamp(SystemTime::now());
        assert!(before.as_str() <= now.as_str(), "{before} <= {now}");
        assert!(now.as_str() <= again.as_str() && again.as_str() <= after.as_str());
        for secs in [i64::MIN, i64::MIN + 1, -1, 0, 253_402_300_800, i64::MAX] {
            let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
            let sod = secs.rem_euclid(86_400);
            let want = format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                sod / 3600,
                (sod % 3600) / 60,
                sod % 60
            );
            assert_eq!(Timestamp::from_unix_seconds(secs).as_str(), want);
        }
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
