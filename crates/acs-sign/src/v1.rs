//! RPC signature version 1.0 (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`).
//!
//! Matches `alibabacloud_tea_openapi.utils.Utils.get_rpcsignature` (the function the official
//! Tea SDK's `do_rpcrequest` calls) byte for byte:
//!
//! 1. parameters sorted by the raw (unencoded) key in byte order (stable for equal keys);
//! 2. `canonical = enc(k1)=enc(v1)&enc(k2)=enc(v2)...` with [`percent_encode`](crate::encode::percent_encode);
//! 3. `string_to_sign = METHOD + "&%2F&" + enc(canonical)`;
//! 4. `signature = base64(HMAC-SHA1(secret + "&", string_to_sign))`.

use std::cmp::Ordering;

use base64::Engine as _;
use hmac::digest::core_api::BlockSizeUser;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};

use crate::encode::{into_string, write_double_encoded};

/// `SignatureMethod` value for RPC v1.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// `SignatureVersion` value for RPC v1.
pub const SIGNATURE_VERSION: &str = "1.0";

/// Builds the RPC v1 string-to-sign: `METHOD&%2F&enc(canonical)`.
///
/// Parameters are sorted by raw key byte order (stable for equal keys, so duplicates keep
/// their relative order); the method is used verbatim (an empty method gives `&%2F&...`).
/// Empty values are kept (`k=`). Parameters that must not be signed (absent values,
/// `Signature` itself) must not be passed.
///
/// ```
/// let sts = acs_sign::v1::string_to_sign("POST", &[("b", "x y"), ("a", "1*")]);
/// assert_eq!(sts, "POST&%2F&a%3D1%252A%26b%3Dx%2520y");
/// ```
pub fn string_to_sign(method: &str, params: &[(&str, &str)]) -> String {
    // Upper bound: every byte may become `%25XX`; +3 for the branch-free encoder's slack.
    let capacity = method.len()
        + "&%2F&".len()
        + params
            .iter()
            .map(|(k, v)| 5 * (k.len() + v.len()) + "%3D%26".len())
            .sum::<usize>()
        + 3;
    let mut buf = vec![0u8; capacity];
    let mut pos = write_bytes(&mut buf, 0, method.as_bytes());
    pos = write_bytes(&mut buf, pos, b"&%2F&");

    // Sorts are stable: equal keys keep their input order.
    if params.windows(2).all(|w| w[0].0 <= w[1].0) {
        pos = write_canonical(params.iter(), &mut buf, pos);
    } else if let Some(first) = params.first().filter(|_| params.len() <= SMALL) {
        // Common case: sort references on the stack, no allocation.
        let mut small = [first; SMALL];
        for (slot, p) in small.iter_mut().zip(params) {
            *slot = p;
        }
        let sorted = &mut small[..params.len()];
        sorted.sort_by(|a, b| key_cmp(a.0, b.0));
        pos = write_canonical(sorted.iter().copied(), &mut buf, pos);
    } else {
        let mut sorted: Vec<&(&str, &str)> = params.iter().collect();
        sorted.sort_by(|a, b| key_cmp(a.0, b.0));
        pos = write_canonical(sorted.into_iter(), &mut buf, pos);
    }
    buf.truncate(pos);
    into_string(buf)
}

/// Parameter count up to which sorting happens in a stack array.
const SMALL: usize = 32;

/// Byte order of raw keys; keys usually differ in their first byte, which is compared inline
/// before falling back to comparing the whole keys.
#[inline]
fn key_cmp(a: &str, b: &str) -> Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
}

fn write_bytes(buf: &mut [u8], pos: usize, bytes: &[u8]) -> usize {
    buf[pos..pos + bytes.len()].copy_from_slice(bytes);
    pos + bytes.len()
}

/// Writes `enc(k1=v1&k2=v2...)` where each key/value is itself percent-encoded first, into
/// `buf` (sized by the caller) at `pos`; returns the end position.
fn write_canonical<'p, 's: 'p>(
    params: impl Iterator<Item = &'p (&'s str, &'s str)>,
    buf: &mut [u8],
    mut pos: usize,
) -> usize {
    for (i, (k, v)) in params.enumerate() {
        if i > 0 {
            pos = write_bytes(buf, pos, b"%26");
        }
        pos = write_double_encoded(buf, pos, k.as_bytes());
        pos = write_bytes(buf, pos, b"%3D");
        pos = write_double_encoded(buf, pos, v.as_bytes());
    }
    pos
}

/// Computes the RPC v1 signature: `base64(HMAC-SHA1(key = secret + "&", string_to_sign))`,
/// standard alphabet with `=` padding.
///
/// ```
/// let sig = acs_sign::v1::signature("accessKeySecret", "&%2F&test%3Dok");
/// assert_eq!(sig, "jHx/oHoHNrbVfhncHEvPdHXZwHU=");
/// ```
pub fn signature(access_key_secret: &str, string_to_sign: &str) -> String {
    let mac = hmac_sha1_secret_amp(access_key_secret, string_to_sign.as_bytes());
    // 20 bytes -> 28 base64 characters, encoded on the stack, one allocation for the result.
    let mut out = [0u8; 28];
    match base64::engine::general_purpose::STANDARD.encode_slice(mac, &mut out) {
        Ok(n) => into_string(out[..n].to_vec()),
        // Unreachable: 28 bytes is exactly the padded length of 20 bytes.
        Err(_) => base64::engine::general_purpose::STANDARD.encode(mac),
    }
}

/// Raw `base64(HMAC-SHA1(key, message))` with the key used verbatim (no `&` appended).
///
/// ```
/// let sig = acs_sign::v1::hmac_sha1_base64(b"secret&", "GET&%2F&body%3Dtest%26query%3Dtest");
/// assert_eq!(sig, "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
/// ```
pub fn hmac_sha1_base64(key: &[u8], message: &str) -> String {
    let mut block = [0u8; 64];
    let key_len = key.len();
    if key_len <= block.len() {
        block[..key_len].copy_from_slice(key);
    } else {
        block[..20].copy_from_slice(&Sha1::digest(key));
    }
    let mut mac = <Hmac<Sha1> as KeyInit>::new(&block.into());
    mac.update(message.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// HMAC-SHA1 keyed with `secret + "&"` without building the concatenated key on the heap.
///
/// HMAC zero-pads keys up to the block size and replaces longer keys by their hash, so the
/// block-sized key is built directly (RFC 2104 section 2).
fn hmac_sha1_secret_amp(secret: &str, message: &[u8]) -> [u8; 20] {
    const BLOCK: usize = 64;
    debug_assert_eq!(<Sha1 as BlockSizeUser>::block_size(), BLOCK);
    let mut block = [0u8; BLOCK];
    let secret = secret.as_bytes();
    if secret.len() < BLOCK {
        block[..secret.len()].copy_from_slice(secret);
        block[secret.len()] = b'&';
    } else {
        let mut hasher = Sha1::new();
        hasher.update(secret);
        hasher.update(b"&");
        block[..20].copy_from_slice(&hasher.finalize());
    }
    let mut mac = <Hmac<Sha1> as KeyInit>::new(&block.into());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Common RPC v1 parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommonParams<'a> {
    /// `Action`, e.g. `GetDeployment`.
    pub action: &'a str,
    /// `Version`, e.g. `2020-05-18`.
    pub version: &'a str,
    /// `Format`: `JSON` or `XML` (the Tea SDK sends `json`).
    pub format: &'a str,
    /// `AccessKeyId`.
    pub access_key_id: &'a str,
    /// `SignatureNonce`: unique per request (see [`crate::clock::new_nonce`]).
    pub signature_nonce: &'a str,
    /// `Timestamp`: UTC `YYYY-MM-DDThh:mm:ssZ` (see [`crate::clock::timestamp_now`]).
    pub timestamp: &'a str,
    /// `SecurityToken` for STS credentials; `None` omits the parameter.
    pub security_token: Option<&'a str>,
}

/// Returns all parameters to send in the query: the common ones (`Action`, `Version`, `Format`,
/// `AccessKeyId`, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `SignatureNonce`,
/// `Timestamp`, \[`SecurityToken`\]) followed by `Signature`, where the signature covers the
/// common params + `business_params` (which the caller sends in the form body or query).
///
/// As in the official SDK (`merge(query, body)`, body wins) a business parameter whose key
/// equals a common parameter's key replaces it in the signed set.
///
/// ```
/// use acs_sign::v1::{sign_common_params, CommonParams};
///
/// let common = CommonParams {
///     action: "GetDeployment",
///     version: "2020-05-18",
///     format: "JSON",
///     access_key_id: "AK",
///     signature_nonce: "0123456789abcdef0123456789abcdef",
///     timestamp: "2024-01-02T03:04:05Z",
///     security_token: None,
/// };
/// let query = sign_common_params("POST", &common, &[("DeploymentId", "1")], "secret");
/// assert_eq!(query.len(), 9);
/// assert_eq!(query.last().map(|(k, _)| *k), Some("Signature"));
/// ```
pub fn sign_common_params(
    method: &str,
    common: &CommonParams<'_>,
    business_params: &[(&str, &str)],
    access_key_secret: &str,
) -> Vec<(&'static str, String)> {
    let mut common_list: [(&'static str, &str); 9] = [
        ("Action", common.action),
        ("Version", common.version),
        ("Format", common.format),
        ("AccessKeyId", common.access_key_id),
        ("SignatureMethod", SIGNATURE_METHOD),
        ("SignatureVersion", SIGNATURE_VERSION),
        ("SignatureNonce", common.signature_nonce),
        ("Timestamp", common.timestamp),
        ("SecurityToken", ""),
    ];
    let common_len = match common.security_token {
        Some(token) => {
            common_list[8].1 = token;
            9
        }
        None => 8,
    };
    let common_list = &common_list[..common_len];

    let mut signed: Vec<(&str, &str)> = Vec::with_capacity(common_len + business_params.len());
    signed.extend(
        common_list
            .iter()
            .filter(|(k, _)| !business_params.iter().any(|(bk, _)| bk == k))
            .map(|&(k, v)| (k, v)),
    );
    signed.extend_from_slice(business_params);
    let sts = string_to_sign(method, &signed);
    let sig = signature(access_key_secret, &sts);

    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(common_len + 1);
    out.extend(common_list.iter().map(|&(k, v)| (k, v.to_owned())));
    out.push(("Signature", sig));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_secret_is_hashed_like_hmac_does() {
        // 63-, 64- and 65-byte keys (with '&') cross the block-size boundary.
        for len in [62usize, 63, 64, 100] {
            let secret = "s".repeat(len);
            let key = format!("{secret}&");
            assert_eq!(
                signature(&secret, "msg"),
                hmac_sha1_base64(key.as_bytes(), "msg"),
                "secret length {len}"
            );
        }
    }

    #[test]
    fn sts_and_business_override() {
        let common = CommonParams {
            action: "A",
            version: "V",
            format: "JSON",
            access_key_id: "AK",
            signature_nonce: "n",
            timestamp: "t",
            security_token: Some("tok"),
        };
        let out = sign_common_params("POST", &common, &[("Format", "XML")], "s");
        let keys: Vec<&str> = out.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "Action",
                "Version",
                "Format",
                "AccessKeyId",
                "SignatureMethod",
                "SignatureVersion",
                "SignatureNonce",
                "Timestamp",
                "SecurityToken",
                "Signature"
            ]
        );
        let expected = signature(
            "s",
            &string_to_sign(
                "POST",
                &[
                    ("Action", "A"),
                    ("Version", "V"),
                    ("AccessKeyId", "AK"),
                    ("SignatureMethod", "HMAC-SHA1"),
                    ("SignatureVersion", "1.0"),
                    ("SignatureNonce", "n"),
                    ("Timestamp", "t"),
                    ("SecurityToken", "tok"),
                    ("Format", "XML"),
                ],
            ),
        );
        assert_eq!(out[9].1, expected);
    }
}
