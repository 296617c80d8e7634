//! A loopback proxy for tests: HTTP forward proxy (absolute request URLs), `CONNECT`
//! tunnels and SOCKS5 on one port, with optional credentials, recording what it relayed.
//!
//! It only relays to loopback addresses (`127.0.0.0/8`, `::1`, `localhost`): anything else
//! is refused (403 / SOCKS reply 2), so a test can never reach the network through it.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Largest request or response head the proxy reads.
const MAX_HEAD: usize = 64 * 1024;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a request reached the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyProtocol {
    /// An HTTP request with an absolute URL (`POST http://host:port/ HTTP/1.1`).
    Forward,
    /// An HTTP `CONNECT host:port` tunnel (what clients use for `https` endpoints).
    Connect,
    /// A SOCKS5 `CONNECT`.
    Socks5,
}

/// One connection the proxy handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxiedRequest {
    /// How the client spoke to the proxy.
    pub protocol: ProxyProtocol,
    /// `host:port` the client asked for.
    pub target: String,
    /// The HTTP method (`CONNECT` for tunnels; empty for SOCKS5).
    pub method: String,
    /// The user name the client authenticated with (never the password).
    pub user: Option<String>,
    /// Whether the proxy relayed it (credentials right, target on loopback and reachable).
    pub relayed: bool,
}

/// A running loopback proxy on `127.0.0.1:<ephemeral port>`; it stops when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let proxy = acs_test_server::TestProxy::start(Some(("user", "secret"))).await?;
/// // Point a client at proxy.url() ("http://127.0.0.1:PORT"), with the credentials in the URL
/// // (proxy.url_with_credentials()); then check proxy.requests().
/// assert!(proxy.requests().is_empty());
/// # Ok(())
/// # }
/// ```
pub struct TestProxy {
    addr: SocketAddr,
    credentials: Option<(String, String)>,
    records: Arc<Mutex<Vec<ProxiedRequest>>>,
    shutdown: watch::Sender<bool>,
}

impl std::fmt::Debug for TestProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestProxy")
            .field("addr", &self.addr)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .finish_non_exhaustive()
    }
}

impl TestProxy {
    /// Starts the proxy on the current tokio runtime. With `credentials`, every request
    /// must carry them (HTTP `Proxy-Authorization: Basic`, SOCKS5 user/password): otherwise
    /// 407 (or SOCKS5 authentication failure).
    pub async fn start(credentials: Option<(&str, &str)>) -> io::Result<TestProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let (proxy, state, stop) = TestProxy::new(listener.local_addr()?, credentials);
        tokio::spawn(accept_loop(listener, state, stop));
        Ok(proxy)
    }

    /// Like [`TestProxy::start`], but serves from a thread of its own with its own tokio
    /// runtime, so synchronous tests (a blocking client, a command-line binary run as a
    /// child process) can use it. Can be called from anywhere, including inside a runtime.
    pub fn start_blocking(credentials: Option<(&str, &str)>) -> io::Result<TestProxy> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let (proxy, state, stop) = TestProxy::new(listener.local_addr()?, credentials);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // The thread ends (and its runtime with the connections) when the proxy is dropped.
        crate::server::serve_on_thread("acs-test-proxy", runtime, listener, |listener| {
            accept_loop(listener, state, stop)
        })?;
        Ok(proxy)
    }

    /// The handle, the state its connections share, and the signal that stops them.
    fn new(
        addr: SocketAddr,
        credentials: Option<(&str, &str)>,
    ) -> (TestProxy, Arc<State>, watch::Receiver<bool>) {
        let credentials = credentials.map(|(u, p)| (u.to_string(), p.to_string()));
        let records = Arc::new(Mutex::new(Vec::new()));
        let (shutdown, stop) = watch::channel(false);
        let state = Arc::new(State {
            credentials: credentials.clone(),
            records: Arc::clone(&records),
        });
        let proxy = TestProxy {
            addr,
            credentials,
            records,
            shutdown,
        };
        (proxy, state, stop)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `scheme://user:password@127.0.0.1:PORT` with the configured credentials (the plain
    /// URL when there are none).
    pub fn url_with_credentials(&self, scheme: &str) -> String {
        match &self.credentials {
            Some((user, password)) => format!("{scheme}://{user}:{password}@{}", self.addr),
            None => format!("{scheme}://{}", self.addr),
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the proxy handled, oldest first.
    pub fn requests(&self) -> Vec<ProxiedRequest> {
        lock(&self.records).clone()
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

struct State {
    credentials: Option<(String, String)>,
    records: Arc<Mutex<Vec<ProxiedRequest>>>,
}

/// Only loopback targets are relayed.
fn loopback_target(target: &str) -> bool {
    let host = match target.rsplit_once(':') {
        Some((host, _)) => host,
        None => target,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl State {
    fn record(&self, request: ProxiedRequest) {
        lock(&self.records).push(request);
    }

    async fn serve(&self, client: TcpStream) {
        let mut first = [0u8; 1];
        if client.peek(&mut first).await.unwrap_or(0) == 0 {
            return;
        }
        if first[0] == 5 {
            let _ = self.socks5(client).await;
        } else {
            let _ = self.http(client).await;
        }
    }

    /// The user of a `Proxy-Authorization: Basic` value, when it matches the credentials.
    fn check_basic(&self, header: Option<&str>) -> (Option<String>, bool) {
        let Some((user, password)) = &self.credentials else {
            return (None, true);
        };
        let decoded = header
            .and_then(|h| h.trim().strip_prefix("Basic "))
            .and_then(|b| {
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
            })
            .and_then(|b| String::from_utf8(b).ok());
        match decoded.as_deref().and_then(|d| d.split_once(':')) {
            Some((u, p)) => (Some(u.to_string()), u == user && p == password),
            None => (None, false),
        }
    }

    async fn http(&self, mut client: TcpStream) -> io::Result<()> {
        let (head, rest) = read_head(&mut client).await?;
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_string();
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let (user, authorized) = self.check_basic(header("proxy-authorization"));
        let (protocol, authority, path) = if method == "CONNECT" {
            (ProxyProtocol::Connect, target.clone(), String::new())
        } else {
            let Some(rest_of_url) = target.strip_prefix("http://") else {
                client
                    .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await?;
                return Ok(());
            };
            let (authority, path) = match rest_of_url.find('/') {
                Some(i) => rest_of_url.split_at(i),
                None => (rest_of_url, "/"),
            };
            (
                ProxyProtocol::Forward,
                authority.to_string(),
                path.to_string(),
            )
        };
        let mut record = ProxiedRequest {
            protocol,
            target: authority.clone(),
            method: method.clone(),
            user,
            relayed: false,
        };
        if !authorized {
            self.record(record);
            client
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"acs-test-proxy\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await?;
            return Ok(());
        }
        if !loopback_target(&authority) {
            self.record(record);
            client
                .write_all(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await?;
            return Ok(());
        }
        let Ok(mut upstream) = TcpStream::connect(&authority).await else {
            self.record(record);
            client
                .write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await?;
            return Ok(());
        };
        record.relayed = true;
        self.record(record);
        if protocol == ProxyProtocol::Connect {
            client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await?;
            upstream.write_all(&rest).await?;
            tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
            return Ok(());
        }
        // Forward: origin-form request line, no proxy headers, one request per connection.
        let mut out = format!("{method} {path} HTTP/1.1\r\n");
        for (k, v) in &headers {
            let lower = k.to_ascii_lowercase();
            if lower.starts_with("proxy-") || lower == "connection" {
                continue;
            }
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("Connection: close\r\n\r\n");
        upstream.write_all(out.as_bytes()).await?;
        upstream.write_all(&rest).await?;
        let (mut client_read, mut client_write) = client.split();
        let (mut upstream_read, mut upstream_write) = upstream.split();
        let body_up = tokio::io::copy(&mut client_read, &mut upstream_write);
        let response_down = async {
            let (head, rest) = read_head(&mut upstream_read).await?;
            let mut head: Vec<&str> = head
                .split("\r\n")
                .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                .collect();
            head.push("Connection: close");
            let mut out = head.join("\r\n").into_bytes();
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(&rest);
            client_write.write_all(&out).await?;
            tokio::io::copy(&mut upstream_read, &mut client_write).await?;
            client_write.shutdown().await
        };
        tokio::select! {
            r = response_down => r,
            _ = body_up => Ok(()),
        }?;
        Ok(())
    }

    async fn socks5(&self, mut client: TcpStream) -> io::Result<()> {
        let mut greeting = [0u8; 2];
        client.read_exact(&mut greeting).await?;
        let mut methods = vec![0u8; usize::from(greeting[1])];
        client.read_exact(&mut methods).await?;
        let wanted = if self.credentials.is_some() { 2 } else { 0 };
        if !methods.contains(&wanted) {
            client.write_all(&[5, 0xff]).await?;
            self.record(ProxiedRequest {
                protocol: ProxyProtocol::Socks5,
                target: String::new(),
                method: String::new(),
                user: None,
                relayed: false,
            });
            return Ok(());
        }
        client.write_all(&[5, wanted]).await?;
        let mut user = None;
        if let Some((want_user, want_password)) = &self.credentials {
            let mut version_len = [0u8; 2];
            client.read_exact(&mut version_len).await?;
            let mut name = vec![0u8; usize::from(version_len[1])];
            client.read_exact(&mut name).await?;
            let mut len = [0u8; 1];
            client.read_exact(&mut len).await?;
            let mut password = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut password).await?;
            let name = String::from_utf8_lossy(&name).into_owned();
            let ok = name == *want_user && password == want_password.as_bytes();
            client.write_all(&[1, if ok { 0 } else { 1 }]).await?;
            if !ok {
                self.record(ProxiedRequest {
                    protocol: ProxyProtocol::Socks5,
                    target: String::new(),
                    method: String::new(),
                    user: Some(name),
                    relayed: false,
                });
                return Ok(());
            }
            user = Some(name);
        }
        let mut request = [0u8; 4];
        client.read_exact(&mut request).await?;
        let host = match request[3] {
            1 => {
                let mut ip = [0u8; 4];
                client.read_exact(&mut ip).await?;
                std::net::Ipv4Addr::from(ip).to_string()
            }
            4 => {
                let mut ip = [0u8; 16];
                client.read_exact(&mut ip).await?;
                format!("[{}]", std::net::Ipv6Addr::from(ip))
            }
            _ => {
                let mut len = [0u8; 1];
                client.read_exact(&mut len).await?;
                let mut name = vec![0u8; usize::from(len[0])];
                client.read_exact(&mut name).await?;
                String::from_utf8_lossy(&name).into_owned()
            }
        };
        let mut port = [0u8; 2];
        client.read_exact(&mut port).await?;
        let target = format!("{host}:{}", u16::from_be_bytes(port));
        let mut record = ProxiedRequest {
            protocol: ProxyProtocol::Socks5,
            target: target.clone(),
            method: String::new(),
            user,
            relayed: false,
        };
        let upstream = if request[1] == 1 && loopback_target(&target) {
            TcpStream::connect(&target).await.ok()
        } else {
            None
        };
        let Some(mut upstream) = upstream else {
            self.record(record);
            // 2: connection not allowed by ruleset / 5: refused.
            client.write_all(&[5, 2, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
            return Ok(());
        };
        record.relayed = true;
        self.record(record);
        client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        Ok(())
    }
}

/// Resolves once the proxy is stopping.
/// Accepts connections and serves each on a task of its own until `stop` turns true.
async fn accept_loop(listener: TcpListener, state: Arc<State>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let state = Arc::clone(&state);
                let mut conn_stop = stop.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        _ = stopped(&mut conn_stop) => {}
                        _ = state.serve(stream) => {}
                    }
                });
            }
        }
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Reads an HTTP head; returns it (without the blank line) and the bytes read past it.
async fn read_head<R: AsyncRead + Unpin>(stream: &mut R) -> io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            buf.truncate(end);
            return Ok((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed before a head",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
