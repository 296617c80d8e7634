//! Hand-written HTTP/1.1 request reader and response head writer.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest request head (request line + headers) accepted.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest chunk-size / trailer line accepted in a chunked body.
const MAX_LINE_BYTES: usize = 4 * 1024;

/// A complete request.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub raw_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub keep_alive: bool,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A request the server cannot parse; answered with `status` and closed.
#[derive(Debug)]
pub(crate) struct BadRequest {
    pub status: u16,
    pub reason: String,
    /// Whatever was understood before the failure (for the record).
    pub method: String,
    pub target: String,
}

#[derive(Debug)]
pub(crate) enum ReadOutcome {
    Request(Request),
    /// The peer closed (or failed) before a complete request; nothing to answer.
    Closed,
    Bad(BadRequest),
}

/// A connection with its read buffer (bytes past the current request are kept
/// for the next one).
pub(crate) struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub(crate) fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// Reads more bytes into the buffer; Ok(0) at EOF.
    async fn fill(&mut self) -> std::io::Result<usize> {
        let mut tmp = [0u8; 16 * 1024];
        let n = self.stream.read(&mut tmp).await?;
        self.buf.extend_from_slice(&tmp[..n]);
        Ok(n)
    }

    /// Reads one request (head and body).
    pub(crate) async fn read_request(&mut self, max_body: usize) -> ReadOutcome {
        // head
        let head_end = loop {
            if let Some(pos) = find(&self.buf, b"\r\n\r\n") {
                break pos;
            }
            if self.buf.len() > MAX_HEAD_BYTES {
                return ReadOutcome::Bad(bad(431, "request head larger than 64 KiB", "", ""));
            }
            match self.fill().await {
                Ok(0) | Err(_) => return ReadOutcome::Closed,
                Ok(_) => {}
            }
        };
        let head: Vec<u8> = self.buf.drain(..head_end + 4).collect();
        let head = String::from_utf8_lossy(&head[..head_end]).into_owned();
        let (method, target, minor, headers) = match parse_head(&head) {
            Ok(parts) => parts,
            Err(b) => return ReadOutcome::Bad(b),
        };
        let fail = |status: u16, reason: String| {
            ReadOutcome::Bad(BadRequest {
                status,
                reason,
                method: method.clone(),
                target: target.clone(),
            })
        };
        let (path, raw_query) = match split_target(&target) {
            Some(p) => p,
            None => return fail(400, format!("unsupported request target {target:?}")),
        };

        let connection = headers
            .iter()
            .filter(|(k, _)| k == "connection")
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .collect::<Vec<_>>();
        let keep_alive = if minor == 0 {
            connection.iter().any(|t| t == "keep-alive")
        } else {
            !connection.iter().any(|t| t == "close")
        };

        // body framing
        let te: Vec<String> = headers
            .iter()
            .filter(|(k, _)| k == "transfer-encoding")
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        let lengths: Vec<&str> = headers
            .iter()
            .filter(|(k, _)| k == "content-length")
            .map(|(_, v)| v.as_str())
            .collect();
        let expect_continue = headers
            .iter()
            .any(|(k, v)| k == "expect" && v.eq_ignore_ascii_case("100-continue"));

        let body = if !te.is_empty() {
            if te.last().map(String::as_str) != Some("chunked") || te.len() > 1 {
                return fail(
                    501,
                    format!(
                        "unsupported Transfer-Encoding {:?} (only chunked)",
                        te.join(", ")
                    ),
                );
            }
            if expect_continue && self.buf.is_empty() {
                let _ = self
                    .stream
                    .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                    .await;
            }
            match self.read_chunked(max_body).await {
                Ok(Some(b)) => b,
                Ok(None) => return ReadOutcome::Closed,
                Err((status, reason)) => return fail(status, reason),
            }
        } else if !lengths.is_empty() {
            let first = lengths[0];
            if lengths.iter().any(|l| *l != first) {
                return fail(
                    400,
                    format!("conflicting Content-Length headers {lengths:?}"),
                );
            }
            let len = match parse_decimal(first) {
                Some(n) => n,
                None => return fail(400, format!("invalid Content-Length {first:?}")),
            };
            if len > max_body {
                return fail(
                    413,
                    format!("request body of {len} bytes exceeds the limit of {max_body} bytes"),
                );
            }
            if expect_continue && len > 0 && self.buf.is_empty() {
                let _ = self
                    .stream
                    .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                    .await;
            }
            while self.buf.len() < len {
                match self.fill().await {
                    Ok(0) | Err(_) => return ReadOutcome::Closed,
                    Ok(_) => {}
                }
            }
            self.buf.drain(..len).collect()
        } else {
            Vec::new()
        };

        ReadOutcome::Request(Request {
            method,
            path,
            raw_query,
            headers,
            body,
            keep_alive,
        })
    }

    /// Reads a line ending in CRLF (returned without it). Ok(None) at EOF.
    async fn read_line(&mut self) -> Result<Option<String>, (u16, String)> {
        loop {
            if let Some(pos) = find(&self.buf, b"\r\n") {
                let line: Vec<u8> = self.buf.drain(..pos + 2).collect();
                return Ok(Some(String::from_utf8_lossy(&line[..pos]).into_owned()));
            }
            if self.buf.len() > MAX_LINE_BYTES {
                return Err((
                    400,
                    "chunk-size or trailer line longer than 4 KiB".to_owned(),
                ));
            }
            match self.fill().await {
                Ok(0) | Err(_) => return Ok(None),
                Ok(_) => {}
            }
        }
    }

    async fn read_chunked(&mut self, max_body: usize) -> Result<Option<Vec<u8>>, (u16, String)> {
        let mut body = Vec::new();
        loop {
            let Some(line) = self.read_line().await? else {
                return Ok(None);
            };
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size = match usize::from_str_radix(size_text, 16) {
                Ok(n) if !size_text.is_empty() && size_text.len() <= 16 => n,
                _ => return Err((400, format!("invalid chunk size line {line:?}"))),
            };
            if size == 0 {
                // trailers until an empty line
                loop {
                    match self.read_line().await? {
                        None => return Ok(None),
                        Some(l) if l.is_empty() => return Ok(Some(body)),
                        Some(_) => {}
                    }
                }
            }
            if body.len().saturating_add(size) > max_body {
                return Err((
                    413,
                    format!("chunked request body exceeds the limit of {max_body} bytes"),
                ));
            }
            while self.buf.len() < size + 2 {
                match self.fill().await {
                    Ok(0) | Err(_) => return Ok(None),
                    Ok(_) => {}
                }
            }
            if &self.buf[size..size + 2] != b"\r\n" {
                return Err((400, "chunk data not followed by CRLF".to_owned()));
            }
            body.extend(self.buf.drain(..size));
            self.buf.drain(..2);
        }
    }
}

fn bad(status: u16, reason: &str, method: &str, target: &str) -> BadRequest {
    BadRequest {
        status,
        reason: reason.to_owned(),
        method: method.to_owned(),
        target: target.to_owned(),
    }
}

type Head = (String, String, u8, Vec<(String, String)>);

fn parse_head(head: &str) -> Result<Head, BadRequest> {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let parts: Vec<&str> = request_line.split(' ').collect();
    if parts.len() != 3 {
        return Err(bad(
            400,
            &format!(
                "malformed request line {request_line:?} (expected METHOD SP target SP HTTP/1.x)"
            ),
            "",
            "",
        ));
    }
    let (method, target, version) = (parts[0], parts[1], parts[2]);
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(bad(400, &format!("invalid method {method:?}"), "", target));
    }
    if target.is_empty() {
        return Err(bad(400, "empty request target", method, ""));
    }
    let minor = match version {
        "HTTP/1.1" => 1,
        "HTTP/1.0" => 0,
        other => {
            return Err(bad(
                505,
                &format!("unsupported protocol version {other:?} (HTTP/1.0 and HTTP/1.1 only)"),
                method,
                target,
            ))
        }
    };
    let mut headers = Vec::new();
    for line in lines {
        if line.starts_with(' ') || line.starts_with('\t') {
            return Err(bad(
                400,
                "obsolete header line folding is not accepted",
                method,
                target,
            ));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad(
                400,
                &format!("malformed header line {line:?}"),
                method,
                target,
            ));
        };
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(bad(
                400,
                &format!("invalid header name {name:?}"),
                method,
                target,
            ));
        }
        headers.push((
            name.to_ascii_lowercase(),
            value.trim_matches(|c| c == ' ' || c == '\t').to_owned(),
        ));
    }
    Ok((method.to_owned(), target.to_owned(), minor, headers))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Splits an origin-form (`/p?q`) or absolute-form (`http://h/p?q`) target into
/// raw path and raw query; a fragment is dropped.
fn split_target(target: &str) -> Option<(String, String)> {
    let target = target.split('#').next().unwrap_or("");
    let rest = if target.starts_with('/') {
        target
    } else if target == "*" {
        return Some(("*".to_owned(), String::new()));
    } else {
        let lower = target.to_ascii_lowercase();
        let after_scheme = if lower.starts_with("http://") {
            &target[7..]
        } else if lower.starts_with("https://") {
            &target[8..]
        } else {
            return None;
        };
        match after_scheme.find(['/', '?']) {
            Some(i) if after_scheme[i..].starts_with('/') => &after_scheme[i..],
            Some(i) => return Some(("/".to_owned(), after_scheme[i + 1..].to_owned())),
            None => "/",
        }
    };
    Some(match rest.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (rest.to_owned(), String::new()),
    })
}

fn parse_decimal(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decodes `application/x-www-form-urlencoded` text (also used for query strings)
/// like Python's `parse_qsl(keep_blank_values=True)`: split on `&`, skip empty
/// segments, `+` is a space, `%XX` decoded, malformed escapes kept literally,
/// invalid UTF-8 replaced.
pub(crate) fn decode_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| {
            let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
            (unescape(k), unescape(v))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Reason phrase for a status code.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}

/// Serialises a response head.
pub(crate) fn response_head(status: u16, headers: &[(String, String)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(v);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_like_parse_qsl() {
        assert_eq!(
            decode_form("a=1&&b=x+y%20z&c&d=%zz%4&e=%C3%A9"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y z".to_owned()),
                ("c".to_owned(), String::new()),
                ("d".to_owned(), "%zz%4".to_owned()),
                ("e".to_owned(), "é".to_owned()),
            ]
        );
    }

    #[test]
    fn targets() {
        assert_eq!(
            split_target("/a/b?x=1#f"),
            Some(("/a/b".to_owned(), "x=1".to_owned()))
        );
        assert_eq!(
            split_target("http://h:1/p?q"),
            Some(("/p".to_owned(), "q".to_owned()))
        );
        assert_eq!(
            split_target("http://h?q"),
            Some(("/".to_owned(), "q".to_owned()))
        );
        assert_eq!(
            split_target("HTTP://h"),
            Some(("/".to_owned(), String::new()))
        );
        assert_eq!(split_target("nonsense"), None);
    }

    #[test]
    fn heads() {
        let (m, t, minor, h) =
            parse_head("POST /?a=1 HTTP/1.0\r\nHost: x\r\nX-Acs-Date:  2024 ").unwrap();
        assert_eq!((m.as_str(), t.as_str(), minor), ("POST", "/?a=1", 0));
        assert_eq!(
            h,
            vec![
                ("host".to_owned(), "x".to_owned()),
                ("x-acs-date".to_owned(), "2024".to_owned())
            ]
        );
        for bad_head in [
            "GET /",
            "GET / HTTP/2.0",
            "G(T / HTTP/1.1",
            "GET / HTTP/1.1\r\nno-colon",
            "GET / HTTP/1.1\r\nA: b\r\n folded",
            "GET / HTTP/1.1\r\nbad name: v",
        ] {
            assert!(parse_head(bad_head).is_err(), "{bad_head:?}");
        }
    }
}
