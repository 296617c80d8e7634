//! Timestamp formatting and nonce generation.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use acs_sign::clock::{
    format_timestamp, format_unix_seconds, new_nonce, timestamp_now, try_new_nonce,
};

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn known_instants() {
    assert_eq!(format_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    assert_eq!(format_timestamp(at(951_782_400)), "2000-02-29T00:00:00Z");
    assert_eq!(format_timestamp(at(1_709_210_096)), "2024-02-29T12:34:56Z");
    assert_eq!(format_timestamp(at(946_684_799)), "1999-12-31T23:59:59Z");
    assert_eq!(format_timestamp(at(946_684_800)), "2000-01-01T00:00:00Z");
    assert_eq!(format_timestamp(at(1_704_067_199)), "2023-12-31T23:59:59Z");
    assert_eq!(format_timestamp(at(4_107_542_400)), "2100-03-01T00:00:00Z");
    assert_eq!(
        format_timestamp(at(253_402_300_799)),
        "9999-12-31T23:59:59Z"
    );
    // The oracle's documentation example and the V3 docs example.
    assert_eq!(format_timestamp(at(1_698_315_752)), "2023-10-26T10:22:32Z");
}

#[test]
fn whole_seconds_are_truncated() {
    let t = UNIX_EPOCH + Duration::from_millis(1_999);
    assert_eq!(format_timestamp(t), "1970-01-01T00:00:01Z");
    let t = at(946_684_799) + Duration::from_nanos(999_999_999);
    assert_eq!(format_timestamp(t), "1999-12-31T23:59:59Z");
}

#[test]
fn before_the_epoch() {
    assert_eq!(format_unix_seconds(-1), "1969-12-31T23:59:59Z");
    assert_eq!(format_unix_seconds(-2_203_891_201), "1900-02-28T23:59:59Z");
    let half_second_before = UNIX_EPOCH - Duration::from_millis(500);
    assert_eq!(format_timestamp(half_second_before), "1969-12-31T23:59:59Z");
    assert_eq!(
        format_timestamp(UNIX_EPOCH - Duration::from_secs(86_400)),
        "1969-12-31T00:00:00Z"
    );
}

/// Walks every day from 1970 to 2400 with a naive calendar and compares midnight and the last
/// second of each day.
#[test]
fn matches_a_naive_calendar_day_by_day() {
    fn leap(y: i64) -> bool {
        (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    }
    let mut days: i64 = 0;
    for year in 1970..2400 {
        for month in 1..=12u32 {
            let len = match month {
                2 if leap(year) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            for day in 1..=len {
                let midnight = days * 86_400;
                assert_eq!(
                    format_unix_seconds(midnight),
                    format!("{year:04}-{month:02}-{day:02}T00:00:00Z")
                );
                assert_eq!(
                    format_unix_seconds(midnight + 86_399),
                    format!("{year:04}-{month:02}-{day:02}T23:59:59Z")
                );
                days += 1;
            }
        }
    }
}

#[test]
fn now_has_the_wire_format_and_is_current() {
    let before = format_timestamp(SystemTime::now());
    let ts = timestamp_now();
    let after = format_timestamp(SystemTime::now());
    assert!(before <= ts && ts <= after, "{before} <= {ts} <= {after}");
    let b = ts.as_bytes();
    assert_eq!(b.len(), 20);
    for (i, &c) in b.iter().enumerate() {
        match i {
            4 | 7 => assert_eq!(c, b'-'),
            10 => assert_eq!(c, b'T'),
            13 | 16 => assert_eq!(c, b':'),
            19 => assert_eq!(c, b'Z'),
            _ => assert!(c.is_ascii_digit(), "{ts}"),
        }
    }
}

#[test]
fn nonces_are_32_lower_hex_and_distinct() {
    let mut seen = HashSet::new();
    for _ in 0..1000 {
        let n = new_nonce();
        assert_eq!(n.len(), 32, "{n}");
        assert!(
            n.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
            "{n}"
        );
        assert!(seen.insert(n), "duplicate nonce");
    }
    let n = try_new_nonce().expect("the OS RNG works in tests");
    assert_eq!(n.len(), 32);
    assert!(!seen.contains(&n));
}

#[test]
fn nonce_bits_are_not_stuck() {
    // Over 1000 nonces every hex position takes many values (a stuck or counter-like
    // generator would fail this).
    let nonces: Vec<String> = (0..1000).map(|_| new_nonce()).collect();
    for pos in 0..32 {
        let distinct: HashSet<u8> = nonces.iter().map(|n| n.as_bytes()[pos]).collect();
        assert!(distinct.len() >= 12, "position {pos}: {distinct:?}");
    }
}

#[test]
fn extreme_instants_do_not_panic() {
    for secs in [
        i64::MIN,
        i64::MIN + 1,
        -62_135_596_800,
        i64::MAX - 1,
        i64::MAX,
    ] {
        let ts = format_unix_seconds(secs);
        assert!(ts.ends_with('Z'), "{ts}");
    }
    // 0001-01-01T00:00:00Z and the day before it (year 0, proleptic Gregorian).
    assert_eq!(format_unix_seconds(-62_135_596_800), "0001-01-01T00:00:00Z");
    assert_eq!(format_unix_seconds(-62_135_596_801), "0000-12-31T23:59:59Z");
}
