//! Blocking calls (feature `blocking`): the machinery of a generated `blocking::Client`.
//!
//! A [`Blocking`] owns one multi-threaded tokio runtime (one worker thread drives the
//! connections) for the client and its clones, so one client has one runtime and one
//! connection pool. Any number of threads may call at once: each call runs on the calling
//! thread while the worker drives the I/O.
//!
//! Called where a tokio runtime is running (inside async code, or in `spawn_blocking`),
//! a blocking call returns [`Error::BlockingInAsyncContext`] instead of panicking or
//! blocking an executor thread: use the async client there.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use acs_model::Paginated;

use crate::error::Error;
use crate::paginate;
use crate::service::Service;

/// The blocking mode of a generated client: the runtime its calls run on.
#[derive(Clone)]
pub struct Blocking {
    runtime: Arc<OwnedRuntime>,
}

impl fmt::Debug for Blocking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocking").finish_non_exhaustive()
    }
}

/// The runtime, shut down without blocking when the last client is dropped inside async
/// code (where dropping a runtime would panic).
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            }
        }
    }
}

impl Blocking {
    /// Starts the runtime (one worker thread named `acs-blocking`).
    pub fn new() -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("acs-blocking")
            .enable_all()
            .build()
            .map_err(|source| Error::Runtime { source })?;
        Ok(Blocking {
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsyncContext);
        }
        self.runtime.0.as_ref().ok_or(Error::BlockingInAsyncContext)
    }

    /// Runs `call` to completion on this runtime, blocking the calling thread.
    pub fn block_on<T, E, F>(&self, call: F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        self.runtime()?.block_on(call)
    }

    /// The next element of an iteration that ends after `None` or an error.
    fn next<T>(
        &self,
        done: &mut bool,
        next: impl Future<Output = Option<Result<T, Error>>>,
    ) -> Option<Result<T, Error>> {
        if *done {
            return None;
        }
        let next = match self.runtime() {
            Ok(runtime) => runtime.block_on(next),
            Err(e) => Some(Err(e)),
        };
        *done = !matches!(next, Some(Ok(_)));
        next
    }

    /// The blocking form of a paginator.
    pub fn paginator<S, R>(&self, pages: paginate::Paginator<S, R>) -> Paginator<S, R>
    where
        R: Paginated,
    {
        Paginator {
            pages,
            mode: self.clone(),
            done: false,
        }
    }
}

/// Every page of a list action, as an [`Iterator`] that blocks while a page is fetched.
/// An error ends the iteration.
#[must_use = "a paginator fetches nothing until it is iterated"]
pub struct Paginator<S, R: Paginated> {
    pages: paginate::Paginator<S, R>,
    mode: Blocking,
    done: bool,
}

impl<S, R> Paginator<S, R>
where
    S: Service,
    R: Paginated + Send + Sync + 'static,
    R::Response: Send + 'static,
{
    /// The listed items of every page, one at a time.
    pub fn items(self) -> Items<S, R> {
        Items {
            items: self.pages.items(),
            mode: self.mode,
            done: self.done,
        }
    }
}

impl<S, R> Iterator for Paginator<S, R>
where
    S: Service,
    R: Paginated + Send + Sync + 'static,
    R::Response: Send + 'static,
{
    type Item = Result<R::Response, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.mode.next(&mut self.done, self.pages.next())
    }
}

/// The listed items of every page, as an [`Iterator`] that blocks while a page is fetched.
#[must_use = "items are fetched only when iterated"]
pub struct Items<S, R: Paginated> {
    items: paginate::Items<S, R>,
    mode: Blocking,
    done: bool,
}

impl<S, R> Iterator for Items<S, R>
where
    S: Service,
    R: Paginated + Send + Sync + 'static,
    R::Response: Send + 'static,
{
    type Item = Result<R::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.mode.next(&mut self.done, self.items.next())
    }
}
