//! What users expect of the generated client besides sending: per-call overrides
//! (`customize`), error accessors, the blocking client, and the test doubles of `test_util`.

use std::time::{Duration, Instant};

use acs_test_server::{ServerConfig, Step, TestServer};
use dataworks_public::models::get_deployment::{DeploymentStatus, GetDeploymentResponse};
use dataworks_public::test_util::{self, Route};
use dataworks_public::{blocking, Client, Credentials, Error, WaiterError};
use serde_json::json;
use workspace_tests::calls::{assert_verified, hermetic_config};

const AK: &str = "LTAI5tErgonomicsKeyId";
const SECRET: &str = "ergonomics-secret-Lp2Vz8";

fn server_config() -> ServerConfig {
    ServerConfig::new()
        .with_credential(AK, SECRET)
        .with_lifetime(Duration::from_secs(120))
        .with_default(Step::ok(
            json!({"Success": true, "Data": {"Deployment": {"Status": 1}}}),
        ))
}

async fn start(config: ServerConfig) -> TestServer {
    TestServer::start(config).await.expect("server starts")
}

fn client(server: &TestServer) -> Client {
    Client::new(
        hermetic_config(&server.endpoint(), Credentials::new(AK, SECRET))
            .build()
            .expect("config"),
    )
}

fn blocking_client(server: &TestServer) -> blocking::Client {
    blocking::Client::try_new(
        hermetic_config(&server.endpoint(), Credentials::new(AK, SECRET))
            .build()
            .expect("config"),
    )
    .expect("the runtime starts")
}

// ---------------------------------------------------------------------------------------
// customize

#[tokio::test]
async fn customize_adds_signed_headers_and_query_parameters_for_one_call() {
    let server = start(server_config()).await;
    let client = client(&server);
    client
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .customize(|c| {
            c.header("x-acs-trace-id", "order-42")
                .header("x-app", "demo")
                .query_param("Extra", "v")
        })
        .send()
        .await
        .expect("sent");
    // The next call on the same client has none of it.
    client
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .send()
        .await
        .expect("sent");
    let reqs = server.requests();
    assert_verified(&reqs);
    assert_eq!(reqs[0].header("x-acs-trace-id"), Some("order-42"));
    assert_eq!(reqs[0].header("x-app"), Some("demo"));
    assert_eq!(reqs[0].query, vec![("Extra".to_string(), "v".to_string())]);
    let auth = reqs[0].header("authorization").expect("V3");
    assert!(
        auth.contains("x-acs-trace-id"),
        "the x-acs- header is signed: {auth}"
    );
    assert!(!auth.contains("x-app"), "other headers are not: {auth}");
    assert_eq!(reqs[1].header("x-acs-trace-id"), None);
    assert!(reqs[1].query.is_empty());
}

#[tokio::test]
async fn customize_overrides_attempts_and_timeouts() {
    let server = start(server_config().with_steps([
        Step::error(503, "ServiceUnavailable", "busy"),
        Step::error(503, "ServiceUnavailable", "busy"),
    ]))
    .await;
    let client = client(&server);
    let err = client
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .customize(|c| c.max_attempts(1))
        .send()
        .await
        .expect_err("no retry for this call");
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(server.request_count(), 1);
    // The configuration's 3 attempts still apply to other calls.
    client
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .send()
        .await
        .expect("retried past the second 503");
    assert_eq!(server.request_count(), 3);

    // The stalled answers take far longer than the bounds checked, so that a loaded machine
    // cannot turn a timeout into an answer.
    server.push_step(Step::ok(json!({})).with_delay(Duration::from_secs(60)));
    let started = Instant::now();
    let err = client
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .customize(|c| {
            c.attempt_timeout(Duration::from_millis(100))
                .max_attempts(1)
        })
        .send()
        .await
        .expect_err("times out");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.transport_kind(),
        Some(dataworks_public::TransportKind::Timeout),
        "{err:?}"
    );
    server.push_step(Step::ok(json!({})).with_delay(Duration::from_secs(60)));
    let started = Instant::now();
    let err = client
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .customize(|c| c.operation_timeout(Duration::from_millis(150)))
        .send()
        .await
        .expect_err("the whole call times out");
    assert!(matches!(err, Error::OperationTimeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn customize_refuses_what_the_client_sets_itself() {
    let server = start(server_config()).await;
    let client = client(&server);
    for (header, query) in [
        (Some("Authorization"), None),
        (Some("x-acs-date"), None),
        (Some("bad header"), None),
        (None, Some("Signature")),
        (None, Some("Action")),
    ] {
        let err = client
            .get_deployment()
            .project_id(1)
            .deployment_id(2)
            .customize(|c| {
                let c = match header {
                    Some(h) => c.header(h, "x"),
                    None => c,
                };
                match query {
                    Some(q) => c.query_param(q, "x"),
                    None => c,
                }
            })
            .send()
            .await
            .expect_err("refused");
        let name = header.or(query).unwrap_or_default();
        assert!(
            matches!(&err, Error::Validation { param, .. } if param == name),
            "{err:?}"
        );
    }
    let err = client
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .customize(|c| c.max_attempts(0))
        .send()
        .await
        .expect_err("zero attempts");
    assert!(matches!(err, Error::Validation { .. }));
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

// ---------------------------------------------------------------------------------------
// errors

#[tokio::test]
async fn errors_expose_code_message_and_request_id() {
    let server = start(server_config().with_step(Step::error(
        404,
        "Invalid.Deployment.NotFound",
        "The deployment does not exist.",
    )))
    .await;
    let err = client(&server)
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .send()
        .await
        .expect_err("404");
    assert_eq!(err.code(), Some("Invalid.Deployment.NotFound"));
    assert_eq!(err.message(), Some("The deployment does not exist."));
    let id = server.requests()[0].request_id.clone();
    assert_eq!(err.request_id(), Some(id.as_str()));
    assert_eq!(err.http_status(), Some(404));
    let validation = client(&server)
        .get_deployment()
        .project_id(1)
        .send()
        .await
        .expect_err("DeploymentId is required");
    assert_eq!(validation.code(), None);
    assert!(validation
        .message()
        .is_some_and(|m| m.contains("DeploymentId")));
}

// ---------------------------------------------------------------------------------------
// blocking

#[test]
fn blocking_client_shares_one_runtime_and_pool_across_threads() {
    let server = TestServer::start_blocking(server_config()).expect("server");
    let client = blocking_client(&server);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let out = client
                        .get_deployment()
                        .project_id(1)
                        .deployment_id(2)
                        .send()
                        .expect("a blocking call");
                    assert_eq!(out.success, Some(true));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no panic");
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 20);
    assert_verified(&reqs);
    let mut connections: Vec<u64> = reqs.iter().map(|r| r.connection).collect();
    connections.sort_unstable();
    connections.dedup();
    // One pool for all threads: connections are reused (a runtime per call would open 20).
    assert!(
        connections.len() <= 8,
        "one pool: connections are reused across calls, got {}",
        connections.len()
    );
}

#[test]
fn blocking_waiters_and_paginators() {
    let server = TestServer::start_blocking(server_config().with_steps([
        Step::ok(json!({"Data": {"Deployment": {"Status": 0}}})),
        Step::ok(json!({"Data": {"Deployment": {"Status": 2}}})),
        Step::ok(json!({"Data": {"TotalCount": 3, "Deployments": [{"Id": 1}, {"Id": 2}]}})),
        Step::ok(json!({"Data": {"TotalCount": 3, "Deployments": [{"Id": 3}]}})),
    ]))
    .expect("server");
    let client = blocking_client(&server);
    let err = client
        .wait_until_deployment_finished()
        .project_id(1)
        .deployment_id(2)
        .delays(Duration::from_millis(1), Duration::from_millis(2))
        .send()
        .expect_err("failure state");
    let last: &GetDeploymentResponse = err.output().expect("kept");
    assert_eq!(
        last.data
            .as_ref()
            .and_then(|d| d.deployment.as_ref())
            .and_then(|d| d.status),
        Some(DeploymentStatus::Failure)
    );
    let ids: Vec<i64> = client
        .list_deployments()
        .project_id(1)
        .page_size(2)
        .into_paginator()
        .items()
        .map(|item| item.expect("an item").id.expect("id"))
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
}

#[tokio::test]
async fn blocking_client_inside_async_code_is_an_error_not_a_panic() {
    let server = start(server_config()).await;
    let config = hermetic_config(&server.endpoint(), Credentials::new(AK, SECRET))
        .build()
        .expect("config");
    let client = blocking::Client::try_new(config).expect("the runtime starts");
    let err = client
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .send()
        .expect_err("refused inside a runtime");
    assert!(matches!(err, Error::BlockingInAsyncContext), "{err:?}");
    assert!(err.to_string().contains("async Client"), "{err}");
    let mut pages = client.list_deployments().project_id(1).into_paginator();
    assert!(matches!(
        pages.next(),
        Some(Err(Error::BlockingInAsyncContext))
    ));
    assert!(pages.next().is_none());
    let waited = client
        .wait_until_deployment_finished()
        .project_id(1)
        .deployment_id(2)
        .send();
    assert!(matches!(
        waited,
        Err(WaiterError::Request(Error::BlockingInAsyncContext))
    ));
    assert_eq!(server.request_count(), 0);
    // Dropping the last clone here shuts its runtime down without panicking.
    drop(client);
}

// ---------------------------------------------------------------------------------------
// test doubles

#[tokio::test]
async fn test_util_answers_documented_samples_and_records_requests() {
    let server = TestServer::start(test_util::server_config().with_route(
        Route::action("GetFile").step(Step::error(404, "Invalid.File.NotFound", "no such file")),
    ))
    .await
    .expect("server");
    let client = test_util::client(&server).expect("client");
    // An unscripted action answers with its documented sample.
    let out = client
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .expect("the documented sample");
    let sample = test_util::SAMPLES
        .iter()
        .find(|(action, _)| *action == "GetDeployment")
        .expect("GetDeployment has a sample")
        .1;
    let expected: GetDeploymentResponse =
        dataworks_public::models::from_json(sample.as_bytes()).expect("the sample decodes");
    assert_eq!(out, expected);
    // The scripted action answers as scripted.
    let err = client
        .get_file()
        .project_id(10000)
        .file_id(7)
        .send()
        .await
        .expect_err("scripted");
    assert_eq!(err.code(), Some("Invalid.File.NotFound"));
    // What the code sent, per action.
    let sent = server.requests_for("GetFile");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].param("FileId"), Some("7"));
    assert!(sent[0].verified, "signed with the test credentials");
    assert_eq!(server.requests_for("GetDeployment").len(), 1);
    assert_eq!(server.requests_for("DeployFile").len(), 0);
}

#[tokio::test]
async fn test_util_scripts_typed_outputs() {
    let mut scripted = GetDeploymentResponse::default();
    scripted.success = Some(true);
    scripted.request_id = Some("typed-1".into());
    let server = TestServer::start(
        test_util::server_config()
            .with_route(Route::action("GetDeployment").step(Step::output(&scripted))),
    )
    .await
    .expect("server");
    let config = test_util::config_builder(&server)
        .response_format(dataworks_public::ResponseFormat::Xml)
        .build()
        .expect("config");
    let out = Client::new(config)
        .get_deployment()
        .project_id(1)
        .deployment_id(2)
        .send()
        .await
        .expect("typed output, rendered as XML");
    assert_eq!(out, scripted);
}
