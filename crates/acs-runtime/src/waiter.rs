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

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use acs_model::Request;

use crate::client::Client;
use crate::error::Error;
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
    /// Longest total wait before [`Error::WaiterTimeout`].
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
/// [`WaitState::Failure`] ([`Error::WaiterFailed`]), or `max_wait` elapses
/// ([`Error::WaiterTimeout`]).
///
/// A poll that fails with a retryable error ([`Error::is_retryable`]) counts as "not yet"; any
/// other error is returned at once. The delay grows from `min_delay` to `max_delay` with jitter,
/// and the last sleep is shortened so the final poll happens at the deadline.
pub async fn wait_until<T, F, Fut, C>(
    config: &WaiterConfig,
    mut poll: F,
    mut classify: C,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    C: FnMut(&T) -> WaitState,
{
    let start = Instant::now();
    let mut polls: u32 = 0;
    loop {
        polls = polls.saturating_add(1);
        match poll().await {
            Ok(output) => match classify(&output) {
                WaitState::Success => {
                    tracing::debug!(polls, "waiter reached the desired state");
                    return Ok(output);
                }
                WaitState::Failure(reason) => {
                    return Err(Error::WaiterFailed { reason, polls });
                }
                WaitState::Retry => {}
            },
            Err(e) if e.is_retryable() => {
                tracing::debug!(polls, error = %e, "waiter poll failed with a transient error");
            }
            Err(e) => return Err(e),
        }
        let waited = start.elapsed();
        let Some(remaining) = config.max_wait.checked_sub(waited).filter(|r| !r.is_zero()) else {
            return Err(Error::WaiterTimeout { waited, polls });
        };
        let delay = config.delay(polls).min(remaining);
        tracing::debug!(
            polls,
            delay_ms = delay.as_millis() as u64,
            "waiter sleeping"
        );
        tokio::time::sleep(delay).await;
    }
}

/// How a waiter ended: the last response, and whether it matched a success or a failure
/// state of the spec (both are final).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Waited<T> {
    /// The final response.
    pub output: T,
    /// Whether the final state is the desired one.
    pub succeeded: bool,
}

impl<S: Service> Client<S> {
    /// Polls `input` (checked against the spec's rules first) with `config`'s delays until
    /// `classify` says the response is final: `Some(true)` a success state, `Some(false)` a
    /// failure state, `None` not yet. Transient errors while polling count as "not yet".
    pub async fn wait<R: Request>(
        &self,
        input: &R,
        config: &WaiterConfig,
        classify: impl Fn(&R::Response) -> Option<bool>,
    ) -> Result<Waited<R::Response>, Error> {
        input.validate()?;
        let output = wait_until(
            config,
            || self.send(input),
            |out| match classify(out) {
                Some(_) => WaitState::Success,
                None => WaitState::Retry,
            },
        )
        .await?;
        let succeeded = classify(&output) == Some(true);
        Ok(Waited { output, succeeded })
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
        assert!(matches!(err, Error::WaiterFailed { polls: 1, .. }));
        assert!(err.to_string().contains("status 2"));
    }

    #[tokio::test]
    async fn times_out_within_bound() {
        let started = std::time::Instant::now();
        let err = wait_until(
            &quick(),
            || async { Ok::<_, Error>(()) },
            |_| WaitState::Retry,
        )
        .await
        .unwrap_err();
        let Error::WaiterTimeout { waited, polls } = err else {
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
        assert!(matches!(err, Error::Validation { .. }));
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
