//! Shared by the integration tests: a test service, a hand-written model, config helpers.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use acs_model::{FieldSource, Object};
use acs_runtime::{
    BusinessStatus, Client, Config, ConfigBuilder, Credentials, Error, ErrorCodeInfo, MemoryEnv,
    OperationRequest, Service, ServiceInfo,
};
use acs_test_server::{ServerConfig, TestServer};

pub const AK: &str = "LTAI5tRUNTIMETEST";
pub const SECRET: &str = "runtime-test-secret-0123456789";
pub const TOKEN: &str = "CAIS/sts+token==value&more";

/// The product under test.
pub struct TestSvc;

impl Service for TestSvc {
    const INFO: ServiceInfo = ServiceInfo {
        product: "dataworks-public",
        version: "2020-05-18",
        endpoint_map: &[
            ("cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com"),
            ("cn-qingdao", "dataworks.aliyuncs.com"),
        ],
        endpoint_fallback: "dataworks.{region}.aliyuncs.com",
        error_codes: &[
            ErrorCodeInfo::new("Throttling.User", 429, true),
            ErrorCodeInfo::new("Resource.Busy", 409, true),
            ErrorCodeInfo::new("Gateway.Overloaded", 503, true).rejected_before_processing(),
        ],
        sdk_name: "test-sdk",
        sdk_version: "9.9.9",
    };
}

/// A hand-written model like the generated ones: `Data.Value` and the business envelope
/// (`Success`, `ErrorCode`, `ErrorMessage`, `HttpStatusCode`, `RequestId`).
#[derive(Debug, Default, PartialEq)]
pub struct Out {
    pub data: Option<Data>,
    pub ok: Option<bool>,
    pub status: Option<i32>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub id: Option<String>,
}

impl Object for Out {
    fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
        match name {
            "Data" => f.object(&mut self.data),
            "Success" => f.scalar(&mut self.ok),
            "HttpStatusCode" => f.scalar(&mut self.status),
            "ErrorCode" => f.scalar(&mut self.code),
            "ErrorMessage" => f.scalar(&mut self.message),
            "RequestId" => f.scalar(&mut self.id),
            _ => f.skip(),
        }
    }
}

/// `Data` of [`Out`].
#[derive(Debug, Default, PartialEq)]
pub struct Data {
    pub value: Option<i64>,
}

impl Object for Data {
    fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
        match name {
            "Value" => f.scalar(&mut self.value),
            _ => f.skip(),
        }
    }
}

/// The business status of an [`Out`], as generated code reads it.
pub fn status_of(out: &Out) -> BusinessStatus<'_> {
    let Out {
        ok,
        status,
        code,
        message,
        id,
        ..
    } = out;
    BusinessStatus {
        success: *ok,
        code: code.as_deref(),
        message: message.as_deref(),
        http_status: *status,
        request_id: id.as_deref(),
    }
}

pub fn ok_body() -> serde_json::Value {
    serde_json::json!({"RequestId": null, "Success": true, "HttpStatusCode": 200, "Data": {"Value": 42}})
}

/// A verifying server for AK/SECRET answering `ok_body()` by default.
pub fn server_config() -> ServerConfig {
    ServerConfig::new()
        .with_credential(AK, SECRET)
        .with_api("GetDeployment", "2020-05-18")
        .with_default(acs_test_server::Step::ok(ok_body()))
        .with_lifetime(Duration::from_secs(60))
}

pub async fn start(config: ServerConfig) -> TestServer {
    TestServer::start(config).await.expect("test server starts")
}

/// Config against `server`, fast backoff, no process environment.
pub fn builder(server: &TestServer) -> ConfigBuilder<TestSvc> {
    Config::<TestSvc>::builder()
        .endpoint(server.endpoint())
        .credentials(Credentials::new(AK, SECRET))
        .env(Arc::new(MemoryEnv::new()))
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(20))
        .attempt_timeout(Duration::from_secs(5))
}

pub fn client(builder: ConfigBuilder<TestSvc>) -> Client<TestSvc> {
    Client::new(builder.build().expect("config builds"))
}

pub fn get_deployment() -> OperationRequest {
    let mut req = OperationRequest::new("GetDeployment");
    req.form("DeploymentId", 3000001i64.to_string());
    req.form("ProjectId", "10000".to_string());
    // A read: retried after every transient failure.
    req.set_idempotency(acs_runtime::Idempotency::Safe);
    req
}

pub async fn call(client: &Client<TestSvc>) -> Result<Out, Error> {
    client.invoke(get_deployment(), status_of).await
}
