//! Each provider against its loopback stand-in: STS (v1 signatures verified like the real
//! service), the ECS metadata service (IMDSv2 and v1, failures, slow answers) and a
//! credentials URI; expiry and refresh with a manual clock.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use acs_credentials::{
    AssumeRoleProvider, EcsRamRoleProvider, ExternalProvider, FetchError, ManualTimeSource,
    OidcProvider, ProviderConfig, UriProvider,
};
use acs_runtime::profile::{OidcSettings, RoleSettings};
use acs_runtime::{Credentials, CredentialsError, CredentialsProvider};
use acs_test_server::{AuthKind, Route, Step, Then};
use common::*;

fn source() -> Arc<Credentials> {
    Arc::new(Credentials::new(SOURCE_AK, SOURCE_SECRET))
}

fn cause(err: &CredentialsError) -> Option<&FetchError> {
    match err {
        CredentialsError::ProviderFailed { source, .. } => source.downcast_ref::<FetchError>(),
        _ => None,
    }
}

#[tokio::test]
async fn assume_role_is_signed_v1_with_the_source_credentials() {
    let sts = sts_server().await;
    let mut role = RoleSettings::new(ROLE_ARN);
    role.policy = Some(r#"{"Statement": [{"Action": ["dataworks:*"], "Effect": "Allow", "Resource": ["*"]}], "Version": "1"}"#.into());
    role.external_id = Some("abcd1234".into());
    let provider = AssumeRoleProvider::new(source(), role, &config(env(), &sts)).unwrap();
    let creds = provider.credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), ROLE_AK);
    assert_eq!(creds.access_key_secret(), ROLE_SECRET);
    assert_eq!(creds.security_token(), Some(ROLE_TOKEN));
    assert!(provider.expiration().is_some());

    let requests = sts.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert!(r.verified, "signature rejected: {:?}", r.error_message);
    assert_eq!(r.auth, AuthKind::V1);
    assert_eq!(r.method, "POST");
    for (name, value) in [
        ("Action", "AssumeRole"),
        ("Version", "2015-04-01"),
        ("Format", "JSON"),
        ("AccessKeyId", SOURCE_AK),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("RoleArn", ROLE_ARN),
        ("DurationSeconds", "3600"),
        ("ExternalId", "abcd1234"),
    ] {
        assert_eq!(r.param(name), Some(value), "{name}");
    }
    assert!(r.param("Policy").unwrap().contains("dataworks:*"));
    assert!(r.param("SecurityToken").is_none());
    let session = r.param("RoleSessionName").unwrap();
    assert!(session.starts_with("dataworks-rust-"), "{session}");
    assert!(session["dataworks-rust-".len()..].parse::<u64>().is_ok());
    // Cached: no second call.
    provider.credentials().await.unwrap();
    assert_eq!(sts.request_count(), 1);
}

#[tokio::test]
async fn short_durations_are_rejected_before_any_call() {
    let sts = sts_server().await;
    let mut role = RoleSettings::new(ROLE_ARN);
    role.duration_seconds = Some(899);
    let err = AssumeRoleProvider::new(source(), role, &config(env(), &sts)).unwrap_err();
    assert!(
        err.to_string().contains("899") && err.to_string().contains("900"),
        "{err}"
    );
    let mut settings = OidcSettings::new(ROLE_ARN, OIDC_PROVIDER_ARN, "/t");
    settings.role.duration_seconds = Some(60);
    assert!(OidcProvider::new(settings, &config(env(), &sts)).is_err());
    assert_eq!(sts.request_count(), 0);
}

#[tokio::test]
async fn chained_roles_sign_with_the_previous_role() {
    let sts = sts_server().await;
    let cfg = config(env(), &sts);
    let first = AssumeRoleProvider::new(source(), RoleSettings::new(ROLE_ARN), &cfg).unwrap();
    let second =
        AssumeRoleProvider::new(Arc::new(first), RoleSettings::new(ROLE2_ARN), &cfg).unwrap();
    assert_eq!(
        second.credentials().await.unwrap().access_key_id(),
        ROLE2_AK
    );
    let requests = sts.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.verified));
    assert_eq!(requests[1].param("AccessKeyId"), Some(ROLE_AK));
    assert_eq!(requests[1].param("SecurityToken"), Some(ROLE_TOKEN));
    assert_eq!(requests[1].param("RoleArn"), Some(ROLE2_ARN));
}

#[tokio::test]
async fn sts_errors_name_the_role_code_and_request_id() {
    let sts = sts_server().await;
    sts.add_route(
        Route::when("RoleArn", "acs:ram::1:role/missing")
            .step(Step::error(
                404,
                "EntityNotExist.Role",
                "The specified Role not exists .",
            ))
            .then(Then::Last),
    );
    let provider = AssumeRoleProvider::new(
        source(),
        RoleSettings::new("acs:ram::1:role/missing"),
        &config(env(), &sts),
    )
    .unwrap();
    let err = provider.credentials().await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("acs:ram::1:role/missing"), "{msg}");
    assert!(
        msg.contains("EntityNotExist.Role") && msg.contains("RequestId"),
        "{msg}"
    );
    assert!(matches!(
        cause(&err),
        Some(FetchError::Sts {
            action: "AssumeRole",
            ..
        })
    ));
    // A wrong source secret: SignatureDoesNotMatch, and the secret is not echoed.
    let wrong = Arc::new(Credentials::new(SOURCE_AK, "not-the-source-secret"));
    let provider =
        AssumeRoleProvider::new(wrong, RoleSettings::new(ROLE_ARN), &config(env(), &sts)).unwrap();
    let msg = provider.credentials().await.unwrap_err().to_string();
    assert!(
        msg.contains("SignatureDoesNotMatch") && !msg.contains("not-the-source-secret"),
        "{msg}"
    );
}

#[tokio::test]
async fn refreshed_15_minutes_before_expiry_with_a_manual_clock() {
    let sts = sts_server().await;
    let clock = ManualTimeSource::new(SystemTime::now());
    let cfg = config(env(), &sts).with_time_source(clock.clone());
    let provider = AssumeRoleProvider::new(source(), RoleSettings::new(ROLE_ARN), &cfg).unwrap();
    provider.credentials().await.unwrap();
    clock.advance(Duration::from_secs(44 * 60));
    provider.credentials().await.unwrap();
    assert_eq!(sts.request_count(), 1);
    clock.advance(Duration::from_secs(2 * 60));
    provider.credentials().await.unwrap();
    assert_eq!(sts.request_count(), 2, "refreshed after 45 of 60 minutes");
}

#[tokio::test]
async fn oidc_is_unsigned_and_rereads_the_token_file() {
    let sts = sts_server().await;
    let dir = TempDir::new("oidc");
    let token_file = dir.0.join("token");
    std::fs::write(&token_file, format!("{OIDC_TOKEN}\n")).unwrap();
    let clock = ManualTimeSource::new(SystemTime::now());
    let env = DiskEnv::new(&[
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
        (
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            token_file.to_str().unwrap(),
        ),
        ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ack-pod"),
    ]);
    let cfg = ProviderConfig::new(Arc::new(env))
        .with_sts_endpoint(sts.endpoint())
        .with_time_source(clock.clone());
    let settings = OidcProvider::settings_from_env(&cfg).expect("all three variables are set");
    let provider = OidcProvider::new(settings, &cfg).unwrap();
    let creds = provider.credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), OIDC_AK);
    let r = sts.last_request().unwrap();
    assert!(r.verified);
    assert_eq!(r.auth, AuthKind::None);
    assert_eq!(r.method, "POST");
    for absent in [
        "AccessKeyId",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "SecurityToken",
    ] {
        assert!(r.param(absent).is_none(), "{absent} must not be sent");
    }
    for (name, value) in [
        ("Action", "AssumeRoleWithOIDC"),
        ("Format", "JSON"),
        ("Version", "2015-04-01"),
        ("RoleArn", ROLE_ARN),
        ("OIDCProviderArn", OIDC_PROVIDER_ARN),
        ("OIDCToken", OIDC_TOKEN),
        ("RoleSessionName", "ack-pod"),
        ("DurationSeconds", "3600"),
    ] {
        assert_eq!(r.param(name), Some(value), "{name}");
    }
    assert!(r.param("Timestamp").is_some() && r.param("SignatureNonce").is_some());

    // The cluster rotates the token: the next refresh reads the new one.
    std::fs::write(&token_file, "rotated-token").unwrap();
    clock.advance(Duration::from_secs(50 * 60));
    let err = provider.credentials().await.unwrap_err();
    assert_eq!(
        sts.last_request().unwrap().param("OIDCToken"),
        Some("rotated-token")
    );
    assert!(
        err.to_string()
            .contains("AuthenticationFail.OIDCToken.Invalid"),
        "{err}"
    );
    // A missing token file is reported with its path.
    std::fs::remove_file(&token_file).unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert!(
        matches!(cause(&err), Some(FetchError::TokenFile { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("token"), "{err}");
}

fn ecs_config(_server: &acs_test_server::TestServer) -> ProviderConfig {
    ProviderConfig::new(Arc::new(env()))
}

#[tokio::test]
async fn ecs_imdsv2_sends_the_session_token_on_every_get() {
    let doc = ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &in_an_hour());
    let imds = imds_server(Imds::V2Only, json_step(doc)).await;
    let provider = EcsRamRoleProvider::new(&imds.endpoint(), None, &ecs_config(&imds)).unwrap();
    let creds = provider.credentials().await.unwrap();
    assert_eq!(
        (creds.access_key_id(), creds.security_token()),
        (ECS_AK, Some(ECS_TOKEN))
    );
    let requests = imds.requests();
    let paths: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/ram/security-credentials/"),
            ("GET", credentials_path(ECS_ROLE).as_str()),
        ][..]
    );
    for r in requests.iter().filter(|r| r.method == "GET") {
        assert_eq!(r.header("x-aliyun-ecs-metadata-token"), Some(IMDS_TOKEN));
    }
    // The role name given (profile or ALIBABA_CLOUD_ECS_METADATA): no listing.
    let imds = imds_server(
        Imds::V2Only,
        json_step(ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &in_an_hour())),
    )
    .await;
    let env = env().with_var("ALIBABA_CLOUD_ECS_METADATA", ECS_ROLE);
    let provider =
        EcsRamRoleProvider::new(&imds.endpoint(), None, &ProviderConfig::new(Arc::new(env)))
            .unwrap();
    provider.credentials().await.unwrap();
    assert_eq!(imds.request_count(), 2, "token and credentials only");
}

#[tokio::test]
async fn ecs_falls_back_to_imdsv1_unless_disabled() {
    let doc = ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &in_an_hour());
    let imds = imds_server(Imds::V1Only, json_step(doc)).await;
    let provider = EcsRamRoleProvider::new(&imds.endpoint(), None, &ecs_config(&imds)).unwrap();
    assert_eq!(
        provider.credentials().await.unwrap().access_key_id(),
        ECS_AK
    );
    assert!(imds
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .all(|r| r.header("x-aliyun-ecs-metadata-token").is_none()));

    let env = env().with_var("ALIBABA_CLOUD_IMDSV1_DISABLED", "true");
    let provider =
        EcsRamRoleProvider::new(&imds.endpoint(), None, &ProviderConfig::new(Arc::new(env)))
            .unwrap();
    let before = imds.request_count();
    let err = provider.credentials().await.unwrap_err();
    assert!(
        err.to_string().contains("HTTP 403") && err.to_string().contains("/latest/api/token"),
        "{err}"
    );
    assert_eq!(imds.request_count(), before + 1, "no IMDSv1 request");
}

#[tokio::test]
async fn ecs_failures_are_named() {
    // Code is not Success.
    let doc = r#"{"Code":"Failed","Message":"role detached"}"#.to_string();
    let imds = imds_server(Imds::V2Only, json_step(doc)).await;
    let provider = EcsRamRoleProvider::new(&imds.endpoint(), None, &ecs_config(&imds)).unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert!(
        err.to_string().contains("\"Failed\"") && err.to_string().contains(ECS_ROLE),
        "{err}"
    );
    // Nothing listens: unreachable.
    let provider = EcsRamRoleProvider::new(&closed_endpoint(), None, &ecs_config(&imds)).unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert!(
        matches!(cause(&err), Some(FetchError::Unreachable { .. })),
        "{err}"
    );
}

#[tokio::test]
async fn ecs_slow_answers_time_out_after_a_second() {
    let doc = ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &in_an_hour());
    let imds = imds_server(
        Imds::V2Only,
        json_step(doc).with_delay(Duration::from_secs(5)),
    )
    .await;
    let provider = EcsRamRoleProvider::new(&imds.endpoint(), None, &ecs_config(&imds)).unwrap();
    let started = Instant::now();
    let err = provider.credentials().await.unwrap_err();
    let took = started.elapsed();
    assert!(err.to_string().contains("no answer within 1s"), "{err}");
    // IMDSv2 attempt and the IMDSv1 retry, 1 s each.
    assert!(took < Duration::from_millis(4500), "{took:?}");
}

#[tokio::test]
async fn ecs_keeps_serving_valid_credentials_when_a_refresh_fails() {
    let clock = ManualTimeSource::new(SystemTime::now());
    let expiration = SystemTime::now() + Duration::from_secs(3600);
    let doc = ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &utc(expiration));
    let imds = imds_server(Imds::V2Only, json_step(doc)).await;
    let cfg = ecs_config(&imds).with_time_source(clock.clone());
    let provider = EcsRamRoleProvider::new(&imds.endpoint(), None, &cfg).unwrap();
    provider.credentials().await.unwrap();
    // The service goes away; 50 minutes later (refresh due) the old ones still serve.
    drop(imds);
    clock.advance(Duration::from_secs(50 * 60));
    assert_eq!(
        provider.credentials().await.unwrap().access_key_id(),
        ECS_AK
    );
    // Past the real expiration: an error.
    clock.set(expiration + Duration::from_secs(1));
    assert!(provider.credentials().await.is_err());
}

#[tokio::test]
async fn credentials_uri() {
    let doc = ecs_document(URI_AK, URI_SECRET, URI_TOKEN, &in_an_hour());
    let server = acs_test_server::TestServer::start(
        acs_test_server::ServerConfig::new()
            .with_route(
                Route::path("/creds")
                    .and_method("GET")
                    .step(json_step(doc))
                    .then(Then::Last),
            )
            .with_default(Step::raw(
                500,
                "application/json",
                r#"{"Code":"Broken","Message":"backend down","AccessKeySecret":"leaked-secret"}"#,
            )),
    )
    .await
    .unwrap();
    let cfg = ProviderConfig::new(Arc::new(env()));
    let provider = UriProvider::new(
        &format!("{}/creds?token=uri-query-token", server.endpoint()),
        &cfg,
    )
    .unwrap();
    assert_eq!(
        provider.credentials().await.unwrap().access_key_id(),
        URI_AK
    );
    assert_eq!(
        server.last_request().unwrap().raw_query,
        "token=uri-query-token"
    );
    assert!(!format!("{provider:?} {}", provider.description()).contains("uri-query-token"));

    let provider = UriProvider::new(
        &format!("{}/other?token=uri-query-token", server.endpoint()),
        &cfg,
    )
    .unwrap();
    let msg = provider.credentials().await.unwrap_err().to_string();
    assert!(
        msg.contains("HTTP 500") && msg.contains("Broken") && msg.contains("/other"),
        "{msg}"
    );
    assert!(
        !msg.contains("leaked-secret") && !msg.contains("uri-query-token"),
        "{msg}"
    );
    assert!(UriProvider::new("ftp://x/creds", &cfg).is_err());
}

#[cfg(unix)]
#[tokio::test]
async fn external_command_json_and_failures() {
    let cfg = ProviderConfig::new(Arc::new(env()));
    let ok = r#"sh -c 'echo "{\"mode\":\"StsToken\",\"access_key_id\":\"EXT\",\"access_key_secret\":\"ext-secret\",\"sts_token\":\"ext-token\",\"expiration\":\"2099-01-01T00:00:00Z\"}"'"#;
    let provider = ExternalProvider::new(ok, &cfg).unwrap();
    let creds = provider.credentials().await.unwrap();
    assert_eq!(
        (creds.access_key_id(), creds.security_token()),
        ("EXT", Some("ext-token"))
    );
    assert_eq!(provider.description(), "external command `sh`");

    let failing = ExternalProvider::new("sh -c 'echo ext-secret >&2; exit 3'", &cfg).unwrap();
    let msg = failing.credentials().await.unwrap_err().to_string();
    assert!(
        msg.contains("exit status: 3") && !msg.contains("ext-secret"),
        "{msg}"
    );

    let slow = ExternalProvider::new(
        "sleep 5",
        &cfg.clone()
            .with_external_timeout(Duration::from_millis(200)),
    )
    .unwrap();
    let started = Instant::now();
    let msg = slow.credentials().await.unwrap_err().to_string();
    assert!(
        msg.contains("no answer within") && started.elapsed() < Duration::from_secs(3),
        "{msg}"
    );
    let missing = ExternalProvider::new("/nonexistent/credential-helper", &cfg).unwrap();
    assert!(missing
        .credentials()
        .await
        .unwrap_err()
        .to_string()
        .contains("cannot start"));
}

#[test]
fn generated_sts_types_redact_sensitive_fields() {
    use sts::models::assume_role::{AssumeRoleResponse, Credentials as StsCredentials};
    use sts::models::assume_role_with_oidc::AssumeRoleWithOIDCRequest;
    let request = AssumeRoleWithOIDCRequest::builder()
        .oidc_token(OIDC_TOKEN)
        .role_arn(ROLE_ARN)
        .role_session_name("s")
        .build()
        .unwrap();
    let out: AssumeRoleResponse = sts::models::from_json(
        format!(
            r#"{{"RequestId":"r","Credentials":{{"AccessKeyId":"{ROLE_AK}","AccessKeySecret":"{ROLE_SECRET}","SecurityToken":"{ROLE_TOKEN}","Expiration":"2099-01-01T00:00:00Z"}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let c: &StsCredentials = out.credentials.as_ref().unwrap();
    assert_eq!(c.access_key_secret.as_deref(), Some(ROLE_SECRET));
    let shown = format!("{request:?} {out:?} {out:#?}");
    for secret in [OIDC_TOKEN, ROLE_SECRET, ROLE_TOKEN] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains(ROLE_AK) && shown.contains(ROLE_ARN) && shown.contains("***"));
}
