//! The server: accept loop, per-connection tasks, request handling and fault execution.

use std::collections::{HashSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};

use crate::clock::RequestIds;
use crate::config::ServerConfig;
use crate::http::{decode_form, response_head, BadRequest, Conn, ReadOutcome, Request};
use crate::record::{merge_params, AuthKind, RecordedRequest, ResponseFormat};
use crate::render::{gzip_stored, json_to_xml, GatewayError, JSON_CONTENT_TYPE, XML_CONTENT_TYPE};
use crate::script::Script;
use crate::step::{Body, Delivery, Route, Step, HEADER_PREFIX, METHOD_KEY, PATH_KEY};
use crate::verify::{Rejection, Verifier};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// State shared by the handle, the accept loop and the connection tasks.
struct Shared {
    config: ServerConfig,
    script: Mutex<Script>,
    records: Mutex<VecDeque<RecordedRequest>>,
    nonces: Mutex<HashSet<String>>,
    ids: RequestIds,
    seq: AtomicU64,
    connections: AtomicU64,
    running: AtomicBool,
    recorded: Notify,
}

/// A running scripted server on `127.0.0.1:<ephemeral port>`.
///
/// Dropping it (or [`TestServer::shutdown`]) stops it: the listener closes and open
/// connections are closed; it also stops by itself after
/// [`ServerConfig::with_lifetime`] (default 300 s).
///
/// ```
/// use acs_test_server::{ServerConfig, Step, TestServer};
/// use serde_json::json;
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let server = TestServer::start(
///     ServerConfig::new().with_step(Step::ok(json!({"RequestId": null, "Success": true}))),
/// )
/// .await?;
/// let mut s = tokio::net::TcpStream::connect(server.addr()).await?;
/// s.write_all(b"GET /?Format=JSON HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await?;
/// let mut response = String::new();
/// s.read_to_string(&mut response).await?;
/// assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(response.contains(r#""Success":true"#));
/// assert_eq!(server.requests()[0].param("Format"), Some("JSON"));
/// # Ok(())
/// # }
/// ```
pub struct TestServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Arc<watch::Sender<bool>>,
    task: Option<tokio::task::JoinHandle<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("running", &self.is_running())
            .field("requests", &self.request_count())
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

fn prepare(config: ServerConfig) -> io::Result<(std::net::TcpListener, Arc<Shared>)> {
    prepare_on(std::net::TcpListener::bind(("127.0.0.1", 0))?, config)
}

fn prepare_on(
    listener: std::net::TcpListener,
    config: ServerConfig,
) -> io::Result<(std::net::TcpListener, Arc<Shared>)> {
    listener.set_nonblocking(true)?;
    let mut script = Script::new(
        config.routes.clone(),
        config.steps.clone(),
        config.default_step.clone(),
    );
    for (action, step) in &config.action_defaults {
        script.set_action_default(action.clone(), step.clone());
    }
    let shared = Arc::new(Shared {
        config,
        script: Mutex::new(script),
        records: Mutex::new(VecDeque::new()),
        nonces: Mutex::new(HashSet::new()),
        ids: RequestIds::new(),
        seq: AtomicU64::new(0),
        connections: AtomicU64::new(0),
        running: AtomicBool::new(true),
        recorded: Notify::new(),
    });
    Ok((listener, shared))
}

impl TestServer {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime (which needs the
    /// IO and time drivers, e.g. `#[tokio::test]`).
    ///
    /// Errors: binding fails, or there is no current tokio runtime.
    pub async fn start(config: ServerConfig) -> io::Result<TestServer> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(io::Error::other(
                "acs-test-server: TestServer::start must run inside a tokio runtime (use start_blocking otherwise)",
            ));
        }
        Self::serve(prepare(config)?)
    }

    /// Like [`TestServer::start`], on a listener the test made: for example on a port that
    /// refused connections until now (a socket bound before, listening only from now on),
    /// to test what a client does after "connection refused".
    ///
    /// Errors: the listener cannot be used, or there is no current tokio runtime.
    pub async fn start_on(
        listener: std::net::TcpListener,
        config: ServerConfig,
    ) -> io::Result<TestServer> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(io::Error::other(
                "acs-test-server: TestServer::start_on must run inside a tokio runtime",
            ));
        }
        Self::serve(prepare_on(listener, config)?)
    }

    fn serve((listener, shared): (std::net::TcpListener, Arc<Shared>)) -> io::Result<TestServer> {
        let addr = listener.local_addr()?;
        let listener = TcpListener::from_std(listener)?;
        let (tx, _rx) = watch::channel(false);
        let shutdown = Arc::new(tx);
        let task = tokio::spawn(accept_loop(listener, shared.clone(), shutdown.clone()));
        Ok(TestServer {
            shared,
            addr,
            shutdown,
            task: Some(task),
            thread: None,
        })
    }

    /// Like [`TestServer::start`], but serves from a dedicated thread with its own
    /// tokio runtime, so synchronous tests (e.g. running a CLI binary) can use it.
    /// Can be called from anywhere, including inside a runtime.
    pub fn start_blocking(config: ServerConfig) -> io::Result<TestServer> {
        let (listener, shared) = prepare(config)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("acs-test-server")
            .enable_all()
            .build()?;
        let (tx, _rx) = watch::channel(false);
        let shutdown = Arc::new(tx);
        let (thread_shared, thread_shutdown) = (shared.clone(), shutdown.clone());
        let thread = serve_on_thread("acs-test-server-accept", runtime, listener, |listener| {
            accept_loop(listener, thread_shared, thread_shutdown)
        })?;
        Ok(TestServer {
            shared,
            addr,
            shutdown,
            task: None,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT`, the form the SDK `endpoint` setting takes (host and port, no scheme).
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// False once the server stopped (shutdown, drop or lifetime over).
    pub fn is_running(&self) -> bool {
        self.shared.running.load(Ordering::SeqCst)
    }

    /// Copies of the recorded requests kept so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.records).iter().cloned().collect()
    }

    /// Removes and returns the recorded requests (the counters are not reset).
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.records).drain(..).collect()
    }

    /// The most recent recorded request.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        lock(&self.shared.records).back().cloned()
    }

    /// Number of requests answered (or decided) so far, including any no longer kept.
    pub fn request_count(&self) -> u64 {
        self.shared.seq.load(Ordering::SeqCst)
    }

    /// Number of TCP connections accepted so far.
    pub fn connection_count(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` requests were recorded, at most `timeout`;
    /// returns whether the count was reached.
    pub async fn wait_for_requests(&self, n: u64, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.recorded.notified();
            if self.request_count() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.request_count() >= n;
            }
        }
    }

    /// The recorded requests that called `action`, oldest first (see
    /// [`RecordedRequest::action`]).
    pub fn requests_for(&self, action: &str) -> Vec<RecordedRequest> {
        lock(&self.shared.records)
            .iter()
            .filter(|r| r.action() == Some(action))
            .cloned()
            .collect()
    }

    /// Answers every request of `action` that no route or queued step takes with `step`.
    pub fn set_action_default(&self, action: impl Into<String>, step: Step) {
        lock(&self.shared.script).set_action_default(action.into(), step);
    }

    /// Appends a step to the main queue.
    pub fn push_step(&self, step: Step) {
        lock(&self.shared.script).push_step(step);
    }

    /// Appends steps to the main queue.
    pub fn push_steps(&self, steps: impl IntoIterator<Item = Step>) {
        let mut script = lock(&self.shared.script);
        for s in steps {
            script.push_step(s);
        }
    }

    /// Adds a route (after the existing ones).
    pub fn add_route(&self, route: Route) {
        lock(&self.shared.script).add_route(route);
    }

    /// Replaces the default step.
    pub fn set_default(&self, step: Step) {
        lock(&self.shared.script).set_default(step);
    }

    /// Steps still waiting in the main queue.
    pub fn queued_steps(&self) -> usize {
        lock(&self.shared.script).queued()
    }

    /// Stops the server and waits for the accept loop to end.
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        // The accept thread (start_blocking) ends on its own right after the signal;
        // it is not joined here so that dropping inside async code never blocks.
        drop(self.thread.take());
    }
}

/// Runs `serve` on the listener from a thread of its own that drives `runtime`, and returns
/// once the listener is registered with it (or the error that prevented it). Dropping the
/// handle does not stop the thread: `serve` ends on its own shutdown signal.
pub(crate) fn serve_on_thread<F, Fut>(
    name: &str,
    runtime: tokio::runtime::Runtime,
    listener: std::net::TcpListener,
    serve: F,
) -> io::Result<std::thread::JoinHandle<()>>
where
    F: FnOnce(TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            runtime.block_on(async move {
                match TcpListener::from_std(listener) {
                    Ok(listener) => {
                        let _ = ready_tx.send(Ok(()));
                        serve(listener).await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(thread),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(io::Error::other(format!(
            "acs-test-server: thread {name} ended before listening"
        ))),
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: Arc<watch::Sender<bool>>,
) {
    let mut stop = shutdown.subscribe();
    let deadline = tokio::time::sleep(shared.config.lifetime);
    tokio::pin!(deadline);
    let limit = Arc::new(Semaphore::new(shared.config.max_connections));
    loop {
        let permit = tokio::select! {
            _ = stopped(&mut stop) => break,
            _ = &mut deadline => break,
            p = limit.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = stopped(&mut stop) => break,
            _ = &mut deadline => break,
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // e.g. EMFILE: back off briefly instead of spinning
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let number = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
        let conn_shared = shared.clone();
        let conn_stop = shutdown.subscribe();
        tokio::spawn(async move {
            serve_connection(conn_shared, stream, number, conn_stop).await;
            drop(permit);
        });
    }
    shared.running.store(false, Ordering::SeqCst);
    shutdown.send_replace(true);
}

/// What to do with the connection for one request.
enum Action {
    Send {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        head_only: bool,
        delay: Duration,
        delivery: Delivery,
        keep_alive: bool,
    },
    Drop {
        delay: Duration,
    },
    Reset {
        delay: Duration,
    },
}

async fn serve_connection(
    shared: Arc<Shared>,
    stream: TcpStream,
    number: u64,
    mut stop: watch::Receiver<bool>,
) {
    let mut conn = Conn::new(stream);
    loop {
        let outcome = tokio::select! {
            _ = stopped(&mut stop) => return,
            r = tokio::time::timeout(
                shared.config.idle_timeout,
                conn.read_request(shared.config.max_body_bytes),
            ) => match r {
                Ok(o) => o,
                Err(_) => return,
            },
        };
        let action = match outcome {
            ReadOutcome::Closed => return,
            ReadOutcome::Bad(b) => bad_request(&shared, number, b),
            ReadOutcome::Request(req) => decide(&shared, number, req),
        };
        if !execute(action, &mut conn.stream, &mut stop).await {
            return;
        }
    }
}

/// Resolves once the server is stopping (or its stop signal is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Sleeps `d` unless the server stops first; false if it stopped.
async fn pause(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    if d.is_zero() {
        return true;
    }
    tokio::select! {
        _ = stopped(stop) => false,
        _ = tokio::time::sleep(d) => true,
    }
}

/// Performs an action; returns whether the connection may serve another request.
async fn execute(action: Action, stream: &mut TcpStream, stop: &mut watch::Receiver<bool>) -> bool {
    match action {
        Action::Drop { delay } => {
            pause(delay, stop).await;
            let _ = stream.shutdown().await;
            false
        }
        Action::Reset { delay } => {
            pause(delay, stop).await;
            // SO_LINGER 0 then close: the kernel sends RST instead of FIN.
            let _ = stream.set_zero_linger();
            false
        }
        Action::Send {
            status,
            headers,
            body,
            head_only,
            delay,
            delivery,
            keep_alive,
        } => {
            if !pause(delay, stop).await {
                return false;
            }
            let mut out = response_head(status, &headers);
            let body: &[u8] = if head_only { &[] } else { &body };
            let written = match delivery {
                Delivery::Complete => {
                    out.extend_from_slice(body);
                    stream.write_all(&out).await.is_ok()
                }
                Delivery::Truncate { body_bytes } => {
                    out.extend_from_slice(&body[..body_bytes.min(body.len())]);
                    let _ = stream.write_all(&out).await;
                    let _ = stream.flush().await;
                    let _ = stream.shutdown().await;
                    return false;
                }
                Delivery::StallMidBody { body_bytes, stall } => {
                    let cut = body_bytes.min(body.len());
                    out.extend_from_slice(&body[..cut]);
                    stream.write_all(&out).await.is_ok()
                        && stream.flush().await.is_ok()
                        && pause(stall, stop).await
                        && stream.write_all(&body[cut..]).await.is_ok()
                }
            };
            let flushed = written && stream.flush().await.is_ok();
            if flushed && !keep_alive {
                let _ = stream.shutdown().await;
            }
            flushed && keep_alive
        }
    }
}

fn record(shared: &Shared, mut rec: RecordedRequest) {
    rec.seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let max = shared.config.max_recorded;
    if max > 0 {
        let mut records = lock(&shared.records);
        while records.len() >= max {
            records.pop_front();
        }
        records.push_back(rec);
    }
    shared.recorded.notify_waiters();
}

fn bad_request(shared: &Shared, connection: u64, b: BadRequest) -> Action {
    let request_id = shared.ids.next_id();
    let body = format!(
        "{} {}: {}\n",
        b.status,
        crate::http::reason(b.status),
        b.reason
    )
    .into_bytes();
    let (path, raw_query) = match b.target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (b.target.clone(), String::new()),
    };
    record(
        shared,
        RecordedRequest {
            seq: 0,
            received_at: SystemTime::now(),
            connection,
            method: b.method,
            path,
            raw_query,
            query: Vec::new(),
            body: Vec::new(),
            form: Vec::new(),
            headers: Vec::new(),
            auth: AuthKind::None,
            verified: false,
            rejected: true,
            error_code: Some("BadRequest".to_owned()),
            error_message: Some(b.reason),
            string_to_sign: None,
            canonical_request: None,
            expected_signature: None,
            format: ResponseFormat::Json,
            request_id: request_id.clone(),
            step: None,
            response_status: Some(b.status),
        },
    );
    Action::Send {
        status: b.status,
        headers: vec![
            (
                "Content-Type".to_owned(),
                "text/plain;charset=utf-8".to_owned(),
            ),
            ("Content-Length".to_owned(), body.len().to_string()),
            ("x-acs-request-id".to_owned(), request_id),
            ("Connection".to_owned(), "close".to_owned()),
        ],
        body,
        head_only: false,
        delay: Duration::ZERO,
        delivery: Delivery::Complete,
        keep_alive: false,
    }
}

/// Verifies, picks the step, renders the body and records the request.
fn decide(shared: &Shared, connection: u64, req: Request) -> Action {
    let received_at = SystemTime::now();
    let query = decode_form(&req.raw_query);
    let is_form = req.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    let form = if is_form && !req.body.is_empty() {
        decode_form(&String::from_utf8_lossy(&req.body))
    } else {
        Vec::new()
    };
    let params = merge_params(&query, &form);
    let verifier = Verifier {
        config: &shared.config,
        nonces: &shared.nonces,
    };
    let judgement = verifier.judge(&req, &query, &params);
    let request_id = shared.ids.next_id();
    let config = &shared.config;

    let mut rec = RecordedRequest {
        seq: 0,
        received_at,
        connection,
        method: req.method.clone(),
        path: req.path.clone(),
        raw_query: req.raw_query.clone(),
        query,
        body: Vec::new(),
        form,
        headers: Vec::new(),
        auth: judgement.auth,
        verified: judgement.verified,
        rejected: judgement.rejection.is_some(),
        error_code: None,
        error_message: None,
        string_to_sign: judgement.string_to_sign,
        canonical_request: judgement.canonical_request,
        expected_signature: judgement.expected_signature,
        format: judgement.format,
        request_id: request_id.clone(),
        step: None,
        response_status: None,
    };
    let format = judgement.format;
    let head_only = req.method == "HEAD";

    let step = match judgement.rejection {
        Some(Rejection {
            status,
            code,
            message,
        }) => Step::error(status, code, message),
        None => {
            // Routes match parameters, plus the pseudo-parameters `:method`, `:path` and
            // `header:<name>` (see `Route::path`).
            let action = judgement.action.as_deref();
            let (step, label) = lock(&shared.script).next_step(action, |k| {
                if let Some(name) = k.strip_prefix(HEADER_PREFIX) {
                    return req.header(&name.to_ascii_lowercase()).map(str::to_owned);
                }
                match k {
                    METHOD_KEY => Some(req.method.clone()),
                    PATH_KEY => Some(req.path.clone()),
                    _ => params
                        .iter()
                        .find(|(pk, _)| pk == k)
                        .map(|(_, v)| v.clone()),
                }
            });
            rec.step = Some(label);
            step
        }
    };

    let action = match step {
        Step::Drop { delay } => Action::Drop { delay },
        Step::Reset { delay } => Action::Reset { delay },
        Step::Respond {
            status,
            headers: extra,
            body,
            delay,
            delivery,
            gzip,
        } => {
            rec.response_status = Some(status);
            let (mut bytes, content_type) = match body {
                Body::Raw {
                    content_type,
                    bytes,
                } => (bytes, content_type),
                Body::Json(mut value) => {
                    if let Value::Object(map) = &mut value {
                        if map.get("RequestId").is_none_or(Value::is_null) {
                            map.insert("RequestId".to_owned(), Value::from(request_id.clone()));
                        }
                    }
                    match format {
                        ResponseFormat::Json => (
                            serde_json::to_vec(&value).unwrap_or_default(),
                            JSON_CONTENT_TYPE.to_owned(),
                        ),
                        ResponseFormat::Xml => {
                            let root = config.xml_root.clone().unwrap_or_else(|| {
                                format!("{}Response", judgement.action.as_deref().unwrap_or(""))
                            });
                            (
                                json_to_xml(&root, &value).into_bytes(),
                                XML_CONTENT_TYPE.to_owned(),
                            )
                        }
                    }
                }
                Body::Error {
                    code,
                    message,
                    extra,
                } => {
                    let err = GatewayError {
                        request_id: &request_id,
                        host_id: &config.host_id,
                        code: &code,
                        message: &message,
                        product: &config.product,
                        extra: &extra,
                    };
                    let rendered = match format {
                        ResponseFormat::Json => (err.to_json(), JSON_CONTENT_TYPE.to_owned()),
                        ResponseFormat::Xml => (err.to_xml(), XML_CONTENT_TYPE.to_owned()),
                    };
                    rec.error_code = Some(code);
                    rec.error_message = Some(message);
                    rendered
                }
            };
            if gzip {
                bytes = gzip_stored(&bytes);
            }
            let keep_alive = req.keep_alive && !matches!(delivery, Delivery::Truncate { .. });
            let mut headers = vec![
                ("Content-Type".to_owned(), content_type),
                ("Content-Length".to_owned(), bytes.len().to_string()),
                ("x-acs-request-id".to_owned(), request_id.clone()),
            ];
            if gzip {
                headers.push(("Content-Encoding".to_owned(), "gzip".to_owned()));
            }
            for (k, v) in extra {
                match headers
                    .iter_mut()
                    .find(|(hk, _)| hk.eq_ignore_ascii_case(&k))
                {
                    Some(h) => h.1 = v,
                    None => headers.push((k, v)),
                }
            }
            if !keep_alive {
                headers.push(("Connection".to_owned(), "close".to_owned()));
            }
            Action::Send {
                status,
                headers,
                body: bytes,
                head_only,
                delay,
                delivery,
                keep_alive,
            }
        }
    };
    rec.body = req.body;
    rec.headers = req.headers;
    record(shared, rec);
    action
}
