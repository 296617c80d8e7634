//! The cache every temporary-credentials provider keeps: reuse until the refresh time,
//! refresh single-flight, and (for the ECS RAM role) serve the previous credentials while a
//! refresh fails and they are still valid.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use acs_runtime::credentials::CredentialsFuture;
use acs_runtime::{Credentials, CredentialsError};

use crate::error::FetchError;
use crate::time::{format_utc, TimeSource};

/// Credentials are refreshed this long before they expire...
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(15 * 60);
/// ...after a failed refresh that left valid credentials in place, the next attempt waits
/// this long (so a failing service is not asked at every call).
pub(crate) const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// Credentials with the time they expire (`None`: they do not).
#[derive(Debug, Clone)]
pub(crate) struct Expiring {
    pub credentials: Credentials,
    pub expiration: Option<SystemTime>,
}

/// What a failed refresh does while the cached credentials have not expired yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnRefreshFailure {
    /// Return the error.
    Fail,
    /// Keep serving the cached credentials until they really expire (warning in the trace).
    ServeUntilExpiry,
}

/// When credentials obtained at `obtained` and expiring at `expiration` are refreshed:
/// 15 minutes before they expire, or at half their lifetime when that comes later (short
/// sessions would otherwise be refreshed at every call).
///
/// ```text
/// lifetime 60 min -> refresh after 45 min; 20 min -> after 10 min; 0 or negative -> now
/// ```
pub fn refresh_time(obtained: SystemTime, expiration: SystemTime) -> SystemTime {
    let lifetime = expiration.duration_since(obtained).unwrap_or_default();
    expiration - REFRESH_BEFORE_EXPIRY.min(lifetime / 2)
}

#[derive(Debug, Clone)]
struct Entry {
    credentials: Credentials,
    expiration: Option<SystemTime>,
    refresh_at: Option<SystemTime>,
    /// Set after a failed refresh that kept these credentials: no new attempt before.
    retry_at: Option<SystemTime>,
}

impl Entry {
    fn usable(&self, now: SystemTime) -> bool {
        let fresh = self.refresh_at.is_none_or(|at| now < at);
        let waiting = self.retry_at.is_some_and(|at| now < at) && !self.expired(now);
        fresh || waiting
    }

    fn expired(&self, now: SystemTime) -> bool {
        self.expiration.is_some_and(|e| now >= e)
    }
}

/// A provider's cache. Clones share it (a client's clones share their provider, and so this).
#[derive(Debug, Clone)]
pub(crate) struct CredentialsCache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The provider, for the trace (never holds a secret).
    name: String,
    time: Arc<dyn TimeSource>,
    on_failure: OnRefreshFailure,
    entry: Mutex<Option<Entry>>,
    /// Held while refreshing: callers that find the cache stale wait here, then find it
    /// fresh (one refresh for any number of concurrent callers).
    refreshing: tokio::sync::Mutex<()>,
}

impl CredentialsCache {
    pub(crate) fn new(
        name: impl Into<String>,
        time: Arc<dyn TimeSource>,
        on_failure: OnRefreshFailure,
    ) -> Self {
        CredentialsCache {
            inner: Arc::new(Inner {
                name: name.into(),
                time,
                on_failure,
                entry: Mutex::new(None),
                refreshing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    fn cached(&self, now: SystemTime) -> Option<Credentials> {
        let entry = self.inner.entry.lock().unwrap_or_else(|e| e.into_inner());
        entry
            .as_ref()
            .filter(|e| e.usable(now))
            .map(|e| e.credentials.clone())
    }

    /// When the cached credentials expire (`None`: nothing cached, or they do not expire).
    pub(crate) fn expiration(&self) -> Option<SystemTime> {
        let entry = self.inner.entry.lock().unwrap_or_else(|e| e.into_inner());
        entry.as_ref().and_then(|e| e.expiration)
    }

    /// A provider's answer: the cached credentials, else those `fetch` gets, its failure
    /// attributed to `provider` (what every provider of this crate returns).
    pub(crate) fn provide<'a, F, Fut>(
        &'a self,
        provider: &'a str,
        fetch: F,
    ) -> CredentialsFuture<'a>
    where
        F: FnOnce() -> Fut + Send + 'a,
        Fut: Future<Output = Result<Expiring, FetchError>> + Send + 'a,
    {
        Box::pin(
            self.get(move || async move { fetch().await.map_err(|e| e.for_provider(provider)) }),
        )
    }

    /// The cached credentials while they are fresh; otherwise the result of `refresh`,
    /// called by one caller at a time.
    pub(crate) async fn get<F, Fut>(&self, refresh: F) -> Result<Credentials, CredentialsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Expiring, CredentialsError>>,
    {
        if let Some(credentials) = self.cached(self.inner.time.now()) {
            return Ok(credentials);
        }
        let _refreshing = self.inner.refreshing.lock().await;
        // Another caller may have refreshed while this one waited.
        let now = self.inner.time.now();
        if let Some(credentials) = self.cached(now) {
            return Ok(credentials);
        }
        tracing::debug!(provider = %self.inner.name, "fetching credentials");
        match refresh().await {
            Ok(fresh) => Ok(self.store(fresh)),
            Err(error) => self.keep_after_failure(now, error),
        }
    }

    fn store(&self, fresh: Expiring) -> Credentials {
        let now = self.inner.time.now();
        let refresh_at = fresh.expiration.map(|e| refresh_time(now, e));
        match fresh.expiration {
            Some(e) if e <= now => tracing::warn!(
                provider = %self.inner.name,
                expiration = %format_utc(e),
                "the credentials received have already expired (is the local clock right?); they are used once and fetched again at the next call"
            ),
            Some(e) => tracing::debug!(
                provider = %self.inner.name,
                expiration = %format_utc(e),
                refresh_at = %refresh_at.map(format_utc).unwrap_or_default(),
                "cached new credentials"
            ),
            None => {
                tracing::debug!(provider = %self.inner.name, "cached credentials that do not expire")
            }
        }
        let credentials = fresh.credentials.clone();
        *self.inner.entry.lock().unwrap_or_else(|e| e.into_inner()) = Some(Entry {
            credentials: fresh.credentials,
            expiration: fresh.expiration,
            refresh_at,
            retry_at: None,
        });
        credentials
    }

    fn keep_after_failure(
        &self,
        now: SystemTime,
        error: CredentialsError,
    ) -> Result<Credentials, CredentialsError> {
        if self.inner.on_failure == OnRefreshFailure::ServeUntilExpiry {
            let mut entry = self.inner.entry.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(entry) = entry.as_mut().filter(|e| !e.expired(now)) {
                let retry_at = match entry.expiration {
                    Some(e) => (now + RETRY_AFTER_FAILURE).min(e),
                    None => now + RETRY_AFTER_FAILURE,
                };
                entry.retry_at = Some(retry_at);
                tracing::warn!(
                    provider = %self.inner.name,
                    error = %error,
                    expiration = %entry.expiration.map(format_utc).unwrap_or_default(),
                    "refreshing credentials failed; the previous ones are used until they expire"
                );
                return Ok(entry.credentials.clone());
            }
        }
        tracing::debug!(provider = %self.inner.name, error = %error, "fetching credentials failed");
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ManualTimeSource;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::UNIX_EPOCH;

    const MIN: Duration = Duration::from_secs(60);

    fn t0() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[test]
    fn refresh_15_minutes_early_or_at_half_life() {
        assert_eq!(refresh_time(t0(), t0() + 60 * MIN), t0() + 45 * MIN);
        assert_eq!(refresh_time(t0(), t0() + 30 * MIN), t0() + 15 * MIN);
        assert_eq!(refresh_time(t0(), t0() + 20 * MIN), t0() + 10 * MIN);
        assert_eq!(refresh_time(t0(), t0() + 2 * MIN), t0() + MIN);
        assert_eq!(refresh_time(t0(), t0()), t0());
        assert_eq!(refresh_time(t0(), t0() - MIN), t0() - MIN);
    }

    fn cache(clock: &ManualTimeSource, on_failure: OnRefreshFailure) -> CredentialsCache {
        CredentialsCache::new("test", Arc::new(clock.clone()), on_failure)
    }

    fn issue(n: u32, expiration: SystemTime) -> Result<Expiring, CredentialsError> {
        Ok(Expiring {
            credentials: Credentials::new(format!("AK{n}"), "secret").with_security_token("tok"),
            expiration: Some(expiration),
        })
    }

    fn failure() -> CredentialsError {
        CredentialsError::ProviderFailed {
            provider: "test".into(),
            tried: Vec::new(),
            source: "down".into(),
        }
    }

    #[tokio::test]
    async fn reused_until_refresh_time_then_refreshed() {
        let clock = ManualTimeSource::new(t0());
        let cache = cache(&clock, OnRefreshFailure::Fail);
        let calls = AtomicU32::new(0);
        let get = || async {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            issue(n, clock.now() + 60 * MIN)
        };
        assert_eq!(cache.get(get).await.unwrap().access_key_id(), "AK1");
        clock.advance(44 * MIN);
        assert_eq!(cache.get(get).await.unwrap().access_key_id(), "AK1");
        clock.advance(MIN);
        assert_eq!(cache.get(get).await.unwrap().access_key_id(), "AK2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(cache.expiration(), Some(t0() + 105 * MIN));
    }

    #[tokio::test]
    async fn strict_cache_reports_a_failed_refresh() {
        let clock = ManualTimeSource::new(t0());
        let cache = cache(&clock, OnRefreshFailure::Fail);
        cache
            .get(|| async { issue(1, t0() + 60 * MIN) })
            .await
            .unwrap();
        clock.advance(50 * MIN);
        assert!(cache.get(|| async { Err(failure()) }).await.is_err());
    }

    #[tokio::test]
    async fn ecs_style_cache_serves_valid_credentials_while_refresh_fails() {
        let clock = ManualTimeSource::new(t0());
        let cache = cache(&clock, OnRefreshFailure::ServeUntilExpiry);
        let attempts = AtomicU32::new(0);
        let fail = || async {
            attempts.fetch_add(1, Ordering::SeqCst);
            Err(failure())
        };
        // Nothing cached yet: the failure is the answer.
        assert!(cache.get(fail).await.is_err());
        cache
            .get(|| async { issue(1, t0() + 60 * MIN) })
            .await
            .unwrap();
        clock.advance(50 * MIN);
        assert_eq!(cache.get(fail).await.unwrap().access_key_id(), "AK1");
        // No new attempt for a while...
        assert_eq!(cache.get(fail).await.unwrap().access_key_id(), "AK1");
        assert_eq!(attempts.load(Ordering::SeqCst), 2);
        // ...then another one, still serving the old credentials...
        clock.advance(RETRY_AFTER_FAILURE);
        assert_eq!(cache.get(fail).await.unwrap().access_key_id(), "AK1");
        assert_eq!(attempts.load(Ordering::SeqCst), 3);
        // ...until they really expire.
        clock.set(t0() + 60 * MIN);
        assert!(cache.get(fail).await.is_err());
        cache
            .get(|| async { issue(2, t0() + 120 * MIN) })
            .await
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_refresh() {
        let clock = ManualTimeSource::new(t0());
        let cache = cache(&clock, OnRefreshFailure::Fail);
        let calls = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..1000 {
            let (cache, calls, clock) = (cache.clone(), Arc::clone(&calls), clock.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        issue(1, clock.now() + 60 * MIN)
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().access_key_id(), "AK1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn expired_on_arrival_is_used_once() {
        let clock = ManualTimeSource::new(t0());
        let cache = cache(&clock, OnRefreshFailure::Fail);
        let calls = AtomicU32::new(0);
        let get = || async {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            issue(n, t0() - MIN)
        };
        assert_eq!(cache.get(get).await.unwrap().access_key_id(), "AK1");
        assert_eq!(cache.get(get).await.unwrap().access_key_id(), "AK2");
    }
}
