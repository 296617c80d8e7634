//! Response body decoding: JSON or XML by content type and content sniffing, error bodies, excerpts.

use acs_model::strip_bom;

pub use acs_model::DecodeError;

/// The format of a response body (the models' [`acs_model::Format`]).
pub use acs_model::Format as BodyFormat;

/// Decides how to decode a body: the first non-whitespace byte (after an optional UTF-8 BOM)
/// wins when it is decisive (`{`/`[` JSON, `<` XML), so a body labelled wrongly still decodes;
/// otherwise the `Content-Type` (`...json`, `...xml`) decides; `None` when neither tells.
///
/// ```
/// use acs_runtime::decode::{detect_format, BodyFormat};
/// assert_eq!(detect_format(Some("application/json;charset=utf-8"), b" {}"), Some(BodyFormat::Json));
/// assert_eq!(detect_format(Some("application/json"), b"<Error/>"), Some(BodyFormat::Xml));
/// assert_eq!(detect_format(None, b"\xEF\xBB\xBF<?xml version='1.0'?><a/>"), Some(BodyFormat::Xml));
/// assert_eq!(detect_format(Some("text/xml"), b""), Some(BodyFormat::Xml));
/// assert_eq!(detect_format(Some("text/html"), b"Bad gateway"), None);
/// ```
pub fn detect_format(content_type: Option<&str>, body: &[u8]) -> Option<BodyFormat> {
    let first = strip_bom(body)
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'{') | Some(b'[') => return Some(BodyFormat::Json),
        Some(b'<') => {
            // An HTML page is not an API response, whatever its label says.
            return if looks_like_html(body) {
                None
            } else {
                Some(BodyFormat::Xml)
            };
        }
        _ => {}
    }
    let mime = content_type?
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime.ends_with("json") {
        Some(BodyFormat::Json)
    } else if mime.ends_with("xml") {
        Some(BodyFormat::Xml)
    } else {
        None
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let head: Vec<u8> = strip_bom(body)
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take(64)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// Decodes a response body into a model with the models' own decoders
/// ([`acs_model::from_json`], [`acs_model::from_xml`]): the same code, so the client and the
/// models decode every body alike.
pub fn decode_body<T: acs_model::Object>(
    body: &[u8],
    format: BodyFormat,
) -> Result<T, DecodeError> {
    match format {
        BodyFormat::Json => acs_model::from_json(body),
        BodyFormat::Xml => acs_model::from_xml(body),
    }
}

/// The first ~200 characters of a body, UTF-8-lossy, control characters other than newlines
/// and tabs replaced, with `...` when cut.
pub fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let head = &body[..body.len().min(MAX_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut out: String = text
        .chars()
        .take(MAX_CHARS)
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    if text.chars().count() > MAX_CHARS || head.len() < body.len() {
        out.push_str("...");
    }
    out
}

/// Fields of an error body (gateway `Code`/`Message`, or business `ErrorCode`/`ErrorMessage`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorFields {
    /// `Code` / `code` / `ErrorCode`.
    pub code: Option<String>,
    /// `Message` / `message` / `ErrorMessage`.
    pub message: Option<String>,
    /// `RequestId` / `requestId`.
    pub request_id: Option<String>,
    /// `HostId` / `hostId`.
    pub host_id: Option<String>,
    /// `Recommend` / `recommend`.
    pub recommend: Option<String>,
    /// `HttpStatusCode` when present and a number.
    pub http_status_code: Option<i64>,
    /// Whether the fields came from the business shape (`ErrorCode`), not the gateway one.
    pub business: bool,
}

/// The fields of an XML error body, read by the models' own XML decoder (the same rules as
/// every response: text trimmed, empty elements absent, unknown elements skipped, no DTD).
#[derive(Default)]
struct XmlErrorBody {
    code: Option<String>,
    error_code: Option<String>,
    message: Option<String>,
    error_message: Option<String>,
    request_id: Option<String>,
    host_id: Option<String>,
    recommend: Option<String>,
    http_status_code: Option<String>,
}

impl acs_model::Object for XmlErrorBody {
    fn field<F: acs_model::FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
        match name {
            "Code" | "code" => f.scalar(&mut self.code),
            "ErrorCode" => f.scalar(&mut self.error_code),
            "Message" | "message" => f.scalar(&mut self.message),
            "ErrorMessage" => f.scalar(&mut self.error_message),
            "RequestId" | "requestId" => f.scalar(&mut self.request_id),
            "HostId" | "hostId" => f.scalar(&mut self.host_id),
            "Recommend" | "recommend" => f.scalar(&mut self.recommend),
            "HttpStatusCode" => f.scalar(&mut self.http_status_code),
            _ => f.skip(),
        }
    }
}

fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Parses an error body. `None` when the body is not JSON/XML or carries neither a code nor a
/// message.
///
/// ```
/// use acs_runtime::decode::{parse_error_body, BodyFormat};
/// let body = br#"{"RequestId":"R1","Code":"Throttling.User","Message":"slow down"}"#;
/// let f = parse_error_body(body, BodyFormat::Json).unwrap();
/// assert_eq!(f.code.as_deref(), Some("Throttling.User"));
/// assert_eq!(f.request_id.as_deref(), Some("R1"));
/// let xml = b"<Error><Code>InternalError</Code><RequestId>R2</RequestId></Error>";
/// assert_eq!(parse_error_body(xml, BodyFormat::Xml).unwrap().code.as_deref(), Some("InternalError"));
/// ```
pub fn parse_error_body(body: &[u8], format: BodyFormat) -> Option<ErrorFields> {
    let body = strip_bom(body);
    let fields = match format {
        BodyFormat::Json => {
            let value: serde_json::Value = serde_json::from_slice(body).ok()?;
            let obj = value.as_object()?;
            let get = |keys: &[&str]| -> Option<String> {
                keys.iter().find_map(|k| match obj.get(*k)? {
                    serde_json::Value::String(s) => clean(Some(s.clone())),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    serde_json::Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
            };
            let code = get(&["Code", "code"]);
            let error_code = get(&["ErrorCode", "errorCode"]);
            let business = code.is_none() && error_code.is_some();
            ErrorFields {
                code: code.or(error_code),
                message: get(&["Message", "message"])
                    .or_else(|| get(&["ErrorMessage", "errorMessage"])),
                request_id: get(&["RequestId", "requestId"]),
                host_id: get(&["HostId", "hostId"]),
                recommend: get(&["Recommend", "recommend"]),
                http_status_code: get(&["HttpStatusCode", "httpStatusCode"])
                    .and_then(|s| s.parse().ok()),
                business,
            }
        }
        BodyFormat::Xml => {
            let raw: XmlErrorBody = acs_model::from_xml(body).ok()?;
            let code = clean(raw.code);
            let error_code = clean(raw.error_code);
            let business = code.is_none() && error_code.is_some();
            ErrorFields {
                code: code.or(error_code),
                message: clean(raw.message).or(clean(raw.error_message)),
                request_id: clean(raw.request_id),
                host_id: clean(raw.host_id),
                recommend: clean(raw.recommend),
                http_status_code: clean(raw.http_status_code).and_then(|s| s.parse().ok()),
                business,
            }
        }
    };
    if fields.code.is_none() && fields.message.is_none() {
        return None;
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/error_samples");

    fn sample(name: &str) -> Vec<u8> {
        std::fs::read(format!("{SAMPLES}/{name}")).unwrap()
    }

    #[test]
    fn all_error_samples_parse_identically_in_json_and_xml() {
        let cases = [
            ("signature_does_not_match", "SignatureDoesNotMatch"),
            ("throttling_user", "Throttling.User"),
            (
                "invalid_access_key_id_not_found",
                "InvalidAccessKeyId.NotFound",
            ),
            ("invalid_timestamp_expired", "InvalidTimeStamp.Expired"),
            ("signature_nonce_used", "SignatureNonceUsed"),
            ("missing_deployment_id", "MissingDeploymentId"),
            ("invalid_action_not_found", "InvalidAction.NotFound"),
            ("internal_error", "InternalError"),
            ("service_unavailable", "ServiceUnavailable"),
        ];
        for (name, code) in cases {
            let json = sample(&format!("{name}.json"));
            let xml = sample(&format!("{name}.xml"));
            assert_eq!(
                detect_format(Some("application/json;charset=utf-8"), &json),
                Some(BodyFormat::Json)
            );
            assert_eq!(
                detect_format(Some("text/xml;charset=utf-8"), &xml),
                Some(BodyFormat::Xml)
            );
            let j = parse_error_body(&json, BodyFormat::Json).unwrap();
            let x = parse_error_body(&xml, BodyFormat::Xml).unwrap();
            assert_eq!(j, x, "{name}");
            assert_eq!(j.code.as_deref(), Some(code));
            assert!(!j.business);
            assert_eq!(
                j.request_id.as_deref(),
                Some("A45EE076-334D-5012-9746-A8F828D20FD4")
            );
            assert_eq!(
                j.host_id.as_deref(),
                Some("dataworks.cn-shanghai.aliyuncs.com")
            );
            assert!(j
                .recommend
                .as_deref()
                .unwrap()
                .starts_with("https://api.aliyun.com/troubleshoot?q="));
            assert!(j.message.is_some());
        }
    }

    #[test]
    fn business_error_sample() {
        for (file, format) in [
            ("business_error_body.json", BodyFormat::Json),
            ("business_error_body.xml", BodyFormat::Xml),
        ] {
            let f = parse_error_body(&sample(file), format).unwrap();
            assert!(f.business);
            assert_eq!(f.code.as_deref(), Some("Invalid.Deployment.NotFound"));
            assert_eq!(f.message.as_deref(), Some("The deployment does not exist."));
            assert_eq!(f.http_status_code, Some(400));
        }
    }

    #[test]
    fn lower_case_fields_and_rejects() {
        let f = parse_error_body(
            br#"{"code":"X","message":"m","requestId":"r"}"#,
            BodyFormat::Json,
        )
        .unwrap();
        assert_eq!(
            (
                f.code.as_deref(),
                f.message.as_deref(),
                f.request_id.as_deref()
            ),
            (Some("X"), Some("m"), Some("r"))
        );
        assert!(parse_error_body(b"not json", BodyFormat::Json).is_none());
        assert!(parse_error_body(b"[1,2]", BodyFormat::Json).is_none());
        assert!(parse_error_body(br#"{"RequestId":"r"}"#, BodyFormat::Json).is_none());
        assert!(parse_error_body(b"<html><body>oops</body></html>", BodyFormat::Xml).is_none());
        assert!(parse_error_body(b"\xff\xfe<a/>", BodyFormat::Xml).is_none());
        // XML error bodies follow the models' XML rules: lower-case names, unknown elements
        // skipped, text trimmed, no DTD.
        let f = parse_error_body(
            b"<Error><Extra><Code>no</Code></Extra><code> X </code><requestId>r</requestId></Error>",
            BodyFormat::Xml,
        )
        .unwrap();
        assert_eq!(
            (f.code.as_deref(), f.request_id.as_deref()),
            (Some("X"), Some("r"))
        );
        assert!(parse_error_body(
            b"<!DOCTYPE e [<!ENTITY x 'y'>]><Error><Code>&x;</Code></Error>",
            BodyFormat::Xml
        )
        .is_none());
    }

    #[test]
    fn html_is_never_xml() {
        assert_eq!(
            detect_format(Some("text/xml"), b"<!DOCTYPE html><html></html>"),
            None
        );
        assert_eq!(detect_format(Some("application/json"), b"  <HTML>"), None);
        assert_eq!(
            detect_format(Some("application/json"), b"oops"),
            Some(BodyFormat::Json)
        );
        assert_eq!(detect_format(None, b"oops"), None);
    }

    #[test]
    fn excerpt_is_bounded_and_lossy() {
        assert_eq!(excerpt(b"short"), "short");
        let long = "é".repeat(1000);
        let e = excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), 203);
        assert!(e.ends_with("..."));
        assert_eq!(excerpt(b"a\xffb\x07"), "a\u{fffd}b\u{fffd}");
    }

    #[test]
    fn decode_json_and_xml_with_bom() {
        #[derive(Default, Debug, PartialEq)]
        struct Out {
            request_id: Option<String>,
        }
        impl acs_model::Object for Out {
            fn field<F: acs_model::FieldSource>(
                &mut self,
                name: &str,
                f: F,
            ) -> Result<(), F::Error> {
                match name {
                    "RequestId" => f.scalar(&mut self.request_id),
                    _ => f.skip(),
                }
            }
        }
        let j: Out = decode_body(b"\xEF\xBB\xBF{\"RequestId\":\"r\"}", BodyFormat::Json).unwrap();
        let x: Out = decode_body(
            b"\xEF\xBB\xBF<R><RequestId>r</RequestId></R>",
            BodyFormat::Xml,
        )
        .unwrap();
        assert_eq!(j, x);
        assert_eq!(j.request_id.as_deref(), Some("r"));
        assert!(decode_body::<Out>(b"{", BodyFormat::Json).is_err());
        assert!(decode_body::<Out>(b"\xff<a/>", BodyFormat::Xml).is_err());
    }
}
