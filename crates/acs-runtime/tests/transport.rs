//! The runtime against acs-test-server: request shape, signing, formats, retries, faults.

mod common;

use std::time::{Duration, Instant};

use acs_runtime::{
    Client, Error, ErrorOrigin, OperationRequest, ResponseFormat, SignatureVersion, TransportKind,
};
use acs_test_server::{AuthKind, ResponseFormat as WireFormat, Step};
use common::*;
use serde_json::json;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/error_samples");

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}/{name}")).expect("sample exists")
}

#[tokio::test]
async fn v3_default_request_shape() {
    let server = start(server_config()).await;
    let client = client(builder(&server));
    let out = call(&client).await.unwrap();
    assert_eq!(out.data, Some(Data { value: Some(42) }));
    assert_eq!(out.ok, Some(true));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert!(r.verified, "{:?}", r.error_message);
    assert_eq!(r.auth, AuthKind::V3);
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/");
    assert_eq!(r.raw_query, "");
    assert_eq!(r.body_text(), "DeploymentId=3000001&ProjectId=10000");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("x-acs-action"), Some("GetDeployment"));
    assert_eq!(r.header("x-acs-version"), Some("2020-05-18"));
    assert_eq!(r.header("host"), Some(server.host().as_str()));
    let ua = r.header("user-agent").unwrap();
    assert!(
        ua.starts_with("acs-runtime/0.1.0 test-sdk/9.9.9 (rust; "),
        "{ua}"
    );
    let date = r.header("x-acs-date").unwrap();
    assert_eq!(date.len(), 20);
    assert!(date.ends_with('Z'));
    let nonce = r.header("x-acs-signature-nonce").unwrap();
    assert_eq!(nonce.len(), 32);
    assert_eq!(
        r.header("x-acs-content-sha256"),
        Some(acs_sign::v3::hex_sha256(&r.body).as_str())
    );
    let auth = r.header("authorization").unwrap();
    assert!(
        auth.starts_with(&format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders=")),
        "{auth}"
    );
    assert!(r.header("x-acs-security-token").is_none());
    assert_eq!(r.format, WireFormat::Json);
    // Nothing of the signature scheme v1 leaks into the V3 request.
    assert!(r.param("Signature").is_none() && r.param("AccessKeyId").is_none());
}

#[tokio::test]
async fn query_params_and_encoding_are_signed() {
    let server = start(server_config()).await;
    let client = client(builder(&server));
    let mut req = OperationRequest::new("GetDeployment");
    req.form("DeploymentId", "1");
    req.form("Name", "a b*~/é+&=");
    req.query("Foo", "bar baz/ü");
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let client = if version == SignatureVersion::V3 {
            client.clone()
        } else {
            common::client(builder(&server).signature_version(version))
        };
        let out: Out = client.invoke(req.clone(), status_of).await.unwrap();
        assert_eq!(out.data, Some(Data { value: Some(42) }));
        let r = server.last_request().unwrap();
        assert!(r.verified, "{version:?}: {:?}", r.error_message);
        assert_eq!(r.param("Name"), Some("a b*~/é+&="));
        assert_eq!(r.param("Foo"), Some("bar baz/ü"));
        assert!(
            r.raw_query.contains("Foo=bar%20baz%2F%C3%BC"),
            "{}",
            r.raw_query
        );
        assert!(
            r.body_text().contains("Name=a%20b%2A~%2F%C3%A9%2B%26%3D"),
            "{}",
            r.body_text()
        );
    }
}

#[tokio::test]
async fn fresh_nonce_and_timestamp_every_attempt() {
    let server = start(server_config().with_steps([
        Step::error(503, "ServiceUnavailable", "down"),
        Step::error(429, "Throttling.User", "slow down"),
    ]))
    .await;
    let client = client(builder(&server));
    call(&client).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| r.verified));
    let nonces: std::collections::HashSet<&str> = reqs
        .iter()
        .map(|r| r.header("x-acs-signature-nonce").unwrap())
        .collect();
    assert_eq!(nonces.len(), 3);
    let auths: std::collections::HashSet<&str> = reqs
        .iter()
        .map(|r| r.header("authorization").unwrap())
        .collect();
    assert_eq!(auths.len(), 3);
}

#[tokio::test]
async fn v1_option_puts_common_params_in_the_query() {
    let server = start(server_config()).await;
    let client = client(builder(&server).signature_version(SignatureVersion::V1));
    let out = call(&client).await.unwrap();
    assert_eq!(out.data, Some(Data { value: Some(42) }));
    let r = server.last_request().unwrap();
    assert!(r.verified, "{:?}", r.error_message);
    assert_eq!(r.auth, AuthKind::V1);
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/");
    let q = |k: &str| {
        r.query
            .iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(q("Action"), Some("GetDeployment"));
    assert_eq!(q("Version"), Some("2020-05-18"));
    assert_eq!(q("Format"), Some("JSON"));
    assert_eq!(q("AccessKeyId"), Some(AK));
    assert_eq!(q("SignatureMethod"), Some("HMAC-SHA1"));
    assert_eq!(q("SignatureVersion"), Some("1.0"));
    assert_eq!(q("SignatureNonce").map(str::len), Some(32));
    assert!(q("Timestamp").is_some_and(|t| t.ends_with('Z')));
    assert!(q("Signature").is_some());
    assert!(q("SecurityToken").is_none());
    assert!(
        q("DeploymentId").is_none(),
        "business params go in the body"
    );
    assert_eq!(r.body_text(), "DeploymentId=3000001&ProjectId=10000");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("x-acs-action"), Some("GetDeployment"));
    assert_eq!(r.header("x-acs-version"), Some("2020-05-18"));
    assert!(r.header("authorization").is_none());
    assert!(r.header("user-agent").unwrap().starts_with("acs-runtime/"));
}

#[tokio::test]
async fn sts_token_in_v3_and_v1() {
    let server = start(server_config().with_security_token(TOKEN)).await;
    let creds = acs_runtime::Credentials::new(AK, SECRET).with_security_token(TOKEN);
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let client = client(
            builder(&server)
                .credentials(creds.clone())
                .signature_version(version),
        );
        call(&client).await.unwrap();
        let r = server.last_request().unwrap();
        assert!(r.verified, "{version:?}: {:?}", r.error_message);
        match version {
            SignatureVersion::V3 => {
                assert_eq!(r.header("x-acs-security-token"), Some(TOKEN))
            }
            _ => assert_eq!(
                r.query
                    .iter()
                    .find(|(k, _)| k == "SecurityToken")
                    .map(|(_, v)| v.as_str()),
                Some(TOKEN)
            ),
        }
    }
    // Without the token the server refuses, and the error is typed and not retried.
    let client = client(builder(&server));
    let err = call(&client).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some("InvalidSecurityToken.MismatchWithAccessKey")
    );
    assert_eq!(err.attempts(), Some(1));
}

#[tokio::test]
async fn xml_format_both_signatures() {
    let server = start(server_config()).await;
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let client = client(
            builder(&server)
                .signature_version(version)
                .response_format(ResponseFormat::Xml),
        );
        let out = call(&client).await.unwrap();
        assert_eq!(out.data, Some(Data { value: Some(42) }));
        assert_eq!(out.ok, Some(true));
        assert_eq!(out.status, Some(200));
        let r = server.last_request().unwrap();
        assert!(r.verified);
        assert_eq!(r.format, WireFormat::Xml, "{version:?}");
        match version {
            SignatureVersion::V3 => assert_eq!(r.header("accept"), Some("application/xml")),
            _ => assert_eq!(r.param("Format"), Some("XML")),
        }
        assert_eq!(out.id.as_deref(), Some(r.request_id.as_str()));
    }
}

#[tokio::test]
async fn xml_error_while_json_asked() {
    let server = start(
        server_config().with_steps([
            Step::raw(
                400,
                "text/xml;charset=utf-8",
                sample("missing_deployment_id.xml"),
            ),
            // Mislabelled: XML body with a JSON content type.
            Step::raw(
                404,
                "application/json;charset=utf-8",
                sample("invalid_action_not_found.xml"),
            ),
            // No content type at all, UTF-8 BOM and whitespace first.
            Step::raw(
                400,
                "",
                [
                    b"\xEF\xBB\xBF \n".as_slice(),
                    &sample("missing_deployment_id.json"),
                ]
                .concat(),
            ),
        ]),
    )
    .await;
    let client = client(builder(&server));
    let err = call(&client).await.unwrap_err();
    assert_eq!(err.code(), Some("MissingDeploymentId"));
    assert_eq!(err.http_status(), Some(400));
    assert_eq!(
        err.request_id(),
        Some("A45EE076-334D-5012-9746-A8F828D20FD4")
    );
    let se = err.service_error().unwrap();
    assert_eq!(se.origin, ErrorOrigin::Gateway);
    assert_eq!(
        se.host_id.as_deref(),
        Some("dataworks.cn-shanghai.aliyuncs.com")
    );
    assert!(se
        .recommend
        .as_deref()
        .unwrap()
        .contains("MissingDeploymentId"));
    assert_eq!(
        se.message.as_deref(),
        Some("DeploymentId is mandatory for this action.")
    );

    let err = call(&client).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidAction.NotFound"));
    let err = call(&client).await.unwrap_err();
    assert_eq!(err.code(), Some("MissingDeploymentId"));
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn throttling_twice_then_success() {
    let throttle = || {
        Step::error(
            429,
            "Throttling.User",
            "Request was denied due to user flow control.",
        )
    };
    let server = start(server_config().with_steps([throttle(), throttle()])).await;
    let client = client(builder(&server));
    let out = call(&client).await.unwrap();
    assert_eq!(out.data, Some(Data { value: Some(42) }));
    assert_eq!(server.request_count(), 3);

    server.push_steps([throttle(), throttle(), throttle()]);
    let err = call(&client).await.unwrap_err();
    let last = server.last_request().unwrap();
    assert_eq!(server.request_count(), 6);
    assert_eq!(err.attempts(), Some(3));
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        format!(
            "service error: HTTP 429 Throttling.User: Request was denied due to user flow control. (RequestId: {}, after 3 attempts)",
            last.request_id
        )
    );
    // Configurable attempts.
    server.push_steps([throttle(), throttle()]);
    let client = common::client(builder(&server).max_attempts(1));
    let err = call(&client).await.unwrap_err();
    assert_eq!(err.attempts(), Some(1));
    assert!(err.to_string().ends_with("after 1 attempt)"), "{err}");
}

#[tokio::test]
async fn retry_after_header_is_honoured_and_capped() {
    let server = start(server_config().with_steps([
        Step::error(429, "Throttling.User", "wait").with_header("x-acs-retry-after", "300"),
    ]))
    .await;
    let client = client(builder(&server).retry_max_delay(Duration::from_secs(2)));
    call(&client).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1]
        .received_at
        .duration_since(reqs[0].received_at)
        .unwrap();
    assert!(gap >= Duration::from_millis(290), "{gap:?}");
    assert!(gap < Duration::from_secs(2), "{gap:?}");

    // Capped by retry_max_delay (20 ms in the test builder).
    server.push_step(
        Step::error(429, "Throttling.User", "wait").with_header("x-acs-retry-after", "60000"),
    );
    let started = Instant::now();
    call(&common::client(builder(&server))).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn server_errors_are_retried() {
    let server = start(server_config().with_steps([
        Step::error(500, "InternalError", "boom"),
        Step::error(503, "ServiceUnavailable", "down"),
    ]))
    .await;
    let client = client(builder(&server).max_attempts(4));
    call(&client).await.unwrap();
    assert_eq!(server.request_count(), 3);

    // A 502 HTML page from a proxy is retried, then reported as a decode error with status.
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    server.push_steps([
        Step::raw(502, "text/html", page),
        Step::raw(502, "text/html", page),
        Step::raw(502, "text/html", page),
        Step::raw(502, "text/html", page),
    ]);
    let err = call(&client).await.unwrap_err();
    assert_eq!(server.request_count(), 7);
    assert_eq!(err.http_status(), Some(502));
    assert!(err.is_retryable());
    match &err {
        Error::Decode { excerpt, .. } => assert!(excerpt.contains("502 Bad Gateway")),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = start(server_config().with_steps([
        Step::error(
            400,
            "MissingDeploymentId",
            "DeploymentId is mandatory for this action.",
        ),
        Step::error(404, "InvalidAction.NotFound", "Specified api is not found."),
        Step::error(409, "Resource.Busy", "busy"),
    ]))
    .await;
    let client = client(builder(&server));
    let err = call(&client).await.unwrap_err();
    assert_eq!(err.code(), Some("MissingDeploymentId"));
    assert_eq!(err.attempts(), Some(1));
    assert!(!err.is_retryable());
    assert_eq!(server.request_count(), 1);
    let err = call(&client).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidAction.NotFound"));
    assert_eq!(server.request_count(), 2);
    // The spec table marks Resource.Busy retryable: retried, then success.
    call(&client).await.unwrap();
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn signature_mismatch_is_not_retried() {
    let server = start(server_config()).await;
    let client =
        client(builder(&server).credentials(acs_runtime::Credentials::new(AK, "wrong-secret-xyz")));
    let err = call(&client).await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(err.attempts(), Some(1));
    assert!(
        err.to_string().contains("hint: check the AccessKey secret"),
        "{err}"
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn business_failure_is_typed_and_not_retried() {
    for format in [ResponseFormat::Json, ResponseFormat::Xml] {
        let server = start(server_config().with_step(Step::ok(json!({
            "RequestId": "BIZ-1", "HttpStatusCode": 400, "ErrorCode": "Invalid.Deployment.NotFound",
            "ErrorMessage": "The deployment does not exist.", "Success": false
        }))))
        .await;
        let client = client(builder(&server).response_format(format));
        let err = call(&client).await.unwrap_err();
        assert_eq!(server.request_count(), 1);
        let se = err.service_error().expect("service error");
        assert_eq!(se.origin, ErrorOrigin::Business);
        assert_eq!(se.http_status, 400);
        assert_eq!(se.code.as_deref(), Some("Invalid.Deployment.NotFound"));
        assert_eq!(
            se.message.as_deref(),
            Some("The deployment does not exist.")
        );
        assert_eq!(se.request_id.as_deref(), Some("BIZ-1"));
        assert_eq!(se.attempts, 1);
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("Invalid.Deployment.NotFound"));
    }
    // Business-shaped body with an error status (the service's choice) is also typed.
    let server = start(server_config().with_step(Step::raw(
        400,
        "application/json;charset=utf-8",
        sample("business_error_body.json"),
    )))
    .await;
    let err = call(&client(builder(&server))).await.unwrap_err();
    let se = err.service_error().unwrap();
    assert_eq!(
        (se.origin, se.code.as_deref()),
        (ErrorOrigin::Business, Some("Invalid.Deployment.NotFound"))
    );
}

#[tokio::test]
async fn expired_timestamp_points_at_the_clock() {
    let server = start(server_config().with_steps([Step::raw(
        400,
        "application/json;charset=utf-8",
        sample("invalid_timestamp_expired.json"),
    )]))
    .await;
    let client = client(builder(&server));
    let err = call(&client).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidTimeStamp.Expired"));
    assert_eq!(server.request_count(), 1);
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(text.contains("local clock"), "{text}");
}

#[tokio::test]
async fn signature_nonce_used_is_retried_once() {
    let used = || {
        Step::error(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        )
    };
    let server = start(server_config().with_steps([used()])).await;
    let client = client(builder(&server).max_attempts(5));
    call(&client).await.unwrap();
    assert_eq!(server.request_count(), 2);

    server.push_steps([used(), used(), used()]);
    let err = call(&client).await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureNonceUsed"));
    assert_eq!(err.attempts(), Some(2));
    assert_eq!(server.request_count(), 4);
    let reqs = server.requests();
    assert_ne!(
        reqs[2].header("x-acs-signature-nonce"),
        reqs[3].header("x-acs-signature-nonce")
    );
}

#[tokio::test]
async fn truncated_body_is_a_decode_error_with_header_request_id() {
    let server = start(server_config().with_step(Step::ok(ok_body()).truncate_body(10))).await;
    let client = client(builder(&server));
    let err = call(&client).await.unwrap_err();
    assert_eq!(
        server.request_count(),
        1,
        "a broken 2xx body is not retried"
    );
    let r = server.last_request().unwrap();
    match &err {
        Error::Decode {
            http_status,
            request_id,
            excerpt,
            ..
        } => {
            assert_eq!(*http_status, 200);
            assert_eq!(request_id.as_deref(), Some(r.request_id.as_str()));
            assert_eq!(excerpt.chars().count(), 10);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.request_id(), Some(r.request_id.as_str()));
    assert!(
        err.to_string().contains("could not be read completely"),
        "{err}"
    );
}

#[tokio::test]
async fn html_body_is_a_decode_error_with_excerpt() {
    let page = format!(
        "<!DOCTYPE html><html><head><title>Maintenance</title></head><body>{}</body></html>",
        "x".repeat(1000)
    );
    let server =
        start(server_config().with_step(Step::raw(200, "text/html; charset=utf-8", page))).await;
    let err = call(&client(builder(&server))).await.unwrap_err();
    match &err {
        Error::Decode {
            http_status,
            excerpt,
            request_id,
            ..
        } => {
            assert_eq!(*http_status, 200);
            assert!(excerpt.starts_with("<!DOCTYPE html><html><head><title>Maintenance"));
            assert!(excerpt.chars().count() <= 203);
            assert!(request_id.is_some());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("neither JSON nor XML"), "{err}");

    // JSON that does not fit the model.
    let server =
        start(server_config().with_step(Step::ok(json!({"Data": {"Value": "not a number"}}))))
            .await;
    let err = call(&client(builder(&server))).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn slow_response_times_out_per_attempt() {
    let server =
        start(server_config().with_default(Step::ok(ok_body()).with_delay(Duration::from_secs(3))))
            .await;
    let client = client(
        builder(&server)
            .attempt_timeout(Duration::from_millis(200))
            .max_attempts(2),
    );
    let started = Instant::now();
    let err = call(&client).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    match &err {
        Error::Transport { kind, attempts, .. } => {
            assert_eq!(*kind, TransportKind::Timeout);
            assert_eq!(*attempts, 2);
        }
        other => panic!("unexpected {other:?}"),
    }
    let host = server.endpoint().replace("http://", "");
    assert!(
        err.to_string().starts_with(&format!(
            "timeout talking to {host} (after 2 attempts): no complete response within the attempt timeout of 200ms"
        )),
        "{err}"
    );
    assert!(server.wait_for_requests(2, Duration::from_secs(2)).await);
}

#[tokio::test]
async fn stall_mid_body_times_out() {
    let server = start(
        server_config().with_step(Step::ok(ok_body()).stall_mid_body(5, Duration::from_secs(3))),
    )
    .await;
    let client = client(
        builder(&server)
            .attempt_timeout(Duration::from_millis(200))
            .max_attempts(2),
    );
    // First attempt stalls and times out; the retry gets the default answer.
    let out = call(&client).await.unwrap();
    assert_eq!(out.data, Some(Data { value: Some(42) }));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn dropped_and_reset_connections_are_retried() {
    let server = start(server_config().with_steps([Step::drop_connection(), Step::reset()])).await;
    let client = client(builder(&server));
    call(&client).await.unwrap();
    assert_eq!(server.request_count(), 3);

    server.push_steps([
        Step::drop_connection(),
        Step::drop_connection(),
        Step::drop_connection(),
    ]);
    let err = call(&client).await.unwrap_err();
    match &err {
        Error::Transport { attempts, .. } => assert_eq!(*attempts, 3),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn connection_refused_names_the_host_and_the_cause_in_one_line() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = acs_runtime::Config::<TestSvc>::builder()
        .proxy_from_env(false)
        .endpoint(format!("http://127.0.0.1:{port}"))
        .credentials(acs_runtime::Credentials::new(AK, SECRET))
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(5))
        .build()
        .unwrap();
    let err = call(&Client::new(config)).await.unwrap_err();
    match &err {
        Error::Transport {
            kind,
            attempts,
            host,
            proxy,
            ..
        } => {
            assert_eq!(*kind, TransportKind::Refused);
            assert_eq!(*attempts, 3);
            assert_eq!(host, &format!("127.0.0.1:{port}"));
            assert_eq!(proxy, &None);
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "connection refused by 127.0.0.1:{port} (after 3 attempts): "
        )),
        "{text}"
    );
    assert!(text.contains("refused"), "the root cause: {text}");
    assert!(!text.contains('\n'), "one line: {text}");
    assert_eq!(err.transport_kind(), Some(TransportKind::Refused));
}

#[tokio::test]
async fn response_size_cap() {
    let server = start(server_config()).await;
    let client = client(builder(&server).max_response_bytes(32));
    let err = call(&client).await.unwrap_err();
    match &err {
        Error::ResponseTooLarge {
            limit,
            http_status,
            request_id,
        } => {
            assert_eq!((*limit, *http_status), (32, 200));
            assert!(request_id.is_some());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(server.request_count(), 1);
    assert!(err.to_string().contains("limit of 32 bytes"), "{err}");
    // Exactly at the limit is fine; one byte less is not.
    let body = br#"{"RequestId":"R","Success":true,"Data":{"Value":7}}"#.to_vec();
    let n = body.len() as u64;
    server.push_steps([
        Step::raw(200, "application/json", body.clone()),
        Step::raw(200, "application/json", body),
    ]);
    let out = call(&common::client(builder(&server).max_response_bytes(n)))
        .await
        .unwrap();
    assert_eq!(out.data, Some(Data { value: Some(7) }));
    let err = call(&common::client(builder(&server).max_response_bytes(n - 1)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
}

/// A body without Content-Length that never ends must stop at the limit.
#[tokio::test]
async fn endless_chunked_body_stops_at_the_limit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sent2 = sent.clone();
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 8192];
        let _ = sock.read(&mut buf).await;
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-acs-request-id: CHUNKY\r\ntransfer-encoding: chunked\r\n\r\n")
            .await;
        let chunk = format!("{:x}\r\n{}\r\n", 1024, " ".repeat(1024));
        // At most 64 MiB, far more than the limit; stops when the client hangs up.
        for _ in 0..65_536 {
            if sock.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            sent2.fetch_add(1024, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let config = acs_runtime::Config::<TestSvc>::builder()
        .endpoint(format!("http://{addr}"))
        .credentials(acs_runtime::Credentials::new(AK, SECRET))
        .max_response_bytes(64 * 1024)
        .max_attempts(1)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = call(&Client::new(config)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    match &err {
        Error::ResponseTooLarge {
            limit, request_id, ..
        } => {
            assert_eq!(*limit, 64 * 1024);
            assert_eq!(request_id.as_deref(), Some("CHUNKY"));
        }
        other => panic!("unexpected {other:?}"),
    }
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap();
    assert!(sent.load(std::sync::atomic::Ordering::Relaxed) < 64 * 1024 * 1024);
}

#[tokio::test]
async fn unasked_gzip_is_reported() {
    let server = start(server_config().with_step(Step::ok(ok_body()).gzip())).await;
    let err = call(&client(builder(&server))).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(
        err.to_string().contains("Content-Encoding \"gzip\""),
        "{err}"
    );
}

#[tokio::test]
async fn operation_timeout_bounds_the_whole_call() {
    let server = start(server_config().with_default(
        Step::error(503, "ServiceUnavailable", "down").with_delay(Duration::from_millis(150)),
    ))
    .await;
    let client = client(
        builder(&server)
            .max_attempts(100)
            .operation_timeout(Some(Duration::from_millis(400))),
    );
    let started = Instant::now();
    let err = call(&client).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    match &err {
        Error::OperationTimeout { timeout, attempts } => {
            assert_eq!(*timeout, Duration::from_millis(400));
            assert!((1..=4).contains(attempts), "{attempts}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn credentials_errors_happen_before_io() {
    let server = start(server_config()).await;
    let config = acs_runtime::Config::<TestSvc>::builder()
        .endpoint(server.endpoint())
        .env(std::sync::Arc::new(acs_runtime::MemoryEnv::new()))
        .build()
        .unwrap();
    let err = call(&Client::new(config)).await.unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert!(
        err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"),
        "{err}"
    );
    assert_eq!(server.request_count(), 0);

    // The default chain with an injected environment signs correctly.
    let env = acs_runtime::MemoryEnv::new()
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET);
    let config = acs_runtime::Config::<TestSvc>::builder()
        .endpoint(server.endpoint())
        .env(std::sync::Arc::new(env))
        .build()
        .unwrap();
    call(&Client::new(config)).await.unwrap();
    assert!(server.last_request().unwrap().verified);
}

#[tokio::test]
async fn client_is_shareable_across_tasks() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>(_: &T) {}
    let server = start(server_config()).await;
    let client = client(builder(&server));
    assert_send_sync(&client);
    let mut handles = Vec::new();
    for _ in 0..8 {
        let c = client.clone();
        handles.push(tokio::spawn(async move { call(&c).await }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(server.request_count(), 8);
    // One pool: far fewer connections than requests once warmed up is not guaranteed with
    // concurrency, but sequential calls reuse the connection.
    let before = server.connection_count();
    for _ in 0..3 {
        call(&client).await.unwrap();
    }
    assert!(server.connection_count() <= before + 1);
}

#[tokio::test]
async fn user_agent_suffix() {
    let server = start(server_config()).await;
    call(&client(
        builder(&server).user_agent_suffix("dataworks-cli/0.1.0"),
    ))
    .await
    .unwrap();
    let ua = server
        .last_request()
        .unwrap()
        .header("user-agent")
        .unwrap()
        .to_string();
    assert!(ua.ends_with(") dataworks-cli/0.1.0"), "{ua}");
}

/// Counts how often the runtime asks it for credentials.
#[derive(Debug)]
struct CountingProvider {
    credentials: acs_runtime::Credentials,
    calls: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

impl acs_runtime::CredentialsProvider for CountingProvider {
    fn credentials(&self) -> acs_runtime::CredentialsFuture<'_> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(std::future::ready(Ok(self.credentials.clone())))
    }
}

#[tokio::test]
async fn the_last_credentials_setting_wins_and_providers_are_asked_per_call() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    let server = start(server_config()).await;
    let calls = Arc::new(AtomicU32::new(0));
    let provider = || CountingProvider {
        credentials: acs_runtime::Credentials::new(AK, SECRET),
        calls: Arc::clone(&calls),
    };
    let wrong = || acs_runtime::Credentials::new(AK, "not-the-secret");

    // Static credentials, then a provider: the provider is asked once per call.
    let c = client(
        builder(&server)
            .credentials(wrong())
            .credentials_provider(provider()),
    );
    call(&c).await.unwrap();
    call(&c).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A provider, then static credentials: the static ones sign, the provider is not asked.
    let c = client(
        builder(&server)
            .credentials_provider(provider())
            .credentials(wrong()),
    );
    let err = call(&c).await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let c = client(builder(&server).credentials_provider(provider()));
    call(&c.clone()).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn header_values_that_cannot_be_sent_are_validation_errors() {
    let server = start(server_config()).await;
    let token = "CAIS\nsecret-token";
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let c = client(
            builder(&server)
                .signature_version(version)
                .credentials(acs_runtime::Credentials::new(AK, SECRET).with_security_token(token)),
        );
        let result = call(&c).await;
        match version {
            // V3 sends the token in a header; V1 percent-encodes it into the query.
            SignatureVersion::V3 => {
                let err = result.unwrap_err();
                match &err {
                    Error::Validation { param, message, .. } => {
                        assert_eq!(param, "x-acs-security-token");
                        assert!(
                            message.contains("not allowed in an HTTP header"),
                            "{message}"
                        );
                    }
                    other => panic!("unexpected {other:?}"),
                }
                assert!(!format!("{err} {err:?}").contains("secret-token"));
            }
            _ => {
                result.unwrap();
            }
        }
        // An action name (static or computed) with a control character.
        for action in [
            OperationRequest::new("Get\u{7f}Deployment"),
            OperationRequest::new(String::from("Get\nDeployment")),
        ] {
            let err = c.invoke(action, status_of).await.unwrap_err();
            match &err {
                Error::Validation { param, .. } => assert_eq!(param, "x-acs-action"),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    // Only the V1 call with the token reached the server.
    assert_eq!(server.request_count(), 1);
}

/// `GetDeployment` as a spec that pins its signature to RPC v1 generates it.
struct PinnedToV1;

impl acs_model::Request for PinnedToV1 {
    const ACTION: &'static str = "GetDeployment";
    const SIGNING: acs_runtime::Signing = acs_runtime::Signing::V1;
    type Response = Out;

    fn write_params(&self, w: &mut acs_model::ParamWriter<'_>) {
        w.form("DeploymentId", &Some(3000001_i64));
    }

    fn business_status(out: &Out) -> acs_runtime::BusinessStatus<'_> {
        status_of(out)
    }
}

/// An action sent unsigned (`auth: anonymous`), authenticated by a token parameter.
struct Anonymous;

impl acs_model::Request for Anonymous {
    const ACTION: &'static str = "AssumeRoleWithOIDC";
    const SIGNING: acs_runtime::Signing = acs_runtime::Signing::Anonymous;
    type Response = Out;

    fn write_params(&self, w: &mut acs_model::ParamWriter<'_>) {
        w.query("OIDCToken", &Some("eyJ.token".to_string()));
    }
}

#[tokio::test]
async fn the_spec_decides_how_an_action_is_signed() {
    // Pinned to v1 on a client configured for V3.
    let server = start(server_config()).await;
    let client = client(builder(&server));
    assert_eq!(client.config().signature_version(), SignatureVersion::V3);
    client.send(&PinnedToV1).await.unwrap();
    let r = server.last_request().unwrap();
    assert!(r.verified, "{:?}", r.error_message);
    assert_eq!(r.auth, AuthKind::V1);

    // Anonymous: no credentials asked for (the provider would fail), none sent.
    let server = start(
        acs_test_server::ServerConfig::new()
            .with_credential(AK, SECRET)
            .with_anonymous_action("AssumeRoleWithOIDC")
            .with_default(acs_test_server::Step::ok(ok_body())),
    )
    .await;
    let config = acs_runtime::Config::<TestSvc>::builder()
        .endpoint(server.endpoint())
        .env(std::sync::Arc::new(acs_runtime::MemoryEnv::new()))
        .build()
        .unwrap();
    Client::new(config).send(&Anonymous).await.unwrap();
    let r = server.last_request().unwrap();
    assert!(r.verified, "{:?}", r.error_message);
    assert_eq!(r.auth, AuthKind::None);
    let names: Vec<&str> = r.query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "Action",
            "Format",
            "Version",
            "Timestamp",
            "SignatureNonce",
            "OIDCToken"
        ]
    );
    assert!(r.header("authorization").is_none());
}
