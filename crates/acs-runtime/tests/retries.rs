//! Retries by idempotency against acs-test-server: client tokens (filled once per call, the
//! same on every attempt, in the trace and the errors), codes the spec marks as rejected
//! before processing, and actions that are not idempotent. The server's request log counts
//! what was sent.

mod common;

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use acs_model::{ParamLocation, ParamWriter, Request};
use acs_runtime::{Error, Idempotency, OperationRequest};
use acs_test_server::{Route, ServerConfig, Step, TestServer};
use common::*;

/// A write made safe by its client token, as a spec with `clientToken: ClientToken`
/// generates it.
#[derive(Default)]
struct CreateTable {
    client_token: Option<String>,
}

impl Request for CreateTable {
    const ACTION: &'static str = "CreateTable";
    const IDEMPOTENCY: Idempotency = Idempotency::ClientToken {
        param: "ClientToken",
        location: ParamLocation::Query,
    };
    type Response = Out;

    fn write_params(&self, w: &mut ParamWriter<'_>) {
        w.form("TableName", &Some("orders".to_string()));
        w.query("ClientToken", &self.client_token);
    }

    fn business_status(out: &Out) -> acs_runtime::BusinessStatus<'_> {
        status_of(out)
    }
}

/// A verifying server that answers every action with `ok_body()` unless `route` says more.
async fn server_with(route: Route) -> TestServer {
    start(
        ServerConfig::new()
            .with_credential(AK, SECRET)
            .with_default(Step::ok(ok_body()))
            .with_lifetime(Duration::from_secs(60))
            .with_route(route),
    )
    .await
}

fn unavailable() -> Step {
    Step::error(503, "ServiceUnavailable", "temporary failure")
}

/// Everything this test binary logs (a global subscriber: a thread's default subscriber may
/// miss events when other tests run at the same time).
fn trace() -> &'static Mutex<Vec<u8>> {
    static TRACE: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    TRACE.get_or_init(|| {
        let buffer: &'static Mutex<Vec<u8>> = Box::leak(Box::default());
        tracing_subscriber::fmt()
            .with_writer(move || Trace(buffer))
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .init();
        buffer
    })
}

fn trace_text() -> String {
    String::from_utf8_lossy(&trace().lock().unwrap()).into_owned()
}

struct Trace(&'static Mutex<Vec<u8>>);

impl Write for Trace {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn is_uuid_v4(token: &str) -> bool {
    let parts: Vec<&str> = token.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts[2].starts_with('4')
        && token.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

#[tokio::test]
async fn a_client_token_write_is_retried_with_the_same_token() {
    let server = server_with(
        Route::action("CreateTable")
            .step(unavailable())
            .step(Step::reset())
            .step(Step::ok(ok_body()).with_delay(Duration::from_secs(60))),
    )
    .await;
    let client = client(
        builder(&server)
            .max_attempts(4)
            .attempt_timeout(Duration::from_secs(2)),
    );
    trace();
    let out = client.send(&CreateTable::default()).await;
    assert_eq!(
        out.expect("the fourth attempt succeeds")
            .data
            .and_then(|d| d.value),
        Some(42)
    );
    let sent = server.requests_for("CreateTable");
    assert_eq!(sent.len(), 4, "503, reset, timeout, then the answer");
    let token = sent[0].param("ClientToken").expect("a token was filled in");
    assert!(is_uuid_v4(token), "{token}");
    assert!(sent.iter().all(|r| r.param("ClientToken") == Some(token)));
    // In the trace, so that the operation can be looked up.
    let log = trace_text();
    assert!(log.contains(&format!("client_token=\"{token}\"")), "{log}");

    // Every call gets its own token; a caller's own token is sent as it is.
    let second = client.send(&CreateTable::default()).await.expect("ok");
    assert_eq!(second.data.and_then(|d| d.value), Some(42));
    let own = CreateTable {
        client_token: Some("order-42-create".into()),
    };
    client.send(&own).await.expect("ok");
    let sent = server.requests_for("CreateTable");
    assert_eq!(sent.len(), 6);
    assert_ne!(sent[4].param("ClientToken"), Some(token));
    assert_eq!(sent[5].param("ClientToken"), Some("order-42-create"));
}

#[tokio::test]
async fn a_client_token_write_that_never_answers_is_outcome_unknown_with_its_token() {
    let server = server_with(
        Route::action("CreateTable")
            .step(unavailable())
            .step(Step::reset()),
    )
    .await;
    let client = client(builder(&server).max_attempts(2));
    let err = client
        .send(&CreateTable::default())
        .await
        .expect_err("both attempts fail");
    let sent = server.requests_for("CreateTable");
    assert_eq!(sent.len(), 2);
    let token = sent[0].param("ClientToken").unwrap();
    assert_eq!(sent[1].param("ClientToken"), Some(token));
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.client_token(), Some(token));
    assert_eq!(err.attempts(), Some(2));
    let text = err.to_string();
    assert!(
        text.starts_with("outcome unknown: the request may have been carried out (CreateTable")
            && text.contains(&format!("ClientToken: {token}")),
        "{text}"
    );

    // A definite answer is returned as it is, with the token.
    let server = server_with(Route::action("CreateTable").step(Step::error(
        400,
        "Invalid.Table.Name",
        "bad name",
    )))
    .await;
    let err = self::client(builder(&server))
        .send(&CreateTable::default())
        .await
        .expect_err("400");
    let token = server.requests_for("CreateTable")[0]
        .param("ClientToken")
        .unwrap()
        .to_string();
    assert!(matches!(err, Error::Service(_)), "{err}");
    assert_eq!(err.client_token(), Some(token.as_str()));
    assert!(
        err.to_string().contains(&format!("ClientToken: {token}")),
        "{err}"
    );
}

fn write() -> OperationRequest {
    let mut req = OperationRequest::new("DeployFile");
    req.form("FileId", "5".to_string());
    req
}

#[tokio::test]
async fn a_write_is_retried_after_codes_the_spec_marks_rejected_before_processing() {
    // `Gateway.Overloaded` (503) is marked `rejectedBeforeProcessing` in the test service.
    let server = server_with(
        Route::action("DeployFile")
            .step(Step::error(503, "Gateway.Overloaded", "busy"))
            .step(Step::error(429, "Throttling.User", "slow down")),
    )
    .await;
    let client = client(builder(&server));
    assert_eq!(write().idempotency(), Idempotency::Unsafe);
    let out = client
        .invoke(write(), status_of)
        .await
        .expect("third attempt");
    assert_eq!(out.data.and_then(|d| d.value), Some(42));
    assert_eq!(server.requests_for("DeployFile").len(), 3);

    // Another 503 may have been carried out: sent once.
    let server = server_with(Route::action("DeployFile").step(unavailable())).await;
    let err = self::client(builder(&server))
        .invoke(write(), status_of)
        .await
        .expect_err("503");
    assert_eq!(server.requests_for("DeployFile").len(), 1);
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.code(), Some("ServiceUnavailable"));
    assert_eq!(err.http_status(), Some(503));
    assert!(err.request_id().is_some());
    assert_eq!(err.client_token(), None);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn the_operation_timeout_during_a_write_leaves_its_outcome_unknown() {
    let server = server_with(
        Route::action("DeployFile").step(Step::ok(ok_body()).with_delay(Duration::from_secs(60))),
    )
    .await;
    let client = client(
        builder(&server)
            .attempt_timeout(Duration::from_secs(30))
            .operation_timeout(Some(Duration::from_secs(1))),
    );
    let err = client
        .invoke(write(), status_of)
        .await
        .expect_err("timeout");
    assert!(
        matches!(&err, Error::OutcomeUnknown { source, .. } if matches!(**source, Error::OperationTimeout { .. })),
        "{err:?}"
    );
    assert_eq!(server.requests_for("DeployFile").len(), 1);
}

#[tokio::test]
async fn a_write_still_waiting_for_its_turn_when_the_operation_times_out_was_not_sent() {
    // One request on the wire at a time; the first call holds the turn (the server stalls).
    let server = server_with(
        Route::action("DeployFile").step(Step::ok(ok_body()).with_delay(Duration::from_secs(60))),
    )
    .await;
    let client = client(
        builder(&server)
            .max_in_flight_requests(Some(1))
            .attempt_timeout(Duration::from_secs(30))
            .operation_timeout(Some(Duration::from_secs(1))),
    );
    // The first call holds its turn longer than the second waits for it.
    let longer = acs_runtime::CallOptions::new().operation_timeout(Duration::from_secs(4));
    let first = client.invoke_with::<Out, _>(write(), status_of, &longer);
    let second = async {
        // Starts once the first request reached the server.
        assert!(server.wait_for_requests(1, Duration::from_secs(30)).await);
        client.invoke::<Out, _>(write(), status_of).await
    };
    let (first, second) = tokio::join!(first, second);
    assert!(first.expect_err("stalled").is_outcome_unknown());
    let second = second.expect_err("never got its turn");
    assert!(
        matches!(second, Error::OperationTimeout { .. }),
        "nothing was sent, so the outcome is known: {second:?}"
    );
    assert_eq!(server.requests_for("DeployFile").len(), 1);
}
