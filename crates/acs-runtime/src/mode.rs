//! How a generated client's calls complete: [`Async`] (futures to await) or, with the
//! `blocking` feature, `blocking::Blocking` (the calling thread waits).
//!
//! A generated `Client<M>` and its fluent builders carry the mode as a type parameter, so
//! both kinds of client share every builder and setter; only `send` differs.

use std::fmt;

mod sealed {
    pub trait Sealed {}
}

/// A way for calls to complete. Implemented by [`Async`] and (feature `blocking`)
/// `blocking::Blocking` only.
pub trait Mode: Clone + fmt::Debug + Send + Sync + 'static + sealed::Sealed {}

/// Calls return futures: `send().await`. The default mode of generated clients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Async;

impl sealed::Sealed for Async {}
impl Mode for Async {}

#[cfg(feature = "blocking")]
impl sealed::Sealed for crate::blocking::Blocking {}
#[cfg(feature = "blocking")]
impl Mode for crate::blocking::Blocking {}
