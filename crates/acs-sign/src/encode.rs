//! RFC 3986 percent-encoding exactly as the official SDKs use it for RPC keys and values
//! (Python `urllib.parse.quote(s, safe="~")`).
//!
//! `A-Z a-z 0-9 - _ . ~` are kept; every other UTF-8 byte becomes `%XX` with upper-case hex
//! (space is `%20`, never `+`; `*` is `%2A`; `/` is `%2F`).

/// Upper-case hexadecimal digits.
pub(crate) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// `UNRESERVED[b]` is true when byte `b` is an RFC 3986 unreserved character.
pub(crate) const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'~';
        i += 1;
    }
    table
};

/// Returns true when `b` is an RFC 3986 unreserved byte (`A-Z a-z 0-9 - _ . ~`).
///
/// ```
/// assert!(acs_sign::encode::is_unreserved(b'~'));
/// assert!(!acs_sign::encode::is_unreserved(b'*'));
/// ```
#[inline]
pub fn is_unreserved(b: u8) -> bool {
    UNRESERVED[b as usize]
}

/// RFC 3986: `A-Z a-z 0-9 - _ . ~` kept; every other UTF-8 byte `%XX` upper-case hex
/// (space `%20`, `*` `%2A`).
///
/// ```
/// use acs_sign::encode::percent_encode;
/// assert_eq!(percent_encode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
/// ```
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(encoded_len(s));
    percent_encode_into(s, &mut out);
    out
}

/// Appends the RFC 3986 encoding of `s` (see [`percent_encode`]) to `out`.
///
/// ```
/// let mut out = String::from("k=");
/// acs_sign::encode::percent_encode_into("x&y", &mut out);
/// assert_eq!(out, "k=x%26y");
/// ```
pub fn percent_encode_into(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if UNRESERVED[b as usize] {
            continue;
        }
        // A non-empty `start..i` holds only ASCII unreserved bytes, so both ends are char
        // boundaries (`start` may be inside a multi-byte char only when the run is empty).
        if start < i {
            out.push_str(&s[start..i]);
        }
        out.push('%');
        out.push(HEX_UPPER[(b >> 4) as usize] as char);
        out.push(HEX_UPPER[(b & 0x0f) as usize] as char);
        start = i + 1;
    }
    if start < bytes.len() {
        out.push_str(&s[start..]);
    }
}

/// Length in bytes of [`percent_encode`]`(s)`, computed without encoding.
///
/// ```
/// assert_eq!(acs_sign::encode::encoded_len("a b"), 5);
/// ```
pub fn encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| if UNRESERVED[b as usize] { 1 } else { 3 })
        .sum()
}

/// Appends the percent-encoding of the percent-encoding of `s` to `out`, in one pass.
///
/// The first encoding yields only unreserved bytes and `%XX`; the second keeps the
/// unreserved bytes and turns `%` into `%25` (hex digits are unreserved), so every
/// reserved byte `b` becomes `%25XX`.
pub(crate) fn double_percent_encode_into(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if UNRESERVED[b as usize] {
            continue;
        }
        if start < i {
            out.push_str(&s[start..i]);
        }
        out.push_str("%25");
        out.push(HEX_UPPER[(b >> 4) as usize] as char);
        out.push(HEX_UPPER[(b & 0x0f) as usize] as char);
        start = i + 1;
    }
    if start < bytes.len() {
        out.push_str(&s[start..]);
    }
}

/// Length in bytes of the output of [`double_percent_encode_into`].
pub(crate) fn double_encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| if UNRESERVED[b as usize] { 1 } else { 5 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_table_matches_rfc3986() {
        let kept: String = (0u8..=255)
            .filter(|&b| is_unreserved(b))
            .map(|b| b as char)
            .collect();
        assert_eq!(
            kept,
            "-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"
        );
    }

    #[test]
    fn double_encoding_equals_encoding_twice() {
        for s in ["", "abc", "a b", "x=y&z", "%", "é😀", "~*+/"] {
            let mut once = String::new();
            double_percent_encode_into(s, &mut once);
            assert_eq!(once, percent_encode(&percent_encode(s)), "input {s:?}");
            assert_eq!(once.len(), double_encoded_len(s));
            assert_eq!(percent_encode(s).len(), encoded_len(s));
        }
    }
}
