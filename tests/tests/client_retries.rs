//! Retries that never duplicate a write: the generated `dataworks-public` client against
//! the in-process server, one test per class of failure. The server's request log counts
//! what was sent: a write that may have been carried out (timeout after the server read it,
//! reset, HTTP 5xx) is sent exactly once and fails with "outcome unknown"; refused at
//! connect or throttled, it is retried and succeeds; reads are retried as before; the
//! client's and the call's `idempotent` overrides change that.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_test_server::{Route, Step, TestServer};
use dataworks_public::test_util;
use dataworks_public::{Client, ConfigBuilder, Error, TransportKind};
use serde_json::json;
use workspace_tests::calls::get_deployment;

/// Longer than any attempt timeout here: the server has read the request and never answers.
const STALL: Duration = Duration::from_secs(60);

async fn start(route: Route) -> TestServer {
    TestServer::start(test_util::server_config().with_route(route))
        .await
        .expect("the test server starts")
}

/// A client of `server` (millisecond backoff, 3 attempts of 2 s each), adjusted by `f`.
fn client_with(server: &TestServer, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Client {
    let builder = test_util::config_builder(server)
        .max_attempts(3)
        .attempt_timeout(Duration::from_secs(2));
    Client::new(f(builder).build().expect("config builds"))
}

fn default_client(server: &TestServer) -> Client {
    client_with(server, |b| b)
}

async fn deploy(client: &Client) -> Result<i64, Error> {
    let out = client
        .deploy_file()
        .project_id(10000)
        .file_id(5)
        .send()
        .await?;
    Ok(out.data.expect("the sample has Data"))
}

/// The documented sample answer of `action` (a route's steps end with it).
fn sample(action: &str) -> Step {
    let (_, json) = test_util::SAMPLES
        .iter()
        .find(|(a, _)| *a == action)
        .expect("a sample");
    Step::sample(json)
}

fn unavailable(status: u16) -> Step {
    Step::error(
        status,
        "ServiceUnavailable",
        "temporary failure of the server",
    )
}

#[tokio::test]
async fn a_write_that_times_out_after_the_server_read_it_is_sent_once() {
    let server =
        start(Route::action("DeployFile").step(Step::ok(json!({})).with_delay(STALL))).await;
    let err = deploy(&default_client(&server))
        .await
        .expect_err("no answer");
    assert_eq!(server.requests_for("DeployFile").len(), 1, "sent again");
    let Error::OutcomeUnknown {
        action,
        attempts,
        client_token,
        source,
        ..
    } = &err
    else {
        panic!("expected OutcomeUnknown, got {err:?}");
    };
    assert_eq!(
        (action.as_str(), *attempts, client_token),
        ("DeployFile", 1, &None)
    );
    assert_eq!(source.transport_kind(), Some(TransportKind::Timeout));
    assert_eq!(err.transport_kind(), Some(TransportKind::Timeout));
    assert!(!err.is_retryable());
    assert!(
        err.to_string()
            .starts_with("outcome unknown: the request may have been carried out (DeployFile, after 1 attempt): timeout talking to 127.0.0.1:"),
        "{err}"
    );
}

#[tokio::test]
async fn a_write_reset_or_answered_5xx_is_sent_once() {
    let cases = [
        ("reset", Step::reset()),
        ("closed", Step::drop_connection()),
        ("500", Step::error(500, "InternalError", "internal error")),
        ("502", unavailable(502)),
        ("503", unavailable(503)),
        ("504", unavailable(504)),
    ];
    for (what, step) in cases {
        let server = start(Route::action("SubmitFile").step(step)).await;
        let err = default_client(&server)
            .submit_file()
            .project_id(10000)
            .file_id(5)
            .send()
            .await
            .expect_err(what);
        let sent = server.requests_for("SubmitFile");
        assert_eq!(sent.len(), 1, "{what}: sent again");
        assert!(err.is_outcome_unknown(), "{what}: {err}");
        assert_eq!(err.attempts(), Some(1), "{what}");
        if let Some(status) = sent[0].response_status {
            assert_eq!(err.http_status(), Some(status), "{what}");
            assert_eq!(
                err.request_id(),
                Some(sent[0].request_id.as_str()),
                "{what}"
            );
        } else {
            assert_eq!(
                err.transport_kind(),
                Some(TransportKind::Io),
                "{what}: {err}"
            );
        }
    }
}

#[tokio::test]
async fn a_throttled_write_is_retried_and_succeeds() {
    let server = start(
        Route::action("DeployFile")
            .step(
                Step::error(429, "Throttling.User", "too frequent")
                    .with_header("x-acs-retry-after", "5"),
            )
            .step(Step::error(400, "SignatureNonceUsed", "nonce used"))
            .step(sample("DeployFile")),
    )
    .await;
    assert_eq!(
        deploy(&default_client(&server))
            .await
            .expect("third attempt"),
        30000001
    );
    let sent = server.requests_for("DeployFile");
    assert_eq!(sent.len(), 3);
    assert_eq!(
        sent.iter().map(|r| r.response_status).collect::<Vec<_>>(),
        [Some(429), Some(400), Some(200)]
    );
}

/// Sockets bound but not listening (connections to them are refused), each to start
/// listening when the client logs a retry after a failure at its address.
static LISTEN_ON_RETRY: Mutex<Vec<(SocketAddr, tokio::net::TcpSocket)>> = Mutex::new(Vec::new());
/// Listeners started that way, by address.
static LISTENING: Mutex<Vec<(SocketAddr, std::net::TcpListener)>> = Mutex::new(Vec::new());
/// Everything this test binary logs.
static LOG: Mutex<String> = Mutex::new(String::new());

/// The global tracing writer of this test binary (a thread's default subscriber may miss
/// events while other tests run): it keeps the log, and starts listening on a socket of
/// [`LISTEN_ON_RETRY`] when a retry after a failure at its address is logged, so that the
/// retry finds a server (the event is written before the client backs off and reconnects).
struct Hook;

impl Write for Hook {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        LOG.lock().unwrap().push_str(&text);
        if text.contains("retrying after a transient failure") {
            let mut sockets = LISTEN_ON_RETRY.lock().unwrap();
            if let Some(i) = sockets
                .iter()
                .position(|(addr, _)| text.contains(&format!("connection refused by {addr} ")))
            {
                let (addr, socket) = sockets.remove(i);
                let listener = socket.listen(16)?.into_std()?;
                LISTENING.lock().unwrap().push((addr, listener));
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_tracing() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        tracing_subscriber::fmt()
            .with_writer(|| Hook)
            .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
            .with_ansi(false)
            .init();
    });
}

#[tokio::test]
async fn a_write_refused_at_connect_is_retried_and_succeeds() {
    init_tracing();
    // Bound, not listening: connections are refused until the retry is logged.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
    let addr = socket.local_addr().expect("address");
    LISTEN_ON_RETRY.lock().unwrap().push((addr, socket));

    let config = dataworks_public::Config::builder()
        .env(Arc::new(acs_runtime::MemoryEnv::new()))
        .endpoint(format!("http://{addr}"))
        .credentials(dataworks_public::Credentials::new(
            acs_runtime::test_util::ACCESS_KEY_ID,
            acs_runtime::test_util::ACCESS_KEY_SECRET,
        ))
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(5))
        .max_attempts(3)
        .attempt_timeout(Duration::from_secs(10));
    let client = Client::new(config.build().expect("config builds"));
    let serve = async move {
        // The listener appears while the client backs off; the retry's connection waits
        // in the backlog until the server accepts it.
        loop {
            let listening = {
                let mut all = LISTENING.lock().unwrap();
                let i = all.iter().position(|(a, _)| *a == addr);
                i.map(|i| all.remove(i).1)
            };
            if let Some(listener) = listening {
                return TestServer::start_on(listener, test_util::server_config())
                    .await
                    .expect("server starts");
            }
            tokio::task::yield_now().await;
        }
    };
    let (result, server) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(deploy(&client), serve)
    })
    .await
    .expect("bounded");
    assert_eq!(result.expect("the retry succeeds"), 30000001);
    // Only the retry reached a server; the first attempt was refused.
    assert_eq!(server.requests_for("DeployFile").len(), 1);
    let log = LOG.lock().unwrap().clone();
    assert!(
        log.contains(&format!("connection refused by {addr}")),
        "{log}"
    );
}

#[tokio::test]
async fn reads_are_retried_after_every_transient_failure() {
    let server = start(
        Route::action("GetDeployment")
            .step(Step::ok(json!({})).with_delay(STALL))
            .step(Step::reset())
            .step(unavailable(503)),
    )
    .await;
    let client = client_with(&server, |b| b.max_attempts(4));
    get_deployment(&client)
        .await
        .expect("the fourth attempt succeeds");
    assert_eq!(server.requests_for("GetDeployment").len(), 4);

    // ListDeployments is idempotent by its spec (set by hand): retried too.
    let server = start(Route::action("ListDeployments").step(unavailable(503))).await;
    default_client(&server)
        .list_deployments()
        .project_id(10000)
        .send()
        .await
        .expect("retried");
    assert_eq!(server.requests_for("ListDeployments").len(), 2);
}

#[tokio::test]
async fn the_client_and_the_call_may_declare_a_write_safe_or_a_read_unsafe() {
    // Per call: this deploy is safe to repeat.
    let server = start(
        Route::action("DeployFile")
            .step(unavailable(503))
            .step(sample("DeployFile")),
    )
    .await;
    let out = default_client(&server)
        .deploy_file()
        .project_id(10000)
        .file_id(5)
        .customize(|call| call.idempotent(true))
        .send()
        .await
        .expect("retried");
    assert_eq!(out.data, Some(30000001));
    assert_eq!(server.requests_for("DeployFile").len(), 2);

    // Per client: every action is safe to repeat.
    let server = start(
        Route::action("DeployFile")
            .step(unavailable(503))
            .step(sample("DeployFile")),
    )
    .await;
    let all_safe = client_with(&server, |b| b.idempotent(true));
    assert_eq!(deploy(&all_safe).await.expect("retried"), 30000001);
    assert_eq!(server.requests_for("DeployFile").len(), 2);
    // ... and a call can still say otherwise.
    let server = start(Route::action("DeployFile").step(unavailable(503))).await;
    let err = client_with(&server, |b| b.idempotent(true))
        .deploy_file()
        .project_id(10000)
        .file_id(5)
        .customize(|call| call.idempotent(false))
        .send()
        .await
        .expect_err("not retried");
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(server.requests_for("DeployFile").len(), 1);

    // Per client: reads as careful as writes.
    let server = start(Route::action("GetDeployment").step(unavailable(503))).await;
    let careful = client_with(&server, |b| b.idempotent(false));
    let err = get_deployment(&careful).await.expect_err("not retried");
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(server.requests_for("GetDeployment").len(), 1);

    // Retries off for one call: a throttled read is not retried either.
    let server = start(Route::action("GetDeployment").step(Step::error(
        429,
        "Throttling.User",
        "too frequent",
    )))
    .await;
    let err = default_client(&server)
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .customize(|call| call.max_attempts(1))
        .send()
        .await
        .expect_err("not retried");
    assert_eq!(err.code(), Some("Throttling.User"));
    assert_eq!(server.requests_for("GetDeployment").len(), 1);
}
