//! End-to-end tests of the generated `dataworks-public` client against `acs-test-server`
//! with signature verification on: what goes on the wire (V3 and RPC v1), decoding of the
//! documented JSON and XML samples, validation, service errors and retries, the waiter,
//! and concurrency through one client. Secrets: `client_secrets.rs` (its own binary, because it
//! installs a global tracing subscriber).
//!
//! Everything runs offline on 127.0.0.1, with millisecond backoff so retries stay fast.

use std::collections::HashSet;
use std::time::Duration;

use acs_test_server::{AuthKind, ServerConfig, Step, TestServer};
use dataworks_public::models::get_deployment::{
    CheckingStatus, DeployedItemStatus, DeploymentStatus, GetDeploymentRequest,
    GetDeploymentResponse,
};
use dataworks_public::operation::get_deployment::DeploymentFinishedWaiter;
use dataworks_public::{
    Client, ConfigBuilder, Credentials, Error, ErrorOrigin, ResponseFormat, SignatureVersion,
    WaiterConfig, WaiterError,
};
use serde_json::{json, Value};
use workspace_tests::calls::{
    assert_verified, get_deployment, hermetic_config, nonce, query_param,
};
use workspace_tests::read_workspace_file;

const AK: &str = "LTAI5tClientE2eKeyId";
const SECRET: &str = "e2eSecretValue-Zq8Wm3Xr7Tb";
/// Has characters that percent-encoding changes, to catch encoded leaks too.
const TOKEN: &str = "CAIS-e2e-sts/Token+Kp4Jd7=Lx";
const JSON_CT: &str = "application/json;charset=utf-8";
const XML_CT: &str = "text/xml;charset=utf-8";
const JSON_SAMPLE: &str = "spec/dataworks-public/samples/GetDeployment.json";
const XML_SAMPLE: &str = "spec/dataworks-public/samples/GetDeployment.xml";

// ---------------------------------------------------------------------------------------
// helpers

/// A verifying server for `GetDeployment` 2020-05-18 with credentials `AK`/`SECRET`.
async fn start(configure: impl FnOnce(ServerConfig) -> ServerConfig) -> TestServer {
    let config = ServerConfig::new()
        .with_credential(AK, SECRET)
        .with_api("GetDeployment", "2020-05-18")
        .with_required_param("DeploymentId")
        .with_lifetime(Duration::from_secs(120));
    TestServer::start(configure(config))
        .await
        .expect("the test server starts")
}

/// A config builder pointed at `server`, hermetic (empty environment), with fast retries.
fn builder(server: &TestServer) -> ConfigBuilder {
    hermetic_config(&server.endpoint(), Credentials::new(AK, SECRET))
        .attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Some(Duration::from_secs(30)))
}

fn client(server: &TestServer) -> Client {
    Client::new(builder(server).build().expect("config builds"))
}

fn client_with(server: &TestServer, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Client {
    Client::new(f(builder(server)).build().expect("config builds"))
}

fn json_sample() -> Vec<u8> {
    read_workspace_file(JSON_SAMPLE)
}

fn xml_sample() -> Vec<u8> {
    read_workspace_file(XML_SAMPLE)
}

fn expected_sample() -> GetDeploymentResponse {
    dataworks_public_models::from_json(&json_sample()).expect("the JSON sample decodes")
}

fn sorted(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut v = pairs.to_vec();
    v.sort();
    v
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

/// `YYYY-MM-DDThh:mm:ssZ`.
fn is_iso_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn deployment_body(status: i64, checking_status: Option<i64>) -> Value {
    let mut deployment = json!({
        "Name": "ods_user_info_d",
        "Status": status,
        "FromEnvironment": 0,
        "ToEnvironment": 1,
        "CreateTime": 1_593_877_765_000_i64,
    });
    if let Some(c) = checking_status {
        deployment["CheckingStatus"] = json!(c);
    }
    json!({
        "RequestId": null,
        "Success": true,
        "HttpStatusCode": 200,
        "Data": {"Deployment": deployment, "DeployedItems": []},
    })
}

fn deployment_status(out: &GetDeploymentResponse) -> Option<DeploymentStatus> {
    out.data.as_ref()?.deployment.as_ref()?.status
}

/// The `DeploymentFinished` waiter of deployment 3000001 in project 10000, polling every few
/// milliseconds for at most `max_wait`.
fn waiter(client: &Client, max_wait: Duration) -> DeploymentFinishedWaiter {
    client
        .wait_until_deployment_finished()
        .project_id(10000)
        .deployment_id(3000001)
        .config(fast_waiter(max_wait))
}

fn fast_waiter(max_wait: Duration) -> WaiterConfig {
    WaiterConfig::new(Duration::from_millis(1), Duration::from_millis(5), max_wait)
}

// ---------------------------------------------------------------------------------------
// what goes on the wire

#[tokio::test]
async fn v3_default_request_shape_and_documented_json_sample() {
    let sample = json_sample();
    let server = start(|c| c.with_step(Step::raw(200, JSON_CT, sample.clone()))).await;
    let client = client(&server);
    assert_eq!(client.config().signature_version(), SignatureVersion::V3);

    let out = client
        .get_deployment()
        .project_id(10000)
        .project_identifier("dw_project")
        .deployment_id(3000001)
        .send()
        .await
        .expect("GetDeployment succeeds");
    assert_eq!(out, expected_sample());
    // Spot checks, so that a sample and a decoder that are both empty cannot pass.
    assert_eq!(out.request_id.as_deref(), Some("0000-ABCD-EFG****"));
    assert_eq!(out.success, Some(true));
    let deployment = out.data.as_ref().and_then(|d| d.deployment.as_ref());
    assert_eq!(
        deployment.and_then(|d| d.status),
        Some(DeploymentStatus::Success)
    );
    assert_eq!(
        deployment.and_then(|d| d.name.as_deref()),
        Some("ods_user_info_d-2020-07-04_20030****")
    );
    let items = out
        .data
        .as_ref()
        .and_then(|d| d.deployed_items.as_deref())
        .expect("DeployedItems (an object in the sample) decodes as a one-item list");
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0].file_id, items[0].file_version, items[0].status),
        (
            Some(507642378),
            Some(7),
            Some(DeployedItemStatus::from_value(1))
        )
    );

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_verified(&reqs);
    let r = &reqs[0];
    assert_eq!(r.auth, AuthKind::V3);
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/");
    assert!(r.query.is_empty(), "no query for V3: {:?}", r.query);
    assert_eq!(
        sorted(&r.form),
        pairs(&[
            ("DeploymentId", "3000001"),
            ("ProjectId", "10000"),
            ("ProjectIdentifier", "dw_project"),
        ])
    );
    assert_eq!(r.header("x-acs-action"), Some("GetDeployment"));
    assert_eq!(r.header("x-acs-version"), Some("2020-05-18"));
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("host"), Some(server.host().as_str()));
    let nonce = r.header("x-acs-signature-nonce").expect("nonce header");
    assert!(nonce.len() >= 16, "nonce too short: {nonce:?}");
    let date = r.header("x-acs-date").expect("x-acs-date header");
    assert!(is_iso_timestamp(date), "x-acs-date {date:?}");
    assert_eq!(
        r.header("x-acs-content-sha256"),
        Some(acs_sign::v3::hex_sha256(&r.body).as_str())
    );
    let auth = r.header("authorization").expect("authorization header");
    assert!(
        auth.starts_with(&format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders=")),
        "{auth}"
    );
    assert_eq!(Some(auth), r.expected_signature.as_deref());
    let user_agent = r.header("user-agent").expect("user-agent header");
    assert!(
        user_agent.contains("dataworks-public/"),
        "user-agent names the SDK: {user_agent}"
    );
    assert_eq!(user_agent, client.config().user_agent());
    assert!(r.header("x-acs-security-token").is_none());
    assert!(r.param("Signature").is_none() && r.param("AccessKeyId").is_none());
}

#[tokio::test]
async fn v1_common_params_in_query_business_params_in_form() {
    let server = start(|c| c.with_step(Step::raw(200, JSON_CT, json_sample()))).await;
    let client = client_with(&server, |b| b.signature_version(SignatureVersion::V1));
    let out = get_deployment(&client)
        .await
        .expect("GetDeployment (v1) succeeds");
    assert_eq!(out, expected_sample());

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_verified(&reqs);
    let r = &reqs[0];
    assert_eq!(r.auth, AuthKind::V1);
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/");
    for (name, value) in [
        ("Action", "GetDeployment"),
        ("Version", "2020-05-18"),
        ("Format", "JSON"),
        ("AccessKeyId", AK),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        assert_eq!(query_param(r, name), Some(value), "query {name}");
    }
    let nonce = query_param(r, "SignatureNonce").expect("SignatureNonce in the query");
    assert!(nonce.len() >= 16, "{nonce:?}");
    let timestamp = query_param(r, "Timestamp").expect("Timestamp in the query");
    assert!(is_iso_timestamp(timestamp), "{timestamp:?}");
    let signature = query_param(r, "Signature").expect("Signature in the query");
    assert_eq!(Some(signature), r.expected_signature.as_deref());
    assert!(query_param(r, "SecurityToken").is_none());
    // Business parameters travel in the form body only.
    assert_eq!(
        sorted(&r.form),
        pairs(&[("DeploymentId", "3000001"), ("ProjectId", "10000")])
    );
    assert!(query_param(r, "DeploymentId").is_none() && query_param(r, "ProjectId").is_none());
    assert!(r.header("authorization").is_none());
    let user_agent = r.header("user-agent").expect("user-agent header");
    assert!(user_agent.contains("dataworks-public/"), "{user_agent}");
}

#[tokio::test]
async fn xml_format_documented_sample_equals_json_result() {
    let server = start(|c| c.with_default(Step::raw(200, XML_CT, xml_sample()))).await;
    let expected = expected_sample();
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let client = client_with(&server, |b| {
            b.signature_version(version)
                .response_format(ResponseFormat::Xml)
        });
        let out = get_deployment(&client)
            .await
            .unwrap_or_else(|e| panic!("{version:?} XML call fails: {e}"));
        assert_eq!(out, expected, "{version:?}");
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_verified(&reqs);
    assert_eq!(reqs[0].auth, AuthKind::V3);
    assert_eq!(reqs[0].header("accept"), Some("application/xml"));
    assert_eq!(reqs[0].format, acs_test_server::ResponseFormat::Xml);
    assert_eq!(reqs[1].auth, AuthKind::V1);
    assert_eq!(query_param(&reqs[1], "Format"), Some("XML"));
    assert_eq!(reqs[1].format, acs_test_server::ResponseFormat::Xml);
}

#[tokio::test]
async fn sts_token_is_sent_in_both_modes() {
    let server = start(|c| c.with_security_token(TOKEN)).await;
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let client = client_with(&server, |b| {
            b.signature_version(version)
                .credentials(Credentials::new(AK, SECRET).with_security_token(TOKEN))
        });
        get_deployment(&client)
            .await
            .unwrap_or_else(|e| panic!("{version:?} STS call fails: {e}"));
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_verified(&reqs);
    assert_eq!(reqs[0].auth, AuthKind::V3);
    assert_eq!(reqs[0].header("x-acs-security-token"), Some(TOKEN));
    assert_eq!(reqs[1].auth, AuthKind::V1);
    assert_eq!(query_param(&reqs[1], "SecurityToken"), Some(TOKEN));

    // The server really requires the token: without it the call fails, not retried.
    let no_token = client(&server);
    let err = get_deployment(&no_token)
        .await
        .expect_err("a call without the token is rejected");
    assert_eq!(
        err.code(),
        Some("InvalidSecurityToken.MismatchWithAccessKey")
    );
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(server.request_count(), 3);
}

// ---------------------------------------------------------------------------------------
// validation

#[tokio::test]
async fn validation_fails_before_any_io() {
    let server = start(|c| c).await;
    let client = client(&server);

    let err = client
        .get_deployment()
        .project_id(10000)
        .send()
        .await
        .expect_err("DeploymentId is required");
    match &err {
        Error::Validation { param, message, .. } => {
            assert_eq!(param, "DeploymentId");
            assert!(message.contains("DeploymentId"), "{message}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(err.to_string().contains("DeploymentId"), "{err}");
    assert!(!err.is_retryable());

    let err = client
        .get_deployment()
        .deployment_id(3000001)
        .send()
        .await
        .expect_err("ProjectId or ProjectIdentifier is required");
    match &err {
        Error::Validation { param, message, .. } => {
            assert_eq!(param, "ProjectId");
            assert!(message.contains("ProjectIdentifier"), "{message}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }

    // The waiter validates its input too.
    let err = client
        .wait_until_deployment_finished()
        .project_identifier("dw_project")
        .config(fast_waiter(Duration::from_secs(1)))
        .send()
        .await
        .expect_err("the waiter rejects a request without DeploymentId");
    assert!(
        matches!(err.request_error(), Some(Error::Validation { param, .. }) if param == "DeploymentId"),
        "{err:?}"
    );

    // Either project option alone is enough (this one is sent).
    client
        .get_deployment()
        .project_identifier("dw_project")
        .deployment_id(3000001)
        .send()
        .await
        .expect("ProjectIdentifier alone is accepted");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "only the valid call reached the server");
    assert_eq!(reqs[0].param("ProjectIdentifier"), Some("dw_project"));
    assert_eq!(reqs[0].param("ProjectId"), None);
}

/// A request built with `?` in a function that returns the client's error: a broken rule
/// becomes `Error::Validation` naming the parameter, with the typed `BuildError` kept.
#[test]
fn build_errors_convert_into_the_client_error_and_keep_the_rule() {
    use dataworks_public::models::BuildError;
    fn request(deployment_id: Option<i64>) -> Result<GetDeploymentRequest, Error> {
        let request = GetDeploymentRequest::builder()
            .project_id(10000)
            .set_deployment_id(deployment_id)
            .build()?;
        Ok(request)
    }
    assert_eq!(
        request(Some(3000001)).expect("valid").deployment_id,
        Some(3000001)
    );
    let err = request(None).expect_err("DeploymentId is required");
    assert_eq!(
        err.build_error(),
        Some(&BuildError::MissingParameter {
            parameter: "DeploymentId"
        })
    );
    match &err {
        Error::Validation { param, .. } => assert_eq!(param, "DeploymentId"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "invalid parameter DeploymentId: the required parameter `DeploymentId` is not set"
    );
}

// ---------------------------------------------------------------------------------------
// service errors and retries

#[tokio::test]
async fn throttling_twice_then_success_retries_with_fresh_nonces() {
    let throttled = || {
        Step::error(
            429,
            "Throttling.User",
            "Request was denied due to user flow control.",
        )
    };
    let server = start(|c| {
        c.with_steps([throttled(), throttled()])
            .with_default(Step::raw(200, JSON_CT, json_sample()))
    })
    .await;
    let out = client(&server)
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .expect("succeeds on the third attempt");
    assert_eq!(out, expected_sample());

    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_verified(&reqs);
    assert_eq!(reqs[0].error_code.as_deref(), Some("Throttling.User"));
    assert_eq!(reqs[1].error_code.as_deref(), Some("Throttling.User"));
    assert_eq!(reqs[2].response_status, Some(200));
    let nonces: HashSet<String> = reqs.iter().map(nonce).collect();
    assert_eq!(nonces.len(), 3, "every attempt has its own nonce");
    for r in &reqs {
        assert_eq!(r.param("DeploymentId"), Some("3000001"));
    }
}

#[tokio::test]
async fn throttling_exhausts_attempts() {
    let server = start(|c| {
        c.with_default(Step::error(
            429,
            "Throttling.User",
            "Request was denied due to user flow control.",
        ))
    })
    .await;
    let err = client_with(&server, |b| b.max_attempts(2))
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .expect_err("always throttled");
    assert_eq!(err.code(), Some("Throttling.User"));
    assert_eq!(err.http_status(), Some(429));
    assert_eq!(err.attempts(), Some(2));
    assert!(err.is_retryable());
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn non_retryable_400_is_returned_after_one_request() {
    let server = start(|c| {
        c.with_step(Step::error(
            400,
            "Invalid.Deployment.NotFound",
            "The deployment does not exist.",
        ))
    })
    .await;
    let err = client(&server)
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .expect_err("400 is an error");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "a 400 is not retried");
    let request_id = reqs[0].request_id.clone();

    let service = err.service_error().expect("a service error");
    assert_eq!(service.http_status, 400);
    assert_eq!(service.code.as_deref(), Some("Invalid.Deployment.NotFound"));
    assert_eq!(
        service.message.as_deref(),
        Some("The deployment does not exist.")
    );
    assert_eq!(service.request_id.as_deref(), Some(request_id.as_str()));
    assert_eq!(service.origin, ErrorOrigin::Gateway);
    assert_eq!(service.attempts, 1);
    assert!(service.host_id.is_some(), "HostId is kept");
    assert!(!err.is_retryable());

    let display = err.to_string();
    for part in [
        "HTTP 400",
        "Invalid.Deployment.NotFound",
        "The deployment does not exist.",
        request_id.as_str(),
    ] {
        assert!(display.contains(part), "{part:?} missing from {display:?}");
    }
}

#[tokio::test]
async fn success_false_in_a_200_body_is_a_business_error_not_retried() {
    let server = start(|c| {
        c.with_default(Step::ok(json!({
            "RequestId": null,
            "Success": false,
            "HttpStatusCode": 400,
            "ErrorCode": "Invalid.Tenant.ConnectionNotExists",
            "ErrorMessage": "The connection does not exist.",
        })))
    })
    .await;
    let client = client(&server);
    let err = get_deployment(&client)
        .await
        .expect_err("Success=false is an error");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "a business failure is not retried");
    assert_eq!(reqs[0].response_status, Some(200));
    let service = err.service_error().expect("a service error");
    assert_eq!(service.origin, ErrorOrigin::Business);
    assert_eq!(
        service.code.as_deref(),
        Some("Invalid.Tenant.ConnectionNotExists")
    );
    assert_eq!(
        service.message.as_deref(),
        Some("The connection does not exist.")
    );
    assert_eq!(service.http_status, 400, "the body's HttpStatusCode");
    assert_eq!(
        service.request_id.as_deref(),
        Some(reqs[0].request_id.as_str())
    );
    assert_eq!(service.attempts, 1);
    let display = err.to_string();
    for part in [
        "Invalid.Tenant.ConnectionNotExists",
        "The connection does not exist.",
        reqs[0].request_id.as_str(),
    ] {
        assert!(display.contains(part), "{part:?} missing from {display:?}");
    }

    // Same in XML (`<Success>false</Success>`), still one request.
    let err = client_with(&server, |b| b.response_format(ResponseFormat::Xml))
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .expect_err("Success=false in XML is an error");
    assert_eq!(err.code(), Some("Invalid.Tenant.ConnectionNotExists"));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn server_errors_5xx_are_retried() {
    let server = start(|c| {
        c.with_steps([
            Step::error(
                503,
                "ServiceUnavailable",
                "The request has failed due to a temporary failure of the server.",
            ),
            Step::error(
                500,
                "InternalError",
                "The request processing has failed due to some unknown error.",
            ),
        ])
        .with_default(Step::raw(200, JSON_CT, json_sample()))
    })
    .await;
    let out = client(&server)
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .expect("succeeds after two 5xx");
    assert_eq!(out, expected_sample());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_verified(&reqs);
    assert_eq!(reqs[0].response_status, Some(503));
    assert_eq!(reqs[1].response_status, Some(500));

    // A 5xx that never ends uses up the attempts and says so.
    let server = start(|c| {
        c.with_default(Step::error(
            500,
            "InternalError.System",
            "An internal system error occurred.",
        ))
    })
    .await;
    let err = client(&server)
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
        .expect_err("always 500");
    assert_eq!(err.code(), Some("InternalError.System"));
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(server.request_count(), 3);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[tokio::test]
async fn unknown_enum_values_are_kept() {
    let body = json!({
        "RequestId": null,
        "Success": true,
        "Data": {
            "Deployment": {"Status": 9, "CheckingStatus": 77, "FromEnvironment": 5},
            "DeployedItems": [{"FileId": 1, "FileVersion": 1, "Status": 42}],
        },
    });
    let server = start(|c| c.with_default(Step::ok(body))).await;
    for format in [ResponseFormat::Json, ResponseFormat::Xml] {
        let out = client_with(&server, |b| b.response_format(format))
            .get_deployment()
            .project_id(10000)
            .deployment_id(3000001)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let data = out.data.as_ref().expect("Data");
        let deployment = data.deployment.as_ref().expect("Deployment");
        assert_eq!(deployment.status, Some(DeploymentStatus::Unknown(9)));
        assert_eq!(deployment.status.map(|s| s.value()), Some(9));
        assert_eq!(
            deployment.checking_status,
            Some(CheckingStatus::from_value(77))
        );
        assert_eq!(deployment.checking_status.and_then(|s| s.name()), None);
        assert_eq!(deployment.from_environment.map(|e| e.value()), Some(5));
        let items = data.deployed_items.as_deref().expect("DeployedItems");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].status, Some(DeployedItemStatus::from_value(42)));
        assert_eq!(items[0].status.map(|s| s.value()), Some(42));
    }
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn several_deployed_items_in_json_and_xml() {
    let body = json!({
        "RequestId": null,
        "Success": true,
        "Data": {
            "Deployment": {"Status": 1, "Name": "three-files"},
            "DeployedItems": [
                {"FileId": 101, "FileVersion": 1, "Status": 1},
                {"FileId": 102, "FileVersion": 2, "Status": 0},
                {"FileId": 103, "FileVersion": 3, "Status": 2},
            ],
        },
    });
    // Hand-written XML with repeated elements, as the gateway sends lists.
    let xml = "<?xml version='1.0' encoding='UTF-8'?><GetDeploymentResponse>\
        <RequestId>xml-rid</RequestId><Success>true</Success><Data>\
        <Deployment><Status>1</Status><Name>three-files</Name></Deployment>\
        <DeployedItems><FileId>101</FileId><FileVersion>1</FileVersion><Status>1</Status></DeployedItems>\
        <DeployedItems><FileId>102</FileId><FileVersion>2</FileVersion><Status>0</Status></DeployedItems>\
        <DeployedItems><FileId>103</FileId><FileVersion>3</FileVersion><Status>2</Status></DeployedItems>\
        </Data></GetDeploymentResponse>";
    let server = start(|c| {
        c.with_steps([
            Step::ok(body.clone()),
            Step::ok(body.clone()),
            Step::raw(200, XML_CT, xml),
        ])
    })
    .await;
    let call = |format: ResponseFormat| {
        let client = client_with(&server, |b| b.response_format(format));
        async move {
            get_deployment(&client)
                .await
                .unwrap_or_else(|e| panic!("{format:?}: {e}"))
        }
    };
    let from_json = call(ResponseFormat::Json).await;
    let from_rendered_xml = call(ResponseFormat::Xml).await;
    let from_raw_xml = call(ResponseFormat::Xml).await;

    let ids = |out: &GetDeploymentResponse| -> Vec<(Option<i64>, Option<i64>, Option<i32>)> {
        out.data
            .as_ref()
            .and_then(|d| d.deployed_items.as_ref())
            .map(|items| {
                items
                    .iter()
                    .map(|i| (i.file_id, i.file_version, i.status.map(|s| s.value())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let expected = vec![
        (Some(101), Some(1), Some(1)),
        (Some(102), Some(2), Some(0)),
        (Some(103), Some(3), Some(2)),
    ];
    assert_eq!(ids(&from_json), expected);
    assert_eq!(ids(&from_rendered_xml), expected);
    assert_eq!(ids(&from_raw_xml), expected);
    // Whole values agree apart from the request id the server generated.
    assert_eq!(from_json.data, from_rendered_xml.data);
    assert_eq!(from_json.data, from_raw_xml.data);
    assert_eq!(from_raw_xml.request_id.as_deref(), Some("xml-rid"));
    let reqs = server.requests();
    assert_verified(&reqs);
    assert_eq!(reqs[1].format, acs_test_server::ResponseFormat::Xml);
}

// ---------------------------------------------------------------------------------------
// waiter

#[tokio::test]
async fn waiter_polls_until_finished_and_not_checking() {
    let server = start(|c| {
        c.with_steps([
            Step::ok(deployment_body(0, None)),
            Step::ok(deployment_body(1, Some(8))),
            Step::ok(deployment_body(1, Some(7))),
        ])
        // Any further poll would fail loudly.
        .with_default(Step::error(
            400,
            "Unexpected.Poll",
            "no more polls expected",
        ))
    })
    .await;
    let waited = waiter(&client(&server), Duration::from_secs(10))
        .send()
        .await
        .expect("the waiter finishes");
    assert_eq!(deployment_status(&waited), Some(DeploymentStatus::Success));
    assert_eq!(
        waited
            .data
            .as_ref()
            .and_then(|d| d.deployment.as_ref())
            .and_then(|d| d.checking_status),
        Some(CheckingStatus::from_value(7))
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3, "three polls");
    assert_verified(&reqs);
    let nonces: HashSet<String> = reqs.iter().map(nonce).collect();
    assert_eq!(nonces.len(), 3);
}

#[tokio::test]
async fn waiter_reports_failure_state() {
    let server = start(|c| {
        c.with_steps([Step::ok(deployment_body(0, None))])
            .with_default(Step::ok(deployment_body(2, Some(7))))
    })
    .await;
    let err = waiter(&client(&server), Duration::from_secs(10))
        .send()
        .await
        .expect_err("a failure state is an error the caller cannot overlook");
    let WaiterError::FailureState {
        output,
        reason,
        polls,
    } = &err
    else {
        panic!("expected a failure state, got {err:?}");
    };
    assert_eq!(deployment_status(output), Some(DeploymentStatus::Failure));
    assert_eq!(reason, "Data.Deployment.Status is 2");
    assert_eq!(*polls, 2);
    assert_eq!(server.request_count(), 2);
    // `?` into the crate's Error keeps what happened.
    let err = Error::from(err);
    assert!(
        err.to_string().contains("failure state after 2 polls"),
        "{err}"
    );
}

#[tokio::test]
async fn waiter_retries_transient_errors_while_polling() {
    let server = start(|c| {
        c.with_steps([
            Step::ok(deployment_body(0, None)),
            Step::error(503, "ServiceUnavailable", "try later"),
        ])
        .with_default(Step::ok(deployment_body(1, None)))
    })
    .await;
    let waited = waiter(
        &client_with(&server, |b| b.max_attempts(1)),
        Duration::from_secs(10),
    )
    .send()
    .await
    .expect("a transient error while polling is not fatal");
    assert_eq!(deployment_status(&waited), Some(DeploymentStatus::Success));
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn waiter_times_out_on_a_never_final_status() {
    let server = start(|c| c.with_default(Step::ok(deployment_body(0, Some(8))))).await;
    let started = std::time::Instant::now();
    let err = waiter(&client(&server), Duration::from_millis(300))
        .send()
        .await
        .expect_err("never final");
    let elapsed = started.elapsed();
    match err {
        WaiterError::Timeout {
            waited,
            polls,
            last_output,
        } => {
            assert!(polls >= 2, "polled {polls} times");
            assert!(waited >= Duration::from_millis(300), "{waited:?}");
            assert_eq!(u64::from(polls), server.request_count());
            let last = last_output.expect("the last response is kept");
            assert_eq!(deployment_status(&last), Some(DeploymentStatus::Ready));
        }
        other => panic!("expected a time-out, got {other:?}"),
    }
    assert!(
        elapsed < Duration::from_secs(5),
        "bounded by max_wait: {elapsed:?}"
    );
}

// ---------------------------------------------------------------------------------------
// concurrency

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_calls_through_one_cloned_client() {
    const CALLS: i64 = 64;
    let server = start(|c| c).await;
    let client = client(&server);
    let mut tasks = Vec::new();
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
    for task in tasks {
        let out = task
            .await
            .expect("the task completes")
            .expect("the call succeeds");
        assert_eq!(out.success, Some(true));
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), CALLS as usize, "no call was retried");
    assert_verified(&reqs);
    let nonces: HashSet<String> = reqs.iter().map(nonce).collect();
    assert_eq!(nonces.len(), CALLS as usize, "all nonces distinct");
    let ids: HashSet<&str> = reqs
        .iter()
        .filter_map(|r| r.param("DeploymentId"))
        .collect();
    assert_eq!(
        ids.len(),
        CALLS as usize,
        "every call sent its own parameters"
    );
}
