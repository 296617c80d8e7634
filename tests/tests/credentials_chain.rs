//! The generated DataWorks client on the default credentials chain: a RAM-role profile
//! assumed through the STS stand-in, single-flight refresh under 1,000 concurrent calls on
//! one client (and its clones), and the hermetic test environment (no test reaches the real
//! ECS metadata service).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use acs_runtime::{CredentialsProvider, MemoryEnv};
use acs_test_server::{Route, ServerConfig, Step, TestServer, Then};
use dataworks_public::credentials::{DefaultChain, ManualTimeSource, ProviderConfig};
use dataworks_public::{Client, Config};
use serde_json::json;

const SOURCE_AK: &str = "LTAI5tChainSourceKey";
const SOURCE_SECRET: &str = "chain-source-secret-Aa1";
const ROLE_ARN: &str = "acs:ram::1234567890123456:role/dataworks";
const ROLE_AK: &str = "STS.ChainRoleKey";
const ROLE_SECRET: &str = "chain-role-secret-Bb2";
const ROLE_TOKEN: &str = "CAIS/chain+role==";

fn utc(t: SystemTime) -> String {
    acs_sign::clock::format_timestamp(t)
}

async fn sts() -> TestServer {
    TestServer::start(
        ServerConfig::new()
            .with_credential(SOURCE_AK, SOURCE_SECRET)
            .with_route(
                Route::when("Action", "AssumeRole")
                    .and("RoleArn", ROLE_ARN)
                    .step(Step::ok(json!({
                        "RequestId": null,
                        "Credentials": {
                            "AccessKeyId": ROLE_AK,
                            "AccessKeySecret": ROLE_SECRET,
                            "SecurityToken": ROLE_TOKEN,
                            "Expiration": utc(SystemTime::now() + Duration::from_secs(3600)),
                        }
                    })))
                    .then(Then::Last),
            ),
    )
    .await
    .expect("STS stand-in")
}

fn env() -> MemoryEnv {
    MemoryEnv::new().with_home("/home/u").with_file(
        "/home/u/.aliyun/config.json",
        json!({"current": "role", "profiles": [{"name": "role", "mode": "RamRoleArn",
            "access_key_id": SOURCE_AK, "access_key_secret": SOURCE_SECRET, "ram_role_arn": ROLE_ARN}]})
        .to_string(),
    )
}

async fn dataworks() -> TestServer {
    TestServer::start(
        ServerConfig::new()
            .with_credential(ROLE_AK, ROLE_SECRET)
            .with_security_token(ROLE_TOKEN)
            .with_max_connections(1100),
    )
    .await
    .expect("DataWorks stand-in")
}

#[tokio::test]
async fn the_client_uses_the_chain_with_the_configured_sts_endpoint() {
    let (sts, dw) = (sts().await, dataworks().await);
    let config = Config::builder()
        .env(Arc::new(env()))
        .endpoint(dw.endpoint())
        .sts_endpoint(sts.endpoint())
        .build()
        .unwrap();
    let client = Client::new(config);
    client
        .get_deployment()
        .deployment_id(1)
        .project_id(10000)
        .send()
        .await
        .unwrap();
    client
        .clone()
        .get_deployment()
        .deployment_id(2)
        .project_id(10000)
        .send()
        .await
        .unwrap();
    assert_eq!(sts.request_count(), 1, "clones share the chain's cache");
    assert!(dw.requests().iter().all(|r| r.verified));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_with_expired_credentials_cause_one_sts_call() {
    let (sts, dw) = (sts().await, dataworks().await);
    let clock = ManualTimeSource::new(SystemTime::now());
    let chain = DefaultChain::with_config(
        ProviderConfig::new(Arc::new(env()))
            .with_sts_endpoint(sts.endpoint())
            .with_time_source(clock.clone()),
    );
    let client = Client::new(
        Config::builder()
            .env(Arc::new(MemoryEnv::new()))
            .endpoint(dw.endpoint())
            .credentials_provider(chain)
            .max_attempts(1)
            .attempt_timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    );
    client
        .get_deployment()
        .deployment_id(1)
        .project_id(10000)
        .send()
        .await
        .unwrap();
    assert_eq!(sts.request_count(), 1);
    // 50 minutes later the credentials are due for a refresh (15 minutes before expiry).
    clock.advance(Duration::from_secs(50 * 60));
    let mut calls = Vec::new();
    for i in 0..1000 {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            client
                .get_deployment()
                .deployment_id(i)
                .project_id(10000)
                .send()
                .await
        }));
    }
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        sts.request_count(),
        2,
        "one refresh for 1,000 concurrent calls"
    );
    assert_eq!(dw.request_count(), 1001);
    assert!(dw.requests().iter().all(|r| r.verified));
}

/// The workspace's `.cargo/config.toml` disables the ECS source for every process cargo
/// runs, and in-memory environments never default to the real metadata address: the
/// chain below (the process environment, nothing configured) lists ECS as skipped without
/// contacting anything.
#[tokio::test]
async fn no_test_can_reach_the_real_metadata_service() {
    assert_eq!(
        std::env::var("ALIBABA_CLOUD_ECS_METADATA_DISABLED").as_deref(),
        Ok("true"),
        "run the tests with cargo in this workspace (.cargo/config.toml sets it)"
    );
    // An in-memory environment never defaults to the real metadata address.
    let chain = DefaultChain::with_config(ProviderConfig::new(Arc::new(
        MemoryEnv::new().with_home("/nonexistent-home"),
    )));
    let err = chain.credentials().await.unwrap_err().to_string();
    assert!(err.contains("in-memory environment"), "{err}");
    // A real environment (not a sandbox) in a process cargo started skips the ECS source. It
    // sees only the process's ECS switch: a developer's own credentials, profiles or
    // credentials URI would make the chain call STS or another host.
    let chain = DefaultChain::with_config(ProviderConfig::new(Arc::new(EcsSwitchOnly)));
    let err = chain.credentials().await.unwrap_err().to_string();
    assert!(
        err.contains("ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"),
        "{err}"
    );
}

/// The process environment as the ECS source sees it, and nothing else: no other variable,
/// no file, no home directory; not a sandbox, so the real metadata address would be used
/// unless the process disables the source.
#[derive(Debug)]
struct EcsSwitchOnly;

impl acs_runtime::Env for EcsSwitchOnly {
    fn var(&self, name: &str) -> Option<String> {
        (name == "ALIBABA_CLOUD_ECS_METADATA_DISABLED")
            .then(|| std::env::var(name).ok())
            .flatten()
    }

    fn read_file(&self, path: &std::path::Path) -> std::io::Result<String> {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not read by this test", path.display()),
        ))
    }

    fn home_dir(&self) -> Option<std::path::PathBuf> {
        None
    }
}
