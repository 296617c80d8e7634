//! Loopback stand-ins for STS, the ECS metadata service and a credentials URI, and
//! environments that never reach a real host.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use acs_credentials::ProviderConfig;
use acs_runtime::env::{Env, MemoryEnv};
use acs_test_server::{Route, ServerConfig, Step, TestServer, Then};
use serde_json::json;

/// The source AccessKey that signs AssumeRole (a RAM user's).
pub const SOURCE_AK: &str = "LTAI5tSourceKeyId";
pub const SOURCE_SECRET: &str = "source-secret-Zq9+/=";
/// What the STS stand-in issues.
pub const ROLE_AK: &str = "STS.RoleKeyId";
pub const ROLE_SECRET: &str = "role-secret-Xy7+/=";
pub const ROLE_TOKEN: &str = "CAIS/role+token==";
pub const ROLE_ARN: &str = "acs:ram::1234567890123456:role/deployer";
/// A second role, assumed with the first one's credentials (ChainableRamRoleArn).
pub const ROLE2_AK: &str = "STS.SecondRoleKeyId";
pub const ROLE2_SECRET: &str = "second-secret-Wv5+/=";
pub const ROLE2_TOKEN: &str = "CAIS/second+token==";
pub const ROLE2_ARN: &str = "acs:ram::1234567890123456:role/second";
/// OIDC.
pub const OIDC_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.oidc-token-payload.sig";
pub const OIDC_PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/ack-rrsa";
pub const OIDC_AK: &str = "STS.OidcKeyId";
pub const OIDC_SECRET: &str = "oidc-secret-Uu3+/=";
pub const OIDC_STS_TOKEN: &str = "CAIS/oidc+token==";
/// ECS metadata.
pub const IMDS_TOKEN: &str = "imds-session-token-Tt1";
pub const ECS_ROLE: &str = "EcsWorkerRole";
pub const ECS_AK: &str = "STS.EcsKeyId";
pub const ECS_SECRET: &str = "ecs-secret-Ss2+/=";
pub const ECS_TOKEN: &str = "CAIS/ecs+token==";
/// Credentials URI.
pub const URI_AK: &str = "STS.UriKeyId";
pub const URI_SECRET: &str = "uri-secret-Rr4+/=";
pub const URI_TOKEN: &str = "CAIS/uri+token==";

/// Every secret of the stand-ins (for the secrecy checks).
pub const SECRETS: &[&str] = &[
    SOURCE_SECRET,
    ROLE_SECRET,
    ROLE_TOKEN,
    ROLE2_SECRET,
    ROLE2_TOKEN,
    OIDC_TOKEN,
    OIDC_SECRET,
    OIDC_STS_TOKEN,
    IMDS_TOKEN,
    ECS_SECRET,
    ECS_TOKEN,
    URI_SECRET,
    URI_TOKEN,
];

/// `YYYY-MM-DDThh:mm:ssZ`.
pub fn utc(t: SystemTime) -> String {
    acs_sign::clock::format_timestamp(t)
}

pub fn in_an_hour() -> String {
    utc(SystemTime::now() + Duration::from_secs(3600))
}

pub fn sts_credentials(ak: &str, secret: &str, token: &str, expiration: &str) -> Step {
    Step::ok(json!({
        "RequestId": null,
        "AssumedRoleUser": {"Arn": "acs:ram::1234567890123456:role/deployer/session", "AssumedRoleId": "3000:session"},
        "Credentials": {
            "AccessKeyId": ak,
            "AccessKeySecret": secret,
            "SecurityToken": token,
            "Expiration": expiration,
        }
    }))
}

/// An STS stand-in that verifies RPC v1 signatures (the source AccessKey and the first
/// role's temporary key are known), accepts AssumeRoleWithOIDC unsigned, and answers
/// AssumeRole for [`ROLE_ARN`] and [`ROLE2_ARN`], AssumeRoleWithOIDC and GetCallerIdentity.
pub async fn sts_server() -> TestServer {
    let expiration = in_an_hour();
    TestServer::start(
        ServerConfig::new()
            .with_credential(SOURCE_AK, SOURCE_SECRET)
            .with_credential(ROLE_AK, ROLE_SECRET)
            .with_credential(OIDC_AK, OIDC_SECRET)
            .with_credential(ECS_AK, ECS_SECRET)
            .with_anonymous_action("AssumeRoleWithOIDC")
            .with_host_id("sts.aliyuncs.com")
            .with_product("Sts")
            .with_route(
                Route::when("Action", "AssumeRole")
                    .and("RoleArn", ROLE_ARN)
                    .step(sts_credentials(
                        ROLE_AK,
                        ROLE_SECRET,
                        ROLE_TOKEN,
                        &expiration,
                    ))
                    .then(Then::Last),
            )
            .with_route(
                Route::when("Action", "AssumeRole")
                    .and("RoleArn", ROLE2_ARN)
                    .step(sts_credentials(
                        ROLE2_AK,
                        ROLE2_SECRET,
                        ROLE2_TOKEN,
                        &expiration,
                    ))
                    .then(Then::Last),
            )
            .with_route(
                Route::when("Action", "AssumeRoleWithOIDC")
                    .and("OIDCToken", OIDC_TOKEN)
                    .step(sts_credentials(
                        OIDC_AK,
                        OIDC_SECRET,
                        OIDC_STS_TOKEN,
                        &expiration,
                    ))
                    .then(Then::Last),
            )
            .with_route(
                Route::when("Action", "AssumeRoleWithOIDC")
                    .step(Step::error(
                        400,
                        "AuthenticationFail.OIDCToken.Invalid",
                        "The OIDC token is invalid.",
                    ))
                    .then(Then::Last),
            )
            .with_route(
                Route::when("Action", "GetCallerIdentity")
                    .step(Step::ok(json!({
                        "RequestId": null,
                        "AccountId": "1234567890123456",
                        "Arn": "acs:ram::1234567890123456:role/deployer/session",
                        "IdentityType": "AssumedRoleUser",
                        "PrincipalId": "3000:session",
                        "RoleId": "3000",
                    })))
                    .then(Then::Last),
            )
            .with_default(Step::error(
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            )),
    )
    .await
    .expect("STS stand-in")
}

pub fn ecs_document(ak: &str, secret: &str, token: &str, expiration: &str) -> String {
    json!({
        "Code": "Success",
        "AccessKeyId": ak,
        "AccessKeySecret": secret,
        "SecurityToken": token,
        "Expiration": expiration,
        "LastUpdated": utc(SystemTime::now()),
    })
    .to_string()
}

/// How the metadata stand-in behaves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Imds {
    /// IMDSv2 only: GETs without the session token get 401.
    V2Only,
    /// IMDSv1 only: the token PUT gets 403 (the hardened-mode switch is off).
    V1Only,
}

pub fn credentials_path(role: &str) -> String {
    format!("/latest/meta-data/ram/security-credentials/{role}")
}

/// An ECS metadata stand-in for role [`ECS_ROLE`].
pub async fn imds_server(mode: Imds, document: Step) -> TestServer {
    let roles = "/latest/meta-data/ram/security-credentials/";
    let mut config = ServerConfig::new();
    config = match mode {
        Imds::V2Only => config
            .with_route(
                Route::path("/latest/api/token")
                    .and_method("PUT")
                    .and_header("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")
                    .step(Step::raw(200, "text/plain", IMDS_TOKEN))
                    .then(Then::Last),
            )
            .with_route(
                Route::path(roles)
                    .and_header("X-aliyun-ecs-metadata-token", IMDS_TOKEN)
                    .step(Step::raw(200, "text/plain", ECS_ROLE))
                    .then(Then::Last),
            )
            .with_route(
                Route::path(credentials_path(ECS_ROLE))
                    .and_header("X-aliyun-ecs-metadata-token", IMDS_TOKEN)
                    .step(document)
                    .then(Then::Last),
            ),
        Imds::V1Only => config
            .with_route(
                Route::path("/latest/api/token")
                    .step(Step::raw(403, "text/plain", "forbidden"))
                    .then(Then::Last),
            )
            .with_route(
                Route::path(roles)
                    .step(Step::raw(200, "text/plain", ECS_ROLE))
                    .then(Then::Last),
            )
            .with_route(
                Route::path(credentials_path(ECS_ROLE))
                    .step(document)
                    .then(Then::Last),
            ),
    };
    TestServer::start(config.with_default(Step::raw(401, "text/plain", "unauthorized")))
        .await
        .expect("metadata stand-in")
}

pub fn json_step(body: String) -> Step {
    Step::raw(200, "application/json", body)
}

/// An address where nothing listens (connections are refused at once).
pub fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// An in-memory environment with a home directory.
pub fn env() -> MemoryEnv {
    MemoryEnv::new().with_home("/home/u")
}

pub const CLI: &str = "/home/u/.aliyun/config.json";
pub const INI: &str = "/home/u/.alibabacloud/credentials.ini";

pub fn config(env: MemoryEnv, sts: &TestServer) -> ProviderConfig {
    ProviderConfig::new(Arc::new(env)).with_sts_endpoint(sts.endpoint())
}

/// Variables in memory, files on disk (for an OIDC token file that changes).
#[derive(Debug, Clone)]
pub struct DiskEnv {
    vars: Arc<Mutex<HashMap<String, String>>>,
}

impl DiskEnv {
    pub fn new(vars: &[(&str, &str)]) -> Self {
        DiskEnv {
            vars: Arc::new(Mutex::new(
                vars.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )),
        }
    }
}

impl Env for DiskEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.lock().unwrap().get(name).cloned()
    }
    fn read_file(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
    fn home_dir(&self) -> Option<PathBuf> {
        None
    }
    fn is_sandbox(&self) -> bool {
        true
    }
}

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let n: u64 = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        let dir = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
