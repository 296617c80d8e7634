//! Alibaba Cloud API request signing: RPC v1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256).
//!
//! The signing core ([`encode`], [`v1`], [`v3`]) is pure: no I/O, no clock and no
//! randomness. Only [`clock`] reads the system clock and the OS random number generator.
//!
//! The algorithms follow the official Alibaba Cloud SDKs byte for byte (see the crate
//! README and `tests/data/official_vectors.json` for the vectors they are checked against).
//!
//! ```
//! use acs_sign::v1;
//!
//! let sts = v1::string_to_sign("GET", &[("query", "test"), ("body", "test")]);
//! assert_eq!(sts, "GET&%2F&body%3Dtest%26query%3Dtest");
//! assert_eq!(v1::signature("secret", &sts), "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
mod credentials;
pub mod encode;
pub mod v1;
pub mod v3;

pub use credentials::{Credentials, SecretString};
