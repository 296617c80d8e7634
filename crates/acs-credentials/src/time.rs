//! Where the providers read the time (replaceable in tests) and the `Expiration` format.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The clock the caches compare expirations with.
pub trait TimeSource: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemTimeSource;

impl TimeSource for SystemTimeSource {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to, for tests of expiry and refresh. Clones share the
/// same time.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use acs_credentials::{ManualTimeSource, TimeSource};
/// let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_000_060));
/// ```
#[derive(Debug, Clone)]
pub struct ManualTimeSource {
    now: Arc<Mutex<SystemTime>>,
}

impl ManualTimeSource {
    /// A clock showing `now`.
    pub fn new(now: SystemTime) -> Self {
        ManualTimeSource {
            now: Arc::new(Mutex::new(now)),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    /// Sets the clock.
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl TimeSource for ManualTimeSource {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Parses an `Expiration` as STS, the ECS metadata service and credentials URIs send it:
/// UTC `YYYY-MM-DDThh:mm:ssZ` (fractional seconds are accepted and dropped).
pub(crate) fn parse_utc(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (date, time) = text.split_once('T')?;
    let time = time.strip_suffix('Z')?;
    let time = time.split('.').next()?;
    let number = |s: &str, len: usize| -> Option<i64> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut d = date.split('-');
    let (y, m, day) = (
        number(d.next()?, 4)?,
        number(d.next()?, 2)?,
        number(d.next()?, 2)?,
    );
    let mut t = time.split(':');
    let (h, min, s) = (
        number(t.next()?, 2)?,
        number(t.next()?, 2)?,
        number(t.next()?, 2)?,
    );
    if d.next().is_some()
        || t.next().is_some()
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || h > 23
        || min > 59
        || s > 60
    {
        return None;
    }
    let seconds = days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + s;
    u64::try_from(seconds)
        .ok()
        .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDThh:mm:ssZ`.
pub(crate) fn format_utc(t: SystemTime) -> String {
    acs_sign::clock::format_timestamp(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_utc() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2015-04-09T11:52:19Z",
            "2024-02-29T23:59:59Z",
            "2100-12-31T00:00:01Z",
        ] {
            let t = parse_utc(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(format_utc(t), text);
        }
        assert_eq!(
            parse_utc("2015-04-09T11:52:19.123Z"),
            parse_utc("2015-04-09T11:52:19Z")
        );
        for bad in [
            "",
            "2015-04-09 11:52:19Z",
            "2015-04-09T11:52:19",
            "2015-13-09T11:52:19Z",
            "15-04-09T11:52:19Z",
            "2015-04-09T25:52:19Z",
            "2015-04-09T11:52:19+08:00",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }
}
