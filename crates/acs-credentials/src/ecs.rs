//! The ECS instance's RAM role, from the instance metadata service: IMDSv2 (a session
//! token from `PUT /latest/api/token`, sent on every GET), falling back to IMDSv1 unless
//! `ALIBABA_CLOUD_IMDSV1_DISABLED=true`; 1 s timeouts.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use acs_runtime::credentials::{
    env_flag, CredentialsFuture, CredentialsProvider, ENV_ECS_METADATA, ENV_IMDSV1_DISABLED,
};
use acs_runtime::{Credentials, CredentialsError};
use acs_sign::SecretString;

use crate::cache::{CredentialsCache, Expiring, OnRefreshFailure};
use crate::config::{non_empty, ProviderConfig};
use crate::error::FetchError;
use crate::time::parse_utc;

/// Connect timeout of metadata requests (as in the official libraries).
pub const ECS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Read timeout of metadata requests (as in the official libraries).
pub const ECS_READ_TIMEOUT: Duration = Duration::from_secs(1);
/// Lifetime asked for an IMDSv2 session token (6 hours, as in the official libraries).
pub const IMDS_TOKEN_TTL_SECONDS: u32 = 21_600;

const TOKEN_PATH: &str = "/latest/api/token";
const ROLES_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";

/// Credentials of the instance's RAM role, cached; a failed refresh keeps serving the
/// previous credentials until they really expire (with a warning in the trace).
#[derive(Debug, Clone)]
pub struct EcsRamRoleProvider {
    cache: CredentialsCache,
    inner: Arc<Ecs>,
}

#[derive(Debug)]
struct Ecs {
    http: reqwest::Client,
    endpoint: String,
    role_name: Option<String>,
    imdsv1_disabled: bool,
    description: String,
}

impl EcsRamRoleProvider {
    /// The provider for the metadata service at `endpoint` (such as
    /// `http://100.100.100.200`). `role_name` (else `ALIBABA_CLOUD_ECS_METADATA`) skips
    /// asking the service for it.
    pub fn new(
        endpoint: &str,
        role_name: Option<String>,
        config: &ProviderConfig,
    ) -> Result<Self, CredentialsError> {
        let env = config.env().as_ref();
        let role_name = role_name.or_else(|| non_empty(env.var(ENV_ECS_METADATA)));
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let description = match &role_name {
            Some(role) => format!("ECS RAM role {role} at {endpoint}"),
            None => format!("ECS RAM role at {endpoint}"),
        };
        if let Some(role) = &role_name {
            if !role
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            {
                return Err(CredentialsError::Invalid {
                    location: description,
                    message: "a RAM role name has only letters, digits, '-', '_' and '.'".into(),
                });
            }
        }
        let http = reqwest::Client::builder()
            .connect_timeout(ECS_CONNECT_TIMEOUT)
            .read_timeout(ECS_READ_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| CredentialsError::Invalid {
                location: description.clone(),
                message: format!("cannot create the HTTP client: {e}"),
            })?;
        Ok(EcsRamRoleProvider {
            cache: config.cache(&description, OnRefreshFailure::ServeUntilExpiry),
            inner: Arc::new(Ecs {
                http,
                endpoint,
                role_name,
                imdsv1_disabled: env_flag(env, ENV_IMDSV1_DISABLED),
                description,
            }),
        })
    }

    /// `ECS RAM role [<name>] at <endpoint>`.
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// Whether the role name was given (by the profile or `ALIBABA_CLOUD_ECS_METADATA`).
    pub fn has_role_name(&self) -> bool {
        self.inner.role_name.is_some()
    }

    /// When the cached credentials expire.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.cache.expiration()
    }
}

impl CredentialsProvider for EcsRamRoleProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        self.cache
            .provide(&self.inner.description, || self.inner.fetch())
    }
}

/// The body of a metadata answer (at most this much is read).
const MAX_BODY: usize = 64 * 1024;

impl Ecs {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoint)
    }

    fn transport_error(&self, path: &str, e: reqwest::Error) -> FetchError {
        let url = self.url(path);
        if e.is_connect() {
            FetchError::Unreachable {
                url,
                message: if e.is_timeout() {
                    format!("no connection within {ECS_CONNECT_TIMEOUT:?}")
                } else {
                    "connection failed".into()
                },
            }
        } else if e.is_timeout() {
            FetchError::Http {
                url,
                message: format!("no answer within {ECS_READ_TIMEOUT:?}"),
            }
        } else {
            FetchError::Http {
                url,
                message: format!("request failed: {}", e.without_url()),
            }
        }
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        path: &str,
    ) -> Result<String, FetchError> {
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        if !status.is_success() {
            return Err(FetchError::Http {
                url: self.url(path),
                message: format!("HTTP {}", status.as_u16()),
            });
        }
        if body.len() > MAX_BODY {
            return Err(FetchError::InvalidResponse {
                source_name: self.url(path),
                message: format!("the answer is larger than {MAX_BODY} bytes"),
            });
        }
        String::from_utf8(body.to_vec()).map_err(|_| FetchError::InvalidResponse {
            source_name: self.url(path),
            message: "the answer is not UTF-8".into(),
        })
    }

    /// An IMDSv2 session token; `None` to go on with IMDSv1 (the service refused to issue
    /// one and IMDSv1 is allowed). An unreachable service is an error either way.
    async fn token(&self) -> Result<Option<SecretString>, FetchError> {
        let request = self
            .http
            .put(self.url(TOKEN_PATH))
            .header(TOKEN_TTL_HEADER, IMDS_TOKEN_TTL_SECONDS.to_string());
        match self.send(request, TOKEN_PATH).await {
            Ok(token) if !token.trim().is_empty() => {
                Ok(Some(SecretString::new(token.trim().to_string())))
            }
            Ok(_) if self.imdsv1_disabled => Err(FetchError::InvalidResponse {
                source_name: self.url(TOKEN_PATH),
                message: format!("an empty IMDSv2 token, and {ENV_IMDSV1_DISABLED}=true"),
            }),
            Ok(_) => Ok(None),
            Err(e @ FetchError::Unreachable { .. }) => Err(e),
            Err(e) if self.imdsv1_disabled => Err(e),
            Err(e) => {
                tracing::debug!(error = %e, "no IMDSv2 token; falling back to IMDSv1");
                Ok(None)
            }
        }
    }

    /// GET with the token; without it (IMDSv1) when that fails and IMDSv1 is allowed.
    async fn get(&self, path: &str, token: Option<&SecretString>) -> Result<String, FetchError> {
        let request = |token: Option<&SecretString>| {
            let request = self.http.get(self.url(path));
            match token {
                Some(t) => request.header(TOKEN_HEADER, t.expose()),
                None => request,
            }
        };
        match self.send(request(token), path).await {
            Err(e) if token.is_some() && !self.imdsv1_disabled => {
                tracing::debug!(error = %e, "IMDSv2 request failed; retrying with IMDSv1");
                // The service issued a token, so the IMDSv2 failure is the one to report.
                self.send(request(None), path).await.map_err(|v1| {
                    tracing::debug!(error = %v1, "the IMDSv1 retry failed too");
                    e
                })
            }
            other => other,
        }
    }

    async fn fetch(&self) -> Result<Expiring, FetchError> {
        let token = self.token().await?;
        let role = match &self.role_name {
            Some(role) => role.clone(),
            None => {
                let listed = self.get(ROLES_PATH, token.as_ref()).await?;
                let role = listed.lines().next().unwrap_or_default().trim().to_string();
                if role.is_empty()
                    || !role
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                {
                    return Err(FetchError::InvalidResponse {
                        source_name: self.url(ROLES_PATH),
                        message: "no RAM role name (is a RAM role attached to the instance?)"
                            .into(),
                    });
                }
                role
            }
        };
        let path = format!("{ROLES_PATH}{role}");
        let body = self.get(&path, token.as_ref()).await?;
        parse_credentials_document(&body, &self.url(&path))
    }
}

/// `{Code: "Success", AccessKeyId, AccessKeySecret, SecurityToken, Expiration}`, the
/// document of the ECS metadata service and of a credentials URI. Errors name the field,
/// never a value.
pub(crate) fn parse_credentials_document(body: &str, from: &str) -> Result<Expiring, FetchError> {
    let invalid = |message: String| FetchError::InvalidResponse {
        source_name: from.to_string(),
        message,
    };
    let doc: serde_json::Value = serde_json::from_str(body).map_err(|e| {
        invalid(format!(
            "not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let text = |key: &str| {
        doc.get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match text("Code") {
        Some("Success") => {}
        Some(code) if code.len() <= 64 => {
            return Err(invalid(format!("Code is {code:?}, not \"Success\"")))
        }
        Some(_) => return Err(invalid("Code is not \"Success\"".into())),
        None => return Err(invalid("Code is missing".into())),
    }
    let need = |key: &str| text(key).ok_or_else(|| invalid(format!("{key} is missing")));
    let id = need("AccessKeyId")?;
    let secret = need("AccessKeySecret")?;
    let token = need("SecurityToken")?;
    let expiration = need("Expiration")?;
    let expiration = parse_utc(expiration)
        .ok_or_else(|| invalid("Expiration is not a UTC time (YYYY-MM-DDThh:mm:ssZ)".into()))?;
    Ok(Expiring {
        credentials: Credentials::new(id, secret).with_security_token(token),
        expiration: Some(expiration),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_documents() {
        let ok = r#"{"Code":"Success","AccessKeyId":"STS.a","AccessKeySecret":"SECRET1","SecurityToken":"TOKEN1","Expiration":"2030-01-01T00:00:00Z","LastUpdated":"x"}"#;
        let e = parse_credentials_document(ok, "http://m/").unwrap();
        assert_eq!(e.credentials.access_key_id(), "STS.a");
        assert_eq!(e.credentials.security_token(), Some("TOKEN1"));
        for (doc, needle) in [
            (r#"{"Code":"Failed","AccessKeySecret":"SECRET1"}"#, "Failed"),
            (
                r#"{"AccessKeyId":"a","AccessKeySecret":"SECRET1"}"#,
                "Code is missing",
            ),
            (
                r#"{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"SECRET1","Expiration":"2030-01-01T00:00:00Z"}"#,
                "SecurityToken",
            ),
            (
                r#"{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"SECRET1","SecurityToken":"TOKEN1","Expiration":"tomorrow"}"#,
                "Expiration",
            ),
            ("SECRET1 not json", "not JSON"),
        ] {
            let msg = parse_credentials_document(doc, "http://m/")
                .unwrap_err()
                .to_string();
            assert!(msg.contains(needle), "{msg}");
            assert!(!msg.contains("SECRET1") && !msg.contains("TOKEN1"), "{msg}");
        }
    }
}
