//! Hardening of the generated `dataworks-public` client against faults, end to end on
//! 127.0.0.1: the response-size cap (also with an endless body), 1,000 concurrent calls
//! through one `Client`, connections closed, reset and stalled at every stage, an unasked
//! gzip body, an expired timestamp and a replayed nonce.
//!
//! This binary installs one global tracing subscriber at TRACE that captures everything;
//! every test ends by checking that neither the AccessKey secret nor the security token
//! (raw or percent-encoded) appears in the captured output or in any error it saw.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use acs_test_server::{ServerConfig, Step, TestServer};
use dataworks_public::{
    Client, ConfigBuilder, Credentials, Error, ResponseFormat, SignatureVersion, TransportKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use workspace_tests::calls::{assert_verified, get_deployment, hermetic_config, nonce};
use workspace_tests::secrets::{assert_absent, needles, Capture};
use workspace_tests::{read_workspace_file, workspace_root};

const AK: &str = "LTAI5tHardeningKeyId";
const SECRET: &str = "hardeningSecret-Vq3Lm8Rt2Xw";
/// Has characters that percent-encoding changes, to catch encoded leaks too.
const TOKEN: &str = "CAIS-hardening/Sts+Tk9Pq4=Zr";
const JSON_CT: &str = "application/json;charset=utf-8";
const XML_CT: &str = "text/xml;charset=utf-8";
const ERROR_SAMPLES: &str = "crates/acs-runtime/tests/data/error_samples";

// ---------------------------------------------------------------------------------------
// capture and secrets

/// The global TRACE capture of this test binary (installed on first use).
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        use tracing_subscriber::util::SubscriberInitExt;
        let capture = Capture::default();
        tracing_subscriber::fmt()
            .with_writer(capture.clone())
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_ansi(false)
            .finish()
            .try_init()
            .expect("the only subscriber of this test binary");
        capture
    })
}

fn assert_no_secret(what: &str, text: &str) {
    assert_absent(&needles(&[SECRET, TOKEN]), what, text);
}

/// Checks an error's Display and Debug for secrets, returns the Display text.
fn clean_text(err: &Error) -> String {
    let text = err.to_string();
    assert_no_secret("an error's Display", &text);
    assert_no_secret("an error's Debug", &format!("{err:?}"));
    text
}

/// The end of every test: nothing captured so far holds a secret.
fn assert_capture_clean() {
    let text = capture().text();
    assert_no_secret("the captured tracing output", &text);
}

// ---------------------------------------------------------------------------------------
// helpers

/// A verifying server for GetDeployment 2020-05-18 with the STS credentials.
async fn start(configure: impl FnOnce(ServerConfig) -> ServerConfig) -> TestServer {
    capture();
    let config = ServerConfig::new()
        .with_credential(AK, SECRET)
        .with_security_token(TOKEN)
        .with_api("GetDeployment", "2020-05-18")
        .with_required_param("DeploymentId")
        .with_lifetime(Duration::from_secs(120));
    TestServer::start(configure(config))
        .await
        .expect("the test server starts")
}

/// A hermetic config: empty environment, STS credentials, fast retries, short timeouts.
fn builder(endpoint: &str) -> ConfigBuilder {
    capture();
    hermetic_config(
        endpoint,
        Credentials::new(AK, SECRET).with_security_token(TOKEN),
    )
    .connect_timeout(Duration::from_secs(2))
    .attempt_timeout(Duration::from_millis(400))
    .operation_timeout(Some(Duration::from_secs(15)))
}

fn client(b: ConfigBuilder) -> Client {
    Client::new(b.build().expect("config builds"))
}

fn sample_json() -> Vec<u8> {
    read_workspace_file("spec/dataworks-public/samples/GetDeployment.json")
}

fn error_sample(name: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join(ERROR_SAMPLES).join(name)).expect("error sample")
}

fn report(name: &str, cases: usize, started: Instant) {
    eprintln!(
        "[hardening] {name}: {cases} cases in {} ms",
        started.elapsed().as_millis()
    );
}

/// A one-connection-at-a-time HTTP/1.1 server that answers every request with `head` and
/// then writes `chunk` until the client hangs up or `max_bytes` were written. Returns the
/// endpoint and a counter of body bytes written.
async fn endless_server(
    head: &'static str,
    chunk: Vec<u8>,
    max_bytes: u64,
) -> (String, Arc<AtomicU64>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let task = tokio::spawn(async move {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let Ok(Ok((mut sock, _))) =
                tokio::time::timeout(Duration::from_secs(5), listener.accept()).await
            else {
                return;
            };
            let mut buf = vec![0u8; 64 * 1024];
            let _ = tokio::time::timeout(Duration::from_secs(2), sock.read(&mut buf)).await;
            if sock.write_all(head.as_bytes()).await.is_err() {
                continue;
            }
            let mut written = 0u64;
            while written < max_bytes {
                if sock.write_all(&chunk).await.is_err() {
                    break;
                }
                written += chunk.len() as u64;
                counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
        }
    });
    (format!("http://{addr}"), sent, task)
}

// ---------------------------------------------------------------------------------------
// the response-size cap

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_size_cap_is_a_clear_error() {
    let started = Instant::now();
    let mut cases = 0;
    const CAP: u64 = 64 * 1024;
    let big_json = format!(r#"{{"RequestId":"R","Pad":"{}"}}"#, "x".repeat(1024 * 1024));
    let big_xml = format!(
        "<R><RequestId>R</RequestId><Pad>{}</Pad></R>",
        "x".repeat(1024 * 1024)
    );
    let server = start(|c| c).await;
    for (version, format, step) in [
        (
            SignatureVersion::V3,
            ResponseFormat::Json,
            Step::raw(200, JSON_CT, big_json.clone()),
        ),
        (
            SignatureVersion::V1,
            ResponseFormat::Xml,
            Step::raw(200, XML_CT, big_xml.clone()),
        ),
        (
            SignatureVersion::V3,
            ResponseFormat::Json,
            Step::raw(503, JSON_CT, big_json.clone()),
        ),
        (
            SignatureVersion::V3,
            ResponseFormat::Json,
            Step::raw(400, JSON_CT, big_json.clone()),
        ),
    ] {
        cases += 1;
        server.take_requests();
        server.push_step(step);
        let c = client(
            builder(&server.endpoint())
                .signature_version(version)
                .response_format(format)
                .max_response_bytes(CAP)
                .max_attempts(1),
        );
        let err = get_deployment(&c).await.expect_err("over the cap");
        let text = clean_text(&err);
        match &err {
            Error::ResponseTooLarge {
                limit, request_id, ..
            } => {
                assert_eq!(*limit, CAP);
                assert!(request_id.is_some(), "the header request id is kept");
            }
            other => panic!("expected ResponseTooLarge, got {other:?}"),
        }
        assert!(text.contains("limit of 65536 bytes"), "{text}");
        assert!(!err.is_retryable());
        assert_eq!(server.take_requests().len(), 1);
    }
    // Not retried even with attempts to spare.
    server.take_requests();
    server.push_steps([
        Step::raw(200, JSON_CT, big_json),
        Step::sample_get_deployment(),
    ]);
    let c = client(
        builder(&server.endpoint())
            .max_response_bytes(CAP)
            .max_attempts(3),
    );
    let err = get_deployment(&c).await.expect_err("over the cap");
    clean_text(&err);
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert_eq!(server.take_requests().len(), 1);
    assert_eq!(
        server.queued_steps(),
        1,
        "the second step was never asked for"
    );
    server.take_requests();
    get_deployment(&client(builder(&server.endpoint())))
        .await
        .expect("drains the queued step");
    cases += 1;
    // Exactly at the cap decodes; one byte less does not.
    let body = sample_json();
    let n = body.len() as u64;
    server.push_steps([
        Step::raw(200, JSON_CT, body.clone()),
        Step::raw(200, JSON_CT, body),
    ]);
    let out = get_deployment(&client(builder(&server.endpoint()).max_response_bytes(n)))
        .await
        .expect("a body exactly at the cap");
    assert_eq!(out.success, Some(true));
    let err = get_deployment(&client(
        builder(&server.endpoint()).max_response_bytes(n - 1),
    ))
    .await
    .expect_err("one byte over");
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    cases += 2;
    report("a_body_over_the_size_cap_is_a_clear_error", cases, started);
    assert_capture_clean();
}

/// A body that never ends (chunked, or without any length until the connection closes)
/// stops at the cap: the client hangs up after about `cap` bytes, in bounded time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_stops_at_the_cap_in_bounded_time_and_memory() {
    let started = Instant::now();
    const CAP: u64 = 256 * 1024;
    const SERVER_MAX: u64 = 256 * 1024 * 1024;
    let chunked_piece = format!("{:x}\r\n{}\r\n", 4096, " ".repeat(4096)).into_bytes();
    let cases: [(&str, &'static str, Vec<u8>); 2] = [
        (
            "chunked",
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-acs-request-id: ENDLESS\r\ntransfer-encoding: chunked\r\n\r\n",
            chunked_piece,
        ),
        (
            "read to close",
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-acs-request-id: ENDLESS\r\nconnection: close\r\n\r\n",
            vec![b' '; 4096],
        ),
    ];
    for (name, head, chunk) in cases {
        let (endpoint, sent, task) = endless_server(head, chunk, SERVER_MAX).await;
        let c = client(
            builder(&endpoint)
                .max_response_bytes(CAP)
                .max_attempts(1)
                .attempt_timeout(Duration::from_secs(10)),
        );
        let t = Instant::now();
        let err = get_deployment(&c).await.expect_err("an endless body");
        let elapsed = t.elapsed();
        clean_text(&err);
        match &err {
            Error::ResponseTooLarge {
                limit, request_id, ..
            } => {
                assert_eq!(*limit, CAP);
                assert_eq!(request_id.as_deref(), Some("ENDLESS"));
            }
            other => panic!("{name}: expected ResponseTooLarge, got {other:?}"),
        }
        assert!(elapsed < Duration::from_secs(5), "{name}: {elapsed:?}");
        drop(c);
        // The server notices the hang-up; it never gets near its own limit.
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while !task.is_finished() {
                let before = sent.load(Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
                if sent.load(Ordering::Relaxed) == before {
                    break;
                }
            }
        })
        .await;
        task.abort();
        let total = sent.load(Ordering::Relaxed);
        eprintln!(
            "[hardening] endless body ({name}): stopped after {elapsed:?}; the server wrote {} KiB for a cap of {} KiB",
            total / 1024,
            CAP / 1024
        );
        assert!(
            total < 32 * 1024 * 1024,
            "{name}: the client kept reading ({total} bytes)"
        );
    }
    report(
        "an_endless_body_stops_at_the_cap_in_bounded_time_and_memory",
        2,
        started,
    );
    assert_capture_clean();
}

// ---------------------------------------------------------------------------------------
// concurrency

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_thousand_concurrent_calls_through_one_client() {
    const CALLS: i64 = 1000;
    let _serial = timing_lock().await;
    let started = Instant::now();
    let server = start(|c| {
        c.with_max_connections(CALLS as usize + 64)
            .with_idle_timeout(Duration::from_secs(30))
    })
    .await;
    let client = client(
        builder(&server.endpoint())
            .attempt_timeout(Duration::from_secs(30))
            .operation_timeout(Some(Duration::from_secs(60))),
    );
    let mut tasks = Vec::with_capacity(CALLS as usize);
    for i in 0..CALLS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .get_deployment()
                .project_id(10000)
                .deployment_id(3_000_000 + i)
                .send()
                .await
        }));
    }
    let mut failures = Vec::new();
    for task in tasks {
        match task.await.expect("the task completes") {
            Ok(out) => assert_eq!(out.success, Some(true)),
            Err(e) => failures.push(clean_text(&e)),
        }
    }
    let elapsed = started.elapsed();
    assert!(
        failures.is_empty(),
        "{} failures: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), CALLS as usize, "no call was retried");
    assert_verified(&reqs);
    let nonces: HashSet<String> = reqs.iter().map(nonce).collect();
    assert_eq!(nonces.len(), CALLS as usize, "every nonce distinct");
    let ids: HashSet<&str> = reqs
        .iter()
        .filter_map(|r| r.param("DeploymentId"))
        .collect();
    assert_eq!(
        ids.len(),
        CALLS as usize,
        "every call sent its own parameters"
    );
    let connections = server.connection_count();
    eprintln!(
        "[hardening] 1000 concurrent calls: {CALLS} ok in {elapsed:?}, {connections} connections, {} distinct nonces",
        nonces.len()
    );
    assert!(
        connections <= CALLS as u64,
        "at most one connection per call: {connections}"
    );
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    // The pool is reused afterwards: a second wave of sequential calls runs on the idle
    // connections of the first, at most one new. Counted by the connection each request
    // arrived on, not by connections the server accepted: under load the server may still
    // be accepting connections the pool opened during the first wave (issue 15).
    let first_wave: HashSet<u64> = reqs.iter().map(|r| r.connection).collect();
    let seen_before = reqs.len();
    for i in 0..20 {
        let out = client
            .get_deployment()
            .project_id(10000)
            .deployment_id(i)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}", clean_text(&e)));
        assert_eq!(out.success, Some(true));
    }
    let second_wave = server.requests();
    assert_eq!(second_wave.len(), seen_before + 20);
    let new_connections: HashSet<u64> = second_wave[seen_before..]
        .iter()
        .map(|r| r.connection)
        .filter(|c| !first_wave.contains(c))
        .collect();
    assert!(
        new_connections.len() <= 1,
        "idle connections are reused ({} new ones used)",
        new_connections.len()
    );
    // The client's bound on requests on the wire also bounds its connections: each request
    // on the wire opens at most one while none is idle, so at most twice the bound exist
    // (one may finish opening just after another became idle; both are kept).
    assert!(
        first_wave.len() <= 2 * acs_runtime::config::DEFAULT_MAX_IN_FLIGHT_REQUESTS,
        "{} connections for {CALLS} calls",
        first_wave.len()
    );
    report(
        "one_thousand_concurrent_calls_through_one_client",
        CALLS as usize + 20,
        started,
    );
    assert_capture_clean();
}

/// With a bound of 2 requests on the wire, 6 concurrent calls all succeed, and the server
/// never has more than 2 of them at once: it holds each response 200 ms, so any 3 requests
/// arrive at least one hold apart (a generous 100 ms is asserted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_beyond_the_bound_on_requests_on_the_wire_wait_their_turn() {
    const HOLD: Duration = Duration::from_millis(200);
    let _serial = timing_lock().await;
    let server = start(|c| {
        c.with_default(
            Step::raw(200, "application/json;charset=utf-8", sample_json()).with_delay(HOLD),
        )
    })
    .await;
    let client = client(
        builder(&server.endpoint())
            .attempt_timeout(Duration::from_secs(5))
            .max_in_flight_requests(Some(2)),
    );
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .get_deployment()
                    .project_id(10000)
                    .deployment_id(i)
                    .send()
                    .await
            })
        })
        .collect();
    for task in tasks {
        let out = task.await.expect("the task completes");
        assert!(out.is_ok(), "{:?}", out.map_err(|e| clean_text(&e)));
    }
    let mut arrivals: Vec<_> = server.requests().iter().map(|r| r.received_at).collect();
    assert_eq!(arrivals.len(), 6, "no call was retried");
    arrivals.sort();
    for window in arrivals.windows(3) {
        let spread = window[2].duration_since(window[0]).unwrap_or_default();
        assert!(
            spread >= Duration::from_millis(100),
            "3 requests on the wire at once: {arrivals:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// faults

/// One fault scenario: the scripted steps, the client's attempts, and what must happen.
struct Fault {
    name: &'static str,
    steps: Vec<Step>,
    default: Option<Step>,
    attempts: u32,
    format: ResponseFormat,
    /// What the call ends in.
    expect: Expect,
    /// How many requests the server sees.
    requests: u64,
    /// Generous bounds on the call's duration.
    at_least: Duration,
    at_most: Duration,
}

enum Expect {
    Success,
    Timeout { attempts: u32 },
    Transport { attempts: u32 },
    Decode { contains: &'static str },
}

/// The attempt timeout of the fault scenarios; the stalls last 4 s, so a call that
/// succeeds in less than that was retried.
const FAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1000);

/// Held by the tests whose timing matters, so that the 1,000-call test does not starve
/// them of CPU.
static TIMING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn timing_lock() -> tokio::sync::MutexGuard<'static, ()> {
    TIMING.lock().await
}

fn faults() -> Vec<Fault> {
    let ok = || Step::raw(200, JSON_CT, sample_json());
    let ms = Duration::from_millis;
    let stall = Duration::from_secs(4);
    vec![
        Fault {
            name: "closed before any byte, then ok",
            steps: vec![Step::drop_connection()],
            default: None,
            attempts: 3,
            format: ResponseFormat::Json,
            expect: Expect::Success,
            requests: 2,
            at_least: ms(0),
            at_most: ms(3000),
        },
        Fault {
            name: "reset before any byte, then ok",
            steps: vec![Step::reset()],
            default: None,
            attempts: 3,
            format: ResponseFormat::Json,
            expect: Expect::Success,
            requests: 2,
            at_least: ms(0),
            at_most: ms(3000),
        },
        Fault {
            name: "closed and reset on every attempt",
            steps: vec![
                Step::drop_connection(),
                Step::reset(),
                Step::drop_connection(),
            ],
            default: None,
            attempts: 3,
            format: ResponseFormat::Json,
            expect: Expect::Transport { attempts: 3 },
            requests: 3,
            at_least: ms(0),
            at_most: ms(3000),
        },
        Fault {
            name: "stall before the headers, then ok",
            steps: vec![ok().with_delay(stall)],
            default: None,
            attempts: 2,
            format: ResponseFormat::Json,
            expect: Expect::Success,
            requests: 2,
            at_least: FAULT_ATTEMPT_TIMEOUT,
            at_most: ms(3800),
        },
        Fault {
            name: "stall before the headers on every attempt",
            steps: vec![],
            default: Some(ok().with_delay(stall)),
            attempts: 2,
            format: ResponseFormat::Json,
            expect: Expect::Timeout { attempts: 2 },
            requests: 2,
            at_least: FAULT_ATTEMPT_TIMEOUT * 2,
            at_most: ms(3900),
        },
        Fault {
            name: "stall mid-body, then ok",
            steps: vec![ok().stall_mid_body(40, stall)],
            default: None,
            attempts: 2,
            format: ResponseFormat::Json,
            expect: Expect::Success,
            requests: 2,
            at_least: FAULT_ATTEMPT_TIMEOUT,
            at_most: ms(3800),
        },
        Fault {
            name: "stall mid-body of an XML body, then ok",
            steps: vec![Step::sample_get_deployment().stall_mid_body(40, stall)],
            default: None,
            attempts: 2,
            format: ResponseFormat::Xml,
            expect: Expect::Success,
            requests: 2,
            at_least: FAULT_ATTEMPT_TIMEOUT,
            at_most: ms(3800),
        },
        Fault {
            name: "closed mid-body (JSON)",
            steps: vec![ok().truncate_body(100)],
            default: None,
            attempts: 3,
            format: ResponseFormat::Json,
            expect: Expect::Decode {
                contains: "could not be read completely",
            },
            requests: 1,
            at_least: ms(0),
            at_most: ms(3000),
        },
        Fault {
            name: "closed mid-body (XML)",
            steps: vec![Step::sample_get_deployment().truncate_body(100)],
            default: None,
            attempts: 3,
            format: ResponseFormat::Xml,
            expect: Expect::Decode {
                contains: "could not be read completely",
            },
            requests: 1,
            at_least: ms(0),
            at_most: ms(3000),
        },
        Fault {
            name: "a Content-Length longer than the body, then closed",
            steps: vec![ok()
                .with_header("content-length", "100000")
                .truncate_body(usize::MAX)],
            default: None,
            attempts: 3,
            format: ResponseFormat::Json,
            expect: Expect::Decode {
                contains: "could not be read completely",
            },
            requests: 1,
            at_least: ms(0),
            at_most: ms(3000),
        },
        // A broken 5xx is transient: retried (a broken 2xx is not, see above).
        Fault {
            name: "closed mid-body of a 503, then ok",
            steps: vec![Step::error(503, "ServiceUnavailable", "down").truncate_body(20)],
            default: None,
            attempts: 3,
            format: ResponseFormat::Json,
            expect: Expect::Success,
            requests: 2,
            at_least: ms(0),
            at_most: ms(3000),
        },
        Fault {
            name: "an unrequested gzip body",
            steps: vec![Step::sample_get_deployment().gzip()],
            default: None,
            attempts: 3,
            format: ResponseFormat::Json,
            expect: Expect::Decode {
                contains: "Content-Encoding \"gzip\"",
            },
            requests: 1,
            at_least: ms(0),
            at_most: ms(3000),
        },
        Fault {
            name: "an unrequested gzip XML body",
            steps: vec![Step::sample_get_deployment().gzip()],
            default: None,
            attempts: 3,
            format: ResponseFormat::Xml,
            expect: Expect::Decode {
                contains: "Content-Encoding \"gzip\"",
            },
            requests: 1,
            at_least: ms(0),
            at_most: ms(3000),
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_end_in_a_typed_error_or_a_correct_retry_within_the_timeouts() {
    let _serial = timing_lock().await;
    let started = Instant::now();
    let all = faults();
    let count = all.len();
    // Independent scenarios run side by side, each with its own server.
    let mut tasks = Vec::new();
    for fault in all {
        tasks.push(tokio::spawn(async move {
            let server = start(|mut c| {
                if let Some(d) = fault.default {
                    c = c.with_default(d);
                }
                c.with_steps(fault.steps)
            })
            .await;
            let c = client(
                builder(&server.endpoint())
                    .max_attempts(fault.attempts)
                    .attempt_timeout(FAULT_ATTEMPT_TIMEOUT)
                    .response_format(fault.format),
            );
            let t = Instant::now();
            let result = get_deployment(&c).await;
            let elapsed = t.elapsed();
            let name = fault.name;
            match (&fault.expect, &result) {
                (Expect::Success, Ok(out)) => {
                    assert_eq!(out.success, Some(true), "{name}");
                    assert!(
                        out.data
                            .as_ref()
                            .and_then(|d| d.deployment.as_ref())
                            .is_some(),
                        "{name}"
                    );
                }
                (Expect::Timeout { attempts }, Err(e)) => match e {
                    Error::Transport {
                        kind: TransportKind::Timeout,
                        attempts: a,
                        ..
                    } => assert_eq!(a, attempts, "{name}"),
                    other => panic!("{name}: expected a timeout, got {other:?}"),
                },
                (Expect::Transport { attempts }, Err(e)) => match e {
                    Error::Transport { attempts: a, .. } => {
                        assert_eq!(a, attempts, "{name}");
                        assert!(e.is_retryable());
                    }
                    other => panic!("{name}: expected a transport error, got {other:?}"),
                },
                (Expect::Decode { contains }, Err(e)) => {
                    assert!(matches!(e, Error::Decode { .. }), "{name}: {e:?}");
                    assert!(e.to_string().contains(contains), "{name}: {e}");
                }
                (_, other) => panic!("{name}: unexpected outcome {other:?}"),
            }
            if let Err(e) = &result {
                clean_text(e);
            }
            assert!(
                server
                    .wait_for_requests(fault.requests, Duration::from_secs(3))
                    .await,
                "{name}: expected {} requests",
                fault.requests
            );
            // No extra request trickles in after the call returned.
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert_eq!(server.request_count(), fault.requests, "{name}");
            assert_verified(&server.requests());
            assert!(
                elapsed >= fault.at_least && elapsed <= fault.at_most,
                "{name}: took {elapsed:?}, expected {:?}..{:?}",
                fault.at_least,
                fault.at_most
            );
            eprintln!(
                "[hardening] fault {name:?}: {} after {elapsed:?} and {} requests",
                match &result {
                    Ok(_) => "ok".to_string(),
                    Err(e) => e.to_string().chars().take(120).collect(),
                },
                fault.requests
            );
        }));
    }
    for task in tasks {
        if let Err(e) = task.await {
            std::panic::resume_unwind(e.into_panic());
        }
    }
    report(
        "faults_end_in_a_typed_error_or_a_correct_retry_within_the_timeouts",
        count,
        started,
    );
    assert_capture_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operation_timeout_bounds_every_retry() {
    let _serial = timing_lock().await;
    let started = Instant::now();
    let server = start(|c| {
        c.with_default(Step::raw(200, JSON_CT, sample_json()).with_delay(Duration::from_secs(5)))
    })
    .await;
    let c = client(
        builder(&server.endpoint())
            .max_attempts(50)
            .attempt_timeout(Duration::from_millis(300))
            .operation_timeout(Some(Duration::from_millis(1000))),
    );
    let t = Instant::now();
    let err = get_deployment(&c).await.expect_err("never answers in time");
    let elapsed = t.elapsed();
    clean_text(&err);
    match &err {
        Error::OperationTimeout { timeout, attempts } => {
            assert_eq!(*timeout, Duration::from_millis(1000));
            assert!((2..=4).contains(attempts), "{attempts}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_millis(2500),
        "{elapsed:?}"
    );
    report("the_operation_timeout_bounds_every_retry", 1, started);
    assert_capture_clean();
}

// ---------------------------------------------------------------------------------------
// clock and replay

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_timestamp_is_not_retried_and_points_at_the_local_clock() {
    let started = Instant::now();
    let mut cases = 0;
    for (version, format, file, ct) in [
        (
            SignatureVersion::V3,
            ResponseFormat::Json,
            "invalid_timestamp_expired.json",
            JSON_CT,
        ),
        (
            SignatureVersion::V1,
            ResponseFormat::Xml,
            "invalid_timestamp_expired.xml",
            XML_CT,
        ),
    ] {
        cases += 1;
        let server = start(|c| {
            c.with_steps([Step::raw(400, ct, error_sample(file))])
                .with_default(Step::raw(200, JSON_CT, sample_json()))
        })
        .await;
        let c = client(
            builder(&server.endpoint())
                .signature_version(version)
                .response_format(format)
                .max_attempts(5),
        );
        let err = get_deployment(&c)
            .await
            .expect_err("the timestamp is rejected");
        let text = clean_text(&err);
        assert_eq!(err.code(), Some("InvalidTimeStamp.Expired"), "{file}");
        assert!(!err.is_retryable(), "{file}");
        assert_eq!(err.attempts(), Some(1), "{file}");
        assert_eq!(server.request_count(), 1, "{file}: not retried");
        assert!(text.contains("local clock"), "{file}: {text}");
        assert_eq!(err.http_status(), Some(400));
    }
    report(
        "an_expired_timestamp_is_not_retried_and_points_at_the_local_clock",
        cases,
        started,
    );
    assert_capture_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_nonce_is_retried_once_with_a_fresh_nonce() {
    let started = Instant::now();
    let mut cases = 0;
    for (version, format, file, ct) in [
        (
            SignatureVersion::V3,
            ResponseFormat::Json,
            "signature_nonce_used.json",
            JSON_CT,
        ),
        (
            SignatureVersion::V1,
            ResponseFormat::Xml,
            "signature_nonce_used.xml",
            XML_CT,
        ),
    ] {
        let used = || Step::raw(400, ct, error_sample(file));
        // Once: the retry with a new nonce succeeds.
        cases += 1;
        let server = start(|c| c.with_steps([used()])).await;
        let c = client(
            builder(&server.endpoint())
                .signature_version(version)
                .response_format(format)
                .max_attempts(5),
        );
        let out = get_deployment(&c)
            .await
            .unwrap_or_else(|e| panic!("{}", clean_text(&e)));
        assert_eq!(out.success, Some(true));
        let reqs = server.take_requests();
        assert_eq!(reqs.len(), 2, "{file}: one retry");
        assert_verified(&reqs);
        assert_ne!(nonce(&reqs[0]), nonce(&reqs[1]), "{file}: a fresh nonce");
        // Twice in a row: only one retry, whatever max_attempts says (a third attempt
        // would get the server's default answer and succeed).
        cases += 1;
        server.push_steps([used(), used()]);
        let err = get_deployment(&c)
            .await
            .expect_err("the nonce is rejected twice");
        clean_text(&err);
        assert_eq!(err.code(), Some("SignatureNonceUsed"), "{file}");
        assert_eq!(err.attempts(), Some(2), "{file}");
        let reqs = server.take_requests();
        assert_eq!(reqs.len(), 2, "{file}: exactly one retry");
        assert_ne!(nonce(&reqs[0]), nonce(&reqs[1]));
        // The budget is per call: the next call may retry once again.
        cases += 1;
        server.push_steps([used()]);
        get_deployment(&c)
            .await
            .unwrap_or_else(|e| panic!("{}", clean_text(&e)));
        assert_eq!(server.take_requests().len(), 2);
    }
    report(
        "a_used_nonce_is_retried_once_with_a_fresh_nonce",
        cases,
        started,
    );
    assert_capture_clean();
}

// ---------------------------------------------------------------------------------------
// secrets in bodies that echo the request

/// A proxy or gateway that echoes the request back (the security token travels in every
/// request) must not make the token appear in an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_token_never_reaches_an_error() {
    let started = Instant::now();
    let mut cases = 0;
    let echo_html = format!("<html><body>x-acs-security-token: {TOKEN}</body></html>");
    let echo_json = format!(r#"{{"Echo":"{TOKEN}","Data":{{"Deployment":{{"Status":"x"}}}}}}"#);
    let echo_error = format!(r#"{{"Code":"Bad","Message":"token {TOKEN} rejected"}}"#);
    for (version, step) in [
        (
            SignatureVersion::V3,
            Step::raw(200, "text/html", echo_html.clone()),
        ),
        (
            SignatureVersion::V1,
            Step::raw(200, "text/html", echo_html.clone()),
        ),
        (
            SignatureVersion::V3,
            Step::raw(200, JSON_CT, echo_json.clone()),
        ),
        (
            SignatureVersion::V3,
            Step::raw(400, JSON_CT, echo_error.clone()),
        ),
        (
            SignatureVersion::V3,
            Step::raw(502, "text/html", echo_html.clone()),
        ),
    ] {
        cases += 1;
        let server = start(|c| c.with_step(step)).await;
        let c = client(
            builder(&server.endpoint())
                .signature_version(version)
                .max_attempts(1),
        );
        let err = get_deployment(&c).await.expect_err("a broken answer");
        clean_text(&err);
    }
    report("an_echoed_token_never_reaches_an_error", cases, started);
    assert_capture_clean();
}

/// Same, when the echoing body is cut short: the excerpt of a body that could not be read
/// completely is built before (without) the redaction the other paths apply.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_token_in_a_truncated_body_never_reaches_an_error() {
    let echo = format!(
        r#"{{"Echo":"{TOKEN}","RequestId":"R","Pad":"{}"}}"#,
        "x".repeat(100)
    );
    let server = start(|c| c.with_step(Step::raw(200, JSON_CT, echo).truncate_body(60))).await;
    let c = client(builder(&server.endpoint()).max_attempts(1));
    let err = get_deployment(&c).await.expect_err("a truncated answer");
    clean_text(&err);
}

/// A 4xx/5xx XML body with a `<!DOCTYPE ...>` between two runs of text in an element makes
/// quick-xml 0.37 panic inside the runtime's `parse_error_body`, so `send()` panics instead
/// of returning an error (and the CLI would exit 101). See `hardening_decode.rs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xml_error_body_with_a_doctype_inside_text_is_an_error_not_a_panic() {
    let server = start(|c| {
        c.with_step(Step::raw(
            400,
            XML_CT,
            "<Error><Code>a<!DOCTYPE x>b</Code><Message>m</Message></Error>",
        ))
    })
    .await;
    let c = client(builder(&server.endpoint()).max_attempts(1));
    let outcome = tokio::spawn(async move { get_deployment(&c).await.map(drop) }).await;
    match outcome {
        Ok(result) => {
            let err = result.expect_err("a 400 is an error");
            clean_text(&err);
        }
        Err(e) => panic!("the call panicked: {}", e.is_panic()),
    }
}
