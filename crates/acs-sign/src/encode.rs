//! RFC 3986 percent-encoding exactly as the official SDKs use it for RPC keys and values
//! (Python `urllib.parse.quote(s, safe="~")`).
//!
//! `A-Z a-z 0-9 - _ . ~` are kept; every other UTF-8 byte becomes `%XX` with upper-case hex
//! (space is `%20`, never `+`; `*` is `%2A`; `/` is `%2F`).

/// Upper-case hexadecimal digits.
pub(crate) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Lower-case hex digits (nonces, digests).
pub(crate) const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// `bytes` as lower-case hex, two digits per byte, into `out` (twice as long as `bytes`).
#[inline]
pub(crate) fn lower_hex_into(bytes: &[u8], out: &mut [u8]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_LOWER[usize::from(b >> 4)];
        pair[1] = HEX_LOWER[usize::from(b & 0x0f)];
    }
}

/// `bytes` as a lower-case hex `String` (what `hex::encode` gives, without building it
/// from one `char` at a time).
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2];
    lower_hex_into(bytes, &mut out);
    into_string(out)
}

/// `UNRESERVED[b]` is true when byte `b` is an RFC 3986 unreserved character.
pub(crate) static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'~';
        i += 1;
    }
    table
};

/// Branch-free encoding table: `ENC[b]` holds the encoding of byte `b` in its first bytes
/// (`b` itself, or `%XX`) and the encoding's length (1 or 3) in its last byte.
static ENC: [[u8; 4]; 256] = {
    let mut t = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if UNRESERVED[i] {
            [i as u8, 0, 0, 1]
        } else {
            [b'%', HEX_UPPER[i >> 4], HEX_UPPER[i & 0x0f], 3]
        };
        i += 1;
    }
    t
};

/// Like [`ENC`] for the double encoding: `b` itself or `%25XX` (the encoding of `%XX`),
/// length (1 or 5) in the last byte.
static ENC2: [[u8; 8]; 256] = {
    let mut t = [[0u8; 8]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if UNRESERVED[i] {
            [i as u8, 0, 0, 0, 0, 0, 0, 1]
        } else {
            [
                b'%',
                b'2',
                b'5',
                HEX_UPPER[i >> 4],
                HEX_UPPER[i & 0x0f],
                0,
                0,
                5,
            ]
        };
        i += 1;
    }
    t
};

/// Writes the percent-encoding of `s` into `buf` at `pos` and returns the position after it.
///
/// `buf` must have room for `3 * s.len() + 1` bytes from `pos` (table entries are written
/// whole); otherwise this panics, so callers size it from the input length.
pub(crate) fn write_encoded(buf: &mut [u8], pos: usize, s: &[u8]) -> usize {
    write_runs(buf, pos, s, |buf, mut pos, bytes| {
        // Branch-free: every byte writes a whole entry and advances by the entry's length
        // (escapes are irregular and would be mispredicted).
        for &b in bytes {
            let e = &ENC[b as usize];
            buf[pos..pos + 4].copy_from_slice(e);
            pos += e[3] as usize;
        }
        pos
    })
}

/// Eight input bytes at a time: chunks of unreserved bytes (most of every key and value) are
/// copied whole; any other chunk, and the tail, go through `per_byte`.
#[inline(always)]
fn write_runs(
    buf: &mut [u8],
    mut pos: usize,
    s: &[u8],
    per_byte: impl Fn(&mut [u8], usize, &[u8]) -> usize,
) -> usize {
    let mut chunks = s.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if all_unreserved(u64::from_le_bytes(word)) {
            buf[pos..pos + 8].copy_from_slice(&word);
            pos += 8;
        } else {
            pos = per_byte(buf, pos, chunk);
        }
    }
    per_byte(buf, pos, chunks.remainder())
}

/// Writes the percent-encoding of the percent-encoding of `s` into `buf` at `pos` and returns
/// the position after it, in one pass: the first encoding yields unreserved bytes and `%XX`;
/// the second keeps the unreserved bytes and turns `%` into `%25` (hex digits are unreserved).
///
/// `buf` must have room for `5 * s.len() + 3` bytes from `pos` (entries are written whole);
/// otherwise this panics, so callers size it from the input lengths.
pub(crate) fn write_double_encoded(buf: &mut [u8], pos: usize, s: &[u8]) -> usize {
    write_runs(buf, pos, s, |buf, mut pos, bytes| {
        for &b in bytes {
            let e = &ENC2[b as usize];
            buf[pos..pos + 8].copy_from_slice(e);
            pos += e[7] as usize;
        }
        pos
    })
}

const LSB: u64 = 0x0101_0101_0101_0101;
const MSB: u64 = 0x8080_8080_8080_8080;

/// Per byte of `v` (each `< 0x80`): high bit set when the byte is in `lo..=hi`.
/// Adding `0x80 - lo` (resp. `0x7f - hi`) to a 7-bit byte cannot carry into the next byte.
#[inline(always)]
fn bytes_in_range(v: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = v.wrapping_add(LSB * (0x80 - lo as u64));
    let above_hi = v.wrapping_add(LSB * (0x7f - hi as u64));
    at_least_lo & !above_hi
}

/// True when all eight bytes of `v` are RFC 3986 unreserved (SWAR form of [`UNRESERVED`]).
#[inline(always)]
fn all_unreserved(v: u64) -> bool {
    if v & MSB != 0 {
        return false;
    }
    let ok = bytes_in_range(v | (LSB * 0x20), b'a', b'z')
        | bytes_in_range(v, b'0', b'9')
        | bytes_in_range(v, b'-', b'.')
        | bytes_in_range(v, b'_', b'_')
        | bytes_in_range(v, b'~', b'~');
    ok & MSB == MSB
}

/// Appends the double encoding of `s` (see [`write_double_encoded`]) to `buf`.
#[cfg(test)]
pub(crate) fn push_double_encoded(buf: &mut Vec<u8>, s: &[u8]) {
    let start = buf.len();
    buf.resize(start + 5 * s.len() + 3, 0);
    let end = write_double_encoded(buf, start, s);
    buf.truncate(end);
}

/// Converts a buffer built from `str`s and table output (always valid UTF-8) to a `String`.
pub(crate) fn into_string(buf: Vec<u8>) -> String {
    match String::from_utf8(buf) {
        Ok(s) => s,
        // Unreachable: only whole `str`s and ASCII table entries are written.
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

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
    let mut buf = vec![0u8; 3 * s.len() + 1];
    let end = write_encoded(&mut buf, 0, s.as_bytes());
    buf.truncate(end);
    into_string(buf)
}

/// Appends the RFC 3986 encoding of `s` (see [`percent_encode`]) to `out`.
///
/// ```
/// let mut out = String::from("k=");
/// acs_sign::encode::percent_encode_into("x&y", &mut out);
/// assert_eq!(out, "k=x%26y");
/// ```
pub fn percent_encode_into(s: &str, out: &mut String) {
    const CHUNK: usize = 64;
    let mut buf = [0u8; 3 * CHUNK + 1];
    out.reserve(s.len());
    for chunk in s.as_bytes().chunks(CHUNK) {
        let end = write_encoded(&mut buf, 0, chunk);
        match std::str::from_utf8(&buf[..end]) {
            Ok(encoded) => out.push_str(encoded),
            // Unreachable: the table only produces ASCII.
            Err(_) => out.push_str(&String::from_utf8_lossy(&buf[..end])),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hex_is_what_the_hex_crate_gives() {
        let every_byte: Vec<u8> = (0..=255).collect();
        for bytes in [&[][..], &[0], &[0xab, 0x01], &every_byte] {
            assert_eq!(lower_hex(bytes), hex::encode(bytes));
        }
    }

    #[test]
    fn swar_classification_matches_the_table() {
        for pos in 0..8 {
            for b in 0..=255u8 {
                let mut word = *b"aZ0-_.~9";
                word[pos] = b;
                assert_eq!(
                    all_unreserved(u64::from_le_bytes(word)),
                    UNRESERVED[b as usize],
                    "byte {b:#04x} at {pos}"
                );
            }
        }
    }

    #[test]
    fn long_input_crosses_chunks() {
        let s = "a/é".repeat(100);
        let mut out = String::from(">");
        percent_encode_into(&s, &mut out);
        assert_eq!(out, format!(">{}", "a%2F%C3%A9".repeat(100)));
    }

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
            let mut once = b"prefix".to_vec();
            push_double_encoded(&mut once, s.as_bytes());
            let expected = format!("prefix{}", percent_encode(&percent_encode(s)));
            assert_eq!(into_string(once), expected, "input {s:?}");
            assert_eq!(percent_encode(s).len(), encoded_len(s));
        }
    }
}
