//! Shared runtime for generated Alibaba Cloud API clients: config, credentials, endpoints, transport, retries, errors.
#![forbid(unsafe_code)]
