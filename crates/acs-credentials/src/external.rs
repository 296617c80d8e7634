//! Credentials printed by a command (`External` profiles of the aliyun CLI): JSON
//! `{"mode": "AK"|"StsToken", "access_key_id", "access_key_secret", "sts_token",
//! "expiration"}` on stdout, within a time limit.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use acs_runtime::credentials::{CredentialsFuture, CredentialsProvider};
use acs_runtime::{Credentials, CredentialsError};

use crate::cache::{CredentialsCache, Expiring, OnRefreshFailure};
use crate::config::ProviderConfig;
use crate::error::FetchError;
use crate::time::parse_utc;

const MAX_OUTPUT: usize = 64 * 1024;

/// Credentials from a command, run without a shell (the command line is split like a
/// POSIX shell would: quotes and backslashes). Credentials with an `expiration` are cached
/// until 15 minutes before it; without one they are kept for the life of the provider.
#[derive(Debug, Clone)]
pub struct ExternalProvider {
    cache: CredentialsCache,
    inner: Arc<External>,
}

#[derive(Debug)]
struct External {
    args: Vec<String>,
    timeout: Duration,
    description: String,
}

impl ExternalProvider {
    /// The provider for `command` with the time limit of `config` (default 60 s).
    pub fn new(command: &str, config: &ProviderConfig) -> Result<Self, CredentialsError> {
        let args = split_command(command).map_err(|message| CredentialsError::Invalid {
            location: "external credentials command".into(),
            message,
        })?;
        let description = format!("external command `{}`", args[0]);
        Ok(ExternalProvider {
            cache: config.cache(&description, OnRefreshFailure::Fail),
            inner: Arc::new(External {
                args,
                timeout: config.external_timeout,
                description,
            }),
        })
    }

    /// ``external command `<program>` `` (arguments are not shown: they may hold secrets).
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// When the cached credentials expire.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.cache.expiration()
    }
}

/// Splits a command line into words: whitespace separates, `'...'` keeps everything,
/// `"..."` keeps everything but `\"` and `\\`, a backslash outside quotes escapes the next
/// character.
pub(crate) fn split_command(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated ' quote in process_command".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unterminated \" quote in process_command".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated \" quote in process_command".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("process_command ends with a backslash".into()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err("process_command is empty".into());
    }
    Ok(words)
}

impl External {
    fn error(&self, message: impl Into<String>) -> FetchError {
        FetchError::Command {
            program: self.args[0].clone(),
            message: message.into(),
        }
    }

    async fn fetch(&self) -> Result<Expiring, FetchError> {
        let mut command = tokio::process::Command::new(&self.args[0]);
        command
            .args(&self.args[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = command
            .spawn()
            .map_err(|e| self.error(format!("cannot start it: {e}")))?;
        let output = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Err(_) => {
                return Err(self.error(format!(
                    "no answer within {:?} (the process was killed)",
                    self.timeout
                )))
            }
            Ok(Err(e)) => return Err(self.error(format!("cannot read its output: {e}"))),
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            // stderr is not shown: a credentials helper may print secrets there.
            return Err(self.error(format!(
                "it failed ({}; {} bytes on stderr, not shown)",
                output.status,
                output.stderr.len()
            )));
        }
        if output.stdout.len() > MAX_OUTPUT {
            return Err(self.error(format!("it printed more than {MAX_OUTPUT} bytes")));
        }
        parse_output(&output.stdout).map_err(|m| self.error(m))
    }
}

fn parse_output(stdout: &[u8]) -> Result<Expiring, String> {
    let doc: serde_json::Value = serde_json::from_slice(stdout).map_err(|e| {
        format!(
            "its output is not JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let text = |key: &str| {
        doc.get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let need = |key: &str| text(key).ok_or_else(|| format!("its output has no `{key}`"));
    let credentials = Credentials::new(need("access_key_id")?, need("access_key_secret")?);
    let credentials = match (text("mode"), text("sts_token")) {
        (_, Some(token)) => credentials.with_security_token(token),
        (Some("StsToken"), None) => return Err("mode StsToken but no `sts_token`".into()),
        _ => credentials,
    };
    let expiration = match text("expiration") {
        None => None,
        Some(e) => Some(parse_utc(e).ok_or_else(|| {
            "its `expiration` is not a UTC time (YYYY-MM-DDThh:mm:ssZ)".to_string()
        })?),
    };
    Ok(Expiring {
        credentials,
        expiration,
    })
}

impl CredentialsProvider for ExternalProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        self.cache
            .provide(&self.inner.description, || self.inner.fetch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        let words = |s: &str| split_command(s).unwrap();
        assert_eq!(words("get-creds --json"), ["get-creds", "--json"]);
        assert_eq!(
            words(r#"sh -c 'echo "{}"' "a b" c\ d "x\"y""#),
            ["sh", "-c", r#"echo "{}""#, "a b", "c d", r#"x"y"#]
        );
        assert_eq!(words("  a  ''  "), ["a", ""]);
        for bad in ["", "   ", "'open", "\"open", "end\\"] {
            assert!(split_command(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn outputs() {
        let ak =
            parse_output(br#"{"mode":"AK","access_key_id":"A","access_key_secret":"S"}"#).unwrap();
        assert_eq!(ak.expiration, None);
        let sts = parse_output(br#"{"mode":"StsToken","access_key_id":"A","access_key_secret":"S","sts_token":"T","expiration":"2030-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(sts.credentials.security_token(), Some("T"));
        assert!(sts.expiration.is_some());
        for (out, needle) in [
            (
                &br#"{"mode":"StsToken","access_key_id":"A","access_key_secret":"SECRET"}"#[..],
                "sts_token",
            ),
            (br#"{"access_key_secret":"SECRET"}"#, "access_key_id"),
            (br#"SECRET"#, "not JSON"),
        ] {
            let msg = parse_output(out).unwrap_err();
            assert!(msg.contains(needle) && !msg.contains("SECRET"), "{msg}");
        }
    }
}
