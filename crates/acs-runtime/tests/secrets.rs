//! Secrets never appear in Debug, Display, errors or tracing output.

mod common;

use std::io;
use std::sync::{Arc, Mutex};

use acs_runtime::{Credentials, SignatureVersion};
use acs_test_server::Step;
use common::*;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Every form in which the secret or the token could leak.
fn leaks(text: &str) -> Vec<&'static str> {
    [
        SECRET,
        "sts+token",
        "sts%2Btoken",
        "sts%252Btoken",
        "token==value",
        "token%3D%3Dvalue",
        "token%253D%253Dvalue",
        "CAIS/sts",
        "CAIS%2Fsts",
        "CAIS%252Fsts",
    ]
    .into_iter()
    .filter(|needle| text.contains(needle))
    .collect()
}

#[tokio::test]
async fn no_secret_in_errors_debug_or_traces() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let creds = Credentials::new(AK, SECRET).with_security_token(TOKEN);
    let mut texts = Vec::new();

    // 1. A server that knows another secret: SignatureDoesNotMatch quotes the server's
    //    string to sign, which for v1 includes the (encoded) SecurityToken.
    let server = start(
        server_config()
            .with_credential(AK, "a-different-secret")
            .with_security_token(TOKEN),
    )
    .await;
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let client = client(
            builder(&server)
                .credentials(creds.clone())
                .signature_version(version),
        );
        let err = call(&client).await.unwrap_err();
        assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
        texts.push(format!("{err}"));
        texts.push(format!("{err:?}"));
        texts.push(format!("{client:?}"));
    }
    // The server did put the token in its message (so the redaction above was exercised).
    let raw_messages: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.error_message.clone())
        .collect();
    assert!(
        raw_messages.iter().any(|m| !leaks(m).is_empty()),
        "expected the server message to quote the token: {raw_messages:?}"
    );

    // 2. Retries, an HTML body echoing the token, a decode error, and success, with STS.
    let server = start(server_config().with_security_token(TOKEN).with_steps([
        Step::error(429, "Throttling.User", "slow down"),
        Step::drop_connection(),
        Step::raw(
            200,
            "text/html",
            format!("<html>echo {TOKEN} {SECRET}</html>"),
        ),
    ]))
    .await;
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let client = client(
            builder(&server)
                .credentials(creds.clone())
                .signature_version(version),
        );
        match call(&client).await {
            Ok(out) => texts.push(format!("{out:?}")),
            Err(err) => {
                texts.push(format!("{err}"));
                texts.push(format!("{err:?}"));
            }
        }
    }
    assert!(server.requests().iter().any(|r| r.verified));

    // 3. Credential errors from the chain.
    let env = acs_runtime::MemoryEnv::new().with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET);
    let chain = acs_runtime::StaticChain::new().env(Arc::new(env));
    let err = chain.resolve().unwrap_err();
    texts.push(format!("{err} {err:?} {chain:?}"));
    texts.push(format!("{creds:?}"));

    let logs = buffer.text();
    assert!(logs.contains("acs_call"), "spans are recorded: {logs}");
    assert!(logs.contains("acs_attempt"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    assert!(logs.contains("backoff_ms"), "{logs}");
    assert!(
        logs.contains("action=\"GetDeployment\"") || logs.contains("action=GetDeployment"),
        "{logs}"
    );
    texts.push(logs);
    for text in &texts {
        assert!(leaks(text).is_empty(), "leak {:?} in: {text}", leaks(text));
    }
}
