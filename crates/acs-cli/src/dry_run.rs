//! `--dry-run`: the request is built, checked against the spec's rules and signed as the
//! call would send it, then printed on stdout (method, URL, headers, form body, and the string
//! to sign for RPC v1 or the canonical request for V3), with the AccessKey secret, the
//! security token and the signature redacted; nothing is sent (exit 0). The runtime builds
//! it ([`acs_runtime::Client::dry_run`]) with the same code as a call's first attempt.

use crate::{block_on, error_message, exit_code_for, runtime_error, EXIT_FAILURE, EXIT_OK};
use acs_runtime::{CallOptions, OperationRequest, Service};
use std::io::Write;
use std::process::ExitCode;

/// What a dry run of a call with more requests after the first shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The call is one request.
    One,
    /// `--wait`: the first request; the polls depend on its response.
    Wait,
    /// `--all-pages`: the first page's request; the next pages depend on its response.
    AllPages,
}

/// Prints the dry run of `request` on stdout and returns the exit code (0; for an unusable
/// configuration or credentials the error's code, as for a call).
pub fn run<S: Service>(
    client: &acs_runtime::Client<S>,
    request: OperationRequest,
    scope: Scope,
) -> ExitCode {
    let dry_run = block_on(client.dry_run(request, &CallOptions::new()))
        .unwrap_or_else(|e| Err(runtime_error(e)));
    let dry_run = match dry_run {
        Ok(dry_run) => dry_run,
        Err(error) => {
            eprintln!("{}", error_message(&error));
            return ExitCode::from(exit_code_for(&error));
        }
    };
    let mut text = format!("Dry run: nothing was sent.\n\n{dry_run}");
    match scope {
        Scope::One => {}
        Scope::Wait => text.push_str(
            "\n--wait: this is the first request; the waiter's polls depend on its response.\n",
        ),
        Scope::AllPages => text.push_str(
            "\n--all-pages: this is the first page's request; the next pages depend on its response.\n",
        ),
    }
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match lock.write_all(text.as_bytes()).and_then(|()| lock.flush()) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
