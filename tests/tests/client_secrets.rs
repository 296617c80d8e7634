//! The generated client never leaks the AccessKey secret or the STS token: not in logs
//! captured at TRACE, not in `Debug` of the config, client or builder, not in errors.
//!
//! Its own test binary with one test, because it installs a global tracing subscriber
//! (a thread-scoped one races with other tests over tracing's callsite interest cache).

use std::time::Duration;

use acs_test_server::{ServerConfig, Step, TestServer};
use dataworks_public::{Client, ConfigBuilder, Credentials, Error, SignatureVersion};
use serde_json::json;
use workspace_tests::calls::{get_deployment, hermetic_config, query_param};
use workspace_tests::secrets::{assert_absent, needles, Capture};

const AK: &str = "LTAI5tClientE2eKeyId";
const SECRET: &str = "e2eSecretValue-Zq8Wm3Xr7Tb";
/// Has characters that percent-encoding changes, to catch encoded leaks too.
const TOKEN: &str = "CAIS-e2e-sts/Token+Kp4Jd7=Lx";
const JSON_CT: &str = "application/json;charset=utf-8";

fn builder(
    server: &TestServer,
    version: SignatureVersion,
    credentials: Credentials,
) -> ConfigBuilder {
    hermetic_config(&server.endpoint(), credentials)
        .signature_version(version)
        .operation_timeout(Some(Duration::from_secs(30)))
}

fn client(server: &TestServer, version: SignatureVersion, credentials: Credentials) -> Client {
    Client::new(
        builder(server, version, credentials)
            .build()
            .expect("config builds"),
    )
}

fn assert_no_secret(what: &str, text: &str) {
    assert_absent(&needles(&[SECRET, TOKEN]), what, text);
}

async fn call(client: &Client) -> Result<(), Error> {
    get_deployment(client).await.map(drop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_appear_in_logs_debug_or_errors() {
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

    let sts = Credentials::new(AK, SECRET).with_security_token(TOKEN);
    let wrong_secret = Credentials::new(AK, "wrong-secret-value").with_security_token(TOKEN);
    let sample =
        workspace_tests::read_workspace_file("spec/dataworks-public/samples/GetDeployment.json");
    let server = TestServer::start(
        ServerConfig::new()
            .with_credential(AK, SECRET)
            .with_security_token(TOKEN)
            .with_api("GetDeployment", "2020-05-18")
            .with_lifetime(Duration::from_secs(120))
            .with_default(Step::raw(200, JSON_CT, sample)),
    )
    .await
    .expect("the test server starts");

    let mut errors: Vec<Error> = Vec::new();
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let client = client(&server, version, sts.clone());
        assert_no_secret("Debug of Config", &format!("{:?}", client.config()));
        assert_no_secret("Debug of Client", &format!("{client:?}"));
        assert_no_secret(
            "Debug of ConfigBuilder",
            &format!("{:?}", builder(&server, version, sts.clone())),
        );
        let fluent = client
            .get_deployment()
            .project_id(10000)
            .deployment_id(3000001);
        assert_no_secret("Debug of the fluent builder", &format!("{fluent:?}"));

        // A success after a throttled attempt (the retry is logged at INFO).
        server.push_step(Step::error(
            429,
            "Throttling.User",
            "Request was denied due to user flow control.",
        ));
        fluent
            .send()
            .await
            .unwrap_or_else(|e| panic!("{version:?} STS call fails: {e}"));

        // A wrong secret gets SignatureDoesNotMatch, whose message quotes the server's
        // string to sign (for v1 it includes the SecurityToken parameter).
        errors.push(
            call(&client_with_attempts(
                &server,
                version,
                wrong_secret.clone(),
                3,
            ))
            .await
            .expect_err("a wrong secret is rejected"),
        );
        // A transport failure (connection reset) on a request whose v1 URL carries the token.
        server.push_step(Step::reset());
        errors.push(
            call(&client_with_attempts(&server, version, sts.clone(), 1))
                .await
                .expect_err("a reset connection is an error"),
        );
        // A business failure whose message echoes the token.
        server.push_step(Step::ok(json!({
            "RequestId": null, "Success": false, "ErrorCode": "Forbidden.Access",
            "ErrorMessage": format!("Access is forbidden for token {TOKEN}."),
        })));
        errors.push(call(&client).await.expect_err("a business failure"));
        // A body that is neither JSON nor XML and quotes the token: a decode error.
        server.push_step(Step::raw(
            200,
            "text/plain",
            format!("oops {TOKEN} {SECRET}"),
        ));
        errors.push(call(&client).await.expect_err("an undecodable body"));
        // A gateway error whose message echoes the token.
        server.push_step(Step::error(
            400,
            "InvalidParameter",
            format!("bad token {TOKEN}"),
        ));
        errors.push(call(&client).await.expect_err("a gateway error"));
    }

    let reqs = server.requests();
    assert!(
        reqs.iter()
            .any(|r| r.verified && r.header("x-acs-security-token") == Some(TOKEN)),
        "the V3 token was sent"
    );
    assert!(
        reqs.iter()
            .any(|r| r.verified && query_param(r, "SecurityToken") == Some(TOKEN)),
        "the v1 token was sent"
    );
    let count = |f: &dyn Fn(&Error) -> bool| errors.iter().filter(|e| f(e)).count();
    assert_eq!(
        count(&|e| e.code() == Some("SignatureDoesNotMatch")),
        2,
        "{errors:?}"
    );
    assert_eq!(
        count(&|e| matches!(e, Error::Transport { .. })),
        2,
        "{errors:?}"
    );
    assert_eq!(
        count(&|e| matches!(e, Error::Decode { .. })),
        2,
        "{errors:?}"
    );
    assert_eq!(
        count(&|e| e.code() == Some("Forbidden.Access")),
        2,
        "{errors:?}"
    );
    assert_eq!(
        count(&|e| e.code() == Some("InvalidParameter")),
        2,
        "{errors:?}"
    );
    for err in &errors {
        assert_no_secret("error Display", &err.to_string());
        assert_no_secret("error Debug", &format!("{err:?}"));
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            assert_no_secret("error source", &s.to_string());
            assert_no_secret("error source Debug", &format!("{s:?}"));
            source = s.source();
        }
    }
    // The v1 mismatch message really quoted the string to sign (so redaction was exercised).
    let v1_mismatch = errors
        .iter()
        .filter(|e| e.code() == Some("SignatureDoesNotMatch"))
        .nth(1)
        .and_then(|e| e.service_error())
        .and_then(|s| s.message.clone())
        .unwrap_or_default();
    assert!(
        v1_mismatch.contains("SecurityToken"),
        "the v1 string to sign is quoted: {v1_mismatch}"
    );

    let logs = capture.text();
    // The capture works (otherwise this test would prove nothing).
    for expected in [
        "acs_call",
        "GetDeployment",
        "retrying",
        "SignatureDoesNotMatch",
    ] {
        assert!(logs.contains(expected), "{expected:?} not logged:\n{logs}");
    }
    assert_no_secret("captured logs", &logs);
}

fn client_with_attempts(
    server: &TestServer,
    version: SignatureVersion,
    credentials: Credentials,
    attempts: u32,
) -> Client {
    Client::new(
        builder(server, version, credentials)
            .max_attempts(attempts)
            .build()
            .expect("config builds"),
    )
}
