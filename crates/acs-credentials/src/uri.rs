//! Credentials served by a URL (`ALIBABA_CLOUD_CREDENTIALS_URI`): `GET` answering
//! `{Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration}`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use acs_runtime::credentials::{CredentialsFuture, CredentialsProvider};
use acs_runtime::CredentialsError;

use crate::cache::{CredentialsCache, Expiring, OnRefreshFailure};
use crate::config::ProviderConfig;
use crate::ecs::parse_credentials_document;
use crate::error::{shown_url, FetchError};

/// Connect timeout of a credentials URI (the official libraries': 5 s).
pub const URI_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Whole-request timeout of a credentials URI (the official libraries' read timeout: 10 s).
pub const URI_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BODY: usize = 64 * 1024;

/// Credentials from a URL, cached until 15 minutes before they expire. The URL's query may
/// carry a token: it is never logged or shown in errors.
#[derive(Debug, Clone)]
pub struct UriProvider {
    cache: CredentialsCache,
    inner: Arc<Uri>,
}

struct Uri {
    http: reqwest::Client,
    url: reqwest::Url,
    description: String,
}

impl std::fmt::Debug for Uri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The query may carry a token.
        f.debug_struct("Uri")
            .field("url", &shown_url(self.url.as_str()))
            .finish_non_exhaustive()
    }
}

impl UriProvider {
    /// The provider for `url` (`http` or `https`).
    pub fn new(url: &str, config: &ProviderConfig) -> Result<Self, CredentialsError> {
        let description = format!("credentials URI {}", shown_url(url));
        let invalid = |message: String| CredentialsError::Invalid {
            location: description.clone(),
            message,
        };
        let parsed =
            reqwest::Url::parse(url.trim()).map_err(|e| invalid(format!("not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || !parsed.has_host() {
            return Err(invalid("expected an http:// or https:// URL".into()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(URI_CONNECT_TIMEOUT)
            .timeout(URI_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| invalid(format!("cannot create the HTTP client: {e}")))?;
        Ok(UriProvider {
            cache: config.cache(&description, OnRefreshFailure::Fail),
            inner: Arc::new(Uri {
                http,
                url: parsed,
                description,
            }),
        })
    }

    /// `credentials URI <url without query>`.
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// When the cached credentials expire.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.cache.expiration()
    }
}

impl Uri {
    async fn fetch(&self) -> Result<Expiring, FetchError> {
        let shown = shown_url(self.url.as_str());
        let transport = |e: reqwest::Error| {
            if e.is_connect() {
                FetchError::Unreachable {
                    url: shown.clone(),
                    message: "connection failed".into(),
                }
            } else if e.is_timeout() {
                FetchError::Http {
                    url: shown.clone(),
                    message: format!("no answer within {URI_TIMEOUT:?}"),
                }
            } else {
                FetchError::Http {
                    url: shown.clone(),
                    message: format!("request failed: {}", e.without_url()),
                }
            }
        };
        let response = self
            .http
            .get(self.url.clone())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            // Only the error's Code and Message are shown: the body may echo credentials.
            let detail = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .map(|v| {
                    let field = |k: &str| v.get(k).and_then(|c| c.as_str()).map(str::to_string);
                    match (field("Code"), field("Message")) {
                        (Some(c), Some(m)) => format!(" ({c}: {m})"),
                        (Some(c), None) => format!(" ({c})"),
                        _ => String::new(),
                    }
                })
                .unwrap_or_default();
            return Err(FetchError::Http {
                url: shown,
                message: format!("HTTP {}{detail}", status.as_u16()),
            });
        }
        if body.len() > MAX_BODY {
            return Err(FetchError::InvalidResponse {
                source_name: shown,
                message: format!("the answer is larger than {MAX_BODY} bytes"),
            });
        }
        let text = String::from_utf8_lossy(&body);
        parse_credentials_document(&text, &shown)
    }
}

impl CredentialsProvider for UriProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        self.cache
            .provide(&self.inner.description, || self.inner.fetch())
    }
}
