//! Helpers shared by the integration tests: a raw HTTP/1.1 client over a tokio
//! `TcpStream` and request signers built on `acs-sign`.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use acs_sign::encode::percent_encode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const AK: &str = "LTAI5tTESTTESTTEST";
pub const SECRET: &str = "test-secret-value";

/// Upper bound for any single network wait in the tests.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed HTTP response.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("response body is JSON")
    }
}

/// One keep-alive connection that can carry several requests.
pub struct RawClient {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// Splits a response head into status and headers.
pub fn parse_head(head: &str) -> (u16, Vec<(String, String)>) {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    (status, headers)
}

impl RawClient {
    pub async fn connect(addr: SocketAddr) -> RawClient {
        let stream = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(addr))
            .await
            .expect("connect timed out")
            .expect("connect");
        RawClient {
            stream,
            buf: Vec::new(),
        }
    }

    async fn fill(&mut self) -> std::io::Result<usize> {
        let mut tmp = [0u8; 8192];
        let n = tokio::time::timeout(IO_TIMEOUT, self.stream.read(&mut tmp))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "read timed out"))??;
        self.buf.extend_from_slice(&tmp[..n]);
        Ok(n)
    }

    /// Sends raw bytes.
    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write request");
    }

    /// Reads one complete response (Content-Length framed).
    pub async fn read_response(&mut self) -> std::io::Result<RawResponse> {
        let head_end = loop {
            if let Some(p) = find(&self.buf, b"\r\n\r\n") {
                break p;
            }
            if self.fill().await? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("EOF before response head ({} bytes)", self.buf.len()),
                ));
            }
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        self.buf.drain(..head_end + 4);
        let (status, headers) = parse_head(&head);
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse().expect("numeric content-length"))
            .unwrap_or(0);
        while self.buf.len() < len {
            if self.fill().await? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("EOF after {} of {len} body bytes", self.buf.len()),
                ));
            }
        }
        let body = self.buf.drain(..len).collect();
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// Sends a request and reads its response.
    pub async fn request(&mut self, bytes: &[u8]) -> RawResponse {
        self.send(bytes).await;
        self.read_response().await.expect("read response")
    }

    /// Reads until EOF (or error) and returns what arrived plus the error, if any.
    pub async fn read_to_end(&mut self) -> (Vec<u8>, Option<std::io::Error>) {
        loop {
            match self.fill().await {
                Ok(0) => return (std::mem::take(&mut self.buf), None),
                Ok(_) => {}
                Err(e) => return (std::mem::take(&mut self.buf), Some(e)),
            }
        }
    }
}

/// Sends one request on a fresh connection and reads the response.
pub async fn one_shot(addr: SocketAddr, bytes: &[u8]) -> RawResponse {
    let mut c = RawClient::connect(addr).await;
    c.request(bytes).await
}

/// A fresh nonce (unique in the process).
pub fn nonce() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    format!("{:016x}{:016x}", t, N.fetch_add(1, Ordering::SeqCst))
}

/// `k=v&...` with RFC 3986 encoding.
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An RPC v1 request under construction.
pub struct V1 {
    pub method: String,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub secret: String,
    pub extra_headers: Vec<(String, String)>,
}

impl V1 {
    /// A GetDeployment request like the Tea SDK's `do_rpcrequest`: common params in the
    /// query, business params in the form body, `Format=json`.
    pub fn get_deployment(secret: &str) -> V1 {
        V1 {
            method: "POST".to_owned(),
            query: owned(&[
                ("Action", "GetDeployment"),
                ("Format", "json"),
                ("Version", "2020-05-18"),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureVersion", "1.0"),
                ("AccessKeyId", AK),
            ])
            .into_iter()
            .chain([
                (
                    "Timestamp".to_owned(),
                    acs_test_server::clock::now_timestamp(),
                ),
                ("SignatureNonce".to_owned(), nonce()),
            ])
            .collect(),
            form: owned(&[("DeploymentId", "1001"), ("ProjectId", "42")]),
            secret: secret.to_owned(),
            extra_headers: Vec::new(),
        }
    }

    pub fn set_query(mut self, k: &str, v: Option<&str>) -> V1 {
        self.query.retain(|(qk, _)| qk != k);
        if let Some(v) = v {
            self.query.push((k.to_owned(), v.to_owned()));
        }
        self
    }

    pub fn set_form(mut self, k: &str, v: &str) -> V1 {
        self.form.retain(|(fk, _)| fk != k);
        self.form.push((k.to_owned(), v.to_owned()));
        self
    }

    /// The string to sign and signature over query + form (form wins).
    pub fn sign(&self) -> (String, String) {
        let mut merged: Vec<(&str, &str)> = Vec::new();
        for (k, v) in self.query.iter().chain(self.form.iter()) {
            match merged.iter_mut().find(|(mk, _)| *mk == k.as_str()) {
                Some(e) => e.1 = v.as_str(),
                None => merged.push((k.as_str(), v.as_str())),
            }
        }
        let sts = acs_sign::v1::string_to_sign(&self.method, &merged);
        let sig = acs_sign::v1::signature(&self.secret, &sts);
        (sts, sig)
    }

    /// The HTTP request bytes, signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (_, sig) = self.sign();
        self.to_bytes_with_signature(&sig)
    }

    pub fn to_bytes_with_signature(&self, sig: &str) -> Vec<u8> {
        let mut query = self.query.clone();
        query.push(("Signature".to_owned(), sig.to_owned()));
        let body = encode_pairs(&self.form);
        let mut head = format!(
            "{} /?{} HTTP/1.1\r\nHost: dataworks.cn-shanghai.aliyuncs.com\r\nx-acs-action: GetDeployment\r\nx-acs-version: 2020-05-18\r\n",
            self.method,
            encode_pairs(&query)
        );
        if !body.is_empty() {
            head.push_str(&format!(
                "content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n",
                body.len()
            ));
        }
        for (k, v) in &self.extra_headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        bytes
    }
}

/// A V3 request under construction (like the Tea SDK's `do_request` for GetDeployment).
pub struct V3 {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Headers that are signed (lower-case names).
    pub signed: Vec<(String, String)>,
    /// Headers sent but not signed.
    pub unsigned: Vec<(String, String)>,
    pub access_key_id: String,
    pub secret: String,
}

impl V3 {
    pub fn get_deployment(secret: &str) -> V3 {
        let body = b"DeploymentId=1001&ProjectId=42".to_vec();
        V3 {
            method: "POST".to_owned(),
            path: "/".to_owned(),
            query: Vec::new(),
            signed: owned(&[
                ("host", "dataworks.cn-shanghai.aliyuncs.com"),
                ("x-acs-version", "2020-05-18"),
                ("x-acs-action", "GetDeployment"),
                ("accept", "application/json"),
                ("content-type", "application/x-www-form-urlencoded"),
            ])
            .into_iter()
            .chain([
                (
                    "x-acs-date".to_owned(),
                    acs_test_server::clock::now_timestamp(),
                ),
                ("x-acs-signature-nonce".to_owned(), nonce()),
                (
                    "x-acs-content-sha256".to_owned(),
                    acs_sign::v3::hex_sha256(&body),
                ),
            ])
            .collect(),
            body,
            unsigned: Vec::new(),
            access_key_id: AK.to_owned(),
            secret: secret.to_owned(),
        }
    }

    pub fn set_signed(mut self, k: &str, v: &str) -> V3 {
        self.signed.retain(|(hk, _)| hk != k);
        self.signed.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn authorization(&self) -> String {
        let query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let headers: Vec<(&str, &str)> = self
            .signed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let hash = self
            .signed
            .iter()
            .find(|(k, _)| k == "x-acs-content-sha256")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| acs_sign::v3::hex_sha256(&self.body));
        let cr = acs_sign::v3::canonical_request(&self.method, &self.path, &query, &headers, &hash);
        let sts = acs_sign::v3::string_to_sign(&cr);
        let sig = acs_sign::v3::signature(&self.secret, &sts);
        let mut names: Vec<&str> = self.signed.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        acs_sign::v3::authorization(&self.access_key_id, &names.join(";"), &sig)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with_authorization(&self.authorization())
    }

    pub fn to_bytes_with_authorization(&self, authorization: &str) -> Vec<u8> {
        let target = if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, encode_pairs(&self.query))
        };
        let mut head = format!("{} {} HTTP/1.1\r\n", self.method, target);
        for (k, v) in self.signed.iter().chain(self.unsigned.iter()) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "authorization: {authorization}\r\ncontent-length: {}\r\n\r\n",
            self.body.len()
        ));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// A plain unsigned request.
pub fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: test\r\n\r\n").into_bytes()
}
