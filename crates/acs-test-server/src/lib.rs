//! In-process scripted HTTP/1.1 server on 127.0.0.1 that stands in for an Alibaba
//! Cloud RPC endpoint (DataWorks `dataworks-public` 2020-05-18) in tests and benchmarks.
//!
//! It is the Rust counterpart of the Python oracle emulator
//! (`shared/oracle/emulator.py`): it verifies RPC v1 (HMAC-SHA1) and V3
//! (`ACS3-HMAC-SHA256`) signatures with `acs-sign`, answers failures like the real
//! gateway, serves scripted responses and faults, and records every request.
//!
//! * [`TestServer`]: start ([`TestServer::start`] on the current tokio runtime, or
//!   [`TestServer::start_blocking`] on its own thread), [`TestServer::endpoint`],
//!   recorded [`TestServer::requests`], runtime script changes; stops on drop or after
//!   its lifetime.
//! * [`ServerConfig`]: credentials, security token, clock skew, nonce policy, XML root,
//!   host id, expected action/version, the script (routes, queue, default step), limits.
//! * [`Step`]: a response ([`Step::json`], [`Step::error`], [`Step::raw`]) with
//!   headers, delay, truncated or stalled body, unrequested gzip; or a fault
//!   ([`Step::drop_connection`], [`Step::reset`]). [`Route`]: steps for requests with
//!   given parameter values.
//! * [`RecordedRequest`]: what was received and how it was judged;
//!   [`TestServer::requests_for`] the requests of one action.
//! * Per action: [`Route::action`] scripts an action's responses,
//!   [`ServerConfig::with_samples`] answers every action with its documented sample (a
//!   generated client's `test_util` module does it for you).
//! * [`TestProxy`]: a loopback HTTP forward / `CONNECT` / SOCKS5 proxy with optional
//!   credentials, for tests of proxy settings ([`TestProxy::start_blocking`] serves from
//!   its own thread).
//!
//! # Request handling
//!
//! Parameters are the decoded query merged with an
//! `application/x-www-form-urlencoded` body (body wins). With credentials configured:
//!
//! * RPC v1 (a `Signature` or `AccessKeyId` parameter): `AccessKeyId`, `Signature`,
//!   `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `SignatureNonce` and
//!   `Timestamp` (`YYYY-MM-DDThh:mm:ssZ`, within the skew) are required; the
//!   signature is recomputed over all parameters except `Signature` with the
//!   request's method. Response format from `Format` (JSON/XML, absent = XML).
//! * V3 (`Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`):
//!   `x-acs-content-sha256` must be the body's SHA-256; `host`, `x-acs-action`,
//!   `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256`
//!   must be signed; the Authorization is recomputed over exactly the signed headers
//!   with the raw path and the query. Response format from `Accept` (xml -> XML, else JSON).
//! * Then the security token, nonce reuse, and optionally the action/version
//!   ([`ServerConfig::with_api`]) and required parameters.
//!
//! Failures answer like the gateway (status, `Code`, message): 400
//! `SignatureDoesNotMatch` (`"Specified signature is not matched with our calculation.
//! server string to sign is:<sts>"`), 400 `InvalidTimeStamp.Format` /
//! `InvalidTimeStamp.Expired`, 400 `SignatureNonceUsed`, 404
//! `InvalidAccessKeyId.NotFound`, 400 `InvalidSecurityToken.MismatchWithAccessKey`,
//! 400 `Missing<Name>`, 400 `MissingSignature`, 404 `InvalidAction.NotFound`, 400
//! `InvalidVersion`; emulator-specific: `InvalidSignatureMethod`,
//! `InvalidSignatureVersion`, `ContentSHA256NotMatched`, `IncompleteSignature`,
//! `InvalidAuthorization`, `MissingHeader`, `UnsupportedSignatureType`,
//! `InvalidParameter` (bad `Format`). Bodies are
//! `{"RequestId","HostId","Code","Message","Recommend"}` or the `<Error>` XML document,
//! with `x-acs-request-id`. Without credentials nothing is checked.
//!
//! Malformed HTTP gets a `text/plain` 400 (431, 413, 501, 505 where they fit) and the
//! connection is closed; the server never panics on input.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
mod config;
mod http;
mod proxy;
mod record;
pub mod render;
mod script;
mod server;
mod step;
mod verify;

pub use config::ServerConfig;
pub use proxy::{ProxiedRequest, ProxyProtocol, TestProxy};
pub use record::{AuthKind, RecordedRequest, ResponseFormat};
pub use server::TestServer;
pub use step::{sample_get_deployment_body, Body, Delivery, Route, Step, Then};
