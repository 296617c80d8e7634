//! Walking every page of a paged list action as a stream, for generated paginators.
//!
//! ```
//! use acs_runtime::paginate::{paginate, PageInfo};
//! use acs_runtime::stream::TryStreamExt;
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // A fake service with 5 items, 2 per page.
//! let fetch = |page: i64| async move {
//!     let items: Vec<i64> = (1..=5).filter(|i| (i - 1) / 2 + 1 == page).collect();
//!     Ok::<_, acs_runtime::Error>(items)
//! };
//! let info = |items: &Vec<i64>| PageInfo { total_count: Some(5), page_size: Some(2), items: items.len(), ..PageInfo::default() };
//! let pages: Vec<Vec<i64>> = paginate(1, fetch, info).try_collect().await.unwrap();
//! assert_eq!(pages, vec![vec![1, 2], vec![3, 4], vec![5]]);
//! # });
//! ```

use crate::client::Client;
use crate::error::Error;
use crate::service::Service;
use acs_model::Paginated;
use futures_util::stream::{self, Stream, StreamExt};
use std::future::Future;

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

/// Fetches page `start_page`, then the following ones, until a page is empty, the total
/// count is reached, or a page is shorter than the page size. Stops after the first error
/// (which is yielded).
pub fn paginate<T, F, Fut, I>(
    start_page: i64,
    fetch: F,
    info: I,
) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    I: Fn(&T) -> PageInfo,
{
    let start_page = start_page.max(1);
    stream::try_unfold(
        (fetch, info, Some(start_page), 0usize),
        move |(mut fetch, info, next, seen)| async move {
            let Some(page) = next else {
                return Ok(None);
            };
            let output = fetch(page).await?;
            let state = info(&output);
            let seen = seen + state.items;
            let has_more = state.items > 0
                && page - start_page + 1 < MAX_PAGES
                && match (state.total_count, state.page_size) {
                    (Some(total), Some(size)) if size > 0 => page.saturating_mul(size) < total,
                    (Some(total), _) => (seen as i64) < total,
                    (None, Some(size)) => state.items as i64 >= size,
                    (None, None) => true,
                };
            tracing::debug!(page, items = state.items, total = ?state.total_count, has_more, "fetched a page");
            Ok(Some((
                output,
                (fetch, info, has_more.then_some(page + 1), seen),
            )))
        },
    )
}

impl<S: Service> Client<S> {
    /// Every page of a list action, as a stream of responses: starts at the page number set
    /// on `input` (or 1) and stops when a page is empty, the total count is reached, or a page
    /// is short. Each page is sent like [`Client::send`] sends a request.
    pub fn paginate<R: Paginated>(
        &self,
        input: R,
    ) -> impl Stream<Item = Result<R::Response, Error>> {
        let client = self.clone();
        let start = input.page_number().unwrap_or(1);
        let asked_size = input.page_size();
        paginate(
            start,
            move |page| {
                let client = client.clone();
                let mut input = input.clone();
                input.set_page_number(page);
                async move { client.send(&input).await }
            },
            move |out: &R::Response| PageInfo {
                page_number: None,
                page_size: asked_size,
                total_count: R::total_count(out),
                items: R::item_count(out),
            },
        )
    }

    /// Fetches every page and returns the first page's response with the items of all pages.
    pub async fn send_all_pages<R: Paginated>(&self, input: R) -> Result<R::Response, Error> {
        let pages = self.paginate(input);
        futures_util::pin_mut!(pages);
        let mut merged: Option<R::Response> = None;
        while let Some(page) = pages.next().await {
            let mut page = page?;
            match merged.as_mut() {
                None => merged = Some(page),
                Some(merged) => R::items_mut(merged).append(R::items_mut(&mut page)),
            }
        }
        Ok(merged.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    fn run<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn stops_at_the_total_count() {
        let pages: Vec<usize> = run(paginate(
            1,
            |page| async move { Ok::<_, Error>(if page < 3 { 10 } else { 5 }) },
            |n: &usize| PageInfo {
                total_count: Some(25),
                page_size: Some(10),
                items: *n,
                ..Default::default()
            },
        )
        .try_collect())
        .expect("pages");
        assert_eq!(pages, vec![10, 10, 5]);
    }

    #[test]
    fn stops_on_a_short_or_empty_page_without_a_total() {
        let pages: Vec<usize> = run(paginate(
            1,
            |page| async move { Ok::<_, Error>(if page == 1 { 10 } else { 0 }) },
            |n: &usize| PageInfo {
                page_size: Some(10),
                items: *n,
                ..Default::default()
            },
        )
        .try_collect())
        .expect("pages");
        assert_eq!(pages, vec![10, 0]);
        let pages: Vec<usize> = run(paginate(
            2,
            |_| async move { Ok::<_, Error>(3) },
            |n: &usize| PageInfo {
                page_size: Some(10),
                items: *n,
                ..Default::default()
            },
        )
        .try_collect())
        .expect("pages");
        assert_eq!(pages, vec![3]);
    }

    #[test]
    fn an_error_ends_the_stream() {
        let result: Result<Vec<usize>, Error> = run(paginate(
            1,
            |page| async move {
                if page == 2 {
                    Err(Error::validation("PageNumber", "boom"))
                } else {
                    Ok(10)
                }
            },
            |n: &usize| PageInfo {
                page_size: Some(10),
                items: *n,
                ..Default::default()
            },
        )
        .try_collect());
        assert!(result.is_err());
    }
}
