//! What the server records about every request it answers.

use std::time::SystemTime;

/// How a request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// RPC signature v1 (`Signature` / `AccessKeyId` parameters, HMAC-SHA1).
    V1,
    /// V3 (`Authorization: ACS3-...` header).
    V3,
    /// Neither.
    None,
}

/// Response format the request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `application/json;charset=utf-8`.
    Json,
    /// `text/xml;charset=utf-8`.
    Xml,
}

/// One request as the server received and judged it.
///
/// Recorded when the server decides what to do, i.e. before any scripted delay,
/// so a client that timed out still finds its request here.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// 1-based arrival order (over the whole server, including requests no longer kept).
    pub seq: u64,
    /// Wall-clock time the request head was complete.
    pub received_at: SystemTime,
    /// 1-based number of the TCP connection it came on (same number = connection reused).
    pub connection: u64,
    /// Request method as sent (`POST`, `GET`, ...); empty if the request line was unreadable.
    pub method: String,
    /// Raw (not percent-decoded) path of the request target, e.g. `/`.
    pub path: String,
    /// Raw query string (after `?`, without it), empty when absent.
    pub raw_query: String,
    /// Decoded query parameters in order (`+` is a space; duplicates kept).
    pub query: Vec<(String, String)>,
    /// Raw body bytes (chunked bodies already de-chunked).
    pub body: Vec<u8>,
    /// Decoded `application/x-www-form-urlencoded` body parameters in order
    /// (empty for other content types).
    pub form: Vec<(String, String)>,
    /// Headers in order, names lower-cased, values trimmed.
    pub headers: Vec<(String, String)>,
    /// Authentication scheme detected.
    pub auth: AuthKind,
    /// True when credentials are configured and every check passed (signature,
    /// timestamp, nonce, security token, expected action/version/params).
    /// Always false when the server runs without credentials.
    pub verified: bool,
    /// True when the server answered with its own error instead of a scripted step
    /// (verification failure or malformed HTTP); the script was not advanced.
    pub rejected: bool,
    /// `Code` of the gateway error sent: the rejection's, or a scripted [`crate::Body::Error`]'s;
    /// `BadRequest` for malformed HTTP.
    pub error_code: Option<String>,
    /// `Message` of that error.
    pub error_message: Option<String>,
    /// The string to sign the server computed (v1: `METHOD&%2F&...`; V3:
    /// `ACS3-HMAC-SHA256\n<hex>`), when the request carried enough to compute it.
    pub string_to_sign: Option<String>,
    /// The V3 canonical request the server computed, when applicable.
    pub canonical_request: Option<String>,
    /// What the signature should have been (v1: base64 `Signature`; V3: the full
    /// `Authorization` value), when a secret was known for the access key.
    pub expected_signature: Option<String>,
    /// Response format chosen (v1/unsigned: `Format` param, absent = XML; V3: `Accept`).
    pub format: ResponseFormat,
    /// Request id sent in `x-acs-request-id` (and in generated bodies).
    pub request_id: String,
    /// Which scripted step answered: `route0[1]`, `route0[last]`, `route0->default`,
    /// `queue[3]`, `default`; `None` when rejected.
    pub step: Option<String>,
    /// Status the server decided to send; `None` for [`crate::Step::Drop`] / [`crate::Step::Reset`].
    pub response_status: Option<u16>,
}

impl RecordedRequest {
    /// A parameter from the merged view: the form body wins over the query; the
    /// last occurrence wins within each.
    pub fn param(&self, name: &str) -> Option<&str> {
        last_value(&self.form, name).or_else(|| last_value(&self.query, name))
    }

    /// All parameters, merged like the Tea SDK and the gateway (`query` then `form`,
    /// form wins, one entry per name, in first-appearance order).
    pub fn params(&self) -> Vec<(String, String)> {
        merge_params(&self.query, &self.form)
    }

    /// The action the request called: the `x-acs-action` header (V3), else the `Action`
    /// parameter (RPC v1).
    pub fn action(&self) -> Option<&str> {
        self.header("x-acs-action").or_else(|| self.param("Action"))
    }

    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Body as UTF-8 text (invalid sequences replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn last_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Merges query and form params: one entry per name, form wins, last occurrence wins.
pub(crate) fn merge_params(
    query: &[(String, String)],
    form: &[(String, String)],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(query.len() + form.len());
    for (k, v) in query.iter().chain(form.iter()) {
        match out.iter_mut().find(|(ek, _)| ek == k) {
            Some(entry) => entry.1 = v.clone(),
            None => out.push((k.clone(), v.clone())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn form_wins_over_query() {
        let merged = merge_params(
            &pairs(&[("A", "q"), ("B", "q1"), ("B", "q2")]),
            &pairs(&[("A", "f"), ("C", "f")]),
        );
        assert_eq!(merged, pairs(&[("A", "f"), ("B", "q2"), ("C", "f")]));
    }
}
