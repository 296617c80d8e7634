//! In-process scripted HTTP/1.1 server on 127.0.0.1 that stands in for an Alibaba Cloud RPC endpoint in tests and benchmarks.
#![forbid(unsafe_code)]
