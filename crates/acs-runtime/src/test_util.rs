//! Test doubles for applications (feature `test-util`): the in-process stand-in server of
//! `acs-test-server`, set up for a generated client.
//!
//! A generated client's `test_util` module (its own `test-util` feature) calls these with
//! its documented samples: every action answers with its sample unless the test scripts it
//! ([`Route::action`]), every request is checked (signature, timestamp, nonce) and recorded
//! ([`TestServer::requests_for`]), like `aws-smithy-mocks` rules but on the wire.

use std::sync::Arc;
use std::time::Duration;

pub use acs_test_server::{
    Body, ProxiedRequest, ProxyProtocol, RecordedRequest, Route, ServerConfig, Step, TestProxy,
    TestServer, Then,
};

use crate::config::ConfigBuilder;
use crate::credentials::Credentials;
use crate::env::MemoryEnv;
use crate::service::Service;

/// The AccessKey id the stand-in server accepts (a made-up one).
pub const ACCESS_KEY_ID: &str = "LTAI5tTestUtilKeyId";
/// Its secret (a made-up one).
pub const ACCESS_KEY_SECRET: &str = "test-util-secret-8Hq2Lm";

/// A server configuration that checks every request's signature with the test credentials
/// and answers each action of `samples` (`(action, JSON text)`) with its sample, and any
/// other action with an empty success (`{"RequestId": ...}`). Add routes, queued steps or
/// faults to it, then start it with [`TestServer::start`].
pub fn server_config(samples: &[(&str, &str)]) -> ServerConfig {
    ServerConfig::new()
        .with_credential(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
        .with_samples(samples)
        .with_default(Step::ok(serde_json::Value::Object(Default::default())))
}

/// A configuration builder for a client of `server`: its endpoint, the test credentials,
/// an empty environment (no variable, file or proxy of the machine is read) and a backoff
/// of milliseconds; change what the test needs, then `build()`.
pub fn config_builder<S: Service>(server: &TestServer) -> ConfigBuilder<S> {
    ConfigBuilder::new()
        .env(Arc::new(MemoryEnv::new()))
        .endpoint(server.endpoint())
        .credentials(Credentials::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET))
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(5))
}
