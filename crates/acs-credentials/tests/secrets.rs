//! No secret (AccessKey secrets, security tokens, the OIDC token, the IMDS session token, a
//! credentials URI's query) appears in Debug, Display, errors or the trace at TRACE level,
//! across every provider, success and failure.

mod common;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use acs_credentials::{
    caller_identity, AssumeRoleProvider, DefaultChain, EcsRamRoleProvider, ManualTimeSource,
    OidcProvider, ProviderConfig, UriProvider,
};
use acs_runtime::profile::{OidcSettings, RoleSettings};
use acs_runtime::{Credentials, CredentialsProvider};
use acs_test_server::{Route, ServerConfig, Step, TestServer, Then};
use common::*;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

const URI_QUERY_TOKEN: &str = "uri-query-token-Qq8";

fn leaks(text: &str) -> Vec<String> {
    let mut needles: Vec<String> = SECRETS.iter().map(|s| s.to_string()).collect();
    needles.push(URI_QUERY_TOKEN.to_string());
    let encoded: Vec<String> = needles
        .iter()
        .map(|s| acs_sign::encode::percent_encode(s))
        .collect();
    needles.extend(encoded);
    needles
        .into_iter()
        .filter(|n| text.contains(n.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_anywhere_at_trace_level() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish(),
    )
    .expect("the only subscriber of this test binary");
    let mut texts: Vec<String> = Vec::new();
    let mut record = |label: &str, text: String| texts.push(format!("{label}: {text}"));

    let sts = sts_server().await;
    let clock = ManualTimeSource::new(SystemTime::now());
    let cfg = config(env(), &sts).with_time_source(clock.clone());
    let source = Arc::new(Credentials::new(SOURCE_AK, SOURCE_SECRET));

    // AssumeRole, chained, then failures (unknown role, wrong secret).
    let role = AssumeRoleProvider::new(source.clone(), RoleSettings::new(ROLE_ARN), &cfg).unwrap();
    let second =
        AssumeRoleProvider::new(Arc::new(role.clone()), RoleSettings::new(ROLE2_ARN), &cfg)
            .unwrap();
    let c = second.credentials().await.unwrap();
    record("chained", format!("{c} {c:?} {second:?} {role:?}"));
    sts.add_route(
        Route::when("RoleArn", "acs:ram::1:role/ghost")
            .step(Step::error(
                404,
                "EntityNotExist.Role",
                "The specified Role not exists .",
            ))
            .then(Then::Last),
    );
    let ghost = AssumeRoleProvider::new(
        source.clone(),
        RoleSettings::new("acs:ram::1:role/ghost"),
        &cfg,
    )
    .unwrap();
    let e = ghost.credentials().await.unwrap_err();
    record("ghost", format!("{e} {e:?}"));
    let wrong = AssumeRoleProvider::new(
        Arc::new(Credentials::new(ROLE_AK, "wrong").with_security_token(ROLE_TOKEN)),
        RoleSettings::new(ROLE2_ARN),
        &cfg,
    )
    .unwrap();
    let e = wrong.credentials().await.unwrap_err();
    record("wrong secret", format!("{e} {e:?}"));

    // OIDC, then a token STS refuses.
    let oidc_env = env()
        .with_file("/token", OIDC_TOKEN)
        .with_file("/bad", format!("{OIDC_TOKEN}-bad"));
    let oidc_cfg = config(oidc_env, &sts);
    let oidc = OidcProvider::new(
        OidcSettings::new(ROLE_ARN, OIDC_PROVIDER_ARN, "/token"),
        &oidc_cfg,
    )
    .unwrap();
    let c = oidc.credentials().await.unwrap();
    record("oidc", format!("{c:?} {oidc:?}"));
    let bad = OidcProvider::new(
        OidcSettings::new(ROLE_ARN, OIDC_PROVIDER_ARN, "/bad"),
        &oidc_cfg,
    )
    .unwrap();
    let e = bad.credentials().await.unwrap_err();
    record("oidc refused", format!("{e} {e:?}"));

    // ECS: IMDSv2, then the service goes away while a refresh is due (warning, old ones).
    let imds = imds_server(
        Imds::V2Only,
        json_step(ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &in_an_hour())),
    )
    .await;
    let ecs = EcsRamRoleProvider::new(
        &imds.endpoint(),
        None,
        &ProviderConfig::new(Arc::new(env())).with_time_source(clock.clone()),
    )
    .unwrap();
    let c = ecs.credentials().await.unwrap();
    record("ecs", format!("{c:?} {ecs:?}"));
    drop(imds);
    clock.advance(Duration::from_secs(50 * 60));
    let c = ecs.credentials().await.unwrap();
    record("ecs stale", format!("{c:?}"));
    let bad_doc = imds_server(
        Imds::V2Only,
        json_step(format!(
            r#"{{"Code":"Failed","AccessKeySecret":"{ECS_SECRET}","SecurityToken":"{ECS_TOKEN}"}}"#
        )),
    )
    .await;
    let ecs_bad = EcsRamRoleProvider::new(
        &bad_doc.endpoint(),
        None,
        &ProviderConfig::new(Arc::new(env())),
    )
    .unwrap();
    let e = ecs_bad.credentials().await.unwrap_err();
    record("ecs failed", format!("{e} {e:?}"));

    // Credentials URI with a token in its query, success and a failure echoing the secret.
    let uri_server = TestServer::start(
        ServerConfig::new()
            .with_route(
                Route::path("/creds")
                    .step(json_step(ecs_document(
                        URI_AK,
                        URI_SECRET,
                        URI_TOKEN,
                        &in_an_hour(),
                    )))
                    .then(Then::Last),
            )
            .with_default(Step::raw(
                500,
                "application/json",
                format!(r#"{{"Code":"Broken","AccessKeySecret":"{URI_SECRET}"}}"#),
            )),
    )
    .await
    .unwrap();
    let uri_cfg = ProviderConfig::new(Arc::new(env()));
    let uri = UriProvider::new(
        &format!("{}/creds?token={URI_QUERY_TOKEN}", uri_server.endpoint()),
        &uri_cfg,
    )
    .unwrap();
    let c = uri.credentials().await.unwrap();
    record("uri", format!("{c:?} {uri:?}"));
    let uri_bad = UriProvider::new(
        &format!("{}/other?token={URI_QUERY_TOKEN}", uri_server.endpoint()),
        &uri_cfg,
    )
    .unwrap();
    let e = uri_bad.credentials().await.unwrap_err();
    record("uri failed", format!("{e} {e:?} {uri_bad:?}"));

    // The chain: a RAM-role profile, the caller report, and a failing chain.
    let cli = format!(
        r#"{{"current": "role", "profiles": [{{"name": "role", "mode": "RamRoleArn", "access_key_id": "{SOURCE_AK}",
            "access_key_secret": "{SOURCE_SECRET}", "ram_role_arn": "{ROLE_ARN}"}}]}}"#
    );
    let chain = DefaultChain::with_config(config(env().with_file(CLI, cli), &sts));
    let report = caller_identity(&chain).await.unwrap();
    record(
        "report",
        format!(
            "{} {report:?} {chain:?}",
            serde_json::to_string(&report).unwrap()
        ),
    );
    let failing = DefaultChain::with_config(config(
        env().with_var(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            format!("{}/other?token={URI_QUERY_TOKEN}", uri_server.endpoint()),
        ),
        &sts,
    ));
    let e = failing.credentials().await.unwrap_err();
    record("chain failed", format!("{e} {e:?} {failing:?}"));

    let logs = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "the trace was captured"
    );
    assert!(
        logs.contains("the previous ones are used until they expire"),
        "the ECS warning is in the trace"
    );
    assert!(
        logs.contains("credentials chain: using this source"),
        "{logs}"
    );
    let found = leaks(&logs);
    assert!(found.is_empty(), "secrets in the trace: {found:?}");
    for text in &texts {
        let found = leaks(text);
        assert!(found.is_empty(), "secrets {found:?} in {text}");
    }
    eprintln!(
        "checked {} texts and {} bytes of trace",
        texts.len(),
        logs.len()
    );
}
