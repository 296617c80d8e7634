//! Proving that secrets never leak: the forms a secret can take in text, and a tracing
//! writer that captures everything a test binary logs.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// Each secret raw and percent-encoded once and twice (as it may appear in a URL or a
/// string to sign).
pub fn needles(secrets: &[&str]) -> Vec<String> {
    let mut needles = Vec::new();
    for s in secrets {
        let once = acs_sign::encode::percent_encode(s);
        let twice = acs_sign::encode::percent_encode(&once);
        needles.extend([s.to_string(), once, twice]);
    }
    needles
}

/// Fails when `text` (described by `what`) contains any of `needles`.
pub fn assert_absent(needles: &[String], what: &str, text: &str) {
    for needle in needles {
        assert!(
            !text.contains(needle.as_str()),
            "{what} contains a secret ({needle:?}):\n{}",
            text.chars().take(4000).collect::<String>()
        );
    }
}

/// A tracing `MakeWriter` that appends everything to a shared buffer.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
