//! Rendering of response bodies: JSON values as JSON or as XML (like darabonba's
//! `XML.to_xml`), gateway error bodies, and gzip framing.

use serde_json::Value;

/// Content type of JSON bodies, exactly as the gateway sends it.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
/// Content type of XML bodies, exactly as the gateway sends it (the Tea V3 path
/// compares it verbatim before parsing an XML error).
pub const XML_CONTENT_TYPE: &str = "text/xml;charset=utf-8";
/// XML declaration the gateway puts in front of every XML body.
pub const XML_DECLARATION: &str = "<?xml version='1.0' encoding='UTF-8'?>";

/// Renders `value` as an XML document whose root element is `root`, the way
/// darabonba's `XML.to_xml({root: value})` does (the serialiser the Tea SDKs use),
/// with the gateway's declaration and booleans written `true`/`false`:
///
/// * object -> child elements in the map's iteration order;
/// * array -> one sibling element of the same name per item (an empty array gives
///   one empty element);
/// * string / number -> text (`&`, `<`, `>` escaped); booleans `true` / `false`;
/// * `null`, `""`, `{}` and `[]` -> an empty element `<Name />`.
///
/// Text is written as UTF-8 (darabonba's ElementTree would write non-ASCII as
/// character references; both parse to the same document).
///
/// ```
/// use serde_json::json;
/// let xml = acs_test_server::render::json_to_xml(
///     "R",
///     &json!({"Items": [{"Id": 1}, {"Id": 2}], "Ok": true, "Empty": ""}),
/// );
/// assert_eq!(
///     xml,
///     "<?xml version='1.0' encoding='UTF-8'?><R><Empty /><Items><Id>1</Id></Items><Items><Id>2</Id></Items><Ok>true</Ok></R>"
/// );
/// ```
pub fn json_to_xml(root: &str, value: &Value) -> String {
    let mut out = String::from(XML_DECLARATION);
    write_element(&mut out, root, value);
    out
}

fn write_element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                write_element(out, name, item);
            }
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            for (k, v) in map {
                write_element(out, k, v);
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        Value::String(s) if !s.is_empty() => write_text_element(out, name, s),
        Value::Bool(b) => write_text_element(out, name, if *b { "true" } else { "false" }),
        Value::Number(n) => write_text_element(out, name, &n.to_string()),
        _ => {
            out.push('<');
            out.push_str(name);
            out.push_str(" />");
        }
    }
}

fn write_text_element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&xml_escape(text));
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes `&`, `<` and `>` like Python's `xml.sax.saxutils.escape`.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Fields of a gateway error body, in the order the gateway writes them.
#[derive(Debug, Clone)]
pub(crate) struct GatewayError<'a> {
    pub request_id: &'a str,
    pub host_id: &'a str,
    pub code: &'a str,
    pub message: &'a str,
    pub product: &'a str,
    pub extra: &'a [(String, Value)],
}

impl GatewayError<'_> {
    fn recommend(&self) -> String {
        format!(
            "https://api.aliyun.com/troubleshoot?q={}&product={}&requestId={}",
            self.code, self.product, self.request_id
        )
    }

    /// `{"RequestId","HostId","Code","Message","Recommend",...extra}` (compact, in that order).
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let recommend = self.recommend();
        let mut fields: Vec<(&str, Value)> = vec![
            ("RequestId", Value::from(self.request_id)),
            ("HostId", Value::from(self.host_id)),
            ("Code", Value::from(self.code)),
            ("Message", Value::from(self.message)),
            ("Recommend", Value::from(recommend)),
        ];
        for (k, v) in self.extra {
            fields.push((k.as_str(), v.clone()));
        }
        let mut out = String::from("{");
        for (i, (k, v)) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&Value::from(*k).to_string());
            out.push(':');
            out.push_str(&v.to_string());
        }
        out.push('}');
        out.into_bytes()
    }

    /// `<?xml ...?><Error><RequestId/>...<Recommend><![CDATA[..]]></Recommend>...extra</Error>`;
    /// object/array extras are written as JSON text, like the emulator.
    pub(crate) fn to_xml(&self) -> Vec<u8> {
        let mut out = String::from(XML_DECLARATION);
        out.push_str("<Error>");
        write_text_element(&mut out, "RequestId", self.request_id);
        write_text_element(&mut out, "HostId", self.host_id);
        write_text_element(&mut out, "Code", self.code);
        write_text_element(&mut out, "Message", self.message);
        out.push_str("<Recommend><![CDATA[");
        out.push_str(&self.recommend());
        out.push_str("]]></Recommend>");
        for (k, v) in self.extra {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => "None".to_owned(),
                Value::Bool(true) => "True".to_owned(),
                Value::Bool(false) => "False".to_owned(),
                other => other.to_string(),
            };
            write_text_element(&mut out, k, &text);
        }
        out.push_str("</Error>");
        out.into_bytes()
    }
}

/// Wraps `data` in a gzip member (RFC 1952) made of uncompressed ("stored") deflate
/// blocks: a real gzip stream any decoder accepts, produced without a compression
/// library. Used for the "unrequested `Content-Encoding: gzip`" fault.
///
/// ```
/// let gz = acs_test_server::render::gzip_stored(b"{}");
/// assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
/// assert_eq!(gz.len(), 10 + 5 + 2 + 8);
/// ```
pub fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 32 + data.len() / 65_535 * 5);
    // magic, CM=deflate, FLG=0, MTIME=0, XFL=0, OS=255 (unknown)
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(u8::from(last));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE 802.3, reflected, as used by gzip).
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn gzip_of_empty_and_large_inputs_is_well_framed() {
        let empty = gzip_stored(b"");
        assert_eq!(empty.len(), 10 + 5 + 8);
        let big = vec![b'a'; 70_000];
        let gz = gzip_stored(&big);
        // two stored blocks: 65535 + 4465 bytes
        assert_eq!(gz.len(), 10 + 5 + 65_535 + 5 + 4_465 + 8);
        assert_eq!(gz[10], 0, "first block is not final");
        assert_eq!(gz[10 + 5 + 65_535], 1, "second block is final");
    }

    #[test]
    fn xml_matches_the_emulator_success_sample() {
        // /work/shared/oracle/error_samples/success.xml, keys in sorted order because
        // serde_json's default map is ordered by key.
        let body = json!({
            "RequestId": "A45EE076-334D-5012-9746-A8F828D20FD4",
            "Data": {
                "DeployedItems": [
                    {"FileId": 100001, "FileVersion": 3, "Status": 1},
                    {"FileId": 100002, "FileVersion": 1, "Status": 0}
                ],
                "Deployment": {"ErrorMessage": "", "Name": "d<&>"}
            },
            "Success": true
        });
        assert_eq!(
            json_to_xml("GetDeploymentResponse", &body),
            "<?xml version='1.0' encoding='UTF-8'?><GetDeploymentResponse><Data>\
             <DeployedItems><FileId>100001</FileId><FileVersion>3</FileVersion><Status>1</Status></DeployedItems>\
             <DeployedItems><FileId>100002</FileId><FileVersion>1</FileVersion><Status>0</Status></DeployedItems>\
             <Deployment><ErrorMessage /><Name>d&lt;&amp;&gt;</Name></Deployment></Data>\
             <RequestId>A45EE076-334D-5012-9746-A8F828D20FD4</RequestId><Success>true</Success></GetDeploymentResponse>"
        );
    }

    #[test]
    fn xml_edge_cases() {
        assert_eq!(
            json_to_xml(
                "R",
                &json!({"A": [], "B": null, "C": {}, "D": [[1, 2], 3], "E": 1.5, "F": false})
            ),
            "<?xml version='1.0' encoding='UTF-8'?><R><A /><B /><C /><D>1</D><D>2</D><D>3</D><E>1.5</E><F>false</F></R>"
        );
        assert_eq!(
            json_to_xml("R", &json!("x")),
            "<?xml version='1.0' encoding='UTF-8'?><R>x</R>"
        );
    }

    #[test]
    fn error_bodies_match_the_oracle_samples() {
        let e = GatewayError {
            request_id: "A45EE076-334D-5012-9746-A8F828D20FD4",
            host_id: "dataworks.cn-shanghai.aliyuncs.com",
            code: "Throttling.User",
            message: "Request was denied due to user flow control.",
            product: "dataworks-public",
            extra: &[],
        };
        assert_eq!(
            String::from_utf8(e.to_json()).unwrap(),
            r#"{"RequestId":"A45EE076-334D-5012-9746-A8F828D20FD4","HostId":"dataworks.cn-shanghai.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control.","Recommend":"https://api.aliyun.com/troubleshoot?q=Throttling.User&product=dataworks-public&requestId=A45EE076-334D-5012-9746-A8F828D20FD4"}"#
        );
        assert_eq!(
            String::from_utf8(e.to_xml()).unwrap(),
            "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>A45EE076-334D-5012-9746-A8F828D20FD4</RequestId><HostId>dataworks.cn-shanghai.aliyuncs.com</HostId><Code>Throttling.User</Code><Message>Request was denied due to user flow control.</Message><Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=Throttling.User&product=dataworks-public&requestId=A45EE076-334D-5012-9746-A8F828D20FD4]]></Recommend></Error>"
        );
    }
}
