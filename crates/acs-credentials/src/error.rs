//! Why a provider could not fetch credentials: the cause inside
//! [`CredentialsError::ProviderFailed`](acs_runtime::CredentialsError::ProviderFailed).
//! Messages name URLs (without their query), files, fields and HTTP statuses, never a
//! secret value or a response body that may hold one.

use std::path::PathBuf;

use acs_runtime::CredentialsError;

/// The cause of a provider failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// STS answered with an error, or could not be reached.
    #[error("STS {action} at {endpoint}: {source}")]
    Sts {
        /// `AssumeRole` or `AssumeRoleWithOIDC`.
        action: &'static str,
        /// The STS endpoint.
        endpoint: String,
        /// The call's error (service code, message, HTTP status and RequestId).
        #[source]
        source: acs_runtime::Error,
    },
    /// No connection could be made (the ECS metadata service is only there on ECS).
    #[error("{url} is not reachable: {message}")]
    Unreachable {
        /// The URL, without its query.
        url: String,
        /// Why.
        message: String,
    },
    /// An HTTP exchange failed (timeout, error status).
    #[error("{url}: {message}")]
    Http {
        /// The URL, without its query.
        url: String,
        /// What happened (`HTTP 404`, `no answer within 1s`, ...).
        message: String,
    },
    /// The answer arrived but cannot be used.
    #[error("{source_name} answered something unusable: {message}")]
    InvalidResponse {
        /// Who answered (a URL without its query, `STS AssumeRole`, a command).
        source_name: String,
        /// What is wrong (a missing field, `Code` not `Success`, ...).
        message: String,
    },
    /// The OIDC token file could not be read.
    #[error("cannot read the OIDC token file {}: {source}", path.display())]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The external credentials command failed.
    #[error("external command `{program}`: {message}")]
    Command {
        /// The program (its arguments are not shown: they may hold secrets).
        program: String,
        /// What happened.
        message: String,
    },
}

impl FetchError {
    /// Wraps the cause for a provider described by `provider`.
    pub(crate) fn for_provider(self, provider: &str) -> CredentialsError {
        CredentialsError::ProviderFailed {
            provider: provider.to_string(),
            tried: Vec::new(),
            source: Box::new(self),
        }
    }
}

/// A URL without its query and fragment (they may carry a token).
pub(crate) fn shown_url(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url[..end].to_string()
}
