//! Authentication (RPC v1 and V3) and the gateway's common-parameter checks.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::clock::parse_timestamp;
use crate::config::ServerConfig;
use crate::http::Request;
use crate::record::{AuthKind, ResponseFormat};

/// Headers a V3 request must carry and sign (besides `host`, which must be signed).
const V3_REQUIRED_HEADERS: [&str; 5] = [
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
];

/// A gateway error the server answers instead of a scripted step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Rejection {
    pub(crate) fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Rejection {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    fn missing(name: &str) -> Self {
        Rejection::new(
            400,
            format!("Missing{name}"),
            format!("{name} is mandatory for this action."),
        )
    }
}

/// The verdict on one request.
#[derive(Debug)]
pub(crate) struct Judgement {
    pub auth: AuthKind,
    pub format: ResponseFormat,
    pub verified: bool,
    pub rejection: Option<Rejection>,
    pub string_to_sign: Option<String>,
    pub canonical_request: Option<String>,
    pub expected_signature: Option<String>,
    /// `Action` param (v1 / unsigned) or `x-acs-action` header (V3).
    pub action: Option<String>,
}

pub(crate) struct Verifier<'a> {
    pub config: &'a ServerConfig,
    pub nonces: &'a Mutex<HashSet<String>>,
}

fn lookup<'p>(pairs: &'p [(String, String)], name: &str) -> Option<&'p str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

/// Parsed `ACS3-<alg> Credential=<ak>,SignedHeaders=<a;b>,Signature=<hex>`.
struct Acs3Auth<'a> {
    algorithm: &'a str,
    access_key_id: &'a str,
    signed_headers: &'a str,
}

fn parse_acs3(value: &str) -> Option<Acs3Auth<'_>> {
    let (algorithm, rest) = value.split_once(' ')?;
    let alg_ok = algorithm.starts_with("ACS3-")
        && algorithm.len() > 5
        && algorithm
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if !alg_ok {
        return None;
    }
    let rest = rest.strip_prefix("Credential=")?;
    let (access_key_id, rest) = rest.split_once(',')?;
    let rest = rest.strip_prefix("SignedHeaders=")?;
    let (signed_headers, rest) = rest.split_once(',')?;
    let signature = rest.strip_prefix("Signature=")?;
    if !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Acs3Auth {
        algorithm,
        access_key_id,
        signed_headers,
    })
}

impl Verifier<'_> {
    fn secret_for(&self, access_key_id: &str) -> Result<&str, Rejection> {
        let creds = self.config.credentials.as_ref();
        creds
            .and_then(|c| c.get(access_key_id).or_else(|| c.get("*")))
            .map(String::as_str)
            .ok_or_else(|| {
                Rejection::new(
                    404,
                    "InvalidAccessKeyId.NotFound",
                    "Specified access key is not found.",
                )
            })
    }

    fn check_timestamp(&self, value: &str) -> Result<(), Rejection> {
        let Some(t) = parse_timestamp(value) else {
            return Err(Rejection::new(
                400,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            ));
        };
        if let Some(max) = self.config.max_skew {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            if now.abs_diff(t) > max.as_secs() {
                return Err(Rejection::new(
                    400,
                    "InvalidTimeStamp.Expired",
                    "Specified time stamp or date value is expired.",
                ));
            }
        }
        Ok(())
    }

    fn check_token(&self, sent: Option<&str>) -> Result<(), Rejection> {
        match &self.config.security_token {
            Some(required) if sent != Some(required.as_str()) => Err(Rejection::new(
                400,
                "InvalidSecurityToken.MismatchWithAccessKey",
                "Specified SecurityToken mismatch with the AccessKey.",
            )),
            _ => Ok(()),
        }
    }

    fn use_nonce(&self, nonce: &str) -> Result<(), Rejection> {
        if !self.config.reject_nonce_reuse {
            return Ok(());
        }
        let mut seen = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.insert(nonce.to_owned()) {
            return Err(Rejection::new(
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ));
        }
        Ok(())
    }

    /// Judges a request; `query` and `params` are the decoded query and the merged params.
    pub(crate) fn judge(
        &self,
        req: &Request,
        query: &[(String, String)],
        params: &[(String, String)],
    ) -> Judgement {
        let verifying = self.config.credentials.is_some();
        let authorization = req
            .header("authorization")
            .map(str::trim)
            .filter(|a| a.starts_with("ACS3-"));
        let mut j = Judgement {
            auth: AuthKind::None,
            format: ResponseFormat::Xml,
            verified: false,
            rejection: None,
            string_to_sign: None,
            canonical_request: None,
            expected_signature: None,
            action: None,
        };
        let result = if let Some(authorization) = authorization {
            j.auth = AuthKind::V3;
            j.format = if req
                .header("accept")
                .is_some_and(|a| a.to_ascii_lowercase().contains("xml"))
            {
                ResponseFormat::Xml
            } else {
                ResponseFormat::Json
            };
            j.action = req.header("x-acs-action").map(str::to_owned);
            self.judge_v3(req, query, authorization, verifying, &mut j)
        } else {
            j.action = lookup(params, "Action").map(str::to_owned);
            let format_ok = match lookup(params, "Format") {
                None => true,
                Some(f) if f.eq_ignore_ascii_case("xml") => true,
                Some(f) => {
                    j.format = ResponseFormat::Json;
                    f.eq_ignore_ascii_case("json")
                }
            };
            if lookup(params, "Signature").is_some() || lookup(params, "AccessKeyId").is_some() {
                j.auth = AuthKind::V1;
            }
            if !verifying {
                if j.auth == AuthKind::V1 {
                    let signed: Vec<(&str, &str)> = params
                        .iter()
                        .filter(|(k, _)| k != "Signature")
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    j.string_to_sign = Some(acs_sign::v1::string_to_sign(&req.method, &signed));
                }
                Ok(())
            } else if !format_ok {
                Err(Rejection::new(
                    400,
                    "InvalidParameter",
                    "The specified parameter Format is not valid.",
                ))
            } else if j.auth == AuthKind::None {
                let anonymous = j
                    .action
                    .as_ref()
                    .is_some_and(|a| self.config.anonymous_actions.contains(a));
                if anonymous {
                    non_empty(lookup(params, "Timestamp"))
                        .ok_or_else(|| Rejection::missing("Timestamp"))
                        .and_then(|t| self.check_timestamp(t))
                } else {
                    Err(Rejection::new(
                        400,
                        "MissingSignature",
                        "Signature is mandatory for this action.",
                    ))
                }
            } else {
                self.judge_v1(req, params, &mut j)
            }
        };
        let result = result.and_then(|()| {
            if verifying {
                self.check_api(req, params, &j)
            } else {
                Ok(())
            }
        });
        match result {
            Ok(()) => j.verified = verifying,
            Err(r) => j.rejection = Some(r),
        }
        j
    }

    fn judge_v1(
        &self,
        req: &Request,
        params: &[(String, String)],
        j: &mut Judgement,
    ) -> Result<(), Rejection> {
        let signed: Vec<(&str, &str)> = params
            .iter()
            .filter(|(k, _)| k != "Signature")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let sts = acs_sign::v1::string_to_sign(&req.method, &signed);
        j.string_to_sign = Some(sts.clone());
        let mut required = [""; 6];
        for (slot, name) in required.iter_mut().zip([
            "AccessKeyId",
            "Signature",
            "SignatureMethod",
            "SignatureVersion",
            "SignatureNonce",
            "Timestamp",
        ]) {
            *slot = non_empty(lookup(params, name)).ok_or_else(|| Rejection::missing(name))?;
        }
        let [access_key_id, signature, method, version, nonce, timestamp] = required;
        if lookup(params, "SignatureType") == Some("BEARERTOKEN") {
            return Err(Rejection::new(
                400,
                "UnsupportedSignatureType",
                "Bearer token signing is not supported by this test server.",
            ));
        }
        if method != "HMAC-SHA1" {
            return Err(Rejection::new(
                400,
                "InvalidSignatureMethod",
                "Specified signature method is not supported.",
            ));
        }
        if version != "1.0" {
            return Err(Rejection::new(
                400,
                "InvalidSignatureVersion",
                "Specified signature version is not supported.",
            ));
        }
        self.check_timestamp(timestamp)?;
        let secret = self.secret_for(access_key_id)?;
        let expected = acs_sign::v1::signature(secret, &sts);
        j.expected_signature = Some(expected.clone());
        if signature != expected {
            return Err(Rejection::new(
                400,
                "SignatureDoesNotMatch",
                format!(
                    "Specified signature is not matched with our calculation. server string to sign is:{sts}"
                ),
            ));
        }
        self.check_token(lookup(params, "SecurityToken"))?;
        self.use_nonce(nonce)
    }

    fn judge_v3(
        &self,
        req: &Request,
        query: &[(String, String)],
        authorization: &str,
        verifying: bool,
        j: &mut Judgement,
    ) -> Result<(), Rejection> {
        let parsed = parse_acs3(authorization);
        // The string to sign is computed whenever the header parses, for the record.
        if let Some(auth) = &parsed {
            let names: Vec<&str> = auth
                .signed_headers
                .split(';')
                .filter(|h| !h.is_empty())
                .collect();
            let signed: Vec<(&str, &str)> = req
                .headers
                .iter()
                .filter(|(k, _)| names.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut query_dict: Vec<(&str, &str)> = Vec::with_capacity(query.len());
            for (k, v) in query {
                match query_dict.iter_mut().find(|(ek, _)| *ek == k.as_str()) {
                    Some(e) => e.1 = v.as_str(),
                    None => query_dict.push((k.as_str(), v.as_str())),
                }
            }
            let payload_hash = req
                .header("x-acs-content-sha256")
                .map(str::to_owned)
                .unwrap_or_else(|| acs_sign::v3::hex_sha256(&req.body));
            let canonical = acs_sign::v3::canonical_request(
                &req.method,
                &req.path,
                &query_dict,
                &signed,
                &payload_hash,
            );
            let sts = acs_sign::v3::string_to_sign(&canonical);
            j.canonical_request = Some(canonical);
            j.string_to_sign = Some(sts);
        }
        if !verifying {
            return Ok(());
        }
        let Some(auth) = parsed else {
            return Err(Rejection::new(
                400,
                "InvalidAuthorization",
                "The Authorization header is malformed.",
            ));
        };
        if auth.algorithm != "ACS3-HMAC-SHA256" {
            return Err(Rejection::new(
                400,
                "InvalidSignatureMethod",
                "Specified signature method is not supported.",
            ));
        }
        for h in V3_REQUIRED_HEADERS {
            if non_empty(req.header(h)).is_none() {
                return Err(Rejection::new(
                    400,
                    "MissingHeader",
                    format!("Header {h} is mandatory for this action."),
                ));
            }
        }
        self.check_timestamp(req.header("x-acs-date").unwrap_or(""))?;
        let payload_hash = acs_sign::v3::hex_sha256(&req.body);
        if req.header("x-acs-content-sha256") != Some(payload_hash.as_str()) {
            return Err(Rejection::new(
                400,
                "ContentSHA256NotMatched",
                "The x-acs-content-sha256 header does not match the body.",
            ));
        }
        let names: Vec<&str> = auth
            .signed_headers
            .split(';')
            .filter(|h| !h.is_empty())
            .collect();
        for h in std::iter::once("host").chain(V3_REQUIRED_HEADERS) {
            if !names.contains(&h) {
                return Err(Rejection::new(
                    400,
                    "IncompleteSignature",
                    format!("Header {h} must be signed."),
                ));
            }
        }
        for h in &names {
            if req.header(h).is_none() {
                return Err(Rejection::new(
                    400,
                    "IncompleteSignature",
                    format!("Signed header {h} is absent from the request."),
                ));
            }
        }
        let secret = self.secret_for(auth.access_key_id)?;
        let sts = j.string_to_sign.clone().unwrap_or_default();
        let mut sorted_names = names.clone();
        sorted_names.sort_unstable();
        sorted_names.dedup();
        let signature = acs_sign::v3::signature(secret, &sts);
        let expected =
            acs_sign::v3::authorization(auth.access_key_id, &sorted_names.join(";"), &signature);
        j.expected_signature = Some(expected.clone());
        if authorization != expected {
            return Err(Rejection::new(
                400,
                "SignatureDoesNotMatch",
                format!(
                    "Specified signature is not matched with our calculation. server string to sign is:{sts}"
                ),
            ));
        }
        self.check_token(req.header("x-acs-security-token"))?;
        self.use_nonce(req.header("x-acs-signature-nonce").unwrap_or(""))
    }

    fn check_api(
        &self,
        req: &Request,
        params: &[(String, String)],
        j: &Judgement,
    ) -> Result<(), Rejection> {
        if let Some((action, version)) = &self.config.api {
            let sent_action =
                non_empty(j.action.as_deref()).ok_or_else(|| Rejection::missing("Action"))?;
            if sent_action != action {
                return Err(Rejection::new(
                    404,
                    "InvalidAction.NotFound",
                    "Specified api is not found, please check your url and method.",
                ));
            }
            let sent_version = if j.auth == AuthKind::V3 {
                req.header("x-acs-version")
            } else {
                lookup(params, "Version")
            };
            let sent_version =
                non_empty(sent_version).ok_or_else(|| Rejection::missing("Version"))?;
            if sent_version != version {
                return Err(Rejection::new(
                    400,
                    "InvalidVersion",
                    "Specified parameter Version is not valid.",
                ));
            }
        }
        for name in &self.config.required_params {
            if non_empty(lookup(params, name)).is_none() {
                return Err(Rejection::missing(name));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acs3_header_parsing() {
        let a = parse_acs3(
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=0aF9",
        )
        .unwrap();
        assert_eq!(
            (a.algorithm, a.access_key_id, a.signed_headers),
            ("ACS3-HMAC-SHA256", "AK", "host;x-acs-date")
        );
        for bad in [
            "ACS3-HMAC-SHA256 Credential=AK, SignedHeaders=h,Signature=00",
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=h,Signature=zz",
            "ACS3- Credential=AK,SignedHeaders=h,Signature=00",
            "ACS3-hmac Credential=AK,SignedHeaders=h,Signature=00",
            "ACS3-HMAC-SHA256",
        ] {
            assert!(parse_acs3(bad).is_none(), "{bad}");
        }
    }
}
