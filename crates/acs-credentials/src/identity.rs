//! Who the chain's credentials belong to: which source answered and STS
//! `GetCallerIdentity`, without secrets (for `dataworks credentials` and similar checks).

use std::sync::Arc;

use acs_runtime::CredentialsProvider;
use serde::Serialize;
use sts::models::get_caller_identity::GetCallerIdentityResponse;

use crate::chain::DefaultChain;
use crate::error::shown_url;
use crate::sts::{STS_ATTEMPT_TIMEOUT, STS_CONNECT_TIMEOUT};
use crate::time::format_utc;

/// What [`caller_identity`] found. It holds no secret: the AccessKey id is shown (it is not
/// one), the secret and the security token are not.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallerReport {
    /// The provider that answered (`RAM role acs:ram::1:role/x via https://sts.aliyuncs.com`).
    pub provider: String,
    /// Where it is configured (`environment`, a file and profile).
    pub source: String,
    /// Its kind (`static_ak`, `ram_role_arn`, `ecs_ram_role`, ...).
    pub kind: &'static str,
    /// The sources passed over before it, and why.
    pub tried: Vec<String>,
    /// The AccessKey id the calls are signed with.
    pub access_key_id: String,
    /// Whether the credentials are temporary (they carry a security token).
    pub temporary: bool,
    /// When they expire, when the provider knows (`YYYY-MM-DDThh:mm:ssZ`).
    pub expiration: Option<String>,
    /// The STS endpoint asked.
    pub sts_endpoint: String,
    /// The answer of `GetCallerIdentity` (account, principal, ARN, identity type).
    pub identity: GetCallerIdentityResponse,
}

/// Resolves `chain` and asks STS `GetCallerIdentity` with its credentials (RPC v1 signed,
/// at the chain's STS endpoint for no region).
pub async fn caller_identity(chain: &DefaultChain) -> Result<CallerReport, acs_runtime::Error> {
    let source = chain.source().await?;
    let credentials = chain.credentials().await?;
    let endpoint = chain.config().sts_endpoint(None, None);
    let client = sts::Client::new(
        sts::Config::builder()
            .endpoint(endpoint.clone())
            .env(Arc::clone(chain.config().env()))
            .shared_credentials_provider(Arc::new(chain.clone()))
            .connect_timeout(STS_CONNECT_TIMEOUT)
            .attempt_timeout(STS_ATTEMPT_TIMEOUT)
            .user_agent_suffix(concat!("acs-credentials/", env!("CARGO_PKG_VERSION")))
            .build()?,
    );
    let identity = client.get_caller_identity().send().await?;
    Ok(CallerReport {
        provider: source.provider,
        source: source.source,
        kind: source.kind,
        tried: source.tried,
        access_key_id: credentials.access_key_id().to_string(),
        temporary: credentials.security_token().is_some(),
        expiration: chain.expiration().map(format_utc),
        sts_endpoint: shown_url(&endpoint),
        identity,
    })
}
