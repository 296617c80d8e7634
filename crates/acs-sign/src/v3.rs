//! V3 signature `ACS3-HMAC-SHA256` (the official Tea SDK's default, `do_request`).
//!
//! Matches `alibabacloud_tea_openapi.utils.Utils.get_authorization`:
//!
//! ```text
//! CanonicalRequest = METHOD \n (pathname or "/") \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HexPayloadHash
//! CanonicalQuery   = raw keys sorted by byte order, "k=" + percent_encode(v), joined by "&"
//! CanonicalHeaders = per lower-cased name, sorted: name ":" join(",", sorted(trimmed values)) "\n"
//! SignedHeaders    = ";".join(sorted lower-case names)
//! StringToSign     = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(key = secret, StringToSign))
//! Authorization    = "ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<list>,Signature=<hex>"
//! ```

use std::borrow::Cow;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::encode::{encoded_len, lower_hex_into, percent_encode_into};
use crate::Credentials;

/// The V3 signature algorithm name.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Lower-case hex SHA-256 of an empty payload (`x-acs-content-sha256` of an empty body).
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex SHA-256 of `body` (the `x-acs-content-sha256` value).
///
/// ```
/// assert_eq!(acs_sign::v3::hex_sha256(b""), acs_sign::v3::EMPTY_PAYLOAD_SHA256);
/// ```
pub fn hex_sha256(body: &[u8]) -> String {
    ascii_string(&hex_sha256_bytes(body))
}

/// `String` from bytes known to be ASCII (hex digits, the algorithm name).
fn ascii_str(bytes: &[u8]) -> &str {
    // Never fails for the ASCII buffers this module builds; an empty string would be
    // a visible, non-panicking failure.
    std::str::from_utf8(bytes).unwrap_or_default()
}

fn ascii_string(bytes: &[u8]) -> String {
    ascii_str(bytes).to_owned()
}

/// Python `str.strip()` whitespace: Unicode White_Space plus the separators U+001C..U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `name` lower-cased (ASCII), borrowed when it already is.
fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Python `str.strip()`, with a fast path for values that start and end with a visible
/// ASCII character (all real header values).
fn py_trim(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(&first), Some(&last)) if is_visible_ascii(first) && is_visible_ascii(last) => value,
        _ => value.trim_matches(is_py_space),
    }
}

fn is_visible_ascii(b: u8) -> bool {
    b.is_ascii_graphic()
}

/// Headers lower-cased, values trimmed, sorted by name then value (a stable sort, so the
/// result does not depend on the input order).
fn prepare_headers<'a>(headers: &[(&'a str, &'a str)]) -> Vec<(Cow<'a, str>, &'a str)> {
    let mut sorted: Vec<(Cow<'a, str>, &'a str)> = headers
        .iter()
        .map(|&(k, v)| (lower(k), py_trim(v)))
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    sorted
}

/// Appends `SignedHeaders` for prepared (sorted, lower-cased) headers.
fn write_signed_headers<N: AsRef<str>>(sorted: &[(N, &str)], out: &mut String) {
    for (i, (name, _)) in sorted.iter().enumerate() {
        let name = name.as_ref();
        if i > 0 {
            if name == sorted[i - 1].0.as_ref() {
                continue;
            }
            out.push(';');
        }
        out.push_str(name);
    }
}

/// Appends the canonical headers block (one `name:v1,v2\n` line per name).
fn write_canonical_headers<N: AsRef<str>>(sorted: &[(N, &str)], out: &mut String) {
    for (i, (name, value)) in sorted.iter().enumerate() {
        let name = name.as_ref();
        if i > 0 && name == sorted[i - 1].0.as_ref() {
            out.push(',');
        } else {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(name);
            out.push(':');
        }
        out.push_str(value);
    }
    if !sorted.is_empty() {
        out.push('\n');
    }
}

fn canonical_request_capacity<N: AsRef<str>>(
    method: &str,
    pathname: &str,
    query: &[(&str, &str)],
    sorted: &[(N, &str)],
    hashed_payload: &str,
) -> usize {
    let mut n = method.len() + pathname.len().max(1) + hashed_payload.len() + 6;
    for (k, v) in query {
        n += k.len() + 2 + 3 * v.len();
    }
    for (k, v) in sorted {
        n += 2 * k.as_ref().len() + v.len() + 3;
    }
    n
}

/// Appends the canonical request for prepared headers.
fn write_canonical_request<N: AsRef<str>>(
    method: &str,
    pathname: &str,
    query: &[(&str, &str)],
    sorted: &[(N, &str)],
    hashed_payload: &str,
    out: &mut String,
) {
    out.push_str(method);
    out.push('\n');
    out.push_str(if pathname.is_empty() { "/" } else { pathname });
    out.push('\n');
    write_canonical_query(query, out);
    out.push('\n');
    write_canonical_headers(sorted, out);
    out.push('\n');
    write_signed_headers(sorted, out);
    out.push('\n');
    out.push_str(hashed_payload);
}

/// Canonical query string: raw keys sorted by byte order (stable), values percent-encoded,
/// `k=v` joined by `&` (empty values give `k=`). Keys are not encoded (as in the official SDK).
///
/// ```
/// let q = acs_sign::v3::canonical_query_string(&[("test", "ok"), ("empty", ""), ("a", "x y")]);
/// assert_eq!(q, "a=x%20y&empty=&test=ok");
/// ```
pub fn canonical_query_string(query: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(
        query
            .iter()
            .map(|(k, v)| k.len() + 2 + encoded_len(v))
            .sum(),
    );
    write_canonical_query(query, &mut out);
    out
}

fn write_canonical_query(query: &[(&str, &str)], out: &mut String) {
    let mut sorted: Vec<&(&str, &str)> = query.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        percent_encode_into(v, out);
    }
}

/// Builds the canonical request.
///
/// `headers` are exactly the headers to sign, names in any case: they are lower-cased and
/// sorted, values are trimmed, and repeated names (in any case) are merged into one line
/// with their values sorted and joined by `,`. An empty `pathname` becomes `/`; the method
/// is used verbatim.
///
/// ```
/// let cr = acs_sign::v3::canonical_request(
///     "GET", "", &[("test", "ok"), ("empty", "")],
///     &[("x-acs-test", "http"), ("x-acs-TEST", "https")],
///     "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23",
/// );
/// assert_eq!(cr, "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n\
///                 55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23");
/// ```
pub fn canonical_request(
    method: &str,
    pathname: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> String {
    let sorted = prepare_headers(headers);
    let mut out = String::with_capacity(canonical_request_capacity(
        method,
        pathname,
        query,
        &sorted,
        hashed_payload,
    ));
    write_canonical_request(method, pathname, query, &sorted, hashed_payload, &mut out);
    out
}

/// `SignedHeaders`: the distinct lower-cased header names, sorted, joined by `;`.
///
/// ```
/// let sh = acs_sign::v3::signed_headers(&[("X-Acs-Action", "A"), ("host", "h"), ("x-acs-action", "B")]);
/// assert_eq!(sh, "host;x-acs-action");
/// ```
pub fn signed_headers(headers: &[(&str, &str)]) -> String {
    let sorted = prepare_headers(headers);
    let mut out = String::with_capacity(sorted.iter().map(|(k, _)| k.len() + 1).sum());
    write_signed_headers(&sorted, &mut out);
    out
}

/// `"ACS3-HMAC-SHA256\n" + hex(sha256(canonical_request))`.
///
/// ```
/// let sts = acs_sign::v3::string_to_sign("");
/// assert_eq!(sts, format!("ACS3-HMAC-SHA256\n{}", acs_sign::v3::EMPTY_PAYLOAD_SHA256));
/// ```
pub fn string_to_sign(canonical_request: &str) -> String {
    ascii_string(&string_to_sign_bytes(canonical_request))
}

/// Length of the string-to-sign: algorithm, `\n`, 64 hex digits.
const STS_LEN: usize = ALGORITHM.len() + 1 + 64;

fn string_to_sign_bytes(canonical_request: &str) -> [u8; STS_LEN] {
    let mut sts = [0u8; STS_LEN];
    sts[..ALGORITHM.len()].copy_from_slice(ALGORITHM.as_bytes());
    sts[ALGORITHM.len()] = b'\n';
    let mut hex = [0u8; 64];
    lower_hex_into(&Sha256::digest(canonical_request.as_bytes()), &mut hex);
    sts[ALGORITHM.len() + 1..].copy_from_slice(&hex);
    sts
}

/// `hex(HMAC-SHA256(key = access_key_secret, string_to_sign))` (lower-case hex, no `&`).
///
/// ```
/// let sig = acs_sign::v3::signature("secret", "ACS3-HMAC-SHA256\nabc");
/// assert_eq!(sig.len(), 64);
/// ```
pub fn signature(access_key_secret: &str, string_to_sign: &str) -> String {
    ascii_string(&signature_hex(access_key_secret, string_to_sign.as_bytes()))
}

fn signature_hex(access_key_secret: &str, string_to_sign: &[u8]) -> [u8; 64] {
    let secret = access_key_secret.as_bytes();
    let mut block = [0u8; 64];
    if secret.len() <= block.len() {
        block[..secret.len()].copy_from_slice(secret);
    } else {
        block[..32].copy_from_slice(&Sha256::digest(secret));
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
    mac.update(string_to_sign);
    let mut hex = [0u8; 64];
    lower_hex_into(&mac.finalize().into_bytes(), &mut hex);
    hex
}

/// `"ACS3-HMAC-SHA256 Credential=<access_key_id>,SignedHeaders=<signed_headers>,Signature=<signature>"`.
///
/// ```
/// assert_eq!(
///     acs_sign::v3::authorization("AK", "host;x-acs-action", "abcd"),
///     "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-action,Signature=abcd"
/// );
/// ```
pub fn authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    let mut out = String::with_capacity(
        ALGORITHM.len() + 40 + access_key_id.len() + signed_headers.len() + signature.len(),
    );
    out.push_str(ALGORITHM);
    out.push_str(" Credential=");
    out.push_str(access_key_id);
    out.push_str(",SignedHeaders=");
    out.push_str(signed_headers);
    out.push_str(",Signature=");
    out.push_str(signature);
    out
}

/// Builds the V3 headers for an RPC call: `x-acs-action`, `x-acs-version`, `x-acs-date`,
/// `x-acs-signature-nonce`, `x-acs-content-sha256`, \[`x-acs-security-token`\], and
/// `authorization`, signing `host` + `content-type` + all `x-acs-*`
/// (+ any extra headers given to [`sign_request_with_headers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V3Request<'a> {
    /// HTTP method, verbatim (e.g. `POST`).
    pub method: &'a str,
    /// Request path (`/` for RPC; empty is treated as `/`).
    pub pathname: &'a str,
    /// `host` header value (endpoint including any port).
    pub host: &'a str,
    /// Query parameters sent in the URL (empty for GetDeployment).
    pub query: &'a [(&'a str, &'a str)],
    /// `content-type` header; `None` sends and signs none.
    pub content_type: Option<&'a str>,
    /// Exact body bytes sent (hashed into `x-acs-content-sha256`).
    pub body: &'a [u8],
    /// `x-acs-action`, e.g. `GetDeployment`.
    pub action: &'a str,
    /// `x-acs-version`, e.g. `2020-05-18`.
    pub version: &'a str,
    /// `x-acs-date`: UTC `YYYY-MM-DDThh:mm:ssZ` (see [`crate::clock::timestamp_now`]).
    pub timestamp: &'a str,
    /// `x-acs-signature-nonce` (see [`crate::clock::new_nonce`]).
    pub nonce: &'a str,
}

/// Signs `req` and returns the headers to add (lower-case names), in this order:
/// `host`, `x-acs-action`, `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`,
/// `x-acs-content-sha256`, \[`x-acs-security-token`\], \[`content-type`\], `authorization`.
/// All of them except `authorization` are signed.
///
/// ```
/// use acs_sign::{v3, Credentials};
///
/// let req = v3::V3Request {
///     method: "POST",
///     pathname: "/",
///     host: "dataworks.cn-shanghai.aliyuncs.com",
///     query: &[],
///     content_type: Some("application/x-www-form-urlencoded"),
///     body: b"DeploymentId=1",
///     action: "GetDeployment",
///     version: "2020-05-18",
///     timestamp: "2024-01-02T03:04:05Z",
///     nonce: "0123456789abcdef0123456789abcdef",
/// };
/// let headers = v3::sign_request(&req, &Credentials::new("AK", "secret"));
/// let auth = &headers.last().unwrap().1;
/// assert!(auth.starts_with("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=content-type;host;x-acs-action;"));
/// ```
pub fn sign_request(req: &V3Request<'_>, credentials: &Credentials) -> Vec<(&'static str, String)> {
    sign_request_with_headers(req, &[], credentials)
}

/// Like [`sign_request`], and also signs `extra_headers` (e.g. `accept`, `user-agent`).
/// The extra headers are not returned: the caller must send them exactly as given.
/// An extra header with the same name as a generated one is signed as a second value
/// of that header (`name:v1,v2`), so do not pass generated names.
///
/// ```
/// use acs_sign::{v3, Credentials};
///
/// let req = v3::V3Request {
///     method: "POST", pathname: "/", host: "h", query: &[], content_type: None, body: b"",
///     action: "A", version: "V", timestamp: "2024-01-02T03:04:05Z", nonce: "n",
/// };
/// let headers = v3::sign_request_with_headers(&req, &[("Accept", "application/json")], &Credentials::new("AK", "s"));
/// assert!(headers.last().unwrap().1.contains("SignedHeaders=accept;host;"));
/// ```
pub fn sign_request_with_headers(
    req: &V3Request<'_>,
    extra_headers: &[(&str, &str)],
    credentials: &Credentials,
) -> Vec<(&'static str, String)> {
    let signature = sign_with_headers(req, extra_headers, credentials);
    let mut out: Vec<(&'static str, String)> =
        generated_headers(req, &signature.content_sha256, credentials)
            .iter()
            .flatten()
            .map(|&(name, value)| (name, value.to_owned()))
            .collect();
    out.push(("authorization", signature.authorization));
    out
}

/// What V3 signing computes, beside the request's own values: the body's hash and the
/// `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Signature {
    /// `x-acs-content-sha256`: lower-case hex SHA-256 of the body.
    pub content_sha256: String,
    /// `authorization`.
    pub authorization: String,
}

/// Signs `req` as [`sign_request`] does (the same headers, the same signature) and returns
/// only the two values it computes. The other headers to send are the request's own values:
/// `host`, `x-acs-action`, `x-acs-version`, `x-acs-date` (`timestamp`),
/// `x-acs-signature-nonce` (`nonce`), \[`x-acs-security-token`\] (the credentials'),
/// \[`content-type`\]. A caller that builds its own header map (the runtime) sends those
/// without the copies [`sign_request`] makes; nothing is allocated but the two strings
/// returned and the canonical request.
///
/// ```
/// use acs_sign::{v3, Credentials};
///
/// let req = v3::V3Request {
///     method: "POST", pathname: "/", host: "h", query: &[], content_type: None, body: b"",
///     action: "A", version: "V", timestamp: "2024-01-02T03:04:05Z", nonce: "n",
/// };
/// let credentials = Credentials::new("AK", "s");
/// let signature = v3::sign(&req, &credentials);
/// let headers = v3::sign_request(&req, &credentials);
/// assert_eq!(signature.content_sha256, v3::EMPTY_PAYLOAD_SHA256);
/// assert_eq!(Some(&signature.authorization), headers.last().map(|(_, v)| v));
/// ```
pub fn sign(req: &V3Request<'_>, credentials: &Credentials) -> V3Signature {
    sign_with_headers(req, &[], credentials)
}

/// [`sign`] with extra headers signed too, as [`sign_request_with_headers`] signs them (the
/// caller sends them itself).
pub fn sign_with_headers(
    req: &V3Request<'_>,
    extra_headers: &[(&str, &str)],
    credentials: &Credentials,
) -> V3Signature {
    let content_sha256 = hex_sha256_bytes(req.body);
    let content_sha256 = ascii_str(&content_sha256);
    let generated = generated_headers(req, content_sha256, credentials);
    let authorization = if extra_headers.is_empty() {
        // The usual case: the generated headers alone, sorted on the stack.
        authorization_for(
            req,
            &sorted_generated(&generated),
            content_sha256,
            credentials,
        )
    } else {
        let mut to_sign: Vec<(&str, &str)> =
            Vec::with_capacity(generated.len() + extra_headers.len());
        to_sign.extend(generated.iter().flatten().copied());
        to_sign.extend_from_slice(extra_headers);
        authorization_for(req, &prepare_headers(&to_sign), content_sha256, credentials)
    };
    V3Signature {
        authorization,
        content_sha256: content_sha256.to_owned(),
    }
}

/// Lower-case hex SHA-256 of `body`, on the stack.
fn hex_sha256_bytes(body: &[u8]) -> [u8; 64] {
    let mut hex = [0u8; 64];
    lower_hex_into(&Sha256::digest(body), &mut hex);
    hex
}

/// The headers signing adds and signs (all but `authorization`), in the order
/// [`sign_request`] returns them; `None` for the optional ones not sent.
fn generated_headers<'a>(
    req: &V3Request<'a>,
    content_sha256: &'a str,
    credentials: &'a Credentials,
) -> [Option<(&'static str, &'a str)>; 8] {
    [
        Some(("host", req.host)),
        Some(("x-acs-action", req.action)),
        Some(("x-acs-version", req.version)),
        Some(("x-acs-date", req.timestamp)),
        Some(("x-acs-signature-nonce", req.nonce)),
        Some(("x-acs-content-sha256", content_sha256)),
        credentials
            .security_token()
            .map(|token| ("x-acs-security-token", token)),
        req.content_type.map(|ct| ("content-type", ct)),
    ]
}

/// [`prepare_headers`] for the generated headers alone, without allocating: their names are
/// lower-case and distinct, so they only need their values trimmed and a sort.
fn sorted_generated<'a>(generated: &[Option<(&'static str, &'a str)>; 8]) -> SortedHeaders<'a> {
    let mut sorted = SortedHeaders {
        headers: [("", ""); 8],
        len: 0,
    };
    for &(name, value) in generated.iter().flatten() {
        sorted.headers[sorted.len] = (name, py_trim(value));
        sorted.len += 1;
    }
    sorted.headers[..sorted.len].sort_unstable_by(|a, b| a.0.cmp(b.0));
    sorted
}

/// Up to eight prepared headers on the stack.
struct SortedHeaders<'a> {
    headers: [(&'static str, &'a str); 8],
    len: usize,
}

/// Prepared headers, on the heap or on the stack.
trait Prepared {
    type Name: AsRef<str>;
    fn headers(&self) -> &[(Self::Name, &str)];
}

impl<'a> Prepared for Vec<(Cow<'a, str>, &'a str)> {
    type Name = Cow<'a, str>;
    fn headers(&self) -> &[(Cow<'a, str>, &str)] {
        self
    }
}

impl Prepared for SortedHeaders<'_> {
    type Name = &'static str;
    fn headers(&self) -> &[(&'static str, &str)] {
        &self.headers[..self.len]
    }
}

/// The canonical request of `req` with the prepared headers `sorted` and the body's hash, its
/// signature, and the `Authorization` value.
fn authorization_for<P: Prepared>(
    req: &V3Request<'_>,
    sorted: &P,
    hashed_payload: &str,
    credentials: &Credentials,
) -> String {
    let sorted = sorted.headers();
    let mut cr = String::with_capacity(canonical_request_capacity(
        req.method,
        req.pathname,
        req.query,
        sorted,
        hashed_payload,
    ));
    write_canonical_request(
        req.method,
        req.pathname,
        req.query,
        sorted,
        hashed_payload,
        &mut cr,
    );
    let sts = string_to_sign_bytes(&cr);
    let sig = signature_hex(credentials.access_key_secret(), &sts);

    let access_key_id = credentials.access_key_id();
    let mut auth = String::with_capacity(
        ALGORITHM.len()
            + 40
            + access_key_id.len()
            + sorted
                .iter()
                .map(|(k, _)| k.as_ref().len() + 1)
                .sum::<usize>()
            + sig.len(),
    );
    auth.push_str(ALGORITHM);
    auth.push_str(" Credential=");
    auth.push_str(access_key_id);
    auth.push_str(",SignedHeaders=");
    write_signed_headers(sorted, &mut auth);
    auth.push_str(",Signature=");
    auth.push_str(ascii_str(&sig));
    auth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_example_run_instances() {
        let headers = [
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-content-sha256", EMPTY_PAYLOAD_SHA256),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-version", "2014-05-26"),
        ];
        let query = [
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
            ("RegionId", "cn-shanghai"),
        ];
        let cr = canonical_request("POST", "/", &query, &headers, &hex_sha256(b""));
        let sts = string_to_sign(&cr);
        assert_eq!(
            sts,
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        let auth = authorization(
            "YourAccessKeyId",
            &signed_headers(&headers),
            &signature("YourAccessKeySecret", &sts),
        );
        assert_eq!(auth, "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
    }

    #[test]
    fn sign_gives_what_sign_request_gives() {
        for token in [None, Some("tok en")] {
            for content_type in [None, Some(" application/x-www-form-urlencoded ")] {
                for query in [&[][..], &[("b", "2 x"), ("a", "")][..]] {
                    let req = V3Request {
                        method: "POST",
                        pathname: "",
                        host: " 127.0.0.1:8080",
                        query,
                        content_type,
                        body: b"DeploymentId=1",
                        action: "GetDeployment",
                        version: "2020-05-18",
                        timestamp: "2024-01-02T03:04:05Z",
                        nonce: "n\t",
                    };
                    let mut credentials = Credentials::new("AK", "secret");
                    if let Some(token) = token {
                        credentials = credentials.with_security_token(token);
                    }
                    let headers = sign_request(&req, &credentials);
                    let value = |name: &str| {
                        headers
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, v)| v.clone())
                    };
                    let signature = sign(&req, &credentials);
                    assert_eq!(Some(signature.authorization), value("authorization"));
                    assert_eq!(
                        Some(signature.content_sha256),
                        value("x-acs-content-sha256")
                    );
                    assert_eq!(value("x-acs-security-token").as_deref(), token);
                    assert_eq!(value("content-type").as_deref(), content_type);
                    // With an extra header, the general path signs it too.
                    let extra = [("Accept", "x"), ("x-acs-extra", " y ")];
                    let with = sign_request_with_headers(&req, &extra, &credentials);
                    let auth = &with.last().expect("authorization").1;
                    assert!(auth.contains("SignedHeaders=accept;"), "{auth}");
                    assert!(auth.contains(";x-acs-extra;"), "{auth}");
                    assert_eq!(
                        &sign_with_headers(&req, &extra, &credentials).authorization,
                        auth
                    );
                }
            }
        }
    }

    #[test]
    fn long_secret_matches_hmac_definition() {
        let secret = "k".repeat(100);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
            .expect("HMAC accepts any key length");
        mac.update(b"m");
        assert_eq!(
            signature(&secret, "m"),
            hex::encode(mac.finalize().into_bytes())
        );
    }
}
