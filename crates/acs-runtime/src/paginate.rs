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

use crate::error::Error;
use futures_util::stream::{self, Stream};
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
