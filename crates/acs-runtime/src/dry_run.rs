//! A request built, validated and signed exactly as a call's first attempt would send it,
//! but not sent ([`Client::dry_run`](crate::Client::dry_run)), for `--dry-run` in the
//! command-line tools and for debugging a signature.
//!
//! The signing texts are computed again with `acs-sign`'s own functions from what would be
//! sent (the same functions the signer uses): for RPC v1 the string to sign from the query
//! and the form body; for V3 the canonical request from the method, path, query, the headers
//! the `Authorization` header names and `x-acs-content-sha256`, and the string to sign from
//! it. The AccessKey secret, the security token (raw or percent-encoded) and the signature
//! never appear in a [`DryRun`]: they read `<redacted>`.

use std::fmt;

/// What marks a redacted value.
pub const REDACTED: &str = "<redacted>";

/// A request that was built and signed but not sent; secrets, token and signature redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DryRun {
    /// The HTTP method.
    pub method: String,
    /// The whole URL, its query included (`Signature` and `SecurityToken` redacted).
    pub url: String,
    /// The headers in the order they would be sent (`authorization`'s signature and
    /// `x-acs-security-token` redacted). The transport adds `content-length`.
    pub headers: Vec<(String, String)>,
    /// The form body (`application/x-www-form-urlencoded`).
    pub body: String,
    /// How it was signed, with the texts the signature covers.
    pub signing: DrySigning,
}

/// How a dry run's request was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DrySigning {
    /// RPC v1 (HMAC-SHA1): the string to sign.
    V1 {
        /// `METHOD&%2F&<encoded sorted parameters>`.
        string_to_sign: String,
    },
    /// ACS3-HMAC-SHA256.
    V3 {
        /// The canonical request.
        canonical_request: String,
        /// `ACS3-HMAC-SHA256\n<hex sha256 of the canonical request>`.
        string_to_sign: String,
    },
    /// Not signed (an anonymous action).
    Anonymous,
}

impl DryRun {
    /// Reads a built request; `redact` removes the secret and the token from any text.
    pub(crate) fn from_request(
        request: &reqwest::Request,
        redact: impl Fn(String) -> String,
    ) -> Self {
        let method = request.method().as_str().to_owned();
        let url = request.url();
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let signing = match header("authorization") {
            Some(authorization) if authorization.starts_with("ACS3-HMAC-SHA256") => {
                let signed: Vec<String> = field(&authorization, "SignedHeaders")
                    .unwrap_or_default()
                    .split(';')
                    .map(str::to_owned)
                    .collect();
                let headers: Vec<(String, String)> = signed
                    .iter()
                    .filter_map(|name| Some((name.clone(), header(name)?)))
                    .collect();
                let canonical_request = acs_sign::v3::canonical_request(
                    &method,
                    url.path(),
                    &refs(&query),
                    &refs(&headers),
                    &header("x-acs-content-sha256").unwrap_or_default(),
                );
                let string_to_sign = acs_sign::v3::string_to_sign(&canonical_request);
                DrySigning::V3 {
                    canonical_request: redact(canonical_request),
                    string_to_sign,
                }
            }
            _ if query.iter().any(|(k, _)| k == "Signature") => {
                let mut form = url.clone();
                form.set_query(Some(&body));
                let mut params: Vec<(String, String)> = query
                    .iter()
                    .filter(|(k, _)| k != "Signature")
                    .cloned()
                    .collect();
                params.extend(form.query_pairs().into_owned());
                DrySigning::V1 {
                    string_to_sign: redact(acs_sign::v1::string_to_sign(&method, &refs(&params))),
                }
            }
            _ => DrySigning::Anonymous,
        };
        // The query as it was encoded for sending, with the signature and the token replaced.
        let mut shown_url = url
            .as_str()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        if let Some(sent) = url.query() {
            let shown: Vec<String> = sent
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name @ ("Signature" | "SecurityToken"), _)) => {
                        format!("{name}={REDACTED}")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            shown_url.push('?');
            shown_url.push_str(&shown.join("&"));
        }
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                let value = match name.as_str() {
                    "authorization" => redact_signature(&value),
                    "x-acs-security-token" => REDACTED.to_owned(),
                    _ => redact(value),
                };
                (name.as_str().to_owned(), value)
            })
            .collect();
        DryRun {
            method,
            url: redact(shown_url),
            headers,
            body: redact(body),
            signing,
        }
    }
}

fn refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// `Name=value` of an `Authorization` header (`ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`).
fn field<'a>(authorization: &'a str, name: &str) -> Option<&'a str> {
    let (_, fields) = authorization.split_once(' ')?;
    fields.split(',').find_map(|f| {
        let (key, value) = f.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

/// The `Authorization` header with its `Signature=` value redacted.
fn redact_signature(authorization: &str) -> String {
    match authorization.find("Signature=") {
        Some(at) => format!("{}Signature={REDACTED}", &authorization[..at]),
        None => REDACTED.to_owned(),
    }
}

impl fmt::Display for DryRun {
    /// The request line, the headers, the body, then the signing texts, each part after an
    /// empty line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        writeln!(f)?;
        writeln!(f, "{}", self.body)?;
        match &self.signing {
            DrySigning::V1 { string_to_sign } => {
                writeln!(f, "\nString to sign (RPC v1, HMAC-SHA1):\n{string_to_sign}")
            }
            DrySigning::V3 {
                canonical_request,
                string_to_sign,
            } => {
                writeln!(
                    f,
                    "\nCanonical request (V3, ACS3-HMAC-SHA256):\n{canonical_request}"
                )?;
                writeln!(f, "\nString to sign:\n{string_to_sign}")
            }
            DrySigning::Anonymous => writeln!(f, "\nNot signed (anonymous action)."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_fields_and_redaction() {
        let header = "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc";
        assert_eq!(field(header, "SignedHeaders"), Some("host;x-acs-date"));
        assert_eq!(field(header, "Credential"), Some("AK"));
        assert_eq!(
            redact_signature(header),
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=<redacted>"
        );
    }
}
