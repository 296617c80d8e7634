//! What the CLI's end-to-end test files share: one test credential, the in-process server that
//! accepts it, the tool's environment (cleared but for `PATH`, that credential and a HOME of
//! its own) and the check that no output carries the secret.

// Each test binary compiles this module and uses its own subset of it.
#![allow(dead_code)]

use acs_test_server::{ServerConfig, Step, TestServer};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

/// A test file's access key pair; `home` names its HOME folder under the temporary directory.
pub struct TestCredential {
    pub access_key_id: &'static str,
    pub secret: &'static str,
    pub home: &'static str,
}

impl TestCredential {
    /// The in-process server answering `steps` in order, signed with this credential; any
    /// request beyond them gets a 500 `UnexpectedRequest`.
    pub fn server(&self, steps: Vec<Step>) -> TestServer {
        TestServer::start_blocking(
            ServerConfig::new()
                .with_credential(self.access_key_id, self.secret)
                .with_lifetime(Duration::from_secs(60))
                .with_steps(steps)
                .with_default(Step::error(500, "UnexpectedRequest", "not scripted")),
        )
        .expect("server starts")
    }

    /// The test's HOME (created), so that no user configuration is read. It lives in Cargo's
    /// temporary folder for integration tests under `target/`, reused by every run, so that
    /// runs leave nothing behind in the system's temporary directory.
    pub fn home(&self) -> PathBuf {
        let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(self.home);
        std::fs::create_dir_all(&home).expect("home");
        home
    }

    /// `command` with the test's environment: cleared, `PATH` kept, this credential, the
    /// test's HOME, the ECS metadata source disabled.
    pub fn env(&self, mut command: Command) -> Command {
        command
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", self.access_key_id)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", self.secret);
        command
    }

    /// The `dataworks` binary with the test's environment.
    pub fn dataworks(&self) -> Command {
        self.env(Command::new(env!("CARGO_BIN_EXE_dataworks")))
    }

    /// Fails if stdout or stderr carries the secret.
    pub fn assert_no_secret(&self, output: &Output) {
        for stream in [&output.stdout, &output.stderr] {
            assert!(
                !String::from_utf8_lossy(stream).contains(self.secret),
                "the secret leaked"
            );
        }
    }
}

/// The tool's stdout as JSON (the test fails, showing it, if it is not).
pub fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}
