//! Progress on stderr for long work, and Ctrl-C during a wait.
//!
//! Shown only when stderr is a terminal, `CI` is not set and `--quiet` was not given: one
//! line, redrawn in place (`\r` and erase-line) and erased when the work ends, so nothing of
//! it stays in the terminal's scroll-back or reaches a pipe or a log. `--wait` shows the
//! polled resource's status fields (those named `…Status` in the last response), the polls,
//! the elapsed time and the time to the next poll; `--all-pages` the pages and items
//! fetched.
//!
//! Ctrl-C during `--wait` stops waiting (the process goes on at the service): the last
//! response seen is printed on stdout as `{"<WaiterAction>": …}`, stderr says what was last
//! seen and how to check on it, and the tool exits with [`EXIT_INTERRUPTED`].

use crate::{block_on, finish_waited, print_value, runtime_error};
use acs_runtime::paginate::{observe_pages, PageProgress};
use acs_runtime::waiter::{observe_waits, WaitProgress};
use acs_runtime::{OperationRequest, WaiterError};
use serde::Serialize;
use serde_json::Value;
use std::future::Future;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Exit code after Ctrl-C stopped a wait (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// How often the line is redrawn while waiting (the elapsed time and the countdown move).
const REDRAW: Duration = Duration::from_millis(500);

/// Whether progress is shown: stderr is a terminal, not in CI, not `--quiet`.
pub fn enabled(quiet: bool) -> bool {
    !quiet && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal()
}

/// The progress line on stderr (inert when progress is off).
#[derive(Debug, Clone, Copy)]
pub struct Line {
    on: bool,
}

impl Line {
    /// A line that draws when `on`.
    pub fn new(on: bool) -> Self {
        Self { on }
    }

    /// Replaces the line's text.
    pub fn draw(&self, text: &str) {
        if self.on {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K{text}");
            let _ = stderr.flush();
        }
    }

    /// Erases the line.
    pub fn clear(&self) {
        if self.on {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}

/// `12s`, `3m05s`.
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// Runs a paged call (`send_all_pages`) showing the pages and items fetched.
pub fn all_pages<T>(work: impl Future<Output = T>, quiet: bool) -> Result<T, std::io::Error> {
    let line = Line::new(enabled(quiet));
    let observer = Arc::new(move |p: &PageProgress| {
        line.draw(&format!(
            "fetching all pages: {} {} and {} {} so far",
            p.pages,
            if p.pages == 1 { "page" } else { "pages" },
            p.items,
            if p.items == 1 { "item" } else { "items" },
        ));
    });
    let out = block_on(observe_pages(observer, work));
    line.clear();
    out
}

/// What the waiter last reported.
#[derive(Debug, Default)]
struct Seen {
    polls: u32,
    /// When the next poll is due.
    next_poll: Option<Instant>,
    last: Option<Value>,
    error: Option<String>,
    /// `GetDeployment DeploymentId=3000001 ProjectId=10000`.
    polled: Option<String>,
}

/// Fields named `…Status` in a response, as `Path=value` (at most three).
fn status_fields(value: &Value) -> Vec<String> {
    fn walk(path: &str, value: &Value, out: &mut Vec<String>) {
        if let Value::Object(fields) = value {
            for (key, inner) in fields {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match inner {
                    Value::Object(_) => walk(&here, inner, out),
                    Value::Array(_) | Value::Null => {}
                    scalar if key.ends_with("Status") => out.push(format!("{here}={scalar}")),
                    _ => {}
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out.truncate(3);
    out
}

/// `GetDeployment DeploymentId=3000001 ProjectId=10000`.
fn describe_request(request: &OperationRequest) -> String {
    let mut text = request.action().to_owned();
    for (name, value) in request.query_params().iter().chain(request.form_params()) {
        text.push_str(&format!(" {name}={value}"));
    }
    text
}

/// The line while waiting.
fn wait_line(seen: &Seen, waiter_action: &str, started: Instant) -> String {
    let mut text = format!(
        "waiting for {waiter_action}: {} elapsed",
        duration(started.elapsed())
    );
    if let Some(status) = seen.last.as_ref().map(status_fields) {
        if !status.is_empty() {
            text.push_str(&format!(", {}", status.join(" ")));
        }
    }
    if let Some(error) = &seen.error {
        text.push_str(&format!(", last poll failed ({error})"));
    }
    if seen.polls > 0 {
        text.push_str(&format!(
            ", {} {}",
            seen.polls,
            if seen.polls == 1 { "poll" } else { "polls" }
        ));
    }
    if let Some(due) = seen.next_poll {
        let left = due.saturating_duration_since(Instant::now());
        text.push_str(&format!(
            ", next poll in {}",
            duration(left + Duration::from_millis(999))
        ));
    }
    text
}

/// Runs a call that sends and then waits (`send_and_wait()`) with progress, and finishes
/// like [`finish_waited`]; Ctrl-C stops it ([`EXIT_INTERRUPTED`]). `names`: the action, the
/// waiter's action and the waiter.
pub fn run_waited<A: Serialize, B: Serialize + 'static>(
    call: impl Future<Output = Result<(A, B), WaiterError<B>>>,
    names: [&str; 3],
    check: Option<&str>,
    quiet: bool,
) -> ExitCode {
    let [action, waiter_action, waiter] = names;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let observer = {
        let seen = Arc::clone(&seen);
        Arc::new(move |p: &WaitProgress<'_>| {
            let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
            seen.polls = p.polls;
            seen.next_poll = Some(Instant::now() + p.next_poll);
            if let Some(out) = p.output.and_then(|o| o.downcast_ref::<B>()) {
                seen.last = serde_json::to_value(out).ok();
            }
            seen.error = p.error.map(ToString::to_string);
            if let Some(request) = p.polled {
                seen.polled = Some(describe_request(request));
            }
        })
    };
    let line = Line::new(enabled(quiet));
    let started = Instant::now();
    let outcome = block_on(async {
        let work = observe_waits(observer, call);
        tokio::pin!(work);
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let mut listening = true;
        let mut redraw = tokio::time::interval(REDRAW);
        loop {
            tokio::select! {
                result = &mut work => break Some(result),
                signal = &mut ctrl_c, if listening => match signal {
                    Ok(()) => break None,
                    // No handler could be installed: Ctrl-C keeps its default effect.
                    Err(_) => listening = false,
                },
                _ = redraw.tick(), if line.on => {
                    let seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
                    line.draw(&wait_line(&seen, waiter_action, started));
                }
            }
        }
    });
    line.clear();
    match outcome {
        Err(e) => finish_waited::<A, B>(
            Err(WaiterError::Request(runtime_error(e))),
            action,
            waiter_action,
            waiter,
            check,
        ),
        Ok(Some(result)) => finish_waited(result, action, waiter_action, waiter, check),
        Ok(None) => {
            let seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
            interrupted(&seen, names, check, started.elapsed())
        }
    }
}

/// After Ctrl-C: the last response on stdout, what was seen on stderr, exit 130.
fn interrupted(seen: &Seen, names: [&str; 3], check: Option<&str>, elapsed: Duration) -> ExitCode {
    let [action, waiter_action, waiter] = names;
    if let Some(last) = &seen.last {
        let mut both = serde_json::Map::new();
        both.insert(waiter_action.to_owned(), last.clone());
        let _ = print_value(&both);
    }
    let how = check.map_or_else(String::new, |c| format!(" (check with `{c}`)"));
    let message = match (&seen.polled, seen.polls) {
        (Some(polled), polls) if polls > 0 => {
            let status = seen.last.as_ref().map(status_fields).unwrap_or_default();
            let status = if status.is_empty() {
                "no response yet".to_owned()
            } else {
                status.join(" ")
            };
            format!(
                "interrupted after {} and {polls} {} of {polled} (waiter {waiter}): last seen {status}; \
                 the process goes on at the service{how}",
                duration(elapsed),
                if polls == 1 { "poll" } else { "polls" },
            )
        }
        _ => format!(
            "interrupted after {} before the first poll of {waiter_action}: {action} may have \
             taken effect{how}",
            duration(elapsed)
        ),
    };
    eprintln!("{message}");
    ExitCode::from(EXIT_INTERRUPTED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_fields_are_the_status_leaves() {
        let value = json!({"RequestId": "r", "Data": {"Deployment": {"Status": 0, "CheckingStatus": 8, "Name": "x"},
            "DeployedItems": [{"Status": 1}]}});
        assert_eq!(
            status_fields(&value),
            [
                "Data.Deployment.CheckingStatus=8",
                "Data.Deployment.Status=0"
            ]
        );
    }

    #[test]
    fn the_wait_line_says_status_polls_and_next_poll() {
        let seen = Seen {
            polls: 3,
            next_poll: Some(Instant::now() + Duration::from_secs(4)),
            last: Some(json!({"Data": {"Deployment": {"Status": 0}}})),
            error: None,
            polled: None,
        };
        let line = wait_line(&seen, "GetDeployment", Instant::now());
        assert!(line.starts_with("waiting for GetDeployment: 0s elapsed, Data.Deployment.Status=0, 3 polls, next poll in "), "{line}");
        assert_eq!(duration(Duration::from_secs(185)), "3m05s");
    }

    #[test]
    fn progress_is_off_when_quiet() {
        assert!(!enabled(true));
    }
}
