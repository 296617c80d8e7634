//! Calls through the generated `dataworks-public` client against `acs-test-server`: a hermetic
//! configuration, the standard `GetDeployment` call, and checks of what the server recorded.

use std::sync::Arc;
use std::time::Duration;

use acs_runtime::MemoryEnv;
use acs_test_server::RecordedRequest;
use dataworks_public::models::GetDeploymentResponse;
use dataworks_public::{Client, Config, ConfigBuilder, Credentials, Error};

/// A configuration for `endpoint` with `credentials`, hermetic (an empty environment, so no
/// variable or file of the machine is read) and with millisecond retry backoff.
pub fn hermetic_config(endpoint: &str, credentials: Credentials) -> ConfigBuilder {
    Config::builder()
        .env(Arc::new(MemoryEnv::new()))
        .endpoint(endpoint)
        .credentials(credentials)
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(5))
}

/// `GetDeployment` of deployment 3000001 in project 10000.
pub async fn get_deployment(client: &Client) -> Result<GetDeploymentResponse, Error> {
    client
        .get_deployment()
        .project_id(10000)
        .deployment_id(3000001)
        .send()
        .await
}

/// The nonce of a recorded request (V3 header or v1 parameter).
pub fn nonce(r: &RecordedRequest) -> String {
    r.header("x-acs-signature-nonce")
        .or_else(|| r.param("SignatureNonce"))
        .expect("the request carries a nonce")
        .to_string()
}

/// Every request passed the server's signature verification and was not rejected.
pub fn assert_verified(reqs: &[RecordedRequest]) {
    for r in reqs {
        assert!(
            r.verified && !r.rejected,
            "request {} was not verified: {:?} {:?}",
            r.seq,
            r.error_code,
            r.error_message
        );
    }
}

/// A parameter of the URL query string of a recorded request.
pub fn query_param<'a>(r: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    r.query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The parameters a request sends, as `(name, value, location)`, in the order it writes them.
pub fn wire_pairs<R: acs_runtime::acs_model::Request>(
    request: &R,
) -> Vec<(String, String, acs_runtime::acs_model::ParamLocation)> {
    request
        .to_params()
        .into_iter()
        .map(|p| (p.name.into_owned(), p.value, p.location))
        .collect()
}
