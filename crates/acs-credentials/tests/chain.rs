//! The default chain: order, every CLI mode and ini type, explicit profiles, failures that
//! stop it (naming the provider, its cause and what was tried), and what it reports.

mod common;

use acs_credentials::{caller_identity, DefaultChain};
use acs_runtime::env::MemoryEnv;
use acs_runtime::{CredentialsError, CredentialsProvider};
use acs_test_server::{AuthKind, Step, TestServer};
use common::*;

fn chain(env: MemoryEnv, sts: &TestServer) -> DefaultChain {
    DefaultChain::with_config(config(env, sts))
}

fn with_env_keys(env: MemoryEnv) -> MemoryEnv {
    env.with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-env")
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
}

fn with_oidc(env: MemoryEnv) -> MemoryEnv {
    env.with_var("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN)
        .with_var("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN)
        .with_var("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/secrets/token")
        .with_file("/var/run/secrets/token", OIDC_TOKEN)
}

/// The aliyun CLI config with one profile of each mode; `current` names the one in use. The
/// `External` profile's command prints its JSON with `echo` (run without a shell, the quotes
/// split like a shell's).
fn cli_config(current: &str) -> String {
    format!(
        r#"{{"current": "{current}", "profiles": [
        {{"name": "ak", "mode": "AK", "access_key_id": "LTAI-cli", "access_key_secret": "cli-secret"}},
        {{"name": "sts", "mode": "StsToken", "access_key_id": "STS.cli", "access_key_secret": "cli-secret", "sts_token": "cli-token"}},
        {{"name": "role", "mode": "RamRoleArn", "access_key_id": "{SOURCE_AK}", "access_key_secret": "{SOURCE_SECRET}",
          "ram_role_arn": "{ROLE_ARN}", "ram_session_name": "cli-session", "expired_seconds": 1800, "external_id": "ext-1"}},
        {{"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": "{ROLE2_ARN}"}},
        {{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "{ECS_ROLE}"}},
        {{"name": "oidc", "mode": "OIDC", "ram_role_arn": "{ROLE_ARN}", "oidc_provider_arn": "{OIDC_PROVIDER_ARN}", "oidc_token_file": "/var/run/secrets/token"}},
        {{"name": "ext", "mode": "External", "process_command": "echo '{{\"mode\":\"AK\",\"access_key_id\":\"LTAI-ext\",\"access_key_secret\":\"ext-secret\"}}'"}},
        {{"name": "sso", "mode": "CloudSSO"}},
        {{"name": "badrole", "mode": "RamRoleArn", "access_key_id": "{SOURCE_AK}", "access_key_secret": "{SOURCE_SECRET}", "ram_role_arn": "acs:ram::1:role/ghost"}}
    ]}}"#
    )
}

const INI_DOC: &str = "[default]\ntype = access_key\naccess_key_id = LTAI-ini\naccess_key_secret = ini-secret\n\
[role]\ntype = ram_role_arn\naccess_key_id = LTAI5tSourceKeyId\naccess_key_secret = source-secret-Zq9+/=\nrole_arn = acs:ram::1234567890123456:role/deployer\nrole_session_name = ini-session\n\
[ecs]\ntype = ecs_ram_role\nrole_name = EcsWorkerRole\n\
[oidc]\ntype = oidc_role_arn\nrole_arn = acs:ram::1234567890123456:role/deployer\noidc_provider_arn = acs:ram::1234567890123456:oidc-provider/ack-rrsa\noidc_token_file_path = /var/run/secrets/token\n\
[rsa]\ntype = rsa_key_pair\n";

async fn id(chain: &DefaultChain) -> String {
    chain
        .credentials()
        .await
        .unwrap()
        .access_key_id()
        .to_string()
}

#[tokio::test]
async fn the_official_order() {
    let sts = sts_server().await;
    let all = with_oidc(with_env_keys(env()))
        .with_file(CLI, cli_config("ak"))
        .with_file(INI, INI_DOC);
    assert_eq!(id(&chain(all, &sts)).await, "LTAI-env");
    let no_env = with_oidc(env())
        .with_file(CLI, cli_config("ak"))
        .with_file(INI, INI_DOC);
    assert_eq!(id(&chain(no_env, &sts)).await, OIDC_AK);
    let cli_ini = env()
        .with_file(CLI, cli_config("ak"))
        .with_file(INI, INI_DOC);
    assert_eq!(id(&chain(cli_ini.clone(), &sts)).await, "LTAI-cli");
    let disabled = cli_ini.with_var("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true");
    assert_eq!(id(&chain(disabled, &sts)).await, "LTAI-ini");

    // ECS: the metadata stand-in answers; then nothing reachable -> the URI.
    let imds = imds_server(
        Imds::V2Only,
        json_step(ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &in_an_hour())),
    )
    .await;
    let uri = TestServer::start(acs_test_server::ServerConfig::new().with_default(json_step(
        ecs_document(URI_AK, URI_SECRET, URI_TOKEN, &in_an_hour()),
    )))
    .await
    .unwrap();
    let ecs_env = env()
        .with_var(
            "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
            imds.endpoint(),
        )
        .with_var(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            format!("{}/creds", uri.endpoint()),
        );
    let c = chain(ecs_env.clone(), &sts);
    assert_eq!(id(&c).await, ECS_AK);
    assert_eq!(c.source().await.unwrap().kind, "ecs_ram_role");
    let unreachable = ecs_env.with_var(
        "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
        closed_endpoint(),
    );
    let c = chain(unreachable.clone(), &sts);
    assert_eq!(id(&c).await, URI_AK);
    let source = c.source().await.unwrap();
    assert_eq!(source.kind, "credentials_uri");
    assert!(
        source.tried.iter().any(|t| t.contains("not reachable")),
        "{source:?}"
    );
    let disabled = unreachable.with_var("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    let c = chain(disabled, &sts);
    assert_eq!(id(&c).await, URI_AK);
    assert!(c
        .source()
        .await
        .unwrap()
        .tried
        .iter()
        .any(|t| t.contains("ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")));
    assert_eq!(
        sts.requests()
            .iter()
            .filter(|r| r.auth == AuthKind::None)
            .count(),
        1
    );
}

#[tokio::test]
async fn every_cli_mode() {
    let sts = sts_server().await;
    let imds = imds_server(
        Imds::V2Only,
        json_step(ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &in_an_hour())),
    )
    .await;
    let base = with_oidc(env())
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "")
        .with_var(
            "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
            imds.endpoint(),
        );
    let mut expected = vec![
        ("ak", "LTAI-cli", "static_ak"),
        ("sts", "STS.cli", "static_sts"),
        ("role", ROLE_AK, "ram_role_arn"),
        ("chain", ROLE2_AK, "ram_role_arn"),
        ("ecs", ECS_AK, "ecs_ram_role"),
        ("oidc", OIDC_AK, "oidc_role_arn"),
    ];
    if cfg!(unix) {
        expected.push(("ext", "LTAI-ext", "external"));
    }
    for (profile, ak, kind) in expected {
        let env = base.clone().with_file(CLI, cli_config(profile));
        let c = chain(env, &sts);
        assert_eq!(id(&c).await, ak, "profile {profile}");
        let source = c.source().await.unwrap();
        assert_eq!(source.kind, kind, "profile {profile}");
        assert!(
            source.source.contains(CLI) && source.source.contains(profile),
            "{source:?}"
        );
    }
    let role = sts
        .requests()
        .into_iter()
        .find(|r| r.param("RoleSessionName") == Some("cli-session"))
        .unwrap();
    assert_eq!(role.param("DurationSeconds"), Some("1800"));
    assert_eq!(role.param("ExternalId"), Some("ext-1"));
    assert!(sts.requests().iter().all(|r| r.verified));
    // Another mode: a clear error naming the mode and the profile.
    let err = chain(base.with_file(CLI, cli_config("sso")), &sts)
        .credentials()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("CloudSSO") && msg.contains("\"sso\"") && msg.contains(CLI),
        "{msg}"
    );
}

#[tokio::test]
async fn every_ini_type() {
    let sts = sts_server().await;
    let imds = imds_server(
        Imds::V1Only,
        json_step(ecs_document(ECS_AK, ECS_SECRET, ECS_TOKEN, &in_an_hour())),
    )
    .await;
    let base = env()
        .with_file(INI, INI_DOC)
        .with_file("/var/run/secrets/token", OIDC_TOKEN)
        .with_var(
            "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
            imds.endpoint(),
        );
    for (section, ak, kind) in [
        ("default", "LTAI-ini", "static_ak"),
        ("role", ROLE_AK, "ram_role_arn"),
        ("ecs", ECS_AK, "ecs_ram_role"),
        ("oidc", OIDC_AK, "oidc_role_arn"),
    ] {
        let c = chain(
            base.clone().with_var("ALIBABA_CLOUD_PROFILE", section),
            &sts,
        );
        assert_eq!(id(&c).await, ak, "[{section}]");
        assert_eq!(c.source().await.unwrap().kind, kind);
    }
    let msg = chain(base.with_var("ALIBABA_CLOUD_PROFILE", "rsa"), &sts)
        .credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("rsa_key_pair") && msg.contains("[rsa]"),
        "{msg}"
    );
}

#[tokio::test]
async fn explicit_profile_skips_the_environment_and_must_exist() {
    let sts = sts_server().await;
    let env = with_env_keys(env())
        .with_file(CLI, cli_config("ak"))
        .with_file(INI, INI_DOC);
    let cfg = |profile: &str| config(env.clone(), &sts).with_profile(profile);
    assert_eq!(id(&DefaultChain::with_config(cfg("sts"))).await, "STS.cli");
    assert_eq!(id(&DefaultChain::with_config(cfg("role"))).await, ROLE_AK);
    let err = DefaultChain::with_config(cfg("ghost"))
        .credentials()
        .await
        .unwrap_err();
    assert!(
        matches!(err, CredentialsError::ProfileNotFound { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("ghost") && err.to_string().contains(INI),
        "{err}"
    );
}

#[tokio::test]
async fn a_configured_source_that_fails_stops_the_chain() {
    let sts = sts_server().await;
    // The CLI profile's role does not exist: the chain stops there, the ini is not used.
    let bad = env()
        .with_file(CLI, cli_config("badrole"))
        .with_file(INI, INI_DOC);
    sts.add_route(
        acs_test_server::Route::when("RoleArn", "acs:ram::1:role/ghost")
            .step(Step::error(
                404,
                "EntityNotExist.Role",
                "The specified Role not exists .",
            ))
            .then(acs_test_server::Then::Last),
    );
    let err = chain(bad, &sts).credentials().await.unwrap_err();
    let msg = err.to_string();
    let CredentialsError::ProviderFailed {
        provider, tried, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(
        provider.contains("acs:ram::1:role/ghost") && provider.contains("badrole"),
        "{provider}"
    );
    assert!(
        tried.iter().any(|t| t.contains("environment")) && tried.iter().any(|t| t.contains("OIDC")),
        "{tried:?}"
    );
    assert!(
        msg.contains("EntityNotExist.Role") && msg.contains("tried before"),
        "{msg}"
    );
    assert!(!msg.contains(SOURCE_SECRET));
    // A half-set environment is an error too, naming the missing variable.
    let err = chain(env_half(), &sts).credentials().await.unwrap_err();
    assert!(
        err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        "{err}"
    );
    // The metadata service answers but has no credentials: ECS stops the chain.
    let imds = imds_server(Imds::V2Only, Step::raw(404, "text/plain", "not found")).await;
    let ecs = env()
        .with_var(
            "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
            imds.endpoint(),
        )
        .with_var(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            "http://127.0.0.1:9/never-asked",
        );
    let msg = chain(ecs, &sts)
        .credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("ECS RAM role") && msg.contains("HTTP 404"),
        "{msg}"
    );
}

fn env_half() -> MemoryEnv {
    env().with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-env")
}

#[tokio::test]
async fn nothing_configured_lists_every_source() {
    let sts = sts_server().await;
    let err = chain(env(), &sts).credentials().await.unwrap_err();
    let CredentialsError::NotFound { tried } = &err else {
        panic!("{err:?}")
    };
    let all = tried.join(" | ");
    for needle in [
        "environment",
        "OIDC",
        CLI,
        INI,
        "ECS RAM role",
        "credentials URI",
    ] {
        assert!(all.contains(needle), "{needle} missing from {all}");
    }
    // The in-memory environment never defaulted to the real metadata address.
    assert!(
        all.contains("in-memory environment") && !all.contains("100.100.100.200"),
        "{all}"
    );
}

#[tokio::test]
async fn clones_share_the_resolution_and_the_cache() {
    let sts = sts_server().await;
    let c = chain(env().with_file(CLI, cli_config("role")), &sts);
    let clones: Vec<DefaultChain> = (0..8).map(|_| c.clone()).collect();
    let mut tasks = Vec::new();
    for clone in clones {
        tasks.push(tokio::spawn(async move { id(&clone).await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), ROLE_AK);
    }
    assert_eq!(sts.request_count(), 1);
}

#[tokio::test]
async fn caller_identity_reports_the_source_without_secrets() {
    let sts = sts_server().await;
    let c = chain(env().with_file(CLI, cli_config("role")), &sts);
    let report = caller_identity(&c).await.unwrap();
    assert_eq!(report.kind, "ram_role_arn");
    assert_eq!(report.access_key_id, ROLE_AK);
    assert!(report.temporary && report.expiration.is_some());
    assert_eq!(
        report.identity.identity_type.as_deref(),
        Some("AssumedRoleUser")
    );
    let gci = sts.last_request().unwrap();
    assert_eq!(gci.param("Action"), Some("GetCallerIdentity"));
    assert!(gci.verified && gci.auth == AuthKind::V1);
    assert_eq!(gci.param("SecurityToken"), Some(ROLE_TOKEN));
    let json = serde_json::to_string(&report).unwrap();
    let text = format!("{json} {report:?}");
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(
        json.contains("\"accessKeyId\"") && json.contains("\"AccountId\""),
        "{json}"
    );
}
