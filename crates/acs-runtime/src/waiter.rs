//! Generic polling with backoff until a desired state, for generated waiters.
//!
//! ```
//! use std::time::Duration;
//! use acs_runtime::waiter::{wait_until, WaitState, WaiterConfig};
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let mut polls = 0;
//! let config = WaiterConfig::new(Duration::from_millis(1), Duration::from_millis(5), Duration::from_secs(5));
//! let status = wait_until(&config, || { polls += 1; let n = polls; async move { Ok::<_, acs_runtime::Error>(n) } },
//!     |n: &u32| if *n >= 3 { WaitState::Success } else { WaitState::Retry }).await.unwrap();
//! assert_eq!(status, 3);
//! # });
//! ```

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use acs_model::Request;

use crate::client::Client;
use crate::error::Error;
use crate::options::CallOptions;
use crate::request::OperationRequest;
use crate::service::Service;

/// What a waiter's classifier decides about one polled output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitState {
    /// The desired state is reached: return this output.
    Success,
    /// A final state that will never become the desired one: give up with this reason.
    Failure(String),
    /// Not there yet: poll again.
    Retry,
}

/// Delays and limits of a waiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaiterConfig {
    /// Smallest delay between polls.
    pub min_delay: Duration,
    /// Largest delay between polls.
    pub max_delay: Duration,
    /// Longest total wait before [`WaiterError::Timeout`].
    pub max_wait: Duration,
}

impl WaiterConfig {
    /// A waiter configuration; `max_delay` is raised to `min_delay` when smaller.
    pub fn new(min_delay: Duration, max_delay: Duration, max_wait: Duration) -> Self {
        Self {
            min_delay,
            max_delay: max_delay.max(min_delay),
            max_wait,
        }
    }

    /// The delay before poll `n + 1` (after `n` polls): a random duration in
    /// `[min_delay, min(max_delay, min_delay * 2^(n-1))]`.
    pub fn delay(&self, polls: u32) -> Duration {
        let ceiling = crate::retry::backoff_ceiling(polls, self.min_delay, self.max_delay);
        let spread = ceiling.saturating_sub(self.min_delay);
        self.min_delay + crate::retry::full_jitter(spread)
    }
}

impl Default for WaiterConfig {
    /// 2 s to 30 s between polls, 10 minutes in total.
    fn default() -> Self {
        Self::new(
            Duration::from_secs(2),
            Duration::from_secs(30),
            Duration::from_secs(600),
        )
    }
}

/// Polls `poll` until `classify` returns [`WaitState::Success`] (returns that output) or
/// [`WaitState::Failure`] ([`WaiterError::FailureState`] with that output), or `max_wait`
/// elapses ([`WaiterError::Timeout`] with the last output).
///
/// A poll that fails with a retryable error ([`Error::is_retryable`]) counts as "not yet"; any
/// other error is returned at once ([`WaiterError::Request`]). The delay grows from
/// `min_delay` to `max_delay` with jitter, and the last sleep is shortened so the final poll
/// happens at the deadline.
pub async fn wait_until<T, F, Fut, C>(
    config: &WaiterConfig,
    poll: F,
    classify: C,
) -> Result<T, WaiterError<T>>
where
    T: 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    C: FnMut(&T) -> WaitState,
{
    wait_observed(config, poll, classify, None).await
}

/// [`wait_until`], telling the task's [`observe_waits`] observer (if any) about each poll
/// that is followed by another; `polled` is the request polled, when known.
async fn wait_observed<T, F, Fut, C>(
    config: &WaiterConfig,
    mut poll: F,
    mut classify: C,
    polled: Option<&OperationRequest>,
) -> Result<T, WaiterError<T>>
where
    T: 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    C: FnMut(&T) -> WaitState,
{
    let start = Instant::now();
    let mut polls: u32 = 0;
    let mut last_output = None;
    let mut poll_error: Option<Error> = None;
    loop {
        polls = polls.saturating_add(1);
        match poll().await {
            Ok(output) => match classify(&output) {
                WaitState::Success => {
                    tracing::debug!(polls, "waiter reached the desired state");
                    return Ok(output);
                }
                WaitState::Failure(reason) => {
                    return Err(WaiterError::FailureState {
                        output: Box::new(output),
                        reason,
                        polls,
                    });
                }
                WaitState::Retry => last_output = Some(output),
            },
            Err(e) if e.is_retryable() => {
                tracing::debug!(polls, error = %e, "waiter poll failed with a transient error");
                poll_error = Some(e);
            }
            Err(e) => return Err(WaiterError::Request(e)),
        }
        let waited = start.elapsed();
        let Some(remaining) = config.max_wait.checked_sub(waited).filter(|r| !r.is_zero()) else {
            return Err(WaiterError::Timeout {
                last_output: last_output.map(Box::new),
                waited,
                polls,
            });
        };
        let delay = config.delay(polls).min(remaining);
        let _ = OBSERVER.try_with(|observer| {
            observer(&WaitProgress {
                polls,
                elapsed: waited,
                next_poll: delay,
                output: last_output.as_ref().map(|o| o as &dyn Any),
                error: poll_error.take().as_ref(),
                polled,
            })
        });
        tracing::debug!(
            polls,
            delay_ms = delay.as_millis() as u64,
            "waiter sleeping"
        );
        tokio::time::sleep(delay).await;
    }
}

/// One poll of a waiter that will poll again, for a progress display ([`observe_waits`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct WaitProgress<'a> {
    /// Polls made so far.
    pub polls: u32,
    /// Time since the waiter started.
    pub elapsed: Duration,
    /// The delay before the next poll.
    pub next_poll: Duration,
    /// The last response that was not final (downcast it to the waiter's response type).
    pub output: Option<&'a dyn Any>,
    /// The transient error of this poll, when it failed (polling goes on).
    pub error: Option<&'a Error>,
    /// The request polled (its action and parameters), when the waiter knows it
    /// ([`Client::wait_with`], which every generated waiter uses).
    pub polled: Option<&'a OperationRequest>,
}

/// What [`observe_waits`] calls after each poll that is followed by another.
pub type WaitObserver = Arc<dyn Fn(&WaitProgress<'_>) + Send + Sync>;

tokio::task_local! {
    static OBSERVER: WaitObserver;
}

/// Runs `work`, calling `observer` after every poll of every waiter in it that is followed
/// by another (the response not final yet, or a transient error): what a command-line tool
/// shows as progress. Nothing changes on the wire.
pub async fn observe_waits<F: Future>(observer: WaitObserver, work: F) -> F::Output {
    OBSERVER.scope(observer, work).await
}

/// Why a waiter did not return the desired state. The failure state and the time-out keep
/// the last response, so nothing the service said is lost:
///
/// ```
/// use std::time::Duration;
/// use acs_runtime::{Error, WaiterError};
///
/// let failed: WaiterError<u8> = WaiterError::FailureState {
///     output: Box::new(2),
///     reason: "Data.Deployment.Status is 2".into(),
///     polls: 3,
/// };
/// assert_eq!(failed.output(), Some(&2));
/// assert_eq!(failed.to_string(), "waiter reached a failure state after 3 polls: Data.Deployment.Status is 2");
/// // `?` in a function returning `acs_runtime::Error` keeps the message.
/// let err = Error::from(failed);
/// assert!(matches!(err, Error::WaiterFailed { polls: 3, .. }));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum WaiterError<T> {
    /// The response matched a failure state of the spec: it will never become the desired one.
    FailureState {
        /// The response in the failure state.
        output: Box<T>,
        /// Which acceptor matched.
        reason: String,
        /// Polls made.
        polls: u32,
    },
    /// The maximum wait elapsed before a final state.
    Timeout {
        /// The last response (`None` when every poll failed with a transient error).
        last_output: Option<Box<T>>,
        /// Time spent waiting.
        waited: Duration,
        /// Polls made.
        polls: u32,
    },
    /// A request failed with an error that polling again would not fix (validation,
    /// credentials, a non-transient service error), or the call before the wait failed.
    Request(Error),
}

impl<T> WaiterError<T> {
    /// The last response: the one in the failure state, or the last one before the time-out.
    pub fn output(&self) -> Option<&T> {
        match self {
            WaiterError::FailureState { output, .. } => Some(output),
            WaiterError::Timeout { last_output, .. } => last_output.as_deref(),
            WaiterError::Request(_) => None,
        }
    }

    /// Takes the last response (see [`output`](Self::output)).
    pub fn into_output(self) -> Option<T> {
        match self {
            WaiterError::FailureState { output, .. } => Some(*output),
            WaiterError::Timeout { last_output, .. } => last_output.map(|o| *o),
            WaiterError::Request(_) => None,
        }
    }

    /// The failed request's error, when a request failed.
    pub fn request_error(&self) -> Option<&Error> {
        match self {
            WaiterError::Request(e) => Some(e),
            _ => None,
        }
    }

    /// The same error with the response mapped (for example to a part of it).
    pub fn map_output<U>(self, f: impl FnOnce(T) -> U) -> WaiterError<U> {
        match self {
            WaiterError::FailureState {
                output,
                reason,
                polls,
            } => WaiterError::FailureState {
                output: Box::new(f(*output)),
                reason,
                polls,
            },
            WaiterError::Timeout {
                last_output,
                waited,
                polls,
            } => WaiterError::Timeout {
                last_output: last_output.map(|o| Box::new(f(*o))),
                waited,
                polls,
            },
            WaiterError::Request(e) => WaiterError::Request(e),
        }
    }
}

fn plural_polls(n: u32) -> &'static str {
    if n == 1 {
        "poll"
    } else {
        "polls"
    }
}

impl<T> fmt::Display for WaiterError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaiterError::FailureState { reason, polls, .. } => write!(
                f,
                "waiter reached a failure state after {polls} {}: {reason}",
                plural_polls(*polls)
            ),
            WaiterError::Timeout { waited, polls, .. } => write!(
                f,
                "waiter gave up after {waited:?} and {polls} {} without reaching the desired state",
                plural_polls(*polls)
            ),
            WaiterError::Request(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for WaiterError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaiterError::Request(e) => std::error::Error::source(e),
            _ => None,
        }
    }
}

impl<T> From<Error> for WaiterError<T> {
    fn from(e: Error) -> Self {
        WaiterError::Request(e)
    }
}

impl<T> From<acs_model::BuildError> for WaiterError<T> {
    fn from(e: acs_model::BuildError) -> Self {
        WaiterError::Request(e.into())
    }
}

/// The waiter's outcome as an [`Error`] (the response is dropped; its reason is kept).
impl<T> From<WaiterError<T>> for Error {
    fn from(e: WaiterError<T>) -> Self {
        match e {
            WaiterError::FailureState { reason, polls, .. } => {
                Error::WaiterFailed { reason, polls }
            }
            WaiterError::Timeout { waited, polls, .. } => Error::WaiterTimeout { waited, polls },
            WaiterError::Request(e) => e,
        }
    }
}

impl<S: Service> Client<S> {
    /// Polls `input` (checked against the spec's rules first) with `config`'s delays until
    /// `classify` says the response is final. Transient errors while polling count as
    /// "not yet". Each poll is sent like [`Client::send_with`] sends it.
    pub async fn wait_with<R>(
        &self,
        input: &R,
        options: &CallOptions,
        config: &WaiterConfig,
        classify: impl Fn(&R::Response) -> WaitState,
    ) -> Result<R::Response, WaiterError<R::Response>>
    where
        R: Request,
        R::Response: 'static,
    {
        input.validate()?;
        let polled = OBSERVER
            .try_with(|_| OperationRequest::from_request(input))
            .ok();
        wait_observed(
            config,
            || self.send_with(input, options),
            classify,
            polled.as_ref(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn quick() -> WaiterConfig {
        WaiterConfig::new(
            Duration::from_millis(1),
            Duration::from_millis(4),
            Duration::from_millis(300),
        )
    }

    #[tokio::test]
    async fn failure_state_is_final() {
        let n = Cell::new(0u32);
        let err = wait_until(
            &quick(),
            || {
                n.set(n.get() + 1);
                async { Ok::<_, Error>(2u8) }
            },
            |s: &u8| {
                if *s == 2 {
                    WaitState::Failure("deployment status 2 (failed)".into())
                } else {
                    WaitState::Retry
                }
            },
        )
        .await
        .unwrap_err();
        assert_eq!(n.get(), 1);
        assert!(matches!(err, WaiterError::FailureState { polls: 1, .. }));
        assert_eq!(err.output(), Some(&2));
        assert!(err.to_string().contains("status 2"));
    }

    #[tokio::test]
    async fn times_out_within_bound() {
        let started = std::time::Instant::now();
        let err = wait_until(
            &quick(),
            || async { Ok::<_, Error>(7u8) },
            |_| WaitState::Retry,
        )
        .await
        .unwrap_err();
        assert_eq!(err.output(), Some(&7), "the last response is kept");
        let WaiterError::Timeout { waited, polls, .. } = err else {
            panic!("unexpected {err:?}")
        };
        assert!(waited >= Duration::from_millis(300));
        assert!(polls >= 3, "{polls}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn transient_errors_keep_polling_and_others_stop() {
        let n = Cell::new(0u32);
        let out = wait_until(
            &quick(),
            || {
                n.set(n.get() + 1);
                let i = n.get();
                async move {
                    if i < 3 {
                        Err(Error::Transport {
                            kind: crate::TransportKind::Io,
                            attempts: 1,
                            host: "h".into(),
                            proxy: None,
                            source: "reset".into(),
                        })
                    } else {
                        Ok(i)
                    }
                }
            },
            |_| WaitState::Success,
        )
        .await
        .unwrap();
        assert_eq!(out, 3);

        let err = wait_until(
            &quick(),
            || async { Err::<(), _>(Error::validation("X", "bad")) },
            |_| WaitState::Success,
        )
        .await
        .unwrap_err();
        assert!(matches!(
            err,
            WaiterError::Request(Error::Validation { .. })
        ));
    }

    #[test]
    fn delay_bounds() {
        let c = WaiterConfig::new(
            Duration::from_millis(10),
            Duration::from_millis(50),
            Duration::from_secs(1),
        );
        for polls in 1..20 {
            let d = c.delay(polls);
            assert!(
                d >= Duration::from_millis(10) && d <= Duration::from_millis(50),
                "{d:?}"
            );
        }
        assert_eq!(
            WaiterConfig::new(
                Duration::from_secs(2),
                Duration::from_secs(1),
                Duration::ZERO
            )
            .max_delay,
            Duration::from_secs(2)
        );
    }
}
