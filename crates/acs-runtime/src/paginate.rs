//! Walking every page of a paged list action, for generated paginators: a [`Paginator`]
//! of responses and its [`Items`], each with an inherent async `next()` (no trait to
//! import) and a [`Stream`] implementation.
//!
//! A page is fetched when asked for, starting at the page number set on the request (or 1),
//! until a page is empty, the total count is reached, or a page is shorter than the page size.
//! An error ends the walk (it is returned once, then `next()` returns `None`).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use acs_model::Paginated;
use futures_util::stream::Stream;

use crate::client::Client;
use crate::error::Error;
use crate::options::CallOptions;
use crate::service::Service;

/// Never fetch more pages than this from one paginator (a guard against a service that
/// keeps answering full pages forever).
pub const MAX_PAGES: i64 = 100_000;

/// What a page says about the paging state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// The page number the service reports, if any.
    pub page_number: Option<i64>,
    /// The page size the service reports (or the one asked for).
    pub page_size: Option<i64>,
    /// The total number of items, if the service reports it.
    pub total_count: Option<i64>,
    /// How many items this page holds.
    pub items: usize,
}

/// Which page comes next: the stop rules of every paginator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCursor {
    start: i64,
    next: Option<i64>,
    seen: usize,
}

impl PageCursor {
    /// A cursor at `start_page` (pages are 1-based; smaller numbers start at 1).
    pub fn new(start_page: i64) -> Self {
        let start = start_page.max(1);
        PageCursor {
            start,
            next: Some(start),
            seen: 0,
        }
    }

    /// The page to fetch next, `None` once the walk is over.
    pub fn next_page(&self) -> Option<i64> {
        self.next
    }

    /// Records what page `page` held and decides whether there is another one.
    ///
    /// ```
    /// use acs_runtime::paginate::{PageCursor, PageInfo};
    /// let mut cursor = PageCursor::new(1);
    /// let info = |items| PageInfo { total_count: Some(25), page_size: Some(10), items, ..PageInfo::default() };
    /// cursor.advance(1, info(10));
    /// cursor.advance(2, info(10));
    /// assert_eq!(cursor.next_page(), Some(3));
    /// cursor.advance(3, info(5));
    /// assert_eq!(cursor.next_page(), None);
    /// ```
    pub fn advance(&mut self, page: i64, info: PageInfo) {
        self.seen += info.items;
        let has_more = info.items > 0
            && page - self.start + 1 < MAX_PAGES
            && match (info.total_count, info.page_size) {
                (Some(total), Some(size)) if size > 0 => page.saturating_mul(size) < total,
                (Some(total), _) => (self.seen as i64) < total,
                (None, Some(size)) => info.items as i64 >= size,
                (None, None) => true,
            };
        tracing::debug!(page, items = info.items, total = ?info.total_count, has_more, "fetched a page");
        self.next = has_more.then_some(page + 1);
    }

    /// Ends the walk (after an error).
    pub fn stop(&mut self) {
        self.next = None;
    }
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

/// Every page of a list action, fetched one at a time as they are asked for.
///
/// Read it with the inherent [`next`](Self::next) (nothing to import), take the listed
/// items one by one with [`items`](Self::items), collect everything with
/// [`try_collect`](Self::try_collect), or use it as a [`Stream`]. A generated fluent builder
/// of a paged action returns one from `into_paginator()`; the generated crate's docs show
/// an example.
#[must_use = "a paginator fetches nothing until `next` is awaited"]
pub struct Paginator<S, R: Paginated> {
    client: Client<S>,
    input: R,
    options: CallOptions,
    cursor: PageCursor,
    page_size: Option<i64>,
    pending: Option<(i64, PageFuture<R::Response>)>,
}

// The only field that is polled in place is boxed.
impl<S, R: Paginated> Unpin for Paginator<S, R> {}

impl<S, R: Paginated + std::fmt::Debug> std::fmt::Debug for Paginator<S, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("input", &self.input)
            .field("options", &self.options)
            .field("next_page", &self.cursor.next_page())
            .finish_non_exhaustive()
    }
}

impl<S, R> Paginator<S, R>
where
    S: Service,
    R: Paginated + Send + Sync + 'static,
    R::Response: Send + 'static,
{
    /// A paginator of `input`'s pages, each sent with `options`.
    pub fn new(client: Client<S>, input: R, options: CallOptions) -> Self {
        let cursor = PageCursor::new(input.page_number().unwrap_or(1));
        let page_size = input.page_size();
        Paginator {
            client,
            input,
            options,
            cursor,
            page_size,
            pending: None,
        }
    }

    /// The next page: `None` after the last page (or after an error was returned).
    pub async fn next(&mut self) -> Option<Result<R::Response, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The listed items of every page, one at a time.
    pub fn items(self) -> Items<S, R> {
        Items {
            pages: self,
            buffer: Vec::new().into_iter(),
        }
    }

    /// Fetches every remaining page; the first error ends the walk.
    pub async fn try_collect(mut self) -> Result<Vec<R::Response>, Error> {
        let mut pages = Vec::new();
        while let Some(page) = self.next().await {
            pages.push(page?);
        }
        Ok(pages)
    }
}

impl<S, R> Stream for Paginator<S, R>
where
    S: Service,
    R: Paginated + Send + Sync + 'static,
    R::Response: Send + 'static,
{
    type Item = Result<R::Response, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            let Some(page) = this.cursor.next_page() else {
                return Poll::Ready(None);
            };
            let client = this.client.clone();
            let options = this.options.clone();
            let mut input = this.input.clone();
            input.set_page_number(page);
            let fetch: PageFuture<R::Response> =
                Box::pin(async move { client.send_with(&input, &options).await });
            this.pending = Some((page, fetch));
        }
        let Some((page, fetch)) = this.pending.as_mut() else {
            return Poll::Ready(None);
        };
        let result = ready!(fetch.as_mut().poll(cx));
        let page = *page;
        this.pending = None;
        match &result {
            Ok(output) => this.cursor.advance(
                page,
                PageInfo {
                    page_number: None,
                    page_size: this.page_size,
                    total_count: R::total_count(output),
                    items: R::item_count(output),
                },
            ),
            Err(_) => this.cursor.stop(),
        }
        Poll::Ready(Some(result))
    }
}

/// The listed items of every page of a [`Paginator`], one at a time (pages are fetched as
/// they are needed). An error ends the walk.
#[must_use = "items are fetched only when `next` is awaited"]
pub struct Items<S, R: Paginated> {
    pages: Paginator<S, R>,
    buffer: std::vec::IntoIter<R::Item>,
}

// The paginator is `Unpin`; the buffer is never pinned.
impl<S, R: Paginated> Unpin for Items<S, R> {}

impl<S, R> Items<S, R>
where
    S: Service,
    R: Paginated + Send + Sync + 'static,
    R::Response: Send + 'static,
{
    /// The next item: `None` after the last one (or after an error was returned).
    pub async fn next(&mut self) -> Option<Result<R::Item, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Fetches every remaining item; the first error ends the walk.
    pub async fn try_collect(mut self) -> Result<Vec<R::Item>, Error> {
        let mut items = Vec::new();
        while let Some(item) = self.next().await {
            items.push(item?);
        }
        Ok(items)
    }
}

impl<S, R> Stream for Items<S, R>
where
    S: Service,
    R: Paginated + Send + Sync + 'static,
    R::Response: Send + 'static,
{
    type Item = Result<R::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(mut page)) => {
                    this.buffer = std::mem::take(R::items_mut(&mut page)).into_iter();
                }
            }
        }
    }
}

/// The pages fetched so far by [`Client::send_all_pages`], for a progress display
/// ([`observe_pages`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageProgress {
    /// Pages fetched.
    pub pages: u32,
    /// Items fetched over those pages.
    pub items: usize,
}

/// What [`observe_pages`] calls after each page.
pub type PageObserver = std::sync::Arc<dyn Fn(&PageProgress) + Send + Sync>;

tokio::task_local! {
    static PAGE_OBSERVER: PageObserver;
}

/// Runs `work`, calling `observer` after each page that [`Client::send_all_pages`] fetches
/// in it: what a command-line tool shows as progress. Nothing changes on the wire.
pub async fn observe_pages<F: std::future::Future>(observer: PageObserver, work: F) -> F::Output {
    PAGE_OBSERVER.scope(observer, work).await
}

impl<S: Service> Client<S> {
    /// Every page of a list action, each sent like [`Client::send_with`] sends a request:
    /// starts at the page number set on `input` (or 1) and stops when a page is empty, the
    /// total count is reached, or a page is short.
    pub fn paginate<R>(&self, input: R, options: CallOptions) -> Paginator<S, R>
    where
        R: Paginated + Send + Sync + 'static,
        R::Response: Send + 'static,
    {
        Paginator::new(self.clone(), input, options)
    }

    /// Fetches every page and returns the first page's response with the items of all pages.
    pub async fn send_all_pages<R>(
        &self,
        input: R,
        options: CallOptions,
    ) -> Result<R::Response, Error>
    where
        R: Paginated + Send + Sync + 'static,
        R::Response: Send + 'static,
    {
        let mut pages = self.paginate(input, options);
        let mut merged: Option<R::Response> = None;
        let mut fetched = 0u32;
        while let Some(page) = pages.next().await {
            let mut page = page?;
            fetched += 1;
            let merged = match merged.as_mut() {
                None => merged.insert(page),
                Some(merged) => {
                    R::items_mut(merged).append(R::items_mut(&mut page));
                    merged
                }
            };
            let items = R::items_mut(merged).len();
            let _ = PAGE_OBSERVER.try_with(|observer| {
                observer(&PageProgress {
                    pages: fetched,
                    items,
                })
            });
        }
        Ok(merged.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages a cursor walks when page `n` holds `items(n)`.
    fn walk(start: i64, info: impl Fn(i64) -> PageInfo) -> Vec<i64> {
        let mut cursor = PageCursor::new(start);
        let mut pages = Vec::new();
        while let Some(page) = cursor.next_page() {
            pages.push(page);
            cursor.advance(page, info(page));
            assert!(pages.len() < 50, "runaway");
        }
        pages
    }

    #[test]
    fn stops_at_the_total_count() {
        let pages = walk(1, |page| PageInfo {
            total_count: Some(25),
            page_size: Some(10),
            items: if page < 3 { 10 } else { 5 },
            ..Default::default()
        });
        assert_eq!(pages, vec![1, 2, 3]);
    }

    #[test]
    fn stops_on_a_short_or_empty_page_without_a_total() {
        let pages = walk(1, |page| PageInfo {
            page_size: Some(10),
            items: if page == 1 { 10 } else { 0 },
            ..Default::default()
        });
        assert_eq!(pages, vec![1, 2]);
        let pages = walk(2, |_| PageInfo {
            page_size: Some(10),
            items: 3,
            ..Default::default()
        });
        assert_eq!(pages, vec![2]);
        // Without a page size or total, an empty page ends the walk.
        let pages = walk(0, |page| PageInfo {
            items: if page < 4 { 1 } else { 0 },
            ..Default::default()
        });
        assert_eq!(pages, vec![1, 2, 3, 4]);
    }

    #[test]
    fn an_error_ends_the_walk() {
        let mut cursor = PageCursor::new(1);
        cursor.stop();
        assert_eq!(cursor.next_page(), None);
    }
}
