//! AccessKey credentials and a redacting secret string.

use std::fmt;

/// A secret string: `Debug`/`Display` print `***` (redacted), [`SecretString::expose`]
/// returns the value. Equality is compared in constant time for equal lengths.
///
/// ```
/// let s = acs_sign::SecretString::new("hunter2");
/// assert_eq!(format!("{s} {s:?}"), "*** ***");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, Default)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// Returns the secret value. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for SecretString {}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString(value.to_owned())
    }
}

/// AccessKey credentials (optionally STS, with a security token).
/// `Debug`/`Display` never reveal the secret or the token; the AccessKey ID is shown.
///
/// ```
/// use acs_sign::Credentials;
///
/// let c = Credentials::new("LTAI-id", "the-secret").with_security_token("the-token");
/// assert_eq!(c.access_key_secret(), "the-secret");
/// assert_eq!(c.security_token(), Some("the-token"));
/// let shown = format!("{c} {c:?}");
/// assert!(shown.contains("LTAI-id"));
/// assert!(!shown.contains("the-secret") && !shown.contains("the-token"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: SecretString,
    security_token: Option<SecretString>,
}

impl Credentials {
    /// Long-term AccessKey credentials.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: SecretString::new(access_key_secret),
            security_token: None,
        }
    }

    /// Adds an STS security token (sent as `SecurityToken` / `x-acs-security-token`).
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(SecretString::new(token));
        self
    }

    /// The AccessKey ID (not secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The AccessKey secret. Do not log it.
    pub fn access_key_secret(&self) -> &str {
        self.access_key_secret.expose()
    }

    /// The STS security token, if any. Do not log it.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_ref().map(SecretString::expose)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.security_token {
            Some(_) => write!(f, "STS credentials (AccessKeyId {})", self.access_key_id),
            None => write!(
                f,
                "AccessKey credentials (AccessKeyId {})",
                self.access_key_id
            ),
        }
    }
}
