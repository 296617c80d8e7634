//! Python-vs-Rust benchmark, fast server: `acs-test-server` as a stand-alone process on
//! 127.0.0.1, verifying RPC v1 and V3 signatures for one AccessKey and answering every
//! `GetDeployment` with the sample body.
//!
//! ```text
//! pvr-server [--port-file FILE] [--ak AK --secret SECRET] [--lifetime SECONDS]
//! ```
//!
//! Prints `LISTENING 127.0.0.1:PORT` and writes the port to `--port-file`; stops after
//! `--lifetime` seconds (default 600, at most 3600) or when killed.
#![forbid(unsafe_code)]

use acs_test_server::{ServerConfig, Step, TestServer};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut port_file = None;
    let mut ak = "LTAI5tFakeAccessKeyId".to_owned();
    let mut secret = "bench-secret".to_owned();
    let mut lifetime = 600u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            eprintln!("pvr-server: {flag} needs a value");
            return ExitCode::from(2);
        };
        match flag.as_str() {
            "--port-file" => port_file = Some(value),
            "--ak" => ak = value,
            "--secret" => secret = value,
            "--lifetime" => match value.parse::<u64>() {
                Ok(s) if (1..=3600).contains(&s) => lifetime = s,
                _ => {
                    eprintln!("pvr-server: --lifetime takes 1..=3600 seconds, not {value}");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("pvr-server: unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let config = ServerConfig::new()
        .with_credential(ak, secret)
        .with_api("GetDeployment", "2020-05-18")
        .with_default(Step::sample_get_deployment())
        .with_max_recorded(16)
        .with_lifetime(Duration::from_secs(lifetime));
    let server = match TestServer::start_blocking(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pvr-server: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("LISTENING {}", server.host());
    if let Some(path) = port_file {
        if let Err(e) = std::fs::write(&path, server.addr().port().to_string()) {
            eprintln!("pvr-server: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    // The server runs on its own thread until its lifetime ends (or the process is killed).
    while server.is_running() {
        std::thread::sleep(Duration::from_millis(200));
    }
    ExitCode::SUCCESS
}
